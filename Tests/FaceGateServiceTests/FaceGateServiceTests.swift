// Tests for FaceGateService.
