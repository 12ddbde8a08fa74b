//! The one-stop engine (một cửa): the application services that the HTTP
//! server and the CLI share. It turns officials' and applicants' actions
//! into domain commands — computing appointments from the working
//! calendar — executes them through the store (where the pure domain
//! decides, atomically), and builds the read models: the dossier view with
//! its deadline, the control sheet (Mẫu 06), work queues and the audit.

mod accounts;
mod action;
mod appointments;
mod audit;
pub mod demo;
mod documents;
mod error;
mod schedule;
pub mod settings;
mod view;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use motcua_domain::calendar::{DeadlinePolicy, WorkingCalendar};
use motcua_domain::dossier::{Actor, Applicant, DossierCode, ReceivedDocument, UnitId};
use motcua_domain::procedure::ProcedureCode;
use motcua_store::blobs::{BlobStore, PendingBlob};
use motcua_store::{
    Applied, CommandRequest, Contact, IdempotencyKey, Intake, OpenDossier, Store, Target,
};
use serde::{Deserialize, Serialize};

pub use accounts::AccountError;
pub use action::Action;
pub use appointments::Holder;
pub use audit::{AuditReport, BrokenChain};
pub use documents::{Upload, ACCEPTED_MEDIA_TYPES, MAX_DOCUMENT_BYTES};
pub use error::EngineError;
pub use schedule::AppliedLimit;
pub use view::{ControlSheetRow, DeadlineView, DossierView};

/// The engine: the store, the working calendar and the deadline policy.
#[derive(Clone)]
pub struct Engine {
    store: Arc<dyn Store>,
    blobs: Arc<dyn BlobStore>,
    /// The province settings in force by date (working calendar, deadline
    /// policy, index), see [`settings`].
    settings: Arc<settings::SettingsCache>,
    /// The unit registry, against which application data's communes are
    /// checked (none: only their form is checked).
    units: Option<Arc<motcua_domain::units::Registry>>,
}

/// A dossier as submitted online or received at a counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    pub procedure: ProcedureCode,
    pub intake: Intake,
    /// Đơn vị tiếp nhận — the Center that receives it.
    pub receiving_unit: UnitId,
    /// Đơn vị có thẩm quyền — defaults to the receiving unit; another unit
    /// of the province for boundary-free receipt.
    #[serde(default)]
    pub competent_unit: Option<UnitId>,
    pub applicant: Applicant,
    #[serde(default)]
    pub documents: Vec<ReceivedDocument>,
    /// Where to send the applicant's notifications (e-mail, phone), kept
    /// out of the event log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// Tờ khai — the application data as typed, by field key (see
    /// [`motcua_domain::procedure::form`]); checked against the procedure's
    /// form and the unit registry's communes by [`Engine::submit`]'s
    /// caller through [`check_application`], and by the decider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_data: Option<std::collections::BTreeMap<String, String>>,
}

/// What the client asked for, as it asked: the request an
/// `Idempotency-Key` is bound to. Nothing the engine derives from it (the
/// appointment, the version it pins, the procedure snapshot) is part of it,
/// so a retry after a lost response is the same request.
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum ClientRequest<'a> {
    Submit(&'a Submission, &'a Actor),
    Act {
        code: &'a DossierCode,
        expected_version: Option<u64>,
        action: &'a Action,
        actor: &'a Actor,
    },
}

impl Engine {
    /// An engine over `store` and `blobs` with the shipped holiday
    /// calendar and the default policy.
    pub fn new(store: Arc<dyn Store>, blobs: Arc<dyn BlobStore>) -> Result<Self, EngineError> {
        Ok(Engine {
            store,
            blobs,
            settings: Arc::new(settings::SettingsCache::shipped()?),
            units: None,
        })
    }

    /// An engine whose every province uses `calendar` and `policy` (tests
    /// and benchmarks); adopted settings still apply on top.
    pub fn with(
        store: Arc<dyn Store>,
        blobs: Arc<dyn BlobStore>,
        calendar: WorkingCalendar,
        policy: DeadlinePolicy,
    ) -> Self {
        Engine {
            store,
            blobs,
            settings: Arc::new(settings::SettingsCache::with_base(
                motcua_domain::settings::Rules::from_parts(calendar, policy),
            )),
            units: None,
        }
    }

    /// Checks application data's communes against `registry`.
    pub fn with_units(mut self, registry: Arc<motcua_domain::units::Registry>) -> Self {
        self.units = Some(registry);
        self
    }

    /// The application data as typed, checked against the procedure's form
    /// and (with a registry) its communes against the communes in force of
    /// the receiving unit's province: the normal form, or every field's
    /// error.
    pub fn check_application(
        &self,
        form: &motcua_domain::procedure::FormSchema,
        values: &std::collections::BTreeMap<String, String>,
        receiving_unit: &UnitId,
        today: chrono::NaiveDate,
    ) -> Result<motcua_domain::procedure::ApplicationData, EngineError> {
        use motcua_domain::procedure::form;
        let data = form::validate(form, values).map_err(EngineError::InvalidApplicationData)?;
        if let Some(registry) = &self.units {
            let province = receiving_unit.province_code();
            let province = (province.len() == 2 && province.bytes().all(|b| b.is_ascii_digit()))
                .then_some(province);
            let errors = form::check_units(form, &data, registry, today, province);
            if !errors.is_empty() {
                return Err(EngineError::InvalidApplicationData(errors));
            }
        }
        Ok(data)
    }

    /// A competent unit other than the receiving Center's must be its
    /// province, or (a boundary-free receipt) a commune of the same
    /// province in force `today` in the registry when it is loaded. Whether the procedure
    /// allows it at all is the decider's rule.
    pub fn check_competent_unit(
        &self,
        competent: &UnitId,
        receiving: &UnitId,
        today: chrono::NaiveDate,
    ) -> Result<(), EngineError> {
        if competent == receiving {
            return Ok(());
        }
        let outside = || EngineError::CompetentUnitOutsideProvince(competent.to_string());
        if competent.province_code() != receiving.province_code() {
            return Err(outside());
        }
        // The province itself (its departments decide province-level
        // procedures received at a commune's Center).
        if competent == &receiving.province() {
            return Ok(());
        }
        if let Some(registry) = &self.units {
            let commune = competent
                .as_str()
                .rsplit('.')
                .next()
                .and_then(|c| {
                    motcua_domain::units::UnitCode::parse_at(
                        c,
                        motcua_domain::units::Level::Commune,
                    )
                    .ok()
                })
                .ok_or_else(outside)?;
            let known = registry
                .unit_at(&commune, today)
                .is_some_and(|u| u.province_code.as_str() == competent.province_code());
            if !known {
                return Err(outside());
            }
        }
        Ok(())
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Opens a dossier (status 1). The procedure version in force on the
    /// receipt date is snapshotted into the dossier.
    pub async fn submit(
        &self,
        submission: Submission,
        actor: Actor,
        now: DateTime<Utc>,
        idempotency_key: Option<String>,
    ) -> Result<Applied, EngineError> {
        let idempotency = idempotency_key
            .map(|key| IdempotencyKey::new(key, &ClientRequest::Submit(&submission, &actor)))
            .transpose()?;
        let today = motcua_domain::dossier::vietnam_date(now);
        let procedure = self
            .store
            .procedure(&submission.procedure, today)
            .await?
            .ok_or_else(|| EngineError::ProcedureNotFound(submission.procedure.to_string()))?;
        let snapshot = procedure.snapshot();
        let application_data = submission
            .application_data
            .as_ref()
            .map(|values| {
                self.check_application(&snapshot.form, values, &submission.receiving_unit, today)
            })
            .transpose()?;
        if let Some(competent) = &submission.competent_unit {
            self.check_competent_unit(competent, &submission.receiving_unit, today)?;
        }
        let open = OpenDossier {
            intake: submission.intake,
            competent_unit: submission
                .competent_unit
                .unwrap_or_else(|| submission.receiving_unit.clone()),
            receiving_unit: submission.receiving_unit,
            procedure: snapshot,
            applicant: submission.applicant,
            documents: submission.documents,
            contact: submission.contact,
            application_data,
        };
        let request = CommandRequest {
            target: Target::New(open),
            actor,
            now,
            idempotency,
            blobs: Vec::new(),
        };
        Ok(self.store.execute(request).await??)
    }

    /// Acts on a dossier. `expected_version` is the version the caller
    /// read (a stale one is refused and changes nothing).
    pub async fn act(
        &self,
        code: &DossierCode,
        expected_version: Option<u64>,
        action: Action,
        actor: Actor,
        now: DateTime<Utc>,
        idempotency_key: Option<String>,
    ) -> Result<Applied, EngineError> {
        self.act_with_blobs(
            code,
            expected_version,
            action,
            actor,
            now,
            idempotency_key,
            Vec::new(),
        )
        .await
    }

    /// [`Self::act`], writing `blobs` (the staged bytes of the documents
    /// the action attaches) in the command's transaction.
    #[allow(clippy::too_many_arguments)]
    async fn act_with_blobs(
        &self,
        code: &DossierCode,
        expected_version: Option<u64>,
        action: Action,
        actor: Actor,
        now: DateTime<Utc>,
        idempotency_key: Option<String>,
        blobs: Vec<PendingBlob>,
    ) -> Result<Applied, EngineError> {
        let idempotency = idempotency_key
            .map(|key| {
                let request = ClientRequest::Act {
                    code,
                    expected_version,
                    action: &action,
                    actor: &actor,
                };
                IdempotencyKey::new(key, &request)
            })
            .transpose()?;
        // Only actions whose command carries an appointment need the state
        // before the transaction; the others are decided inside it, on the
        // current state, which saves a read and a decode per command.
        let (command, expected_version) = if action.needs_state() {
            let state = self
                .store
                .dossier(code)
                .await?
                .ok_or_else(|| EngineError::DossierNotFound(code.to_string()))?;
            let command = self.command_for(Some(&state), action, now)?;
            // The appointment was computed on this version: pin it.
            (command, expected_version.or(Some(state.version)))
        } else {
            (self.command_for(None, action, now)?, expected_version)
        };
        let request = CommandRequest {
            target: Target::Existing {
                code: code.clone(),
                expected_version,
                command,
            },
            actor,
            now,
            idempotency,
            blobs,
        };
        match self.store.execute(request).await? {
            Err(motcua_store::CommandError::NotFound(c)) => {
                Err(EngineError::DossierNotFound(c.to_string()))
            }
            other => Ok(other?),
        }
    }

    /// The dossier with its deadline and control sheet, as of `now`.
    pub async fn view(
        &self,
        code: &DossierCode,
        now: DateTime<Utc>,
    ) -> Result<DossierView, EngineError> {
        let state = self
            .store
            .dossier(code)
            .await?
            .ok_or_else(|| EngineError::DossierNotFound(code.to_string()))?;
        view::build(self, state, now)
    }
}
