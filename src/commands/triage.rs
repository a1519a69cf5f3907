//! `triage [TEXT]`: name the cause of an error text an application logged (offline), and with
//! `--verify` confirm it against AWS with the checks for the region and model it names.

use super::session;
use crate::checks;
use crate::cli::TriageArgs;
use crate::error::UsageError;
use crate::output::{Emitter, Ui, pretty_json};
use crate::render::{self, Format, TriageFormat};
use crate::report::Report;
use crate::settings::Settings;
use crate::triage::{self, Triage};
use anyhow::Context as _;
use std::io::Read;

pub fn run(args: TriageArgs, ui: &Ui) -> anyhow::Result<u8> {
    let text = if args.text.is_empty() || args.text == ["-"] {
        // Logs are not always UTF-8 (a binary blob, another encoding): read what can be read.
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("reading the error text from standard input")?;
        String::from_utf8_lossy(&buf).into_owned()
    } else {
        args.text.join(" ")
    };
    if text.trim().is_empty() {
        return Err(UsageError(
            "no error text: pass it as arguments or on standard input (`bedrock-doctor triage < error.log`)"
                .into(),
        )
        .into());
    }
    let t = triage::triage(&text, args.region.as_deref(), args.model.as_deref());
    let verification = if args.verify {
        let Some(region) = t.extracted.region.clone() else {
            return Err(
                UsageError("--verify needs a region: the text names none, pass --region".into()).into(),
            );
        };
        let models: Vec<String> = t.extracted.model.clone().into_iter().collect();
        let settings = Settings::for_verify(
            region,
            models,
            args.profile.clone(),
            args.timeout,
            &checks::infos(),
        );
        Some(session::diagnose(settings, ui)?)
    } else {
        None
    };
    let verdict = verification.as_ref().map(|r| triage::verdict(&t, r));
    let exit = verification.as_ref().map_or(0, Report::exit_code);
    // One redaction covers the triage and its verification, so their pseudonyms agree.
    let value: (Triage, Option<Report>) = (t, verification);
    Emitter::stdout(args.format).redact(args.redact).emit(
        ui,
        &value,
        |(t, verification), format, style| {
            Ok(match format {
                TriageFormat::Markdown => render::triage_markdown(t, verdict.as_ref(), verification.as_ref()),
                TriageFormat::Json => {
                    let mut v = serde_json::to_value(t)?;
                    if let (Some(r), Some(verdict)) = (verification, &verdict) {
                        v["verification"] = serde_json::to_value(verdict)?;
                        v["verification"]["report"] = serde_json::to_value(r)?;
                    }
                    pretty_json(&v)?
                }
                TriageFormat::Table => {
                    let mut out = render::triage_table(t, verdict.as_ref(), style);
                    if let Some(r) = verification {
                        out.push('\n');
                        out.push_str(&render::render(Format::Table, r, style));
                    }
                    out
                }
            })
        },
    )?;
    Ok(exit)
}
