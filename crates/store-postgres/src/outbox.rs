//! The outbox on PostgreSQL. Rows of a command are written by
//! [`write_for_command`] in the command's transaction; senders claim due
//! rows with `FOR UPDATE SKIP LOCKED`, so concurrent workers (one per
//! server) take disjoint rows without waiting for each other.

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
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use crate::{db_err, PgStore};

fn read_row(r: &PgRow) -> StoreResult<Notification> {
    OutboxRow {
        id: r.try_get(0).map_err(db_err)?,
        dedup_key: r.try_get(1).map_err(db_err)?,
        dossier: r.try_get(2).map_err(db_err)?,
        event_seq: r.try_get(3).map_err(db_err)?,
        kind: r.try_get(4).map_err(db_err)?,
        channel: r.try_get(5).map_err(db_err)?,
        recipient: r.try_get(6).map_err(db_err)?,
        language: r.try_get(7).map_err(db_err)?,
        payload: r.try_get(8).map_err(db_err)?,
        status: r.try_get(9).map_err(db_err)?,
        attempts: i64::from(r.try_get::<i32, _>(10).map_err(db_err)?),
        next_attempt_at: r.try_get(11).map_err(db_err)?,
        last_error: r.try_get(12).map_err(db_err)?,
        created_at: r.try_get(13).map_err(db_err)?,
        sent_at: r.try_get(14).map_err(db_err)?,
    }
    .decode()
}

/// [`osup::COLUMNS`] with the payload as text.
fn columns() -> String {
    osup::COLUMNS.replace("payload", "payload::text")
}

async fn put_contact(
    conn: &mut PgConnection,
    dossier: &str,
    c: &Contact,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    if c.is_empty() {
        sqlx::query("DELETE FROM applicant_contacts WHERE dossier = $1")
            .bind(dossier)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        return Ok(());
    }
    let (email, phone, language) = osup::contact_row(c);
    sqlx::query(
        "INSERT INTO applicant_contacts (dossier, email, phone, language, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (dossier) DO UPDATE SET email = $2, \
         phone = $3, language = $4, updated_at = $5",
    )
    .bind(dossier)
    .bind(email)
    .bind(phone)
    .bind(language)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

async fn get_contact(conn: &mut PgConnection, dossier: &str) -> StoreResult<Option<Contact>> {
    let row: Option<(Option<String>, Option<String>, String)> =
        sqlx::query_as("SELECT email, phone, language FROM applicant_contacts WHERE dossier = $1")
            .bind(dossier)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_err)?;
    row.map(|(e, p, l)| osup::decode_contact(e, p, &l))
        .transpose()
}

/// Inserts notifications, skipping those already stored under the same
/// (dedup key, channel); returns how many were inserted.
async fn insert(
    conn: &mut PgConnection,
    rows: &[NewNotification],
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    let mut inserted = 0;
    for n in rows {
        let seq = n
            .event_seq
            .map(|s| i64::try_from(s).map_err(|e| StoreError::Other(e.into())))
            .transpose()?;
        inserted += sqlx::query(
            "INSERT INTO notification_outbox (id, dedup_key, dossier, event_seq, kind, channel, \
             recipient, language, payload, status, attempts, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, 'pending', 0, $10, $11) \
             ON CONFLICT (dedup_key, channel) DO NOTHING",
        )
        .bind(osup::notification_id(&n.dedup_key, n.channel, now).as_str())
        .bind(&n.dedup_key)
        .bind(n.dossier.as_ref().map(|d| d.to_string()))
        .bind(seq)
        .bind(n.kind.as_str())
        .bind(n.channel.as_str())
        .bind(&n.recipient)
        .bind(n.language.as_str())
        .bind(osup::payload_json(&n.payload)?)
        .bind(to_micros(n.not_before))
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?
        .rows_affected();
    }
    Ok(inserted)
}

/// Writes the contact of a new dossier and the notifications of the events
/// a command appended, in the command's transaction.
pub(crate) async fn write_for_command(
    conn: &mut PgConnection,
    target: &Target,
    decided: &Decided,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let code = &decided.projection.code;
    let contact = match target {
        Target::New(open) => match &open.contact {
            Some(c) if !c.is_empty() => {
                put_contact(conn, code, c, now).await?;
                Some(c.clone())
            }
            _ => None,
        },
        Target::Existing { .. } if osup::concerns_applicant(&decided.applied.events) => {
            get_contact(conn, code).await?
        }
        Target::Existing { .. } => None,
    };
    if let Some(contact) = contact {
        let rows = osup::plan(&decided.applied.events, &decided.projection, &contact);
        insert(conn, &rows, now).await?;
    }
    Ok(())
}

#[async_trait]
impl OutboxStore for PgStore {
    async fn contact(&self, dossier: &DossierCode) -> StoreResult<Option<Contact>> {
        let mut conn = self.pool().acquire().await.map_err(db_err)?;
        get_contact(&mut conn, &dossier.to_string()).await
    }

    async fn set_contact(
        &self,
        dossier: &DossierCode,
        contact: &Contact,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let code = dossier.to_string();
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        let exists: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM dossiers WHERE code = $1 FOR SHARE")
                .bind(&code)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
        if exists.is_none() {
            return Ok(false);
        }
        put_contact(&mut tx, &code, contact, to_micros(now)).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(true)
    }

    async fn enqueue(
        &self,
        notifications: &[NewNotification],
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        let n = insert(&mut tx, notifications, to_micros(now)).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(n)
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
        let channels: Vec<&str> = channels.iter().map(|c| c.as_str()).collect();
        let returning = columns()
            .split(", ")
            .map(|c| format!("o.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(&format!(
            "UPDATE notification_outbox o SET attempts = o.attempts + 1, next_attempt_at = $3 \
             FROM (SELECT id FROM notification_outbox WHERE status = 'pending' \
             AND next_attempt_at <= $1 AND channel = ANY($4) ORDER BY next_attempt_at, id \
             LIMIT $2 FOR UPDATE SKIP LOCKED) due \
             WHERE o.id = due.id RETURNING {returning}"
        ))
        .bind(now)
        .bind(i64::from(effective_limit(limit)))
        .bind(lease_until)
        .bind(channels)
        .fetch_all(self.pool())
        .await
        .map_err(db_err)?;
        let mut out = rows.iter().map(read_row).collect::<StoreResult<Vec<_>>>()?;
        out.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(out)
    }

    async fn mark_sent(&self, id: &NotificationId, now: DateTime<Utc>) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE notification_outbox SET status = 'sent', sent_at = $2 \
             WHERE id = $1 AND status = 'pending'",
        )
        .bind(id.as_str())
        .bind(to_micros(now))
        .execute(self.pool())
        .await
        .map_err(db_err)?
        .rows_affected();
        Ok(n == 1)
    }

    async fn mark_failed(
        &self,
        id: &NotificationId,
        attempt: u32,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> StoreResult<bool> {
        let attempt = i32::try_from(attempt).map_err(|e| StoreError::Other(e.into()))?;
        let n = sqlx::query(
            "UPDATE notification_outbox SET last_error = $3, \
             status = CASE WHEN $4::timestamptz IS NULL THEN 'failed' ELSE 'pending' END, \
             next_attempt_at = coalesce($4, next_attempt_at) \
             WHERE id = $1 AND attempts = $2 AND status = 'pending'",
        )
        .bind(id.as_str())
        .bind(attempt)
        .bind(osup::clip_error(error))
        .bind(retry_at.map(to_micros))
        .execute(self.pool())
        .await
        .map_err(db_err)?
        .rows_affected();
        Ok(n == 1)
    }

    async fn notifications(&self, query: &OutboxQuery) -> StoreResult<Vec<Notification>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM notification_outbox \
             WHERE ($1::text IS NULL OR dossier = $1) AND ($2::text IS NULL OR status = $2) \
             ORDER BY created_at, id LIMIT $3",
            columns()
        ))
        .bind(query.dossier.as_ref().map(|d| d.to_string()))
        .bind(query.status.map(OutboxStatus::as_str))
        .bind(i64::from(effective_limit(query.limit)))
        .fetch_all(self.pool())
        .await
        .map_err(db_err)?;
        rows.iter().map(read_row).collect()
    }
}
