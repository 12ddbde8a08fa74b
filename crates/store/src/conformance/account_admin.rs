//! Conformance checks of account administration: the account events
//! appended with every change, revocation and deactivation under the
//! manage rule (atomically), password changes, idle sessions and the
//! listing of a scope's officials.

use chrono::Duration;
use motcua_domain::access::{AccountEventKind, ManageRefusal, Principal, Scope, StaffRole};

use super::accounts::{assign, new_official, session, token, username};
use super::{t0, unit, user};
use crate::{Store, StoreError, Subject};

const A: &str = "04.01279";
const B: &str = "04.01288";

fn admin_of(name: &str, role: StaffRole, at: &str) -> Principal {
    Principal::Official {
        user: user(name),
        assignments: vec![assign(role, at)],
    }
}

pub async fn account_changes_append_events(store: &dyn Store) {
    let now = t0();
    let admin = user("quantri.01279");
    store
        .create_official_by(
            &new_official("chuyenvien.01279", vec![assign(StaffRole::Specialist, A)]),
            Some(&admin),
            now,
        )
        .await
        .expect("create");
    store
        .add_assignments(
            &username("chuyenvien.01279"),
            &[
                assign(StaffRole::Specialist, A),
                assign(StaffRole::Leader, A),
                assign(StaffRole::Leader, A),
            ],
            Some(&admin),
            now + Duration::minutes(1),
        )
        .await
        .expect("grant");
    store
        .add_assignments(
            &username("chuyenvien.01279"),
            &[assign(StaffRole::Leader, A)],
            Some(&admin),
            now + Duration::minutes(2),
        )
        .await
        .expect("grant what is held");
    let by = admin_of("quantri.01279", StaffRole::UnitAdmin, A);
    store
        .revoke_assignment(
            &username("chuyenvien.01279"),
            &assign(StaffRole::Leader, A),
            &by,
            now + Duration::minutes(3),
        )
        .await
        .expect("revoke")
        .expect("allowed");
    for active in [false, false, true] {
        store
            .set_official_active(
                &username("chuyenvien.01279"),
                active,
                Some(&by),
                now + Duration::minutes(4),
            )
            .await
            .expect("set active")
            .expect("allowed");
    }
    store
        .set_password(
            &username("chuyenvien.01279"),
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$new",
            None,
            now + Duration::minutes(5),
        )
        .await
        .expect("password");

    let events = store
        .account_events(&username("chuyenvien.01279"))
        .await
        .expect("events");
    let kinds: Vec<AccountEventKind> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            AccountEventKind::Created,
            AccountEventKind::RolesGranted,
            AccountEventKind::RoleRevoked,
            AccountEventKind::Deactivated,
            AccountEventKind::Reactivated,
            AccountEventKind::PasswordChanged,
        ],
        "a grant of nothing new and a repeated deactivation append nothing"
    );
    assert!(events.windows(2).all(|w| w[0].seq < w[1].seq), "in order");
    assert_eq!(events[0].roles, [assign(StaffRole::Specialist, A)]);
    assert_eq!(events[0].actor.as_ref(), Some(&admin));
    assert_eq!(events[0].at, now);
    assert_eq!(
        events[1].roles,
        [assign(StaffRole::Leader, A)],
        "only the new role, once"
    );
    assert_eq!(events[2].roles, [assign(StaffRole::Leader, A)]);
    assert!(events[3].roles.is_empty());
    assert_eq!(
        events[5].actor,
        Some(user("chuyenvien.01279")),
        "the official changed their own password"
    );
    let login = store
        .official(&username("chuyenvien.01279"))
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        login.password_hash,
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$new"
    );
    assert!(login.official.active);

    store
        .create_official(&new_official("he.thong", vec![]), now)
        .await
        .expect("create by the system");
    let events = store
        .account_events(&username("he.thong"))
        .await
        .expect("events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].actor, None);
    assert!(store
        .account_events(&username("nobody.here"))
        .await
        .expect("events")
        .is_empty());
    let err = store
        .set_password(&username("nobody.here"), "x", None, now)
        .await
        .expect_err("no such official");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}

pub async fn revocation_and_deactivation_follow_the_manage_rule(store: &dyn Store) {
    let now = t0();
    let name = username("chuyenvien.01279");
    store
        .create_official(
            &new_official(
                "chuyenvien.01279",
                vec![
                    assign(StaffRole::Specialist, A),
                    assign(StaffRole::Specialist, B),
                ],
            ),
            now,
        )
        .await
        .expect("create");
    let subject = Subject::Official(name.clone());
    store
        .create_session(&session(1, subject.clone(), now, Duration::hours(8)))
        .await
        .expect("session");
    let unit_a = admin_of("quantri.01279", StaffRole::UnitAdmin, A);
    assert_eq!(
        store
            .set_official_active(&name, false, Some(&unit_a), now)
            .await
            .expect("read"),
        Err(ManageRefusal::OutOfReach),
        "a role at another commune"
    );
    assert_eq!(
        store
            .revoke_assignment(&name, &assign(StaffRole::Specialist, B), &unit_a, now)
            .await
            .expect("read"),
        Err(ManageRefusal::OutOfReach)
    );
    assert!(
        store.session(&token(1), now).await.expect("read").is_some(),
        "a refusal changes nothing"
    );
    let o = store
        .revoke_assignment(&name, &assign(StaffRole::Specialist, A), &unit_a, now)
        .await
        .expect("revoke")
        .expect("allowed at A");
    assert_eq!(o.assignments, [assign(StaffRole::Specialist, B)]);
    assert_eq!(
        store.session(&token(1), now).await.expect("read"),
        None,
        "revocation ends the sessions"
    );
    let province = admin_of("quantri.04", StaffRole::ProvinceAdmin, "04");
    assert_eq!(
        store
            .revoke_assignment(&name, &assign(StaffRole::Specialist, B), &province, now)
            .await
            .expect("read"),
        Err(ManageRefusal::LastRole)
    );
    store
        .create_session(&session(2, subject.clone(), now, Duration::hours(8)))
        .await
        .expect("session");
    let o = store
        .set_official_active(&name, false, Some(&province), now)
        .await
        .expect("deactivate")
        .expect("the province reaches B");
    assert!(!o.active);
    assert_eq!(store.session(&token(2), now).await.expect("read"), None);
    assert!(matches!(
        store
            .revoke_assignment(
                &username("nobody.here"),
                &assign(StaffRole::Specialist, A),
                &province,
                now
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    let kinds: Vec<AccountEventKind> = store
        .account_events(&name)
        .await
        .expect("events")
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            AccountEventKind::Created,
            AccountEventKind::RoleRevoked,
            AccountEventKind::Deactivated
        ],
        "refusals append nothing"
    );
}

pub async fn concurrent_revocations_keep_a_role(store: &dyn Store) {
    let now = t0();
    let name = username("chuyenvien.01279");
    let roles = [
        assign(StaffRole::Specialist, A),
        assign(StaffRole::Leader, A),
    ];
    store
        .create_official(&new_official("chuyenvien.01279", roles.to_vec()), now)
        .await
        .expect("create");
    let admin = admin_of("quantri.01279", StaffRole::UnitAdmin, A);
    let (first, second) = tokio_join(
        store.revoke_assignment(&name, &roles[0], &admin, now),
        store.revoke_assignment(&name, &roles[1], &admin, now),
    )
    .await;
    let outcomes = [first.expect("store"), second.expect("store")];
    assert_eq!(
        outcomes.iter().filter(|r| r.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    assert!(outcomes.contains(&Err(ManageRefusal::LastRole)));
    let held = store
        .official(&name)
        .await
        .expect("read")
        .expect("exists")
        .official
        .assignments;
    assert_eq!(held.len(), 1);
}

/// Polls two futures together (the store crate has no futures dependency).
async fn tokio_join<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    let mut a = Box::pin(a);
    let mut b = Box::pin(b);
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none() {
            if let std::task::Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let std::task::Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        if ra.is_some() && rb.is_some() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    match (ra, rb) {
        (Some(a), Some(b)) => (a, b),
        _ => unreachable!("both are ready"),
    }
}

pub async fn password_change_ends_the_other_sessions(store: &dyn Store) {
    let now = t0();
    let name = username("chuyenvien.01279");
    store
        .create_official(
            &new_official("chuyenvien.01279", vec![assign(StaffRole::Specialist, A)]),
            now,
        )
        .await
        .expect("create");
    let subject = Subject::Official(name.clone());
    for n in [1, 2] {
        store
            .create_session(&session(n, subject.clone(), now, Duration::hours(8)))
            .await
            .expect("session");
    }
    store
        .create_session(&session(
            3,
            Subject::Citizen(user("citizen:x")),
            now,
            Duration::hours(8),
        ))
        .await
        .expect("another person's session");
    store
        .set_password(&name, "$argon2id$new", Some(&token(1)), now)
        .await
        .expect("password");
    assert!(
        store.session(&token(1), now).await.expect("read").is_some(),
        "kept"
    );
    assert_eq!(store.session(&token(2), now).await.expect("read"), None);
    assert!(store.session(&token(3), now).await.expect("read").is_some());
    store
        .set_password(&name, "$argon2id$newer", None, now)
        .await
        .expect("password");
    assert_eq!(store.session(&token(1), now).await.expect("read"), None);
}

pub async fn idle_sessions_are_touched_and_swept(store: &dyn Store) {
    let now = t0();
    let official = Subject::Official(username("chuyenvien.01279"));
    let citizen = Subject::Citizen(user("citizen:x"));
    store
        .create_session(&session(1, official.clone(), now, Duration::hours(8)))
        .await
        .expect("session");
    store
        .create_session(&session(2, official, now, Duration::hours(8)))
        .await
        .expect("session");
    store
        .create_session(&session(3, citizen, now, Duration::hours(8)))
        .await
        .expect("session");
    let s = store
        .session(&token(1), now)
        .await
        .expect("read")
        .expect("valid");
    assert_eq!(s.last_seen_at, now, "seen when created");
    assert!(store
        .touch_session(&token(1), now + Duration::minutes(20))
        .await
        .expect("touch"));
    assert!(!store
        .touch_session(&token(9), now)
        .await
        .expect("touch nothing"));
    let s = store
        .session(&token(1), now)
        .await
        .expect("read")
        .expect("valid");
    assert_eq!(s.last_seen_at, now + Duration::minutes(20));
    assert_eq!(
        store
            .delete_idle_sessions(now + Duration::minutes(10))
            .await
            .expect("sweep"),
        1,
        "only the official's session last seen before"
    );
    assert!(store.session(&token(1), now).await.expect("read").is_some());
    assert_eq!(store.session(&token(2), now).await.expect("read"), None);
    assert!(
        store.session(&token(3), now).await.expect("read").is_some(),
        "citizens' sessions have no idle timeout"
    );
}

pub async fn officials_are_listed_by_scope(store: &dyn Store) {
    let now = t0();
    for (name, roles) in [
        ("a.only", vec![assign(StaffRole::Specialist, A)]),
        ("b.only", vec![assign(StaffRole::Specialist, B)]),
        (
            "a.and.b",
            vec![assign(StaffRole::Leader, A), assign(StaffRole::Leader, B)],
        ),
        ("tinh.40", vec![assign(StaffRole::Specialist, "40.01279")]),
        ("quantri.04", vec![assign(StaffRole::ProvinceAdmin, "04")]),
    ] {
        store
            .create_official(&new_official(name, roles), now)
            .await
            .expect("create");
    }
    let names = |scope: Scope| async move {
        store
            .officials_in_scope(&scope)
            .await
            .expect("list")
            .into_iter()
            .map(|o| o.username.to_string())
            .collect::<Vec<_>>()
    };
    let mut at_a = Scope::default();
    at_a.units.insert(unit(A));
    assert_eq!(names(at_a).await, ["a.and.b", "a.only"]);
    let mut province = Scope::default();
    province.provinces.insert("04".to_string());
    assert_eq!(
        names(province).await,
        ["a.and.b", "a.only", "b.only", "quantri.04"]
    );
    assert!(names(Scope::default()).await.is_empty());
    let listed = store
        .officials_in_scope(&{
            let mut s = Scope::default();
            s.units.insert(unit(B));
            s
        })
        .await
        .expect("list");
    assert_eq!(
        listed[0].assignments.len(),
        2,
        "every role of a listed official"
    );
}
