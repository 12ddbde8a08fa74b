//! Storage of accounts and access: officials and their role assignments,
//! database sessions, the lockout record of failed logins, citizens'
//! accounts and their one-time codes — and the dossier search limited to
//! what a logged-in person may see.
//!
//! The rules are pure and live in [`motcua_domain::access`]; a backend
//! reads the row, calls the rule and writes the result in one transaction
//! (SQLite: one job of the writer thread; PostgreSQL: a row lock), so
//! concurrent failures are all counted and a one-time code is used once.
//!
//! Secrets are never stored in clear: passwords as argon2 PHC strings
//! (hashed by the server), session tokens as their SHA-256, one-time codes
//! as [`motcua_domain::access::otp_code_hash`].

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use motcua_domain::access::{
    AccountEventKind, Assignment, Contact, LockoutPolicy, ManageRefusal, OtpChallenge, OtpCheck,
    OtpPolicy, Principal, Scope, Throttle, Username,
};
use motcua_domain::dossier::{Role, Status, UnitId, UserId};
use motcua_domain::procedure::ProcedureCode;
use serde::{Deserialize, Serialize};

use crate::{DossierFilter, DossierSummary, StoreResult};

/// A new official account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOfficial {
    pub username: Username,
    pub display_name: String,
    /// The argon2 PHC string of the password.
    pub password_hash: String,
    pub assignments: Vec<Assignment>,
}

/// Cán bộ — an official's account, without the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Official {
    pub username: Username,
    pub display_name: String,
    pub active: bool,
    /// Sorted by role, then unit.
    pub assignments: Vec<Assignment>,
    pub created_at: DateTime<Utc>,
}

/// An official with the stored password hash, for a login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialLogin {
    pub official: Official,
    pub password_hash: String,
}

/// Whose session it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Subject {
    Official(Username),
    Citizen(UserId),
}

impl Subject {
    /// The stored (kind, id) pair.
    pub fn columns(&self) -> (&'static str, &str) {
        match self {
            Subject::Official(u) => ("official", u.as_str()),
            Subject::Citizen(c) => ("citizen", c.as_str()),
        }
    }

    /// Decodes the stored (kind, id) pair.
    pub fn from_columns(kind: &str, id: &str) -> StoreResult<Subject> {
        let bad = || crate::StoreError::Corrupt(format!("sessions.subject: {kind}:{id}"));
        match kind {
            "official" => Username::parse(id)
                .map(Subject::Official)
                .map_err(|_| bad()),
            "citizen" => UserId::parse(id).map(Subject::Citizen).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}

/// A session to store: the SHA-256 of its token, never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token_hash: [u8; 32],
    pub subject: Subject,
    /// The per-session CSRF token (hex), sent back with unsafe requests.
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A stored, unexpired session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub subject: Subject,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The last request seen (at most [`motcua_domain::access::IdlePolicy`]'s
    /// `touch_every` old while the session is in use); `created_at` at
    /// first.
    pub last_seen_at: DateTime<Utc>,
}

/// Sự kiện tài khoản — one change to an official's account, appended in
/// the transaction of the change and never edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountEvent {
    /// The order of the events (of all accounts).
    pub seq: i64,
    pub username: Username,
    pub kind: AccountEventKind,
    /// Who made the change: an administrator, the official themself; None
    /// for the system (start-up, demo accounts, the CLI).
    pub actor: Option<UserId>,
    /// The roles concerned: all of them at creation, the ones added by a
    /// grant, the one revoked; empty otherwise.
    pub roles: Vec<Assignment>,
    pub at: DateTime<Utc>,
}

/// Công dân — a citizen's portal account, known by a phone number or an
/// e-mail address; `id` is the user id in their dossiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citizen {
    pub id: UserId,
    pub contact: Contact,
    pub created_at: DateTime<Utc>,
}

/// The throttle key of an official's username (failed logins).
pub fn login_key(username: &Username) -> String {
    format!("login:{username}")
}

/// The throttle key of an official's username tried from one client
/// address: a lock then shuts out that client only, so that nobody can lock
/// an official (an administrator) out for everyone.
pub fn login_client_key(username: &Username, client: &str) -> String {
    format!("login:{username}@{client}")
}

/// The throttle key of a citizen contact (wrong one-time codes).
pub fn otp_key(contact: &Contact) -> String {
    format!("otp:{}", contact.key())
}

#[async_trait]
pub trait AccountStore {
    /// How many official accounts exist (active or not).
    async fn count_officials(&self) -> StoreResult<u64>;

    /// Creates an official with their assignments, by the system (see
    /// [`AccountStore::create_official_by`]).
    async fn create_official(
        &self,
        new: &NewOfficial,
        now: DateTime<Utc>,
    ) -> StoreResult<Official> {
        self.create_official_by(new, None, now).await
    }

    /// Creates an official with their assignments and appends the
    /// `created` event by `by`, in one transaction. An existing username
    /// is `Conflict("officials_pk")`.
    async fn create_official_by(
        &self,
        new: &NewOfficial,
        by: Option<&UserId>,
        now: DateTime<Utc>,
    ) -> StoreResult<Official>;

    /// The official and their password hash, if the username exists.
    async fn official(&self, username: &Username) -> StoreResult<Option<OfficialLogin>>;

    /// Adds assignments (those already held are kept once) and appends a
    /// `roles_granted` event by `by` listing the ones new to the official
    /// (none: no event), in one transaction; `NotFound` if there is no
    /// such official. Whether `by` may grant them is the caller's check
    /// ([`Principal::may_grant`], a rule on each role alone).
    async fn add_assignments(
        &self,
        username: &Username,
        assignments: &[Assignment],
        by: Option<&UserId>,
        now: DateTime<Utc>,
    ) -> StoreResult<Official>;

    /// Revokes one assignment, if `by` may ([`Principal::check_account_change`]
    /// on the official's assignments as they are in the transaction, so
    /// that two revocations at once cannot take the last role), appends
    /// `role_revoked` and ends every session of the official, in one
    /// transaction. `NotFound` if there is no such official.
    async fn revoke_assignment(
        &self,
        username: &Username,
        assignment: &Assignment,
        by: &Principal,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<Official, ManageRefusal>>;

    /// Activates or deactivates an official, if `by` (None: the system)
    /// may ([`Principal::check_account_change`]); appends `deactivated` or
    /// `reactivated` when it changes, and deactivation ends every session
    /// of theirs, in one transaction. `NotFound` if there is no such
    /// official.
    async fn set_official_active(
        &self,
        username: &Username,
        active: bool,
        by: Option<&Principal>,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<Official, ManageRefusal>>;

    /// Replaces an official's password hash, ends every session of theirs
    /// but `keep` (the one that changed it) and appends
    /// `password_changed` by the official themself, in one transaction.
    /// `NotFound` if there is no such official.
    async fn set_password(
        &self,
        username: &Username,
        password_hash: &str,
        keep: Option<&[u8; 32]>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// The events of an official's account, oldest first.
    async fn account_events(&self, username: &Username) -> StoreResult<Vec<AccountEvent>>;

    /// The officials holding at least one assignment at a unit of
    /// `scope.units` or in a province of `scope.provinces` (see
    /// [`Principal::admin_scope`]), by username; an empty scope finds
    /// nothing.
    async fn officials_in_scope(&self, scope: &Scope) -> StoreResult<Vec<Official>>;

    /// The failure record of a throttle key (see [`login_key`], [`otp_key`]).
    async fn throttle(&self, key: &str) -> StoreResult<Throttle>;

    /// Records one failure atomically ([`Throttle::after_failure`]) and
    /// returns the new record.
    async fn record_failure(
        &self,
        key: &str,
        now: DateTime<Utc>,
        policy: &LockoutPolicy,
    ) -> StoreResult<Throttle>;

    /// Reserves one attempt atomically, before the secret is checked
    /// ([`Throttle::reserve`]): `Err(locked_until)` while the key is
    /// locked, and nothing changes; otherwise the attempt is counted as a
    /// failure and the new record returned. Concurrent reservations are
    /// serialised on the key's row, so a burst gets at most
    /// `policy.max_failures` attempts through. A success then calls
    /// [`AccountStore::clear_failures`].
    async fn reserve_attempt(
        &self,
        key: &str,
        now: DateTime<Utc>,
        policy: &LockoutPolicy,
    ) -> StoreResult<Result<Throttle, DateTime<Utc>>>;

    /// Forgets the failures of a key (after a successful login).
    async fn clear_failures(&self, key: &str) -> StoreResult<()>;

    async fn create_session(&self, session: &NewSession) -> StoreResult<()>;

    /// The session whose token hashes to `token_hash`, unless expired at `now`.
    async fn session(
        &self,
        token_hash: &[u8; 32],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Session>>;

    /// Sets a session's last activity; whether there was the session.
    async fn touch_session(&self, token_hash: &[u8; 32], at: DateTime<Utc>) -> StoreResult<bool>;

    /// Removes the officials' sessions last seen before `seen_before` (idle
    /// too long, [`motcua_domain::access::IdlePolicy::idle_before`]); how
    /// many.
    async fn delete_idle_sessions(&self, seen_before: DateTime<Utc>) -> StoreResult<u64>;

    /// Ends a session; whether there was one.
    async fn delete_session(&self, token_hash: &[u8; 32]) -> StoreResult<bool>;

    /// Removes the sessions expired at `now`; how many.
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64>;

    /// The citizen known by `contact`, created with `new_id` if there is none
    /// (concurrent first logins get the same account).
    async fn citizen_for_contact(
        &self,
        contact: &Contact,
        new_id: &UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Citizen>;

    async fn citizen(&self, id: &UserId) -> StoreResult<Option<Citizen>>;

    /// Stores a new one-time code for `contact`, replacing any previous one,
    /// unless the previous one was sent less than `policy.resend_after`
    /// ago: then nothing changes and the answer is how long to wait
    /// ([`motcua_domain::access::may_send_otp`]).
    async fn put_otp(
        &self,
        contact: &Contact,
        challenge: &OtpChallenge,
        policy: &OtpPolicy,
    ) -> StoreResult<Result<(), TimeDelta>>;

    /// Checks a code's hash against the stored challenge atomically
    /// ([`motcua_domain::access::check_otp`]): a right code is used up, a
    /// wrong one costs an attempt.
    async fn attempt_otp(
        &self,
        contact: &Contact,
        candidate_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<OtpCheck>;

    /// [`crate::DossierStore::search`] limited to the dossiers `scope` sees
    /// ([`Scope::sees`]); an empty scope finds nothing.
    async fn search_in_scope(
        &self,
        filter: &DossierFilter,
        scope: &Scope,
    ) -> StoreResult<Vec<DossierSummary>>;

    /// The queue now: the dossiers in an open status
    /// ([`QueueCount::OPEN`]) that `scope` sees, of `procedure` if given,
    /// counted by the database per unit holding them, role of their step
    /// and official assigned (every one counted, however many), in that
    /// key order; an empty scope finds nothing.
    async fn queue_in_scope(
        &self,
        scope: &Scope,
        procedure: Option<&ProcedureCode>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<QueueCount>>;
}

/// Open dossiers in front of one holder (see
/// [`AccountStore::queue_in_scope`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueCount {
    /// The unit holding them (None: at an external agency, or not yet
    /// taken up).
    pub holder_unit: Option<UnitId>,
    pub step_role: Option<Role>,
    pub assignee: Option<String>,
    pub dossiers: u64,
    /// Of which in a paused status ([`Status::is_paused`]).
    pub paused: u64,
    /// Of which past their due time.
    pub overdue: u64,
}

impl QueueCount {
    /// The statuses counted: not refused, withdrawn or returned.
    pub const OPEN: [Status; 7] = [
        Status::Submitted,
        Status::Accepted,
        Status::Processing,
        Status::AwaitingSupplement,
        Status::AwaitingPayment,
        Status::Stopped,
        Status::ResultReady,
    ];

    /// The reference the backends' SQL must equal: `dossiers` (the
    /// summaries `scope` sees) counted in memory.
    pub fn count<'a>(
        dossiers: impl IntoIterator<Item = &'a DossierSummary>,
        procedure: Option<&ProcedureCode>,
        now: DateTime<Utc>,
    ) -> Vec<QueueCount> {
        type Key = (Option<UnitId>, Option<&'static str>, Option<String>);
        let mut rows: std::collections::BTreeMap<Key, QueueCount> = Default::default();
        for d in dossiers {
            if !Self::OPEN.contains(&d.status) || procedure.is_some_and(|p| *p != d.procedure_code)
            {
                continue;
            }
            let key = (
                d.holder_unit.clone(),
                d.step_role.map(Role::as_str),
                d.assignee.clone(),
            );
            let row = rows.entry(key).or_insert_with(|| QueueCount {
                holder_unit: d.holder_unit.clone(),
                step_role: d.step_role,
                assignee: d.assignee.clone(),
                dossiers: 0,
                paused: 0,
                overdue: 0,
            });
            row.dossiers += 1;
            row.paused += u64::from(d.status.is_paused());
            row.overdue += u64::from(d.status.overdue(d.due, now));
        }
        rows.into_values().collect()
    }

    /// The portal numbers of [`QueueCount::OPEN`] and of its paused
    /// statuses, as SQL lists (`1, 2, 4, …`).
    pub fn status_lists() -> (String, String) {
        let list = |f: fn(&Status) -> bool| {
            Self::OPEN
                .iter()
                .filter(|s| f(s))
                .map(|s| s.code().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        (list(|_| true), list(|s| s.is_paused()))
    }
}

/// Decoding shared by the backends.
pub mod support {
    use motcua_domain::access::{AccountEventKind, Assignment, Contact, StaffRole, Username};
    use motcua_domain::dossier::{UnitId, UserId};

    use crate::{StoreError, StoreResult};

    fn corrupt(what: String) -> StoreError {
        StoreError::Corrupt(what)
    }

    pub fn username(column: &str, s: &str) -> StoreResult<Username> {
        Username::parse(s).map_err(|_| corrupt(format!("{column}: {s:?}")))
    }

    pub fn user_id(column: &str, s: &str) -> StoreResult<UserId> {
        UserId::parse(s).map_err(|_| corrupt(format!("{column}: {s:?}")))
    }

    pub fn contact(column: &str, s: &str) -> StoreResult<Contact> {
        Contact::from_key(s).map_err(|_| corrupt(format!("{column}: {s:?}")))
    }

    pub fn assignment(role: &str, unit: &str) -> StoreResult<Assignment> {
        let role = StaffRole::parse(role)
            .ok_or_else(|| corrupt(format!("official_roles.role: {role:?}")))?;
        let unit =
            UnitId::parse(unit).map_err(|_| corrupt(format!("official_roles.unit: {unit:?}")))?;
        Assignment::new(role, unit).map_err(|e| corrupt(format!("official_roles: {e}")))
    }

    /// Decodes a row of [`crate::AccountStore::queue_in_scope`].
    pub fn queue_count(
        holder_unit: Option<&str>,
        step_role: Option<&str>,
        assignee: Option<String>,
        counts: [i64; 3],
    ) -> StoreResult<crate::QueueCount> {
        let n = |i: usize| {
            u64::try_from(counts[i]).map_err(|_| corrupt(format!("queue count: {}", counts[i])))
        };
        Ok(crate::QueueCount {
            holder_unit: holder_unit
                .map(|u| {
                    UnitId::parse(u).map_err(|_| corrupt(format!("dossiers.holder_unit: {u:?}")))
                })
                .transpose()?,
            step_role: step_role
                .map(|r| crate::dossier_support::role("dossiers.step_role", r))
                .transpose()?,
            assignee,
            dossiers: n(0)?,
            paused: n(1)?,
            overdue: n(2)?,
        })
    }

    /// The roles of an account event as stored (JSON `[{"role", "unit"}]`).
    pub fn roles_json(roles: &[Assignment]) -> String {
        serde_json::to_string(roles).unwrap_or_else(|_| "[]".to_string())
    }

    /// Decodes a row of `account_events`.
    pub fn account_event(
        seq: i64,
        username: &str,
        kind: &str,
        actor: Option<&str>,
        roles: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<crate::AccountEvent> {
        let roles: Vec<Assignment> = serde_json::from_str(roles)
            .map_err(|e| corrupt(format!("account_events.roles: {e}")))?;
        Ok(crate::AccountEvent {
            seq,
            username: self::username("account_events.username", username)?,
            kind: AccountEventKind::parse(kind)
                .ok_or_else(|| corrupt(format!("account_events.kind: {kind:?}")))?,
            actor: actor
                .map(|a| user_id("account_events.actor", a))
                .transpose()?,
            roles,
            at,
        })
    }

    /// The assignments of `list` the official does not hold yet, once each.
    pub fn new_assignments(held: &[Assignment], list: &[Assignment]) -> Vec<Assignment> {
        let mut out: Vec<Assignment> = Vec::new();
        for a in list {
            if !held.contains(a) && !out.contains(a) {
                out.push(a.clone());
            }
        }
        out.sort();
        out
    }

    /// The event of an activation change, if it is one.
    pub fn activation_event(was: bool, active: bool) -> Option<AccountEventKind> {
        match (was, active) {
            (true, false) => Some(AccountEventKind::Deactivated),
            (false, true) => Some(AccountEventKind::Reactivated),
            _ => None,
        }
    }

    pub fn count(column: &str, n: i64) -> StoreResult<u32> {
        u32::try_from(n).map_err(|_| corrupt(format!("{column}: {n}")))
    }

    /// The province id stored with an assignment (its distribution key).
    pub fn province(a: &Assignment) -> &str {
        motcua_domain::access::province_of(&a.unit)
    }

    /// A 32-byte hash as lowercase hex (as SQLite stores it).
    pub fn hex32(h: &[u8; 32]) -> String {
        hex::encode(h)
    }

    /// The province prefixes and unit lists of a scope as SQL arguments:
    /// a unit `u` is in province `p` when `u = p` or `u` starts with `p.`.
    pub fn province_prefix(p: &str) -> String {
        format!("{p}.")
    }
}
