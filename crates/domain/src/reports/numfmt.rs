//! Định dạng số — the one number format of the reports: Vietnamese uses a
//! decimal comma and a dot between thousands (TCVN / the vi-VN locale of
//! Excel: 1.234,5), English a decimal point and no grouping. Pages, PDF and
//! CSV all format numbers through [`number`] and [`percent`].

/// `x` with at most `decimals` decimals (trailing zeros trimmed) in the
/// Vietnamese (`vi`) or English form. Non-finite values give "—".
pub fn number(x: f64, decimals: usize, vi: bool) -> String {
    if !x.is_finite() {
        return "—".to_string();
    }
    let s = format!("{:.*}", decimals.min(6), x);
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    let s = if s == "-0" { "0".to_string() } else { s };
    if !vi {
        return s;
    }
    let (sign, rest) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

/// `x` for a spreadsheet cell read by Excel with Vietnamese regional
/// settings: at most `decimals` decimals, decimal comma, no grouping
/// ("1234,5"), so that Excel takes it as a number.
pub fn sheet(x: f64, decimals: usize) -> String {
    number(x, decimals, false).replace('.', ",")
}

/// `x` with exactly `decimals` decimals (no trimming), e.g. points "19,50".
pub fn fixed(x: f64, decimals: usize, vi: bool) -> String {
    if !x.is_finite() {
        return "—".to_string();
    }
    let s = format!("{:.*}", decimals.min(6), x);
    if vi {
        let (int, frac) = s.split_once('.').unwrap_or((s.as_str(), ""));
        let n = number(int.parse::<f64>().unwrap_or(0.0), 0, true);
        let n = if int.starts_with("-") && !n.starts_with('-') {
            format!("-{n}")
        } else {
            n
        };
        if frac.is_empty() {
            n
        } else {
            format!("{n},{frac}")
        }
    } else {
        s
    }
}

/// A share in [0, 1] as a percentage with at most `decimals` decimals and
/// the `%` sign: `0.8534` → "85,34%".
pub fn percent(share: f64, decimals: usize, vi: bool) -> String {
    format!("{}%", number(share * 100.0, decimals, vi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_uses_a_decimal_comma_and_dot_grouping() {
        assert_eq!(number(19.97, 2, true), "19,97");
        assert_eq!(number(19.97, 2, false), "19.97");
        assert_eq!(number(1234567.5, 2, true), "1.234.567,5");
        assert_eq!(number(-1234.0, 2, true), "-1.234");
        assert_eq!(number(20.0, 2, true), "20");
        assert_eq!(number(-0.0001, 2, true), "0");
        assert_eq!(fixed(19.5, 2, true), "19,50");
        assert_eq!(fixed(1019.5, 2, true), "1.019,50");
        assert_eq!(fixed(-0.5, 2, true), "-0,50");
        assert_eq!(percent(0.8534, 2, true), "85,34%");
        assert_eq!(percent(1.0, 1, false), "100%");
        assert_eq!(number(f64::NAN, 2, true), "—");
        assert_eq!(sheet(1234.5, 2), "1234,5");
        assert_eq!(sheet(50.0, 2), "50");
    }
}
