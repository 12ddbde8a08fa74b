//! Danh mục thủ tục — the catalogue: JSON import/export and the flat CSV
//! export.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::code::ProcedureCode;
use super::error::ProcedureError;
use super::model::{CompetentLevel, FeeAmount, OnlineLevel, Procedure, ProcedureSpec};

/// Why a catalogue cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("catalogue JSON: {0}")]
    Json(String),
    #[error("catalogue CSV: {0}")]
    Csv(String),
    #[error("the catalogue has no notice: demo and reference data must say what it is")]
    MissingNotice,
    #[error("procedure #{index} ({code}): {error}")]
    Invalid {
        index: usize,
        code: String,
        error: ProcedureError,
    },
    #[error("procedure {code} version {version} appears twice")]
    DuplicateVersion { code: String, version: u32 },
    #[error("procedure {code}: versions {a} and {b} are in force on overlapping dates")]
    OverlappingVersions { code: String, a: u32, b: u32 },
}

impl CatalogueError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            CatalogueError::Json(_) => "catalogue_json",
            CatalogueError::Csv(_) => "catalogue_csv",
            CatalogueError::MissingNotice => "missing_notice",
            CatalogueError::Invalid {
                error: ProcedureError::Text(e),
                ..
            } => e.code(),
            CatalogueError::Invalid { .. } => "invalid_procedure",
            CatalogueError::DuplicateVersion { .. } => "duplicate_version",
            CatalogueError::OverlappingVersions { .. } => "overlapping_versions",
        }
    }
}

#[derive(Serialize, Deserialize)]
struct CatalogueFile {
    notice: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    province: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    as_of: Option<NaiveDate>,
    procedures: Vec<ProcedureSpec>,
}

/// Danh mục TTHC — a validated set of procedures (possibly several versions
/// of one code, in force on disjoint date ranges).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    /// What this data is (e.g. "demo data, not an official catalogue").
    pub notice: String,
    pub province: Option<String>,
    pub as_of: Option<NaiveDate>,
    procedures: Vec<Procedure>,
}

impl Catalogue {
    /// Parses and validates the JSON catalogue format:
    /// `{"notice": "...", "province": "...", "as_of": "YYYY-MM-DD",
    /// "procedures": [ProcedureSpec, ...]}`.
    pub fn from_json(json: &str) -> Result<Self, CatalogueError> {
        let file: CatalogueFile =
            serde_json::from_str(json).map_err(|e| CatalogueError::Json(e.to_string()))?;
        let mut procedures = Vec::with_capacity(file.procedures.len());
        for (index, spec) in file.procedures.into_iter().enumerate() {
            let code = spec.code.to_string();
            let p = Procedure::new(spec).map_err(|error| CatalogueError::Invalid {
                index,
                code,
                error,
            })?;
            procedures.push(p);
        }
        Catalogue::new(file.notice, file.province, file.as_of, procedures)
    }

    pub fn new(
        notice: String,
        province: Option<String>,
        as_of: Option<NaiveDate>,
        procedures: Vec<Procedure>,
    ) -> Result<Self, CatalogueError> {
        if notice.trim().is_empty() {
            return Err(CatalogueError::MissingNotice);
        }
        for (i, p) in procedures.iter().enumerate() {
            for q in &procedures[..i] {
                if p.code != q.code {
                    continue;
                }
                if p.version == q.version {
                    return Err(CatalogueError::DuplicateVersion {
                        code: p.code.to_string(),
                        version: p.version,
                    });
                }
                let p_before_q = p.effective_until.is_some_and(|u| u <= q.effective_from);
                let q_before_p = q.effective_until.is_some_and(|u| u <= p.effective_from);
                if !p_before_q && !q_before_p {
                    return Err(CatalogueError::OverlappingVersions {
                        code: p.code.to_string(),
                        a: q.version,
                        b: p.version,
                    });
                }
            }
        }
        Ok(Catalogue {
            notice,
            province,
            as_of,
            procedures,
        })
    }

    /// Serializes to the JSON catalogue format (pretty-printed).
    pub fn to_json_pretty(&self) -> Result<String, CatalogueError> {
        let file = CatalogueFile {
            notice: self.notice.clone(),
            province: self.province.clone(),
            as_of: self.as_of,
            procedures: self.procedures.iter().map(|p| p.spec().clone()).collect(),
        };
        serde_json::to_string_pretty(&file).map_err(|e| CatalogueError::Json(e.to_string()))
    }

    pub fn procedures(&self) -> &[Procedure] {
        &self.procedures
    }

    /// The version of `code` in force on `date`.
    pub fn find(&self, code: &ProcedureCode, date: NaiveDate) -> Option<&Procedure> {
        self.procedures
            .iter()
            .find(|p| &p.code == code && p.in_force_on(date))
    }

    /// The flat CSV export of every procedure (header + one row each).
    pub fn to_csv(&self) -> Result<String, CatalogueError> {
        procedures_to_csv(&self.procedures)
    }
}

/// Dòng CSV — the flat part of a procedure, one CSV row: nested values are
/// summarised (time limit as `working_days:3`, fees as
/// `description=amount` joined by ` | `, counts of documents and steps,
/// total budget, unverified paths joined by `;`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureRow {
    pub code: String,
    pub version: u32,
    pub effective_from: NaiveDate,
    pub effective_until: Option<NaiveDate>,
    pub name_vi: String,
    pub name_en: Option<String>,
    pub field_vi: String,
    pub level: String,
    pub competent_agency_vi: String,
    pub decision_maker_vi: String,
    pub time_limit: String,
    pub limit_hours: Option<u64>,
    pub same_day_cutoff: Option<String>,
    pub fees: String,
    pub documents: usize,
    pub online_level: String,
    pub boundary_free: bool,
    pub inter_agency: bool,
    pub steps: usize,
    pub budget_hours: u64,
    pub unverified: String,
}

fn level_str(l: CompetentLevel) -> &'static str {
    match l {
        CompetentLevel::Province => "province",
        CompetentLevel::Commune => "commune",
    }
}

fn online_str(o: OnlineLevel) -> &'static str {
    match o {
        OnlineLevel::FullProcess => "full_process",
        OnlineLevel::Partial => "partial",
        OnlineLevel::None => "none",
        OnlineLevel::Unknown => "unknown",
    }
}

impl Procedure {
    /// The flat CSV row of this procedure.
    pub fn to_row(&self) -> ProcedureRow {
        let fees = self
            .fees
            .iter()
            .map(|f| {
                let amount = match f.amount {
                    FeeAmount::Vnd(n) => n.to_string(),
                    FeeAmount::SetByProvincialCouncil => "set_by_provincial_council".to_string(),
                };
                format!("{}={amount}", f.description_vi)
            })
            .collect::<Vec<_>>()
            .join(" | ");
        ProcedureRow {
            code: self.code.to_string(),
            version: self.version,
            effective_from: self.effective_from,
            effective_until: self.effective_until,
            name_vi: self.name_vi.clone(),
            name_en: self.name_en.clone(),
            field_vi: self.field_vi.clone(),
            level: level_str(self.level).to_string(),
            competent_agency_vi: self.competent_agency.name_vi.clone(),
            decision_maker_vi: self.competent_agency.decision_maker_vi.clone(),
            time_limit: self.time_limit.to_string(),
            limit_hours: self.time_limit.limit_hours(),
            same_day_cutoff: self.same_day_cutoff.map(|c| c.to_string()),
            fees,
            documents: self.documents.len(),
            online_level: online_str(self.online_level).to_string(),
            boundary_free: self.boundary_free,
            inter_agency: self.workflow.is_inter_agency(),
            steps: self.workflow.len(),
            budget_hours: self.workflow.total_budget_hours(),
            unverified: self.unverified_notes().join(";"),
        }
    }
}

/// Writes the flat CSV (RFC 4180, UTF-8, header row) of `procedures`.
pub fn procedures_to_csv(procedures: &[Procedure]) -> Result<String, CatalogueError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for p in procedures {
        w.serialize(p.to_row())
            .map_err(|e| CatalogueError::Csv(e.to_string()))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| CatalogueError::Csv(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| CatalogueError::Csv(e.to_string()))
}

/// Reads rows written by [`procedures_to_csv`].
pub fn rows_from_csv(text: &str) -> Result<Vec<ProcedureRow>, CatalogueError> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    r.deserialize()
        .map(|row| row.map_err(|e| CatalogueError::Csv(e.to_string())))
        .collect()
}
