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
