//! `policy`: the generated document, judged by a small IAM evaluator against needs derived
//! independently from `knowledge show --format json`, and by `lint`.

use crate::util::TestCommand;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn json(out: &crate::util::Output) -> Value {
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", out.stdout, out.stderr))
}

/// IAM's string match: `*` any run of characters, `?` one character, case-sensitive (the
/// `wildmatch` crate's semantics exactly).
fn iam_matches(pattern: &str, value: &str) -> bool {
    wildmatch::WildMatch::new(pattern).matches(value)
}

/// Whether the document allows `action` on `resource` (Allow statements; `StringEquals`
/// conditions against `context`, a key absent from it failing the condition).
fn allows(doc: &Value, action: &str, resource: &str) -> bool {
    allows_in(doc, action, resource, &[])
}

fn allows_in(doc: &Value, action: &str, resource: &str, context: &[(&str, &str)]) -> bool {
    let list = |v: &Value| -> Vec<String> {
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
            _ => vec![],
        }
    };
    let conditions_hold = |s: &Value| match s.get("Condition") {
        None => true,
        Some(c) => c.as_object().unwrap().iter().all(|(op, keys)| {
            assert_eq!(op, "StringEquals", "the evaluator knows StringEquals only");
            keys.as_object().unwrap().iter().all(|(key, values)| {
                context
                    .iter()
                    .any(|(k, v)| k == key && list(values).iter().any(|x| x == v))
            })
        }),
    };
    doc["Statement"].as_array().unwrap().iter().any(|s| {
        s["Effect"] == "Allow"
            && list(&s["Action"])
                .iter()
                .any(|a| iam_matches(&a.to_ascii_lowercase(), &action.to_ascii_lowercase()))
            && list(&s["Resource"]).iter().any(|r| iam_matches(r, resource))
            && conditions_hold(s)
    })
}

#[test]
fn the_evaluator_matches_as_iam_does() {
    assert!(iam_matches(
        "arn:aws:bedrock:*::foundation-model/*",
        "arn:aws:bedrock:us-east-1::foundation-model/a.b"
    ));
    assert!(iam_matches("a?c", "abc") && !iam_matches("a?c", "ac"));
    assert!(!iam_matches(
        "arn:aws:bedrock:us-east-1::foundation-model/a",
        "arn:aws:bedrock:us-east-1::foundation-model/ab"
    ));
}

/// The seed's needs (Claude 3.5 Sonnet v1 in ap-southeast-1 and ap-northeast-1) give exactly
/// its two foundation-model ARNs and `bedrock:InvokeModel`.
#[test]
fn the_seed_needs_give_exactly_two_foundation_model_arns() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bedrock-doctor.toml"),
        "regions = [\"ap-southeast-1\", \"ap-northeast-1\"]\nmodels = [\"anthropic.claude-3-5-sonnet-20240620-v1:0\"]\n",
    )
    .unwrap();
    let out = TestCommand::new().current_dir(dir.path()).args(["policy"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = json(&out);
    let statement = &doc["Statement"][0];
    assert_eq!(statement["Action"], serde_json::json!(["bedrock:InvokeModel"]));
    assert_eq!(
        statement["Resource"],
        serde_json::json!([
            "arn:aws:bedrock:ap-northeast-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0",
            "arn:aws:bedrock:ap-southeast-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0"
        ])
    );
    assert!(
        out.stderr.contains("called on demand in ap-southeast-1"),
        "why each resource is there: {}",
        out.stderr
    );
}

/// A primary in the US and a fallback in Europe, each through its geography's profile and the
/// global one, streaming: every (action, resource) IAM evaluates is allowed, and nothing else.
#[test]
fn every_needed_pair_is_allowed_and_nothing_else() {
    let model = "anthropic.claude-sonnet-4-5-20250929-v1:0";
    let account = "111122223333";
    let profiles = [
        format!("us.{model}"),
        format!("eu.{model}"),
        format!("global.{model}"),
    ];
    let mut cmd = TestCommand::new().args([
        "policy",
        "--region",
        "us-east-1,eu-west-1",
        "--streaming",
        "--account",
        account,
    ]);
    for p in &profiles {
        cmd = cmd.args(["--model", p.as_str()]);
    }
    let out = cmd.run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = json(&out);

    // The needs, from the knowledge base's own JSON: per source region, where each profile routes.
    let kb = json(
        &TestCommand::new()
            .args(["knowledge", "show", "--format", "json"])
            .run(),
    );
    let mut needed = BTreeSet::new();
    for (region, profile) in [
        ("us-east-1", &profiles[0]),
        ("eu-west-1", &profiles[1]),
        ("us-east-1", &profiles[2]),
        ("eu-west-1", &profiles[2]),
    ] {
        needed.insert(format!(
            "arn:aws:bedrock:{region}:{account}:inference-profile/{profile}"
        ));
        if profile.starts_with("global.") {
            needed.insert(format!("arn:aws:bedrock:{region}::foundation-model/{model}"));
            needed.insert(format!("arn:aws:bedrock:::foundation-model/{model}"));
        } else {
            let destinations = kb["profiles"][profile.as_str()][region]
                .as_array()
                .unwrap_or_else(|| panic!("{profile} from {region}"));
            assert!(
                destinations.len() > 1,
                "a cross-region profile routes to several regions"
            );
            for d in destinations {
                needed.insert(format!(
                    "arn:aws:bedrock:{}::foundation-model/{model}",
                    d.as_str().unwrap()
                ));
            }
        }
    }
    let actions = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"];
    for resource in &needed {
        for action in actions {
            assert!(
                allows(&doc, action, resource),
                "{action} on {resource} is not allowed"
            );
        }
    }
    // Nothing else: no wildcard, no resource beyond the needs, no other action.
    let granted: BTreeSet<String> = doc["Statement"][0]["Resource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect();
    assert!(
        granted.iter().all(|r| !r.contains('*') && !r.contains('?')),
        "{granted:?}"
    );
    assert_eq!(granted, needed);
    assert_eq!(doc["Statement"][0]["Action"], serde_json::json!(actions));
    assert!(!allows(
        &doc,
        "bedrock:InvokeModel",
        &format!("arn:aws:bedrock:ap-south-1::foundation-model/{model}")
    ));
    assert!(!allows(
        &doc,
        "bedrock:CreateModelCustomizationJob",
        &format!("arn:aws:bedrock:us-east-1::foundation-model/{model}")
    ));

    // And `lint` finds nothing wrong with it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.json");
    std::fs::write(&path, &out.stdout).unwrap();
    let lint = TestCommand::new()
        .args(["lint", "--format", "json"])
        .args([&path])
        .run();
    assert_eq!(lint.code, 0, "{}", lint.stdout);
}

/// GovCloud profile ARNs carry the partition; an unset account is a visible placeholder.
#[test]
fn govcloud_takes_its_partition_and_the_account_placeholder_is_named() {
    let out = TestCommand::new()
        .args([
            "policy",
            "--region",
            "us-gov-east-1",
            "--model",
            "us-gov.anthropic.claude-3-haiku-20240307-v1:0",
            "--format",
            "explained",
        ])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v = json(&out);
    let resources: Vec<&str> = v["policy"]["Statement"][0]["Resource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(
        resources,
        [
            "arn:aws-us-gov:bedrock:us-gov-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
            "arn:aws-us-gov:bedrock:us-gov-east-1:ACCOUNT_ID:inference-profile/us-gov.anthropic.claude-3-haiku-20240307-v1:0",
            "arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
        ]
    );
    assert!(v["notes"].to_string().contains("ACCOUNT_ID"), "{v}");
    assert!(
        v["resources"][resources[2]][0]
            .as_str()
            .unwrap()
            .contains("routes from us-gov-east-1"),
        "{v}"
    );
}

/// What cannot be placed is exit 2 with the reason, never a guessed policy.
#[test]
fn what_cannot_be_placed_is_a_usage_error() {
    for (args, says) in [
        (
            vec!["--region", "us-east-1", "--model", "eu.amazon.nova-lite-v1:0"],
            "called from none of us-east-1",
        ),
        (
            vec!["--region", "us-esat-1", "--model", "amazon.nova-lite-v1:0"],
            "did you mean `us-east-1`",
        ),
        (
            vec!["--region", "us-east-1", "--model", "anthropic.claude v2"],
            "not a Bedrock model identifier",
        ),
        (vec!["--region", "us-east-1"], "names no model"),
        (
            vec![
                "--region",
                "us-west-2",
                "--plane",
                "mantle",
                "--model",
                "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            ],
            "takes bare model IDs (`anthropic.claude-haiku-4-5-20251001-v1:0`)",
        ),
        (
            vec![
                "--region",
                "eu-west-3",
                "--plane",
                "mantle",
                "--model",
                "zai.glm-5",
            ],
            "does not serve `zai.glm-5`",
        ),
        (
            vec![
                "--model",
                "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc123",
            ],
            "application inference profile",
        ),
    ] {
        let out = TestCommand::new().args(["policy"]).args(args.clone()).run();
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}: no half policy");
    }
}

fn generate(format: &str) -> String {
    let out = TestCommand::new()
        .args([
            "policy",
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
            "--format",
            format,
        ])
        .args([
            "--model",
            "us.amazon.nova-pro-v1:0",
            "--model",
            "eu.amazon.nova-pro-v1:0",
        ])
        .args([
            "--model",
            "amazon.titan-embed-text-v2:0",
            "--model",
            "cohere.embed-english-v3",
        ])
        .args(["--restrict-to-profiles", "--marketplace"])
        .run();
    assert_eq!(out.code, 0, "{format}: {}", out.stderr);
    out.stdout
}

/// The JSON document's statements as (sid, actions, resources, condition values), with the
/// account placeholder written as `account`.
type Shape = Vec<(String, Vec<String>, Vec<String>, Vec<String>)>;

fn shape(statements: &[Value], account: &str, resource: &dyn Fn(&Value) -> String) -> Shape {
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().map(resource).collect::<Vec<String>>())
            .unwrap_or_default()
            .into_iter()
            .map(|r: String| r.replace(":ACCOUNT_ID:", &format!(":{account}:")))
            .collect()
    };
    statements
        .iter()
        .map(|s| {
            let condition = s
                .get("Condition")
                .and_then(|c| c.as_object().unwrap().values().next())
                .and_then(|k| k.as_object().unwrap().values().next().cloned())
                .unwrap_or(Value::Null);
            (
                s["Sid"].as_str().unwrap().to_string(),
                s["Action"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_string())
                    .collect(),
                strings(&s["Resource"]),
                strings(&condition),
            )
        })
        .collect()
}

fn json_shape(account: &str) -> Shape {
    let doc: Value = serde_json::from_str(&generate("json")).unwrap();
    let shaped = shape(doc["Statement"].as_array().unwrap(), account, &|r| {
        r.as_str().unwrap().to_string()
    });
    assert_eq!(shaped.len(), 3, "invoke, through profiles, Marketplace: {doc}");
    shaped
}

/// Terraform: parsed as HCL, the policy document data source grants what the JSON grants, with
/// the caller's account from `aws_caller_identity`.
#[test]
fn terraform_parses_and_grants_what_the_json_grants() {
    let text = generate("terraform");
    let body: Value = hcl::from_str(&text).unwrap_or_else(|e| panic!("not HCL ({e}):\n{text}"));
    assert!(
        body["data"]["aws_caller_identity"]["current"].is_object(),
        "{body}"
    );
    let statements: Vec<Value> = body["data"]["aws_iam_policy_document"]["bedrock_invoke"]["statement"]
        .as_array()
        .unwrap_or_else(|| panic!("statements: {body}"))
        .iter()
        .map(|s| {
            let mut v = serde_json::json!({"Sid": s["sid"], "Action": s["actions"], "Resource": s["resources"]});
            if let Some(c) = s.get("condition") {
                v["Condition"] = serde_json::json!({ c["test"].as_str().unwrap(): { c["variable"].as_str().unwrap(): c["values"] } });
            }
            v
        })
        .collect();
    let account = "${data.aws_caller_identity.current.account_id}";
    assert_eq!(
        shape(&statements, account, &|r| r.as_str().unwrap().to_string()),
        json_shape(account)
    );
    assert!(
        text.contains("# the profile `eu.amazon.nova-pro-v1:0`, called from eu-west-1"),
        "{text}"
    );
}

/// CloudFormation: parsed as YAML, the managed policy grants what the JSON grants; profile ARNs
/// go through `Fn::Sub` with `${AWS::AccountId}`.
#[test]
fn cloudformation_parses_and_grants_what_the_json_grants() {
    let text = generate("cloudformation");
    let template: Value =
        serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("not YAML ({e}):\n{text}"));
    let policy = &template["Resources"]["BedrockInvokePolicy"];
    assert_eq!(policy["Type"], "AWS::IAM::ManagedPolicy");
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    let account = "${AWS::AccountId}";
    let resource = |r: &Value| r.as_str().or_else(|| r["Fn::Sub"].as_str()).unwrap().to_string();
    assert_eq!(shape(statements, account, &resource), json_shape(account));
    let subs = statements[0]["Resource"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.is_object())
        .count();
    assert_eq!(subs, 2, "exactly the two profile ARNs need the account: {text}");
}

/// With --restrict-to-profiles a model reached through a profile is allowed only through it,
/// while a model called on demand stays callable; with --marketplace the subscription is allowed
/// only when Bedrock makes it, and only for a provider that needs it.
#[test]
fn restricted_models_are_reachable_only_through_their_profiles() {
    let doc: Value = serde_json::from_str(&generate("json")).unwrap();
    let profile = "arn:aws:bedrock:us-east-1:ACCOUNT_ID:inference-profile/us.amazon.nova-pro-v1:0";
    let nova = "arn:aws:bedrock:us-east-2::foundation-model/amazon.nova-pro-v1:0";
    let titan = "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0";
    assert!(allows(&doc, "bedrock:InvokeModel", profile));
    assert!(allows(&doc, "bedrock:InvokeModel", titan));
    assert!(!allows(&doc, "bedrock:InvokeModel", nova), "not by its own ID");
    assert!(allows_in(
        &doc,
        "bedrock:InvokeModel",
        nova,
        &[("bedrock:InferenceProfileArn", profile)]
    ));
    let other = "arn:aws:bedrock:us-east-1:ACCOUNT_ID:inference-profile/us.other.model-v1:0";
    assert!(!allows_in(
        &doc,
        "bedrock:InvokeModel",
        nova,
        &[("bedrock:InferenceProfileArn", other)]
    ));

    assert!(!allows(&doc, "aws-marketplace:Subscribe", "*"));
    let by_bedrock = [("aws:CalledViaLast", "bedrock.amazonaws.com")];
    assert!(allows_in(&doc, "aws-marketplace:Subscribe", "*", &by_bedrock));
    assert!(allows_in(
        &doc,
        "aws-marketplace:ViewSubscriptions",
        "*",
        &by_bedrock
    ));
    assert!(!allows_in(&doc, "aws-marketplace:Unsubscribe", "*", &by_bedrock));

    // Amazon's models need no Marketplace: no statement, and a note says why.
    let out = TestCommand::new()
        .args([
            "policy",
            "--region",
            "us-east-1",
            "--model",
            "amazon.titan-embed-text-v2:0",
            "--marketplace",
            "--format",
            "explained",
        ])
        .run();
    let v = json(&out);
    assert_eq!(v["policy"]["Statement"].as_array().unwrap().len(), 1, "{v}");
    assert!(v["notes"].to_string().contains("need no Marketplace"), "{v}");
}

/// The CDK snippets, golden (against the fixed seed knowledge base, so a refresh never moves
/// them): TypeScript takes the account from `Stack.of(this)`, Python from `Stack.of(self)`, each
/// resource commented.
#[test]
fn cdk_snippets_are_golden() {
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/knowledge/seed.json");
    let snippet = |format: &str| {
        let out = TestCommand::new()
            .args(["policy", "--knowledge"])
            .args([&seed])
            .args([
                "--region",
                "us-east-1",
                "--region",
                "us-west-2",
                "--streaming",
                "--format",
                format,
            ])
            .args([
                "--model",
                "us.anthropic.claude-sonnet-4-20250514-v1:0",
                "--model",
                "amazon.titan-embed-text-v2:0",
            ])
            .args(["--restrict-to-profiles", "--marketplace"])
            .run();
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        out.stdout
    };
    insta::assert_snapshot!("policy_cdk_ts", snippet("cdk-ts"));
    insta::assert_snapshot!("policy_cdk_python", snippet("cdk-python"));
}

/// `--live`: the account's own profile routing replaces the knowledge base's, and every resource
/// that changes is named.
#[test]
fn live_takes_the_accounts_routing_and_names_the_difference() {
    let aws = crate::fake_aws::FakeAws::start();
    aws.profiles(
        "us-east-1",
        vec![bedrock_doctor::local_aws::profile_summary(
            "us-east-1",
            "us.amazon.nova-pro-v1:0",
            "amazon.nova-pro-v1:0",
            &["us-east-1", "us-east-2"],
        )],
    );
    let out = TestCommand::new()
        .fake_aws(&aws)
        .args([
            "policy",
            "--live",
            "--region",
            "us-east-1",
            "--model",
            "us.amazon.nova-pro-v1:0",
            "--format",
            "explained",
        ])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v = json(&out);
    let resources: Vec<&str> = v["policy"]["Statement"][0]["Resource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        resources.contains(&"arn:aws:bedrock:us-east-2::foundation-model/amazon.nova-pro-v1:0"),
        "{resources:?}"
    );
    assert!(
        !resources.iter().any(|r| r.contains("us-west-2")),
        "the account does not route there: {resources:?}"
    );
    assert!(
        v["notes"]
            .to_string()
            .contains("also lists `arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-pro-v1:0`"),
        "{v}"
    );
    assert!(
        aws.requests()
            .iter()
            .any(|r| r.operation == "ListInferenceProfiles")
    );
}

/// A broken configuration is a located usage error (exit 2), for `policy --config` and
/// `lint --needs` alike.
#[test]
fn a_broken_configuration_is_exit_2_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bedrock-doctor.toml");
    std::fs::write(
        &bad,
        "regions = [\"us-east-1\"]\nmodels = [\"amazon.nova-pro-v1:0\"\n",
    )
    .unwrap();
    let tree = dir.path().to_path_buf();
    for (args, paths) in [
        (vec!["policy", "--config"], vec![]),
        (vec!["lint", "--needs"], vec![tree]),
    ] {
        let out = TestCommand::new()
            .args(args.clone())
            .args([&bad])
            .args(paths)
            .run();
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("bedrock-doctor.toml:2:"),
            "{args:?}: {}",
            out.stderr
        );
    }
}

/// `--plane mantle`: `bedrock-mantle:CreateInference` on the account's projects in each region
/// whose mantle endpoint serves the model (knowledge base), and no runtime action; `--plane all`
/// grants both, and a profile ID gets its bare model on mantle with a note.
#[test]
fn the_mantle_plane_grants_create_inference_on_the_projects_of_each_region() {
    // Regions whose mantle serves zai.glm-5, independently of the generator.
    let facts: Value = json(
        &TestCommand::new()
            .args(["where", "zai.glm-5", "--format", "json"])
            .run(),
    );
    let mut mantle_regions: Vec<String> = facts["mantle"].as_object().unwrap().keys().cloned().collect();
    mantle_regions.truncate(2);
    assert!(
        !mantle_regions.is_empty(),
        "the knowledge base serves zai.glm-5 on mantle somewhere"
    );
    let mut args = vec![
        "policy",
        "--plane",
        "mantle",
        "--account",
        "123456789012",
        "--model",
        "zai.glm-5",
    ];
    for r in &mantle_regions {
        args.extend(["--region", r.as_str()]);
    }
    let out = TestCommand::new().args(&args).run();
    out.assert_code(0);
    let doc = json(&out);
    for r in &mantle_regions {
        let project = format!("arn:aws:bedrock-mantle:{r}:123456789012:project/default");
        assert!(
            allows(&doc, "bedrock-mantle:CreateInference", &project),
            "{r}: {doc:#}"
        );
        assert!(!allows(
            &doc,
            "bedrock:InvokeModel",
            &format!("arn:aws:bedrock:{r}::foundation-model/zai.glm-5")
        ));
    }
    // Another account's project, another action, another region: not granted.
    let r0 = &mantle_regions[0];
    assert!(!allows(
        &doc,
        "bedrock-mantle:CreateInference",
        &format!("arn:aws:bedrock-mantle:{r0}:210987654321:project/default")
    ));
    assert!(!allows(
        &doc,
        "bedrock-mantle:CreateProject",
        &format!("arn:aws:bedrock-mantle:{r0}:123456789012:project/default")
    ));
    assert!(!allows(
        &doc,
        "bedrock-mantle:CreateInference",
        "arn:aws:bedrock-mantle:ap-south-2:123456789012:project/default"
    ));

    // Both planes: the runtime grant and the mantle grant side by side.
    let out = TestCommand::new()
        .args([
            "policy",
            "--plane",
            "all",
            "--format",
            "explained",
            "--model",
            "zai.glm-5",
            "--region",
            r0,
        ])
        .run();
    out.assert_code(0);
    let explained = json(&out);
    let doc = &explained["policy"];
    let actions: Vec<&Value> = doc["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["Action"])
        .collect();
    assert_eq!(
        actions,
        [
            &serde_json::json!(["bedrock:InvokeModel"]),
            &serde_json::json!(["bedrock-mantle:CreateInference"])
        ]
    );
    assert!(allows(
        doc,
        "bedrock:InvokeModel",
        &format!("arn:aws:bedrock:{r0}::foundation-model/zai.glm-5")
    ));
    assert!(allows(
        doc,
        "bedrock-mantle:CreateInference",
        &format!("arn:aws:bedrock-mantle:{r0}:ACCOUNT_ID:project/default")
    ));
}
