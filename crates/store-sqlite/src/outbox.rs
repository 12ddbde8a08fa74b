//! The outbox on SQLite. Rows of a command are written by
//! [`write_for_command`] inside the command's savepoint; claims and marks
//! go through the writer thread like every other write, so a claim is
//! atomic (one `UPDATE … RETURNING`) and two claimers never share a row.

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use motcua_domain::dossier::{to_micros, DossierCode};
use motcua_store::dossier_support::Decided;
use motcua_store::outbox::{
    Contact, DeliveryChannel, NewNotification, Notification, NotificationId, OutboxQuery,
    OutboxStatus,
};
use motcua_store::outbox_support::{self as osup, Row as OutboxRow};
use motcua_store::{effective_limit, OutboxStore, StoreError, StoreResult, Target};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::dossiers::{parse_ts, ts};
use crate::{db_err, SqliteStore};

fn read_row(r: &Row<'_>) -> StoreResult<Notification> {
    let text = |i| r.get::<_, String>(i).map_err(db_err);
    let opt = |i| r.get::<_, Option<String>>(i).map_err(db_err);
    let sent_at = opt(14)?;
    OutboxRow {
        id: text(0)?,
        dedup_key: text(1)?,
        dossier: opt(2)?,
        event_seq: r.get(3).map_err(db_err)?,
        kind: text(4)?,
        channel: text(5)?,
        recipient: text(6)?,
        language: text(7)?,
        payload: text(8)?,
        status: text(9)?,
        attempts: r.get(10).map_err(db_err)?,
        next_attempt_at: parse_ts("notification_outbox.next_attempt_at", &text(11)?)?,
        last_error: opt(12)?,
        created_at: parse_ts("notification_outbox.created_at", &text(13)?)?,
        sent_at: sent_at
            .as_deref()
            .map(|t| parse_ts("notification_outbox.sent_at", t))
            .transpose()?,
    }
    .decode()
}

fn put_contact(
    conn: &Connection,
    dossier: &str,
    c: &Contact,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    if c.is_empty() {
        conn.prepare_cached("DELETE FROM applicant_contacts WHERE dossier = ?1")
            .map_err(db_err)?
            .execute([dossier])
            .map_err(db_err)?;
        return Ok(());
    }
    let (email, phone, language) = osup::contact_row(c);
    conn.prepare_cached(
        "INSERT INTO applicant_contacts (dossier, email, phone, language, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (dossier) DO UPDATE SET email = ?2, \
         phone = ?3, language = ?4, updated_at = ?5",
    )
    .map_err(db_err)?
    .execute(params![dossier, email, phone, language, ts(now)])
    .map_err(db_err)?;
    Ok(())
}

fn get_contact(conn: &Connection, dossier: &str) -> StoreResult<Option<Contact>> {
    let row: Option<(Option<String>, Option<String>, String)> = conn
        .prepare_cached("SELECT email, phone, language FROM applicant_contacts WHERE dossier = ?1")
        .map_err(db_err)?
        .query_row([dossier], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()
        .map_err(db_err)?;
    row.map(|(e, p, l)| osup::decode_contact(e, p, &l))
        .transpose()
}

/// Inserts notifications, skipping those already stored under the same
/// (dedup key, channel); returns how many were inserted.
fn insert(conn: &Connection, rows: &[NewNotification], now: DateTime<Utc>) -> StoreResult<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO notification_outbox (id, dedup_key, dossier, event_seq, kind, channel, \
             recipient, language, payload, status, attempts, next_attempt_at, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', 0, ?10, ?11) \
             ON CONFLICT (dedup_key, channel) DO NOTHING",
        )
        .map_err(db_err)?;
    let created = ts(now);
    let mut inserted = 0;
    for n in rows {
        let seq = n
            .event_seq
            .map(|s| i64::try_from(s).map_err(|e| StoreError::Other(e.into())))
            .transpose()?;
        inserted += stmt
            .execute(params![
                osup::notification_id(&n.dedup_key, n.channel, now).as_str(),
                n.dedup_key,
                n.dossier.as_ref().map(|d| d.to_string()),
                seq,
                n.kind.as_str(),
                n.channel.as_str(),
                n.recipient,
                n.language.as_str(),
                osup::payload_json(&n.payload)?,
                ts(to_micros(n.not_before)),
                created,
            ])
            .map_err(db_err)?;
    }
    Ok(u64::try_from(inserted).unwrap_or(u64::MAX))
}

/// Writes the contact of a new dossier and the notifications of the events
/// a command appended, inside the command's savepoint (so they commit or
/// roll back with the events).
pub(crate) fn write_for_command(
    conn: &Connection,
    target: &Target,
    decided: &Decided,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let code = &decided.projection.code;
    let contact = match target {
        Target::New(open) => match &open.contact {
            Some(c) if !c.is_empty() => {
                put_contact(conn, code, c, now)?;
                Some(c.clone())
            }
            _ => None,
        },
        Target::Existing { .. } if osup::concerns_applicant(&decided.applied.events) => {
            get_contact(conn, code)?
        }
        Target::Existing { .. } => None,
    };
    if let Some(contact) = contact {
        let rows = osup::plan(&decided.applied.events, &decided.projection, &contact);
        insert(conn, &rows, now)?;
    }
    Ok(())
}

fn channel_list(channels: &[DeliveryChannel]) -> String {
    channels
        .iter()
        .map(|c| format!("'{}'", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn claim_in(
    conn: &Connection,
    now: DateTime<Utc>,
    channels: &[DeliveryChannel],
    limit: u32,
    lease_until: DateTime<Utc>,
) -> StoreResult<Vec<Notification>> {
    let sql = format!(
        "UPDATE notification_outbox SET attempts = attempts + 1, next_attempt_at = ?3 \
         WHERE id IN (SELECT id FROM notification_outbox WHERE status = 'pending' \
         AND next_attempt_at <= ?1 AND channel IN ({}) ORDER BY next_attempt_at, id LIMIT ?2) \
         RETURNING {}",
        channel_list(channels),
        osup::COLUMNS
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
    let mut rows = stmt
        .query(params![ts(now), limit, ts(lease_until)])
        .map_err(db_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(db_err)? {
        out.push(read_row(r)?);
    }
    out.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    Ok(out)
}

#[async_trait]
impl OutboxStore for SqliteStore {
    async fn contact(&self, dossier: &DossierCode) -> StoreResult<Option<Contact>> {
        let code = dossier.to_string();
        self.read(move |c| get_contact(c, &code)).await
    }

    async fn set_contact(
        &self,
        dossier: &DossierCode,
        contact: &Contact,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let (code, contact, now) = (dossier.to_string(), contact.clone(), to_micros(now));
        self.write(move |c| {
            let exists = c
                .prepare_cached("SELECT 1 FROM dossiers WHERE code = ?1")
                .map_err(db_err)?
                .exists([&code])
                .map_err(db_err)?;
            if exists {
                put_contact(c, &code, &contact, now)?;
            }
            Ok(exists)
        })
        .await
    }

    async fn enqueue(
        &self,
        notifications: &[NewNotification],
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let (rows, now) = (notifications.to_vec(), to_micros(now));
        self.write(move |c| insert(c, &rows, now)).await
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        channels: &[DeliveryChannel],
        limit: u32,
        lease: TimeDelta,
    ) -> StoreResult<Vec<Notification>> {
        if channels.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let now = to_micros(now);
        let lease_until = now + lease.max(TimeDelta::seconds(1));
        let channels = channels.to_vec();
        let limit = effective_limit(limit);
        self.write(move |c| claim_in(c, now, &channels, limit, lease_until))
            .await
    }

    async fn mark_sent(&self, id: &NotificationId, now: DateTime<Utc>) -> StoreResult<bool> {
        let (id, now) = (id.to_string(), to_micros(now));
        self.write(move |c| {
            c.prepare_cached(
                "UPDATE notification_outbox SET status = 'sent', sent_at = ?2 \
                 WHERE id = ?1 AND status = 'pending'",
            )
            .map_err(db_err)?
            .execute(params![id, ts(now)])
            .map(|n| n == 1)
            .map_err(db_err)
        })
        .await
    }

    async fn mark_failed(
        &self,
        id: &NotificationId,
        attempt: u32,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> StoreResult<bool> {
        let (id, error) = (id.to_string(), osup::clip_error(error));
        let retry_at = retry_at.map(|t| ts(to_micros(t)));
        self.write(move |c| {
            c.prepare_cached(
                "UPDATE notification_outbox SET last_error = ?3, \
                 status = CASE WHEN ?4 IS NULL THEN 'failed' ELSE 'pending' END, \
                 next_attempt_at = coalesce(?4, next_attempt_at) \
                 WHERE id = ?1 AND attempts = ?2 AND status = 'pending'",
            )
            .map_err(db_err)?
            .execute(params![id, attempt, error, retry_at])
            .map(|n| n == 1)
            .map_err(db_err)
        })
        .await
    }

    async fn notifications(&self, query: &OutboxQuery) -> StoreResult<Vec<Notification>> {
        let dossier = query.dossier.as_ref().map(|d| d.to_string());
        let status = query.status.map(OutboxStatus::as_str);
        let limit = effective_limit(query.limit);
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {} FROM notification_outbox \
                     WHERE (?1 IS NULL OR dossier = ?1) AND (?2 IS NULL OR status = ?2) \
                     ORDER BY created_at, id LIMIT ?3",
                    osup::COLUMNS
                ))
                .map_err(db_err)?;
            let mut rows = stmt
                .query(params![dossier, status, limit])
                .map_err(db_err)?;
            let mut out = Vec::new();
            while let Some(r) = rows.next().map_err(db_err)? {
                out.push(read_row(r)?);
            }
            Ok(out)
        })
        .await
    }
}
