//! Biểu đồ — the dashboards' charts as server-rendered SVG: no script, a
//! `viewBox` that scales to a phone's width, `role="img"` with a `<title>`
//! and `<desc>` (each chart is also given as a data table next to it), and
//! fills that stay distinct when printed in grey.
//!
//! Every function is pure: data in, markup out. Text is escaped here, so
//! the templates insert the result with `|safe`.

use std::fmt::Write as _;

use super::ui::Lang;

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

/// The width a text takes in a font of `size` px: 0.6 em a character, a
/// generous estimate for system-ui (Vietnamese diacritics do not widen a
/// letter). Used to keep labels inside the chart and apart.
fn text_width(s: &str, size: f64) -> f64 {
    s.chars().count() as f64 * size * 0.6
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
    let longest = data
        .iter()
        .map(|b| text_width(&b.text, 13.0))
        .fold(0.0, f64::max);
    let track = (WIDTH - longest - 8.0).max(WIDTH / 2.0);
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
pub fn columns(
    l: Lang,
    id: &str,
    title: &str,
    desc: &str,
    data: &[Column],
    target: Option<f64>,
) -> String {
    let (left, top, plot_h) = (36.0, 10.0, 160.0);
    let plot_w = WIDTH - left - 4.0;
    let slot = plot_w / data.len().max(1) as f64;
    // Labels wider than their slot would run into each other: they are
    // then drawn slanted, with the room below the plot that takes.
    let widest = data
        .iter()
        .map(|c| text_width(&c.label, 11.0))
        .fold(0.0, f64::max);
    let slanted = widest > slot - 4.0;
    let bottom = if slanted { 24.0 + widest * 0.71 } else { 40.0 };
    let h = top + plot_h + bottom;
    let mut s = open(WIDTH, h, id, title, desc);
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
                     <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
                    num(x),
                    num(y),
                    num(bar_w),
                    num(top + plot_h - y),
                    num(cx),
                    num((y - 3.0).max(10.0)),
                    motcua_domain::reports::numfmt::percent(v, 1, l == Lang::Vi)
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
        let ly = top + plot_h + 16.0;
        if slanted {
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"11\" \
                 transform=\"rotate(-45 {} {})\">{}</text>",
                num(cx),
                num(ly),
                num(cx),
                num(ly),
                esc(&c.label)
            );
        } else {
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
                num(cx),
                num(ly),
                esc(&c.label)
            );
        }
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
pub fn waterfall(l: Lang, id: &str, title: &str, desc: &str, steps: &[Step]) -> String {
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
        let value = duration(l, st.minutes);
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{}\">{}</text>\
             <rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"14\" fill=\"{fill}\"/>{}",
            y + 14.0,
            esc(&st.label),
            num(x_of(start)),
            y + 20.0,
            num(x_of(st.minutes).max(1.0)),
            value_text(x_of(start + st.minutes) + 4.0, y + 32.0, &value, ""),
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
        "<line x1=\"0\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"{MUTED}\"/>{}",
        num(x_of(total)),
        y + 4.0,
        y + 4.0,
        value_text(
            x_of(total) + 4.0,
            y + 18.0,
            &format!("Σ {}", duration(l, total)),
            " font-weight=\"bold\""
        ),
    );
    s.push_str("</svg>");
    s
}

/// A value at `x` (font 11), kept inside the chart: when it would run
/// past the right edge it ends at the edge instead.
fn value_text(x: f64, y: f64, text: &str, extra: &str) -> String {
    let (x, anchor) = if x + text_width(text, 11.0) > WIDTH {
        (WIDTH, " text-anchor=\"end\"")
    } else {
        (x, "")
    };
    format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"11\"{anchor}{extra}>{}</text>",
        num(x),
        num(y),
        esc(text)
    )
}

/// Working minutes in words, "2 ngày 3 giờ 15 phút" or "2 days 3 h
/// 15 min" (8-hour working days).
pub fn duration(l: Lang, minutes: u64) -> String {
    let days = minutes / 480;
    let hours = (minutes % 480) / 60;
    let mins = minutes % 60;
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(match l {
            Lang::Vi => format!("{days} ngày"),
            Lang::En if days == 1 => "1 day".to_string(),
            Lang::En => format!("{days} days"),
        });
    }
    if hours > 0 {
        parts.push(format!("{hours} {}", l.t("giờ", "h")));
    }
    if mins > 0 || parts.is_empty() {
        parts.push(format!("{mins} {}", l.t("phút", "min")));
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
            svg.contains("width=\"176.5\" height=\"14\" fill=\"#0b4f9c\""),
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
            Lang::Vi,
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
        let svg = waterfall(Lang::Vi, "w", "Điểm nghẽn", "Thời gian từng bước", &steps);
        well_formed(&svg);
        assert_eq!(
            svg.matches("url(#w-hatch)").count(),
            1,
            "one step over budget"
        );
        assert!(svg.contains("Σ 1 ngày 3 giờ"), "{svg}");
        assert!(svg.contains(">1 giờ</text>"));
    }

    #[test]
    fn durations_in_working_days_in_words() {
        assert_eq!(duration(Lang::Vi, 0), "0 phút");
        assert_eq!(duration(Lang::Vi, 59), "59 phút");
        assert_eq!(duration(Lang::Vi, 480 + 61), "1 ngày 1 giờ 1 phút");
        assert_eq!(duration(Lang::En, 480 + 61), "1 day 1 h 1 min");
        assert_eq!(duration(Lang::En, 3 * 480), "3 days");
    }

    /// Each `<text>` of a chart: where it starts and ends on the x axis
    /// (estimated as the chart does) and its y, with whether it is
    /// slanted.
    fn text_spans(svg: &str) -> Vec<(f64, f64, f64, bool)> {
        let attr = |tag: &str, name: &str| -> Option<String> {
            let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
            Some(tag[start..].split('"').next()?.to_string())
        };
        svg.split("<text")
            .skip(1)
            .filter_map(|rest| {
                let (tag, after) = rest.split_once('>')?;
                let content = after.split("</text>").next()?;
                let text = content.replace("&amp;", "&").replace("&lt;", "<");
                let x: f64 = attr(tag, "x")?.parse().ok()?;
                let y: f64 = attr(tag, "y")?.parse().ok()?;
                let size: f64 = attr(tag, "font-size").map_or(13.0, |s| s.parse().unwrap_or(13.0));
                let w = text_width(&text, size);
                let (a, b) = match attr(tag, "text-anchor").as_deref() {
                    Some("end") => (x - w, x),
                    Some("middle") => (x - w / 2.0, x + w / 2.0),
                    _ => (x, x + w),
                };
                Some((a, b, y, tag.contains("rotate(")))
            })
            .collect()
    }

    #[test]
    fn no_text_runs_past_the_edges_of_a_chart() {
        let long = "Thẩm định, xác minh thực địa";
        let steps = [
            Step {
                label: long.into(),
                minutes: 9 * 480 + 7 * 60 + 59,
                budget: 0,
            },
            Step {
                label: "Trả kết quả".into(),
                minutes: 3 * 480 + 59,
                budget: 480,
            },
        ];
        for l in [Lang::Vi, Lang::En] {
            let wf = waterfall(l, "w", "t", "d", &steps);
            let bar = bars(
                "b",
                "t",
                "d",
                &[Bar {
                    label: long.into(),
                    value: 12.5,
                    max: 20.0,
                    text: "12,5 / 20 điểm".into(),
                }],
            );
            for svg in [wf, bar] {
                let spans = text_spans(&svg);
                assert!(!spans.is_empty());
                for (a, b, _, _) in spans {
                    assert!(a >= -0.5 && b <= WIDTH + 0.5, "{a}..{b} in {svg}");
                }
            }
        }
    }

    #[test]
    fn twelve_month_labels_never_overlap() {
        let months: Vec<Column> = (1..=12)
            .map(|m| Column {
                label: format!("{m:02}/2026"),
                share: Some(0.5 + f64::from(m) / 30.0),
            })
            .collect();
        for data in [&months[..], &months[..3]] {
            let svg = columns(Lang::Vi, "t", "t", "d", data, Some(0.9));
            well_formed(&svg);
            let labels: Vec<_> = text_spans(&svg)
                .into_iter()
                .filter(|(_, _, y, _)| *y > 175.0)
                .collect();
            assert_eq!(labels.len(), data.len(), "{svg}");
            let slanted = labels.iter().all(|l| l.3);
            if !slanted {
                for pair in labels.windows(2) {
                    assert!(
                        pair[0].1 <= pair[1].0,
                        "{:?} overlaps {:?}",
                        pair[0],
                        pair[1]
                    );
                }
            }
            // Slanted at 45°, labels one slot apart never touch when the
            // slot is wider than the text's height.
            assert!(!slanted || (WIDTH - 40.0) / data.len() as f64 > 11.0 * 1.2);
        }
        let svg = columns(Lang::En, "t", "t", "d", &months, None);
        assert!(
            svg.contains("rotate(-45"),
            "twelve months are slanted: {svg}"
        );
        assert!(svg.contains(">53.3%<"), "{svg}");
        let svg = columns(Lang::Vi, "t", "t", "d", &months, None);
        assert!(
            svg.contains(">53,3%<"),
            "a decimal comma in Vietnamese: {svg}"
        );
        let svg = columns(Lang::Vi, "t", "t", "d", &months[..3], None);
        assert!(!svg.contains("rotate("), "three months fit flat: {svg}");
    }
}
