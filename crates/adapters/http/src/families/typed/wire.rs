//! Typed registration's bodies and answers: a customer or an organisation,
//! picked by `usertype`; built from the decoded fields, turned into the
//! service's input, and documented as the OpenAPI schemas.

use registrar_domain::Language;
use registrar_service::TypedRegisterInput;
use serde::de::{Error as _, IgnoredAny};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::edge::language::chosen_language;
use crate::edge::lenient;

/// What every typed registration carries.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TypedAccountFields {
    /// A signup token from `registrar invite create`, used up with the account.
    #[schema(required = true, value_type = String, min_length = 1, pattern = "\\S")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub token: Option<String>,
    #[schema(required = true, value_type = String, format = Email, min_length = 1, max_length = 254)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub email: Option<String>,
    /// 8–128 characters, not a common password, not the email.
    #[schema(required = true, value_type = String, format = Password, min_length = 8, max_length = 128, pattern = "^\\s*\\S[\\s\\S]{6,}\\S\\s*$")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub password: Option<String>,
    /// A UK postcode.
    #[schema(
        required = true,
        value_type = String,
        pattern = "^ *([A-Za-z] *[0-9] *([A-Za-z0-9] *)?|[A-Za-z] *[A-Za-z] *[0-9] *([A-Za-z0-9] *)?)[0-9] *[A-Za-z] *[A-Za-z] *$|^ *[Gg] *[Ii] *[Rr] *0 *[Aa] *[Aa] *$",
        example = "M1 1AE"
    )]
    #[serde(default, deserialize_with = "lenient::text")]
    pub postcode: Option<String>,
    /// `en`, `nl`, `fr`, `de` or `es`: the language of mail sent later (else `Accept-Language`).
    #[schema(example = "en")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub language: Option<String>,
}

/// `usertype=customer`.
#[derive(Debug, Clone, Copy, Default, ToSchema)]
pub enum CustomerType {
    #[default]
    #[serde(rename = "customer")]
    Customer,
}

impl<'de> Deserialize<'de> for CustomerType {
    /// Only documents the field: the value was read to pick this type.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(deserializer).map(|_| Self::Customer)
    }
}

/// `usertype=organisation`.
#[derive(Debug, Clone, Copy, Default, ToSchema)]
pub enum OrganisationType {
    #[default]
    #[serde(rename = "organisation")]
    Organisation,
}

impl<'de> Deserialize<'de> for OrganisationType {
    /// Only documents the field: the value was read to pick this type.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(deserializer).map(|_| Self::Organisation)
    }
}

/// `POST /api/register` with `usertype=customer`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TypedCustomerRequest {
    pub usertype: CustomerType,
    #[serde(flatten)]
    pub account: TypedAccountFields,
    #[schema(required = true, value_type = String, min_length = 1, pattern = "\\S", max_length = 191)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub display_name: Option<String>,
    #[schema(required = true, value_type = String, min_length = 1, pattern = "\\S", max_length = 191)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub full_name: Option<String>,
    /// Strictly between (this year − 150) and (this year − 10); digits as text work too.
    #[schema(required = true, value_type = i32, example = 1980)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub year_of_birth: Option<String>,
}

/// `POST /api/register` with `usertype=organisation`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TypedOrganisationRequest {
    pub usertype: OrganisationType,
    #[serde(flatten)]
    pub account: TypedAccountFields,
    /// The organisation's name.
    #[schema(required = true, value_type = String, min_length = 1, pattern = "\\S", max_length = 191)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: Option<String>,
    #[schema(required = true, value_type = String, min_length = 1, pattern = "\\S", max_length = 191)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub street_name: Option<String>,
    #[schema(required = true, value_type = String, min_length = 1, pattern = "\\S", max_length = 191)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub town: Option<String>,
    /// One letter, A–T.
    #[schema(required = true, value_type = String, pattern = "^[A-Ta-t]$", example = "C")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub sector: Option<String>,
}

/// A typed registration, by `usertype`. Another `usertype` is still checked
/// as far as it goes (it is an error of its own, and the alphabetically first
/// failing field is the one answered).
#[derive(Debug, Clone)]
pub enum TypedRegisterRequest {
    Customer(TypedCustomerRequest),
    Organisation(TypedOrganisationRequest),
    Other {
        usertype: Option<String>,
        account: TypedAccountFields,
    },
}

impl<'de> Deserialize<'de> for TypedRegisterRequest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// Just the `usertype`, to pick the request type.
        #[derive(Default, Deserialize)]
        #[serde(default)]
        struct UserType {
            #[serde(default, deserialize_with = "lenient::text")]
            usertype: Option<String>,
        }
        let body = Value::deserialize(deserializer)?;
        let kind: UserType = serde_json::from_value(body.clone()).map_err(D::Error::custom)?;
        match kind.usertype.as_deref() {
            Some("customer") => serde_json::from_value(body).map(Self::Customer),
            Some("organisation") => serde_json::from_value(body).map(Self::Organisation),
            _ => serde_json::from_value(body).map(|account| Self::Other {
                usertype: kind.usertype,
                account,
            }),
        }
        .map_err(D::Error::custom)
    }
}

impl TypedRegisterRequest {
    pub fn into_input(self, requested_language: Option<Language>) -> TypedRegisterInput {
        let with_account = |usertype: Option<String>, a: TypedAccountFields| TypedRegisterInput {
            language: chosen_language(a.language.as_deref(), requested_language),
            usertype,
            token: a.token,
            email: a.email,
            password: a.password,
            postcode: a.postcode,
            ..TypedRegisterInput::default()
        };
        match self {
            Self::Customer(c) => TypedRegisterInput {
                display_name: c.display_name,
                full_name: c.full_name,
                year_of_birth: c.year_of_birth,
                ..with_account(Some("customer".into()), c.account)
            },
            Self::Organisation(o) => TypedRegisterInput {
                name: o.name,
                street_name: o.street_name,
                town: o.town,
                sector: o.sector,
                ..with_account(Some("organisation".into()), o.account)
            },
            Self::Other { usertype, account } => with_account(usertype, account),
        }
    }
}

/// `200`: registered.
#[derive(Serialize, ToSchema)]
pub struct TypedSuccessResponse {
    /// Always `true`.
    #[schema(example = true)]
    pub success: bool,
    #[schema(example = "Registered Successfully")]
    pub message: String,
}

/// The typed family's error body: one error, the alphabetically first failing field.
#[derive(Serialize, ToSchema)]
pub struct TypedErrorBody {
    /// Always `false`.
    #[schema(example = false)]
    pub success: bool,
    /// The family's sentence, e.g. `No email sent.`, `Token invalid or has been used.`
    #[schema(example = "Email exists.")]
    pub message: String,
    /// The check that failed: `required`, `email`, `not_in_resultset`, `in_resultset`,
    /// `postcode`, `password`, `in`, `number`, `gt_num`, `lt_num`, `max`, or `server_error`.
    #[schema(example = "not_in_resultset")]
    pub error: &'static str,
}
