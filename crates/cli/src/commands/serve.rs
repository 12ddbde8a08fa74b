use std::process::ExitCode;

use anyhow::Context;

use motcua_store::DeploymentKind;

use crate::config::Settings;

/// The demo officials and the demo data set, into a demo store.
async fn load_demo(state: &motcua_server::AppState) -> anyhow::Result<()> {
    motcua_server::bootstrap::ensure_demo_accounts(&*state.store)
        .await
        .context("creating the demo officials")?;
    let report = motcua_engine::demo::load_demo(
        &state.engine,
        &[],
        chrono::Utc::now(),
        motcua_engine::demo::DEFAULT_DEMO_SEED,
    )
    .await
    .context("loading the demo data set")?;
    if !report.skipped_existing_dossiers {
        println!(
            "Dữ liệu mẫu / demo data: {} thủ tục, {} hồ sơ, {} sự kiện (Cao Bằng)",
            report.procedures_imported, report.dossiers, report.events
        );
    }
    Ok(())
}

pub async fn run(
    settings: &Settings,
    demo: bool,
    auth: motcua_server::auth::AuthConfig,
    site: motcua_server::site::Site,
) -> anyhow::Result<ExitCode> {
    let limits = motcua_server::api::appointments::BookingLimits::from_env()
        .map_err(anyhow::Error::msg)
        .context("booking limits")?;
    let notify = motcua_notify::NotifyConfig::from_env(&settings.data_dir)
        .context("notification settings")?
        .with_public_url(&site.public_url, |name| {
            std::env::var(name).is_ok_and(|v| !v.trim().is_empty())
        });
    let codes = motcua_server::auth::ChannelCodeSender::from_config(&notify)
        .context("the one-time code channels")?;
    match codes.channels() {
        (false, false) => tracing::warn!(
            "one-time codes: neither an SMS gateway nor SMTP is configured; citizens cannot log in"
        ),
        (sms, mail) => tracing::info!(
            sms,
            email = mail,
            "one-time codes: sent through the notification channels"
        ),
    }
    let (state, startup) = crate::open::app_locked(settings).await?;
    let state = state
        .with_booking_limits(limits)
        .with_auth_config(auth)
        .with_code_sender(std::sync::Arc::new(codes))
        .with_site(site.clone());
    let kind = motcua_server::deployment::settle_kind(&*state.store, demo)
        .await
        .context("reading the store's kind")?;
    match kind {
        DeploymentKind::Demo if demo => load_demo(&state).await?,
        DeploymentKind::Demo => {}
        DeploymentKind::Production => {
            if demo {
                println!(
                    "Kho dữ liệu thật: không nạp dữ liệu mẫu / \
                     a real (non-demo) store: the demo data is not loaded"
                );
            }
            motcua_server::deployment::ensure_no_demo_password(&*state.store).await?;
        }
    }
    startup.release().await;
    let _notifier = motcua_notify::spawn_worker(state.store.clone(), notify)
        .context("starting the notification worker")?;
    // Another server's adoption of a province's settings shows here within
    // the reload interval (this server's own shows at once).
    let engine = state.engine.clone();
    let _settings_reloader = tokio::spawn(async move {
        let mut every = tokio::time::interval(motcua_engine::settings::RELOAD_INTERVAL);
        every.tick().await;
        loop {
            every.tick().await;
            if let Err(e) = engine.reload_settings().await {
                tracing::error!("reloading the provinces' settings: {e}");
            }
        }
    });
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("listening on {}", settings.listen))?;
    let addr = listener.local_addr()?;
    if let Some(warning) =
        site.startup_warning(kind == DeploymentKind::Production, addr.ip().is_loopback())
    {
        tracing::warn!("{warning}");
        eprintln!("motcua: cảnh báo / warning: {warning}");
    }
    println!(
        "motcua {} — {} ({})",
        env!("CARGO_PKG_VERSION"),
        settings.redacted_database_url(),
        state.store.backend()
    );
    println!("Đang phục vụ tại / listening on http://{addr}/");
    motcua_server::serve(listener, state).await?;
    Ok(ExitCode::SUCCESS)
}
