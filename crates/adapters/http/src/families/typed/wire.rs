//! Typed registration's bodies and answers: a customer or an organisation,
//! picked by `usertype`; built from the decoded fields, turned into the
//! service's input, and documented as the OpenAPI schemas.

use registrar_domain::Language;
use registrar_service::TypedRegisterInput;
use serde::Serialize;
use utoipa::ToSchema;

use crate::edge::body::Fields;
use crate::edge::language::chosen_language;

/// What every typed registration carries.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct TypedAccountFields {
    /// A signup token from `registrar invite create`, used up with the account.
    #[schema(value_type = String, min_length = 1, pattern = "\\S")]
    pub token: Option<String>,
    #[schema(value_type = String, format = Email, min_length = 1, max_length = 254)]
    pub email: Option<String>,
    /// 8–128 characters, not a common password, not the email.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 128, pattern = "^\\s*\\S[\\s\\S]{6,}\\S\\s*$")]
    pub password: Option<String>,
    /// A UK postcode.
    #[schema(
        value_type = String,
        pattern = "^ *([A-Za-z] *[0-9] *([A-Za-z0-9] *)?|[A-Za-z] *[A-Za-z] *[0-9] *([A-Za-z0-9] *)?)[0-9] *[A-Za-z] *[A-Za-z] *$|^ *[Gg] *[Ii] *[Rr] *0 *[Aa] *[Aa] *$",
        example = "M1 1AE"
    )]
    pub postcode: Option<String>,
    /// `en`, `nl`, `fr`, `de` or `es`: the language of mail sent later (else `Accept-Language`).
    #[schema(example = "en")]
    pub language: Option<String>,
}

impl From<&Fields> for TypedAccountFields {
    fn from(f: &Fields) -> Self {
        Self {
            token: f.string("token"),
            email: f.string("email"),
            password: f.string("password"),
            postcode: f.string("postcode"),
            language: f.string("language"),
        }
    }
}

/// `usertype=customer`.
#[derive(Debug, Clone, Copy, Default, ToSchema)]
pub enum CustomerType {
    #[default]
    #[serde(rename = "customer")]
    Customer,
}

/// `usertype=organisation`.
#[derive(Debug, Clone, Copy, Default, ToSchema)]
pub enum OrganisationType {
    #[default]
    #[serde(rename = "organisation")]
    Organisation,
}

/// `POST /api/register` with `usertype=customer`.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct TypedCustomerRequest {
    pub usertype: CustomerType,
    #[serde(flatten)]
    pub account: TypedAccountFields,
    #[schema(value_type = String, min_length = 1, pattern = "\\S", max_length = 191)]
    pub display_name: Option<String>,
    #[schema(value_type = String, min_length = 1, pattern = "\\S", max_length = 191)]
    pub full_name: Option<String>,
    /// Strictly between (this year − 150) and (this year − 10); digits as text work too.
    #[schema(value_type = i32, example = 1980)]
    pub year_of_birth: Option<String>,
}

/// `POST /api/register` with `usertype=organisation`.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct TypedOrganisationRequest {
    pub usertype: OrganisationType,
    #[serde(flatten)]
    pub account: TypedAccountFields,
    /// The organisation's name.
    #[schema(value_type = String, min_length = 1, pattern = "\\S", max_length = 191)]
    pub name: Option<String>,
    #[schema(value_type = String, min_length = 1, pattern = "\\S", max_length = 191)]
    pub street_name: Option<String>,
    #[schema(value_type = String, min_length = 1, pattern = "\\S", max_length = 191)]
    pub town: Option<String>,
    /// One letter, A–T.
    #[schema(value_type = String, pattern = "^[A-Ta-t]$", example = "C")]
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

impl From<&Fields> for TypedRegisterRequest {
    fn from(f: &Fields) -> Self {
        let account = TypedAccountFields::from(f);
        match f.string("usertype").as_deref() {
            Some("customer") => Self::Customer(TypedCustomerRequest {
                usertype: CustomerType::Customer,
                account,
                display_name: f.string("display_name"),
                full_name: f.string("full_name"),
                year_of_birth: f.string("year_of_birth"),
            }),
            Some("organisation") => Self::Organisation(TypedOrganisationRequest {
                usertype: OrganisationType::Organisation,
                account,
                name: f.string("name"),
                street_name: f.string("street_name"),
                town: f.string("town"),
                sector: f.string("sector"),
            }),
            other => Self::Other {
                usertype: other.map(str::to_owned),
                account,
            },
        }
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
