//! The period report as PDF (`/api/v1/reports/monthly.pdf`): the figures,
//! the figures by unit (or by procedure for a unit), the ranking of the
//! communes by the Decision 766 index and the steps contributing most to
//! lateness, laid out by [`motcua_forms::monthly_report`].

use motcua_forms::{MonthlyReport, ReportColumn, ReportSection};

use super::service::{BottleneckAnswer, FiguresReport, IndexAnswer, Row, Target};
use crate::pages::dashboard::pct;
use crate::pages::ui::Lang;

fn col(header: &str, share: f32, centered: bool) -> ReportColumn {
    ReportColumn {
        header: header.to_string(),
        share,
        centered,
    }
}

fn figure_rows(rows: &[Row]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            let f = &r.figures;
            vec![
                r.label.clone(),
                f.received.total.to_string(),
                f.received.online.to_string(),
                (f.early + f.on_time).to_string(),
                f.late.to_string(),
                f.in_process_on_track.to_string(),
                f.overdue.to_string(),
                pct(Lang::Vi, f.shares.within_deadline),
            ]
        })
        .collect()
}

/// Thousands with a dot, as written in Vietnamese ("1.234"), through the
/// reports' one number format.
#[allow(clippy::cast_precision_loss)]
fn count(n: u64) -> String {
    motcua_domain::reports::numfmt::number(n as f64, 0, true)
}

pub fn report(
    target: &Target,
    issuer: String,
    place: String,
    f: &FiguresReport,
    ix: &IndexAnswer,
    b: &BottleneckAnswer,
) -> MonthlyReport {
    let t = &f.total;
    let summary = vec![
        ("Hồ sơ phát sinh".to_string(), count(t.dossiers.total)),
        (
            "Hồ sơ tiếp nhận (trực tiếp / trực tuyến / bưu chính)".to_string(),
            format!(
                "{} ({} / {} / {})",
                count(t.received.total),
                count(t.received.in_person),
                count(t.received.online),
                count(t.received.post)
            ),
        ),
        ("Từ chối tiếp nhận".to_string(), count(t.refused)),
        (
            "Đã giải quyết (trước hạn / đúng hạn / quá hạn)".to_string(),
            format!(
                "{} ({} / {} / {})",
                count(t.finished),
                count(t.early),
                count(t.on_time),
                count(t.late)
            ),
        ),
        (
            "Đang giải quyết (trong hạn / quá hạn)".to_string(),
            format!(
                "{} ({} / {})",
                count(t.in_process),
                count(t.in_process_on_track),
                count(t.overdue)
            ),
        ),
        (
            "Thư xin lỗi (Mẫu 04) đã phát hành / phát hành muộn".to_string(),
            format!(
                "{} / {}",
                count(t.apologies),
                t.apologies_late.map_or_else(|| "—".to_string(), count)
            ),
        ),
        (
            "Đã trả kết quả / rút hồ sơ / tạm dừng".to_string(),
            format!(
                "{} / {} / {}",
                count(t.returned),
                count(t.withdrawn),
                count(t.paused)
            ),
        ),
        (
            "Tỷ lệ đúng hạn".to_string(),
            pct(Lang::Vi, t.shares.within_deadline),
        ),
        (
            "Tỷ lệ nộp trực tuyến".to_string(),
            pct(Lang::Vi, t.shares.online),
        ),
        (
            "Tỷ lệ số hóa hồ sơ".to_string(),
            pct(Lang::Vi, t.shares.digitization),
        ),
        (
            "Tỷ lệ cấp kết quả điện tử".to_string(),
            pct(Lang::Vi, t.shares.electronic_result),
        ),
        (
            "Hồ sơ có phí thanh toán trực tuyến".to_string(),
            format!(
                "{} / {} ({})",
                count(t.paid_online),
                count(t.fee_charging),
                pct(Lang::Vi, t.shares.paid_online)
            ),
        ),
        (
            "Đánh giá (rất hài lòng / hài lòng / không hài lòng)".to_string(),
            format!(
                "{} / {} / {}",
                count(t.ratings.very_satisfied),
                count(t.ratings.satisfied),
                count(t.ratings.not_satisfied)
            ),
        ),
    ];
    let figure_cols = |first: &str| {
        vec![
            col(first, 0.30, false),
            col("Tiếp nhận", 0.10, true),
            col("Trực tuyến", 0.10, true),
            col("Trước, đúng hạn", 0.10, true),
            col("Quá hạn", 0.09, true),
            col("Đang trong hạn", 0.11, true),
            col("Đang quá hạn", 0.10, true),
            col("Tỷ lệ đúng hạn", 0.10, true),
        ]
    };
    let mut sections = Vec::new();
    match target {
        Target::Province(_) => sections.push(ReportSection {
            title: "Kết quả theo đơn vị".to_string(),
            note: "Theo đơn vị có thẩm quyền giải quyết; mỗi hồ sơ tính vào tháng tiếp nhận."
                .to_string(),
            columns: figure_cols("Đơn vị"),
            rows: figure_rows(&f.by_unit),
        }),
        Target::Unit(_) => sections.push(ReportSection {
            title: "Kết quả theo thủ tục".to_string(),
            note: "Mỗi hồ sơ tính vào tháng tiếp nhận.".to_string(),
            columns: figure_cols("Thủ tục"),
            rows: figure_rows(&f.by_procedure),
        }),
    }
    let decimal = |x: f64| motcua_domain::reports::numfmt::fixed(x, 2, true);
    sections.push(ReportSection {
        title: "Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)".to_string(),
        note: ix.note_vi.clone(),
        columns: vec![
            col("Hạng", 0.08, true),
            col("Đơn vị", 0.32, false),
            col("Tổng điểm", 0.12, true),
            col("Xếp loại", 0.12, false),
            col("Tiến độ", 0.12, true),
            col("Trực tuyến", 0.12, true),
            col("Số hóa", 0.12, true),
        ],
        rows: ix
            .ranking
            .iter()
            .map(|u| {
                let g = |i: usize| u.groups.get(i).map_or(String::new(), |(_, p)| decimal(*p));
                vec![
                    u.rank.map_or_else(|| "—".to_string(), |r| r.to_string()),
                    u.name_vi.clone(),
                    decimal(u.total),
                    u.grade_vi.clone(),
                    g(1),
                    g(2),
                    g(5),
                ]
            })
            .collect(),
    });
    let tops = if b.top_by_unit.is_empty() {
        &b.top_by_procedure
    } else {
        &b.top_by_unit
    };
    sections.push(ReportSection {
        title: "Điểm nghẽn".to_string(),
        note: "Bước góp nhiều nhất vào trễ hạn (phút vượt thời gian quy định, trên các hồ sơ trễ hạn)."
            .to_string(),
        columns: vec![
            col("Đơn vị", 0.22, false),
            col("Thủ tục", 0.34, false),
            col("Bước", 0.2, false),
            col("Phút vượt", 0.12, true),
            col("Tỷ trọng", 0.12, true),
        ],
        rows: tops
            .iter()
            .map(|s| {
                vec![
                    s.unit_name_vi.clone().unwrap_or_default(),
                    s.procedure_name_vi.clone(),
                    s.step_label_vi.clone(),
                    count(s.stats.late_overrun_minutes),
                    pct(Lang::Vi, s.stats.lateness_share),
                ]
            })
            .collect(),
    });
    MonthlyReport {
        issuer,
        place,
        date: f.as_of,
        title: "Báo cáo kết quả giải quyết thủ tục hành chính".to_string(),
        period: format!("{} — {}", f.period.label_vi, f.scope.name_vi),
        summary,
        sections,
        notes: vec![format!(
            "Số liệu tính đến ngày {}. Hồ sơ đang giải quyết được xét theo ngày hẹn trả ban đầu (Mẫu 01).",
            f.as_of.format("%d/%m/%Y")
        )],
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(super::count(0), "0");
        assert_eq!(super::count(999), "999");
        assert_eq!(super::count(1234), "1.234");
        assert_eq!(super::count(1_234_567), "1.234.567");
    }
}
