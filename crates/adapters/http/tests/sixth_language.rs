//! A sixth language is files, not code: a throwaway `xx` catalogue in a
//! folder read at run time (the build embeds `locales/`; this test installs
//! a copy with `xx/registrar.ftl` added) is offered, picked by
//! `Accept-Language`, and speaks in API messages and pages — English where
//! it has no text yet. Its own process: the catalogue is installed once.
#![allow(clippy::expect_used, clippy::unwrap_used)] // test code

use std::path::Path;

use actix_web::http::{header, StatusCode};
use actix_web::{test, web, App};
use registrar_domain::Language;
use registrar_http::edge::language::{self, DefaultLanguage};
use registrar_i18n::testing::copy_dir;
use registrar_memory::{MemoryMailer, MemoryStore};
use registrar_service::testing;

const XX: &str = "\
error-not_found = Xot xound.
page-invalid_title = Xink xot xalid
";

#[actix_web::test]
async fn a_sixth_language_is_a_file_in_the_locales_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("locales"), dir.path()).expect("copying the locales");
    std::fs::create_dir(dir.path().join("xx")).expect("mkdir xx");
    std::fs::write(dir.path().join("xx/registrar.ftl"), XX).expect("write xx");
    let catalogue = language::catalogue_from_dir(dir.path()).expect("loads");
    assert!(language::install(catalogue), "installed before any text was looked up");

    let xx = Language::from_code("xx").expect("a language code");
    let offered = language::languages().expect("loads");
    assert_eq!(
        offered,
        [Language::EN, Language::NL, Language::FR, Language::DE, Language::ES, xx]
    );
    assert_eq!(language::text(xx, "error.not_found", &[]), "Xot xound.");
    // What xx does not say yet is said in English.
    assert_eq!(language::text(xx, "error.invalid_client", &[]), "Unknown client.");
    assert_eq!(language::chosen_language(Some("XX"), None), Some(xx));
    assert_eq!(language::chosen_language(Some("yy"), None), None);

    let world = testing::World::new().await;
    let server = test::init_service(
        App::new()
            .app_data(web::Data::new(world.app.clone()))
            .app_data(web::Data::new(DefaultLanguage(Language::EN)))
            .configure(registrar_http::configure::<MemoryStore, MemoryMailer>)
            .default_service(web::to(registrar_http::ops::not_found)),
    )
    .await;

    // An API message: Accept-Language picks xx.
    let response = test::call_service(&server, get("/no/such/path", "yy, xx;q=0.8, en;q=0.5").to_request()).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = test::read_body_json(response).await;
    assert_eq!(body["message"], "Xot xound.", "{body}");

    // A page.
    let response = test::call_service(&server, get("/reset-password/not-a-token", "xx").to_request()).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = String::from_utf8(test::read_body(response).await.to_vec()).expect("utf-8");
    assert!(html.contains("<html lang=\"xx\">"), "{html}");
    assert!(html.contains("Xink xot xalid"), "{html}");
    assert!(
        html.contains("This link is invalid, already used or expired."),
        "{html}"
    );

    // A language without a catalogue is not picked.
    let body: serde_json::Value = test::call_and_read_body_json(&server, get("/no/such/path", "yy").to_request()).await;
    assert_eq!(body["message"], "Not found.", "{body}");
}

/// `GET uri` asking for the languages of `accept_language`.
fn get(uri: &str, accept_language: &str) -> test::TestRequest {
    test::TestRequest::get()
        .uri(uri)
        .insert_header((header::ACCEPT_LANGUAGE, accept_language))
}
