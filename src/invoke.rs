//! `invoke`: send the user's own request body through InvokeModel (or Converse), after checking
//! it locally, and report the answer or the classified failure.

use crate::aws::{self, CallFailure};
use crate::body::{self, Level, Problem};
use crate::context::{Context, Service};
use crate::report::{AwsEvidence, Cause};
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, InferenceConfiguration, Message, SystemContentBlock,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The JSON of `invoke --format json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvokeReport {
    pub model: String,
    pub region: String,
    /// `InvokeModel` or `Converse`.
    pub operation: String,
    /// Whether the request was sent (false for `--dry-run` and for bodies with errors).
    pub sent: bool,
    pub problems: Vec<Problem>,
    pub response: Option<Answer>,
    pub failure: Option<Failure>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub content_type: Option<String>,
    pub latency_ms: u64,
    pub request_id: Option<String>,
    /// The model's answer: JSON when it is JSON, else text.
    pub body: Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    pub cause: Cause,
    pub code: crate::codes::Code,
    pub title: String,
    pub remediation: Vec<String>,
    pub aws: AwsEvidence,
    pub latency_ms: u64,
}

impl InvokeReport {
    /// 0 answered (or a clean dry run), 1 AWS refused, 2 the body has errors.
    pub fn exit_code(&self) -> u8 {
        if self.problems.iter().any(|p| p.level == Level::Error) {
            2
        } else if self.failure.is_some() {
            1
        } else {
            0
        }
    }
}

/// Checks `bytes` for `model` (`converse` bodies follow the Converse schema).
pub fn check_body(model: &str, bytes: &[u8], converse: bool) -> (Option<Value>, Vec<Problem>) {
    match body::parse(bytes) {
        Ok(v) => {
            let problems = body::validate(model, &v, converse);
            (Some(v), problems)
        }
        Err(p) => (None, vec![p]),
    }
}

fn failure(f: CallFailure, model: &str, region: &str, latency: std::time::Duration) -> Failure {
    let text = format!(
        "{} {}",
        f.evidence.error_code.clone().unwrap_or_default(),
        f.evidence.message.clone().unwrap_or_default()
    );
    let t = crate::triage::triage(&text, Some(region), Some(model));
    // The classifier saw the structured answer; keep its cause (triage only adds advice).
    let code = crate::triage::code_for(f.cause);
    Failure {
        cause: f.cause,
        code,
        title: if t.cause == f.cause {
            t.title
        } else {
            format!("AWS refused the call ({})", f.cause)
        },
        remediation: t.remediation,
        aws: f.evidence,
        latency_ms: u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
    }
}

/// Builds and sends a Converse request from its JSON form (text content only).
async fn converse(
    cx: &Context,
    region: &str,
    client: &aws_sdk_bedrockruntime::Client,
    model: &str,
    v: &Value,
) -> Result<Answer, (CallFailure, std::time::Duration)> {
    let mut req = client.converse().model_id(model);
    for m in v["messages"].as_array().into_iter().flatten() {
        let role = if m["role"] == "assistant" {
            ConversationRole::Assistant
        } else {
            ConversationRole::User
        };
        let mut b = Message::builder().role(role);
        for block in m["content"].as_array().into_iter().flatten() {
            if let Some(t) = block["text"].as_str() {
                b = b.content(ContentBlock::Text(t.to_string()));
            }
        }
        if let Ok(msg) = b.build() {
            req = req.messages(msg);
        }
    }
    for s in v["system"].as_array().into_iter().flatten() {
        if let Some(t) = s["text"].as_str() {
            req = req.system(SystemContentBlock::Text(t.to_string()));
        }
    }
    let ic = &v["inferenceConfig"];
    if ic.is_object() {
        let mut c = InferenceConfiguration::builder();
        if let Some(n) = ic["maxTokens"].as_i64() {
            c = c.max_tokens(i32::try_from(n).unwrap_or(i32::MAX));
        }
        #[allow(clippy::cast_possible_truncation)]
        if let Some(t) = ic["temperature"].as_f64() {
            c = c.temperature(t as f32);
        }
        #[allow(clippy::cast_possible_truncation)]
        if let Some(p) = ic["topP"].as_f64() {
            c = c.top_p(p as f32);
        }
        for s in ic["stopSequences"].as_array().into_iter().flatten() {
            if let Some(s) = s.as_str() {
                c = c.stop_sequences(s);
            }
        }
        req = req.inference_config(c.build());
    }
    if v["additionalModelRequestFields"].is_object() {
        req = req.additional_model_request_fields(body::to_document(&v["additionalModelRequestFields"]));
    }
    let (answer, latency) = cx.call(Service::BedrockRuntime, region, req.send()).await;
    use aws_sdk_bedrockruntime::operation::RequestId;
    match answer {
        Ok(o) => {
            let text: Vec<String> = o
                .output()
                .and_then(|out| out.as_message().ok())
                .map(|m| {
                    m.content()
                        .iter()
                        .filter_map(|c| c.as_text().ok().cloned())
                        .collect()
                })
                .unwrap_or_default();
            let usage = o.usage().map(|u| serde_json::json!({"inputTokens": u.input_tokens(), "outputTokens": u.output_tokens(), "totalTokens": u.total_tokens()}));
            Ok(Answer {
                content_type: Some("application/json".into()),
                latency_ms: u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
                request_id: o.request_id().map(str::to_string),
                body: serde_json::json!({"text": text.join(""), "stopReason": o.stop_reason().as_str(), "usage": usage}),
            })
        }
        Err(e) => Err((aws::failure("bedrock-runtime", "Converse", &e), latency)),
    }
}

/// Validates and (unless `dry_run` or the body has errors) sends the request.
pub async fn run(
    cx: &Context,
    creds: Option<aws_credential_types::Credentials>,
    model: &str,
    region: &str,
    bytes: &[u8],
    as_converse: bool,
    dry_run: bool,
) -> InvokeReport {
    let (value, problems) = check_body(model, bytes, as_converse);
    let mut report = InvokeReport {
        model: model.to_string(),
        region: region.to_string(),
        operation: if as_converse { "Converse" } else { "InvokeModel" }.to_string(),
        sent: false,
        problems,
        response: None,
        failure: None,
    };
    let blocked = report.problems.iter().any(|p| p.level == Level::Error);
    if blocked || dry_run {
        return report;
    }
    let client = cx.aws.runtime(region, creds);
    report.sent = true;
    if as_converse {
        match converse(cx, region, &client, model, value.as_ref().unwrap_or(&Value::Null)).await {
            Ok(a) => report.response = Some(a),
            Err((f, latency)) => report.failure = Some(failure(f, model, region, latency)),
        }
        return report;
    }
    let req = client
        .invoke_model()
        .model_id(model)
        .content_type("application/json")
        .accept("application/json")
        .body(aws_smithy_types::Blob::new(bytes.to_vec()));
    let (answer, latency) = cx.call(Service::BedrockRuntime, region, req.send()).await;
    use aws_sdk_bedrockruntime::operation::RequestId;
    match answer {
        Ok(o) => {
            let raw = o.body().as_ref();
            let body = serde_json::from_slice(raw)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(raw).into_owned()));
            report.response = Some(Answer {
                content_type: Some(o.content_type().to_string()),
                latency_ms: u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
                request_id: o.request_id().map(str::to_string),
                body,
            });
        }
        Err(e) => {
            report.failure = Some(failure(
                aws::failure("bedrock-runtime", "InvokeModel", &e),
                model,
                region,
                latency,
            ))
        }
    }
    report
}
