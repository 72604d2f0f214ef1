//! OpenID Connect claims and ID tokens: what a scope lets a client read of
//! a user (Core §5.4), as `/userinfo` answers it and an ID token carries it,
//! and the ID token itself, a compact JWS signed RS256 with the current
//! signing key (Core §2, RFC 7515, RFC 7519).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use registrar_domain::{ClientId, OAuthScope, Profile, Scopes, SignInMethod, User};
use registrar_mail::Mailer;
use registrar_store::Store;
use serde_json::{json, Map, Value};

use crate::{AuthContext, Registrar, ServiceError};

/// `name` (Core §5.1: the full name in displayable form): the name parts
/// ("first insertion last"), else the full name, else the chosen display
/// name, else the organisation's name.
fn full_name(profile: &Profile) -> Option<String> {
    let parts: Vec<&str> = [&profile.firstname, &profile.insertion, &profile.lastname]
        .into_iter()
        .filter_map(|p| p.as_deref())
        .filter(|p| !p.is_empty())
        .collect();
    if !parts.is_empty() {
        return Some(parts.join(" "));
    }
    [&profile.full_name, &profile.display_name]
        .into_iter()
        .flatten()
        .chain(profile.organisation.as_ref().map(|o| &o.name))
        .find(|n| !n.is_empty())
        .cloned()
}

/// `family_name`: the last name with its insertion ("van der Berg"), which
/// is part of the surname.
fn family_name(profile: &Profile) -> Option<String> {
    let last = profile.lastname.as_deref().filter(|l| !l.is_empty())?;
    Some(match profile.insertion.as_deref().filter(|i| !i.is_empty()) {
        Some(insertion) => format!("{insertion} {last}"),
        None => last.to_owned(),
    })
}

/// The claims `scope` lets a client read of `user` (OpenID Connect Core
/// §5.4): `sub` always; `email`, `email_verified` with `email`; `name`,
/// `given_name`, `family_name`, `locale` with `profile`; `phone_number`
/// (E.164) with `phone`. A value the user has not given is left out, never
/// `null` (§5.3.2).
pub fn claims(user: &User, scope: &Scopes) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("sub".into(), user.id.0.clone().into());
    let mut put = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            claims.insert(name.to_owned(), value.into());
        }
    };
    if scope.contains(OAuthScope::Email) {
        put("email", Some(user.email.as_str().to_owned()));
    }
    let profile = &user.profile;
    if scope.contains(OAuthScope::Profile) {
        put("name", full_name(profile));
        put("given_name", profile.firstname.clone().filter(|f| !f.is_empty()));
        put("family_name", family_name(profile));
        put("locale", Some(user.language.code().to_owned()));
    }
    if scope.contains(OAuthScope::Phone) {
        put(
            "phone_number",
            profile.telephone.as_ref().map(|t| t.as_str().to_owned()),
        );
    }
    if scope.contains(OAuthScope::Email) {
        claims.insert("email_verified".into(), user.email_confirmed().into());
    }
    claims
}

/// The scope an access token was granted: what the user granted a
/// third-party client at the authorization endpoint, or, for a session of
/// Registrar's own grants (register, password, second factor, passkey,
/// mailed code, the other families' sign-ins) or a first-party client's,
/// everything ([`Scopes::full`]).
pub fn granted_scope(ctx: &AuthContext) -> Scopes {
    ctx.session.scope.clone().unwrap_or_else(Scopes::full)
}

/// Who an `id_token_hint` names: the token's `sub` and `aud`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdTokenHint {
    pub user: registrar_domain::UserId,
    pub client: ClientId,
}

fn base64url_json(value: &Value) -> Result<String, ServiceError> {
    let bytes = serde_json::to_vec(value).map_err(ServiceError::unexpected)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// An ID token this server issued, read as a logout hint
    /// (RP-Initiated Logout 1.0 §2): signed RS256 by one of the keys still
    /// published (a retired one too), `iss` ours, one audience; its expiry
    /// is not checked (the specification takes expired hints). `None` for
    /// anything else.
    pub async fn id_token_hint(&self, token: &str) -> Result<Option<IdTokenHint>, ServiceError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Ok(None);
        };
        let json = |part: &str| -> Option<Value> { serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok() };
        let (Some(head), Some(body), Ok(signature)) = (json(header), json(payload), URL_SAFE_NO_PAD.decode(signature))
        else {
            return Ok(None);
        };
        if head["alg"] != "RS256" {
            return Ok(None);
        }
        let Some(kid) = head["kid"].as_str() else {
            return Ok(None);
        };
        let keys = self.published_signing_keys().await?;
        let Some(key) = keys.iter().find(|k| k.kid == kid) else {
            return Ok(None);
        };
        let signed = format!("{header}.{payload}");
        if !registrar_domain::verify_rs256(&key.public_n, &key.public_e, signed.as_bytes(), &signature) {
            return Ok(None);
        }
        if body["iss"] != self.issuer() {
            return Ok(None);
        }
        let audience = match &body["aud"] {
            Value::String(aud) => Some(aud.as_str()),
            Value::Array(list) if list.len() == 1 => list[0].as_str(),
            _ => None,
        };
        let user = body["sub"].as_str().map(|sub| registrar_domain::UserId(sub.to_owned()));
        match (user, audience.and_then(ClientId::parse)) {
            (Some(user), Some(client)) => Ok(Some(IdTokenHint { user, client })),
            _ => Ok(None),
        }
    }

    /// The issuer of ID tokens: `http.public_url`, without a trailing slash.
    pub fn issuer(&self) -> &str {
        &self.settings.public_url
    }

    /// How long an ID token is valid: as long as an access token (the
    /// signing keys stay published twice as long, see
    /// [`Registrar::signing_key_retention`]).
    pub fn id_token_ttl(&self) -> chrono::Duration {
        self.settings.access_token_ttl
    }

    /// An ID token for `user` (OpenID Connect Core §2): a compact JWS
    /// (header `alg` RS256, `typ` JWT, `kid` of the current signing key),
    /// with `iss`, `sub`, `aud` (the client id), `exp`, `iat`, `auth_time`,
    /// `nonce` if the request had one, `amr` unless the method has none, and
    /// the claims of `scope` ([`claims`]). `nonce` is the authorization
    /// request's, already parsed by the authorization endpoint; `auth_time`
    /// is when the user signed in, `method` how.
    pub async fn id_token(
        &self,
        user: &User,
        audience: &ClientId,
        scope: &Scopes,
        nonce: Option<&str>,
        auth_time: DateTime<Utc>,
        method: SignInMethod,
    ) -> Result<String, ServiceError> {
        let key = self.current_signing_key().await?;
        let now = self.now();
        let header = json!({"alg": key.alg.as_str(), "typ": "JWT", "kid": key.kid});
        let mut payload = claims(user, scope);
        payload.insert("iss".into(), self.issuer().into());
        payload.insert("aud".into(), audience.as_str().into());
        payload.insert("exp".into(), (now + self.id_token_ttl()).timestamp().into());
        payload.insert("iat".into(), now.timestamp().into());
        payload.insert("auth_time".into(), auth_time.timestamp().into());
        if let Some(nonce) = nonce {
            payload.insert("nonce".into(), nonce.into());
        }
        let amr = method.amr();
        if !amr.is_empty() {
            payload.insert("amr".into(), amr.to_vec().into());
        }
        let signing_input = format!(
            "{}.{}",
            base64url_json(&header)?,
            base64url_json(&Value::Object(payload))?
        );
        let signature = key
            .key
            .sign_rs256(signing_input.as_bytes())
            .map_err(ServiceError::unexpected)?;
        Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use registrar_domain::{Email, Language, Organisation, Role, Telephone, UserId, UserType};

    use super::*;

    fn user(profile: Profile) -> User {
        User {
            id: UserId("u-1".into()),
            email: Email::parse("ann@example.com").unwrap(),
            password_hash: None,
            profile,
            role: Role::guest(),
            language: Language::NL,
            email_confirmed_at: None,
            disabled: false,
            consent: None,
            created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    fn person() -> Profile {
        Profile {
            firstname: Some("Ann".into()),
            insertion: Some("van der".into()),
            lastname: Some("Berg".into()),
            telephone: Some(Telephone::parse("+32 475 12 34 56").unwrap()),
            ..Profile::person()
        }
    }

    #[test]
    fn sub_always_and_each_scope_its_claims() {
        let ann = user(person());
        assert_eq!(Value::Object(claims(&ann, &Scopes::default())), json!({"sub": "u-1"}));
        assert_eq!(
            Value::Object(claims(&ann, &Scopes::parse("openid email").unwrap())),
            json!({"sub": "u-1", "email": "ann@example.com", "email_verified": false})
        );
        assert_eq!(
            Value::Object(claims(&ann, &Scopes::parse("openid profile").unwrap())),
            json!({"sub": "u-1", "name": "Ann van der Berg", "given_name": "Ann", "family_name": "van der Berg",
                   "locale": "nl"})
        );
        assert_eq!(
            Value::Object(claims(&ann, &Scopes::parse("phone").unwrap())),
            json!({"sub": "u-1", "phone_number": "+32475123456"})
        );
        let confirmed = User {
            email_confirmed_at: Some(ann.created_at),
            ..ann
        };
        assert_eq!(claims(&confirmed, &Scopes::full())["email_verified"], json!(true));
    }

    #[test]
    fn absent_values_are_left_out_not_null() {
        let nobody = user(Profile::person());
        assert_eq!(
            Value::Object(claims(&nobody, &Scopes::full())),
            json!({"sub": "u-1", "email": "ann@example.com", "email_verified": false, "locale": "nl"})
        );
    }

    #[test]
    fn name_falls_back_to_the_full_then_the_display_then_the_organisation_name() {
        let typed = Profile {
            usertype: UserType::Person,
            full_name: Some("Cat Lee".into()),
            display_name: Some("cat".into()),
            ..Profile::person()
        };
        assert_eq!(full_name(&typed).as_deref(), Some("Cat Lee"));
        let shown = Profile {
            display_name: Some("cat".into()),
            ..Profile::person()
        };
        assert_eq!(full_name(&shown).as_deref(), Some("cat"));
        let organisation = Profile {
            organisation: Some(Organisation {
                name: "Acme".into(),
                street_name: "Main 1".into(),
                town: "Ghent".into(),
                sector: "retail".into(),
            }),
            ..Profile::person()
        };
        assert_eq!(full_name(&organisation).as_deref(), Some("Acme"));
        let last_only = Profile {
            lastname: Some("Berg".into()),
            ..Profile::person()
        };
        assert_eq!(family_name(&last_only).as_deref(), Some("Berg"));
        assert_eq!(full_name(&last_only).as_deref(), Some("Berg"));
    }
}
