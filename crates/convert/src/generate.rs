//! A deterministic file of legacy addresses for the benchmark and for
//! trying the converter on realistic input.

use std::io::Write;

use motcua_domain::units::{Era, Level, Registry, Unit};

/// Columns of the generated file.
pub const BENCH_COLUMNS: [&str; 4] = ["id", "commune", "district", "province"];

/// How a generated row writes its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// The 5-digit legacy commune code, no district or province.
    Code,
    /// Full names with prefixes and diacritics: "Xã Vĩnh Quang",
    /// "Huyện Bảo Lâm", "Tỉnh Cao Bằng".
    ExactName,
    /// Unaccented names without prefixes, in mixed case, with district and
    /// province: "vinh quang", "Bao Lam", "CAO BANG".
    LooseName,
}

impl RowKind {
    pub const ALL: [RowKind; 3] = [RowKind::Code, RowKind::ExactName, RowKind::LooseName];
    pub const NAMES: [RowKind; 2] = [RowKind::ExactName, RowKind::LooseName];
}

/// One legacy commune in every spelling the generator uses.
struct Spellings {
    code: String,
    exact: [String; 3],
    loose: [String; 3],
}

/// The name without its type label ("Thành phố Cao Lãnh" → "Cao Lãnh").
fn strip_type(unit: &Unit) -> &str {
    ["Thành phố", unit.unit_type.label_vi()]
        .into_iter()
        .find_map(|label| {
            let head = unit.name.get(..label.len())?;
            let rest = unit.name.get(label.len()..)?;
            (head.eq_ignore_ascii_case(label) && rest.starts_with(' ')).then_some(rest)
        })
        .map_or(unit.short_name.as_str(), str::trim)
}

fn loose(unit: &Unit, style: usize) -> String {
    let plain = deunicode::deunicode(strip_type(unit));
    match style % 3 {
        0 => plain.to_lowercase(),
        1 => plain.to_uppercase(),
        _ => plain,
    }
}

fn spellings(registry: &Registry) -> Vec<Spellings> {
    let legacy = |code| registry.unit_in(code, Era::Legacy);
    registry
        .level_members(Era::Legacy, Level::Commune)
        .into_iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let d = legacy(c.parent_code.as_ref()?)?;
            let p = legacy(&c.province_code)?;
            Some(Spellings {
                code: c.code.to_string(),
                exact: [c.name.clone(), d.name.clone(), p.name.clone()],
                loose: [loose(c, i), loose(d, i + 1), loose(p, i + 2)],
            })
        })
        .collect()
}

/// Writes `rows` legacy addresses (header [`BENCH_COLUMNS`]) mixing the three
/// [`RowKind`]s, chosen at random from every legacy commune. The same
/// `seed` gives the same file.
pub fn generate_bench_csv(
    registry: &Registry,
    rows: usize,
    writer: impl Write,
    seed: u64,
) -> csv::Result<()> {
    generate_bench_csv_with(registry, rows, writer, seed, &RowKind::ALL)
}

/// [`generate_bench_csv`] restricted to `kinds` (each row picks one at random).
pub fn generate_bench_csv_with(
    registry: &Registry,
    rows: usize,
    writer: impl Write,
    seed: u64,
    kinds: &[RowKind],
) -> csv::Result<()> {
    let all = spellings(registry);
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out = csv::WriterBuilder::new()
        .buffer_capacity(1 << 16)
        .from_writer(writer);
    out.write_record(BENCH_COLUMNS)?;
    for n in 0..rows {
        let (Some(s), Some(kind)) = (
            all.get(rng.usize(..all.len().max(1))),
            kinds.get(rng.usize(..kinds.len().max(1))),
        ) else {
            break;
        };
        let id = (n + 1).to_string();
        match kind {
            RowKind::Code => out.write_record([id.as_str(), s.code.as_str(), "", ""])?,
            RowKind::ExactName => out.write_record([
                id.as_str(),
                s.exact[0].as_str(),
                s.exact[1].as_str(),
                s.exact[2].as_str(),
            ])?,
            RowKind::LooseName => out.write_record([
                id.as_str(),
                s.loose[0].as_str(),
                s.loose[1].as_str(),
                s.loose[2].as_str(),
            ])?,
        }
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{convert_csv, ConvertOptions};

    #[test]
    fn the_same_seed_gives_the_same_file_and_rows_convert() {
        let r = crate::shipped_registry().expect("shipped data");
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        generate_bench_csv(&r, 3000, &mut a, 7).expect("generates");
        generate_bench_csv(&r, 3000, &mut b, 7).expect("generates");
        generate_bench_csv(&r, 3000, &mut c, 8).expect("generates");
        assert_eq!(a, b);
        assert_ne!(a, c);
        let text = String::from_utf8(a.clone()).expect("UTF-8");
        assert_eq!(text.lines().count(), 3001);
        assert!(text.starts_with("id,commune,district,province\n1,"));
        let stats = convert_csv(
            &r,
            a.as_slice(),
            std::io::sink(),
            std::io::sink(),
            &ConvertOptions::default(),
            |_| {},
        )
        .expect("converts");
        assert_eq!(stats.rows, 3000);
        assert_eq!(stats.converted + stats.rejected, stats.rows);
        // Only unaccented twins (Thị trấn/Xã of one name in one district) reject.
        assert!(stats.rejected < 30, "{stats:?}");
    }

    #[test]
    fn kinds_can_be_restricted() {
        let r = crate::shipped_registry().expect("shipped data");
        let mut codes = Vec::new();
        generate_bench_csv_with(&r, 200, &mut codes, 1, &[RowKind::Code]).expect("generates");
        let text = String::from_utf8(codes).expect("UTF-8");
        assert!(text.lines().skip(1).all(|l| {
            let f: Vec<&str> = l.split(',').collect();
            f.len() == 4 && f[1].len() == 5 && f[2].is_empty() && f[3].is_empty()
        }));
    }
}
