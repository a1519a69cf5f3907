//! Nothing hangs and every way of ending has its documented exit code: a credential process
//! that never returns, bytes that are not text, a panic.

use crate::fake_aws::FakeAws;
use crate::util::TestCommand;
use std::time::Duration;

/// A profile whose `credential_process` never returns.
fn hanging_profile(aws: &FakeAws) -> TestCommand {
    TestCommand::new()
        .env("AWS_ENDPOINT_URL", aws.url())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .file(
            ".aws/config",
            "[profile stuck]\ncredential_process = sleep 30\nregion = us-east-1\n",
        )
}

#[test]
fn a_credential_process_that_hangs_ends_models_and_invoke_within_the_timeout() {
    let aws = FakeAws::start();
    for args in [
        vec![
            "models",
            "--profile",
            "stuck",
            "--region",
            "us-east-1",
            "--timeout",
            "2",
        ],
        vec![
            "invoke",
            "--profile",
            "stuck",
            "--region",
            "us-east-1",
            "--model",
            "anthropic.claude-3-5-sonnet-20240620-v1:0",
            "--body",
            "-",
            "--timeout",
            "2",
        ],
    ] {
        let out = hanging_profile(&aws)
            .stdin(r#"{"anthropic_version":"bedrock-2023-05-31","max_tokens":3,"messages":[{"role":"user","content":"hi"}]}"#)
            .args(&args)
            .run();
        assert!(
            out.elapsed < Duration::from_secs(3),
            "{args:?} took {:?}",
            out.elapsed
        );
        assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("--timeout"), "{}", out.stderr);
    }
}

#[test]
fn bytes_that_are_not_utf8_are_triaged_not_a_crash() {
    let mut bytes = b"An error occurred (ThrottlingException) when calling the Converse operation: Too many requests \xff\xfe\x80".to_vec();
    bytes.extend((0..=255u8).cycle().take(200_000));
    let out = TestCommand::new()
        .stdin_bytes(bytes)
        .args(["triage", "--format", "json"])
        .run();
    out.assert_code(0);
    assert!(out.stdout.contains("\"throttled\""), "{}", out.stdout);
}

#[test]
fn a_panic_exits_3_with_one_line_and_no_backtrace() {
    let out = TestCommand::new()
        .env("BEDROCK_DOCTOR_TEST_PANIC", "1")
        .args(["explain", "BD101"])
        .run();
    out.assert_code(3);
    assert!(
        out.stderr.contains("internal error") && out.stderr.contains("forced"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("stack backtrace"), "{}", out.stderr);
}
