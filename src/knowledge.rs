//! The embedded, dated knowledge base of regions × models × inference types × lifecycle ×
//! system profiles that offline `lint` checks against (`src/knowledge.json`, compiled in).
//!
//! What it does not know, lint does not claim: a model missing from a region is reported only
//! for regions whose listing is `complete` (imported from a live `models --all-regions` dump).
//! Refresh: `bedrock-doctor models --all-regions --format json > models.json`, then
//! `bedrock-doctor knowledge import models.json > src/knowledge.json`, then rebuild.

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
    pub regions: BTreeMap<String, RegionFacts>,
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

    /// Whether the knowledge base can say `model` is *not* offered in `region`.
    pub fn known_absent(&self, region: &str, model: &str) -> bool {
        self.regions
            .get(region)
            .is_some_and(|r| r.complete && !r.models.contains_key(model))
    }

    /// True when every region that lists `model` offers it only through inference profiles.
    pub fn profile_only(&self, model: &str) -> bool {
        let mut seen = false;
        for r in self.regions.values() {
            if let Some(m) = r.models.get(model) {
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

    /// Builds a complete knowledge base from a live `models --format json` listing.
    pub fn from_listing(listing: &ModelsReport, date: &str) -> Self {
        let mut regions = BTreeMap::new();
        for r in &listing.regions {
            if r.error.is_some() {
                continue;
            }
            let mut facts = RegionFacts {
                complete: true,
                ..RegionFacts::default()
            };
            for m in &r.models {
                facts.models.insert(
                    m.model_id.clone(),
                    ModelFacts {
                        inference_types: m.inference_types.clone(),
                        lifecycle: Some(m.lifecycle.status.clone()).filter(|s| !s.is_empty()),
                        end_of_life_time: m.lifecycle.end_of_life_time.clone(),
                    },
                );
                for p in &m.profiles {
                    facts.profiles.entry(p.clone()).or_default();
                }
            }
            regions.insert(r.region.clone(), facts);
        }
        // A profile's destinations are the regions where its model is listed behind it.
        let snapshot = regions.clone();
        for facts in regions.values_mut() {
            for (profile, dest) in facts.profiles.iter_mut() {
                let model = profile.split_once('.').map(|(_, m)| m).unwrap_or_default();
                *dest = snapshot
                    .iter()
                    .filter(|(_, f)| f.profiles.contains_key(profile) && f.models.contains_key(model))
                    .map(|(r, _)| r.clone())
                    .collect();
            }
        }
        Knowledge {
            date: date.to_string(),
            source: "imported from `bedrock-doctor models --format json`".into(),
            regions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_knowledge_parses_and_answers() {
        let k = embedded();
        assert!(!k.date.is_empty());
        assert!(k.profile_only("anthropic.claude-3-7-sonnet-20250219-v1:0"));
        assert!(!k.profile_only("anthropic.claude-3-5-sonnet-20240620-v1:0"));
        assert!(!k.profile_only("unknown.model-v1"));
        assert!(
            !k.known_absent("us-east-1", "unknown.model-v1"),
            "the seed is partial: no absence claims"
        );
        assert_eq!(
            k.destinations(Some("us-east-1"), "us.anthropic.claude-sonnet-4-20250514-v1:0")
                .unwrap()
                .len(),
            3
        );
        assert_eq!(
            k.profiles_for("anthropic.claude-sonnet-4-20250514-v1:0"),
            ["us.anthropic.claude-sonnet-4-20250514-v1:0"]
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
}
