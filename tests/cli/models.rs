//! The `model-access` and `probe` checks against the local endpoint: every cause, as AWS
//! answers it, ends as the right finding for that (region, model).

use crate::fake_aws::{FakeAws, Fault, Match, image_summary, legacy_summary, model_summary, profile_summary};
use crate::util::{ReportExt, TestCommand};
use bedrock_doctor::codes::Code;
use bedrock_doctor::report::{Cause, Finding, Report, Status};

const CLAUDE: &str = "anthropic.claude-3-5-sonnet-20240620-v1:0";

use crate::util::check_models as check;

fn find<'a>(r: &'a Report, check: &str, region: &str, model: &str) -> Vec<&'a Finding> {
    r.findings
        .iter()
        .filter(|f| {
            f.check == check && f.region.as_deref() == Some(region) && f.model.as_deref() == Some(model)
        })
        .collect()
}

fn probe<'a>(r: &'a Report, region: &str, model: &str) -> &'a Finding {
    let f = find(r, "probe", region, model);
    assert_eq!(f.len(), 1, "one probe finding for {region} {model}: {f:#?}");
    f[0]
}

/// One run, one model per cause: the endpoint answers each probe as AWS does.
#[test]
fn every_probe_failure_gets_its_cause_code_and_status() {
    let r403 = |msg: &str| Fault::error(403, "AccessDeniedException", msg);
    let cases: Vec<(&str, Fault, Code, Cause, Status)> = vec![
        ("anthropic.case-iam-v1:0", r403("User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/anthropic.case-iam-v1:0 because no identity-based policy allows the bedrock:InvokeModel action"), Code::BD401, Cause::IamDeniedInvoke, Status::Fail),
        ("anthropic.case-scp-v1:0", r403("User: arn:aws:sts::123456789012:assumed-role/app/s is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/anthropic.case-scp-v1:0 with an explicit deny in a service control policy: arn:aws:organizations::111111111111:policy/o-abc/service_control_policy/p-123"), Code::BD402, Cause::ScpDenied, Status::Fail),
        ("anthropic.case-mkt-v1:0", r403("Model access is denied due to IAM user or service role is not authorized to perform the required AWS Marketplace actions (aws-marketplace:ViewSubscriptions, aws-marketplace:Subscribe) to enable access to this model. Refer to the Amazon Bedrock documentation for further details. Your AWS Marketplace subscription for this model cannot be completed at this time. If you recently fixed this issue, try again after 2 minutes."), Code::BD403, Cause::IamDeniedMarketplace, Status::Fail),
        ("anthropic.case-pay-v1:0", r403("Model access is denied due to INVALID_PAYMENT_INSTRUMENT:A valid payment instrument must be provided.. Your AWS Marketplace subscription for this model cannot be completed at this time."), Code::BD404, Cause::MarketplaceAgreementMissing, Status::Fail),
        ("anthropic.case-ftu-v1:0", Fault::error(404, "ResourceNotFoundException", "Model use case details have not been submitted for this account. Fill out the Anthropic use case details form before using the model. If you have already filled out the form, try again in 15 minutes."), Code::BD405, Cause::AnthropicUseCaseForm, Status::Fail),
        ("anthropic.case-access-v1:0", r403("You don't have access to the model with the specified model ID."), Code::BD406, Cause::ModelAccessNotGranted, Status::Fail),
        ("anthropic.case-gated-v1:0", Fault::Raw { status: 403, headers: vec![("Content-Type".into(), "application/json".into())], body: r#"{"type":"error","error":{"type":"permission_error","message":"This model is not available for this account. Please contact AWS Sales."}}"#.into() }, Code::BD406, Cause::ModelAccessNotGranted, Status::Fail),
        ("anthropic.case-legacy-v1:0", Fault::error(404, "ResourceNotFoundException", "Access denied. This Model is marked by provider as Legacy and you have not been actively using the model in the last 30 days. Please upgrade to an active model on Amazon Bedrock"), Code::BD408, Cause::ModelEolLegacy, Status::Fail),
        ("anthropic.case-eol-v1:0", Fault::error(404, "ResourceNotFoundException", "This model version has reached the end of its life. Please refer to the AWS documentation for more details."), Code::BD408, Cause::ModelEolLegacy, Status::Fail),
        ("anthropic.case-invalid-v1:0", Fault::error(404, "ResourceNotFoundException", "Could not resolve the foundation model from the provided model identifier."), Code::BD409, Cause::InvalidModelId, Status::Fail),
        ("anthropic.case-body-v1:0", Fault::error(400, "ValidationException", "Malformed input request: #: extraneous key [top_k] is not permitted, please reformat your input and try again."), Code::BD410, Cause::MalformedBody, Status::Fail),
        ("anthropic.case-prompt-v1:0", Fault::error(400, "ValidationException", "\"claude-3-5-sonnet\" is not supported on this API. Please use the Messages API instead."), Code::BD410, Cause::LegacyPromptFormat, Status::Fail),
        ("anthropic.case-throttle-v1:0", Fault::error(429, "ThrottlingException", "Too many requests, please wait before trying again."), Code::BD411, Cause::Throttled, Status::Inconclusive),
        ("anthropic.case-daily-v1:0", Fault::error(429, "ThrottlingException", "Too many tokens per day, please wait before trying again."), Code::BD411, Cause::QuotaExceeded, Status::Inconclusive),
        ("anthropic.case-timeout-v1:0", Fault::error(408, "ModelTimeoutException", "Model has timed out in processing the request. Try your request again."), Code::BD411, Cause::ModelTimeout, Status::Inconclusive),
        ("anthropic.case-5xx-v1:0", Fault::error(503, "ServiceUnavailableException", "Bedrock is unable to process your request."), Code::BD411, Cause::ServiceUnavailable, Status::Inconclusive),
        ("anthropic.case-500-v1:0", Fault::error(500, "InternalServerException", "The server encountered an internal error while processing the request."), Code::BD411, Cause::ServiceUnavailable, Status::Inconclusive),
        ("anthropic.case-424-v1:0", Fault::error(424, "ModelErrorException", "The model returned an error."), Code::BD411, Cause::ServiceUnavailable, Status::Inconclusive),
    ];
    let aws = FakeAws::start();
    let mut catalogue = vec![];
    for (m, fault, ..) in &cases {
        catalogue.push(model_summary("us-east-1", m, "Anthropic", &["ON_DEMAND"]));
        aws.fault(Match::op("Converse").model(m), fault.clone());
    }
    aws.catalogue("us-east-1", catalogue);
    let models: Vec<&str> = cases.iter().map(|c| c.0).collect();
    let out = check(&aws, "us-east-1", &models).args(["--timeout", "20"]).run();
    out.assert_code(1);
    let r = out.report();
    for (m, _, code, cause, status) in &cases {
        let f = probe(&r, "us-east-1", m);
        assert_eq!(
            (f.code, f.cause, f.status),
            (*code, *cause, *status),
            "{m}: {}",
            f.detail
        );
        let e = f.aws.as_ref().unwrap();
        assert_eq!(
            (e.service.as_str(), e.operation.as_str()),
            ("bedrock-runtime", "Converse")
        );
        assert!(e.request_id.is_some(), "{m} has a request id");
        // The control plane said the model is fine: the probe is what failed.
        assert_eq!(
            find(&r, "model-access", "us-east-1", m)
                .iter()
                .find(|f| f.code == Code::BD200)
                .unwrap()
                .status,
            Status::Pass
        );
    }
}

#[test]
fn capacity_problems_alone_never_fail_the_run() {
    let aws = FakeAws::start();
    aws.fault(
        Match::op("Converse").region("us-east-1"),
        Fault::error(
            429,
            "ThrottlingException",
            "Too many requests, please wait before trying again.",
        ),
    );
    aws.fault(
        Match::op("Converse").region("us-west-2"),
        Fault::error(
            503,
            "ServiceUnavailableException",
            "Bedrock is unable to process your request.",
        ),
    );
    aws.fault(Match::op("Converse").region("eu-west-1"), Fault::Hang);
    let out = check(&aws, "us-east-1,us-west-2,eu-west-1", &[CLAUDE])
        .args(["--timeout", "6"])
        .run();
    out.assert_code(0);
    let r = out.report();
    for (region, cause) in [
        ("us-east-1", Cause::Throttled),
        ("us-west-2", Cause::ServiceUnavailable),
        ("eu-west-1", Cause::EndpointUnreachable),
    ] {
        let f = probe(&r, region, CLAUDE);
        assert_eq!(
            (f.code, f.status, f.cause),
            (Code::BD411, Status::Inconclusive, cause),
            "{region}"
        );
        // No answer is no verdict: the title does not say the model cannot be invoked.
        assert!(f.title.contains("could not be verified in"), "{}", f.title);
    }
    let hung = probe(&r, "eu-west-1", CLAUDE);
    assert!(
        hung.detail
            .starts_with("Converse got no answer: no answer within the timeout"),
        "{}",
        hung.detail
    );
    assert!(
        hung.remediation[0].contains("--timeout"),
        "{:?}",
        hung.remediation
    );
    assert_eq!(r.summary.fail, 0);
    assert!(!r.incomplete);
    // Throttling was retried with backoff (bounded), not taken at face value.
    let tries = aws
        .requests()
        .iter()
        .filter(|q| q.operation == "Converse" && q.region.as_deref() == Some("us-east-1"))
        .count();
    assert_eq!(tries, 3);
}

#[test]
fn a_model_that_is_not_ready_is_retried_before_a_verdict() {
    let aws = FakeAws::start();
    aws.fault_times(
        Match::op("Converse"),
        Fault::error(
            429,
            "ModelNotReadyException",
            "Model is not ready for inference. Wait and try your request again.",
        ),
        4,
    );
    let out = check(&aws, "us-east-1", &[CLAUDE])
        .args(["--timeout", "12"])
        .run();
    out.assert_code(0);
    let r = out.report();
    let f = probe(&r, "us-east-1", CLAUDE);
    assert_eq!((f.code, f.status), (Code::BD400, Status::Pass));
    assert_eq!(
        aws.requests()
            .iter()
            .filter(|q| q.operation == "Converse")
            .count(),
        5
    );
}

#[test]
fn bare_id_of_a_profile_only_model_names_the_profile_to_use() {
    let aws = FakeAws::start();
    aws.profiles(
        "us-east-1",
        vec![profile_summary(
            "us-east-1",
            "us.amazon.nova-pro-v1:0",
            "amazon.nova-pro-v1:0",
            &["us-east-1", "us-east-2", "us-west-2"],
        )],
    );
    let out = check(
        &aws,
        "us-east-1",
        &["amazon.nova-pro-v1:0", "us.amazon.nova-pro-v1:0"],
    )
    .run();
    out.assert_code(1);
    let r = out.report();
    let cat = find(&r, "model-access", "us-east-1", "amazon.nova-pro-v1:0")
        .into_iter()
        .find(|f| f.code == Code::BD202)
        .unwrap();
    assert_eq!(
        (cat.status, cat.cause),
        (Status::Fail, Cause::NeedsInferenceProfile)
    );
    assert!(
        cat.remediation[0].contains("`us.amazon.nova-pro-v1:0`"),
        "{:?}",
        cat.remediation
    );
    let p = probe(&r, "us-east-1", "amazon.nova-pro-v1:0");
    assert_eq!((p.code, p.cause), (Code::BD407, Cause::NeedsInferenceProfile));
    // The profile itself works, and its destinations are spelled out for IAM.
    let prof = find(&r, "model-access", "us-east-1", "us.amazon.nova-pro-v1:0")
        .into_iter()
        .find(|f| f.code == Code::BD210)
        .unwrap();
    assert_eq!(prof.status, Status::Pass);
    assert!(
        prof.detail
            .contains("arn:aws:bedrock:us-east-2::foundation-model/amazon.nova-pro-v1:0"),
        "{}",
        prof.detail
    );
    assert_eq!(
        probe(&r, "us-east-1", "us.amazon.nova-pro-v1:0").status,
        Status::Pass
    );
}

/// The seed: primary ap-southeast-1 and fallback ap-northeast-1, fine in one and denied in the
/// other. The report must make the broken fallback obvious.
#[test]
fn broken_fallback_region_is_obvious() {
    let aws = FakeAws::start();
    aws.fault(
        Match::op("Converse").region("ap-northeast-1"),
        Fault::error(403, "AccessDeniedException", &format!("User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:ap-northeast-1::foundation-model/{CLAUDE} because no identity-based policy allows the bedrock:InvokeModel action")),
    );
    let out = check(&aws, "ap-southeast-1,ap-northeast-1", &[CLAUDE]).run();
    out.assert_code(1);
    let r = out.report();
    assert_eq!(probe(&r, "ap-southeast-1", CLAUDE).status, Status::Pass);
    let f = probe(&r, "ap-northeast-1", CLAUDE);
    assert_eq!(
        (f.code, f.status, f.cause),
        (Code::BD401, Status::Fail, Cause::IamDeniedInvoke)
    );
    assert!(
        f.title.starts_with("fallback ap-northeast-1 cannot serve"),
        "{}",
        f.title
    );
    assert!(f.detail.contains("fails over from ap-southeast-1"));
    // The table says it too.
    let table = TestCommand::new()
        .fake_aws(&aws)
        .env("COLUMNS", "400")
        .args([
            "check",
            "--region",
            "ap-southeast-1,ap-northeast-1",
            "--model",
            CLAUDE,
        ])
        .run();
    assert!(
        table.stdout.contains("fallback ap-northeast-1 cannot serve"),
        "{}",
        table.stdout
    );
    assert!(
        table.stdout.contains("iam_denied_invoke (BD401)"),
        "{}",
        table.stdout
    );
}

#[test]
fn model_missing_from_a_region_says_where_it_is_offered() {
    let aws = FakeAws::start();
    aws.catalogue(
        "eu-west-3",
        vec![model_summary(
            "eu-west-3",
            "amazon.titan-text-lite-v1",
            "Amazon",
            &["ON_DEMAND"],
        )],
    );
    let out = check(&aws, "us-east-1,eu-west-3", &[CLAUDE]).run();
    out.assert_code(1);
    let r = out.report();
    let f = find(&r, "model-access", "eu-west-3", CLAUDE)
        .into_iter()
        .find(|f| f.code == Code::BD201)
        .unwrap();
    assert_eq!((f.status, f.cause), (Status::Fail, Cause::ModelNotInRegion));
    assert!(f.detail.contains("offered in us-east-1"), "{}", f.detail);
    // No profile callable from eu-west-3 routes to it: the step names where it is offered.
    assert!(
        f.remediation
            .iter()
            .any(|s| s.starts_with("Call it in us-east-1")),
        "{:?}",
        f.remediation
    );
    // The runtime's ambiguous "identifier is invalid" is resolved with the catalogue.
    let p = probe(&r, "eu-west-3", CLAUDE);
    assert_eq!((p.code, p.cause), (Code::BD409, Cause::ModelNotInRegion));
}

/// An end of life within --eol-warn-days warns with the date and the days left, Legacy or not.
#[test]
fn an_end_of_life_within_the_warning_window_counts_down() {
    let in_days = |d: i64| {
        (time::OffsetDateTime::now_utc() + time::Duration::days(d) + time::Duration::hours(2))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let aws = FakeAws::start();
    let mut active = model_summary("us-east-1", "amazon.nova-pro-v1:0", "Amazon", &["ON_DEMAND"]);
    active["modelLifecycle"] = serde_json::json!({"status": "ACTIVE", "endOfLifeTime": in_days(30)});
    aws.catalogue(
        "us-east-1",
        vec![
            legacy_summary("us-east-1", CLAUDE, "2025-07-21T00:00:00Z", &in_days(30)),
            active,
        ],
    );
    let out = check(&aws, "us-east-1", &[CLAUDE, "amazon.nova-pro-v1:0"])
        .args(["--no-invoke"])
        .run();
    out.assert_code(0);
    let r = out.report();
    for model in [CLAUDE, "amazon.nova-pro-v1:0"] {
        let f = find(&r, "model-access", "us-east-1", model)
            .into_iter()
            .find(|f| f.code == Code::BD203)
            .unwrap_or_else(|| panic!("no countdown for {model}"));
        assert_eq!(f.status, Status::Warn);
        assert!(f.title.contains("end of life in 30 days"), "{}", f.title);
        assert!(f.title.contains(&in_days(30)[..10]), "{}", f.title);
    }
    // With a shorter window, the active model's end of life is not yet worth a warning.
    let out = check(&aws, "us-east-1", &["amazon.nova-pro-v1:0"])
        .args(["--no-invoke", "--eol-warn-days", "10"])
        .run();
    assert!(out.report().findings.iter().all(|f| f.code != Code::BD203));
}

#[test]
fn legacy_models_warn_before_and_fail_after_end_of_life() {
    let aws = FakeAws::start();
    aws.catalogue(
        "us-east-1",
        vec![
            legacy_summary(
                "us-east-1",
                "anthropic.claude-v2:1",
                "2025-07-21T00:00:00Z",
                "2099-01-01T00:00:00Z",
            ),
            legacy_summary(
                "us-east-1",
                "anthropic.claude-instant-v1",
                "2024-10-01T00:00:00Z",
                "2025-10-01T00:00:00Z",
            ),
        ],
    );
    let out = check(
        &aws,
        "us-east-1",
        &["anthropic.claude-v2:1", "anthropic.claude-instant-v1"],
    )
    .args(["--no-invoke"])
    .run();
    out.assert_code(1);
    let r = out.report();
    let soon = find(&r, "model-access", "us-east-1", "anthropic.claude-v2:1")
        .into_iter()
        .find(|f| f.code == Code::BD203)
        .unwrap();
    assert_eq!((soon.status, soon.cause), (Status::Warn, Cause::ModelEolLegacy));
    assert!(
        soon.detail.contains("end of life 2099-01-01T00:00:00Z"),
        "{}",
        soon.detail
    );
    let gone = find(&r, "model-access", "us-east-1", "anthropic.claude-instant-v1")
        .into_iter()
        .find(|f| f.code == Code::BD203)
        .unwrap();
    assert_eq!((gone.status, gone.cause), (Status::Fail, Cause::ModelEolLegacy));
}

#[test]
fn entitlement_hints_are_hints_the_probe_decides() {
    let aws = FakeAws::start();
    aws.availability(
        "us-east-1",
        CLAUDE,
        "NOT_AVAILABLE",
        "AUTHORIZED",
        "AVAILABLE",
        "AVAILABLE",
    );
    aws.use_case_missing();
    let out = check(&aws, "us-east-1", &[CLAUDE]).run();
    // The probe succeeded: negative hints warn, they never fail the run.
    out.assert_code(0);
    let r = out.report();
    let hint = find(&r, "model-access", "us-east-1", CLAUDE)
        .into_iter()
        .find(|f| f.code == Code::BD206)
        .unwrap();
    assert_eq!(
        (hint.status, hint.cause),
        (Status::Warn, Cause::MarketplaceAgreementMissing)
    );
    let form = r.finding(Code::BD207);
    assert_eq!(
        (form.status, form.cause),
        (Status::Warn, Cause::AnthropicUseCaseForm)
    );
    let evidence = form.aws.as_ref().unwrap();
    assert_eq!(
        (evidence.http_status, evidence.error_code.as_deref()),
        (Some(404), Some("ResourceNotFoundException"))
    );
    assert_eq!(probe(&r, "us-east-1", CLAUDE).status, Status::Pass);
}

/// A 200 whose form is empty is what AWS answered: the finding says so, not "404".
#[test]
fn an_empty_use_case_form_is_reported_as_answered() {
    let aws = FakeAws::start();
    aws.fault(
        Match::op("GetUseCaseForModelAccess"),
        Fault::Raw {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: r#"{"formData": ""}"#.into(),
        },
    );
    let out = check(&aws, "us-east-1", &[CLAUDE]).run();
    let r = out.report();
    let form = r.finding(Code::BD207);
    let evidence = form.aws.as_ref().unwrap();
    assert_eq!(
        (evidence.http_status, evidence.error_code.as_deref()),
        (Some(200), None)
    );
    assert!(evidence.message.as_deref().unwrap().contains("empty"));
}

#[test]
fn a_denied_hint_read_is_a_skip_not_a_verdict() {
    let aws = FakeAws::start();
    aws.fault(Match::op("GetFoundationModelAvailability"), Fault::error(403, "AccessDeniedException", "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:GetFoundationModelAvailability"));
    aws.fault(Match::op("GetUseCaseForModelAccess"), Fault::error(403, "AccessDeniedException", "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:GetUseCaseForModelAccess"));
    let out = check(&aws, "us-east-1", &[CLAUDE]).run();
    out.assert_code(0);
    let r = out.report();
    let skipped: Vec<_> = r.findings.iter().filter(|f| f.code == Code::BD208).collect();
    assert_eq!(skipped.len(), 2, "{skipped:#?}");
    assert!(skipped.iter().all(|f| f.status == Status::Skip));
    assert!(
        skipped
            .iter()
            .any(|f| f.remediation[0].contains("bedrock:GetFoundationModelAvailability"))
    );
}

#[test]
fn profile_of_another_geography_cannot_be_called() {
    let aws = FakeAws::start();
    let out = check(
        &aws,
        "eu-west-1",
        &["us.anthropic.claude-3-5-sonnet-20240620-v1:0"],
    )
    .run();
    out.assert_code(1);
    let r = out.report();
    let m = "us.anthropic.claude-3-5-sonnet-20240620-v1:0";
    let f = find(&r, "model-access", "eu-west-1", m)
        .into_iter()
        .find(|f| f.code == Code::BD204)
        .unwrap();
    assert_eq!((f.status, f.cause), (Status::Fail, Cause::ModelNotInRegion));
    let p = probe(&r, "eu-west-1", m);
    assert_eq!((p.code, p.cause), (Code::BD409, Cause::ModelNotInRegion));
    // Both name what eu-west-1 can call for the same model: its own geography's profile.
    let instead = "Call `eu.anthropic.claude-3-5-sonnet-20240620-v1:0` from eu-west-1 instead: it routes to the same model";
    assert_eq!(f.remediation[0], instead);
    assert_eq!(p.remediation[0], instead);
}

#[test]
fn no_invoke_sends_no_runtime_call() {
    let aws = FakeAws::start();
    let out = check(&aws, "us-east-1", &[CLAUDE]).args(["--no-invoke"]).run();
    out.assert_code(0);
    let r = out.report();
    let f = probe(&r, "us-east-1", CLAUDE);
    assert_eq!((f.code, f.status), (Code::BD412, Status::Skip));
    assert!(aws.requests().iter().all(|q| !q.path.starts_with("/model/")));
    assert!(r.probes.is_none());
}

#[test]
fn embeddings_are_probed_with_invoke_model_and_images_only_on_request() {
    let aws = FakeAws::start();
    let mut cat = vec![image_summary("us-east-1", "amazon.nova-canvas-v1:0")];
    cat.push(crate::fake_aws::embedding_summary(
        "us-east-1",
        "amazon.titan-embed-text-v2:0",
    ));
    aws.catalogue("us-east-1", cat);
    let models = ["amazon.titan-embed-text-v2:0", "amazon.nova-canvas-v1:0"];
    let out = check(&aws, "us-east-1", &models).run();
    out.assert_code(0);
    let r = out.report();
    let embed = probe(&r, "us-east-1", models[0]);
    assert_eq!(
        (embed.code, embed.aws.as_ref().unwrap().operation.as_str()),
        (Code::BD400, "InvokeModel")
    );
    assert_eq!(probe(&r, "us-east-1", models[1]).code, Code::BD412);
    assert!(
        !aws.requests()
            .iter()
            .any(|q| q.model.as_deref() == Some(models[1]) && q.path.starts_with("/model/"))
    );

    let out = check(&aws, "us-east-1", &models).args(["--probe-images"]).run();
    out.assert_code(0);
    let r = out.report();
    assert_eq!(probe(&r, "us-east-1", models[1]).code, Code::BD400);
    assert_eq!(r.probes.unwrap().images, 1);
}

#[test]
fn malformed_identifier_is_rejected_offline() {
    let aws = FakeAws::start();
    let out = check(&aws, "us-east-1", &["Claude 3.5 Sonnet"]).run();
    out.assert_code(1);
    let r = out.report();
    let f = r.finding(Code::BD209);
    assert_eq!(
        (f.status, f.cause, f.model.as_deref()),
        (Status::Fail, Cause::InvalidModelId, Some("Claude 3.5 Sonnet"))
    );
    assert!(aws.requests().iter().all(|q| q.model.is_none()));
}

/// Restraint: a catalogue is fetched once per region, the use-case form once per run, and every
/// call names bedrock-doctor in its user agent.
#[test]
fn no_call_is_made_twice() {
    let aws = FakeAws::start();
    let out = check(
        &aws,
        "us-east-1,us-west-2",
        &[
            CLAUDE,
            "amazon.titan-embed-text-v2:0",
            "anthropic.claude-missing-v9:0",
        ],
    )
    .run();
    out.assert_code(1);
    let reqs = aws.requests();
    for region in ["us-east-1", "us-west-2"] {
        let n = reqs
            .iter()
            .filter(|q| q.operation == "ListFoundationModels" && q.region.as_deref() == Some(region))
            .count();
        assert_eq!(n, 1, "catalogue of {region} fetched {n} times");
    }
    assert_eq!(
        reqs.iter()
            .filter(|q| q.operation == "GetUseCaseForModelAccess")
            .count(),
        1
    );
    let mut seen = std::collections::HashSet::new();
    for q in &reqs {
        assert!(q.user_agent.contains("bedrock-doctor"), "{}", q.user_agent);
        assert!(
            seen.insert((q.operation.clone(), q.region.clone(), q.model.clone())),
            "repeated: {} {:?} {:?}",
            q.operation,
            q.region,
            q.model
        );
    }
    let r = out.report();
    let p = r.probes.unwrap();
    assert_eq!(p.calls, 4);
    assert!(p.estimated_usd_max > 0.0 && p.estimated_usd_max < 0.01);
}

/// A profile the region lists but the runtime refuses is not suggested as its own replacement.
#[test]
fn a_refused_identifier_is_never_its_own_suggestion() {
    let aws = FakeAws::start();
    let m = "eu.anthropic.claude-3-5-sonnet-20240620-v1:0";
    aws.fault(
        Match::op("Converse").region("eu-west-1").model(m),
        Fault::error(
            400,
            "ValidationException",
            "The provided model identifier is invalid.",
        ),
    );
    let r = check(&aws, "eu-west-1", &[m]).run().report();
    let p = probe(&r, "eu-west-1", m);
    assert_eq!(p.code, Code::BD409);
    assert!(
        p.remediation.iter().all(|s| !s.contains(&format!("Call `{m}`"))),
        "{:?}",
        p.remediation
    );
}
