//! Fault injection: whatever the endpoint does, the run finishes, nothing panics, and no finding
//! claims an access problem the endpoint did not state.

use crate::fake_aws::{FakeAws, Fault, Match};
use crate::util::{ReportExt, TestCommand, check_models};
use bedrock_doctor::codes::Code;
use bedrock_doctor::report::{Cause, Report, Status};

const CLAUDE: &str = "anthropic.claude-3-5-sonnet-20240620-v1:0";

fn raw(status: u16, content_type: &str, body: &str) -> Fault {
    Fault::Raw {
        status,
        headers: vec![("Content-Type".into(), content_type.into())],
        body: body.into(),
    }
}

/// No finding may blame access, credentials or the model when the endpoint never said so.
fn assert_no_blame(r: &Report) {
    for f in &r.findings {
        let blames = matches!(
            f.cause,
            Cause::IamDeniedInvoke
                | Cause::ScpDenied
                | Cause::IamDeniedMarketplace
                | Cause::ModelAccessNotGranted
                | Cause::InvalidCredentials
                | Cause::ExpiredToken
                | Cause::ModelNotInRegion
                | Cause::InvalidModelId
        );
        assert!(!blames, "{} blames {}: {}", f.code, f.cause, f.detail);
        assert!(!f.detail.contains("panicked"));
    }
}

#[test]
fn truncated_and_malformed_bodies_are_inconclusive() {
    let aws = FakeAws::start();
    aws.fault(
        Match::op("ListFoundationModels").region("us-east-1"),
        raw(
            200,
            "application/json",
            r#"{"modelSummaries": [{"modelId": "anthropic.cl"#,
        ),
    );
    aws.fault(
        Match::op("ListFoundationModels").region("us-west-2"),
        raw(200, "application/json", "<html>gateway</html>"),
    );
    aws.fault(
        Match::op("Converse"),
        raw(200, "application/json", r#"{"output": {"message": "#),
    );
    let out = check_models(&aws, "us-east-1,us-west-2", &[CLAUDE]).run();
    out.assert_code(0);
    let r = out.report();
    for region in ["us-east-1", "us-west-2"] {
        let f = r.finding_in(Code::BD503, region);
        assert_eq!(f.status, Status::Inconclusive, "{region}: {}", f.detail);
    }
    assert!(
        r.findings
            .iter()
            .filter(|f| f.check == "probe")
            .all(|f| f.status == Status::Inconclusive)
    );
    assert_no_blame(&r);
}

#[test]
fn malformed_sts_xml_is_inconclusive_not_rejected_credentials() {
    let aws = FakeAws::start();
    aws.fault(
        Match::op("GetCallerIdentity"),
        raw(
            200,
            "text/xml",
            "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>",
        ),
    );
    let out = TestCommand::new()
        .fake_aws(&aws)
        .args(["check", "--format", "json", "--region", "us-east-1"])
        .run();
    out.assert_code(0);
    let r = out.report();
    assert_eq!(r.finding(Code::BD105).status, Status::Inconclusive);
    // The credentials were not rejected, so Bedrock was still checked.
    assert_eq!(r.finding_in(Code::BD500, "us-east-1").status, Status::Pass);
    assert_no_blame(&r);
}

#[test]
fn a_bedrock_endpoint_that_refuses_connections() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let aws = FakeAws::start();
    let out = check_models(&aws, "us-east-1,eu-west-1", &[CLAUDE])
        .env("AWS_ENDPOINT_URL_BEDROCK", format!("http://127.0.0.1:{port}"))
        .env(
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
            format!("http://127.0.0.1:{port}"),
        )
        .args(["--timeout", "8"])
        .run();
    out.assert_code(0);
    let r = out.report();
    assert_eq!(r.finding(Code::BD100).status, Status::Pass, "STS still answered");
    for region in ["us-east-1", "eu-west-1"] {
        let f = r.finding_in(Code::BD503, region);
        assert_eq!(
            (f.status, f.cause),
            (Status::Inconclusive, Cause::EndpointUnreachable)
        );
        // In plain words, with the step that fits a refusal (not "re-run later").
        assert!(
            f.detail
                .contains("got no answer: the endpoint refused the connection ("),
            "{}",
            f.detail
        );
        assert!(
            f.remediation[0].contains("AWS_ENDPOINT_URL"),
            "{:?}",
            f.remediation
        );
    }
    assert!(!r.incomplete);
    assert_no_blame(&r);
}

#[test]
fn bursts_of_5xx_that_clear_within_the_retries_pass() {
    let aws = FakeAws::start();
    aws.fault_times(
        Match::op("ListFoundationModels"),
        Fault::error(503, "ServiceUnavailableException", "busy"),
        2,
    );
    aws.fault_times(
        Match::op("Converse"),
        Fault::error(500, "InternalServerException", "oops"),
        2,
    );
    let out = check_models(&aws, "us-east-1", &[CLAUDE]).run();
    out.assert_code(0);
    let r = out.report();
    assert_eq!(r.finding_in(Code::BD500, "us-east-1").status, Status::Pass);
    assert!(
        r.findings
            .iter()
            .any(|f| f.code == Code::BD400 && f.status == Status::Pass)
    );
}

#[test]
fn resets_everywhere_end_the_run_cleanly() {
    let aws = FakeAws::start();
    aws.fault(Match::any(), Fault::Reset);
    let out = check_models(&aws, "us-east-1", &[CLAUDE])
        .args(["--timeout", "8"])
        .run();
    out.assert_code(0);
    let r = out.report();
    assert_eq!(r.finding(Code::BD105).cause, Cause::EndpointUnreachable);
    assert!(r.summary.fail == 0 && r.summary.inconclusive >= 2);
    assert!(!out.stderr.contains("panicked"));
    assert_no_blame(&r);
}

#[test]
fn foreign_error_bodies_keep_their_meaning() {
    let aws = FakeAws::start();
    // Unknown operation as AWS's XML, and a coral JSON body without the error header.
    aws.fault(
        Match::op("ListFoundationModels").region("us-east-1"),
        raw(404, "application/xml", "<UnknownOperationException/>"),
    );
    aws.fault(
        Match::op("ListFoundationModels").region("us-west-2"),
        raw(
            400,
            "application/json",
            r#"{"Output":{"__type":"com.amazon.coral.service#UnknownOperationException"},"Version":"1.0"}"#,
        ),
    );
    let out = TestCommand::new()
        .fake_aws(&aws)
        .args(["check", "--format", "json", "--region", "us-east-1,us-west-2"])
        .run();
    let r = out.report();
    for region in ["us-east-1", "us-west-2"] {
        let f = r
            .findings
            .iter()
            .find(|f| f.check == "regions" && f.region.as_deref() == Some(region))
            .unwrap();
        assert_eq!(f.cause, Cause::Other, "{region}: {f:#?}");
    }
    assert_no_blame(&r);
}

/// A 200 with an empty body is not AWS saying yes: never a pass, and never "not offered here".
#[test]
fn empty_success_bodies_are_never_a_pass() {
    let aws = FakeAws::start();
    aws.fault(
        Match::op("ListFoundationModels"),
        raw(200, "application/json", "{}"),
    );
    aws.fault(Match::op("Converse"), raw(200, "application/json", "{}"));
    let out = check_models(&aws, "us-east-1", &[CLAUDE]).run();
    out.assert_code(0);
    let r = out.report();
    assert_eq!(
        r.finding_in(Code::BD503, "us-east-1").status,
        Status::Inconclusive
    );
    assert!(
        r.findings.iter().all(|f| f.code != Code::BD201),
        "an empty catalogue is no proof of absence"
    );
    let probe = r.findings.iter().find(|f| f.check == "probe").unwrap();
    assert_eq!(
        (probe.code, probe.status),
        (Code::BD411, Status::Inconclusive),
        "{probe:#?}"
    );
    assert!(
        r.findings
            .iter()
            .all(|f| !(f.check == "probe" && f.status == Status::Pass))
    );
    assert_no_blame(&r);
}

#[test]
fn a_run_that_outlasts_timeout_is_cut_off_with_exit_3() {
    // Every call answers, but slowly (0.4 s, under the 0.5 s per-call share of --timeout 2),
    // and 40 models' calls queue behind the per-region bounds: STS, the catalogue, then five
    // waves of 8 entitlement reads and of 8 probes take at least 2.8 s, so --timeout ends the
    // run at 2 s and says which checks it cut off.
    let aws = FakeAws::start();
    aws.latency(std::time::Duration::from_millis(400));
    let args = crate::util::many_models_check(&aws, "us-east-1", 40, &["--timeout", "2"]);
    let out = TestCommand::new().fake_aws(&aws).args(args).run();
    out.assert_code(3);
    let r = out.report();
    assert!(r.incomplete);
    let cut = r.finding(Code::BD902);
    assert_eq!(cut.status, Status::Inconclusive);
    assert!(
        cut.title.contains("did not finish within --timeout"),
        "{}",
        cut.title
    );
    // What finished before the cut-off is still there; nothing is blamed for the slowness.
    assert_eq!(r.finding(Code::BD100).status, Status::Pass);
    assert_no_blame(&r);
    assert!(
        out.elapsed < std::time::Duration::from_secs(5),
        "the run took {:?} with --timeout 2",
        out.elapsed
    );
}

/// The verdicts of a run, region by region: (check, model, code, status, cause).
fn verdicts(r: &Report, region: &str) -> Vec<(String, Option<String>, Code, Status, Cause)> {
    let mut v: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.region.as_deref() == Some(region))
        .map(|f| (f.check.clone(), f.model.clone(), f.code, f.status, f.cause))
        .collect();
    v.sort_by_key(|x| format!("{x:?}"));
    v
}

#[test]
fn throttling_on_a_fraction_of_calls() {
    const EMBED: &str = "amazon.titan-embed-text-v2:0";
    let throttle = || Fault::error(429, "ThrottlingException", "Rate exceeded");
    let run = |aws: &FakeAws| {
        let out = check_models(aws, "us-east-1,us-west-2,eu-west-1", &[CLAUDE, EMBED]).run();
        out.assert_code(0);
        out.report()
    };
    let calm = run(&FakeAws::start());

    // us-east-1: every call (STS included) is throttled once, and the retry goes through.
    // us-west-2: throttled on every attempt. eu-west-1: untouched.
    let aws = FakeAws::start();
    aws.fault_each(Match::any().region("us-east-1"), throttle(), 1);
    aws.fault(Match::any().region("us-west-2"), throttle());
    let r = run(&aws);

    // Retried with backoff, the throttled region reaches exactly the verdicts of a calm run.
    for region in ["us-east-1", "eu-west-1"] {
        assert!(
            verdicts(&calm, region).len() >= 5,
            "{region}: region, catalogue, probes"
        );
        assert_eq!(verdicts(&r, region), verdicts(&calm, region), "{region}");
    }
    let east: Vec<_> = aws
        .requests()
        .into_iter()
        .filter(|q| q.region.as_deref() == Some("us-east-1"))
        .map(|q| q.operation)
        .collect();
    for op in [
        "GetCallerIdentity",
        "ListFoundationModels",
        "Converse",
        "InvokeModel",
    ] {
        assert_eq!(
            east.iter().filter(|o| *o == op).count(),
            2,
            "{op}: a throttled try, then the retry"
        );
    }
    assert_eq!(r.finding(Code::BD100).status, Status::Pass);

    // Where every retry was throttled, nothing passes and nothing is blamed: the region and
    // both probes say AWS did not answer, and why.
    let west: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.region.as_deref() == Some("us-west-2"))
        .collect();
    assert!(!west.is_empty());
    for f in &west {
        assert!(
            matches!(f.status, Status::Inconclusive | Status::Warn | Status::Skip),
            "{} {} in a region that never answered: {}",
            f.code,
            f.status,
            f.title
        );
    }
    assert_eq!(r.finding_in(Code::BD503, "us-west-2").cause, Cause::Throttled);
    for m in [CLAUDE, EMBED] {
        let probe = west
            .iter()
            .find(|f| f.check == "probe" && f.model.as_deref() == Some(m))
            .unwrap();
        assert_eq!(
            (probe.code, probe.status, probe.cause),
            (Code::BD411, Status::Inconclusive, Cause::Throttled),
            "{m}"
        );
    }
    assert_no_blame(&r);
}
