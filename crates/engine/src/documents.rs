//! Tài liệu — attachments: the bytes are checked by content (not by file
//! name), staged in the blob store under their SHA-256 and referenced by a
//! `document_attached` event in the dossier's chain. A blob store of files
//! writes and syncs them before the event is committed (a crash between the
//! two leaves at most an unreferenced file, never a reference without its
//! bytes); the database's blob store has them written in the event's own
//! transaction (nothing at all is left by a refused or failed command).

use chrono::{DateTime, Utc};
use motcua_domain::dossier::{Actor, DocumentKind, DocumentRef, DossierCode};
use motcua_store::Applied;

use crate::{Action, Engine, EngineError};

/// Largest attachment accepted (20 MiB): a scanned multi-page dossier fits.
pub const MAX_DOCUMENT_BYTES: usize = 20 * 1024 * 1024;

/// Media types accepted, recognised from the content's signature.
pub const ACCEPTED_MEDIA_TYPES: &[&str] = &[
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/tiff",
    "image/webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
];

/// What is being attached.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub kind: DocumentKind,
    pub electronic: bool,
    pub bytes: Vec<u8>,
}

impl Engine {
    /// Checks, stores and attaches a document.
    #[allow(clippy::too_many_arguments)]
    pub async fn attach(
        &self,
        code: &DossierCode,
        expected_version: Option<u64>,
        upload: Upload,
        actor: Actor,
        now: DateTime<Utc>,
        idempotency_key: Option<String>,
    ) -> Result<Applied, EngineError> {
        let name = motcua_domain::text::DocumentName::parse(&upload.name)?;
        if upload.bytes.is_empty() {
            return Err(EngineError::InvalidDocument("empty_document"));
        }
        if upload.bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(EngineError::InvalidDocument("document_too_large"));
        }
        let media_type = infer::get(&upload.bytes)
            .map(|t| t.mime_type())
            .filter(|m| ACCEPTED_MEDIA_TYPES.contains(m))
            .ok_or(EngineError::InvalidDocument("unsupported_media_type"))?;
        let staged = self.blobs.stage(upload.bytes).await?;
        let document = DocumentRef {
            sha256: staged.meta.sha256,
            size: staged.meta.size,
            media_type: media_type.to_string(),
            name: name.into(),
            kind: upload.kind,
            electronic: upload.electronic,
        };
        self.act_with_blobs(
            code,
            expected_version,
            Action::AttachDocument { document },
            actor,
            now,
            idempotency_key,
            staged.pending.into_iter().collect(),
        )
        .await
    }

    /// The bytes of an attached document.
    pub async fn document_bytes(&self, sha256: &str) -> Result<Option<Vec<u8>>, EngineError> {
        Ok(self.blobs.get(sha256).await?)
    }
}
