//! Renderers: one report model, several formats. Only this module formats text, and only
//! `table.rs` knows about colour, glyphs and widths.

mod github;
mod junit;
mod markdown;
mod sarif;
mod style;
mod table;

use crate::report::Report;
use clap::ValueEnum;
pub use style::Style;

/// Output formats of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable tables (colour on terminals).
    Table,
    /// The report model as JSON (`schema_version` 1, see docs/report.md).
    Json,
}

/// Output formats of `triage`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TriageFormat {
    /// A short table (colour on terminals).
    Table,
    /// The triage (and any verification) as JSON.
    Json,
    /// Markdown for a support ticket (with `--verify`, the live report follows).
    Markdown,
}

/// Formats of the `check` and `lint` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Human-readable tables (colour on terminals).
    Table,
    /// The report model as JSON (docs/report.md).
    Json,
    /// A self-contained support-ticket report.
    Markdown,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// JUnit XML, for CI test reports.
    Junit,
    /// GitHub Actions workflow-command annotations.
    Github,
}

impl std::str::FromStr for ReportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        <Self as ValueEnum>::from_str(s, true)
    }
}

/// Renders a `check` (or converted `lint`) report in any report format; scrubbed of secrets.
pub fn render_report(format: ReportFormat, report: &Report, style: Style) -> String {
    let text = match format {
        ReportFormat::Table => table::render(report, style),
        ReportFormat::Json => return render(Format::Json, report, style),
        ReportFormat::Markdown => markdown::render(report),
        ReportFormat::Sarif => sarif::render(report),
        ReportFormat::Junit => junit::render(report),
        ReportFormat::Github => github::render(report),
    };
    crate::secrets::scrub(&text).into_owned()
}

/// The Markdown report (for `$GITHUB_STEP_SUMMARY`).
pub fn markdown(report: &Report) -> String {
    crate::secrets::scrub(&markdown::render(report)).into_owned()
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

pub use markdown::triage as triage_markdown;
pub use table::{checks_table, codes_table, invoke_text, lint_text, models_table, triage_table, where_table};
