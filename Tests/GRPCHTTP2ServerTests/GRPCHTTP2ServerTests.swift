// Tests for GRPCHTTP2Server.
