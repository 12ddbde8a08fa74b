//! Content-addressed file storage for attachments: the bytes live on disk
//! (or behind another [`BlobStore`]) under their SHA-256; the database holds
//! only references, in the dossier's event log.

use std::io::Write;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use sha2::{Digest, Sha256};

use crate::{StoreError, StoreResult};

/// A stored blob's address and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobMeta {
    /// Lowercase hex SHA-256.
    pub sha256: String,
    pub size: u64,
}

#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Stores `bytes` durably (written and synced before this returns) and
    /// returns its address. Storing the same bytes twice is a no-op.
    async fn put(&self, bytes: Vec<u8>) -> StoreResult<BlobMeta>;

    /// The bytes stored under `sha256`, if any.
    async fn get(&self, sha256: &str) -> StoreResult<Option<Vec<u8>>>;
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
        let valid = sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        valid.then(|| self.root.join(&sha256[..2]).join(sha256))
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
        let sha256 = hex::encode(Sha256::digest(&bytes));
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
        let size = bytes.len() as u64;
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            if path.exists() {
                return Ok(());
            }
            let dir = path.parent().unwrap_or(Path::new("."));
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
