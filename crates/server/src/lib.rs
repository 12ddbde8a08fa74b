//! The HTTP server: a JSON API under `/api` (described by the OpenAPI
//! document at `/api/openapi.json`) and server-rendered HTML pages in
//! Vietnamese. [`app`] builds exactly the application that `motcua serve`
//! runs, so the tests exercise the real thing.

pub mod api;
pub mod auth;
pub mod bootstrap;
pub mod catalogue;
pub mod deployment;
pub mod error;
pub mod headers;
pub mod limits;
pub mod pages;
pub mod payment;
pub mod site;
mod state;

pub use state::AppState;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// The whole application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(api::router())
        .merge(pages::router())
        .fallback(pages::fallback)
        .layer(axum::middleware::from_fn(pages::ui::remember_request))
        .layer(axum::middleware::from_fn(auth::events::access_log))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::session::session_layer,
        ))
        // Outside the session layer, so that an oversized body is refused
        // before the CSRF check reads any of it; the limits are
        // `limits::limit_for`'s, not axum's default.
        .layer(axum::middleware::from_fn(limits::body_limit))
        .layer(DefaultBodyLimit::disable())
        .with_state(state)
        .layer(axum::middleware::map_response(headers::security_headers))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}

/// Serves `app(state)` on `listener` until ctrl-c / SIGTERM, with the
/// peer address of each connection for [`auth::ClientAddr`].
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, service(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
}

/// `app(state)` as served: with each connection's peer address
/// ([`axum::extract::ConnectInfo`]), which the rate limits and the
/// lock-out key on. Tests serve this too.
pub fn service(
    state: AppState,
) -> axum::extract::connect_info::IntoMakeServiceWithConnectInfo<Router, std::net::SocketAddr> {
    app(state).into_make_service_with_connect_info::<std::net::SocketAddr>()
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
