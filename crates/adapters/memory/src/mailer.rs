//! A mailer that keeps what it sends, for tests to read back.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use registrar_mail::{Mail, MailError, Mailer};

/// Records every mail it accepts. Clones share the same outbox. Can be told
/// to fail, to test how the service handles a mail server that is down.
#[derive(Clone, Default)]
pub struct MemoryMailer {
    outbox: Arc<Mutex<Outbox>>,
}

#[derive(Default)]
struct Outbox {
    sent: Vec<Mail>,
    failing: bool,
}

impl MemoryMailer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every mail sent so far, oldest first.
    pub fn sent(&self) -> Vec<Mail> {
        self.outbox().sent.clone()
    }

    /// The mails sent to this address (compared case-insensitively), oldest first.
    pub fn sent_to(&self, address: &str) -> Vec<Mail> {
        let address = address.trim().to_lowercase();
        self.outbox()
            .sent
            .iter()
            .filter(|m| m.to.normalized() == address)
            .cloned()
            .collect()
    }

    /// While on, every send fails with [`MailError::Transient`] and nothing is recorded.
    pub fn fail_sends(&self, failing: bool) {
        self.outbox().failing = failing;
    }

    /// A panic elsewhere cannot leave a `Vec` push half-done, so a poisoned
    /// outbox is still a sound one.
    fn outbox(&self) -> MutexGuard<'_, Outbox> {
        self.outbox.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl Mailer for MemoryMailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let mut outbox = self.outbox();
        if outbox.failing {
            return Err(MailError::Transient("the memory mailer was told to fail".into()));
        }
        outbox.sent.push(mail.clone());
        Ok(())
    }

    /// Memory cannot stall: requests deliver their own mail at once.
    fn delivers_instantly(&self) -> bool {
        true
    }
}
