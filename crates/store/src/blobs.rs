//! Content-addressed storage for attachments: the bytes live under their
//! SHA-256 behind a [`BlobStore`]; the database holds only references, in
//! the dossier's event log.
//!
//! Where the bytes live depends on the backend (see
//! [`crate::Store::shared_blobs`]): with SQLite, one server owns the data
//! directory and the bytes are files ([`FsBlobStore`]), written and synced
//! *before* the event that references them is committed; with PostgreSQL,
//! every server of the database must see them, so they are rows of the
//! database, written *in the same transaction* as that event (the staged
//! bytes travel with the command as [`PendingBlob`]s). Either way no
//! reference is acknowledged without its bytes.

use std::io::Write;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use sha2::{Digest, Sha256};

use crate::{StoreError, StoreResult};

/// Size of the pieces a database-held blob is stored in (1 MiB): small
/// enough for one row and one network message, large enough that a 20 MiB
/// scan is 20 rows.
pub const CHUNK_BYTES: usize = 1024 * 1024;

/// A stored blob's address and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobMeta {
    /// Lowercase hex SHA-256.
    pub sha256: String,
    pub size: u64,
}

impl BlobMeta {
    /// The address and size of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        BlobMeta {
            sha256: hex::encode(Sha256::digest(bytes)),
            size: bytes.len() as u64,
        }
    }
}

/// Whether `s` is a blob address: 64 lowercase hex digits.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Bytes to be written by the backend in the transaction of the command
/// that references them. The address is computed from the bytes, so the
/// two cannot disagree.
#[derive(Clone, PartialEq, Eq)]
pub struct PendingBlob {
    meta: BlobMeta,
    bytes: Vec<u8>,
}

impl PendingBlob {
    pub fn new(bytes: Vec<u8>) -> Self {
        PendingBlob {
            meta: BlobMeta::of(&bytes),
            bytes,
        }
    }

    pub fn meta(&self) -> &BlobMeta {
        &self.meta
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The pieces as stored: `(n, bytes)` for n = 0, 1, … of
    /// [`CHUNK_BYTES`] each (the last one shorter).
    pub fn chunks(&self) -> impl Iterator<Item = (i32, &[u8])> {
        self.bytes
            .chunks(CHUNK_BYTES)
            .enumerate()
            .map(|(n, c)| (i32::try_from(n).unwrap_or(i32::MAX), c))
    }

    /// How many pieces [`Self::chunks`] yields.
    pub fn chunk_count(&self) -> i32 {
        i32::try_from(self.bytes.len().div_ceil(CHUNK_BYTES)).unwrap_or(i32::MAX)
    }
}

impl std::fmt::Debug for PendingBlob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingBlob")
            .field("sha256", &self.meta.sha256)
            .field("size", &self.meta.size)
            .finish()
    }
}

/// Reassembles a database-held blob from its stored pieces (in order) and
/// checks it against its row: the size and the hash must match, otherwise
/// the store is [`StoreError::Corrupt`].
pub fn assemble(sha256: &str, size: i64, chunks: Vec<Vec<u8>>) -> StoreResult<Vec<u8>> {
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    for c in chunks {
        bytes.extend_from_slice(&c);
    }
    if i64::try_from(bytes.len()).ok() != Some(size) || BlobMeta::of(&bytes).sha256 != sha256 {
        return Err(StoreError::Corrupt(format!(
            "blob {sha256}: {} bytes stored in its chunks, {size} recorded, or another hash",
            bytes.len()
        )));
    }
    Ok(bytes)
}

/// What [`BlobStore::stage`] made of an attachment's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staged {
    pub meta: BlobMeta,
    /// The bytes still to be written with the command (a store in the
    /// database); None when they are already stored durably.
    pub pending: Option<PendingBlob>,
}

#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Stores `bytes` durably (written and synced before this returns) and
    /// returns its address. Storing the same bytes twice is a no-op.
    async fn put(&self, bytes: Vec<u8>) -> StoreResult<BlobMeta>;

    /// The bytes stored under `sha256`, if any.
    async fn get(&self, sha256: &str) -> StoreResult<Option<Vec<u8>>>;

    /// Prepares bytes that a command is about to reference. A store
    /// outside the database stores them durably now ([`Self::put`]); a
    /// store in the database returns them pending, for the backend to write
    /// in the command's transaction ([`crate::CommandRequest::blobs`]).
    async fn stage(&self, bytes: Vec<u8>) -> StoreResult<Staged> {
        let meta = self.put(bytes).await?;
        Ok(Staged {
            meta,
            pending: None,
        })
    }
}

/// Blobs as files `ROOT/ab/abcdef…` written atomically (temporary file,
/// fsync, rename, fsync of the directory).
pub struct FsBlobStore {
    root: PathBuf,
}

impl FsBlobStore {
    pub fn new(root: impl Into<PathBuf>) -> StoreResult<Self> {
        let root = root.into();
        std::fs::create_dir_all(root.join("tmp")).map_err(io)?;
        Ok(FsBlobStore { root })
    }

    fn path(&self, sha256: &str) -> Option<PathBuf> {
        is_sha256(sha256).then(|| self.root.join(&sha256[..2]).join(sha256))
    }
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Other(anyhow::Error::new(e))
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[async_trait]
impl BlobStore for FsBlobStore {
    async fn put(&self, bytes: Vec<u8>) -> StoreResult<BlobMeta> {
        let BlobMeta { sha256, size } = BlobMeta::of(&bytes);
        let path = self
            .path(&sha256)
            .ok_or_else(|| StoreError::Corrupt("hash".into()))?;
        let tmp = self.root.join("tmp").join(format!(
            "{sha256}.{}.{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            let dir = path.parent().unwrap_or(Path::new("."));
            if path.exists() {
                // Written (and synced) by an earlier or concurrent put, whose
                // rename may not be synced yet: sync the directory entry too.
                return sync_dir(dir);
            }
            std::fs::create_dir_all(dir)?;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            sync_dir(dir)
        })
        .await
        .map_err(|e| StoreError::Other(anyhow::anyhow!("blob writer failed: {e}")))?
        .map_err(io)?;
        Ok(BlobMeta { sha256, size })
    }

    async fn get(&self, sha256: &str) -> StoreResult<Option<Vec<u8>>> {
        let Some(path) = self.path(sha256) else {
            return Ok(None);
        };
        match tokio::fs::read(&path).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn blobs_are_addressed_by_content_and_survive_reopening() {
        let dir = std::env::temp_dir().join(format!("motcua-blobs-{}", std::process::id()));
        let store = FsBlobStore::new(&dir).expect("store");
        let meta = store.put(b"hello".to_vec()).await.expect("put");
        assert_eq!(
            meta.sha256,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(meta.size, 5);
        assert_eq!(store.put(b"hello".to_vec()).await.expect("again"), meta);
        let reopened = FsBlobStore::new(&dir).expect("reopen");
        assert_eq!(
            reopened.get(&meta.sha256).await.expect("get").as_deref(),
            Some(&b"hello"[..])
        );
        assert_eq!(reopened.get(&"0".repeat(64)).await.expect("get"), None);
        assert_eq!(reopened.get("../../etc/passwd").await.expect("get"), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
