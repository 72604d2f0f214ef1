//! The file transport: one `<uuid>.eml` per message in a directory, the way
//! lettre's `AsyncFileTransport` names them, but written under a hidden
//! temporary name first and then renamed, so that whoever watches the outbox
//! (a developer, a black-box test) never reads a half-written message.

use std::path::{Path, PathBuf};

use lettre::Message;
use registrar_mail::MailError;

use crate::error;
use crate::settings::SetupError;

/// An outbox directory.
#[derive(Debug)]
pub(crate) struct Outbox {
    dir: PathBuf,
}

impl Outbox {
    /// Creates the directory if it is missing.
    pub(crate) fn new(dir: PathBuf) -> Result<Self, SetupError> {
        std::fs::create_dir_all(&dir).map_err(|source| SetupError::Outbox {
            dir: dir.clone(),
            source,
        })?;
        Ok(Self { dir })
    }

    /// Writes `message`; returns the file it is in.
    pub(crate) async fn write(&self, message: &Message) -> Result<PathBuf, MailError> {
        let id = uuid::Uuid::new_v4();
        let file = self.dir.join(format!("{id}.eml"));
        let partial = self.dir.join(format!(".{id}.eml.part"));
        let fail = |e: std::io::Error| error::outbox_failure(&e, &self.dir);

        // Somebody may have emptied the outbox, directory and all.
        tokio::fs::create_dir_all(&self.dir).await.map_err(fail)?;
        if let Err(e) = write_then_rename(&partial, &file, message.formatted()).await {
            // Best effort: a leftover `.part` file is hidden and harmless.
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(fail(e));
        }
        Ok(file)
    }

    /// The directory messages go to.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }
}

async fn write_then_rename(partial: &Path, file: &Path, bytes: Vec<u8>) -> std::io::Result<()> {
    tokio::fs::write(partial, bytes).await?;
    tokio::fs::rename(partial, file).await
}
