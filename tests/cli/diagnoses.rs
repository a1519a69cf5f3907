//! Root causes first: many findings with one cause are one diagnosis with one fix, and answers
//! that did not come from AWS are named as such.

use crate::fake_aws::{FakeAws, Fault, Match};
use crate::util::{ReportExt, TestCommand, check_models};
use bedrock_doctor::report::{Cause, Report, Status};

const CLAUDE: &str = "anthropic.claude-3-5-sonnet-20240620-v1:0";
const TITAN: &str = "amazon.titan-embed-text-v2:0";
const NOVA_US: &str = "us.amazon.nova-pro-v1:0";

/// Every non-pass finding that is not suppressed belongs to exactly one diagnosis.
fn assert_every_problem_is_explained(r: &Report) {
    let problems = r
        .findings
        .iter()
        .filter(|f| {
            matches!(f.status, Status::Fail | Status::Warn | Status::Inconclusive) && f.suppressed.is_none()
        })
        .count();
    let explained: usize = r
        .diagnoses
        .iter()
        .filter(|d| d.status != Status::Skip)
        .map(|d| d.findings)
        .sum();
    let not_checked = r
        .findings
        .iter()
        .filter(|f| f.status == Status::Skip && f.code == bedrock_doctor::codes::Code::BD900)
        .count();
    assert!(
        explained >= problems && explained <= problems + not_checked,
        "{explained} explained, {problems} problems: {:#?}",
        r.diagnoses
    );
}

fn html_tag(s: &str) -> bool {
    regex::Regex::new(r"<\s*[A-Za-z!/][^>]*>").unwrap().is_match(s)
}

#[test]
fn a_gateway_answering_html_is_one_diagnosis_naming_the_override() {
    let aws = FakeAws::start();
    let gateway = FakeAws::start();
    gateway.fault(
        Match::any(),
        Fault::Raw {
            status: 500,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body: "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1><p>nginx</p></body></html>".into(),
        },
    );
    let out = check_models(&aws, "us-east-1,eu-west-1", &[CLAUDE])
        .env("AWS_ENDPOINT_URL", gateway.url())
        .env("AWS_ENDPOINT_URL_STS", aws.url())
        .run();
    out.assert_code(0);
    let r = out.report();
    assert_eq!(
        r.finding(bedrock_doctor::codes::Code::BD100).status,
        Status::Pass,
        "STS still answered"
    );
    let foreign: Vec<_> = r
        .diagnoses
        .iter()
        .filter(|d| d.cause == Cause::NonAwsAnswer)
        .collect();
    assert_eq!(foreign.len(), 1, "{:#?}", r.diagnoses);
    let d = foreign[0];
    assert_eq!(d.status, Status::Inconclusive);
    assert!(d.title.contains("AWS_ENDPOINT_URL"), "{}", d.title);
    assert!(d.title.contains("500 Internal Server Error"), "{}", d.title);
    assert_eq!(d.regions, ["us-east-1", "eu-west-1"]);
    assert_eq!(
        r.diagnoses[0].cause,
        Cause::NonAwsAnswer,
        "the most serious comes first"
    );
    for f in &r.findings {
        let evidence = f
            .aws
            .as_ref()
            .map(|a| format!("{:?} {:?}", a.error_code, a.message))
            .unwrap_or_default();
        for text in [&f.title, &f.detail, &evidence] {
            assert!(!html_tag(text), "{}: an HTML tag in {text}", f.code);
        }
        assert!(
            f.cause != Cause::IamDeniedInvoke && f.status != Status::Fail,
            "{f:#?}"
        );
    }
    assert_every_problem_is_explained(&r);
    // The table opens with the diagnosis.
    let table = TestCommand::new()
        .fake_aws(&aws)
        .env("AWS_ENDPOINT_URL", gateway.url())
        .env("AWS_ENDPOINT_URL_STS", aws.url())
        .args(["check", "--region", "us-east-1,eu-west-1", "--model", CLAUDE])
        .run();
    let diagnosis = table.stdout.find("Diagnosis").expect("a Diagnosis block");
    assert!(
        diagnosis < table.stdout.find("Check ").unwrap(),
        "{}",
        table.stdout
    );
}

#[test]
fn no_endpoint_reachable_is_one_diagnosis_for_every_region() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    // Valid-looking keys, and every service (STS too) at an address where nothing listens.
    let unused = FakeAws::start();
    let out = TestCommand::new()
        .fake_aws(&unused)
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
        .args([
            "check",
            "--format",
            "json",
            "--region",
            "us-east-1,eu-west-1,ap-northeast-1",
        ])
        .args(["--model", CLAUDE, "--model", TITAN, "--timeout", "8"])
        .run();
    out.assert_code(0);
    let r = out.report();
    let unreachable: Vec<_> = r
        .diagnoses
        .iter()
        .filter(|d| d.cause == Cause::EndpointUnreachable)
        .collect();
    assert_eq!(unreachable.len(), 1, "{:#?}", r.diagnoses);
    let d = unreachable[0];
    assert!(d.findings >= 4, "{d:#?}");
    assert_eq!(d.regions, ["us-east-1", "eu-west-1", "ap-northeast-1"]);
    assert!(d.title.contains("refused"), "{}", d.title);
    assert_eq!(r.diagnoses[0].cause, Cause::EndpointUnreachable);
    assert_every_problem_is_explained(&r);
}

#[test]
fn one_iam_denial_for_three_models_is_one_statement() {
    let aws = FakeAws::start();
    let denied = |resource: &str| {
        Fault::error(
            403,
            "AccessDeniedException",
            &format!(
                "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeModel on resource: {resource} because no identity-based policy allows the bedrock:InvokeModel action"
            ),
        )
    };
    let claude = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0";
    let titan = "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0";
    let nova = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0";
    for (model, resource) in [(CLAUDE, claude), (TITAN, titan), (NOVA_US, nova)] {
        for op in ["Converse", "InvokeModel"] {
            aws.fault(Match::op(op).region("us-east-1").model(model), denied(resource));
        }
    }
    let out = check_models(&aws, "us-east-1", &[CLAUDE, TITAN, NOVA_US]).run();
    out.assert_code(1);
    let r = out.report();
    let iam: Vec<_> = r
        .diagnoses
        .iter()
        .filter(|d| d.cause == Cause::IamDeniedInvoke)
        .collect();
    assert_eq!(iam.len(), 1, "{:#?}", r.diagnoses);
    let d = iam[0];
    assert_eq!((d.status, d.findings), (Status::Fail, 3));
    assert!(d.title.contains("bedrock:InvokeModel"), "{}", d.title);
    let json = d.remediation.split_once(": ").map(|x| x.1).unwrap();
    let statement: serde_json::Value = serde_json::from_str(json).expect("one JSON statement");
    assert_eq!(statement["Effect"], "Allow");
    assert_eq!(statement["Action"], "bedrock:InvokeModel");
    let resources: Vec<&str> = statement["Resource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(resources, [claude, titan, nova]);
    assert_every_problem_is_explained(&r);
}
