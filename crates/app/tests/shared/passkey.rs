//! A software passkey for the tests: the WebAuthn project's `SoftToken`
//! (P-256 keys it makes and keeps, a signature counter, "packed"
//! attestation) behind a client that does what a browser does
//! (`webauthn-authenticator-rs` builds and checks the client data and the
//! origin), made discoverable: it remembers each credential's relying party
//! and user handle, offers its credentials when the options name none, and
//! answers with the user handle, as a platform passkey does. Nothing of the
//! server's is used to compute an answer.

use std::collections::HashMap;

use serde_json::{json, Value};
use webauthn_authenticator_rs::prelude::{Url, WebauthnAuthenticator, WebauthnCError};
use webauthn_authenticator_rs::softtoken::SoftToken;
use webauthn_authenticator_rs::AuthenticatorBackend;
use webauthn_rs_proto::{
    AllowCredentials, PublicKeyCredential, PublicKeyCredentialCreationOptions, PublicKeyCredentialRequestOptions,
    RegisterPublicKeyCredential,
};

/// Where the relying party of the tests serves its pages.
pub const ORIGIN: &str = "https://registrar.test";
/// Its relying party id.
pub const RP_ID: &str = "registrar.test";

/// What a credential is for: its relying party and its user handle.
#[derive(Clone)]
struct Resident {
    rp_id: String,
    user_handle: Vec<u8>,
}

pub struct SoftPasskey {
    token: SoftToken,
    resident: HashMap<Vec<u8>, Resident>,
}

impl SoftPasskey {
    /// A new authenticator that performs user verification (its owner's PIN
    /// or fingerprint, as far as the server can tell).
    pub fn new() -> Self {
        let (token, _ca) = SoftToken::new(true).expect("a soft token");
        Self {
            token,
            resident: HashMap::new(),
        }
    }

    /// A copy of this authenticator: the same keys and counter, from now on
    /// counting on its own (a cloned authenticator).
    pub fn cloned(&self) -> Self {
        let bytes = self.token.to_cbor().expect("the token serialises");
        Self {
            token: SoftToken::from_cbor(&bytes).expect("the token reads back"),
            resident: self.resident.clone(),
        }
    }

    /// `navigator.credentials.create({publicKey})` on `origin`: the
    /// RegistrationResponseJSON.
    pub fn create(&mut self, origin: &str, public_key: &Value) -> Result<Value, WebauthnCError> {
        let (origin, options) = ceremony(origin, public_key);
        answer(self.do_registration(origin, options))
    }

    /// `navigator.credentials.get({publicKey})` on `origin`: the
    /// AuthenticationResponseJSON.
    pub fn get(&mut self, origin: &str, public_key: &Value) -> Result<Value, WebauthnCError> {
        let (origin, options) = ceremony(origin, public_key);
        answer(self.do_authentication(origin, options))
    }
}

/// The origin and the options (`{"publicKey": …}`) of a ceremony, as a
/// page hands them to the browser.
fn ceremony<T: serde::de::DeserializeOwned>(origin: &str, public_key: &Value) -> (Url, T) {
    let options = serde_json::from_value(json!({"publicKey": public_key})).expect("WebAuthn options");
    (Url::parse(origin).expect("an origin"), options)
}

/// The authenticator's answer in its JSON form.
fn answer(credential: Result<impl serde::Serialize, WebauthnCError>) -> Result<Value, WebauthnCError> {
    credential.map(|c| serde_json::to_value(c).expect("JSON"))
}

impl AuthenticatorBackend for SoftPasskey {
    fn perform_register(
        &mut self,
        origin: Url,
        mut options: PublicKeyCredentialCreationOptions,
        timeout_ms: u32,
    ) -> Result<RegisterPublicKeyCredential, WebauthnCError> {
        let resident = Resident {
            rp_id: options.rp.id.clone(),
            user_handle: options.user.id.to_vec(),
        };
        // The soft token keeps every key itself; it refuses to be asked for
        // a resident one only because it is no CTAP2 device.
        if let Some(selection) = options.authenticator_selection.as_mut() {
            selection.require_resident_key = false;
            selection.resident_key = None;
        }
        let credential = self.token.perform_register(origin, options, timeout_ms)?;
        self.resident.insert(credential.raw_id.to_vec(), resident);
        Ok(credential)
    }

    fn perform_auth(
        &mut self,
        origin: Url,
        mut options: PublicKeyCredentialRequestOptions,
        timeout_ms: u32,
    ) -> Result<PublicKeyCredential, WebauthnCError> {
        if options.allow_credentials.is_empty() {
            // A discoverable request: offer what this authenticator holds for the party.
            options.allow_credentials = self
                .resident
                .iter()
                .filter(|(_, r)| r.rp_id == options.rp_id)
                .map(|(id, _)| AllowCredentials {
                    type_: "public-key".into(),
                    id: id.clone(),
                    transports: None,
                })
                .collect();
        }
        let mut credential = self.token.perform_auth(origin, options, timeout_ms)?;
        let resident = self.resident.get(&credential.raw_id.to_vec());
        credential.response.user_handle = resident.map(|r| r.user_handle.clone());
        Ok(credential)
    }
}
