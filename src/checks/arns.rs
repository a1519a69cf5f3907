//! `arns`: the ARNs the app's IAM policy grants (from `bedrock-doctor.toml`): each is checked
//! offline (grammar, account field, region, geography, wildcards) and, with credentials,
//! against the live catalogue; and every region the app uses must be covered for every model,
//! or the finding names the exact ARN to add.

use crate::check::{Check, CheckError};
use crate::check_info::{CheckInfo, no_column};
use crate::codes::Code;
use crate::context::Context;
use crate::ident::arn::{self, ResourceType};
use crate::policy;
use crate::report::Findings;
use crate::report::{Cause, Finding, Status};
use futures::FutureExt;
use futures::future::BoxFuture;

pub struct Arns;

pub static INFO: CheckInfo = CheckInfo {
    id: "arns",
    summary: "The granted ARNs (bedrock-doctor.toml) are valid, exist, and cover every region and model",
    depends_on: &["credentials", "regions"],
    starter: "the granted_arns above: grammar, existence, every region and model covered",
    column: no_column,
};

impl Check for Arns {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run<'a>(&'a self, cx: &'a Context, out: &'a Findings) -> BoxFuture<'a, Result<(), CheckError>> {
        run(cx, out).boxed()
    }
}

async fn run(cx: &Context, out: &Findings) -> Result<(), CheckError> {
    let granted = &cx.settings.granted_arns;
    if granted.is_empty() {
        return Ok(());
    }
    for (s, loc) in granted {
        let (parsed, problems) = arn::check(s);
        let with_loc = |f: Finding| match loc {
            Some(l) => f.at(l.clone()),
            None => f,
        };
        let mut failed = false;
        for p in &problems {
            failed |= !p.warning;
            let status = if p.warning { Status::Warn } else { Status::Fail };
            out.push(with_loc(
                Finding::new(crate::triage::code_for(p.cause), status, p.cause, format!("granted ARN `{s}`: {}", p.message))
                    .check("arns")
                    .detail("From `granted_arns` in the configuration. IAM accepts any string as a resource, so a wrong ARN silently grants nothing and the call fails at run time.")
                    .step("Fix the ARN in the IAM policy and in bedrock-doctor.toml"),
            ));
        }
        if failed {
            continue;
        }
        let Some(a) = parsed else { continue };
        // Live: is the model in that region's catalogue?
        let live_region = a.resource_type == ResourceType::FoundationModel
            && !a.region.is_empty()
            && !a.region.contains('*')
            && !a.resource.contains('*')
            && !arn::is_placeholder(&a.region);
        let gate = cx.bedrock_gate_in(&a.region).ok();
        let catalogue = match gate.clone() {
            Some(creds) if live_region => cx.catalogue(&a.region, creds).await.ok(),
            _ => None,
        };
        if let Some(cat) = catalogue
            && !cat.value.iter().any(|m| m.id == a.resource)
        {
            out.push(with_loc(
                Finding::new(
                    Code::BD307,
                    Status::Fail,
                    Cause::ArnModelNotInRegion,
                    format!("granted ARN `{s}` names a model {} does not offer", a.region),
                )
                .check("arns")
                .region(a.region.clone())
                .model(a.resource.clone())
                .detail(format!(
                    "ListFoundationModels in {} does not list `{}`: the grant can never be used.",
                    a.region, a.resource
                ))
                .step(format!("Check `bedrock-doctor models --region {}`", a.region)),
            ));
            continue;
        }
        out.push(with_loc(
            Finding::new(
                Code::BD300,
                Status::Pass,
                Cause::Ok,
                format!("granted ARN `{s}` is valid"),
            )
            .check("arns")
            .detail(if live_region && gate.is_some() {
                "Well-formed, and the model is in that region's catalogue."
            } else {
                "Well-formed (checked offline)."
            }),
        ));
    }
    coverage(cx, out);
    Ok(())
}

/// Every (region, model) the app uses needs the resources the least-privilege policy names
/// for it (`policy::generate`, the same rule `bedrock-doctor policy` and `lint --needs` use): a
/// profile needs its ARN and the model in every destination, a `global.` profile the model in
/// the source region and the region-less ARN, which covers no regional ARN.
fn coverage(cx: &Context, out: &Findings) {
    for (m, region, needed) in super::model_access::needed_policies(cx, policy::Plane::Runtime) {
        let missing: Vec<&String> = needed
            .resources
            .keys()
            .filter(|r| !cx.settings.granted_arns.iter().any(|(g, _)| policy::covers(g, r)))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let role = if cx.aws.regions.first().is_some_and(|p| p.region == region) {
            "primary region"
        } else {
            "fallback region"
        };
        let to_add: Vec<String> = missing.iter().map(|a| format!("`{a}`")).collect();
        out.push(
            Finding::new(Code::BD311, Status::Fail, Cause::ArnGrantMissing, format!("{role} {region} has no granted ARN for {m}"))
                .check("arns")
                .detail(format!(
                    "The app calls {m} in {region}, but `granted_arns` covers none of: {}. IAM will deny the call there{}.",
                    to_add.join(", "),
                    if role == "fallback region" { ", so failing over to it fails" } else { "" }
                ))
                .step(format!("Add to the IAM policy and to `granted_arns`: {}", to_add.join(", ")))
                .step(format!("`bedrock-doctor policy --region {region} --model {m}` prints the whole statement"))
                .region(region)
                .model(m),
        );
    }
}
