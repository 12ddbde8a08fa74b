//! Vai trò theo đơn vị — the roles an official holds, each at a unit.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::dossier::{Role, UnitId};

use super::AccessError;

/// Vai trò của cán bộ — a role an official may be assigned at a unit. The
/// first five act on dossiers (they map to [`Role`]); the others manage
/// accounts or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Công chức tiếp nhận — receiving officer at the Center.
    ReceivingOfficer,
    /// Chuyên viên — specialist who appraises.
    Specialist,
    /// Lãnh đạo phòng — department head.
    DepartmentHead,
    /// Lãnh đạo đơn vị — leader who signs.
    Leader,
    /// Văn thư — clerical office.
    Clerical,
    /// Quản trị đơn vị — manages the accounts of one unit.
    UnitAdmin,
    /// Quản trị cấp tỉnh — manages accounts and sees every dossier of a
    /// province; assigned at the province id (e.g. `04`).
    ProvinceAdmin,
    /// Thanh tra, kiểm tra — reads the dossiers of a unit (or of a
    /// province, when assigned at a province id) and never acts.
    Inspector,
}

impl StaffRole {
    pub const ALL: [StaffRole; 8] = [
        StaffRole::ReceivingOfficer,
        StaffRole::Specialist,
        StaffRole::DepartmentHead,
        StaffRole::Leader,
        StaffRole::Clerical,
        StaffRole::UnitAdmin,
        StaffRole::ProvinceAdmin,
        StaffRole::Inspector,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::ReceivingOfficer => "receiving_officer",
            StaffRole::Specialist => "specialist",
            StaffRole::DepartmentHead => "department_head",
            StaffRole::Leader => "leader",
            StaffRole::Clerical => "clerical",
            StaffRole::UnitAdmin => "unit_admin",
            StaffRole::ProvinceAdmin => "province_admin",
            StaffRole::Inspector => "inspector",
        }
    }

    pub fn parse(s: &str) -> Option<StaffRole> {
        StaffRole::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The dossier role this assignment acts as, if it acts at all.
    pub fn acting_role(self) -> Option<Role> {
        match self {
            StaffRole::ReceivingOfficer => Some(Role::ReceivingOfficer),
            StaffRole::Specialist => Some(Role::Specialist),
            StaffRole::DepartmentHead => Some(Role::DepartmentHead),
            StaffRole::Leader => Some(Role::Leader),
            StaffRole::Clerical => Some(Role::Clerical),
            StaffRole::UnitAdmin | StaffRole::ProvinceAdmin | StaffRole::Inspector => None,
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            StaffRole::UnitAdmin => "Quản trị đơn vị",
            StaffRole::ProvinceAdmin => "Quản trị cấp tỉnh",
            StaffRole::Inspector => "Thanh tra, kiểm tra",
            other => other.acting_role().map_or("", Role::label_vi),
        }
    }
}

impl fmt::Display for StaffRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The province of a unit id: its first segment (`04` of `04.01279`).
pub fn province_of(unit: &UnitId) -> &str {
    unit.province_code()
}

/// Phân công — a role held at a unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Assignment {
    pub role: StaffRole,
    pub unit: UnitId,
}

impl Assignment {
    /// A province administrator is assigned at a province id (one segment,
    /// e.g. `04`); every other role at any unit (a commune `04.01279`, or
    /// the province itself for its Center and departments).
    pub fn new(role: StaffRole, unit: UnitId) -> Result<Self, AccessError> {
        if role == StaffRole::ProvinceAdmin && unit.as_str().contains('.') {
            return Err(AccessError::InvalidAssignment {
                role,
                unit: unit.to_string(),
            });
        }
        Ok(Assignment { role, unit })
    }

    /// Whether the assignment is at a province id rather than a unit in it.
    pub fn is_provincial(&self) -> bool {
        !self.unit.as_str().contains('.')
    }
}
