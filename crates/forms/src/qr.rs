//! The QR code of Mẫu 01: the public tracking address of the dossier.

use qrcode::{Color, EcLevel, QrCode};

/// A QR symbol: `width` × `width` modules, row by row, true = dark.
pub(crate) struct Matrix {
    pub width: usize,
    pub dark: Vec<bool>,
}

/// Longest address put in a QR code: beyond it the modules of a 25 mm
/// symbol get too small to scan from paper (300 bytes at level M is
/// version 13, 69 modules of 0.36 mm). A tracking address is far shorter.
pub(crate) const MAX_QR_BYTES: usize = 300;

/// Encodes `data` with error correction level M (15 %: survives a stamp or
/// a crease on paper). None when the data is empty or longer than
/// [`MAX_QR_BYTES`]: the address is still printed.
pub(crate) fn encode(data: &str) -> Option<Matrix> {
    if data.is_empty() || data.len() > MAX_QR_BYTES {
        return None;
    }
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let dark = code
        .into_colors()
        .into_iter()
        .map(|c| c == Color::Dark)
        .collect::<Vec<_>>();
    (dark.len() == width * width).then_some(Matrix { width, dark })
}

impl Matrix {
    /// Dark modules as rectangles `[x, y, w, h]` in a square of side `size`
    /// at `(x, y)`, horizontal runs merged (a smaller content stream).
    pub fn rects(&self, x: f32, y: f32, size: f32) -> Vec<[f32; 4]> {
        let m = size / self.width.max(1) as f32;
        let mut out = Vec::new();
        for row in 0..self.width {
            let mut col = 0;
            while col < self.width {
                if self.dark[row * self.width + col] {
                    let start = col;
                    while col < self.width && self.dark[row * self.width + col] {
                        col += 1;
                    }
                    out.push([
                        x + start as f32 * m,
                        y + row as f32 * m,
                        (col - start) as f32 * m,
                        m,
                    ]);
                } else {
                    col += 1;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_and_refuses_gracefully() {
        let m = encode("https://dichvucong.caobang.gov.vn/tra-cuu?ma=H15.50.05.13-261008-0975")
            .expect("qr");
        assert!(m.width >= 21);
        assert!(!m.rects(0.0, 0.0, 80.0).is_empty());
        assert!(encode("").is_none());
        assert!(encode(&"x".repeat(MAX_QR_BYTES + 1)).is_none());
        assert!(encode(&"x".repeat(MAX_QR_BYTES)).is_some());
    }
}
