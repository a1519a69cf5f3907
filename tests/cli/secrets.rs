//! Secrets never leave: canary values planted everywhere must appear in no output.

use crate::fake_aws::{FakeAws, Fault, Match, VALID_KEY};
use crate::util::TestCommand;

const SECRET: &str = "CANARYsecretKEY/0123456789abcdefghijklmn";
const TOKEN: &str = "CANARYsessionTOKEN//////IQoJb3JpZ2luX2VjEXAMPLE";
const BEARER: &str = "ABSKCANARYbearerTOKEN0123456789";
const PROFILE_SECRET: &str = "CANARYprofileSECRET/zyxwvutsrqponmlk";

#[test]
fn no_secret_in_any_output_at_any_verbosity() {
    let aws = FakeAws::start();
    aws.bearer_token(BEARER);
    // An AWS error that echoes a secret back must not carry it out either.
    aws.fault(
        Match::op("ListFoundationModels").region("eu-west-1"),
        Fault::error(400, "ValidationException", &format!("bad header value {TOKEN}")),
    );
    for verbosity in ["-v", "-vv"] {
        for format in ["table", "json"] {
            let out = TestCommand::new()
                .fake_aws(&aws)
                .keys(VALID_KEY, SECRET)
                .env("AWS_SESSION_TOKEN", TOKEN)
                .env("AWS_BEARER_TOKEN_BEDROCK", BEARER)
                .file(
                    ".aws/credentials",
                    &format!(
                        "[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = {PROFILE_SECRET}\n"
                    ),
                )
                .args([
                    "check",
                    verbosity,
                    "--format",
                    format,
                    "--region",
                    "us-east-1,eu-west-1",
                    // Every plane and the IAM simulator too: each signs or carries the key.
                    "--model",
                    "anthropic.claude-3-5-sonnet-20240620-v1:0",
                    "--plane",
                    "all",
                    "--explain-iam",
                ])
                .run();
            assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
            assert!(out.stderr.len() > 100, "expected logs at {verbosity}");
            assert!(
                out.stdout.contains("bedrock-mantle") || format == "table",
                "mantle was probed"
            );
            for canary in [SECRET, TOKEN, BEARER, PROFILE_SECRET] {
                assert!(
                    !out.stdout.contains(canary),
                    "{canary} in stdout ({verbosity}, {format})"
                );
                assert!(
                    !out.stderr.contains(canary),
                    "{canary} in stderr ({verbosity}, {format})"
                );
            }
        }
    }
}

const SSO_TOKEN: &str = "CANARYssoACCESStokenAAAAbbbbCCCCdddd0123456789";
const SSO_REFRESH: &str = "CANARYssoREFRESHtokenZZZZyyyyXXXX9876543210";

/// An SSO profile whose cached token the SDK reads: neither the token nor the refresh token may
/// appear, whatever the SSO endpoint answers and at any verbosity.
#[test]
fn sso_cache_tokens_never_appear() {
    let aws = FakeAws::start();
    for verbosity in ["-v", "-vv"] {
        let out = TestCommand::new()
            .env("AWS_ENDPOINT_URL", aws.url())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .file(
                ".aws/config",
                "[profile corp]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\nregion = us-east-1\n\n[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n",
            )
            .file(
                ".aws/sso/cache/0123456789abcdef.json",
                &format!("{{\"startUrl\": \"https://example.awsapps.com/start\", \"region\": \"us-east-1\", \"accessToken\": \"{SSO_TOKEN}\", \"expiresAt\": \"2099-01-01T00:00:00Z\", \"refreshToken\": \"{SSO_REFRESH}\"}}"),
            )
            .args(["check", verbosity, "--format", "json", "--profile", "corp"])
            .run();
        assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
        assert!(out.stderr.len() > 100, "logs expected at {verbosity}");
        for canary in [SSO_TOKEN, SSO_REFRESH] {
            assert!(
                !out.stdout.contains(canary) && !out.stderr.contains(canary),
                "{canary} leaked at {verbosity}"
            );
        }
    }
}

const URL_PASSWORD: &str = "CANARYurlPASSWORD0123";
const PROXY_PASSWORD: &str = "CANARYproxyPASSWORD4567";
const PROFILE_URL_PASSWORD: &str = "CANARYprofileURLpass8901";
const WEB_IDENTITY: &str = "CANARYwebIDENTITYtokenEXAMPLEeyJhbGciOi";
const CONTAINER_TOKEN: &str = "CANARYcontainerAUTHtoken2345";
const CONTAINER_FILE_TOKEN: &str = "CANARYcontainerFILEtoken6789";
const PROCESS_STDERR: &str = "CANARYprocessSTDERRtoken1111";

/// Canaries in every source a run can meet, through every command and format, with files, at
/// -vv and at BEDROCK_DOCTOR_LOG=trace: none may appear in stdout, stderr or any file.
#[test]
fn canaries_from_every_source_never_leave() {
    let aws = FakeAws::start();
    aws.bearer_token(BEARER);
    let url = aws.url();
    let with_password = url.replacen("http://", &format!("http://admin:{URL_PASSWORD}@"), 1);
    let canaries = [
        SECRET,
        TOKEN,
        BEARER,
        URL_PASSWORD,
        PROXY_PASSWORD,
        PROFILE_URL_PASSWORD,
        WEB_IDENTITY,
        CONTAINER_TOKEN,
        CONTAINER_FILE_TOKEN,
        PROCESS_STDERR,
    ];
    let base = |extra: &[&str], logs: (&str, &str)| {
        let cmd = TestCommand::new().fake_aws(&aws);
        let home = cmd.home_path();
        let mut cmd = cmd
            .keys(VALID_KEY, SECRET)
            .env("AWS_SESSION_TOKEN", TOKEN)
            .env("AWS_BEARER_TOKEN_BEDROCK", BEARER)
            .env("AWS_ENDPOINT_URL", &with_password)
            // A proxy for HTTPS only: the endpoint is plain HTTP, so the run does not use it.
            .env("HTTPS_PROXY", format!("http://user:{PROXY_PASSWORD}@127.0.0.1:9"))
            .env("ALL_PROXY", format!("socks5://user:{PROXY_PASSWORD}@127.0.0.1:9"))
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env("AWS_WEB_IDENTITY_TOKEN_FILE", home.join("web-identity-token"))
            .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", CONTAINER_TOKEN)
            .env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", home.join("container-token"))
            .env(logs.0, logs.1)
            .file("web-identity-token", WEB_IDENTITY)
            .file("container-token", CONTAINER_FILE_TOKEN)
            .file(
                ".aws/config",
                &format!(
                    "[profile proxied]\nendpoint_url = http://svc:{PROFILE_URL_PASSWORD}@127.0.0.1:9\n\n[profile failing]\ncredential_process = sh -c 'echo {PROCESS_STDERR} >&2; exit 1'\nregion = us-east-1\n"
                ),
            );
        for a in extra {
            cmd = cmd.args([*a]);
        }
        (cmd, home)
    };
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<String> = ["json", "markdown", "sarif", "junit", "github", "table"]
        .iter()
        .map(|f| format!("{f}={}", dir.path().join(format!("report.{f}")).display()))
        .collect();
    let mut runs: Vec<Vec<String>> = Vec::new();
    for format in ["table", "json", "markdown", "sarif", "junit", "github"] {
        let mut check: Vec<String> = [
            "check",
            "--region",
            "us-east-1",
            "--model",
            CLAUDE_ID,
            "--format",
            format,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for f in &files {
            check.extend(["--output".to_string(), f.clone()]);
        }
        runs.push(check);
    }
    runs.push(
        ["models", "--region", "us-east-1", "--format", "json"]
            .map(String::from)
            .to_vec(),
    );
    runs.push(["models", "--region", "us-east-1"].map(String::from).to_vec());
    runs.push(
        [
            "invoke",
            "--dry-run",
            "--region",
            "us-east-1",
            "--model",
            CLAUDE_ID,
            "--body",
            "-",
            "--format",
            "json",
        ]
        .map(String::from)
        .to_vec(),
    );
    for format in ["table", "json", "markdown"] {
        runs.push(
            [
                "triage",
                "--verify",
                "--format",
                format,
                "AccessDeniedException in us-east-1",
            ]
            .map(String::from)
            .to_vec(),
        );
    }
    // The failing credential_process, whose stderr carries a canary.
    runs.push(
        [
            "check",
            "--profile",
            "failing",
            "--region",
            "us-east-1",
            "--format",
            "json",
        ]
        .map(String::from)
        .to_vec(),
    );
    runs.push(
        [
            "check",
            "--profile",
            "proxied",
            "--region",
            "us-east-1",
            "--format",
            "json",
        ]
        .map(String::from)
        .to_vec(),
    );
    for logs in [("RUST_LOG_UNUSED", "1"), ("BEDROCK_DOCTOR_LOG", "trace")] {
        for run in &runs {
            let mut args: Vec<&str> = run.iter().map(String::as_str).collect();
            if logs.0 != "BEDROCK_DOCTOR_LOG" {
                args.push("-vv");
            }
            let (cmd, _home) = base(&args, logs);
            let out = cmd
                .stdin(r#"{"anthropic_version":"bedrock-2023-05-31","max_tokens":3,"messages":[{"role":"user","content":"hi"}]}"#)
                .run();
            assert!(
                matches!(out.code, 0..=3),
                "{args:?}: exit {} {}",
                out.code,
                out.stderr
            );
            for canary in canaries {
                assert!(!out.stdout.contains(canary), "{canary} in stdout of {args:?}");
                assert!(
                    !out.stderr.contains(canary),
                    "{canary} in stderr of {args:?} ({})",
                    logs.0
                );
            }
            for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                for canary in canaries {
                    assert!(!text.contains(canary), "{canary} in {}", entry.path().display());
                }
            }
        }
    }
}

const CLAUDE_ID: &str = "anthropic.claude-3-5-sonnet-20240620-v1:0";

/// A short-term Bedrock API key is read for its region and expiry; neither the key nor the
/// presigned URL inside it (its signature, its session token) reaches any output.
#[test]
fn a_short_term_api_key_is_read_but_never_printed() {
    use base64::Engine as _;
    let made = time::OffsetDateTime::now_utc();
    let date = made
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap();
    let url = format!(
        "bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIACANARYKEYID00001%2F{}%2Fus-east-1%2Fbedrock%2Faws4_request&X-Amz-Date={date}&X-Amz-Expires=43200&X-Amz-Security-Token=CANARYpresignedSESSIONtoken&X-Amz-Signature=CANARYsignature0123456789abcdef&X-Amz-SignedHeaders=host&Version=1",
        &date[..8]
    );
    let key = format!(
        "bedrock-api-key-{}",
        base64::engine::general_purpose::STANDARD.encode(url)
    );
    let aws = FakeAws::start();
    aws.bearer_token(&key);
    for verbosity in ["-v", "-vv"] {
        let out = TestCommand::new()
            .fake_aws(&aws)
            .env("AWS_BEARER_TOKEN_BEDROCK", &key)
            .args([
                "check",
                verbosity,
                "--format",
                "json",
                "--region",
                "us-east-1,eu-west-1",
                "--model",
                "anthropic.claude-3-5-sonnet-20240620-v1:0",
                "--plane",
                "all",
            ])
            .run();
        assert_eq!(out.code, 1, "{}", out.stderr);
        assert!(out.stdout.contains("valid only in us-east-1"), "the key was read");
        for canary in [
            &key[16..60],
            "CANARYpresignedSESSIONtoken",
            "CANARYsignature0123456789abcdef",
            "ASIACANARYKEYID00001",
        ] {
            assert!(!out.stdout.contains(canary), "{canary} in stdout ({verbosity})");
            assert!(!out.stderr.contains(canary), "{canary} in stderr ({verbosity})");
        }
    }
}
