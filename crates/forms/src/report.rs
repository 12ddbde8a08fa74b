//! Báo cáo tháng — the monthly report of a province's one-stop shop (issue
//! 5): the issuing body, the title and period, the key figures as lines,
//! then tables (figures by unit, the ranking of communes by the Decision
//! 766/QĐ-TTg index, the steps contributing most to lateness) and notes.
//! The caller formats every value (numbers, shares, names) in Vietnamese;
//! this module only lays the text out, with the forms' typeface and
//! margins (Decree 30/2020/NĐ-CP), tables repeating their header on each
//! page.

use chrono::NaiveDate;

use crate::layout::{bold, italic, reg, Align, Column, Layout, Para, Span, BODY};
use crate::text::{clean, date_vi, Fonts};
use crate::{FormError, Op};

/// A column of a report table: its header and its share of the width.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportColumn {
    pub header: String,
    pub share: f32,
    /// Centred (numbers) rather than left-aligned (names).
    pub centered: bool,
}

/// A titled table of a report. Cells are text, already formatted.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportSection {
    pub title: String,
    /// A line under the title (e.g. what the figures count).
    pub note: String,
    pub columns: Vec<ReportColumn>,
    pub rows: Vec<Vec<String>>,
}

/// Báo cáo kết quả giải quyết thủ tục hành chính — one period's report.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthlyReport {
    /// Cơ quan báo cáo, e.g. "Ủy ban nhân dân tỉnh Cao Bằng" (printed in
    /// bold capitals, top left; a line break chooses where the line breaks).
    pub issuer: String,
    /// Địa danh, e.g. "Cao Bằng".
    pub place: String,
    /// The date of the report.
    pub date: NaiveDate,
    /// e.g. "Báo cáo kết quả giải quyết thủ tục hành chính" (printed in
    /// capitals).
    pub title: String,
    /// e.g. "Tháng 11/2026".
    pub period: String,
    /// Key figures: label and formatted value.
    pub summary: Vec<(String, String)>,
    pub sections: Vec<ReportSection>,
    pub notes: Vec<String>,
}

fn lay_out(fonts: &Fonts, r: &MonthlyReport) -> Vec<Vec<Op>> {
    let mut l = Layout::new(fonts);
    for line in r.issuer.lines() {
        l.para(&[bold(clean(line).to_uppercase())], Para::BODY);
    }
    l.para(
        &[italic(format!("{}, {}", clean(&r.place), date_vi(r.date)))],
        Para {
            align: Align::Center,
            ..Para::BODY
        },
    );
    l.gap(6.0);
    l.title(
        &clean(&r.title).to_uppercase(),
        &[vec![bold(clean(&r.period))]],
    );
    if !r.summary.is_empty() {
        l.para(&[bold("I. SỐ LIỆU CHUNG")], Para::BODY);
        for (label, value) in &r.summary {
            l.field(&clean(label), value);
        }
        l.gap(4.0);
    }
    for (i, s) in r.sections.iter().enumerate() {
        let roman = ["II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"];
        let n = roman.get(i).copied().unwrap_or("");
        l.para(
            &[bold(format!("{n}. {}", clean(&s.title).to_uppercase()))],
            Para::BODY,
        );
        if !s.note.is_empty() {
            l.para(&[italic(clean(&s.note))], Para::BODY);
        }
        if s.rows.is_empty() {
            l.para(&[reg("Không có số liệu trong kỳ.")], Para::BODY);
        } else if !s.columns.is_empty() {
            let cols: Vec<Column<'_>> = s
                .columns
                .iter()
                .map(|c| Column {
                    header: &c.header,
                    share: c.share,
                    align: if c.centered {
                        Align::Center
                    } else {
                        Align::Left
                    },
                })
                .collect();
            let rows: Vec<Vec<Vec<Span>>> = s
                .rows
                .iter()
                .map(|row| {
                    (0..cols.len())
                        .map(|c| vec![reg(clean(row.get(c).map_or("", String::as_str)))])
                        .collect()
                })
                .collect();
            l.table(&cols, &rows, BODY - 2.0);
        }
        l.gap(6.0);
    }
    for note in &r.notes {
        l.para(&[italic(clean(note))], Para::BODY);
    }
    l.finish()
}

/// Renders a period report as PDF (A4 portrait, Liberation Serif embedded).
pub fn monthly_report(r: &MonthlyReport) -> Result<Vec<u8>, FormError> {
    crate::render(
        |f| lay_out(f, r),
        "Báo cáo kết quả giải quyết thủ tục hành chính",
        None,
        r.date,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(rows: usize) -> MonthlyReport {
        MonthlyReport {
            issuer: "Ủy ban nhân dân\ntỉnh Cao Bằng".into(),
            place: "Cao Bằng".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
            title: "Báo cáo kết quả giải quyết thủ tục hành chính".into(),
            period: "Tháng 11/2026".into(),
            summary: vec![
                ("Hồ sơ tiếp nhận".into(), "1.234".into()),
                ("Tỷ lệ đúng hạn".into(), "97,5%".into()),
            ],
            sections: vec![ReportSection {
                title: "Xếp hạng các xã, phường".into(),
                note: "Theo Bộ chỉ số 766".into(),
                columns: vec![
                    ReportColumn {
                        header: "Hạng".into(),
                        share: 0.1,
                        centered: true,
                    },
                    ReportColumn {
                        header: "Đơn vị".into(),
                        share: 0.6,
                        centered: false,
                    },
                    ReportColumn {
                        header: "Tổng điểm".into(),
                        share: 0.3,
                        centered: true,
                    },
                ],
                rows: (0..rows)
                    .map(|i| {
                        vec![
                            (i + 1).to_string(),
                            format!("Phường số {i}"),
                            "88,25".into(),
                        ]
                    })
                    .collect(),
            }],
            notes: vec!["Số liệu tính đến ngày 01/12/2026.".into()],
        }
    }

    #[test]
    fn renders_a_pdf_and_long_tables_flow_onto_more_pages() {
        let short = monthly_report(&sample(3)).expect("pdf");
        assert!(short.starts_with(b"%PDF-"));
        let long = monthly_report(&sample(120)).expect("pdf");
        assert!(long.len() > short.len());
        assert_eq!(
            monthly_report(&sample(3)).expect("pdf"),
            short,
            "deterministic"
        );
    }
}
