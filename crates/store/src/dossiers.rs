//! Storage of the one-stop engine: the procedure catalogue, the dossier
//! event log (append-only, hash-chained per dossier), its projection, the
//! daily code sequences and the idempotency keys.
//!
//! A command is executed *inside* the backend's transaction: the backend
//! reads the projection, checks the expected version, calls the pure
//! [`motcua_domain::dossier::decide`], chains and appends the events, and
//! updates the projection — all or nothing. Both backends run the same
//! domain code, so they cannot disagree on a rule.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::dossier::{
    Actor, Applicant, ChainedEvent, Command, DossierCode, DossierError, DossierState,
    ReceivedDocument, Role, Status, UnitId,
};
use motcua_domain::procedure::{Procedure, ProcedureCode, ProcedureSnapshot, StepKind};
use serde::{Deserialize, Serialize};

use crate::StoreResult;

/// How a new dossier arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intake {
    /// Nộp trực tuyến (status 1, `submit_online`).
    Online,
    /// Tại quầy (`receive_at_counter`).
    Counter,
    /// Qua bưu chính (`receive_at_counter` with `by_post`).
    Post,
}

/// What opens a dossier; the backend allocates the code
/// `<receiving unit>-<YYMMDD>-<NNNN>` atomically (per unit and Vietnam day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenDossier {
    pub intake: Intake,
    pub receiving_unit: UnitId,
    pub competent_unit: UnitId,
    pub procedure: ProcedureSnapshot,
    pub applicant: Applicant,
    pub documents: Vec<ReceivedDocument>,
    /// How the applicant wants to be told of the dossier's progress (kept
    /// apart from the event log: see [`crate::outbox`]). Left out of the
    /// JSON when absent, so that the idempotency fingerprint of a request
    /// without it is unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<crate::Contact>,
    /// Tờ khai — see [`motcua_domain::dossier::NewDossier::application_data`];
    /// left out of the JSON when absent (the fingerprint is unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_data: Option<motcua_domain::procedure::ApplicationData>,
}

/// Which dossier a command is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// Open a new dossier (the command is built by the backend from this).
    New(OpenDossier),
    /// An existing dossier, with the version the caller read (optimistic
    /// concurrency: a stale version is refused and changes nothing).
    Existing {
        code: DossierCode,
        expected_version: Option<u64>,
        command: Command,
    },
}

/// One command to execute atomically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandRequest {
    pub target: Target,
    pub actor: Actor,
    pub now: DateTime<Utc>,
    /// `Idempotency-Key`: a retried request with the same key gets the
    /// first answer and does not act twice. Scoped by the actor's user id.
    pub idempotency: Option<IdempotencyKey>,
    /// The bytes of the documents the command attaches, when the blob
    /// store is the database's ([`crate::blobs::BlobStore::stage`]): the
    /// backend writes them in the command's transaction, so the event is
    /// never committed without them (and they are not stored if the
    /// command is refused). Not part of the request's fingerprint: the
    /// command names them by hash.
    #[serde(skip)]
    pub blobs: Vec<crate::blobs::PendingBlob>,
}

/// An `Idempotency-Key` with the fingerprint of the request the client
/// sent under it. The fingerprint is made by the application layer from
/// what the client sent — never from what the server derived from it (an
/// appointment computed from the clock, a version the engine pinned, the
/// procedure version in force today) — so that a retry after a lost
/// response is recognised as the same request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotencyKey {
    pub key: String,
    /// SHA-256 (lowercase hex) of the canonical JSON of the client's request.
    pub fingerprint: String,
}

impl IdempotencyKey {
    /// The key with the fingerprint of `client_request`: SHA-256 of its
    /// canonical JSON (sorted keys, no whitespace), so that the same
    /// request always gives the same fingerprint.
    pub fn new(key: impl Into<String>, client_request: &impl Serialize) -> StoreResult<Self> {
        use sha2::{Digest, Sha256};
        let text = motcua_domain::dossier::canonical_json(client_request)
            .map_err(|e| crate::StoreError::Other(anyhow::anyhow!("fingerprint: {e}")))?;
        Ok(IdempotencyKey {
            key: key.into(),
            fingerprint: hex::encode(Sha256::digest(text.as_bytes())),
        })
    }
}

/// The result of an executed (or replayed) command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    pub code: DossierCode,
    /// The dossier's version after the command (number of events).
    pub version: u64,
    /// The events appended by this command. A replay returns the first
    /// answer as it was stored (the same events; nothing is appended again).
    pub events: Vec<ChainedEvent>,
    /// True when the idempotency key had been seen: nothing was done again.
    pub replayed: bool,
}

/// Why a command did not apply. Nothing was written in any of these cases.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    #[error("no dossier {0}")]
    NotFound(DossierCode),
    /// The dossier changed since the caller read it.
    #[error("dossier {code} is at version {actual}, not {expected}")]
    VersionConflict {
        code: DossierCode,
        expected: u64,
        actual: u64,
    },
    /// The domain refused the command.
    #[error(transparent)]
    Refused(#[from] DossierError),
    /// The idempotency key was used for a different request.
    #[error("idempotency key reused for a different request")]
    KeyReused,
    /// More than 9,999 dossiers for one unit on one day.
    #[error("the daily sequence of unit {unit} on {date} is exhausted")]
    SequenceExhausted { unit: UnitId, date: NaiveDate },
}

/// A row of a list: enough to sort a work queue and show a search result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierSummary {
    pub code: DossierCode,
    pub procedure_code: ProcedureCode,
    pub procedure_name: String,
    pub applicant_name: String,
    pub receiving_unit: UnitId,
    pub competent_unit: UnitId,
    pub status: Status,
    /// Role of the current workflow step, if processing.
    pub step_role: Option<Role>,
    /// Kind of the current workflow step (receive, assign, appraise,
    /// approve…), with [`DossierSummary::step_role`].
    pub step_kind: Option<StepKind>,
    /// Unit holding the dossier now (None while at an external agency).
    pub holder_unit: Option<UnitId>,
    pub assignee: Option<String>,
    pub submitted_at: DateTime<Utc>,
    pub due: Option<DateTime<Utc>>,
    /// The appointment was moved by an apology (Mẫu 04; at most once).
    pub rescheduled: bool,
    pub version: u64,
}

/// Search criteria; every field narrows. Results are newest first
/// (submission time, then code, descending).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierFilter {
    /// Substring of the dossier code (case-insensitive).
    pub code: Option<String>,
    /// Receiving or competent unit.
    pub unit: Option<UnitId>,
    pub procedure: Option<ProcedureCode>,
    /// Case-insensitive substring of the applicant's name (Unicode lower
    /// case, so "nguyễn" finds "NGUYỄN").
    pub applicant: Option<String>,
    pub status: Option<Status>,
    /// Submitted at or after.
    pub submitted_from: Option<DateTime<Utc>>,
    /// Submitted strictly before.
    pub submitted_to: Option<DateTime<Utc>>,
    /// 0 means [`DEFAULT_LIMIT`]; at most [`MAX_LIMIT`].
    pub limit: u32,
    pub offset: u32,
}

/// The page size of a search or queue asked with `limit: 0`.
pub const DEFAULT_LIMIT: u32 = 50;
/// The largest page a search or queue returns.
pub const MAX_LIMIT: u32 = 1000;

/// The page size a backend uses for `limit`.
pub fn effective_limit(limit: u32) -> u32 {
    match limit {
        0 => DEFAULT_LIMIT,
        n => n.min(MAX_LIMIT),
    }
}

/// Statuses in which the current workflow step waits for its role, i.e.
/// what a work queue shows: 1 submitted (to check and receive), 2 accepted
/// (to transfer), 4 processing, 9 result ready (to return). Paused (5, 6,
/// 8) and final (3, 7, 10) dossiers wait for nobody at the unit.
pub const QUEUE_STATUSES: [Status; 4] = [
    Status::Submitted,
    Status::Accepted,
    Status::Processing,
    Status::ResultReady,
];

/// Hàng đợi — the dossiers waiting for a role at a unit, most urgent first
/// (overdue first, then due soonest; no due date last; ties by code): those
/// in one of [`QUEUE_STATUSES`] whose current step's role is `role` and
/// whose holder is `unit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueQuery {
    pub unit: UnitId,
    pub role: Role,
    /// Only those assigned to this officer.
    pub assignee: Option<String>,
    /// 0 means [`DEFAULT_LIMIT`]; at most [`MAX_LIMIT`].
    pub limit: u32,
}

/// Xin lỗi — the dossiers of a competent unit that may owe its apology
/// (Mẫu 04) soon: accepted or processing (their clock running), not
/// rescheduled, with an appointment before `due_before`; soonest first
/// (ties by code). The caller judges each with the lead time of the
/// province (`Engine::apology`): `due_before` only bounds the read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApologyQuery {
    pub unit: UnitId,
    pub due_before: DateTime<Utc>,
    /// 0 means [`DEFAULT_LIMIT`]; at most [`MAX_LIMIT`].
    pub limit: u32,
}

/// The statuses of [`ApologyQuery`]: the clock runs, no result yet
/// ([`Status::owes_apology`]).
pub const APOLOGY_STATUSES: [Status; 2] = [Status::Accepted, Status::Processing];

/// A page of event streams for verification and reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventStream {
    pub code: DossierCode,
    pub events: Vec<ChainedEvent>,
}

#[async_trait]
pub trait DossierStore {
    /// Imports procedure versions in one transaction (an existing
    /// (code, version) is replaced only if identical; otherwise Conflict).
    async fn put_procedures(&self, procedures: &[Procedure]) -> StoreResult<()>;

    /// Every stored procedure version, by code then version.
    async fn procedures(&self) -> StoreResult<Vec<Procedure>>;

    /// The version of `code` in force on `on`.
    async fn procedure(
        &self,
        code: &ProcedureCode,
        on: NaiveDate,
    ) -> StoreResult<Option<Procedure>>;

    /// Executes a command atomically (see the module doc). The outer error
    /// is a storage failure; the inner one a refusal that wrote nothing.
    ///
    /// Idempotency: with a key, the same (user, key) and the same
    /// fingerprint (see [`IdempotencyKey`]) returns the
    /// stored answer with `replayed: true` and does nothing; a different
    /// request is [`CommandError::KeyReused`]. A refused command records no
    /// key, so a corrected retry may use it.
    async fn execute(&self, request: CommandRequest) -> StoreResult<Result<Applied, CommandError>>;

    /// The current state (projection) of a dossier.
    async fn dossier(&self, code: &DossierCode) -> StoreResult<Option<DossierState>>;

    /// A dossier's events with their hashes, in order (empty if there is no
    /// such dossier). A stored body that is not canonical is
    /// [`crate::StoreError::Corrupt`].
    async fn events(&self, code: &DossierCode) -> StoreResult<Vec<ChainedEvent>>;

    async fn search(&self, filter: &DossierFilter) -> StoreResult<Vec<DossierSummary>>;

    async fn queue(&self, query: &QueueQuery) -> StoreResult<Vec<DossierSummary>>;

    /// See [`ApologyQuery`].
    async fn apologies_owed(&self, query: &ApologyQuery) -> StoreResult<Vec<DossierSummary>>;

    /// Event streams of up to `limit` dossiers (0 means [`DEFAULT_LIMIT`];
    /// at most [`MAX_LIMIT`]) whose code sorts after `after`, in code order
    /// (the order of [`DossierCode`], which is the byte order of its text),
    /// for `motcua audit verify`. Read from the event log itself, not the
    /// projection.
    async fn event_streams(
        &self,
        after: Option<&DossierCode>,
        limit: u32,
    ) -> StoreResult<Vec<EventStream>>;
}

/// What both backends share of the dossier store: everything but the SQL.
/// A backend reads rows, calls these, and writes what they return, so the
/// two cannot disagree on a fingerprint, a projection column or how a
/// stored row is decoded.
pub mod support {
    use crate::report_support::{FactsRow, ReportDelta};
    use chrono::{DateTime, Utc};
    use motcua_domain::dossier::{
        apply, canonical_bytes, decide, event_hash, parse_canonical, Actor, ChainedEvent, Command,
        DossierCode, DossierState, NewDossier, Role, Status, UnitId,
    };
    use motcua_domain::procedure::{Procedure, ProcedureCode, StepKind};
    use motcua_domain::reports::{DossierFacts, Rollups, StepRollups};

    use super::{Applied, CommandError, DossierSummary, Intake, OpenDossier};
    use crate::{StoreError, StoreResult};

    fn corrupt(what: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt(what.to_string())
    }

    fn internal(what: impl std::fmt::Display) -> StoreError {
        StoreError::Other(anyhow::anyhow!("{what}"))
    }

    /// The distribution key of a dossier: the first segment of its
    /// receiving unit's identifier (`04` of `04.01273`, `H15` of
    /// `H15.50.05.13`), which names the province in both schemes.
    pub fn province_of(unit: &UnitId) -> &str {
        unit.province_code()
    }

    /// The command that opens a dossier under the code the backend allocated.
    pub fn open_command(open: &OpenDossier, code: DossierCode) -> Command {
        let dossier = NewDossier {
            code,
            procedure: open.procedure.clone(),
            competent_unit: open.competent_unit.clone(),
            applicant: open.applicant.clone(),
            documents: open.documents.clone(),
            application_data: open.application_data.clone(),
        };
        match open.intake {
            Intake::Online => Command::SubmitOnline { dossier },
            Intake::Counter => Command::ReceiveAtCounter {
                dossier,
                by_post: false,
            },
            Intake::Post => Command::ReceiveAtCounter {
                dossier,
                by_post: true,
            },
        }
    }

    /// The daily sequence number as a code, or why there is none.
    pub fn allocated_code(
        unit: &UnitId,
        day: chrono::NaiveDate,
        seq: i64,
    ) -> StoreResult<Result<DossierCode, CommandError>> {
        if !(1..=9999).contains(&seq) {
            return Ok(Err(CommandError::SequenceExhausted {
                unit: unit.clone(),
                date: day,
            }));
        }
        let seq = u16::try_from(seq).map_err(internal)?;
        DossierCode::format(unit, day, seq)
            .map(Ok)
            .map_err(|e| StoreError::Other(anyhow::anyhow!("allocating a dossier code: {e}")))
    }

    /// The projection columns of a dossier (the `dossiers` row).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Projection {
        pub code: String,
        pub province_code: String,
        pub receiving_unit: String,
        pub competent_unit: String,
        pub procedure_code: String,
        pub procedure_version: u32,
        pub procedure_name: String,
        pub applicant_name: String,
        /// The applicant's name in lower case, for case-insensitive search.
        pub applicant_fold: String,
        pub status: u8,
        /// Role of the current step; None once final.
        pub step_role: Option<&'static str>,
        /// Kind of the current step; None once final.
        pub step_kind: Option<&'static str>,
        /// Unit holding the dossier; None at an external agency or once final.
        pub holder_unit: Option<String>,
        pub assignee: Option<String>,
        pub submitted_at: DateTime<Utc>,
        pub due: Option<DateTime<Utc>>,
        /// A Mẫu 04 new appointment is set.
        pub rescheduled: bool,
        pub version: u64,
        /// The serialized [`DossierState`].
        pub state_json: String,
    }

    /// Lower case used for the applicant search on both backends.
    pub fn fold(s: &str) -> String {
        s.to_lowercase()
    }

    /// The projection of a state that holds a dossier.
    pub fn projection(state: &DossierState) -> StoreResult<Projection> {
        let d = state
            .dossier
            .as_ref()
            .ok_or_else(|| internal("projection of a state without a dossier"))?;
        let open = !d.status.is_final();
        Ok(Projection {
            code: d.code.to_string(),
            province_code: province_of(&d.receiving_unit).to_string(),
            receiving_unit: d.receiving_unit.to_string(),
            competent_unit: d.competent_unit.to_string(),
            procedure_code: d.procedure.code.to_string(),
            procedure_version: d.procedure.version,
            procedure_name: d.procedure.name_vi.clone(),
            applicant_name: d.applicant.name.clone(),
            applicant_fold: fold(&d.applicant.name),
            status: d.status.code(),
            step_role: d.current_step().filter(|_| open).map(|s| s.role.as_str()),
            step_kind: d.current_step().filter(|_| open).map(|s| s.kind.as_str()),
            holder_unit: d.unit_of(&d.holder).filter(|_| open).map(|u| u.to_string()),
            assignee: d.assignee.as_ref().map(|u| u.to_string()),
            submitted_at: d.submitted_at,
            due: d.due,
            rescheduled: d.new_appointment.is_some(),
            version: state.version,
            state_json: serde_json::to_string(state).map_err(internal)?,
        })
    }

    /// What a decided command writes.
    #[derive(Debug, Clone)]
    pub struct Decided {
        pub applied: Applied,
        /// `canonical_bytes` of each event, as stored (UTF-8 JSON text).
        pub bodies: Vec<String>,
        pub projection: Projection,
        /// The answer to record with the idempotency key.
        pub response_json: String,
        /// What the command changes in the report tables (issue 5), written
        /// in the same transaction.
        pub reports: ReportDelta,
    }

    /// Decides `command` on `state` with the pure domain function, applies
    /// and chains the events after `prev` (the last stored hash, or
    /// [`motcua_domain::dossier::GENESIS`]).
    ///
    /// `facts` are the dossier's stored report facts (`report_facts`), None
    /// for a new dossier. A dossier is counted in the rollups exactly when
    /// it has a facts row, so an existing dossier without one (recorded
    /// before the rollups existed and not rebuilt) has its whole new
    /// contribution added, not a difference. The facts follow the events
    /// one at a time ([`DossierFacts::next`]); the step rollups are replaced
    /// from the dossier before to the dossier after, measured with
    /// [`crate::report_support::calendar`] (left unchanged on a calendar
    /// error, as the domain documents).
    pub fn decide_and_chain(
        state: DossierState,
        facts: Option<DossierFacts>,
        command: &Command,
        actor: &Actor,
        now: DateTime<Utc>,
        prev: [u8; 32],
    ) -> StoreResult<Result<Decided, CommandError>> {
        let events = match decide(&state, command, actor, now) {
            Ok(events) => events,
            Err(e) => return Ok(Err(CommandError::Refused(e))),
        };
        let calendar = crate::report_support::calendar();
        let mut steps = calendar.map(|_| StepRollups::new());
        if let (Some(cal), Some(s), true) = (calendar, steps.as_mut(), facts.is_some()) {
            if s.apply(state.dossier.as_ref(), None, cal).is_err() {
                steps = None;
            }
        }
        let mut new_state = state;
        let mut new_facts = facts.clone();
        for e in &events {
            new_state = apply(new_state, e);
            new_facts = DossierFacts::next(new_facts.as_ref(), e, &new_state);
        }
        if let (Some(cal), Some(s)) = (calendar, steps.as_mut()) {
            if s.apply(None, new_state.dossier.as_ref(), cal).is_err() {
                steps = None;
            }
        }
        let reports = ReportDelta {
            facts_stored: facts.is_some(),
            facts: match &new_facts {
                Some(f) if new_facts != facts => Some(FactsRow::of(f)?),
                _ => None,
            },
            rollups: Rollups::deltas(facts.as_ref(), new_facts.as_ref()),
            province_steps: steps
                .as_ref()
                .map(|s| {
                    s.by_province()
                        .rows()
                        .map(|(k, r)| (k.clone(), r.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            steps: steps
                .map(|s| s.rows().map(|(k, r)| (k.clone(), r.clone())).collect())
                .unwrap_or_default(),
        };
        // `chain_events`, keeping the canonical bytes it hashes: they are
        // what is stored.
        let mut prev = prev;
        let mut chained = Vec::with_capacity(events.len());
        let mut bodies = Vec::with_capacity(events.len());
        for event in events {
            let body = canonical_bytes(&event).map_err(internal)?;
            let hash = event_hash(&prev, &body);
            prev = hash;
            chained.push(ChainedEvent { event, hash });
            bodies.push(String::from_utf8(body).map_err(internal)?);
        }
        let projection = projection(&new_state)?;
        let code = new_state
            .dossier
            .as_ref()
            .map(|d| d.code.clone())
            .ok_or_else(|| internal("a decided command left no dossier"))?;
        let applied = Applied {
            code,
            version: new_state.version,
            events: chained,
            replayed: false,
        };
        let response_json = serde_json::to_string(&applied).map_err(internal)?;
        Ok(Ok(Decided {
            applied,
            bodies,
            projection,
            response_json,
            reports,
        }))
    }

    /// A stored idempotency answer, marked as a replay.
    pub fn replayed(response_json: &str) -> StoreResult<Applied> {
        let mut a: Applied = serde_json::from_str(response_json)
            .map_err(|e| corrupt(format!("idempotency_keys.response: {e}")))?;
        a.replayed = true;
        Ok(a)
    }

    /// A stored version or sequence number.
    pub fn version(column: &str, v: i64) -> StoreResult<u64> {
        u64::try_from(v).map_err(|_| corrupt(format!("{column}: {v}")))
    }

    /// A database integer for a version.
    pub fn db_version(v: u64) -> StoreResult<i64> {
        i64::try_from(v).map_err(internal)
    }

    /// Decodes a projection's state and checks it against its version column.
    pub fn decode_state(code: &str, state_json: &str, version: i64) -> StoreResult<DossierState> {
        let state: DossierState = serde_json::from_str(state_json)
            .map_err(|e| corrupt(format!("dossiers.state of {code}: {e}")))?;
        let matches = state
            .dossier
            .as_ref()
            .map(|d| d.code.to_string())
            .as_deref()
            == Some(code);
        if !matches || i64::try_from(state.version).ok() != Some(version) {
            return Err(corrupt(format!(
                "dossiers.state of {code} does not match its row (version {version})"
            )));
        }
        Ok(state)
    }

    /// Decodes a stored event: its body must be canonical and name the row's
    /// dossier and seq; the hash is taken as stored (verification is the
    /// reader's job: [`motcua_domain::dossier::verify_chain`]).
    pub fn decode_event(
        dossier: &str,
        seq: i64,
        body: &str,
        hash: &[u8],
    ) -> StoreResult<ChainedEvent> {
        let event = parse_canonical(body.as_bytes()).map_err(|e| {
            corrupt(format!(
                "dossier_events.body of {dossier} #{seq}: {e} ({})",
                e.code()
            ))
        })?;
        if event.dossier.to_string() != dossier || i64::try_from(event.seq).ok() != Some(seq) {
            return Err(corrupt(format!(
                "dossier_events.body of {dossier} #{seq} names {} #{}",
                event.dossier, event.seq
            )));
        }
        let hash: [u8; 32] = hash
            .try_into()
            .map_err(|_| corrupt(format!("dossier_events.hash of {dossier} #{seq}")))?;
        Ok(ChainedEvent { event, hash })
    }

    /// A 64-digit hex hash (as SQLite stores it).
    pub fn decode_hex_hash(dossier: &str, seq: i64, hex_hash: &str) -> StoreResult<[u8; 32]> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(hex_hash, &mut out)
            .map_err(|_| corrupt(format!("dossier_events.hash of {dossier} #{seq}")))?;
        Ok(out)
    }

    pub fn dossier_code(column: &str, s: &str) -> StoreResult<DossierCode> {
        DossierCode::parse(s).map_err(|e| corrupt(format!("{column}: {e}")))
    }

    /// Decodes a stored step kind (its snake_case name).
    pub fn step_kind(column: &str, s: &str) -> StoreResult<StepKind> {
        StepKind::parse(s).ok_or_else(|| corrupt(format!("{column}: {s:?}")))
    }

    /// The kind of the current step of a stored state (`dossiers.state`),
    /// for filling `dossiers.step_kind` in rows written before it existed
    /// (migration 0009).
    pub fn step_kind_of_state(code: &str, state_json: &str) -> StoreResult<Option<&'static str>> {
        let state: DossierState = serde_json::from_str(state_json)
            .map_err(|e| corrupt(format!("dossiers.state of {code}: {e}")))?;
        Ok(projection(&state)?.step_kind)
    }

    pub fn role(column: &str, s: &str) -> StoreResult<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| corrupt(format!("{column}: {s:?}")))
    }

    /// Decodes a stored procedure body.
    pub fn procedure(body: &str) -> StoreResult<Procedure> {
        serde_json::from_str(body).map_err(|e| corrupt(format!("procedures.body: {e}")))
    }

    /// The body stored for a procedure.
    pub fn procedure_body(p: &Procedure) -> StoreResult<String> {
        serde_json::to_string(p).map_err(internal)
    }

    /// The conflict of a procedure import: the stable constraint name and
    /// what clashed.
    pub fn procedure_conflict(p: &Procedure) -> StoreError {
        StoreError::Conflict(format!(
            "procedures_pk: procedure {} version {} is already stored with different content",
            p.code, p.version
        ))
    }

    /// The columns of a `dossiers` row that make a [`DossierSummary`].
    pub struct SummaryRow {
        pub code: String,
        pub procedure_code: String,
        pub procedure_name: String,
        pub applicant_name: String,
        pub receiving_unit: String,
        pub competent_unit: String,
        pub status: i64,
        pub step_role: Option<String>,
        pub holder_unit: Option<String>,
        pub assignee: Option<String>,
        pub submitted_at: DateTime<Utc>,
        pub due: Option<DateTime<Utc>>,
        pub version: i64,
        pub step_kind: Option<String>,
        pub rescheduled: bool,
    }

    fn unit(column: &str, s: &str) -> StoreResult<UnitId> {
        UnitId::parse(s).map_err(|e| corrupt(format!("{column}: {e}")))
    }

    impl SummaryRow {
        pub fn decode(self) -> StoreResult<DossierSummary> {
            let status = u8::try_from(self.status)
                .ok()
                .and_then(Status::from_code)
                .ok_or_else(|| corrupt(format!("dossiers.status: {}", self.status)))?;
            Ok(DossierSummary {
                code: dossier_code("dossiers.code", &self.code)?,
                procedure_code: ProcedureCode::parse(&self.procedure_code)
                    .map_err(|e| corrupt(format!("dossiers.procedure_code: {e}")))?,
                procedure_name: self.procedure_name,
                applicant_name: self.applicant_name,
                receiving_unit: unit("dossiers.receiving_unit", &self.receiving_unit)?,
                competent_unit: unit("dossiers.competent_unit", &self.competent_unit)?,
                status,
                step_role: self
                    .step_role
                    .as_deref()
                    .map(|r| role("dossiers.step_role", r))
                    .transpose()?,
                step_kind: self
                    .step_kind
                    .as_deref()
                    .map(|k| step_kind("dossiers.step_kind", k))
                    .transpose()?,
                holder_unit: self
                    .holder_unit
                    .as_deref()
                    .map(|u| unit("dossiers.holder_unit", u))
                    .transpose()?,
                assignee: self.assignee,
                submitted_at: self.submitted_at,
                due: self.due,
                rescheduled: self.rescheduled,
                version: version("dossiers.version", self.version)?,
            })
        }
    }
}
