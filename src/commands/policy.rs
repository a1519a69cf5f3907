//! `policy`: the least-privilege identity policy for the models and regions an app calls, from
//! the command line over `bedrock-doctor.toml`, offline from the knowledge base.

use crate::cli::{PolicyArgs, PolicyFormat};
use crate::error::UsageError;
use crate::output::{Ui, pretty_json};
use crate::policy::{self, Needs, Syntax};

pub fn run(args: PolicyArgs, ui: &Ui) -> anyhow::Result<u8> {
    let ids: Vec<&str> = crate::checks::infos().iter().map(|c| c.id).collect();
    let loaded = crate::config::discover(args.config.as_deref(), &ids)?;
    let from_config = |pick: fn(&crate::config::Config) -> &Vec<toml::Spanned<String>>| -> Vec<String> {
        loaded
            .as_ref()
            .map(|l| pick(&l.config).iter().map(|s| s.get_ref().clone()).collect())
            .unwrap_or_default()
    };
    let needs = Needs {
        regions: if args.regions.is_empty() {
            from_config(|c| &c.regions)
        } else {
            args.regions
        },
        models: if args.models.is_empty() {
            from_config(|c| &c.models)
        } else {
            args.models
        },
        streaming: args.streaming,
        account: args.account,
        restrict_to_profiles: args.restrict_to_profiles,
        marketplace: args.marketplace,
    };
    let kb = &*super::knowledge::chosen(args.knowledge.as_deref())?;
    let mut p = policy::generate(kb, &needs).map_err(|e| UsageError(format!("policy: {e}")))?;
    if p.account_placeholder && matches!(args.format, PolicyFormat::Json | PolicyFormat::Explained) {
        p.notes.push(format!(
            "profile ARNs carry the account that calls them: replace `{}`, or pass `--account`",
            policy::ACCOUNT_PLACEHOLDER
        ));
    }
    let syntax = match args.format {
        PolicyFormat::Json => {
            for (arn, whys) in &p.resources {
                eprintln!("{arn}: {}", whys.join("; "));
            }
            for note in &p.notes {
                eprintln!("note: {note}");
            }
            Some(Syntax::Json)
        }
        PolicyFormat::Terraform => Some(Syntax::Terraform),
        PolicyFormat::Cloudformation => Some(Syntax::Cloudformation),
        PolicyFormat::CdkTs => Some(Syntax::CdkTs),
        PolicyFormat::CdkPython => Some(Syntax::CdkPython),
        PolicyFormat::Explained => None,
    };
    match syntax {
        Some(syntax) => ui.print(&p.render(syntax))?,
        None => {
            let v = serde_json::json!({
                "policy": p.document(),
                "resources": p.resources,
                "notes": p.notes,
                "knowledge": kb.date,
            });
            ui.print(&pretty_json(&v)?)?;
        }
    }
    Ok(0)
}
