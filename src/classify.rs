//! The one error classifier: AWS answer (or its absence) → [`Cause`].
//!
//! A pure function over [`ErrorFacts`] driven by the [`RULES`] table, shared by every check (and
//! later by `triage`). Rules are tried in order; the first match wins, so specific texts come
//! before generic codes. Matching is robust to how AWS and SDKs vary: codes are compared without
//! their `:http://…` suffix or `…#` namespace and case-insensitively; messages are compared after
//! folding case and curly quotes.

use crate::report::{Cause, Status};

/// How a call ended without an HTTP answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// A connect, read, attempt or operation timeout fired.
    Timeout,
    /// The connection failed (refused, reset, DNS, TLS).
    Io,
    /// Anything else before an answer (e.g. no credentials to sign with).
    Other,
}

/// What is known about one failed call.
#[derive(Clone, Debug, Default)]
pub struct ErrorFacts<'a> {
    /// `sts`, `bedrock` or `bedrock-runtime`.
    pub service: &'a str,
    pub operation: &'a str,
    pub http_status: Option<u16>,
    pub code: Option<&'a str>,
    pub message: Option<&'a str>,
    /// Set when no HTTP answer arrived.
    pub transport: Option<Transport>,
}

/// One row of the classifier table.
struct Rule {
    /// Matches any of these error codes (normalised, lowercase); empty = any code.
    codes: &'static [&'static str],
    /// Matches any of these HTTP statuses; empty = any status.
    statuses: &'static [u16],
    /// The message must contain at least one of these (normalised, lowercase); empty = any.
    any_text: &'static [&'static str],
    /// The message must also contain every one of these.
    all_text: &'static [&'static str],
    /// Restricts the rule to one service; `None` = every service.
    service: Option<&'static str>,
    cause: Cause,
}

const fn rule(cause: Cause) -> Rule {
    Rule {
        codes: &[],
        statuses: &[],
        any_text: &[],
        all_text: &[],
        service: None,
        cause,
    }
}

macro_rules! r {
    ($cause:ident $(, $field:ident = $value:expr)* $(,)?) => {
        Rule { $($field: $value,)* ..rule(Cause::$cause) }
    };
}

/// The classification table. Order matters: the first matching rule wins.
static RULES: &[Rule] = &[
    // Something other than AWS answered: whatever code a wrapper put around it, AWS said nothing.
    r!(
        NonAwsAnswer,
        any_text = &[
            "<!doctype html",
            "<html",
            "unexpected token <",
            "content-type: text/html",
            "not yet implemented or pro feature"
        ]
    ),
    // Clock and signing first: these arrive with credential-ish codes.
    r!(
        ClockSkew,
        any_text = &[
            "signature expired",
            "signature not yet current",
            "request time too skewed",
            "requesttimetooskewed"
        ]
    ),
    r!(ClockSkew, codes = &["requestexpired", "requesttimetooskewed"]),
    r!(
        RegionNotSupported,
        any_text = &[
            "should be scoped to a valid region",
            "credential should be scoped to a valid region",
            "resulted in an invalid uri"
        ]
    ),
    // A credential provider that failed (SSO token refresh, instance or container role, an
    // unsigned request) before any Bedrock call: nothing usable to sign with.
    r!(
        NoCredentials,
        any_text = &[
            "error when retrieving token from sso",
            "tokenretrievalerror",
            "error when retrieving credentials",
            "request to retrieve credentials failed",
            "credential refresh failed",
            "amazonaws.com/token",
            "authorization header is missing",
            "no valid providers in chain",
            "unable to load aws credentials",
            "unable to load credentials"
        ]
    ),
    r!(
        ExpiredToken,
        codes = &["expiredtoken", "expiredtokenexception", "tokenrefreshrequired"]
    ),
    r!(
        ExpiredToken,
        any_text = &[
            "security token included in the request is expired",
            "token has expired",
            "token is expired",
            "the sso session associated with this profile has expired"
        ]
    ),
    r!(
        InvalidCredentials,
        codes = &[
            "unrecognizedclientexception",
            "invalidclienttokenid",
            "signaturedoesnotmatch",
            "incompletesignature",
            "invalidsignatureexception",
            "missingauthenticationtoken",
            "missingauthenticationtokenexception",
            "authfailure",
            "invalidaccesskeyid"
        ]
    ),
    r!(
        InvalidCredentials,
        any_text = &[
            "security token included in the request is invalid",
            "signature we calculated does not match",
            "invalid api key",
            "bearer token is invalid",
            "api key is invalid",
            // A Bedrock API key AWS does not accept: wrong, revoked, or a short-term key used
            // outside the region it was made in.
            "please make sure your api key is valid"
        ]
    ),
    r!(
        NoCredentials,
        any_text = &[
            "unable to locate credentials",
            "could not load credentials from any providers",
            "no credentials",
            "credentials provider error",
            "failed to load credentials",
            "missing credentials"
        ]
    ),
    r!(
        AssumeRoleDenied,
        any_text = &[
            "when calling the assumerole operation",
            "when calling the assumerolewithwebidentity operation",
            "sts:assumerole",
            "roles may not be assumed",
            "could not assume role"
        ]
    ),
    // Access: Marketplace and payment before generic IAM, SCP before identity policies.
    r!(
        IamDeniedMarketplace,
        any_text = &[
            "aws-marketplace:subscribe",
            "aws-marketplace:viewsubscriptions",
            "aws-marketplace:unsubscribe"
        ]
    ),
    r!(MarketplaceAgreementMissing, codes = &["mpagreementbeingcreated"]),
    r!(
        MarketplaceAgreementMissing,
        any_text = &[
            "invalid_payment_instrument",
            "marketplace agreement",
            "agreement failed",
            "agreement pending",
            "subscription is pending",
            "being created",
            "payment instrument",
            "model subscription"
        ]
    ),
    r!(
        ScpDenied,
        any_text = &["service control policy", "resource control policy"]
    ),
    r!(
        IamDeniedInvoke,
        any_text = &[
            "is not authorized to perform",
            "no identity-based policy allows",
            "permissions boundary",
            "session policy",
            "explicit deny in an identity-based policy",
            "do not have permission to perform this action"
        ]
    ),
    r!(AnthropicUseCaseForm, codes = &["ftuformnotfilled"]),
    r!(
        AnthropicUseCaseForm,
        any_text = &[
            "use case details",
            "use-case form",
            "use case form",
            "model use case"
        ]
    ),
    r!(
        ModelEolLegacy,
        any_text = &[
            "marked by provider as legacy",
            "end of its life",
            "end-of-life",
            "not actively using",
            "has been deprecated",
            "legacy model"
        ]
    ),
    r!(
        NeedsInferenceProfile,
        any_text = &[
            "on-demand throughput isn't supported",
            "on-demand throughput is not supported",
            "doesn't support on-demand throughput",
            "does not support on-demand throughput",
            "retry your request with the id or arn of an inference profile"
        ]
    ),
    // An operation this endpoint does not know (an old region, an SDK ahead of the service).
    r!(
        Other,
        any_text = &["operation unknown", "not recognized by the service"]
    ),
    // Prompt resources are a feature outside model access.
    r!(
        Other,
        all_text = &["not authorized to invoke this api", "prompt resource"]
    ),
    r!(
        ModelNotInRegion,
        any_text = &[
            "in the specified region",
            "not available in this region",
            "not supported in this region",
            "not available in the region",
            "not offered in this region",
            "isn't available in this region",
            "is in a different region"
        ]
    ),
    r!(ModelAccessNotGranted, codes = &["badcscoreexception"]),
    r!(ModelAccessNotGranted, any_text = &["operation not allowed"]),
    r!(
        ModelAccessNotGranted,
        any_text = &[
            "don't have access to the model",
            "do not have access to the model",
            "not available for this account",
            "permission_error",
            "not authorized to invoke this api",
            "access to the model is denied",
            "model access"
        ]
    ),
    r!(
        LegacyPromptFormat,
        any_text = &["use the messages api", "\"\\n\\nhuman:\"", "\\n\\nhuman:"]
    ),
    r!(LegacyPromptFormat, all_text = &["prompt must", "human:"]),
    r!(LegacyPromptFormat, any_text = &["invalid prompt: prompt must"]),
    r!(LegacyPromptFormat, all_text = &["must start with", "human:"]),
    r!(
        InvalidModelId,
        any_text = &[
            "model identifier is invalid",
            "could not resolve the foundation model",
            "invalid model identifier",
            "model id is invalid",
            "invalid modelid"
        ]
    ),
    r!(
        InvalidModelId,
        all_text = &["failed to satisfy constraint", "modelid"]
    ),
    // bedrock-mantle (OpenAI-shaped errors): an unknown model, or a model on the wrong route
    // (`/v1` for one served under `/openai/v1`, Messages for a model without it).
    r!(InvalidModelId, any_text = &["supported on this route"]),
    r!(InvalidModelId, all_text = &["the model '", "does not exist"]),
    r!(InvalidModelId, all_text = &["does not support the '/", "api"]),
    // Account and region settings the model does not accept.
    r!(DataRetentionIncompatible, any_text = &["data retention mode"]),
    r!(
        ServiceTierUnavailable,
        any_text = &["reservation not found", "service tier"]
    ),
    // Capacity and quotas: inconclusive causes.
    r!(
        QuotaExceeded,
        codes = &[
            "servicequotaexceededexception",
            "servicequotaexceeded",
            "limitexceededexception"
        ]
    ),
    r!(
        QuotaExceeded,
        any_text = &[
            "tokens per day",
            "too many tokens per day",
            "daily quota",
            "exceeds the service quota"
        ]
    ),
    r!(ModelNotReady, codes = &["modelnotreadyexception"]),
    r!(
        ModelNotReady,
        any_text = &["not ready for inference", "not ready to serve inference"]
    ),
    r!(
        Throttled,
        codes = &[
            "throttlingexception",
            "throttling",
            "throttledexception",
            "toomanyrequestsexception",
            "requestlimitexceeded",
            "slowdown",
            "provisionedthroughputexceededexception"
        ]
    ),
    r!(
        Throttled,
        any_text = &[
            "rate exceeded",
            "too many requests",
            "too many tokens",
            "request rate is too high"
        ]
    ),
    r!(Throttled, statuses = &[429]),
    r!(ModelTimeout, codes = &["modeltimeoutexception"]),
    r!(ModelTimeout, statuses = &[408]),
    // The connection was made and the answer did not come in time: the model is slow (a client
    // read timeout shorter than the generation), not the network.
    r!(
        ModelTimeout,
        any_text = &[
            "model timeout length",
            "processing time exceeded",
            "read timeout on endpoint url",
            "read timed out"
        ]
    ),
    r!(
        ServiceUnavailable,
        codes = &[
            "internalserverexception",
            "internalfailure",
            "internalerror",
            "internalserror",
            "serviceunavailableexception",
            "serviceunavailable",
            "modelerrorexception",
            "modelstreamerrorexception",
            "servicefailure"
        ]
    ),
    r!(ServiceUnavailable, statuses = &[424, 500, 501, 502, 503, 504]),
    r!(
        ServiceUnavailable,
        any_text = &[
            "unable to process your request",
            "error while processing the model",
            "service isn't currently available",
            "service is not currently available",
            "error occurred while streaming the response",
            "serviceunavailableexception"
        ]
    ),
    // Malformed bodies: only with texts that say so.
    r!(
        MalformedBody,
        any_text = &[
            "malformed input request",
            "extraneous key",
            "required key",
            "temperature and top_p",
            "cannot both be specified",
            "max_tokens",
            "maxtokens",
            "text field in the contentblock object",
            "blank",
            "is not valid json",
            "malformed",
            "extra inputs are not permitted",
            "must satisfy enum value set",
            "maximum tokens you requested exceed",
            "toolconfig.tools",
            "inputschema",
            "content field in the message object",
            "cannot be provided in the same turn",
            "unexpected role",
            "input fails to satisfy the constraints",
            // Anthropic's refusals of an `anthropic_version` or `anthropic_beta` value.
            "invalid beta flag",
            "invalid api version",
            "anthropic_version"
        ]
    ),
    // Plain AccessDenied without a principal breakdown: the account, not a policy.
    r!(
        ModelAccessNotGranted,
        codes = &["accessdeniedexception", "accessdenied"],
        service = Some("bedrock-runtime")
    ),
    r!(
        IamDeniedInvoke,
        codes = &[
            "accessdeniedexception",
            "accessdenied",
            "unauthorizedoperation",
            "notauthorized"
        ]
    ),
];

/// Lowercases and folds typographic quotes so texts match however they were typed.
pub fn normalise(text: &str) -> String {
    let folded: String = text
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{2033}' => '"',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    // Logs wrap and pad messages: any run of white space is one space.
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `AccessDeniedException:http://internal.amazon.com/coral/…` or `com.amazon#X` → `accessdeniedexception`.
pub fn normalise_code(code: &str) -> String {
    bare_code(code).to_ascii_lowercase()
}

/// The code without AWS's `:http://…` suffix or `namespace#` prefix, case kept (for evidence).
pub fn bare_code(code: &str) -> &str {
    let code = code.split(':').next().unwrap_or(code);
    code.rsplit('#').next().unwrap_or(code).trim()
}

impl Rule {
    fn matches(&self, f: &ErrorFacts<'_>, code: &str, text: &str) -> bool {
        if self.service.is_some_and(|s| s != f.service) {
            return false;
        }
        if !self.codes.is_empty() && !self.codes.contains(&code) {
            return false;
        }
        if !self.statuses.is_empty() && !f.http_status.is_some_and(|s| self.statuses.contains(&s)) {
            return false;
        }
        if !self.any_text.is_empty() && !self.any_text.iter().any(|t| text.contains(t)) {
            return false;
        }
        self.all_text.iter().all(|t| text.contains(t))
    }
}

/// Names the cause behind a failed call.
pub fn classify(f: &ErrorFacts<'_>) -> Cause {
    recognise(f).unwrap_or(Cause::Other)
}

/// The cause a rule of the table names, or `None` when no rule knows the answer (as opposed
/// to a rule that names `other`, such as an unknown operation).
pub fn recognise(f: &ErrorFacts<'_>) -> Option<Cause> {
    match f.transport {
        Some(Transport::Timeout | Transport::Io) => return Some(Cause::EndpointUnreachable),
        Some(Transport::Other) => {
            let text = normalise(f.message.unwrap_or_default());
            let says_no_credentials = RULES
                .iter()
                .any(|r| r.cause == Cause::NoCredentials && r.matches(f, "", &text));
            return Some(if says_no_credentials {
                Cause::NoCredentials
            } else {
                Cause::EndpointUnreachable
            });
        }
        None => {}
    }
    let code = f.code.map(normalise_code).unwrap_or_default();
    let text = normalise(f.message.unwrap_or_default());
    RULES.iter().find(|r| r.matches(f, &code, &text)).map(|r| r.cause)
}

/// Which limit a throttling or quota text names: requests or tokens per minute, tokens per day.
pub fn throttle_kind(message: &str) -> Option<&'static str> {
    let t = normalise(message);
    if t.contains("tokens per day") {
        Some("tokens per day (a daily quota: it will not clear in minutes)")
    } else if t.contains("too many tokens") || t.contains("tokens per minute") {
        Some("tokens per minute")
    } else if t.contains("too many requests")
        || t.contains("rate exceeded")
        || t.contains("requests per minute")
    {
        Some("requests per minute")
    } else {
        None
    }
}

/// A network failure recognised in the text of an error that got no answer from AWS: what
/// happened, in plain words, and what to do about it.
#[derive(Debug, PartialEq, Eq)]
pub struct NetworkProblem {
    pub what: &'static str,
    pub step: &'static str,
}

/// Markers (lower case) of the error texts of hyper, rustls and the operating systems, first
/// match wins: a TLS or DNS failure also mentions the connection it broke.
static NETWORK_PROBLEMS: &[(&[&str], NetworkProblem)] = &[
    (
        &[
            "dns error",
            "failed to lookup address",
            "name or service not known",
            "nodename nor servname",
            "no such host",
            "temporary failure in name resolution",
            "getaddrinfo enotfound",
            "unknownhostexception",
        ],
        NetworkProblem {
            what: "the endpoint's host name did not resolve (DNS)",
            step: "Check that this machine resolves AWS host names (`nslookup sts.amazonaws.com`); in a VPC without internet access, add interface VPC endpoints for bedrock, bedrock-runtime and sts with private DNS",
        },
    ),
    (
        &[
            "invalid peer certificate",
            "unknownissuer",
            "certificate verify failed",
            "invalidcertificate",
            "self signed certificate",
            "self-signed certificate",
            "unable to get local issuer certificate",
        ],
        NetworkProblem {
            what: "the endpoint presented a TLS certificate this machine does not trust (often a TLS-inspecting proxy)",
            step: "Point AWS_CA_BUNDLE (or the profile's ca_bundle) at the proxy's CA certificate, as for the AWS CLI, or add it to the system trust store",
        },
    ),
    (
        &[
            "tunnel error",
            "proxyerror",
            "proxy error",
            "proxy authentication",
            "unable to connect to proxy",
        ],
        NetworkProblem {
            what: "the HTTP proxy did not open a connection to AWS",
            step: "Check HTTPS_PROXY / NO_PROXY, the proxy's credentials, and that it allows *.amazonaws.com",
        },
    ),
    (
        &["connection refused", "actively refused", "econnrefused"],
        NetworkProblem {
            what: "the endpoint refused the connection",
            step: "Check the endpoint URL overrides (AWS_ENDPOINT_URL*), proxy settings (HTTPS_PROXY, NO_PROXY) and firewalls between this machine and AWS",
        },
    ),
    (
        &[
            "connection reset",
            "econnreset",
            "broken pipe",
            "connection closed",
            "unexpected end of file",
            "incompletemessage",
            "unexpected eof",
            "err_http2_stream_cancel",
        ],
        NetworkProblem {
            what: "the connection was closed before AWS answered",
            step: "Re-run; if it persists, a proxy or firewall is cutting connections to *.amazonaws.com",
        },
    ),
    (
        &["timed out", "timeout", "etimedout"],
        NetworkProblem {
            what: "no answer within the timeout",
            step: "Re-run later or with a larger timeout (bedrock-doctor: --timeout); if it persists, check that this network reaches *.amazonaws.com (proxy, firewall, VPC endpoints)",
        },
    ),
    (
        // boto3's EndpointConnectionError, which does not say why.
        &[
            "could not connect to the endpoint url",
            "failed to establish a new connection",
            "while attempting to connect",
        ],
        NetworkProblem {
            what: "the endpoint could not be reached",
            step: "Check DNS, proxy (HTTPS_PROXY, NO_PROXY), firewall and VPC endpoints for bedrock, bedrock-runtime and sts",
        },
    ),
];

/// The network problem an error text describes, if it is one this table knows.
pub fn network_problem(text: &str) -> Option<&'static NetworkProblem> {
    let t = text.to_ascii_lowercase();
    NETWORK_PROBLEMS
        .iter()
        .find(|(markers, _)| markers.iter().any(|m| t.contains(m)))
        .map(|(_, p)| p)
}

/// The status a check should give a finding with this cause.
///
/// Transient causes are inconclusive (AWS could not answer); an unrecognised error without a
/// client-error status is inconclusive too, so an unknown answer never reads as a verified failure.
pub fn status_for(cause: Cause, http_status: Option<u16>) -> Status {
    match cause {
        Cause::Ok => Status::Pass,
        c if c.is_transient() => Status::Inconclusive,
        Cause::Other if !http_status.is_some_and(|s| (400..500).contains(&s)) => Status::Inconclusive,
        _ => Status::Fail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_problems_in_plain_words() {
        let what =
            |t: &str| network_problem(t).map(|p| p.what.split(' ').take(4).collect::<Vec<_>>().join(" "));
        let cases = [
            (
                "dispatch failure: io error: client error (Connect): dns error: failed to lookup address information: Name or service not known",
                Some("the endpoint's host name"),
            ),
            (
                "error trying to connect: dns error: nodename nor servname provided, or not known",
                Some("the endpoint's host name"),
            ),
            (
                "client error (Connect): invalid peer certificate: UnknownIssuer",
                Some("the endpoint presented a"),
            ),
            (
                "client error (Connect): tunnel error: unsuccessful",
                Some("the HTTP proxy did"),
            ),
            (
                "io error: client error (Connect): tcp connect error: Connection refused (os error 111)",
                Some("the endpoint refused the"),
            ),
            (
                "No connection could be made because the target machine actively refused it. (os error 10061)",
                Some("the endpoint refused the"),
            ),
            (
                "dispatch failure: io error: connection closed before message completed",
                Some("the connection was closed"),
            ),
            (
                "Connection reset by peer (os error 104)",
                Some("the connection was closed"),
            ),
            (
                "timeout: HTTP read timeout occurred after 200ms: timed out",
                Some("no answer within the"),
            ),
            (
                "botocore.exceptions.EndpointConnectionError: Could not connect to the endpoint URL: \"https://bedrock-runtime.us-east-1.amazonaws.com/model/x/converse\"",
                Some("the endpoint could not"),
            ),
            (
                "Error: getaddrinfo ENOTFOUND bedrock-runtime.us-east-1.amazonaws.com",
                Some("the endpoint's host name"),
            ),
            (
                "Failed to establish a new connection: [Errno -3] Temporary failure in name resolution",
                Some("the endpoint's host name"),
            ),
            (
                "connect ECONNREFUSED 127.0.0.1:443",
                Some("the endpoint refused the"),
            ),
            (
                "ProxyError('Unable to connect to proxy', OSError('Tunnel connection failed: 407 Proxy Authentication Required'))",
                Some("the HTTP proxy did"),
            ),
            (
                "ReadTimeoutError: Read timeout on endpoint URL",
                Some("no answer within the"),
            ),
            (
                "HTTP connect timeout occurred after 3s",
                Some("no answer within the"),
            ),
            ("AccessDeniedException: User is not authorized", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(what(text).as_deref(), want, "{text}");
        }
    }

    fn c(service: &str, status: u16, code: &str, message: &str) -> Cause {
        classify(&ErrorFacts {
            service,
            operation: "Op",
            http_status: Some(status),
            code: (!code.is_empty()).then_some(code),
            message: (!message.is_empty()).then_some(message),
            transport: None,
        })
    }

    #[test]
    fn table() {
        use Cause::*;
        let cases: &[(&str, u16, &str, &str, Cause)] = &[
            // Real texts collected from public reports (2026): see docs/testing.md.
            (
                "bedrock-runtime",
                403,
                "AccessDeniedException",
                "anthropic.claude-sonnet-5 is not available for this account. You can explore other available models on Amazon Bedrock. For additional access options, contact AWS Sales.",
                ModelAccessNotGranted,
            ),
            (
                "bedrock-runtime",
                403,
                "AccessDeniedException",
                "Authentication failed: Please make sure your API Key is valid.",
                InvalidCredentials,
            ),
            (
                "bedrock-runtime",
                403,
                "AccessDeniedException",
                "Bearer Token has expired",
                ExpiredToken,
            ),
            (
                "bedrock-runtime",
                400,
                "ValidationException",
                "The model returned the following errors: invalid beta flag",
                MalformedBody,
            ),
            (
                "bedrock-runtime",
                400,
                "ValidationException",
                "Invalid API version: claude-3-sonnet-20240229-v1:0",
                MalformedBody,
            ),
            (
                "bedrock-runtime",
                400,
                "ValidationException",
                "Reservation not found.",
                ServiceTierUnavailable,
            ),
            (
                "bedrock-runtime",
                400,
                "ValidationException",
                "The provided service tier is not supported for this model.",
                ServiceTierUnavailable,
            ),
            (
                "bedrock-runtime",
                400,
                "ValidationException",
                "data retention mode 'default' is not available for this model",
                DataRetentionIncompatible,
            ),
            (
                "bedrock-mantle",
                404,
                "not_found_error",
                "The model 'xai.grok-4.6' does not exist",
                InvalidModelId,
            ),
            (
                "bedrock-mantle",
                400,
                "invalid_request_error",
                "model `openai.gpt-oss-120b` isn't supported on this route",
                InvalidModelId,
            ),
            (
                "bedrock-mantle",
                400,
                "invalid_request_error",
                "The model 'openai.gpt-5.5' does not support the '/anthropic/v1/messages' API",
                InvalidModelId,
            ),
            (
                "bedrock-mantle",
                429,
                "rate_limit_exceeded",
                "Rate limit exceeded",
                Throttled,
            ),
            (
                "sts",
                403,
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
                InvalidCredentials,
            ),
            (
                "sts",
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
                InvalidCredentials,
            ),
            (
                "sts",
                403,
                "SignatureDoesNotMatch",
                "Signature expired: 20261124T100000Z is now earlier than 20261124T101500Z (20261124T102000Z - 5 min.)",
                ClockSkew,
            ),
            (
                "bedrock",
                403,
                "InvalidSignatureException",
                "Signature not yet current: 20261124T110000Z is still later than 20261124T100500Z",
                ClockSkew,
            ),
            (
                "sts",
                400,
                "ExpiredToken",
                "The security token included in the request is expired",
                ExpiredToken,
            ),
            (
                "bedrock-runtime",
                403,
                "ExpiredTokenException:http://internal.amazon.com/coral/com.amazon.coral.service/",
                "The security token included in the request is expired",
                ExpiredToken,
            ),
            (
                "bedrock",
                403,
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
                InvalidCredentials,
            ),
            (
                "bedrock-runtime",
                403,
                "AccessDeniedException",
                "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/x because no identity-based policy allows the bedrock:InvokeModel action",
                IamDeniedInvoke,
            ),
            (
                "bedrock-runtime",
                403,
                "AccessDeniedException",
                "User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:eu-west-3::foundation-model/x with an explicit deny in a service control policy: arn:aws:organizations::1:policy/o-1/service_control_policy/p-1",
                ScpDenied,
            ),
            (
                "bedrock-runtime",
                403,
                "AccessDeniedException",
                "Model access is denied due to IAM user or service role is not authorized to perform the required AWS Marketplace actions (aws-marketplace:ViewSubscriptions, aws-marketplace:Subscribe) to enable access to this model.",
                IamDeniedMarketplace,
            ),
            (
                "bedrock-runtime",
                403,
                "AccessDeniedException",
                "AWS Marketplace subscription for this model cannot be completed at this time: INVALID_PAYMENT_INSTRUMENT",
                MarketplaceAgreementMissing,
            ),
            (
                "bedrock-runtime",
                403,
                "AccessDeniedException",
                "You don't have access to the model with the specified model ID.",
                ModelAccessNotGranted,
            ),
            (
                "bedrock-runtime",
                403,
                "AccessDeniedException",
                "You don\u{2019}t have access to the model with the specified model ID.",
                ModelAccessNotGranted,
            ),
            (
                "bedrock-runtime",
                404,
                "ResourceNotFoundException",
                "Model use case details have not been submitted for this account. Fill out the Anthropic use case details form before using the model.",
                AnthropicUseCaseForm,
            ),
            (
                "bedrock-runtime",
                404,
                "ResourceNotFoundException",
                "Access denied. This Model is marked by provider as Legacy and you have not been actively using the model in the last 30 days.",
                ModelEolLegacy,
            ),
            (
                "bedrock-runtime",
                404,
                "ResourceNotFoundException",
                "This model version has reached the end of its life.",
                ModelEolLegacy,
            ),
            (
                "bedrock-runtime",
                400,
                "ValidationException",
                "Invocation of model ID anthropic.claude-3-5-sonnet-20241022-v2:0 with on-demand throughput isn\u{2019}t supported. Retry your request with the ID or ARN of an inference profile that contains this model.",
                NeedsInferenceProfile,
            ),
            (
                "bedrock-runtime",
                400,
                "ValidationException",
                "The provided model identifier is invalid.",
                InvalidModelId,
            ),
            (
                "bedrock-runtime",
                404,
                "ResourceNotFoundException",
                "Could not resolve the foundation model from the provided model identifier.",
                InvalidModelId,
            ),
            (
                "bedrock-runtime",
                400,
                "ValidationException",
                "prompt must start with \"\n\nHuman:\" turn after an optional system prompt",
                LegacyPromptFormat,
            ),
            (
                "bedrock-runtime",
                400,
                "ValidationException",
                "\"claude-3-5-sonnet\" is not supported on this API. Please use the Messages API instead.",
                LegacyPromptFormat,
            ),
            (
                "bedrock-runtime",
                400,
                "ValidationException",
                "Malformed input request: #: extraneous key [model] is not permitted",
                MalformedBody,
            ),
            (
                "bedrock-runtime",
                429,
                "ThrottlingException",
                "Too many requests, please wait before trying again.",
                Throttled,
            ),
            (
                "bedrock-runtime",
                429,
                "ThrottlingException",
                "Too many tokens per day, please wait before trying again.",
                QuotaExceeded,
            ),
            (
                "bedrock-runtime",
                400,
                "ServiceQuotaExceededException",
                "Your request exceeded the quota",
                QuotaExceeded,
            ),
            (
                "bedrock-runtime",
                429,
                "ModelNotReadyException",
                "Model is not ready for inference",
                ModelNotReady,
            ),
            (
                "bedrock-runtime",
                408,
                "ModelTimeoutException",
                "Model has timed out in processing the request",
                ModelTimeout,
            ),
            (
                "bedrock-runtime",
                424,
                "ModelErrorException",
                "The model returned an error",
                ServiceUnavailable,
            ),
            ("bedrock", 500, "InternalServerException", "", ServiceUnavailable),
            ("bedrock", 503, "", "", ServiceUnavailable),
            ("sts", 400, "Throttling", "Rate exceeded", Throttled),
            ("bedrock", 403, "AccessDeniedException", "", IamDeniedInvoke),
            (
                "bedrock-runtime",
                403,
                "accessDeniedException",
                "",
                ModelAccessNotGranted,
            ),
            ("bedrock", 400, "UnknownOperationException", "", Other),
            ("bedrock", 418, "", "", Other),
            (
                "bedrock-runtime",
                404,
                "",
                "404: no access in the specified region",
                ModelNotInRegion,
            ),
            (
                "bedrock-runtime",
                400,
                "ValidationException",
                "Model anthropic.claude-opus-4-1 is not available in this region.",
                ModelNotInRegion,
            ),
            (
                "bedrock-runtime",
                400,
                "ValidationException",
                "Operation not allowed",
                ModelAccessNotGranted,
            ),
            (
                "bedrock-runtime",
                400,
                "ValidationException",
                "You are not authorized to invoke this API with a prompt resource.",
                Other,
            ),
        ];
        for (service, status, code, message, want) in cases {
            assert_eq!(c(service, *status, code, message), *want, "{code} {message}");
        }
    }

    #[test]
    fn transport_failures_are_unreachable_never_access() {
        for t in [Transport::Timeout, Transport::Io] {
            let f = ErrorFacts {
                transport: Some(t),
                ..Default::default()
            };
            assert_eq!(classify(&f), Cause::EndpointUnreachable);
            assert_eq!(status_for(classify(&f), None), Status::Inconclusive);
        }
        let f = ErrorFacts {
            transport: Some(Transport::Other),
            message: Some("failed to load credentials: no providers in chain provided credentials"),
            ..Default::default()
        };
        assert_eq!(classify(&f), Cause::NoCredentials);
    }

    #[test]
    fn throttle_kinds() {
        assert_eq!(
            throttle_kind("Too many requests, please wait before trying again."),
            Some("requests per minute")
        );
        assert_eq!(
            throttle_kind("Too many tokens, please wait before trying again."),
            Some("tokens per minute")
        );
        assert!(
            throttle_kind("Too many tokens per day, please wait")
                .unwrap()
                .starts_with("tokens per day")
        );
        assert_eq!(throttle_kind("Rate exceeded"), Some("requests per minute"));
        assert_eq!(throttle_kind("something else"), None);
    }

    #[test]
    fn statuses() {
        assert_eq!(status_for(Cause::Throttled, Some(429)), Status::Inconclusive);
        assert_eq!(
            status_for(Cause::ServiceUnavailable, Some(503)),
            Status::Inconclusive
        );
        assert_eq!(status_for(Cause::IamDeniedInvoke, Some(403)), Status::Fail);
        assert_eq!(status_for(Cause::Other, Some(400)), Status::Fail);
        assert_eq!(status_for(Cause::Other, Some(302)), Status::Inconclusive);
        assert_eq!(status_for(Cause::Other, None), Status::Inconclusive);
    }

    proptest::proptest! {
        /// Any answer classifies without panicking; an unanswered call is always unreachable and
        /// inconclusive; only `ok` can pass.
        #[test]
        fn classification_is_total(code in ".{0,40}", message in ".{0,200}", status in proptest::option::of(100u16..600), service in "(sts|bedrock|bedrock-runtime)") {
            let facts = ErrorFacts { service: &service, operation: "Op", http_status: status, code: Some(&code), message: Some(&message), transport: None };
            let cause = classify(&facts);
            proptest::prop_assert_ne!(status_for(cause, status), Status::Pass);
            for t in [Transport::Timeout, Transport::Io] {
                let unanswered = ErrorFacts { transport: Some(t), ..facts.clone() };
                proptest::prop_assert_eq!(classify(&unanswered), Cause::EndpointUnreachable);
            }
        }

        /// Throttling and server errors never become an access verdict, whatever the text says.
        #[test]
        fn capacity_codes_stay_inconclusive(message in "[a-z ]{0,60}", code in "(ThrottlingException|ServiceUnavailableException|InternalServerException|ModelTimeoutException|ModelNotReadyException)") {
            let facts = ErrorFacts { service: "bedrock-runtime", operation: "Converse", http_status: Some(503), code: Some(&code), message: Some(&message), transport: None };
            let cause = classify(&facts);
            proptest::prop_assert_eq!(status_for(cause, Some(503)), Status::Inconclusive, "{} {}", code, cause);
        }
    }

    #[test]
    fn codes_normalise() {
        assert_eq!(
            normalise_code("AccessDeniedException:http://internal.amazon.com/coral/com.amazon.bedrock/"),
            "accessdeniedexception"
        );
        assert_eq!(
            normalise_code("com.amazon.coral.service#UnknownOperationException"),
            "unknownoperationexception"
        );
    }
}
