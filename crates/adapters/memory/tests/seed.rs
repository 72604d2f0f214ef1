//! What a new memory store holds, like a freshly migrated database.
#![allow(clippy::pedantic, clippy::restriction)] // test code

use registrar_domain::{ClientId, WEB_CLIENT_ID};
use registrar_memory::MemoryStore;
use registrar_store::ClientStore;

#[tokio::test]
async fn a_new_store_holds_the_built_in_web_client_only() {
    let store = MemoryStore::new();
    let clients = store.clients().await.expect("listing clients");
    assert_eq!(clients.len(), 1, "one client");
    assert_eq!(clients[0].id.as_str(), WEB_CLIENT_ID, "the web client");
    assert_eq!(clients[0].name, "Web", "named Web");
    assert_eq!(
        store.client(&ClientId::web()).await.expect("looking up"),
        Some(clients[0].clone()),
        "found by id"
    );
}
