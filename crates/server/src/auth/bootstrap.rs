//! The first administrator and the demo officials, without a CLI step.

use anyhow::Context;
use chrono::Utc;
use motcua_domain::access::{check_password, Assignment, StaffRole, Username};
use motcua_domain::dossier::{Role, UnitId};
use motcua_engine::demo::staff_user;
use motcua_store::{NewOfficial, Store, StoreError};

use super::secret;

/// The username of the first administrator.
pub const FIRST_ADMIN: &str = "admin";
/// The province the first administrator administers (the demo province,
/// Cao Bằng).
pub const FIRST_ADMIN_PROVINCE: &str = "04";
/// The password of the demo officials when `MOTCUA_DEMO_PASSWORD` is not
/// set. DEMO ONLY: anyone who reads this file knows it.
pub const DEFAULT_DEMO_PASSWORD: &str = "motcua-demo-2025";
/// The communes (and Center) that get demo officials: Thục Phán,
/// Nùng Trí Cao, Tân Giang.
pub const DEMO_UNITS: [&str; 3] = ["04.01273", "04.01279", "04.01288"];
/// The specialist departments of a commune in the demo data's user ids.
pub const DEMO_FIELDS: [&str; 5] = ["tuphap", "diachinh", "congan", "vhxh", "kinhte"];

/// With no official yet and a password given (`MOTCUA_ADMIN_PASSWORD`),
/// creates `admin`, province administrator of 04. Returns whether it did.
pub async fn ensure_first_admin(store: &dyn Store, password: Option<&str>) -> anyhow::Result<bool> {
    let Some(password) = password.filter(|p| !p.is_empty()) else {
        return Ok(false);
    };
    if store.count_officials().await? > 0 {
        return Ok(false);
    }
    let username = Username::parse(FIRST_ADMIN).context("the first admin's username")?;
    check_password(password, &username).context("MOTCUA_ADMIN_PASSWORD is too weak")?;
    if password == DEFAULT_DEMO_PASSWORD {
        anyhow::bail!(
            "MOTCUA_ADMIN_PASSWORD is the published demo password: choose another \
             (mật khẩu quản trị trùng mật khẩu mẫu công khai)"
        );
    }
    let unit = UnitId::parse(FIRST_ADMIN_PROVINCE).context("the admin's province")?;
    let new = NewOfficial {
        username,
        display_name: "Quản trị hệ thống".to_string(),
        password_hash: secret::hash_password(password).await?,
        assignments: vec![Assignment::new(StaffRole::ProvinceAdmin, unit)?],
    };
    match store.create_official(&new, Utc::now()).await {
        Ok(_) => {
            tracing::info!(
                username = FIRST_ADMIN,
                province = FIRST_ADMIN_PROVINCE,
                "created the first administrator"
            );
            Ok(true)
        }
        Err(StoreError::Conflict(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// What [`ensure_demo_accounts`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccounts {
    /// Accounts created now (existing ones are left as they are).
    pub created: usize,
    /// Every demo username.
    pub usernames: Vec<String>,
    /// Whether the documented default password is in use.
    pub default_password: bool,
}

/// The demo officials: for each of [`DEMO_UNITS`] (suffix `s`, e.g.
/// `01279`): `tiepnhan.s` and `canbo.tiepnhan.s` (receiving officers),
/// `chuyenvien.<field>.s` and `truongphong.<field>.s` for each of
/// [`DEMO_FIELDS`], `chutich.s` and `phochutich.s` (leaders), `vanthu.s`
/// (clerical office), `quantri.s` (unit administrator) and `thanhtra.s`
/// (inspector); for the province, `quantri.04` (province administrator)
/// and `thanhtra.04` (province inspector). The ids follow the demo
/// dossiers' staff ids ([`staff_user`]), so a demo login can act on the
/// dossiers assigned to it.
pub fn demo_officials() -> anyhow::Result<Vec<(String, Assignment)>> {
    let mut out = Vec::new();
    let mut push = |user: String, role: StaffRole, unit: &UnitId| -> anyhow::Result<()> {
        out.push((user, Assignment::new(role, unit.clone())?));
        Ok(())
    };
    for u in DEMO_UNITS {
        let unit = UnitId::parse(u)?;
        let s = u.rsplit('.').next().unwrap_or(u);
        push(format!("tiepnhan.{s}"), StaffRole::ReceivingOfficer, &unit)?;
        push(
            staff_user(Role::ReceivingOfficer, &unit, None).to_string(),
            StaffRole::ReceivingOfficer,
            &unit,
        )?;
        for f in DEMO_FIELDS {
            push(
                staff_user(Role::Specialist, &unit, Some(f)).to_string(),
                StaffRole::Specialist,
                &unit,
            )?;
            push(
                staff_user(Role::DepartmentHead, &unit, Some(f)).to_string(),
                StaffRole::DepartmentHead,
                &unit,
            )?;
        }
        push(format!("chutich.{s}"), StaffRole::Leader, &unit)?;
        push(format!("phochutich.{s}"), StaffRole::Leader, &unit)?;
        push(
            staff_user(Role::Clerical, &unit, None).to_string(),
            StaffRole::Clerical,
            &unit,
        )?;
        push(format!("quantri.{s}"), StaffRole::UnitAdmin, &unit)?;
        push(format!("thanhtra.{s}"), StaffRole::Inspector, &unit)?;
    }
    let province = UnitId::parse(FIRST_ADMIN_PROVINCE)?;
    push(
        format!("quantri.{FIRST_ADMIN_PROVINCE}"),
        StaffRole::ProvinceAdmin,
        &province,
    )?;
    push(
        format!("thanhtra.{FIRST_ADMIN_PROVINCE}"),
        StaffRole::Inspector,
        &province,
    )?;
    Ok(out)
}

/// Creates the demo officials that do not exist yet, all with `password`
/// (`MOTCUA_DEMO_PASSWORD`) or [`DEFAULT_DEMO_PASSWORD`]. One argon2 hash
/// serves them all: they share a known demo password anyway.
pub async fn ensure_demo_accounts(
    store: &dyn Store,
    password: Option<&str>,
) -> anyhow::Result<DemoAccounts> {
    let default_password = password.is_none_or(str::is_empty);
    let password = password
        .filter(|p| !p.is_empty())
        .unwrap_or(DEFAULT_DEMO_PASSWORD);
    let officials = demo_officials()?;
    let mut hash = None;
    let mut created = 0;
    let now = Utc::now();
    for (name, assignment) in &officials {
        let username = Username::parse(name).context("a demo username")?;
        if store.official(&username).await?.is_some() {
            continue;
        }
        check_password(password, &username).context("MOTCUA_DEMO_PASSWORD is too weak")?;
        let password_hash = match &hash {
            Some(h) => String::clone(h),
            None => {
                let h = secret::hash_password(password).await?;
                hash = Some(h.clone());
                h
            }
        };
        let new = NewOfficial {
            display_name: format!("{} ({})", assignment.role.label_vi(), assignment.unit),
            username,
            password_hash,
            assignments: vec![assignment.clone()],
        };
        match store.create_official(&new, now).await {
            Ok(_) => created += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    if created > 0 {
        tracing::info!(
            created,
            default_password,
            "demo officials created (DEMO ONLY: see MOTCUA_DEMO_PASSWORD)"
        );
    }
    Ok(DemoAccounts {
        created,
        usernames: officials.into_iter().map(|(u, _)| u).collect(),
        default_password,
    })
}
