//! The store contract suite, on both backends.
#![allow(clippy::pedantic, clippy::restriction)] // test code

mod common;

mod sqlite {
    use super::common;

    registrar_store::store_contract_tests!(common::sqlite_store());
}

mod postgres {
    use super::common;

    // Without a Postgres server each test returns early (after a loud
    // notice) instead of running the rule: the `return` leaves the test fn.
    registrar_store::store_contract_tests!({
        match common::postgres_store().await {
            Some(store_and_database) => std::future::ready(store_and_database),
            None => return,
        }
    });
}
