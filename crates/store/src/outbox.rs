//! Hộp thư đi — the transactional outbox of the notifications to the
//! applicant, and the applicant's contact details.
//!
//! # Guarantees
//!
//! * **Written with the event.** When a command appends an event that
//!   concerns the applicant (see [`NotificationKind::of`]), the backend
//!   inserts one outbox row per channel the applicant can be reached on,
//!   *in the same transaction* as the event ([`support::plan`] decides the
//!   rows; both backends call it). The row commits or rolls back with the
//!   event: a refused, failed or replayed command writes none.
//! * **Never twice in the outbox.** Rows are unique by
//!   (`dedup_key`, `channel`); for an event the key is `<dossier>#<seq>`, so
//!   one event gives at most one row per channel, whatever is retried.
//! * **At least once at the gateway.** A sender claims due rows with a
//!   lease ([`OutboxStore::claim_due`]): claiming counts an attempt and moves
//!   `next_attempt_at` to the end of the lease, so a worker that dies
//!   between claim and mark leaves a row that becomes due again when the
//!   lease expires. The only duplicate possible is a send that succeeded
//!   but was not marked before the crash; every message therefore carries
//!   the row's stable id ([`NotificationId`]: the e-mail `Message-ID`, the
//!   SMS client reference) so that the gateway or the mail client can drop
//!   it.
//!
//! Contact details (phone, e-mail) live in their own table, keyed by the
//! dossier code, and never in the hash-chained event log: they are personal
//! data that must stay correctable and erasable (Decree 13/2023/NĐ-CP on
//! personal data protection), which an append-only log is not.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use motcua_domain::dossier::{DossierCode, ReturnWay};
use serde::{Deserialize, Serialize};

use crate::StoreResult;

/// Địa chỉ thư điện tử — an e-mail address, checked for shape (one `@`, a
/// dotted domain, no spaces or control characters, at most 254 bytes).
/// The domain is stored in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

/// A contact detail that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidContact {
    #[error("invalid e-mail address")]
    Email,
    #[error(
        "invalid phone number: expected a Vietnamese number (0xxxxxxxxx) or +<country><number>"
    )]
    Phone,
}

impl EmailAddress {
    pub fn parse(s: &str) -> Result<Self, InvalidContact> {
        let s = s.trim();
        let (local, domain) = s.rsplit_once('@').ok_or(InvalidContact::Email)?;
        let clean = |p: &str| {
            !p.is_empty()
                && !p
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"@".contains(c))
        };
        let domain_ok = clean(domain)
            && domain.contains('.')
            && domain
                .split('.')
                .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
        if s.len() > 254 || local.len() > 64 || !clean(local) || !domain_ok {
            return Err(InvalidContact::Email);
        }
        Ok(EmailAddress(format!("{local}@{}", domain.to_lowercase())))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for EmailAddress {
    type Error = InvalidContact;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        EmailAddress::parse(&s)
    }
}
impl From<EmailAddress> for String {
    fn from(e: EmailAddress) -> String {
        e.0
    }
}
impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Số điện thoại — a phone number in E.164 form (`+84912345678`). A
/// Vietnamese number may be given nationally (`0912 345 678`) or with
/// `84`/`+84`; spaces, dots, dashes and parentheses are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(s: &str) -> Result<Self, InvalidContact> {
        let compact: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
            .collect();
        let (international, digits) = match compact.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, compact.as_str()),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidContact::Phone);
        }
        let e164 = if international {
            digits.to_string()
        } else if let Some(national) = digits.strip_prefix('0') {
            // Vietnamese numbers: 0 + 9 digits (mobile and landline since 2018).
            if national.len() != 9 || national.starts_with('0') {
                return Err(InvalidContact::Phone);
            }
            format!("84{national}")
        } else if digits.starts_with("84") && digits.len() == 11 {
            digits.to_string()
        } else {
            return Err(InvalidContact::Phone);
        };
        if !(8..=15).contains(&e164.len()) || e164.starts_with('0') {
            return Err(InvalidContact::Phone);
        }
        if e164.starts_with("84") && (e164.len() != 11 || e164.as_bytes()[2] == b'0') {
            return Err(InvalidContact::Phone);
        }
        Ok(PhoneNumber(format!("+{e164}")))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for PhoneNumber {
    type Error = InvalidContact;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        PhoneNumber::parse(&s)
    }
}
impl From<PhoneNumber> for String {
    fn from(p: PhoneNumber) -> String {
        p.0
    }
}
impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Ngôn ngữ — the language the applicant reads first (Vietnamese unless
/// they chose English); e-mails carry both, in this order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Vi,
    En,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Vi => "vi",
            Language::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "vi" => Some(Language::Vi),
            "en" => Some(Language::En),
            _ => None,
        }
    }
}

/// Thông tin liên hệ — how the applicant of a dossier wants to be told of
/// its progress. Given when the dossier is opened
/// ([`crate::OpenDossier::contact`]) or later ([`OutboxStore::set_contact`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailAddress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
    #[serde(default)]
    pub language: Language,
}

impl Contact {
    /// The channels this contact can be reached on, with the recipient.
    pub fn recipients(&self) -> Vec<(DeliveryChannel, String)> {
        let mut out = Vec::with_capacity(2);
        if let Some(e) = &self.email {
            out.push((DeliveryChannel::Email, e.to_string()));
        }
        if let Some(p) = &self.phone {
            out.push((DeliveryChannel::Sms, p.to_string()));
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.email.is_none() && self.phone.is_none()
    }
}

/// Kênh gửi — how a notification travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryChannel {
    Email,
    Sms,
}

impl DeliveryChannel {
    pub const ALL: [DeliveryChannel; 2] = [DeliveryChannel::Email, DeliveryChannel::Sms];
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryChannel::Email => "email",
            DeliveryChannel::Sms => "sms",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Loại thông báo — what the applicant is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// Đã nhận hồ sơ — an online or postal submission arrived (status 1).
    Received,
    /// Tiếp nhận hồ sơ, hẹn trả kết quả — Mẫu 01 (status 2).
    Accepted,
    /// Yêu cầu bổ sung, hoàn thiện hồ sơ — Mẫu 02 (status 5).
    SupplementRequested,
    /// Từ chối tiếp nhận, giải quyết — Mẫu 03 (status 3).
    Refused,
    /// Đề nghị thực hiện nghĩa vụ tài chính (status 6).
    PaymentRequested,
    /// Xin lỗi và hẹn lại ngày trả kết quả — Mẫu 04.
    LateNotified,
    /// Đã có kết quả — the result was issued (status 9 follows).
    ResultReady,
    /// Đã trả kết quả (status 10).
    ResultReturned,
    /// Nhắc lịch hẹn — a reminder of an appointment at a Center, enqueued
    /// with [`OutboxStore::enqueue`] to be sent at a chosen time.
    AppointmentReminder,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 9] = [
        NotificationKind::Received,
        NotificationKind::Accepted,
        NotificationKind::SupplementRequested,
        NotificationKind::Refused,
        NotificationKind::PaymentRequested,
        NotificationKind::LateNotified,
        NotificationKind::ResultReady,
        NotificationKind::ResultReturned,
        NotificationKind::AppointmentReminder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Received => "received",
            NotificationKind::Accepted => "accepted",
            NotificationKind::SupplementRequested => "supplement_requested",
            NotificationKind::Refused => "refused",
            NotificationKind::PaymentRequested => "payment_requested",
            NotificationKind::LateNotified => "late_notified",
            NotificationKind::ResultReady => "result_ready",
            NotificationKind::ResultReturned => "result_returned",
            NotificationKind::AppointmentReminder => "appointment_reminder",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The notification an event gives rise to, if it concerns the
    /// applicant. A dossier received in person gives none (the applicant is
    /// at the counter and is handed Mẫu 01); one received by post does.
    pub fn of(data: &motcua_domain::dossier::EventData) -> Option<Self> {
        use motcua_domain::dossier::{Channel, EventData as E};
        Some(match data {
            E::Submitted(_) => NotificationKind::Received,
            E::Received(o) if o.channel == Channel::Post => NotificationKind::Received,
            E::Accepted { .. } => NotificationKind::Accepted,
            E::SupplementRequested { .. } => NotificationKind::SupplementRequested,
            E::Refused {} => NotificationKind::Refused,
            E::PaymentRequested { .. } => NotificationKind::PaymentRequested,
            E::LateNotified { .. } => NotificationKind::LateNotified,
            E::ResultIssued { .. } => NotificationKind::ResultReady,
            E::ResultReturned { .. } => NotificationKind::ResultReturned,
            _ => return None,
        })
    }
}

/// Biến của mẫu thư — the template variables of a notification, captured
/// when it is enqueued (the templates themselves are applied when it is
/// sent, so a corrected template applies to what is still pending).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    /// The dossier code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dossier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicant_name: Option<String>,
    /// The appointment in force after the event (Mẫu 01, the new date of
    /// Mẫu 04, or the reminded appointment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appointment: Option<DateTime<Utc>>,
    /// The missed appointment (Mẫu 04).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_appointment: Option<DateTime<Utc>>,
    /// The reason the official gave (refusal, supplement, delay, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Documents asked for (Mẫu 02).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_vnd: Option<u64>,
    /// What the payment is for, or another free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Number of the issued result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_way: Option<ReturnWay>,
    /// Where (a reminder: the Center and counter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// A booking code (a reminder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_code: Option<String>,
    /// The booking holder's token, for the link of a reminder (the one
    /// place the token is kept in clear: the reminder must carry it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_token: Option<String>,
}

/// Trạng thái gửi.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting for a send (or being sent, under a lease).
    Pending,
    Sent,
    /// Given up: a permanent error or too many attempts.
    Failed,
}

impl OutboxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            OutboxStatus::Pending,
            OutboxStatus::Sent,
            OutboxStatus::Failed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// The id of an outbox row: 32 lowercase hex digits, derived from its
/// dedup key, channel and creation time (see [`support::notification_id`]),
/// so that it is stable across retries and distinct across deployments.
/// It is the e-mail `Message-ID` and the SMS client reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NotificationId(String);

impl NotificationId {
    /// Checks the shape of a stored or submitted id.
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 32
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .then(|| NotificationId(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl fmt::Display for NotificationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A notification to enqueue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewNotification {
    /// What makes it unique with the channel: `<dossier>#<seq>` for an
    /// event; for others the caller's key (e.g. `booking:<code>:reminder`).
    pub dedup_key: String,
    pub dossier: Option<DossierCode>,
    /// The event it announces.
    pub event_seq: Option<u64>,
    pub kind: NotificationKind,
    pub channel: DeliveryChannel,
    /// The e-mail address or the E.164 phone number.
    pub recipient: String,
    pub language: Language,
    pub payload: Payload,
    /// Not sent before this time (a reminder's send time).
    pub not_before: DateTime<Utc>,
}

impl NewNotification {
    /// One notification per channel of `contact` (none if it has none).
    pub fn for_contact(
        dedup_key: &str,
        dossier: Option<&DossierCode>,
        event_seq: Option<u64>,
        kind: NotificationKind,
        payload: &Payload,
        contact: &Contact,
        not_before: DateTime<Utc>,
    ) -> Vec<NewNotification> {
        contact
            .recipients()
            .into_iter()
            .map(|(channel, recipient)| NewNotification {
                dedup_key: dedup_key.to_string(),
                dossier: dossier.cloned(),
                event_seq,
                kind,
                channel,
                recipient,
                language: contact.language,
                payload: payload.clone(),
                not_before,
            })
            .collect()
    }
}

/// A stored outbox row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: NotificationId,
    pub dedup_key: String,
    pub dossier: Option<DossierCode>,
    pub event_seq: Option<u64>,
    pub kind: NotificationKind,
    pub channel: DeliveryChannel,
    pub recipient: String,
    pub language: Language,
    pub payload: Payload,
    pub status: OutboxStatus,
    /// Claims so far (a claim counts as an attempt even if the sender
    /// died before marking it). The claim's number is its lease token.
    pub attempts: u32,
    /// When it is due; while claimed, the end of the lease.
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// Which rows [`OutboxStore::notifications`] lists (oldest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxQuery {
    pub dossier: Option<DossierCode>,
    pub status: Option<OutboxStatus>,
    /// 0 means [`crate::DEFAULT_LIMIT`]; at most [`crate::MAX_LIMIT`].
    pub limit: u32,
}

/// The outbox and the contacts. See the module documentation for what a
/// backend guarantees.
#[async_trait]
pub trait OutboxStore {
    /// The contact details of a dossier's applicant, if any were given.
    async fn contact(&self, dossier: &DossierCode) -> StoreResult<Option<Contact>>;

    /// Sets (or, with an empty contact, erases) the contact details of an
    /// existing dossier; later notifications use them. False if there is
    /// no such dossier.
    async fn set_contact(
        &self,
        dossier: &DossierCode,
        contact: &Contact,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Enqueues notifications not written by a command (reminders), in one
    /// transaction; one already stored under the same (dedup key, channel)
    /// is left as it is. Returns how many were inserted.
    async fn enqueue(
        &self,
        notifications: &[NewNotification],
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;

    /// Claims up to `limit` due rows (pending, `next_attempt_at <= now`) of
    /// the given channels, oldest due first, for `lease`: each claim counts
    /// an attempt and sets `next_attempt_at = now + lease`, so the row is
    /// due again if it is not marked before the lease ends. Concurrent
    /// claimers never get the same row under the same lease.
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        channels: &[DeliveryChannel],
        limit: u32,
        lease: TimeDelta,
    ) -> StoreResult<Vec<Notification>>;

    /// Marks a pending row sent (whoever sent it: a send that succeeded is
    /// recorded even if its lease ran out). False if it was not pending.
    async fn mark_sent(&self, id: &NotificationId, now: DateTime<Utc>) -> StoreResult<bool>;

    /// Records a failed attempt of the claim numbered `attempt`: the row is
    /// due again at `retry_at`, or failed for good with `None`. False (and
    /// nothing changed) if the row is no longer pending under that claim.
    async fn mark_failed(
        &self,
        id: &NotificationId,
        attempt: u32,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> StoreResult<bool>;

    /// Outbox rows, oldest first (created, then id).
    async fn notifications(&self, query: &OutboxQuery) -> StoreResult<Vec<Notification>>;
}

/// What both backends share of the outbox: everything but the SQL.
pub mod support {
    use chrono::{DateTime, Utc};
    use motcua_domain::dossier::{ChainedEvent, DossierCode, EventData};
    use sha2::{Digest, Sha256};

    use super::{
        Contact, DeliveryChannel, Language, NewNotification, Notification, NotificationId,
        NotificationKind, OutboxStatus, Payload,
    };
    use crate::dossier_support::Projection;
    use crate::{StoreError, StoreResult};

    /// The longest error text kept in `last_error`.
    pub const MAX_ERROR_CHARS: usize = 500;

    fn corrupt(what: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt(what.to_string())
    }

    /// Whether any of `events` gives rise to a notification (so the backend
    /// reads the contact only when it needs it).
    pub fn concerns_applicant(events: &[ChainedEvent]) -> bool {
        events
            .iter()
            .any(|e| NotificationKind::of(&e.event.data).is_some())
    }

    /// The dedup key of the notification of event `seq` of `dossier`.
    pub fn event_key(dossier: &str, seq: u64) -> String {
        format!("{dossier}#{seq}")
    }

    /// The outbox rows of the events a command appended: one per event that
    /// concerns the applicant and per channel of `contact`. `projection` is
    /// the dossier after the command.
    pub fn plan(
        events: &[ChainedEvent],
        projection: &Projection,
        contact: &Contact,
    ) -> Vec<NewNotification> {
        if contact.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for ce in events {
            let e = &ce.event;
            let Some(kind) = NotificationKind::of(&e.data) else {
                continue;
            };
            let mut payload = Payload {
                dossier: Some(projection.code.clone()),
                procedure_name: Some(projection.procedure_name.clone()),
                applicant_name: Some(projection.applicant_name.clone()),
                reason: e.reason.clone(),
                ..Payload::default()
            };
            match &e.data {
                EventData::Accepted { appointment, .. } => payload.appointment = Some(*appointment),
                EventData::SupplementRequested { documents } => {
                    payload.documents = documents.clone()
                }
                EventData::PaymentRequested {
                    amount_vnd,
                    description,
                } => {
                    payload.amount_vnd = Some(*amount_vnd);
                    payload.description = Some(description.clone());
                }
                EventData::LateNotified {
                    original_appointment,
                    new_appointment,
                } => {
                    payload.original_appointment = Some(*original_appointment);
                    payload.appointment = Some(*new_appointment);
                }
                EventData::ResultIssued { number, .. } => {
                    payload.result_number = Some(number.clone());
                    payload.appointment = projection.due;
                }
                EventData::ResultReturned { way } => payload.return_way = Some(*way),
                _ => {}
            }
            out.extend(NewNotification::for_contact(
                &event_key(&projection.code, e.seq),
                Some(&e.dossier),
                Some(e.seq),
                kind,
                &payload,
                contact,
                e.at,
            ));
        }
        out
    }

    /// The id of a row: the first 128 bits (hex) of
    /// SHA-256(`dedup_key` ‖ 0 ‖ channel ‖ 0 ‖ creation time in
    /// microseconds). Stable for the row; the creation time keeps two
    /// deployments with the same dossier codes (a staging copy) from
    /// sharing Message-IDs, which mail systems use to drop duplicates.
    pub fn notification_id(
        dedup_key: &str,
        channel: DeliveryChannel,
        created_at: DateTime<Utc>,
    ) -> NotificationId {
        let mut h = Sha256::new();
        h.update(dedup_key.as_bytes());
        h.update([0]);
        h.update(channel.as_str().as_bytes());
        h.update([0]);
        h.update(created_at.timestamp_micros().to_be_bytes());
        let digest = h.finalize();
        NotificationId(hex::encode(&digest[..16]))
    }

    /// `error` cut to [`MAX_ERROR_CHARS`].
    pub fn clip_error(error: &str) -> String {
        error.chars().take(MAX_ERROR_CHARS).collect()
    }

    /// The payload as stored (JSON text).
    pub fn payload_json(p: &Payload) -> StoreResult<String> {
        serde_json::to_string(p).map_err(|e| StoreError::Other(anyhow::anyhow!("{e}")))
    }

    /// The contact's language and channels as stored.
    pub fn contact_row(c: &Contact) -> (Option<&str>, Option<&str>, &'static str) {
        (
            c.email.as_ref().map(|e| e.as_str()),
            c.phone.as_ref().map(|p| p.as_str()),
            c.language.as_str(),
        )
    }

    /// Decodes an `applicant_contacts` row.
    pub fn decode_contact(
        email: Option<String>,
        phone: Option<String>,
        language: &str,
    ) -> StoreResult<Contact> {
        Ok(Contact {
            email: email
                .map(|e| super::EmailAddress::parse(&e))
                .transpose()
                .map_err(|e| corrupt(format!("applicant_contacts.email: {e}")))?,
            phone: phone
                .map(|p| super::PhoneNumber::parse(&p))
                .transpose()
                .map_err(|e| corrupt(format!("applicant_contacts.phone: {e}")))?,
            language: Language::parse(language)
                .ok_or_else(|| corrupt(format!("applicant_contacts.language: {language:?}")))?,
        })
    }

    /// The columns of an outbox row, as read.
    pub struct Row {
        pub id: String,
        pub dedup_key: String,
        pub dossier: Option<String>,
        pub event_seq: Option<i64>,
        pub kind: String,
        pub channel: String,
        pub recipient: String,
        pub language: String,
        pub payload: String,
        pub status: String,
        pub attempts: i64,
        pub next_attempt_at: DateTime<Utc>,
        pub last_error: Option<String>,
        pub created_at: DateTime<Utc>,
        pub sent_at: Option<DateTime<Utc>>,
    }

    /// The columns [`Row`] is read from, in order.
    pub const COLUMNS: &str = "id, dedup_key, dossier, event_seq, kind, channel, recipient, \
         language, payload, status, attempts, next_attempt_at, last_error, created_at, sent_at";

    impl Row {
        pub fn decode(self) -> StoreResult<Notification> {
            let col = |c: &str, v: &str| corrupt(format!("notification_outbox.{c}: {v:?}"));
            Ok(Notification {
                id: NotificationId::parse(&self.id).ok_or_else(|| col("id", &self.id))?,
                dossier: self
                    .dossier
                    .as_deref()
                    .map(|d| DossierCode::parse(d).map_err(|_| col("dossier", d)))
                    .transpose()?,
                event_seq: self
                    .event_seq
                    .map(|s| u64::try_from(s).map_err(|_| col("event_seq", &s.to_string())))
                    .transpose()?,
                kind: NotificationKind::parse(&self.kind).ok_or_else(|| col("kind", &self.kind))?,
                channel: DeliveryChannel::parse(&self.channel)
                    .ok_or_else(|| col("channel", &self.channel))?,
                language: Language::parse(&self.language)
                    .ok_or_else(|| col("language", &self.language))?,
                payload: serde_json::from_str(&self.payload)
                    .map_err(|e| corrupt(format!("notification_outbox.payload: {e}")))?,
                status: OutboxStatus::parse(&self.status)
                    .ok_or_else(|| col("status", &self.status))?,
                attempts: u32::try_from(self.attempts)
                    .map_err(|_| col("attempts", &self.attempts.to_string()))?,
                dedup_key: self.dedup_key,
                recipient: self.recipient,
                next_attempt_at: self.next_attempt_at,
                last_error: self.last_error,
                created_at: self.created_at,
                sent_at: self.sent_at,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_normalized_to_e164() {
        for ok in [
            "0912345678",
            "0912 345 678",
            "091.234.5678",
            "+84912345678",
            "84912345678",
        ] {
            assert_eq!(
                PhoneNumber::parse(ok).map(String::from).as_deref(),
                Ok("+84912345678"),
                "{ok}"
            );
        }
        assert_eq!(
            PhoneNumber::parse("+33 6 12 34 56 78").map(String::from),
            Ok("+33612345678".to_string())
        );
        for bad in [
            "",
            "abc",
            "091234567",
            "09123456789",
            "0012345678",
            "+840912345678",
            "+12",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn email_addresses_are_checked_for_shape() {
        assert_eq!(
            EmailAddress::parse(" Lan.Nguyen@Example.VN ").map(String::from),
            Ok("Lan.Nguyen@example.vn".to_string())
        );
        for bad in [
            "", "a", "a@b", "a b@c.vn", "@c.vn", "a@.vn", "a@c..vn", "a@-c.vn", "a<b@c.vn",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_contact_without_details_serializes_small() {
        let c = Contact::default();
        assert_eq!(
            serde_json::to_string(&c).ok().as_deref(),
            Some(r#"{"language":"vi"}"#)
        );
        assert!(c.recipients().is_empty());
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        let t = chrono::DateTime::<Utc>::from_timestamp(1_752_544_800, 0).expect("time");
        let a = support::notification_id("X#1", DeliveryChannel::Email, t);
        assert_eq!(
            a,
            support::notification_id("X#1", DeliveryChannel::Email, t)
        );
        assert_ne!(a, support::notification_id("X#1", DeliveryChannel::Sms, t));
        assert_ne!(
            a,
            support::notification_id(
                "X#1",
                DeliveryChannel::Email,
                t + TimeDelta::microseconds(1)
            )
        );
        assert!(NotificationId::parse(a.as_str()).is_some());
    }
}
