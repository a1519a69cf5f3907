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
                ])
                .run();
            assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
            assert!(out.stderr.len() > 100, "expected logs at {verbosity}");
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
