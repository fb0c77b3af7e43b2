// FaceGateService: see README.md (Layout) for what this module owns.
