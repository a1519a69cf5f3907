//! `check --explain-iam`: IAM's policy simulator, asked about every (action, resource) pair the
//! models need with the context keys the calls carry, names what allowed or refused each; without
//! the permission it is a note and the exit code is what it is without the flag.

use crate::fake_aws::{FakeAws, Fault, Key, Match, Simulated, VALID_SECRET};
use crate::util::{ReportExt, check_models};
use bedrock_doctor::codes::Code;
use bedrock_doctor::report::{Cause, Decision, Finding, Report, Status};

const NOVA: &str = "us.amazon.nova-pro-v1:0";
const NOVA_FM: &str = "amazon.nova-pro-v1:0";
const CLAUDE: &str = "anthropic.claude-3-5-sonnet-20240620-v1:0";

fn iam_findings(r: &Report) -> Vec<&Finding> {
    r.findings.iter().filter(|f| f.check == "iam").collect()
}

fn fm(region: &str, model: &str) -> String {
    format!("arn:aws:bedrock:{region}::foundation-model/{model}")
}

#[test]
fn every_needed_pair_is_simulated_with_its_context_and_an_implicit_deny_names_what_to_grant() {
    let aws = FakeAws::start();
    aws.simulate(Simulated::implicit_deny().resource(&fm("us-west-2", "*")));
    let out = check_models(&aws, "us-east-1", &[NOVA])
        .args(["--explain-iam", "--no-invoke"])
        .run();
    out.assert_code(1);
    let r = out.report();
    let iam = iam_findings(&r);
    // The profile and the model in each of its three destinations (knowledge base).
    let resources: Vec<&str> = iam
        .iter()
        .map(|f| f.simulation.as_ref().unwrap().resource.as_str())
        .collect();
    assert_eq!(iam.len(), 4, "{resources:?}");
    let profile_arn = format!("arn:aws:bedrock:us-east-1:123456789012:inference-profile/{NOVA}");
    assert!(resources.contains(&profile_arn.as_str()));
    let denied = iam
        .iter()
        .find(|f| f.code == Code::BD601)
        .expect("the us-west-2 hop is denied");
    let s = denied.simulation.as_ref().unwrap();
    assert_eq!(
        (denied.status, denied.cause, s.decision),
        (Status::Fail, Cause::IamDeniedInvoke, Decision::ImplicitDeny)
    );
    assert_eq!(s.resource, fm("us-west-2", NOVA_FM));
    assert_eq!(s.principal, "arn:aws:iam::123456789012:user/dev");
    // The hop is evaluated in its destination, through the profile.
    assert_eq!(s.context["aws:RequestedRegion"], "us-west-2");
    assert_eq!(s.context["bedrock:InferenceProfileArn"], profile_arn);
    assert!(
        denied
            .title
            .starts_with("no policy allows bedrock:InvokeModel on"),
        "{}",
        denied.title
    );
    assert!(
        denied.remediation[0].contains(&format!(
            "Allow `bedrock:InvokeModel` on `{}`",
            fm("us-west-2", NOVA_FM)
        )),
        "{:?}",
        denied.remediation
    );
    let allowed = iam.iter().filter(|f| f.code == Code::BD600).count();
    assert_eq!(allowed, 3);
    let pass = iam.iter().find(|f| f.code == Code::BD600).unwrap();
    assert!(
        pass.detail.contains("user policy `BedrockInvoke`"),
        "{}",
        pass.detail
    );
    assert_eq!(pass.aws.as_ref().unwrap().service, "iam");

    // What went over the wire: awsQuery, signed for IAM, one pair per call with its context.
    let calls: Vec<_> = aws
        .requests()
        .into_iter()
        .filter(|q| q.operation == "SimulatePrincipalPolicy")
        .collect();
    assert_eq!(calls.len(), 4);
    assert!(calls.iter().all(|q| q.service.as_deref() == Some("iam")));
    assert!(
        calls
            .iter()
            .all(|q| q.body.contains("ContextKeyName=aws%3ARequestedRegion"))
    );
    assert!(calls.iter().all(|q| {
        q.body
            .contains("PolicySourceArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Auser%2Fdev")
    }));
}

#[test]
fn an_explicit_deny_names_the_policy_and_an_organization_deny_names_the_scp() {
    let aws = FakeAws::start();
    let scp = "arn:aws:organizations::111122223333:policy/o-a1b2c3d4e5/service_control_policy/p-a1b2c3d4";
    aws.simulate(Simulated::denied_by_organizations().requested_region("us-east-2"));
    aws.simulate(Simulated::explicit_deny("DenyNovaInWest", "user-managed").resource(&fm("us-west-2", "*")));
    // The runtime's own denial names the SCP (the simulator does not).
    aws.fault(
        Match::op("Converse").region("us-east-1"),
        Fault::error(403, "AccessDeniedException", &format!(
            "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeModel on resource: {} with an explicit deny in a service control policy: {scp}",
            fm("us-east-2", NOVA_FM)
        )),
    );
    let out = check_models(&aws, "us-east-1", &[NOVA])
        .args(["--explain-iam"])
        .run();
    out.assert_code(1);
    let r = out.report();
    let iam = iam_findings(&r);
    let org = iam
        .iter()
        .find(|f| f.cause == Cause::ScpDenied)
        .expect("an SCP finding");
    assert_eq!((org.code, org.status), (Code::BD602, Status::Fail));
    assert_eq!(
        org.simulation.as_ref().unwrap().organizations_allowed,
        Some(false)
    );
    assert_eq!(
        org.simulation.as_ref().unwrap().resource,
        fm("us-east-2", NOVA_FM)
    );
    assert!(org.detail.contains(scp), "{}", org.detail);
    let deny = iam
        .iter()
        .find(|f| f.code == Code::BD602 && f.cause == Cause::IamDeniedInvoke)
        .expect("the explicit deny");
    let s = deny.simulation.as_ref().unwrap();
    assert_eq!(s.decision, Decision::ExplicitDeny);
    assert_eq!(
        (
            s.matched_statements[0].policy_id.as_str(),
            s.matched_statements[0].policy_type.as_str(),
            s.matched_statements[0].line
        ),
        ("DenyNovaInWest", "user-managed", Some(4))
    );
    assert!(
        deny.detail
            .contains("user-managed policy `DenyNovaInWest` (statement at line 4, column 5)"),
        "{}",
        deny.detail
    );
}

#[test]
fn without_the_permission_it_is_a_note_and_the_exit_code_is_unchanged() {
    let aws = FakeAws::start();
    aws.simulation_denied();
    let plain = check_models(&aws, "us-east-1", &[CLAUDE]).run();
    plain.assert_code(0);
    let out = check_models(&aws, "us-east-1", &[CLAUDE])
        .args(["--explain-iam"])
        .run();
    out.assert_code(0);
    let r = out.report();
    let iam = iam_findings(&r);
    assert_eq!(iam.len(), 1, "one note, not one per pair: {iam:#?}");
    let note = iam[0];
    assert_eq!(
        (note.code, note.status, note.cause),
        (Code::BD603, Status::Inconclusive, Cause::Other)
    );
    assert!(
        note.title.contains("iam:SimulatePrincipalPolicy"),
        "{}",
        note.title
    );
    assert_eq!(
        note.aws.as_ref().unwrap().error_code.as_deref(),
        Some("AccessDenied")
    );
    // It stopped at the first refusal.
    let calls = aws
        .requests()
        .iter()
        .filter(|q| q.operation == "SimulatePrincipalPolicy")
        .count();
    assert_eq!(calls, 1);
    // Without the flag, nothing of the sort.
    assert!(iam_findings(&plain.report()).is_empty());
}

#[test]
fn a_session_is_simulated_as_its_role_found_with_its_path() {
    let aws = FakeAws::start();
    let key = "ASIAEXAMPLESESSION01";
    aws.key(
        key,
        Key::Valid {
            account: "123456789012".into(),
            arn: "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Dev_0123/alice".into(),
            user_id: "AROAEXAMPLE:alice".into(),
        },
    );
    aws.role_path("AWSReservedSSO_Dev_0123", "/aws-reserved/sso.amazonaws.com/");
    let out = check_models(&aws, "us-east-1", &[CLAUDE])
        .keys(key, VALID_SECRET)
        .args(["--explain-iam", "--no-invoke"])
        .run();
    out.assert_code(0);
    let r = out.report();
    let f = r.finding(Code::BD600);
    let s = f.simulation.as_ref().unwrap();
    assert_eq!(
        s.principal,
        "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_0123"
    );
    assert!(f.detail.contains("not the session policy"), "{}", f.detail);
    assert!(aws.requests().iter().any(|q| q.operation == "GetRole"));
}

#[test]
fn a_throttled_simulation_is_inconclusive_never_a_verdict() {
    let aws = FakeAws::start();
    aws.fault(
        Match::op("SimulatePrincipalPolicy"),
        Fault::error(400, "Throttling", "Rate exceeded"),
    );
    let out = check_models(&aws, "us-east-1", &[CLAUDE])
        .args(["--explain-iam", "--no-invoke"])
        .run();
    out.assert_code(0);
    let r = out.report();
    let iam = iam_findings(&r);
    assert!(!iam.is_empty());
    assert!(
        iam.iter().all(|f| f.code == Code::BD603
            && f.status == Status::Inconclusive
            && f.cause == Cause::Throttled),
        "{iam:#?}"
    );
}

#[test]
fn aws_endpoint_url_iam_sends_the_simulation_elsewhere() {
    let aws = FakeAws::start();
    let iam = FakeAws::start();
    iam.key(
        crate::fake_aws::VALID_KEY,
        Key::Valid {
            account: "123456789012".into(),
            arn: "arn:aws:iam::123456789012:user/dev".into(),
            user_id: "AIDAEXAMPLE".into(),
        },
    );
    let out = check_models(&aws, "us-east-1", &[CLAUDE])
        .env("AWS_ENDPOINT_URL_IAM", iam.url())
        .args(["--explain-iam", "--no-invoke"])
        .run();
    out.assert_code(0);
    assert_eq!(out.report().finding(Code::BD600).status, Status::Pass);
    let simulated = |a: &FakeAws| {
        a.requests()
            .iter()
            .filter(|q| q.operation == "SimulatePrincipalPolicy")
            .count()
    };
    assert_eq!((simulated(&aws), simulated(&iam)), (0, 1));
}

#[test]
fn only_iam_simulates_without_a_billed_call() {
    let aws = FakeAws::start();
    let out = check_models(&aws, "us-east-1", &[CLAUDE])
        .args(["--only", "iam"])
        .run();
    out.assert_code(0);
    let r = out.report();
    assert_eq!(r.finding(Code::BD600).status, Status::Pass);
    let ids: Vec<&str> = r.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["credentials", "regions", "iam"]);
    assert!(
        aws.requests()
            .iter()
            .all(|q| q.operation != "Converse" && q.operation != "InvokeModel"),
        "no probe"
    );
}
