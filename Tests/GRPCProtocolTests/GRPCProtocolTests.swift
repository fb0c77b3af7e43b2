// Tests for GRPCProtocol.
