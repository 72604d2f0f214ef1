//! `GET /openapi.json` from the real server: an OpenAPI 3 document of every
//! route the server is built from, and every operation, asked without
//! credentials and with an empty body, answers a status and content type the
//! document lists, with a JSON body whose fields the document lists.

use registrar_memory::{MemoryMailer, MemoryStore};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

/// Follows a local `$ref`.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.strip_prefix('#').expect("a local reference");
            resolve(
                doc,
                doc.pointer(pointer).unwrap_or_else(|| panic!("{reference} resolves")),
            )
        }
        None => schema,
    }
}

/// Whether `value` has only documented fields, every required one, all the
/// way down (`allOf` merged, one of `oneOf`/`anyOf` enough).
fn conforms(doc: &Value, schema: &Value, value: &Value) -> bool {
    let schema = resolve(doc, schema);
    if let Some(alternatives) = schema.get("oneOf").or_else(|| schema.get("anyOf")) {
        return alternatives
            .as_array()
            .expect("alternatives")
            .iter()
            .any(|a| conforms(doc, a, value));
    }
    match value {
        Value::Object(map) => {
            let mut properties = serde_json::Map::new();
            let mut required = Vec::new();
            let mut additional = None;
            let mut parts = vec![schema];
            while let Some(part) = parts.pop() {
                let part = resolve(doc, part);
                properties.extend(part["properties"].as_object().cloned().unwrap_or_default());
                required.extend(part["required"].as_array().cloned().unwrap_or_default());
                additional = additional.or(part.get("additionalProperties").filter(|a| a.is_object()));
                parts.extend(part["allOf"].as_array().into_iter().flatten());
            }
            let free_form = properties.is_empty() && additional.is_none();
            required
                .iter()
                .all(|name| name.as_str().is_some_and(|n| map.contains_key(n)))
                && map
                    .iter()
                    .all(|(name, field)| match (properties.get(name), additional) {
                        (Some(property), _) => conforms(doc, property, field),
                        (None, Some(additional)) => conforms(doc, additional, field),
                        (None, None) => free_form,
                    })
        }
        Value::Array(items) => schema
            .get("items")
            .is_none_or(|item| items.iter().all(|v| conforms(doc, item, v))),
        _ => true,
    }
}

/// Checks an answer of `method path` against the document; returns its JSON, if any.
async fn documented_answer(doc: &Value, method: &str, path: &str, response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let at = format!("{method} {path} → {status}");
    assert!(response.headers().contains_key("x-request-id"), "{at}: X-Request-Id");
    let media = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .trim()
        .to_owned();
    let text = response.text().await.expect("body");
    let documented = &doc["paths"][path][method.to_lowercase()]["responses"][status.as_str()];
    assert!(documented.is_object(), "{at}: an undocumented status ({text})");
    if status == StatusCode::NO_CONTENT {
        return (status, Value::Null);
    }
    let schema = &documented["content"][media.as_str()]["schema"];
    assert!(schema.is_object(), "{at}: {media} is not documented");
    if media != "application/json" {
        return (status, Value::Null);
    }
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{at}: not JSON: {text}"));
    assert!(conforms(doc, schema, &body), "{at}: {body} does not match its schema");
    (status, body)
}

async fn the_document_lists_every_route_and_each_answers_as_documented(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = send(app.get("/openapi.json")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let media = response.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(media.starts_with("application/json"), "{media}");
    let text = response.text().await.expect("body");
    assert_eq!(text, registrar_http::openapi::document(), "served as built");
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "{}",
        doc["openapi"]
    );

    // The routes the server is configured with (the store and mailer types do not change them).
    let routes = registrar_http::route_table::<MemoryStore, MemoryMailer>();
    assert!(routes.len() >= 28, "{routes:?}");
    for (method, path) in &routes {
        let operation = &doc["paths"][path][method.as_str().to_lowercase()];
        assert!(operation.is_object(), "{method} {path} is not documented");
        // Path parameters get a value of their own; bodies are empty objects.
        let uri: String = path
            .split('/')
            .map(|s| if s.starts_with('{') { "unknown" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let method = Method::from_bytes(method.as_str().as_bytes()).expect("a method");
        let mut request = app.http.request(method.clone(), app.url(&uri));
        if operation["requestBody"].is_object() {
            request = request.json(&json!({}));
        }
        let response = send(request).await;
        let (status, _) = documented_answer(&doc, method.as_str(), path, response).await;
        assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{method} {path}");
    }

    // Real answers, with their nulls and lists, against their schemas.
    let email = unique_email();
    let response = app.post_json("/api/register", &app.registration(&email)).await;
    let (status, pair) = documented_answer(&doc, "POST", "/api/register", response).await;
    assert_eq!(status, StatusCode::OK);
    let token = access_token(&pair);
    let (status, profile) = documented_answer(&doc, "GET", "/api/me", app.me(token).await).await;
    assert_eq!((status, &profile["tin_nr"]), (StatusCode::OK, &Value::Null));
    let sessions = send(app.get("/api/sessions").bearer_auth(token)).await;
    documented_answer(&doc, "GET", "/api/sessions", sessions).await;
    let policies = send(app.get("/api/policies")).await;
    documented_answer(&doc, "GET", "/api/policies", policies).await;
    let email = unique_email();
    let fields = [
        ("first_name", "Ann"),
        ("last_name", "Lee"),
        ("email", &email),
        ("postal_code", "4000"),
        ("password", PASSWORD),
    ];
    let form = send(app.post("/api/users/register").form(&fields)).await;
    let (status, _) = documented_answer(&doc, "POST", "/api/users/register", form).await;
    assert_eq!(status, StatusCode::CREATED);
}

on_both_backends!(the_document_lists_every_route_and_each_answers_as_documented);
