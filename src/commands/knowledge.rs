//! `knowledge show | import FILE`: the embedded knowledge base that `lint` checks against.

use crate::cli::KnowledgeCommand;
use crate::error::UsageError;
use crate::knowledge::{self, Knowledge};
use crate::listing::ModelsReport;
use crate::output::{Ui, pretty_json};
use anyhow::Context as _;
use std::io::Read;

pub fn run(cmd: KnowledgeCommand, ui: &Ui) -> anyhow::Result<u8> {
    match cmd {
        KnowledgeCommand::Show => {
            let k = knowledge::embedded();
            let models: usize = k.regions.values().map(|r| r.models.len()).sum();
            let complete = k.regions.values().filter(|r| r.complete).count();
            ui.print(&format!(
                "knowledge base of {}\nsource: {}\n{} regions ({} complete listings), {} region × model entries\n",
                k.date,
                k.source,
                k.regions.len(),
                complete,
                models
            ))?;
            Ok(0)
        }
        KnowledgeCommand::Import { file, date } => {
            let bytes = if file == "-" {
                let mut b = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut b)
                    .context("reading the listing from standard input")?;
                b
            } else {
                std::fs::read(&file).map_err(|e| UsageError(format!("cannot read `{file}`: {e}")))?
            };
            let listing: ModelsReport = serde_json::from_slice(&bytes).map_err(|e| {
                UsageError(format!(
                    "`{file}` is not `bedrock-doctor models --format json` output (line {}, column {}): {e}",
                    e.line(),
                    e.column()
                ))
            })?;
            let date = date.unwrap_or_else(|| {
                let today = time::OffsetDateTime::now_utc().date();
                format!(
                    "{:04}-{:02}-{:02}",
                    today.year(),
                    u8::from(today.month()),
                    today.day()
                )
            });
            ui.print(&pretty_json(&Knowledge::from_listing(&listing, &date))?)?;
            Ok(0)
        }
    }
}
