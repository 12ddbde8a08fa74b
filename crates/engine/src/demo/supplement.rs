//! The demo's supplements: "supplement provided" needs a document attached
//! since the Mẫu 02 request, so each demo supplement attaches a small PDF
//! first (uploaded by the applicant online, scanned at the counter
//! otherwise). DEMO DATA.

use motcua_domain::dossier::{DocumentKind, DocumentRef};
use motcua_domain::text::DocumentName;
use motcua_store::blobs::BlobMeta;

use crate::Upload;

/// A one-page PDF whose page reads `line` (ASCII), with a correct
/// cross-reference table.
pub(super) fn one_page_pdf(line: &str) -> Vec<u8> {
    let text: String = line
        .chars()
        .filter(|c| c.is_ascii() && !matches!(c, '(' | ')' | '\\'))
        .collect();
    let content = format!("BT /F1 14 Tf 60 760 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
            .to_string(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// The upload of a demo supplement named `name`, and the reference the
/// engine will record for it: a component uploaded by the applicant, or a
/// scan made at the counter.
pub(super) fn supplement(name: &str, by_applicant: bool) -> (Upload, DocumentRef) {
    // A catalogue name may run over lines or carry a slash: the stored name
    // is the one the engine's check keeps.
    let one_line: String = name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(['/', '\\'], "-")
        .chars()
        .take(200)
        .collect();
    let name = DocumentName::parse(&one_line)
        .map(String::from)
        .unwrap_or_else(|_| "Giấy tờ bổ sung".to_string());
    let name = name.as_str();
    let bytes = one_page_pdf("Ho so bo sung - du lieu mau (demo supplement)");
    let meta = BlobMeta::of(&bytes);
    let kind = if by_applicant {
        DocumentKind::Component
    } else {
        DocumentKind::Digitized
    };
    let document = DocumentRef {
        sha256: meta.sha256,
        size: meta.size,
        media_type: "application/pdf".to_string(),
        name: name.to_string(),
        kind,
        electronic: by_applicant,
    };
    let upload = Upload {
        name: name.to_string(),
        kind,
        electronic: by_applicant,
        bytes,
    };
    (upload, document)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_pdf_is_recognised_and_its_table_points_at_its_objects() {
        let pdf = one_page_pdf("Ho so (bo) sung");
        assert_eq!(
            infer::get(&pdf).map(|t| t.mime_type()),
            Some("application/pdf")
        );
        let text = String::from_utf8(pdf.clone()).expect("ASCII");
        let xref = text.find("xref\n").expect("a table");
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|r| r.lines().next())
            .and_then(|n| n.parse().ok())
            .expect("startxref");
        assert_eq!(start, xref);
        for (i, line) in text[xref..].lines().skip(3).take(5).enumerate() {
            let at: usize = line[..10].parse().expect("offset");
            assert!(
                text[at..].starts_with(&format!("{} 0 obj", i + 1)),
                "{line}"
            );
        }
        assert!(text.contains("(Ho so bo sung) Tj"));
        let (upload, doc) = supplement("Giấy chứng sinh\n(bản sao/bản chính)", false);
        assert_eq!(doc.name, "Giấy chứng sinh (bản sao-bản chính)");
        assert_eq!(upload.name, doc.name);
        assert_eq!(doc.kind, DocumentKind::Digitized);
        assert_eq!(doc.size, upload.bytes.len() as u64);
        assert_eq!(doc.sha256, BlobMeta::of(&upload.bytes).sha256);
    }
}
