//! The SDK's types turned into ours (and the other way for request bodies): the only place
//! the offline model types meet the AWS SDK.

use crate::catalogue::{CatalogueModel, Profile};
use aws_sdk_bedrock::types::{FoundationModelSummary, InferenceProfileSummary};
use serde_json::Value;

fn date(d: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    d.and_then(|d| d.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
}

impl From<&FoundationModelSummary> for CatalogueModel {
    fn from(m: &FoundationModelSummary) -> Self {
        let lc = m.model_lifecycle();
        CatalogueModel {
            id: m.model_id().to_string(),
            arn: m.model_arn().to_string(),
            provider: m.provider_name().unwrap_or_default().to_string(),
            input_modalities: m
                .input_modalities()
                .iter()
                .map(|x| x.as_str().to_string())
                .collect(),
            output_modalities: m
                .output_modalities()
                .iter()
                .map(|x| x.as_str().to_string())
                .collect(),
            inference_types: m
                .inference_types_supported()
                .iter()
                .map(|x| x.as_str().to_string())
                .collect(),
            lifecycle: lc.map(|l| l.status().as_str().to_string()).unwrap_or_default(),
            legacy_time: date(lc.and_then(|l| l.legacy_time())),
            public_extended_access_time: date(lc.and_then(|l| l.public_extended_access_time())),
            end_of_life_time: date(lc.and_then(|l| l.end_of_life_time())),
        }
    }
}

/// The list and get operations answer with types of the same shape; one conversion serves both.
macro_rules! profile_from {
    ($t:ty) => {
        impl From<&$t> for Profile {
            fn from(p: &$t) -> Self {
                Profile {
                    id: p.inference_profile_id().to_string(),
                    arn: p.inference_profile_arn().to_string(),
                    kind: p.r#type().as_str().to_string(),
                    status: p.status().as_str().to_string(),
                    model_arns: p
                        .models()
                        .iter()
                        .filter_map(|m| m.model_arn().map(str::to_string))
                        .collect(),
                }
            }
        }
    };
}

profile_from!(InferenceProfileSummary);
profile_from!(aws_sdk_bedrock::operation::get_inference_profile::GetInferenceProfileOutput);

/// Converts JSON into the SDK's `Document`, for Converse's `additionalModelRequestFields`.
pub fn to_document(v: &Value) -> aws_smithy_types::Document {
    use aws_smithy_types::{Document, Number};
    match v {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::Number(n) => Document::Number(if let Some(u) = n.as_u64() {
            Number::PosInt(u)
        } else if let Some(i) = n.as_i64() {
            Number::NegInt(i)
        } else {
            Number::Float(n.as_f64().unwrap_or_default())
        }),
        Value::String(s) => Document::String(s.clone()),
        Value::Array(a) => Document::Array(a.iter().map(to_document).collect()),
        Value::Object(o) => Document::Object(o.iter().map(|(k, v)| (k.clone(), to_document(v))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn documents() {
        let d = to_document(&json!({"a": [1, -2, 1.5, "s", null, true]}));
        assert!(matches!(d, aws_smithy_types::Document::Object(_)));
    }
}
