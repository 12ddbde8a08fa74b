//! Conformance checks of the outbox: rows are written with the events they
//! announce (and only then), once per event and channel whatever is
//! retried; claims lease rows, expired leases make them due again, stale
//! claims cannot reschedule, back-off times are kept, concurrent claimers
//! get disjoint rows.

use std::collections::BTreeSet;

use chrono::{Duration, TimeDelta};
use motcua_domain::dossier::{Command, DossierCode, DossierError, Role};

use super::dossiers::*;
use crate::outbox::{
    Contact, DeliveryChannel, EmailAddress, Language, NewNotification, Notification,
    NotificationKind, OutboxQuery, OutboxStatus, Payload, PhoneNumber,
};
use crate::{CommandError, Intake, OpenDossier, Store};

pub const APPLICANT_EMAIL: &str = "lan.nguyen@example.vn";
pub const APPLICANT_PHONE: &str = "+84912345678";

/// An applicant reachable by e-mail and SMS, reading Vietnamese.
pub fn contact() -> Contact {
    Contact {
        email: Some(EmailAddress::parse(APPLICANT_EMAIL).expect("valid test address")),
        phone: Some(PhoneNumber::parse("0912 345 678").expect("valid test number")),
        language: Language::Vi,
    }
}

/// [`open`] with the applicant's contact details.
pub fn open_with_contact(intake: Intake, contact: Contact) -> OpenDossier {
    OpenDossier {
        contact: Some(contact),
        ..open(intake, BIRTH, RECEIVING, COMPETENT, "Nguyễn Thị Lan")
    }
}

async fn rows_of(store: &dyn Store, code: &DossierCode) -> Vec<Notification> {
    store
        .notifications(&OutboxQuery {
            dossier: Some(code.clone()),
            ..OutboxQuery::default()
        })
        .await
        .expect("list the outbox")
}

/// (seq, kind, channel) of each row, in order.
fn shape(rows: &[Notification]) -> Vec<(u64, NotificationKind, DeliveryChannel)> {
    let mut v: Vec<_> = rows
        .iter()
        .map(|n| (n.event_seq.expect("an event's row"), n.kind, n.channel))
        .collect();
    v.sort();
    v
}

fn reminder(
    key: &str,
    code: Option<&DossierCode>,
    at: chrono::DateTime<chrono::Utc>,
) -> Vec<NewNotification> {
    NewNotification::for_contact(
        key,
        code,
        None,
        NotificationKind::AppointmentReminder,
        &Payload {
            booking_code: Some("LH-0001".to_string()),
            place: Some("Trung tâm Phục vụ hành chính công, quầy 3".to_string()),
            appointment: Some(at + Duration::days(1)),
            ..Payload::default()
        },
        &contact(),
        at,
    )
}

pub async fn outbox_rows_are_written_with_the_events(store: &dyn Store) {
    use NotificationKind as K;
    import_demo_procedures(store).await;
    let cast = cast(RECEIVING, COMPETENT);
    let first = applied(
        store,
        new_request(
            open_with_contact(Intake::Online, contact()),
            &cast.citizen,
            t0(),
        ),
    )
    .await;
    let code = first.code.clone();
    assert_eq!(
        store.contact(&code).await.expect("contact"),
        Some(contact())
    );

    let rows = rows_of(store, &code).await;
    assert_eq!(
        shape(&rows),
        [
            (0, K::Received, DeliveryChannel::Email),
            (0, K::Received, DeliveryChannel::Sms)
        ]
    );
    for n in &rows {
        assert_eq!(n.status, OutboxStatus::Pending);
        assert_eq!(n.attempts, 0);
        assert_eq!(n.dossier.as_ref(), Some(&code));
        assert_eq!(n.dedup_key, format!("{code}#0"));
        assert_eq!(n.next_attempt_at, t0(), "due at once");
        assert_eq!(n.created_at, t0());
        assert_eq!(n.language, Language::Vi);
        assert_eq!(
            n.payload.dossier.as_deref(),
            Some(code.to_string().as_str())
        );
        assert_eq!(n.payload.applicant_name.as_deref(), Some("Nguyễn Thị Lan"));
        assert!(n
            .payload
            .procedure_name
            .as_deref()
            .is_some_and(|p| !p.is_empty()));
        assert_eq!(n.last_error, None);
        assert_eq!(n.sent_at, None);
    }
    let recipients: BTreeSet<&str> = rows.iter().map(|n| n.recipient.as_str()).collect();
    assert_eq!(
        recipients,
        BTreeSet::from([APPLICANT_EMAIL, APPLICANT_PHONE])
    );
    assert_ne!(rows[0].id, rows[1].id);

    let mut version = first.version;
    let mut now = t0();
    for (command, actor) in lifecycle_commands(&cast, t0()) {
        now += Duration::minutes(10);
        version = applied(store, request(&code, Some(version), command, &actor, now))
            .await
            .version;
    }
    let rows = rows_of(store, &code).await;
    let kinds: Vec<(u64, NotificationKind)> = shape(&rows)
        .into_iter()
        .filter(|(_, _, c)| *c == DeliveryChannel::Email)
        .map(|(s, k, _)| (s, k))
        .collect();
    // Accepted (1), result issued (5), returned (6); the internal steps
    // and the rating concern only the administration.
    assert_eq!(
        kinds,
        [
            (0, K::Received),
            (1, K::Accepted),
            (5, K::ResultReady),
            (6, K::ResultReturned)
        ]
    );
    assert_eq!(rows.len(), 8, "each on both channels");
    let accepted = rows
        .iter()
        .find(|n| n.kind == K::Accepted)
        .expect("an acceptance row");
    assert_eq!(
        accepted.payload.appointment,
        Some(t0() + Duration::hours(6))
    );
    assert_eq!(accepted.created_at, t0() + Duration::minutes(10));
    let ready = rows
        .iter()
        .find(|n| n.kind == K::ResultReady)
        .expect("a result row");
    assert_eq!(ready.payload.result_number.as_deref(), Some("125/2025/KS"));
    let events = store.events(&code).await.expect("events");
    for n in &rows {
        let seq = usize::try_from(n.event_seq.expect("seq")).expect("small");
        assert_eq!(
            NotificationKind::of(&events[seq].event.data),
            Some(n.kind),
            "row {} announces its event",
            n.dedup_key
        );
    }
}

pub async fn outbox_follows_the_contact(store: &dyn Store) {
    use NotificationKind as K;
    import_demo_procedures(store).await;
    let cast = cast(RECEIVING, COMPETENT);
    // In person, without contact details: nothing to send.
    let first = applied(
        store,
        new_request(
            open(
                Intake::Counter,
                BIRTH,
                RECEIVING,
                COMPETENT,
                "Hoàng Văn Nam",
            ),
            &cast.receiver,
            t0(),
        ),
    )
    .await;
    let code = first.code.clone();
    assert_eq!(store.contact(&code).await.expect("contact"), None);
    let supplement = Command::RequestSupplement {
        reason: "Thiếu bản sao giấy chứng nhận kết hôn".to_string(),
        documents: vec!["Giấy chứng nhận kết hôn (bản sao)".to_string()],
    };
    let a = applied(
        store,
        request(&code, Some(first.version), supplement, &cast.receiver, t0()),
    )
    .await;
    assert!(
        rows_of(store, &code).await.is_empty(),
        "no contact, no rows"
    );

    // Contact given later (by SMS only, in English): later events use it.
    let sms_only = Contact {
        email: None,
        phone: Some(PhoneNumber::parse("0987654321").expect("valid")),
        language: Language::En,
    };
    let later = t0() + Duration::minutes(5);
    assert!(store
        .set_contact(&code, &sms_only, later)
        .await
        .expect("set"));
    assert_eq!(store.contact(&code).await.expect("contact"), Some(sms_only));
    let unknown = DossierCode::parse("04.01273-250715-9999").expect("valid code");
    assert!(!store
        .set_contact(&unknown, &contact(), later)
        .await
        .expect("set"));
    assert_eq!(store.contact(&unknown).await.expect("contact"), None);

    // The copy brought to the counter is scanned, then the supplement is
    // provided (it needs a document attached since the request).
    let scan = Command::AttachDocument {
        document: motcua_domain::dossier::DocumentRef {
            sha256: "ab".repeat(32),
            size: 1024,
            media_type: "application/pdf".to_string(),
            name: "Giấy chứng nhận kết hôn (bản sao)".to_string(),
            kind: motcua_domain::dossier::DocumentKind::Digitized,
            electronic: false,
        },
    };
    let scanned = applied(
        store,
        request(&code, Some(a.version), scan, &cast.receiver, later),
    )
    .await;
    let provided = Command::ProvideSupplement {
        documents: vec!["Giấy chứng nhận kết hôn (bản sao)".to_string()],
        appointment: None,
    };
    let b = applied(
        store,
        request(
            &code,
            Some(scanned.version),
            provided,
            &cast.receiver,
            later,
        ),
    )
    .await;
    assert!(rows_of(store, &code).await.is_empty(), "nothing to tell");
    let accept = Command::Accept {
        appointment: later + Duration::hours(8),
        pages_digitized: 2,
    };
    applied(
        store,
        request(&code, Some(b.version), accept, &cast.receiver, later),
    )
    .await;
    let rows = rows_of(store, &code).await;
    assert_eq!(shape(&rows), [(4, K::Accepted, DeliveryChannel::Sms)]);
    assert_eq!(rows[0].recipient, "+84987654321");
    assert_eq!(rows[0].language, Language::En);

    // An empty contact erases the details.
    assert!(store
        .set_contact(&code, &Contact::default(), later)
        .await
        .expect("erase"));
    assert_eq!(store.contact(&code).await.expect("contact"), None);
}

pub async fn refused_commands_enqueue_nothing(store: &dyn Store) {
    import_demo_procedures(store).await;
    let cast = cast(RECEIVING, COMPETENT);
    let first = applied(
        store,
        new_request(
            open_with_contact(Intake::Online, contact()),
            &cast.citizen,
            t0(),
        ),
    )
    .await;
    let code = first.code.clone();
    let before = rows_of(store, &code).await;
    assert_eq!(before.len(), 2);
    let accept = || Command::Accept {
        appointment: t0() + Duration::hours(6),
        pages_digitized: 1,
    };
    // The wrong role, a stale version, the wrong unit: refused, no rows.
    let e = refused(
        store,
        request(&code, None, accept(), &cast.specialist, t0()),
    )
    .await;
    assert!(
        matches!(e, CommandError::Refused(DossierError::ForbiddenRole { .. })),
        "{e:?}"
    );
    let e = refused(
        store,
        request(&code, Some(7), accept(), &cast.receiver, t0()),
    )
    .await;
    assert!(matches!(e, CommandError::VersionConflict { .. }), "{e:?}");
    let elsewhere = staff(Role::ReceivingOfficer, "khac", OTHER_UNIT);
    refused(store, request(&code, None, accept(), &elsewhere, t0())).await;
    let e = refused(
        store,
        request(
            &code,
            None,
            Command::Refuse {
                reason: "  ".to_string(),
            },
            &cast.receiver,
            t0(),
        ),
    )
    .await;
    assert!(matches!(e, CommandError::Refused(_)), "{e:?}");
    assert_eq!(
        rows_of(store, &code).await,
        before,
        "refusals write no rows"
    );
    // A refused opening writes neither a contact nor a row.
    let mut bad = open_with_contact(Intake::Online, contact());
    bad.applicant.name = String::new();
    let e = refused(store, new_request(bad, &cast.citizen, t0())).await;
    assert!(matches!(e, CommandError::Refused(_)), "{e:?}");
    let all = store
        .notifications(&OutboxQuery::default())
        .await
        .expect("list");
    assert_eq!(all.len(), 2, "only the first dossier's rows");
}

pub async fn retried_commands_enqueue_once(store: &dyn Store) {
    import_demo_procedures(store).await;
    let cast = cast(RECEIVING, COMPETENT);
    let open_req = with_key(
        new_request(
            open_with_contact(Intake::Online, contact()),
            &cast.citizen,
            t0(),
        ),
        "open-with-contact",
    );
    let first = applied(store, open_req.clone()).await;
    let mut retry = open_req;
    retry.now = t0() + Duration::seconds(40);
    assert!(applied(store, retry).await.replayed);
    let accept = with_key(
        request(
            &first.code,
            Some(first.version),
            Command::Accept {
                appointment: t0() + Duration::hours(6),
                pages_digitized: 1,
            },
            &cast.receiver,
            t0() + Duration::minutes(1),
        ),
        "accept-1",
    );
    assert!(!applied(store, accept.clone()).await.replayed);
    let retries = join_all(
        (0..4)
            .map(|_| store.execute(accept.clone()))
            .collect::<Vec<_>>(),
    )
    .await;
    for r in retries {
        assert!(r.expect("storage").expect("a replay").replayed);
    }
    let rows = rows_of(store, &first.code).await;
    assert_eq!(
        rows.len(),
        4,
        "received and accepted, on two channels, once"
    );
    let all = store
        .notifications(&OutboxQuery::default())
        .await
        .expect("list");
    assert_eq!(all.len(), 4, "the replayed opening opened nothing");
}

pub async fn claims_lease_retry_and_back_off(store: &dyn Store) {
    let t = t0();
    let lease = TimeDelta::minutes(5);
    assert_eq!(
        store
            .enqueue(&reminder("booking:LH-0001:reminder", None, t), t)
            .await
            .expect("enqueue"),
        2
    );
    let both = [DeliveryChannel::Email, DeliveryChannel::Sms];

    // Not due before its time.
    let early = store
        .claim_due(t - Duration::seconds(1), &both, 10, lease)
        .await
        .expect("claim");
    assert!(early.is_empty());

    // Only the channels asked for.
    let sms = store
        .claim_due(t, &[DeliveryChannel::Sms], 10, lease)
        .await
        .expect("claim");
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0].channel, DeliveryChannel::Sms);
    assert_eq!(sms[0].attempts, 1);
    assert_eq!(sms[0].next_attempt_at, t + lease, "leased");
    let email = store.claim_due(t, &both, 10, lease).await.expect("claim");
    assert_eq!(email.len(), 1, "the SMS is leased");
    assert_eq!(email[0].channel, DeliveryChannel::Email);
    let e = email[0].clone();
    assert!(store
        .claim_due(t + Duration::minutes(4), &both, 10, lease)
        .await
        .expect("claim")
        .is_empty());

    // The sender died: the lease expires and the row is claimed again.
    let again = store
        .claim_due(t + lease, &both, 10, lease)
        .await
        .expect("claim");
    assert_eq!(again.len(), 2);
    let e2 = again
        .iter()
        .find(|n| n.id == e.id)
        .expect("the e-mail again")
        .clone();
    assert_eq!(e2.attempts, 2);

    // The stale claim can no longer reschedule it.
    let t1 = t + lease + Duration::seconds(10);
    assert!(!store
        .mark_failed(&e.id, e.attempts, "late answer", Some(t1))
        .await
        .expect("mark"));
    // The current one can: back-off to its retry time.
    let retry_at = t1 + Duration::minutes(4);
    assert!(store
        .mark_failed(&e2.id, e2.attempts, "421 try again later", Some(retry_at))
        .await
        .expect("mark"));
    let stored = store
        .notifications(&OutboxQuery::default())
        .await
        .expect("list");
    let row = stored.iter().find(|n| n.id == e.id).expect("row");
    assert_eq!(row.status, OutboxStatus::Pending);
    assert_eq!(row.next_attempt_at, retry_at);
    assert_eq!(row.last_error.as_deref(), Some("421 try again later"));
    assert!(store
        .claim_due(
            retry_at - Duration::seconds(1),
            &[DeliveryChannel::Email],
            10,
            lease
        )
        .await
        .expect("claim")
        .is_empty());
    let third = store
        .claim_due(retry_at, &[DeliveryChannel::Email], 10, lease)
        .await
        .expect("claim");
    assert_eq!(third.len(), 1);
    assert_eq!(third[0].attempts, 3);

    // Sent: recorded even by a sender whose lease ran out, and only once.
    assert!(store.mark_sent(&e.id, retry_at).await.expect("mark"));
    assert!(!store.mark_sent(&e.id, retry_at).await.expect("mark"));
    assert!(!store
        .mark_failed(&e.id, 3, "after the fact", Some(retry_at))
        .await
        .expect("mark"));

    // The SMS gives up for good.
    let s = again
        .iter()
        .find(|n| n.channel == DeliveryChannel::Sms)
        .expect("the SMS");
    assert!(store
        .mark_failed(&s.id, s.attempts, &"x".repeat(2000), None)
        .await
        .expect("mark"));
    let stored = store
        .notifications(&OutboxQuery::default())
        .await
        .expect("list");
    let by_channel = |c| stored.iter().find(|n| n.channel == c).expect("row");
    let sent = by_channel(DeliveryChannel::Email);
    assert_eq!(sent.status, OutboxStatus::Sent);
    assert_eq!(sent.sent_at, Some(retry_at));
    let failed = by_channel(DeliveryChannel::Sms);
    assert_eq!(failed.status, OutboxStatus::Failed);
    assert_eq!(
        failed.last_error.as_ref().map(|e| e.chars().count()),
        Some(500),
        "clipped"
    );
    assert!(store
        .claim_due(retry_at + Duration::days(30), &both, 10, lease)
        .await
        .expect("claim")
        .is_empty());
    let failed_only = store
        .notifications(&OutboxQuery {
            status: Some(OutboxStatus::Failed),
            ..OutboxQuery::default()
        })
        .await
        .expect("list");
    assert_eq!(failed_only.len(), 1);
}

pub async fn enqueue_is_idempotent(store: &dyn Store) {
    let t = t0();
    let later = t + Duration::hours(20);
    assert_eq!(
        store
            .enqueue(&reminder("booking:LH-7:reminder", None, later), t)
            .await
            .expect("enqueue"),
        2
    );
    assert_eq!(
        store
            .enqueue(
                &reminder("booking:LH-7:reminder", None, later),
                t + Duration::seconds(1)
            )
            .await
            .expect("enqueue"),
        0,
        "the same key and channel are stored once"
    );
    let rows = store
        .notifications(&OutboxQuery::default())
        .await
        .expect("list");
    assert_eq!(rows.len(), 2);
    assert!(rows
        .iter()
        .all(|n| n.kind == NotificationKind::AppointmentReminder
            && n.next_attempt_at == later
            && n.event_seq.is_none()
            && n.payload.booking_code.as_deref() == Some("LH-0001")));
    let both = [DeliveryChannel::Email, DeliveryChannel::Sms];
    assert!(store
        .claim_due(t, &both, 10, TimeDelta::minutes(1))
        .await
        .expect("claim")
        .is_empty());
    assert_eq!(
        store
            .claim_due(later, &both, 10, TimeDelta::minutes(1))
            .await
            .expect("claim")
            .len(),
        2
    );
}

pub async fn concurrent_claims_are_disjoint(store: &dyn Store) {
    let t = t0();
    let mut rows = Vec::new();
    for i in 0..30 {
        rows.extend(reminder(&format!("booking:{i}"), None, t));
    }
    assert_eq!(store.enqueue(&rows, t).await.expect("enqueue"), 60);
    let both = [DeliveryChannel::Email, DeliveryChannel::Sms];
    let claims = join_all(
        (0..6)
            .map(|_| store.claim_due(t, &both, 15, TimeDelta::minutes(5)))
            .collect::<Vec<_>>(),
    )
    .await;
    let mut seen = BTreeSet::new();
    let mut total = 0;
    for c in claims {
        for n in c.expect("claim") {
            total += 1;
            assert!(seen.insert(n.id.clone()), "{} claimed twice", n.id);
            assert_eq!(n.attempts, 1);
        }
    }
    assert_eq!(total, 60, "every row claimed once");
}

/// Generates the outbox conformance tests, like
/// [`crate::conformance_tests!`].
#[macro_export]
macro_rules! outbox_conformance_tests {
    ($factory:path) => {
        $crate::conformance_tests!(@each $factory,
            outbox_rows_are_written_with_the_events,
            outbox_follows_the_contact,
            refused_commands_enqueue_nothing,
            retried_commands_enqueue_once,
            claims_lease_retry_and_back_off,
            enqueue_is_idempotent,
            concurrent_claims_are_disjoint
        );
    };
}
