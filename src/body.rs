//! Local validation of request bodies against the shape each model family accepts, so that
//! `invoke` can say what Bedrock would reject before anything is sent (and billed).

use crate::report::Cause;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How serious a problem is: errors stop `invoke` from sending, warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
}

/// One problem in a body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub level: Level,
    pub cause: Cause,
    /// Where: a JSON pointer (`/messages/0/content`), or `line L, column C` for syntax errors.
    pub at: String,
    pub message: String,
}

fn err(cause: Cause, at: &str, message: impl Into<String>) -> Problem {
    Problem {
        level: Level::Error,
        cause,
        at: at.to_string(),
        message: message.into(),
    }
}

fn warn(cause: Cause, at: &str, message: impl Into<String>) -> Problem {
    Problem {
        level: Level::Warning,
        cause,
        at: at.to_string(),
        message: message.into(),
    }
}

/// Parses a body, turning a syntax error into a located problem.
pub fn parse(bytes: &[u8]) -> Result<Value, Problem> {
    serde_json::from_slice(bytes).map_err(|e| {
        err(
            Cause::MalformedBody,
            &format!("line {}, column {}", e.line(), e.column()),
            format!("the body is not valid JSON: {e}"),
        )
    })
}

/// The family a model id belongs to, for body rules (profile prefixes and ARNs stripped).
fn base_id(model: &str) -> String {
    let id = model.rsplit('/').next().unwrap_or(model).to_ascii_lowercase();
    for geo in crate::ident::PROFILE_GEOS {
        if let Some(rest) = id.strip_prefix(&format!("{geo}."))
            && rest.contains('.')
        {
            return rest.to_string();
        }
    }
    id
}

/// Claude models that speak only the Messages API.
fn claude_messages_only(id: &str) -> bool {
    !(id.contains("claude-v2") || id.contains("claude-instant") || id.contains("claude-v1"))
}

/// Claude models that reject `temperature` together with `top_p`.
fn claude_rejects_temperature_with_top_p(id: &str) -> bool {
    [
        "claude-sonnet-4-5",
        "claude-haiku-4-5",
        "claude-opus-4-1",
        "claude-opus-4-5",
        "claude-opus-4-6",
        "claude-opus-4-7",
        "claude-sonnet-4-6",
    ]
    .iter()
    .any(|m| id.contains(m))
}

const CLAUDE_KEYS: &[&str] = &[
    "anthropic_version",
    "anthropic_beta",
    "max_tokens",
    "messages",
    "system",
    "temperature",
    "top_p",
    "top_k",
    "stop_sequences",
    "tools",
    "tool_choice",
    "thinking",
    "metadata",
];
const CONVERSE_KEYS: &[&str] = &[
    "messages",
    "system",
    "inferenceConfig",
    "additionalModelRequestFields",
    "additionalModelResponseFieldPaths",
    "toolConfig",
    "guardrailConfig",
    "performanceConfig",
    "promptVariables",
    "requestMetadata",
];
const CHAT_KEYS: &[&str] = &[
    "messages",
    "prompt",
    "max_tokens",
    "max_tokens_to_sample",
    "temperature",
    "top_p",
    "top_k",
    "anthropic_version",
    "system",
];

/// Checks `body` for `model`: as an InvokeModel body, or as a Converse request with `converse`.
pub fn validate(model: &str, body: &Value, converse: bool) -> Vec<Problem> {
    let mut out = Vec::new();
    let Some(obj) = body.as_object() else {
        out.push(err(Cause::MalformedBody, "", "the body must be a JSON object"));
        return out;
    };
    let id = base_id(model);
    if converse {
        for k in obj.keys().filter(|k| !CONVERSE_KEYS.contains(&k.as_str())) {
            let hint = match k.as_str() {
                "max_tokens" | "maxTokens" => " (use inferenceConfig.maxTokens)",
                "anthropic_version" => " (Converse bodies carry no anthropic_version)",
                _ => "",
            };
            out.push(err(
                Cause::MalformedBody,
                &format!("/{k}"),
                format!("Converse does not accept the key `{k}`{hint}"),
            ));
        }
        check_messages(obj.get("messages"), &mut out, true);
        out.extend(converse_not_carried(obj));
        return out;
    }
    if id.starts_with("anthropic.claude") {
        if let Some(prompt) = obj.get("prompt") {
            if claude_messages_only(&id) {
                out.push(err(Cause::LegacyPromptFormat, "/prompt", "this Claude model accepts only the Messages API: send `anthropic_version`, `max_tokens` and `messages` instead of `prompt`"));
                return out;
            }
            let p = prompt.as_str().unwrap_or_default();
            let after_system = p.find("\n\nHuman:");
            if !p.starts_with("\n\nHuman:") && after_system.is_none() {
                out.push(err(
                    Cause::LegacyPromptFormat,
                    "/prompt",
                    "the prompt must start with \"\\n\\nHuman:\" (after an optional system prompt)",
                ));
            } else if !after_system.is_some_and(|h| p[h..].contains("\n\nAssistant:")) {
                out.push(err(
                    Cause::LegacyPromptFormat,
                    "/prompt",
                    "the prompt must contain a \"\\n\\nAssistant:\" turn after \"\\n\\nHuman:\"",
                ));
            }
            if obj.get("max_tokens_to_sample").is_none() {
                out.push(err(
                    Cause::MalformedBody,
                    "/max_tokens_to_sample",
                    "text completions need `max_tokens_to_sample`",
                ));
            }
            return out;
        }
        if obj.get("anthropic_version").and_then(Value::as_str).is_none() {
            out.push(err(
                Cause::MalformedBody,
                "/anthropic_version",
                "missing `anthropic_version` (use \"bedrock-2023-05-31\")",
            ));
        }
        if obj
            .get("max_tokens")
            .and_then(Value::as_u64)
            .is_none_or(|n| n == 0)
        {
            out.push(err(
                Cause::MalformedBody,
                "/max_tokens",
                "missing or zero `max_tokens` (required by the Messages API)",
            ));
        }
        for k in obj.keys().filter(|k| !CLAUDE_KEYS.contains(&k.as_str())) {
            // Keys AWS documents as rejected are errors; any other key may be newer than this
            // list, so it only warns, with the known key it most resembles.
            let rejected = match k.as_str() {
                "model" => Some("the model is named in the URL, not the body"),
                "stream" => Some("streaming is a different operation (InvokeModelWithResponseStream)"),
                _ => None,
            };
            out.push(match rejected {
                Some(why) => err(Cause::MalformedBody, &format!("/{k}"), format!("extraneous key `{k}`: {why}")),
                None => warn(
                    Cause::MalformedBody,
                    &format!("/{k}"),
                    format!(
                        "unknown key `{k}`{}: Bedrock rejects keys the model does not know (\"extraneous key\"), unless it is newer than this check",
                        closest(k, CLAUDE_KEYS).map(|c| format!(" (did you mean `{c}`?)")).unwrap_or_default()
                    ),
                ),
            });
        }
        if obj.contains_key("temperature") && obj.contains_key("top_p") {
            let msg = "`temperature` and `top_p` are both set; newer Claude models accept only one of them";
            out.push(if claude_rejects_temperature_with_top_p(&id) {
                err(Cause::MalformedBody, "/top_p", msg)
            } else {
                warn(Cause::MalformedBody, "/top_p", msg)
            });
        }
        check_messages(obj.get("messages"), &mut out, false);
    } else if id.contains("embed") {
        for k in obj.keys().filter(|k| CHAT_KEYS.contains(&k.as_str())) {
            out.push(err(
                Cause::MalformedBody,
                &format!("/{k}"),
                format!("`{k}` is a chat key; embedding models do not accept it"),
            ));
        }
        if id.starts_with("cohere.") {
            if !obj.get("texts").is_some_and(Value::is_array) && !obj.contains_key("images") {
                out.push(err(
                    Cause::MalformedBody,
                    "/texts",
                    "Cohere Embed needs `texts` (an array of strings)",
                ));
            }
            if obj.get("input_type").and_then(Value::as_str).is_none() {
                out.push(err(
                    Cause::MalformedBody,
                    "/input_type",
                    "Cohere Embed needs `input_type` (e.g. \"search_query\")",
                ));
            }
        } else if id.starts_with("amazon.titan-embed")
            && obj.get("inputText").and_then(Value::as_str).is_none()
            && !obj.contains_key("inputImage")
        {
            out.push(err(
                Cause::MalformedBody,
                "/inputText",
                "Titan embeddings need `inputText` (a string)",
            ));
        }
    } else if id.starts_with("amazon.nova")
        && !id.contains("canvas")
        && !id.contains("reel")
        && !id.contains("sonic")
    {
        if obj.get("messages").is_none() {
            out.push(err(
                Cause::MalformedBody,
                "/messages",
                "Nova needs `messages` (the messages-v1 schema)",
            ));
        }
        for k in ["max_tokens", "anthropic_version", "prompt"] {
            if obj.contains_key(k) {
                out.push(err(
                    Cause::MalformedBody,
                    &format!("/{k}"),
                    format!("Nova does not accept `{k}` (use `inferenceConfig.max_new_tokens`)"),
                ));
            }
        }
    } else if id.starts_with("meta.llama") {
        if obj.get("prompt").and_then(Value::as_str).is_none() {
            out.push(err(
                Cause::MalformedBody,
                "/prompt",
                "Llama on InvokeModel needs `prompt` (a string); use --converse for messages",
            ));
        }
        if obj.contains_key("max_tokens") {
            out.push(warn(
                Cause::MalformedBody,
                "/max_tokens",
                "Llama uses `max_gen_len`, not `max_tokens`",
            ));
        }
    }
    out
}

/// The known key nearest to `key`, if any is near.
fn closest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(key, k), *k))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, k)| k)
}

/// What `invoke --converse` sends through the SDK's types, field by field. Anything else in the
/// body would be dropped silently, so it is refused instead, by name.
const CONVERSE_CARRIED: &[&str] = &[
    "messages",
    "system",
    "inferenceConfig",
    "additionalModelRequestFields",
    "additionalModelResponseFieldPaths",
    "toolConfig",
    "guardrailConfig",
    "performanceConfig",
    "requestMetadata",
];
const CONVERSE_INFERENCE: &[&str] = &["maxTokens", "temperature", "topP", "stopSequences"];

/// The parts of a Converse body `invoke --converse` cannot carry yet (content blocks other
/// than text, tool use and tool results; `promptVariables`; unknown inference settings).
pub fn converse_not_carried(obj: &serde_json::Map<String, Value>) -> Vec<Problem> {
    let mut out = Vec::new();
    let refuse = |at: String, what: &str| {
        err(
            Cause::MalformedBody,
            &at,
            format!(
                "invoke --converse cannot send {what} yet; send the model's native body without --converse, or leave it out"
            ),
        )
    };
    for k in obj
        .keys()
        .filter(|k| CONVERSE_KEYS.contains(&k.as_str()) && !CONVERSE_CARRIED.contains(&k.as_str()))
    {
        out.push(refuse(format!("/{k}"), &format!("`{k}`")));
    }
    if let Some(ic) = obj.get("inferenceConfig").and_then(Value::as_object) {
        for k in ic.keys().filter(|k| !CONVERSE_INFERENCE.contains(&k.as_str())) {
            out.push(refuse(
                format!("/inferenceConfig/{k}"),
                &format!("`inferenceConfig.{k}`"),
            ));
        }
    }
    for (i, m) in obj
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        for (j, b) in m
            .get("content")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let kind = b
                .as_object()
                .and_then(|o| o.keys().next())
                .map_or("?", String::as_str);
            if !matches!(kind, "text" | "toolUse" | "toolResult") {
                out.push(refuse(
                    format!("/messages/{i}/content/{j}"),
                    &format!("a `{kind}` content block"),
                ));
            }
        }
    }
    for (i, b) in obj
        .get("system")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if b.get("text").and_then(Value::as_str).is_none() {
            let kind = b
                .as_object()
                .and_then(|o| o.keys().next())
                .map_or("?", String::as_str);
            out.push(refuse(
                format!("/system/{i}"),
                &format!("a `{kind}` system block"),
            ));
        }
    }
    out
}

fn check_messages(messages: Option<&Value>, out: &mut Vec<Problem>, converse: bool) {
    let Some(list) = messages.and_then(Value::as_array).filter(|l| !l.is_empty()) else {
        out.push(err(
            Cause::MalformedBody,
            "/messages",
            "`messages` must be a non-empty array",
        ));
        return;
    };
    for (i, m) in list.iter().enumerate() {
        let role = m.get("role").and_then(Value::as_str);
        if !matches!(role, Some("user" | "assistant")) {
            out.push(err(
                Cause::MalformedBody,
                &format!("/messages/{i}/role"),
                "`role` must be \"user\" or \"assistant\"",
            ));
        }
        match m.get("content") {
            Some(Value::String(_)) if converse => {
                out.push(err(
                    Cause::MalformedBody,
                    &format!("/messages/{i}/content"),
                    "Converse content is an array of blocks, e.g. [{\"text\": \"hi\"}]",
                ));
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                out.push(err(
                    Cause::MalformedBody,
                    &format!("/messages/{i}/content"),
                    "text content must not be blank",
                ));
            }
            Some(Value::Array(blocks)) => {
                for (j, b) in blocks.iter().enumerate() {
                    if b.get("text")
                        .and_then(Value::as_str)
                        .is_some_and(|t| t.trim().is_empty())
                    {
                        out.push(err(
                            Cause::MalformedBody,
                            &format!("/messages/{i}/content/{j}/text"),
                            "text content blocks must not be blank",
                        ));
                    }
                }
            }
            Some(Value::String(_)) => {}
            _ => out.push(err(
                Cause::MalformedBody,
                &format!("/messages/{i}/content"),
                "every message needs `content`",
            )),
        }
    }
    if list.first().and_then(|m| m.get("role")).and_then(Value::as_str) == Some("assistant") {
        out.push(err(
            Cause::MalformedBody,
            "/messages/0/role",
            "the first message must come from the user",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn causes(model: &str, body: Value, converse: bool) -> Vec<(Level, Cause, String)> {
        validate(model, &body, converse)
            .into_iter()
            .map(|p| (p.level, p.cause, p.at))
            .collect()
    }

    #[test]
    fn a_good_claude_messages_body_passes() {
        let body = json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]});
        assert!(validate("anthropic.claude-3-5-sonnet-20240620-v1:0", &body, false).is_empty());
        assert!(validate("us.anthropic.claude-sonnet-4-20250514-v1:0", &body, false).is_empty());
    }

    #[test]
    fn claude_messages_problems() {
        let c = causes(
            "anthropic.claude-3-5-sonnet-20240620-v1:0",
            json!({"model": "x", "messages": [{"role": "user", "content": " "}], "temperature": 1, "top_p": 0.9}),
            false,
        );
        assert!(c.contains(&(Level::Error, Cause::MalformedBody, "/anthropic_version".into())));
        assert!(c.contains(&(Level::Error, Cause::MalformedBody, "/max_tokens".into())));
        assert!(c.contains(&(Level::Error, Cause::MalformedBody, "/model".into())));
        assert!(c.contains(&(Level::Warning, Cause::MalformedBody, "/top_p".into())));
        assert!(c.contains(&(Level::Error, Cause::MalformedBody, "/messages/0/content".into())));
        let newer = causes(
            "anthropic.claude-sonnet-4-5-20250929-v1:0",
            json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}], "temperature": 1, "top_p": 0.9}),
            false,
        );
        assert_eq!(newer, vec![(Level::Error, Cause::MalformedBody, "/top_p".into())]);
    }

    #[test]
    fn legacy_prompts() {
        let c = causes(
            "anthropic.claude-v2:1",
            json!({"prompt": "Tell me a joke", "max_tokens_to_sample": 10}),
            false,
        );
        assert_eq!(
            c,
            vec![(Level::Error, Cause::LegacyPromptFormat, "/prompt".into())]
        );
        let ok = causes(
            "anthropic.claude-v2:1",
            json!({"prompt": "\n\nHuman: hi\n\nAssistant:", "max_tokens_to_sample": 10}),
            false,
        );
        assert!(ok.is_empty());
        let no_assistant = causes(
            "anthropic.claude-v2:1",
            json!({"prompt": "\n\nHuman: hi", "max_tokens_to_sample": 10}),
            false,
        );
        assert_eq!(no_assistant[0].1, Cause::LegacyPromptFormat);
        let messages_only = causes(
            "anthropic.claude-3-haiku-20240307-v1:0",
            json!({"prompt": "\n\nHuman: hi\n\nAssistant:"}),
            false,
        );
        assert_eq!(
            messages_only,
            vec![(Level::Error, Cause::LegacyPromptFormat, "/prompt".into())]
        );
    }

    #[test]
    fn embeddings_reject_chat_keys() {
        assert!(
            validate(
                "amazon.titan-embed-text-v2:0",
                &json!({"inputText": "hi", "dimensions": 256}),
                false
            )
            .is_empty()
        );
        let c = causes(
            "amazon.titan-embed-text-v2:0",
            json!({"messages": [], "max_tokens": 5}),
            false,
        );
        assert!(c.iter().any(|p| p.2 == "/messages") && c.iter().any(|p| p.2 == "/inputText"));
        let cohere = causes("cohere.embed-english-v3", json!({"texts": ["hi"]}), false);
        assert_eq!(
            cohere,
            vec![(Level::Error, Cause::MalformedBody, "/input_type".into())]
        );
    }

    #[test]
    fn converse_bodies() {
        assert!(validate("amazon.nova-pro-v1:0", &json!({"messages": [{"role": "user", "content": [{"text": "hi"}]}], "inferenceConfig": {"maxTokens": 5}}), true).is_empty());
        let c = causes(
            "amazon.nova-pro-v1:0",
            json!({"messages": [{"role": "user", "content": "hi"}], "max_tokens": 5}),
            true,
        );
        assert!(c.contains(&(Level::Error, Cause::MalformedBody, "/max_tokens".into())));
        assert!(c.contains(&(Level::Error, Cause::MalformedBody, "/messages/0/content".into())));
    }

    #[test]
    fn syntax_errors_are_located() {
        let e = parse(b"{\n  \"a\": 1,\n  \"b\": \n}").unwrap_err();
        assert_eq!(e.at, "line 4, column 1");
        assert_eq!(e.cause, Cause::MalformedBody);
        assert_eq!(
            validate("x.y", &json!([1]), false)[0].message,
            "the body must be a JSON object"
        );
    }
}
