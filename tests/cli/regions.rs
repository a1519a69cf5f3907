//! The `regions` check against the local endpoint.

use crate::fake_aws::{FakeAws, Fault, Match};
use crate::util::{ReportExt, TestCommand};
use bedrock_doctor::codes::Code;
use bedrock_doctor::report::{Cause, Status};

fn check(aws: &FakeAws, regions: &str) -> TestCommand {
    TestCommand::new()
        .fake_aws(aws)
        .args(["check", "--format", "json", "--region", regions])
}

#[test]
fn each_region_is_called_once_with_its_own_signing_scope() {
    let aws = FakeAws::start();
    let out = check(&aws, "ap-southeast-1,ap-northeast-1").run();
    out.assert_code(0);
    let r = out.report();
    for region in ["ap-southeast-1", "ap-northeast-1"] {
        let f = r.finding_in(Code::BD500, region);
        assert_eq!((f.status, f.cause), (Status::Pass, Cause::Ok));
        assert!(f.title.contains("3 foundation models"), "{}", f.title);
        let calls: Vec<_> = aws
            .requests()
            .into_iter()
            .filter(|q| q.operation == "ListFoundationModels" && q.region.as_deref() == Some(region))
            .collect();
        assert_eq!(calls.len(), 1, "{region}");
        assert_eq!(calls[0].service.as_deref(), Some("bedrock"));
    }
    assert_eq!(r.regions[0].region, "ap-southeast-1");
    assert_eq!(r.regions[0].source, "flag");
    // Findings follow the order of the regions given, primary first.
    let order: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.code == Code::BD500)
        .map(|f| f.region.clone().unwrap())
        .collect();
    assert_eq!(order, ["ap-southeast-1", "ap-northeast-1"]);
}

#[test]
fn typo_region_fails_with_a_suggestion_and_is_never_called() {
    let aws = FakeAws::start();
    let out = check(&aws, "us-east-3").run();
    out.assert_code(1);
    let r = out.report();
    let f = r.finding_in(Code::BD501, "us-east-3");
    assert_eq!((f.status, f.cause), (Status::Fail, Cause::RegionNotSupported));
    assert!(f.remediation[0].contains("us-east-1"), "{:?}", f.remediation);
    assert!(
        aws.requests()
            .iter()
            .all(|q| q.operation != "ListFoundationModels")
    );
}

#[test]
fn region_without_bedrock_fails_and_names_alternatives() {
    let aws = FakeAws::start();
    let out = check(&aws, "ap-east-1").run();
    out.assert_code(1);
    let f = out.report().finding_in(Code::BD502, "ap-east-1").clone();
    assert_eq!((f.status, f.cause), (Status::Fail, Cause::RegionNotSupported));
    assert!(f.remediation[0].contains("ap-northeast-1"), "{:?}", f.remediation);
}

#[test]
fn denied_region_is_an_iam_failure_and_the_other_region_still_passes() {
    let aws = FakeAws::start();
    aws.fault(
        Match::op("ListFoundationModels").region("ap-northeast-1"),
        Fault::error(
            403,
            "AccessDeniedException",
            "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:ListFoundationModels because no identity-based policy allows the bedrock:ListFoundationModels action",
        ),
    );
    let out = check(&aws, "ap-southeast-1,ap-northeast-1").run();
    out.assert_code(1);
    let r = out.report();
    assert_eq!(r.finding_in(Code::BD500, "ap-southeast-1").status, Status::Pass);
    let f = r.finding_in(Code::BD504, "ap-northeast-1");
    assert_eq!((f.status, f.cause), (Status::Fail, Cause::IamDeniedInvoke));
    let e = f.aws.as_ref().unwrap();
    assert_eq!(e.error_code.as_deref(), Some("AccessDeniedException"));
    assert_eq!(e.http_status, Some(403));
    assert!(e.message.as_deref().unwrap().contains("no identity-based policy"));
}

#[test]
fn scp_denial_is_named_as_such() {
    let aws = FakeAws::start();
    aws.fault(
        Match::op("ListFoundationModels").region("eu-west-3"),
        Fault::error(403, "AccessDeniedException", "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:ListFoundationModels with an explicit deny in a service control policy"),
    );
    let out = check(&aws, "eu-west-3").run();
    out.assert_code(1);
    assert_eq!(
        out.report().finding_in(Code::BD504, "eu-west-3").cause,
        Cause::ScpDenied
    );
}

#[test]
fn server_errors_and_throttling_are_inconclusive_never_denied() {
    let aws = FakeAws::start();
    aws.fault(
        Match::op("ListFoundationModels").region("us-west-2"),
        Fault::error(
            503,
            "ServiceUnavailableException",
            "Service is temporarily unavailable",
        ),
    );
    aws.fault(
        Match::op("ListFoundationModels").region("eu-central-1"),
        Fault::error(
            429,
            "ThrottlingException",
            "Too many requests, please wait before trying again.",
        ),
    );
    aws.fault(
        Match::op("ListFoundationModels").region("us-east-2"),
        Fault::Reset,
    );
    let out = check(&aws, "us-west-2,eu-central-1,us-east-2").run();
    out.assert_code(0);
    let r = out.report();
    for (region, cause) in [
        ("us-west-2", Cause::ServiceUnavailable),
        ("eu-central-1", Cause::Throttled),
        ("us-east-2", Cause::EndpointUnreachable),
    ] {
        let f = r.finding_in(Code::BD503, region);
        assert_eq!((f.status, f.cause), (Status::Inconclusive, cause), "{region}");
    }
    assert_eq!(r.summary.fail, 0);
}

#[test]
fn no_region_anywhere_is_a_finding() {
    let aws = FakeAws::start();
    let out = TestCommand::new()
        .fake_aws(&aws)
        .args(["check", "--format", "json"])
        .run();
    out.assert_code(1);
    let f = out.report().finding(Code::BD505).clone();
    assert_eq!((f.status, f.cause), (Status::Fail, Cause::RegionNotSupported));
}

#[test]
fn region_from_the_environment() {
    let aws = FakeAws::start();
    let out = TestCommand::new()
        .fake_aws(&aws)
        .env("AWS_REGION", "eu-west-1")
        .args(["check", "--format", "json"])
        .run();
    out.assert_code(0);
    let r = out.report();
    assert_eq!(
        (r.regions[0].region.as_str(), r.regions[0].source.as_str()),
        ("eu-west-1", "environment")
    );
    assert_eq!(r.finding_in(Code::BD500, "eu-west-1").status, Status::Pass);
}

#[test]
fn per_service_endpoint_variables_are_honoured() {
    let sts = FakeAws::start();
    let bedrock = FakeAws::start();
    let out = TestCommand::new()
        .fake_aws(&sts)
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_ENDPOINT_URL_STS", sts.url())
        .env("AWS_ENDPOINT_URL_BEDROCK", bedrock.url())
        .env("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", bedrock.url())
        .args(["check", "--format", "json", "--region", "us-east-1"])
        .run();
    out.assert_code(0);
    assert!(sts.requests().iter().all(|q| q.operation == "GetCallerIdentity"));
    assert!(
        bedrock
            .requests()
            .iter()
            .all(|q| q.operation == "ListFoundationModels")
    );
    assert_eq!(bedrock.requests().len(), 1);
    let f = out.report().finding(Code::BD107).clone();
    assert!(f.title.contains("AWS_ENDPOINT_URL_BEDROCK="), "{}", f.title);
}

/// The region list against the AWS SDK's own endpoint data: for every region we know, the
/// Bedrock endpoint the SDK resolves is in that region's partition (its DNS suffix), so a region
/// filed under the wrong partition, or one the SDK does not know, fails here.
#[test]
fn every_known_region_resolves_in_its_partition_by_the_sdks_endpoint_data() {
    use aws_sdk_bedrock::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
    let suffix = |partition: &str| match partition {
        "aws" | "aws-us-gov" => "amazonaws.com",
        "aws-cn" => "amazonaws.com.cn",
        "aws-iso" => "c2s.ic.gov",
        "aws-iso-b" => "sc2s.sgov.gov",
        "aws-iso-f" => "csp.hci.ic.gov",
        "aws-eusc" => "amazonaws.eu",
        other => panic!("unknown partition {other}"),
    };
    let resolver = DefaultResolver::new();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let mut wrong = Vec::new();
    for r in bedrock_doctor::regions::REGIONS {
        let params = Params::builder().region(r.code).build().unwrap();
        let endpoint = rt.block_on(resolver.resolve_endpoint(&params)).unwrap();
        let want = format!("https://bedrock.{}.{}", r.code, suffix(r.partition));
        if endpoint.url() != want {
            wrong.push(format!(
                "{} ({}): SDK {} vs {want}",
                r.code,
                r.partition,
                endpoint.url()
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    let commercial = bedrock_doctor::regions::REGIONS
        .iter()
        .filter(|r| r.partition == "aws" && r.bedrock)
        .count();
    assert_eq!(commercial, 33, "commercial regions offering Bedrock");
}
