//! `probe`: the cheapest real call to the exact identifier the user gave, per region. Text
//! models get Converse with one short message and `maxTokens` 1; embedding models InvokeModel
//! with the smallest valid body of their family; image models are skipped (billed per image)
//! unless `--probe-images`. This is the verdict the control-plane hints are checked against.

use super::model_access::{live_regions, parsed_models};
use crate::aws::{self, CallFailure, SEQUENTIAL_DEPTH};
use crate::catalogue::{self, Family};
use crate::check::{Check, CheckError};
use crate::check_info::{CheckInfo, Column};
use crate::codes::Code;
use crate::context::{Context, ProbeUsage, Service};
use crate::ident::{self, ModelRef};
use crate::policy::Plane;
use crate::report::Findings;
use crate::report::{AwsEvidence, Cause, Finding, Status};
use aws_credential_types::Credentials;
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, InferenceConfiguration, Message, ServiceTier, ServiceTierType,
};
use futures::FutureExt;
use futures::future::BoxFuture;
use std::time::{Duration, Instant};

pub struct Probe;

pub static INFO: CheckInfo = CheckInfo {
    id: "probe",
    summary: "A real minimal call (1 output token) to each model in each region",
    depends_on: &["credentials", "regions"],
    starter: "one real call per model and region (see [probe])",
    column,
};

fn column(f: &Finding) -> Option<Column> {
    Some(if f.plane.as_deref() == Some("mantle") {
        Column::Mantle
    } else {
        Column::Probe
    })
}

impl Check for Probe {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run<'a>(&'a self, cx: &'a Context, out: &'a Findings) -> BoxFuture<'a, Result<(), CheckError>> {
        run(cx, out).boxed()
    }
}

/// The probe's answer for one (region, model), before it becomes a finding.
struct Outcome {
    region: String,
    model: String,
    finding: Finding,
}

async fn run(cx: &Context, out: &Findings) -> Result<(), CheckError> {
    let models = parsed_models(cx, None);
    let regions = live_regions(cx);
    let pairs: Vec<(&String, &String, &ModelRef)> = regions
        .iter()
        .flat_map(|r| models.iter().map(move |(m, p)| (r, m, p)))
        .collect();
    let planes = &cx.settings.planes;
    // Why nothing may be sent for a pair, or the credentials to send with.
    let gate = |region: &String, m: &String| -> Result<Option<Credentials>, Box<Finding>> {
        if !cx.settings.invoke {
            return Err(Box::new(skipped(
                region,
                m,
                "--no-invoke was given: no billed call is made".into(),
            )));
        }
        cx.bedrock_gate_in(region).map_err(|why| {
            Box::new(
                Finding::new(
                    Code::BD900,
                    Status::Skip,
                    Cause::Other,
                    format!("{m} in {region} not probed"),
                )
                .check("probe")
                .region(region.clone())
                .model(m.clone())
                .detail(format!("Not called because of {}.", why.0))
                .step("Fix the credentials finding first, then re-run"),
            )
        })
    };
    let runtime = pairs
        .iter()
        .filter(|_| planes.contains(&Plane::Runtime))
        .map(|&(region, m, parsed)| {
            let gate = gate(region, m);
            async move {
                let finding = match gate {
                    Err(f) => *f,
                    Ok(creds) => probe(cx, region, m, parsed, creds).await,
                };
                Outcome {
                    region: region.clone(),
                    model: m.clone(),
                    finding: finding.plane("runtime"),
                }
            }
        });
    let mantle = pairs
        .iter()
        .filter(|_| planes.contains(&Plane::Mantle))
        .map(|&(region, m, parsed)| {
            let gate = gate(region, m);
            async move {
                match gate {
                    Err(f) => *f,
                    Ok(creds) => super::probe_mantle::probe(cx, region, m, parsed, creds).await,
                }
                .plane("mantle")
            }
        });
    let (mut results, mantle) = futures::future::join(
        futures::future::join_all(runtime),
        futures::future::join_all(mantle),
    )
    .await;
    annotate_fallbacks(cx, &mut results);
    for r in results {
        out.push(r.finding);
    }
    for f in mantle {
        out.push(f);
    }
    Ok(())
}

fn skipped(region: &str, m: &str, why: String) -> Finding {
    Finding::new(
        Code::BD412,
        Status::Skip,
        Cause::Other,
        format!("{m} in {region} not probed"),
    )
    .region(region)
    .model(m)
    .detail(why)
}

/// A model that works in the primary region but fails in a fallback is the outage waiting to
/// happen: say so in the fallback's finding.
fn annotate_fallbacks(cx: &Context, results: &mut [Outcome]) {
    let Some(primary) = cx.aws.regions.first().map(|r| r.region.clone()) else {
        return;
    };
    let works_in_primary: Vec<String> = results
        .iter()
        .filter(|r| r.region == primary && r.finding.status == Status::Pass)
        .map(|r| r.model.clone())
        .collect();
    for r in results.iter_mut() {
        if r.region != primary && r.finding.status == Status::Fail && works_in_primary.contains(&r.model) {
            r.finding.title = format!(
                "fallback {} cannot serve {} (the primary {primary} can): {}",
                r.region, r.model, r.finding.cause
            );
            r.finding.detail = format!(
                "An application that fails over from {primary} to {} would fail here. {}",
                r.region, r.finding.detail
            );
        }
    }
}

/// The smallest valid InvokeModel body for an embedding or image model.
fn invoke_body(id: &str, family: Family) -> Option<serde_json::Value> {
    use serde_json::json;
    let id = id.to_ascii_lowercase();
    match family {
        Family::Embedding if id.contains("cohere.") => {
            Some(json!({"texts": ["hi"], "input_type": "search_query"}))
        }
        Family::Embedding if id.contains("titan-embed-text-v2") => {
            Some(json!({"inputText": "hi", "dimensions": 256}))
        }
        Family::Embedding => Some(json!({"inputText": "hi"})),
        Family::Image if id.contains("stability.") => Some(json!({"prompt": "a small red dot"})),
        Family::Image if id.contains("titan-image") || id.contains("nova-canvas") => Some(json!({
            "taskType": "TEXT_IMAGE",
            "textToImageParams": {"text": "a small red dot"},
            "imageGenerationConfig": {"numberOfImages": 1, "width": 320, "height": 320}
        })),
        _ => None,
    }
}

enum Sent {
    Ok {
        request_id: Option<String>,
        input_tokens: u64,
        output_tokens: u64,
        images: u64,
        operation: &'static str,
        /// The service tier that served, as the answer names it.
        tier: Option<String>,
    },
    Failed(CallFailure),
}

async fn send(
    cx: &Context,
    region: &str,
    client: &aws_sdk_bedrockruntime::Client,
    m: &str,
    family: Family,
    body: Option<&serde_json::Value>,
) -> Sent {
    use aws_sdk_bedrockruntime::operation::RequestId;
    match (family, body) {
        (Family::Text, _) => {
            let message = Message::builder()
                .role(ConversationRole::User)
                .content(ContentBlock::Text("hi".into()))
                .build()
                .expect("role and content are set");
            let mut req = client
                .converse()
                .model_id(m)
                .messages(message)
                .inference_config(InferenceConfiguration::builder().max_tokens(1).build());
            if let Some(t) = cx.settings.service_tier {
                req = req.service_tier(
                    ServiceTier::builder()
                        .r#type(ServiceTierType::from(t.as_str()))
                        .build()
                        .expect("the type is set"),
                );
            }
            match cx.call(Service::BedrockRuntime, region, req.send()).await.0 {
                // The SDK fills a missing `output` with an unknown variant: only a message counts.
                Ok(o) if o.output().and_then(|x| x.as_message().ok()).is_none() => {
                    Sent::Failed(aws::answer_without_content(
                        "bedrock-runtime",
                        "Converse",
                        o.request_id(),
                        "the answer had no output message",
                    ))
                }
                Ok(o) => Sent::Ok {
                    request_id: o.request_id().map(str::to_string),
                    input_tokens: o
                        .usage()
                        .map_or(0, |u| u64::try_from(u.input_tokens()).unwrap_or(0)),
                    output_tokens: o
                        .usage()
                        .map_or(0, |u| u64::try_from(u.output_tokens()).unwrap_or(0)),
                    images: 0,
                    operation: "Converse",
                    tier: o.service_tier().map(|t| t.r#type().as_str().to_string()),
                },
                Err(e) => Sent::Failed(aws::failure("bedrock-runtime", "Converse", &e)),
            }
        }
        (_, Some(body)) => {
            let req = client
                .invoke_model()
                .model_id(m)
                .content_type("application/json")
                .accept("application/json")
                .set_service_tier(
                    cx.settings
                        .service_tier
                        .map(|t| ServiceTierType::from(t.as_str())),
                )
                .body(aws_smithy_types::Blob::new(body.to_string().into_bytes()));
            match cx.call(Service::BedrockRuntime, region, req.send()).await.0 {
                Ok(o) => {
                    let v: serde_json::Value = serde_json::from_slice(o.body().as_ref()).unwrap_or_default();
                    let tokens = v["inputTextTokenCount"]
                        .as_u64()
                        .or_else(|| v["meta"]["billed_units"]["input_tokens"].as_u64())
                        .unwrap_or(1);
                    Sent::Ok {
                        request_id: o.request_id().map(str::to_string),
                        input_tokens: if family == Family::Embedding { tokens } else { 0 },
                        output_tokens: 0,
                        images: u64::from(family == Family::Image),
                        operation: "InvokeModel",
                        tier: o.service_tier().map(|t| t.as_str().to_string()),
                    }
                }
                Err(e) => Sent::Failed(aws::failure("bedrock-runtime", "InvokeModel", &e)),
            }
        }
        (_, None) => unreachable!("bodies are chosen before sending"),
    }
}

async fn probe(
    cx: &Context,
    region: &str,
    m: &str,
    parsed: &ModelRef,
    creds: Option<Credentials>,
) -> Finding {
    let foundation = parsed.foundation_id().map(str::to_string);
    let entry = match &foundation {
        Some(id) => cx
            .catalogue(region, creds.clone())
            .await
            .ok()
            .and_then(|c| c.value.iter().find(|x| &x.id == id).cloned()),
        None => None,
    };
    let family = entry
        .as_ref()
        .map_or_else(|| catalogue::family_from_id(m), catalogue::CatalogueModel::family);
    if family == Family::Image && !cx.settings.probe_images {
        return skipped(region, m, "An image or video model: a probe is billed per image. Pass --probe-images to send one (320×320, one image).".into());
    }
    let body = invoke_body(foundation.as_deref().unwrap_or(m), family);
    if family != Family::Text && body.is_none() {
        return skipped(
            region,
            m,
            "No minimal request body is known for this model family; the control-plane checks still apply."
                .into(),
        );
    }
    let client = cx.aws.runtime(region, creds.clone());
    // Imported models answer ModelNotReady while they warm up: retry within this call's share
    // of the run before judging.
    let deadline = Instant::now() + cx.settings.timeout / SEQUENTIAL_DEPTH;
    let start = Instant::now();
    let probing = async {
        loop {
            let sent = send(cx, region, &client, m, family, body.as_ref()).await;
            match &sent {
                Sent::Failed(f)
                    if f.cause == Cause::ModelNotReady
                        && Instant::now() + Duration::from_millis(500) < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                _ => break (sent, start.elapsed()),
            }
        }
    };
    // The account's data retention mode in the region (once per region, beside the first
    // probe): the report header shows it, and a retention refusal names it.
    let ((sent, latency), _) = futures::join!(probing, cx.data_retention(region, creds.clone()));
    match sent {
        Sent::Ok {
            request_id,
            input_tokens,
            output_tokens,
            images,
            operation,
            tier,
        } => {
            cx.add_usage(ProbeUsage {
                calls: 1,
                input_tokens,
                output_tokens,
                images,
            });
            Finding::new(
                Code::BD400,
                Status::Pass,
                Cause::Ok,
                format!("{m} answered in {region} ({} ms)", latency.as_millis()),
            )
            .region(region)
            .model(m)
            .detail(format!(
                "{operation} succeeded: {input_tokens} input and {output_tokens} output tokens{}.{}",
                if images > 0 { ", 1 image" } else { "" },
                served(cx.settings.service_tier, tier.as_deref())
            ))
            .aws(AwsEvidence {
                service: "bedrock-runtime".into(),
                operation: operation.into(),
                http_status: Some(200),
                request_id,
                ..AwsEvidence::default()
            })
            .latency(latency)
        }
        Sent::Failed(f) => {
            // A refused retention mode: the mantle listing (free) says which modes the model
            // accepts; read it once per region to name them.
            if f.cause == Cause::DataRetentionIncompatible {
                let _ = cx.mantle_models(region, creds.clone()).await;
            }
            // A refused identifier: name what this region can call for the same model.
            let routes = match (&foundation, f.cause) {
                (Some(id), Cause::InvalidModelId | Cause::ModelNotInRegion) => {
                    cx.profiles_routing_to(region, id, m, creds).await
                }
                _ => Vec::new(),
            };
            failed(cx, region, m, parsed, entry.is_some(), &routes, f).latency(latency)
        }
    }
}

/// What the answer says about the service tier: the tier that served, and whether it is the one
/// asked for.
fn served(asked: Option<crate::config::ServiceTier>, tier: Option<&str>) -> String {
    match (asked.map(|t| t.as_str()), tier) {
        (Some(a), Some(t)) if a == t => format!(" Served by the `{t}` service tier, as asked."),
        (Some(a), Some(t)) => {
            format!(" Asked for the `{a}` service tier; the `{t}` tier served (the answer says so).")
        }
        (Some(a), None) => {
            format!(" Asked for the `{a}` service tier; the answer did not name the tier that served.")
        }
        (None, Some(t)) => format!(" Served by the `{t}` service tier."),
        (None, None) => String::new(),
    }
}

/// The ambiguous "model identifier is invalid" is resolved with what the catalogue and the
/// profile's geography say.
fn refine(
    cx: &Context,
    region: &str,
    parsed: &ModelRef,
    in_catalogue: bool,
    cause: Cause,
) -> (Cause, Option<String>) {
    if cause != Cause::InvalidModelId {
        return (cause, None);
    }
    match parsed {
        ModelRef::SystemProfile { geo, .. } if !ident::geo_serves_region(geo, region) => (
            Cause::ModelNotInRegion,
            Some(format!(
                "A `{geo}.` profile can only be called from its own geography, not from {region}."
            )),
        ),
        ModelRef::Foundation { .. } | ModelRef::FoundationArn { .. }
            if !in_catalogue && cx.catalogue_if_known(region).is_some() =>
        {
            (
                Cause::ModelNotInRegion,
                Some(format!("The model is not in {region}'s catalogue.")),
            )
        }
        _ => (cause, None),
    }
}

fn failed(
    cx: &Context,
    region: &str,
    m: &str,
    parsed: &ModelRef,
    in_catalogue: bool,
    routes: &[String],
    f: CallFailure,
) -> Finding {
    let (cause, why) = refine(cx, region, parsed, in_catalogue, f.cause);
    let why = match (cause, cx.data_retention_known(region)) {
        (Cause::DataRetentionIncompatible, Some(r)) => Some(match r.mode {
            Some(mode) => format!(
                "The account's data retention mode in {region} is `{mode}` (GetAccountDataRetention); {m} does not accept it.{}",
                parsed
                    .foundation_id()
                    .and_then(|id| cx.mantle_model_known(region, id))
                    .filter(|x| !x.allowed_retention.is_empty())
                    .map(|x| format!(
                        " The model accepts {} (the bedrock-mantle model list).",
                        x.allowed_retention
                            .iter()
                            .map(|a| format!("`{a}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                    .unwrap_or_default()
            ),
            None => format!(
                "The account's data retention mode in {region} could not be read ({}).",
                r.note.unwrap_or_default()
            ),
        }),
        _ => why,
    };
    let message = f.evidence.message.clone().unwrap_or_default();
    let no_answer = f.status == Status::Inconclusive;
    let (code, step): (Code, String) = match cause {
        _ if no_answer => (
            Code::BD411,
            f.network().map_or_else(
                || "Re-run later; nothing about access was learned from this call".into(),
                |n| n.step.to_string(),
            ),
        ),
        Cause::IamDeniedInvoke => (Code::BD401, format!("Allow `bedrock:InvokeModel` on `{m}` in the principal's policy (for a profile: the profile ARN and the foundation-model ARN in every destination region)")),
        Cause::ScpDenied => (Code::BD402, "Ask the organization administrators to allow Bedrock for this account and every region the call can reach (the message names the SCP)".into()),
        Cause::IamDeniedMarketplace => (Code::BD403, "Let one principal with `aws-marketplace:Subscribe` and `aws-marketplace:ViewSubscriptions` invoke the model once (or subscribe centrally); afterwards no role needs them".into()),
        Cause::MarketplaceAgreementMissing => (Code::BD404, "Check the account's payment method and the model's Marketplace subscription; a pending agreement completes within about 15 minutes".into()),
        Cause::AnthropicUseCaseForm => (Code::BD405, "Submit Anthropic's use-case form once for the account (Bedrock console → Model catalog → an Anthropic model)".into()),
        Cause::ModelAccessNotGranted => (Code::BD406, "The account may not use this model: check account-level gating with your AWS account team, or use another model".into()),
        Cause::NeedsInferenceProfile => (Code::BD407, "Invoke a cross-region inference profile ID (e.g. `us.` + the model ID) instead of the bare model ID; `bedrock-doctor check --model` on the profile verifies it".into()),
        Cause::ServiceTierUnavailable => (
            Code::BD413,
            match cx.settings.service_tier {
                Some(crate::config::ServiceTier::Reserved) => format!("Drop `--service-tier reserved` (the default tier serves every model), or ask your AWS account team for a reservation for {m} in {region}"),
                Some(t) => format!("Drop the `{}` service tier or ask for `default`; {m} does not offer it here", t.as_str()),
                None => "The application names a service tier the model cannot use here: drop it or ask for `default`".into(),
            },
        ),
        Cause::DataRetentionIncompatible => (
            Code::BD414,
            format!("Set a data retention mode {m} accepts in {region} (`aws bedrock put-account-data-retention --region {region}`, or the Bedrock console), or call a model that accepts the account's mode"),
        ),
        Cause::ModelEolLegacy => (Code::BD408, "Move to the model's successor; Legacy access cannot be restored by the account".into()),
        Cause::InvalidModelId | Cause::ModelNotInRegion if !routes.is_empty() => (Code::BD409, super::model_access::instead(routes, region)),
        Cause::InvalidModelId | Cause::ModelNotInRegion => (Code::BD409, format!("Check the identifier against `aws bedrock list-foundation-models --region {region}` and `list-inference-profiles`")),
        c if c.is_transient() => (Code::BD411, "Re-run later; nothing about access was learned from this call".into()),
        _ => (Code::BD410, "Read AWS's message in the detail; `bedrock-doctor explain BD410` lists the usual causes".into()),
    };
    // A model gated for the account looks available everywhere else: say so.
    let gated = cause == Cause::ModelAccessNotGranted
        && (crate::classify::normalise(&message).contains("not available for this account")
            || f.evidence
                .error_code
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case("BadCScoreException")));
    let why = if gated {
        Some(format!(
            "{}The account is gated from this model: GetFoundationModelAvailability and the catalogue can look all green for it, and only AWS (your account team, AWS Sales) can open it.",
            why.map(|w| format!("{w} ")).unwrap_or_default()
        ))
    } else {
        why
    };
    let why = match (cause, crate::classify::throttle_kind(&message)) {
        (Cause::Throttled | Cause::QuotaExceeded, Some(kind)) => Some(format!(
            "{}The limit hit: {kind}.",
            why.map(|w| format!("{w} ")).unwrap_or_default()
        )),
        _ => why,
    };
    let status = if code == Code::BD411 {
        Status::Inconclusive
    } else {
        f.status
    };
    let op = &f.evidence.operation;
    let answered = match (f.evidence.http_status, &f.evidence.error_code) {
        (_, Some(c)) => format!("{op} answered {c}: {message}"),
        (Some(http), None) => format!("{op} answered HTTP {http} without an error code: {message}"),
        (None, None) => format!("{op} {}", f.no_answer()),
    };
    let detail = format!("{answered}{}", why.map(|w| format!(" {w}")).unwrap_or_default());
    // Only an answer that says so is a verdict: otherwise the call could not tell.
    let title = if status == Status::Inconclusive {
        format!("{m} could not be verified in {region} ({cause})")
    } else {
        format!("{m} cannot be invoked in {region} ({cause})")
    };
    Finding::new(code, status, cause, title)
        .region(region)
        .model(m)
        .detail(detail)
        .step(step)
        .aws(f.evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_per_family() {
        assert_eq!(
            invoke_body("amazon.titan-embed-text-v2:0", Family::Embedding).unwrap()["dimensions"],
            256
        );
        assert!(
            invoke_body("amazon.titan-embed-text-v1", Family::Embedding)
                .unwrap()
                .get("dimensions")
                .is_none()
        );
        assert_eq!(
            invoke_body("cohere.embed-english-v3", Family::Embedding).unwrap()["input_type"],
            "search_query"
        );
        assert_eq!(
            invoke_body("amazon.nova-canvas-v1:0", Family::Image).unwrap()["taskType"],
            "TEXT_IMAGE"
        );
        assert!(invoke_body("amazon.nova-reel-v1:0", Family::Image).is_none());
    }
}
