use std::sync::Arc;

use chrono::{FixedOffset, NaiveDate, Utc};
use motcua_domain::units::Registry;
use motcua_store::Store;

/// What every handler can reach: the store and the in-memory unit registry
/// (built from the store at start-up; used for name look-ups and conversion).
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub registry: Arc<Registry>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, registry: Arc<Registry>) -> Self {
        AppState { store, registry }
    }

    /// Today in Vietnam (UTC+7, no daylight saving).
    pub fn today(&self) -> NaiveDate {
        let vn = FixedOffset::east_opt(7 * 3600).unwrap_or(FixedOffset::east_opt(0).expect("UTC"));
        Utc::now().with_timezone(&vn).date_naive()
    }
}
