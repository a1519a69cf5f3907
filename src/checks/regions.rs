//! `regions`: every requested region is a real region code, offers Bedrock, and answers a cheap
//! control-plane call (`ListFoundationModels`) with these credentials.

use crate::check::{Check, CheckError};
use crate::check_info::{CheckInfo, no_column};
use crate::codes::Code;
use crate::context::Context;
use crate::regions::{self, DATA_DATE};
use crate::report::Findings;
use crate::report::{AwsEvidence, Cause, Finding, Status};
use futures::FutureExt;
use futures::future::BoxFuture;

pub struct Regions;

pub static INFO: CheckInfo = CheckInfo {
    id: "regions",
    summary: "Each region is valid, offers Bedrock and answers a control-plane call",
    depends_on: &["credentials"],
    starter: "each region is real, offers Bedrock and answers a control-plane call",
    column: no_column,
};

impl Check for Regions {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run<'a>(&'a self, cx: &'a Context, out: &'a Findings) -> BoxFuture<'a, Result<(), CheckError>> {
        run(cx, out).boxed()
    }
}

async fn run(cx: &Context, out: &Findings) -> Result<(), CheckError> {
    if cx.aws.regions.is_empty() {
        out.push(
            Finding::new(Code::BD505, Status::Fail, Cause::RegionNotSupported, "no region is configured")
                .detail("Neither --region, AWS_REGION / AWS_DEFAULT_REGION, the profile's `region` nor instance metadata named a region. Every AWS SDK call needs one; an application in this environment fails before it sends a request.")
                .step("Pass `--region us-east-1` (repeatable), or `export AWS_REGION=us-east-1`")
                .step("Or set it in the profile: `aws configure set region us-east-1`"),
        );
        return Ok(());
    }
    let all = cx
        .aws
        .regions
        .iter()
        .enumerate()
        .map(|(i, r)| region(cx, out, &r.region, i == 0));
    futures::future::join_all(all).await;
    Ok(())
}

async fn region(cx: &Context, out: &Findings, code: &str, primary: bool) {
    let role = if primary { "primary region" } else { "region" };
    let Some(info) = regions::lookup(code) else {
        let mut f = Finding::new(Code::BD501, Status::Fail, Cause::RegionNotSupported, format!("`{code}` is not an AWS region"))
            .region(code)
            .detail(format!(
                "`{code}` is not a region code in any AWS partition (list dated {DATA_DATE}). SDKs build an endpoint for any string, so the mistake shows up only as a DNS or connection failure at run time."
            ));
        f = match regions::suggest(code) {
            Some(s) => f.step(format!(
                "Did you mean `{s}`? Use `--region {s}` / `AWS_REGION={s}`"
            )),
            None => f.step(
                "Use a region code such as `us-east-1`; `aws ec2 describe-regions --all-regions` lists them",
            ),
        };
        out.push(f.step(format!(
            "If `{code}` was launched after {DATA_DATE}, upgrade bedrock-doctor"
        )));
        return;
    };
    if !info.bedrock {
        let near = regions::bedrock_regions_near(code);
        let mut f = Finding::new(Code::BD502, Status::Fail, Cause::RegionNotSupported, format!("Amazon Bedrock is not offered in {code} ({})", info.name))
            .region(code)
            .detail(format!(
                "{code} is a valid {} region but has no Bedrock endpoint (list dated {DATA_DATE}); calls fail at DNS or connect time.",
                info.partition
            ));
        f = if near.is_empty() {
            f.step("Use a region that offers Bedrock; see https://docs.aws.amazon.com/bedrock/latest/userguide/models-regions.html")
        } else {
            f.step(format!(
                "Use a nearby Bedrock region instead: {}",
                near.join(", ")
            ))
        };
        out.push(f);
        return;
    }
    let creds = match cx.bedrock_gate_in(code) {
        Ok(c) => c,
        Err(why) => {
            out.push(
                Finding::new(
                    Code::BD900,
                    Status::Skip,
                    Cause::Other,
                    format!("Bedrock in {code} not checked live"),
                )
                .check("regions")
                .region(code)
                .detail(format!(
                    "{code} is a valid Bedrock region; it was not called because of {}.",
                    why.0
                ))
                .step("Fix the credentials finding first, then re-run"),
            );
            return;
        }
    };
    match cx.catalogue(code, creds).await {
        Ok(list) => {
            let n = list.value.len();
            let latency = list.latency;
            tracing::debug!(
                region = code,
                models = n,
                ?latency,
                "ListFoundationModels succeeded"
            );
            out.push(
                Finding::new(
                    Code::BD500,
                    Status::Pass,
                    Cause::Ok,
                    format!("Bedrock answered in {code} ({role}): {n} foundation models listed"),
                )
                .region(code)
                .detail(format!(
                    "ListFoundationModels in {code} ({}) succeeded in {} ms.",
                    info.name,
                    latency.as_millis()
                ))
                .aws(AwsEvidence::success(
                    "bedrock",
                    "ListFoundationModels",
                    list.request_id.as_deref(),
                ))
                .latency(latency),
            );
        }
        Err(f) => {
            let message = f.evidence.message.clone().unwrap_or_else(|| "no message".into());
            let finding = if f.status == Status::Fail {
                Finding::new(
                    Code::BD504,
                    f.status,
                    f.cause,
                    format!("Bedrock in {code} rejected ListFoundationModels ({})", f.cause),
                )
                .detail(format!(
                    "AWS answered {}: {message}",
                    f.evidence.error_code.as_deref().unwrap_or("an error")
                ))
                .step(rejected_step(f.cause))
            } else {
                Finding::new(Code::BD503, f.status, f.cause, format!("Bedrock in {code} could not be verified ({})", f.cause))
                    .detail(format!("ListFoundationModels in {code} {}. Nothing about access was learned; this is not a verdict on your permissions.", f.no_answer()))
                    .step(f.network().map_or_else(
                        || format!("Re-run later; if it persists, check that this network can reach bedrock.{code}.amazonaws.com (proxy, firewall, VPC endpoint)"),
                        |n| n.step.to_string(),
                    ))
            };
            out.push(finding.region(code).aws(f.evidence));
        }
    }
}

fn rejected_step(cause: Cause) -> String {
    match cause {
        Cause::IamDeniedInvoke => "Allow `bedrock:ListFoundationModels` (and the Bedrock actions the app uses) in the identity policy of this principal".into(),
        Cause::ScpDenied => "An organization SCP denies Bedrock in this region; ask the organization administrators to allow it".into(),
        Cause::InvalidCredentials | Cause::ExpiredToken => "The credentials (or the Bedrock API key) are not accepted by Bedrock; refresh them".into(),
        Cause::RegionNotSupported => "Use a region that offers Bedrock".into(),
        _ => "Read the AWS message in the detail; `bedrock-doctor explain BD504` lists the usual causes".into(),
    }
}
