//! Storage of the external inputs of the Decision 766 index: declarations
//! per unit and month, versioned and append-only. A write appends version
//! `n + 1` of its (unit, month) in one transaction; the highest version is
//! the one in force and the earlier ones stay for the audit (both backends
//! refuse to update or delete a row).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use motcua_domain::dossier::{UnitId, UserId};
use motcua_domain::reports::{ExternalInputs, InputsDeclaration, Month};
use serde::{Deserialize, Serialize};

use crate::{StoreError, StoreResult};

/// A declaration to append (the store gives it its version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewInputsDeclaration {
    pub unit: UnitId,
    pub month: Month,
    pub inputs: ExternalInputs,
    pub entered_by: UserId,
    pub entered_at: DateTime<Utc>,
    pub note: Option<String>,
}

/// Whose declarations to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InputsScope {
    /// One unit.
    Unit(UnitId),
    /// Every unit of a province (its communes and its own unit), by the
    /// first segment of the unit id.
    Province(String),
}

impl InputsScope {
    /// Whether `unit` is in the scope: the rule both backends' SQL
    /// implements.
    pub fn covers(&self, unit: &UnitId) -> bool {
        match self {
            InputsScope::Unit(u) => u == unit,
            InputsScope::Province(p) => crate::dossier_support::province_of(unit) == p,
        }
    }
}

#[async_trait]
pub trait ReportInputStore {
    /// Appends a declaration as the next version of its (unit, month) and
    /// returns it as stored. Concurrent writes of one (unit, month) get
    /// distinct, gap-free versions.
    async fn declare_inputs(&self, new: &NewInputsDeclaration) -> StoreResult<InputsDeclaration>;

    /// The declarations in force (the latest version of each unit and
    /// month) of `scope` from `from` to `to` (inclusive), by unit then month.
    async fn inputs_in_force(
        &self,
        scope: &InputsScope,
        from: Month,
        to: Month,
    ) -> StoreResult<Vec<InputsDeclaration>>;

    /// Every declaration of one unit and month, oldest first (the audit).
    async fn inputs_history(
        &self,
        unit: &UnitId,
        month: Month,
    ) -> StoreResult<Vec<InputsDeclaration>>;
}

/// Helpers both backends use to turn rows into declarations.
pub mod support {
    use super::*;

    /// The JSON body stored for `inputs`.
    pub fn body(inputs: &ExternalInputs) -> StoreResult<String> {
        serde_json::to_string(inputs)
            .map_err(|e| StoreError::Other(anyhow::anyhow!("serializing inputs: {e}")))
    }

    /// A stored row as a declaration; a row the domain does not accept is
    /// [`StoreError::Corrupt`].
    #[allow(clippy::too_many_arguments)]
    pub fn declaration(
        unit: &str,
        month: &str,
        version: i64,
        body: &str,
        entered_by: &str,
        entered_at: DateTime<Utc>,
        note: Option<String>,
    ) -> StoreResult<InputsDeclaration> {
        let corrupt = |what: &str, e: &dyn std::fmt::Display| {
            StoreError::Corrupt(format!("report_inputs {unit} {month}: {what}: {e}"))
        };
        Ok(InputsDeclaration {
            unit: UnitId::parse(unit).map_err(|e| corrupt("unit", &e))?,
            month: Month::parse(month).map_err(|e| corrupt("month", &e))?,
            version: u32::try_from(version).map_err(|e| corrupt("version", &e))?,
            inputs: serde_json::from_str(body).map_err(|e| corrupt("inputs", &e))?,
            entered_by: UserId::parse(entered_by).map_err(|e| corrupt("entered_by", &e))?,
            entered_at,
            note,
        })
    }
}
