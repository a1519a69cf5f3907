//! What AWS says exists: a region's foundation models and inference profiles, in our own types
//! (raw strings kept, so values the SDK enums do not know, such as `INFERENCE_PROFILE`, survive).
//! The conversions from the SDK's types are in `aws/convert.rs`.

/// One foundation model of a region's catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogueModel {
    pub id: String,
    pub arn: String,
    pub provider: String,
    pub input_modalities: Vec<String>,
    pub output_modalities: Vec<String>,
    /// Raw values: `ON_DEMAND`, `PROVISIONED`, `INFERENCE_PROFILE`, …
    pub inference_types: Vec<String>,
    /// `ACTIVE`, `LEGACY`, … (empty when AWS sent none).
    pub lifecycle: String,
    pub legacy_time: Option<String>,
    pub public_extended_access_time: Option<String>,
    pub end_of_life_time: Option<String>,
}

impl CatalogueModel {
    pub fn supports(&self, inference_type: &str) -> bool {
        self.inference_types.iter().any(|t| t == inference_type)
    }

    pub fn outputs(&self, modality: &str) -> bool {
        self.output_modalities.iter().any(|t| t == modality)
    }

    /// How the cheapest probe must call this model.
    pub fn family(&self) -> Family {
        if self.outputs("EMBEDDING") {
            Family::Embedding
        } else if self.outputs("IMAGE") || self.outputs("VIDEO") {
            Family::Image
        } else {
            Family::Text
        }
    }
}

/// Probe families (`../shared/bedrock-notes.md` §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Text,
    Embedding,
    Image,
}

/// Guesses the family from an ID when the catalogue has no entry (profiles, ARNs).
pub fn family_from_id(id: &str) -> Family {
    let id = id.to_ascii_lowercase();
    if id.contains("embed") {
        Family::Embedding
    } else if [
        "titan-image",
        "nova-canvas",
        "nova-reel",
        "stability.",
        "sd3",
        "stable-",
    ]
    .iter()
    .any(|p| id.contains(p))
    {
        Family::Image
    } else {
        Family::Text
    }
}

/// One inference profile callable from a region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub id: String,
    pub arn: String,
    /// `SYSTEM_DEFINED` or `APPLICATION`.
    pub kind: String,
    pub status: String,
    /// Foundation-model ARNs in every destination region.
    pub model_arns: Vec<String>,
}

impl Profile {
    /// The destination regions, read from the model ARNs (`arn:aws:bedrock:REGION::…`).
    pub fn destination_regions(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .model_arns
            .iter()
            .filter_map(|a| a.split(':').nth(3).map(str::to_string))
            .filter(|r| !r.is_empty())
            .collect();
        out.dedup();
        out
    }

    /// Whether the profile routes to foundation model `model_id`.
    pub fn contains_model(&self, model_id: &str) -> bool {
        self.model_arns
            .iter()
            .any(|a| a.ends_with(&format!("/{model_id}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_from_ids() {
        assert_eq!(family_from_id("amazon.titan-embed-text-v2:0"), Family::Embedding);
        assert_eq!(family_from_id("cohere.embed-english-v3"), Family::Embedding);
        assert_eq!(family_from_id("amazon.nova-canvas-v1:0"), Family::Image);
        assert_eq!(
            family_from_id("us.anthropic.claude-sonnet-4-20250514-v1:0"),
            Family::Text
        );
    }

    #[test]
    fn profile_destinations() {
        let p = Profile {
            id: "us.amazon.nova-pro-v1:0".into(),
            arn: String::new(),
            kind: "SYSTEM_DEFINED".into(),
            status: "ACTIVE".into(),
            model_arns: vec![
                "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0".into(),
                "arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-pro-v1:0".into(),
            ],
        };
        assert_eq!(p.destination_regions(), ["us-east-1", "us-west-2"]);
        assert!(p.contains_model("amazon.nova-pro-v1:0"));
        assert!(!p.contains_model("amazon.nova-lite-v1:0"));
    }
}
