//! The `probe` check on the `bedrock-mantle` plane (`--plane mantle|all`): for each region and
//! model, what the endpoint lists (`GET /v1/models`, free), then the smallest request its API
//! accepts: Chat Completions (`max_tokens` 1), Responses (`max_output_tokens` 16, the floor the
//! Responses API enforces) or Anthropic's Messages (`max_tokens` 1), as the knowledge base says
//! the model is served there. A model served under `/openai/v1` rather than `/v1` answers "isn't
//! supported on this route": the probe then tries that route once and says which one works.

use crate::aws::CallFailure;
use crate::aws::mantle::MantleRoute;
use crate::codes::Code;
use crate::context::{Context, ProbeUsage};
use crate::ident::ModelRef;
use crate::report::{AwsEvidence, Cause, Finding, Status};
use aws_credential_types::Credentials;
use serde_json::json;

/// The API a model is probed through on mantle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Api {
    ChatCompletions,
    Responses,
    Messages,
}

impl Api {
    /// The API the knowledge base lists for the model in the region (Chat Completions first:
    /// the cheapest request).
    fn for_model(cx_apis: &[String]) -> Api {
        let has = |a: &str| cx_apis.iter().any(|x| x == a);
        if has("completions") || has("chat_completions") || cx_apis.is_empty() {
            Api::ChatCompletions
        } else if has("responses") {
            Api::Responses
        } else if has("messages") {
            Api::Messages
        } else {
            Api::ChatCompletions
        }
    }

    fn operation(self) -> &'static str {
        match self {
            Api::ChatCompletions => "ChatCompletions",
            Api::Responses => "Responses",
            Api::Messages => "Messages",
        }
    }

    fn route(self, prefix: &str) -> MantleRoute {
        let (path, headers) = match self {
            Api::ChatCompletions => (format!("{prefix}/chat/completions"), vec![]),
            Api::Responses => (format!("{prefix}/responses"), vec![]),
            Api::Messages => (
                "/anthropic/v1/messages".to_string(),
                vec![("anthropic-version", "2023-06-01")],
            ),
        };
        MantleRoute {
            method: "POST",
            path,
            headers,
        }
    }

    fn body(self, model: &str) -> serde_json::Value {
        match self {
            Api::ChatCompletions => json!({
                "model": model,
                "messages": [{"role": "user", "content": "hi"}],
                "max_tokens": 1
            }),
            Api::Responses => json!({ "model": model, "input": "hi", "max_output_tokens": 16 }),
            Api::Messages => json!({
                "model": model,
                "max_tokens": 1,
                "messages": [{"role": "user", "content": "hi"}]
            }),
        }
    }
}

fn finding(code: Code, status: Status, cause: Cause, title: String, region: &str, m: &str) -> Finding {
    Finding::new(code, status, cause, title)
        .region(region)
        .model(m)
        .plane("mantle")
}

/// The mantle verdict for `m` in `region`.
pub async fn probe(
    cx: &Context,
    region: &str,
    m: &str,
    parsed: &ModelRef,
    creds: Option<Credentials>,
) -> Finding {
    let kb = crate::knowledge::embedded();
    // Mantle takes bare model IDs: a profile ID or an ARN is refused there, so say so first.
    let id = match parsed {
        ModelRef::Foundation { id } => id.clone(),
        _ => {
            let bare = parsed.foundation_id().map(str::to_string);
            return finding(
                Code::BD409,
                Status::Fail,
                Cause::InvalidModelId,
                format!("{m} cannot be called on bedrock-mantle: it takes bare model IDs"),
                region,
                m,
            )
            .detail(format!(
                "Inference profiles and ARNs are a bedrock-runtime feature; the bedrock-mantle endpoint answers 404 for them. No call was sent.{}",
                bare.as_ref()
                    .map(|b| format!(" The bare ID of this model is `{b}`."))
                    .unwrap_or_default()
            ))
            .step(match bare {
                Some(b) => format!("Call `{b}` on bedrock-mantle (or keep `{m}` on bedrock-runtime)"),
                None => "Call a foundation model by its bare ID on bedrock-mantle".into(),
            });
        }
    };
    let served_in: Vec<&String> = kb
        .regions
        .iter()
        .filter(|(_, r)| r.models.get(&id).is_some_and(|x| !x.mantle_apis.is_empty()))
        .map(|(name, _)| name)
        .collect();
    let apis = kb
        .model(region, &id)
        .map(|x| x.mantle_apis.clone())
        .unwrap_or_default();
    // What the endpoint lists: a model it does not list is not served there (a listing that
    // failed decides nothing; the call does).
    let listing = cx.mantle_models(region, creds.clone()).await;
    if let Ok(list) = &listing
        && !list.value.iter().any(|x| x.id == id)
    {
        return finding(
            Code::BD409,
            Status::Fail,
            Cause::ModelNotInRegion,
            format!("{m} is not served by bedrock-mantle in {region}"),
            region,
            m,
        )
        .detail(format!(
            "GET /v1/models in {region} lists {} models, not `{id}`.{}",
            list.value.len(),
            if served_in.is_empty() {
                " The knowledge base knows no mantle region that serves it.".to_string()
            } else {
                format!(
                    " The knowledge base says mantle serves it in {}.",
                    served_in
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ))
        .aws(AwsEvidence::success(
            "bedrock-mantle",
            "ListModels",
            list.request_id.as_deref(),
        ))
        .step(format!(
            "Call it on bedrock-runtime in {region}, or on bedrock-mantle where it is served"
        ));
    }
    let listed_note = match &listing {
        Ok(_) => String::new(),
        Err(f) => format!(" (GET /v1/models {}, so the call decides)", f.no_answer()),
    };
    let api = Api::for_model(&apis);
    let body = api.body(&id);
    let send = |prefix: &'static str| {
        cx.mantle(
            region,
            creds.clone(),
            api.operation(),
            api.route(prefix),
            Some(&body),
        )
    };
    let mut prefix = "/v1";
    let mut answer = send(prefix).await;
    if api != Api::Messages
        && let Err(f) = &answer
        && wrong_route(f)
    {
        prefix = "/openai/v1";
        answer = send(prefix).await;
    }
    let path = api.route(prefix).path;
    match answer {
        Ok(got) => {
            let v: serde_json::Value = serde_json::from_slice(&got.value).unwrap_or_default();
            let usage = &v["usage"];
            let tokens = |a: &str, b: &str| usage[a].as_u64().or_else(|| usage[b].as_u64()).unwrap_or(0);
            let (input, output) = (
                tokens("prompt_tokens", "input_tokens"),
                tokens("completion_tokens", "output_tokens"),
            );
            cx.add_usage(ProbeUsage {
                calls: 1,
                input_tokens: input,
                output_tokens: output,
                images: 0,
            });
            finding(
                Code::BD400,
                Status::Pass,
                Cause::Ok,
                format!("{m} answered on bedrock-mantle in {region} ({} ms)", got.latency.as_millis()),
                region,
                m,
            )
            .detail(format!(
                "POST {path} succeeded: {input} input and {output} output tokens.{}{listed_note}",
                if prefix == "/openai/v1" {
                    " The model is served under /openai/v1: /v1 answered that it is not supported on that route."
                } else {
                    ""
                }
            ))
            .aws(AwsEvidence {
                service: "bedrock-mantle".into(),
                operation: api.operation().into(),
                http_status: Some(200),
                request_id: got.request_id,
                ..AwsEvidence::default()
            })
            .latency(got.latency)
        }
        Err(f) => {
            // An endpoint that cannot be reached where the knowledge base knows no mantle model
            // probably does not exist there; still no verdict (the list may be out of date).
            let none_here = kb
                .regions
                .get(region)
                .is_some_and(|r| r.complete && r.models.values().all(|x| x.mantle_apis.is_empty()));
            let note = if none_here && f.cause == Cause::EndpointUnreachable {
                format!(
                    "{listed_note} The knowledge base of {} lists no model on bedrock-mantle in {region}: the endpoint may not be offered there.",
                    kb.date
                )
            } else {
                listed_note.clone()
            };
            failed(region, m, &id, &path, f, &note, cx)
        }
    }
}

/// "model … isn't supported on this route": a model served under the other prefix.
fn wrong_route(f: &CallFailure) -> bool {
    f.evidence
        .message
        .as_deref()
        .is_some_and(|m| crate::classify::normalise(m).contains("supported on this route"))
}

fn failed(
    region: &str,
    m: &str,
    id: &str,
    path: &str,
    f: CallFailure,
    listed_note: &str,
    cx: &Context,
) -> Finding {
    let message = f.evidence.message.clone().unwrap_or_default();
    let no_answer = f.status == Status::Inconclusive || f.cause.is_transient();
    let account = cx
        .identity()
        .and_then(|i| i.account)
        .unwrap_or_else(|| crate::policy::ACCOUNT_PLACEHOLDER.into());
    let partition = crate::regions::lookup(region).map_or("aws", |r| r.partition);
    let (code, step) = match f.cause {
        _ if no_answer => (
            Code::BD411,
            "Re-run later; nothing about access on bedrock-mantle was learned from this call".to_string(),
        ),
        Cause::IamDeniedInvoke | Cause::ScpDenied => (
            if f.cause == Cause::ScpDenied { Code::BD402 } else { Code::BD401 },
            format!(
                "Allow `bedrock-mantle:CreateInference` on `arn:{partition}:bedrock-mantle:{region}:{account}:project/*` (`bedrock-doctor policy --plane mantle --region {region} --model {id}` prints the statement)"
            ),
        ),
        Cause::InvalidCredentials | Cause::ExpiredToken => (
            crate::triage::code_for(f.cause),
            "Check the credentials or API key: bedrock-mantle accepts SigV4 signed for `bedrock-mantle` or a Bedrock API key".into(),
        ),
        Cause::InvalidModelId | Cause::ModelNotInRegion => (
            Code::BD409,
            format!("Check `GET /v1/models` on bedrock-mantle in {region} for the exact ID and route"),
        ),
        c => (
            crate::triage::code_for(c),
            "Read the endpoint's message in the detail".into(),
        ),
    };
    let status = if code == Code::BD411 {
        Status::Inconclusive
    } else {
        f.status
    };
    let title = if status == Status::Inconclusive {
        format!(
            "{m} could not be verified on bedrock-mantle in {region} ({})",
            f.cause
        )
    } else {
        format!(
            "{m} cannot be invoked on bedrock-mantle in {region} ({})",
            f.cause
        )
    };
    let answered = match (f.evidence.http_status, &f.evidence.error_code) {
        (Some(http), Some(c)) => format!("POST {path} answered HTTP {http} {c}: {message}"),
        (Some(http), None) => format!("POST {path} answered HTTP {http}: {message}"),
        (None, _) => format!("POST {path} {}", f.no_answer()),
    };
    finding(code, status, f.cause, title, region, m)
        .detail(format!("{answered}{listed_note}"))
        .step(step)
        .aws(f.evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_follows_what_the_knowledge_base_lists() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            Api::for_model(&s(&["completions", "responses"])),
            Api::ChatCompletions
        );
        assert_eq!(Api::for_model(&s(&["responses"])), Api::Responses);
        assert_eq!(Api::for_model(&s(&["messages"])), Api::Messages);
        assert_eq!(Api::for_model(&[]), Api::ChatCompletions);
        assert_eq!(Api::Messages.route("/v1").path, "/anthropic/v1/messages");
        assert_eq!(
            Api::ChatCompletions.route("/openai/v1").path,
            "/openai/v1/chat/completions"
        );
        assert_eq!(Api::Responses.body("m")["max_output_tokens"], 16);
    }
}
