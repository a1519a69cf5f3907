//! `policy`: the least-privilege identity policy for the models and regions an app calls, from
//! the command line over `bedrock-doctor.toml`, offline from the knowledge base.

use crate::cli::{PolicyArgs, PolicyFormat};
use crate::error::UsageError;
use crate::output::{Ui, pretty_json};
use crate::policy::{self, Needs, Syntax};
use crate::settings::Settings;

pub fn run(args: PolicyArgs, ui: &Ui) -> anyhow::Result<u8> {
    let ids: Vec<&str> = crate::checks::infos().iter().map(|c| c.id).collect();
    let loaded = crate::config::discover(args.config.as_deref(), &ids).map_err(UsageError::from)?;
    let cfg = loaded.as_ref().map(|l| &l.config);
    let needs = Needs {
        // Repeatable and comma-separated, as everywhere else.
        regions: crate::regions::from_flags(&crate::config::flags_or(&args.regions, cfg, |c| &c.regions)),
        models: crate::config::flags_or(&args.models, cfg, |c| &c.models),
        streaming: args.streaming,
        account: args.account,
        restrict_to_profiles: args.restrict_to_profiles,
        marketplace: args.marketplace,
        plane: args.plane,
    };
    let known = &*super::knowledge::chosen(args.knowledge.as_deref())?;
    let mut code = 0;
    let live_kb;
    let mut live_notes = Vec::new();
    let kb = if args.live {
        // The account's own profiles and their destinations (GetInferenceProfile's model ARNs)
        // in the regions the app calls, over the knowledge base.
        let settings = Settings::new(needs.regions.clone(), args.profile.clone(), args.timeout, 32);
        let outcome = super::models::live_listing(settings)?;
        let listing = match outcome {
            Ok(l) => l,
            Err(c) => return Ok(c),
        };
        for r in listing.regions.iter().filter(|r| r.error.is_some()) {
            code = 1;
            live_notes.push(format!(
                "{}: the account's catalogue could not be read ({}); the knowledge base answers for it",
                r.region,
                r.error.as_ref().map_or_else(String::new, |e| e.cause.to_string())
            ));
        }
        live_kb = known.clone().merge_listing(&listing, &known.date);
        &live_kb
    } else {
        known
    };
    let mut p = policy::generate(kb, &needs).map_err(|e| UsageError(format!("policy: {e}")))?;
    if args.live {
        // Where the account's answers change the policy from what the knowledge base gives.
        if let Ok(offline) = policy::generate(known, &needs) {
            for arn in p.resources.keys().filter(|a| !offline.resources.contains_key(*a)) {
                live_notes.push(format!(
                    "the account's profiles add `{arn}` (the knowledge base of {} does not route there)",
                    known.date
                ));
            }
            for arn in offline.resources.keys().filter(|a| !p.resources.contains_key(*a)) {
                live_notes.push(format!(
                    "the knowledge base of {} also lists `{arn}`; the account's profiles do not route there",
                    known.date
                ));
            }
        }
        p.notes.extend(live_notes);
    }
    if p.account_placeholder() && matches!(args.format, PolicyFormat::Json | PolicyFormat::Explained) {
        p.notes.push(format!(
            "profile and bedrock-mantle ARNs carry the account that calls them: replace `{}`, or pass `--account`",
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
    Ok(code)
}
