//! The conformance suite: the same behaviour asked of every backend.
