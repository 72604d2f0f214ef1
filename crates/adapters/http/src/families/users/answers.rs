//! The users API's success answers: what the handlers serialize, and the
//! OpenAPI response schemas.

use registrar_domain::{Role, User};
use registrar_service::TokenPair;
use serde::Serialize;
use utoipa::ToSchema;

use crate::edge::bearer::TokenType;

/// `201` of `POST /api/users/register`: the new guest account as the users API documents it (never a password).
#[derive(Serialize, ToSchema)]
pub struct UsersAccountResponse {
    #[schema(required = true)]
    pub first_name: Option<String>,
    #[schema(required = true)]
    pub insertion: Option<String>,
    #[schema(required = true)]
    pub last_name: Option<String>,
    #[schema(format = Email)]
    pub email: String,
    /// Normalised (`1234 AB`).
    #[schema(required = true)]
    pub postal_code: Option<String>,
    #[schema(example = "guest")]
    pub role: String,
}

impl From<&User> for UsersAccountResponse {
    fn from(user: &User) -> Self {
        let p = &user.profile;
        Self {
            first_name: p.firstname.clone(),
            insertion: p.insertion.clone(),
            last_name: p.lastname.clone(),
            email: user.email.as_str().to_owned(),
            postal_code: p.postal_code.clone(),
            role: user.role.as_str().to_owned(),
        }
    }
}

/// `200` of `POST /api/users/login`: a token pair of the built-in `web` client and the user's role.
#[derive(Serialize, ToSchema)]
pub struct UsersLoginResponse {
    pub token_type: TokenType,
    /// Seconds until the access token expires.
    #[schema(example = 3600)]
    pub expires_in: i64,
    #[schema(pattern = "^[0-9a-f]{64,256}$")]
    pub access_token: String,
    #[schema(pattern = "^[0-9a-f]{64,256}$")]
    pub refresh_token: String,
    #[schema(example = "guest")]
    pub role: String,
}

impl UsersLoginResponse {
    pub fn new(pair: &TokenPair, role: &Role) -> Self {
        Self {
            token_type: TokenType::Bearer,
            expires_in: pair.expires_in,
            access_token: pair.access_token.expose().to_owned(),
            refresh_token: pair.refresh_token.expose().to_owned(),
            role: role.as_str().to_owned(),
        }
    }
}

/// `201` of validation (`Validated`) and verify (`Mail sent`).
#[derive(Serialize, ToSchema)]
pub struct UsersMessageResponse {
    #[schema(example = "Validated")]
    pub message: String,
}
