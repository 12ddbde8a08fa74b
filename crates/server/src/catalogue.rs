//! The catalogue as the portal searches it: the procedure versions in force
//! today, one per code, with their names folded once (lowercase ASCII, no
//! diacritics, as the unit registry compares names) instead of on every
//! request, and the list of fields.
//!
//! The snapshot is rebuilt when the Vietnam date changes, when this server
//! imports a catalogue ([`CatalogueCache::invalidate`]), and at the latest
//! [`MAX_AGE`] after it was built, so that an import made through another
//! server of a scaled-out deployment shows within that time.

use std::collections::BTreeSet;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use motcua_domain::procedure::Procedure;
use motcua_domain::units::fold;
use motcua_store::{Store, StoreResult};

/// How long a snapshot is trusted without a local import.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// One procedure with its search keys.
pub struct Entry {
    pub procedure: Procedure,
    /// The folded Vietnamese name.
    pub name_folded: String,
    /// The national code in lower case.
    pub code_lower: String,
}

/// The catalogue in force on one day.
pub struct Snapshot {
    pub day: NaiveDate,
    /// In catalogue order, one per code.
    pub entries: Vec<Entry>,
    /// Every field (lĩnh vực), sorted.
    pub fields: Vec<String>,
    built: Instant,
}

/// A search query, split into words once.
pub struct Words(Vec<(String, String)>);

impl Words {
    /// Splits `text` on whitespace (the caller bounds its length).
    pub fn new(text: &str) -> Self {
        Words(
            text.split_whitespace()
                .map(|w| (fold(w), w.to_lowercase()))
                .collect(),
        )
    }
}

impl Entry {
    /// Whether every word is in the folded name or in the code (as typed).
    pub fn matches(&self, words: &Words) -> bool {
        words.0.iter().all(|(folded, raw)| {
            (!folded.is_empty() && self.name_folded.contains(folded.as_str()))
                || self.code_lower.contains(raw.as_str())
        })
    }
}

impl Snapshot {
    /// Builds the snapshot of `all` (every stored version) on `day`.
    pub fn build(all: Vec<Procedure>, day: NaiveDate) -> Self {
        let mut seen = BTreeSet::new();
        let entries: Vec<Entry> = all
            .into_iter()
            .filter(|p| p.in_force_on(day))
            .filter(|p| seen.insert(p.spec().code.to_string()))
            .map(|p| {
                let s = p.spec();
                Entry {
                    name_folded: fold(&s.name_vi),
                    code_lower: s.code.to_string().to_lowercase(),
                    procedure: p,
                }
            })
            .collect();
        let fields = entries
            .iter()
            .map(|e| e.procedure.spec().field_vi.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        Snapshot {
            day,
            entries,
            fields,
            built: Instant::now(),
        }
    }

    /// The entries of `field` (all when empty) matching `words`.
    pub fn search<'a>(
        &'a self,
        field: &'a str,
        words: &'a Words,
    ) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries
            .iter()
            .filter(move |e| field.is_empty() || e.procedure.spec().field_vi == field)
            .filter(move |e| e.matches(words))
    }
}

/// The shared, lazily rebuilt snapshot.
#[derive(Clone, Default)]
pub struct CatalogueCache {
    current: Arc<RwLock<Option<Arc<Snapshot>>>>,
}

impl CatalogueCache {
    /// The snapshot for `day`, rebuilt from the store when missing, stale or
    /// of another day. Concurrent misses may each rebuild; the last one
    /// stays (they are equal).
    pub async fn get(&self, store: &dyn Store, day: NaiveDate) -> StoreResult<Arc<Snapshot>> {
        if let Some(s) = self.fresh(day) {
            return Ok(s);
        }
        let all = store.procedures().await?;
        let built = Arc::new(Snapshot::build(all, day));
        if let Ok(mut w) = self.current.write() {
            *w = Some(built.clone());
        }
        Ok(built)
    }

    fn fresh(&self, day: NaiveDate) -> Option<Arc<Snapshot>> {
        let guard = self.current.read().ok()?;
        let s = guard.as_ref()?;
        (s.day == day && s.built.elapsed() < MAX_AGE).then(|| s.clone())
    }

    /// Forgets the snapshot (after an import).
    pub fn invalidate(&self) {
        if let Ok(mut w) = self.current.write() {
            *w = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Vec<Procedure> {
        motcua_domain::procedure::Catalogue::from_json(motcua_refdata::PROCEDURES_CAOBANG_JSON)
            .expect("the shipped catalogue parses")
            .procedures()
            .to_vec()
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 2).expect("date")
    }

    #[test]
    fn search_ignores_diacritics_and_case() {
        let snap = Snapshot::build(catalogue(), day());
        assert!(!snap.entries.is_empty());
        let with: Vec<_> = snap
            .search("", &Words::new("Khai sinh"))
            .map(|e| e.code_lower.clone())
            .collect();
        let without: Vec<_> = snap
            .search("", &Words::new("KHAI SINH"))
            .map(|e| e.code_lower.clone())
            .collect();
        assert!(!with.is_empty(), "the catalogue has a birth registration");
        assert_eq!(with, without);
        for e in snap.search("", &Words::new("khai sinh")) {
            assert!(e.name_folded.contains("khai") && e.name_folded.contains("sinh"));
        }
    }

    #[test]
    fn one_entry_per_code_and_fields_sorted() {
        let snap = Snapshot::build(catalogue(), day());
        let codes: BTreeSet<_> = snap.entries.iter().map(|e| &e.code_lower).collect();
        assert_eq!(codes.len(), snap.entries.len());
        let mut sorted = snap.fields.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, snap.fields);
    }

    #[test]
    fn a_field_narrows_and_a_code_matches_as_typed() {
        let snap = Snapshot::build(catalogue(), day());
        let first = &snap.entries[0];
        let field = first.procedure.spec().field_vi.clone();
        let all = Words::new("");
        assert!(snap
            .search(&field, &all)
            .all(|e| e.procedure.spec().field_vi == field));
        let by_code: Vec<_> = snap
            .search("", &Words::new(&first.code_lower))
            .map(|e| e.code_lower.clone())
            .collect();
        assert!(by_code.contains(&first.code_lower));
    }
}
