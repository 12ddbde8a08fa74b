//! [`convert_csv`]: one pass over the input, one reused record, every row
//! accounted for (converted or rejected with a reason).

use std::io::{Read, Write};

use csv::{ByteRecord, ReaderBuilder, WriterBuilder};
use motcua_domain::units::{fold, Conversion, Registry};

/// Columns appended to every converted row.
pub const NEW_COLUMNS: [&str; 6] = [
    "new_commune_code",
    "new_commune_name",
    "new_province_code",
    "new_province_name",
    "status",
    "candidates",
];

/// Columns appended to every rejected row.
pub const REJECT_COLUMNS: [&str; 2] = ["error_code", "error_message"];

/// Header names recognised for each part of the address, compared after
/// [`fold`] (lowercase, no diacritics, no separators, y → i), in order of
/// preference: "Xã/Phường" folds to `xaphuong`, "Mã xã" to `maxa`.
const COMMUNE_HEADERS: &[&str] = &[
    "commune",
    "communecode",
    "legacycommune",
    "legacycommunecode",
    "communename",
    "legacycommunename",
    "ward",
    "wardcode",
    "wardname",
    "xa",
    "maxa",
    "tenxa",
    "xaphuong",
    "phuongxa",
    "xaphuongthitran",
    "maxaphuong",
    "tenxaphuong",
];
const DISTRICT_HEADERS: &[&str] = &[
    "district",
    "districtcode",
    "legacydistrict",
    "legacydistrictcode",
    "districtname",
    "legacydistrictname",
    "huien",
    "mahuien",
    "tenhuien",
    "quanhuien",
    "huienquan",
];
const PROVINCE_HEADERS: &[&str] = &[
    "province",
    "provincecode",
    "legacyprovince",
    "legacyprovincecode",
    "provincename",
    "legacyprovincename",
    "tinh",
    "matinh",
    "tentinh",
    "tinhthanh",
    "tinhthanhpho",
    "tinhtp",
];

/// How to read the input. Column names, when given, are matched exactly
/// (case-insensitive); otherwise the columns are found by their header.
#[derive(Debug, Clone)]
pub struct ConvertOptions {
    pub commune_column: Option<String>,
    pub district_column: Option<String>,
    pub province_column: Option<String>,
    /// Call the progress callback every this many rows (0: only at the end).
    pub progress_every: u64,
    /// Field delimiter of input and outputs.
    pub delimiter: u8,
}

impl Default for ConvertOptions {
    fn default() -> Self {
        ConvertOptions {
            commune_column: None,
            district_column: None,
            province_column: None,
            progress_every: 10_000,
            delimiter: b',',
        }
    }
}

/// Where the conversion stands, for a progress bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Data rows read so far (the header excluded).
    pub rows: u64,
    /// Input bytes consumed so far.
    pub bytes: u64,
}

/// Counts of a finished conversion: `rows == converted + rejected`;
/// `split` counts the converted rows whose commune was divided.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub rows: u64,
    pub converted: u64,
    pub split: u64,
    pub rejected: u64,
}

/// A failure of the file as a whole (rows that fail go to the rejects).
#[derive(Debug, thiserror::Error)]
pub enum ConvertCsvError {
    #[error("the input is empty: expected a header row")]
    EmptyInput,
    #[error(
        "no commune column in the header {headers:?}: name it commune, commune_code, xa, \
         ma_xa, ward or \"Xã/Phường\", or choose it explicitly"
    )]
    MissingCommuneColumn { headers: Vec<String> },
    #[error("no column {name:?} in the header {headers:?}")]
    UnknownColumn { name: String, headers: Vec<String> },
    #[error("reading the input: {0}")]
    Read(#[source] csv::Error),
    #[error("writing the output: {0}")]
    Write(#[source] csv::Error),
}

impl ConvertCsvError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ConvertCsvError::EmptyInput => "empty_input",
            ConvertCsvError::MissingCommuneColumn { .. } => "missing_commune_column",
            ConvertCsvError::UnknownColumn { .. } => "unknown_column",
            ConvertCsvError::Read(_) => "read_error",
            ConvertCsvError::Write(_) => "write_error",
        }
    }
}

fn write_err(e: csv::Error) -> ConvertCsvError {
    ConvertCsvError::Write(e)
}

fn write_io(e: std::io::Error) -> ConvertCsvError {
    ConvertCsvError::Write(e.into())
}

/// The indices of the address columns.
#[derive(Debug, Clone, Copy)]
struct Columns {
    commune: usize,
    district: Option<usize>,
    province: Option<usize>,
}

fn find_columns(headers: &[String], options: &ConvertOptions) -> Result<Columns, ConvertCsvError> {
    let folded: Vec<String> = headers.iter().map(|h| fold(h)).collect();
    let explicit = |name: &Option<String>| -> Result<Option<usize>, ConvertCsvError> {
        match name {
            None => Ok(None),
            Some(n) => headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(n.trim()) || fold(h) == fold(n))
                .map(Some)
                .ok_or_else(|| ConvertCsvError::UnknownColumn {
                    name: n.clone(),
                    headers: headers.to_vec(),
                }),
        }
    };
    let detect = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| folded.iter().position(|f| f == &fold(n)))
    };
    let commune = match explicit(&options.commune_column)? {
        Some(i) => i,
        None => detect(COMMUNE_HEADERS).ok_or_else(|| ConvertCsvError::MissingCommuneColumn {
            headers: headers.to_vec(),
        })?,
    };
    let district = match explicit(&options.district_column)? {
        Some(i) => Some(i),
        None => detect(DISTRICT_HEADERS),
    };
    let province = match explicit(&options.province_column)? {
        Some(i) => Some(i),
        None => detect(PROVINCE_HEADERS),
    };
    Ok(Columns {
        commune,
        district: district.filter(|&d| d != commune),
        province: province.filter(|&p| p != commune && Some(p) != district),
    })
}

/// Writes the "candidates" cell: the successors other than the primary,
/// as `code:name` separated by `;`.
fn candidates_cell(conversion: &Conversion<'_>, out: &mut Vec<u8>) {
    out.clear();
    for (i, s) in conversion.others().enumerate() {
        if i > 0 {
            out.push(b';');
        }
        out.extend_from_slice(s.commune.code.as_str().as_bytes());
        out.push(b':');
        out.extend_from_slice(s.commune.name.as_bytes());
    }
}

/// Streams `input` (CSV with a header row) to `output` (every input column,
/// then [`NEW_COLUMNS`]) and `rejects` (every input column, then
/// [`REJECT_COLUMNS`]). A row that cannot be converted — unknown or
/// ambiguous name, wrong field count, invalid UTF-8 — is rejected with a
/// reason, never dropped and never fatal; a missing commune column is an
/// error before any row is read. `progress` is called every
/// `options.progress_every` rows and once at the end.
pub fn convert_csv<R: Read, W: Write, J: Write>(
    registry: &Registry,
    input: R,
    output: W,
    rejects: J,
    options: &ConvertOptions,
    mut progress: impl FnMut(Progress),
) -> Result<Stats, ConvertCsvError> {
    let mut reader = ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(options.delimiter)
        .buffer_capacity(1 << 16)
        .from_reader(input);
    let header = reader
        .byte_headers()
        .map_err(ConvertCsvError::Read)?
        .clone();
    if header.is_empty() {
        return Err(ConvertCsvError::EmptyInput);
    }
    let names: Vec<String> = header
        .iter()
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .collect();
    let columns = find_columns(&names, options)?;
    let width = header.len();

    let mut out = csv_writer(output, options.delimiter);
    let mut rej = csv_writer(rejects, options.delimiter);
    out.write_record(
        header
            .iter()
            .chain(NEW_COLUMNS.iter().map(|c| c.as_bytes())),
    )
    .map_err(write_err)?;
    rej.write_record(
        header
            .iter()
            .chain(REJECT_COLUMNS.iter().map(|c| c.as_bytes())),
    )
    .map_err(write_err)?;

    let mut stats = Stats::default();
    let mut record = ByteRecord::new();
    let mut cell = Vec::with_capacity(256);
    let mut message = String::with_capacity(256);
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(ConvertCsvError::Read(e)),
        }
        stats.rows += 1;
        let line = record.position().map_or(stats.rows + 1, |p| p.line());

        if record.len() != width {
            message.clear();
            message.push_str(&format!(
                "line {line}: expected {width} fields, found {}",
                record.len()
            ));
            let extra: Vec<String> = record
                .iter()
                .skip(width)
                .map(|f| format!("{:?}", String::from_utf8_lossy(f)))
                .collect();
            if !extra.is_empty() {
                message.push_str(&format!("; extra fields: {}", extra.join(", ")));
            }
            reject(&mut rej, &record, width, "malformed_row", &message)?;
            stats.rejected += 1;
        } else if let Err(e) = std::str::from_utf8(record.as_slice()) {
            message.clear();
            message.push_str(&format!(
                "line {line}: not valid UTF-8 (byte {} of the row); save the file as UTF-8",
                e.valid_up_to()
            ));
            reject(&mut rej, &record, width, "invalid_utf8", &message)?;
            stats.rejected += 1;
        } else {
            // Valid UTF-8 as a whole, so every field is too.
            let field = |i: usize| record.get(i).and_then(|f| std::str::from_utf8(f).ok());
            let commune = field(columns.commune).unwrap_or_default();
            let district = columns.district.and_then(field);
            let province = columns.province.and_then(field);
            match registry.convert_parts(commune, district, province) {
                Ok(c) => {
                    let primary = c.primary();
                    for f in &record {
                        out.write_field(f).map_err(write_err)?;
                    }
                    out.write_field(primary.commune.code.as_str())
                        .map_err(write_err)?;
                    out.write_field(&primary.commune.name).map_err(write_err)?;
                    out.write_field(primary.province.code.as_str())
                        .map_err(write_err)?;
                    out.write_field(&primary.province.name).map_err(write_err)?;
                    out.write_field(if c.split { "split" } else { "ok" })
                        .map_err(write_err)?;
                    candidates_cell(&c, &mut cell);
                    out.write_field(&cell).map_err(write_err)?;
                    out.write_record(None::<&[u8]>).map_err(write_err)?;
                    stats.converted += 1;
                    if c.split {
                        stats.split += 1;
                    }
                }
                Err(e) => {
                    message.clear();
                    message.push_str(&e.to_string());
                    reject(&mut rej, &record, width, e.code(), &message)?;
                    stats.rejected += 1;
                }
            }
        }

        if options.progress_every > 0 && stats.rows % options.progress_every == 0 {
            progress(Progress {
                rows: stats.rows,
                bytes: reader.position().byte(),
            });
        }
    }
    out.flush().map_err(write_io)?;
    rej.flush().map_err(write_io)?;
    progress(Progress {
        rows: stats.rows,
        bytes: reader.position().byte(),
    });
    Ok(stats)
}

fn csv_writer<W: Write>(w: W, delimiter: u8) -> csv::Writer<W> {
    WriterBuilder::new()
        .delimiter(delimiter)
        .buffer_capacity(1 << 16)
        .from_writer(w)
}

/// Writes a rejected row: its fields padded (or cut, the cut fields being
/// quoted in the message) to the header's width, then the error columns.
fn reject<J: Write>(
    rej: &mut csv::Writer<J>,
    record: &ByteRecord,
    width: usize,
    code: &str,
    message: &str,
) -> Result<(), ConvertCsvError> {
    for i in 0..width {
        rej.write_field(record.get(i).unwrap_or_default())
            .map_err(write_err)?;
    }
    rej.write_field(code).map_err(write_err)?;
    rej.write_field(message).map_err(write_err)?;
    rej.write_record(None::<&[u8]>).map_err(write_err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    fn registry() -> &'static Registry {
        static R: OnceLock<Registry> = OnceLock::new();
        R.get_or_init(|| crate::shipped_registry().expect("shipped data"))
    }

    fn run(
        input: &[u8],
        options: &ConvertOptions,
    ) -> (Result<Stats, ConvertCsvError>, String, String) {
        let (mut out, mut rej) = (Vec::new(), Vec::new());
        let stats = convert_csv(registry(), input, &mut out, &mut rej, options, |_| {});
        (
            stats,
            String::from_utf8_lossy(&out).into_owned(),
            String::from_utf8_lossy(&rej).into_owned(),
        )
    }

    #[test]
    fn converts_ok_split_and_rejects_ambiguous_unknown_and_malformed_rows() {
        let input = "\
id,commune,district,province
1,01270,,
2,Phường Cống Vị,Quận Ba Đình,Hà Nội
3,Vinh Quang,,Cao Bang
4,Song Bangg,,Cao Bang
5,01270,040
6,le chung,hoa an,cao bang
";
        let (stats, out, rej) = run(input.as_bytes(), &ConvertOptions::default());
        let stats = stats.expect("converts");
        assert_eq!(
            stats,
            Stats {
                rows: 6,
                converted: 3,
                split: 1,
                rejected: 3
            }
        );
        assert_eq!(
            out,
            "\
id,commune,district,province,new_commune_code,new_commune_name,new_province_code,new_province_name,status,candidates
1,01270,,,01279,Phường Nùng Trí Cao,04,Tỉnh Cao Bằng,ok,
2,Phường Cống Vị,Quận Ba Đình,Hà Nội,00008,Phường Ngọc Hà,01,Thành phố Hà Nội,split,00025:Phường Giảng Võ
6,le chung,hoa an,cao bang,01288,Phường Tân Giang,04,Tỉnh Cao Bằng,ok,
"
        );
        assert_eq!(
            rej,
            "\
id,commune,district,province,error_code,error_message
3,Vinh Quang,,Cao Bang,ambiguous_name,\"\"\"Vinh Quang\"\" matches 2 communes: Xã Vĩnh Quang (01300, Huyện Bảo Lâm, Tỉnh Cao Bằng); Xã Vĩnh Quang (01693, Thành phố Cao Bằng, Tỉnh Cao Bằng); add the district or province, or use the code\"
4,Song Bangg,,Cao Bang,unit_not_found,\"no commune named \"\"Song Bangg\"\" in Cao Bang; nearest: Phường Sông Bằng (01270, Thành phố Cao Bằng, Tỉnh Cao Bằng); Phường Sông Hiến (01267, Thành phố Cao Bằng, Tỉnh Cao Bằng); Xã Mông Ân (01312, Huyện Bảo Lâm, Tỉnh Cao Bằng); Xã Hồng An (01348, Huyện Bảo Lạc, Tỉnh Cao Bằng); Xã Cô Ngân (01567, Huyện Hạ Lang, Tỉnh Cao Bằng)\"
5,01270,040,,malformed_row,\"line 6: expected 4 fields, found 3\"
"
        );
    }

    #[test]
    fn too_many_fields_and_bad_utf8_are_rejected_with_the_data_kept() {
        let mut input = b"commune,note\n01270,a,b\n".to_vec();
        input.extend_from_slice(b"01270,caf\xe9\n01270,fine\n");
        let (stats, out, rej) = run(&input, &ConvertOptions::default());
        assert_eq!(
            stats.expect("converts"),
            Stats {
                rows: 3,
                converted: 1,
                split: 0,
                rejected: 2
            }
        );
        assert!(out.ends_with("01270,fine,01279,Phường Nùng Trí Cao,04,Tỉnh Cao Bằng,ok,\n"));
        let lines: Vec<&str> = rej.lines().collect();
        assert_eq!(lines[0], "commune,note,error_code,error_message");
        assert_eq!(
            lines[1],
            "01270,a,malformed_row,\"line 2: expected 2 fields, found 3; extra fields: \"\"b\"\"\""
        );
        assert!(lines[2].starts_with("01270,caf\u{fffd},invalid_utf8,line 3: not valid UTF-8"));
    }

    #[test]
    fn vietnamese_headers_are_recognised() {
        let input = "STT,Xã/Phường,Quận/Huyện,Tỉnh/Thành phố\n1,Vĩnh Quang,Bảo Lâm,Cao Bằng\n";
        let (stats, out, _) = run(input.as_bytes(), &ConvertOptions::default());
        assert_eq!(stats.expect("converts").converted, 1);
        // Xã Vĩnh Quang of Huyện Bảo Lâm went into Xã Lý Bôn.
        assert!(
            out.ends_with(",01294,Xã Lý Bôn,04,Tỉnh Cao Bằng,ok,\n"),
            "{out}"
        );
    }

    #[test]
    fn a_missing_commune_column_fails_before_any_row() {
        let (stats, out, rej) = run(b"name,address\nA,B\n", &ConvertOptions::default());
        let err = stats.expect_err("no commune column");
        assert_eq!(err.code(), "missing_commune_column");
        assert!(out.is_empty() && rej.is_empty());
        let (stats, _, _) = run(b"", &ConvertOptions::default());
        assert_eq!(stats.expect_err("empty").code(), "empty_input");
        let opts = ConvertOptions {
            commune_column: Some("ward_id".into()),
            ..ConvertOptions::default()
        };
        let (stats, _, _) = run(b"commune\n01270\n", &opts);
        assert_eq!(stats.expect_err("unknown column").code(), "unknown_column");
    }

    #[test]
    fn an_explicit_column_and_delimiter_are_used() {
        let opts = ConvertOptions {
            commune_column: Some("Ma".into()),
            delimiter: b';',
            ..ConvertOptions::default()
        };
        let (stats, out, _) = run(b"ma;commune\n01270;ignored\n", &opts);
        assert_eq!(stats.expect("converts").converted, 1);
        assert!(out.starts_with("ma;commune;new_commune_code;"), "{out}");
    }

    #[test]
    fn progress_is_reported_every_n_rows_and_at_the_end() {
        let mut input = String::from("commune\n");
        for _ in 0..25 {
            input.push_str("01270\n");
        }
        let opts = ConvertOptions {
            progress_every: 10,
            ..ConvertOptions::default()
        };
        let mut seen = Vec::new();
        let stats = convert_csv(
            registry(),
            input.as_bytes(),
            std::io::sink(),
            std::io::sink(),
            &opts,
            |p| seen.push(p),
        )
        .expect("converts");
        assert_eq!(stats.rows, 25);
        let rows: Vec<u64> = seen.iter().map(|p| p.rows).collect();
        assert_eq!(rows, [10, 20, 25]);
        assert_eq!(seen.last().map(|p| p.bytes), Some(input.len() as u64));
    }
}
