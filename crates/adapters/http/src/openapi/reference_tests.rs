//! `docs/api.md`, the API reference in prose, is held to the served
//! document: an endpoint added without a word there fails here.

use serde_json::Value;

use super::document;

const REFERENCE: &str = include_str!("../../../../../docs/api.md");

#[test]
fn every_served_path_is_in_docs_api_md() {
    let doc: Value = serde_json::from_str(document()).expect("the document is JSON");
    let mut missing = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            // Written as `METHOD /path` (in backticks) where the endpoint is described.
            let endpoint = format!("`{} {path}", method.to_uppercase());
            if !REFERENCE.contains(&endpoint) {
                missing.push(endpoint);
            }
        }
    }
    assert!(missing.is_empty(), "docs/api.md does not describe {missing:?}");
}

#[test]
fn docs_api_md_points_nowhere_outside_the_repository() {
    for outside in ["](../", "shared/spec"] {
        assert!(!REFERENCE.contains(outside), "docs/api.md holds {outside:?}");
    }
}
