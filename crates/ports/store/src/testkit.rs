//! The contract suite every store adapter must pass (written next).
