//! Test support (feature `testing`): the service over the in-memory adapters
//! with a clock moved by hand, a client and the two required policies
//! published — the world the service's and the HTTP adapter's tests start from.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use registrar_domain::{ClientIp, Language, PolicyText, PolicyType};
use registrar_mail::Mailer;
use registrar_memory::{MemoryMailer, MemoryStore};
use registrar_store::NewPolicyRevision;

use crate::{Argon2Params, ManualClock, Registrar, Settings};

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
