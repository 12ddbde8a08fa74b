//! Cấu hình cấp tỉnh — the province's versioned settings as the engine
//! uses them: every deadline, apology date and index computation asks
//! [`Engine::rules`] for the version in force on its own date in the
//! unit's province; the province administrator (page, API) or the operator
//! (`motcua config import`) adopts a new version through
//! [`Engine::adopt_settings`], an event of the log.
//!
//! The books are cached in memory and read without waiting; a server
//! reloads them at start-up, after its own adoptions, and every
//! [`RELOAD_INTERVAL`] (another server's adoption shows there within it).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::access::Principal;
use motcua_domain::calendar::parse_holidays;
use motcua_domain::dossier::UnitId;
use motcua_domain::log::{LogActor, StreamId};
use motcua_domain::settings::{
    Rules, SettingsBook, SettingsDocument, SettingsError, ShippedCalendar, ADOPTED, STREAM_KIND,
};
use motcua_store::log::{execute, load, NewLogEvent};
use motcua_store::StoreError;

use crate::{Engine, EngineError};

/// How often a server rereads the settings of every province.
pub const RELOAD_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);

/// Who adopts a version.
#[derive(Debug, Clone)]
pub enum Configurer<'a> {
    /// An official signed in; must be the province's administrator.
    Official(&'a Principal),
    /// The operator at the server's command line (`motcua config import`).
    Operator { name: String },
}

/// Why an adoption failed.
#[derive(Debug, thiserror::Error)]
pub enum SettingsFailure {
    #[error(transparent)]
    Refused(#[from] SettingsError),
    #[error("only the province's administrator may change its settings")]
    Forbidden,
    #[error("another change was recorded at the same time; reload and try again")]
    Concurrent,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for SettingsFailure {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(c) if c == motcua_store::log::STREAM_VERSION_CONFLICT => {
                SettingsFailure::Concurrent
            }
            e => SettingsFailure::Store(e),
        }
    }
}

impl SettingsFailure {
    pub fn code(&self) -> &'static str {
        match self {
            SettingsFailure::Refused(e) => e.code(),
            SettingsFailure::Forbidden => "forbidden",
            SettingsFailure::Concurrent => "settings_concurrent_change",
            SettingsFailure::Store(_) => "internal_error",
        }
    }

    pub fn message_vi(&self) -> String {
        match self {
            SettingsFailure::Refused(e) => e.message_vi(),
            SettingsFailure::Forbidden => {
                "Chỉ quản trị cấp tỉnh của tỉnh này được thay đổi cấu hình.".into()
            }
            SettingsFailure::Concurrent => {
                "Cấu hình vừa được người khác thay đổi. Vui lòng tải lại và thử lại.".into()
            }
            SettingsFailure::Store(_) => "Lỗi hệ thống. Vui lòng thử lại sau.".into(),
        }
    }
}

/// The shipped calendar and the cached books of each province.
pub(crate) struct SettingsCache {
    shipped: ShippedCalendar,
    base: Arc<SettingsBook>,
    books: RwLock<HashMap<String, Arc<SettingsBook>>>,
}

impl SettingsCache {
    pub(crate) fn shipped() -> Result<Self, EngineError> {
        let holidays = parse_holidays(motcua_refdata::HOLIDAYS)?;
        let from = holidays
            .iter()
            .map(|h| h.date)
            .min()
            .and_then(|d| NaiveDate::from_yo_opt(chrono::Datelike::year(&d), 1))
            .unwrap_or(NaiveDate::MIN);
        let shipped = ShippedCalendar {
            holidays,
            confirmed_through: motcua_refdata::HOLIDAYS_CONFIRMED_THROUGH,
            from,
        };
        let base = Arc::new(SettingsBook::shipped(&shipped).map_err(settings_calendar)?);
        Ok(SettingsCache {
            shipped,
            base,
            books: RwLock::new(HashMap::new()),
        })
    }

    /// A cache whose base version is built from `rules` (tests and
    /// benchmarks that set their own calendar).
    pub(crate) fn with_base(rules: Rules) -> Self {
        let shipped = ShippedCalendar {
            holidays: Vec::new(),
            confirmed_through: i32::MAX - 1,
            from: rules.valid_from(),
        };
        SettingsCache {
            base: Arc::new(SettingsBook::from_rules(rules)),
            shipped,
            books: RwLock::new(HashMap::new()),
        }
    }

    fn book(&self, province: &str) -> Arc<SettingsBook> {
        self.books
            .read()
            .ok()
            .and_then(|b| b.get(province).cloned())
            .unwrap_or_else(|| self.base.clone())
    }

    fn put(&self, province: &str, book: SettingsBook) {
        if let Ok(mut books) = self.books.write() {
            books.insert(province.to_string(), Arc::new(book));
        }
    }
}

fn settings_calendar(e: SettingsError) -> EngineError {
    match e {
        SettingsError::Calendar(c) => EngineError::Calendar(c),
        other => EngineError::Store(StoreError::Corrupt(format!("province settings: {other}"))),
    }
}

fn stream(province: &str) -> StreamId {
    StreamId::new(STREAM_KIND, province)
}

impl Engine {
    /// The settings in force on `date` in `province` (a two-digit code).
    pub fn rules(&self, province: &str, date: NaiveDate) -> Arc<Rules> {
        self.settings.book(province).at(date)
    }

    /// The settings in force on `date` in `unit`'s province.
    pub fn rules_for(&self, unit: &UnitId, date: NaiveDate) -> Arc<Rules> {
        self.rules(unit.province_code(), date)
    }

    /// A province's versions and their history.
    pub fn settings_book(&self, province: &str) -> Arc<SettingsBook> {
        self.settings.book(province)
    }

    /// Rereads every province's settings from the log (start-up, and every
    /// [`RELOAD_INTERVAL`]). A stream that does not verify is an error,
    /// and the versions in memory stay as they were.
    pub async fn reload_settings(&self) -> Result<(), EngineError> {
        let mut provinces = std::collections::BTreeSet::new();
        let mut after = 0;
        loop {
            let page = self.store.read_log(after, 1000).await?;
            let Some(last) = page.last() else { break };
            after = last.position;
            provinces.extend(
                page.iter()
                    .filter(|e| e.stream.kind == STREAM_KIND)
                    .map(|e| e.stream.id.clone()),
            );
        }
        for province in provinces {
            self.reload_province(&province).await?;
        }
        Ok(())
    }

    async fn reload_province(&self, province: &str) -> Result<Arc<SettingsBook>, EngineError> {
        let loaded = load(self.store.as_ref(), &stream(province)).await?;
        let book = SettingsBook::replay(&self.settings.shipped, &loaded.events)
            .map_err(settings_calendar)?;
        self.settings.put(province, book);
        Ok(self.settings.book(province))
    }

    /// Adopts `document` as a version of `province`'s settings, recorded
    /// as an event of the log with `reason`; every computation on a date
    /// from its `valid_from` on uses it.
    pub async fn adopt_settings(
        &self,
        who: Configurer<'_>,
        province: &str,
        document: SettingsDocument,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Arc<SettingsBook>, SettingsFailure> {
        let actor = match &who {
            Configurer::Official(p) if p.may_configure(province) => LogActor {
                user: p.user().as_str().to_string(),
                role: "province_admin".into(),
                unit: Some(province.to_string()),
            },
            Configurer::Official(_) => return Err(SettingsFailure::Forbidden),
            Configurer::Operator { name } => LogActor {
                user: name.clone(),
                role: "operator".into(),
                unit: None,
            },
        };
        let today = motcua_domain::dossier::vietnam_date(now);
        let shipped = &self.settings.shipped;
        execute::<SettingsFailure>(
            self.store.as_ref(),
            &stream(province),
            &actor,
            now,
            |loaded| {
                let book = SettingsBook::replay(shipped, &loaded.events)?;
                let payload = book.decide_adopt(shipped, document, reason, today)?;
                Ok(vec![NewLogEvent {
                    event_type: ADOPTED.into(),
                    reason: Some(reason.trim().to_string()),
                    payload,
                }])
            },
        )
        .await?;
        self.reload_province(province).await.map_err(|e| match e {
            EngineError::Store(s) => SettingsFailure::Store(s),
            other => SettingsFailure::Store(StoreError::Corrupt(other.to_string())),
        })
    }
}
