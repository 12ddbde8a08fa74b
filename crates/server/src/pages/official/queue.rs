//! The work queue of the official's acting role at its unit, and the
//! read-only list of inspectors and administrators.

use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use motcua_domain::dossier::Role;
use motcua_domain::dossier::UnitId;
use motcua_domain::procedure::StepKind;
use motcua_store::{ApologyQuery, DossierFilter, DossierSummary, QueueQuery};
use serde::Deserialize;

use super::{auth_actor, choice_query, login_to, official, role_text, RoleChoice};
use crate::auth::session::{self, MaybeSession};
use crate::auth::AuthContext;
use crate::pages::ui::{now, when, when_opt, Ctx, Lang};
use crate::pages::{render, PageError};
use crate::AppState;
use askama::Template;

pub struct QueueRow {
    code: String,
    procedure: String,
    applicant: String,
    status: &'static str,
    /// The current step, e.g. "Phê duyệt, ký".
    step: &'static str,
    submitted_at: String,
    due: String,
    overdue: bool,
    /// The apology (Mẫu 04) it owes is due today or late: the flag's text.
    apology: &'static str,
    /// At an assignment step: may be chosen for the bulk assignment.
    assignable: bool,
}

impl QueueRow {
    /// The row of `d`, whose current step reads `step`.
    fn of(
        state: &AppState,
        l: Lang,
        d: DossierSummary,
        now: chrono::DateTime<chrono::Utc>,
        step: &'static str,
    ) -> QueueRow {
        QueueRow {
            apology: apology_flag(state, l, &d, now),
            overdue: d.status.overdue(d.due, now),
            assignable: d.step_kind == Some(StepKind::Assign),
            status: l.t(d.status.label_vi(), d.status.label_en()),
            submitted_at: when(&d.submitted_at),
            due: when_opt(d.due.as_ref()),
            code: d.code.to_string(),
            procedure: d.procedure_name,
            applicant: d.applicant_name,
            step,
        }
    }
}

pub struct RoleLink {
    label: String,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    c: Ctx,
    /// Keeps the chosen role on the dossier links.
    suffix: String,
    choices: Vec<RoleLink>,
    /// The page's heading: what this role's queue waits for.
    heading: &'static str,
    role: String,
    unit: String,
    vai_tro: String,
    don_vi: String,
    /// Filters by step kind (`?buoc=`), with their counts.
    steps: Vec<RoleLink>,
    rows: Vec<QueueRow>,
    overdue: usize,
    /// A leader's list of the unit's dossiers whose apology (Mẫu 04) is due
    /// today or late, wherever they stand in the workflow.
    apologies: Vec<QueueRow>,
    /// An inspector's (or administrator's) list: no action at all.
    read_only: bool,
    /// A department head's or leader's queue with dossiers to assign.
    can_assign: bool,
    /// Whom the bulk assignment may pick ([`super::assign::specialists`]).
    assignees: Vec<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct StepFilter {
    buoc: Option<String>,
}

/// What a role's queue waits for.
fn queue_heading(l: Lang, r: Role) -> &'static str {
    match r {
        Role::ReceivingOfficer => l.t(
            "Hồ sơ chờ tiếp nhận, chuyển và trả kết quả",
            "Dossiers to receive, hand over and return",
        ),
        Role::Specialist => l.t("Hồ sơ chờ thẩm định", "Dossiers to appraise"),
        Role::DepartmentHead => l.t(
            "Hồ sơ chờ phân công, xem xét",
            "Dossiers to assign and review",
        ),
        Role::Leader => l.t("Hồ sơ chờ phê duyệt, ký", "Dossiers awaiting approval"),
        Role::Clerical => l.t(
            "Hồ sơ chờ vào sổ, phát hành",
            "Dossiers to register and issue",
        ),
        Role::Applicant | Role::System => l.t("Hồ sơ cần xử lý", "Work queue"),
    }
}

fn step_text(l: Lang, k: StepKind) -> &'static str {
    match k {
        StepKind::Receive => l.t("Tiếp nhận", "Receipt"),
        StepKind::Transfer => l.t("Chuyển hồ sơ", "Hand-over"),
        StepKind::Assign => l.t("Phân công", "Assignment"),
        StepKind::Appraise => l.t("Thẩm định", "Appraisal"),
        StepKind::Review => l.t("Xem xét", "Review"),
        StepKind::Approve => l.t("Phê duyệt, ký", "Approval"),
        StepKind::Clerical => l.t("Vào sổ, phát hành", "Issue"),
        StepKind::Return => l.t("Trả kết quả", "Return"),
        StepKind::External => l.t("Liên thông", "Other agency"),
    }
}

/// `/can-bo?vai_tro=&don_vi=&buoc=`: the work queue of the official's
/// acting role at its unit, overdue first, then due soonest; optionally
/// only the dossiers at one kind of step (the leader's approval queue is
/// `buoc=approve`). An official who holds no acting role (inspector,
/// administrator) gets the read-only list of the dossiers in their scope.
pub async fn queue(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    uri: Uri,
    Query(choice): Query<RoleChoice>,
    Query(filter): Query<StepFilter>,
) -> Result<Response, PageError> {
    let Some(s) = official(&session) else {
        return Ok(login_to(&uri.to_string()));
    };
    let read_only = !s.principal.assignments().is_empty()
        && s.principal
            .assignments()
            .iter()
            .all(|a| a.role.acting_role().is_none());
    if read_only {
        return read_only_queue(&state, l, session, &s).await;
    }
    let actor = auth_actor(&s, &choice)?;
    let suffix = choice_query(&actor);
    let choices: Vec<RoleLink> = s
        .principal
        .assignments()
        .iter()
        .filter_map(|a| a.role.acting_role().map(|r| (r, &a.unit)))
        .map(|(r, u)| RoleLink {
            label: format!("{} · {u}", role_text(l, r)),
            href: format!("/can-bo?vai_tro={}&don_vi={u}", r.as_str()),
            current: r == actor.role && Some(u) == actor.unit.as_ref(),
        })
        .collect();
    let Some(unit) = actor.unit.clone() else {
        return Err(PageError(session::forbidden()));
    };
    let found = state
        .store
        .queue(&QueueQuery {
            unit: unit.clone(),
            role: actor.role,
            assignee: None,
            limit: 200,
        })
        .await?;
    let now = now();
    let mut rows = Vec::with_capacity(found.len());
    let mut kinds: Vec<(StepKind, usize)> = Vec::new();
    let wanted = filter.buoc.as_deref().filter(|b| !b.is_empty());
    for d in found {
        let kind = d.step_kind;
        if let Some(k) = kind {
            match kinds.iter_mut().find(|(x, _)| *x == k) {
                Some((_, n)) => *n += 1,
                None => kinds.push((k, 1)),
            }
        }
        if wanted.is_some_and(|w| kind.map(StepKind::as_str) != Some(w)) {
            continue;
        }
        let step = kind.map(|k| step_text(l, k)).unwrap_or("");
        rows.push(QueueRow::of(&state, l, d, now, step));
    }
    let overdue = rows.iter().filter(|r| r.overdue).count();
    let mut steps = Vec::new();
    if kinds.len() > 1 || wanted.is_some() {
        let total: usize = kinds.iter().map(|(_, n)| n).sum();
        steps.push(RoleLink {
            label: format!("{} ({total})", l.t("Tất cả", "All")),
            href: format!("/can-bo{suffix}"),
            current: wanted.is_none(),
        });
        for (k, n) in &kinds {
            steps.push(RoleLink {
                label: format!("{} ({n})", step_text(l, *k)),
                href: format!("/can-bo{suffix}&buoc={}", k.as_str()),
                current: wanted == Some(k.as_str()),
            });
        }
    }
    let can_assign = matches!(actor.role, Role::DepartmentHead | Role::Leader)
        && rows.iter().any(|r| r.assignable);
    let assignees = if can_assign {
        super::assign::specialists(&state, &unit).await?
    } else {
        Vec::new()
    };
    let apologies = if actor.role == Role::Leader {
        apologies_due(&state, l, &unit, now).await?
    } else {
        Vec::new()
    };
    Ok(render(&QueuePage {
        c: Ctx::new(l, "/can-bo", session),
        suffix,
        choices,
        heading: queue_heading(l, actor.role),
        role: role_text(l, actor.role),
        unit: unit.to_string(),
        vai_tro: actor.role.as_str().to_string(),
        don_vi: unit.to_string(),
        steps,
        rows,
        overdue,
        apologies,
        read_only: false,
        can_assign,
        assignees,
    }))
}

/// The flag of a dossier whose owed apology (Mẫu 04) is due today or late
/// ([`motcua_engine::Engine::apology`], with the submission standing for
/// the receipt: the queue's rows carry no acceptance time); empty otherwise.
fn apology_flag(
    state: &AppState,
    l: Lang,
    d: &DossierSummary,
    now: chrono::DateTime<chrono::Utc>,
) -> &'static str {
    state
        .engine
        .apology(
            &d.competent_unit,
            d.status,
            d.rescheduled,
            d.submitted_at,
            d.due,
            now,
        )
        .map(|(_, standing)| standing)
        .filter(|s| s.is_flagged())
        .map_or("", |s| l.t(s.label_vi(), s.label_en()))
}

/// The competent unit's dossiers whose apology (Mẫu 04) is due today or
/// late, soonest appointment first: what the leader, who issues it, must
/// see on opening the workspace, wherever the dossier stands.
async fn apologies_due(
    state: &AppState,
    l: Lang,
    unit: &UnitId,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<QueueRow>, PageError> {
    // The read is bounded generously (the lead time in working days, plus
    // weekends and the longest holiday break); each row is judged exactly.
    let lead = i64::from(
        state
            .engine
            .rules_for(unit, motcua_domain::dossier::vietnam_date(now))
            .policy()
            .apology_lead_working_days,
    );
    let found = state
        .store
        .apologies_owed(&ApologyQuery {
            unit: unit.clone(),
            due_before: now + chrono::TimeDelta::days(2 * lead + 16),
            limit: 200,
        })
        .await?;
    Ok(found
        .into_iter()
        .map(|d| {
            let step = d.step_kind.map(|k| step_text(l, k)).unwrap_or("");
            let row = QueueRow::of(state, l, d, now, step);
            // Listed for the apology, not for the bulk assignment.
            QueueRow {
                assignable: false,
                ..row
            }
        })
        .filter(|r| !r.apology.is_empty())
        .collect())
}

/// The list of an official who only reads (inspector, administrator): the
/// dossiers of their scope still in process, overdue first; no action.
async fn read_only_queue(
    state: &AppState,
    l: Lang,
    session: MaybeSession,
    s: &AuthContext,
) -> Result<Response, PageError> {
    let filter = DossierFilter {
        limit: 500,
        ..DossierFilter::default()
    };
    let mut found = state
        .store
        .search_in_scope(&filter, &s.principal.scope())
        .await?;
    found.retain(|d| !d.status.is_final());
    let now = now();
    found.sort_by_key(|d| {
        (
            d.due.is_none_or(|due| due >= now),
            d.due.is_none(),
            d.due,
            d.code.to_string(),
        )
    });
    let rows: Vec<QueueRow> = found
        .into_iter()
        .take(200)
        .map(|d| {
            let step = d
                .step_role
                .map(|r| match r {
                    Role::ReceivingOfficer => l.t("Trung tâm", "Center"),
                    Role::Specialist => l.t("Chuyên viên", "Specialist"),
                    Role::DepartmentHead => l.t("Lãnh đạo phòng", "Department head"),
                    Role::Leader => l.t("Lãnh đạo đơn vị", "Leader"),
                    Role::Clerical => l.t("Văn thư", "Clerical office"),
                    Role::Applicant | Role::System => "",
                })
                .unwrap_or("");
            // A read-only list: nothing to choose.
            QueueRow {
                assignable: false,
                ..QueueRow::of(state, l, d, now, step)
            }
        })
        .collect();
    let overdue = rows.iter().filter(|r| r.overdue).count();
    let roles: Vec<String> = s
        .principal
        .assignments()
        .iter()
        .map(|a| match l {
            Lang::Vi => format!("{} · {}", a.role.label_vi(), a.unit),
            Lang::En => format!("{} · {}", a.role.as_str().replace('_', " "), a.unit),
        })
        .collect();
    Ok(render(&QueuePage {
        c: Ctx::new(l, "/can-bo", session),
        suffix: String::new(),
        choices: Vec::new(),
        heading: l.t(
            "Hồ sơ đang giải quyết (chỉ xem)",
            "Dossiers in process (read only)",
        ),
        role: roles.join("; "),
        unit: String::new(),
        vai_tro: String::new(),
        don_vi: String::new(),
        steps: Vec::new(),
        rows,
        overdue,
        apologies: Vec::new(),
        read_only: true,
        can_assign: false,
        assignees: Vec::new(),
    }))
}
