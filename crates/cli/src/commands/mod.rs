pub mod audit;
pub mod bench;
pub mod calendar;
pub mod demo;
pub mod dossiers;
pub mod procedures;
pub mod province_config;
pub mod serve;
pub mod units;

/// Output shared by the one-stop commands (calendar, procedures, dossiers,
/// audit, demo): JSON on stdout, bilingual refusals with a stable code and
/// exit status 1, Vietnam-time formatting.
pub(crate) mod out {
    use std::io::Write;
    use std::process::ExitCode;

    use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc, Weekday};
    use motcua_domain::calendar::utc_to_vietnam;
    use motcua_engine::EngineError;
    use serde_json::json;

    pub fn print_json(v: &serde_json::Value) -> anyhow::Result<()> {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, v)?;
        writeln!(out)?;
        Ok(())
    }

    /// A refusal: `{"error": {code, message_vi, message_en}}` on stdout with
    /// `--json`, otherwise the two messages and the code on stderr. Exit 1.
    pub fn fail(json: bool, code: &str, vi: &str, en: &str) -> anyhow::Result<ExitCode> {
        if json {
            print_json(&json!({"error": {"code": code, "message_vi": vi, "message_en": en}}))?;
        } else {
            eprintln!("Lỗi: {vi} (mã lỗi: {code})");
            eprintln!("Error: {en} (code: {code})");
        }
        Ok(ExitCode::from(1))
    }

    /// An engine error as a refusal. Storage failures are not detailed.
    pub fn fail_engine(json: bool, e: &EngineError) -> anyhow::Result<ExitCode> {
        let en = match e.code() {
            "internal_error" => {
                tracing::error!(error = %e, "storage failure");
                "internal error; see the log".to_string()
            }
            _ => e.to_string(),
        };
        fail(json, e.code(), &e.message_vi(), &en)
    }

    pub fn weekday_vi(d: Weekday) -> &'static str {
        match d {
            Weekday::Mon => "Thứ Hai",
            Weekday::Tue => "Thứ Ba",
            Weekday::Wed => "Thứ Tư",
            Weekday::Thu => "Thứ Năm",
            Weekday::Fri => "Thứ Sáu",
            Weekday::Sat => "Thứ Bảy",
            Weekday::Sun => "Chủ Nhật",
        }
    }

    /// "Thứ Tư 25/02/2026"
    pub fn date_vi(d: NaiveDate) -> String {
        format!("{} {}", weekday_vi(d.weekday()), d.format("%d/%m/%Y"))
    }

    /// "17:00 Thứ Tư 25/02/2026"
    pub fn when_vi(t: DateTime<FixedOffset>) -> String {
        format!("{} {}", t.format("%H:%M"), date_vi(t.date_naive()))
    }

    /// "Wed 2026-02-25 17:00"
    pub fn when_en(t: DateTime<FixedOffset>) -> String {
        t.format("%a %Y-%m-%d %H:%M").to_string()
    }

    /// "17:00 Thứ Tư 25/02/2026 (2026-02-25T17:00:00+07:00)"
    pub fn when(t: DateTime<FixedOffset>) -> String {
        format!(
            "{} ({})",
            when_vi(t),
            t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
        )
    }

    pub fn vn(t: DateTime<Utc>) -> DateTime<FixedOffset> {
        utc_to_vietnam(t)
    }

    /// RFC 3339 in Vietnam time (+07:00).
    pub fn rfc3339_vn(t: DateTime<Utc>) -> String {
        vn(t).to_rfc3339()
    }
}
