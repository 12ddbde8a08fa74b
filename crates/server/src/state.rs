use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use motcua_domain::units::Registry;
use motcua_engine::Engine;
use motcua_store::Store;

/// What every handler can reach: the store and the in-memory unit registry
/// (built from the store at start-up; used for name look-ups and conversion).
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub registry: Arc<Registry>,
    pub engine: Engine,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, registry: Arc<Registry>, engine: Engine) -> Self {
        AppState {
            store,
            registry,
            engine,
        }
    }

    /// Today in Vietnam (UTC+7, no daylight saving).
    pub fn today(&self) -> NaiveDate {
        motcua_domain::dossier::vietnam_date(Utc::now())
    }
}
