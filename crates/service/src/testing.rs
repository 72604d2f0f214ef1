//! Test support (feature `testing`): the service over the in-memory adapters
//! with a clock moved by hand, a client and the two required policies
//! published — the world the service's and the HTTP adapter's tests start from.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use registrar_domain::{ClientIp, Email, Language, PolicyText, PolicyType, Role, User};
use registrar_mail::Mailer;
use registrar_memory::{MemoryMailer, MemoryStore};
use registrar_store::{NewPolicyRevision, Store};

use crate::parse;
use crate::{
    Argon2Params, AuthContext, ChangePasswordInput, CodeConfirmation, EmailCodeGrant, EmailCodeGrantInput,
    EmailCodeInput, EmailCodeMail, Login, LoginInput, ManualClock, PasswordChange, PasswordReset, ProfileChange,
    ProfilePatch, ProfileView, RegisterInput, Registrar, Registration, ServiceError, Settings, Signup, SignupConsent,
    TokenPair, TypedRegisterInput, TypedRegistration, UsersRegisterInput, UsersRegistration, WebLogin,
};

/// When every world's clock starts: 2026-06-01T12:00:00Z.
pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
        .single()
        .expect("a valid date")
}

/// The defaults, with hashing cheap enough for tests.
pub fn settings() -> Settings {
    let mut settings = Settings::defaults();
    settings.argon2 = Argon2Params {
        memory_kib: 256,
        iterations: 1,
        parallelism: 1,
    };
    settings
}

/// Version "1" of policy type `t` (`tac`, `privacy`), in English only,
/// published on 2026-01-01 (before [`start`]).
pub fn policy_revision(t: &str) -> NewPolicyRevision {
    let mut texts = BTreeMap::new();
    texts.insert(
        Language::EN,
        PolicyText {
            title: t.into(),
            description: String::new(),
            button: "OK".into(),
            html: String::new(),
        },
    );
    NewPolicyRevision {
        policy_type: PolicyType::parse(t).expect("a valid policy type"),
        version: "1".into(),
        published_at: Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("a valid date"),
        texts,
    }
}

/// Requests from this machine.
pub fn local_ip() -> ClientIp {
    ClientIp::new([127, 0, 0, 1].into())
}

/// The service over a fresh memory store, its mailer and clock, a client
/// (`client`, its id) and the current revisions of `tac` and `privacy`
/// (`policies`, their ids, in that order).
pub struct World<M = MemoryMailer> {
    pub app: Registrar<MemoryStore, M>,
    pub store: MemoryStore,
    pub mailer: M,
    pub clock: Arc<ManualClock>,
    pub client: String,
    pub policies: Vec<i32>,
}

impl World {
    /// A world with the memory mailer and [`settings`].
    pub async fn new() -> Self {
        Self::with(MemoryMailer::new(), |_| {}).await
    }
}

impl<M: Mailer + Clone> World<M> {
    /// A world with `mailer` and [`settings`] changed by `adjust`.
    pub async fn with(mailer: M, adjust: impl FnOnce(&mut Settings)) -> Self {
        Self::with_policies(mailer, adjust, policy_revision).await
    }

    /// As [`World::with`], publishing `revision("tac")` and `revision("privacy")`.
    pub async fn with_policies(
        mailer: M,
        adjust: impl FnOnce(&mut Settings),
        revision: impl Fn(&str) -> NewPolicyRevision,
    ) -> Self {
        let store = MemoryStore::new();
        let clock = Arc::new(ManualClock::new(start()));
        let mut settings = settings();
        adjust(&mut settings);
        let app = Registrar::with_clock(store.clone(), mailer.clone(), settings, clock.clone());
        let client = app.add_client("Test").await.expect("a client").id.to_string();
        let mut policies = Vec::new();
        for t in ["tac", "privacy"] {
            policies.push(app.publish_policy(revision(t)).await.expect("published").id.0);
        }
        Self {
            app,
            store,
            mailer,
            clock,
            client,
            policies,
        }
    }
}

/// The use cases called with raw fields, as the HTTP edge calls them: the
/// pure step, then the use case (its errors the same either way). For tests
/// that check a use case's answer to what a client sends.
#[allow(async_fn_in_trait)] // test support, never used across threads by name
pub trait Raw<S: Store, M: Mailer> {
    /// The service the raw fields go to.
    fn service(&self) -> &Registrar<S, M>;

    async fn register_raw(&self, input: RegisterInput, from: ClientIp) -> Result<TokenPair, ServiceError> {
        let app = self.service();
        app.register(Registration::parse(input, app.rules()), from).await
    }
    async fn login_raw(&self, input: LoginInput, from: ClientIp) -> Result<TokenPair, ServiceError> {
        self.service().login(Login::parse(&input)?, from).await
    }
    async fn mail_sign_in_code_raw(&self, input: EmailCodeInput, from: ClientIp) -> Result<(), ServiceError> {
        self.service()
            .mail_sign_in_code(EmailCodeMail::parse(&input)?, from)
            .await
    }
    async fn login_email_code_raw(
        &self,
        input: EmailCodeGrantInput,
        from: ClientIp,
    ) -> Result<TokenPair, ServiceError> {
        self.service()
            .login_email_code(EmailCodeGrant::parse(&input)?, from)
            .await
    }
    async fn change_password_raw(&self, input: ChangePasswordInput, from: ClientIp) -> Result<TokenPair, ServiceError> {
        let app = self.service();
        app.change_password(PasswordChange::parse(input, app.rules())?, from)
            .await
    }
    async fn update_profile_raw(&self, ctx: &AuthContext, patch: ProfilePatch) -> Result<ProfileView, ServiceError> {
        let app = self.service();
        app.update_profile(ctx, ProfileChange::parse(patch, app.rules())?).await
    }
    async fn delete_account_raw(
        &self,
        ctx: &AuthContext,
        password: Option<String>,
        from: ClientIp,
    ) -> Result<(), ServiceError> {
        let password = parse::present(crate::Field::Password, password)?;
        self.service().delete_account(ctx, &password, from).await
    }
    async fn forgot_password_raw(&self, email: Option<String>, from: ClientIp) -> Result<(), ServiceError> {
        self.service().forgot_password(parse::address(&email)?, from).await
    }
    async fn resend_confirmation_raw(&self, email: Option<String>, from: ClientIp) -> Result<(), ServiceError> {
        self.service().resend_confirmation(parse::address(&email)?, from).await
    }
    async fn confirm_code_raw(
        &self,
        email: Option<String>,
        code: Option<String>,
        from: ClientIp,
    ) -> Result<(), ServiceError> {
        self.service()
            .confirm_code(CodeConfirmation::parse(&email, &code)?, from)
            .await
    }
    async fn reset_password_raw(&self, token: Option<String>, password: Option<String>) -> Result<(), ServiceError> {
        self.service()
            .reset_password(PasswordReset::parse(token, password)?)
            .await
    }
    async fn signup_raw(
        &self,
        email: Option<String>,
        language: Option<String>,
        invite: Option<String>,
        from: ClientIp,
    ) -> Result<Email, ServiceError> {
        let app = self.service();
        app.signup(Signup::parse(email, language, invite, app.rules()), from)
            .await
    }
    async fn complete_signup_raw(
        &self,
        id: &str,
        consent: Option<String>,
        password: Option<String>,
    ) -> Result<(TokenPair, User), ServiceError> {
        self.service()
            .complete_signup(id, SignupConsent::parse(consent, password)?)
            .await
    }
    async fn register_typed_raw(&self, input: TypedRegisterInput, from: ClientIp) -> Result<(), ServiceError> {
        let app = self.service();
        app.register_typed(TypedRegistration::parse(input, app.rules()), from)
            .await
    }
    async fn register_user_raw(&self, input: UsersRegisterInput, from: ClientIp) -> Result<User, ServiceError> {
        let app = self.service();
        app.register_user(UsersRegistration::parse(input, app.rules()), from)
            .await
    }
    async fn login_web_raw(
        &self,
        email: Option<String>,
        password: Option<String>,
        from: ClientIp,
    ) -> Result<(TokenPair, Role), ServiceError> {
        self.service().login_web(WebLogin::parse(email, password)?, from).await
    }
}

impl<S: Store, M: Mailer> Raw<S, M> for Registrar<S, M> {
    fn service(&self) -> &Self {
        self
    }
}
