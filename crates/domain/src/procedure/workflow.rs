//! Quy trình nội bộ — the internal workflow template of a procedure: ordered
//! steps, who performs each, at which agency, and its budget in working
//! hours (quy trình nội bộ giải quyết TTHC, Decree 118/2025/NĐ-CP; the
//! control sheet, Mẫu 06 of Circular 03/2025/TT-VPCP, has one row per
//! hand-over between agencies).

use serde::{Deserialize, Serialize};
use std::fmt;

use super::error::ProcedureError;
use crate::dossier::Role;

/// Loại bước — the kind of a workflow step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Tiếp nhận — guide, check and receive at the Center (Mẫu 01).
    Receive,
    /// Chuyển hồ sơ — hand the dossier over to another agency (Mẫu 06 row).
    Transfer,
    /// Phân công — assign (leader → department head → officer).
    Assign,
    /// Thẩm định — appraise; may ask a supplement, find the dossier
    /// ineligible, or draft the result.
    Appraise,
    /// Xem xét — review by the department head; may send back.
    Review,
    /// Phê duyệt / ký — approve and sign (digital signature).
    Approve,
    /// Văn thư — number, register and issue the result.
    Clerical,
    /// Trả kết quả — return the result to the applicant. Its time does not
    /// count against the deadline, so its budget must be 0.
    Return,
    /// Cơ quan phối hợp (liên thông) — a leg performed by an external agency
    /// (tax office, police, social insurance…); completed when that agency
    /// hands the dossier on.
    External,
}

impl StepKind {
    pub const ALL: [StepKind; 9] = [
        StepKind::Receive,
        StepKind::Transfer,
        StepKind::Assign,
        StepKind::Appraise,
        StepKind::Review,
        StepKind::Approve,
        StepKind::Clerical,
        StepKind::Return,
        StepKind::External,
    ];

    /// The kind named by [`StepKind::as_str`].
    pub fn parse(s: &str) -> Option<StepKind> {
        StepKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Receive => "receive",
            StepKind::Transfer => "transfer",
            StepKind::Assign => "assign",
            StepKind::Appraise => "appraise",
            StepKind::Review => "review",
            StepKind::Approve => "approve",
            StepKind::Clerical => "clerical",
            StepKind::Return => "return",
            StepKind::External => "external",
        }
    }

    /// Roles that may perform a step of this kind.
    pub fn allowed_roles(self) -> &'static [Role] {
        match self {
            StepKind::Receive | StepKind::Return => &[Role::ReceivingOfficer],
            StepKind::Transfer => &[
                Role::ReceivingOfficer,
                Role::Specialist,
                Role::DepartmentHead,
                Role::Clerical,
                Role::System,
            ],
            StepKind::Assign => &[Role::Leader, Role::DepartmentHead],
            StepKind::Appraise => &[Role::Specialist, Role::DepartmentHead],
            StepKind::Review => &[Role::DepartmentHead, Role::Leader],
            StepKind::Approve => &[Role::Leader],
            StepKind::Clerical => &[Role::Clerical],
            StepKind::External => &[Role::Specialist, Role::System],
        }
    }

    /// Steps after which the dossier may be held by another agency: a
    /// transfer, an external leg (it hands on), and the clerical office
    /// (it dispatches the result to the Center for return).
    pub fn may_hand_over(self) -> bool {
        matches!(
            self,
            StepKind::Transfer | StepKind::External | StepKind::Clerical
        )
    }
}

impl fmt::Display for StepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Cơ quan thực hiện bước — which agency performs a step, relative to the
/// dossier: the receiving Center, the competent (resolving) agency, or an
/// external agency of a liên thông procedure named by key in the
/// procedure's `external_agencies`. Relative references make boundary-free
/// receipt work: the receiving Center and the competent unit are resolved
/// per dossier.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyRef {
    /// Trung tâm Phục vụ hành chính công nơi tiếp nhận.
    ReceivingCenter,
    /// Cơ quan có thẩm quyền giải quyết.
    Competent,
    /// Cơ quan phối hợp — key into the procedure's external agencies.
    External(String),
}

impl fmt::Display for AgencyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AgencyRef::ReceivingCenter => f.write_str("receiving_center"),
            AgencyRef::Competent => f.write_str("competent"),
            AgencyRef::External(k) => write!(f, "external:{k}"),
        }
    }
}

/// Bước quy trình — one step of the template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowStep {
    pub kind: StepKind,
    /// Vai trò thực hiện.
    pub role: Role,
    pub agency: AgencyRef,
    /// Thời gian (giờ làm việc) — budget in working hours (8 per day).
    pub budget_hours: u32,
    /// Tên bước — optional label, e.g. "Công chức Tư pháp – Hộ tịch thẩm định".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_vi: Option<String>,
}

/// Quy trình — a validated, ordered list of steps: the first is
/// [`StepKind::Receive`] at the receiving Center, the last is
/// [`StepKind::Return`] at the receiving Center with budget 0, receipt and
/// return occur nowhere else, each step's role is allowed for its kind, and
/// the agency changes only after a step that may hand over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<WorkflowStep>", into = "Vec<WorkflowStep>")]
pub struct Workflow(Vec<WorkflowStep>);

impl Workflow {
    /// Validates the structure (not the budget against a time limit: see
    /// [`super::Procedure`]).
    pub fn new(steps: Vec<WorkflowStep>) -> Result<Self, ProcedureError> {
        let (Some(first), Some(last)) = (steps.first(), steps.last()) else {
            return Err(ProcedureError::EmptyWorkflow);
        };
        if steps.len() < 2 {
            return Err(ProcedureError::EmptyWorkflow);
        }
        if first.kind != StepKind::Receive || first.agency != AgencyRef::ReceivingCenter {
            return Err(ProcedureError::FirstStepNotReceive);
        }
        if last.kind != StepKind::Return || last.agency != AgencyRef::ReceivingCenter {
            return Err(ProcedureError::LastStepNotReturn);
        }
        if last.budget_hours != 0 {
            return Err(ProcedureError::ReturnBudgetCounted);
        }
        let n = steps.len();
        for (i, s) in steps.iter().enumerate() {
            if s.kind == StepKind::Receive && i != 0 {
                return Err(ProcedureError::MisplacedStep {
                    index: i,
                    kind: s.kind,
                });
            }
            if s.kind == StepKind::Return && i != n - 1 {
                return Err(ProcedureError::MisplacedStep {
                    index: i,
                    kind: s.kind,
                });
            }
            if !s.kind.allowed_roles().contains(&s.role) {
                return Err(ProcedureError::RoleNotAllowed {
                    index: i,
                    kind: s.kind,
                    role: s.role,
                });
            }
            let external_agency = matches!(s.agency, AgencyRef::External(_));
            if (s.kind == StepKind::External) != external_agency {
                return Err(ProcedureError::ExternalStepMismatch { index: i });
            }
            if let AgencyRef::External(k) = &s.agency {
                if !is_key(k) {
                    return Err(ProcedureError::UnknownExternalAgency {
                        index: i,
                        key: k.clone(),
                    });
                }
            }
            if i > 0 {
                let prev = &steps[i - 1];
                if prev.agency != s.agency && !prev.kind.may_hand_over() {
                    return Err(ProcedureError::AgencyChangeWithoutHandOver { index: i });
                }
            }
        }
        Ok(Workflow(steps))
    }

    pub fn steps(&self) -> &[WorkflowStep] {
        &self.0
    }

    pub fn get(&self, index: usize) -> Option<&WorkflowStep> {
        self.0.get(index)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a workflow has at least a receive and a return step.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Index of the return step (the last).
    pub fn return_index(&self) -> usize {
        self.0.len().saturating_sub(1)
    }

    /// Sum of the budgets in working hours.
    pub fn total_budget_hours(&self) -> u64 {
        self.0.iter().map(|s| u64::from(s.budget_hours)).sum()
    }

    /// Liên thông: the dossier passes through at least one external agency.
    pub fn is_inter_agency(&self) -> bool {
        self.0.iter().any(|s| s.kind == StepKind::External)
    }

    /// Keys of the external agencies the steps refer to.
    pub fn external_keys(&self) -> impl Iterator<Item = (usize, &str)> {
        self.0
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match &s.agency {
                AgencyRef::External(k) => Some((i, k.as_str())),
                _ => None,
            })
    }
}

impl TryFrom<Vec<WorkflowStep>> for Workflow {
    type Error = ProcedureError;
    fn try_from(v: Vec<WorkflowStep>) -> Result<Self, Self::Error> {
        Workflow::new(v)
    }
}
impl From<Workflow> for Vec<WorkflowStep> {
    fn from(w: Workflow) -> Self {
        w.0
    }
}

/// Keys are lowercase ASCII identifiers: `[a-z0-9_]+`, at most 40 bytes.
pub(crate) fn is_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 40
        && k.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn step(kind: StepKind, role: Role, agency: AgencyRef, h: u32) -> WorkflowStep {
        WorkflowStep {
            kind,
            role,
            agency,
            budget_hours: h,
            label_vi: None,
        }
    }

    /// The 21-working-day example of domain.md: 4+4+112+24+16+8 = 168 h.
    pub(crate) fn standard_steps() -> Vec<WorkflowStep> {
        use AgencyRef::*;
        use StepKind::*;
        vec![
            step(Receive, Role::ReceivingOfficer, ReceivingCenter, 4),
            step(Transfer, Role::ReceivingOfficer, ReceivingCenter, 0),
            step(Assign, Role::DepartmentHead, Competent, 4),
            step(Appraise, Role::Specialist, Competent, 112),
            step(Review, Role::DepartmentHead, Competent, 24),
            step(Approve, Role::Leader, Competent, 16),
            step(Clerical, Role::Clerical, Competent, 8),
            step(Return, Role::ReceivingOfficer, ReceivingCenter, 0),
        ]
    }

    #[test]
    fn standard_is_valid() {
        let w = Workflow::new(standard_steps()).expect("valid");
        assert_eq!(w.total_budget_hours(), 168);
        assert!(!w.is_inter_agency());
        assert_eq!(w.return_index(), 7);
    }

    fn err(steps: Vec<WorkflowStep>) -> &'static str {
        Workflow::new(steps).expect_err("invalid").code()
    }

    #[test]
    fn structural_errors() {
        assert_eq!(err(vec![]), "empty_workflow");
        let mut s = standard_steps();
        s.remove(0);
        assert_eq!(err(s), "first_step_not_receive");
        let mut s = standard_steps();
        s.pop();
        assert_eq!(err(s), "last_step_not_return");
        let mut s = standard_steps();
        s[7].budget_hours = 2;
        assert_eq!(err(s), "return_budget_counted");
        let mut s = standard_steps();
        s[3].kind = StepKind::Receive;
        s[3].role = Role::ReceivingOfficer;
        assert_eq!(err(s), "misplaced_step");
        let mut s = standard_steps();
        s[5].role = Role::Specialist;
        assert_eq!(err(s), "role_not_allowed");
        // Competent → Center without a hand-over step.
        let mut s = standard_steps();
        s.remove(1);
        assert_eq!(err(s), "agency_change_without_hand_over");
        let mut s = standard_steps();
        s[3].agency = AgencyRef::External("tax".into());
        assert_eq!(err(s), "external_step_mismatch");
    }

    #[test]
    fn serde_round_trip_and_validation() {
        let w = Workflow::new(standard_steps()).expect("valid");
        let j = serde_json::to_string(&w).expect("ser");
        assert!(j.contains("\"kind\":\"receive\""));
        assert!(j.contains("\"agency\":\"receiving_center\""));
        let back: Workflow = serde_json::from_str(&j).expect("de");
        assert_eq!(back, w);
        assert!(serde_json::from_str::<Workflow>("[]").is_err());
    }
}
