use registrar_domain::RevisionId;

pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another account has this email address (compared case-insensitively).
    #[error("an account with this email address already exists")]
    DuplicateEmail,
    /// Something with this key already exists (a client id, …).
    #[error("already exists")]
    Duplicate,
    /// A signup token that does not exist or has no uses left.
    #[error("invalid or used-up signup token")]
    InvalidInvite,
    /// A policy revision id that was never published.
    #[error("unknown policy revision {0:?}")]
    UnknownRevision(RevisionId),
    /// The thing to change does not exist (any more).
    #[error("not found")]
    NotFound,
    /// The password a session (or a password change) rests on is no longer
    /// the user's: it was changed or reset since it was verified.
    #[error("the verified password is no longer the user's")]
    StaleCredential,
    /// The database cannot be reached or did not answer in time.
    #[error("store unavailable")]
    Unavailable(#[source] BoxError),
    /// Anything else: a bug or a broken database.
    #[error("store failure")]
    Unexpected(#[source] BoxError),
}

impl StoreError {
    pub fn unexpected(e: impl Into<BoxError>) -> Self {
        Self::Unexpected(e.into())
    }

    pub fn unavailable(e: impl Into<BoxError>) -> Self {
        Self::Unavailable(e.into())
    }
}
