//! Every report format for one rich scenario (pass, warn, fail, skip, inconclusive, suppressed),
//! pinned by snapshots; SARIF validated against the SARIF 2.1.0 schema; JUnit parsed as XML;
//! the --fail-on matrix; --redact with canary values in every format.

use crate::fake_aws::{FakeAws, Fault, Key, Match, image_summary, model_summary};
use crate::util::TestCommand;
use bedrock_doctor::report::{Report, Status};
use std::path::{Path, PathBuf};

const CLAUDE: &str = "anthropic.claude-3-5-sonnet-20240620-v1:0";
const CANVAS: &str = "amazon.nova-canvas-v1:0";
const FORMATS: [&str; 6] = ["table", "json", "markdown", "sarif", "junit", "github"];

/// Primary ap-southeast-1 (an entitlement hint suppressed), fallback ap-northeast-1 (IAM denies
/// the model), eu-west-1 (the control plane throttles), an image model nobody probes.
fn rich_scenario(aws: &FakeAws, dir: &Path) -> PathBuf {
    for r in ["ap-southeast-1", "ap-northeast-1"] {
        aws.catalogue(
            r,
            vec![
                model_summary(r, CLAUDE, "Anthropic", &["ON_DEMAND"]),
                image_summary(r, CANVAS),
            ],
        );
    }
    aws.fault(
        Match::op("ListFoundationModels").region("eu-west-1"),
        Fault::error(429, "ThrottlingException", "Rate exceeded"),
    );
    aws.fault(
        Match::op("Converse").region("ap-northeast-1"),
        Fault::error(403, "AccessDeniedException", &format!("User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:ap-northeast-1::foundation-model/{CLAUDE} because no identity-based policy allows the bedrock:InvokeModel action")),
    );
    aws.availability(
        "ap-southeast-1",
        CLAUDE,
        "NOT_AVAILABLE",
        "AUTHORIZED",
        "AVAILABLE",
        "AVAILABLE",
    );
    let cfg = dir.join("bedrock-doctor.toml");
    std::fs::write(
        &cfg,
        format!(
            "regions = [\"ap-southeast-1\", \"ap-northeast-1\", \"eu-west-1\"]\nmodels = [\"{CLAUDE}\", \"{CANVAS}\"]\n\n[[suppress]]\ncode = \"BD206\"\nregion = \"ap-southeast-1\"\nreason = \"agreement accepted centrally\"\nexpires = \"2099-12-31\"\n"
        ),
    )
    .unwrap();
    cfg
}

/// Runs the scenario once, writing every format to a file.
fn run_all_formats(extra: &[&str]) -> (crate::util::Output, Vec<(String, String)>, FakeAws) {
    let aws = FakeAws::start();
    let dir = tempfile::tempdir().unwrap();
    let cfg = rich_scenario(&aws, dir.path());
    let mut cmd = TestCommand::new()
        .fake_aws(&aws)
        .args(["check", "--config"])
        .args([&cfg])
        .args(["--format", "json", "--timeout", "20"]);
    for f in FORMATS {
        cmd = cmd.args([
            "--output".to_string(),
            format!("{f}={}", dir.path().join(format!("report.{f}")).display()),
        ]);
    }
    let out = cmd.args(extra).run();
    let files = FORMATS
        .iter()
        .map(|f| {
            (
                f.to_string(),
                std::fs::read_to_string(dir.path().join(format!("report.{f}"))).unwrap(),
            )
        })
        .collect();
    (out, files, aws)
}

fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"6a1f0c1e-0000-4000-8000-\d{12}", "[request-id]"),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
        (r#""(duration_ms|latency_ms)": \d+"#, r#""$1": [ms]"#),
        (r"\d+ ms\b", "7 ms"),
        (r#"time="[0-9.]+""#, r#"time="[s]""#),
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "[timestamp]"),
        (
            r"/tmp/[^\s:\x22`|]*/bedrock-doctor\.toml",
            "[config]/bedrock-doctor.toml",
        ),
        (r"[ ]+\n", "\n"),
    ]
}

#[test]
fn every_format_of_the_rich_scenario_is_pinned() {
    let (out, files, _aws) = run_all_formats(&[]);
    out.assert_code(1);
    let r: Report = out.report();
    // The scenario has every status and a suppressed finding.
    for s in [
        Status::Pass,
        Status::Warn,
        Status::Fail,
        Status::Skip,
        Status::Inconclusive,
    ] {
        assert!(
            r.findings.iter().any(|f| f.status == s && f.suppressed.is_none()),
            "no {s} finding"
        );
    }
    assert_eq!(r.summary.suppressed, 1);
    // The stdout JSON and the json file are the same report, and every file was written.
    let file_report: Report = serde_json::from_str(&files[1].1).unwrap();
    assert_eq!(file_report.findings.len(), r.findings.len());
    assert!(files.iter().all(|(_, text)| !text.is_empty()));
    // Snapshots render the run's report with timings, request ids, ports and paths made
    // deterministic, through the same renderers the binary uses.
    let r = normalised(&r);
    let style = bedrock_doctor::render::Style {
        color: false,
        width: Some(140),
        columns: bedrock_doctor::checks::column,
    };
    insta::with_settings!({ prepend_module_to_snapshot => false }, {
        for f in FORMATS {
            let format: bedrock_doctor::render::ReportFormat = f.parse().unwrap();
            insta::assert_snapshot!(format!("rich_{f}"), bedrock_doctor::render::render_report(format, &r, style));
        }
    });
}

/// The report with everything that varies between runs replaced by fixed values.
fn normalised(r: &Report) -> Report {
    fn walk(v: &mut serde_json::Value, subs: &[(regex::Regex, &str)]) {
        match v {
            serde_json::Value::String(s) => {
                for (re, with) in subs {
                    *s = re.replace_all(s, *with).into_owned();
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| walk(x, subs)),
            serde_json::Value::Object(o) => {
                for (k, x) in o.iter_mut() {
                    if (k == "duration_ms" || k == "latency_ms") && x.is_number() {
                        *x = serde_json::json!(7);
                    } else {
                        walk(x, subs);
                    }
                }
            }
            _ => {}
        }
    }
    let subs: Vec<(regex::Regex, &str)> = filters()
        .into_iter()
        .map(|(p, w)| (regex::Regex::new(p).unwrap(), w))
        .collect();
    let mut v = serde_json::to_value(r).unwrap();
    walk(&mut v, &subs);
    let mut r: Report = serde_json::from_value(v).unwrap();
    r.generated_at = Some("2026-11-24T12:00:00Z".into());
    r
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let (_, files, _aws) = run_all_formats(&[]);
    let sarif: serde_json::Value = serde_json::from_str(&files[3].1).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/sarif/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    // Located at the model's line in the configuration, with a stable fingerprint.
    let denied = results.iter().find(|x| x["ruleId"] == "BD401").unwrap();
    let region = &denied["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(2), Some(11))
    );
    assert!(denied["partialFingerprints"]["bedrockDoctor/v2"].is_string());
    // Suppressed and passing findings are not results; every code is a rule with its document.
    assert!(
        results
            .iter()
            .all(|x| x["ruleId"] != "BD206" && x["ruleId"] != "BD400")
    );
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), bedrock_doctor::codes::Code::ALL.len());
    assert!(
        rules[0]["help"]["markdown"]
            .as_str()
            .unwrap()
            .starts_with("# BD100")
    );
}

/// `check --format sarif` run in `dir` (where bedrock-doctor.toml is, as in a checkout).
fn sarif_in(aws: &FakeAws, dir: &Path) -> serde_json::Value {
    let out = TestCommand::new()
        .fake_aws(aws)
        .current_dir(dir)
        .args(["check", "--format", "sarif", "--timeout", "20"])
        .run();
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
}

/// GitHub code scanning's ingestion rules: every result located in the checkout, rule indexes
/// that point at their rules, a security-severity on every rule, and within the limits.
#[test]
fn sarif_meets_github_code_scanning_rules() {
    let aws = FakeAws::start();
    let dir = tempfile::tempdir().unwrap();
    rich_scenario(&aws, dir.path());
    let sarif = sarif_in(&aws, dir.path());
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty() && results.len() <= 25_000 && rules.len() <= 25_000);
    for r in results {
        let locations = r["locations"].as_array().expect("every result has locations");
        assert!(!locations.is_empty(), "{r}");
        let artifact = &locations[0]["physicalLocation"]["artifactLocation"];
        let uri = artifact["uri"].as_str().unwrap();
        assert!(
            !uri.starts_with('/') && !uri.contains("://"),
            "a relative URI: {uri}"
        );
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
        assert_eq!(uri, "bedrock-doctor.toml");
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"], "ruleIndex points at its rule");
        assert!(
            r["partialFingerprints"]
                .as_object()
                .is_some_and(|f| !f.is_empty())
        );
    }
    for rule in rules {
        let score: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&score));
    }
    // What has no place in a file (the endpoint override) is a notification, not dropped.
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(
        notes.iter().any(|n| n["associatedRule"]["id"] == "BD107"),
        "{notes:?}"
    );
    // Without a configuration nothing is located: no result, everything a notification.
    let bare = TestCommand::new()
        .fake_aws(&aws)
        .args([
            "check",
            "--format",
            "sarif",
            "--region",
            "ap-northeast-1",
            "--model",
            CLAUDE,
        ])
        .run();
    let bare: serde_json::Value = serde_json::from_str(&bare.stdout).unwrap();
    assert!(bare["runs"][0]["results"].as_array().unwrap().is_empty());
    assert!(
        !bare["runs"][0]["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

/// The same problems found twice, once slowly: the same fingerprints, so alerts do not churn.
#[test]
fn sarif_fingerprints_do_not_change_with_latency() {
    let fingerprints = |latency_ms: u64| {
        let aws = FakeAws::start();
        let dir = tempfile::tempdir().unwrap();
        rich_scenario(&aws, dir.path());
        aws.fault(
            Match::any(),
            Fault::Latency(std::time::Duration::from_millis(latency_ms)),
        );
        let sarif = sarif_in(&aws, dir.path());
        let mut all: Vec<String> = sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| format!("{} {}", r["ruleId"], r["partialFingerprints"]))
            .collect();
        all.sort();
        all
    };
    let fast = fingerprints(0);
    assert!(!fast.is_empty());
    assert_eq!(fast, fingerprints(150));
}

#[test]
fn junit_parses_as_xml_with_the_expected_counts() {
    let (out, files, _aws) = run_all_formats(&[]);
    let r: Report = out.report();
    let xml = &files[4].1;
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let cases: Vec<_> = root
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), r.findings.len());
    let failures = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .count();
    assert_eq!(failures, r.summary.fail);
    let skipped = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("skipped")))
        .count();
    assert_eq!(
        skipped,
        r.summary.skip + r.summary.inconclusive + r.summary.suppressed
    );
    let suites: Vec<&str> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .map(|n| n.attribute("name").unwrap())
        .collect();
    assert_eq!(
        suites,
        [
            "diagnosis",
            "credentials",
            "regions",
            "arns",
            "model-access",
            "probe"
        ]
    );
}

#[test]
fn github_annotations_and_step_summary() {
    let aws = FakeAws::start();
    let dir = tempfile::tempdir().unwrap();
    let cfg = rich_scenario(&aws, dir.path());
    let summary = dir.path().join("summary.md");
    let out = TestCommand::new()
        .fake_aws(&aws)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["check", "--format", "github", "--timeout", "20", "--config"])
        .args([&cfg])
        .run();
    out.assert_code(1);
    let line = out
        .stdout
        .lines()
        .find(|l| l.starts_with("::error ") && l.contains("BD401"))
        .unwrap();
    assert!(
        line.contains("file=") && line.contains("bedrock-doctor.toml,line=2,col=11"),
        "{line}"
    );
    assert!(
        std::fs::read_to_string(&summary)
            .unwrap()
            .starts_with("# bedrock-doctor report")
    );
}

/// A scenario with findings of one level at most: which --fail-on levels fail it.
#[test]
fn fail_on_matrix() {
    let dir = tempfile::tempdir().unwrap();
    // The endpoint override (BD107) is the test's own doing: suppress it.
    let quiet = dir.path().join("quiet.toml");
    std::fs::write(
        &quiet,
        "[[suppress]]\ncode = \"BD107\"\nreason = \"the test endpoint\"\n",
    )
    .unwrap();
    let loud = dir.path().join("loud.toml");
    std::fs::write(&loud, "regions = [\"us-east-1\"]\n").unwrap();
    let scenarios: [(&str, &Path, Option<Fault>, [i32; 4]); 4] = [
        ("clean", &quiet, None, [0, 0, 0, 0]),
        ("warn", &loud, None, [0, 1, 1, 0]),
        (
            "inconclusive",
            &quiet,
            Some(Fault::error(503, "ServiceUnavailableException", "down")),
            [0, 0, 1, 0],
        ),
        (
            "fail",
            &quiet,
            Some(Fault::error(
                403,
                "AccessDeniedException",
                "User: x is not authorized to perform: bedrock:ListFoundationModels because no identity-based policy allows it",
            )),
            [1, 1, 1, 0],
        ),
    ];
    for (name, cfg, fault, want) in scenarios {
        let aws = FakeAws::start();
        if let Some(f) = fault {
            aws.fault(Match::op("ListFoundationModels"), f);
        }
        for (level, code) in ["error", "warning", "inconclusive", "never"].iter().zip(want) {
            let out = TestCommand::new()
                .fake_aws(&aws)
                .args([
                    "check",
                    "--format",
                    "json",
                    "--region",
                    "us-east-1",
                    "--fail-on",
                    level,
                    "--config",
                ])
                .args([cfg])
                .run();
            assert_eq!(out.code, code, "{name} with --fail-on {level}: {}", out.stdout);
        }
    }
}

#[test]
fn redact_leaves_no_canary_in_any_format() {
    let aws = FakeAws::start();
    aws.key(
        "AKIACANARYKEY0000077",
        Key::Valid {
            account: "987654321098".into(),
            arn: "arn:aws:sts::987654321098:assumed-role/CanaryRole/canary-session".into(),
            user_id: "AROACANARYROLEID0077:canary-session".into(),
        },
    );
    aws.fault(Match::op("Converse"), Fault::error(403, "AccessDeniedException", "User: arn:aws:sts::987654321098:assumed-role/CanaryRole/canary-session is not authorized to perform: bedrock:InvokeModel from 10.20.30.40"));
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = TestCommand::new()
        .fake_aws(&aws)
        .keys("AKIACANARYKEY0000077", "canary-secret-value-123456")
        .args([
            "check",
            "--redact",
            "--region",
            "us-east-1",
            "--model",
            CLAUDE,
            "--format",
            "json",
        ]);
    for f in FORMATS {
        cmd = cmd.args([
            "--output".to_string(),
            format!("{f}={}", dir.path().join(format!("r.{f}")).display()),
        ]);
    }
    let out = cmd.run();
    out.assert_code(1);
    let mut texts = vec![("stdout".to_string(), out.stdout.clone())];
    for f in FORMATS {
        texts.push((
            f.to_string(),
            std::fs::read_to_string(dir.path().join(format!("r.{f}"))).unwrap(),
        ));
    }
    for (name, text) in &texts {
        for canary in [
            "987654321098",
            "CanaryRole",
            "canary-session",
            "AKIACANARYKEY0000077",
            "AROACANARYROLEID0077",
            "****0077",
            "10.20.30.40",
            "127.0.0.1",
            "canary-secret-value-123456",
        ] {
            assert!(!text.contains(canary), "{canary} survived in {name}");
        }
    }
    // What support needs stays.
    let json = &texts[0].1;
    assert!(
        json.contains("us-east-1") && json.contains(CLAUDE) && json.contains("6a1f0c1e-0000-4000-8000-"),
        "{json}"
    );
    let r: Report = out.report();
    let account = r.identity.unwrap().account.unwrap();
    assert!(account.starts_with("account-"), "{account}");
    assert!(
        json.matches(&account).count() >= 2,
        "the same account keeps the same pseudonym"
    );
}

#[test]
fn unused_and_expired_suppressions_say_so() {
    let aws = FakeAws::start();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("bedrock-doctor.toml");
    std::fs::write(
        &cfg,
        "regions = [\"us-east-1\"]\n\n[[suppress]]\ncode = \"BD107\"\nreason = \"old waiver\"\nexpires = \"2020-01-31\"\n\n[[suppress]]\ncode = \"BD501\"\nreason = \"nothing to mute\"\n",
    )
    .unwrap();
    let out = TestCommand::new()
        .fake_aws(&aws)
        .args(["check", "--format", "json", "--fail-on", "warning", "--config"])
        .args([&cfg])
        .run();
    out.assert_code(1);
    let r: Report = out.report();
    let expired = r
        .findings
        .iter()
        .find(|f| f.code == bedrock_doctor::codes::Code::BD107)
        .unwrap();
    assert!(expired.suppressed.is_none());
    assert!(
        expired.detail.contains("expired on 2020-01-31"),
        "{}",
        expired.detail
    );
    let unused = r
        .findings
        .iter()
        .find(|f| f.code == bedrock_doctor::codes::Code::BD903)
        .unwrap();
    assert_eq!(unused.status, Status::Warn);
    assert_eq!(unused.location.as_ref().unwrap().line, 8);
}

#[test]
fn completions_and_man_page() {
    let out = TestCommand::new().args(["completions", "bash"]).run();
    out.assert_code(0);
    assert!(out.stdout.contains("bedrock-doctor") && out.stdout.contains("--fail-on"));
    let man = TestCommand::new().args(["man"]).run();
    man.assert_code(0);
    assert!(man.stdout.contains(".TH") && man.stdout.contains("bedrock-doctor"));
    let bad = TestCommand::new().args(["completions", "tcsh"]).run();
    bad.assert_code(2);
}

#[test]
fn colour_is_forced_or_refused_on_request() {
    let out = TestCommand::new()
        .args(["--color", "always", "explain", "--list"])
        .run();
    assert!(out.stdout.contains('\u{1b}') || !out.stdout.contains('\u{1b}'));
    let aws = FakeAws::start();
    let colored = TestCommand::new()
        .fake_aws(&aws)
        .args(["--color", "always", "check", "--region", "us-east-1"])
        .run();
    assert!(colored.stdout.contains("\u{1b}["), "{}", colored.stdout);
    let plain = TestCommand::new()
        .fake_aws(&aws)
        .env("CLICOLOR_FORCE", "1")
        .args(["--color", "never", "check", "--region", "us-east-1"])
        .run();
    assert!(!plain.stdout.contains('\u{1b}'));
    let forced = TestCommand::new()
        .fake_aws(&aws)
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .args(["check", "--region", "us-east-1"])
        .run();
    assert!(forced.stdout.contains("\u{1b}["));
}
