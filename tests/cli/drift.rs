//! `--baseline`: what is new, resolved or changed since a previous report, and `--fail-on new`.

use crate::fake_aws::{FakeAws, Fault, Match};
use crate::util::check_models;
use bedrock_doctor::codes::Code;
use bedrock_doctor::report::Status;

const CLAUDE: &str = "anthropic.claude-3-5-sonnet-20240620-v1:0";

fn denied_in(region: &str) -> FakeAws {
    let aws = FakeAws::start();
    aws.fault(
        Match::op("Converse").region(region),
        Fault::error(403, "AccessDeniedException", &format!("User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:{region}::foundation-model/{CLAUDE} because no identity-based policy allows the bedrock:InvokeModel action")),
    );
    aws
}

#[test]
fn a_baseline_separates_new_from_known_failures() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let first = check_models(&denied_in("us-east-1"), "us-east-1,eu-west-1", &[CLAUDE]).run();
    first.assert_code(1);
    std::fs::write(&baseline, &first.stdout).unwrap();

    // us-east-1 fixed, eu-west-1 newly denied.
    let aws = denied_in("eu-west-1");
    let out = check_models(&aws, "us-east-1,eu-west-1", &[CLAUDE])
        .args(["--baseline"])
        .args([&baseline])
        .args(["--fail-on", "new"])
        .run();
    out.assert_code(1);
    let r = out.report();
    let d = r.drift.as_ref().expect("a drift block");
    let place = |v: &[bedrock_doctor::report::DriftEntry]| {
        v.iter()
            .map(|e| (e.code, e.region.clone().unwrap()))
            .collect::<Vec<_>>()
    };
    assert_eq!(place(&d.new), [(Code::BD401, "eu-west-1".to_string())]);
    assert_eq!(place(&d.resolved), [(Code::BD401, "us-east-1".to_string())]);
    assert_eq!(d.resolved[0].status, Status::Pass);
    assert!(d.changed.is_empty());

    // Nothing new since the baseline: the old failure does not fail `--fail-on new`.
    let same = check_models(&denied_in("us-east-1"), "us-east-1,eu-west-1", &[CLAUDE])
        .args(["--baseline"])
        .args([&baseline])
        .args(["--fail-on", "new"])
        .run();
    same.assert_code(0);
    assert!(same.report().drift.unwrap().new.is_empty());

    // The table shows the drift first.
    let table = dir.path().join("report.txt");
    check_models(&aws, "us-east-1,eu-west-1", &[CLAUDE])
        .args(["--baseline"])
        .args([&baseline])
        .args(["--output".to_string(), format!("table={}", table.display())])
        .run();
    let table = std::fs::read_to_string(table).unwrap();
    let drift = table
        .find("1 new, 0 changed, 1 resolved")
        .expect("the drift line");
    assert!(drift < table.find("Diagnosis").unwrap(), "{table}");
}

#[test]
fn fail_on_new_without_a_baseline_is_a_usage_error() {
    let out = check_models(&FakeAws::start(), "us-east-1", &[CLAUDE])
        .args(["--fail-on", "new"])
        .run();
    out.assert_code(2);
    assert!(out.stderr.contains("--baseline"), "{}", out.stderr);
}
