//! The store port's contract suite, run on the memory store.

use registrar_memory::MemoryStore;

registrar_store::store_contract_tests!(async { (MemoryStore::new(), ()) });
