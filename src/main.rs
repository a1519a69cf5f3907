//! Entry point: parse the command line, set up logging, dispatch to the command's room, and
//! map the outcome to an exit code (0 no failure, 1 a `fail` finding, 2 usage or input error,
//! 3 the run could not complete).

use bedrock_doctor::cli::{Cli, Command};
use bedrock_doctor::commands;
use bedrock_doctor::error::UsageError;
use bedrock_doctor::output::Ui;
use bedrock_doctor::{checks, secrets};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    install_panic_hook();
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let ui = Ui::detect(cli.color, cli.verbose, checks::column);
    // A panic is "could not complete" (exit 3), never Rust's 101; the hook has said what broke.
    let run = std::panic::AssertUnwindSafe(|| dispatch(cli.command, &ui));
    let outcome = std::panic::catch_unwind(run).unwrap_or_else(|_| Ok(3));
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let text = secrets::scrub(&format!("{e:#}")).into_owned();
            eprintln!("bedrock-doctor: error: {text}");
            ExitCode::from(if e.is::<UsageError>() { 2 } else { 3 })
        }
    }
}

fn dispatch(command: Command, ui: &Ui) -> anyhow::Result<u8> {
    // Debug builds only: lets the tests prove that a panic exits 3.
    #[cfg(debug_assertions)]
    if std::env::var_os("BEDROCK_DOCTOR_TEST_PANIC").is_some() {
        panic!("forced by BEDROCK_DOCTOR_TEST_PANIC");
    }
    match command {
        Command::Check(args) => commands::check::run(args, ui),
        Command::Triage(args) => commands::triage::run(args, ui),
        Command::Invoke(args) => commands::invoke::run(args, ui),
        Command::Models(args) => commands::models::run(args, ui),
        Command::Lint(args) => commands::lint::run(args, ui),
        Command::Init(args) => commands::init::run(args, ui),
        Command::Knowledge(cmd) => commands::knowledge::run(cmd, ui),
        Command::Completions { shell } => commands::completions::run(shell, ui),
        Command::Man => commands::completions::man(ui),
        Command::Demo(args) => commands::demo::run(args, ui),
        Command::Where(args) => commands::where_is::run(args, ui),
        Command::Policy(args) => commands::policy::run(args, ui),
        Command::ListChecks { format } => commands::list_checks::run(format, ui),
        Command::Explain(args) => commands::explain::run(args, ui),
    }
}

/// Log targets that print signing material (canonical requests) or a `credential_process`
/// command line; appended last, so no filter turns them back on.
const SIGNING_OFF: &str = "aws_sigv4=off,aws_config::credential_process=off";

fn init_logging(verbose: u8) {
    let filter = match verbose {
        // The SDK's own warnings (an IMDS that refused, a provider that failed) become
        // findings; at the default verbosity they would only repeat them, unscrubbed of jargon.
        0 => "bedrock_doctor=warn,error",
        1 => "bedrock_doctor=debug,aws_config=info,warn",
        _ => {
            "bedrock_doctor=trace,aws_config=debug,aws_smithy_runtime=debug,aws_sdk_sts=debug,aws_sdk_bedrock=debug,aws_sdk_bedrockruntime=debug,info"
        }
    };
    let filter = std::env::var("BEDROCK_DOCTOR_LOG").unwrap_or_else(|_| filter.to_string());
    // Signing material (canonical requests, string to sign) is never logged, whatever was asked.
    let filter = format!("{filter},{SIGNING_OFF}");
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(|| secrets::ScrubWriter(std::io::stderr()))
        .with_target(true)
        .try_init();
}

/// Panics print a scrubbed one-line message, never a secret from a formatted value.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "bedrock-doctor: internal error{at}: {} (this is a bug; please report it)",
            secrets::scrub(&msg)
        );
    }));
}
