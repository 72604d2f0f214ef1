//! Rows as diesel reads and writes them, and their mapping to and from the
//! domain. Reading checks every value again: a row the domain refuses is a
//! corrupt database, reported as `Unexpected`, never a panic.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use registrar_domain::{
    Client, ClientId, ClientKind, DeviceId, DeviceName, Email, Language, Organisation, PasswordHash, PolicyText,
    PolicyType, Profile, RedirectUri, Role, Scopes, SecretHash, Session, SessionId, SignInMethod, Telephone, User,
    UserId, UserType,
};
use registrar_store::{NewConfirmation, NewInvite, NewOutboxMail, NewSession, NewUser, OutboxKind, OutboxMail};

use crate::error::{corrupt, Failure};
use crate::schema::{clients, confirmations, invites, outbox, policy_revisions, policy_texts, sessions, users};

/// An instant as stored: UTC without zone, to the microsecond (what Postgres
/// keeps; SQLite is truncated the same way so both backends agree).
pub(crate) fn to_db(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc().trunc_subsecs(6)
}

pub(crate) fn from_db(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// The profile columns of `users`, written on registration and replaced by
/// a profile update (a `None` clears the column: `treat_none_as_null` for
/// the update, `treat_none_as_default_value = false` for the insert).
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = users, treat_none_as_null = true, treat_none_as_default_value = false)]
pub(crate) struct ProfileColumns<'a> {
    usertype: &'a str,
    firstname: Option<&'a str>,
    insertion: Option<&'a str>,
    lastname: Option<&'a str>,
    display_name: Option<&'a str>,
    full_name: Option<&'a str>,
    telephone: Option<&'a str>,
    tin_nr: Option<&'a str>,
    postal_code: Option<&'a str>,
    year_of_birth: Option<i32>,
    organisation_name: Option<&'a str>,
    organisation_street_name: Option<&'a str>,
    organisation_town: Option<&'a str>,
    organisation_sector: Option<&'a str>,
    language: String,
}

impl<'a> ProfileColumns<'a> {
    pub(crate) fn new(profile: &'a Profile, language: Language) -> Self {
        let organisation = profile.organisation.as_ref();
        Self {
            usertype: profile.usertype.as_str(),
            firstname: profile.firstname.as_deref(),
            insertion: profile.insertion.as_deref(),
            lastname: profile.lastname.as_deref(),
            display_name: profile.display_name.as_deref(),
            full_name: profile.full_name.as_deref(),
            telephone: profile.telephone.as_ref().map(Telephone::as_str),
            tin_nr: profile.tin_nr.as_deref(),
            postal_code: profile.postal_code.as_deref(),
            year_of_birth: profile.year_of_birth,
            organisation_name: organisation.map(|o| o.name.as_str()),
            organisation_street_name: organisation.map(|o| o.street_name.as_str()),
            organisation_town: organisation.map(|o| o.town.as_str()),
            organisation_sector: organisation.map(|o| o.sector.as_str()),
            language: language.code().to_owned(),
        }
    }
}

/// A new account's row. `treat_none_as_default_value = false` (no nullable
/// column of `users` has a default): a `None` is bound as `NULL`, not
/// written `DEFAULT`, so the row can go in by `COPY` (`bulk.rs`).
#[derive(Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub(crate) struct NewUserRow<'a> {
    id: &'a str,
    email: &'a str,
    email_normalized: &'a str,
    password_hash: Option<&'a str>,
    // The profile's columns, as [`ProfileColumns`] (flat, not embedded:
    // `COPY` takes one flat row).
    usertype: &'a str,
    firstname: Option<&'a str>,
    insertion: Option<&'a str>,
    lastname: Option<&'a str>,
    display_name: Option<&'a str>,
    full_name: Option<&'a str>,
    telephone: Option<&'a str>,
    tin_nr: Option<&'a str>,
    postal_code: Option<&'a str>,
    year_of_birth: Option<i32>,
    organisation_name: Option<&'a str>,
    organisation_street_name: Option<&'a str>,
    organisation_town: Option<&'a str>,
    organisation_sector: Option<&'a str>,
    language: String,
    role: &'a str,
    email_confirmed_at: Option<NaiveDateTime>,
    disabled: bool,
    created_at: NaiveDateTime,
}

impl<'a> NewUserRow<'a> {
    pub(crate) fn new(user: &'a NewUser) -> Self {
        let ProfileColumns {
            usertype,
            firstname,
            insertion,
            lastname,
            display_name,
            full_name,
            telephone,
            tin_nr,
            postal_code,
            year_of_birth,
            organisation_name,
            organisation_street_name,
            organisation_town,
            organisation_sector,
            language,
        } = ProfileColumns::new(&user.profile, user.language);
        Self {
            id: user.id.as_str(),
            email: user.email.as_str(),
            email_normalized: user.email.normalized(),
            password_hash: user.password_hash.as_ref().map(|h| h.0.as_str()),
            usertype,
            firstname,
            insertion,
            lastname,
            display_name,
            full_name,
            telephone,
            tin_nr,
            postal_code,
            year_of_birth,
            organisation_name,
            organisation_street_name,
            organisation_town,
            organisation_sector,
            language,
            role: user.role.as_str(),
            email_confirmed_at: user.email_confirmed_at.map(to_db),
            disabled: false,
            created_at: to_db(user.created_at),
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
pub(crate) struct UserRow {
    id: String,
    email: String,
    password_hash: Option<String>,
    usertype: String,
    firstname: Option<String>,
    insertion: Option<String>,
    lastname: Option<String>,
    display_name: Option<String>,
    full_name: Option<String>,
    telephone: Option<String>,
    tin_nr: Option<String>,
    postal_code: Option<String>,
    year_of_birth: Option<i32>,
    organisation_name: Option<String>,
    organisation_street_name: Option<String>,
    organisation_town: Option<String>,
    organisation_sector: Option<String>,
    role: String,
    language: String,
    email_confirmed_at: Option<NaiveDateTime>,
    disabled: bool,
    created_at: NaiveDateTime,
    consent: Option<i32>,
}

impl UserRow {
    pub(crate) fn into_user(self) -> Result<User, Failure> {
        let bad = |what: &str| corrupt("users", &self.id, what);
        let email = Email::parse(&self.email).map_err(|_| bad("email"))?;
        let usertype = UserType::parse(&self.usertype).ok_or_else(|| bad("usertype"))?;
        let role = Role::parse(&self.role).ok_or_else(|| bad("role"))?;
        let language = Language::from_code(&self.language).ok_or_else(|| bad("language"))?;
        // All four organisation columns are written together; the name says whether there is one.
        let organisation = self.organisation_name.map(|name| Organisation {
            name,
            street_name: self.organisation_street_name.unwrap_or_default(),
            town: self.organisation_town.unwrap_or_default(),
            sector: self.organisation_sector.unwrap_or_default(),
        });
        Ok(User {
            id: UserId(self.id),
            email,
            password_hash: self.password_hash.map(PasswordHash),
            profile: Profile {
                usertype,
                firstname: self.firstname,
                insertion: self.insertion,
                lastname: self.lastname,
                display_name: self.display_name,
                full_name: self.full_name,
                telephone: self.telephone.map(Telephone::from_e164),
                tin_nr: self.tin_nr,
                postal_code: self.postal_code,
                year_of_birth: self.year_of_birth,
                organisation,
            },
            role,
            language,
            email_confirmed_at: self.email_confirmed_at.map(from_db),
            disabled: self.disabled,
            consent: self.consent,
            created_at: from_db(self.created_at),
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = sessions)]
pub(crate) struct NewSessionRow<'a> {
    id: &'a str,
    user_id: &'a str,
    client_id: &'a str,
    device_id: &'a str,
    device_name: &'a str,
    access_hash: &'a str,
    access_expires_at: NaiveDateTime,
    refresh_hash: &'a str,
    refreshed_at: NaiveDateTime,
    created_at: NaiveDateTime,
    last_used_at: NaiveDateTime,
    sign_in_method: &'static str,
}

impl<'a> NewSessionRow<'a> {
    pub(crate) fn new(session: &'a NewSession) -> Self {
        let now = to_db(session.now);
        Self {
            id: &session.id.0,
            user_id: session.user_id.as_str(),
            client_id: session.client_id.as_str(),
            device_id: session.device_id.as_str(),
            device_name: session.device_name.as_str(),
            access_hash: session.access_hash.as_str(),
            access_expires_at: to_db(session.access_expires_at),
            refresh_hash: session.refresh_hash.as_str(),
            refreshed_at: now,
            created_at: now,
            last_used_at: now,
            sign_in_method: session.sign_in_method.as_str(),
        }
    }
}

/// A session without its token hashes, which never leave the store.
#[derive(Queryable, QueryableByName, Selectable)]
#[diesel(table_name = sessions)]
pub(crate) struct SessionRow {
    id: String,
    user_id: String,
    client_id: String,
    device_id: String,
    device_name: String,
    created_at: NaiveDateTime,
    last_used_at: NaiveDateTime,
    access_expires_at: NaiveDateTime,
    refreshed_at: NaiveDateTime,
    sign_in_method: String,
    scope: Option<String>,
}

impl SessionRow {
    pub(crate) fn into_session(self) -> Result<Session, Failure> {
        let bad = |what: &str| corrupt("sessions", &self.id, what);
        let client_id = ClientId::parse(&self.client_id).ok_or_else(|| bad("client_id"))?;
        let device_id = DeviceId::parse(&self.device_id).map_err(|_| bad("device_id"))?;
        let device_name = DeviceName::parse(&self.device_name).map_err(|_| bad("device_name"))?;
        let sign_in_method = SignInMethod::parse(&self.sign_in_method).ok_or_else(|| bad("sign_in_method"))?;
        let scope = self
            .scope
            .as_deref()
            .map(scopes_of)
            .transpose()
            .map_err(|_| bad("scope"))?;
        Ok(Session {
            id: SessionId(self.id),
            user_id: UserId(self.user_id),
            client_id,
            device_id,
            device_name,
            created_at: from_db(self.created_at),
            last_used_at: from_db(self.last_used_at),
            access_expires_at: from_db(self.access_expires_at),
            refreshed_at: from_db(self.refreshed_at),
            sign_in_method,
            scope,
        })
    }
}

/// Scopes as stored (space-delimited, [`Scopes`]'s `Display`), read back.
pub(crate) fn scopes_of(text: &str) -> Result<Scopes, registrar_domain::ScopeError> {
    Scopes::parse(text)
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = clients)]
pub(crate) struct ClientRow {
    id: String,
    name: String,
    created_at: NaiveDateTime,
    kind: String,
    secret_hash: Option<String>,
    redirect_uris: String,
    post_logout_redirect_uris: String,
    trusted: bool,
}

impl ClientRow {
    pub(crate) fn new(client: &Client) -> Self {
        let secret_hash = match &client.kind {
            ClientKind::Public => None,
            ClientKind::Confidential { secret_hash } => Some(secret_hash.as_str().to_owned()),
        };
        Self {
            id: client.id.as_str().to_owned(),
            name: client.name.clone(),
            created_at: to_db(client.created_at),
            kind: client.kind.as_str().to_owned(),
            secret_hash,
            redirect_uris: uri_lines(&client.redirect_uris),
            post_logout_redirect_uris: uri_lines(&client.post_logout_redirect_uris),
            trusted: client.trusted,
        }
    }

    pub(crate) fn into_client(self) -> Result<Client, Failure> {
        let bad = |what: &str| corrupt("clients", &self.id, what);
        let id = ClientId::parse(&self.id).ok_or_else(|| bad("id"))?;
        let kind = match (self.kind.as_str(), self.secret_hash) {
            ("public", None) => ClientKind::Public,
            ("confidential", Some(hash)) => ClientKind::Confidential {
                secret_hash: SecretHash::from_stored(hash),
            },
            _ => return Err(bad("kind")),
        };
        let redirect_uris = uris_of(&self.redirect_uris).ok_or_else(|| bad("redirect_uris"))?;
        let post_logout_redirect_uris =
            uris_of(&self.post_logout_redirect_uris).ok_or_else(|| bad("post_logout_redirect_uris"))?;
        Ok(Client {
            id,
            name: self.name,
            created_at: from_db(self.created_at),
            kind,
            redirect_uris,
            post_logout_redirect_uris,
            trusted: self.trusted,
        })
    }
}

/// URIs as stored: one a line (a URI holds no whitespace).
fn uri_lines(uris: &[RedirectUri]) -> String {
    uris.iter().map(RedirectUri::as_str).collect::<Vec<_>>().join("\n")
}

fn uris_of(lines: &str) -> Option<Vec<RedirectUri>> {
    lines.lines().map(|line| RedirectUri::parse(line).ok()).collect()
}

#[derive(Insertable)]
#[diesel(table_name = policy_revisions)]
pub(crate) struct NewRevisionRow<'a> {
    pub(crate) policy_type: &'a str,
    pub(crate) version: &'a str,
    pub(crate) published_at: NaiveDateTime,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = policy_revisions)]
pub(crate) struct RevisionRow {
    pub(crate) id: i32,
    pub(crate) policy_type: String,
    pub(crate) version: String,
    pub(crate) published_at: NaiveDateTime,
}

impl RevisionRow {
    pub(crate) fn policy_type(&self) -> Result<PolicyType, Failure> {
        PolicyType::parse(&self.policy_type).ok_or_else(|| corrupt("policy_revisions", &self.id.to_string(), "type"))
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = policy_texts)]
pub(crate) struct TextRow {
    pub(crate) revision_id: i32,
    pub(crate) language: String,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) button: String,
    pub(crate) html: String,
}

impl TextRow {
    pub(crate) fn new(revision_id: i32, language: Language, text: &PolicyText) -> Self {
        Self {
            revision_id,
            language: language.code().to_owned(),
            title: text.title.clone(),
            description: text.description.clone(),
            button: text.button.clone(),
            html: text.html.clone(),
        }
    }

    pub(crate) fn into_text(self) -> Result<(Language, PolicyText), Failure> {
        let language = Language::from_code(&self.language)
            .ok_or_else(|| corrupt("policy_texts", &self.revision_id.to_string(), "language"))?;
        Ok((
            language,
            PolicyText {
                title: self.title,
                description: self.description,
                button: self.button,
                html: self.html,
            },
        ))
    }
}

#[derive(Insertable)]
#[diesel(table_name = confirmations)]
pub(crate) struct NewConfirmationRow<'a> {
    id: String,
    user_id: &'a str,
    purpose: &'a str,
    code_hash: Option<&'a str>,
    link_hash: &'a str,
    expires_at: NaiveDateTime,
    created_at: NaiveDateTime,
}

impl<'a> NewConfirmationRow<'a> {
    pub(crate) fn new(confirmation: &'a NewConfirmation) -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            user_id: confirmation.user_id.as_str(),
            purpose: confirmation.purpose.as_str(),
            code_hash: confirmation.code_hash.as_ref().map(|h| h.as_str()),
            link_hash: confirmation.link_hash.as_str(),
            expires_at: to_db(confirmation.expires_at),
            created_at: to_db(confirmation.created_at),
        }
    }
}

/// A mail to queue: due at once (`retry_at` is its creation time), unclaimed,
/// no attempt yet.
#[derive(Insertable)]
#[diesel(table_name = outbox)]
pub(crate) struct NewOutboxRow<'a> {
    id: &'a str,
    user_id: &'a str,
    kind: &'a str,
    attempts: i32,
    retry_at: NaiveDateTime,
    claimed_until: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
}

impl<'a> NewOutboxRow<'a> {
    pub(crate) fn new(mail: &'a NewOutboxMail) -> Self {
        let created_at = to_db(mail.created_at);
        // A mail queued claimed: its sender's attempt counts as a claim's.
        let claimed_until = mail.claimed_until.map(to_db);
        Self {
            id: &mail.id,
            user_id: mail.user_id.as_str(),
            kind: mail.kind.as_str(),
            attempts: i32::from(claimed_until.is_some()),
            retry_at: created_at,
            claimed_until,
            created_at,
        }
    }
}

/// The part of a queued mail a claimer gets; its user comes from a join.
#[derive(Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub(crate) struct OutboxRow {
    id: String,
    kind: String,
    attempts: i32,
    created_at: NaiveDateTime,
    detail: Option<String>,
}

impl OutboxRow {
    pub(crate) fn into_mail(self, user: UserRow) -> Result<OutboxMail, Failure> {
        let bad = |what: &str| corrupt("outbox", &self.id, what);
        let kind = OutboxKind::parse(&self.kind).ok_or_else(|| bad("kind"))?;
        let attempts = u32::try_from(self.attempts).map_err(|_| bad("attempts"))?;
        Ok(OutboxMail {
            user: user.into_user()?,
            kind,
            attempts,
            created_at: from_db(self.created_at),
            id: self.id,
            detail: self.detail,
        })
    }
}

/// A new signup token, with all its uses left.
#[derive(Insertable)]
#[diesel(table_name = invites)]
pub(crate) struct NewInviteRow<'a> {
    token_hash: &'a str,
    name: Option<&'a str>,
    uses_left: i32,
    created_at: NaiveDateTime,
}

impl<'a> NewInviteRow<'a> {
    pub(crate) fn new(invite: &'a NewInvite) -> Self {
        Self {
            token_hash: invite.token_hash.as_str(),
            name: invite.name.as_deref(),
            // The column is a 32-bit integer on both backends; two billion
            // uses is as good as more.
            uses_left: i32::try_from(invite.uses).unwrap_or(i32::MAX),
            created_at: to_db(invite.created_at),
        }
    }
}
