//! Conformance checks of the account store: officials and assignments,
//! sessions, lockout, citizens and one-time codes, and the dossier search
//! limited to a scope.

use chrono::{DateTime, Duration, Utc};
use motcua_domain::access::{
    otp_code_hash, Assignment, Contact, LockoutPolicy, OtpChallenge, OtpCheck, OtpPolicy, Scope,
    StaffRole, Username,
};
use motcua_domain::dossier::UserId;

use super::{applied, cast, citizen, new_request, open, t0, unit, user, BIRTH};
use crate::{
    login_client_key, login_key, otp_key, DossierFilter, Intake, NewOfficial, NewSession, Store,
    StoreError, Subject,
};

pub(super) fn username(s: &str) -> Username {
    Username::parse(s).expect("valid username")
}

pub(super) fn assign(role: StaffRole, at: &str) -> Assignment {
    Assignment::new(role, unit(at)).expect("valid assignment")
}

/// An official as the server creates one (the hash is opaque to the store).
pub fn new_official(name: &str, assignments: Vec<Assignment>) -> NewOfficial {
    NewOfficial {
        username: username(name),
        display_name: format!("Cán bộ {name}"),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$hash-of-{name}"),
        assignments,
    }
}

pub(super) fn token(n: u8) -> [u8; 32] {
    [n; 32]
}

pub(super) fn session(n: u8, subject: Subject, now: DateTime<Utc>, ttl: Duration) -> NewSession {
    NewSession {
        token_hash: token(n),
        subject,
        csrf_token: format!("csrf-{n}"),
        created_at: now,
        expires_at: now + ttl,
    }
}

pub async fn officials_with_assignments(store: &dyn Store) {
    let now = t0();
    assert_eq!(store.count_officials().await.expect("count"), 0);
    let new = new_official(
        "tiepnhan.01279",
        vec![
            assign(StaffRole::ReceivingOfficer, "04.01279"),
            assign(StaffRole::Inspector, "04"),
        ],
    );
    let created = store.create_official(&new, now).await.expect("create");
    assert!(created.active);
    assert_eq!(created.created_at, now);
    assert_eq!(created.assignments.len(), 2);
    assert_eq!(store.count_officials().await.expect("count"), 1);
    let err = store
        .create_official(&new_official("tiepnhan.01279", vec![]), now)
        .await
        .expect_err("the username is taken");
    assert!(
        matches!(&err, StoreError::Conflict(c) if c == "officials_pk"),
        "{err:?}"
    );

    let login = store
        .official(&username("tiepnhan.01279"))
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(login.password_hash, new.password_hash);
    assert_eq!(login.official, created);
    assert_eq!(
        store
            .official(&username("nobody.here"))
            .await
            .expect("read"),
        None
    );

    let more = store
        .add_assignments(
            &username("tiepnhan.01279"),
            &[
                assign(StaffRole::ReceivingOfficer, "04.01279"),
                assign(StaffRole::Specialist, "04.01288"),
            ],
            None,
            now,
        )
        .await
        .expect("add");
    let mut expected = vec![
        assign(StaffRole::ReceivingOfficer, "04.01279"),
        assign(StaffRole::Specialist, "04.01288"),
        assign(StaffRole::Inspector, "04"),
    ];
    expected.sort();
    assert_eq!(more.assignments, expected, "kept once, sorted");
    let err = store
        .add_assignments(&username("nobody.here"), &expected, None, now)
        .await
        .expect_err("no such official");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");

    let s = session(
        1,
        Subject::Official(username("tiepnhan.01279")),
        now,
        Duration::hours(8),
    );
    store.create_session(&s).await.expect("session");
    store
        .set_official_active(&username("tiepnhan.01279"), false, None, now)
        .await
        .expect("deactivate")
        .expect("the system may");
    let login = store
        .official(&username("tiepnhan.01279"))
        .await
        .expect("read")
        .expect("exists");
    assert!(!login.official.active);
    assert_eq!(
        store.session(&token(1), now).await.expect("read"),
        None,
        "deactivation ends the sessions"
    );
    assert!(matches!(
        store
            .set_official_active(&username("nobody.here"), true, None, now)
            .await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn sessions_expire_and_end(store: &dyn Store) {
    let now = t0();
    let who = Subject::Citizen(user("citizen:abc"));
    store
        .create_session(&session(7, who.clone(), now, Duration::hours(1)))
        .await
        .expect("create");
    store
        .create_session(&session(8, who.clone(), now, Duration::minutes(5)))
        .await
        .expect("create");
    let err = store
        .create_session(&session(7, who.clone(), now, Duration::hours(1)))
        .await
        .expect_err("a token hash is unique");
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");

    let found = store
        .session(&token(7), now + Duration::minutes(59))
        .await
        .expect("read")
        .expect("valid");
    assert_eq!(found.subject, who);
    assert_eq!(found.csrf_token, "csrf-7");
    assert_eq!(found.expires_at, now + Duration::hours(1));
    assert_eq!(
        store
            .session(&token(7), now + Duration::hours(1))
            .await
            .expect("read"),
        None,
        "expired at its expiry"
    );
    assert_eq!(store.session(&token(9), now).await.expect("read"), None);

    assert_eq!(
        store
            .delete_expired_sessions(now + Duration::minutes(10))
            .await
            .expect("purge"),
        1
    );
    assert!(store.session(&token(7), now).await.expect("read").is_some());
    assert!(store.delete_session(&token(7)).await.expect("logout"));
    assert!(!store.delete_session(&token(7)).await.expect("logout again"));
    assert_eq!(store.session(&token(7), now).await.expect("read"), None);
}

pub async fn lockout_after_repeated_failures(store: &dyn Store) {
    let policy = LockoutPolicy::default();
    let key = login_key(&username("tiepnhan.01279"));
    let now = t0();
    let fresh = store.throttle(&key).await.expect("read");
    assert_eq!(fresh.failures, 0);
    assert!(!fresh.is_locked(now));
    for i in 1..policy.max_failures {
        let t = store
            .record_failure(&key, now + Duration::seconds(i64::from(i)), &policy)
            .await
            .expect("record");
        assert_eq!(t.failures, i);
        assert!(!t.is_locked(now));
    }
    let locked = store
        .record_failure(&key, now + Duration::seconds(10), &policy)
        .await
        .expect("record");
    assert!(locked.is_locked(now + Duration::seconds(10)));
    let stored = store.throttle(&key).await.expect("read");
    assert_eq!(stored, locked);
    assert!(stored.is_locked(now + Duration::minutes(15)));
    assert!(!stored.is_locked(now + Duration::seconds(10) + policy.lock_for));
    assert_eq!(
        store.throttle("login:someone.else").await.expect("read"),
        Default::default(),
        "keys are separate"
    );
    store.clear_failures(&key).await.expect("clear");
    assert!(!store.throttle(&key).await.expect("read").is_locked(now));
}

pub async fn concurrent_failures_are_all_counted(store: &dyn Store) {
    let policy = LockoutPolicy {
        max_failures: 100,
        lock_for: Duration::minutes(15),
    };
    let now = t0();
    let tries = (0..20).map(|i| async move {
        store
            .record_failure("login:racer", now + Duration::milliseconds(i), &policy)
            .await
            .expect("record")
    });
    futures_join_all(tries.collect()).await;
    assert_eq!(
        store.throttle("login:racer").await.expect("read").failures,
        20
    );
}

pub async fn reserved_attempts_lock_before_the_check(store: &dyn Store) {
    let policy = LockoutPolicy::default();
    let key = login_client_key(&username("tiepnhan.01279"), "203.0.113.7");
    let now = t0();
    for i in 1..=policy.max_failures {
        let t = store
            .reserve_attempt(&key, now, &policy)
            .await
            .expect("reserve")
            .expect("allowed");
        assert_eq!(t.is_locked(now), i == policy.max_failures, "attempt {i}");
    }
    let until = store
        .reserve_attempt(&key, now, &policy)
        .await
        .expect("reserve")
        .expect_err("locked");
    assert_eq!(until, now + policy.lock_for);
    assert_eq!(
        store.throttle(&key).await.expect("read").locked_until,
        Some(until),
        "a refused reservation changes nothing"
    );
    let other = login_client_key(&username("tiepnhan.01279"), "198.51.100.1");
    assert!(
        store
            .reserve_attempt(&other, now, &policy)
            .await
            .expect("reserve")
            .is_ok(),
        "another client of the same account is not locked"
    );
    store.clear_failures(&key).await.expect("clear");
    let t = store
        .reserve_attempt(&key, now, &policy)
        .await
        .expect("reserve")
        .expect("cleared");
    assert_eq!(t.failures, 1);
}

pub async fn concurrent_reservations_stop_at_the_limit(store: &dyn Store) {
    let policy = LockoutPolicy::default();
    let now = t0();
    let tries = (0..40).map(|i| async move {
        store
            .reserve_attempt(
                "login:burst@192.0.2.1",
                now + Duration::milliseconds(i),
                &policy,
            )
            .await
            .expect("reserve")
    });
    let granted = futures_join_all(tries.collect())
        .await
        .into_iter()
        .filter(Result::is_ok)
        .count();
    assert_eq!(
        granted, policy.max_failures as usize,
        "a burst gets exactly max_failures attempts"
    );
}

/// Runs futures concurrently (the store crate has no futures dependency).
async fn futures_join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, o) in futures.iter_mut().zip(out.iter_mut()) {
            if o.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *o = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

pub async fn citizens_are_known_by_contact(store: &dyn Store) {
    let now = t0();
    let phone = Contact::phone("0912345678").expect("phone");
    let first = store
        .citizen_for_contact(&phone, &user("citizen:0001"), now)
        .await
        .expect("create");
    assert_eq!(first.id, user("citizen:0001"));
    assert_eq!(first.contact, phone);
    let again = store
        .citizen_for_contact(&phone, &user("citizen:0002"), now + Duration::days(1))
        .await
        .expect("find");
    assert_eq!(again, first, "the same account, the new id unused");
    let email = Contact::email("an@example.vn").expect("email");
    let other = store
        .citizen_for_contact(&email, &user("citizen:0003"), now)
        .await
        .expect("create");
    assert_eq!(other.id, user("citizen:0003"));
    assert_eq!(
        store.citizen(&user("citizen:0001")).await.expect("read"),
        Some(first)
    );
    assert_eq!(
        store.citizen(&user("citizen:0002")).await.expect("read"),
        None
    );
}

pub async fn one_time_codes_are_used_once(store: &dyn Store) {
    let policy = OtpPolicy::default();
    let now = t0();
    let phone = Contact::phone("0912345678").expect("phone");
    let right = otp_code_hash(&phone, "123456");
    let wrong = otp_code_hash(&phone, "000000");
    assert_eq!(
        store.attempt_otp(&phone, &right, now).await.expect("check"),
        OtpCheck::NoChallenge
    );
    let first = OtpChallenge::new(&phone, "111111", now, &policy);
    assert_eq!(
        store.put_otp(&phone, &first, &policy).await.expect("put"),
        Ok(())
    );
    let soon = OtpChallenge::new(&phone, "123456", now + Duration::seconds(20), &policy);
    assert_eq!(
        store.put_otp(&phone, &soon, &policy).await.expect("put"),
        Err(Duration::seconds(40)),
        "one code a minute"
    );
    let later = OtpChallenge::new(&phone, "123456", now + Duration::seconds(60), &policy);
    assert_eq!(
        store.put_otp(&phone, &later, &policy).await.expect("put"),
        Ok(())
    );
    let t = now + Duration::seconds(90);
    assert_eq!(
        store
            .attempt_otp(&phone, &otp_code_hash(&phone, "111111"), t)
            .await
            .expect("check"),
        OtpCheck::Wrong { attempts_left: 4 },
        "the replaced code is gone"
    );
    assert_eq!(
        store.attempt_otp(&phone, &right, t).await.expect("check"),
        OtpCheck::Verified
    );
    assert_eq!(
        store.attempt_otp(&phone, &right, t).await.expect("check"),
        OtpCheck::NoChallenge,
        "used once"
    );

    let email = Contact::email("an@example.vn").expect("email");
    let c = OtpChallenge::new(&email, "222222", now, &policy);
    store
        .put_otp(&email, &c, &policy)
        .await
        .expect("put")
        .expect("stored");
    for left in (0..policy.max_attempts).rev() {
        assert_eq!(
            store.attempt_otp(&email, &wrong, now).await.expect("check"),
            OtpCheck::Wrong {
                attempts_left: left
            }
        );
    }
    assert_eq!(
        store
            .attempt_otp(&email, &otp_code_hash(&email, "222222"), now)
            .await
            .expect("check"),
        OtpCheck::NoChallenge,
        "no attempts left: the right code no longer works"
    );

    let c = OtpChallenge::new(&email, "333333", now + Duration::minutes(2), &policy);
    store
        .put_otp(&email, &c, &policy)
        .await
        .expect("put")
        .expect("stored");
    assert_eq!(
        store
            .attempt_otp(
                &email,
                &otp_code_hash(&email, "333333"),
                now + Duration::minutes(7)
            )
            .await
            .expect("check"),
        OtpCheck::Expired
    );
    assert_eq!(otp_key(&email), "otp:email:an@example.vn");
}

pub async fn scoped_search_sees_only_the_scope(store: &dyn Store) {
    store
        .put_procedures(super::demo_catalogue().procedures())
        .await
        .expect("import");
    let a = "04.01279";
    let b = "04.01288";
    let center = "04.01273";
    let now = t0();
    let mine = citizen("citizen:mine");
    let theirs = citizen("citizen:theirs");
    let at_a = applied(
        store,
        new_request(open(Intake::Online, BIRTH, a, a, "Nông Văn A"), &mine, now),
    )
    .await;
    let at_b = applied(
        store,
        new_request(
            open(Intake::Online, BIRTH, b, b, "Hoàng Thị B"),
            &theirs,
            now,
        ),
    )
    .await;
    let c = cast(center, a);
    let at_center_for_a = applied(
        store,
        new_request(
            open(Intake::Counter, BIRTH, center, a, "Lục Văn C"),
            &c.receiver,
            now,
        ),
    )
    .await;
    let elsewhere = applied(
        store,
        new_request(
            open(Intake::Online, BIRTH, "40.01279", "40.01279", "Nông Văn A"),
            &mine,
            now,
        ),
    )
    .await;

    let codes = |v: Vec<crate::DossierSummary>| {
        let mut v: Vec<String> = v.into_iter().map(|s| s.code.to_string()).collect();
        v.sort();
        v
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let all = DossierFilter::default();
    let scope_units = |units: &[&str]| Scope {
        units: units.iter().map(|u| unit(u)).collect(),
        ..Scope::default()
    };

    let found = store
        .search_in_scope(&all, &scope_units(&[a]))
        .await
        .expect("search");
    assert_eq!(
        codes(found),
        sorted(vec![
            at_a.code.to_string(),
            at_center_for_a.code.to_string()
        ]),
        "commune A: its own and the Center's for A"
    );
    let found = store
        .search_in_scope(&all, &scope_units(&[center]))
        .await
        .expect("search");
    assert_eq!(codes(found), vec![at_center_for_a.code.to_string()]);
    let province = Scope {
        provinces: ["04".to_string()].into(),
        ..Scope::default()
    };
    let found = store
        .search_in_scope(&all, &province)
        .await
        .expect("search");
    assert_eq!(
        codes(found),
        sorted(vec![
            at_a.code.to_string(),
            at_b.code.to_string(),
            at_center_for_a.code.to_string()
        ]),
        "the province, not 40.*"
    );
    let own = Scope {
        applicant: Some(UserId::parse("citizen:mine").expect("user")),
        ..Scope::default()
    };
    let found = store.search_in_scope(&all, &own).await.expect("search");
    assert_eq!(
        codes(found),
        sorted(vec![at_a.code.to_string(), elsewhere.code.to_string()])
    );
    assert!(store
        .search_in_scope(&all, &Scope::default())
        .await
        .expect("search")
        .is_empty());

    let narrowed = DossierFilter {
        applicant: Some("nông".into()),
        ..DossierFilter::default()
    };
    let found = store
        .search_in_scope(&narrowed, &province)
        .await
        .expect("search");
    assert_eq!(
        codes(found),
        vec![at_a.code.to_string()],
        "filters still narrow"
    );
    let other_unit = DossierFilter {
        unit: Some(unit(b)),
        ..DossierFilter::default()
    };
    assert!(store
        .search_in_scope(&other_unit, &scope_units(&[a]))
        .await
        .expect("search")
        .is_empty());
    let paged = DossierFilter {
        limit: 1,
        offset: 1,
        ..DossierFilter::default()
    };
    assert_eq!(
        store
            .search_in_scope(&paged, &province)
            .await
            .expect("search")
            .len(),
        1
    );
}
