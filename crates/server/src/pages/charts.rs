//! Biểu đồ — the dashboards' charts as server-rendered SVG: no script, a
//! `viewBox` that scales to a phone's width, `role="img"` with a `<title>`
//! and `<desc>` (each chart is also given as a data table next to it), and
//! fills that stay distinct when printed in grey.
//!
//! Every function is pure: data in, markup out. Text is escaped here, so
//! the templates insert the result with `|safe`.

use std::fmt::Write as _;

/// Escapes text for SVG/XML content and attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const WIDTH: f64 = 400.0;
const FONT: &str = "font-family=\"system-ui,sans-serif\" font-size=\"13\"";
const TRACK: &str = "#e6e6e6";
const FILL: &str = "#0b4f9c";
const OVER: &str = "#a50e0e";
const MUTED: &str = "#555";

fn open(w: f64, h: f64, id: &str, title: &str, desc: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"100%\" \
         role=\"img\" aria-labelledby=\"{id}-t {id}-d\" class=\"chart\" {FONT}>\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        esc(title),
        esc(desc)
    )
}

fn num(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// One bar of [`bars`]: a label, a value out of a maximum, and the text
/// shown at the bar's end.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub max: f64,
    pub text: String,
}

/// Horizontal bars, each on its own row under its label (labels get the
/// full width on a phone), drawn against a grey track of its maximum: the
/// Decision 766 index by group (points out of the group's points).
pub fn bars(id: &str, title: &str, desc: &str, data: &[Bar]) -> String {
    let row = 40.0;
    let h = row * data.len() as f64 + 4.0;
    let mut s = open(WIDTH, h.max(24.0), id, title, desc);
    let track = WIDTH - 70.0;
    for (i, b) in data.iter().enumerate() {
        let y = i as f64 * row;
        let frac = if b.max > 0.0 {
            (b.value / b.max).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{}\">{}</text>\
             <rect x=\"0\" y=\"{}\" width=\"{track}\" height=\"14\" fill=\"{TRACK}\"/>\
             <rect x=\"0\" y=\"{}\" width=\"{}\" height=\"14\" fill=\"{FILL}\"/>\
             <text x=\"{}\" y=\"{}\">{}</text>",
            y + 14.0,
            esc(&b.label),
            y + 20.0,
            y + 20.0,
            num(track * frac),
            track + 6.0,
            y + 32.0,
            esc(&b.text),
        );
    }
    s.push_str("</svg>");
    s
}

/// One month of [`columns`]: a label and a share in [0, 1] (None: nothing
/// to count that month).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub label: String,
    pub share: Option<f64>,
}

/// Vertical bars of a share per month (0–100 %), with grid lines at 0, 50
/// and 100 % and a dashed target line: the on-time trend.
pub fn columns(id: &str, title: &str, desc: &str, data: &[Column], target: Option<f64>) -> String {
    let (left, top, plot_h, bottom) = (36.0, 10.0, 160.0, 40.0);
    let h = top + plot_h + bottom;
    let mut s = open(WIDTH, h, id, title, desc);
    let plot_w = WIDTH - left - 4.0;
    let y_of = |share: f64| top + plot_h * (1.0 - share.clamp(0.0, 1.0));
    for pct in [0.0, 0.5, 1.0] {
        let y = y_of(pct);
        let _ = write!(
            s,
            "<line x1=\"{left}\" x2=\"{WIDTH}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#bbb\" stroke-width=\"1\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"{MUTED}\" font-size=\"11\">{}%</text>",
            left - 4.0,
            y + 4.0,
            num(pct * 100.0)
        );
    }
    let n = data.len().max(1) as f64;
    let slot = plot_w / n;
    let bar_w = (slot * 0.6).min(48.0);
    for (i, c) in data.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar_w) / 2.0;
        let cx = x + bar_w / 2.0;
        match c.share {
            Some(v) => {
                let y = y_of(v);
                let _ = write!(
                    s,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{FILL}\"/>\
                     <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">{}%</text>",
                    num(x),
                    num(y),
                    num(bar_w),
                    num(top + plot_h - y),
                    num(cx),
                    num((y - 3.0).max(10.0)),
                    num(v * 100.0)
                );
            }
            None => {
                let _ = write!(
                    s,
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{MUTED}\" font-size=\"11\">–</text>",
                    num(cx),
                    num(top + plot_h - 4.0)
                );
            }
        }
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
            num(cx),
            num(top + plot_h + 16.0),
            esc(&c.label)
        );
    }
    if let Some(t) = target {
        let y = y_of(t);
        let _ = write!(
            s,
            "<line x1=\"{left}\" x2=\"{WIDTH}\" y1=\"{y}\" y2=\"{y}\" stroke=\"{OVER}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>"
        );
    }
    s.push_str("</svg>");
    s
}

/// One step of [`waterfall`]: its label, the median working minutes and
/// the step budget (0: not budgeted).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub label: String,
    pub minutes: u64,
    pub budget: u64,
}

/// A waterfall of a procedure's steps: each step's median working time as
/// a bar starting where the previous step ended, so the last bar ends at
/// the typical total; a step over its budget is drawn in red and hatched
/// (distinct in grey print), its budget marked by a tick.
pub fn waterfall(id: &str, title: &str, desc: &str, steps: &[Step]) -> String {
    let row = 40.0;
    let h = row * steps.len() as f64 + 24.0;
    let mut s = open(WIDTH, h, id, title, desc);
    // The pattern's id is the chart's: ids must be unique in the page.
    let hatch = format!("{}-hatch", esc(id));
    let _ = write!(
        s,
        "<defs><pattern id=\"{hatch}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
         patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#a50e0e\"/>\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#fff\" stroke-width=\"2\"/></pattern></defs>",
    );
    let total: u64 = steps.iter().map(|st| st.minutes).sum();
    let scale_max = steps
        .iter()
        .scan(0u64, |acc, st| {
            let start = *acc;
            *acc += st.minutes;
            Some(start + st.minutes.max(st.budget))
        })
        .max()
        .unwrap_or(0)
        .max(total)
        .max(1) as f64;
    let plot = WIDTH - 80.0;
    let x_of = |m: u64| plot * m as f64 / scale_max;
    let mut start = 0u64;
    for (i, st) in steps.iter().enumerate() {
        let y = i as f64 * row;
        let over = st.budget > 0 && st.minutes > st.budget;
        let over_fill = format!("url(#{hatch})");
        let fill = if over { over_fill.as_str() } else { FILL };
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{}\">{}</text>\
             <rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"14\" fill=\"{fill}\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>",
            y + 14.0,
            esc(&st.label),
            num(x_of(start)),
            y + 20.0,
            num(x_of(st.minutes).max(1.0)),
            num(x_of(start + st.minutes) + 4.0),
            y + 32.0,
            esc(&duration(st.minutes)),
        );
        if st.budget > 0 {
            let bx = num(x_of(start + st.budget));
            let _ = write!(
                s,
                "<line x1=\"{bx}\" x2=\"{bx}\" y1=\"{}\" y2=\"{}\" stroke=\"{MUTED}\" stroke-width=\"2\"/>",
                y + 17.0,
                y + 37.0
            );
        }
        start += st.minutes;
    }
    let y = steps.len() as f64 * row;
    let _ = write!(
        s,
        "<line x1=\"0\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"{MUTED}\"/>\
         <text x=\"{}\" y=\"{}\" font-size=\"11\" font-weight=\"bold\">Σ {}</text>",
        num(x_of(total)),
        y + 4.0,
        y + 4.0,
        num(x_of(total) + 4.0),
        y + 18.0,
        esc(&duration(total))
    );
    s.push_str("</svg>");
    s
}

/// Working minutes as "2 ng 3 g 15 ph" (8-hour working days).
pub fn duration(minutes: u64) -> String {
    let days = minutes / 480;
    let hours = (minutes % 480) / 60;
    let mins = minutes % 60;
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days} ng"));
    }
    if hours > 0 {
        parts.push(format!("{hours} g"));
    }
    if mins > 0 || parts.is_empty() {
        parts.push(format!("{mins} ph"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn well_formed(svg: &str) {
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"), "{svg}");
        assert!(svg.contains("role=\"img\""));
        assert!(!svg.contains("<script"));
        let opens = svg.matches("<text").count();
        assert_eq!(opens, svg.matches("</text>").count(), "{svg}");
    }

    #[test]
    fn bars_are_scaled_to_their_maximum_and_escaped() {
        let svg = bars(
            "g",
            "Chỉ số theo nhóm <766>",
            "Điểm của sáu nhóm",
            &[
                Bar {
                    label: "Tiến độ giải quyết".into(),
                    value: 10.0,
                    max: 20.0,
                    text: "10/20".into(),
                },
                Bar {
                    label: "A & B".into(),
                    value: 5.0,
                    max: 0.0,
                    text: "–".into(),
                },
            ],
        );
        well_formed(&svg);
        assert!(svg.contains("<title id=\"g-t\">Chỉ số theo nhóm &lt;766&gt;</title>"));
        assert!(svg.contains("A &amp; B"));
        assert!(
            svg.contains("width=\"165\" height=\"14\" fill=\"#0b4f9c\""),
            "{svg}"
        );
        assert!(
            svg.contains("width=\"0\" height=\"14\" fill=\"#0b4f9c\""),
            "{svg}"
        );
    }

    #[test]
    fn columns_place_shares_and_mark_empty_months() {
        let svg = columns(
            "t",
            "Tỷ lệ đúng hạn",
            "Theo tháng",
            &[
                Column {
                    label: "T9".into(),
                    share: Some(1.0),
                },
                Column {
                    label: "T10".into(),
                    share: None,
                },
                Column {
                    label: "T11".into(),
                    share: Some(0.5),
                },
            ],
            Some(0.9),
        );
        well_formed(&svg);
        assert!(svg.contains(">100%</text>"));
        assert!(svg.contains(">50%</text>"));
        assert!(svg.contains(">–</text>"));
        assert!(svg.contains("stroke-dasharray"));
        assert_eq!(svg.matches("<rect").count(), 2);
    }

    #[test]
    fn waterfall_stacks_steps_and_flags_overruns() {
        let steps = [
            Step {
                label: "Tiếp nhận".into(),
                minutes: 60,
                budget: 240,
            },
            Step {
                label: "Thẩm định".into(),
                minutes: 600,
                budget: 480,
            },
        ];
        let svg = waterfall("w", "Điểm nghẽn", "Thời gian từng bước", &steps);
        well_formed(&svg);
        assert_eq!(
            svg.matches("url(#w-hatch)").count(),
            1,
            "one step over budget"
        );
        assert!(svg.contains("Σ 1 ng 3 g"), "{svg}");
        assert!(svg.contains(">1 g</text>"));
    }

    #[test]
    fn durations_in_working_days() {
        assert_eq!(duration(0), "0 ph");
        assert_eq!(duration(59), "59 ph");
        assert_eq!(duration(480 + 61), "1 ng 1 g 1 ph");
    }
}
