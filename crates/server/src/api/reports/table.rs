//! Bảng số liệu — a report table and its exports: CSV for Excel with
//! Vietnamese regional settings (UTF-8 with a byte order mark, so that
//! Excel shows Vietnamese text; `;` between fields, the list separator of
//! vi-VN; numbers with a decimal comma and no grouping; percentages as
//! numbers 0–100 with "(%)" in the column title — the same in both
//! languages, only the titles change) and XLSX (bold header
//! row with wrapped Vietnamese titles, number and percent formats, the
//! header row frozen and repeated on every printed page). Pure functions
//! from a table to bytes.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use motcua_domain::reports::numfmt;

use crate::pages::ui::Lang;

/// What a column holds, and so how it is formatted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A count (`#,##0`).
    Count,
    /// A share in [0, 1], shown as a percentage (`0.00%`).
    Percent,
    /// Points or a mean (`0.00`).
    Decimal,
}

/// A column: a stable key and its titles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub key: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
    pub kind: Kind,
}

/// Shorthand for a column.
pub const fn col(key: &'static str, vi: &'static str, en: &'static str, kind: Kind) -> Column {
    Column { key, vi, en, kind }
}

/// One cell. Numbers stay numbers in XLSX; `Empty` is a ratio with
/// nothing to count (or a value not provided).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(u64),
    Num(f64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}
impl From<u64> for Cell {
    fn from(n: u64) -> Self {
        Cell::Int(n)
    }
}
impl From<f64> for Cell {
    fn from(x: f64) -> Self {
        Cell::Num(x)
    }
}
impl From<Option<f64>> for Cell {
    fn from(x: Option<f64>) -> Self {
        x.map_or(Cell::Empty, Cell::Num)
    }
}
impl From<Option<u64>> for Cell {
    fn from(x: Option<u64>) -> Self {
        x.map_or(Cell::Empty, Cell::Int)
    }
}

/// A table of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Stable name, chosen with `?table=` for CSV (e.g. `by_procedure`).
    pub name: &'static str,
    /// The title (also the worksheet's name, cut to Excel's 31 characters).
    pub title_vi: String,
    pub title_en: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn title(&self, l: Lang) -> &str {
        l.t(&self.title_vi, &self.title_en)
    }

    /// The title of a column in a sheet: a percentage column says "(%)".
    fn sheet_title(c: &Column, l: Lang) -> String {
        match c.kind {
            Kind::Percent => format!("{} (%)", l.t(c.vi, c.en)),
            _ => l.t(c.vi, c.en).to_string(),
        }
    }

    /// CSV for Excel vi-VN (see the module doc): UTF-8 with a byte order
    /// mark, `;` separators, CRLF line ends, RFC 4180 quoting, decimal
    /// comma, percentages as numbers with the unit in the title.
    pub fn to_csv(&self, l: Lang) -> Vec<u8> {
        let mut out = String::from("\u{feff}");
        let header: Vec<String> = self
            .columns
            .iter()
            .map(|c| csv_field(&Self::sheet_title(c, l)))
            .collect();
        out.push_str(&header.join(";"));
        out.push_str("\r\n");
        for row in &self.rows {
            let fields: Vec<String> = row
                .iter()
                .zip(&self.columns)
                .map(|(cell, col)| match cell {
                    Cell::Text(s) => csv_field(s),
                    Cell::Int(n) => n.to_string(),
                    Cell::Num(x) if col.kind == Kind::Percent => numfmt::sheet(x * 100.0, 2),
                    Cell::Num(x) => numfmt::sheet(*x, 6),
                    Cell::Empty => String::new(),
                })
                .collect();
            out.push_str(&fields.join(";"));
            out.push_str("\r\n");
        }
        out.into_bytes()
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([';', ',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A worksheet name: at most 31 characters, none of `[]:*?/\`, unique.
fn sheet_name(title: &str, taken: &[String]) -> String {
    let clean: String = title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .take(31)
        .collect();
    let mut name = clean.trim().to_string();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        let suffix = format!(" ({n})");
        name = clean.chars().take(31 - suffix.chars().count()).collect();
        name.push_str(&suffix);
        n += 1;
    }
    name
}

/// A workbook with one worksheet per table: the header row bold on a
/// shaded background, wrapped, frozen and repeated when printed (landscape,
/// fitted to the page width); counts as `#,##0`, shares as `0.00%`, points
/// as `0.00`.
pub fn to_xlsx(tables: &[Table], l: Lang) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(Color::RGB(0x00DD_E6F2))
        .set_border(FormatBorder::Thin);
    let count = Format::new().set_num_format("#,##0");
    let percent = Format::new().set_num_format("0.00%");
    let decimal = Format::new().set_num_format("0.00");
    let text = Format::new().set_text_wrap();
    let mut taken: Vec<String> = Vec::new();
    for t in tables {
        let name = sheet_name(t.title(l), &taken);
        taken.push(name.clone());
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        ws.set_landscape();
        ws.set_header(format!("&C{}", t.title(l).replace('&', "&&")));
        ws.set_repeat_rows(0, 0)?;
        ws.set_freeze_panes(1, 1)?;
        ws.set_print_fit_to_pages(1, 0);
        ws.set_row_height(0, 45)?;
        for (c, column) in t.columns.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            ws.write_string_with_format(0, c, l.t(column.vi, column.en), &header)?;
            let width = match column.kind {
                Kind::Text if c == 0 || column.key.ends_with("name") => 36,
                Kind::Text => 16,
                _ => 13,
            };
            ws.set_column_width(c, width)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (c, (cell, column)) in row.iter().zip(&t.columns).enumerate() {
                let c = u16::try_from(c).unwrap_or(u16::MAX);
                let number = match column.kind {
                    Kind::Count => &count,
                    Kind::Percent => &percent,
                    Kind::Decimal | Kind::Text => &decimal,
                };
                match cell {
                    Cell::Text(s) => {
                        ws.write_string_with_format(r, c, s, &text)?;
                    }
                    #[allow(clippy::cast_precision_loss)]
                    Cell::Int(n) => {
                        ws.write_number_with_format(r, c, *n as f64, number)?;
                    }
                    Cell::Num(x) => {
                        ws.write_number_with_format(r, c, *x, number)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        Table {
            name: "sample",
            title_vi: "Theo thủ tục: hồ sơ".to_string(),
            title_en: "By procedure".to_string(),
            columns: vec![
                col("name", "Thủ tục", "Procedure", Kind::Text),
                col("received", "Tiếp nhận", "Received", Kind::Count),
                col("share", "Tỷ lệ đúng hạn", "On-time share", Kind::Percent),
            ],
            rows: vec![
                vec![
                    "Đăng ký khai sinh, \"mẫu\"".into(),
                    3u64.into(),
                    Some(0.5).into(),
                ],
                vec!["Chứng thực".into(), 0u64.into(), Cell::Empty],
            ],
        }
    }

    #[test]
    fn csv_has_a_bom_vietnamese_titles_and_quoting() {
        let csv = String::from_utf8(sample().to_csv(Lang::Vi)).expect("utf-8");
        assert!(csv.starts_with('\u{feff}'));
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[0], "Thủ tục;Tiếp nhận;Tỷ lệ đúng hạn (%)");
        assert_eq!(lines[1], "\"Đăng ký khai sinh, \"\"mẫu\"\"\";3;50");
        assert_eq!(lines[2], "Chứng thực;0;");
        let en = String::from_utf8(sample().to_csv(Lang::En)).expect("utf-8");
        assert!(en.contains("Procedure;Received;On-time share (%)"));
    }

    #[test]
    fn sheet_names_are_cut_cleaned_and_unique() {
        let long = "Một tiêu đề rất dài: quá ba mươi mốt ký tự / thật";
        let a = sheet_name(long, &[]);
        assert_eq!(a.chars().count(), 31);
        assert!(!a.contains(':') && !a.contains('/'));
        let b = sheet_name(long, std::slice::from_ref(&a));
        assert_ne!(a, b);
        assert!(b.ends_with("(2)") && b.chars().count() <= 31);
    }

    #[test]
    fn xlsx_is_a_zip_workbook() {
        let bytes = to_xlsx(&[sample(), sample()], Lang::Vi).expect("xlsx");
        assert_eq!(&bytes[..2], b"PK");
    }
}
