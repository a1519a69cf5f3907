//! Renderers: one report model, several formats. Only this module formats text, and only
//! `table.rs` knows about colour, glyphs and widths.

mod table;

use crate::report::Report;
use clap::ValueEnum;

/// Output formats of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable tables (colour on terminals).
    Table,
    /// The report model as JSON (`schema_version` 1, see docs/report.md).
    Json,
}

/// How the table renderer may style its output.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    /// Width to lay tables out in; `None` lets them grow.
    pub width: Option<u16>,
}

/// Renders `report` in `format`; the result is scrubbed of secrets before anything sees it.
pub fn render(format: Format, report: &Report, style: Style) -> String {
    let text = match format {
        Format::Table => table::render(report, style),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(report).expect("report serialises");
            s.push('\n');
            s
        }
    };
    crate::secrets::scrub(&text).into_owned()
}

pub use table::{checks_table, codes_table, invoke_text, lint_text, models_table, triage_table};
