//! Vai trò và người thực hiện — roles and actors.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::code::UnitId;

/// Vai trò — who may act on a dossier (Decree 118/2025/NĐ-CP, flow of
/// receipt, processing and return; Circular 03/2025/TT-VPCP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Công chức tiếp nhận — receiving officer of the Public Administration
    /// Service Center (Trung tâm Phục vụ hành chính công).
    ReceivingOfficer,
    /// Chuyên viên / công chức chuyên môn — the officer who appraises.
    Specialist,
    /// Trưởng phòng — head of the specialised department (reviews, assigns).
    DepartmentHead,
    /// Lãnh đạo — the leader who signs / approves (e.g. commune chairman).
    Leader,
    /// Văn thư — clerical office: numbers, registers and issues the result.
    Clerical,
    /// Tổ chức, cá nhân — the applicant.
    Applicant,
    /// Hệ thống — an automated actor (portal synchronisation, online
    /// payment, inter-system connection).
    System,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::ReceivingOfficer,
        Role::Specialist,
        Role::DepartmentHead,
        Role::Leader,
        Role::Clerical,
        Role::Applicant,
        Role::System,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::ReceivingOfficer => "receiving_officer",
            Role::Specialist => "specialist",
            Role::DepartmentHead => "department_head",
            Role::Leader => "leader",
            Role::Clerical => "clerical",
            Role::Applicant => "applicant",
            Role::System => "system",
        }
    }

    /// True for the civil servants of a unit (not the applicant, not the system).
    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Applicant | Role::System)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Mã người dùng — a user identifier (account id); 1–64 printable ASCII
/// characters without spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserId(String);

/// A string that is not a user id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid user id {0:?}: expected 1-64 printable ASCII characters without spaces")]
pub struct InvalidUserId(pub String);

impl UserId {
    pub fn parse(s: &str) -> Result<Self, InvalidUserId> {
        if !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(UserId(s.to_string()))
        } else {
            Err(InvalidUserId(s.to_string()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl TryFrom<String> for UserId {
    type Error = InvalidUserId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        UserId::parse(&s)
    }
}
impl From<UserId> for String {
    fn from(u: UserId) -> String {
        u.0
    }
}

/// Người thực hiện — who issues a command: role, user and (for staff) the
/// unit they work for. Applicants and the system may have no unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub role: Role,
    pub user: UserId,
    pub unit: Option<UnitId>,
}

impl Actor {
    pub fn new(role: Role, user: UserId, unit: Option<UnitId>) -> Self {
        Actor { role, user, unit }
    }
}

impl Role {
    /// The Vietnamese name of the role.
    pub fn label_vi(self) -> &'static str {
        match self {
            Role::ReceivingOfficer => "Công chức tiếp nhận",
            Role::Specialist => "Chuyên viên xử lý",
            Role::DepartmentHead => "Lãnh đạo phòng",
            Role::Leader => "Lãnh đạo đơn vị",
            Role::Clerical => "Văn thư",
            Role::Applicant => "Người nộp hồ sơ",
            Role::System => "Hệ thống",
        }
    }
}
