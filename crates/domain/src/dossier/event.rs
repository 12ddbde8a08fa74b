//! Sự kiện — the events of a dossier. The event log is the record; the
//! state, the control sheet (Mẫu 06) and every report are views of it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::code::{DossierCode, UnitId};
use super::command::{Applicant, Channel, DocumentRef, Rating, ReceivedDocument, ReturnWay};
use super::role::{Actor, UserId};
use super::time::ts;
use crate::procedure::{AgencyRef, ApplicationData, ProcedureSnapshot};

/// The payload that opens a dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opened {
    pub channel: Channel,
    pub procedure: ProcedureSnapshot,
    pub receiving_unit: UnitId,
    pub competent_unit: UnitId,
    pub applicant: Applicant,
    pub documents: Vec<ReceivedDocument>,
    /// Tờ khai — the validated application data (absent in old events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_data: Option<ApplicationData>,
}

/// Loại sự kiện và dữ liệu — the event type and its payload. In JSON:
/// `"type": "<snake_case>", "payload": {…}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload", rename_all = "snake_case")]
pub enum EventData {
    /// Nộp trực tuyến (status 1).
    Submitted(Opened),
    /// Nhận tại quầy / qua bưu chính (status 1).
    Received(Opened),
    /// Tiếp nhận — Mẫu 01 (status 2).
    Accepted {
        #[serde(with = "ts")]
        appointment: DateTime<Utc>,
        pages_digitized: u32,
    },
    /// Mẫu 02 (status 5).
    SupplementRequested {
        documents: Vec<String>,
    },
    /// Back from status 5.
    SupplementProvided {
        documents: Vec<String>,
        #[serde(with = "ts::option")]
        appointment: Option<DateTime<Utc>>,
    },
    /// Mẫu 03 (status 3).
    Refused {},
    /// Hand-over between agencies (a Mẫu 06 row).
    Transferred {
        step: usize,
        from: AgencyRef,
        to: AgencyRef,
    },
    Assigned {
        step: usize,
        assignee: UserId,
    },
    /// The dossier moved from one assignee to another at its step (the
    /// reason is the event's).
    Reassigned {
        step: usize,
        from: UserId,
        to: UserId,
    },
    Appraised {
        step: usize,
        eligible: bool,
    },
    Reviewed {
        step: usize,
    },
    SentBack {
        from_step: usize,
        to_step: usize,
    },
    /// The decision exists from here on.
    Approved {
        step: usize,
    },
    ResultIssued {
        step: usize,
        number: String,
        register: String,
    },
    /// Status 6.
    PaymentRequested {
        amount_vnd: u64,
        description: String,
    },
    PaymentConfirmed {
        amount_vnd: u64,
        receipt: String,
        /// The appointment moved by the paused working time.
        #[serde(default, with = "ts::option", skip_serializing_if = "Option::is_none")]
        appointment: Option<DateTime<Utc>>,
    },
    /// Mẫu 04: apology and the new appointment.
    LateNotified {
        #[serde(with = "ts")]
        original_appointment: DateTime<Utc>,
        #[serde(with = "ts")]
        new_appointment: DateTime<Utc>,
    },
    /// Mẫu 05 (status 7).
    Withdrawn {},
    /// Status 8: stopped at the applicant's request (Mẫu 05); final.
    Stopped {},
    /// Status 10.
    ResultReturned {
        way: ReturnWay,
    },
    Rated {
        rating: Rating,
        comment: Option<String>,
    },
    /// A document was attached (its bytes are in the blob store).
    DocumentAttached {
        document: DocumentRef,
    },
    /// A limit extension of the procedure applied (once): the new appointment.
    LimitExtended {
        extension: usize,
        #[serde(with = "ts")]
        original_appointment: DateTime<Utc>,
        #[serde(with = "ts")]
        appointment: DateTime<Utc>,
    },
    /// The postmark date of a postal dossier.
    PostmarkRecorded {
        date: NaiveDate,
    },
}

impl EventData {
    /// The stable type name (the JSON `type`).
    pub fn type_name(&self) -> &'static str {
        match self {
            EventData::Submitted(_) => "submitted",
            EventData::Received(_) => "received",
            EventData::Accepted { .. } => "accepted",
            EventData::SupplementRequested { .. } => "supplement_requested",
            EventData::SupplementProvided { .. } => "supplement_provided",
            EventData::Refused {} => "refused",
            EventData::Transferred { .. } => "transferred",
            EventData::Assigned { .. } => "assigned",
            EventData::Reassigned { .. } => "reassigned",
            EventData::Appraised { .. } => "appraised",
            EventData::Reviewed { .. } => "reviewed",
            EventData::SentBack { .. } => "sent_back",
            EventData::Approved { .. } => "approved",
            EventData::ResultIssued { .. } => "result_issued",
            EventData::PaymentRequested { .. } => "payment_requested",
            EventData::PaymentConfirmed { .. } => "payment_confirmed",
            EventData::LateNotified { .. } => "late_notified",
            EventData::Withdrawn {} => "withdrawn",
            EventData::Stopped {} => "stopped",
            EventData::ResultReturned { .. } => "result_returned",
            EventData::Rated { .. } => "rated",
            EventData::DocumentAttached { .. } => "document_attached",
            EventData::LimitExtended { .. } => "limit_extended",
            EventData::PostmarkRecorded { .. } => "postmark_recorded",
        }
    }
}

/// Sự kiện — one recorded change: which dossier, its position in the
/// dossier's stream (`seq`, from 0), when (UTC, microseconds), who, why,
/// and what (`type` + `payload`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub dossier: DossierCode,
    pub seq: u64,
    #[serde(with = "ts")]
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub reason: Option<String>,
    #[serde(flatten)]
    pub data: EventData,
}

impl Event {
    pub fn type_name(&self) -> &'static str {
        self.data.type_name()
    }
}
