//! The demo's files. Supplements: "supplement provided" needs a document
//! attached since the Mẫu 02 request, so each demo supplement attaches a
//! small PDF first (uploaded by the applicant online, scanned at the
//! counter otherwise). Results: an online return needs the electronic
//! result attached. DEMO DATA.

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

/// A catalogue name as a stored document name: it may run over lines or
/// carry a slash, so it is kept as the engine's check keeps it, or
/// `fallback`.
fn document_name(name: &str, fallback: &str) -> String {
    let one_line: String = name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(['/', '\\'], "-")
        .chars()
        .take(200)
        .collect();
    DocumentName::parse(&one_line)
        .map(String::from)
        .unwrap_or_else(|_| fallback.to_string())
}

/// The upload of a demo supplement named `name`, and the reference the
/// engine will record for it: a component uploaded by the applicant, or a
/// scan made at the counter.
pub(super) fn supplement(name: &str, by_applicant: bool) -> (Upload, DocumentRef) {
    let kind = if by_applicant {
        DocumentKind::Component
    } else {
        DocumentKind::Digitized
    };
    file(
        document_name(name, "Giấy tờ bổ sung"),
        kind,
        by_applicant,
        "Ho so bo sung - du lieu mau (demo supplement)",
    )
}

/// The upload of a demo electronic result for a procedure named
/// `procedure`, and its reference: kind result, an electronic original.
pub(super) fn result_file(procedure: &str) -> (Upload, DocumentRef) {
    file(
        document_name(&format!("Kết quả: {procedure}"), "Kết quả giải quyết"),
        DocumentKind::Result,
        true,
        "Ket qua giai quyet - du lieu mau (demo result)",
    )
}

/// A one-page PDF reading `line`, as an upload and its reference.
fn file(name: String, kind: DocumentKind, electronic: bool, line: &str) -> (Upload, DocumentRef) {
    let bytes = one_page_pdf(line);
    let meta = BlobMeta::of(&bytes);
    let document = DocumentRef {
        sha256: meta.sha256,
        size: meta.size,
        media_type: "application/pdf".to_string(),
        name: name.clone(),
        kind,
        electronic,
    };
    let upload = Upload {
        name,
        kind,
        electronic,
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
