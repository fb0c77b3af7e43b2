// Tests for Embedding.
