//! Người dùng đã xác thực — who is logged in, what they see, as whom they act.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::dossier::{Actor, Dossier, Role, UnitId, UserId};

use super::role::{province_of, Assignment, StaffRole};

/// Why an access rule refuses. Each has a stable [`AccessError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// Only administrators and inspectors hold no acting role.
    #[error("this account only reads: it holds no role that acts on dossiers")]
    ReadOnly,
    /// The role (and unit) asked for is not one the account holds.
    #[error("the account does not hold the role {role} at {unit}")]
    RoleNotAssigned { role: String, unit: String },
    /// The account holds several acting roles and the request did not say which.
    #[error("the account holds several roles: say which one acts (X-Acting-Role, X-Acting-Unit)")]
    AmbiguousRole { choices: Vec<(Role, UnitId)> },
    /// A province administrator is assigned at a province id.
    #[error("{role} cannot be assigned at {unit}")]
    InvalidAssignment { role: StaffRole, unit: String },
}

impl AccessError {
    pub fn code(&self) -> &'static str {
        match self {
            AccessError::ReadOnly => "read_only",
            AccessError::RoleNotAssigned { .. } => "role_not_assigned",
            AccessError::AmbiguousRole { .. } => "acting_role_required",
            AccessError::InvalidAssignment { .. } => "invalid_assignment",
        }
    }

    pub fn message_vi(&self) -> String {
        match self {
            AccessError::ReadOnly => {
                "Tài khoản này chỉ được xem, không được xử lý hồ sơ.".to_string()
            }
            AccessError::RoleNotAssigned { role, unit } => {
                format!("Tài khoản không được phân công vai trò {role} tại đơn vị {unit}.")
            }
            AccessError::AmbiguousRole { .. } => {
                "Tài khoản có nhiều vai trò: hãy chọn vai trò xử lý (X-Acting-Role, X-Acting-Unit)."
                    .to_string()
            }
            AccessError::InvalidAssignment { role, unit } => {
                format!("Không thể phân công vai trò {role} tại {unit}.")
            }
        }
    }
}

/// Người dùng — a logged-in person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Principal {
    /// Cán bộ — an official with role assignments (none when all revoked).
    Official {
        user: UserId,
        assignments: Vec<Assignment>,
    },
    /// Công dân — a citizen's portal account.
    Citizen { user: UserId },
}

/// What a dossier shows of itself to an access rule.
#[derive(Debug, Clone, Copy)]
pub struct DossierRef<'a> {
    pub receiving_unit: &'a UnitId,
    pub competent_unit: &'a UnitId,
    pub applicant_user: Option<&'a UserId>,
}

impl<'a> From<&'a Dossier> for DossierRef<'a> {
    fn from(d: &'a Dossier) -> Self {
        DossierRef {
            receiving_unit: &d.receiving_unit,
            competent_unit: &d.competent_unit,
            applicant_user: d.applicant.user.as_ref(),
        }
    }
}

/// Phạm vi — the dossiers someone may see: those received at or decided by
/// one of `units`, those of one of `provinces` (a province id, or any unit
/// id under it), and those submitted from the `applicant` account. Empty
/// means nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    pub units: BTreeSet<UnitId>,
    pub provinces: BTreeSet<String>,
    pub applicant: Option<UserId>,
}

impl Scope {
    pub fn is_empty(&self) -> bool {
        self.units.is_empty() && self.provinces.is_empty() && self.applicant.is_none()
    }

    /// Whether a unit is inside the scope's units or provinces.
    pub fn covers_unit(&self, unit: &UnitId) -> bool {
        self.units.contains(unit) || self.provinces.contains(province_of(unit))
    }

    pub fn sees(&self, d: &DossierRef<'_>) -> bool {
        self.covers_unit(d.receiving_unit)
            || self.covers_unit(d.competent_unit)
            || self
                .applicant
                .as_ref()
                .is_some_and(|a| d.applicant_user == Some(a))
    }
}

impl Principal {
    pub fn user(&self) -> &UserId {
        match self {
            Principal::Official { user, .. } | Principal::Citizen { user } => user,
        }
    }

    pub fn assignments(&self) -> &[Assignment] {
        match self {
            Principal::Official { assignments, .. } => assignments,
            Principal::Citizen { .. } => &[],
        }
    }

    /// The dossiers this person may see. A province administrator, or an
    /// inspector assigned at a province id, sees the province; every other
    /// assignment its unit; a citizen their own submissions.
    pub fn scope(&self) -> Scope {
        let mut scope = Scope::default();
        match self {
            Principal::Citizen { user } => scope.applicant = Some(user.clone()),
            Principal::Official { assignments, .. } => {
                for a in assignments {
                    let province_wide = a.role == StaffRole::ProvinceAdmin
                        || (a.role == StaffRole::Inspector && a.is_provincial());
                    if province_wide {
                        scope.provinces.insert(a.unit.as_str().to_string());
                    } else {
                        scope.units.insert(a.unit.clone());
                    }
                }
            }
        }
        scope
    }

    pub fn sees(&self, d: &DossierRef<'_>) -> bool {
        self.scope().sees(d)
    }

    /// The actor for a command: a citizen acts as the applicant; an
    /// official as one of their acting assignments — the one named by
    /// `role` / `unit` when given, or the only one they hold.
    pub fn actor(&self, role: Option<Role>, unit: Option<&UnitId>) -> Result<Actor, AccessError> {
        let (user, assignments) = match self {
            Principal::Citizen { user } => {
                return match role {
                    None | Some(Role::Applicant) if unit.is_none() => {
                        Ok(Actor::new(Role::Applicant, user.clone(), None))
                    }
                    _ => Err(AccessError::RoleNotAssigned {
                        role: role.map_or("applicant", Role::as_str).to_string(),
                        unit: unit.map(ToString::to_string).unwrap_or_default(),
                    }),
                };
            }
            Principal::Official { user, assignments } => (user, assignments),
        };
        let acting: Vec<(Role, &UnitId)> = assignments
            .iter()
            .filter_map(|a| a.role.acting_role().map(|r| (r, &a.unit)))
            .collect();
        if acting.is_empty() {
            return Err(AccessError::ReadOnly);
        }
        let chosen: Vec<&(Role, &UnitId)> = acting
            .iter()
            .filter(|(r, u)| role.is_none_or(|x| x == *r) && unit.is_none_or(|x| x == *u))
            .collect();
        match chosen.as_slice() {
            [(r, u)] => Ok(Actor::new(*r, user.clone(), Some((*u).clone()))),
            [] => Err(AccessError::RoleNotAssigned {
                role: role.map_or("*", Role::as_str).to_string(),
                unit: unit.map_or_else(|| "*".to_string(), ToString::to_string),
            }),
            many => Err(AccessError::AmbiguousRole {
                choices: many.iter().map(|(r, u)| (*r, (*u).clone())).collect(),
            }),
        }
    }

    /// Whether this person may grant `target`: a province administrator
    /// any role in their province (another province administrator only at
    /// the province id itself); a unit administrator any role but province
    /// administrator at their own unit.
    pub fn may_grant(&self, target: &Assignment) -> bool {
        self.assignments().iter().any(|a| match a.role {
            StaffRole::ProvinceAdmin => {
                target.unit.as_str() == a.unit.as_str()
                    || (province_of(&target.unit) == a.unit.as_str()
                        && target.role != StaffRole::ProvinceAdmin)
            }
            StaffRole::UnitAdmin => {
                target.unit == a.unit && target.role != StaffRole::ProvinceAdmin
            }
            _ => false,
        })
    }

    /// Whether this person may change the settings of `province` (its
    /// working hours, days off, deadline policy and index): its province
    /// administrators.
    pub fn may_configure(&self, province: &str) -> bool {
        self.assignments()
            .iter()
            .any(|a| a.role == StaffRole::ProvinceAdmin && a.unit.as_str() == province)
    }

    /// The province whose settings this person may change, if any (the
    /// first one they administer).
    pub fn configured_province(&self) -> Option<&str> {
        self.assignments()
            .iter()
            .find(|a| a.role == StaffRole::ProvinceAdmin)
            .map(|a| a.unit.as_str())
            .filter(|p| self.may_configure(p))
    }

    /// Whether this person may run the audit of the event chains (province
    /// administrators and inspectors).
    pub fn may_audit(&self) -> bool {
        self.assignments()
            .iter()
            .any(|a| matches!(a.role, StaffRole::ProvinceAdmin | StaffRole::Inspector))
    }
}
