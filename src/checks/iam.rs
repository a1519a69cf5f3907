//! `iam` (with `--explain-iam`): asks IAM's policy simulator (`SimulatePrincipalPolicy`), for
//! the calling principal, about every (action, resource) pair a call to each model needs in each
//! region (the pairs `bedrock-doctor policy` grants), with the context keys the call carries, and
//! reports per pair which policy allowed or refused it.
//!
//! Without the permission (or without an answer) it says so once, as a note: the probe's denial
//! texts stay the evidence, and the run's verdict is what it is without the flag.

use crate::aws::{self, CallFailure};
use crate::check::{Check, CheckError};
use crate::check_info::{CheckInfo, no_column};
use crate::codes::Code;
use crate::context::{Context, Service};
use crate::denial::{Denial, PolicyType};
use crate::policy::Evaluation;
use crate::report::{AwsEvidence, Cause, Decision, Finding, Findings, MatchedStatement, Simulation, Status};
use aws_sdk_iam::types::{ContextEntry, ContextKeyTypeEnum, EvaluationResult, PolicyEvaluationDecisionType};
use futures::FutureExt;
use futures::future::BoxFuture;
use std::collections::BTreeMap;

pub struct Iam;

pub static INFO: CheckInfo = CheckInfo {
    id: "iam",
    summary: "With --explain-iam: IAM's policy simulator allows every action and resource the models need",
    depends_on: &["credentials", "regions"],
    starter: "with explain_iam = true: which IAM policy allows or refuses each needed resource",
    column: no_column,
};

impl Check for Iam {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run<'a>(&'a self, cx: &'a Context, out: &'a Findings) -> BoxFuture<'a, Result<(), CheckError>> {
        run(cx, out).boxed()
    }

    /// The probe's denial texts name the SCP the simulator does not: read them when the probe
    /// runs, without making `--only iam` a billed run.
    fn runs_after(&self) -> &'static [&'static str] {
        &["probe"]
    }
}

/// IAM answers for the whole partition; its calls share one concurrency bound.
const IAM_SCOPE: &str = "global";

fn not_simulated(
    status: Status,
    cause: Cause,
    title: impl Into<String>,
    detail: impl Into<String>,
) -> Finding {
    Finding::new(Code::BD603, status, cause, title)
        .check("iam")
        .detail(detail)
}

/// The principal the simulator evaluates for the caller's ARN, and what it leaves out; `Err`
/// says why the caller cannot be simulated.
fn simulated_principal(caller: &str) -> Result<(String, Option<String>), String> {
    let parts: Vec<&str> = caller.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" {
        return Err(format!("`{caller}` is not an ARN"));
    }
    let (partition, service, account, resource) = (parts[1], parts[2], parts[4], parts[5]);
    match (service, resource.split('/').collect::<Vec<_>>().as_slice()) {
        ("iam", ["root"]) | ("iam", ["root", ..]) => Err(
            "the caller is the account's root user, which IAM policies do not limit (only organization policies do) and the simulator does not simulate"
                .into(),
        ),
        ("iam", [kind, ..]) if *kind == "user" || *kind == "role" => Ok((caller.to_string(), None)),
        ("sts", ["assumed-role", role, _session]) => Ok((
            format!("arn:{partition}:iam::{account}:role/{role}"),
            Some(format!(
                "The caller is a session of the role `{role}`: the simulation evaluates the role's policies, its permissions boundary and the organization's policies, not the session policy passed to AssumeRole (if any)."
            )),
        )),
        ("sts", ["federated-user", ..]) => Err(
            "the caller is a federated user (GetFederationToken), whose session policy the simulator cannot evaluate".into(),
        ),
        _ => Err(format!("the simulator cannot evaluate `{caller}`")),
    }
}

async fn run(cx: &Context, out: &Findings) -> Result<(), CheckError> {
    if !cx.settings.explain_iam {
        return Ok(());
    }
    let creds = match cx.bedrock_gate() {
        Ok(Some(c)) => c,
        Ok(None) => {
            out.push(not_simulated(
                Status::Skip,
                Cause::Other,
                "IAM policies not simulated: the run signs with a Bedrock API key, not IAM credentials",
                "The simulator needs IAM credentials to ask with (`iam:SimulatePrincipalPolicy`). A long-term API key acts as the IAM user it belongs to: run with that user's credentials to simulate.",
            ));
            return Ok(());
        }
        Err(why) => {
            out.push(not_simulated(
                Status::Skip,
                Cause::NoCredentials,
                "IAM policies not simulated: no usable credentials",
                format!("Not simulated: {}.", why.0),
            ));
            return Ok(());
        }
    };
    let Some(identity) = cx.identity().filter(|i| i.arn.is_some()) else {
        out.push(not_simulated(
            Status::Inconclusive,
            Cause::Other,
            "IAM policies not simulated: STS did not name the caller",
            "The simulator needs the caller's ARN, which GetCallerIdentity gives; see the credentials findings.",
        ));
        return Ok(());
    };
    let caller = identity.arn.clone().unwrap_or_default();
    let (mut principal, session_note) = match simulated_principal(&caller) {
        Ok(p) => p,
        Err(why) => {
            out.push(not_simulated(
                Status::Skip,
                Cause::Other,
                "IAM policies not simulated for this caller",
                format!("Not simulated: {why}. The probe's denial texts are the evidence."),
            ));
            return Ok(());
        }
    };
    let jobs = needed(cx);
    if jobs.is_empty() {
        return Ok(());
    }
    let Some(primary) = cx.aws.regions.first().map(|r| r.region.clone()) else {
        return Ok(());
    };
    let client = cx.aws.iam(&primary, creds);

    // The first pair alone: it proves the permission and the principal before the rest go out.
    let (first_model, first_region, first) = &jobs[0];
    let mut answer = simulate(cx, &client, &principal, first).await;
    if let Err(f) = &answer
        && f.evidence.error_code.as_deref() == Some("NoSuchEntity")
        && let Some(real) = role_with_path(cx, &client, &principal).await
    {
        // A role with a path (SSO roles live under /aws-reserved/…): the session ARN drops it.
        principal = real;
        answer = simulate(cx, &client, &principal, first).await;
    }
    if let Err(f) = &answer
        && stops_everything(f)
    {
        out.push(cannot_simulate(&principal, f));
        return Ok(());
    }
    let denials: Vec<Denial> = out.snapshot().iter().filter_map(Finding::aws_denial).collect();
    let context = Pair {
        principal: &principal,
        session_note: session_note.as_deref(),
        denials: &denials,
    };
    out.push(context.finding(first_model, first_region, first, answer));
    let rest = jobs[1..].iter().map(|(model, region, e)| {
        let client = client.clone();
        let principal = principal.clone();
        async move {
            let answer = simulate(cx, &client, &principal, e).await;
            (model, region, e, answer)
        }
    });
    for (model, region, e, answer) in futures::future::join_all(rest).await {
        out.push(context.finding(model, region, e, answer));
    }
    Ok(())
}

/// Every (model, region, evaluation) the run's models need, from the policy generator; what it
/// cannot place (a `us.` profile called from Europe, an unknown profile) is the model checks' to
/// report.
fn needed(cx: &Context) -> Vec<(String, String, Evaluation)> {
    let mut jobs = Vec::new();
    for plane in &cx.settings.planes {
        for (model, region, p) in super::model_access::needed_policies(cx, *plane) {
            jobs.extend(p.evaluations().into_iter().map(|mut e| {
                // Mantle inference is authorized on a project: the account's default one
                // unless the app names another.
                if let Some(base) = e.resource.strip_suffix(":project/*") {
                    e.resource = format!("{base}:project/default");
                }
                (model.clone(), region.clone(), e)
            }));
        }
    }
    jobs
}

/// A failure that no other pair would escape: the permission is missing, or the principal does
/// not exist for IAM.
fn stops_everything(f: &CallFailure) -> bool {
    matches!(
        f.evidence.error_code.as_deref(),
        Some("AccessDenied" | "AccessDeniedException" | "NoSuchEntity")
    ) || matches!(f.evidence.http_status, Some(401 | 403))
}

fn cannot_simulate(principal: &str, f: &CallFailure) -> Finding {
    let message = f.evidence.message.clone().unwrap_or_default();
    let (title, step) = match f.evidence.error_code.as_deref() {
        Some("NoSuchEntity") => (
            format!("IAM policies not simulated: IAM does not know `{principal}`"),
            "Check that the role or user still exists (`aws iam get-role`); a role with a path needs `iam:GetRole` so the doctor can find it".to_string(),
        ),
        _ => (
            "IAM policies not simulated: the caller may not call iam:SimulatePrincipalPolicy".to_string(),
            format!("Allow `iam:SimulatePrincipalPolicy` on `{principal}` to the caller, or run as an administrator"),
        ),
    };
    not_simulated(
        Status::Inconclusive,
        Cause::Other,
        title,
        format!(
            "SimulatePrincipalPolicy failed: {message}. This is not a verdict on Bedrock access: the probe's denial texts (the `aws.denial` of its findings) remain the evidence."
        ),
    )
    .aws(f.evidence.clone())
    .step(step)
}

/// The role's ARN with its path, from `GetRole` (the session ARN has only the name).
async fn role_with_path(cx: &Context, client: &aws_sdk_iam::Client, principal: &str) -> Option<String> {
    let name = principal.split(":role/").nth(1)?;
    if name.contains('/') {
        return None;
    }
    let (answer, _) = cx
        .call(Service::Iam, IAM_SCOPE, client.get_role().role_name(name).send())
        .await;
    let arn = answer.ok()?.role()?.arn().to_string();
    (arn != principal).then_some(arn)
}

/// What one simulation answered for one pair.
struct Answer {
    simulation: Simulation,
    evidence: AwsEvidence,
    latency: std::time::Duration,
}

async fn simulate(
    cx: &Context,
    client: &aws_sdk_iam::Client,
    principal: &str,
    e: &Evaluation,
) -> Result<Answer, CallFailure> {
    let context = context_of(e);
    let mut request = client
        .simulate_principal_policy()
        .policy_source_arn(principal)
        .action_names(e.action)
        .resource_arns(&e.resource);
    for (key, value) in &context {
        request = request.context_entries(
            ContextEntry::builder()
                .context_key_name(key)
                .context_key_values(value)
                .context_key_type(ContextKeyTypeEnum::String)
                .build(),
        );
    }
    let (answer, latency) = cx.call(Service::Iam, IAM_SCOPE, request.send()).await;
    use aws_sdk_iam::operation::RequestId;
    let out = answer.map_err(|err| aws::failure("iam", "SimulatePrincipalPolicy", &err))?;
    let evidence = AwsEvidence::success("iam", "SimulatePrincipalPolicy", out.request_id());
    let Some(result) = out
        .evaluation_results()
        .iter()
        .find(|r| r.eval_action_name() == e.action)
    else {
        return Err(aws::answer_without_content(
            "iam",
            "SimulatePrincipalPolicy",
            out.request_id(),
            "the answer had no evaluation result for the action",
        ));
    };
    Ok(Answer {
        simulation: read(principal, e, context, result),
        evidence,
        latency,
    })
}

/// The context keys the call carries.
fn context_of(e: &Evaluation) -> BTreeMap<String, String> {
    let mut context = BTreeMap::from([("aws:RequestedRegion".to_string(), e.requested_region.clone())]);
    if let Some(p) = &e.profile {
        context.insert("bedrock:InferenceProfileArn".into(), p.clone());
    }
    context
}

/// Reads one evaluation result: the resource's own result when the simulator gives per-resource
/// results (it does for a named resource), else the action's aggregate.
fn read(
    principal: &str,
    e: &Evaluation,
    context: BTreeMap<String, String>,
    r: &EvaluationResult,
) -> Simulation {
    let specific = r
        .resource_specific_results()
        .iter()
        .find(|s| s.eval_resource_name() == e.resource);
    let decision = specific.map_or(r.eval_decision(), |s| s.eval_resource_decision());
    let statements = match specific {
        Some(s) if !s.matched_statements().is_empty() => s.matched_statements(),
        _ => r.matched_statements(),
    };
    let boundary = specific
        .and_then(|s| s.permissions_boundary_decision_detail())
        .or(r.permissions_boundary_decision_detail())
        .map(|d| d.allowed_by_permissions_boundary());
    Simulation {
        principal: principal.to_string(),
        action: e.action.to_string(),
        resource: e.resource.clone(),
        context,
        decision: match decision {
            PolicyEvaluationDecisionType::Allowed => Decision::Allowed,
            PolicyEvaluationDecisionType::ExplicitDeny => Decision::ExplicitDeny,
            _ => Decision::ImplicitDeny,
        },
        matched_statements: statements
            .iter()
            .map(|s| MatchedStatement {
                policy_id: s.source_policy_id().unwrap_or("(unnamed)").to_string(),
                policy_type: s.source_policy_type().map_or("none", |t| t.as_str()).to_string(),
                line: s.start_position().map(|p| p.line()),
                column: s.start_position().map(|p| p.column()),
            })
            .collect(),
        organizations_allowed: r
            .organizations_decision_detail()
            .map(|d| d.allowed_by_organizations()),
        permissions_boundary_allowed: boundary,
    }
}

/// What every pair's finding shares.
struct Pair<'a> {
    principal: &'a str,
    session_note: Option<&'a str>,
    /// The run's AccessDenied texts, read: they name the SCP the simulator does not.
    denials: &'a [Denial],
}

impl Pair<'_> {
    fn finding(
        &self,
        model: &str,
        region: &str,
        e: &Evaluation,
        answer: Result<Answer, CallFailure>,
    ) -> Finding {
        let what = format!("{} on `{}`", e.action, e.resource);
        let keys = context_of(e)
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ");
        let a = match answer {
            Ok(a) => a,
            Err(f) => {
                let status = if f.status == Status::Inconclusive {
                    Status::Inconclusive
                } else {
                    Status::Skip
                };
                return not_simulated(
                    status,
                    if status == Status::Inconclusive {
                        f.cause
                    } else {
                        Cause::Other
                    },
                    format!("{what} not simulated ({})", f.cause),
                    format!(
                        "SimulatePrincipalPolicy {}. Not a verdict on access.",
                        f.no_answer()
                    ),
                )
                .region(region)
                .model(model)
                .aws(f.evidence);
            }
        };
        let s = &a.simulation;
        let session = self.session_note.map(|n| format!(" {n}")).unwrap_or_default();
        let statements = if s.matched_statements.is_empty() {
            "no statement matched".to_string()
        } else {
            s.matched_statements
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        };
        let base = |code, status, cause, title: String, detail: String| {
            Finding::new(code, status, cause, title)
                .check("iam")
                .region(region)
                .model(model)
                .detail(detail)
                .aws(a.evidence.clone())
                .latency(a.latency)
                .simulation(s.clone())
        };
        let grant = format!(
            "Allow `{}` on `{}`{} for `{}`; `bedrock-doctor policy --region {region} --model {model}` prints the whole least-privilege policy",
            e.action,
            e.resource,
            e.profile
                .as_ref()
                .map(|_| " (reached through the profile: a condition on `bedrock:InferenceProfileArn` may name it)")
                .unwrap_or_default(),
            self.principal
        );
        if s.organizations_allowed == Some(false) {
            let scp = self
                .denials
                .iter()
                .find(|d| {
                    d.policy_type == Some(PolicyType::ServiceControlPolicy)
                        && d.policy_arn.is_some()
                        && d.action == e.action
                })
                .and_then(|d| d.policy_arn.clone());
            let named = scp
                .as_ref()
                .map(|arn| format!("the service control policy `{arn}` (named by the runtime's denial text)"))
                .unwrap_or_else(|| "a service control policy (the simulator does not name it; the runtime's denial text does when the probe runs)".into());
            return base(
                Code::BD602,
                Status::Fail,
                Cause::ScpDenied,
                format!("an organization policy refuses {what}"),
                format!(
                    "IAM's policy simulator for `{}` with {keys}: {} by the organization's policies; {named} decided. Matched in the principal's own policies: {statements}.{session}",
                    self.principal,
                    decision_words(s.decision)
                ),
            )
            .step(format!(
                "Ask the organization's administrators to allow {} with {keys} in {}, or call a model or profile whose regions the SCP allows",
                e.action,
                scp.as_deref().unwrap_or("the SCP")
            ));
        }
        match s.decision {
            Decision::Allowed => base(
                Code::BD600,
                Status::Pass,
                Cause::Ok,
                format!("IAM allows {what}"),
                format!(
                    "IAM's policy simulator for `{}` with {keys}: allowed by {statements}.{session}",
                    self.principal
                ),
            ),
            Decision::ExplicitDeny => base(
                Code::BD602,
                Status::Fail,
                Cause::IamDeniedInvoke,
                format!("a Deny statement refuses {what}"),
                format!(
                    "IAM's policy simulator for `{}` with {keys}: explicitly denied by {statements}. An explicit Deny wins over every Allow.{session}",
                    self.principal
                ),
            )
            .step("Narrow or remove the Deny statement at that position, or add a condition that exempts this call"),
            Decision::ImplicitDeny => {
                let boundary = s.permissions_boundary_allowed == Some(false);
                base(
                    Code::BD601,
                    Status::Fail,
                    Cause::IamDeniedInvoke,
                    if boundary {
                        format!("the permissions boundary does not allow {what}")
                    } else {
                        format!("no policy allows {what}")
                    },
                    format!(
                        "IAM's policy simulator for `{}` with {keys}: implicitly denied ({statements}){}.{session}",
                        self.principal,
                        if boundary {
                            "; the permissions boundary does not allow it, whatever the policies grant"
                        } else {
                            ""
                        }
                    ),
                )
                .step(if boundary {
                    format!("Add `{}` on `{}` to the permissions boundary as well as to a policy", e.action, e.resource)
                } else {
                    grant
                })
            }
        }
    }
}

fn decision_words(d: Decision) -> &'static str {
    match d {
        Decision::Allowed => "allowed",
        Decision::ImplicitDeny => "not allowed",
        Decision::ExplicitDeny => "explicitly denied",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_simulated_as_its_role_and_root_not_at_all() {
        let (p, note) =
            simulated_principal("arn:aws:sts::123456789012:assumed-role/app-role/i-0abc").unwrap();
        assert_eq!(p, "arn:aws:iam::123456789012:role/app-role");
        assert!(note.unwrap().contains("not the session policy"));
        let (p, note) = simulated_principal("arn:aws-cn:iam::123456789012:user/dev/ops").unwrap();
        assert_eq!(
            (p.as_str(), note),
            ("arn:aws-cn:iam::123456789012:user/dev/ops", None)
        );
        assert!(simulated_principal("arn:aws:iam::123456789012:root").is_err());
        assert!(simulated_principal("arn:aws:sts::123456789012:federated-user/bob").is_err());
        assert!(simulated_principal("AKIA…").is_err());
    }

    #[test]
    fn the_context_names_the_region_and_the_profile() {
        let e = Evaluation {
            action: "bedrock:InvokeModel",
            resource: "arn:aws:bedrock:us-east-2::foundation-model/m".into(),
            requested_region: "us-east-2".into(),
            profile: Some("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.m".into()),
        };
        let c = context_of(&e);
        assert_eq!(c["aws:RequestedRegion"], "us-east-2");
        assert!(c["bedrock:InferenceProfileArn"].ends_with("/us.m"));
    }
}
