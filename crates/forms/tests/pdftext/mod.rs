//! Reads back what a generated PDF shows, with lopdf: the text runs with
//! their positions (through the fonts' ToUnicode maps, as a reader copying
//! text would get it), the filled rectangles (the QR code) and the link
//! addresses. Just enough PDF for the documents this crate writes.

#![allow(dead_code)]

use std::collections::BTreeMap;

use lopdf::{Dictionary, Document, Encoding, Object};

/// A run of text as placed on a page: `y` from the top of the page.
#[derive(Debug, Clone)]
pub struct Run {
    pub page: usize,
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub text: String,
}

type Matrix = [f32; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `a` then `b` (PDF's row-vector convention: `a × b`).
fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn apply(m: &Matrix, x: f32, y: f32) -> (f32, f32) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

fn num(o: &Object) -> f32 {
    o.as_float().unwrap_or(0.0)
}

fn matrix(ops: &[Object]) -> Matrix {
    let mut m = IDENTITY;
    for (i, o) in ops.iter().take(6).enumerate() {
        m[i] = num(o);
    }
    m
}

/// Glyph widths of a Type0 font (the /W array of its descendant).
struct Widths {
    default: f32,
    map: BTreeMap<u32, f32>,
}

fn widths(doc: &Document, font: &Dictionary) -> Widths {
    let mut w = Widths {
        default: 1000.0,
        map: BTreeMap::new(),
    };
    let Ok(desc) = font
        .get_deref(b"DescendantFonts", doc)
        .and_then(Object::as_array)
    else {
        return w;
    };
    let Some(cid) = desc
        .first()
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok())
    else {
        return w;
    };
    if let Ok(dw) = cid.get(b"DW") {
        w.default = num(dw);
    }
    if let Ok(arr) = cid.get_deref(b"W", doc).and_then(Object::as_array) {
        let mut i = 0;
        while i < arr.len() {
            let first = num(&arr[i]) as u32;
            match arr.get(i + 1) {
                Some(Object::Array(ws)) => {
                    for (k, v) in ws.iter().enumerate() {
                        w.map.insert(first + k as u32, num(v));
                    }
                    i += 2;
                }
                Some(last) => {
                    let last = num(last) as u32;
                    let v = arr.get(i + 2).map(num).unwrap_or(w.default);
                    for c in first..=last {
                        w.map.insert(c, v);
                    }
                    i += 3;
                }
                None => break,
            }
        }
    }
    w
}

struct Font<'a> {
    encoding: Encoding<'a>,
    widths: Widths,
}

fn page_ids(doc: &Document) -> Vec<(u32, lopdf::ObjectId)> {
    doc.get_pages().into_iter().collect()
}

/// Every text run of the document, in drawing order.
pub fn runs(pdf: &[u8]) -> Vec<Run> {
    let doc = Document::load_mem(pdf).expect("a readable PDF");
    let mut out = Vec::new();
    for (page_no, page_id) in page_ids(&doc) {
        let height = page_height(&doc, page_id);
        let fonts: BTreeMap<Vec<u8>, Font<'_>> = doc
            .get_page_fonts(page_id)
            .expect("page fonts")
            .into_iter()
            .map(|(name, dict)| {
                let encoding = dict.get_font_encoding(&doc).expect("font encoding");
                (
                    name,
                    Font {
                        encoding,
                        widths: widths(&doc, dict),
                    },
                )
            })
            .collect();
        let content = doc
            .get_and_decode_page_content(page_id)
            .expect("page content");
        let mut ctm = IDENTITY;
        let mut stack = Vec::new();
        let mut tm = IDENTITY;
        let mut font: Option<&Font<'_>> = None;
        let mut size = 0.0f32;
        for op in &content.operations {
            match op.operator.as_str() {
                "q" => stack.push(ctm),
                "Q" => ctm = stack.pop().unwrap_or(IDENTITY),
                "cm" => ctm = mul(&matrix(&op.operands), &ctm),
                "BT" => tm = IDENTITY,
                "Tm" => tm = matrix(&op.operands),
                "Tf" => {
                    font = op
                        .operands
                        .first()
                        .and_then(|n| n.as_name().ok())
                        .and_then(|n| fonts.get(n));
                    size = op.operands.get(1).map(num).unwrap_or(0.0);
                }
                "Tj" | "TJ" => {
                    let Some(f) = font else { continue };
                    let items: Vec<&Object> = match op.operands.first() {
                        Some(Object::Array(a)) => a.iter().collect(),
                        Some(o) => vec![o],
                        None => continue,
                    };
                    let mut text = String::new();
                    let mut advance = 0.0f32;
                    for item in items {
                        match item {
                            Object::String(bytes, _) => {
                                text.push_str(
                                    &Document::decode_text(&f.encoding, bytes)
                                        .expect("decodable text"),
                                );
                                for pair in bytes.chunks(2) {
                                    let cid =
                                        pair.iter().fold(0u32, |acc, b| acc << 8 | u32::from(*b));
                                    advance +=
                                        f.widths.map.get(&cid).copied().unwrap_or(f.widths.default);
                                }
                            }
                            other => advance -= num(other),
                        }
                    }
                    let trm = mul(&tm, &ctm);
                    let (x, y) = apply(&trm, 0.0, 0.0);
                    out.push(Run {
                        page: page_no as usize,
                        x,
                        y: height - y,
                        width: advance / 1000.0 * size * trm[0].abs(),
                        text,
                    });
                }
                _ => {}
            }
        }
    }
    out
}

fn page_height(doc: &Document, page_id: lopdf::ObjectId) -> f32 {
    doc.get_dictionary(page_id)
        .ok()
        .and_then(|p| p.get(b"MediaBox").ok())
        .and_then(|m| m.as_array().ok())
        .and_then(|m| m.get(3))
        .map(num)
        .unwrap_or(842.0)
}

/// The text of the document line by line: runs on one baseline are joined,
/// directly when they touch and with " | " across a gap (table columns,
/// the two halves of the heading); pages are separated by a form feed line.
pub fn text(pdf: &[u8]) -> String {
    let mut runs = runs(pdf);
    runs.sort_by(|a, b| {
        (a.page, (a.y * 2.0).round() as i64, a.x)
            .partial_cmp(&(b.page, (b.y * 2.0).round() as i64, b.x))
            .expect("finite coordinates")
    });
    let mut out = String::new();
    let mut prev: Option<&Run> = None;
    for run in &runs {
        match prev {
            Some(p) if p.page == run.page && (p.y - run.y).abs() < 0.6 => {
                let gap = run.x - (p.x + p.width);
                if gap > 1.0 {
                    // Trailing blanks of the earlier run belong to no column.
                    while out.ends_with(' ') {
                        out.pop();
                    }
                    out.push_str(" | ");
                }
            }
            Some(p) => {
                while out.ends_with(' ') {
                    out.pop();
                }
                out.push('\n');
                if p.page != run.page {
                    out.push_str("\u{c}\n");
                }
            }
            None => {}
        }
        out.push_str(&run.text);
        prev = Some(run);
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out.push('\n');
    out
}

/// Number of pages.
pub fn pages(pdf: &[u8]) -> usize {
    Document::load_mem(pdf)
        .expect("a readable PDF")
        .get_pages()
        .len()
}

/// Filled axis-aligned rectangles of page 1, `[x, y, w, h]` from the top.
pub fn filled_rects(pdf: &[u8]) -> Vec<[f32; 4]> {
    let doc = Document::load_mem(pdf).expect("a readable PDF");
    let Some((_, page_id)) = page_ids(&doc).into_iter().next() else {
        return Vec::new();
    };
    let height = page_height(&doc, page_id);
    let content = doc
        .get_and_decode_page_content(page_id)
        .expect("page content");
    let mut ctm = IDENTITY;
    let mut stack = Vec::new();
    let mut subpaths: Vec<Vec<(f32, f32)>> = Vec::new();
    let mut out = Vec::new();
    for op in &content.operations {
        let o = &op.operands;
        match op.operator.as_str() {
            "q" => stack.push(ctm),
            "Q" => ctm = stack.pop().unwrap_or(IDENTITY),
            "cm" => ctm = mul(&matrix(o), &ctm),
            "m" => subpaths.push(vec![apply(&ctm, num(&o[0]), num(&o[1]))]),
            "l" => {
                let p = apply(&ctm, num(&o[0]), num(&o[1]));
                if let Some(s) = subpaths.last_mut() {
                    s.push(p);
                }
            }
            "re" => {
                let (x, y, w, h) = (num(&o[0]), num(&o[1]), num(&o[2]), num(&o[3]));
                subpaths.push(vec![
                    apply(&ctm, x, y),
                    apply(&ctm, x + w, y),
                    apply(&ctm, x + w, y + h),
                    apply(&ctm, x, y + h),
                ]);
            }
            "f" | "f*" | "F" => {
                for s in subpaths.drain(..) {
                    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
                    for (x, y) in &s {
                        x0 = x0.min(*x);
                        x1 = x1.max(*x);
                        y0 = y0.min(*y);
                        y1 = y1.max(*y);
                    }
                    out.push([x0, height - y1, x1 - x0, y1 - y0]);
                }
            }
            "S" | "s" | "n" | "B" | "B*" | "b" | "b*" => subpaths.clear(),
            _ => {}
        }
    }
    out
}

/// Decodes the QR code drawn on page 1: the filled rectangles are put back
/// on a module grid, rasterized with a quiet zone and read with rqrr.
pub fn decode_qr(pdf: &[u8]) -> Option<String> {
    let rects = filled_rects(pdf);
    if rects.is_empty() {
        return None;
    }
    let module = rects.iter().map(|r| r[3]).fold(f32::MAX, f32::min);
    let x0 = rects.iter().map(|r| r[0]).fold(f32::MAX, f32::min);
    let y0 = rects.iter().map(|r| r[1]).fold(f32::MAX, f32::min);
    let x1 = rects.iter().map(|r| r[0] + r[2]).fold(f32::MIN, f32::max);
    let n = ((x1 - x0) / module).round() as usize;
    let mut grid = vec![false; n * n];
    for r in &rects {
        let row = ((r[1] - y0) / module).round() as usize;
        let c0 = ((r[0] - x0) / module).round() as usize;
        let c1 = ((r[0] + r[2] - x0) / module).round() as usize;
        for c in c0..c1.min(n) {
            if row < n {
                grid[row * n + c] = true;
            }
        }
    }
    let (quiet, px) = (4usize, 4usize);
    let side = (n + 2 * quiet) * px;
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
        let (mx, my) = (x / px, y / px);
        let dark = mx >= quiet
            && my >= quiet
            && mx - quiet < n
            && my - quiet < n
            && grid[(my - quiet) * n + (mx - quiet)];
        if dark {
            0
        } else {
            255
        }
    });
    let grids = img.detect_grids();
    grids
        .first()
        .and_then(|g| g.decode().ok())
        .map(|(_, content)| content)
}

/// The URIs of the link annotations of every page.
pub fn link_uris(pdf: &[u8]) -> Vec<String> {
    let doc = Document::load_mem(pdf).expect("a readable PDF");
    let mut out = Vec::new();
    for (_, page_id) in page_ids(&doc) {
        for annot in doc.get_page_annotations(page_id).unwrap_or_default() {
            if let Ok(uri) = annot
                .get_deref(b"A", &doc)
                .and_then(Object::as_dict)
                .and_then(|a| a.get(b"URI"))
                .and_then(Object::as_str)
            {
                out.push(String::from_utf8_lossy(uri).into_owned());
            }
        }
    }
    out
}
