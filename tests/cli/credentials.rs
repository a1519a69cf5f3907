//! The `credentials` check against the local endpoint.

use crate::fake_aws::{ACCOUNT, FakeAws, Fault, Key, Match, USER_ARN, VALID_KEY};
use crate::util::{ReportExt, SilentImds, TestCommand};
use bedrock_doctor::codes::Code;
use bedrock_doctor::report::{Cause, Status};

fn check(aws: &FakeAws) -> TestCommand {
    TestCommand::new()
        .fake_aws(aws)
        .args(["check", "--format", "json", "--region", "us-east-1"])
}

#[test]
fn valid_identity_passes_with_account_and_arn() {
    let aws = FakeAws::start();
    let out = check(&aws).run();
    out.assert_code(0);
    let r = out.report();
    let f = r.finding(Code::BD100);
    assert_eq!((f.status, f.cause), (Status::Pass, Cause::Ok));
    assert_eq!(f.aws.as_ref().unwrap().operation, "GetCallerIdentity");
    assert!(f.aws.as_ref().unwrap().request_id.is_some());
    let id = r.identity.clone().unwrap();
    assert_eq!(id.account.as_deref(), Some(ACCOUNT));
    assert_eq!(id.arn.as_deref(), Some(USER_ARN));
    assert_eq!(id.credential_source, "environment");
    assert_eq!(id.access_key_id, "****0001");
    assert!(!id.temporary);
    // The endpoint override is reported, since a stray one breaks Bedrock.
    assert_eq!(r.finding(Code::BD107).status, Status::Warn);
    // STS was called once, signed for the primary region, with our user agent.
    let sts: Vec<_> = aws
        .requests()
        .into_iter()
        .filter(|q| q.operation == "GetCallerIdentity")
        .collect();
    assert_eq!(sts.len(), 1);
    assert_eq!(sts[0].region.as_deref(), Some("us-east-1"));
    assert_eq!(sts[0].service.as_deref(), Some("sts"));
    assert!(
        sts[0].user_agent.contains("bedrock-doctor"),
        "{}",
        sts[0].user_agent
    );
}

#[test]
fn unknown_key_is_invalid_credentials_and_blocks_bedrock_calls() {
    let aws = FakeAws::start();
    let out = check(&aws)
        .keys("AKIAUNKNOWNKEY000002", "some-secret-value-xyz")
        .run();
    out.assert_code(1);
    let r = out.report();
    let f = r.finding(Code::BD102);
    assert_eq!((f.status, f.cause), (Status::Fail, Cause::InvalidCredentials));
    let e = f.aws.as_ref().unwrap();
    assert_eq!(e.error_code.as_deref(), Some("InvalidClientTokenId"));
    assert_eq!(e.http_status, Some(403));
    // Never a wrong blame: the region is skipped, not reported as denied.
    let skipped = r.finding_in(Code::BD900, "us-east-1");
    assert_eq!(skipped.status, Status::Skip);
    assert!(aws.requests().iter().all(|q| q.operation == "GetCallerIdentity"));
}

#[test]
fn wrong_secret_is_invalid_credentials() {
    let aws = FakeAws::start();
    aws.key(VALID_KEY, Key::WrongSecret);
    let out = check(&aws).run();
    out.assert_code(1);
    let f = out.report().finding(Code::BD102).clone();
    assert_eq!(f.cause, Cause::InvalidCredentials);
    assert_eq!(
        f.aws.unwrap().error_code.as_deref(),
        Some("SignatureDoesNotMatch")
    );
}

#[test]
fn expired_session_is_expired_token() {
    let aws = FakeAws::start();
    aws.key("ASIAEXPIREDSESSION03", Key::Expired);
    let out = check(&aws)
        .keys("ASIAEXPIREDSESSION03", "secret-of-the-expired-session")
        .env("AWS_SESSION_TOKEN", "FwoGZXIvYXdzEXPIREDTOKENVALUE")
        .run();
    out.assert_code(1);
    let r = out.report();
    let f = r.finding(Code::BD103);
    assert_eq!((f.status, f.cause), (Status::Fail, Cause::ExpiredToken));
    assert!(r.identity.unwrap().temporary);
}

#[test]
fn skewed_clock_is_clock_skew() {
    let aws = FakeAws::start();
    aws.skew(20 * 60);
    let out = check(&aws).run();
    out.assert_code(1);
    let f = out.report().finding(Code::BD104).clone();
    assert_eq!((f.status, f.cause), (Status::Fail, Cause::ClockSkew));
    assert!(f.title.contains("behind"), "{}", f.title);
}

#[test]
fn small_skew_is_a_warning() {
    let aws = FakeAws::start();
    aws.skew(120);
    let out = check(&aws).run();
    out.assert_code(0);
    let f = out.report().finding(Code::BD104).clone();
    assert_eq!((f.status, f.cause), (Status::Warn, Cause::ClockSkew));
}

#[test]
fn no_credentials_anywhere_fails_fast_without_waiting_for_metadata() {
    let imds = SilentImds::start();
    let aws = FakeAws::start();
    let out = TestCommand::new()
        .env("AWS_ENDPOINT_URL", aws.url())
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url())
        .args(["check", "--format", "json"])
        .run();
    out.assert_code(1);
    let r = out.report();
    let f = r.finding(Code::BD101);
    assert_eq!((f.status, f.cause), (Status::Fail, Cause::NoCredentials));
    assert!(
        f.detail
            .contains("instance metadata did not answer when asked for the region"),
        "{}",
        f.detail
    );
    assert!(r.identity.is_none());
    assert_eq!(r.finding(Code::BD505).cause, Cause::RegionNotSupported);
    // One metadata attempt, for the region, not the SDK's four one-second tries for the region
    // and four more for credentials: silent then, it is not asked again (the timing itself is
    // measured by scripts/bench, not here).
    let tries = imds.connections.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(tries, 1, "metadata connections");
    assert!(aws.requests().is_empty());
}

#[test]
fn a_metadata_service_that_refuses_is_no_credentials_and_stderr_stays_quiet() {
    let imds = SilentImds::forbidding();
    let out = TestCommand::new()
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url())
        .args(["check", "--format", "json"])
        .run();
    out.assert_code(1);
    let r = out.report();
    let f = r.finding(Code::BD101);
    assert_eq!((f.status, f.cause), (Status::Fail, Cause::NoCredentials));
    assert!(imds.connections.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    // The SDK's warnings about the refusal are the finding's detail, not log noise on stderr.
    assert_eq!(out.stderr, "", "stderr at the default verbosity");
}

#[test]
fn hanging_sts_is_inconclusive_within_the_timeout() {
    let aws = FakeAws::start();
    aws.fault(Match::any(), Fault::Hang);
    let out = check(&aws).args(["--timeout", "4"]).run();
    out.assert_code(0);
    let r = out.report();
    let f = r.finding(Code::BD105);
    assert_eq!(
        (f.status, f.cause),
        (Status::Inconclusive, Cause::EndpointUnreachable)
    );
    let region = r.finding_in(Code::BD503, "us-east-1");
    assert_eq!(
        (region.status, region.cause),
        (Status::Inconclusive, Cause::EndpointUnreachable)
    );
    assert!(!r.incomplete);
    assert!(out.elapsed.as_secs_f64() < 4.5, "took {:?}", out.elapsed);
}

#[test]
fn throttled_sts_is_inconclusive_not_a_credentials_failure() {
    let aws = FakeAws::start();
    aws.fault(
        Match::op("GetCallerIdentity"),
        Fault::error(400, "Throttling", "Rate exceeded"),
    );
    let out = check(&aws).run();
    out.assert_code(0);
    let r = out.report();
    let f = r.finding(Code::BD105);
    assert_eq!((f.status, f.cause), (Status::Inconclusive, Cause::Throttled));
    // The credentials were not rejected, so Bedrock was still checked.
    assert_eq!(r.finding_in(Code::BD500, "us-east-1").status, Status::Pass);
    // Retried (bounded), not given up after one try.
    let tries = aws
        .requests()
        .iter()
        .filter(|q| q.operation == "GetCallerIdentity")
        .count();
    assert_eq!(tries, 3);
}

#[test]
fn throttling_that_clears_on_retry_passes() {
    let aws = FakeAws::start();
    aws.fault_times(
        Match::op("GetCallerIdentity"),
        Fault::error(400, "Throttling", "Rate exceeded"),
        1,
    );
    let out = check(&aws).run();
    out.assert_code(0);
    assert_eq!(out.report().finding(Code::BD100).status, Status::Pass);
}

#[test]
fn named_profile_is_the_source() {
    let aws = FakeAws::start();
    let out = TestCommand::new()
        .env("AWS_ENDPOINT_URL", aws.url())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .file(
            ".aws/credentials",
            &format!(
                "[dev]\naws_access_key_id = {VALID_KEY}\naws_secret_access_key = profile-secret-value-123\n"
            ),
        )
        .file(".aws/config", "[profile dev]\nregion = eu-west-1\n")
        .args(["check", "--format", "json", "--profile", "dev"])
        .run();
    out.assert_code(0);
    let r = out.report();
    assert_eq!(r.identity.unwrap().credential_source, "profile:dev (static keys)");
    assert_eq!(r.regions[0].region, "eu-west-1");
    assert_eq!(r.regions[0].source, "profile:dev");
}

#[test]
fn missing_profile_is_no_credentials() {
    let aws = FakeAws::start();
    let out = TestCommand::new()
        .env("AWS_ENDPOINT_URL", aws.url())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args([
            "check",
            "--format",
            "json",
            "--profile",
            "nosuch",
            "--region",
            "us-east-1",
        ])
        .run();
    out.assert_code(1);
    let f = out.report().finding(Code::BD101).clone();
    assert!(f.detail.contains("nosuch"), "{}", f.detail);
    assert!(f.remediation[0].contains("nosuch"));
}

#[test]
fn bedrock_api_key_is_reported_and_used_for_bedrock_only() {
    let aws = FakeAws::start();
    aws.bearer_token("ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLXRva2Vu");
    let out = check(&aws)
        .env(
            "AWS_BEARER_TOKEN_BEDROCK",
            "ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLXRva2Vu",
        )
        .run();
    out.assert_code(0);
    let r = out.report();
    assert_eq!(r.finding(Code::BD106).status, Status::Warn);
    assert_eq!(r.finding_in(Code::BD500, "us-east-1").status, Status::Pass);
    for q in aws.requests() {
        if q.operation == "GetCallerIdentity" {
            assert!(q.access_key.is_some() && q.bearer.is_none());
        } else {
            assert!(q.bearer.is_some(), "{} sent without the API key", q.operation);
        }
    }
}

/// Behind a TLS-inspecting proxy the endpoint's certificate is signed by a CA no system trusts.
/// The finding says so, and `AWS_CA_BUNDLE` (or the profile's `ca_bundle`), which the AWS CLI
/// honours, makes the same run pass.
#[test]
fn an_untrusted_certificate_is_named_and_a_ca_bundle_fixes_it() {
    let aws = FakeAws::start_tls();
    let ca = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls/ca.pem");
    let run = |cmd: TestCommand| {
        let out = cmd.run();
        out.assert_code(0);
        out.report()
    };

    let r = run(check(&aws));
    let f = r.finding(Code::BD105);
    assert_eq!(
        (f.status, f.cause),
        (Status::Inconclusive, Cause::EndpointUnreachable)
    );
    assert!(
        f.detail.contains("a TLS certificate this machine does not trust"),
        "{}",
        f.detail
    );
    assert!(f.remediation[0].contains("CA certificate"), "{:?}", f.remediation);
    assert!(aws.requests().is_empty(), "no request got through the handshake");

    assert!(r.findings.iter().all(|f| f.code != Code::BD109));

    let r = run(check(&aws).env("AWS_CA_BUNDLE", ca));
    assert_eq!(r.finding(Code::BD100).status, Status::Pass);
    assert_eq!(r.finding_in(Code::BD500, "us-east-1").status, Status::Pass);
    let said = &r.finding(Code::BD109).title;
    assert!(
        said.contains(ca) && said.contains("(AWS_CA_BUNDLE, 1 certificate)"),
        "{said}"
    );

    let r = run(check(&aws).file(".aws/config", &format!("[default]\nca_bundle = {ca}\n")));
    assert_eq!(r.finding(Code::BD100).status, Status::Pass);
    assert!(r.finding(Code::BD109).title.contains("profile default ca_bundle"));
}

#[test]
fn an_unusable_ca_bundle_is_a_usage_error() {
    let aws = FakeAws::start();
    for (value, says) in [
        ("/nonexistent/ca.pem", "cannot be read"),
        (
            concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"),
            "holds no PEM certificate",
        ),
    ] {
        let out = check(&aws).env("AWS_CA_BUNDLE", value).run();
        out.assert_code(2);
        assert!(
            out.stderr.contains("AWS_CA_BUNDLE") && out.stderr.contains(says),
            "{}",
            out.stderr
        );
        assert!(out.stdout.is_empty());
    }
}
