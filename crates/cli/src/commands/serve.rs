use std::process::ExitCode;

use anyhow::Context;

use crate::config::Settings;

pub async fn run(settings: &Settings) -> anyhow::Result<ExitCode> {
    let state = crate::open::app(settings).await?;
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
