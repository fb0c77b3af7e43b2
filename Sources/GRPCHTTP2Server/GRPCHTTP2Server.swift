// GRPCHTTP2Server: see README.md (Layout) for what this module owns.
