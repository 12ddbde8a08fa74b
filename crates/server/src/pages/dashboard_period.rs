//! The dashboard's report period, picked rather than typed: a list of the
//! years, halves, quarters and months of this year and the last two, or a
//! run of months chosen with two month pickers (`tu`, `den`). A run the
//! reports refuse (backwards, longer than 60 months) is said on the same
//! form with what was picked kept, and the page shows the default period.

use motcua_domain::reports::{Month, Period};
use serde::Deserialize;

use crate::api::reports::service;
use crate::pages::ui::Lang;

/// The run of months of the form (`<input type="month">` gives `2026-03`).
#[derive(Debug, Default, Deserialize)]
pub struct RangeQuery {
    pub tu: Option<String>,
    pub den: Option<String>,
}

pub struct PeriodOption {
    pub key: String,
    pub label: String,
    pub selected: bool,
}

/// What the period part of the form shows.
pub struct PeriodPicker {
    pub options: Vec<PeriodOption>,
    /// The run's ends as picked (kept when refused).
    pub from: String,
    pub to: String,
    /// Why the picked period was refused (empty when it was not).
    pub error: String,
}

/// The `period` text the reports are asked for, from the form: the run of
/// months when both ends are picked, else the chosen `period`. A refused
/// one gives `None` (the default period) and its message.
pub fn chosen(l: Lang, period: Option<&str>, range: &RangeQuery) -> (Option<String>, String) {
    fn picked(s: &Option<String>) -> Option<&str> {
        s.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let text = match (picked(&range.tu), picked(&range.den)) {
        (Some(from), Some(to)) => Some(format!("{from}..{to}")),
        (Some(_), None) | (None, Some(_)) => {
            let msg = l.t(
                "Chọn cả tháng bắt đầu và tháng kết thúc của kỳ tùy chọn.",
                "Pick both the first and the last month of the custom period.",
            );
            return (None, msg.to_string());
        }
        (None, None) => period
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
    };
    match text {
        None => (None, String::new()),
        Some(t) => match service::parse_period(&t) {
            Ok(p) => (Some(service::period_key(&p)), String::new()),
            Err(e) => (None, l.t(&e.message_vi, &e.message_en).to_string()),
        },
    }
}

/// The picker for the period in force (`current`) in `year` (this year):
/// the years, halves, quarters and months of this year and the two before.
pub fn picker(l: Lang, current: &Period, year: i32, range: &RangeQuery) -> PeriodPicker {
    let mut periods = Vec::new();
    for y in (year - 2..=year).rev() {
        periods.push(Period::Year { year: y });
        periods.extend((1..=2).map(|half| Period::Half { year: y, half }));
        periods.extend((1..=4).map(|quarter| Period::Quarter { year: y, quarter }));
        periods.extend(
            (1..=12)
                .filter_map(|m| Month::new(y, m))
                .map(|month| Period::Month { month }),
        );
    }
    if !periods.contains(current) {
        periods.insert(0, *current);
    }
    let options = periods
        .iter()
        .map(|p| PeriodOption {
            key: service::period_key(p),
            label: match l {
                Lang::Vi => p.label_vi(),
                Lang::En => p.label_en(),
            },
            selected: p == current,
        })
        .collect();
    let (from, to) = match (current, &range.tu, &range.den) {
        (_, Some(a), Some(b)) => (a.trim().to_string(), b.trim().to_string()),
        (Period::Months { from, to }, _, _) => (from.to_string(), to.to_string()),
        _ => (
            range.tu.clone().unwrap_or_default(),
            range.den.clone().unwrap_or_default(),
        ),
    };
    PeriodPicker {
        options,
        from,
        to,
        error: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(tu: &str, den: &str) -> RangeQuery {
        RangeQuery {
            tu: Some(tu.into()),
            den: Some(den.into()),
        }
    }

    #[test]
    fn a_run_of_months_wins_over_the_list_and_a_refused_one_says_why() {
        assert_eq!(
            chosen(Lang::Vi, Some("2026"), &range("2026-01", "2026-03")),
            (Some("2026-01..2026-03".into()), String::new())
        );
        let (p, msg) = chosen(Lang::Vi, None, &range("2026-05", "2026-02"));
        assert_eq!(p, None);
        assert!(msg.contains("Kỳ báo cáo không hợp lệ"), "{msg}");
        let (p, msg) = chosen(Lang::En, None, &range("2026-05", ""));
        assert_eq!(p, None);
        assert!(msg.contains("both"), "{msg}");
        assert_eq!(
            chosen(Lang::Vi, Some("2026-q2"), &RangeQuery::default()),
            (Some("2026-Q2".into()), String::new())
        );
        assert_eq!(
            chosen(Lang::Vi, None, &RangeQuery::default()),
            (None, String::new())
        );
    }

    #[test]
    fn the_list_holds_three_years_and_marks_the_period_in_force() {
        let q2 = Period::Quarter {
            year: 2026,
            quarter: 2,
        };
        let p = picker(Lang::Vi, &q2, 2026, &RangeQuery::default());
        assert_eq!(p.options.len(), 3 * 19);
        let selected: Vec<_> = p.options.iter().filter(|o| o.selected).collect();
        assert_eq!(selected.len(), 1);
        assert_eq!(selected[0].key, "2026-Q2");
        assert_eq!(selected[0].label, "Quý 2/2026");
        // An older period is still listed, and chosen.
        let old = Period::Year { year: 2020 };
        let p = picker(Lang::En, &old, 2026, &RangeQuery::default());
        assert!(p.options[0].selected && p.options[0].key == "2020");
    }
}
