//! Bearer tokens (RFC 6750): reading one from `Authorization`, and the
//! `token_type` every family answers with its tokens.

use actix_web::HttpRequest;
use serde::Serialize;
use utoipa::ToSchema;

/// Always `Bearer`.
#[derive(Clone, Copy, Serialize, ToSchema)]
pub enum TokenType {
    Bearer,
}

/// The token of `Authorization: Bearer <token>`, if there is one.
pub fn token(req: &HttpRequest) -> Option<&str> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}
