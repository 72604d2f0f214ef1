use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

async fn the_current_revision_of_a_type_is_shown_in_the_requested_language(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, tac) = parts(send(app.get("/api/policies/tac")).await).await;
    assert_eq!(status, StatusCode::OK);
    for field in [
        "html",
        "type",
        "title",
        "description",
        "button",
        "version",
        "revision_id",
        "date",
    ] {
        assert!(tac.get(field).is_some(), "{field} in {tac}");
    }
    assert_eq!(tac["type"], "tac");
    assert_eq!(tac["title"], "Terms and conditions");
    assert_eq!(tac["revision_id"], app.policies[0]);
    let (_, nl) = parts(send(app.get("/api/policies/tac").header("Accept-Language", "nl")).await).await;
    assert_eq!(nl["title"], "Terms and conditions (nl)");
    // No German text: the default language's.
    let (_, de) = parts(send(app.get("/api/policies/tac").header("Accept-Language", "de")).await).await;
    assert_eq!(de["title"], "Terms and conditions");
    assert_eq!(
        error_of(send(app.get("/api/policies/shop")).await).await,
        (StatusCode::NOT_FOUND, json!("not_found"))
    );
}

async fn the_list_has_every_current_revision_with_required_flags(backend: Backend) {
    let app = spawn_app(backend).await;
    app.service
        .publish_policy(policy("cookie", "1", "Cookies"))
        .await
        .expect("publish");
    let newer = app
        .service
        .publish_policy(policy("tac", "2.0", "Terms v2"))
        .await
        .expect("publish");
    let (status, list) = parts(send(app.get("/api/policies")).await).await;
    assert_eq!(status, StatusCode::OK);
    let list = list.as_array().expect("list").clone();
    assert_eq!(list.len(), 3);
    let find = |t: &str| list.iter().find(|p| p["type"] == t).cloned().expect("type present");
    assert_eq!(find("tac")["revision_id"], newer.id.0);
    assert_eq!(find("tac")["version"], "2.0");
    assert_eq!(find("tac")["required"], true);
    assert_eq!(find("privacy")["required"], true);
    assert_eq!(find("cookie")["required"], false);
}

async fn a_new_required_revision_is_pending_until_accepted(backend: Backend) {
    let app = spawn_app(backend).await;
    let pair = app.register(&unique_email()).await;
    let token = access_token(&pair);
    let newer = app
        .service
        .publish_policy(policy("tac", "2.0", "Terms v2"))
        .await
        .expect("publish");
    let (_, me) = parts(app.me(token).await).await;
    assert_eq!(me["pending_policies"], json!([newer.id.0]));

    let (status, body) = parts(
        send(
            app.post("/api/policies/accept")
                .bearer_auth(token)
                .json(&json!({"policies": [99_999]})),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["error"].clone()),
        (StatusCode::BAD_REQUEST, json!("validation_failed"))
    );
    assert_eq!(
        body["errors"]["policies"],
        json!(["There is no policy revision 99999."])
    );

    let (status, body) = parts(
        send(
            app.post("/api/policies/accept")
                .bearer_auth(token)
                .header("Accept-Language", "nl-BE, en;q=0.5")
                .form(&[("policies[]", newer.id.0.to_string())]),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["pending"], json!([]));
    assert!(body["accepted"].as_array().expect("list").contains(&json!(newer.id.0)));
    let (_, me) = parts(app.me(token).await).await;
    assert_eq!(me["pending_policies"], json!([]));

    // The export says in which language each revision was accepted: the
    // registration's in the account's language, this one in the request's.
    let (status, export) = parts(send(app.get("/api/me/export").bearer_auth(token)).await).await;
    assert_eq!(status, StatusCode::OK, "{export}");
    let languages: Vec<(i64, Value)> = export["policies"]
        .as_array()
        .expect("policies")
        .iter()
        .map(|p| (p["id"].as_i64().expect("an id"), p["language"].clone()))
        .collect();
    let mut expected: Vec<(i64, Value)> = app.policies.iter().map(|&p| (i64::from(p), json!("en"))).collect();
    expected.push((i64::from(newer.id.0), json!("nl")));
    assert_eq!(languages, expected);
}

async fn accepting_needs_a_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .post_json("/api/policies/accept", &json!({"policies": app.policies}))
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

on_both_backends!(
    the_current_revision_of_a_type_is_shown_in_the_requested_language,
    the_list_has_every_current_revision_with_required_flags,
    a_new_required_revision_is_pending_until_accepted,
    accepting_needs_a_token,
);
