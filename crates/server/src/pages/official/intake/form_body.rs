//! The intake form's body, read as it streams in: every text field whole
//! (each bounded), each scan up to the document limit (and all of them up
//! to the upload limit), a scan past it dropped and marked. A scan over the limit therefore costs no more memory
//! than one at it, and the form comes back with what was typed and the
//! size message beside it, instead of a refusal that loses the typing.

use axum::extract::Multipart;

use crate::auth::session::Part;

/// Longest text field kept (longer is cut).
const TEXT_BYTES: usize = 64 << 10;

/// Most parts read; a form has a few dozen.
const MAX_PARTS: usize = 1000;

/// A part of the form, owned.
pub(super) struct OwnedPart {
    name: String,
    filename: Option<String>,
    data: Vec<u8>,
    /// A file over `file_bytes`, or past the form's total: its bytes were
    /// dropped, never to be stored.
    too_large: bool,
}

/// The form's parts, each file kept to at most `file_bytes` bytes and all
/// files to `total_bytes`; a file past either is marked
/// [`too_large`](OwnedPart::too_large) and emptied. None when the body is
/// not a readable form (cut off, malformed, or over the route's limit).
pub(super) async fn read(
    mut form: Multipart,
    file_bytes: usize,
    total_bytes: usize,
) -> Option<Vec<OwnedPart>> {
    let mut parts = Vec::new();
    let mut kept = 0usize;
    while let Some(mut field) = form.next_field().await.ok()? {
        if parts.len() >= MAX_PARTS {
            return None;
        }
        let name = field.name().unwrap_or_default().to_string();
        let filename = field.file_name().map(str::to_string);
        let is_file = filename.is_some();
        let keep = if is_file {
            file_bytes.min(total_bytes.saturating_sub(kept))
        } else {
            TEXT_BYTES
        };
        let mut data = Vec::new();
        let mut too_large = false;
        while let Some(chunk) = field.chunk().await.ok()? {
            let room = keep.saturating_sub(data.len());
            too_large |= chunk.len() > room;
            data.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        if is_file && too_large {
            data = Vec::new();
        }
        if is_file {
            kept += data.len();
        }
        parts.push(OwnedPart {
            name,
            filename,
            data,
            too_large: is_file && too_large,
        });
    }
    Some(parts)
}

/// Whether the file of field `name` was over the limit.
pub(super) fn too_large(parts: &[OwnedPart], name: &str) -> bool {
    parts.iter().any(|p| p.name == name && p.too_large)
}

/// The parts as the page's form helpers read them.
pub(super) fn borrowed(parts: &[OwnedPart]) -> Vec<Part<'_>> {
    parts
        .iter()
        .map(|p| Part {
            name: p.name.clone(),
            filename: p.filename.clone(),
            data: &p.data,
        })
        .collect()
}
