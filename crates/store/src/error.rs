/// What a storage call can fail with. Backends map their driver errors here;
/// constraint violations with a known name become [`StoreError::Conflict`].
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(String),
    /// A uniqueness or version conflict; the string is a stable code.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The stored data is not what the domain accepts (a corrupted row).
    #[error("invalid stored data: {0}")]
    Corrupt(String),
    #[error("storage error: {0}")]
    Other(#[from] anyhow::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;
