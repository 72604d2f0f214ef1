//! The store port's contract suite, run on the memory store.
#![allow(clippy::pedantic, clippy::restriction)] // test code

use registrar_memory::MemoryStore;

registrar_store::store_contract_tests!(async { (MemoryStore::new(), ()) });
