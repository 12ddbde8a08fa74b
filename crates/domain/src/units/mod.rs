//! Đơn vị hành chính — the administrative-unit registry: provinces, legacy
//! districts and communes as versioned records, the 2025 merger lineage, and
//! conversion of legacy addresses to the two-level system.
//!
//! Legal basis: Resolution 202/2025/QH15 (provinces) and the NA Standing
//! Committee resolutions of June 2025 (communes), effective 2025-07-01.

mod dataset;
mod model;
mod normalize;
mod registry;
#[cfg(test)]
pub(crate) use registry::tests as registry_tests;

pub use dataset::{parse_dataset, DatasetError, UnitSources};
pub use model::*;
pub use normalize::{fold, lower, name_key, NameKey};
pub use registry::{
    Candidate, Conversion, ConvertError, LegacyAddress, Registry, Successor, UnitLabel,
};
