//! The users API's request bodies, one type per endpoint: built
//! from the decoded fields, turned into the service's input, and documented
//! as the OpenAPI request schemas. A missing field is the service's `422`.

use registrar_domain::Language;
use registrar_service::UsersRegisterInput;
use serde::Deserialize;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::ToSchema;

use crate::edge::language::chosen_language;
use crate::edge::lenient;

/// `POST /api/users/register`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UsersRegisterRequest {
    #[schema(required = true, value_type = String, min_length = 1, pattern = "\\S", max_length = 191)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub first_name: Option<String>,
    /// Nullable (`van`, `de`…).
    #[schema(max_length = 191)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub insertion: Option<String>,
    #[schema(required = true, value_type = String, min_length = 1, pattern = "\\S", max_length = 191)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub last_name: Option<String>,
    /// Unique, valid, and its domain must exist (an MX, else an A/AAAA record).
    #[schema(required = true, value_type = String, format = Email, min_length = 1, max_length = 191)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub email: Option<String>,
    /// Dutch (`1234 AB`, `1234AB`), Belgian (`4000`) or German (`26133`).
    #[schema(
        required = true,
        value_type = String,
        pattern = "^[ \\t\\n\\r]*([1-9][0-9]{3} ?[A-Za-z]{2}|[1-9][0-9]{3}|(?!00000)[0-9]{5})[ \\t\\n\\r]*$",
        example = "1234 AB"
    )]
    #[serde(default, deserialize_with = "lenient::text")]
    pub postal_code: Option<String>,
    /// At most 191 characters, and the password rules.
    #[schema(required = true, value_type = String, format = Password, min_length = 8, max_length = 128, pattern = "^\\s*\\S[\\s\\S]{6,}\\S\\s*$")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub password: Option<String>,
    /// `en`, `nl`, `fr`, `de` or `es`: the language of mail (else `Accept-Language`).
    #[schema(example = "nl")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub language: Option<String>,
    /// A signup token from `registrar invite create`: required when registration is invite-only.
    #[serde(default, deserialize_with = "lenient::text")]
    pub token: Option<String>,
}

impl UsersRegisterRequest {
    pub fn into_input(self, requested_language: Option<Language>) -> UsersRegisterInput {
        UsersRegisterInput {
            language: chosen_language(self.language.as_deref(), requested_language),
            first_name: self.first_name,
            insertion: self.insertion,
            last_name: self.last_name,
            email: self.email,
            postal_code: self.postal_code,
            password: self.password,
            invite: self.token,
        }
    }
}

/// `POST /api/users/login`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UsersLoginRequest {
    /// The email address.
    #[schema(required = true, value_type = String, format = Email, min_length = 1, max_length = 254)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub username: Option<String>,
    #[schema(required = true, value_type = String, format = Password, min_length = 1, pattern = "\\S", max_length = 1024)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub password: Option<String>,
}

/// The mailed 6-digit code: a JSON integer (leading zeros may be lost, they
/// are put back) or its digits as text; at most 18 digits either way.
fn code_schema() -> Schema {
    OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(999_999_999_999_999_999_u64)),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^[0-9]{1,18}$")),
        )
        .description(Some("The 6-digit code of the confirmation mail."))
        .examples([serde_json::json!(123456)])
        .into()
}

/// `POST /api/users/validation`: confirms an address made by any family.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UsersValidationRequest {
    #[schema(required = true, value_type = String, format = Email, min_length = 1, max_length = 254)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub email: Option<String>,
    #[schema(schema_with = code_schema, required = true)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub token: Option<String>,
}

/// `POST /api/mails/verify`: mails a new code (the old one dies).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UsersVerifyRequest {
    #[schema(required = true, value_type = String, format = Email, min_length = 1, max_length = 254)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub email: Option<String>,
}
