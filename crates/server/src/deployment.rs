//! Kho dữ liệu mẫu hay thật — whether a store is a demo store or a real
//! commune's, and what that allows at start-up.
//!
//! The demo officials share a password published in the README. They must
//! never appear in a store that serves real people, so the kind of a store
//! is recorded once, when it is first put to use
//! ([`motcua_store::meta`]), and the demo data set goes only into a store
//! recorded as a demo store. A real store that holds an active official
//! with the published password refuses to be served.

use anyhow::{bail, Context};
use chrono::Utc;
use motcua_domain::access::Username;
use motcua_store::meta::{claim_deployment_kind, deployment_kind};
use motcua_store::{DeploymentKind, Store};

use crate::auth::bootstrap::{demo_officials, DEFAULT_DEMO_PASSWORD};
use crate::auth::secret;

/// The kind of `store`, recording it if none is recorded yet.
///
/// An unrecorded store (created before kinds were recorded, or new) is
/// classified by its officials: any official who is not a demo official
/// makes it a real store; demo officials alone make it a demo store; with
/// no official at all it becomes what the caller asks for (`want_demo`:
/// `motcua serve` without `--no-demo`, or `motcua demo load`).
pub async fn settle_kind(store: &dyn Store, want_demo: bool) -> anyhow::Result<DeploymentKind> {
    if let Some(kind) = deployment_kind(store).await? {
        return Ok(kind);
    }
    let officials = store.count_officials().await?;
    let mut demo = 0u64;
    for (name, _) in demo_officials()? {
        let username = Username::parse(&name).context("a demo username")?;
        if store.official(&username).await?.is_some() {
            demo += 1;
        }
    }
    let kind = if officials > demo {
        DeploymentKind::Production
    } else if demo > 0 || want_demo {
        DeploymentKind::Demo
    } else {
        DeploymentKind::Production
    };
    let kind = claim_deployment_kind(store, kind).await?;
    tracing::info!(kind = kind.as_str(), "recorded the store's kind");
    Ok(kind)
}

/// The active demo officials of `store` whose password is the published
/// demo password. (The first administrator cannot have it:
/// [`crate::auth::bootstrap::ensure_first_admin`] refuses it.)
pub async fn officials_with_the_demo_password(store: &dyn Store) -> anyhow::Result<Vec<String>> {
    let names: Vec<String> = demo_officials()?.into_iter().map(|(u, _)| u).collect();
    let mut found = Vec::new();
    let mut verdicts: Vec<(String, bool)> = Vec::new();
    for name in names {
        let username = Username::parse(&name).context("a demo username")?;
        let Some(login) = store.official(&username).await? else {
            continue;
        };
        if !login.official.active {
            continue;
        }
        let known = verdicts
            .iter()
            .find(|(h, _)| *h == login.password_hash)
            .map(|(_, v)| *v);
        let is_demo = match known {
            Some(v) => v,
            None => {
                let v =
                    secret::verify_password(DEFAULT_DEMO_PASSWORD, &login.password_hash).await?;
                verdicts.push((login.password_hash.clone(), v));
                v
            }
        };
        if is_demo {
            found.push(name);
        }
    }
    Ok(found)
}

/// Refuses a real store that an account with the published demo password
/// could enter.
pub async fn ensure_no_demo_password(store: &dyn Store) -> anyhow::Result<()> {
    let found = officials_with_the_demo_password(store).await?;
    if found.is_empty() {
        return Ok(());
    }
    let shown: Vec<&str> = found.iter().take(5).map(String::as_str).collect();
    bail!(
        "Kho dữ liệu thật có {n} tài khoản dùng mật khẩu mẫu công khai ({list}{more}); \
         không khởi động. Chạy `motcua demo disable-accounts` để khoá các tài khoản mẫu.\n\
         This real (non-demo) store has {n} active account(s) with the published demo \
         password ({list}{more}); refusing to start. Run `motcua demo disable-accounts` to \
         deactivate the demo accounts.",
        n = found.len(),
        list = shown.join(", "),
        more = if found.len() > shown.len() {
            ", …"
        } else {
            ""
        },
    )
}

/// Deactivates every demo official present in `store` (a real store that
/// received them before kinds were recorded). Returns their usernames.
pub async fn disable_demo_accounts(store: &dyn Store) -> anyhow::Result<Vec<String>> {
    let mut done = Vec::new();
    for (name, _) in demo_officials()? {
        let username = Username::parse(&name).context("a demo username")?;
        match store.official(&username).await? {
            Some(login) if login.official.active => {
                if let Err(refused) = store
                    .set_official_active(&username, false, None, Utc::now())
                    .await?
                {
                    anyhow::bail!("deactivating {name}: {refused:?}");
                }
                done.push(name);
            }
            _ => {}
        }
    }
    Ok(done)
}
