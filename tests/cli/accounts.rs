//! Many accounts in one run: every role assumed through STS (session name `bedrock-doctor`), each
//! account's matrix checked concurrently, a role that cannot be assumed named as such.

use crate::fake_aws::FakeAws;
use crate::util::check_models;
use bedrock_doctor::codes::Code;
use bedrock_doctor::report::{Cause, Status};

const CLAUDE: &str = "anthropic.claude-3-5-sonnet-20240620-v1:0";
const GRANTED: &str = "arn:aws:iam::210987654321:role/bedrock-doctor";
const REFUSED: &str = "arn:aws:iam::333333333333:role/bedrock-doctor";

#[test]
fn one_assumable_role_and_one_refused() {
    let aws = FakeAws::start();
    aws.role(GRANTED, "210987654321");
    let out = check_models(&aws, "us-east-1,eu-west-1", &[CLAUDE])
        .args(["--role-arn", GRANTED, "--role-arn", REFUSED])
        .run();
    out.assert_code(1);
    let r = out.report();
    assert_eq!(r.accounts.len(), 2);
    let (ok, refused) = (&r.accounts[0], &r.accounts[1]);
    assert_eq!(ok.id.as_deref(), Some("210987654321"));
    assert_eq!(
        ok.identity.as_ref().and_then(|i| i.arn.as_deref()),
        Some("arn:aws:sts::210987654321:assumed-role/bedrock-doctor/bedrock-doctor")
    );
    assert_eq!(
        (
            refused.id.as_deref(),
            refused.identity.as_ref().and_then(|i| i.arn.clone())
        ),
        (Some("333333333333"), None)
    );
    // The assumable account's full matrix: a probe per region.
    for region in ["us-east-1", "eu-west-1"] {
        let probe = r
            .findings
            .iter()
            .find(|f| {
                f.check == "probe"
                    && f.region.as_deref() == Some(region)
                    && f.account.as_ref().and_then(|a| a.id.as_deref()) == Some("210987654321")
            })
            .unwrap_or_else(|| panic!("no probe in {region}"));
        assert_eq!(probe.status, Status::Pass);
    }
    // The refused role: one assume_role_denied failure, and nothing else checked there.
    let denied: Vec<_> = r.findings.iter().filter(|f| f.code == Code::BD110).collect();
    assert_eq!(denied.len(), 1, "{denied:#?}");
    assert_eq!(
        (denied[0].status, denied[0].cause),
        (Status::Fail, Cause::AssumeRoleDenied)
    );
    assert!(
        denied[0].title.contains(REFUSED) && denied[0].title.contains("trust policy"),
        "{}",
        denied[0].title
    );
    assert!(
        r.findings
            .iter()
            .filter(|f| f.account.as_ref().and_then(|a| a.id.as_deref()) == Some("333333333333"))
            .all(|f| f.code == Code::BD110 || f.status != Status::Pass),
    );
    // CloudTrail shows who asked: every AssumeRole used the session name bedrock-doctor.
    let assumes: Vec<_> = aws
        .requests()
        .into_iter()
        .filter(|q| q.operation == "AssumeRole")
        .collect();
    assert!(!assumes.is_empty());
    assert!(
        assumes
            .iter()
            .all(|q| q.body.contains("RoleSessionName=bedrock-doctor"))
    );
}

#[test]
fn accounts_from_the_configuration_with_their_own_regions() {
    let aws = FakeAws::start();
    aws.role(GRANTED, "210987654321");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bedrock-doctor.toml"),
        format!("regions = [\"us-east-1\"]\nmodels = [\"{CLAUDE}\"]\n\n[[accounts]]\nname = \"prod\"\nrole_arn = \"{GRANTED}\"\nregions = [\"eu-west-1\"]\n"),
    )
    .unwrap();
    let out = crate::util::TestCommand::new()
        .fake_aws(&aws)
        .current_dir(dir.path())
        .args(["check", "--format", "json"])
        .run();
    out.assert_code(0);
    let r = out.report();
    assert_eq!(r.accounts[0].name, "prod");
    let regions: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.check == "probe")
        .filter_map(|f| f.region.as_deref())
        .collect();
    assert_eq!(regions, ["eu-west-1"]);
}
