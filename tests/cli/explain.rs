//! Offline commands: `explain`, `list-checks`, `--version`.

use crate::util::TestCommand;
use bedrock_doctor::codes::Code;

#[test]
fn explain_prints_the_document_of_every_code() {
    for code in Code::ALL {
        for spelling in [
            code.as_str().to_string(),
            code.as_str()[2..].to_string(),
            code.slug().to_uppercase(),
        ] {
            let out = TestCommand::new().args(["explain", &spelling]).run();
            out.assert_code(0);
            assert_eq!(out.stdout, code.explanation());
        }
    }
}

#[test]
fn explain_unknown_code_is_a_usage_error() {
    let out = TestCommand::new().args(["explain", "BD999"]).run();
    out.assert_code(2);
    assert!(out.stderr.contains("unknown code `BD999`"), "{}", out.stderr);
}

#[test]
fn explain_list_names_every_code() {
    let out = TestCommand::new()
        .args(["explain", "--list", "--format", "json"])
        .run();
    out.assert_code(0);
    let list: Vec<serde_json::Value> = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(list.len(), Code::ALL.len());
    assert_eq!(list[0]["code"], "BD100");
    let table = TestCommand::new().args(["explain", "--list"]).run();
    for code in Code::ALL {
        assert!(table.stdout.contains(code.as_str()) && table.stdout.contains(code.slug()));
    }
}

#[test]
fn list_checks_lists_every_check_with_its_codes() {
    let out = TestCommand::new().args(["list-checks", "--format", "json"]).run();
    out.assert_code(0);
    let list: Vec<serde_json::Value> = serde_json::from_str(&out.stdout).unwrap();
    let ids: Vec<_> = list
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        ["credentials", "regions", "arns", "model-access", "probe", "iam"]
    );
    assert_eq!(list[1]["depends_on"], serde_json::json!(["credentials"]));
    assert!(
        list[0]["codes"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("BD101"))
    );
    let table = TestCommand::new().args(["list-checks"]).run();
    assert!(table.stdout.contains("credentials") && table.stdout.contains("BD501"));
}

#[test]
fn version() {
    let out = TestCommand::new().args(["--version"]).run();
    out.assert_code(0);
    assert_eq!(
        out.stdout.trim(),
        format!("bedrock-doctor {}", env!("CARGO_PKG_VERSION"))
    );
}
