//! `check --plane mantle|all`: the OpenAI-compatible `bedrock-mantle` endpoint as a third plane,
//! signed for `bedrock-mantle`, with OpenAI-shaped errors classified in the same vocabulary.

use crate::fake_aws::{FakeAws, Fault, Match};
use crate::util::{TestCommand, check_models};
use bedrock_doctor::codes::Code;
use bedrock_doctor::report::{Cause, Finding, Report, Status};

const CLAUDE: &str = "anthropic.claude-3-5-sonnet-20240620-v1:0";

fn on(r: &Report, plane: &str) -> Vec<Finding> {
    r.findings
        .iter()
        .filter(|f| f.check == "probe" && f.plane.as_deref() == Some(plane))
        .cloned()
        .collect()
}

#[test]
fn works_on_runtime_and_denied_on_mantle_shows_both_verdicts() {
    let aws = FakeAws::start();
    aws.fault(
        Match::op("ChatCompletions"),
        Fault::error(
            403,
            "access_denied",
            "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock-mantle:CreateInference on resource: arn:aws:bedrock-mantle:us-east-1:123456789012:project/default because no identity-based policy allows the bedrock-mantle:CreateInference action",
        ),
    );
    let out = check_models(&aws, "us-east-1", &[CLAUDE])
        .args(["--plane", "all"])
        .run();
    out.assert_code(1);
    let r = out.report();
    let runtime = on(&r, "runtime");
    assert_eq!(
        (runtime.len(), runtime[0].code, runtime[0].status),
        (1, Code::BD400, Status::Pass)
    );
    assert_eq!(runtime[0].aws.as_ref().unwrap().service, "bedrock-runtime");
    let mantle = on(&r, "mantle");
    assert_eq!(mantle.len(), 1);
    let m = &mantle[0];
    assert_eq!(
        (m.code, m.status, m.cause),
        (Code::BD401, Status::Fail, Cause::IamDeniedInvoke)
    );
    let evidence = m.aws.as_ref().unwrap();
    assert_eq!(
        (
            evidence.service.as_str(),
            evidence.operation.as_str(),
            evidence.http_status
        ),
        ("bedrock-mantle", "ChatCompletions", Some(403))
    );
    assert_eq!(evidence.error_code.as_deref(), Some("permission_denied_error"));
    assert_eq!(
        evidence.denial.as_ref().unwrap().action,
        "bedrock-mantle:CreateInference"
    );
    assert!(
        m.remediation[0].contains(
            "`bedrock-mantle:CreateInference` on `arn:aws:bedrock-mantle:us-east-1:123456789012:project/*`"
        ),
        "{:?}",
        m.remediation
    );
    // Signed for bedrock-mantle (the endpoint refuses `bedrock`), the listing first.
    let calls: Vec<_> = aws
        .requests()
        .into_iter()
        .filter(|q| ["ListModels", "ChatCompletions"].contains(&q.operation.as_str()))
        .collect();
    assert_eq!(
        calls.iter().map(|q| q.operation.as_str()).collect::<Vec<_>>(),
        ["ListModels", "ChatCompletions"]
    );
    assert!(
        calls
            .iter()
            .all(|q| q.service.as_deref() == Some("bedrock-mantle")),
        "{calls:#?}"
    );
    assert_eq!(
        (calls[0].method.as_str(), calls[0].path.as_str()),
        ("GET", "/v1/models")
    );
    assert_eq!(calls[1].path, "/v1/chat/completions");
    assert!(calls[1].body.contains(r#""max_tokens":1"#), "{}", calls[1].body);
    // The table's matrix gets a mantle column.
    let table = TestCommand::new()
        .fake_aws(&aws)
        .args([
            "check",
            "--region",
            "us-east-1",
            "--model",
            CLAUDE,
            "--plane",
            "all",
        ])
        .run();
    assert!(table.stdout.contains("Probe (mantle)"), "{}", table.stdout);
    let plain = TestCommand::new()
        .fake_aws(&aws)
        .args(["check", "--region", "us-east-1", "--model", CLAUDE])
        .run();
    assert!(!plain.stdout.contains("Probe (mantle)"));
}

#[test]
fn a_mantle_5xx_or_429_is_inconclusive() {
    for (status, code, message) in [
        (
            503,
            "service_unavailable",
            "The service is temporarily unavailable",
        ),
        (429, "rate_limit_exceeded", "Rate limit reached for requests"),
    ] {
        let aws = FakeAws::start();
        aws.fault(Match::op("ChatCompletions"), Fault::error(status, code, message));
        let out = check_models(&aws, "us-east-1", &[CLAUDE])
            .args(["--plane", "mantle"])
            .run();
        out.assert_code(0);
        let r = out.report();
        let m = &on(&r, "mantle")[0];
        assert_eq!(
            (m.code, m.status),
            (Code::BD411, Status::Inconclusive),
            "{status}: {m:#?}"
        );
        assert!(
            matches!(m.cause, Cause::Throttled | Cause::ServiceUnavailable),
            "{status}: {}",
            m.cause
        );
        assert!(on(&r, "runtime").is_empty(), "--plane mantle probes mantle only");
    }
}

#[test]
fn a_profile_id_is_refused_before_calling_and_an_unlisted_model_is_named() {
    let aws = FakeAws::start();
    aws.mantle_models("us-east-1", &["openai.gpt-oss-120b-1:0"]);
    let out = check_models(&aws, "us-east-1", &["us.amazon.nova-pro-v1:0", CLAUDE])
        .args(["--plane", "mantle"])
        .run();
    out.assert_code(1);
    let r = out.report();
    let profile = r
        .findings
        .iter()
        .find(|f| {
            f.plane.as_deref() == Some("mantle") && f.model.as_deref() == Some("us.amazon.nova-pro-v1:0")
        })
        .unwrap();
    assert_eq!(
        (profile.code, profile.cause),
        (Code::BD409, Cause::InvalidModelId)
    );
    assert!(
        profile.remediation[0].contains("`amazon.nova-pro-v1:0`"),
        "{:?}",
        profile.remediation
    );
    assert!(profile.aws.is_none(), "no call for a profile ID");
    let unlisted = r
        .findings
        .iter()
        .find(|f| f.plane.as_deref() == Some("mantle") && f.model.as_deref() == Some(CLAUDE))
        .unwrap();
    assert_eq!(
        (unlisted.code, unlisted.cause),
        (Code::BD409, Cause::ModelNotInRegion)
    );
    assert!(
        unlisted
            .detail
            .contains("GET /v1/models in us-east-1 lists 1 models"),
        "{}",
        unlisted.detail
    );
    assert!(
        aws.requests()
            .iter()
            .all(|q| !["ChatCompletions", "Responses", "Messages"].contains(&q.operation.as_str())),
        "nothing billed"
    );
}

#[test]
fn a_model_on_the_openai_route_is_found_there() {
    let aws = FakeAws::start();
    aws.openai_route(CLAUDE);
    let out = check_models(&aws, "us-east-1", &[CLAUDE])
        .args(["--plane", "mantle"])
        .run();
    out.assert_code(0);
    let r = out.report();
    let m = &on(&r, "mantle")[0];
    assert_eq!(m.code, Code::BD400);
    assert!(
        m.detail.contains("POST /openai/v1/chat/completions succeeded"),
        "{}",
        m.detail
    );
    assert!(m.detail.contains("served under /openai/v1"), "{}", m.detail);
}

#[test]
fn aws_endpoint_url_bedrock_mantle_takes_precedence() {
    let aws = FakeAws::start();
    let mantle = FakeAws::start();
    let out = check_models(&aws, "us-east-1", &[CLAUDE])
        .env("AWS_ENDPOINT_URL_BEDROCK_MANTLE", mantle.url())
        .args(["--plane", "mantle"])
        .run();
    out.assert_code(0);
    let count = |a: &FakeAws| {
        a.requests()
            .iter()
            .filter(|q| q.service.as_deref() == Some("bedrock-mantle"))
            .count()
    };
    assert_eq!((count(&aws), count(&mantle)), (0, 2));
}

#[test]
fn an_api_key_serves_mantle_and_explain_iam_simulates_the_mantle_action() {
    let aws = FakeAws::start();
    aws.bearer_token("ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLXRva2Vu");
    let out = check_models(&aws, "us-east-1", &[CLAUDE])
        .env(
            "AWS_BEARER_TOKEN_BEDROCK",
            "ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLXRva2Vu",
        )
        .args(["--plane", "mantle"])
        .run();
    out.assert_code(0);
    assert_eq!(on(&out.report(), "mantle")[0].code, Code::BD400);
    let mantle: Vec<_> = aws
        .requests()
        .into_iter()
        .filter(|q| q.operation == "ChatCompletions")
        .collect();
    assert!(
        mantle[0].bearer.is_some() && mantle[0].access_key.is_none(),
        "{mantle:#?}"
    );

    // A model the knowledge base says mantle serves in us-east-1.
    let gpt = "openai.gpt-5.5";
    let aws = FakeAws::start();
    aws.catalogue(
        "us-east-1",
        vec![crate::fake_aws::model_summary(
            "us-east-1",
            gpt,
            "OpenAI",
            &["ON_DEMAND"],
        )],
    );
    let out = check_models(&aws, "us-east-1", &[gpt])
        .args(["--plane", "all", "--explain-iam", "--no-invoke"])
        .run();
    out.assert_code(0);
    let r = out.report();
    let simulated: Vec<(String, String)> = r
        .findings
        .iter()
        .filter_map(|f| f.simulation.as_ref())
        .map(|s| (s.action.clone(), s.resource.clone()))
        .collect();
    assert!(
        simulated.contains(&(
            "bedrock-mantle:CreateInference".into(),
            "arn:aws:bedrock-mantle:us-east-1:123456789012:project/default".into()
        )),
        "{simulated:#?}"
    );
    assert!(simulated.iter().any(|(a, _)| a == "bedrock:InvokeModel"));
}

#[test]
fn an_unreachable_mantle_where_the_knowledge_base_knows_none_is_inconclusive_with_a_hint() {
    let aws = FakeAws::start();
    for op in ["ListModels", "ChatCompletions"] {
        aws.fault(Match::op(op), Fault::Reset);
    }
    let out = check_models(&aws, "ca-central-1", &[CLAUDE])
        .args(["--plane", "mantle"])
        .run();
    out.assert_code(0);
    let r = out.report();
    let m = &on(&r, "mantle")[0];
    assert_eq!(
        (m.code, m.status, m.cause),
        (Code::BD411, Status::Inconclusive, Cause::EndpointUnreachable)
    );
    assert!(
        m.detail
            .contains("lists no model on bedrock-mantle in ca-central-1"),
        "{}",
        m.detail
    );
}
