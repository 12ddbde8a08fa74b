//! `motcua audit verify`: recompute every dossier's hash chain from the
//! stored canonical events and report the first broken link of each.

use motcua_domain::dossier::{verify_chain, BrokenLink, DossierCode};
use serde::Serialize;

use crate::{Engine, EngineError};

/// A dossier whose chain does not verify.
#[derive(Debug, Clone, Serialize)]
pub struct BrokenChain {
    pub code: DossierCode,
    /// Index (seq) of the first event whose hash does not match.
    pub index: usize,
    pub expected: String,
    pub found: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct AuditReport {
    pub dossiers: u64,
    pub events: u64,
    pub broken: Vec<BrokenChain>,
}

impl AuditReport {
    pub fn is_ok(&self) -> bool {
        self.broken.is_empty()
    }
}

const PAGE: u32 = 500;

impl Engine {
    /// Verifies every chain, page by page (constant memory per page).
    pub async fn audit(&self) -> Result<AuditReport, EngineError> {
        let mut report = AuditReport::default();
        let mut after: Option<DossierCode> = None;
        loop {
            let page = self.store.event_streams(after.as_ref(), PAGE).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.code.clone());
            for stream in &page {
                report.dossiers += 1;
                report.events += stream.events.len() as u64;
                if let Err(BrokenLink {
                    index,
                    expected,
                    found,
                }) = verify_chain(&stream.events)
                {
                    report.broken.push(BrokenChain {
                        code: stream.code.clone(),
                        index,
                        expected,
                        found,
                    });
                }
            }
            if page.len() < PAGE as usize {
                break;
            }
        }
        Ok(report)
    }
}
