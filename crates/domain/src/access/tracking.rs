//! Tra cứu hồ sơ — what anyone holding a dossier code may see.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::calendar::utc_to_vietnam;
use crate::dossier::{Dossier, DossierCode};

/// The public view of a dossier: its status and its dates, nothing that
/// names or identifies the applicant (no name, no identity number, no
/// documents, no procedure). Times are in Vietnam (UTC+7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicStatus {
    pub code: DossierCode,
    /// Portal status number (1–10) and labels.
    pub status_code: u8,
    pub status_vi: &'static str,
    pub status_en: &'static str,
    pub submitted_at: DateTime<FixedOffset>,
    /// Receipt of the complete dossier.
    pub accepted_at: Option<DateTime<FixedOffset>>,
    /// The appointment in force (the new one after an apology).
    pub due: Option<DateTime<FixedOffset>>,
    /// When the result was ready.
    pub result_at: Option<DateTime<FixedOffset>>,
    pub returned_at: Option<DateTime<FixedOffset>>,
    /// Refused, withdrawn or returned.
    pub closed_at: Option<DateTime<FixedOffset>>,
}

impl PublicStatus {
    pub fn of(d: &Dossier) -> Self {
        PublicStatus {
            code: d.code.clone(),
            status_code: d.status.code(),
            status_vi: d.status.label_vi(),
            status_en: d.status.label_en(),
            submitted_at: utc_to_vietnam(d.submitted_at),
            accepted_at: d.accepted_at.map(utc_to_vietnam),
            due: d.due.map(utc_to_vietnam),
            result_at: d.result.as_ref().map(|r| utc_to_vietnam(r.issued_at)),
            returned_at: d.returned_at.map(utc_to_vietnam),
            closed_at: d.closed_at.map(utc_to_vietnam),
        }
    }
}
