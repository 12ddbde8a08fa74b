//! Reference data compiled into the binary, so that motcua never reads
//! `../shared` (or any other path) at run time. Provenance of every file is in
//! `data/*/PROVENANCE.md` at the repository root.

/// The 34 provinces of the two-level system (from 2025-07-01).
pub const PROVINCES_2025: &str = include_str!("../../../data/vn-admin/provinces_2025.csv");
/// The 3,321 communes, wards and special zones of the two-level system.
pub const COMMUNES_2025: &str = include_str!("../../../data/vn-admin/communes_2025.csv");
/// The 63 provinces before the 2025 reorganisation.
pub const PROVINCES_LEGACY: &str = include_str!("../../../data/vn-admin/provinces_legacy.csv");
/// The 696 districts abolished on 2025-07-01.
pub const DISTRICTS_LEGACY: &str = include_str!("../../../data/vn-admin/districts_legacy.csv");
/// The 10,035 communes before the 2025 reorganisation.
pub const COMMUNES_LEGACY: &str = include_str!("../../../data/vn-admin/communes_legacy.csv");
/// Legacy commune → new commune, one row per pair (splits have several rows).
pub const MERGER_2025: &str = include_str!("../../../data/vn-admin/merger_2025.csv");
/// Public holidays 2024–2030 (2027+ provisional).
pub const HOLIDAYS: &str = include_str!("../../../data/vn-admin/vn_holidays_2024_2030.csv");
/// The last year of [`HOLIDAYS`] set by a Government decision (the
/// data's PROVENANCE: 2027 on is rule-based, provisional).
pub const HOLIDAYS_CONFIRMED_THROUGH: i32 = 2026;
/// Starting catalogue of real commune procedures; "(unverified)" marks unconfirmed values.
pub const PROCEDURES_CSV: &str = include_str!("../../../data/procedures/commune_procedures.csv");
/// The demo catalogue of Cao Bằng (province 04): 41 procedures with workflows;
/// DEMO DATA, values not confirmed in a source are marked "(unverified)".
pub const PROCEDURES_CAOBANG_JSON: &str =
    include_str!("../../../data/procedures/catalogue_caobang.json");

/// A fingerprint of the unit reference data, stored with an import so that a
/// changed data set is re-imported and an unchanged one is not.
pub fn units_data_version() -> String {
    // FNV-1a over every file: cheap, deterministic, and enough to notice a change.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in [
        PROVINCES_2025,
        COMMUNES_2025,
        PROVINCES_LEGACY,
        DISTRICTS_LEGACY,
        COMMUNES_LEGACY,
        MERGER_2025,
    ] {
        for byte in file.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("vn-admin-2025/{hash:016x}")
}
