//! Thủ tục hành chính — the procedure catalogue.
//!
//! A [`Procedure`] is one administrative procedure (TTHC) as a province
//! applies it: national code, name, field (lĩnh vực), competent level and
//! agency, legal time limit (data only: deadlines are computed by the
//! calendar module), fees, required documents, online service level
//! (Decree 42/2022/NĐ-CP), boundary-free receipt, version and effective
//! date, and the internal [`Workflow`] template of the one-stop mechanism
//! (Decree 118/2025/NĐ-CP, Circular 03/2025/TT-VPCP): ordered steps with
//! the performing role, the agency and a budget in working hours.
//!
//! Values the sources could not confirm stay visibly marked: free text
//! keeps its trailing "(unverified)", typed values are listed by path in
//! [`ProcedureSpec::unverified`].
//!
//! Formats: JSON (the catalogue import/export, [`Catalogue::from_json`])
//! and a flat CSV row ([`ProcedureRow`], [`procedures_to_csv`]).

mod catalogue;
mod code;
mod error;
pub mod form;
mod model;
mod workflow;

#[cfg(test)]
mod form_tests;
#[cfg(test)]
mod tests;

pub use catalogue::{procedures_to_csv, rows_from_csv, Catalogue, CatalogueError, ProcedureRow};
pub use code::{InvalidProcedureCode, ProcedureCode};
pub use error::ProcedureError;
pub use form::{ApplicationData, FieldError, FormSchema};
pub use model::{
    CompetentAgency, CompetentLevel, DocumentForm, DocumentRequirement, ExtensionMode,
    ExternalAgency, Fee, FeeAmount, LimitExtension, OnlineLevel, Procedure, ProcedureSnapshot,
    ProcedureSpec, TimeLimit, TimeOfDay, HOURS_PER_WORKING_DAY, UNVERIFIABLE_FIELDS,
    UNVERIFIED_MARK,
};
pub use workflow::{AgencyRef, StepKind, Workflow, WorkflowStep};
