//! The command line, as clap derive types only; `main.rs` resolves it into [`Settings`].
//!
//! [`Settings`]: crate::context::Settings

use crate::render::Format;
use clap::{ArgAction, Parser, Subcommand};
use std::path::PathBuf;

/// Tells you exactly why Amazon Bedrock calls fail (or will fail) for an AWS identity, region
/// and model, and what to do about it.
#[derive(Debug, Parser)]
#[command(name = "bedrock-doctor", version, about, propagate_version = true)]
pub struct Cli {
    /// More logging on stderr (-v: debug, -vv: trace, including the AWS SDK). Secrets are
    /// scrubbed at every level.
    #[arg(short, long, action = ArgAction::Count, global = true)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Diagnose credentials and regions (and, as checks are added, models) against AWS.
    Check(CheckArgs),
    /// List the checks with their ids, dependencies and codes.
    ListChecks {
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Show the remediation document of a finding code (BD101, 101 or its name).
    Explain {
        /// The code to explain.
        #[arg(required_unless_present = "list")]
        code: Option<String>,
        /// List every code with its name, check, severity and title.
        #[arg(long, conflicts_with = "code")]
        list: bool,
        /// Output format for --list.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Use this named profile from ~/.aws/config and ~/.aws/credentials (only it, as with the
    /// AWS CLI).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Region to check; repeatable and comma-separated, primary first. Default: the region the
    /// AWS configuration resolves (AWS_REGION, AWS_DEFAULT_REGION, the profile, instance
    /// metadata).
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,

    /// Model ID, inference profile ID or ARN to check; repeatable.
    #[arg(long = "model", value_name = "ID")]
    pub models: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Bound on the whole run in seconds; checks still running then are reported as cut off
    /// (exit code 3).
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = parse_seconds)]
    pub timeout: f64,

    /// Most AWS calls in flight at once.
    #[arg(long, value_name = "N", default_value = "32", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,

    /// Make no billed model invocation (probes are skipped).
    #[arg(long)]
    pub no_invoke: bool,

    /// Also probe image and video models (one small image each, billed per image).
    #[arg(long, conflicts_with = "no_invoke")]
    pub probe_images: bool,

    /// Run only these checks (comma-separated ids; their dependencies run too).
    #[arg(long, value_name = "CHECKS", value_delimiter = ',', conflicts_with = "skip")]
    pub only: Vec<String>,

    /// Skip these checks (comma-separated ids).
    #[arg(long, value_name = "CHECKS", value_delimiter = ',')]
    pub skip: Vec<String>,
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    if !(v.is_finite() && v > 0.0 && v <= 86_400.0) {
        return Err(format!("`{s}` must be between 0 and 86400 seconds"));
    }
    Ok(v)
}
