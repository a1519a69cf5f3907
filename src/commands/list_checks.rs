//! `list-checks`: every registered check with its summary, dependencies and codes.

use crate::checks;
use crate::output::{Emitter, Ui, pretty_json};
use crate::render::{self, Format};

pub fn run(format: Format, ui: &Ui) -> anyhow::Result<u8> {
    let infos = checks::infos();
    let rows: Vec<_> = infos
        .iter()
        .map(|c| serde_json::json!({"id": c.id, "summary": c.summary, "depends_on": c.depends_on, "codes": c.codes()}))
        .collect();
    Emitter::stdout(format).emit(ui, &rows, |rows, format, style| match format {
        Format::Table => Ok(render::checks_table(&infos, style)),
        Format::Json => pretty_json(rows),
    })?;
    Ok(0)
}
