//! Fonts compiled into the binary, shaping and measuring, input clean-up,
//! and the Vietnamese way of writing dates, times and amounts.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use unicode_normalization::UnicodeNormalization;

use crate::FormError;

/// Liberation Serif 2.1.5 (SIL OFL 1.1), metric-compatible with Times New
/// Roman — the face Decree 30/2020/NĐ-CP prescribes for administrative
/// documents. See `fonts/README.md`.
static REGULAR: &[u8] = include_bytes!("../fonts/LiberationSerif-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/LiberationSerif-Bold.ttf");

/// Longest text kept from one input field (characters); longer text is cut
/// with an ellipsis so that a runaway input cannot produce a huge document.
pub(crate) const MAX_FIELD_CHARS: usize = 2_000;

/// Weight of a run of text; italic is a slanted regular or bold face.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Style {
    pub bold: bool,
    pub italic: bool,
}

impl Style {
    pub const REGULAR: Style = Style {
        bold: false,
        italic: false,
    };
    pub const BOLD: Style = Style {
        bold: true,
        italic: false,
    };
    pub const ITALIC: Style = Style {
        bold: false,
        italic: true,
    };
}

/// One face: the krilla font (for the PDF) and the shaping face.
pub(crate) struct Face {
    pub font: Font,
    shaper: rustybuzz::Face<'static>,
    upem: f32,
}

impl Face {
    fn load(data: &'static [u8]) -> Result<Self, FormError> {
        let font = Font::new(data.into(), 0).ok_or(FormError::Font)?;
        let shaper = rustybuzz::Face::from_slice(data, 0).ok_or(FormError::Font)?;
        let upem = shaper.units_per_em() as f32;
        if upem <= 0.0 {
            return Err(FormError::Font);
        }
        Ok(Self { font, shaper, upem })
    }

    /// Shapes one line of text (left to right). Advances are in ems.
    pub fn shape(&self, text: &str) -> Vec<KrillaGlyph> {
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(rustybuzz::Direction::LeftToRight);
        buffer.guess_segment_properties();
        let output = rustybuzz::shape(&self.shaper, &[], buffer);
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        let mut glyphs = Vec::with_capacity(infos.len());
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            // The cluster ends where the next cluster starts (left to right).
            let end = infos[i + 1..]
                .iter()
                .find(|next| next.cluster != info.cluster)
                .map_or(text.len(), |next| next.cluster as usize);
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                pos.x_advance as f32 / self.upem,
                pos.x_offset as f32 / self.upem,
                pos.y_offset as f32 / self.upem,
                pos.y_advance as f32 / self.upem,
                start..end.max(start),
                None,
            ));
        }
        glyphs
    }

    /// Width of `text` in ems.
    pub fn width_em(&self, text: &str) -> f32 {
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(rustybuzz::Direction::LeftToRight);
        buffer.guess_segment_properties();
        let output = rustybuzz::shape(&self.shaper, &[], buffer);
        output
            .glyph_positions()
            .iter()
            .map(|p| p.x_advance as f32)
            .sum::<f32>()
            / self.upem
    }
}

/// The two faces every form uses.
pub(crate) struct Fonts {
    pub regular: Face,
    pub bold: Face,
}

impl Fonts {
    pub fn load() -> Result<Self, FormError> {
        Ok(Self {
            regular: Face::load(REGULAR)?,
            bold: Face::load(BOLD)?,
        })
    }

    pub fn face(&self, style: Style) -> &Face {
        if style.bold {
            &self.bold
        } else {
            &self.regular
        }
    }

    /// Width of `text` in points at `size`.
    pub fn width(&self, text: &str, style: Style, size: f32) -> f32 {
        self.face(style).width_em(text) * size
    }
}

/// Normalizes one input field: Unicode NFC (Vietnamese typed with
/// combining tone marks becomes the precomposed letters), control
/// characters and line breaks become spaces, runs of white space collapse,
/// and the text is cut at [`MAX_FIELD_CHARS`].
pub(crate) fn clean(s: &str) -> String {
    clean_with(s, false)
}

/// Like [`clean`] but keeps line breaks (for free-text reasons and notes).
pub(crate) fn clean_multiline(s: &str) -> String {
    clean_with(s, true)
}

fn clean_with(s: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(s.len().min(MAX_FIELD_CHARS * 4));
    let mut chars = 0usize;
    let mut pending_space = false;
    let mut pending_newline = false;
    for c in s.nfc() {
        let c = if c == '\r' { '\n' } else { c };
        if c == '\n' && keep_newlines {
            pending_newline = !out.is_empty();
            pending_space = false;
            continue;
        }
        if is_invisible(c) {
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            pending_space = !out.is_empty();
            continue;
        }
        if chars >= MAX_FIELD_CHARS {
            out.push('…');
            return out;
        }
        // A character the font lacks would be shaped into the cluster of
        // its base glyph, and the PDF's text layer would then map that
        // glyph to both characters everywhere: print '?' instead.
        // A combining mark left over after NFC (no precomposed letter:
        // e.g. "g" + tilde) would do the same: drop it.
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        let c = if covered(c) { c } else { '?' };
        if pending_newline {
            out.push('\n');
            chars += 1;
        } else if pending_space {
            out.push(' ');
            chars += 1;
        }
        pending_newline = false;
        pending_space = false;
        out.push(c);
        chars += 1;
    }
    out
}

/// Whether the embedded faces have a glyph for `c` (both faces cover the
/// same characters).
fn covered(c: char) -> bool {
    static FACE: std::sync::OnceLock<Option<rustybuzz::Face<'static>>> = std::sync::OnceLock::new();
    FACE.get_or_init(|| rustybuzz::Face::from_slice(REGULAR, 0))
        .as_ref()
        .is_some_and(|f| f.glyph_index(c).is_some())
}

/// Characters that must not reach the PDF text layer: bidi controls,
/// zero-width characters, the byte order mark, private use and noncharacters.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF0}'..='\u{FFFF}'
        | '\u{E000}'..='\u{F8FF}')
}

/// A cleaned field, or the dotted placeholder of a blank to be filled in by
/// hand when the field is empty.
pub(crate) fn or_blank(s: &str) -> String {
    let c = clean(s);
    if c.is_empty() {
        BLANK.to_string()
    } else {
        c
    }
}

/// The dotted line of a blank in a Vietnamese form.
pub(crate) const BLANK: &str = "………………………………";

/// Day and month as Decree 30/2020/NĐ-CP writes them: a leading zero for
/// days below 10 and for January and February.
fn day_month(date: NaiveDate) -> (String, String) {
    let day = format!("{:02}", date.day());
    let month = if date.month() <= 2 {
        format!("{:02}", date.month())
    } else {
        date.month().to_string()
    };
    (day, month)
}

/// "ngày 08 tháng 10 năm 2026".
pub(crate) fn date_vi(date: NaiveDate) -> String {
    let (d, m) = day_month(date);
    format!("ngày {d} tháng {m} năm {}", date.year())
}

/// "09 giờ 15 phút, ngày 08 tháng 10 năm 2026".
pub(crate) fn datetime_vi(at: NaiveDateTime) -> String {
    format!(
        "{:02} giờ {:02} phút, {}",
        at.hour(),
        at.minute(),
        date_vi(at.date())
    )
}

/// Short form for table cells: "09:15 08/10/2026".
pub(crate) fn datetime_short(at: NaiveDateTime) -> String {
    format!(
        "{:02}:{:02} {:02}/{:02}/{}",
        at.hour(),
        at.minute(),
        at.day(),
        at.month(),
        at.year()
    )
}

/// "Cao Bằng, ngày 08 tháng 10 năm 2026".
pub(crate) fn place_date(place: &str, date: NaiveDate) -> String {
    let place = clean(place);
    if place.is_empty() {
        format!("……………, {}", date_vi(date))
    } else {
        format!("{place}, {}", date_vi(date))
    }
}

/// "1.250.000 đồng" (dot as the thousands separator).
pub(crate) fn vnd(amount: u64) -> String {
    let digits = amount.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 6);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out.push_str(" đồng");
    out
}

/// Two digits at least: counts in forms are written "01", "02", … .
pub(crate) fn count2(n: u32) -> String {
    format!("{n:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_decree_30() {
        let d = NaiveDate::from_ymd_opt(2026, 2, 5).expect("date");
        assert_eq!(date_vi(d), "ngày 05 tháng 02 năm 2026");
        let d = NaiveDate::from_ymd_opt(2026, 10, 8).expect("date");
        assert_eq!(date_vi(d), "ngày 08 tháng 10 năm 2026");
        let d = NaiveDate::from_ymd_opt(2026, 3, 18).expect("date");
        assert_eq!(date_vi(d), "ngày 18 tháng 3 năm 2026");
        let t = d.and_hms_opt(7, 5, 0).expect("time");
        assert_eq!(datetime_vi(t), "07 giờ 05 phút, ngày 18 tháng 3 năm 2026");
        assert_eq!(
            place_date("Cao Bằng", d),
            "Cao Bằng, ngày 18 tháng 3 năm 2026"
        );
    }

    #[test]
    fn amounts() {
        assert_eq!(vnd(0), "0 đồng");
        assert_eq!(vnd(8_000), "8.000 đồng");
        assert_eq!(vnd(1_250_000), "1.250.000 đồng");
        assert_eq!(vnd(u64::MAX), "18.446.744.073.709.551.615 đồng");
    }

    #[test]
    fn clean_normalizes_and_bounds() {
        // "Phường" with a combining horn and grave accent → precomposed.
        let nfd = "Phu\u{031B}o\u{031B}\u{0300}ng";
        assert_eq!(clean(nfd), "Phường");
        assert_eq!(
            clean("  a\t\u{0}b\n c \u{202E}d zero\u{200B}width "),
            "a b c d zerowidth"
        );
        assert_eq!(clean_multiline("x\r\n\r\ny\n"), "x\ny");
        let long = "ă".repeat(MAX_FIELD_CHARS + 10);
        let c = clean(&long);
        assert_eq!(c.chars().count(), MAX_FIELD_CHARS + 1);
        assert!(c.ends_with('…'));
        assert_eq!(or_blank("   "), BLANK);
        assert_eq!(
            clean("Ủy ban nhân dân phường Nùng Trí Cao").to_uppercase(),
            "ỦY BAN NHÂN DÂN PHƯỜNG NÙNG TRÍ CAO"
        );
    }

    #[test]
    fn fonts_cover_vietnamese() {
        let fonts = Fonts::load().expect("fonts");
        let sample = "ăâđêôơư ĂÂĐÊÔƠƯ àảãáạ ằẳẵắặ ầẩẫấậ èẻẽéẹ ềểễếệ ìỉĩíị òỏõóọ ồổỗốộ ờởỡớợ ùủũúụ ừửữứự ỳỷỹýỵ ₫";
        for face in [&fonts.regular, &fonts.bold] {
            for g in face.shape(sample) {
                assert_ne!(g.glyph_id, GlyphId::new(0), "missing glyph in {sample}");
            }
        }
    }
}
