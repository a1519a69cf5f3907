//! Everything that talks to the AWS SDK: configuration with fail-fast defaults, per-region
//! clients, and turning SDK errors into evidence for the classifier.
//!
//! The SDK sets no read or operation timeout by default and spends seconds probing instance
//! metadata when nothing is configured; [`setup`] fixes both (see `../shared/rust-sdk-notes.md`).

pub mod convert;
pub mod mantle;
pub mod setup;

use crate::classify::{self, ErrorFacts, Transport};
use crate::report::{AwsEvidence, Cause, Status};
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use std::error::Error as StdError;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// A failed AWS call, classified.
#[derive(Clone, Debug)]
pub struct CallFailure {
    pub cause: Cause,
    pub status: Status,
    pub evidence: AwsEvidence,
}

impl CallFailure {
    /// The network problem behind a call that got no answer at all, when it is recognisable.
    pub fn network(&self) -> Option<&'static classify::NetworkProblem> {
        if self.evidence.http_status.is_some() {
            return None;
        }
        self.evidence
            .message
            .as_deref()
            .and_then(classify::network_problem)
    }

    /// "got no answer: {what} ({message})" for a network problem, else "got no usable answer:
    /// {message}": how a finding says what came back.
    pub fn no_answer(&self) -> String {
        let message = self.evidence.message.as_deref().unwrap_or("no message");
        match self.network() {
            Some(n) => format!("got no answer: {} ({message})", n.what),
            None => format!("got no usable answer: {message}"),
        }
    }
}

/// Classifies any SDK error from any of the three clients.
///
/// Reads status, headers and body from the raw response rather than trusting the typed variant:
/// unmodelled codes arrive as `Unhandled`, and a non-JSON body loses the code entirely.
pub fn failure<E>(service: &str, operation: &str, err: &SdkError<E, HttpResponse>) -> CallFailure
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    let raw = err.raw_response();
    let http_status = raw.map(|r| r.status().as_u16());
    let request_id = raw.and_then(|r| {
        r.headers()
            .get("x-amzn-requestid")
            .or_else(|| r.headers().get("x-amz-request-id"))
            .map(str::to_string)
    });
    if let Some(r) = raw
        && let Some(what) = foreign_answer(
            r.status().as_u16(),
            r.headers().get("content-type"),
            request_id.is_some(),
            r.body().bytes().unwrap_or_default(),
        )
    {
        tracing::debug!(service, operation, http_status = ?http_status, "answer not from AWS");
        return CallFailure {
            cause: Cause::NonAwsAnswer,
            status: Status::Inconclusive,
            evidence: AwsEvidence {
                service: service.to_string(),
                operation: operation.to_string(),
                http_status,
                error_code: None,
                request_id,
                message: Some(crate::secrets::scrub(&what).into_owned()),
                denial: None,
            },
        };
    }
    let (mut code, mut message) = (err.code().map(str::to_string), err.message().map(str::to_string));
    if (code.is_none() || message.is_none())
        && let Some(body) = raw.and_then(|r| r.body().bytes())
    {
        let (c, m) = parse_error_body(body);
        code = code.or(c);
        message = message.or(m);
    }
    let transport = match err {
        SdkError::TimeoutError(_) => Some(Transport::Timeout),
        SdkError::DispatchFailure(d) if d.is_timeout() => Some(Transport::Timeout),
        SdkError::DispatchFailure(d) if d.is_io() => Some(Transport::Io),
        SdkError::DispatchFailure(_) | SdkError::ConstructionFailure(_) => Some(Transport::Other),
        _ => None,
    };
    if transport.is_some() || (message.is_none() && code.is_none()) {
        message = message.or_else(|| Some(error_chain(err)));
    }
    let facts = ErrorFacts {
        service,
        operation,
        http_status,
        code: code.as_deref(),
        message: message.as_deref(),
        transport,
    };
    let cause = classify::classify(&facts);
    tracing::debug!(
        service,
        operation,
        http_status = ?http_status,
        code = ?code,
        transport = ?transport,
        cause = %cause,
        "call failed"
    );
    CallFailure {
        cause,
        status: classify::status_for(cause, http_status),
        evidence: AwsEvidence {
            service: service.to_string(),
            operation: operation.to_string(),
            http_status,
            error_code: code.map(|c| classify::bare_code(&c).to_string()),
            request_id,
            message: message.map(|m| crate::secrets::scrub(&m).into_owned()),
            denial: None,
        },
    }
}

/// What answered, when the answer did not come from an AWS service: an HTML page (a proxy, a
/// captive portal, a gateway's error page), a proxy asking for credentials, or a body that is
/// neither AWS JSON nor AWS XML and carries no AWS request id. `None` for anything AWS-shaped.
pub fn foreign_answer(
    status: u16,
    content_type: Option<&str>,
    has_request_id: bool,
    body: &[u8],
) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start();
    let head = trimmed
        .get(..trimmed.len().min(64))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let html = content_type.is_some_and(|c| c.to_ascii_lowercase().contains("html"))
        || head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.starts_with("<head")
        || head.starts_with("<body");
    let aws_shaped = || {
        let (code, message) = parse_error_body(body);
        code.is_some() || message.is_some() || trimmed.starts_with('{') || trimmed.starts_with("<?xml")
    };
    let foreign = html || status == 407 || (!has_request_id && !trimmed.is_empty() && !aws_shaped());
    if !foreign {
        return None;
    }
    let what = page_title(&text).unwrap_or_else(|| "no readable text".into());
    Some(format!(
        "HTTP {status}{} that is not an AWS answer{}: \"{what}\"",
        content_type
            .map(|c| format!(" ({})", c.split(';').next().unwrap_or(c).trim()))
            .unwrap_or_default(),
        if has_request_id {
            ""
        } else {
            " (no x-amzn-RequestId)"
        },
    ))
}

/// A page's `<title>`, or else its first line of text without tags: at most 100 characters.
fn page_title(text: &str) -> Option<String> {
    static TITLE: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"(?is)<title[^>]*>(.*?)</title>").expect("valid"));
    static TAG: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"(?s)<[^>]*>").expect("valid"));
    let raw = TITLE.captures(text).map(|c| c[1].to_string()).or_else(|| {
        let stripped = TAG.replace_all(text, "\n");
        stripped
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(str::to_string)
    })?;
    let line = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    (!line.is_empty()).then(|| line.chars().take(100).collect())
}

/// An HTTP 200 whose body lacks what AWS always sends: inconclusive, never a pass or a verdict.
pub fn answer_without_content(
    service: &str,
    operation: &str,
    request_id: Option<&str>,
    what: &str,
) -> CallFailure {
    CallFailure {
        cause: Cause::Other,
        status: Status::Inconclusive,
        evidence: AwsEvidence {
            service: service.to_string(),
            operation: operation.to_string(),
            http_status: Some(200),
            error_code: None,
            request_id: request_id.map(str::to_string),
            message: Some(format!(
                "{what}: something other than AWS may have answered (a proxy, a stub)"
            )),
            denial: None,
        },
    }
}

/// The error and its sources joined by `: `, without the raw response the SDK's debug form prints.
pub fn error_chain(err: &dyn StdError) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// Finds an error code and message in a body the SDK could not parse: JSON in its several
/// shapes (`message`/`Message`, `__type`, Anthropic-native `error.type`) or awsQuery XML.
pub fn parse_error_body(body: &[u8]) -> (Option<String>, Option<String>) {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(trimmed) {
        let s = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let inner = v.get("error").filter(|e| e.is_object());
        let code = s(&v, "__type")
            .or_else(|| s(&v, "code"))
            .or_else(|| s(&v, "Code"))
            .or_else(|| inner.and_then(|e| s(e, "type")));
        let message = s(&v, "message")
            .or_else(|| s(&v, "Message"))
            .or_else(|| s(&v, "errorMessage"))
            .or_else(|| inner.and_then(|e| s(e, "message")));
        return (code, message);
    }
    let tag = |name: &str| {
        let open = format!("<{name}>");
        let start = trimmed.find(&open)? + open.len();
        let end = trimmed[start..].find(&format!("</{name}>"))?;
        Some(trimmed[start..start + end].trim().to_string())
    };
    let html =
        trimmed.get(..5).is_some_and(|h| h.eq_ignore_ascii_case("<html")) || trimmed.get(..2) == Some("<!");
    if trimmed.starts_with('<') && !html {
        let code = tag("Code").or_else(|| {
            // `<UnknownOperationException/>`
            let inner = trimmed.strip_prefix('<')?.split(['/', '>', ' ']).next()?;
            (!inner.is_empty() && !inner.starts_with('?')).then(|| inner.to_string())
        });
        return (code, tag("Message"));
    }
    (None, None)
}

/// Watches the `Date` header of every answer to measure the local clock's offset from AWS.
///
/// The SDK silently corrects skew by re-signing, so a failed signature alone is not a reliable
/// signal; the header is.
#[derive(Clone, Debug, Default)]
pub struct ClockProbe {
    worst: Arc<Mutex<Option<i64>>>,
}

impl ClockProbe {
    /// The largest offset seen, in seconds (positive: AWS is ahead of the local clock).
    pub fn worst_skew_secs(&self) -> Option<i64> {
        *self
            .worst
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn record(&self, date: &str) {
        let Ok(server) =
            aws_smithy_types::DateTime::from_str(date, aws_smithy_types::date_time::Format::HttpDate)
        else {
            return;
        };
        let Ok(now) = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH) else {
            return;
        };
        let offset = server.secs() - i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
        let mut worst = self
            .worst
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if worst.is_none_or(|w| offset.abs() > w.abs()) {
            *worst = Some(offset);
        }
    }
}

impl aws_sdk_sts::config::Intercept for ClockProbe {
    fn name(&self) -> &'static str {
        "ClockProbe"
    }

    fn read_before_deserialization(
        &self,
        context: &aws_sdk_sts::config::interceptors::BeforeDeserializationInterceptorContextRef<'_>,
        _rc: &aws_sdk_sts::config::RuntimeComponents,
        _cfg: &mut aws_sdk_sts::config::ConfigBag,
    ) -> Result<(), aws_sdk_sts::error::BoxError> {
        if let Some(date) = context.response().headers().get("date") {
            self.record(date);
        }
        Ok(())
    }
}

/// Most calls that must happen one after another in a run (credentials → region → model →
/// probe); each gets at most this fraction of the whole-run bound.
pub const SEQUENTIAL_DEPTH: u32 = 4;

/// Connect/read/attempt/operation timeouts derived from the whole-run bound, so that a chain
/// of silent endpoints ends as inconclusive findings before `--timeout` cuts the run.
pub fn call_timeouts(run: Duration) -> aws_config::timeout::TimeoutConfig {
    let share = run / SEQUENTIAL_DEPTH;
    let cap = |d: Duration| d.min(share).max(Duration::from_millis(50));
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(cap(Duration::from_secs(3)).min(share / 2))
        .read_timeout(cap(Duration::from_secs(15)))
        .operation_attempt_timeout(cap(Duration::from_secs(20)))
        .operation_timeout(cap(Duration::from_secs(30)))
        .build()
}

/// Timeouts for a command that makes one call (`invoke`): it may take the whole bound `n`.
pub fn single_call_timeouts(n: Duration) -> aws_config::timeout::TimeoutConfig {
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3).min(n / 2))
        .read_timeout(n)
        .operation_attempt_timeout(n)
        .operation_timeout(n)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_that_are_not_from_aws() {
        let page =
            b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
        let what = foreign_answer(502, Some("text/html; charset=utf-8"), false, page).unwrap();
        assert_eq!(
            what,
            "HTTP 502 (text/html) that is not an AWS answer (no x-amzn-RequestId): \"502 Bad Gateway\""
        );
        assert!(foreign_answer(407, Some("text/plain"), false, b"Proxy Authentication Required").is_some());
        let plain =
            foreign_answer(403, Some("text/plain"), false, b"Access denied by policy\nref 42").unwrap();
        assert!(plain.ends_with("\"Access denied by policy\""), "{plain}");
        let long = format!("<html><body><p>{}</p></body></html>", "x".repeat(300));
        assert!(foreign_answer(200, None, true, long.as_bytes()).unwrap().len() < 200);
        // AWS-shaped answers, even without a request id, are AWS's to classify.
        assert!(foreign_answer(403, Some("application/json"), false, br#"{"message":"denied"}"#).is_none());
        assert!(
            foreign_answer(
                400,
                Some("text/xml"),
                true,
                b"<ErrorResponse><Error><Code>X</Code></Error></ErrorResponse>"
            )
            .is_none()
        );
        assert!(foreign_answer(200, Some("application/json"), true, b"").is_none());
        assert_eq!(parse_error_body(b"<!doctype html><html></html>"), (None, None));
    }

    #[test]
    fn error_bodies() {
        assert_eq!(
            parse_error_body(br#"{"Message":"denied"}"#),
            (None, Some("denied".into()))
        );
        assert_eq!(
            parse_error_body(br#"{"type":"error","error":{"type":"permission_error","message":"not available for this account"}}"#),
            (Some("permission_error".into()), Some("not available for this account".into()))
        );
        assert_eq!(
            parse_error_body(b"<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>bad</Message></Error></ErrorResponse>"),
            (Some("InvalidClientTokenId".into()), Some("bad".into()))
        );
        assert_eq!(
            parse_error_body(b"<UnknownOperationException/>"),
            (Some("UnknownOperationException".into()), None)
        );
        assert_eq!(parse_error_body(b"garbage {"), (None, None));
    }

    #[test]
    fn clock_probe_keeps_the_largest_offset() {
        let p = ClockProbe::default();
        assert_eq!(p.worst_skew_secs(), None);
        p.record("Tue, 24 Nov 2099 10:00:00 GMT");
        assert!(p.worst_skew_secs().unwrap() > 3600);
        p.record("not a date");
        assert!(p.worst_skew_secs().unwrap() > 3600);
    }

    #[test]
    fn timeouts_fit_inside_the_run_bound() {
        let t = call_timeouts(Duration::from_secs(4));
        assert_eq!(t.operation_timeout(), Some(Duration::from_secs(1)));
        assert!(t.connect_timeout().unwrap() <= Duration::from_millis(500));
        let t = call_timeouts(Duration::from_secs(600));
        assert_eq!(t.read_timeout(), Some(Duration::from_secs(15)));
    }
}
