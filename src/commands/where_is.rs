//! `where MODEL`: where a model can be called, offline, from the embedded knowledge base: the
//! regions that serve it on demand, those that serve it only through profiles, every profile
//! with its destinations per source region, mantle, and its lifecycle. `--live` asks the
//! account's own catalogue and profile lists and says where they differ.

use crate::cli::WhereArgs;
use crate::error::UsageError;
use crate::knowledge::{self, Whereabouts};
use crate::listing::ModelsReport;
use crate::output::{Emitter, Ui};
use crate::render;
use crate::settings::Settings;

pub fn run(args: WhereArgs, ui: &Ui) -> anyhow::Result<u8> {
    let kb = knowledge::embedded();
    let Some(mut w) = kb.whereabouts(args.model.trim()) else {
        let hint = kb.did_you_mean(args.model.trim());
        return Err(UsageError(format!(
            "`{}` is not in the knowledge base of {}{hint}",
            args.model, kb.date
        ))
        .into());
    };
    let mut code = 0;
    if args.live {
        let regions = if args.regions.is_empty() {
            let mut r: Vec<String> = w.in_region.iter().chain(&w.profile_only).cloned().collect();
            r.sort();
            r.dedup();
            r
        } else {
            args.regions.clone()
        };
        let settings = Settings::new(regions, args.profile.clone(), args.timeout, 32);
        let outcome = super::models::live_listing(settings)?;
        match outcome {
            Ok(listing) => {
                let differences = compare(&w, &listing);
                code = u8::from(!differences.is_empty() || listing.regions.iter().any(|r| r.error.is_some()));
                w.live = Some(differences);
            }
            Err(c) => return Ok(c),
        }
    }
    Emitter::stdout(args.format).table_or_json(ui, &w, render::where_table)?;
    Ok(code)
}

/// Where the account's answers differ from the knowledge base, one sentence each.
fn compare(w: &Whereabouts, listing: &ModelsReport) -> Vec<String> {
    let mut out = Vec::new();
    for r in &listing.regions {
        if let Some(e) = &r.error {
            out.push(format!(
                "{}: the catalogue could not be read ({})",
                r.region, e.cause
            ));
            continue;
        }
        let live = r.models.iter().find(|m| m.model_id == w.model);
        let on_demand = live.is_some_and(|m| m.inference_types.iter().any(|t| t == "ON_DEMAND"));
        let known_on_demand = w.in_region.contains(&r.region);
        let known_anywhere = known_on_demand || w.profile_only.contains(&r.region);
        match (live.is_some(), known_anywhere) {
            (true, false) => out.push(format!(
                "{}: the account's catalogue lists it; the knowledge base does not",
                r.region
            )),
            (false, true) => out.push(format!(
                "{}: the knowledge base lists it; the account's catalogue does not",
                r.region
            )),
            (true, true) if on_demand != known_on_demand => out.push(format!(
                "{}: on demand {} for the account, {} in the knowledge base",
                r.region,
                if on_demand { "yes" } else { "no" },
                if known_on_demand { "yes" } else { "no" }
            )),
            _ => {}
        }
        for (profile, dest) in &r.profile_destinations {
            if crate::ident::profile_parts(profile).is_some_and(|(_, m)| m == w.model) {
                let known = w.profiles.get(profile).and_then(|by| by.get(&r.region));
                match known {
                    None => out.push(format!(
                        "{}: the account can call {profile}; the knowledge base does not list it there",
                        r.region
                    )),
                    Some(k) if k != dest => out.push(format!(
                        "{}: {profile} routes to {} for the account, {} in the knowledge base",
                        r.region,
                        dest.join(", "),
                        k.join(", ")
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    out
}
