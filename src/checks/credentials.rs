//! `credentials`: which credentials the SDK chain resolves, where from, and whether AWS
//! accepts them (STS `GetCallerIdentity`), plus the environment facts that change how Bedrock
//! calls authenticate (API keys, endpoint overrides) and the clock offset from AWS.

use crate::aws::{self, setup::CredentialSource};
use crate::check::{Check, CheckError};
use crate::check_info::{CheckInfo, no_column};
use crate::codes::Code;
use crate::context::{Context, CredentialState, Service};
use crate::report::Findings;
use crate::report::{AwsEvidence, Cause, Finding, Identity, Status};
use crate::secrets;
use aws_credential_types::provider::ProvideCredentials;
use futures::FutureExt;
use futures::future::BoxFuture;
use std::time::{Duration, SystemTime};

pub struct Credentials;

/// Signed requests are valid for 5 minutes either side of AWS time.
const SIGNING_WINDOW_SECS: i64 = 300;
/// An offset above this is worth a warning even inside the window.
const SKEW_WARN_SECS: i64 = 60;
/// Temporary credentials expiring sooner than this get a warning.
const EXPIRY_WARN: Duration = Duration::from_secs(15 * 60);

pub static INFO: CheckInfo = CheckInfo {
    id: "credentials",
    summary: "Resolves credentials through the standard chain and verifies them with STS",
    depends_on: &[],
    starter: "which credentials the AWS chain resolves, and whether STS accepts them",
    column: no_column,
};

impl Check for Credentials {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run<'a>(&'a self, cx: &'a Context, out: &'a Findings) -> BoxFuture<'a, Result<(), CheckError>> {
        run(cx, out).boxed()
    }
}

async fn run(cx: &Context, out: &Findings) -> Result<(), CheckError> {
    environment_facts(cx, out);

    let resolved = cx
        .call_anywhere(tokio::time::timeout(
            cx.settings.timeout / aws::SEQUENTIAL_DEPTH,
            cx.aws.chain.provide_credentials(),
        ))
        .await
        .0;
    let creds = match resolved {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            match &cx.aws.assumed_role {
                Some(role) => assume_role_denied(cx, out, role, &aws::error_chain(&e)),
                None => no_credentials(cx, out, &aws::error_chain(&e)),
            }
            return Ok(());
        }
        Err(_) => {
            no_credentials(cx, out, "the credential providers did not answer in time");
            return Ok(());
        }
    };

    let source = creds
        .get_property::<CredentialSource>()
        .map_or_else(|| "unknown".to_string(), |s| s.0.clone());
    let mut identity = Identity {
        credential_source: source.clone(),
        temporary: creds.session_token().is_some(),
        access_key_id: secrets::mask_key_id(creds.access_key_id()),
        expires_at: creds.expiry().and_then(rfc3339),
        ..Identity::default()
    };
    cx.set_identity(identity.clone());

    if let Some(expiry) = creds.expiry() {
        match expiry.duration_since(SystemTime::now()) {
            Err(_) => {
                out.push(
                    Finding::new(Code::BD103, Status::Fail, Cause::ExpiredToken, format!("the credentials from {source} expired at {}", identity.expires_at.clone().unwrap_or_default()))
                        .detail("The provider handed out credentials whose expiry is already past; every call signed with them is rejected.")
                        .step(refresh_step(&source)),
                );
                cx.set_credentials(CredentialState::Unusable(Code::BD103));
                return Ok(());
            }
            Ok(left) if left < EXPIRY_WARN => out.push(
                Finding::new(
                    Code::BD108,
                    Status::Warn,
                    Cause::Other,
                    format!(
                        "the credentials from {source} expire in {} min",
                        left.as_secs() / 60
                    ),
                )
                .detail("Long runs or deploys that start now may fail part-way with ExpiredToken.")
                .step(refresh_step(&source)),
            ),
            Ok(_) => {}
        }
    }

    let region = cx.aws.sts_region();
    let sts = cx.aws.sts(&region, creds.clone());
    let (answer, latency) = cx
        .call(Service::Sts, &region, sts.get_caller_identity().send())
        .await;
    let key = &identity.access_key_id;
    let state = match answer {
        // A 200 whose body names no account or ARN (a proxy's page, a truncated answer) is no
        // proof of identity: never a pass.
        Ok(who) if who.account().is_none() || who.arn().is_none() => {
            use aws_sdk_sts::operation::RequestId;
            out.push(
                Finding::new(Code::BD105, Status::Inconclusive, Cause::Other, "STS answered without an account or ARN")
                    .detail(format!(
                        "GetCallerIdentity in {region} returned HTTP 200 but its body named no account or ARN: something between this machine and STS (a proxy, a captive portal, a truncated answer) replied instead of AWS."
                    ))
                    .step(format!("Check what answers for sts.{region}.amazonaws.com from this network (proxy settings, AWS_ENDPOINT_URL_STS)"))
                    .aws(AwsEvidence::success("sts", "GetCallerIdentity", who.request_id()))
                    .latency(latency),
            );
            CredentialState::Usable {
                creds,
                verified: false,
            }
        }
        Ok(who) => {
            use aws_sdk_sts::operation::RequestId;
            tracing::debug!(arn = ?who.arn(), ?latency, "GetCallerIdentity succeeded");
            identity.account = who.account().map(str::to_string);
            identity.arn = who.arn().map(str::to_string);
            identity.user_id = who.user_id().map(str::to_string);
            cx.set_identity(identity.clone());
            out.push(
                Finding::new(
                    Code::BD100,
                    Status::Pass,
                    Cause::Ok,
                    format!("identity verified: {}", identity.arn.as_deref().unwrap_or("?")),
                )
                .detail(format!(
                    "Credentials from {source} (access key {key}, {}) are accepted by AWS; account {}.",
                    if identity.temporary {
                        "temporary"
                    } else {
                        "long-term"
                    },
                    identity.account.as_deref().unwrap_or("?")
                ))
                .aws(AwsEvidence::success("sts", "GetCallerIdentity", who.request_id()))
                .latency(latency),
            );
            CredentialState::Usable {
                creds,
                verified: true,
            }
        }
        Err(e) => {
            let f = aws::failure("sts", "GetCallerIdentity", &e);
            let (code, title, steps): (Code, String, Vec<String>) = match f.cause {
                Cause::InvalidCredentials => (
                    Code::BD102,
                    format!("AWS rejected the credentials from {source} (access key {key})"),
                    vec![
                        "Check that the access key id and secret belong together and that the key is active: `aws iam list-access-keys`".into(),
                        refresh_step(&source),
                    ],
                ),
                Cause::ExpiredToken => (
                    Code::BD103,
                    format!("the session token from {source} has expired"),
                    vec![refresh_step(&source)],
                ),
                Cause::ClockSkew => (
                    Code::BD104,
                    "AWS rejected the request signature because the local clock is off".into(),
                    vec![sync_clock_step()],
                ),
                _ => (
                    Code::BD105,
                    format!("STS did not confirm the identity ({})", f.cause),
                    vec![
                        f.network().map_or_else(
                            || format!("Check that this machine can reach the STS endpoint for {region} (proxy, firewall, VPC endpoint)"),
                            |n| n.step.to_string(),
                        ),
                        "Re-run later; the Bedrock checks still ran with the unverified credentials".into(),
                    ],
                ),
            };
            let status = if code == Code::BD105 && f.status == Status::Fail {
                Status::Inconclusive
            } else {
                f.status
            };
            let mut finding = Finding::new(code, status, f.cause, title)
                .detail(match f.network() {
                    Some(_) => format!("GetCallerIdentity in {region} {}", f.no_answer()),
                    None => format!(
                        "GetCallerIdentity in {region} failed: {}",
                        f.evidence.message.clone().unwrap_or_else(|| "no message".into())
                    ),
                })
                .aws(f.evidence)
                .latency(latency);
            for s in steps {
                finding = finding.step(s);
            }
            out.push(finding);
            if code == Code::BD105 {
                CredentialState::Usable {
                    creds,
                    verified: false,
                }
            } else {
                CredentialState::Unusable(code)
            }
        }
    };
    let rejected_for_skew = matches!(state, CredentialState::Unusable(Code::BD104));
    cx.set_credentials(state);
    if !rejected_for_skew {
        clock_skew(cx, out);
    }
    Ok(())
}

/// API keys and endpoint overrides change where and how Bedrock calls go: say so up front.
fn environment_facts(cx: &Context, out: &Findings) {
    if cx.aws.bearer_token {
        let now = crate::api_key::now();
        let kind = cx
            .aws
            .api_key
            .as_ref()
            .map(|k| format!(" {}", k.describe(now)))
            .unwrap_or_default();
        out.push(
            Finding::new(Code::BD106, Status::Warn, Cause::Other, "AWS_BEARER_TOKEN_BEDROCK is set: Bedrock calls use that API key, not the IAM credentials")
                .detail(format!("The AWS SDKs send a Bedrock API key as `Authorization: Bearer …` on both Bedrock planes whenever the variable is set, even when IAM credentials are configured. Bedrock verdicts in this report are those of the key's principal; STS (identity) still uses the IAM credentials.{kind}"))
                .step("Unset AWS_BEARER_TOKEN_BEDROCK if the application should use its IAM role, or renew the key in the Bedrock console (API keys)"),
        );
        // A short-term key works in its own region until it expires: every other region fails
        // before a call is sent.
        if let Some(key) = &cx.aws.api_key {
            for r in &cx.aws.regions {
                let Some(why) = key.refuses(&r.region, now) else {
                    continue;
                };
                let expired = matches!(why, crate::api_key::Refusal::Expired(_));
                let why = why.to_string();
                out.push(
                    Finding::new(
                        Code::BD111,
                        Status::Fail,
                        if expired { Cause::ExpiredToken } else { Cause::InvalidCredentials },
                        format!("the Bedrock API key cannot serve {}", r.region),
                    )
                    .region(r.region.clone())
                    .detail(format!("{}{}. No Bedrock call was sent to {}: AWS would answer each one \"Authentication failed: Please make sure your API Key is valid.\"", why[..1].to_uppercase(), &why[1..], r.region))
                    .step(if expired {
                        "Generate a new short-term key (12 hours at most), or sign with IAM credentials".to_string()
                    } else {
                        format!("Generate a short-term key in {} for calls there, or sign with IAM credentials (SigV4 works in every region)", r.region)
                    }),
                );
            }
        }
    }
    if let Some(b) = &cx.aws.ca_bundle {
        out.push(
            Finding::new(
                Code::BD109,
                Status::Pass,
                Cause::Ok,
                format!(
                    "TLS to AWS also trusts `{}` ({}, {} certificate{})",
                    b.path,
                    b.source,
                    b.certificates,
                    if b.certificates == 1 { "" } else { "s" }
                ),
            )
            .detail("Certificates from this bundle are trusted besides the system's roots, as the AWS CLI trusts them: what a network whose proxy inspects TLS needs. Every call of this run, and the credential providers' own calls (SSO, role assumption), trust it."),
        );
    }
    if !cx.aws.endpoint_overrides.is_empty() {
        let list: Vec<String> = cx
            .aws
            .endpoint_overrides
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        out.push(
            Finding::new(Code::BD107, Status::Warn, Cause::Other, format!("AWS endpoints are overridden: {}", list.join(", ")))
                .detail("Calls go to these URLs instead of the AWS endpoints. That is what a test endpoint or a VPC endpoint needs; anywhere else a stray override breaks Bedrock for every SDK that reads it.")
                .step("Unset the variables (or remove `endpoint_url` from the profile) unless the override is intended"),
        );
    }
}

/// The role of one account of a multi-account run could not be assumed: say which of the usual
/// reasons the error text shows. The other accounts still run.
fn assume_role_denied(cx: &Context, out: &Findings, role: &str, why: &str) {
    let text = why.to_ascii_lowercase();
    let reason = if text.contains("externalid") || text.contains("external id") {
        "the external id does not match the role's trust policy"
    } else if text.contains("multifactor") || text.contains("mfa") {
        "the role's trust policy requires MFA"
    } else if text.contains("not authorized to perform: sts:assumerole") || text.contains("accessdenied") {
        "the role's trust policy does not name this principal, or its identity policy lacks `sts:AssumeRole` on the role"
    } else {
        "STS did not hand out credentials for it"
    };
    let cause = if crate::classify::network_problem(why).is_some() {
        Cause::EndpointUnreachable
    } else {
        Cause::AssumeRoleDenied
    };
    let status = if cause == Cause::AssumeRoleDenied {
        Status::Fail
    } else {
        Status::Inconclusive
    };
    out.push(
        Finding::new(Code::BD110, status, cause, format!("the role {role} could not be assumed: {reason}"))
            .detail(format!("AssumeRole (session name `bedrock-doctor`) failed: {}", secrets::scrub(why)))
            .step(format!("Let the calling principal assume {role}: the role's trust policy must name it (with the external id or MFA condition it sets), and its own policy must allow `sts:AssumeRole` on the role"))
            .step(format!("Try it by hand: `aws sts assume-role --role-arn {role} --role-session-name bedrock-doctor`")),
    );
    cx.set_credentials(CredentialState::Unusable(Code::BD110));
}

fn no_credentials(cx: &Context, out: &Findings, why: &str) {
    let explicit = cx.aws.profile.as_deref().filter(|_| cx.aws.profile_explicit);
    let profile_hint = explicit.map_or_else(
        || "Configure credentials: `aws configure`, `aws sso login`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".to_string(),
        |p| format!("Make sure profile `{p}` exists and has credentials: `aws configure list --profile {p}` (for SSO: `aws sso login --profile {p}`)"),
    );
    let detail = match (&cx.aws.missing_profile, cx.aws.profile.as_deref()) {
        (true, Some(p)) => format!(
            "Profile `{p}` is defined in neither the config file (AWS_CONFIG_FILE, ~/.aws/config) nor the credentials file (AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials). {}",
            secrets::scrub(why)
        ),
        _ => format!(
            "Every provider of the standard chain (environment, profile, web identity, container, instance metadata) came up empty or failed: {}",
            secrets::scrub(why)
        ),
    };
    out.push(
        Finding::new(
            Code::BD101,
            Status::Fail,
            Cause::NoCredentials,
            "no usable AWS credentials were found",
        )
        .detail(detail)
        .step(profile_hint)
        .step("Or run with `--profile NAME` to use a named profile"),
    );
    cx.set_credentials(CredentialState::Unusable(Code::BD101));
}

fn clock_skew(cx: &Context, out: &Findings) {
    let Some(skew) = cx.aws.clock.worst_skew_secs() else {
        return;
    };
    let status = if skew.abs() > SIGNING_WINDOW_SECS {
        Status::Fail
    } else if skew.abs() > SKEW_WARN_SECS {
        Status::Warn
    } else {
        return;
    };
    let direction = if skew > 0 { "behind" } else { "ahead of" };
    out.push(
        Finding::new(Code::BD104, status, Cause::ClockSkew, format!("the local clock is {} s {direction} AWS time", skew.abs()))
            .detail("AWS rejects requests signed more than 5 minutes away from its own time (\"Signature expired\" / \"Signature not yet current\"). This tool measured the offset from the `Date` header of AWS's answers; some SDKs correct for it after a failed attempt, many applications do not.")
            .step(sync_clock_step()),
    );
}

fn sync_clock_step() -> String {
    "Synchronise the system clock with NTP (e.g. `sudo chronyc makestep` or `timedatectl set-ntp true`; in containers and VMs, fix the host clock)".into()
}

fn refresh_step(source: &str) -> String {
    if source.contains("(sso)") {
        let name = source
            .trim_start_matches("profile:")
            .split(' ')
            .next()
            .unwrap_or("default");
        format!("Log in again: `aws sso login --profile {name}`")
    } else if source == "environment" {
        "Export fresh credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, for temporary credentials, AWS_SESSION_TOKEN".into()
    } else {
        format!("Refresh the credentials behind {source} (re-assume the role, renew the session)")
    }
}

fn rfc3339(t: SystemTime) -> Option<String> {
    let secs = t.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs();
    aws_smithy_types::DateTime::from_secs(i64::try_from(secs).ok()?)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .ok()
}
