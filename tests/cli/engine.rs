//! Check selection, formats, outputs and usage errors.

use crate::fake_aws::FakeAws;
use crate::util::{ReportExt, TestCommand};
use bedrock_doctor::codes::Code;

#[test]
fn only_runs_the_check_and_its_dependencies() {
    let aws = FakeAws::start();
    let out = TestCommand::new()
        .fake_aws(&aws)
        .args([
            "check",
            "--format",
            "json",
            "--region",
            "us-east-1",
            "--only",
            "regions",
        ])
        .run();
    out.assert_code(0);
    let ids: Vec<_> = out.report().checks.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids, ["credentials", "regions"]);
}

#[test]
fn skip_leaves_a_check_out_and_dependents_say_why() {
    let aws = FakeAws::start();
    let out = TestCommand::new()
        .fake_aws(&aws)
        .args([
            "check",
            "--format",
            "json",
            "--region",
            "us-east-1",
            "--skip",
            "credentials",
        ])
        .run();
    out.assert_code(0);
    let r = out.report();
    let ids: Vec<_> = r.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["regions", "arns", "model-access", "probe"]);
    assert!(
        r.finding_in(Code::BD900, "us-east-1")
            .detail
            .contains("credentials were not checked")
    );
    assert!(aws.requests().is_empty());
}

#[test]
fn unknown_check_is_a_usage_error() {
    let out = TestCommand::new().args(["check", "--only", "credentails"]).run();
    out.assert_code(2);
    assert!(
        out.stderr.contains("unknown check `credentails`"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("credentials, regions"));
}

#[test]
fn bad_flag_values_are_usage_errors() {
    for args in [
        vec!["check", "--timeout", "0"],
        vec!["check", "--timeout", "soon"],
        vec!["check", "--concurrency", "0"],
        vec!["check", "--format", "yaml"],
        vec!["check", "--bogus"],
        // An unset shell variable (`--region "$REGION"`) must not fall back to the default.
        vec!["check", "--region", ""],
        vec!["check", "--region", " , "],
        vec!["models", "--region", ""],
        vec!["triage", "--region", "", "text"],
    ] {
        let out = TestCommand::new().args(&args).run();
        out.assert_code(2);
        assert!(!out.stderr.is_empty());
        assert!(!out.stderr.contains("panicked"));
    }
}

#[test]
fn output_file_gets_the_report_and_stdout_stays_empty() {
    let aws = FakeAws::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let out = TestCommand::new()
        .fake_aws(&aws)
        .args(["check", "--format", "json", "--region", "us-east-1", "--output"])
        .args([&path])
        .run();
    out.assert_code(0);
    assert!(out.stdout.is_empty());
    let report: bedrock_doctor::report::Report =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(report.schema_version, 1);
    assert_eq!(report.summary.pass, 2);
}

#[test]
fn output_to_an_unwritable_place_is_an_error_not_a_panic() {
    let aws = FakeAws::start();
    let out = TestCommand::new()
        .fake_aws(&aws)
        .args([
            "check",
            "--region",
            "us-east-1",
            "--output",
            "/nonexistent-dir/x/report.json",
        ])
        .run();
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("writing the report"), "{}", out.stderr);
}

#[test]
fn table_shows_identity_checks_findings_and_summary() {
    let aws = FakeAws::start();
    let out = TestCommand::new()
        .fake_aws(&aws)
        .args(["check", "--region", "us-east-1,us-east-3"])
        .run();
    out.assert_code(1);
    let t = &out.stdout;
    assert!(
        t.contains("arn:aws:iam::123456789012:user/dev (account 123456789012)"),
        "{t}"
    );
    assert!(t.contains("environment · long-term key ****0001"), "{t}");
    assert!(t.contains("us-east-1 (flag), us-east-3 (flag)"), "{t}");
    assert!(
        t.contains("✔ pass") && t.contains("✘ fail") && t.contains("BD501"),
        "{t}"
    );
    assert!(t.contains("Did you mean `us-east-1`?"), "{t}");
    assert!(
        t.contains("2 pass, 1 warn, 1 fail, 0 skip, 0 inconclusive"),
        "{t}"
    );
    assert!(
        !t.contains('\u{1b}'),
        "no colour when NO_COLOR is set and stdout is a pipe"
    );
}

/// A sweep never bursts into one region: at most 8 calls in flight to each service of a region
/// (the control plane and the runtime have separate quotas), whatever --concurrency allows.
#[test]
fn calls_to_one_region_are_bounded() {
    let aws = FakeAws::start();
    aws.latency(std::time::Duration::from_millis(150));
    let args = crate::util::many_models_check(&aws, "us-east-1", 12, &["--concurrency", "256"]);
    let out = TestCommand::new().fake_aws(&aws).args(args).run();
    out.assert_code(0);
    let bound = bedrock_doctor::context::PER_REGION;
    // 13 control-plane reads (12 entitlements, the use-case form) and 12 probes wait for the
    // catalogue: each plane fills its bound, and neither waits for the other.
    for plane in ["bedrock", "bedrock-runtime"] {
        let max = aws.max_in_flight(plane, "us-east-1");
        assert!(
            (bound / 2 + 1..=bound).contains(&max),
            "{max} calls in flight at once to {plane} in us-east-1"
        );
    }
}

/// Calls to one service in one region share a client and its connections: against AWS, every
/// new connection is a TLS handshake, one or two round trips before the request goes out.
#[test]
fn connections_are_reused() {
    let aws = FakeAws::start();
    let models = [
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "amazon.titan-embed-text-v2:0",
    ];
    let out = crate::util::check_models(&aws, "us-east-1", &models)
        .args(["--concurrency", "1"])
        .run();
    out.assert_code(0);
    let requests = aws.requests().len();
    // One call at a time: one connection each for STS, the control plane and the runtime.
    assert!(requests >= 6, "{requests} requests");
    assert_eq!(aws.connections(), 3, "connections for {requests} requests");
}
