//! Bảng điều khiển — the dashboard page of a unit or a province
//! (`/bao-cao?unit=…|province=…&period=…`): the figures, the on-time trend
//! by month, the Decision 766 index by group with its sub-criteria, the
//! ranking of the communes, and the bottlenecks (a waterfall of each busy
//! procedure's steps and the current queue). Charts are SVG drawn on the
//! server ([`super::charts`]), each followed by its data table; every
//! table links to its CSV and XLSX export. No script; readable on a phone
//! and printable. Officials only, with the access rule of
//! [`crate::api::reports::service`].

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::access::Principal;
use motcua_domain::reports::numfmt;

use super::charts::{self, Bar, Column, Step};
use super::ui::{Ctx, Lang};
use super::{render, PageError};
use crate::api::reports::service::{
    self, BottleneckAnswer, FiguresReport, IndexAnswer, ReportQuery, Resolved, Target,
};
use crate::auth::session::MaybeSession;
use crate::auth::Viewer;
use crate::AppState;

/// A number in the reports' one format (decimal comma in Vietnamese,
/// [`numfmt::fixed`]).
fn decimal(l: Lang, x: f64, places: usize) -> String {
    numfmt::fixed(x, places, l == Lang::Vi)
}

/// A share as "97,5%" ("–" when there is nothing to count).
pub fn pct(l: Lang, x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |v| numfmt::percent(v, 1, l == Lang::Vi))
}

pub struct Kpi {
    label: &'static str,
    value: String,
}

pub struct FigRow {
    key: String,
    label: String,
    received: u64,
    online: u64,
    finished_on_time: u64,
    late: u64,
    on_track: u64,
    overdue: u64,
    share: String,
}

pub struct TrendRow {
    label: String,
    received: u64,
    within: u64,
    share: String,
}

pub struct GroupRow {
    label: String,
    points: String,
    max: String,
}

pub struct CritRow {
    group: String,
    label: String,
    ratio: String,
    points: String,
    max: String,
    formula: String,
    missing: bool,
}

pub struct RankRow {
    rank: String,
    unit: String,
    name: String,
    total: String,
    grade: String,
    href: String,
}

pub struct StepView {
    label: String,
    dossiers: u64,
    budget: String,
    median: String,
    p90: String,
    overran: String,
    late: String,
}

pub struct Waterfall {
    title: String,
    svg: String,
    steps: Vec<StepView>,
}

pub struct QueueView {
    unit: String,
    role: String,
    assignee: String,
    dossiers: u64,
    paused: u64,
    overdue: u64,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    c: Ctx,
    scope_name: String,
    period_label: String,
    /// The period, picked from a list or as a run of months.
    picker: super::dashboard_period::PeriodPicker,
    as_of: String,
    is_province: bool,
    /// The unit id or province code of this view.
    scope_code: String,
    /// The query of this view, for the export links (`unit=…&period=…`).
    q: String,
    province_link: Option<String>,
    kpis: Vec<Kpi>,
    fig_rows: Vec<FigRow>,
    trend_svg: String,
    trend: Vec<TrendRow>,
    index_title: String,
    /// Which units lack inputs from outside the system, or where they come from.
    index_note: String,
    index_svg: String,
    groups: Vec<GroupRow>,
    total_points: String,
    grade: String,
    criteria: Vec<CritRow>,
    ranking: Vec<RankRow>,
    top: String,
    waterfalls: Vec<Waterfall>,
    queue: Vec<QueueView>,
}

fn query_string(r: &Resolved) -> String {
    let mut q = match &r.target {
        Target::Unit(u) => format!("unit={u}"),
        Target::Province(p) => format!("province={p}"),
    };
    q.push_str("&period=");
    q.push_str(&service::period_key(&r.period));
    if let Some(p) = &r.procedure {
        q.push_str(&format!("&procedure={p}"));
    }
    q
}

fn figures_view(l: Lang, f: &FiguresReport) -> (Vec<Kpi>, Vec<FigRow>, String, Vec<TrendRow>) {
    let t = &f.total;
    let kpis = vec![
        Kpi {
            label: l.t("Hồ sơ tiếp nhận", "Dossiers received"),
            value: t.received.total.to_string(),
        },
        Kpi {
            label: l.t("Tỷ lệ đúng hạn", "On-time share"),
            value: pct(l, t.shares.within_deadline),
        },
        Kpi {
            label: l.t("Đang giải quyết quá hạn", "Overdue in process"),
            value: t.overdue.to_string(),
        },
        Kpi {
            label: l.t("Tỷ lệ trực tuyến", "Online share"),
            value: pct(l, t.shares.online),
        },
        Kpi {
            label: l.t("Tỷ lệ số hóa", "Digitization share"),
            value: pct(l, t.shares.digitization),
        },
        Kpi {
            label: l.t("Tỷ lệ kết quả điện tử", "Electronic-result share"),
            value: pct(l, t.shares.electronic_result),
        },
        Kpi {
            label: l.t("Thanh toán trực tuyến", "Paid online"),
            value: pct(l, t.shares.paid_online),
        },
        Kpi {
            label: l.t("Tỷ lệ hài lòng", "Satisfaction"),
            value: pct(l, t.shares.satisfaction),
        },
    ];
    let rows = if f.by_unit.is_empty() {
        &f.by_procedure
    } else {
        &f.by_unit
    };
    let fig_rows = rows
        .iter()
        .map(|r| FigRow {
            key: r.key.clone(),
            label: r.label.clone(),
            received: r.figures.received.total,
            online: r.figures.received.online,
            finished_on_time: r.figures.early + r.figures.on_time,
            late: r.figures.late,
            on_track: r.figures.in_process_on_track,
            overdue: r.figures.overdue,
            share: pct(l, r.figures.shares.within_deadline),
        })
        .collect();
    let columns: Vec<Column> = f
        .by_month
        .iter()
        .map(|m| Column {
            label: m.label.clone(),
            share: m.figures.shares.within_deadline,
        })
        .collect();
    let trend_svg = charts::columns(
        l,
        "trend",
        l.t("Tỷ lệ hồ sơ đúng hạn theo tháng", "On-time share by month"),
        l.t(
            "Hồ sơ đúng hạn chia cho hồ sơ tiếp nhận, theo tháng tiếp nhận; đường gạch: mục tiêu 90%.",
            "Dossiers on time over dossiers received, by month of receipt; dashed line: 90% target.",
        ),
        &columns,
        Some(0.9),
    );
    let trend = f
        .by_month
        .iter()
        .map(|m| TrendRow {
            label: m.label.clone(),
            received: m.figures.received.total,
            within: m.figures.within_deadline,
            share: pct(l, m.figures.shares.within_deadline),
        })
        .collect();
    (kpis, fig_rows, trend_svg, trend)
}

struct IndexView {
    title: String,
    svg: String,
    groups: Vec<GroupRow>,
    total: String,
    grade: String,
    criteria: Vec<CritRow>,
    ranking: Vec<RankRow>,
}

fn index_view(l: Lang, ix: &IndexAnswer, period: &str) -> IndexView {
    let n = ix.units.len().max(1) as f64;
    let mut sums: Vec<(String, f64, f64)> = Vec::new();
    for u in &ix.units {
        for (i, g) in u.report.groups.iter().enumerate() {
            if sums.len() <= i {
                sums.push((l.t(&g.label_vi, &g.label_en).to_string(), 0.0, g.max_points));
            }
            sums[i].1 += g.points;
        }
    }
    let province = ix.scope.province.is_some();
    let groups: Vec<GroupRow> = sums
        .iter()
        .map(|(label, sum, max)| GroupRow {
            label: label.clone(),
            points: decimal(l, sum / n, 2),
            max: decimal(l, *max, 0),
        })
        .collect();
    let bars: Vec<Bar> = sums
        .iter()
        .map(|(label, sum, max)| Bar {
            label: label.clone(),
            value: sum / n,
            max: *max,
            text: format!("{}/{}", decimal(l, sum / n, 2), decimal(l, *max, 0)),
        })
        .collect();
    let title = if province {
        l.t(
            "Chỉ số phục vụ theo nhóm (trung bình các xã, phường)",
            "Service index by group (mean of the communes)",
        )
    } else {
        l.t("Chỉ số phục vụ theo nhóm", "Service index by group")
    }
    .to_string();
    let svg = charts::bars(
        "index",
        &title,
        l.t(
            "Điểm của sáu nhóm chỉ số theo Quyết định 766/QĐ-TTg, trên điểm tối đa của nhóm.",
            "Points of the six groups of Decision 766/QĐ-TTg, out of each group's maximum.",
        ),
        &bars,
    );
    let (total, grade, criteria) = match ix.units.first().filter(|_| !province) {
        Some(u) => (
            format!(
                "{}/{}",
                decimal(l, u.report.total, 2),
                decimal(l, u.report.max_total, 0)
            ),
            l.t(&u.report.grade_vi, &u.report.grade_en).to_string(),
            u.report
                .groups
                .iter()
                .flat_map(|g| {
                    g.criteria.iter().map(move |c| CritRow {
                        group: l.t(&g.label_vi, &g.label_en).to_string(),
                        label: l.t(&c.label_vi, &c.label_en).to_string(),
                        ratio: pct(l, c.ratio),
                        points: decimal(l, c.points, 2),
                        max: decimal(l, c.max_points, 0),
                        formula: l.t(&c.formula_vi, &c.formula_en).to_string(),
                        missing: c.status == motcua_domain::reports::ScoreStatus::MissingInput,
                    })
                })
                .collect(),
        ),
        None => (String::new(), String::new(), Vec::new()),
    };
    let ranking = ix
        .ranking
        .iter()
        .map(|u| RankRow {
            rank: u.rank.map_or_else(|| "—".to_string(), |r| r.to_string()),
            unit: u.unit.to_string(),
            name: u.name_vi.clone(),
            total: decimal(l, u.total, 2),
            grade: l.t(&u.grade_vi, &u.grade_en).to_string(),
            href: format!("/bao-cao?unit={}&period={period}&lang={}", u.unit, l.code()),
        })
        .collect();
    IndexView {
        title,
        svg,
        groups,
        total,
        grade,
        criteria,
        ranking,
    }
}

fn minutes(l: Lang, m: Option<u64>) -> String {
    m.map_or_else(|| "–".to_string(), |m| charts::duration(l, m))
}

fn bottleneck_view(l: Lang, b: &BottleneckAnswer) -> (String, Vec<Waterfall>, Vec<QueueView>) {
    let top = match &b.top {
        Some(t) => match l {
            Lang::Vi => format!(
                "Bước góp nhiều nhất vào trễ hạn: {} — {} ({} phút vượt, {} của thủ tục).",
                t.step_label_vi,
                t.procedure_name_vi,
                t.stats.late_overrun_minutes,
                pct(l, t.stats.lateness_share)
            ),
            Lang::En => format!(
                "The step contributing most to lateness: {} — {} ({} minutes over, {} of the procedure's).",
                t.step_label_en,
                t.procedure_name_vi,
                t.stats.late_overrun_minutes,
                pct(l, t.stats.lateness_share)
            ),
        },
        None => l
            .t(
                "Không có hồ sơ trễ hạn do vượt thời gian của một bước trong kỳ.",
                "No dossier of the period was late because a step overran.",
            )
            .to_string(),
    };
    let mut by_proc: BTreeMap<String, Vec<&service::StepRow>> = BTreeMap::new();
    for s in &b.steps {
        by_proc
            .entry(s.stats.procedure.to_string())
            .or_default()
            .push(s);
    }
    let mut procs: Vec<(String, Vec<&service::StepRow>)> = by_proc.into_iter().collect();
    procs.sort_by_key(|(code, rows)| {
        (
            std::cmp::Reverse(rows.iter().map(|r| r.stats.dossiers).max().unwrap_or(0)),
            code.clone(),
        )
    });
    let waterfalls = procs
        .into_iter()
        .take(4)
        .enumerate()
        .map(|(i, (code, rows))| {
            let name = rows
                .first()
                .map(|r| r.procedure_name_vi.clone())
                .unwrap_or_default();
            let label = |r: &service::StepRow| {
                format!(
                    "{}. {}",
                    r.stats.step + 1,
                    l.t(&r.step_label_vi, &r.step_label_en)
                )
            };
            let steps: Vec<Step> = rows
                .iter()
                .map(|r| Step {
                    label: label(r),
                    minutes: r.stats.working_median.unwrap_or(0),
                    budget: r.stats.budget_minutes.unwrap_or(0),
                })
                .collect();
            let title = format!("{name} ({code})");
            let svg = charts::waterfall(
                l,
                &format!("wf{i}"),
                &title,
                l.t(
                    "Thời gian xử lý trung vị của từng bước (giờ làm việc), nối tiếp nhau; bước vượt thời gian quy định tô sọc đỏ, vạch xám là thời gian quy định.",
                    "Median working time of each step (working hours), one after the other; a step over its budget is hatched red, the grey tick is the budget.",
                ),
                &steps,
            );
            Waterfall {
                title,
                svg,
                steps: rows
                    .iter()
                    .map(|r| StepView {
                        label: label(r),
                        dossiers: r.stats.dossiers,
                        budget: minutes(l, r.stats.budget_minutes.filter(|b| *b > 0)),
                        median: minutes(l, r.stats.working_median),
                        p90: minutes(l, r.stats.working_p90),
                        overran: pct(l, r.stats.overran_share),
                        late: r.stats.late_overrun_minutes.to_string(),
                    })
                    .collect(),
            }
        })
        .collect();
    let queue = b
        .queue
        .iter()
        .map(|q| QueueView {
            unit: q.unit.as_ref().map(ToString::to_string).unwrap_or_default(),
            role: l.t(&q.role_vi, &q.role_en).to_string(),
            assignee: q.assignee.clone().unwrap_or_default(),
            dossiers: q.dossiers,
            paused: q.paused,
            overdue: q.overdue,
        })
        .collect();
    (top, waterfalls, queue)
}

/// `/bao-cao`: the dashboard.
pub async fn dashboard(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Query(mut q): Query<ReportQuery>,
    Query(range): Query<super::dashboard_period::RangeQuery>,
) -> Result<Response, PageError> {
    let Some(s) = session
        .0
        .clone()
        .filter(|s| matches!(s.principal, Principal::Official { .. }))
    else {
        return Ok(Redirect::to("/can-bo/dang-nhap").into_response());
    };
    let viewer = Viewer::Session(s.clone());
    let (period, period_error) = super::dashboard_period::chosen(l, q.period.as_deref(), &range);
    q.period = period;
    let r = service::resolve(&state, &viewer, &q)?;
    let mut picker =
        super::dashboard_period::picker(l, &r.period, chrono::Datelike::year(&r.as_of), &range);
    picker.error = period_error;
    let figures = service::figures(&state, &r).await?;
    let index = service::index766(&state, &r).await?;
    let bottlenecks = service::bottlenecks(&state, &r).await?;
    let period_key = service::period_key(&r.period);
    let (kpis, fig_rows, trend_svg, trend) = figures_view(l, &figures);
    let ix = index_view(l, &index, &period_key);
    let (top, waterfalls, queue) = bottleneck_view(l, &bottlenecks);
    let province_link = match &r.target {
        Target::Unit(u) => {
            let p = motcua_domain::access::province_of(u).to_string();
            service::may_read(&viewer, &Target::Province(p.clone())).then(|| {
                format!(
                    "/bao-cao?province={p}&period={period_key}&lang={}",
                    l.code()
                )
            })
        }
        Target::Province(_) => None,
    };
    let path = format!("/bao-cao?{}", query_string(&r))
        .replace('?', "%3F")
        .replace('&', "%26")
        .replace('=', "%3D");
    let page = DashboardPage {
        scope_name: figures.scope.name_vi.clone(),
        period_label: l
            .t(&figures.period.label_vi, &figures.period.label_en)
            .to_string(),
        as_of: r.as_of.format("%d/%m/%Y").to_string(),
        is_province: matches!(r.target, Target::Province(_)),
        scope_code: match &r.target {
            Target::Unit(u) => u.to_string(),
            Target::Province(p) => p.clone(),
        },
        q: query_string(&r),
        c: Ctx::new(l, &path, session),
        picker,
        province_link,
        kpis,
        fig_rows,
        trend_svg,
        trend,
        index_title: ix.title,
        index_note: l.t(&index.note_vi, &index.note_en).to_string(),
        index_svg: ix.svg,
        groups: ix.groups,
        total_points: ix.total,
        grade: ix.grade,
        criteria: ix.criteria,
        ranking: ix.ranking,
        top,
        waterfalls,
        queue,
    };
    Ok(render(&page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_use_the_language_decimal_separator() {
        assert_eq!(pct(Lang::Vi, Some(0.975)), "97,5%");
        assert_eq!(pct(Lang::En, Some(0.975)), "97.5%");
        assert_eq!(pct(Lang::Vi, None), "–");
        assert_eq!(minutes(Lang::En, Some(545)), "1 day 1 h 5 min");
        assert_eq!(minutes(Lang::Vi, Some(545)), "1 ngày 1 giờ 5 phút");
    }
}
