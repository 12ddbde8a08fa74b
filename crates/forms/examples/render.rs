//! Writes the sample forms to a folder, for a look at them:
//! `cargo run -p motcua-forms --example render -- /tmp/forms`
//! then e.g. `pdftoppm -png -r 80 /tmp/forms/mau01.pdf /tmp/forms/mau01`.

#[path = "../tests/fixtures/mod.rs"]
mod fixtures;

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "forms".into()));
    std::fs::create_dir_all(&dir)?;
    let forms = [
        ("mau01", motcua_forms::receipt_slip(&fixtures::receipt())?),
        (
            "mau02",
            motcua_forms::supplement_request(&fixtures::supplement())?,
        ),
        ("mau03", motcua_forms::refusal(&fixtures::refusal())?),
        ("mau04", motcua_forms::apology(&fixtures::apology())?),
        (
            "mau05",
            motcua_forms::stop_notice(&fixtures::stop_notice())?,
        ),
        ("mau06", motcua_forms::control_sheet(&fixtures::control())?),
    ];
    for (name, bytes) in forms {
        let path = dir.join(format!("{name}.pdf"));
        std::fs::write(&path, &bytes)?;
        println!("{} {} bytes", path.display(), bytes.len());
    }
    Ok(())
}
