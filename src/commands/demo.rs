//! `demo`: the doctor at work without an AWS account. It starts the local AWS-protocol endpoint
//! in process with the seed's world (a primary ap-southeast-1 that serves Claude 3.5 Sonnet, a
//! fallback ap-northeast-1 whose IAM policy does not allow it) and runs the real `check`
//! against it, as a child process whose environment names that endpoint and nothing else.

use crate::cli::DemoArgs;
use crate::local_aws::{FakeAws, Fault, Match, Simulated, VALID_KEY, VALID_SECRET};
use crate::output::Ui;
use anyhow::Context as _;

const MODEL: &str = "anthropic.claude-3-5-sonnet-20240620-v1:0";
const PRIMARY: &str = "ap-southeast-1";
const FALLBACK: &str = "ap-northeast-1";

pub fn run(args: DemoArgs, ui: &Ui) -> anyhow::Result<u8> {
    let aws = FakeAws::start();
    let denied = format!(
        "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:{FALLBACK}::foundation-model/{MODEL} because no identity-based policy allows the bedrock:InvokeModel action"
    );
    for op in ["Converse", "InvokeModel"] {
        aws.fault(
            Match::op(op).region(FALLBACK),
            Fault::error(403, "AccessDeniedException", &denied),
        );
    }
    // IAM's policy simulator agrees: nothing allows the model in the fallback region.
    aws.simulate(
        Simulated::implicit_deny().resource(&format!("arn:aws:bedrock:{FALLBACK}::foundation-model/*")),
    );
    eprintln!(
        "bedrock-doctor demo: a local endpoint plays AWS (no account, no network, nothing billed).\n\
         The primary region {PRIMARY} serves the model; the fallback {FALLBACK} has an IAM policy\n\
         that does not allow it. The real check, against that endpoint:\n\n  \
         bedrock-doctor check --region {PRIMARY},{FALLBACK} --model {MODEL} --explain-iam\n"
    );
    let empty = std::env::temp_dir().join(format!("bedrock-doctor-demo-{}", std::process::id()));
    let mut cmd = std::process::Command::new(std::env::current_exe().context("finding this program")?);
    // Nothing of the user's AWS setup may leak in: only the demo endpoint and its test key.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().to_string();
        if name.starts_with("AWS_") || name.to_ascii_uppercase().ends_with("_PROXY") {
            cmd.env_remove(&name);
        }
    }
    let format = format!("{:?}", args.format).to_ascii_lowercase();
    let status = cmd
        .args([
            "check",
            "--region",
            &format!("{PRIMARY},{FALLBACK}"),
            "--model",
            MODEL,
            "--explain-iam",
        ])
        .args([
            "--format",
            &format,
            "--color",
            if ui.stdout.color { "always" } else { "never" },
        ])
        .env("AWS_ENDPOINT_URL", aws.url())
        .env("AWS_ACCESS_KEY_ID", VALID_KEY)
        .env("AWS_SECRET_ACCESS_KEY", VALID_SECRET)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", empty.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", empty.join("credentials"))
        .env("NO_PROXY", "127.0.0.1,localhost")
        .status()
        .context("running check against the demo endpoint")?;
    Ok(status.code().and_then(|c| u8::try_from(c).ok()).unwrap_or(3))
}
