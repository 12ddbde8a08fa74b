use std::process::ExitCode;

use anyhow::Context;

use crate::config::Settings;

pub async fn run(
    settings: &Settings,
    demo: bool,
    auth: motcua_server::auth::AuthConfig,
) -> anyhow::Result<ExitCode> {
    let state = crate::open::app(settings).await?.with_auth_config(auth);
    if demo {
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
    }
    let notify = motcua_notify::NotifyConfig::from_env(&settings.data_dir)
        .context("notification settings")?;
    let _notifier = motcua_notify::spawn_worker(state.store.clone(), notify)
        .context("starting the notification worker")?;
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("listening on {}", settings.listen))?;
    let addr = listener.local_addr()?;
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
