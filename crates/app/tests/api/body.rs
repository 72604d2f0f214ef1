use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

async fn other_content_types_get_415_in_the_core_shape(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = send(
        app.post("/api/register")
            .header("Content-Type", "text/plain")
            .body("username=a@b.com"),
    )
    .await;
    let (status, body) = parts(response).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(body["success"], false);
    assert_eq!(body["error"], "unsupported_media_type");
}

async fn malformed_json_and_non_objects_get_400_invalid_request(backend: Backend) {
    let app = spawn_app(backend).await;
    for raw in ["{\"username\": ", "[1, 2]", "\"text\"", "42"] {
        let response = send(
            app.post("/api/token")
                .header("Content-Type", "application/json")
                .body(raw),
        )
        .await;
        let (status, body) = parts(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{raw}");
        assert_eq!(body["error"], "invalid_request", "{raw}");
    }
}

async fn bodies_over_64_kib_get_413_and_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let mut body = app.registration(&email);
    body["padding"] = json!("x".repeat(70 * 1024));
    let (status, answer) = parts(app.post_json("/api/register", &body).await).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer["error"], "payload_too_large");
    app.register(&email).await;
}

async fn every_response_carries_a_request_id_and_echoes_the_callers(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = send(app.get("/healthz")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let id = response.headers()["x-request-id"].to_str().expect("ascii").to_owned();
    assert!(!id.is_empty());
    let response = send(app.get("/no/such/route").header("X-Request-Id", "abc-123")).await;
    assert_eq!(response.headers()["x-request-id"], "abc-123");
    assert_eq!(error_of(response).await, (StatusCode::NOT_FOUND, json!("not_found")));
    let response = send(app.post("/api/token").header("Content-Type", "text/csv").body("a,b")).await;
    assert!(response.headers().contains_key("x-request-id"));
}

async fn health_and_readiness_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(app.get("/healthz").send().await.expect("r").status(), StatusCode::OK);
    assert_eq!(app.get("/readyz").send().await.expect("r").status(), StatusCode::OK);
}

async fn metrics_are_prometheus_text_with_requests_by_route_and_status(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register(&unique_email()).await;
    let response = send(app.get("/metrics")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("text/plain"));
    let text = response.text().await.expect("text");
    assert!(
        text.lines().any(|l| l.starts_with("registrar_http_requests_total{")
            && l.contains("route=\"/api/register\"")
            && l.contains("status=\"200\"")),
        "{text}"
    );
    for metric in [
        "registrar_http_request_duration_seconds_bucket{",
        "registrar_password_hashes_in_flight",
        "registrar_db_pool_connections{state=\"in_use\"}",
        "registrar_db_pool_waiting",
    ] {
        assert!(text.contains(metric), "{metric} in {text}");
    }
}

async fn a_known_path_with_another_method_is_405_with_allow(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = send(app.http.put(app.url("/api/me"))).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "GET, PATCH, DELETE");
    let (_, body) = parts(response).await;
    assert_eq!(body["error"], "method_not_allowed");
    let response = send(app.get("/api/register")).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "POST");
    assert_eq!(
        app.get("/api/nothing-here").send().await.expect("r").status(),
        StatusCode::NOT_FOUND
    );
}

async fn bodies_without_fields_still_follow_the_content_type_rules(backend: Backend) {
    let app = spawn_app(backend).await;
    let pair = app.register(&unique_email()).await;
    let token = access_token(&pair);
    let (status, body) = parts(
        send(
            app.post("/api/logout")
                .bearer_auth(token)
                .header("Content-Type", "text/plain")
                .body("bye"),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["error"].clone()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, json!("unsupported_media_type"))
    );
    assert_eq!(app.me(token).await.status(), StatusCode::OK, "nothing changed");
    let response = send(app.post("/api/logout").bearer_auth(token)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT, "no body at all is fine");
}

async fn every_answer_carries_the_security_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    let pair = app.register(&unique_email()).await;
    for response in [
        app.get("/api/me")
            .bearer_auth(access_token(&pair))
            .send()
            .await
            .expect("r"),
        app.get("/api/me").send().await.expect("r"),
        app.get("/healthz").send().await.expect("r"),
        app.get("/no/such/thing").send().await.expect("r"),
    ] {
        let h = response.headers();
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert!(h["content-security-policy"]
            .to_str()
            .expect("ascii")
            .contains("frame-ancestors 'none'"));
    }
    let page = send(app.get(&format!("/confirm/{}", "ab".repeat(32)))).await;
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(csp.contains("form-action 'self'"), "pages keep their own policy: {csp}");
}

on_both_backends!(
    other_content_types_get_415_in_the_core_shape,
    malformed_json_and_non_objects_get_400_invalid_request,
    bodies_over_64_kib_get_413_and_change_nothing,
    every_response_carries_a_request_id_and_echoes_the_callers,
    health_and_readiness_answer,
    metrics_are_prometheus_text_with_requests_by_route_and_status,
    a_known_path_with_another_method_is_405_with_allow,
    bodies_without_fields_still_follow_the_content_type_rules,
    every_answer_carries_the_security_headers,
);
