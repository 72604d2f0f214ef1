//! The store port's contract suite, run on the memory store.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::string_slice,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    clippy::float_cmp
)] // test code

use registrar_memory::MemoryStore;

registrar_store::store_contract_tests!(async { (MemoryStore::new(), ()) });
