//! The users API's request bodies, one type per endpoint: built
//! from the decoded fields, turned into the service's input, and documented
//! as the OpenAPI request schemas. A missing field is the service's `422`.

use registrar_domain::Language;
use registrar_service::UsersRegisterInput;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::ToSchema;

use crate::edge::body::Fields;
use crate::edge::language::chosen_language;

/// `POST /api/users/register`.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct UsersRegisterRequest {
    #[schema(value_type = String, min_length = 1, pattern = "\\S", max_length = 191)]
    pub first_name: Option<String>,
    /// Nullable (`van`, `de`…).
    #[schema(max_length = 191)]
    pub insertion: Option<String>,
    #[schema(value_type = String, min_length = 1, pattern = "\\S", max_length = 191)]
    pub last_name: Option<String>,
    /// Unique, valid, and its domain must exist (an MX, else an A/AAAA record).
    #[schema(value_type = String, format = Email, min_length = 1, max_length = 191)]
    pub email: Option<String>,
    /// Dutch (`1234 AB`, `1234AB`), Belgian (`4000`) or German (`26133`).
    #[schema(
        value_type = String,
        pattern = "^[ \\t\\n\\r]*([1-9][0-9]{3} ?[A-Za-z]{2}|[1-9][0-9]{3}|(?!00000)[0-9]{5})[ \\t\\n\\r]*$",
        example = "1234 AB"
    )]
    pub postal_code: Option<String>,
    /// At most 191 characters, and the password rules.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 128, pattern = "^\\s*\\S[\\s\\S]{6,}\\S\\s*$")]
    pub password: Option<String>,
    /// `en`, `nl`, `fr`, `de` or `es`: the language of mail (else `Accept-Language`).
    #[schema(example = "nl")]
    pub language: Option<String>,
    /// A signup token from `registrar invite create`: required when registration is invite-only.
    pub token: Option<String>,
}

impl From<&Fields> for UsersRegisterRequest {
    fn from(f: &Fields) -> Self {
        Self {
            first_name: f.string("first_name"),
            insertion: f.string("insertion"),
            last_name: f.string("last_name"),
            email: f.string("email"),
            postal_code: f.string("postal_code"),
            password: f.string("password"),
            language: f.string("language"),
            token: f.string("token"),
        }
    }
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
#[derive(Debug, Clone, Default, ToSchema)]
pub struct UsersLoginRequest {
    /// The email address.
    #[schema(value_type = String, format = Email, min_length = 1, max_length = 254)]
    pub username: Option<String>,
    #[schema(value_type = String, format = Password, min_length = 1, pattern = "\\S", max_length = 1024)]
    pub password: Option<String>,
}

impl From<&Fields> for UsersLoginRequest {
    fn from(f: &Fields) -> Self {
        Self {
            username: f.string("username"),
            password: f.string("password"),
        }
    }
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
#[derive(Debug, Clone, Default, ToSchema)]
pub struct UsersValidationRequest {
    #[schema(value_type = String, format = Email, min_length = 1, max_length = 254)]
    pub email: Option<String>,
    #[schema(schema_with = code_schema, required = true)]
    pub token: Option<String>,
}

impl From<&Fields> for UsersValidationRequest {
    fn from(f: &Fields) -> Self {
        Self {
            email: f.string("email"),
            token: f.string("token"),
        }
    }
}

/// `POST /api/mails/verify`: mails a new code (the old one dies).
#[derive(Debug, Clone, Default, ToSchema)]
pub struct UsersVerifyRequest {
    #[schema(value_type = String, format = Email, min_length = 1, max_length = 254)]
    pub email: Option<String>,
}

impl From<&Fields> for UsersVerifyRequest {
    fn from(f: &Fields) -> Self {
        Self {
            email: f.string("email"),
        }
    }
}
