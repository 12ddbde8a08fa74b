//! Quản lý tài khoản — which administrator manages which official's
//! account, and the account events every change leaves behind.
//!
//! The rule is the one [`Principal::may_grant`] states for a single role,
//! extended to a whole account: a unit administrator manages the accounts
//! whose every role is at their unit; a province administrator those whose
//! every role is in their province. An account is managed as a whole
//! (deactivation ends all its access), so an official who also holds a
//! role elsewhere is managed only by someone who reaches all their roles;
//! one role is revoked by whoever may grant it.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::dossier::UserId;

use super::principal::{Principal, Scope};
use super::role::{Assignment, StaffRole};

/// Why an administrator may not make an account change. Each has a stable
/// [`ManageRefusal::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManageRefusal {
    /// The account (or the role) is outside the administrator's unit or
    /// province, or the person is no administrator.
    #[error("the account is outside this administrator's unit or province")]
    OutOfReach,
    /// Administrators do not deactivate themselves or revoke their own
    /// roles (another administrator does), so that nobody locks a unit
    /// out of its own administration by mistake.
    #[error("administrators do not deactivate their own account or revoke their own roles")]
    OwnAccount,
    /// The official does not hold the role asked to be revoked.
    #[error("the official does not hold this role")]
    NotHeld,
    /// The last role is not revoked: an account without roles would be
    /// outside everyone's reach. Deactivate the account instead.
    #[error("the official's last role cannot be revoked; deactivate the account instead")]
    LastRole,
}

impl ManageRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            ManageRefusal::OutOfReach => "forbidden",
            ManageRefusal::OwnAccount => "own_account",
            ManageRefusal::NotHeld => "role_not_held",
            ManageRefusal::LastRole => "last_role",
        }
    }

    pub fn message_vi(&self) -> &'static str {
        match self {
            ManageRefusal::OutOfReach => "Bạn không có quyền quản lý tài khoản này.",
            ManageRefusal::OwnAccount => {
                "Quản trị viên không tự khóa tài khoản hay tự thu hồi vai trò của mình; hãy nhờ một quản trị viên khác."
            }
            ManageRefusal::NotHeld => "Cán bộ không được phân công vai trò này.",
            ManageRefusal::LastRole => {
                "Không thể thu hồi vai trò cuối cùng của cán bộ; hãy khóa tài khoản thay vì thu hồi."
            }
        }
    }
}

/// An account change an administrator asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountChange<'a> {
    /// Khóa tài khoản.
    Deactivate,
    /// Mở lại tài khoản.
    Reactivate,
    /// Thu hồi một vai trò.
    Revoke(&'a Assignment),
}

impl Principal {
    /// Whether this person administers accounts at all.
    pub fn is_administrator(&self) -> bool {
        self.assignments()
            .iter()
            .any(|a| matches!(a.role, StaffRole::UnitAdmin | StaffRole::ProvinceAdmin))
    }

    /// The accounts this person administers, as a scope over units: a
    /// unit administrator's units and a province administrator's
    /// provinces. Empty for everyone else.
    pub fn admin_scope(&self) -> Scope {
        let mut scope = Scope::default();
        for a in self.assignments() {
            match a.role {
                StaffRole::UnitAdmin => {
                    scope.units.insert(a.unit.clone());
                }
                StaffRole::ProvinceAdmin => {
                    scope.provinces.insert(a.unit.as_str().to_string());
                }
                _ => {}
            }
        }
        scope
    }

    /// Whether this person may read an account holding `target` (see it
    /// listed, read its events): they reach at least one of its roles.
    pub fn may_view_account(&self, target: &[Assignment]) -> bool {
        target.iter().any(|a| self.may_grant(a))
    }

    /// Whether this administrator manages the account holding `target` as
    /// a whole (deactivate, reactivate): it holds at least one role and
    /// they reach every one of them. Nobody manages their own account.
    pub fn may_manage(&self, target_user: &UserId, target: &[Assignment]) -> bool {
        self.check_account_change(target_user, target, AccountChange::Deactivate)
            .is_ok()
    }

    /// Whether this administrator may make `change` to the account of
    /// `target_user`, who holds `target`.
    pub fn check_account_change(
        &self,
        target_user: &UserId,
        target: &[Assignment],
        change: AccountChange<'_>,
    ) -> Result<(), ManageRefusal> {
        let reached = match change {
            AccountChange::Deactivate | AccountChange::Reactivate => {
                !target.is_empty() && target.iter().all(|a| self.may_grant(a))
            }
            AccountChange::Revoke(role) => self.may_grant(role),
        };
        if !reached {
            return Err(ManageRefusal::OutOfReach);
        }
        if self.user() == target_user {
            return Err(ManageRefusal::OwnAccount);
        }
        if let AccountChange::Revoke(role) = change {
            if !target.contains(role) {
                return Err(ManageRefusal::NotHeld);
            }
            let left: BTreeSet<&Assignment> = target.iter().filter(|a| *a != role).collect();
            if left.is_empty() {
                return Err(ManageRefusal::LastRole);
            }
        }
        Ok(())
    }
}

/// Sự kiện tài khoản — what happened to an official's account. Every
/// change is appended to the account's history, never edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountEventKind {
    /// Tạo tài khoản (with its first roles).
    Created,
    /// Phân công thêm vai trò.
    RolesGranted,
    /// Thu hồi vai trò.
    RoleRevoked,
    /// Khóa tài khoản.
    Deactivated,
    /// Mở lại tài khoản.
    Reactivated,
    /// Đổi mật khẩu.
    PasswordChanged,
}

impl AccountEventKind {
    pub const ALL: [AccountEventKind; 6] = [
        AccountEventKind::Created,
        AccountEventKind::RolesGranted,
        AccountEventKind::RoleRevoked,
        AccountEventKind::Deactivated,
        AccountEventKind::Reactivated,
        AccountEventKind::PasswordChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountEventKind::Created => "created",
            AccountEventKind::RolesGranted => "roles_granted",
            AccountEventKind::RoleRevoked => "role_revoked",
            AccountEventKind::Deactivated => "deactivated",
            AccountEventKind::Reactivated => "reactivated",
            AccountEventKind::PasswordChanged => "password_changed",
        }
    }

    pub fn parse(s: &str) -> Option<AccountEventKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            AccountEventKind::Created => "Tạo tài khoản",
            AccountEventKind::RolesGranted => "Phân công vai trò",
            AccountEventKind::RoleRevoked => "Thu hồi vai trò",
            AccountEventKind::Deactivated => "Khóa tài khoản",
            AccountEventKind::Reactivated => "Mở lại tài khoản",
            AccountEventKind::PasswordChanged => "Đổi mật khẩu",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            AccountEventKind::Created => "Account created",
            AccountEventKind::RolesGranted => "Roles granted",
            AccountEventKind::RoleRevoked => "Role revoked",
            AccountEventKind::Deactivated => "Account deactivated",
            AccountEventKind::Reactivated => "Account reactivated",
            AccountEventKind::PasswordChanged => "Password changed",
        }
    }
}

impl fmt::Display for AccountEventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::dossier::UnitId;

    fn unit(s: &str) -> UnitId {
        UnitId::parse(s).expect("unit")
    }
    fn assign(role: StaffRole, u: &str) -> Assignment {
        Assignment::new(role, unit(u)).expect("assignment")
    }
    fn official(name: &str, assignments: Vec<Assignment>) -> Principal {
        Principal::Official {
            user: UserId::parse(name).expect("user"),
            assignments,
        }
    }
    fn user(name: &str) -> UserId {
        UserId::parse(name).expect("user")
    }

    const A: &str = "04.01279";
    const B: &str = "04.01288";

    #[test]
    fn a_unit_administrator_manages_the_accounts_of_their_unit_only() {
        let admin = official("quantri.01279", vec![assign(StaffRole::UnitAdmin, A)]);
        let here = [assign(StaffRole::Specialist, A)];
        let there = [assign(StaffRole::Specialist, B)];
        let both = [
            assign(StaffRole::Specialist, A),
            assign(StaffRole::Specialist, B),
        ];
        assert!(admin.may_manage(&user("cv.a"), &here));
        assert!(!admin.may_manage(&user("cv.b"), &there));
        assert!(
            !admin.may_manage(&user("cv.ab"), &both),
            "not the whole account"
        );
        assert!(admin.may_view_account(&both), "but it is seen");
        assert!(!admin.may_view_account(&there));
        let revoke_a = assign(StaffRole::Specialist, A);
        assert_eq!(
            admin.check_account_change(&user("cv.ab"), &both, AccountChange::Revoke(&revoke_a)),
            Ok(()),
            "one role is revoked by whoever may grant it"
        );
        let revoke_b = assign(StaffRole::Specialist, B);
        assert_eq!(
            admin.check_account_change(&user("cv.ab"), &both, AccountChange::Revoke(&revoke_b)),
            Err(ManageRefusal::OutOfReach)
        );
        let province_admin = [assign(StaffRole::ProvinceAdmin, "04")];
        assert!(!admin.may_manage(&user("quantri.04"), &province_admin));
    }

    #[test]
    fn a_province_administrator_manages_the_province() {
        let admin = official("quantri.04", vec![assign(StaffRole::ProvinceAdmin, "04")]);
        let both = [
            assign(StaffRole::Specialist, A),
            assign(StaffRole::UnitAdmin, B),
        ];
        assert!(admin.may_manage(&user("cv.ab"), &both));
        assert!(admin.may_manage(
            &user("quantri2.04"),
            &[assign(StaffRole::ProvinceAdmin, "04")]
        ));
        assert!(!admin.may_manage(&user("cv.40"), &[assign(StaffRole::Specialist, "40.01279")]));
        let mixed = [
            assign(StaffRole::Specialist, A),
            assign(StaffRole::Specialist, "40.01279"),
        ];
        assert!(
            !admin.may_manage(&user("cv.mixed"), &mixed),
            "another province too"
        );
        assert_eq!(admin.admin_scope().provinces.len(), 1);
    }

    #[test]
    fn nobody_manages_themselves_an_empty_account_or_a_last_role() {
        let mine = vec![
            assign(StaffRole::UnitAdmin, A),
            assign(StaffRole::Specialist, A),
        ];
        let admin = official("quantri.01279", mine.clone());
        assert_eq!(
            admin.check_account_change(&user("quantri.01279"), &mine, AccountChange::Deactivate),
            Err(ManageRefusal::OwnAccount)
        );
        assert_eq!(
            admin.check_account_change(
                &user("quantri.01279"),
                &mine,
                AccountChange::Revoke(&mine[1])
            ),
            Err(ManageRefusal::OwnAccount)
        );
        assert!(
            !admin.may_manage(&user("empty"), &[]),
            "an account without roles"
        );
        let one = [assign(StaffRole::Clerical, A)];
        assert_eq!(
            admin.check_account_change(&user("vt.a"), &one, AccountChange::Revoke(&one[0])),
            Err(ManageRefusal::LastRole)
        );
        let other = assign(StaffRole::Leader, A);
        assert_eq!(
            admin.check_account_change(&user("vt.a"), &one, AccountChange::Revoke(&other)),
            Err(ManageRefusal::NotHeld)
        );
        let specialist = official("cv.a", vec![assign(StaffRole::Specialist, A)]);
        assert!(!specialist.is_administrator());
        assert!(!specialist.may_manage(&user("vt.a"), &one));
        assert!(specialist.admin_scope().is_empty());
    }

    #[test]
    fn event_kinds_round_trip() {
        for k in AccountEventKind::ALL {
            assert_eq!(AccountEventKind::parse(k.as_str()), Some(k));
            assert!(!k.label_vi().is_empty() && !k.label_en().is_empty());
        }
        assert_eq!(AccountEventKind::parse("deleted"), None);
    }

    const UNITS: [&str; 5] = ["04", "04.01279", "04.01288", "40", "40.01279"];

    fn any_assignment() -> impl Strategy<Value = Assignment> {
        (0..StaffRole::ALL.len(), 0..UNITS.len()).prop_filter_map("valid", |(r, u)| {
            Assignment::new(StaffRole::ALL[r], unit(UNITS[u])).ok()
        })
    }

    proptest! {
        /// Managing an account is exactly reaching every one of its roles
        /// (and not being its holder): the single-role grant rule is the
        /// only source of reach.
        #[test]
        fn managing_is_granting_every_role(
            admin in proptest::collection::vec(any_assignment(), 0..4),
            target in proptest::collection::vec(any_assignment(), 0..5),
            same_person in any::<bool>(),
        ) {
            let me = official("quantri", admin);
            let who = if same_person { user("quantri") } else { user("canbo") };
            let expected = !target.is_empty()
                && target.iter().all(|a| me.may_grant(a))
                && !same_person;
            prop_assert_eq!(me.may_manage(&who, &target), expected);
            if me.may_manage(&who, &target) {
                prop_assert!(me.may_view_account(&target));
                prop_assert!(me.is_administrator());
                for a in &target {
                    prop_assert!(me.admin_scope().covers_unit(&a.unit));
                }
            }
            for a in &target {
                let r = me.check_account_change(&who, &target, AccountChange::Revoke(a));
                if r.is_ok() {
                    prop_assert!(me.may_grant(a));
                    prop_assert!(target.iter().any(|b| b != a), "never the last role");
                }
            }
        }
    }
}
