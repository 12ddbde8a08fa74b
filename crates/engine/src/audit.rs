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

/// A stream of the event log (settings, …) whose chain does not verify.
#[derive(Debug, Clone, Serialize)]
pub struct BrokenStream {
    pub kind: String,
    pub id: String,
    pub why: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct AuditReport {
    pub dossiers: u64,
    pub events: u64,
    pub broken: Vec<BrokenChain>,
    /// The streams of the event log other than dossiers, and their events.
    pub log_streams: u64,
    pub log_events: u64,
    pub broken_streams: Vec<BrokenStream>,
}

impl AuditReport {
    pub fn is_ok(&self) -> bool {
        self.broken.is_empty() && self.broken_streams.is_empty()
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
        self.audit_log(&mut report).await?;
        Ok(report)
    }

    /// Verifies every stream of the event log, in log order.
    async fn audit_log(&self, report: &mut AuditReport) -> Result<(), EngineError> {
        use std::collections::BTreeMap;
        let mut streams: BTreeMap<motcua_domain::log::StreamId, Vec<(String, [u8; 32])>> =
            BTreeMap::new();
        let mut after = 0;
        loop {
            let page = self.store.read_log(after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.position;
            report.log_events += page.len() as u64;
            for e in page {
                streams
                    .entry(e.stream)
                    .or_default()
                    .push((e.canonical, e.hash));
            }
        }
        report.log_streams = streams.len() as u64;
        for (stream, events) in streams {
            let why = match motcua_domain::log::verify_stream(&events) {
                Err(b) => Some(b.to_string()),
                Ok(decoded) => decoded
                    .iter()
                    .find(|e| e.stream != stream)
                    .map(|e| format!("holds an event of {}/{}", e.stream.kind, e.stream.id)),
            };
            if let Some(why) = why {
                report.broken_streams.push(BrokenStream {
                    kind: stream.kind,
                    id: stream.id,
                    why,
                });
            }
        }
        Ok(())
    }
}
