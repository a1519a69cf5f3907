//! The GitHub Action's step (`scripts/action-run`, what `action.yml` runs) under a simulated
//! Actions environment, against the local endpoint.

use crate::fake_aws::{FakeAws, Fault, Match, VALID_KEY, VALID_SECRET};
use std::process::Command;

const CLAUDE: &str = "anthropic.claude-3-5-sonnet-20240620-v1:0";

#[test]
fn the_action_annotates_summarises_and_leaves_sarif() {
    let aws = FakeAws::start();
    aws.fault(
        Match::op("Converse").region("ap-northeast-1"),
        Fault::error(403, "AccessDeniedException", &format!("User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:ap-northeast-1::foundation-model/{CLAUDE} because no identity-based policy allows the bedrock:InvokeModel action")),
    );
    let dir = tempfile::tempdir().unwrap();
    let (summary, output) = (dir.path().join("summary.md"), dir.path().join("output.txt"));
    let (sarif, json) = (dir.path().join("out.sarif"), dir.path().join("out.json"));
    let out = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/action-run"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("AWS_CONFIG_FILE", dir.path().join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", aws.url())
        .env("AWS_ACCESS_KEY_ID", VALID_KEY)
        .env("AWS_SECRET_ACCESS_KEY", VALID_SECRET)
        .env("BEDROCK_DOCTOR", env!("CARGO_BIN_EXE_bedrock-doctor"))
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &output)
        .env("BD_REGIONS", "ap-southeast-1,ap-northeast-1")
        .env("BD_MODELS", format!(" {CLAUDE} "))
        .env("BD_FAIL_ON", "error")
        .env("BD_SARIF", &sarif)
        .env("BD_FORMATS", format!("json={}", json.display()))
        .env("BD_ARGS", "--timeout 20 --redact")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("::error") && stdout.contains("BD401"), "{stdout}");
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(summary.contains("## Diagnosis"), "{summary}");
    let output = std::fs::read_to_string(&output).unwrap();
    assert!(
        output.contains("exit-code=1") && output.contains("sarif="),
        "{output}"
    );
    let sarif: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(
        report["models"][0], CLAUDE,
        "the model input was trimmed and passed"
    );
    // The action's inputs are the ones the script reads.
    let action = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap();
    for var in [
        "BD_CONFIG",
        "BD_REGIONS",
        "BD_MODELS",
        "BD_FAIL_ON",
        "BD_FORMATS",
        "BD_SARIF",
        "BD_ARGS",
    ] {
        assert!(action.contains(var), "action.yml does not pass {var}");
    }
    assert!(action.contains("scripts/action-run") && action.contains("cargo install --locked --path"));
}
