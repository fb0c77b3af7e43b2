// Tests for OODGate.
