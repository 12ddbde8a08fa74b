use async_trait::async_trait;
use chrono::NaiveDate;
use motcua_domain::units::{LineageLink, Unit, UnitCode, UnitDataset};

use crate::StoreResult;

/// Storage of the unit registry: versioned unit records and the merger lineage.
#[async_trait]
pub trait UnitStore {
    /// The version tag of the unit data set last imported, if any.
    async fn units_data_version(&self) -> StoreResult<Option<String>>;

    /// Replaces the whole registry with `data` and records `version`, in one
    /// transaction: a failed import leaves the previous registry untouched.
    async fn import_units(&self, version: &str, data: &UnitDataset) -> StoreResult<()>;

    /// The unit with `code` valid on `at` (codes are reused across eras).
    async fn unit_at(&self, code: &UnitCode, at: NaiveDate) -> StoreResult<Option<Unit>>;

    /// Every record ever held under `code`, oldest first.
    async fn unit_history(&self, code: &UnitCode) -> StoreResult<Vec<Unit>>;

    /// The communes of `province` valid on `at`, by code.
    async fn communes_of_province(
        &self,
        province: &UnitCode,
        at: NaiveDate,
    ) -> StoreResult<Vec<Unit>>;

    /// The lineage rows whose new commune is `new_commune`.
    async fn sources_of(&self, new_commune: &UnitCode) -> StoreResult<Vec<LineageLink>>;

    /// The lineage rows whose legacy commune is `legacy_commune`.
    async fn successors_of(&self, legacy_commune: &UnitCode) -> StoreResult<Vec<LineageLink>>;

    /// The whole registry, to build the in-memory conversion index.
    async fn load_units(&self) -> StoreResult<UnitDataset>;
}
