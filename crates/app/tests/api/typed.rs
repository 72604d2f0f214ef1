//! Typed registration: customers and organisations with signup tokens.

use chrono::Datelike;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

fn customer(token: &str, email: &str) -> Value {
    json!({"token": token, "usertype": "customer", "email": email, "display_name": "jdoe",
           "full_name": "Jane Doe", "postcode": "SW1A 1AA", "year_of_birth": 1990, "password": PASSWORD})
}

fn organisation(token: &str, email: &str) -> Value {
    json!({"token": token, "usertype": "organisation", "email": email, "name": "Acme Ltd",
           "street_name": "1 High Street", "town": "Leeds", "sector": "C", "postcode": "LS1 4AP", "password": PASSWORD})
}

async fn register(app: &TestApp, body: &Value) -> (StatusCode, Value) {
    parts(send(app.post("/api/register").json(body)).await).await
}

fn failure(message: &str, check: &str) -> (StatusCode, Value) {
    (
        StatusCode::BAD_REQUEST,
        json!({"success": false, "message": message, "error": check}),
    )
}

async fn the_documented_customer_and_organisation_examples_register(backend: Backend) {
    let app = spawn_app(backend).await;
    let ok = (
        StatusCode::OK,
        json!({"success": true, "message": "Registered Successfully"}),
    );
    let email = unique_email();
    assert_eq!(register(&app, &customer(&app.invite(1).await, &email)).await, ok);
    let org = unique_email();
    assert_eq!(register(&app, &organisation(&app.invite(1).await, &org)).await, ok);

    let (_, pair) = parts(app.login(&email, PASSWORD, "d").await).await;
    let (_, me) = parts(app.me(access_token(&pair)).await).await;
    assert_eq!(me["usertype"], "customer");
    assert_eq!(me["display_name"], "jdoe");
    assert_eq!(me["postal_code"], "SW1A 1AA");
    assert_eq!(me["email_confirmed"], false);
    assert_eq!(me["pending_policies"], json!(app.policies), "no policies were accepted");
    let (_, pair) = parts(app.login(&org, PASSWORD, "d").await).await;
    let (_, me) = parts(app.me(access_token(&pair)).await).await;
    assert_eq!(me["usertype"], "organisation");
    assert_eq!(me["display_name"], "Acme Ltd");
    assert_eq!(
        me["organisation"],
        json!({"name": "Acme Ltd", "street_name": "1 High Street", "town": "Leeds", "sector": "C"})
    );
    // The mail worker may be the one that sends it, just after the answer.
    app.wait_for_mails(&org, 1).await;
    assert_eq!(app.mails_to(&org).len(), 1, "a confirmation mail");
}

/// Issue 11, item 15: without a valid signup token no one learns which
/// addresses have accounts: the token is checked before "Email exists.".
async fn the_token_is_checked_before_the_email_is_said_to_exist(backend: Backend) {
    let app = spawn_app(backend).await;
    let taken = unique_email();
    assert_eq!(
        register(&app, &customer(&app.invite(1).await, &taken)).await.0,
        StatusCode::OK
    );
    for body in [customer("not-a-token", &taken), organisation("not-a-token", &taken)] {
        assert_eq!(
            register(&app, &body).await,
            failure("Token invalid or has been used.", "in_resultset"),
            "{body}"
        );
    }
    let mut body = customer("", &taken);
    body["token"] = json!(null);
    assert_eq!(register(&app, &body).await, failure("No token sent.", "required"));
    // With a valid token the contract's answer stands.
    assert_eq!(
        register(&app, &customer(&app.invite(1).await, &taken)).await,
        failure("Email exists.", "not_in_resultset")
    );
}

async fn every_documented_failure_has_its_check_and_message(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.invite(100).await;
    let year = chrono::Utc::now().year();
    let taken = unique_email();
    assert_eq!(register(&app, &customer(&token, &taken)).await.0, StatusCode::OK);
    let cases: Vec<(&str, Value, (StatusCode, Value))> = vec![
        ("token", json!(""), failure("No token sent.", "required")),
        (
            "token",
            json!("not-a-token"),
            failure("Token invalid or has been used.", "in_resultset"),
        ),
        ("email", json!(null), failure("No email sent.", "required")),
        ("email", json!("jane@"), failure("Email is invalid.", "email")),
        (
            "email",
            json!(taken.to_uppercase()),
            failure("Email exists.", "not_in_resultset"),
        ),
        ("postcode", json!(" "), failure("No postcode sent.", "required")),
        ("postcode", json!("12345"), failure("Postcode is invalid", "postcode")),
        ("password", json!(""), failure("No password sent.", "required")),
        (
            "password",
            json!("short"),
            failure("Password must be at least 8 characters long.", "password"),
        ),
        ("usertype", json!("admin"), failure("\"usertype\" is invalid.", "in")),
        (
            "display_name",
            json!(""),
            failure("No name sent or was blank.", "required"),
        ),
        (
            "full_name",
            json!(null),
            failure("No name sent or was blank.", "required"),
        ),
        (
            "year_of_birth",
            json!(null),
            failure("No year_of_birth sent.", "required"),
        ),
        (
            "year_of_birth",
            json!("nineteen"),
            failure("year_of_birth is invalid", "number"),
        ),
        (
            "year_of_birth",
            json!(year - 150),
            failure("year_of_birth must be within last 150 years", "gt_num"),
        ),
        (
            "year_of_birth",
            json!(year - 10),
            failure("year_of_birth must be atleast 10 years ago", "lt_num"),
        ),
    ];
    for (i, (field, value, expected)) in cases.into_iter().enumerate() {
        let mut body = customer(&token, &unique_email());
        body[field] = value;
        assert_eq!(register(&app, &body).await, expected, "case {i}: {body}");
    }
    let organisation_cases: Vec<(&str, Value, (StatusCode, Value))> = vec![
        ("name", json!(""), failure("No name sent or was blank.", "required")),
        ("street_name", json!(""), failure("No street_name sent.", "required")),
        ("town", json!(""), failure("No town sent.", "required")),
        ("sector", json!(""), failure("No sector sent.", "required")),
        ("sector", json!("Z"), failure("\"sector\" is invalid.", "in")),
    ];
    for (field, value, expected) in organisation_cases {
        let mut body = organisation(&token, &unique_email());
        body[field] = value;
        assert_eq!(register(&app, &body).await, expected, "{field}");
    }
    // Boundaries that pass: 149 and 11 years ago.
    for age in [149, 11] {
        let mut body = customer(&token, &unique_email());
        body["year_of_birth"] = json!((year - age).to_string());
        assert_eq!(register(&app, &body).await.0, StatusCode::OK, "{age} years");
    }
}

async fn one_error_at_a_time_the_alphabetically_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.invite(5).await;
    let mut body = customer(&token, "bad-email");
    body["postcode"] = json!("nope");
    body["year_of_birth"] = json!("x");
    assert_eq!(register(&app, &body).await, failure("Email is invalid.", "email"));
    body["email"] = json!(unique_email());
    assert_eq!(register(&app, &body).await, failure("Postcode is invalid", "postcode"));
    body["postcode"] = json!("M1 1AE");
    assert_eq!(
        register(&app, &body).await,
        failure("year_of_birth is invalid", "number")
    );
}

async fn a_single_use_token_pays_for_one_account_even_in_a_race(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.invite(1).await;
    let bodies: Vec<Value> = (0..8).map(|_| customer(&token, &unique_email())).collect();
    let answers = futures_util::future::join_all(bodies.iter().map(|b| app.post("/api/register").json(b).send())).await;
    let mut ok = 0;
    for answer in answers {
        let (status, body) = parts(answer.expect("r")).await;
        match status {
            StatusCode::OK => ok += 1,
            _ => assert_eq!(
                (status, body),
                failure("Token invalid or has been used.", "in_resultset")
            ),
        }
    }
    assert_eq!(ok, 1);
    let twice = app.invite(2).await;
    for _ in 0..2 {
        assert_eq!(
            register(&app, &customer(&twice, &unique_email())).await.0,
            StatusCode::OK
        );
    }
    assert_eq!(
        register(&app, &customer(&twice, &unique_email())).await,
        failure("Token invalid or has been used.", "in_resultset")
    );
}

async fn a_failed_registration_leaves_the_token_unused(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.invite(1).await;
    let taken = unique_email();
    app.register(&taken).await;
    assert_eq!(
        register(&app, &customer(&token, &taken)).await,
        failure("Email exists.", "not_in_resultset")
    );
    assert_eq!(
        register(&app, &customer(&token, &unique_email())).await.0,
        StatusCode::OK
    );
}

on_both_backends!(
    the_token_is_checked_before_the_email_is_said_to_exist,
    the_documented_customer_and_organisation_examples_register,
    every_documented_failure_has_its_check_and_message,
    one_error_at_a_time_the_alphabetically_first,
    a_single_use_token_pays_for_one_account_even_in_a_race,
    a_failed_registration_leaves_the_token_unused,
);
