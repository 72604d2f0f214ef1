//! The world of this crate's in-process tests over the memory adapters.

use registrar_mail::MailContent;
use registrar_memory::{MemoryMailer, MemoryStore};
use registrar_service::testing;
use registrar_service::Registrar;
use registrar_store::NewPolicyRevision;
use serde_json::{json, Value};

/// Ann, who registers in these tests, and her password.
pub(crate) const ANN: &str = "ann@example.com";
pub(crate) const PASSWORD: &str = "Correct-Horse-42";

/// The parts of the shared world (see `registrar_service::testing`) these
/// tests use.
pub(crate) struct World {
    pub(crate) app: Registrar<MemoryStore, MemoryMailer>,
    pub(crate) mailer: MemoryMailer,
    pub(crate) client: String,
    pub(crate) policies: Vec<i32>,
}

/// The shared world with the memory mailer, publishing `revision("tac")`
/// and `revision("privacy")`.
pub(crate) async fn world(revision: impl Fn(&str) -> NewPolicyRevision) -> World {
    let testing::World {
        app,
        mailer,
        client,
        policies,
        ..
    } = testing::World::with_policies(MemoryMailer::new(), |_| {}, revision).await;
    World {
        app,
        mailer,
        client,
        policies,
    }
}

impl World {
    /// Ann's registration on her phone, as a client posts it to `POST /api/register`.
    pub(crate) fn registration(&self) -> Value {
        json!({
            "client_id": self.client, "device_name": "Phone", "device_id": "phone",
            "username": ANN, "password": PASSWORD, "firstname": "Ann", "lastname": "Smith",
            "telephone": "+32 475 00 00 00", "policies": self.policies, "language": "en",
        })
    }

    /// A login on a laptop, as a client posts it to `POST /api/token`.
    pub(crate) fn login_body(&self, username: &str, password: &str) -> Value {
        json!({"grant_type": "password", "client_id": self.client, "device_name": "Laptop",
               "device_id": "laptop", "username": username, "password": password})
    }

    /// The link of the last mail of this kind (`confirmation`,
    /// `signup_confirmation`, `password_reset`) sent to `address`, once the
    /// mails that are due are delivered.
    pub(crate) async fn last_link(&self, address: &str, kind: &str) -> String {
        self.app.deliver_due().await.expect("deliver");
        self.mailer
            .sent_to(address)
            .into_iter()
            .rev()
            .find_map(|m| match (m.content.kind() == kind, m.content) {
                (
                    true,
                    MailContent::Confirmation { link, .. }
                    | MailContent::SignupConfirmation { link, .. }
                    | MailContent::PasswordReset { link },
                ) => Some(link),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no {kind} mail to {address}"))
    }
}
