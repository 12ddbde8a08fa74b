//! A small layout engine for one-column administrative forms: wrapped rich
//! text, tables whose rows never split, signature blocks, the national
//! heading, pagination. It produces a display list (pages of [`Op`]s) that
//! [`crate::pdf`] writes out; coordinates are points from the top-left
//! corner, y downwards, text placed on its baseline.

use crate::text::{clean, clean_multiline, place_date, Fonts, Style, BLANK};
use crate::Heading;

/// Points per millimetre.
pub(crate) const MM: f32 = 72.0 / 25.4;
/// A4 portrait.
pub(crate) const PAGE_W: f32 = 210.0 * MM;
pub(crate) const PAGE_H: f32 = 297.0 * MM;
/// Margins of Decree 30/2020/NĐ-CP (top 20, bottom 20, left 30, right 15 mm).
const MARGIN_TOP: f32 = 20.0 * MM;
const MARGIN_BOTTOM: f32 = 20.0 * MM;
const MARGIN_LEFT: f32 = 30.0 * MM;
const MARGIN_RIGHT: f32 = 15.0 * MM;

/// Body text size (pt).
pub(crate) const BODY: f32 = 12.5;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.2;
/// Baseline below the top of a line box, as a multiple of the font size.
const ASCENT: f32 = 0.93;

/// One drawing operation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        style: Style,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
    /// Filled black rectangles `[x, y, w, h]` (the QR code).
    Fill { rects: Vec<[f32; 4]> },
    /// A link annotation over `[x, y, w, h]`.
    Link { rect: [f32; 4], uri: String },
}

/// A run of text in one style.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Span {
    pub text: String,
    pub style: Style,
}

pub(crate) fn reg(text: impl Into<String>) -> Span {
    Span {
        text: text.into(),
        style: Style::REGULAR,
    }
}

pub(crate) fn bold(text: impl Into<String>) -> Span {
    Span {
        text: text.into(),
        style: Style::BOLD,
    }
}

pub(crate) fn italic(text: impl Into<String>) -> Span {
    Span {
        text: text.into(),
        style: Style::ITALIC,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
}

/// A piece of a laid-out line: text in one style at `x` from the line start.
#[derive(Debug, Clone, PartialEq)]
struct Frag {
    x: f32,
    text: String,
    style: Style,
}

#[derive(Debug, Clone, PartialEq)]
struct Line {
    frags: Vec<Frag>,
    width: f32,
}

/// Text in one style within a unit.
#[derive(Debug, Clone)]
struct Piece {
    text: String,
    style: Style,
    width: f32,
}

/// What line breaking never splits (unless it is wider than a line): a
/// word, or words of different styles with no space between them ("2026"
/// in bold followed by "." in regular).
#[derive(Debug, Clone, Default)]
struct Unit {
    pieces: Vec<Piece>,
    width: f32,
}

impl Unit {
    fn push(&mut self, piece: Piece) {
        self.width += piece.width;
        self.pieces.push(piece);
    }
}

enum Token {
    Unit(Unit),
    Break,
}

/// Combining marks must stay with the letter before them.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}')
}

fn tokenize(fonts: &Fonts, spans: &[Span], size: f32) -> Vec<Token> {
    let mut tokens = Vec::new();
    // Whether the next word continues the previous unit (no space between).
    let mut glue = false;
    for span in spans {
        for (i, para) in span.text.split('\n').enumerate() {
            if i > 0 {
                tokens.push(Token::Break);
                glue = false;
            }
            for (j, w) in para.split(' ').enumerate() {
                if j > 0 {
                    glue = false;
                }
                if w.is_empty() {
                    continue;
                }
                let piece = Piece {
                    text: w.to_string(),
                    style: span.style,
                    width: fonts.width(w, span.style, size),
                };
                match tokens.last_mut() {
                    Some(Token::Unit(unit)) if glue => unit.push(piece),
                    _ => {
                        let mut unit = Unit::default();
                        unit.push(piece);
                        tokens.push(Token::Unit(unit));
                    }
                }
                glue = true;
            }
        }
    }
    tokens
}

/// Greedy line breaking of rich text. `\n` in a span is a hard break; a
/// unit wider than the line is broken between characters. `avail(i)` is
/// the width available to line `i` (narrower beside a float, or for an
/// indented first line). Never returns an empty vector.
fn wrap_with(fonts: &Fonts, spans: &[Span], size: f32, avail: &dyn Fn(usize) -> f32) -> Vec<Line> {
    let avail = |i: usize| avail(i).max(size);
    let mut lines: Vec<Vec<Unit>> = Vec::new();
    let mut cur: Vec<Unit> = Vec::new();
    let mut cur_w = 0.0f32;
    for token in tokenize(fonts, spans, size) {
        let unit = match token {
            Token::Break => {
                lines.push(std::mem::take(&mut cur));
                cur_w = 0.0;
                continue;
            }
            Token::Unit(unit) => unit,
        };
        let space = match (cur.is_empty(), unit.pieces.first()) {
            (false, Some(p)) => fonts.width(" ", p.style, size),
            _ => 0.0,
        };
        if cur_w + space + unit.width <= avail(lines.len()) {
            cur_w += space + unit.width;
            cur.push(unit);
            continue;
        }
        if !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
        }
        if unit.width <= avail(lines.len()) {
            cur_w = unit.width;
            cur.push(unit);
            continue;
        }
        // Too wide for any line: break between characters.
        let mut part = Unit::default();
        for piece in unit.pieces {
            let mut text = String::new();
            let mut width = 0.0f32;
            for c in piece.text.chars() {
                let cw = fonts.width(c.encode_utf8(&mut [0u8; 4]), piece.style, size);
                let empty = text.is_empty() && part.pieces.is_empty();
                if !empty && !is_mark(c) && part.width + width + cw > avail(lines.len()) {
                    if !text.is_empty() {
                        part.push(Piece {
                            text: std::mem::take(&mut text),
                            style: piece.style,
                            width,
                        });
                    }
                    lines.push(vec![std::mem::take(&mut part)]);
                    width = 0.0;
                }
                text.push(c);
                width += cw;
            }
            if !text.is_empty() {
                part.push(Piece {
                    text,
                    style: piece.style,
                    width,
                });
            }
        }
        cur_w = part.width;
        cur.push(part);
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
        .into_iter()
        .map(|units| build_line(fonts, units, size))
        .collect()
}

/// Merges the pieces of a line into fragments of one style; the space
/// between two units of different styles ends the earlier fragment.
fn build_line(fonts: &Fonts, units: Vec<Unit>, size: f32) -> Line {
    let mut merged: Vec<(String, Style)> = Vec::new();
    for (i, unit) in units.into_iter().enumerate() {
        for (j, piece) in unit.pieces.into_iter().enumerate() {
            let space = i > 0 && j == 0;
            match merged.last_mut() {
                Some((text, style)) if *style == piece.style => {
                    if space {
                        text.push(' ');
                    }
                    text.push_str(&piece.text);
                }
                Some((text, _)) => {
                    if space {
                        text.push(' ');
                    }
                    merged.push((piece.text, piece.style));
                }
                None => merged.push((piece.text, piece.style)),
            }
        }
    }
    let mut x = 0.0;
    let mut frags = Vec::with_capacity(merged.len());
    for (text, style) in merged {
        let w = fonts.width(&text, style, size);
        frags.push(Frag { x, text, style });
        x += w;
    }
    let width = match frags.last() {
        Some(last) => last.x + fonts.width(last.text.trim_end(), last.style, size),
        None => 0.0,
    };
    Line { frags, width }
}

/// [`wrap_with`] for a box of one width, the first line indented.
fn wrap(fonts: &Fonts, spans: &[Span], size: f32, width: f32, first_indent: f32) -> Vec<Line> {
    wrap_with(fonts, spans, size, &|i| {
        if i == 0 {
            width - first_indent
        } else {
            width
        }
    })
}

/// Paragraph placement.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Para {
    pub size: f32,
    pub align: Align,
    /// Extra indent of the first line (negative for a hanging first line
    /// is not supported; use `indent` and `first_indent` together).
    pub first_indent: f32,
    /// Left indent of every line.
    pub indent: f32,
    pub space_after: f32,
}

impl Para {
    pub const BODY: Para = Para {
        size: BODY,
        align: Align::Left,
        first_indent: 0.0,
        indent: 0.0,
        space_after: 2.0,
    };

    pub fn centered(size: f32) -> Para {
        Para {
            size,
            align: Align::Center,
            ..Para::BODY
        }
    }

    pub fn indented(indent: f32) -> Para {
        Para {
            indent,
            ..Para::BODY
        }
    }
}

/// Where a block of lines goes: its left edge, top and width.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub x: f32,
    pub top: f32,
    pub width: f32,
}

/// A table column: header text, share of the content width, alignment.
pub(crate) struct Column<'s> {
    pub header: &'s str,
    pub share: f32,
    pub align: Align,
}

/// A signature block: title (bold capitals, line breaks kept), the italic
/// note under it, and the name under the space for the signature.
pub(crate) struct Signature {
    pub title: String,
    pub note: String,
    pub name: Option<String>,
}

pub(crate) struct Layout<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Op>>,
    /// Top of the next line box.
    y: f32,
    /// A box at the right margin that text flows around: (bottom, width).
    float: Option<(f32, f32)>,
}

impl<'f> Layout<'f> {
    pub fn new(fonts: &'f Fonts) -> Self {
        Self {
            fonts,
            pages: vec![Vec::new()],
            y: MARGIN_TOP,
            float: None,
        }
    }

    pub fn left(&self) -> f32 {
        MARGIN_LEFT
    }

    pub fn content_width(&self) -> f32 {
        PAGE_W - MARGIN_LEFT - MARGIN_RIGHT
    }

    fn limit(&self) -> f32 {
        PAGE_H - MARGIN_BOTTOM
    }

    pub fn y(&self) -> f32 {
        self.y
    }

    pub fn gap(&mut self, h: f32) {
        self.y += h;
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN_TOP;
        self.float = None;
    }

    /// Starts a new page unless `h` more points fit on this one (or this
    /// page is still empty).
    pub fn ensure(&mut self, h: f32) {
        if self.y + h > self.limit() && self.y > MARGIN_TOP + 0.5 {
            self.new_page();
        }
    }

    pub fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    fn line_op(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32) {
        self.push(Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
        });
    }

    /// Draws laid-out lines in the box `[x, x + width]` from `top` without
    /// paginating; returns the height used.
    fn draw_lines(&mut self, lines: &[Line], frame: Frame, size: f32, align: Align) -> f32 {
        let lh = size * LEADING;
        for (i, line) in lines.iter().enumerate() {
            let x0 = match align {
                Align::Left => frame.x,
                Align::Center => frame.x + (frame.width - line.width) / 2.0,
            };
            let baseline = frame.top + i as f32 * lh + size * ASCENT;
            for f in &line.frags {
                self.push(Op::Text {
                    x: x0 + f.x,
                    y: baseline,
                    size,
                    style: f.style,
                    text: f.text.clone(),
                });
            }
        }
        lines.len() as f32 * lh
    }

    /// Text in a fixed box, no pagination, at most `max_lines` lines (the
    /// last one cut with "…"); returns the height used.
    pub fn block(
        &mut self,
        spans: &[Span],
        frame: Frame,
        size: f32,
        align: Align,
        max_lines: usize,
    ) -> f32 {
        let lines = self.wrap_clipped(spans, size, frame.width, max_lines);
        self.draw_lines(&lines, frame, size, align)
    }

    /// Wrapped lines, at most `max_lines` (the last one cut with "…").
    fn wrap_clipped(&self, spans: &[Span], size: f32, width: f32, max_lines: usize) -> Vec<Line> {
        let mut lines = wrap(self.fonts, spans, size, width, 0.0);
        if lines.len() > max_lines.max(1) {
            lines.truncate(max_lines.max(1));
            if let Some(last) = lines.last_mut() {
                truncate_line(self.fonts, last, size, width);
            }
        }
        lines
    }

    /// Width of a single line of text.
    pub fn measure(&self, text: &str, style: Style, size: f32) -> f32 {
        self.fonts.width(text, style, size)
    }

    /// A paragraph in the content column, breaking pages between lines;
    /// lines beside a float are shorter.
    pub fn para(&mut self, spans: &[Span], p: Para) {
        let x = MARGIN_LEFT + p.indent;
        let width = self.content_width() - p.indent;
        let lh = p.size * LEADING;
        let top = self.y;
        let float = self.float;
        let line_width = |i: usize| match float {
            Some((bottom, reserved)) if top + i as f32 * lh < bottom => width - reserved,
            _ => width,
        };
        let lines = wrap_with(self.fonts, spans, p.size, &|i| {
            line_width(i) - if i == 0 { p.first_indent } else { 0.0 }
        });
        for (i, line) in lines.iter().enumerate() {
            self.ensure(lh);
            let indent = if i == 0 { p.first_indent } else { 0.0 };
            let top = self.y;
            self.draw_lines(
                std::slice::from_ref(line),
                Frame {
                    x: x + indent,
                    top,
                    width: line_width(i) - indent,
                },
                p.size,
                p.align,
            );
            self.y += lh;
        }
        self.y += p.space_after;
    }

    /// Keeps `reserved` points at the right free down to `bottom` (the QR
    /// code beside the first lines of Mẫu 01).
    pub fn float_right(&mut self, bottom: f32, reserved: f32) {
        self.float = Some((bottom, reserved));
    }

    /// Moves below the float, if any.
    fn clear_float(&mut self) {
        if let Some((bottom, _)) = self.float.take() {
            self.y = self.y.max(bottom);
        }
    }

    /// "Label: value" in body text, the value cleaned (a blank if empty).
    pub fn field(&mut self, label: &str, value: &str) {
        let value = clean(value);
        let value = if value.is_empty() {
            BLANK.to_string()
        } else {
            value
        };
        self.para(&[reg(format!("{label}: ")), reg(value)], Para::BODY);
    }

    /// A numbered or bulleted list item with a hanging indent.
    pub fn item(&mut self, marker: &str, spans: &[Span], indent: f32) {
        let size = BODY;
        let marker_w = self.measure(marker, Style::REGULAR, size) + 4.0;
        let hang = marker_w.max(14.0);
        let x = MARGIN_LEFT + indent;
        let width = self.content_width() - indent - hang;
        let lines = wrap(self.fonts, spans, size, width, 0.0);
        let lh = size * LEADING;
        for (i, line) in lines.iter().enumerate() {
            self.ensure(lh);
            let top = self.y;
            if i == 0 {
                self.push(Op::Text {
                    x,
                    y: top + size * ASCENT,
                    size,
                    style: Style::REGULAR,
                    text: marker.to_string(),
                });
            }
            self.draw_lines(
                std::slice::from_ref(line),
                Frame {
                    x: x + hang,
                    top,
                    width,
                },
                size,
                Align::Left,
            );
            self.y += lh;
        }
        self.y += 2.0;
    }

    /// The heading of every form: form number top right, issuing body top
    /// left, national title top right, number and place/date line.
    pub fn heading(&mut self, h: &Heading, form_no: &str) {
        let cw = self.content_width();
        let x = MARGIN_LEFT;
        let top = self.y;

        // Form number, top right.
        let size = 11.0;
        let label = format!("Mẫu số {form_no}");
        let w = self.measure(&label, Style::BOLD, size);
        self.push(Op::Text {
            x: x + cw - w,
            y: top + size * ASCENT,
            size,
            style: Style::BOLD,
            text: label,
        });
        let top = top + size * LEADING + 4.0;

        let left_w = cw * 0.45;
        let right_x = x + left_w + 6.0;
        let right_w = cw - left_w - 6.0;
        let size = 12.0;

        // Issuing body.
        let mut ly = top;
        ly += self.block(
            &[reg(or_dots_upper(&h.parent))],
            Frame {
                x,
                top: ly,
                width: left_w,
            },
            size,
            Align::Center,
            3,
        );
        ly += self.block(
            &[bold(or_dots_upper(&h.unit))],
            Frame {
                x,
                top: ly,
                width: left_w,
            },
            size,
            Align::Center,
            4,
        );
        let rule = left_w / 3.0;
        ly += 3.0;
        self.line_op(
            x + (left_w - rule) / 2.0,
            ly,
            x + (left_w + rule) / 2.0,
            ly,
            0.6,
        );

        // National title and motto.
        let mut ry = top;
        ry += self.block(
            &[bold("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")],
            Frame {
                x: right_x,
                top: ry,
                width: right_w,
            },
            size,
            Align::Center,
            2,
        );
        let motto = "Độc lập - Tự do - Hạnh phúc";
        let msize = 13.0;
        ry += self.block(
            &[bold(motto)],
            Frame {
                x: right_x,
                top: ry,
                width: right_w,
            },
            msize,
            Align::Center,
            2,
        );
        let mw = self.measure(motto, Style::BOLD, msize).min(right_w);
        ry += 3.0;
        self.line_op(
            right_x + (right_w - mw) / 2.0,
            ry,
            right_x + (right_w + mw) / 2.0,
            ry,
            0.6,
        );

        // Number (left) and place, date (right) on one line.
        let y = ly.max(ry) + 8.0;
        let number = h
            .number
            .as_deref()
            .map(clean)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "……/……".to_string());
        let lh_left = self.block(
            &[reg(format!("Số: {number}"))],
            Frame {
                x,
                top: y,
                width: left_w,
            },
            BODY,
            Align::Center,
            2,
        );
        let lh_right = self.block(
            &[italic(place_date(&h.place, h.date))],
            Frame {
                x: right_x,
                top: y,
                width: right_w,
            },
            BODY,
            Align::Center,
            3,
        );
        self.y = y + lh_left.max(lh_right) + 10.0;
    }

    /// The title in bold capitals, centred, with optional lines under it.
    pub fn title(&mut self, title: &str, under: &[Vec<Span>]) {
        self.para(
            &[bold(title)],
            Para {
                space_after: 2.0,
                ..Para::centered(14.0)
            },
        );
        for spans in under {
            self.para(spans, Para::centered(BODY));
        }
        self.y += 6.0;
    }

    /// A bordered table. Rows are never split across pages; the header is
    /// repeated on a new page; a cell too tall for a page is cut with "…".
    pub fn table(&mut self, cols: &[Column<'_>], rows: &[Vec<Vec<Span>>], size: f32) {
        self.clear_float();
        let cw = self.content_width();
        let total: f32 = cols
            .iter()
            .map(|c| c.share.max(0.0))
            .sum::<f32>()
            .max(f32::EPSILON);
        let widths: Vec<f32> = cols.iter().map(|c| c.share.max(0.0) / total * cw).collect();
        let pad = 3.5;
        let lh = size * LEADING;

        let header_lines: Vec<Vec<Line>> = cols
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                wrap(
                    self.fonts,
                    &[bold(c.header)],
                    size,
                    (w - 2.0 * pad).max(size),
                    0.0,
                )
            })
            .collect();
        let header_h = header_lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh + 2.0 * pad;
        let max_lines =
            (((self.limit() - MARGIN_TOP - header_h - 2.0 * pad) / lh).floor() as usize).max(1);

        let draw_header = |this: &mut Self| {
            let top = this.y;
            let mut x = MARGIN_LEFT;
            for (lines, w) in header_lines.iter().zip(&widths) {
                this.draw_lines(
                    lines,
                    Frame {
                        x: x + pad,
                        top: top + pad,
                        width: w - 2.0 * pad,
                    },
                    size,
                    Align::Center,
                );
                x += w;
            }
            this.row_borders(&widths, top, header_h, true);
            this.y = top + header_h;
        };

        self.ensure(header_h + lh + 2.0 * pad);
        draw_header(self);

        for row in rows {
            let mut cells: Vec<Vec<Line>> = widths
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let spans = row.get(i).map(Vec::as_slice).unwrap_or(&[]);
                    wrap(self.fonts, spans, size, (w - 2.0 * pad).max(size), 0.0)
                })
                .collect();
            for (cell, w) in cells.iter_mut().zip(&widths) {
                if cell.len() > max_lines {
                    cell.truncate(max_lines);
                    if let Some(last) = cell.last_mut() {
                        truncate_line(self.fonts, last, size, w - 2.0 * pad);
                    }
                }
            }
            let h = cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * lh + 2.0 * pad;
            if self.y + h > self.limit() {
                self.new_page();
                draw_header(self);
            }
            let top = self.y;
            let mut x = MARGIN_LEFT;
            for ((lines, w), col) in cells.iter().zip(&widths).zip(cols) {
                self.draw_lines(
                    lines,
                    Frame {
                        x: x + pad,
                        top: top + pad,
                        width: w - 2.0 * pad,
                    },
                    size,
                    col.align,
                );
                x += w;
            }
            self.row_borders(&widths, top, h, false);
            self.y = top + h;
        }
        self.y += 6.0;
    }

    fn row_borders(&mut self, widths: &[f32], top: f32, h: f32, with_top: bool) {
        let x0 = MARGIN_LEFT;
        let x1 = MARGIN_LEFT + widths.iter().sum::<f32>();
        let lw = 0.6;
        if with_top {
            self.line_op(x0, top, x1, top, lw);
        }
        self.line_op(x0, top + h, x1, top + h, lw);
        let mut x = x0;
        self.line_op(x, top, x, top + h, lw);
        for w in widths {
            x += w;
            self.line_op(x, top, x, top + h, lw);
        }
    }

    /// Signature blocks side by side (one block sits in the right half),
    /// with an optional "Nơi nhận" list at the left of a single block.
    pub fn signatures(&mut self, sigs: &[Signature], recipients: &[String]) {
        self.clear_float();
        let cw = self.content_width();
        let (cols, col_w): (Vec<f32>, f32) = if sigs.len() <= 1 {
            (vec![MARGIN_LEFT + cw * 0.45], cw * 0.55)
        } else {
            let w = cw / sigs.len() as f32;
            (
                (0..sigs.len())
                    .map(|i| MARGIN_LEFT + i as f32 * w)
                    .collect(),
                w,
            )
        };
        let size = BODY;
        let lh = size * LEADING;
        let sign_space = 52.0;

        let blocks: Vec<(Vec<Line>, Vec<Line>, Vec<Line>)> = sigs
            .iter()
            .map(|s| {
                let title = upper_lines(&s.title);
                let t = self.wrap_clipped(&[bold(title)], size, col_w, 4);
                let n = self.wrap_clipped(&[italic(clean(&s.note))], 12.0, col_w, 2);
                let name = s.name.as_deref().map(clean).unwrap_or_default();
                let m = if name.is_empty() {
                    Vec::new()
                } else {
                    self.wrap_clipped(&[bold(name)], size, col_w, 2)
                };
                (t, n, m)
            })
            .collect();
        let block_h = |b: &(Vec<Line>, Vec<Line>, Vec<Line>)| {
            b.0.len() as f32 * lh
                + b.1.len() as f32 * 12.0 * LEADING
                + sign_space
                + b.2.len() as f32 * lh
        };
        let sig_h = blocks.iter().map(block_h).fold(0.0f32, f32::max);

        let recipients: Vec<String> = recipients
            .iter()
            .map(|r| clean(r))
            .filter(|r| !r.is_empty())
            .collect();
        let rec_w = cw * 0.42;
        let rec_lines: Vec<Line> = if recipients.is_empty() {
            Vec::new()
        } else {
            let mut spans = vec![Span {
                text: "Nơi nhận:".to_string(),
                style: Style {
                    bold: true,
                    italic: true,
                },
            }];
            let n = recipients.len();
            for (i, r) in recipients.iter().enumerate() {
                let end = if i + 1 == n { "." } else { ";" };
                let r = r.trim_end_matches(['.', ';']);
                spans.push(reg(format!("\n- {r}{end}")));
            }
            self.wrap_clipped(&spans, 11.0, rec_w, 24)
        };
        let rec_h = rec_lines.len() as f32 * 11.0 * LEADING;

        self.y += 4.0;
        self.ensure(sig_h.max(rec_h));
        let top = self.y;
        for (b, x) in blocks.iter().zip(&cols) {
            let mut y = top;
            y += self.draw_lines(
                &b.0,
                Frame {
                    x: *x,
                    top: y,
                    width: col_w,
                },
                size,
                Align::Center,
            );
            y += self.draw_lines(
                &b.1,
                Frame {
                    x: *x,
                    top: y,
                    width: col_w,
                },
                12.0,
                Align::Center,
            );
            y += sign_space;
            self.draw_lines(
                &b.2,
                Frame {
                    x: *x,
                    top: y,
                    width: col_w,
                },
                size,
                Align::Center,
            );
        }
        if !rec_lines.is_empty() {
            // Nơi nhận sits level with the signer's title.
            self.draw_lines(
                &rec_lines,
                Frame {
                    x: MARGIN_LEFT,
                    top: top + 2.0,
                    width: rec_w,
                },
                11.0,
                Align::Left,
            );
        }
        self.y = top + sig_h.max(rec_h) + 6.0;
    }

    /// Page numbers ("Trang 1/2") when there is more than one page, and the
    /// finished display list.
    pub fn finish(mut self) -> Vec<Vec<Op>> {
        let n = self.pages.len();
        if n > 1 {
            for (i, page) in self.pages.iter_mut().enumerate() {
                let text = format!("Trang {}/{}", i + 1, n);
                let w = self.fonts.width(&text, Style::REGULAR, 10.0);
                page.push(Op::Text {
                    x: (PAGE_W - w) / 2.0,
                    y: PAGE_H - MARGIN_BOTTOM / 2.0,
                    size: 10.0,
                    style: Style::REGULAR,
                    text,
                });
            }
        }
        self.pages
    }
}

/// Capitals, a blank if empty.
fn or_dots_upper(s: &str) -> String {
    let u = upper_lines(s);
    if u.is_empty() {
        BLANK.to_string()
    } else {
        u
    }
}

/// Capitals keeping the line breaks of a multi-line title.
fn upper_lines(s: &str) -> String {
    clean_multiline(s).to_uppercase()
}

/// Cuts a line so that it ends with "…" within `width`.
fn truncate_line(fonts: &Fonts, line: &mut Line, size: f32, width: f32) {
    let Some(last) = line.frags.last_mut() else {
        return;
    };
    let style = last.style;
    let ell = fonts.width("…", style, size);
    let mut text: String = last.text.trim_end().to_string();
    while !text.is_empty() && last.x + fonts.width(&text, style, size) + ell > width {
        text.pop();
    }
    text.push('…');
    last.text = text;
    line.width = last.x + fonts.width(&last.text, style, size);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> Fonts {
        Fonts::load().expect("fonts")
    }

    fn texts(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.frags.iter().map(|f| f.text.as_str()).collect::<String>())
            .collect()
    }

    #[test]
    fn wraps_words_and_keeps_styles() {
        let f = fonts();
        let lines = wrap(
            &f,
            &[reg("Mã hồ sơ: "), bold("H15.50.05.13-261008-0975")],
            13.0,
            400.0,
            0.0,
        );
        assert_eq!(texts(&lines), vec!["Mã hồ sơ: H15.50.05.13-261008-0975"]);
        assert_eq!(lines[0].frags.len(), 2);
        assert!(lines[0].frags[1].x > 0.0);

        let text =
            "Phường Nùng Trí Cao được thành lập trên cơ sở nhập Sông Bằng, Ngọc Xuân và Vĩnh Quang";
        let lines = wrap(&f, &[reg(text)], 13.0, 120.0, 0.0);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| l.width <= 120.0 + 0.01));
        assert_eq!(texts(&lines).join(" "), text);
    }

    #[test]
    fn breaks_long_words_and_hard_breaks() {
        let f = fonts();
        let url = format!(
            "https://dichvucong.caobang.gov.vn/tra-cuu?ma={}",
            "x".repeat(300)
        );
        let lines = wrap(&f, &[reg(url.clone())], 10.0, 150.0, 0.0);
        assert!(lines.len() > 3);
        assert!(lines.iter().all(|l| l.width <= 150.0 + 0.01));
        assert_eq!(texts(&lines).concat(), url);

        let lines = wrap(&f, &[reg("a\n\nb")], 13.0, 100.0, 0.0);
        assert_eq!(texts(&lines), vec!["a", "", "b"]);
        let lines = wrap(&f, &[], 13.0, 100.0, 0.0);
        assert_eq!(lines.len(), 1);
        // Degenerate width: still terminates, a character or two per line.
        let lines = wrap(&f, &[reg("abcdef")], 13.0, 0.0, 0.0);
        assert!(lines.len() >= 3);
        assert_eq!(texts(&lines).concat(), "abcdef");
        // No space between spans: one unit, never broken apart.
        let lines = wrap(&f, &[bold("2026"), reg(".")], 13.0, 400.0, 0.0);
        assert_eq!(texts(&lines), vec!["2026."]);
    }
}
