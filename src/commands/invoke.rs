//! `invoke`: send the user's own request body through InvokeModel (or Converse), after checking
//! it locally, and report the answer or the classified failure.

use super::session;
use crate::aws::convert::to_document;
use crate::aws::{self, CallFailure};
use crate::body::{Level, Problem};
use crate::cli::InvokeArgs;
use crate::context::{Context, Service};
use crate::error::UsageError;
use crate::invoke::{Answer, Failure, InvokeReport, check_body};
use crate::output::{Emitter, Ui};
use crate::render;
use crate::report::Cause;
use crate::settings::Settings;
use anyhow::Context as _;
use aws_credential_types::Credentials;
use aws_sdk_bedrockruntime::types::{
    AnyToolChoice, AutoToolChoice, ContentBlock, ConversationRole, GuardrailConfiguration, GuardrailTrace,
    InferenceConfiguration, Message, PerformanceConfigLatency, PerformanceConfiguration, SpecificToolChoice,
    SystemContentBlock, Tool, ToolChoice, ToolConfiguration, ToolInputSchema, ToolResultBlock,
    ToolResultContentBlock, ToolResultStatus, ToolSpecification, ToolUseBlock,
};
use serde_json::Value;
use std::io::Read;

pub fn run(args: InvokeArgs, ui: &Ui) -> anyhow::Result<u8> {
    let bytes = if args.body == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("reading the body from standard input")?;
        buf
    } else {
        std::fs::read(&args.body)
            .map_err(|e| UsageError(format!("cannot read the body file `{}`: {e}", args.body)))?
    };
    if let Err(e) = crate::ident::parse(&args.model) {
        return Err(UsageError(format!("--model: {e}")).into());
    }
    // One call: it may take the whole --timeout.
    let settings = Settings {
        single_call: true,
        ..Settings::new(
            args.region.clone().into_iter().collect(),
            args.profile.clone(),
            args.timeout,
            1,
        )
    };
    let outcome = session::direct(settings, async |cx| {
        let Some(region) = cx.aws.regions.first().map(|r| r.region.clone()) else {
            return Err(UsageError("no region: pass --region or set AWS_REGION".into()).into());
        };
        let creds = if args.dry_run {
            None
        } else {
            cx.direct_credentials().await.map_err(anyhow::Error::msg)?
        };
        Ok(send(
            &cx,
            creds,
            &args.model,
            &region,
            &bytes,
            args.converse,
            args.dry_run,
        )
        .await)
    })?;
    let report = match outcome {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    Emitter::stdout(args.format).table_or_json(ui, &report, render::invoke_text)?;
    Ok(report.exit_code())
}

/// The Converse request of a JSON body, every field carried through the SDK's types; what
/// cannot be carried was refused by `body::converse_not_carried` before this runs, and a part
/// the SDK will not build is a located problem, never a silent drop.
fn converse_request(
    client: &aws_sdk_bedrockruntime::Client,
    model: &str,
    v: &Value,
) -> Result<aws_sdk_bedrockruntime::operation::converse::builders::ConverseFluentBuilder, Problem> {
    let bad = |at: String, e: &dyn std::fmt::Display| Problem {
        level: Level::Error,
        cause: Cause::MalformedBody,
        at,
        message: format!("cannot be sent as a Converse request: {e}"),
    };
    let text = |x: &Value| x.as_str().unwrap_or_default().to_string();
    let mut req = client.converse().model_id(model);
    for (i, m) in v["messages"].as_array().into_iter().flatten().enumerate() {
        let role = if m["role"] == "assistant" {
            ConversationRole::Assistant
        } else {
            ConversationRole::User
        };
        let mut b = Message::builder().role(role);
        for (j, block) in m["content"].as_array().into_iter().flatten().enumerate() {
            let at = format!("/messages/{i}/content/{j}");
            if let Some(t) = block["text"].as_str() {
                b = b.content(ContentBlock::Text(t.to_string()));
            } else if let Some(u) = block.get("toolUse") {
                let tool_use = ToolUseBlock::builder()
                    .tool_use_id(text(&u["toolUseId"]))
                    .name(text(&u["name"]))
                    .input(to_document(&u["input"]))
                    .build()
                    .map_err(|e| bad(format!("{at}/toolUse"), &e))?;
                b = b.content(ContentBlock::ToolUse(tool_use));
            } else if let Some(r) = block.get("toolResult") {
                let mut result = ToolResultBlock::builder().tool_use_id(text(&r["toolUseId"]));
                for c in r["content"].as_array().into_iter().flatten() {
                    result = result.content(match c.get("text").and_then(Value::as_str) {
                        Some(t) => ToolResultContentBlock::Text(t.to_string()),
                        None => ToolResultContentBlock::Json(to_document(c.get("json").unwrap_or(c))),
                    });
                }
                if let Some(status) = r["status"].as_str() {
                    result = result.status(ToolResultStatus::from(status));
                }
                let result = result.build().map_err(|e| bad(format!("{at}/toolResult"), &e))?;
                b = b.content(ContentBlock::ToolResult(result));
            }
        }
        req = req.messages(b.build().map_err(|e| bad(format!("/messages/{i}"), &e))?);
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
        req = req.additional_model_request_fields(to_document(&v["additionalModelRequestFields"]));
    }
    for path in v["additionalModelResponseFieldPaths"]
        .as_array()
        .into_iter()
        .flatten()
    {
        req = req.additional_model_response_field_paths(text(path));
    }
    for (k, val) in v["requestMetadata"].as_object().into_iter().flatten() {
        req = req.request_metadata(k, text(val));
    }
    let tc = &v["toolConfig"];
    if tc.is_object() {
        let mut config = ToolConfiguration::builder();
        for (i, t) in tc["tools"].as_array().into_iter().flatten().enumerate() {
            let spec = &t["toolSpec"];
            let mut s = ToolSpecification::builder()
                .name(text(&spec["name"]))
                .input_schema(ToolInputSchema::Json(to_document(&spec["inputSchema"]["json"])));
            if let Some(d) = spec["description"].as_str() {
                s = s.description(d);
            }
            let s = s
                .build()
                .map_err(|e| bad(format!("/toolConfig/tools/{i}/toolSpec"), &e))?;
            config = config.tools(Tool::ToolSpec(s));
        }
        let choice = &tc["toolChoice"];
        if choice.get("auto").is_some() {
            config = config.tool_choice(ToolChoice::Auto(AutoToolChoice::builder().build()));
        } else if choice.get("any").is_some() {
            config = config.tool_choice(ToolChoice::Any(AnyToolChoice::builder().build()));
        } else if let Some(name) = choice["tool"]["name"].as_str() {
            let specific = SpecificToolChoice::builder()
                .name(name)
                .build()
                .map_err(|e| bad("/toolConfig/toolChoice".into(), &e))?;
            config = config.tool_choice(ToolChoice::Tool(specific));
        }
        req = req.tool_config(config.build().map_err(|e| bad("/toolConfig".into(), &e))?);
    }
    let gc = &v["guardrailConfig"];
    if gc.is_object() {
        let mut g = GuardrailConfiguration::builder()
            .guardrail_identifier(text(&gc["guardrailIdentifier"]))
            .guardrail_version(text(&gc["guardrailVersion"]));
        if let Some(trace) = gc["trace"].as_str() {
            g = g.trace(GuardrailTrace::from(trace));
        }
        req = req.guardrail_config(g.build());
    }
    if let Some(latency) = v["performanceConfig"]["latency"].as_str() {
        req = req.performance_config(
            PerformanceConfiguration::builder()
                .latency(PerformanceConfigLatency::from(latency))
                .build(),
        );
    }
    Ok(req)
}

/// Sends a Converse request.
async fn converse(
    cx: &Context,
    region: &str,
    req: aws_sdk_bedrockruntime::operation::converse::builders::ConverseFluentBuilder,
) -> Result<Answer, (CallFailure, std::time::Duration)> {
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
async fn send(
    cx: &Context,
    creds: Option<Credentials>,
    model: &str,
    region: &str,
    bytes: &[u8],
    as_converse: bool,
    dry_run: bool,
) -> InvokeReport {
    let (value, problems) = check_body(model, bytes, as_converse);
    let mut report = InvokeReport::checked(model, region, as_converse, problems);
    if report.blocked() || dry_run {
        return report;
    }
    let client = cx.aws.runtime(region, creds);
    if as_converse {
        let req = match converse_request(&client, model, value.as_ref().unwrap_or(&Value::Null)) {
            Ok(r) => r,
            Err(p) => {
                report.problems.push(p);
                return report;
            }
        };
        report.sent = true;
        match converse(cx, region, req).await {
            Ok(a) => report.response = Some(a),
            Err((f, latency)) => {
                report.failure = Some(Failure::classified(f.cause, f.evidence, model, region, latency))
            }
        }
        return report;
    }
    report.sent = true;
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
            let f = aws::failure("bedrock-runtime", "InvokeModel", &e);
            report.failure = Some(Failure::classified(f.cause, f.evidence, model, region, latency));
        }
    }
    report
}
