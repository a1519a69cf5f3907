//! `triage`, `invoke` and `models` from the user's side.

use crate::fake_aws::{FakeAws, Fault, Match, legacy_summary, model_summary, profile_summary};
use crate::util::TestCommand;
use serde_json::Value;

const CLAUDE: &str = "anthropic.claude-3-5-sonnet-20240620-v1:0";

fn json(out: &crate::util::Output) -> Value {
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", out.stdout, out.stderr))
}

#[test]
fn triage_from_an_argument_names_cause_code_and_extracted_fields() {
    let text = "botocore.errorfactory.AccessDeniedException: An error occurred (AccessDeniedException) when calling the InvokeModel operation: User: arn:aws:sts::123456789012:assumed-role/app/i-0abc is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:ap-northeast-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0 because no identity-based policy allows the bedrock:InvokeModel action";
    let out = TestCommand::new()
        .args(["triage", "--format", "json", text])
        .run();
    out.assert_code(0);
    let v = json(&out);
    assert_eq!(v["cause"], "iam_denied_invoke");
    assert_eq!(v["code"], "BD401");
    assert!(v["remediation"].as_array().unwrap().len() >= 2);
    let x = &v["extracted"];
    assert_eq!(x["error_code"], "AccessDeniedException");
    assert_eq!(x["operation"], "InvokeModel");
    assert_eq!(x["region"], "ap-northeast-1");
    assert_eq!(x["model"], CLAUDE);
    // The key order of the documented shape.
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["cause", "code", "title", "remediation", "extracted"]);
}

#[test]
fn triage_reads_messages_without_a_code_and_names_the_alternative() {
    for (text, cause) in [
        (
            "Model is not ready for inference. Wait and try your request again",
            "model_not_ready",
        ),
        (
            "Your request exceeds the service quota for your account.",
            "quota_exceeded",
        ),
        (
            "Error: Can't invoke. Reason: Bedrock is unable to process your request.",
            "service_unavailable",
        ),
        (
            "The request took too long to process. Processing time exceeded the model timeout length.",
            "model_timeout",
        ),
        (
            "SyntaxError: Unexpected token < in JSON at position 0",
            "non_aws_answer",
        ),
        (
            "The pending stream has been canceled (caused by: getaddrinfo ENOTFOUND bedrock-runtime.undefined.amazonaws.com)",
            "region_not_supported",
        ),
    ] {
        let out = TestCommand::new()
            .args(["triage", "--format", "json", text])
            .run();
        out.assert_code(0);
        let v = json(&out);
        assert_eq!(v["cause"], cause, "{text}");
    }
    let out = TestCommand::new()
        .args([
            "triage",
            "--format",
            "json",
            "ValidationException: The provided model identifier is invalid.",
        ])
        .run();
    let v = json(&out);
    assert_eq!(v["cause"], "invalid_model_id");
    assert_eq!(v["alternative"]["cause"], "model_not_in_region");
    assert!(
        v["alternative"]["tell_apart"]
            .as_str()
            .unwrap()
            .contains("--verify")
    );
    let table = TestCommand::new()
        .args([
            "triage",
            "ValidationException: The provided model identifier is invalid.",
        ])
        .run();
    assert!(
        table.stdout.contains("Or else") && table.stdout.contains("model_not_in_region"),
        "{}",
        table.stdout
    );
}

#[test]
fn triage_reads_a_multi_line_stack_trace_from_stdin() {
    let trace = "Traceback (most recent call last):\n  File \"app.py\", line 9, in <module>\n    client.converse(modelId=MODEL, messages=msgs)\n  File \"/usr/lib/python3.11/site-packages/botocore/client.py\", line 1021, in _make_api_call\n    raise error_class(parsed_response, operation_name)\nbotocore.errorfactory.ValidationException: An error occurred (ValidationException) when calling the Converse operation: Invocation of model ID amazon.nova-pro-v1:0 with on-demand throughput isn\u{2019}t supported. Retry your request with the ID or ARN of an inference profile that contains this model.\n";
    for args in [
        vec!["triage", "--format", "json"],
        vec!["triage", "--format", "json", "-"],
    ] {
        let out = TestCommand::new().stdin(trace).args(args).run();
        out.assert_code(0);
        let v = json(&out);
        assert_eq!(v["cause"], "needs_inference_profile");
        assert_eq!(v["code"], "BD407");
        assert_eq!(v["extracted"]["model"], "amazon.nova-pro-v1:0");
        assert_eq!(v["extracted"]["operation"], "Converse");
    }
}

#[test]
fn triage_of_unknown_text_is_other_and_empty_input_is_an_error() {
    let out = TestCommand::new()
        .args(["triage", "--format", "json", "the", "printer", "is", "on", "fire"])
        .run();
    out.assert_code(0);
    assert_eq!(json(&out)["cause"], "other");
    let empty = TestCommand::new().stdin("  \n").args(["triage"]).run();
    empty.assert_code(2);
    assert!(empty.stderr.contains("no error text"), "{}", empty.stderr);
}

#[test]
fn triage_table_shows_the_fix() {
    let out = TestCommand::new()
        .args([
            "triage",
            "CredentialsProviderError: Could not load credentials from any providers",
        ])
        .run();
    out.assert_code(0);
    assert!(out.stdout.contains("no_credentials (BD101)"), "{}", out.stdout);
    assert!(out.stdout.contains("1. Configure credentials"), "{}", out.stdout);
}

#[test]
fn triage_verify_resolves_the_ambiguous_invalid_identifier() {
    let aws = FakeAws::start();
    let out = TestCommand::new()
        .fake_aws(&aws)
        .args(["triage", "--verify", "--format", "json", "--region", "eu-west-1", "ValidationException: The provided model identifier is invalid. modelId: us.anthropic.claude-3-5-sonnet-20240620-v1:0"])
        .run();
    out.assert_code(1);
    let v = json(&out);
    assert_eq!(v["cause"], "invalid_model_id");
    assert_eq!(v["verification"]["confirmed"], true);
    let live: Vec<&str> = v["verification"]["live_causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(live.contains(&"model_not_in_region"), "{live:?}");
    assert_eq!(v["verification"]["report"]["schema_version"], 1);
}

#[test]
fn invoke_round_trips_a_messages_body_and_an_embeddings_body() {
    let aws = FakeAws::start();
    let dir = tempfile::tempdir().unwrap();
    let messages = dir.path().join("messages.json");
    std::fs::write(&messages, r#"{"anthropic_version":"bedrock-2023-05-31","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#).unwrap();
    let out = TestCommand::new()
        .fake_aws(&aws)
        .args([
            "invoke",
            "--format",
            "json",
            "--region",
            "us-east-1",
            "--model",
            CLAUDE,
            "--body",
        ])
        .args([&messages])
        .run();
    out.assert_code(0);
    let v = json(&out);
    assert_eq!(v["sent"], true);
    assert_eq!(v["response"]["content_type"], "application/json");
    assert_eq!(v["response"]["body"]["content"][0]["text"], "H");
    assert!(v["response"]["request_id"].is_string());
    let sent = aws
        .requests()
        .into_iter()
        .find(|q| q.operation == "InvokeModel")
        .unwrap();
    assert_eq!(
        (sent.region.as_deref(), sent.model.as_deref()),
        (Some("us-east-1"), Some(CLAUDE))
    );

    let out = TestCommand::new()
        .fake_aws(&aws)
        .stdin(r#"{"inputText":"hello","dimensions":256}"#)
        .args([
            "invoke",
            "--format",
            "json",
            "--region",
            "us-east-1",
            "--model",
            "amazon.titan-embed-text-v2:0",
            "--body",
            "-",
        ])
        .run();
    out.assert_code(0);
    assert!(json(&out)["response"]["body"]["embedding"].is_array());
}

#[test]
fn invoke_converse_body() {
    let aws = FakeAws::start();
    let out = TestCommand::new()
        .fake_aws(&aws)
        .stdin(
            r#"{"messages":[{"role":"user","content":[{"text":"hi"}]}],"inferenceConfig":{"maxTokens":3}}"#,
        )
        .args([
            "invoke",
            "--converse",
            "--format",
            "json",
            "--region",
            "us-east-1",
            "--model",
            "us.amazon.nova-pro-v1:0",
            "--body",
            "-",
        ])
        .run();
    out.assert_code(0);
    let v = json(&out);
    assert_eq!(v["operation"], "Converse");
    assert_eq!(v["response"]["body"]["text"], "H");
    assert_eq!(v["response"]["body"]["usage"]["outputTokens"], 1);
}

/// Every field of a Converse body reaches AWS, or the body is refused by name.
#[test]
fn invoke_converse_sends_every_field_or_names_what_it_cannot() {
    let aws = FakeAws::start();
    let body = r#"{
        "messages": [
            {"role": "user", "content": [{"text": "weather?"}]},
            {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "get_weather", "input": {"city": "Paris"}}}]},
            {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"json": {"temp": 21}}], "status": "success"}}]}
        ],
        "system": [{"text": "be brief"}],
        "inferenceConfig": {"maxTokens": 3, "temperature": 0.5, "stopSequences": ["END"]},
        "toolConfig": {"tools": [{"toolSpec": {"name": "get_weather", "description": "weather", "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string"}}}}}}], "toolChoice": {"auto": {}}},
        "guardrailConfig": {"guardrailIdentifier": "gr-1", "guardrailVersion": "1", "trace": "enabled"},
        "additionalModelRequestFields": {"top_k": 5},
        "additionalModelResponseFieldPaths": ["/stop_sequence"],
        "requestMetadata": {"team": "search"},
        "performanceConfig": {"latency": "standard"}
    }"#;
    let out = TestCommand::new()
        .fake_aws(&aws)
        .stdin(body)
        .args([
            "invoke",
            "--converse",
            "--format",
            "json",
            "--region",
            "us-east-1",
        ])
        .args(["--model", "us.amazon.nova-pro-v1:0", "--body", "-"])
        .run();
    out.assert_code(0);
    let sent = aws
        .requests()
        .into_iter()
        .find(|r| r.operation == "Converse")
        .expect("a Converse call");
    let sent: serde_json::Value = serde_json::from_str(&sent.body).unwrap();
    for pointer in [
        "/messages/1/content/0/toolUse/input/city",
        "/messages/2/content/0/toolResult/content/0/json/temp",
        "/system/0/text",
        "/inferenceConfig/stopSequences/0",
        "/toolConfig/tools/0/toolSpec/inputSchema/json/properties/city/type",
        "/toolConfig/toolChoice/auto",
        "/guardrailConfig/guardrailIdentifier",
        "/guardrailConfig/trace",
        "/additionalModelRequestFields/top_k",
        "/additionalModelResponseFieldPaths/0",
        "/requestMetadata/team",
        "/performanceConfig/latency",
    ] {
        assert!(sent.pointer(pointer).is_some(), "{pointer} was not sent: {sent}");
    }
    // An image block cannot be carried yet: refused by name, nothing sent.
    let aws = FakeAws::start();
    let out = TestCommand::new()
        .fake_aws(&aws)
        .stdin(r#"{"messages":[{"role":"user","content":[{"text":"what is this?"},{"image":{"format":"png","source":{"bytes":"iVBORw0KGgo="}}}]}],"promptVariables":{"x":{"text":"y"}}}"#)
        .args(["invoke", "--converse", "--format", "json", "--region", "us-east-1"])
        .args(["--model", "us.amazon.nova-pro-v1:0", "--body", "-"])
        .run();
    out.assert_code(2);
    let v = json(&out);
    let at: Vec<&str> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["at"].as_str().unwrap())
        .collect();
    assert!(
        at.contains(&"/messages/0/content/1") && at.contains(&"/promptVariables"),
        "{at:?}"
    );
    assert!(aws.requests().iter().all(|r| r.operation != "Converse"));
}

/// A key newer than the doctor's list warns with the nearest known key; it does not block.
#[test]
fn invoke_warns_on_an_unknown_key_and_still_sends() {
    let aws = FakeAws::start();
    let out = TestCommand::new()
        .fake_aws(&aws)
        .stdin(r#"{"anthropic_version":"bedrock-2023-05-31","max_tokens":3,"messages":[{"role":"user","content":"hi"}],"stop_sequence":["x"]}"#)
        .args(["invoke", "--format", "json", "--region", "us-east-1"])
        .args(["--model", "anthropic.claude-3-5-sonnet-20240620-v1:0", "--body", "-"])
        .run();
    out.assert_code(0);
    let v = json(&out);
    assert_eq!(v["sent"], true);
    let p = &v["problems"][0];
    assert_eq!(
        (p["level"].as_str(), p["at"].as_str()),
        (Some("warning"), Some("/stop_sequence"))
    );
    assert!(
        p["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `stop_sequences`"),
        "{p}"
    );
}

#[test]
fn invoke_rejects_a_legacy_prompt_locally_and_sends_nothing() {
    let aws = FakeAws::start();
    let out = TestCommand::new()
        .fake_aws(&aws)
        .stdin(r#"{"prompt":"Tell me a joke","max_tokens_to_sample":20}"#)
        .args([
            "invoke",
            "--format",
            "json",
            "--region",
            "us-east-1",
            "--model",
            "anthropic.claude-v2:1",
            "--body",
            "-",
        ])
        .run();
    out.assert_code(2);
    let v = json(&out);
    assert_eq!(v["sent"], false);
    assert_eq!(v["problems"][0]["cause"], "legacy_prompt_format");
    assert_eq!(v["problems"][0]["at"], "/prompt");
    assert!(aws.requests().is_empty());
}

#[test]
fn invoke_reports_invalid_json_with_line_and_column() {
    let out = TestCommand::new()
        .stdin("{\n  \"inputText\": \"hi\",\n}")
        .args([
            "invoke",
            "--dry-run",
            "--region",
            "us-east-1",
            "--model",
            "amazon.titan-embed-text-v2:0",
            "--body",
            "-",
        ])
        .run();
    out.assert_code(2);
    assert!(out.stdout.contains("at line 3, column 1"), "{}", out.stdout);
}

#[test]
fn invoke_dry_run_of_a_good_body_sends_nothing() {
    let aws = FakeAws::start();
    let out = TestCommand::new()
        .fake_aws(&aws)
        .stdin(r#"{"anthropic_version":"bedrock-2023-05-31","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#)
        .args(["invoke", "--dry-run", "--region", "us-east-1", "--model", CLAUDE, "--body", "-"])
        .run();
    out.assert_code(0);
    assert!(out.stdout.contains("Dry run"), "{}", out.stdout);
    assert!(aws.requests().is_empty());
}

#[test]
fn invoke_classifies_access_denied() {
    let aws = FakeAws::start();
    aws.fault(Match::op("InvokeModel"), Fault::error(403, "AccessDeniedException", "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0 because no identity-based policy allows the bedrock:InvokeModel action"));
    let out = TestCommand::new()
        .fake_aws(&aws)
        .stdin(r#"{"anthropic_version":"bedrock-2023-05-31","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#)
        .args(["invoke", "--format", "json", "--region", "us-east-1", "--model", CLAUDE, "--body", "-"])
        .run();
    out.assert_code(1);
    let v = json(&out);
    assert_eq!(v["failure"]["cause"], "iam_denied_invoke");
    assert_eq!(v["failure"]["code"], "BD401");
    assert_eq!(v["failure"]["aws"]["http_status"], 403);
    assert_eq!(v["failure"]["aws"]["error_code"], "AccessDeniedException");
    let denial = &v["failure"]["aws"]["denial"];
    assert_eq!(denial["policy_type"], "identity_based", "{v}");
    assert_eq!(denial["action"], "bedrock:InvokeModel");
    assert_eq!(denial["principal"], "arn:aws:iam::123456789012:user/dev");
}

#[test]
fn invoke_with_a_missing_body_file_is_a_usage_error() {
    let out = TestCommand::new()
        .args([
            "invoke",
            "--region",
            "us-east-1",
            "--model",
            CLAUDE,
            "--body",
            "/nonexistent/body.json",
        ])
        .run();
    out.assert_code(2);
    assert!(
        out.stderr
            .contains("cannot read the body file `/nonexistent/body.json`"),
        "{}",
        out.stderr
    );
}

#[test]
fn models_lists_profile_only_and_legacy_models_with_their_dates() {
    let aws = FakeAws::start();
    aws.catalogue(
        "us-east-1",
        vec![
            model_summary(
                "us-east-1",
                "amazon.nova-pro-v1:0",
                "Amazon",
                &["INFERENCE_PROFILE"],
            ),
            legacy_summary(
                "us-east-1",
                "anthropic.claude-v2:1",
                "2025-07-21T00:00:00Z",
                "2099-01-01T00:00:00Z",
            ),
            model_summary("us-east-1", CLAUDE, "Anthropic", &["ON_DEMAND"]),
        ],
    );
    aws.profiles(
        "us-east-1",
        vec![profile_summary(
            "us-east-1",
            "us.amazon.nova-pro-v1:0",
            "amazon.nova-pro-v1:0",
            &["us-east-1", "us-west-2"],
        )],
    );
    let out = TestCommand::new()
        .fake_aws(&aws)
        .args(["models", "--format", "json", "--region", "us-east-1,us-west-2"])
        .run();
    out.assert_code(0);
    let v = json(&out);
    let east = &v["regions"][0];
    assert_eq!(east["region"], "us-east-1");
    let models = east["models"].as_array().unwrap();
    let nova = models
        .iter()
        .find(|m| m["model_id"] == "amazon.nova-pro-v1:0")
        .unwrap();
    assert_eq!(nova["inference_types"], serde_json::json!(["INFERENCE_PROFILE"]));
    assert_eq!(nova["profiles"], serde_json::json!(["us.amazon.nova-pro-v1:0"]));
    let legacy = models
        .iter()
        .find(|m| m["model_id"] == "anthropic.claude-v2:1")
        .unwrap();
    assert_eq!(legacy["lifecycle"]["status"], "LEGACY");
    assert_eq!(legacy["lifecycle"]["end_of_life_time"], "2099-01-01T00:00:00Z");
    assert_eq!(v["regions"][1]["region"], "us-west-2");

    let filtered = TestCommand::new()
        .fake_aws(&aws)
        .args([
            "models",
            "--format",
            "json",
            "--region",
            "us-east-1",
            "--provider",
            "anthropic",
        ])
        .run();
    let ids: Vec<String> = json(&filtered)["regions"][0]["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["model_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["anthropic.claude-v2:1", CLAUDE]);

    let table = TestCommand::new()
        .fake_aws(&aws)
        .env("COLUMNS", "300")
        .args(["models", "--region", "us-east-1"])
        .run();
    assert!(
        table.stdout.contains("INFERENCE_PROFILE") && table.stdout.contains("EOL 2099-01-01"),
        "{}",
        table.stdout
    );
}

#[test]
fn models_all_regions_fetches_every_region_at_once_and_reports_failures() {
    let aws = FakeAws::start();
    aws.fault(Match::op("ListFoundationModels").region("eu-west-3"), Fault::error(403, "AccessDeniedException", "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:ListFoundationModels"));
    let out = TestCommand::new()
        .fake_aws(&aws)
        .args(["models", "--format", "json", "--all-regions"])
        .run();
    out.assert_code(1);
    let v = json(&out);
    let regions = v["regions"].as_array().unwrap();
    assert!(regions.len() >= 30);
    let denied = regions.iter().find(|r| r["region"] == "eu-west-3").unwrap();
    assert_eq!(denied["error"]["cause"], "iam_denied_invoke");
    let listed = aws
        .requests()
        .iter()
        .filter(|q| q.operation == "ListFoundationModels")
        .count();
    assert_eq!(listed, regions.len());
}

#[test]
fn models_with_an_unknown_region_is_a_usage_error() {
    let out = TestCommand::new().args(["models", "--region", "us-east-3"]).run();
    out.assert_code(2);
    assert!(out.stderr.contains("did you mean `us-east-1`"), "{}", out.stderr);
}

#[test]
fn triage_redact_hides_the_account_and_principal_of_the_verification() {
    let aws = FakeAws::start();
    aws.key(
        "AKIACANARYKEY0000088",
        crate::fake_aws::Key::Valid {
            account: "987654321098".into(),
            arn: "arn:aws:sts::987654321098:assumed-role/PaymentsRole/i-0abc123".into(),
            user_id: "AROACANARY0000000088:i-0abc123".into(),
        },
    );
    let text = "An error occurred (AccessDeniedException) when calling the InvokeModel operation: User: arn:aws:sts::987654321098:assumed-role/PaymentsRole/i-0abc123 is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0";
    let run_as = |format: &'static str, redact: bool| {
        let mut args = vec!["triage", "--verify", "--format", format];
        if redact {
            args.push("--redact");
        }
        args.push(text);
        TestCommand::new()
            .fake_aws(&aws)
            .keys("AKIACANARYKEY0000088", "canary-secret-0088-abcdef")
            .args(args)
            .run()
    };
    let run = |redact: bool| run_as("json", redact);
    let plain = run(false);
    assert!(
        plain.stdout.contains("987654321098") && plain.stdout.contains("PaymentsRole"),
        "the canaries are there without --redact"
    );
    let redacted = run(true);
    const CANARIES: [&str; 4] = [
        "987654321098",
        "PaymentsRole",
        "i-0abc123",
        "AKIACANARYKEY0000088",
    ];
    for canary in CANARIES {
        assert!(!redacted.stdout.contains(canary), "{canary}: {}", redacted.stdout);
    }
    let v = json(&redacted);
    assert_eq!(v["cause"], "iam_denied_invoke");
    assert_eq!(v["extracted"]["region"], "eu-west-1");
    assert_eq!(v["extracted"]["model"], CLAUDE);

    // The same for a ticket: Markdown with the cause, the verdict and the live report.
    let md = run_as("markdown", true);
    md.assert_code(0);
    for canary in CANARIES {
        assert!(!md.stdout.contains(canary), "{canary}: {}", md.stdout);
    }
    for part in [
        "## bedrock-doctor triage: `iam_denied_invoke` (BD401)",
        "| Region | eu-west-1 |",
        "| Verified | ",
        "**Fix**\n\n1. Allow the action",
        "\n---\n",
    ] {
        assert!(md.stdout.contains(part), "{part:?} in:\n{}", md.stdout);
    }
}

/// `demo` runs the real check against the built-in endpoint: the seed's verdicts, exit 1.
#[test]
fn demo_shows_the_seed_verdicts_without_aws() {
    let out = TestCommand::new()
        .env("AWS_ACCESS_KEY_ID", "AKIAUSERSOWNKEY12345")
        .env("AWS_PROFILE", "production")
        .args(["demo", "--format", "json"])
        .run();
    out.assert_code(1);
    assert!(out.stderr.contains("bedrock-doctor demo"), "{}", out.stderr);
    let r = out.report();
    let verdict = |region: &str| {
        r.findings
            .iter()
            .find(|f| f.check == "probe" && f.region.as_deref() == Some(region))
            .map(|f| (f.code.as_str(), f.status.as_str()))
    };
    assert_eq!(verdict("ap-southeast-1"), Some(("BD400", "pass")));
    assert_eq!(verdict("ap-northeast-1"), Some(("BD401", "fail")));
    // The user's own AWS setup played no part.
    assert_eq!(r.identity.unwrap().access_key_id, "****0001");
}
