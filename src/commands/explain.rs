//! `explain CODE | --list`: a code's remediation document, or the table of every code.

use crate::cli::ExplainArgs;
use crate::codes::Code;
use crate::error::UsageError;
use crate::output::{Emitter, Ui, pretty_json};
use crate::render::{self, Format};

pub fn run(args: ExplainArgs, ui: &Ui) -> anyhow::Result<u8> {
    if args.list {
        let rows: Vec<_> = Code::ALL
            .iter()
            .map(|c| serde_json::json!({"code": c, "slug": c.slug(), "check": c.check(), "severity": c.default_severity(), "title": c.title()}))
            .collect();
        Emitter::stdout(args.format).emit(ui, &rows, |rows, format, style| match format {
            Format::Table => Ok(render::codes_table(style)),
            Format::Json => pretty_json(rows),
        })?;
        return Ok(0);
    }
    let raw = args.code.unwrap_or_default();
    let code: Code = raw.parse().map_err(|_| {
        UsageError(format!(
            "unknown code `{raw}`; `bedrock-doctor explain --list` lists them"
        ))
    })?;
    ui.print(code.explanation())?;
    Ok(0)
}
