//! Quyết định — the pure command handler: `decide(state, command, actor,
//! now)` returns the events to record, or a refusal with a stable code and
//! no events.
//!
//! Rules follow the one-stop flow of Decree 118/2025/NĐ-CP as guided by
//! Circular 03/2025/TT-VPCP (forms Mẫu 01–06): receipt at the Center
//! (accept / Mẫu 02 supplement / Mẫu 03 refusal), transfer, assign,
//! appraise, review, sign, clerical issue and return, with the workflow
//! template of the procedure deciding which step comes next, who performs
//! it and at which agency.

use chrono::{DateTime, Utc};

use super::code::UnitId;
use super::command::{AppraisalOutcome, Channel, Command, DocumentKind, NewDossier, ReturnWay};
use super::error::DossierError;
use super::event::{Event, EventData, Opened};
use super::role::{Actor, Role, UserId};
use super::state::{Dossier, DossierState};
use super::status::Status;
use super::time::{to_micros, vietnam_date};
use crate::procedure::{StepKind, WorkflowStep};

type Decision = Result<(EventData, Option<String>), DossierError>;

/// Roles that may ever issue a command (the first check). Step commands
/// are further restricted to the role of the current workflow step.
pub fn allowed_roles(cmd: &Command) -> &'static [Role] {
    use Role::*;
    match cmd {
        Command::SubmitOnline { .. } => &[Applicant, System],
        Command::ReceiveAtCounter { .. } | Command::Accept { .. } | Command::Refuse { .. } => {
            &[ReceivingOfficer]
        }
        Command::RequestSupplement { .. } => &[ReceivingOfficer, Specialist, DepartmentHead],
        Command::ProvideSupplement { .. } => &[Applicant, ReceivingOfficer, System],
        Command::Transfer { .. } => &[
            ReceivingOfficer,
            Specialist,
            DepartmentHead,
            Clerical,
            System,
        ],
        Command::Assign { .. } | Command::Reassign { .. } => &[Leader, DepartmentHead],
        Command::Appraise { .. } => &[Specialist, DepartmentHead],
        Command::ReviewOk | Command::SendBack { .. } => &[DepartmentHead, Leader],
        Command::Approve => &[Leader],
        Command::IssueResult { .. } => &[Clerical],
        Command::RequestPayment { .. } => &[ReceivingOfficer, Specialist, System],
        Command::ConfirmPayment { .. } => &[ReceivingOfficer, System],
        Command::NotifyLate { .. } => &[Leader],
        Command::Stop { .. } => &[Applicant, ReceivingOfficer],
        Command::Withdraw { .. } => &[Applicant, ReceivingOfficer],
        Command::ReturnResult { .. } => &[ReceivingOfficer, System],
        Command::Rate { .. } => &[Applicant, System],
        Command::AttachDocument { .. } => &[Applicant, ReceivingOfficer, Clerical, Leader, System],
        Command::ExtendLimit { .. } => &[Specialist, DepartmentHead],
        Command::RecordPostmark { .. } => &[ReceivingOfficer],
    }
}

/// Decides a command. Pure: `now` is an argument (truncated to
/// microseconds, the stored precision). On success the events are numbered
/// from `state.version`; on refusal nothing is produced.
pub fn decide(
    state: &DossierState,
    cmd: &Command,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<Event>, DossierError> {
    let now = to_micros(now);
    let name = cmd.name();
    if !allowed_roles(cmd).contains(&actor.role) {
        return Err(DossierError::ForbiddenRole {
            role: actor.role,
            command: name,
        });
    }
    super::limits::check(cmd)?;
    let (code, (data, reason)) = match &state.dossier {
        None => match cmd {
            Command::SubmitOnline { dossier } => {
                (dossier.code.clone(), open_online(dossier, actor, now)?)
            }
            Command::ReceiveAtCounter { dossier, by_post } => (
                dossier.code.clone(),
                open_counter(dossier, *by_post, actor, now)?,
            ),
            _ => return Err(DossierError::NoDossier),
        },
        Some(d) => (d.code.clone(), decide_on(d, cmd, actor, now)?),
    };
    Ok(vec![Event {
        dossier: code,
        seq: state.version,
        at: now,
        actor: actor.clone(),
        reason,
        data,
    }])
}

fn check_new(n: &NewDossier, now: DateTime<Utc>) -> Result<(), DossierError> {
    let date = vietnam_date(now);
    if n.code.date() != date {
        return Err(DossierError::CodeMismatch);
    }
    if !n.procedure.in_force_on(date) {
        return Err(DossierError::ProcedureNotInForce);
    }
    if n.code.unit() != &n.competent_unit && !n.procedure.boundary_free {
        return Err(DossierError::NotBoundaryFree);
    }
    if n.applicant.name.trim().is_empty() {
        return Err(DossierError::EmptyField {
            field: "applicant.name",
        });
    }
    if let Some(data) = &n.application_data {
        let checked = crate::procedure::form::validate(&n.procedure.form, data.values())
            .map_err(DossierError::InvalidApplicationData)?;
        if &checked != data {
            // Stored data is the validator's normal form, nothing else.
            return Err(DossierError::InvalidApplicationData(Vec::new()));
        }
    }
    Ok(())
}

fn opened(n: &NewDossier, channel: Channel) -> Opened {
    Opened {
        channel,
        procedure: n.procedure.clone(),
        receiving_unit: n.code.unit().clone(),
        competent_unit: n.competent_unit.clone(),
        applicant: n.applicant.clone(),
        documents: n.documents.clone(),
        application_data: n.application_data.clone(),
    }
}

fn open_online(n: &NewDossier, actor: &Actor, now: DateTime<Utc>) -> Decision {
    check_new(n, now)?;
    let mut o = opened(n, Channel::Online);
    if actor.role == Role::Applicant {
        if n.applicant.user.as_ref().is_some_and(|u| u != &actor.user) {
            return Err(DossierError::NotApplicant);
        }
        o.applicant.user = Some(actor.user.clone());
    }
    Ok((EventData::Submitted(o), None))
}

fn open_counter(n: &NewDossier, by_post: bool, actor: &Actor, now: DateTime<Utc>) -> Decision {
    staff_of(actor, n.code.unit(), "receive_at_counter")?;
    check_new(n, now)?;
    let channel = if by_post {
        Channel::Post
    } else {
        Channel::InPerson
    };
    Ok((EventData::Received(opened(n, channel)), None))
}

/// Whether Mẫu 04 (apology and new appointment) may be issued on `d` now,
/// whoever asks: for a dossier accepted and not yet returned, at risk or
/// late — its clock running or paused, or its result ready after its
/// appointment — and only once. Returns the appointment it replaces. The
/// official's page offers the notice on this answer; [`decide`] checks it
/// again with the actor.
pub fn late_notice_open(d: &Dossier) -> Result<DateTime<Utc>, DossierError> {
    const NAME: &str = "notify_late";
    status_in(
        d,
        &[
            Status::Accepted,
            Status::Processing,
            Status::AwaitingSupplement,
            Status::AwaitingPayment,
            Status::ResultReady,
        ],
        NAME,
    )?;
    let due = d.due.ok_or_else(|| illegal(d, NAME))?;
    if d.new_appointment.is_some() || d.counters.late_notices > 0 {
        return Err(DossierError::AlreadyRescheduled);
    }
    // A result ready after its appointment is still owed its apology (the
    // dossier was late); one ready in time is not.
    if let Some(result) = &d.result {
        if vietnam_date(result.issued_at) <= vietnam_date(due) {
            return Err(DossierError::ResultNotLate);
        }
    }
    Ok(due)
}

/// Whether the applicant may withdraw the dossier now, whoever records it:
/// open and no decision yet. The applicant's page offers the withdrawal on
/// this answer; [`decide`] checks it again with the actor.
pub fn withdrawal_open(d: &Dossier) -> Result<(), DossierError> {
    if d.status == Status::ResultReady {
        return Err(DossierError::DecisionExists);
    }
    status_in(
        d,
        &[
            Status::Submitted,
            Status::Accepted,
            Status::Processing,
            Status::AwaitingSupplement,
            Status::AwaitingPayment,
        ],
        "withdraw",
    )?;
    if d.decided_at.is_some() {
        return Err(DossierError::DecisionExists);
    }
    Ok(())
}

/// Whether processing may stop at the applicant's request (Mẫu 05), whoever
/// records it: accepted, and no decision yet. Before acceptance nothing is
/// processed (the applicant withdraws instead). The official's page offers
/// the stop on this answer; [`decide`] checks it again with the actor.
pub fn stop_open(d: &Dossier) -> Result<(), DossierError> {
    const NAME: &str = "stop";
    if d.decided_at.is_some() || d.status == Status::ResultReady {
        return Err(DossierError::DecisionExists);
    }
    status_in(
        d,
        &[
            Status::Accepted,
            Status::Processing,
            Status::AwaitingSupplement,
            Status::AwaitingPayment,
        ],
        NAME,
    )?;
    if d.accepted_at.is_none() {
        return Err(illegal(d, NAME));
    }
    Ok(())
}

/// Whether a head of the competent unit may move `d` to another official
/// now, whoever asks: open, in processing, and held by an assignee.
/// Returns that assignee. The official's page offers the reassignment on
/// this answer; [`decide`] checks it again with the actor.
pub fn reassign_open(d: &Dossier) -> Result<UserId, DossierError> {
    status_in(
        d,
        &[
            Status::Accepted,
            Status::Processing,
            Status::AwaitingSupplement,
            Status::AwaitingPayment,
        ],
        "reassign",
    )?;
    d.assignee.clone().ok_or(DossierError::NotAssigned)
}

fn illegal(d: &Dossier, command: &'static str) -> DossierError {
    DossierError::IllegalTransition {
        status: d.status,
        command,
    }
}

fn status_in(d: &Dossier, allowed: &[Status], command: &'static str) -> Result<(), DossierError> {
    if allowed.contains(&d.status) {
        Ok(())
    } else {
        Err(illegal(d, command))
    }
}

/// Staff must belong to `unit`; applicants and the system have no unit.
fn staff_of(actor: &Actor, unit: &UnitId, command: &'static str) -> Result<(), DossierError> {
    if actor.role.is_staff() && actor.unit.as_ref() != Some(unit) {
        Err(DossierError::WrongUnit { command })
    } else {
        Ok(())
    }
}

fn applicant_ok(d: &Dossier, actor: &Actor) -> Result<(), DossierError> {
    if actor.role == Role::Applicant && d.applicant.user.as_ref() != Some(&actor.user) {
        Err(DossierError::NotApplicant)
    } else {
        Ok(())
    }
}

fn reason(s: &str) -> Result<String, DossierError> {
    let t = s.trim();
    if t.is_empty() {
        Err(DossierError::MissingReason)
    } else {
        Ok(t.to_string())
    }
}

fn non_empty(s: &str, field: &'static str) -> Result<String, DossierError> {
    let t = s.trim();
    if t.is_empty() {
        Err(DossierError::EmptyField { field })
    } else {
        Ok(t.to_string())
    }
}

/// The current step, if the dossier is in processing (status 2 or 4) and
/// the step is of one of `kinds`.
fn expect_step<'a>(
    d: &'a Dossier,
    kinds: &[StepKind],
    command: &'static str,
) -> Result<&'a WorkflowStep, DossierError> {
    status_in(d, &[Status::Accepted, Status::Processing], command)?;
    let step = d.current_step().ok_or_else(|| illegal(d, command))?;
    if kinds.contains(&step.kind) {
        Ok(step)
    } else {
        Err(DossierError::WrongStep {
            command,
            current: step.kind,
            index: d.step,
        })
    }
}

/// The actor must have the step's role (the system may close external
/// legs) and, if staff, belong to the step's agency.
fn step_actor(
    d: &Dossier,
    step: &WorkflowStep,
    actor: &Actor,
    command: &'static str,
) -> Result<(), DossierError> {
    let system_on_external = step.kind == StepKind::External && actor.role == Role::System;
    if actor.role != step.role && !system_on_external {
        return Err(DossierError::ForbiddenRole {
            role: actor.role,
            command,
        });
    }
    match d.unit_of(&step.agency) {
        Some(unit) => staff_of(actor, unit, command),
        None => Ok(()),
    }
}

fn assignee_ok(d: &Dossier, actor: &Actor) -> Result<(), DossierError> {
    match &d.assignee {
        Some(a) if a != &actor.user => Err(DossierError::NotAssignee),
        _ => Ok(()),
    }
}

fn decide_on(d: &Dossier, cmd: &Command, actor: &Actor, now: DateTime<Utc>) -> Decision {
    let name = cmd.name();
    match cmd {
        Command::SubmitOnline { .. } | Command::ReceiveAtCounter { .. } => {
            Err(DossierError::AlreadyExists)
        }

        Command::Accept {
            appointment,
            pages_digitized,
        } => {
            status_in(d, &[Status::Submitted], name)?;
            staff_of(actor, &d.receiving_unit, name)?;
            let appointment = to_micros(*appointment);
            // A postal dossier's deadline runs from its postmark, so its
            // appointment may already have passed when it is accepted.
            if appointment < now && d.postmark.is_none() {
                return Err(DossierError::AppointmentInPast);
            }
            Ok((
                EventData::Accepted {
                    appointment,
                    pages_digitized: *pages_digitized,
                },
                None,
            ))
        }

        Command::RequestSupplement {
            reason: r,
            documents,
        } => {
            match d.status {
                Status::Submitted => {
                    if actor.role != Role::ReceivingOfficer {
                        return Err(DossierError::ForbiddenRole {
                            role: actor.role,
                            command: name,
                        });
                    }
                    staff_of(actor, &d.receiving_unit, name)?;
                }
                Status::Accepted | Status::Processing => {
                    let step = expect_step(d, &[StepKind::Appraise], name)?;
                    step_actor(d, step, actor, name)?;
                    assignee_ok(d, actor)?;
                }
                _ => return Err(illegal(d, name)),
            }
            let r = reason(r)?;
            Ok((
                EventData::SupplementRequested {
                    documents: documents.clone(),
                },
                Some(r),
            ))
        }

        Command::Refuse { reason: r } => {
            let before_acceptance = d.status == Status::Submitted
                || (d.status == Status::AwaitingSupplement
                    && d.resume_to == Some(Status::Submitted));
            if !before_acceptance {
                return Err(illegal(d, name));
            }
            staff_of(actor, &d.receiving_unit, name)?;
            Ok((EventData::Refused {}, Some(reason(r)?)))
        }

        Command::ProvideSupplement {
            documents,
            appointment,
        } => {
            status_in(d, &[Status::AwaitingSupplement], name)?;
            applicant_ok(d, actor)?;
            staff_of(actor, &d.receiving_unit, name)?;
            // Mẫu 02 asks for documents: the supplement is a new one.
            if d.supplement_documents().next().is_none() {
                return Err(DossierError::SupplementWithoutDocument);
            }
            let appointment = appointment.map(to_micros);
            if let Some(a) = appointment {
                if d.accepted_at.is_none() {
                    return Err(DossierError::UnexpectedAppointment);
                }
                if a < now {
                    return Err(DossierError::AppointmentInPast);
                }
            }
            Ok((
                EventData::SupplementProvided {
                    documents: documents.clone(),
                    appointment,
                },
                None,
            ))
        }

        Command::Transfer { to } => {
            let step = expect_step(d, &[StepKind::Transfer, StepKind::External], name)?;
            step_actor(d, step, actor, name)?;
            let next = d
                .procedure
                .workflow
                .get(d.step + 1)
                .ok_or_else(|| illegal(d, name))?;
            if &next.agency != to {
                return Err(DossierError::WrongAgency {
                    expected: next.agency.clone(),
                    got: to.clone(),
                });
            }
            Ok((
                EventData::Transferred {
                    step: d.step,
                    from: d.holder.clone(),
                    to: to.clone(),
                },
                None,
            ))
        }

        Command::Assign { assignee } => {
            let step = expect_step(d, &[StepKind::Assign], name)?;
            step_actor(d, step, actor, name)?;
            Ok((
                EventData::Assigned {
                    step: d.step,
                    assignee: assignee.clone(),
                },
                None,
            ))
        }

        Command::Reassign {
            assignee,
            reason: r,
        } => {
            let why = reason(r)?;
            staff_of(actor, &d.competent_unit, name)?;
            let from = reassign_open(d)?;
            if &from == assignee {
                return Err(DossierError::SameAssignee);
            }
            Ok((
                EventData::Reassigned {
                    step: d.step,
                    from,
                    to: assignee.clone(),
                },
                Some(why),
            ))
        }

        Command::Appraise { outcome } => {
            let step = expect_step(d, &[StepKind::Appraise], name)?;
            step_actor(d, step, actor, name)?;
            assignee_ok(d, actor)?;
            let (eligible, why) = match outcome {
                AppraisalOutcome::Eligible => (true, None),
                AppraisalOutcome::Ineligible { reason: r } => (false, Some(reason(r)?)),
            };
            Ok((
                EventData::Appraised {
                    step: d.step,
                    eligible,
                },
                why,
            ))
        }

        Command::ReviewOk => {
            let step = expect_step(d, &[StepKind::Review], name)?;
            step_actor(d, step, actor, name)?;
            Ok((EventData::Reviewed { step: d.step }, None))
        }

        Command::SendBack { reason: r } => {
            let step = expect_step(d, &[StepKind::Review, StepKind::Approve], name)?;
            step_actor(d, step, actor, name)?;
            let r = reason(r)?;
            let to_step = d.procedure.workflow.steps()[..d.step.min(d.procedure.workflow.len())]
                .iter()
                .rposition(|s| s.kind == StepKind::Appraise)
                .ok_or(DossierError::NoStepToSendBack)?;
            Ok((
                EventData::SentBack {
                    from_step: d.step,
                    to_step,
                },
                Some(r),
            ))
        }

        Command::Approve => {
            let step = expect_step(d, &[StepKind::Approve], name)?;
            step_actor(d, step, actor, name)?;
            Ok((EventData::Approved { step: d.step }, None))
        }

        Command::IssueResult { number, register } => {
            let step = expect_step(d, &[StepKind::Clerical], name)?;
            step_actor(d, step, actor, name)?;
            Ok((
                EventData::ResultIssued {
                    step: d.step,
                    number: non_empty(number, "number")?,
                    register: non_empty(register, "register")?,
                },
                None,
            ))
        }

        Command::RequestPayment {
            amount_vnd,
            description,
        } => {
            status_in(
                d,
                &[Status::Accepted, Status::Processing, Status::ResultReady],
                name,
            )?;
            match actor.role {
                Role::Specialist => staff_of(actor, &d.competent_unit, name)?,
                _ => staff_of(actor, &d.receiving_unit, name)?,
            }
            if *amount_vnd == 0 {
                return Err(DossierError::InvalidAmount);
            }
            Ok((
                EventData::PaymentRequested {
                    amount_vnd: *amount_vnd,
                    description: non_empty(description, "description")?,
                },
                None,
            ))
        }

        Command::ConfirmPayment {
            amount_vnd,
            receipt,
            appointment,
        } => {
            status_in(d, &[Status::AwaitingPayment], name)?;
            staff_of(actor, &d.receiving_unit, name)?;
            let requested = d.payment.as_ref().map_or(0, |p| p.amount_vnd);
            if *amount_vnd != requested {
                return Err(DossierError::PaymentMismatch {
                    requested,
                    paid: *amount_vnd,
                });
            }
            Ok((
                EventData::PaymentConfirmed {
                    amount_vnd: *amount_vnd,
                    receipt: non_empty(receipt, "receipt")?,
                    appointment: appointment.map(to_micros),
                },
                None,
            ))
        }

        Command::NotifyLate {
            reason: r,
            new_appointment,
        } => {
            let due = late_notice_open(d)?;
            staff_of(actor, &d.competent_unit, name)?;
            let r = reason(r)?;
            let new_appointment = to_micros(*new_appointment);
            if new_appointment <= due {
                return Err(DossierError::AppointmentNotLater);
            }
            if new_appointment <= now {
                return Err(DossierError::AppointmentInPast);
            }
            Ok((
                EventData::LateNotified {
                    original_appointment: due,
                    new_appointment,
                },
                Some(r),
            ))
        }

        Command::Withdraw { reason: r } => {
            withdrawal_open(d)?;
            applicant_ok(d, actor)?;
            staff_of(actor, &d.receiving_unit, name)?;
            let r = r.as_deref().map(str::trim).filter(|s| !s.is_empty());
            Ok((EventData::Withdrawn {}, r.map(str::to_string)))
        }

        Command::Stop { reason: r } => {
            stop_open(d)?;
            applicant_ok(d, actor)?;
            staff_of(actor, &d.receiving_unit, name)?;
            Ok((EventData::Stopped {}, Some(reason(r)?)))
        }

        Command::ReturnResult { way } => {
            status_in(d, &[Status::ResultReady], name)?;
            if actor.role == Role::System && d.channel != Channel::Online {
                return Err(DossierError::ForbiddenRole {
                    role: actor.role,
                    command: name,
                });
            }
            staff_of(actor, &d.receiving_unit, name)?;
            // An online return hands over the electronic result: its file
            // must be attached for the applicant to download.
            if *way == ReturnWay::Online
                && !d
                    .documents
                    .iter()
                    .any(|a| a.document.kind == DocumentKind::Result)
            {
                return Err(DossierError::ResultFileMissing);
            }
            Ok((EventData::ResultReturned { way: *way }, None))
        }

        Command::AttachDocument { document } => {
            if !document.is_valid_hash() {
                return Err(DossierError::EmptyField {
                    field: "document.sha256",
                });
            }
            if document.size == 0 || document.name.trim().is_empty() {
                return Err(DossierError::EmptyField { field: "document" });
            }
            match document.kind {
                DocumentKind::Component => {
                    status_in(d, &[Status::Submitted, Status::AwaitingSupplement], name)?;
                    if !matches!(
                        actor.role,
                        Role::Applicant | Role::ReceivingOfficer | Role::System
                    ) {
                        return Err(DossierError::ForbiddenRole {
                            role: actor.role,
                            command: name,
                        });
                    }
                    applicant_ok(d, actor)?;
                    staff_of(actor, &d.receiving_unit, name)?;
                }
                DocumentKind::Digitized => {
                    if d.status.is_final() {
                        return Err(illegal(d, name));
                    }
                    if actor.role != Role::ReceivingOfficer {
                        return Err(DossierError::ForbiddenRole {
                            role: actor.role,
                            command: name,
                        });
                    }
                    staff_of(actor, &d.receiving_unit, name)?;
                }
                DocumentKind::Result => {
                    status_in(d, &[Status::Processing, Status::ResultReady], name)?;
                    if !matches!(actor.role, Role::Clerical | Role::Leader) {
                        return Err(DossierError::ForbiddenRole {
                            role: actor.role,
                            command: name,
                        });
                    }
                    staff_of(actor, &d.competent_unit, name)?;
                }
            }
            Ok((
                EventData::DocumentAttached {
                    document: document.clone(),
                },
                None,
            ))
        }

        Command::ExtendLimit {
            extension,
            reason: r,
            appointment,
        } => {
            status_in(
                d,
                &[
                    Status::Accepted,
                    Status::Processing,
                    Status::AwaitingSupplement,
                    Status::AwaitingPayment,
                ],
                name,
            )?;
            staff_of(actor, &d.competent_unit, name)?;
            if d.procedure.extensions.get(*extension).is_none() {
                return Err(DossierError::NoSuchExtension { index: *extension });
            }
            if d.limit_extension.is_some() {
                return Err(DossierError::AlreadyExtended);
            }
            let r = reason(r)?;
            let original = d.original_due.ok_or_else(|| illegal(d, name))?;
            let appointment = to_micros(*appointment);
            if appointment <= original {
                return Err(DossierError::AppointmentNotLater);
            }
            Ok((
                EventData::LimitExtended {
                    extension: *extension,
                    original_appointment: original,
                    appointment,
                },
                Some(r),
            ))
        }

        Command::RecordPostmark { date } => {
            status_in(d, &[Status::Submitted], name)?;
            staff_of(actor, &d.receiving_unit, name)?;
            if d.channel != Channel::Post {
                return Err(DossierError::NotPostal);
            }
            if *date > vietnam_date(now) {
                return Err(DossierError::PostmarkInFuture);
            }
            Ok((EventData::PostmarkRecorded { date: *date }, None))
        }

        Command::Rate { rating, comment } => {
            status_in(d, &[Status::ResultReturned], name)?;
            if d.rating.is_some() {
                return Err(DossierError::AlreadyRated);
            }
            applicant_ok(d, actor)?;
            let comment = comment
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            Ok((
                EventData::Rated {
                    rating: *rating,
                    comment,
                },
                None,
            ))
        }
    }
}
