//! Writes a display list out as PDF with krilla: the fonts are embedded as
//! subsets with a ToUnicode map (the text can be searched and copied), the
//! QR code is vector art, its address a link annotation. Deterministic: the
//! document identifiers are hashes of the content and the creation date is
//! the form's date.

use chrono::{Datelike, NaiveDate};
use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::geom::{PathBuilder, Point, Rect, Transform};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::Document;

use crate::layout::{Op, PAGE_H, PAGE_W};
use crate::text::Fonts;
use crate::FormError;

/// Slant of the synthetic italic (tan 12°).
const SLANT: f32 = 0.21;

pub(crate) struct Info<'a> {
    pub title: &'a str,
    pub subject: &'a str,
    pub date: NaiveDate,
}

pub(crate) fn write(
    fonts: &Fonts,
    pages: &[Vec<Op>],
    info: &Info<'_>,
) -> Result<Vec<u8>, FormError> {
    let mut document = Document::new();
    let year = u16::try_from(info.date.year().clamp(0, 9999)).unwrap_or(2000);
    document.set_metadata(
        Metadata::new()
            .title(info.title.to_string())
            .description(info.subject.to_string())
            .language("vi".to_string())
            .creator("motcua-forms".to_string())
            .creation_date(
                DateTime::new(year)
                    .month(info.date.month() as u8)
                    .day(info.date.day() as u8),
            ),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(FormError::Layout)?;
    for ops in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut links = Vec::new();
        {
            let mut surface = page.surface();
            for op in ops {
                match op {
                    Op::Text {
                        x,
                        y,
                        size,
                        style,
                        text,
                    } => draw_text(&mut surface, fonts, *x, *y, *size, *style, text),
                    Op::Line {
                        x1,
                        y1,
                        x2,
                        y2,
                        width,
                    } => {
                        let mut pb = PathBuilder::new();
                        pb.move_to(*x1, *y1);
                        pb.line_to(*x2, *y2);
                        if let Some(path) = pb.finish() {
                            surface.set_fill(None);
                            surface.set_stroke(Some(Stroke {
                                width: *width,
                                ..Stroke::default()
                            }));
                            surface.draw_path(&path);
                            surface.set_stroke(None);
                        }
                    }
                    Op::Fill { rects } => {
                        let mut pb = PathBuilder::new();
                        for [x, y, w, h] in rects {
                            if let Some(r) = Rect::from_xywh(*x, *y, *w, *h) {
                                pb.push_rect(r);
                            }
                        }
                        if let Some(path) = pb.finish() {
                            surface.set_stroke(None);
                            surface.set_fill(Some(Fill::default()));
                            surface.draw_path(&path);
                        }
                    }
                    Op::Link { rect, uri } => links.push((*rect, uri.clone())),
                }
            }
            surface.finish();
        }
        for ([x, y, w, h], uri) in links {
            if let Some(rect) = Rect::from_xywh(x, y, w, h) {
                let target = Target::Action(Action::Link(LinkAction::new(uri)));
                page.add_annotation(Annotation::new_link(
                    LinkAnnotation::new(rect, target),
                    Some("Tra cứu hồ sơ".to_string()),
                ));
            }
        }
        page.finish();
    }
    document.finish().map_err(|e| FormError::Pdf(e.to_string()))
}

fn draw_text(
    surface: &mut Surface<'_>,
    fonts: &Fonts,
    x: f32,
    y: f32,
    size: f32,
    style: crate::text::Style,
    text: &str,
) {
    if text.is_empty() {
        return;
    }
    let face = fonts.face(style);
    let glyphs = face.shape(text);
    surface.set_stroke(None);
    surface.set_fill(Some(Fill::default()));
    if style.italic {
        surface.push_transform(&Transform::from_row(1.0, 0.0, -SLANT, 1.0, x, y));
        surface.draw_glyphs(
            Point::from_xy(0.0, 0.0),
            &glyphs,
            face.font.clone(),
            text,
            size,
            false,
        );
        surface.pop();
    } else {
        surface.draw_glyphs(
            Point::from_xy(x, y),
            &glyphs,
            face.font.clone(),
            text,
            size,
            false,
        );
    }
}
