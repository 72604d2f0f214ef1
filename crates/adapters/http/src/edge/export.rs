//! The data export document (`registrar-export/1`), answered by the core
//! family (`GET /api/me/export`) and the admin family (`GET
//! /admin/users/{id}/export`) alike: one document, so it lives at the
//! edge. Every field is always present (`null` when empty); instants are
//! RFC 3339 UTC in whole seconds. Never a secret: no password hash, token,
//! code, TOTP secret or passkey credential (the store gives none).

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::HttpResponse;
use registrar_domain::{Profile, User};
use registrar_service::Export;
use registrar_store::UserExport;
use serde::Serialize;
use utoipa::ToSchema;

use crate::timestamp;

/// The document's format and version; a later, incompatible shape gets a new number.
pub const EXPORT_FORMAT: &str = "registrar-export/1";

/// Everything Registrar holds about one account.
#[derive(Serialize, ToSchema)]
pub struct ExportDocument {
    /// `registrar-export/1`.
    #[schema(example = "registrar-export/1")]
    pub format: &'static str,
    /// When the export was read.
    pub exported_at: String,
    pub account: ExportAccount,
    /// Token sessions (apps), oldest first.
    pub sessions: Vec<ExportSession>,
    /// Browser sessions of the sign-in page (OAuth 2 / OpenID Connect), by sign-in time.
    pub browser_sessions: Vec<ExportBrowserSession>,
    /// Accepted policy revisions, by revision id.
    pub policies: Vec<ExportPolicy>,
    pub factors: ExportFactors,
    /// Consents given to third-party clients at the authorization endpoint.
    pub consents: Vec<ExportConsent>,
    /// Mails the outbox holds for the account: kind and times, never the content.
    pub mails: Vec<ExportMail>,
    /// The account's audit events (as long as `audit.retention_days` keeps them), oldest first.
    pub events: Vec<ExportEvent>,
}

/// The account and its profile.
#[derive(Serialize, ToSchema)]
pub struct ExportAccount {
    pub id: String,
    pub email: String,
    /// When the address was confirmed; `null` while unconfirmed.
    pub email_confirmed_at: Option<String>,
    /// The language of mails and pages (`en`, `nl`, …).
    pub language: String,
    pub role: String,
    pub disabled: bool,
    /// Whether the account has a password (never the password or its hash).
    pub has_password: bool,
    /// The consent level given when confirming an email-first signup (`0`:
    /// not given yet); `null` for accounts made otherwise.
    pub signup_consent: Option<i32>,
    pub created_at: String,
    pub profile: ExportProfile,
}

/// The profile fields as stored; `null` for what was never given.
#[derive(Serialize, ToSchema)]
pub struct ExportProfile {
    /// `person`, `customer` or `organisation`.
    pub usertype: &'static str,
    pub firstname: Option<String>,
    pub insertion: Option<String>,
    pub lastname: Option<String>,
    pub display_name: Option<String>,
    pub full_name: Option<String>,
    /// E.164.
    pub telephone: Option<String>,
    pub tin_nr: Option<String>,
    pub postal_code: Option<String>,
    pub year_of_birth: Option<i32>,
    pub organisation_name: Option<String>,
    pub organisation_street_name: Option<String>,
    pub organisation_town: Option<String>,
    pub organisation_sector: Option<String>,
}

/// A session of an app (never a token).
#[derive(Serialize, ToSchema)]
pub struct ExportSession {
    pub id: String,
    pub client_id: String,
    pub device_id: String,
    pub device_name: String,
    /// `password`, `email_code`, `password_totp`, `passkey`, …
    pub sign_in_method: &'static str,
    /// The scopes granted to a third-party client; `null` for Registrar's own grants.
    pub scope: Option<String>,
    pub created_at: String,
    pub last_used_at: String,
}

/// A browser session of the sign-in page (never its cookie).
#[derive(Serialize, ToSchema)]
pub struct ExportBrowserSession {
    pub id: String,
    pub client_id: String,
    pub device_name: String,
    pub sign_in_method: &'static str,
    pub signed_in_at: String,
    pub last_used_at: String,
    pub expires_at: String,
}

/// An accepted policy revision.
#[derive(Serialize, ToSchema)]
pub struct ExportPolicy {
    /// The revision id.
    pub id: i32,
    /// `tac`, `privacy`, …
    #[serde(rename = "type")]
    pub policy_type: String,
    pub version: String,
    pub accepted_at: String,
    /// The language it was accepted in (the accepting request's, or for a
    /// registration the account's); `null` when it is not known (moved in
    /// by an import, or accepted before Registrar recorded it).
    #[schema(value_type = Option<String>, example = "nl")]
    pub language: Option<String>,
}

/// Second factors: what and when, never a secret.
#[derive(Serialize, ToSchema)]
pub struct ExportFactors {
    /// The authenticator app; `null` when there is none.
    pub totp: Option<ExportTotp>,
    /// Unused recovery codes (how many; never the codes).
    pub recovery_codes_left: u32,
    /// Passkeys, oldest first (never the credential or public key).
    pub passkeys: Vec<ExportPasskey>,
}

/// The authenticator-app factor.
#[derive(Serialize, ToSchema)]
pub struct ExportTotp {
    /// When it was set up.
    pub created_at: String,
    /// When it was turned on with a first code; `null` while pending.
    pub enabled_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ExportPasskey {
    pub id: String,
    pub name: String,
    pub created_at: String,
    /// `null` if never used to sign in.
    pub last_used_at: Option<String>,
}

/// A consent to a third-party client.
#[derive(Serialize, ToSchema)]
pub struct ExportConsent {
    pub client_id: String,
    /// Space-separated scopes.
    pub scope: String,
    /// When last granted.
    pub granted_at: String,
}

/// A mail: kind and times, never its content.
#[derive(Serialize, ToSchema)]
pub struct ExportMail {
    /// `confirmation`, `password_reset`, `new_sign_in`, …
    pub kind: &'static str,
    pub queued_at: String,
    /// `queued`, `sent` or `given_up`.
    pub status: &'static str,
    /// `null` unless sent.
    pub sent_at: Option<String>,
}

/// An audit event about the account.
#[derive(Serialize, ToSchema)]
pub struct ExportEvent {
    pub id: String,
    /// `user.signed_in`, `user.exported`, … (README, "Audit trail").
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub at: String,
    /// `user`, `admin:<key name>`, `cli`, `system`.
    pub actor: String,
    /// The address the account had then.
    pub email: Option<String>,
    pub client_id: Option<String>,
    pub device_id: Option<String>,
    pub device_name: Option<String>,
    /// The client's address as `audit.ip` keeps it.
    pub ip: Option<String>,
    pub request_id: Option<String>,
    /// The event's details (`method`, `reason`, `fields`, …).
    pub data: BTreeMap<String, String>,
}

fn profile(p: &Profile) -> ExportProfile {
    let organisation = p.organisation.as_ref();
    ExportProfile {
        usertype: p.usertype.as_str(),
        firstname: p.firstname.clone(),
        insertion: p.insertion.clone(),
        lastname: p.lastname.clone(),
        display_name: p.display_name.clone(),
        full_name: p.full_name.clone(),
        telephone: p.telephone.as_ref().map(|t| t.as_str().to_owned()),
        tin_nr: p.tin_nr.clone(),
        postal_code: p.postal_code.clone(),
        year_of_birth: p.year_of_birth,
        organisation_name: organisation.map(|o| o.name.clone()),
        organisation_street_name: organisation.map(|o| o.street_name.clone()),
        organisation_town: organisation.map(|o| o.town.clone()),
        organisation_sector: organisation.map(|o| o.sector.clone()),
    }
}

fn account(user: &User, has_password: bool) -> ExportAccount {
    ExportAccount {
        id: user.id.as_str().to_owned(),
        email: user.email.as_str().to_owned(),
        email_confirmed_at: user.email_confirmed_at.map(timestamp),
        language: user.language.code().to_owned(),
        role: user.role.as_str().to_owned(),
        disabled: user.disabled,
        has_password,
        signup_consent: user.consent,
        created_at: timestamp(user.created_at),
        profile: profile(&user.profile),
    }
}

impl From<&Export> for ExportDocument {
    fn from(export: &Export) -> Self {
        let UserExport {
            user,
            has_password,
            sessions,
            browser_sessions,
            accepted,
            totp,
            recovery_codes_left,
            passkeys,
            consents,
            mails,
            events,
        } = &export.data;
        Self {
            format: EXPORT_FORMAT,
            exported_at: timestamp(export.exported_at),
            account: account(user, *has_password),
            sessions: sessions
                .iter()
                .map(|s| ExportSession {
                    id: s.id.0.clone(),
                    client_id: s.client_id.as_str().to_owned(),
                    device_id: s.device_id.as_str().to_owned(),
                    device_name: s.device_name.as_str().to_owned(),
                    sign_in_method: s.sign_in_method.as_str(),
                    scope: s.scope.as_ref().map(ToString::to_string),
                    created_at: timestamp(s.created_at),
                    last_used_at: timestamp(s.last_used_at),
                })
                .collect(),
            browser_sessions: browser_sessions
                .iter()
                .map(|b| ExportBrowserSession {
                    id: b.id.clone(),
                    client_id: b.client.as_str().to_owned(),
                    device_name: b.device_name.as_str().to_owned(),
                    sign_in_method: b.sign_in_method.as_str(),
                    signed_in_at: timestamp(b.auth_time),
                    last_used_at: timestamp(b.last_used_at),
                    expires_at: timestamp(b.expires_at),
                })
                .collect(),
            policies: accepted
                .iter()
                .map(|a| ExportPolicy {
                    id: a.id.0,
                    policy_type: a.policy_type.to_string(),
                    version: a.version.clone(),
                    accepted_at: timestamp(a.accepted_at),
                    language: a.language.map(|l| l.code().to_owned()),
                })
                .collect(),
            factors: ExportFactors {
                totp: totp.as_ref().map(|t| ExportTotp {
                    created_at: timestamp(t.created_at),
                    enabled_at: t.confirmed_at.map(timestamp),
                }),
                recovery_codes_left: *recovery_codes_left,
                passkeys: passkeys
                    .iter()
                    .map(|p| ExportPasskey {
                        id: p.id.clone(),
                        name: p.name.clone(),
                        created_at: timestamp(p.created_at),
                        last_used_at: p.last_used_at.map(timestamp),
                    })
                    .collect(),
            },
            consents: consents
                .iter()
                .map(|c| ExportConsent {
                    client_id: c.client.as_str().to_owned(),
                    scope: c.scope.to_string(),
                    granted_at: timestamp(c.granted_at),
                })
                .collect(),
            mails: mails
                .iter()
                .map(|m| ExportMail {
                    kind: m.kind.as_str(),
                    queued_at: timestamp(m.queued_at),
                    status: m.state.as_str(),
                    sent_at: m.sent_at.map(timestamp),
                })
                .collect(),
            events: events
                .iter()
                .map(|r| {
                    let e = &r.event;
                    ExportEvent {
                        id: e.id.clone(),
                        kind: e.kind.name(),
                        at: timestamp(e.at),
                        actor: e.actor.as_stored(),
                        email: e.email.as_ref().map(|m| m.as_str().to_owned()),
                        client_id: e.client.as_ref().map(|c| c.as_str().to_owned()),
                        device_id: e.device_id.clone(),
                        device_name: e.device_name.clone(),
                        ip: e.ip.clone(),
                        request_id: e.request_id.clone(),
                        data: e.data.clone(),
                    }
                })
                .collect(),
        }
    }
}

/// `200` with the document as a download: `Content-Disposition:
/// attachment; filename="registrar-export-<user id>.json"`, never cached.
pub fn attachment(export: &Export) -> HttpResponse {
    // A user id is ours (hex or a UUID); anything else is left out of the name.
    let id: String = export
        .data
        .user
        .id
        .as_str()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"registrar-export-{id}.json\""),
        ))
        .json(ExportDocument::from(export))
}
