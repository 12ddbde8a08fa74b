//! Chuẩn hoá tên — normalization of Vietnamese unit names for matching.
//!
//! Addresses in real files are written in many ways: "Phường Nùng Trí Cao",
//! "P. Nung Tri Cao", "nung tri cao"; "Thủy", "Thuỷ", "Thuy" and "Thui";
//! "Vỹ" and "Vĩ" (both spellings are in official use, see
//! `data/vn-admin/PROVENANCE.md`); "Cư M'gar" and "Cumgar". A [`NameKey`]
//! reduces all of these to one matching key:
//!
//! 1. *fold*: lowercase ASCII without diacritics (via [`deunicode`], đ → d),
//!    `y` → `i`, apostrophes dropped, any other separator (space, `-`, `.`,
//!    `,`, parentheses) and every letter/digit transition is a token break;
//! 2. *strip the type prefix* (loại đơn vị) of the level being matched —
//!    "xã", "phường", "thị trấn", "đặc khu" for a commune; "huyện", "quận",
//!    "thị xã", "thành phố" for a district; "tỉnh", "thành phố" for a
//!    province — also unaccented and abbreviated ("xa", "p.", "tt", "tp"),
//!    repeatedly, but never the last token: "Phường 5" keys to `5`, not to
//!    nothing, and "Xã Xa Dung" keys like "Xa Dung" (→ `dung`);
//! 3. *compact*: tokens are joined without spaces (so "Ea Kar" = "Eakar")
//!    and leading zeros of numbers dropped ("Phường 05" = "Phường 5").
//!
//! The key is deliberately tolerant: unaccented "Phuong Dinh" could be
//! "Phường Đình" or "Xã Phương Đình", so both key to `dinh`. The registry
//! ranks such candidates with the stricter forms ([`NameKey::folded`], the
//! fold with the prefix kept, and [`lower`], the exact lowercase spelling)
//! and reports an ambiguity rather than guessing.
//!
//! This is the hot path of batch conversion: [`NameKey::set`] reuses its
//! buffers (no allocation once warm) and takes a byte-wise fast path for
//! ASCII input.

use super::model::Level;

/// A type prefix as folded tokens, and the levels it names.
struct Prefix {
    tokens: &'static [&'static str],
    levels: u8,
}

const COMMUNE: u8 = 1;
const DISTRICT: u8 = 2;
const PROVINCE: u8 = 4;

const fn prefix(tokens: &'static [&'static str], levels: u8) -> Prefix {
    Prefix { tokens, levels }
}

/// Type prefixes, folded (so "huyện" is `huien`). "Thành phố" names both a
/// provincial city (thành phố thuộc tỉnh, a legacy district) and a centrally
/// governed city (thành phố trực thuộc trung ương, a province). Two-word
/// labels are also accepted written as one word.
const PREFIXES: &[Prefix] = &[
    prefix(&["thanh", "pho"], DISTRICT | PROVINCE),
    prefix(&["thi", "tran"], COMMUNE),
    prefix(&["thi", "xa"], DISTRICT),
    prefix(&["dac", "khu"], COMMUNE),
    prefix(&["thanhpho"], DISTRICT | PROVINCE),
    prefix(&["thitran"], COMMUNE),
    prefix(&["thixa"], DISTRICT),
    prefix(&["dackhu"], COMMUNE),
    prefix(&["phuong"], COMMUNE),
    prefix(&["huien"], DISTRICT),
    prefix(&["quan"], DISTRICT),
    prefix(&["tinh"], PROVINCE),
    prefix(&["xa"], COMMUNE),
    prefix(&["tp"], DISTRICT | PROVINCE),
    prefix(&["tt"], COMMUNE),
    prefix(&["tx"], DISTRICT),
    prefix(&["dk"], COMMUNE),
    prefix(&["p"], COMMUNE),
    prefix(&["x"], COMMUNE),
    prefix(&["q"], DISTRICT),
    prefix(&["h"], DISTRICT),
];

fn level_bit(level: Level) -> u8 {
    match level {
        Level::Commune => COMMUNE,
        Level::District => DISTRICT,
        Level::Province => PROVINCE,
    }
}

/// Reusable buffers computing the matching key of a name.
///
/// ```
/// use motcua_domain::units::{Level, NameKey};
/// let mut k = NameKey::new();
/// assert_eq!(k.set("Phường Nùng Trí Cao", Level::Commune), "nungtricao");
/// assert_eq!(k.set("nung tri cao", Level::Commune), "nungtricao");
/// assert_eq!(k.set("Thuỷ Nguyên", Level::District), "thuinguien");
/// assert_eq!(k.set("P.05", Level::Commune), "5");
/// ```
#[derive(Debug, Clone, Default)]
pub struct NameKey {
    /// Folded tokens separated by single spaces.
    spaced: String,
    /// Compact fold, prefix kept; the key is its suffix from `key_start`.
    compact: String,
    key_start: usize,
}

impl NameKey {
    pub fn new() -> Self {
        Self::default()
    }

    /// The key of `name` matched at `level`, in a fresh buffer.
    pub fn of(name: &str, level: Level) -> Self {
        let mut k = Self::new();
        k.set(name, level);
        k
    }

    /// Normalizes `name` for matching at `level` and returns the key.
    pub fn set(&mut self, name: &str, level: Level) -> &str {
        fold_spaced(name, &mut self.spaced);
        let start = strip_prefixes(&self.spaced, level_bit(level));
        self.compact.clear();
        self.key_start = 0;
        let mut digits = DigitRun::default();
        for (i, &b) in self.spaced.as_bytes().iter().enumerate() {
            if i == start {
                self.key_start = self.compact.len();
            }
            if b != b' ' {
                digits.push(&mut self.compact, b);
            }
        }
        // Compacting can join tokens into a prefix followed by a number
        // ("t p 5" → "tp5"); strip it too, so that a key is its own key.
        let rest = self
            .compact
            .as_bytes()
            .get(self.key_start..)
            .unwrap_or_default();
        let letters = rest.iter().take_while(|b| !b.is_ascii_digit()).count();
        if letters > 0 && letters < rest.len() {
            let run = rest.get(..letters).unwrap_or_default();
            let mask = level_bit(level);
            if PREFIXES.iter().any(|p| {
                p.levels & mask != 0 && p.tokens.len() == 1 && p.tokens[0].as_bytes() == run
            }) {
                self.key_start += letters;
            }
        }
        self.key()
    }

    /// The matching key: folded, type prefix stripped, compact.
    pub fn key(&self) -> &str {
        self.compact.get(self.key_start..).unwrap_or_default()
    }

    /// The compact fold with the type prefix kept ("xanungtricao"): stricter
    /// than the key, used to rank candidates that share a key.
    pub fn folded(&self) -> &str {
        &self.compact
    }

    /// Whether a type prefix was stripped.
    pub fn had_prefix(&self) -> bool {
        self.key_start > 0
    }
}

/// The matching key of `name` at `level` (allocating; see [`NameKey`]).
pub fn name_key(name: &str, level: Level) -> String {
    NameKey::of(name, level).key().to_string()
}

/// The compact fold of `name`, prefix kept: lowercase ASCII, no diacritics,
/// `y` → `i`, no separators, numbers without leading zeros.
pub fn fold(name: &str) -> String {
    let mut spaced = String::new();
    fold_spaced(name, &mut spaced);
    let mut out = String::with_capacity(spaced.len());
    let mut digits = DigitRun::default();
    for b in spaced.bytes().filter(|&b| b != b' ') {
        digits.push(&mut out, b);
    }
    out
}

/// The exact spelling for the strictest comparison: Unicode lowercase,
/// whitespace collapsed to single spaces, diacritics kept.
pub fn lower(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Class of the last byte written by [`fold_spaced`], to break tokens at
/// letter/digit transitions ("P5" → "p 5").
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Start,
    Letter,
    Digit,
    Break,
}

struct Folder<'a> {
    out: &'a mut String,
    last: Class,
}

impl Folder<'_> {
    #[inline]
    fn byte(&mut self, b: u8) {
        let (class, c) = match b {
            b'a'..=b'z' | b'A'..=b'Z' => {
                let l = b.to_ascii_lowercase();
                (Class::Letter, if l == b'y' { b'i' } else { l })
            }
            b'0'..=b'9' => (Class::Digit, b),
            // Apostrophes join: "H'Leo" = "Hleo", "Cư M'gar" = "Cư Mgar".
            b'\'' | b'`' => return,
            _ => {
                if self.last != Class::Start {
                    self.last = Class::Break;
                }
                return;
            }
        };
        match self.last {
            Class::Start => {}
            Class::Break => self.out.push(' '),
            prev if prev != class => self.out.push(' '),
            _ => {}
        }
        self.out.push(char::from(c));
        self.last = class;
    }
}

/// Folds `name` into `out` as lowercase ASCII tokens separated by single spaces.
fn fold_spaced(name: &str, out: &mut String) {
    out.clear();
    let mut f = Folder {
        out,
        last: Class::Start,
    };
    if name.is_ascii() {
        for b in name.bytes() {
            f.byte(b);
        }
        return;
    }
    for c in name.chars() {
        if c.is_ascii() {
            f.byte(c as u8);
        } else if c == 'đ' || c == 'Đ' {
            f.byte(b'd');
        } else if let Some(ascii) = deunicode::deunicode_char(c) {
            // Combining marks (decomposed input) map to "" and vanish.
            for b in ascii.bytes() {
                f.byte(b);
            }
        } else {
            f.byte(b' ');
        }
    }
}

/// Returns the offset in `spaced` where the name proper starts, after every
/// leading type prefix of the levels in `mask`. A prefix matches whole
/// tokens; it is stripped only if a token follows it.
fn strip_prefixes(spaced: &str, mask: u8) -> usize {
    let mut start = 0;
    'outer: loop {
        let rest = spaced.get(start..).unwrap_or_default();
        for p in PREFIXES.iter().filter(|p| p.levels & mask != 0) {
            if let Some(len) = match_tokens(rest, p.tokens) {
                if len < rest.len() {
                    // Skip the prefix and the space after it.
                    start += len + 1;
                    continue 'outer;
                }
            }
        }
        return start;
    }
}

/// If `rest` starts with exactly `tokens` (whole tokens), their byte length.
fn match_tokens(rest: &str, tokens: &[&str]) -> Option<usize> {
    let mut words = rest.split(' ');
    let mut len = 0;
    for (i, t) in tokens.iter().enumerate() {
        if words.next()? != *t {
            return None;
        }
        len += t.len() + usize::from(i > 0);
    }
    Some(len)
}

/// Writes bytes of the compact form, dropping leading zeros of every run of
/// digits ("05" → "5", "000" → "0").
#[derive(Default)]
struct DigitRun {
    in_digits: bool,
    only_zero: bool,
}

impl DigitRun {
    #[inline]
    fn push(&mut self, out: &mut String, b: u8) {
        if b.is_ascii_digit() {
            if self.in_digits && self.only_zero {
                // The run so far is a lone "0": the new digit replaces it.
                out.pop();
            }
            self.only_zero = b == b'0' && (!self.in_digits || self.only_zero);
            self.in_digits = true;
        } else {
            self.in_digits = false;
            self.only_zero = false;
        }
        out.push(char::from(b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn k(s: &str) -> String {
        name_key(s, Level::Commune)
    }

    #[test]
    fn diacritics_prefix_case_and_spacing_fold_away() {
        assert_eq!(k("Phường Nùng Trí Cao"), "nungtricao");
        assert_eq!(k("  PHƯỜNG   nùng trí  cao "), "nungtricao");
        assert_eq!(k("phuong Nung Tri Cao"), "nungtricao");
        assert_eq!(k("P. Nung Tri Cao"), "nungtricao");
        assert_eq!(k("Nùng Trí Cao"), "nungtricao");
        assert_eq!(k("Thị trấn Thịnh Long"), "thinhlong");
        assert_eq!(k("TT Thinh Long"), "thinhlong");
        assert_eq!(k("Đặc khu Côn Đảo"), "condao");
        assert_eq!(
            name_key("Thành phố Hồ Chí Minh", Level::Province),
            "hochiminh"
        );
        assert_eq!(name_key("TP.HCM", Level::Province), "hcm");
        assert_eq!(
            name_key("Tỉnh Bà Rịa - Vũng Tàu", Level::Province),
            "bariavungtau"
        );
        assert_eq!(name_key("Huyện Cư M'gar", Level::District), "cumgar");
        assert_eq!(name_key("Cumgar", Level::District), "cumgar");
        assert_eq!(name_key("Q.1", Level::District), "1");
    }

    #[test]
    fn i_and_y_spellings_match() {
        for s in ["Thủy", "Thuỷ", "Thuy", "Thui", "THỦY"] {
            assert_eq!(k(s), "thui", "{s}");
        }
        assert_eq!(k("Ô Long Vỹ"), k("Ô Long Vĩ"));
        assert_eq!(k("Sỹ Bình"), k("Sĩ Bình"));
    }

    #[test]
    fn decomposed_input_matches_composed() {
        // "Thủy" with combining horn and hook above (NFD).
        assert_eq!(k("Thu\u{31b}\u{309}y"), "thui");
    }

    #[test]
    fn numbered_wards_keep_their_number() {
        assert_eq!(k("Phường 5"), "5");
        assert_eq!(k("5"), "5");
        assert_eq!(k("Phường 15"), "15");
        assert_eq!(k("P15"), "15");
        assert_eq!(k("phuong 05"), "5");
        assert_ne!(k("Phường 5"), k("Phường 15"));
        assert_eq!(k("Phường 2 Bảo Lộc"), "2baoloc");
        // A prefix alone is a name, not nothing.
        assert_eq!(k("Xã"), "xa");
        assert_eq!(k(""), "");
    }

    #[test]
    fn only_the_prefixes_of_the_level_are_stripped() {
        // "Tịnh", "Quan" are name words for a commune.
        assert_eq!(k("Xã Tịnh Bình"), "tinhbinh");
        assert_eq!(k("Xã Quan Sơn"), "quanson");
        assert_eq!(name_key("Huyện Quan Sơn", Level::District), "son");
        // A prefix-like word inside a name stays: only leading ones go.
        assert_eq!(k("Xã Xa Dung"), k("Xa Dung"));
        assert_eq!(k("Xã Thành Công"), "thanhcong");
    }

    #[test]
    fn folded_keeps_the_prefix_and_lower_keeps_diacritics() {
        let key = NameKey::of("Xã Phương Đình", Level::Commune);
        assert_eq!(key.key(), "dinh");
        assert_eq!(key.folded(), "xaphuongdinh");
        assert!(key.had_prefix());
        assert_eq!(fold("Phường  Đình"), "phuongdinh");
        assert_eq!(lower("  Xã  Phương Đình "), "xã phương đình");
    }

    #[test]
    fn buffers_are_reused() {
        let mut key = NameKey::new();
        key.set("Phường Nùng Trí Cao Phường Nùng Trí Cao", Level::Commune);
        let cap = (key.spaced.capacity(), key.compact.capacity());
        for s in ["Xã Vĩnh Quang", "Phường 5", "Nung Tri Cao"] {
            key.set(s, Level::Commune);
        }
        assert_eq!(cap, (key.spaced.capacity(), key.compact.capacity()));
    }

    fn legacy_commune_names() -> Vec<(String, String)> {
        let mut r = csv::Reader::from_reader(motcua_refdata::COMMUNES_LEGACY.as_bytes());
        r.records()
            .map(|rec| {
                let rec = rec.expect("shipped CSV parses");
                (rec[1].to_string(), rec[2].to_string())
            })
            .collect()
    }

    /// The name without its commune label (the type column disagrees with
    /// the name for a few units, see PROVENANCE.md, so go by the name).
    fn strip_label(name: &str) -> &str {
        ["Thị trấn ", "Thị Trấn ", "Phường ", "Xã ", "Đặc khu "]
            .iter()
            .find_map(|l| name.strip_prefix(l))
            .expect("a commune name starts with its label")
    }

    #[test]
    fn every_shipped_legacy_name_keys_the_same_with_or_without_prefix_and_diacritics() {
        for (name, unit_type) in legacy_commune_names() {
            let _ = unit_type;
            let stem = strip_label(&name);
            let key = k(&name);
            for variant in [
                stem.to_string(),
                deunicode::deunicode(&name),
                deunicode::deunicode(stem),
                deunicode::deunicode(stem).to_lowercase(),
                format!("X. {stem}"),
                format!("xa {}", deunicode::deunicode(stem)),
                format!("phuong {}", deunicode::deunicode(stem)),
                name.to_uppercase(),
            ] {
                assert_eq!(k(&variant), key, "{name:?} vs {variant:?}");
            }
        }
    }

    proptest! {
        #[test]
        fn key_is_idempotent(s in "\\PC{0,40}") {
            for level in [Level::Commune, Level::District, Level::Province] {
                let once = name_key(&s, level);
                prop_assert_eq!(name_key(&once, level), once.clone());
            }
        }

        #[test]
        fn key_is_idempotent_on_name_like_input(
            s in "((Xã|xa|Phường|phuong|P\\.|Thị trấn|TT|Quận|Q|Tỉnh|tp) )?[A-Za-zĐđơưăâêôỳýỷỹỵÝÝ' 0-9-]{0,24}"
        ) {
            for level in [Level::Commune, Level::District, Level::Province] {
                let once = name_key(&s, level);
                prop_assert_eq!(name_key(&once, level), once.clone());
            }
        }

        #[test]
        fn prefix_and_diacritics_never_change_a_shipped_key(
            i in 0usize..10_035,
            prefix in prop::sample::select(vec!["", "Xã ", "xa ", "Phường ", "phuong ", "P. ", "X.", "Thị trấn ", "thi tran ", "TT. "]),
            strip_accents in any::<bool>(),
            upper in any::<bool>(),
        ) {
            let names = legacy_names_cached();
            let (name, unit_type) = &names[i % names.len()];
            let _ = unit_type;
            let stem = strip_label(name);
            let mut variant = format!("{prefix}{stem}");
            if strip_accents { variant = deunicode::deunicode(&variant); }
            if upper { variant = variant.to_uppercase(); }
            prop_assert_eq!(k(&variant), k(name));
            let once = k(name);
            prop_assert_eq!(k(&once), once.clone());
        }
    }

    fn legacy_names_cached() -> &'static [(String, String)] {
        static NAMES: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
        NAMES.get_or_init(legacy_commune_names)
    }
}
