//! The document against the routes actix serves, and real answers against
//! the documented schemas (over the in-memory adapters).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use actix_web::dev::ServiceResponse;
use actix_web::http::{header, Method, StatusCode};
use actix_web::{test as actix_test, web, App};
use registrar_domain::Language;
use registrar_memory::{MemoryMailer, MemoryStore};
use registrar_service::testing;
use serde_json::{json, Value};

use super::{document, BEARER, TAGS};
use crate::edge::body::Object;
use crate::edge::language::DefaultLanguage;
use crate::test_world;

use crate::test_world::PASSWORD;

/// What the brief of `/openapi.json` names as the bearer endpoints.
const BEARER_ENDPOINTS: [(&str, &str); 22] = [
    ("GET", "/api/me"),
    ("POST", "/api/me/email"),
    ("POST", "/api/me/email/confirm"),
    ("GET", "/api/me/activity"),
    ("GET", "/api/me/export"),
    ("GET", "/userinfo"),
    ("POST", "/userinfo"),
    ("GET", "/api/me/factors"),
    ("POST", "/api/me/factors/passkeys/options"),
    ("POST", "/api/me/factors/passkeys"),
    ("PATCH", "/api/me/factors/passkeys/{id}"),
    ("DELETE", "/api/me/factors/passkeys/{id}"),
    ("POST", "/api/me/factors/totp"),
    ("POST", "/api/me/factors/totp/confirm"),
    ("DELETE", "/api/me/factors/totp"),
    ("POST", "/api/me/factors/recovery-codes"),
    ("PATCH", "/api/me"),
    ("DELETE", "/api/me"),
    ("GET", "/api/sessions"),
    ("DELETE", "/api/sessions/{device_id}"),
    ("POST", "/api/policies/accept"),
    ("POST", "/api/logout"),
];

/// Writes that read no body.
const NO_BODY: [(&str, &str); 23] = [
    ("POST", "/confirm/email-change/{token}"),
    ("POST", "/confirm/email-cancel/{token}"),
    ("DELETE", "/admin/invites/{id}"),
    ("POST", "/admin/users/{id}/disable"),
    ("POST", "/admin/users/{id}/enable"),
    ("DELETE", "/admin/users/{id}"),
    ("DELETE", "/admin/users/{id}/sessions"),
    ("DELETE", "/admin/users/{id}/sessions/{session_id}"),
    ("DELETE", "/admin/users/{id}/factors"),
    ("POST", "/admin/users/{id}/confirmation"),
    ("DELETE", "/admin/users/{id}/lockout"),
    ("DELETE", "/admin/clients/{id}"),
    ("POST", "/admin/clients/{id}/secret"),
    ("DELETE", "/admin/webhooks/{id}"),
    ("POST", "/admin/webhooks/{id}/disable"),
    ("POST", "/admin/webhooks/{id}/enable"),
    ("POST", "/admin/webhooks/{id}/secret"),
    ("POST", "/api/logout"),
    ("POST", "/userinfo"),
    ("DELETE", "/api/sessions/{device_id}"),
    ("POST", "/api/me/factors/totp"),
    ("POST", "/api/me/factors/passkeys/options"),
    ("DELETE", "/api/me/factors/passkeys/{id}"),
];

fn doc() -> Value {
    serde_json::from_str(document()).expect("the document is JSON")
}

/// Every (METHOD, path) that `configure` serves.
fn served() -> Vec<(String, &'static str)> {
    crate::route_table::<MemoryStore, MemoryMailer>()
        .into_iter()
        .map(|(method, path)| (method.as_str().to_owned(), path))
        .collect()
}

/// Every documented operation: (METHOD, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if ["get", "put", "post", "delete", "options", "head", "patch", "trace"].contains(&method.as_str()) {
                all.push((method.to_uppercase(), path.clone(), operation.clone()));
            }
        }
    }
    all
}

/// Follows a local `$ref` (`#/components/…`).
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.strip_prefix('#').expect("a local reference");
            resolve(
                doc,
                doc.pointer(pointer).unwrap_or_else(|| panic!("{reference} resolves")),
            )
        }
        None => value,
    }
}

fn every_ref(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push(r.clone());
            }
            map.values().for_each(|v| every_ref(v, out));
        }
        Value::Array(list) => list.iter().for_each(|v| every_ref(v, out)),
        _ => {}
    }
}

#[test]
fn the_document_is_openapi_3_and_round_trips() {
    let doc = doc();
    let version = doc["openapi"].as_str().expect("openapi version");
    assert!(version.starts_with("3."), "{version}");
    assert_eq!(doc["info"]["title"], "Registrar");
    // utoipa's own model reads it back (its version parser takes only 3.1/3.2).
    let typed: utoipa::openapi::OpenApi = serde_json::from_str(document()).expect("an OpenAPI 3.1 document");
    assert_eq!(serde_json::to_value(&typed).expect("serializes"), doc);
    let mut refs = Vec::new();
    every_ref(&doc, &mut refs);
    assert!(refs.len() > 50, "schemas are shared by reference");
    for reference in refs {
        let pointer = reference.strip_prefix('#').expect("local");
        assert!(doc.pointer(pointer).is_some(), "{reference} resolves");
    }
}

#[test]
fn every_served_route_is_documented_and_nothing_else() {
    let doc = doc();
    let served = served();
    assert!(served.contains(&("POST".to_owned(), "/api/register")));
    assert!(served.contains(&("GET".to_owned(), "/openapi.json")));
    let unique: BTreeSet<_> = served.iter().collect();
    assert_eq!(unique.len(), served.len(), "a route is registered twice");
    for (method, path) in &served {
        assert!(
            doc["paths"][path][method.to_lowercase()].is_object(),
            "{method} {path} is served but not documented"
        );
    }
    for (method, path, _) in operations(&doc) {
        assert!(
            served.iter().any(|(m, p)| *m == method && *p == path),
            "{method} {path} is documented but not served"
        );
    }
}

#[test]
fn every_operation_is_complete() {
    let doc = doc();
    let mut ids = BTreeSet::new();
    for (method, path, op) in operations(&doc) {
        let at = format!("{method} {path}");
        let id = op["operationId"].as_str().expect("operationId");
        assert!(ids.insert(id.to_owned()), "{at}: operationId {id} twice");
        assert!(op["summary"].is_string(), "{at}: summary");
        let tags = op["tags"].as_array().expect("tags");
        assert!(!tags.is_empty(), "{at}: tagged");
        for tag in tags {
            assert!(TAGS.contains(&tag.as_str().expect("tag")), "{at}: tag {tag}");
        }

        let responses = op["responses"].as_object().expect("responses");
        for (status, response) in responses {
            let response = resolve(&doc, response);
            assert!(response["description"].is_string(), "{at} {status}: description");
            assert!(
                response["headers"]["X-Request-Id"].is_object(),
                "{at} {status}: X-Request-Id"
            );
            if let Some(content) = response["content"].as_object() {
                for (media, body) in content {
                    assert!(body["schema"].is_object(), "{at} {status} {media}: schema");
                }
            }
        }
        let success = responses
            .keys()
            .filter(|s| s.starts_with('2'))
            .min()
            .unwrap_or_else(|| panic!("{at}: a success response"));
        if success != "204" {
            let content = responses[success]["content"]
                .as_object()
                .unwrap_or_else(|| panic!("{at} {success}: content"));
            assert!(!content.is_empty(), "{at} {success}: content");
            for (media, body) in content {
                let schema = resolve(&doc, &body["schema"]);
                assert!(
                    schema.get("type").is_some()
                        || schema.get("oneOf").is_some()
                        || schema.get("anyOf").is_some()
                        || schema.get("allOf").is_some(),
                    "{at} {success} {media}: a schema with a shape"
                );
            }
        }

        let bearer = BEARER_ENDPOINTS.contains(&(method.as_str(), path.as_str()));
        let security = op["security"].as_array();
        assert_eq!(
            security.is_some_and(|s| s.iter().any(|r| r[BEARER].is_array())),
            bearer,
            "{at}: bearer security"
        );
        if bearer {
            assert!(responses.contains_key("401"), "{at}: 401");
        }

        let parameters: Vec<&Value> = op["parameters"]
            .as_array()
            .map(|list| list.iter().map(|p| resolve(&doc, p)).collect())
            .unwrap_or_default();
        for segment in path.split('/').filter(|s| s.starts_with('{')) {
            let name = segment.trim_matches(|c| c == '{' || c == '}');
            assert!(
                parameters
                    .iter()
                    .any(|p| p["name"] == name && p["in"] == "path" && p["required"] == true),
                "{at}: path parameter {name}"
            );
        }
        if !op["tags"].as_array().is_some_and(|t| t.contains(&json!("operations"))) {
            assert!(
                parameters.iter().any(|p| p["name"] == "Accept-Language"),
                "{at}: Accept-Language"
            );
        }

        let reads_body = method != "GET" && !NO_BODY.contains(&(method.as_str(), path.as_str()));
        assert_eq!(op["requestBody"].is_object(), reads_body, "{at}: request body");
        if reads_body && path.starts_with("/admin/") {
            // The admin API is for software: a JSON body (a policy file also TOML), no form.
            let content = op["requestBody"]["content"].as_object().expect("content");
            assert!(
                content.values().all(|c| c["schema"].is_object())
                    && !content.contains_key("application/x-www-form-urlencoded"),
                "{at}: an admin body"
            );
        } else if reads_body {
            let content = &op["requestBody"]["content"];
            let json_body = &content["application/json"]["schema"];
            assert!(json_body.is_object(), "{at}: JSON body");
            assert_eq!(
                &content["application/x-www-form-urlencoded"]["schema"], json_body,
                "{at}: the same body as a form"
            );
        }
    }
    assert_eq!(
        doc["components"]["securitySchemes"][BEARER]["scheme"], "bearer",
        "the bearer scheme"
    );
}

#[test]
fn pages_answer_html_and_metrics_text() {
    let doc = doc();
    for (method, path) in [
        ("get", "/confirm/{token}"),
        ("get", "/reset-password/{token}"),
        ("post", "/reset-password/{token}"),
        ("get", "/confirm/signup/{id}"),
        ("get", "/confirm/email-change/{token}"),
        ("post", "/confirm/email-change/{token}"),
        ("get", "/confirm/email-cancel/{token}"),
        ("post", "/confirm/email-cancel/{token}"),
    ] {
        let responses = doc["paths"][path][method]["responses"].as_object().expect("responses");
        for (status, response) in responses {
            let media: Vec<_> = response["content"].as_object().expect("content").keys().collect();
            assert_eq!(media, ["text/html"], "{method} {path} {status}");
        }
    }
    let confirm = &doc["paths"]["/confirm/signup/{id}"]["post"]["responses"]["200"]["content"];
    assert!(confirm["text/html"].is_object() && confirm["application/json"].is_object());
    assert!(doc["paths"]["/metrics"]["get"]["responses"]["200"]["content"]["text/plain"].is_object());
}

#[test]
fn register_documents_both_families() {
    let doc = doc();
    let op = &doc["paths"]["/api/register"]["post"];
    let body = resolve(&doc, &op["requestBody"]["content"]["application/json"]["schema"]);
    let names: Vec<_> = body["oneOf"]
        .as_array()
        .expect("oneOf")
        .iter()
        .map(|r| r["$ref"].as_str().expect("ref"))
        .collect();
    assert_eq!(
        names,
        [
            "#/components/schemas/RegisterRequest",
            "#/components/schemas/TypedCustomerRequest",
            "#/components/schemas/TypedOrganisationRequest"
        ]
    );
    let answer = resolve(&doc, &op["responses"]["200"]["content"]["application/json"]["schema"]);
    assert_eq!(answer["oneOf"].as_array().map(Vec::len), Some(2));
}

// ---- request schemas against what the handlers read ----

/// A body with every documented property of `schema` set to a value of its
/// own (integers and strings from one counter, the first value of an enum),
/// and the values that must show up in what is built from it.
fn sample_body(doc: &Value, schema: &str) -> (serde_json::Map<String, Value>, Vec<String>) {
    let (properties, _, _) = object_shape(doc, &json!({"$ref": format!("#/components/schemas/{schema}")}));
    assert!(!properties.is_empty(), "{schema} has properties");
    let mut body = serde_json::Map::new();
    let mut expected = Vec::new();
    for (i, (name, property)) in properties.iter().enumerate() {
        let property = resolve(doc, property);
        let first = property.get("oneOf").and_then(|o| o.get(0)).unwrap_or(property);
        let number = 900_001 + i as i64;
        let types = first["type"].to_string();
        let value = if let Some(fixed) = first.get("enum").and_then(|e| e.get(0)) {
            fixed.clone()
        } else if types.contains("array") {
            expected.push(number.to_string());
            json!([number])
        } else if types.contains("integer") {
            expected.push(number.to_string());
            json!(number)
        } else {
            expected.push(format!("sample-{name}"));
            json!(format!("sample-{name}"))
        };
        body.insert(name.clone(), value);
    }
    (body, expected)
}

/// A request type read leniently from `fields`, in its debug form.
fn lenient<T: serde::de::DeserializeOwned + std::fmt::Debug>(fields: Object) -> String {
    format!("{:?}", fields.parse::<T>().expect("lenient"))
}

#[test]
fn every_documented_request_field_is_read_under_its_name() {
    use crate::dispatch::confirm_signup::SignupConfirmBody;
    use crate::dispatch::register::RegisterBody;
    use crate::families::core::requests::*;
    use crate::families::signup::SignupRequest;
    use crate::families::users::requests::*;

    type Build = fn(Object) -> String;
    let readers: [(&str, Build); 37] = [
        ("RegisterRequest", lenient::<RegisterRequest>),
        ("PasswordGrantRequest", |f| {
            format!("{:?}", TokenRequest::of(f).expect("password grant"))
        }),
        ("RefreshGrantRequest", |f| {
            format!("{:?}", TokenRequest::of(f).expect("refresh grant"))
        }),
        ("MfaGrantRequest", |f| {
            format!("{:?}", TokenRequest::of(f).expect("mfa grant"))
        }),
        ("PasskeyGrantRequest", |f| {
            format!("{:?}", TokenRequest::of(f).expect("passkey grant"))
        }),
        ("EmailCodeGrantRequest", |f| {
            format!("{:?}", TokenRequest::of(f).expect("email code grant"))
        }),
        ("AuthorizationCodeGrantRequest", |f| {
            format!("{:?}", TokenRequest::of(f).expect("authorization code grant"))
        }),
        ("EmailCodeRequest", lenient::<EmailCodeRequest>),
        ("ClientTokenRequest", lenient::<ClientTokenRequest>),
        ("TotpCodeRequest", lenient::<TotpCodeRequest>),
        ("PasskeyAdditionRequest", lenient::<PasskeyAdditionRequest>),
        ("PasskeyRenameRequest", lenient::<PasskeyRenameRequest>),
        ("PasskeyOptionsRequest", lenient::<PasskeyOptionsRequest>),
        ("MfaPasskeyOptionsRequest", lenient::<MfaPasskeyOptionsRequest>),
        ("ChangePasswordRequest", |f| {
            format!(
                "{:?}",
                f.parse::<ChangePasswordRequest>()
                    .expect("lenient")
                    .checked()
                    .expect("password grant")
            )
        }),
        ("ForgotPasswordRequest", lenient::<ForgotPasswordRequest>),
        ("ResetPasswordRequest", lenient::<ResetPasswordRequest>),
        ("UpdateProfileRequest", lenient::<UpdateProfileRequest>),
        ("PasswordConfirmationRequest", lenient::<PasswordConfirmationRequest>),
        ("EmailChangeRequest", lenient::<EmailChangeRequest>),
        ("EmailChangeCodeRequest", lenient::<EmailChangeCodeRequest>),
        ("AcceptPoliciesRequest", lenient::<AcceptPoliciesRequest>),
        ("TypedCustomerRequest", |f| {
            format!("{:?}", RegisterBody::of(f).expect("lenient"))
        }),
        ("TypedOrganisationRequest", |f| {
            format!("{:?}", RegisterBody::of(f).expect("lenient"))
        }),
        ("UsersRegisterRequest", lenient::<UsersRegisterRequest>),
        ("UsersLoginRequest", lenient::<UsersLoginRequest>),
        ("UsersValidationRequest", lenient::<UsersValidationRequest>),
        ("UsersVerifyRequest", lenient::<UsersVerifyRequest>),
        ("SignupRequest", lenient::<SignupRequest>),
        ("AdminRoleRequest", lenient::<crate::families::admin::AdminRoleRequest>),
        ("SignupConfirmRequest", |f| {
            format!("{:?}", SignupConfirmBody::of(f, false).expect("lenient"))
        }),
        ("ResetPasswordForm", |f| {
            format!(
                "{:?}",
                f.parse::<crate::families::pages::ResetPasswordForm>().expect("lenient")
            )
        }),
        ("SignupConfirmForm", |f| {
            format!("{:?}", SignupConfirmBody::of(f, false).expect("lenient"))
        }),
        ("AuthorizeForm", |f| {
            format!(
                "{:?}",
                f.parse::<crate::families::pages::authorize::AuthorizeForm>()
                    .expect("lenient")
            )
        }),
        ("LogoutForm", |f| {
            format!(
                "{:?}",
                f.parse::<crate::families::pages::logout::LogoutForm>()
                    .expect("lenient")
            )
        }),
        ("AccountMailForm", |f| {
            format!(
                "{:?}",
                f.parse::<crate::families::pages::account_mail::AccountMailForm>()
                    .expect("lenient")
            )
        }),
        ("TypedAccountFields", |f| {
            format!(
                "{:?}",
                f.parse::<crate::families::typed::TypedAccountFields>()
                    .expect("lenient")
            )
        }),
    ];
    let doc = doc();
    for (schema, build) in readers {
        let (body, expected) = sample_body(&doc, schema);
        let built = build(Object::from(body));
        for value in expected {
            assert!(
                built.contains(&value),
                "{schema}: {value} is documented but not read: {built}"
            );
        }
    }
    // Every request schema of the document is one of the above (or a union of them).
    let unions = ["RegisterBody", "TokenRequest", "SignupConfirmBody"];
    for (name, _) in doc["components"]["schemas"].as_object().expect("schemas") {
        if name.ends_with("Request") || name.ends_with("Form") {
            assert!(
                readers.iter().any(|(n, _)| n == name) || unions.contains(&name.as_str()),
                "{name} is not checked against what its handler reads"
            );
        }
    }
}

// ---- real answers against the document ----

/// Checks `value` against `schema`: types, enums, required fields, and that
/// every field of an object is a documented property.
fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(doc, schema);
    if let Some(alternatives) = schema.get("oneOf").or_else(|| schema.get("anyOf")) {
        let tries: Vec<String> = alternatives
            .as_array()
            .expect("alternatives")
            .iter()
            .filter_map(|alternative| conforms(doc, alternative, value, at).err())
            .collect();
        return if tries.len() < alternatives.as_array().map_or(0, Vec::len) {
            Ok(())
        } else {
            Err(format!("{at}: none of the alternatives: {tries:?}"))
        };
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            return Err(format!("{at}: {value} not in {allowed:?}"));
        }
    }
    let (properties, required, additional) = object_shape(doc, schema);
    // An object schema without properties is free-form (the OpenAPI document itself).
    let closed = !properties.is_empty() || additional.is_some();
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
        _ if !properties.is_empty() || schema.get("allOf").is_some() => vec!["object"],
        _ => vec![],
    };
    let type_ok = types.is_empty()
        || types.iter().any(|t| match *t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            _ => false,
        });
    if !type_ok {
        return Err(format!("{at}: {value} is not {types:?}"));
    }
    match value {
        Value::Object(map) => {
            for name in &required {
                if !map.contains_key(name) {
                    return Err(format!("{at}: required {name} missing"));
                }
            }
            for (name, field) in map {
                let at = format!("{at}.{name}");
                match (properties.get(name), &additional) {
                    (Some(property), _) => conforms(doc, property, field, &at)?,
                    (None, Some(additional)) => conforms(doc, additional, field, &at)?,
                    (None, None) if closed => return Err(format!("{at}: not a documented property")),
                    (None, None) => {}
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    conforms(doc, item, v, &format!("{at}[{i}]"))?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

type Shape = (BTreeMap<String, Value>, BTreeSet<String>, Option<Value>);

/// An object schema's properties, required names and additional
/// properties, merged over `allOf` (how `#[serde(flatten)]` is documented).
fn object_shape(doc: &Value, schema: &Value) -> Shape {
    let schema = resolve(doc, schema);
    let mut properties: BTreeMap<String, Value> = schema["properties"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let mut required: BTreeSet<String> = schema["required"]
        .as_array()
        .map(|l| l.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    let mut additional = schema.get("additionalProperties").filter(|a| a.is_object()).cloned();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        let (p, r, a) = object_shape(doc, part);
        properties.extend(p);
        required.extend(r);
        additional = additional.or(a);
    }
    (properties, required, additional)
}

/// The documented schema of an answer, by its content type's essence.
fn documented<'a>(doc: &'a Value, method: &str, path: &str, status: u16, media: &str) -> &'a Value {
    let operation = &doc["paths"][path][method.to_lowercase()];
    assert!(operation.is_object(), "{method} {path} documented");
    let response = &operation["responses"][status.to_string()];
    assert!(response.is_object(), "{method} {path}: status {status} documented");
    let schema = &response["content"][media]["schema"];
    assert!(schema.is_object(), "{method} {path} {status}: {media} documented");
    schema
}

struct Answer {
    status: StatusCode,
    media: String,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON answer")
    }
}

async fn answer(response: ServiceResponse) -> Answer {
    let status = response.status();
    let media = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .trim()
        .to_owned();
    let body = actix_test::read_body(response).await.to_vec();
    Answer { status, media, body }
}

struct World {
    world: test_world::World,
    doc: Value,
}

impl std::ops::Deref for World {
    type Target = test_world::World;

    fn deref(&self) -> &test_world::World {
        &self.world
    }
}

/// The shared world (see `registrar_service::testing`), its policies with
/// texts in every field, and the document.
async fn world() -> World {
    let world = test_world::world(|t| {
        let mut revision = testing::policy_revision(t);
        revision.version = "1.0".into();
        for text in revision.texts.values_mut() {
            text.description = format!("About {t}");
            text.html = "<p>…</p>".into();
        }
        revision
    })
    .await;
    World { world, doc: doc() }
}

/// The whole app over `$world`, as `serve` configures it (metrics included).
macro_rules! server {
    ($world:expr) => {
        actix_test::init_service(
            App::new()
                .app_data(web::Data::new($world.app.clone()))
                .app_data(web::Data::new(DefaultLanguage(Language::EN)))
                .app_data(web::Data::new(Some(
                    Arc::new(|| "registrar_up 1\n".to_owned()) as crate::edge::metrics::Renderer
                )))
                .configure(crate::configure::<MemoryStore, MemoryMailer>),
        )
        .await
    };
}

/// Sends `$request` to the server and checks the answer against the
/// document at `$path` (the route's pattern); `.await` it for the answer.
macro_rules! check {
    // `POST path` with a JSON body, the path a documented one (no parameters).
    ($server:expr, $world:expr, post $path:literal, $body:expr $(,)?) => {
        check!($server, $world, $path, post_json($path, $body))
    };
    ($server:expr, $world:expr, $path:expr, $request:expr $(,)?) => {
        async {
            let request = ($request).to_request();
            let method = request.method().clone();
            let uri = request.uri().to_string();
            let answer = answer(actix_test::call_service(&$server, request).await).await;
            verify(&$world.doc, $path, &method, &uri, &answer);
            answer
        }
    };
}

/// Whether the answer's status and content type are documented, and its
/// JSON conforms to the documented schema.
fn verify(doc: &Value, path: &str, method: &Method, uri: &str, answer: &Answer) {
    let at = format!("{method} {uri} → {}", answer.status);
    if answer.status == StatusCode::NO_CONTENT {
        let response = &doc["paths"][path][method.as_str().to_lowercase()]["responses"]["204"];
        assert!(response.is_object(), "{at}: documented");
        return;
    }
    let schema = documented(doc, method.as_str(), path, answer.status.as_u16(), &answer.media);
    if answer.media == "application/json" {
        if let Err(problem) = conforms(doc, schema, &answer.json(), &at) {
            let body = String::from_utf8_lossy(&answer.body);
            panic!("{problem}\n{}", body.chars().take(2000).collect::<String>());
        }
    }
}

fn post_json(uri: &str, body: Value) -> actix_test::TestRequest {
    actix_test::TestRequest::post().uri(uri).set_json(body)
}

#[actix_web::test]
async fn the_document_is_served_as_json() {
    let world = world().await;
    let server = server!(world);
    let answer = check!(
        server,
        world,
        "/openapi.json",
        actix_test::TestRequest::get().uri("/openapi.json")
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.media, "application/json");
    assert_eq!(answer.body, document().as_bytes());
}

#[actix_web::test]
async fn core_answers_match_the_document() {
    let world = world().await;
    let server = server!(world);
    let registration = world.registration();
    let answer = check!(server, world, post "/api/register", registration.clone()).await;
    assert_eq!(answer.status, StatusCode::OK);
    let pair = answer.json();
    let access = pair["access_token"].as_str().expect("token").to_owned();
    let bearer = (header::AUTHORIZATION, format!("Bearer {access}"));

    let answer = check!(server, world, post "/api/register", registration).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.json()["errors"]["username"].is_array());
    let form = actix_test::TestRequest::post()
        .uri("/api/register")
        .insert_header((header::CONTENT_TYPE, "text/plain"))
        .set_payload("x");
    assert_eq!(
        check!(server, world, "/api/register", form).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );

    let login = world.login_body(test_world::ANN, PASSWORD);
    let answer = check!(server, world, post "/api/token", login).await;
    assert_eq!(answer.status, StatusCode::OK);
    let refresh = json!({"grant_type": "refresh_token", "refresh_token": answer.json()["refresh_token"]});
    assert_eq!(
        check!(server, world, post "/api/token", refresh).await.status,
        StatusCode::OK
    );
    let unsupported = json!({"grant_type": "magic"});
    assert_eq!(
        check!(server, world, post "/api/token", unsupported).await.status,
        StatusCode::BAD_REQUEST
    );

    let me = actix_test::TestRequest::get()
        .uri("/api/me")
        .insert_header(bearer.clone());
    let profile = check!(server, world, "/api/me", me).await.json();
    assert!(profile["insertion"].is_null() && profile["organisation"].is_null());
    let export = actix_test::TestRequest::get()
        .uri("/api/me/export")
        .insert_header(bearer.clone());
    let document = check!(server, world, "/api/me/export", export).await.json();
    assert_eq!(document["format"], "registrar-export/1");
    assert_eq!(
        document["events"][document["events"].as_array().expect("events").len() - 1]["type"],
        "user.exported"
    );
    let patch = actix_test::TestRequest::patch()
        .uri("/api/me")
        .insert_header(bearer.clone())
        .set_json(json!({"insertion": "van", "tin_nr": null}));
    assert_eq!(check!(server, world, "/api/me", patch).await.status, StatusCode::OK);
    let anonymous = actix_test::TestRequest::get().uri("/api/me");
    assert_eq!(
        check!(server, world, "/api/me", anonymous).await.status,
        StatusCode::UNAUTHORIZED
    );
    for request in [actix_test::TestRequest::get(), actix_test::TestRequest::post()] {
        let userinfo = request.uri("/userinfo").insert_header(bearer.clone());
        let claims = check!(server, world, "/userinfo", userinfo).await.json();
        assert_eq!(claims["email_verified"], false);
    }
    let anonymous = actix_test::TestRequest::get().uri("/userinfo");
    assert_eq!(
        check!(server, world, "/userinfo", anonymous).await.status,
        StatusCode::UNAUTHORIZED
    );

    let sessions = actix_test::TestRequest::get()
        .uri("/api/sessions")
        .insert_header(bearer.clone());
    let sessions = check!(server, world, "/api/sessions", sessions).await.json();
    let current: Vec<_> = sessions
        .as_array()
        .expect("list")
        .iter()
        .filter(|s| s["current"] == true)
        .collect();
    assert_eq!(current.len(), 1);
    let unknown_device = actix_test::TestRequest::delete()
        .uri("/api/sessions/nowhere")
        .insert_header(bearer.clone());
    assert_eq!(
        check!(server, world, "/api/sessions/{device_id}", unknown_device)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let listed = check!(
        server,
        world,
        "/api/policies",
        actix_test::TestRequest::get().uri("/api/policies")
    )
    .await;
    assert_eq!(listed.json()[0]["required"], true);
    let tac = actix_test::TestRequest::get().uri("/api/policies/tac");
    assert_eq!(
        check!(server, world, "/api/policies/{type}", tac).await.json()["type"],
        "tac"
    );
    let missing = actix_test::TestRequest::get().uri("/api/policies/shop");
    assert_eq!(
        check!(server, world, "/api/policies/{type}", missing).await.status,
        StatusCode::NOT_FOUND
    );
    let accept = post_json("/api/policies/accept", json!({"policies": world.policies})).insert_header(bearer.clone());
    assert_eq!(
        check!(server, world, "/api/policies/accept", accept).await.status,
        StatusCode::OK
    );

    let forgot = post_json("/api/forgot-password", json!({"username": test_world::ANN}));
    assert_eq!(check!(server, world, "/api/forgot-password", forgot).await.body, b"{}");
    let ask = post_json(
        "/api/email-code",
        json!({"username": test_world::ANN, "client_id": world.client}),
    );
    assert_eq!(check!(server, world, "/api/email-code", ask).await.body, b"{}");
    let unknown_client = post_json(
        "/api/email-code",
        json!({"username": test_world::ANN, "client_id": "nope"}),
    );
    assert_eq!(
        check!(server, world, "/api/email-code", unknown_client).await.json()["error"],
        "invalid_client"
    );
    let mut grant = world.login_body(test_world::ANN, PASSWORD);
    grant["grant_type"] = json!("email_code");
    grant["code"] = json!("000000");
    assert_eq!(
        check!(server, world, post "/api/token", grant).await.json()["error"],
        "invalid_grant"
    );
    let reset = post_json("/api/reset-password", json!({"token": "nope", "password": PASSWORD}));
    assert_eq!(
        check!(server, world, "/api/reset-password", reset).await.json()["error"],
        "invalid_token"
    );

    let resource_server = registrar_service::NewClient {
        name: "Resource server".into(),
        confidential: true,
        ..Default::default()
    };
    let (resource_server, secret) = world.app.register_client(resource_server).await.expect("a client");
    let asking = |token: &str| {
        let secret = secret.as_ref().expect("a secret").expose();
        json!({"client_id": resource_server.id.as_str(), "client_secret": secret, "token": token})
    };
    let active = post_json("/oauth/introspect", asking(&access));
    let active = check!(server, world, "/oauth/introspect", active).await.json();
    assert_eq!(
        (&active["active"], &active["token_type"]),
        (&json!(true), &json!("Bearer"))
    );
    let inactive = post_json("/oauth/introspect", asking(&"ab".repeat(32)));
    assert_eq!(
        check!(server, world, "/oauth/introspect", inactive).await.json(),
        json!({"active": false})
    );
    let public = post_json("/oauth/introspect", json!({"client_id": world.client, "token": access}));
    assert_eq!(
        check!(server, world, "/oauth/introspect", public).await.status,
        StatusCode::UNAUTHORIZED
    );
    let no_token = post_json("/oauth/introspect", json!({"client_id": world.client}));
    assert_eq!(
        check!(server, world, "/oauth/introspect", no_token).await.status,
        StatusCode::BAD_REQUEST
    );

    let revoke = post_json(
        "/oauth/revoke",
        json!({"client_id": world.client, "token": "ab".repeat(32)}),
    );
    assert_eq!(check!(server, world, "/oauth/revoke", revoke).await.body, b"{}");
    let no_token = post_json("/oauth/revoke", json!({"client_id": world.client}));
    assert_eq!(
        check!(server, world, "/oauth/revoke", no_token).await.json()["error"],
        "invalid_request"
    );
    let no_client = post_json("/oauth/revoke", json!({"token": "ab".repeat(32)}));
    assert_eq!(
        check!(server, world, "/oauth/revoke", no_client).await.json()["error"],
        "invalid_client"
    );

    let jwks = actix_test::TestRequest::get().uri("/oauth/jwks");
    let jwks = check!(server, world, "/oauth/jwks", jwks).await;
    assert_eq!(jwks.json()["keys"][0]["kty"], "RSA");

    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        let metadata = actix_test::TestRequest::get().uri(path);
        let metadata = check!(server, world, path, metadata).await;
        assert_eq!(metadata.json()["jwks_uri"], "http://127.0.0.1:8080/oauth/jwks");
    }

    let logout = actix_test::TestRequest::post().uri("/api/logout").insert_header(bearer);
    assert_eq!(
        check!(server, world, "/api/logout", logout).await.status,
        StatusCode::NO_CONTENT
    );
}

#[actix_web::test]
async fn typed_answers_match_the_document() {
    let world = world().await;
    let server = server!(world);
    let token = world
        .app
        .create_invite(Some("test".into()), 1)
        .await
        .expect("invite")
        .expose()
        .to_owned();
    let customer = json!({"token": token, "usertype": "customer", "email": "cat@example.com", "display_name": "cat",
                          "full_name": "Cat Lee", "postcode": "M1 1AE", "year_of_birth": 1980, "password": PASSWORD});
    let answer = check!(server, world, post "/api/register", customer.clone()).await;
    assert_eq!(answer.json()["success"], true);
    let answer = check!(server, world, post "/api/register", customer).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json()["success"], false);
    let organisation = json!({"usertype": "organisation", "email": "org@example.com"});
    let answer = check!(server, world, post "/api/register", organisation).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn users_answers_match_the_document() {
    let world = world().await;
    let server = server!(world);
    let body = json!({"first_name": "Ann", "last_name": "Lee", "email": "lee@example.com", "postal_code": "4000",
                      "password": PASSWORD});
    let answer = check!(server, world, post "/api/users/register", body.clone()).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    assert!(answer.json()["insertion"].is_null());
    let answer = check!(server, world, post "/api/users/register", body).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);

    let login = json!({"username": "lee@example.com", "password": PASSWORD});
    let answer = check!(server, world, post "/api/users/login", login).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);

    let wrong = json!({"email": "lee@example.com", "token": 1});
    let answer = check!(server, world, post "/api/users/validation", wrong).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    let verify = json!({"email": "lee@example.com"});
    let answer = check!(server, world, post "/api/mails/verify", verify).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    let unknown = json!({"email": "nobody@example.com"});
    let answer = check!(server, world, post "/api/mails/verify", unknown).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    let unknown = json!({"email": "nobody@example.com", "token": "123456"});
    let answer = check!(server, world, post "/api/users/validation", unknown).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn signup_pages_and_operations_answers_match_the_document() {
    let world = world().await;
    let server = server!(world);
    let answer = check!(server, world, post "/signup", json!({"email": "bob@example.com", "language": "en"})).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    let answer = check!(server, world, post "/signup", json!({"email": "bob"})).await;
    assert_eq!(answer.json()["error"], "emailInvalid");
    let link = world.last_link("bob@example.com", "signup_confirmation").await;
    let (_, id) = link.split_once("/confirm/signup/").expect("a signup link");
    let uri = format!("/confirm/signup/{id}");
    let page = check!(
        server,
        world,
        "/confirm/signup/{id}",
        actix_test::TestRequest::get().uri(&uri)
    )
    .await;
    assert_eq!((page.status, page.media.as_str()), (StatusCode::OK, "text/html"));
    let no_consent = check!(
        server,
        world,
        "/confirm/signup/{id}",
        post_json(&uri, json!({"password": PASSWORD}))
    )
    .await;
    assert_eq!(no_consent.json()["error"], "consentRequired");
    let confirmed = check!(
        server,
        world,
        "/confirm/signup/{id}",
        post_json(&uri, json!({"consent": 1}))
    )
    .await;
    assert_eq!(confirmed.json()["account"]["consent"], 1);
    let gone = check!(
        server,
        world,
        "/confirm/signup/{id}",
        post_json(&uri, json!({"consent": 1}))
    )
    .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);

    for (path, uri) in [
        ("/confirm/{token}", "/confirm/nope"),
        ("/reset-password/{token}", "/reset-password/nope"),
    ] {
        let page = check!(server, world, path, actix_test::TestRequest::get().uri(uri)).await;
        assert_eq!((page.status, page.media.as_str()), (StatusCode::NOT_FOUND, "text/html"));
    }
    let post = actix_test::TestRequest::post()
        .uri("/reset-password/nope")
        .insert_header((header::CONTENT_TYPE, "application/x-www-form-urlencoded"))
        .set_payload("csrf_token=x&password=a&password_confirmation=a");
    assert_eq!(
        check!(server, world, "/reset-password/{token}", post).await.status,
        StatusCode::NOT_FOUND
    );

    for path in ["/healthz", "/readyz"] {
        let answer = check!(server, world, path, actix_test::TestRequest::get().uri(path)).await;
        assert_eq!(answer.json()["status"], "ok");
    }
    let metrics = check!(
        server,
        world,
        "/metrics",
        actix_test::TestRequest::get().uri("/metrics")
    )
    .await;
    assert_eq!((metrics.status, metrics.media.as_str()), (StatusCode::OK, "text/plain"));
}

#[actix_web::test]
async fn bodies_that_never_arrive_answer_408_as_documented() {
    let world = world().await;
    let server = actix_test::init_service(
        App::new()
            .app_data(web::Data::new(world.app.clone()))
            .app_data(web::Data::new(DefaultLanguage(Language::EN)))
            .app_data(web::Data::new(crate::edge::body::BodyTimeout(
                std::time::Duration::from_millis(50),
            )))
            .configure(crate::configure::<MemoryStore, MemoryMailer>),
    )
    .await;
    for (path, uri, content_type) in [
        ("/api/token", "/api/token", "application/json"),
        ("/api/register", "/api/register", "application/json"),
        ("/api/users/login", "/api/users/login", "application/json"),
        ("/signup", "/signup", "application/json"),
        ("/confirm/signup/{id}", "/confirm/signup/nope", "application/json"),
        (
            "/reset-password/{token}",
            "/reset-password/nope",
            "application/x-www-form-urlencoded",
        ),
    ] {
        // Its head says 100 bytes, then nothing comes.
        type Chunk = Result<web::Bytes, actix_web::error::PayloadError>;
        let stream: std::pin::Pin<Box<dyn futures_util::Stream<Item = Chunk>>> =
            Box::pin(futures_util::stream::pending());
        let (request, _) = actix_test::TestRequest::post()
            .uri(uri)
            .insert_header((header::CONTENT_TYPE, content_type))
            .insert_header((header::CONTENT_LENGTH, "100"))
            .to_request()
            .replace_payload(actix_web::dev::Payload::Stream { payload: stream });
        let response = actix_test::call_service(&server, request).await;
        let closes = response.response().head().connection_type() == actix_web::http::ConnectionType::Close;
        let answer = answer(response).await;
        if path == "/reset-password/{token}" {
            // A dead link: the invalid-link page, however the body went.
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{uri}");
        } else {
            assert_eq!(answer.status, StatusCode::REQUEST_TIMEOUT, "{uri}");
            verify(&world.doc, path, &Method::POST, uri, &answer);
        }
        assert!(closes, "{uri}: the connection is closed after the answer");
    }
    // Every operation that documents a 413 documents the 408 in the same shape.
    let doc = doc();
    for (method, path, op) in operations(&doc) {
        let responses = &op["responses"];
        if responses.get("413").is_some() {
            assert_eq!(
                responses["408"]["content"], responses["413"]["content"],
                "{method} {path}: 408 like 413"
            );
        }
    }
}

#[actix_web::test]
async fn http_basic_refusals_at_the_token_endpoint_are_documented() {
    let world = world().await;
    let server = server!(world);
    let garbage = actix_test::TestRequest::post()
        .uri("/api/token")
        .insert_header((header::AUTHORIZATION, "Basic !!!"))
        .set_json(json!({"grant_type": "password"}));
    let answer = check!(server, world, "/api/token", garbage).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.json()["error"], "invalid_client");
    let doc = doc();
    assert_eq!(doc["components"]["securitySchemes"]["client_basic"]["scheme"], "basic");
    assert!(doc["paths"]["/api/token"]["post"]["security"]
        .as_array()
        .is_some_and(|s| s.iter().any(|r| r["client_basic"].is_array())));
    let schema = &doc["components"]["schemas"]["CoreErrorBody"];
    assert!(schema["properties"]["error_description"].is_object());
    assert!(schema["required"]
        .as_array()
        .is_some_and(|r| r.contains(&json!("error_description"))));
}

#[test]
fn the_checker_catches_an_undocumented_field() {
    let doc = doc();
    let schema = json!({"$ref": "#/components/schemas/TokenPairResponse"});
    let good = json!({"access_token": "ab", "token_type": "Bearer", "expires_in": 1, "refresh_token": "cd"});
    assert_eq!(conforms(&doc, &schema, &good, "pair"), Ok(()));
    let mut extra = good.clone();
    extra["scope"] = json!("all");
    assert!(conforms(&doc, &schema, &extra, "pair").is_err());
    let mut wrong = good;
    wrong["token_type"] = json!("MAC");
    assert!(conforms(&doc, &schema, &wrong, "pair").is_err());
}
