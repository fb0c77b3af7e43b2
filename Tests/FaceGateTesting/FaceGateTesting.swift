// Test support: loopback server fixture, tiny models, synthetic galleries.
