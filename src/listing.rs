//! What `models` reports: each region's catalogue with the inference profiles that route to
//! each model (`models --format json`, and the input of `knowledge import`). The sweep that
//! fills it is in `commands/models.rs`.

use crate::catalogue::CatalogueModel;
use crate::report::Cause;
use serde::{Deserialize, Serialize};

/// Lifecycle as AWS states it (dates RFC 3339, null when AWS gives none).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    pub status: String,
    pub legacy_time: Option<String>,
    pub public_extended_access_time: Option<String>,
    pub end_of_life_time: Option<String>,
}

/// One model of one region.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelRow {
    pub model_id: String,
    pub model_arn: String,
    pub provider: String,
    pub input_modalities: Vec<String>,
    pub output_modalities: Vec<String>,
    /// Raw values, including `INFERENCE_PROFILE`.
    pub inference_types: Vec<String>,
    pub lifecycle: Lifecycle,
    /// System inference profiles callable from this region that route to the model.
    pub profiles: Vec<String>,
}

/// Why a region could not be listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionError {
    pub cause: Cause,
    pub error_code: Option<String>,
    pub message: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionModels {
    pub region: String,
    pub models: Vec<ModelRow>,
    /// Set when the catalogue could not be read; `models` is then empty.
    pub error: Option<RegionError>,
    /// Set when the profiles could not be read (models are still listed).
    pub profiles_error: Option<RegionError>,
    /// System profiles callable from the region → their destination regions, read from the
    /// profiles' own model ARNs.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub profile_destinations: std::collections::BTreeMap<String, Vec<String>>,
}

/// The JSON of `models --format json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelsReport {
    pub schema_version: u32,
    /// Only some models were listed (`--provider`, `--output-modality`): no region's listing is
    /// complete.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub filtered: bool,
    pub regions: Vec<RegionModels>,
}

/// Filters of the `models` command.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub provider: Option<String>,
    pub output_modality: Option<String>,
}

impl Filter {
    /// Whether the filter lets `m` through.
    pub fn keeps(&self, m: &CatalogueModel) -> bool {
        let provider_ok = self.provider.as_deref().is_none_or(|p| {
            m.provider.eq_ignore_ascii_case(p)
                || m.id.split('.').next().is_some_and(|x| x.eq_ignore_ascii_case(p))
        });
        let modality_ok = self
            .output_modality
            .as_deref()
            .is_none_or(|o| m.output_modalities.iter().any(|x| x.eq_ignore_ascii_case(o)));
        provider_ok && modality_ok
    }
}
