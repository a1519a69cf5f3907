//! The account-level gates of late 2026: the service tier a probe asks for (and the tier that
//! served), and the account's data retention mode per region.

use crate::fake_aws::FakeAws;
use crate::util::{ReportExt, TestCommand, check_models};
use bedrock_doctor::codes::Code;
use bedrock_doctor::report::{Cause, Status};

const CLAUDE: &str = "anthropic.claude-3-5-sonnet-20240620-v1:0";

#[test]
fn reserved_without_a_reservation_fails_and_priority_names_the_served_tier() {
    let aws = FakeAws::start();
    aws.reservation("us-west-2");
    let out = check_models(&aws, "us-east-1,us-west-2", &[CLAUDE])
        .args(["--service-tier", "reserved"])
        .run();
    out.assert_code(1);
    let r = out.report();
    let refused = r.finding_in(Code::BD413, "us-east-1");
    assert_eq!(
        (refused.status, refused.cause),
        (Status::Fail, Cause::ServiceTierUnavailable)
    );
    assert!(
        refused.detail.contains("Reservation not found"),
        "{}",
        refused.detail
    );
    assert!(
        refused.remediation[0].contains("reservation"),
        "{:?}",
        refused.remediation
    );
    // Where the account holds a reservation, the reserved tier serves.
    let served = r.finding_in(Code::BD400, "us-west-2");
    assert!(
        served
            .detail
            .contains("Served by the `reserved` service tier, as asked"),
        "{}",
        served.detail
    );
    // The request carried the tier.
    assert!(
        aws.requests()
            .iter()
            .filter(|q| q.operation == "Converse")
            .all(|q| q.body.contains(r#""serviceTier":{"type":"reserved"}"#))
    );

    let out = check_models(&aws, "us-east-1", &[CLAUDE])
        .args(["--service-tier", "priority"])
        .run();
    out.assert_code(0);
    let ok = out.report();
    let ok = ok.finding(Code::BD400);
    assert!(
        ok.detail
            .contains("Served by the `priority` service tier, as asked"),
        "{}",
        ok.detail
    );
}

#[test]
fn a_tier_the_model_lacks_fails_and_no_tier_changes_nothing() {
    let aws = FakeAws::start();
    aws.tiers(CLAUDE, &["default", "priority"]);
    let out = check_models(&aws, "us-east-1", &[CLAUDE])
        .args(["--service-tier", "flex"])
        .run();
    out.assert_code(1);
    assert_eq!(
        out.report().finding(Code::BD413).cause,
        Cause::ServiceTierUnavailable
    );
    // The configuration's `service_tier` is the flag's default, and a bad value is located.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bedrock-doctor.toml"),
        "service_tier = \"fast\"\n",
    )
    .unwrap();
    let out = check_models(&aws, "us-east-1", &[CLAUDE])
        .current_dir(dir.path())
        .run();
    out.assert_code(2);
    assert!(out.stderr.contains("bedrock-doctor.toml:1:16"), "{}", out.stderr);
    // Without a tier the request names none, as before.
    let aws = FakeAws::start();
    check_models(&aws, "us-east-1", &[CLAUDE]).run().assert_code(0);
    assert!(aws.requests().iter().all(|q| !q.body.contains("serviceTier")));
}

#[test]
fn a_retention_mode_the_model_refuses_fails_naming_the_mode() {
    let aws = FakeAws::start();
    aws.data_retention("eu-west-1", "none");
    aws.accepts_retention(CLAUDE, &["default", "provider_data_share"]);
    let out = check_models(&aws, "us-east-1,eu-west-1", &[CLAUDE]).run();
    out.assert_code(1);
    let r = out.report();
    let refused = r.finding_in(Code::BD414, "eu-west-1");
    assert_eq!(
        (refused.status, refused.cause),
        (Status::Fail, Cause::DataRetentionIncompatible)
    );
    assert!(
        refused.detail.contains("mode in eu-west-1 is `none`"),
        "{}",
        refused.detail
    );
    assert!(refused.remediation[0].contains("put-account-data-retention"));
    assert_eq!(r.finding_in(Code::BD400, "us-east-1").status, Status::Pass);
    // The header carries each region's mode.
    let modes: Vec<Option<&str>> = r
        .regions
        .iter()
        .map(|x| x.data_retention.as_ref().and_then(|d| d.mode.as_deref()))
        .collect();
    assert_eq!(modes, [Some("default"), Some("none")]);
    let table = TestCommand::new()
        .fake_aws(&aws)
        .args(["check", "--region", "eu-west-1", "--model", CLAUDE])
        .run();
    assert!(table.stdout.contains("data retention none"), "{}", table.stdout);
}

#[test]
fn an_unreadable_retention_setting_is_a_note_not_a_failure() {
    let aws = FakeAws::start();
    aws.data_retention_denied();
    let out = check_models(&aws, "us-east-1", &[CLAUDE]).run();
    out.assert_code(0);
    let r = out.report();
    let d = r.regions[0].data_retention.as_ref().unwrap();
    assert_eq!(d.mode, None);
    assert!(d.note.as_deref().unwrap().contains("not a failure"), "{d:?}");
    assert!(r.findings.iter().all(|f| f.status != Status::Fail));
}
