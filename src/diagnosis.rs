//! Root causes first: the findings of a report grouped into diagnoses, most serious first, so
//! forty findings with one cause read as one problem with one fix. Every `fail`, `warn` and
//! `inconclusive` finding that is not suppressed is explained by exactly one diagnosis; a
//! "not checked" skip joins the problem that kept it from running.

use crate::codes::Code;
use crate::ident::{self, ModelRef};
use crate::report::{Cause, Diagnosis, Finding, Report, Status};
use regex::Regex;
use std::sync::LazyLock;

/// `AWS_ENDPOINT_URL=…` in the endpoint-override finding's title.
static OVERRIDE_VAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(AWS_ENDPOINT_URL[A-Z_]*|endpoint_url)\b").expect("valid"));

/// How findings group: one diagnosis per key.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Key {
    /// Run-wide causes: the network, the credentials, AWS's capacity, something that is not AWS.
    Cause(Cause),
    /// The same denial of the same action, whatever the resource.
    Denied(Cause, String),
    /// Everything else: the same problem (cause and code) wherever it occurs.
    Problem(Cause, Code),
}

/// The AccessDenied text of a finding, read (as the report carries it, else from the message),
/// or the denial IAM's policy simulator answered: a simulated refusal of the same action joins
/// the runtime's in one diagnosis.
fn denial(f: &Finding) -> Option<crate::denial::Denial> {
    use crate::denial::{Denial, PolicyType};
    use crate::report::Decision;
    if let Some(s) = f.simulation.as_ref().filter(|s| s.decision != Decision::Allowed) {
        return Some(Denial {
            principal: Some(s.principal.clone()),
            action: s.action.clone(),
            resource: Some(s.resource.clone()),
            policy_type: Some(if s.organizations_allowed == Some(false) {
                PolicyType::ServiceControlPolicy
            } else if s.permissions_boundary_allowed == Some(false) {
                PolicyType::PermissionsBoundary
            } else {
                PolicyType::IdentityBased
            }),
            explicit: s.decision == Decision::ExplicitDeny,
            ..Denial::default()
        });
    }
    f.aws_denial()
}

fn action(f: &Finding) -> Option<String> {
    denial(f).map(|d| d.action)
}

fn key(f: &Finding) -> Key {
    match f.cause {
        c if c.is_transient() || c.is_credential_problem() => Key::Cause(c),
        c @ (Cause::IamDeniedInvoke | Cause::ScpDenied) => match action(f) {
            Some(a) => Key::Denied(c, a),
            None => Key::Problem(c, f.code),
        },
        c => Key::Problem(c, f.code),
    }
}

fn rank(s: Status) -> u8 {
    match s {
        Status::Fail => 4,
        Status::Inconclusive => 3,
        Status::Warn => 2,
        Status::Skip => 1,
        Status::Pass => 0,
    }
}

/// The findings of `report` grouped into diagnoses, most serious first.
pub fn diagnose(report: &Report) -> Vec<Diagnosis> {
    let open: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.status != Status::Pass && f.suppressed.is_none())
        .collect();
    // Problems first; a "not checked" skip then joins the problem that kept it from running.
    // Other skips (a probe not asked for) are no problem and explain nothing.
    let mut groups: Vec<(Key, Vec<&Finding>)> = Vec::new();
    for f in open.iter().filter(|f| f.status != Status::Skip) {
        let k = key(f);
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, members)) => members.push(f),
            None => groups.push((k, vec![f])),
        }
    }
    for f in open
        .iter()
        .filter(|f| f.status == Status::Skip && f.code == Code::BD900)
    {
        let blocker = groups.iter_mut().find(|(_, members)| {
            members.iter().any(|m| {
                m.status == Status::Fail
                    && (m.cause.is_credential_problem()
                        || (m.model.is_none() && m.region.is_some() && m.region == f.region))
            })
        });
        if let Some((_, members)) = blocker {
            members.push(f);
        }
    }
    let mut out: Vec<(usize, Diagnosis)> = groups
        .iter()
        .enumerate()
        .map(|(i, (k, members))| (i, describe(report, k, members)))
        .collect();
    out.sort_by_key(|(i, d)| {
        (
            std::cmp::Reverse(rank(d.status)),
            std::cmp::Reverse(d.findings),
            *i,
        )
    });
    out.into_iter().map(|(_, d)| d).collect()
}

fn in_order(values: impl Iterator<Item = Option<String>>, order: &[String]) -> Vec<String> {
    let mut v: Vec<String> = values.flatten().collect();
    v.sort_by_key(|x| order.iter().position(|o| o == x).unwrap_or(usize::MAX));
    v.dedup();
    v
}

fn describe(report: &Report, key: &Key, members: &[&Finding]) -> Diagnosis {
    // The first of the most serious findings speaks for the group.
    let lead = members
        .iter()
        .rev()
        .max_by_key(|f| rank(f.status))
        .copied()
        .unwrap_or(members[0]);
    let region_order: Vec<String> = report.regions.iter().map(|r| r.region.clone()).collect();
    let regions = in_order(members.iter().map(|f| f.region.clone()), &region_order);
    let models = in_order(members.iter().map(|f| f.model.clone()), &report.models);
    let first_step = || lead.remediation.first().cloned().unwrap_or_default();
    let (title, remediation) = match key {
        // One denial still gets the statement to add (its fix names the resources).
        Key::Denied(cause, action) if members.len() == 1 => (
            lead.title.clone(),
            denied(report, *cause, action, members, &regions).1,
        ),
        _ if members.len() == 1 => (lead.title.clone(), first_step()),
        Key::Cause(Cause::EndpointUnreachable) => {
            let what = lead
                .aws
                .as_ref()
                .and_then(|a| a.message.as_deref())
                .and_then(crate::classify::network_problem)
                .map_or("no answer", |n| n.what);
            let via = via_overrides(report);
            let everywhere = regions.len() == report.regions.len();
            let title = if everywhere {
                format!("No AWS endpoint could be reached from here{via}: {what}")
            } else {
                format!(
                    "AWS could not be reached from here{via}{}: {what}",
                    scope(&regions)
                )
            };
            (title, first_step())
        }
        Key::Cause(Cause::NonAwsAnswer) => non_aws(report, lead, &regions),
        Key::Denied(cause, action) => denied(report, *cause, action, members, &regions),
        Key::Cause(c) if c.is_transient() => (
            format!(
                "AWS did not answer{} ({c}){}",
                scope(&regions),
                of_models(&models)
            ),
            first_step(),
        ),
        _ => (
            format!("{}{}{}", lead.code.title(), scope(&regions), of_models(&models)),
            first_step(),
        ),
    };
    Diagnosis {
        cause: lead.cause,
        code: lead.code,
        status: lead.status,
        title,
        remediation,
        findings: members.len(),
        regions,
        models,
    }
}

fn of_models(models: &[String]) -> String {
    if models.is_empty() {
        String::new()
    } else {
        format!(" for {}", models.join(", "))
    }
}

fn scope(regions: &[String]) -> String {
    match regions.len() {
        0 => String::new(),
        1 => format!(" in {}", regions[0]),
        n => format!(" in {n} regions ({})", regions.join(", ")),
    }
}

/// The endpoint-override variables in force, as the credentials check reported them (BD107).
fn overrides(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.code == Code::BD107)
        .flat_map(|f| {
            OVERRIDE_VAR
                .find_iter(&f.title)
                .map(|m| m.as_str().to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// " through AWS_ENDPOINT_URL" when calls went to an overridden endpoint.
fn via_overrides(report: &Report) -> String {
    let o = overrides(report);
    if o.is_empty() {
        String::new()
    } else {
        format!(" through {}", o.join(", "))
    }
}

/// Every call answered by something that is not AWS: name the override that sent them there.
fn non_aws(report: &Report, lead: &Finding, regions: &[String]) -> (String, String) {
    let what = lead
        .aws
        .as_ref()
        .and_then(|a| a.message.clone())
        .unwrap_or_else(|| "an answer that is not AWS's".into());
    let overrides = overrides(report);
    let via = via_overrides(report);
    (
        format!(
            "Bedrock calls{via} were answered by something that is not AWS{}: {what}",
            scope(regions)
        ),
        if overrides.is_empty() {
            "Check what answers at the Bedrock endpoints from this network: a proxy (HTTPS_PROXY, NO_PROXY), a captive portal or a gateway; AWS's answers carry an x-amzn-RequestId".into()
        } else {
            format!(
                "Point {} at AWS (or unset it): the service at that address does not speak the Bedrock API",
                overrides.join(", ")
            )
        },
    )
}

/// The same action denied for several resources: one statement that allows them all.
fn denied(
    report: &Report,
    cause: Cause,
    action: &str,
    members: &[&Finding],
    regions: &[String],
) -> (String, String) {
    let account = report
        .identity
        .as_ref()
        .and_then(|i| i.account.clone())
        .unwrap_or_else(|| "ACCOUNT_ID".into());
    let mut resources: Vec<String> = Vec::new();
    for f in members {
        let named = denial(f)
            .and_then(|d| d.resource)
            // A wildcard the message names (a proxy's or an emulator's) is no least-privilege
            // grant: derive the exact resources instead.
            .filter(|r| r.starts_with("arn:") && !r.contains('*'));
        // No resource in the message: everything IAM evaluates the call against (for a
        // profile, its ARN and the foundation model in every destination), from the knowledge
        // base; what it cannot place, as the finding names it.
        let derived = || -> Vec<String> {
            let (Some(region), Some(model)) = (f.region.as_deref(), f.model.as_deref()) else {
                return vec![];
            };
            let needs = crate::policy::Needs {
                regions: vec![region.to_string()],
                models: vec![model.to_string()],
                account: Some(account.clone()).filter(|a| a != crate::policy::ACCOUNT_PLACEHOLDER),
                ..Default::default()
            };
            match crate::policy::generate(crate::knowledge::embedded(), &needs) {
                Ok(p) => p.resources.into_keys().collect(),
                Err(_) => match ident::parse(model) {
                    Ok(ModelRef::Foundation { id }) => {
                        vec![format!("arn:aws:bedrock:{region}::foundation-model/{id}")]
                    }
                    Ok(ModelRef::SystemProfile { id, .. }) => {
                        vec![format!(
                            "arn:aws:bedrock:{region}:{account}:inference-profile/{id}"
                        )]
                    }
                    _ => vec![model.to_string()],
                },
            }
        };
        for r in named.map_or_else(derived, |n| vec![n]) {
            if !resources.contains(&r) {
                resources.push(r);
            }
        }
    }
    let who = if cause == Cause::ScpDenied {
        "An organization policy (SCP)"
    } else {
        "IAM"
    };
    // Nothing names a resource and none can be derived (no model: a list operation such as
    // ListFoundationModels, which takes none): the action is granted on `*`.
    let (title, resource) = if resources.is_empty() {
        (
            format!("{who} denies `{action}`{}", scope(regions)),
            serde_json::json!("*"),
        )
    } else {
        (
            format!(
                "{who} denies `{action}` for {} resource{}{}",
                resources.len(),
                if resources.len() == 1 { "" } else { "s" },
                scope(regions)
            ),
            serde_json::json!(resources),
        )
    };
    let statement = serde_json::json!({
        "Effect": "Allow",
        "Action": action,
        "Resource": resource,
    });
    let remediation = if cause == Cause::ScpDenied {
        format!("Ask the organization's administrators to exempt these resources from the SCP: {statement}")
    } else {
        format!("Add this statement to the principal's identity policy: {statement}")
    };
    (title, remediation)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{AwsEvidence, RegionSource};

    fn report(findings: Vec<Finding>) -> Report {
        Report {
            regions: ["us-east-1", "eu-west-1"]
                .iter()
                .map(|r| RegionSource::new(*r, "flag"))
                .collect(),
            models: vec!["a.b-v1:0".into(), "c.d-v1:0".into()],
            ..Report::of(findings)
        }
    }

    fn denied(region: &str, model: &str) -> Finding {
        Finding::new(Code::BD401, Status::Fail, Cause::IamDeniedInvoke, "denied")
            .check("probe")
            .region(region)
            .model(model)
            .aws(AwsEvidence {
                message: Some("User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeModel because no identity-based policy allows it".into()),
                ..AwsEvidence::default()
            })
    }

    /// A denied profile call whose message names no resource: the statement carries the profile
    /// ARN and the foundation model in every destination it routes to (the knowledge base's).
    #[test]
    fn a_denied_profile_gets_every_resource_iam_evaluates() {
        let profile = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
        let d = diagnose(&report(vec![denied("us-east-1", profile)]));
        let fix = &d[0].remediation;
        for r in [
            format!("arn:aws:bedrock:us-east-1:ACCOUNT_ID:inference-profile/{profile}"),
            "arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0".into(),
            "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0".into(),
        ] {
            assert!(fix.contains(&r), "{r} missing from {fix}");
        }
    }

    /// A denied list operation (no model, no resource in the message) is granted on `*`, never
    /// on an empty resource list.
    #[test]
    fn a_denied_list_operation_is_granted_on_star() {
        let f = Finding::new(Code::BD504, Status::Fail, Cause::IamDeniedInvoke, "rejected")
            .check("regions")
            .region("ap-northeast-1")
            .aws(AwsEvidence {
                message: Some("User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:ListFoundationModels because no identity-based policy allows the bedrock:ListFoundationModels action".into()),
                ..AwsEvidence::default()
            });
        let d = diagnose(&report(vec![f.clone(), f.region("eu-west-1")]));
        assert!(
            d[0].remediation.contains(r#""Resource":"*""#),
            "{}",
            d[0].remediation
        );
        assert!(!d[0].title.contains("resource"), "{}", d[0].title);
    }

    /// A message that names a wildcard resource gets the exact resources in the fix, never the
    /// wildcard.
    #[test]
    fn a_wildcard_in_the_message_is_not_the_fix() {
        let model = "anthropic.claude-3-5-sonnet-20240620-v1:0";
        let mut f = denied("ap-northeast-1", model);
        f.aws.as_mut().unwrap().message = Some("User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:ap-northeast-1::foundation-model/* because no identity-based policy allows the bedrock:InvokeModel action".into());
        let d = diagnose(&report(vec![f]));
        let fix = &d[0].remediation;
        assert!(
            fix.contains(&format!(
                "arn:aws:bedrock:ap-northeast-1::foundation-model/{model}"
            )),
            "{fix}"
        );
        assert!(!fix.contains("foundation-model/*"), "{fix}");
    }

    #[test]
    fn one_cause_many_findings_is_one_diagnosis() {
        let throttled = |code, region: &str| {
            Finding::new(code, Status::Inconclusive, Cause::Throttled, "slow").region(region)
        };
        let r = report(vec![
            Finding::new(
                Code::BD107,
                Status::Warn,
                Cause::Other,
                "AWS endpoints are overridden: AWS_ENDPOINT_URL=http://x",
            ),
            throttled(Code::BD503, "us-east-1"),
            throttled(Code::BD208, "eu-west-1").model("a.b-v1:0"),
            denied("us-east-1", "a.b-v1:0"),
            denied("eu-west-1", "c.d-v1:0"),
            Finding::new(Code::BD412, Status::Skip, Cause::Other, "not probed").region("us-east-1"),
            Finding::new(Code::BD200, Status::Pass, Cause::Ok, "offered"),
        ]);
        let d = diagnose(&r);
        let shape: Vec<(Cause, Status, usize)> = d.iter().map(|d| (d.cause, d.status, d.findings)).collect();
        assert_eq!(
            shape,
            [
                (Cause::IamDeniedInvoke, Status::Fail, 2),
                (Cause::Throttled, Status::Inconclusive, 2),
                (Cause::Other, Status::Warn, 1),
            ]
        );
        assert_eq!(d[0].regions, ["us-east-1", "eu-west-1"]);
        assert_eq!(d[0].models, ["a.b-v1:0", "c.d-v1:0"]);
        // No resource in the messages: the statement names the foundation-model ARNs.
        assert!(
            d[0].remediation
                .contains("arn:aws:bedrock:us-east-1::foundation-model/a.b-v1:0"),
            "{}",
            d[0].remediation
        );
        assert!(
            d[0].remediation
                .contains("arn:aws:bedrock:eu-west-1::foundation-model/c.d-v1:0")
        );
        assert!(
            d[1].title.starts_with("AWS did not answer in 2 regions"),
            "{}",
            d[1].title
        );
    }

    #[test]
    fn a_skip_joins_the_problem_that_blocked_it_and_suppressed_findings_are_left_out() {
        let mut muted = denied("us-east-1", "a.b-v1:0");
        muted.suppressed = Some(crate::report::Suppressed {
            reason: "known".into(),
            expires: None,
        });
        let r = report(vec![
            Finding::new(Code::BD101, Status::Fail, Cause::NoCredentials, "no credentials"),
            Finding::new(Code::BD900, Status::Skip, Cause::Other, "not checked").region("us-east-1"),
            Finding::new(Code::BD900, Status::Skip, Cause::Other, "not checked").region("eu-west-1"),
            muted,
        ]);
        let d = diagnose(&r);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!((d[0].cause, d[0].findings), (Cause::NoCredentials, 3));
        assert!(diagnose(&report(vec![])).is_empty());
    }
}
