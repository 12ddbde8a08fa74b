//! The delivery worker end to end, on SQLite and (when
//! `MOTCUA_TEST_DATABASE_URL` is set) PostgreSQL: dossier commands write
//! the outbox, the worker sends e-mail to a real SMTP server run by the
//! test and SMS to the file gateway, and the messages are read back.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeDelta, Utc};
use motcua_domain::dossier::{Command, DossierCode};
use motcua_notify::sms::SmsLine;
use motcua_notify::testing::SmtpSink;
use motcua_notify::{
    Email, FileSmsGateway, Mailer, NotifyConfig, RetryPolicy, SendError, Sms, SmsGateway,
    SmtpMailer, Worker,
};
use motcua_store::conformance::{
    applied, cast, contact, import_demo_procedures, new_request, open_with_contact, request, t0,
    APPLICANT_EMAIL, APPLICANT_PHONE,
};
use motcua_store::outbox::{
    DeliveryChannel, Notification, NotificationKind, OutboxQuery, OutboxStatus,
};
use motcua_store::{Intake, Store};

const FROM: &str = "Một cửa Cao Bằng <motcua@caobang.gov.vn>";
const TRACKING: &str = "https://dichvucong.caobang.gov.vn/tra-cuu/{code}";

fn config(sink: &SmtpSink, dir: &std::path::Path) -> NotifyConfig {
    NotifyConfig {
        smtp_url: Some(sink.url()),
        mail_from: FROM.to_string(),
        tracking_url: TRACKING.to_string(),
        data_dir: dir.to_path_buf(),
        ..NotifyConfig::default()
    }
}

fn policy(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        backoff_base: TimeDelta::minutes(1),
        backoff_max: TimeDelta::hours(1),
        lease: TimeDelta::minutes(5),
    }
}

/// Opens an online birth registration with the applicant's contact and
/// accepts it with an appointment at 15:00 (Vietnam) on 15/07/2025.
async fn accepted_dossier(store: &dyn Store) -> DossierCode {
    import_demo_procedures(store).await;
    let cast = cast(
        motcua_store::conformance::RECEIVING,
        motcua_store::conformance::COMPETENT,
    );
    let first = applied(
        store,
        new_request(
            open_with_contact(Intake::Online, contact()),
            &cast.citizen,
            t0(),
        ),
    )
    .await;
    applied(
        store,
        request(
            &first.code,
            Some(first.version),
            Command::Accept {
                appointment: t0() + Duration::hours(6),
                pages_digitized: 2,
            },
            &cast.receiver,
            t0() + Duration::minutes(5),
        ),
    )
    .await;
    first.code
}

async fn outbox(store: &dyn Store) -> Vec<Notification> {
    store
        .notifications(&OutboxQuery::default())
        .await
        .expect("list the outbox")
}

/// The outbox once `done` holds of it, polled until `within` has passed
/// (then returned as it is, for the caller's assertions to report).
async fn outbox_when(
    store: &dyn Store,
    within: StdDuration,
    done: impl Fn(&[Notification]) -> bool,
) -> Vec<Notification> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let rows = outbox(store).await;
        if done(&rows) || tokio::time::Instant::now() >= deadline {
            return rows;
        }
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

async fn email_end_to_end_through_a_real_smtp_sink(store: Arc<dyn Store>) {
    let code = accepted_dossier(store.as_ref()).await;
    let sink = SmtpSink::start().await.expect("start the SMTP sink");
    let dir = tempfile::tempdir().expect("temp dir");
    let worker = Worker::from_config(store.clone(), &config(&sink, dir.path())).expect("worker");
    let now = t0() + Duration::minutes(6);
    let pass = worker.run_once(now).await.expect("a pass");
    assert_eq!((pass.claimed, pass.sent), (4, 4), "{pass:?}");

    let mails = sink.messages();
    assert_eq!(mails.len(), 2, "received and accepted");
    for m in &mails {
        assert_eq!(m.rcpt_to, [APPLICANT_EMAIL]);
        assert_eq!(m.mail_from, "motcua@caobang.gov.vn");
        assert_eq!(
            m.header("Auto-Submitted").as_deref(),
            Some("auto-generated")
        );
        assert_eq!(
            m.header("Content-Type").as_deref(),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(
            m.header("Content-Transfer-Encoding").as_deref(),
            Some("base64")
        );
        assert!(m
            .header("From")
            .is_some_and(|f| f.ends_with("<motcua@caobang.gov.vn>")));
    }
    let code_text = code.to_string();
    let received = &mails[0];
    assert_eq!(received.subject(), format!("Đã nhận hồ sơ {code_text}"));
    let accepted = &mails[1];
    assert_eq!(
        accepted.subject(),
        format!("Hồ sơ {code_text} đã được tiếp nhận — hẹn trả kết quả 15:00 ngày 15/07/2025")
    );
    let body = accepted.body();
    assert!(
        body.starts_with("Kính gửi Ông/Bà Nguyễn Thị Lan,"),
        "{body}"
    );
    assert!(body.contains(&format!("Hồ sơ {code_text}, thủ tục «")));
    assert!(body.contains("Mẫu 01"));
    assert!(body.contains("Thời gian hẹn trả kết quả: 15:00 ngày 15/07/2025 (giờ Việt Nam)."));
    assert!(body.contains(&format!(
        "Tra cứu hồ sơ: https://dichvucong.caobang.gov.vn/tra-cuu/{code_text}"
    )));
    assert!(body.contains("Dear Nguyễn Thị Lan,"), "English follows");
    assert!(body.find("Kính gửi") < body.find("Dear"));

    let rows = outbox(store.as_ref()).await;
    assert_eq!(rows.len(), 4);
    assert!(rows
        .iter()
        .all(|n| n.status == OutboxStatus::Sent && n.sent_at == Some(now) && n.attempts == 1));
    let accepted_row = rows
        .iter()
        .find(|n| n.kind == NotificationKind::Accepted && n.channel == DeliveryChannel::Email)
        .expect("the acceptance e-mail row");
    assert_eq!(
        accepted.header("Message-ID"),
        Some(format!("<{}@caobang.gov.vn>", accepted_row.id))
    );

    let sms = FileSmsGateway::read(&dir.path().join("sms.log")).expect("sms.log");
    assert_eq!(sms.len(), 2);
    assert!(sms
        .iter()
        .all(|l| l.to == APPLICANT_PHONE && l.text.is_ascii()));
    assert_eq!(
        sms[1].text,
        format!(
            "Ho so {code_text} da duoc tiep nhan. Hen tra ket qua: 15:00 ngay 15/07/2025. \
             Tra cuu: https://dichvucong.caobang.gov.vn/tra-cuu/{code_text}"
        )
    );
    let sms_row = rows
        .iter()
        .find(|n| n.kind == NotificationKind::Accepted && n.channel == DeliveryChannel::Sms)
        .expect("the acceptance SMS row");
    assert_eq!(
        sms[1].id, sms_row.id,
        "the client reference is the outbox id"
    );

    let again = worker
        .run_once(now + Duration::days(1))
        .await
        .expect("a pass");
    assert_eq!(again.claimed, 0, "nothing is sent twice");
    assert_eq!(sink.messages().len(), 2);
}

async fn spawned_worker_delivers_in_the_background(store: Arc<dyn Store>) {
    let code = accepted_dossier(store.as_ref()).await;
    let sink = SmtpSink::start().await.expect("start the SMTP sink");
    let dir = tempfile::tempdir().expect("temp dir");
    let cfg = NotifyConfig {
        poll_secs: 1,
        sms_gateway: "none".to_string(),
        ..config(&sink, dir.path())
    };
    let handle = motcua_notify::spawn_worker(store.clone(), cfg).expect("spawn");
    let mails = sink.wait_for(2, StdDuration::from_secs(20)).await;
    assert_eq!(mails.len(), 2);
    assert!(mails[1].subject().contains(&code.to_string()));
    // The sink has the mails before the worker records them as sent: wait
    // for the recorded state itself, not for the delivery that precedes it.
    let rows = outbox_when(store.as_ref(), StdDuration::from_secs(20), |rows| {
        rows.iter()
            .filter(|n| n.channel == DeliveryChannel::Email)
            .all(|n| n.status == OutboxStatus::Sent)
    })
    .await;
    handle.abort();
    let _ = handle.await;
    let (sent, pending): (Vec<_>, Vec<_>) = rows
        .iter()
        .partition(|n| n.channel == DeliveryChannel::Email);
    assert!(sent.iter().all(|n| n.status == OutboxStatus::Sent));
    assert!(
        pending
            .iter()
            .all(|n| n.status == OutboxStatus::Pending && n.attempts == 0),
        "without an SMS gateway the SMS wait, unclaimed"
    );
}

async fn failed_sends_back_off_then_succeed(store: Arc<dyn Store>) {
    accepted_dossier(store.as_ref()).await;
    let sink = SmtpSink::start().await.expect("start the SMTP sink");
    let smtp = motcua_notify::config::parse_smtp_url(&sink.url()).expect("url");
    let mailer = SmtpMailer::new(&smtp, FROM, None).expect("mailer");
    let worker = Worker::new(store.clone(), Default::default(), policy(8))
        .with_mailer(Arc::new(mailer))
        .with_batch(1, StdDuration::from_secs(1));
    // Only the first e-mail (received) is claimed per pass: batch of 1.
    sink.reject_next(2);
    let t = t0() + Duration::minutes(6);
    let p = worker.run_once(t).await.expect("pass");
    assert_eq!((p.claimed, p.retried), (1, 1), "{p:?}");
    let first = outbox(store.as_ref())
        .await
        .into_iter()
        .find(|n| n.kind == NotificationKind::Received && n.channel == DeliveryChannel::Email)
        .expect("the first e-mail");
    assert_eq!(first.status, OutboxStatus::Pending);
    assert_eq!(first.attempts, 1);
    assert_eq!(first.next_attempt_at, t + Duration::minutes(1));
    assert!(
        first
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("451")),
        "{:?}",
        first.last_error
    );
    // The second e-mail is due, the first is not yet.
    let p = worker
        .run_once(t + Duration::seconds(30))
        .await
        .expect("pass");
    assert_eq!((p.claimed, p.retried), (1, 1), "{p:?}");
    let rows = outbox(store.as_ref()).await;
    let first_again = rows.iter().find(|n| n.id == first.id).expect("row");
    assert_eq!(first_again.attempts, 1, "not retried before its time");
    // Retry of the first at t + 1 min succeeds; then the second at its time.
    let p = worker
        .run_once(t + Duration::minutes(1))
        .await
        .expect("pass");
    assert_eq!(p.sent, 1, "{p:?}");
    let rows = outbox(store.as_ref()).await;
    let first_done = rows.iter().find(|n| n.id == first.id).expect("row");
    assert_eq!(first_done.status, OutboxStatus::Sent);
    assert_eq!(first_done.attempts, 2);
    let p = worker
        .run_once(t + Duration::minutes(2))
        .await
        .expect("pass");
    assert_eq!(p.sent, 1, "{p:?}");
    let mails = sink.messages();
    assert_eq!(mails.len(), 2, "each delivered once");
    let rows = outbox(store.as_ref()).await;
    assert!(rows
        .iter()
        .filter(|n| n.channel == DeliveryChannel::Email)
        .all(|n| n.status == OutboxStatus::Sent && n.attempts == 2));
}

async fn a_crash_between_claim_and_mark_loses_nothing(store: Arc<dyn Store>) {
    accepted_dossier(store.as_ref()).await;
    let t = t0() + Duration::minutes(6);
    let lease = TimeDelta::minutes(5);
    // A worker claims everything and dies before sending or marking.
    let claimed = store
        .claim_due(
            t,
            &[DeliveryChannel::Email, DeliveryChannel::Sms],
            50,
            lease,
        )
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 4);
    let sink = SmtpSink::start().await.expect("start the SMTP sink");
    let dir = tempfile::tempdir().expect("temp dir");
    let worker = Worker::from_config(store.clone(), &config(&sink, dir.path())).expect("worker");
    let p = worker
        .run_once(t + Duration::minutes(1))
        .await
        .expect("pass");
    assert_eq!(p.claimed, 0, "still leased to the dead worker");
    let p = worker.run_once(t + lease).await.expect("pass");
    assert_eq!((p.claimed, p.sent), (4, 4), "{p:?}");
    assert_eq!(sink.messages().len(), 2);
    assert!(outbox(store.as_ref())
        .await
        .iter()
        .all(|n| n.status == OutboxStatus::Sent && n.attempts == 2));
}

/// Sends through the real mailer, then reports a failure the first time:
/// what a crash after the SMTP server accepted the message, before the row
/// was marked, looks like to the outbox.
struct LosesTheFirstAnswer {
    inner: SmtpMailer,
    calls: AtomicU32,
}

#[async_trait]
impl Mailer for LosesTheFirstAnswer {
    async fn send(&self, email: &Email) -> Result<(), SendError> {
        self.inner.send(email).await?;
        if self.calls.fetch_add(1, Ordering::SeqCst) == 0 {
            return Err(SendError::transient("connection lost after DATA"));
        }
        Ok(())
    }
}

async fn a_resend_keeps_its_message_id(store: Arc<dyn Store>) {
    accepted_dossier(store.as_ref()).await;
    let sink = SmtpSink::start().await.expect("start the SMTP sink");
    let smtp = motcua_notify::config::parse_smtp_url(&sink.url()).expect("url");
    let mailer = LosesTheFirstAnswer {
        inner: SmtpMailer::new(&smtp, FROM, None).expect("mailer"),
        calls: AtomicU32::new(0),
    };
    let worker =
        Worker::new(store.clone(), Default::default(), policy(8)).with_mailer(Arc::new(mailer));
    let t = t0() + Duration::minutes(6);
    let p = worker.run_once(t).await.expect("pass");
    assert_eq!((p.sent, p.retried), (1, 1), "{p:?}");
    let p = worker
        .run_once(t + Duration::minutes(1))
        .await
        .expect("pass");
    assert_eq!(p.sent, 1, "{p:?}");
    let mails = sink.messages();
    assert_eq!(mails.len(), 3, "the one possible duplicate");
    let (first, other, again) = (&mails[0], &mails[1], &mails[2]);
    assert_eq!(first.header("Message-ID"), again.header("Message-ID"));
    assert_ne!(first.header("Message-ID"), other.header("Message-ID"));
    assert_eq!(first.data, again.data.replace(&date(again), &date(first)));
}

fn date(m: &motcua_notify::testing::ReceivedMail) -> String {
    m.header("Date").unwrap_or_default()
}

/// Always fails, permanently or not.
struct Broken(bool);

#[async_trait]
impl Mailer for Broken {
    async fn send(&self, _: &Email) -> Result<(), SendError> {
        Err(SendError {
            permanent: self.0,
            message: "550 5.1.1 mailbox unavailable".to_string(),
        })
    }
}

async fn permanent_errors_and_exhausted_attempts_fail(store: Arc<dyn Store>) {
    accepted_dossier(store.as_ref()).await;
    let t = t0() + Duration::minutes(6);
    let permanent = Worker::new(store.clone(), Default::default(), policy(5))
        .with_mailer(Arc::new(Broken(true)))
        .with_batch(1, StdDuration::from_secs(1));
    let p = permanent.run_once(t).await.expect("pass");
    assert_eq!(p.failed, 1, "{p:?}");
    let rows = outbox(store.as_ref()).await;
    let failed = rows
        .iter()
        .find(|n| n.status == OutboxStatus::Failed)
        .expect("a failed row");
    assert_eq!(failed.channel, DeliveryChannel::Email);
    assert_eq!(failed.attempts, 1);
    assert_eq!(
        failed.last_error.as_deref(),
        Some("550 5.1.1 mailbox unavailable")
    );

    let transient = Worker::new(store.clone(), Default::default(), policy(2))
        .with_mailer(Arc::new(Broken(false)));
    let p = transient.run_once(t).await.expect("pass");
    assert_eq!(p.retried, 1, "{p:?}");
    let p = transient
        .run_once(t + Duration::minutes(1))
        .await
        .expect("pass");
    assert_eq!(p.failed, 1, "the second attempt was the last: {p:?}");
    let rows = outbox(store.as_ref()).await;
    assert!(rows
        .iter()
        .filter(|n| n.channel == DeliveryChannel::Email)
        .all(|n| n.status == OutboxStatus::Failed));

    // Leases that kept expiring (a sender that dies on a message) end too.
    let lease = TimeDelta::minutes(5);
    let sms = [DeliveryChannel::Sms];
    let mut at = t;
    for _ in 0..3 {
        assert_eq!(
            store
                .claim_due(at, &sms, 10, lease)
                .await
                .expect("claim")
                .len(),
            2
        );
        at += lease;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let gateway = Arc::new(FileSmsGateway::new(dir.path().join("sms.log")));
    let sender = Worker::new(store.clone(), Default::default(), policy(3)).with_sms(gateway);
    let p = sender.run_once(at).await.expect("pass");
    assert_eq!((p.claimed, p.failed), (2, 2), "{p:?}");
    let rows = outbox(store.as_ref()).await;
    let gave_up = rows
        .iter()
        .find(|n| n.channel == DeliveryChannel::Sms && n.status == OutboxStatus::Failed)
        .expect("a failed SMS");
    assert!(gave_up
        .last_error
        .as_deref()
        .is_some_and(|e| e.starts_with("gave up after 3 attempts")));
    assert!(
        FileSmsGateway::read(&dir.path().join("sms.log"))
            .expect("read")
            .is_empty(),
        "not sent"
    );
}

async fn concurrent_workers_send_each_once(store: Arc<dyn Store>) {
    let t = t0();
    let mut rows = Vec::new();
    for i in 0..12 {
        rows.extend(motcua_store::outbox::NewNotification::for_contact(
            &format!("booking:LH-{i:04}:reminder"),
            None,
            None,
            NotificationKind::AppointmentReminder,
            &motcua_store::outbox::Payload {
                booking_code: Some(format!("LH-{i:04}")),
                appointment: Some(t + Duration::days(1)),
                ..Default::default()
            },
            &contact(),
            t,
        ));
    }
    store.enqueue(&rows, t).await.expect("enqueue");
    let sink = SmtpSink::start().await.expect("start the SMTP sink");
    let dir = tempfile::tempdir().expect("temp dir");
    let workers: Vec<Worker> = (0..3)
        .map(|_| {
            Worker::from_config(store.clone(), &config(&sink, dir.path()))
                .expect("worker")
                .with_batch(5, StdDuration::from_secs(1))
        })
        .collect();
    let workers = Arc::new(workers);
    let mut tasks = Vec::new();
    for i in 0..3 {
        let w = workers.clone();
        tasks.push(tokio::spawn(async move {
            let mut total = 0;
            loop {
                let p = w[i].run_once(t).await.expect("pass");
                total += p.sent;
                if p.claimed == 0 {
                    return total;
                }
            }
        }));
    }
    let mut sent = 0;
    for task in tasks {
        sent += task.await.expect("task");
    }
    assert_eq!(sent, 24);
    let mails = sink.messages();
    assert_eq!(mails.len(), 12);
    let ids: std::collections::BTreeSet<_> = mails.iter().map(|m| m.header("Message-ID")).collect();
    assert_eq!(ids.len(), 12, "no e-mail twice");
    assert!(mails[0].subject().starts_with("Nhắc lịch hẹn"));
    let sms = FileSmsGateway::read(&dir.path().join("sms.log")).expect("read");
    assert_eq!(sms.len(), 12);
}

#[tokio::test]
async fn file_sms_gateway_writes_the_expected_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested").join("sms.log");
    let gateway = FileSmsGateway::new(&path);
    let id = motcua_store::outbox::NotificationId::parse("00112233445566778899aabbccddeeff")
        .expect("id");
    let before: DateTime<Utc> = Utc::now();
    for text in [
        "Ho so 04.01273-250715-0001 da duoc tiep nhan.",
        "Dòng \"hai\"\n",
    ] {
        gateway
            .send(&Sms {
                id: id.clone(),
                to: APPLICANT_PHONE.to_string(),
                text: text.to_string(),
            })
            .await
            .expect("send");
    }
    let raw = std::fs::read_to_string(&path).expect("read");
    let lines: Vec<&str> = raw.lines().collect();
    assert_eq!(lines.len(), 2, "{raw}");
    assert!(raw.ends_with('\n'));
    assert!(
        lines[0].starts_with(
            "{\"id\":\"00112233445566778899aabbccddeeff\",\"to\":\"+84912345678\",\
             \"text\":\"Ho so 04.01273-250715-0001 da duoc tiep nhan.\",\"at\":\""
        ),
        "{}",
        lines[0]
    );
    let parsed: Vec<SmsLine> = FileSmsGateway::read(&path).expect("parse");
    assert_eq!(parsed[1].text, "Dòng \"hai\"\n");
    assert!(parsed.iter().all(|l| l.at >= before && l.id == id));
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let fixture = motcua_store_sqlite::test_fixture();
                    super::$name(fixture.shared()).await;
                    fixture.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(fixture) = motcua_store_postgres::test_fixture().await else {
                        return;
                    };
                    super::$name(fixture.shared()).await;
                    fixture.finish().await;
                }
            )*
        }
    };
}

on_both_backends!(
    email_end_to_end_through_a_real_smtp_sink,
    spawned_worker_delivers_in_the_background,
    failed_sends_back_off_then_succeed,
    a_crash_between_claim_and_mark_loses_nothing,
    a_resend_keeps_its_message_id,
    permanent_errors_and_exhausted_attempts_fail,
    concurrent_workers_send_each_once,
);
