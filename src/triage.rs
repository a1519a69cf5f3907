//! `triage`: from an error text an application logged (any SDK, framework wrapper, stack trace)
//! to the cause, its code and the fix. Offline and pure: extraction by regular expressions, then
//! the one classifier ([`crate::classify`]) on what was extracted plus the whole text.

use crate::classify::{self, ErrorFacts};
use crate::codes::Code;
use crate::ident::{
    self, PROFILE_GEOS,
    model_id::{PROVIDERS, alternation},
};
use crate::regions;
use crate::report::Cause;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// What the text says, field by field (null when it does not say).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extracted {
    pub error_code: Option<String>,
    pub http_status: Option<u16>,
    pub operation: Option<String>,
    pub region: Option<String>,
    pub model: Option<String>,
    pub request_id: Option<String>,
    /// An AccessDenied text, read into fields (principal, action, resource, policy type, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denial: Option<crate::denial::Denial>,
}

impl Extracted {
    /// "AccessDeniedException · HTTP 403 · InvokeModel": what the text says of the error.
    pub fn error_summary(&self) -> Option<String> {
        let parts: Vec<String> = [
            self.error_code.clone(),
            self.http_status.map(|s| format!("HTTP {s}")),
            self.operation.clone(),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!parts.is_empty()).then(|| parts.join(" · "))
    }
}

/// The triage answer (the JSON of `triage --format json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Triage {
    pub cause: Cause,
    pub code: Code,
    pub title: String,
    pub remediation: Vec<String>,
    pub extracted: Extracted,
    /// The second most likely cause when the text cannot tell them apart, and what would.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternative: Option<Alternative>,
}

/// A cause the text does not rule out, and how to tell it from the first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alternative {
    pub cause: Cause,
    /// What would separate the two (a `--verify` run, a look at the catalogue, …).
    pub tell_apart: String,
}

impl Alternative {
    /// "model_not_in_region (BD409): whether the region's catalogue …": the line the table and
    /// Markdown show.
    pub fn describe(&self) -> String {
        format!("{} ({}): {}", self.cause, code_for(self.cause), self.tell_apart)
    }
}

/// A cause one text cannot always tell from another.
struct Ambiguity {
    cause: Cause,
    alternative: Cause,
    /// The text rules the alternative out when it says any of these (normalised).
    unless: &'static [&'static str],
    /// Only when no rule of the classifier named the cause (a fallback guess).
    only_guessed: bool,
    tell_apart: &'static str,
}

static AMBIGUOUS: &[Ambiguity] = &[
    Ambiguity {
        cause: Cause::InvalidModelId,
        alternative: Cause::ModelNotInRegion,
        unless: &[
            "could not resolve the foundation model",
            "failed to satisfy constraint",
        ],
        only_guessed: false,
        tell_apart: "whether the region's catalogue lists the model: `triage --verify` (or `bedrock-doctor models --region REGION`)",
    },
    Ambiguity {
        cause: Cause::ModelAccessNotGranted,
        alternative: Cause::IamDeniedInvoke,
        unless: &[
            "don't have access to the model",
            "do not have access to the model",
            "not available for this account",
            "model access",
            "access to the model is denied",
            "operation not allowed",
            "not authorized to invoke this api",
        ],
        only_guessed: false,
        tell_apart: "an AccessDenied that names no principal or action is usually the account, but can be a policy; `triage --verify` probes the model with the same identity",
    },
    Ambiguity {
        cause: Cause::MalformedBody,
        alternative: Cause::InvalidModelId,
        unless: &[],
        only_guessed: true,
        tell_apart: "the message AWS sent with the 400 names the field; `bedrock-doctor invoke --dry-run` checks the body, `triage --verify` the identifier",
    },
    Ambiguity {
        cause: Cause::ModelTimeout,
        alternative: Cause::EndpointUnreachable,
        unless: &[
            "modeltimeoutexception",
            "model timeout length",
            "processing time exceeded",
        ],
        only_guessed: false,
        tell_apart: "whether short calls to the same endpoint answer: a slow model times out on long generations only",
    },
    Ambiguity {
        cause: Cause::Throttled,
        alternative: Cause::QuotaExceeded,
        unless: &["too many requests", "rate exceeded", "request rate", "per minute"],
        only_guessed: false,
        tell_apart: "whether the error clears within a minute (a per-minute limit) or not until the next day (a daily quota)",
    },
];

/// What a `--verify` run said about the triaged cause.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// `true`: a live finding shows the same cause; `false`: the live checks saw something
    /// else (see `live_causes`); null: nothing failed live, so nothing could confirm it.
    pub confirmed: Option<bool>,
    /// The causes of the failed (or inconclusive) live findings for the region and model.
    pub live_causes: Vec<Cause>,
}

impl Verdict {
    /// What the live checks said about the triage, in one sentence.
    pub fn describe(&self) -> String {
        match self.confirmed {
            Some(true) => "confirmed by the live checks".to_string(),
            Some(false) => format!(
                "not confirmed: the live checks saw {}",
                self.live_causes
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => "nothing failed in the live checks now (the problem may be intermittent, or fixed)"
                .to_string(),
        }
    }
}

/// Compares a triage with the findings of a verification run.
pub fn verdict(t: &Triage, report: &crate::report::Report) -> Verdict {
    use crate::report::Status;
    let mut live: Vec<Cause> = Vec::new();
    for f in &report.findings {
        let concerns_model = f.model.is_none() || f.model == t.extracted.model;
        if concerns_model
            && matches!(f.status, Status::Fail | Status::Inconclusive | Status::Warn)
            && f.cause != Cause::Other
            && !live.contains(&f.cause)
        {
            live.push(f.cause);
        }
    }
    // "Invalid identifier" is the ambiguous one: a live "not in region" resolves it.
    let same =
        |c: &Cause| *c == t.cause || (t.cause == Cause::InvalidModelId && *c == Cause::ModelNotInRegion);
    let confirmed = if live.is_empty() {
        None
    } else {
        Some(live.iter().any(same))
    };
    Verdict {
        confirmed,
        live_causes: live,
    }
}

/// The code whose document explains a cause seen at run time (the probe's codes, mostly).
pub fn code_for(cause: Cause) -> Code {
    match cause {
        Cause::Ok => Code::BD400,
        Cause::NoCredentials => Code::BD101,
        Cause::InvalidCredentials => Code::BD102,
        Cause::ExpiredToken => Code::BD103,
        Cause::ClockSkew => Code::BD104,
        Cause::IamDeniedInvoke => Code::BD401,
        Cause::ScpDenied => Code::BD402,
        Cause::IamDeniedMarketplace => Code::BD403,
        Cause::MarketplaceAgreementMissing => Code::BD404,
        Cause::AnthropicUseCaseForm => Code::BD405,
        Cause::ModelAccessNotGranted => Code::BD406,
        Cause::NeedsInferenceProfile => Code::BD407,
        Cause::ModelEolLegacy => Code::BD408,
        Cause::InvalidModelId | Cause::ModelNotInRegion => Code::BD409,
        Cause::RegionNotSupported => Code::BD502,
        Cause::AssumeRoleDenied => Code::BD101,
        Cause::Throttled
        | Cause::QuotaExceeded
        | Cause::ModelNotReady
        | Cause::ModelTimeout
        | Cause::ServiceUnavailable
        | Cause::EndpointUnreachable
        | Cause::NonAwsAnswer => Code::BD411,
        Cause::ServiceTierUnavailable => Code::BD413,
        Cause::DataRetentionIncompatible => Code::BD414,
        Cause::MalformedBody | Cause::LegacyPromptFormat | Cause::Other => Code::BD410,
        Cause::ArnMalformed => Code::BD301,
        Cause::ArnWrongService => Code::BD302,
        Cause::ArnInvalidRegion => Code::BD303,
        Cause::ArnAccountField => Code::BD304,
        Cause::ArnUnknownResourceType => Code::BD305,
        Cause::ArnGeographyMismatch => Code::BD306,
        Cause::ArnModelNotInRegion => Code::BD307,
        Cause::ArnWildcard => Code::BD308,
        Cause::ArnRegionMismatch => Code::BD309,
        Cause::ArnProfileDestinationsMissing => Code::BD310,
        Cause::ArnGrantMissing => Code::BD311,
    }
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("triage patterns are valid")
}

/// boto3 / botocore: `An error occurred (AccessDeniedException) when calling the Converse operation: …`
static BOTO: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"An error occurred \(([A-Za-z0-9_.]+)\)(?: \(reached max retries: \d+\))? when calling the ([A-Za-z]+) operation",
    )
});
/// JavaScript v3 / Java / Go / Rust: `AccessDeniedException: …`, `ValidationException - …`, `*.ThrottlingException`.
static EXCEPTION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b([A-Z][A-Za-z]*(?:Exception|Error|Fault|Failure)|ExpiredToken|InvalidClientTokenId|SignatureDoesNotMatch|Throttling|AccessDenied|FTUFormNotFilled|MPAgreementBeingCreated|RequestExpired|IncompleteSignature)\b",
    )
});
/// JSON bodies: `"__type": "…#X"`, `"code": "X"`, `"type": "permission_error"`.
static JSON_CODE: LazyLock<Regex> =
    LazyLock::new(|| re(r##""(?:__type|code|Code|type)"\s*:\s*"(?:[^"#]*#)?([A-Za-z_]+)""##));
static ERROR_TYPE_HEADER: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)x-amzn-errortype\W+([A-Za-z]+)"));
static STATUS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:status(?:\s*code)?|http(?:/1\.1|/2)?|error code|statuscode|httpstatuscode)\W{0,3}([1-5]\d\d)\b|\b([1-5]\d\d) (?:Bad Request|Unauthorized|Forbidden|Not Found|Request Timeout|Too Many Requests|Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout|Failed Dependency)\b",
    )
});
static OPERATION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(InvokeModelWithResponseStream|InvokeModelWithBidirectionalStream|InvokeModel|ConverseStream|Converse|CountTokens|ListFoundationModels|GetFoundationModel|ListInferenceProfiles|GetInferenceProfile|GetCallerIdentity|ApplyGuardrail|StartAsyncInvoke)(?:Command)?\b",
    )
});
static REGION: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b((?:us|eu|ap|sa|ca|me|af|il|mx|cn|eusc)(?:-gov|-iso[bf]?)?-[a-z]+-\d)\b"));
static MODEL_ARN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d*:(?:foundation-model|inference-profile|application-inference-profile)/([A-Za-z0-9._:-]+)",
    )
});
static MODEL_ID: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r#"(?i)(?:model ?id|modelid|model identifier|model)["']?\s*[:=]?\s*["'`]?((?:(?:{})\.)?(?:{})\.[A-Za-z0-9._:-]+)"#,
        alternation(PROFILE_GEOS),
        alternation(PROVIDERS)
    ))
});
static MODEL_PATH: LazyLock<Regex> =
    LazyLock::new(|| re(r"/model/([^/\s]+)/(?:invoke|converse|count-tokens)"));
static MODEL_BARE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b((?:(?:{})\.)?(?:{})\.[a-z0-9][A-Za-z0-9._-]*(?::\d+(?::[0-9a-z]+)?)?)",
        alternation(PROFILE_GEOS),
        alternation(PROVIDERS)
    ))
});
/// A Bedrock or STS host name, whose region part may be no region at all (`….undefined.…`).
static HOST_REGION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:bedrock(?:-runtime|-agent(?:-runtime)?|-mantle)?|sts)\.([a-z0-9-]+)\.(?:amazonaws\.com|api\.aws)\b",
    )
});
static REQUEST_ID: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:request[ _-]?id|x-amzn-requestid|requestid)\W{0,4}([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",
    )
});

/// Codes that name no error (wrappers, generic classes) and must not hide the real one.
const GENERIC: &[&str] = &[
    "Error",
    "ClientError",
    "ServiceException",
    "BotocoreError",
    "Exception",
    "TypeError",
    "ValueError",
    "RuntimeError",
    "APIError",
    "BadRequestError",
    "HTTPError",
    "ApiError",
    "SdkError",
    "ServiceError",
    "BedrockRuntimeServiceException",
    "BedrockServiceException",
    "AnthropicError",
    "APIStatusError",
    "PermissionDeniedError",
    "NotFoundError",
    "RateLimitError",
    "InternalServerError",
    "AuthenticationError",
];

/// Error codes AWS sends for Bedrock and STS, and the client-side errors SDKs raise: when a text
/// names several exceptions (wrappers, `Caused by:` chains), one of these wins.
const KNOWN: &[&str] = &[
    "AccessDeniedException",
    "ValidationException",
    "ResourceNotFoundException",
    "ThrottlingException",
    "ServiceQuotaExceededException",
    "ModelNotReadyException",
    "ModelTimeoutException",
    "ModelErrorException",
    "ModelStreamErrorException",
    "InternalServerException",
    "ServiceUnavailableException",
    "ConflictException",
    "UnrecognizedClientException",
    "ExpiredTokenException",
    "ExpiredToken",
    "InvalidSignatureException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "RequestExpired",
    "UnknownOperationException",
    "AccessDenied",
    "Throttling",
    "FTUFormNotFilled",
    "MPAgreementBeingCreated",
    "NoCredentialsError",
    "CredentialsProviderError",
    "CredentialRetrievalError",
    "EndpointConnectionError",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "SdkClientException",
];

/// Pulls the error code, status, operation, region, model and request id out of a pasted text.
pub fn extract(text: &str) -> Extracted {
    let first = |r: &Regex| {
        r.captures(text)
            .and_then(|c| c.get(1))
            .map(|m| m.as_str().to_string())
    };
    let (mut code, mut operation) = match BOTO.captures(text) {
        Some(c) => (Some(c[1].to_string()), Some(c[2].to_string())),
        None => (None, None),
    };
    code = code
        .or_else(|| first(&ERROR_TYPE_HEADER))
        .or_else(|| {
            let named: Vec<String> = EXCEPTION.captures_iter(text).map(|c| c[1].to_string()).collect();
            named
                .iter()
                .find(|c| KNOWN.contains(&c.as_str()))
                .or_else(|| named.iter().find(|c| !GENERIC.contains(&c.as_str())))
                .cloned()
        })
        .or_else(|| {
            JSON_CODE
                .captures_iter(text)
                .map(|c| c[1].to_string())
                .find(|c| c != "error" && !GENERIC.contains(&c.as_str()))
        });
    operation = operation.or_else(|| first(&OPERATION));
    let http_status = STATUS.captures_iter(text).find_map(|c| {
        c.get(1)
            .or_else(|| c.get(2))
            .and_then(|m| m.as_str().parse().ok())
    });
    // A candidate counts only if the identifier grammar accepts it.
    let model_id = |re: &Regex| {
        re.captures_iter(text)
            .map(|c| c[1].to_string())
            .find(|m| ident::parse(m).is_ok())
    };
    let model = first(&MODEL_ARN)
        .or_else(|| first(&MODEL_PATH).map(|m| percent_decode(&m)))
        .or_else(|| model_id(&MODEL_ID))
        .or_else(|| model_id(&MODEL_BARE))
        .map(|m| m.trim_end_matches(['.', ',', ';', ')']).to_string());
    let region = first(&REGION);
    Extracted {
        error_code: code,
        http_status,
        operation,
        denial: crate::denial::parse(text, region.as_deref()),
        region,
        model,
        request_id: first(&REQUEST_ID),
    }
}

fn percent_decode(s: &str) -> String {
    s.replace("%3A", ":")
        .replace("%3a", ":")
        .replace("%2F", "/")
        .replace("%2f", "/")
}

const RUNTIME_OPERATIONS: &[&str] = &[
    "InvokeModel",
    "InvokeModelWithResponseStream",
    "Converse",
    "ConverseStream",
    "CountTokens",
    "ApplyGuardrail",
    "StartAsyncInvoke",
];

/// Classifies a pasted error text. Unknown text is `other`, never a confident guess.
pub fn triage(text: &str, region: Option<&str>, model: Option<&str>) -> Triage {
    let mut x = extract(text);
    if region.is_some() {
        x.region = region.map(str::to_string);
    }
    if model.is_some() {
        x.model = model.map(str::to_string);
    }
    let lower = classify::normalise(text);
    let runtime = x
        .operation
        .as_deref()
        .is_some_and(|o| RUNTIME_OPERATIONS.contains(&o))
        || lower.contains("bedrock-runtime")
        || lower.contains("/model/");
    let service = if x.operation.as_deref() == Some("GetCallerIdentity") {
        "sts"
    } else if runtime {
        "bedrock-runtime"
    } else {
        "bedrock"
    };
    let recognised = classify::recognise(&ErrorFacts {
        service,
        operation: x.operation.as_deref().unwrap_or_default(),
        http_status: x.http_status,
        code: x.error_code.as_deref(),
        message: Some(text),
        transport: None,
    });
    let mut cause = recognised.unwrap_or(Cause::Other);
    let network = classify::network_problem(text);
    if cause == Cause::Other && network.is_some() {
        cause = Cause::EndpointUnreachable;
    }
    // A 400 from Bedrock that no rule names is a ValidationException: most often the body.
    let validation = x
        .error_code
        .as_deref()
        .is_some_and(|c| classify::normalise_code(c) == "validationexception")
        || (x.error_code.is_none() && x.http_status == Some(400) && service != "sts");
    if recognised.is_none() && cause == Cause::Other && validation {
        cause = Cause::MalformedBody;
    }
    // A host whose region part is not a region (an unset variable, a typo) cannot resolve.
    let host_region = HOST_REGION.captures(text).map(|c| c[1].to_string());
    if cause == Cause::EndpointUnreachable
        && x.region.is_none()
        && host_region
            .as_deref()
            .is_some_and(|r| regions::lookup(r).is_none())
    {
        cause = Cause::RegionNotSupported;
    }
    // A host in a region without Bedrock (or no region at all) is not a network problem.
    if cause == Cause::EndpointUnreachable
        && let Some(r) = &x.region
        && !regions::lookup(r).is_some_and(|i| i.bedrock)
    {
        cause = Cause::RegionNotSupported;
    }
    let code = code_for(cause);
    let (mut title, mut steps) = advice(cause, &x);
    if cause == Cause::EndpointUnreachable
        && let Some(n) = network
    {
        title = n.what.to_string();
        steps = vec![n.step.to_string()];
    }
    if matches!(cause, Cause::Throttled | Cause::QuotaExceeded)
        && let Some(kind) = classify::throttle_kind(text)
    {
        title = format!("{title}: {kind}");
    }
    let mut remediation = steps;
    remediation.push(format!("Run `bedrock-doctor explain {code}` for details"));
    if cause != Cause::Other && x.region.is_some() {
        let mut verify = format!(
            "Verify: `bedrock-doctor check --region {}",
            x.region.as_deref().unwrap_or_default()
        );
        if let Some(m) = &x.model {
            verify.push_str(&format!(" --model {m}"));
        }
        verify.push('`');
        remediation.push(verify);
    }
    let guessed = recognised.is_none();
    let alternative = AMBIGUOUS
        .iter()
        .find(|a| {
            a.cause == cause && (guessed || !a.only_guessed) && !a.unless.iter().any(|u| lower.contains(u))
        })
        .map(|a| Alternative {
            cause: a.alternative,
            tell_apart: a.tell_apart.to_string(),
        });
    Triage {
        alternative,
        cause,
        code,
        title,
        remediation,
        extracted: x,
    }
}

fn advice(cause: Cause, x: &Extracted) -> (String, Vec<String>) {
    let model = x.model.as_deref().unwrap_or("MODEL");
    let region = x.region.as_deref().unwrap_or("REGION");
    let (title, steps): (&str, Vec<String>) = match cause {
        Cause::NoCredentials => ("the SDK found no credentials to sign with", vec!["Configure credentials (`aws configure`, `aws sso login`, environment variables, or the role of the instance/container/function)".into()]),
        Cause::InvalidCredentials => ("AWS rejected the credentials (unknown key, wrong secret or stray session token)", vec!["Check the key pair is active and belongs together; unset AWS_SESSION_TOKEN with long-term keys".into()]),
        Cause::ExpiredToken => ("the session credentials have expired", vec!["Obtain fresh credentials (re-assume the role, `aws sso login`); prefer a provider the SDK can refresh".into()]),
        Cause::ClockSkew => ("the request was signed with a clock too far from AWS time", vec!["Synchronise the clock with NTP (`timedatectl set-ntp true`, `chronyc makestep`)".into()]),
        Cause::IamDeniedInvoke => ("an IAM policy does not allow the Bedrock action on this resource", vec![format!("Allow the action named in the message on the resource it names (for {model} in {region}; for a profile, also the foundation-model ARN in every destination region)")]),
        Cause::ScpDenied => ("an organization SCP explicitly denies the call", vec!["Ask the organization administrators about the SCP the message cites; profiles need every destination region allowed".into()]),
        Cause::IamDeniedMarketplace => ("the first use of this third-party model needs AWS Marketplace permissions", vec!["Invoke once with a principal allowed aws-marketplace:Subscribe and aws-marketplace:ViewSubscriptions, then retry after the minutes the message names".into()]),
        Cause::MarketplaceAgreementMissing => ("the model's Marketplace subscription is missing, pending or failed", vec!["Check the payment method; a pending agreement completes within about 15 minutes".into()]),
        Cause::ModelAccessNotGranted => ("the account may not use this model", vec!["Check account-level gating with your AWS account team, or use another model or region".into()]),
        Cause::AnthropicUseCaseForm => ("Anthropic's use-case form has not been filed for the account", vec!["Submit the use-case form once (Bedrock console → Model catalog → an Anthropic model)".into()]),
        Cause::NeedsInferenceProfile => ("this model cannot be invoked on demand by its bare ID here", vec![format!("Invoke an inference profile instead (e.g. `us.{}`); `bedrock-doctor models --region {region}` lists them", x.model.as_deref().unwrap_or("MODEL_ID").trim_start_matches("us.").trim_start_matches("eu.").trim_start_matches("apac."))]),
        Cause::ModelNotInRegion => ("the model or profile is not offered in the region called", vec![format!("List what {region} offers: `bedrock-doctor models --region {region}`")]),
        Cause::ModelEolLegacy => ("the model is Legacy (account locked out) or past its end of life", vec!["Move to the model's successor".into()]),
        Cause::InvalidModelId => ("the model identifier is invalid here (typo, wrong version, another geography's profile, or not offered in this region)", vec![format!("Compare with `bedrock-doctor models --region {region}`; `triage --verify` resolves which case it is")]),
        Cause::MalformedBody => ("the request body does not match what the model accepts", vec!["Validate the body: `bedrock-doctor invoke --model MODEL --region REGION --body FILE --dry-run`".into()]),
        Cause::LegacyPromptFormat => ("the request uses the wrong prompt format for this model", vec!["Use the Messages API body (anthropic_version, max_tokens, messages) or Converse; text completions need `\\n\\nHuman:` … `\\n\\nAssistant:`".into()]),
        Cause::Throttled => ("requests or tokens per minute were exceeded", vec!["Retry with backoff; raise the quota in Service Quotas (service `bedrock`) or spread load with a cross-region profile".into()]),
        Cause::QuotaExceeded => ("a hard or daily quota is exhausted", vec!["Check Service Quotas (service `bedrock`) for the model and region; a daily quota resets the next day".into()]),
        Cause::ModelNotReady => ("the model is warming up (imported model cold start)", vec!["Retry with backoff for a minute or two".into()]),
        Cause::ModelTimeout => ("the model took too long to answer", vec!["Retry; reduce max tokens or the prompt size".into()]),
        Cause::ServiceUnavailable => ("AWS-side failure (5xx, internal error, model error)", vec!["Retry with backoff; use a cross-region inference profile for capacity".into()]),
        Cause::RegionNotSupported => ("the region called does not offer Bedrock, or is not a region", vec![format!("Use a Bedrock region{}", x.region.as_deref().and_then(regions::suggest).map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]),
        Cause::EndpointUnreachable => ("the Bedrock endpoint could not be reached from here", vec!["Check DNS, proxy (HTTPS_PROXY/NO_PROXY), firewall and VPC endpoints for bedrock-runtime".into()]),
        Cause::NonAwsAnswer => ("the answer did not come from AWS (a proxy, a captive portal, a gateway or an emulator answered)", vec!["Check AWS_ENDPOINT_URL* and the profile's endpoint_url, HTTPS_PROXY/NO_PROXY, and what answers at that address; AWS answers carry an x-amzn-RequestId".into()]),
        Cause::ServiceTierUnavailable => ("the requested service tier cannot serve this model for this account and region", vec!["Call without `serviceTier` (the default tier), or use a tier and model the account has: reserved capacity needs a reservation in that region".into()]),
        Cause::DataRetentionIncompatible => ("the account's data retention mode in this region is not one the model accepts", vec![format!("Check the data retention setting of the account in {region} against what {model} accepts, or call a model that accepts it")]),
        Cause::AssumeRoleDenied => ("a role could not be assumed (trust policy, missing sts:AssumeRole, wrong external id, MFA)", vec!["Check the role's trust policy names this principal (and the external id or MFA it requires), and that the principal may call sts:AssumeRole on the role".into()]),
        Cause::Ok => ("no error", vec![]),
        Cause::ArnMalformed
        | Cause::ArnWrongService
        | Cause::ArnInvalidRegion
        | Cause::ArnAccountField
        | Cause::ArnUnknownResourceType
        | Cause::ArnGeographyMismatch
        | Cause::ArnModelNotInRegion
        | Cause::ArnWildcard
        | Cause::ArnRegionMismatch
        | Cause::ArnProfileDestinationsMissing
        | Cause::ArnGrantMissing => ("an ARN in a policy or configuration is wrong", vec!["Check the ARN with `bedrock-doctor lint` on the file that holds it".into()]),
        Cause::Other => ("the text matches no known Bedrock failure", vec!["Look for the AWS error code and message in the full log (the line after the stack trace)".into(), "Run `bedrock-doctor check --region REGION --model MODEL` to test the setup directly".into()]),
    };
    (title.to_string(), steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Realistic texts, one per pattern, as users paste them.
    #[test]
    fn realistic_texts() {
        let cases: &[(&str, Cause)] = &[
            // boto3
            (
                "botocore.errorfactory.AccessDeniedException: An error occurred (AccessDeniedException) when calling the InvokeModel operation: User: arn:aws:sts::123456789012:assumed-role/app/i-0abc is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0 because no identity-based policy allows the bedrock:InvokeModel action",
                Cause::IamDeniedInvoke,
            ),
            (
                "An error occurred (AccessDeniedException) when calling the Converse operation: User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:eu-west-3::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0 with an explicit deny in a service control policy",
                Cause::ScpDenied,
            ),
            (
                "An error occurred (AccessDeniedException) when calling the InvokeModel operation: Model access is denied due to IAM user or service role is not authorized to perform the required AWS Marketplace actions (aws-marketplace:ViewSubscriptions, aws-marketplace:Subscribe) to enable access to this model.",
                Cause::IamDeniedMarketplace,
            ),
            (
                "An error occurred (AccessDeniedException) when calling the InvokeModel operation: Model access is denied due to INVALID_PAYMENT_INSTRUMENT:A valid payment instrument must be provided.",
                Cause::MarketplaceAgreementMissing,
            ),
            (
                "An error occurred (AccessDeniedException) when calling the InvokeModel operation: You don't have access to the model with the specified model ID.",
                Cause::ModelAccessNotGranted,
            ),
            (
                "An error occurred (ResourceNotFoundException) when calling the InvokeModel operation: Model use case details have not been submitted for this account. Fill out the Anthropic use case details form before using the model.",
                Cause::AnthropicUseCaseForm,
            ),
            (
                "An error occurred (ValidationException) when calling the Converse operation: Invocation of model ID anthropic.claude-3-7-sonnet-20250219-v1:0 with on-demand throughput isn\u{2019}t supported. Retry your request with the ID or ARN of an inference profile that contains this model.",
                Cause::NeedsInferenceProfile,
            ),
            (
                "An error occurred (ResourceNotFoundException) when calling the InvokeModel operation: Access denied. This Model is marked by provider as Legacy and you have not been actively using the model in the last 15 days. Please upgrade to an active model on Amazon Bedrock",
                Cause::ModelEolLegacy,
            ),
            (
                "An error occurred (ValidationException) when calling the InvokeModel operation: The provided model identifier is invalid.",
                Cause::InvalidModelId,
            ),
            (
                "An error occurred (ValidationException) when calling the InvokeModel operation: Malformed input request: #: extraneous key [model] is not permitted, please reformat your input and try again.",
                Cause::MalformedBody,
            ),
            (
                "An error occurred (ValidationException) when calling the InvokeModel operation: prompt must start with \"\n\nHuman:\" turn after an optional system prompt",
                Cause::LegacyPromptFormat,
            ),
            (
                "An error occurred (ThrottlingException) when calling the InvokeModel operation (reached max retries: 4): Too many requests, please wait before trying again.",
                Cause::Throttled,
            ),
            (
                "An error occurred (ThrottlingException) when calling the Converse operation: Too many tokens per day, please wait before trying again.",
                Cause::QuotaExceeded,
            ),
            (
                "An error occurred (ServiceQuotaExceededException) when calling the InvokeModel operation: Your request exceeded the service quota",
                Cause::QuotaExceeded,
            ),
            (
                "An error occurred (ModelNotReadyException) when calling the InvokeModel operation: Model is not ready for inference.",
                Cause::ModelNotReady,
            ),
            (
                "An error occurred (ModelTimeoutException) when calling the InvokeModel operation: Model has timed out in processing the request.",
                Cause::ModelTimeout,
            ),
            (
                "An error occurred (ServiceUnavailableException) when calling the Converse operation: Bedrock is unable to process your request.",
                Cause::ServiceUnavailable,
            ),
            (
                "An error occurred (ExpiredTokenException) when calling the InvokeModel operation: The security token included in the request is expired",
                Cause::ExpiredToken,
            ),
            (
                "An error occurred (UnrecognizedClientException) when calling the InvokeModel operation: The security token included in the request is invalid.",
                Cause::InvalidCredentials,
            ),
            (
                "An error occurred (InvalidSignatureException) when calling the InvokeModel operation: Signature expired: 20261124T100000Z is now earlier than 20261124T101500Z (20261124T102000Z - 5 min.)",
                Cause::ClockSkew,
            ),
            (
                "botocore.exceptions.NoCredentialsError: Unable to locate credentials",
                Cause::NoCredentials,
            ),
            (
                "botocore.exceptions.EndpointConnectionError: Could not connect to the endpoint URL: \"https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke\"",
                Cause::EndpointUnreachable,
            ),
            (
                "botocore.exceptions.EndpointConnectionError: Could not connect to the endpoint URL: \"https://bedrock-runtime.ap-east-1.amazonaws.com/model/x/converse\"",
                Cause::RegionNotSupported,
            ),
            // JavaScript v3
            (
                "CredentialsProviderError: Could not load credentials from any providers\n    at async /app/node_modules/@smithy/property-provider/dist-cjs/index.js:79:27",
                Cause::NoCredentials,
            ),
            (
                "AccessDeniedException: User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-west-2::foundation-model/meta.llama3-70b-instruct-v1:0 because no identity-based policy allows the bedrock:InvokeModel action\n    at de_AccessDeniedExceptionRes (/app/node_modules/@aws-sdk/client-bedrock-runtime/dist-cjs/index.js:1202:21)",
                Cause::IamDeniedInvoke,
            ),
            (
                "ValidationException: The provided model identifier is invalid.\n    at de_ValidationExceptionRes",
                Cause::InvalidModelId,
            ),
            (
                "Error: getaddrinfo ENOTFOUND bedrock-runtime.us-east-3.amazonaws.com",
                Cause::RegionNotSupported,
            ),
            (
                "ThrottlingException: Too many tokens, please wait before trying again.",
                Cause::Throttled,
            ),
            // Raw JSON bodies and HTTP prefixes
            (
                r#"{"message":"The security token included in the request is expired"}"#,
                Cause::ExpiredToken,
            ),
            (
                r#"403 Forbidden {"Message":"User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"}"#,
                Cause::IamDeniedInvoke,
            ),
            (
                r#"Error code: 400 - {'message': 'Invocation of model ID amazon.nova-pro-v1:0 with on-demand throughput isn’t supported. Retry your request with the ID or ARN of an inference profile that contains this model.'}"#,
                Cause::NeedsInferenceProfile,
            ),
            (
                r#"{"type":"error","error":{"type":"permission_error","message":"This model is not available for this account."}}"#,
                Cause::ModelAccessNotGranted,
            ),
            ("HTTP 429 Too Many Requests", Cause::Throttled),
            ("503 Service Unavailable", Cause::ServiceUnavailable),
            // Framework wrappers and stack traces with the error in the middle
            (
                "litellm.exceptions.BadRequestError: litellm.BadRequestError: BedrockException - {\"message\":\"The provided model identifier is invalid.\"}",
                Cause::InvalidModelId,
            ),
            (
                "Traceback (most recent call last):\n  File \"app.py\", line 12, in <module>\n    llm.invoke(\"hi\")\n  File \"/usr/lib/python3.11/site-packages/langchain_aws/chat_models/bedrock_converse.py\", line 590, in _generate\nValueError: Error raised by bedrock service: An error occurred (AccessDeniedException) when calling the Converse operation: You don't have access to the model with the specified model ID.\n  During handling of the above exception, another exception occurred:",
                Cause::ModelAccessNotGranted,
            ),
            (
                "java.util.concurrent.CompletionException: software.amazon.awssdk.services.bedrockruntime.model.ResourceNotFoundException: This model version has reached the end of its life. (Service: BedrockRuntime, Status Code: 404, Request ID: 3f1c6a8e-1111-4a2b-9c3d-0123456789ab)",
                Cause::ModelEolLegacy,
            ),
            (
                "Error invoking model: 404: no access in the specified region (ap-northeast-1)",
                Cause::ModelNotInRegion,
            ),
            (
                "An error occurred (ValidationException) when calling the InvokeModel operation: Operation not allowed",
                Cause::ModelAccessNotGranted,
            ),
            // Answers that are not from AWS, and the newer gates.
            (
                "<html><head><title>403 Forbidden</title></head><body>Request blocked by the corporate proxy</body></html>",
                Cause::NonAwsAnswer,
            ),
            (
                "SyntaxError: Unexpected token < in JSON at position 0",
                Cause::NonAwsAnswer,
            ),
            (
                "botocore.errorfactory.ValidationException: An error occurred (ValidationException) when calling the Converse operation: Reservation not found.",
                Cause::ServiceTierUnavailable,
            ),
            (
                "ValidationException: data retention mode 'default' is not available for this model",
                Cause::DataRetentionIncompatible,
            ),
            (
                "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/bedrock",
                Cause::AssumeRoleDenied,
            ),
            // Messages alone, without a code or status.
            (
                "Model is not ready for inference. Wait and try your request again",
                Cause::ModelNotReady,
            ),
            (
                "Your request exceeds the service quota for your account.",
                Cause::QuotaExceeded,
            ),
            (
                "Error: Can't invoke. Reason: Bedrock is unable to process your request.",
                Cause::ServiceUnavailable,
            ),
            (
                "The request took too long to process. Processing time exceeded the model timeout length.",
                Cause::ModelTimeout,
            ),
            ("something completely unrelated happened", Cause::Other),
            ("", Cause::Other),
        ];
        for (text, want) in cases {
            assert_eq!(triage(text, None, None).cause, *want, "{text}");
        }
        // Every cause of the vocabulary (but `ok` and the ARN causes, which come from reading
        // policies, not error texts) has at least one realistic text above.
        for c in Cause::ALL
            .iter()
            .filter(|c| **c != Cause::Ok && !c.as_str().starts_with("arn_"))
        {
            assert!(cases.iter().any(|(_, want)| want == c), "no triage text for {c}");
        }
    }

    #[test]
    fn extraction() {
        let x = extract(
            "java.util.concurrent.CompletionException: software.amazon.awssdk.services.bedrockruntime.model.ResourceNotFoundException: This model version has reached the end of its life. (Service: BedrockRuntime, Status Code: 404, Request ID: 3f1c6a8e-1111-4a2b-9c3d-0123456789ab)",
        );
        assert_eq!(x.error_code.as_deref(), Some("ResourceNotFoundException"));
        assert_eq!(x.http_status, Some(404));
        assert_eq!(
            x.request_id.as_deref(),
            Some("3f1c6a8e-1111-4a2b-9c3d-0123456789ab")
        );

        let x = extract(
            "An error occurred (AccessDeniedException) when calling the InvokeModel operation: User: arn:aws:iam::1:user/d is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:ap-northeast-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0",
        );
        assert_eq!(x.error_code.as_deref(), Some("AccessDeniedException"));
        assert_eq!(x.operation.as_deref(), Some("InvokeModel"));
        assert_eq!(x.region.as_deref(), Some("ap-northeast-1"));
        assert_eq!(
            x.model.as_deref(),
            Some("anthropic.claude-3-5-sonnet-20240620-v1:0")
        );

        let x = extract(
            "Could not connect to the endpoint URL: \"https://bedrock-runtime.eu-west-1.amazonaws.com/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse\"",
        );
        assert_eq!(x.region.as_deref(), Some("eu-west-1"));
        assert_eq!(
            x.model.as_deref(),
            Some("us.anthropic.claude-sonnet-4-20250514-v1:0")
        );

        let x = extract(
            "ValidationException: Invocation of model ID amazon.nova-pro-v1:0 with on-demand throughput isn't supported.\n at InvokeModelCommand",
        );
        assert_eq!(x.model.as_deref(), Some("amazon.nova-pro-v1:0"));
        assert_eq!(x.operation.as_deref(), Some("InvokeModel"));
        assert_eq!(x.error_code.as_deref(), Some("ValidationException"));

        let x = extract("HTTP 429 Too Many Requests");
        assert_eq!(x.http_status, Some(429));
    }

    #[test]
    fn network_failures_say_which_and_what_to_do() {
        let t = triage(
            "Error: getaddrinfo ENOTFOUND bedrock-runtime.eu-west-1.amazonaws.com",
            None,
            None,
        );
        assert_eq!(t.cause, Cause::EndpointUnreachable);
        assert_eq!(t.title, "the endpoint's host name did not resolve (DNS)");
        assert!(t.remediation[0].contains("nslookup"), "{:?}", t.remediation);
        let t = triage(
            "SSLError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate",
            Some("us-east-1"),
            None,
        );
        assert_eq!(t.cause, Cause::EndpointUnreachable);
        assert!(t.remediation[0].contains("CA certificate"), "{:?}", t.remediation);
    }

    #[test]
    fn context_flags_fill_gaps_and_verify_step_names_them() {
        let t = triage(
            "The provided model identifier is invalid.",
            Some("eu-west-1"),
            Some("us.amazon.nova-pro-v1:0"),
        );
        assert_eq!(t.cause, Cause::InvalidModelId);
        assert!(
            t.remediation
                .iter()
                .any(|s| s.contains("--region eu-west-1 --model us.amazon.nova-pro-v1:0"))
        );
        assert_eq!(t.code, Code::BD409);
    }

    #[test]
    fn every_cause_has_a_code_and_advice() {
        for c in Cause::ALL {
            let _ = code_for(*c);
            let (title, _) = advice(*c, &Extracted::default());
            assert!(!title.is_empty());
        }
    }

    /// Real error texts people posted publicly (issue trackers, forums, AWS documentation), each
    /// labelled with its cause and source: `tests/fixtures/triage/corpus.jsonl`.
    #[test]
    fn the_public_corpus_is_triaged_right() {
        #[derive(serde::Deserialize)]
        struct Case {
            text: String,
            cause: Cause,
            source: String,
        }
        let cases: Vec<Case> = include_str!("../tests/fixtures/triage/corpus.jsonl")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).expect("corpus lines are JSON"))
            .collect();
        assert!(cases.len() >= 200, "the corpus holds {} texts", cases.len());
        // Transient trouble named as an access problem sends people to change policies that work.
        let transient = |c: Cause| c.is_transient() || matches!(c, Cause::ExpiredToken);
        let access = |c: Cause| {
            matches!(
                c,
                Cause::IamDeniedInvoke
                    | Cause::IamDeniedMarketplace
                    | Cause::ScpDenied
                    | Cause::ModelAccessNotGranted
                    | Cause::AnthropicUseCaseForm
                    | Cause::MarketplaceAgreementMissing
                    | Cause::AssumeRoleDenied
                    | Cause::InvalidCredentials
            )
        };
        let mut right = 0;
        let mut wrong = Vec::new();
        let mut dangerous = Vec::new();
        let mut per_cause: std::collections::BTreeMap<&str, (usize, usize, usize)> = Default::default();
        for c in &cases {
            let got = triage(&c.text, None, None).cause;
            if got == c.cause {
                right += 1;
                per_cause.entry(c.cause.as_str()).or_default().0 += 1;
            } else {
                per_cause.entry(got.as_str()).or_default().1 += 1;
                per_cause.entry(c.cause.as_str()).or_default().2 += 1;
                wrong.push(format!(
                    "want {} got {got}: {} ({})",
                    c.cause,
                    c.text.chars().take(160).collect::<String>(),
                    c.source
                ));
                if transient(c.cause) && access(got) {
                    dangerous.push(wrong.last().cloned().unwrap_or_default());
                }
            }
        }
        println!("cause: precision recall (right / predicted / labelled)");
        for (cause, (tp, fp, fnn)) in &per_cause {
            let p = *tp as f64 / (*tp + *fp).max(1) as f64;
            let r = *tp as f64 / (*tp + *fnn).max(1) as f64;
            println!(
                "{cause:32} {:5.1} % {:5.1} %  ({tp} / {} / {})",
                100.0 * p,
                100.0 * r,
                tp + fp,
                tp + fnn
            );
        }
        let accuracy = right as f64 / cases.len() as f64;
        println!(
            "overall: {right} of {} right ({:.1} %)",
            cases.len(),
            100.0 * accuracy
        );
        for w in &wrong {
            println!("  {w}");
        }
        assert!(
            dangerous.is_empty(),
            "dangerous mistakes:\n{}",
            dangerous.join("\n")
        );
        assert!(
            accuracy >= 0.97,
            "accuracy {:.1} % is below 97 %",
            100.0 * accuracy
        );
    }
}
