//! Tài liệu — attachments: the bytes are checked by content (not by file
//! name), stored durably in the blob store under their SHA-256, then
//! referenced by a `document_attached` event in the dossier's chain. A crash
//! between the two leaves at most an unreferenced blob, never a reference
//! without its bytes.

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
        let meta = self.blobs.put(upload.bytes).await?;
        let document = DocumentRef {
            sha256: meta.sha256,
            size: meta.size,
            media_type: media_type.to_string(),
            name: name.into(),
            kind: upload.kind,
            electronic: upload.electronic,
        };
        self.act(
            code,
            expected_version,
            Action::AttachDocument { document },
            actor,
            now,
            idempotency_key,
        )
        .await
    }

    /// The bytes of an attached document.
    pub async fn document_bytes(&self, sha256: &str) -> Result<Option<Vec<u8>>, EngineError> {
        Ok(self.blobs.get(sha256).await?)
    }
}
