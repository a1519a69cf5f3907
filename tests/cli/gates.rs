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
    // Which modes it accepts, from the bedrock-mantle model list (read only for this refusal).
    assert!(
        refused
            .detail
            .contains("accepts `default`, `provider_data_share` (the bedrock-mantle model list)"),
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

/// A short-term key as AWS's token generator makes it, made `age` seconds ago in `region`,
/// lasting `lasts` seconds (the credential is AWS's documented example, the signature made up).
fn short_term_key(region: &str, age: i64, lasts: u32) -> String {
    use base64::Engine as _;
    let made = time::OffsetDateTime::now_utc() - time::Duration::seconds(age);
    let date = made
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap();
    let url = format!(
        "bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAIOSFODNN7EXAMPLE%2F{}%2F{region}%2Fbedrock%2Faws4_request&X-Amz-Date={date}&X-Amz-Expires={lasts}&X-Amz-Security-Token=IQoJb3JpZ2luX2VjEXAMPLE&X-Amz-Signature=0123456789abcdef&X-Amz-SignedHeaders=host&Version=1",
        &date[..8]
    );
    format!(
        "bedrock-api-key-{}",
        base64::engine::general_purpose::STANDARD.encode(url)
    )
}

#[test]
fn a_short_term_key_fails_another_region_before_any_call_is_sent() {
    let aws = FakeAws::start();
    let key = short_term_key("us-east-1", 600, 43200);
    aws.bearer_token(&key);
    let out = check_models(&aws, "us-east-1,eu-west-1", &[CLAUDE])
        .env("AWS_BEARER_TOKEN_BEDROCK", &key)
        .run();
    out.assert_code(1);
    let r = out.report();
    let refused = r.finding_in(Code::BD111, "eu-west-1");
    assert_eq!(
        (refused.status, refused.cause),
        (Status::Fail, Cause::InvalidCredentials)
    );
    assert!(
        refused.detail.contains("made in us-east-1 and works only there"),
        "{}",
        refused.detail
    );
    // us-east-1 works; nothing went to eu-west-1: one catalogue read and one probe, both for
    // us-east-1, and every check of eu-west-1 says why it did not call.
    assert_eq!(r.finding_in(Code::BD400, "us-east-1").status, Status::Pass);
    let converse = aws
        .requests()
        .iter()
        .filter(|q| q.operation == "Converse")
        .count();
    let listed = aws
        .requests()
        .iter()
        .filter(|q| q.operation == "ListFoundationModels")
        .count();
    assert_eq!((converse, listed), (1, 1));
    for f in r
        .findings
        .iter()
        .filter(|f| f.region.as_deref() == Some("eu-west-1") && f.code != Code::BD111)
    {
        assert_eq!((f.code, f.status), (Code::BD900, Status::Skip), "{f:#?}");
        assert!(f.detail.contains("made in us-east-1"), "{}", f.detail);
    }
    // What the key is, said without the key.
    let said = &r.finding(Code::BD106).detail;
    assert!(
        said.contains("short-term key: valid only in us-east-1, until"),
        "{said}"
    );
    assert!(!out.stdout.contains(&key[16..40]), "the key leaked");

    // Expired: every region fails, as an expired token.
    let old = short_term_key("us-east-1", 50_000, 43200);
    let out = check_models(&aws, "us-east-1", &[CLAUDE])
        .env("AWS_BEARER_TOKEN_BEDROCK", &old)
        .run();
    out.assert_code(1);
    let r = out.report();
    assert_eq!(r.finding_in(Code::BD111, "us-east-1").cause, Cause::ExpiredToken);
    assert!(
        aws.requests()
            .iter()
            .filter(|q| q.operation == "Converse")
            .count()
            == 1
    );
}

#[test]
fn a_model_gated_for_the_account_fails_though_the_hints_look_green() {
    use crate::fake_aws::{Fault, Match};
    let aws = FakeAws::start();
    aws.fault(
        Match::op("Converse"),
        Fault::error(403, "AccessDeniedException", &format!("{CLAUDE} is not available for this account. You can explore other available models on Amazon Bedrock. For additional access options, contact AWS Sales.")),
    );
    let out = check_models(&aws, "us-east-1", &[CLAUDE]).run();
    out.assert_code(1);
    let r = out.report();
    let f = r.finding(Code::BD406);
    assert_eq!((f.status, f.cause), (Status::Fail, Cause::ModelAccessNotGranted));
    assert!(f.detail.contains("can look all green"), "{}", f.detail);
    // The hints did look green.
    assert_eq!(r.finding(Code::BD205).status, Status::Pass);
}
