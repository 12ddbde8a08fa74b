use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use super::*;
use crate::dossier::{
    apply, decide, Actor, Applicant, Command, DossierCode, DossierState, NewDossier, Role, UnitId,
    UserId,
};
use crate::procedure::{Catalogue, ProcedureCode};

fn unit(s: &str) -> UnitId {
    UnitId::parse(s).expect("unit")
}
fn user(s: &str) -> UserId {
    UserId::parse(s).expect("user")
}
fn assign(role: StaffRole, u: &str) -> Assignment {
    Assignment::new(role, unit(u)).expect("assignment")
}
fn official(name: &str, assignments: Vec<Assignment>) -> Principal {
    Principal::Official {
        user: user(name),
        assignments,
    }
}
fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 7, 15, h, m, 0)
        .single()
        .expect("time")
}

const A: &str = "04.01279";
const B: &str = "04.01288";
const CENTER: &str = "04.01273";

fn dossier(
    receiving: &str,
    competent: &str,
    applicant: Option<&str>,
) -> (UnitId, UnitId, Option<UserId>) {
    (unit(receiving), unit(competent), applicant.map(user))
}

fn r<'a>(d: &'a (UnitId, UnitId, Option<UserId>)) -> DossierRef<'a> {
    DossierRef {
        receiving_unit: &d.0,
        competent_unit: &d.1,
        applicant_user: d.2.as_ref(),
    }
}

#[test]
fn an_official_sees_only_their_units_dossiers() {
    let specialist_a = official("chuyenvien.01279", vec![assign(StaffRole::Specialist, A)]);
    let at_a = dossier(A, A, None);
    let at_b = dossier(B, B, None);
    let received_at_center_for_a = dossier(CENTER, A, None);
    assert!(specialist_a.sees(&r(&at_a)));
    assert!(!specialist_a.sees(&r(&at_b)));
    assert!(
        specialist_a.sees(&r(&received_at_center_for_a)),
        "competent"
    );
    let center = official(
        "tiepnhan.01273",
        vec![assign(StaffRole::ReceivingOfficer, CENTER)],
    );
    assert!(center.sees(&r(&received_at_center_for_a)), "received there");
    assert!(!center.sees(&r(&at_a)));
}

#[test]
fn province_administrators_and_province_inspectors_see_the_province() {
    let admin = official("admin", vec![assign(StaffRole::ProvinceAdmin, "04")]);
    let inspector = official("thanhtra.04", vec![assign(StaffRole::Inspector, "04")]);
    let commune_inspector = official("thanhtra.01279", vec![assign(StaffRole::Inspector, A)]);
    let in_04 = dossier(A, B, None);
    let provincial = dossier("04", "04", None);
    let elsewhere = dossier("H15.50.05.13", "H15.50.05.13", None);
    let not_04 = dossier("40.01279", "40.01279", None);
    for p in [&admin, &inspector] {
        assert!(p.sees(&r(&in_04)));
        assert!(p.sees(&r(&provincial)));
        assert!(!p.sees(&r(&elsewhere)));
        assert!(!p.sees(&r(&not_04)), "a prefix is a whole segment");
    }
    assert!(commune_inspector.sees(&r(&in_04)));
    assert!(!commune_inspector.sees(&r(&dossier(B, B, None))));
    assert!(Assignment::new(StaffRole::ProvinceAdmin, unit(A)).is_err());
}

#[test]
fn a_citizen_sees_only_their_own_submissions() {
    let me = Principal::Citizen {
        user: user("citizen:1"),
    };
    assert!(me.sees(&r(&dossier(A, A, Some("citizen:1")))));
    assert!(!me.sees(&r(&dossier(A, A, Some("citizen:2")))));
    assert!(!me.sees(&r(&dossier(A, A, None))));
    assert!(Principal::Citizen { user: user("x") }
        .scope()
        .units
        .is_empty());
    assert!(official("nobody", vec![]).scope().is_empty());
}

#[test]
fn the_acting_role_is_the_only_one_or_the_one_named() {
    let one = official(
        "tiepnhan.01279",
        vec![assign(StaffRole::ReceivingOfficer, A)],
    );
    let actor = one.actor(None, None).expect("one role");
    assert_eq!(
        actor,
        Actor::new(
            Role::ReceivingOfficer,
            user("tiepnhan.01279"),
            Some(unit(A))
        )
    );
    assert_eq!(
        one.actor(Some(Role::Leader), None).map_err(|e| e.code()),
        Err("role_not_assigned")
    );
    let two = official(
        "lanhdao",
        vec![
            assign(StaffRole::Leader, A),
            assign(StaffRole::DepartmentHead, A),
            assign(StaffRole::Inspector, "04"),
        ],
    );
    assert_eq!(
        two.actor(None, None).map_err(|e| e.code()),
        Err("acting_role_required")
    );
    assert_eq!(
        two.actor(Some(Role::Leader), Some(&unit(A)))
            .map(|a| a.role),
        Ok(Role::Leader)
    );
    assert_eq!(
        two.actor(Some(Role::Leader), Some(&unit(B)))
            .map_err(|e| e.code()),
        Err("role_not_assigned")
    );
    let inspector = official("thanhtra", vec![assign(StaffRole::Inspector, A)]);
    assert_eq!(
        inspector.actor(None, None).map_err(|e| e.code()),
        Err("read_only")
    );
    let admin = official("admin", vec![assign(StaffRole::ProvinceAdmin, "04")]);
    assert_eq!(
        admin.actor(None, None).map_err(|e| e.code()),
        Err("read_only")
    );
    let citizen = Principal::Citizen {
        user: user("citizen:1"),
    };
    assert_eq!(
        citizen.actor(None, None).map(|a| a.role),
        Ok(Role::Applicant)
    );
    assert!(citizen.actor(Some(Role::Leader), None).is_err());
}

#[test]
fn administrators_grant_within_their_unit_or_province() {
    let unit_admin = official("quantri.01279", vec![assign(StaffRole::UnitAdmin, A)]);
    let province_admin = official("admin", vec![assign(StaffRole::ProvinceAdmin, "04")]);
    let leader = official("lanhdao", vec![assign(StaffRole::Leader, A)]);
    assert!(unit_admin.may_grant(&assign(StaffRole::Specialist, A)));
    assert!(unit_admin.may_grant(&assign(StaffRole::UnitAdmin, A)));
    assert!(!unit_admin.may_grant(&assign(StaffRole::Specialist, B)));
    assert!(!unit_admin.may_grant(&assign(StaffRole::ProvinceAdmin, "04")));
    assert!(province_admin.may_grant(&assign(StaffRole::Specialist, B)));
    assert!(province_admin.may_grant(&assign(StaffRole::ProvinceAdmin, "04")));
    assert!(province_admin.may_grant(&assign(StaffRole::Inspector, "04")));
    assert!(!province_admin.may_grant(&assign(StaffRole::Specialist, "40.01279")));
    assert!(!province_admin.may_grant(&assign(StaffRole::ProvinceAdmin, "40")));
    assert!(!leader.may_grant(&assign(StaffRole::Specialist, A)));
    assert!(province_admin.may_audit());
    assert!(!unit_admin.may_audit());
}

#[test]
fn lockout_after_max_failures_for_the_lock_time() {
    let policy = LockoutPolicy::default();
    let mut t = Throttle::default();
    for i in 0..4 {
        t = t.after_failure(at(9, i), &policy);
        assert!(!t.is_locked(at(9, i)));
        assert_eq!(t.failures, i + 1);
    }
    t = t.after_failure(at(9, 4), &policy);
    assert!(t.is_locked(at(9, 4)));
    assert!(t.is_locked(at(9, 18)));
    assert!(!t.is_locked(at(9, 19)), "15 minutes after the 5th failure");
    assert_eq!(
        t.after_failure(at(9, 10), &policy),
        t,
        "no change while locked"
    );
    let after = t.after_failure(at(9, 20), &policy);
    assert_eq!(
        (after.failures, after.locked_until),
        (1, None),
        "a fresh count"
    );
    let spaced = Throttle::default()
        .after_failure(at(8, 0), &policy)
        .after_failure(at(8, 30), &policy);
    assert_eq!(spaced.failures, 1, "failures far apart do not add up");
}

#[test]
fn reserved_attempts_allow_max_failures_then_refuse() {
    let policy = LockoutPolicy::default();
    let mut t = Throttle::default();
    for i in 0..policy.max_failures {
        t = t.reserve(at(9, 0), &policy).expect("allowed");
        assert_eq!(
            t.is_locked(at(9, 0)),
            i + 1 == policy.max_failures,
            "try {i}"
        );
    }
    let until = t
        .reserve(at(9, 0), &policy)
        .expect_err("the 6th is refused");
    assert_eq!(until, at(9, 15));
    assert_eq!(t.reserve(at(9, 14), &policy), Err(until));
    let after = t.reserve(at(9, 15), &policy).expect("the lock has ended");
    assert_eq!((after.failures, after.locked_until), (1, None));
}

#[test]
fn one_time_codes_expire_and_run_out_of_attempts() {
    let policy = OtpPolicy::default();
    let phone = Contact::phone("0912 345 678").expect("phone");
    let c = OtpChallenge::new(&phone, "123456", at(9, 0), &policy);
    assert_ne!(c.code_hash, "123456");
    let right = otp_code_hash(&phone, "123456");
    let wrong = otp_code_hash(&phone, "654321");
    let other = Contact::phone("0912345679").expect("phone");
    assert_ne!(
        otp_code_hash(&other, "123456"),
        right,
        "bound to the contact"
    );
    assert_eq!(check_otp(Some(&c), &right, at(9, 4)).0, OtpCheck::Verified);
    assert_eq!(check_otp(Some(&c), &right, at(9, 5)).0, OtpCheck::Expired);
    assert_eq!(check_otp(None, &right, at(9, 1)).0, OtpCheck::NoChallenge);
    let mut current = c.clone();
    for left in (0..policy.max_attempts).rev() {
        let (check, next) = check_otp(Some(&current), &wrong, at(9, 1));
        assert_eq!(
            check,
            OtpCheck::Wrong {
                attempts_left: left
            }
        );
        match next {
            Some(OtpNext::Keep(n)) => current = n,
            Some(OtpNext::Delete) => assert_eq!(left, 0),
            None => panic!("a wrong code changes the challenge"),
        }
    }
    assert_eq!(
        may_send_otp(Some(&c), at(9, 0) + TimeDelta::seconds(59), &policy),
        Err(TimeDelta::seconds(1))
    );
    assert_eq!(may_send_otp(Some(&c), at(9, 1), &policy), Ok(()));
    assert_eq!(parse_otp_code(" 012345 "), Some("012345"));
    assert_eq!(parse_otp_code("12345"), None);
    assert_eq!(parse_otp_code("12345a"), None);
}

#[test]
fn contacts_are_normalised_and_masked() {
    let p = Contact::phone("0912.345.678").expect("phone");
    assert_eq!(p, Contact::Phone("+84912345678".into()));
    assert_eq!(Contact::phone("+84 912 345 678"), Ok(p.clone()));
    assert_eq!(Contact::phone("84912345678"), Ok(p.clone()));
    assert!(Contact::phone("0212345678").is_err(), "not a mobile range");
    assert!(Contact::phone("091234567").is_err());
    assert!(Contact::phone("abc").is_err());
    assert_eq!(p.masked(), "+84******678");
    assert_eq!(Contact::from_key(&p.key()), Ok(p));
    let e = Contact::email(" An.Nguyen@Example.VN ").expect("email");
    assert_eq!(e.key(), "email:an.nguyen@example.vn");
    assert_eq!(e.masked(), "a***@example.vn");
    for bad in ["no-at", "a@b", "@x.vn", "a b@x.vn", "a@@x.vn", "a@x..vn"] {
        assert!(Contact::email(bad).is_err(), "{bad}");
    }
}

#[test]
fn usernames_and_passwords() {
    let u = Username::parse(" TiepNhan.01279 ").expect("username");
    assert_eq!(u.as_str(), "tiepnhan.01279");
    assert_eq!(u.user_id().as_str(), "tiepnhan.01279");
    for bad in [
        "ab",
        ".abc",
        "tiếp.nhận",
        "a b c",
        "citizen:1",
        &"x".repeat(65),
    ] {
        assert!(Username::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(check_password("short", &u), Err(WeakPassword::TooShort));
    assert_eq!(
        check_password("xx-TiepNhan.01279-xx", &u),
        Err(WeakPassword::ContainsUsername)
    );
    assert_eq!(check_password("một mật khẩu dài", &u), Ok(()));
    assert!(constant_time_eq(b"abc", b"abc"));
    assert!(!constant_time_eq(b"abc", b"abd"));
    assert!(!constant_time_eq(b"abc", b"ab"));
}

#[test]
fn public_tracking_shows_status_and_dates_only() {
    let catalogue =
        Catalogue::from_json(motcua_refdata::PROCEDURES_CAOBANG_JSON).expect("catalogue");
    let code = ProcedureCode::parse("1.004873").expect("code");
    let procedure = catalogue
        .procedures()
        .iter()
        .find(|p| p.code == code)
        .expect("procedure");
    let now = at(2, 0);
    let new = NewDossier {
        code: DossierCode::format(&unit(A), crate::dossier::vietnam_date(now), 1).expect("code"),
        procedure: procedure.snapshot(),
        competent_unit: unit(A),
        applicant: Applicant {
            name: "Nông Thị Minh Trang".into(),
            personal_id: None,
            user: None,
        },
        documents: vec![],
        application_data: None,
    };
    let citizen = Actor::new(Role::Applicant, user("citizen:1"), None);
    let events = decide(
        &DossierState::new(),
        &Command::SubmitOnline { dossier: new },
        &citizen,
        now,
    )
    .expect("submitted");
    let state = events.iter().fold(DossierState::new(), apply);
    let d = state.dossier.expect("a dossier");
    let public = PublicStatus::of(&d);
    assert_eq!(public.status_code, 1);
    let json = serde_json::to_string(&public).expect("json");
    for secret in ["Nông", "citizen:1", "1.004873", "applicant"] {
        assert!(!json.contains(secret), "{secret} in {json}");
    }
    assert!(json.contains("+07:00"));
    assert!(Principal::Citizen {
        user: user("citizen:1")
    }
    .sees(&DossierRef::from(&d)));
}
