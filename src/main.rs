//! Entry point: parse the command line, run the command, map the outcome to an exit code
//! (0 no failure, 1 a `fail` finding, 2 usage or input error, 3 the run could not complete).

use anyhow::Context as _;
use bedrock_doctor::aws::setup::AwsSetup;
use bedrock_doctor::checks::{self, Check};
use bedrock_doctor::cli::{
    CheckArgs, Cli, Color, Command, InitArgs, InvokeArgs, KnowledgeCommand, LintArgs, ModelsArgs, ReportArgs,
    TriageArgs,
};
use bedrock_doctor::codes::Code;
use bedrock_doctor::context::{Context, Settings};
use bedrock_doctor::render::{self, Format, ReportFormat, Style, TriageFormat};
use bedrock_doctor::report::{ProbeCost, Report, SCHEMA_VERSION, Summary, Tool};
use bedrock_doctor::{config, runner, secrets};
use clap::Parser;
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `-v` count: logs on stderr replace the progress line.
static VERBOSE: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// `--color`, read by every renderer through [`style_for_stdout`].
static COLOR: std::sync::OnceLock<Color> = std::sync::OnceLock::new();

/// A usage or input problem: reported on stderr with exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct UsageError(String);

fn main() -> ExitCode {
    install_panic_hook();
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let _ = COLOR.set(cli.color);
    VERBOSE.store(cli.verbose, std::sync::atomic::Ordering::Relaxed);
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let text = secrets::scrub(&format!("{e:#}")).into_owned();
            eprintln!("bedrock-doctor: error: {text}");
            ExitCode::from(if e.is::<UsageError>() { 2 } else { 3 })
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    let style = style_for_stdout();
    match cli.command {
        Command::Check(args) => check(args),
        Command::Triage(args) => triage(args),
        Command::Invoke(args) => invoke(args),
        Command::Models(args) => models(args),
        Command::Lint(args) => lint(args),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "bedrock-doctor", &mut buf);
            print(&String::from_utf8_lossy(&buf))?;
            Ok(0)
        }
        Command::Man => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut buf)?;
            print(&String::from_utf8_lossy(&buf))?;
            Ok(0)
        }
        Command::Init(args) => init(args),
        Command::Knowledge(cmd) => knowledge(cmd),
        Command::ListChecks { format } => {
            let rows: Vec<_> = checks::ALL
                .iter()
                .map(|c| {
                    (
                        c.id(),
                        c.summary(),
                        checks::codes_of(c.id()),
                        c.depends_on().to_vec(),
                    )
                })
                .collect();
            let text = match format {
                Format::Table => render::checks_table(&rows, style),
                Format::Json => {
                    let list: Vec<_> = rows
                        .iter()
                        .map(|(id, summary, codes, deps)| {
                            serde_json::json!({"id": id, "summary": summary, "depends_on": deps, "codes": codes})
                        })
                        .collect();
                    pretty_json(&list)?
                }
            };
            print(&text)?;
            Ok(0)
        }
        Command::Explain { code, list, format } => {
            if list {
                let text = match format {
                    Format::Table => render::codes_table(style),
                    Format::Json => {
                        let list: Vec<_> = Code::ALL
                            .iter()
                            .map(|c| serde_json::json!({"code": c, "slug": c.slug(), "check": c.check(), "severity": c.default_severity(), "title": c.title()}))
                            .collect();
                        pretty_json(&list)?
                    }
                };
                print(&text)?;
                return Ok(0);
            }
            let raw = code.unwrap_or_default();
            let code: Code = raw.parse().map_err(|_| {
                UsageError(format!(
                    "unknown code `{raw}`; `bedrock-doctor explain --list` lists them"
                ))
            })?;
            print(code.explanation())?;
            Ok(0)
        }
    }
}

fn check(args: CheckArgs) -> anyhow::Result<u8> {
    let loaded = config::discover(args.config.as_deref()).map_err(|e| UsageError(e.to_string()))?;
    let cfg = loaded.as_ref().map(|l| &l.config);
    let from_cfg = |list: fn(&config::Config) -> &Vec<toml::Spanned<String>>| -> Vec<String> {
        cfg.map(|c| list(c).iter().map(|s| s.get_ref().clone()).collect())
            .unwrap_or_default()
    };
    // Command-line flags override the file, item by item.
    let regions = if args.regions.is_empty() {
        from_cfg(|c| &c.regions)
    } else {
        args.regions.clone()
    };
    let models = if args.models.is_empty() {
        from_cfg(|c| &c.models)
    } else {
        args.models.clone()
    };
    let (only, skip) = if args.only.is_empty() && args.skip.is_empty() {
        cfg.map(|c| (c.checks.only.clone(), c.checks.skip.clone()))
            .unwrap_or_default()
    } else {
        (args.only.clone(), args.skip.clone())
    };
    let selected = select_checks(&only, &skip)?;
    let probe = cfg.and_then(|c| c.probe.as_ref());
    let granted_arns = loaded
        .as_ref()
        .map(|l| {
            l.config
                .granted_arns
                .iter()
                .map(|a| (a.get_ref().clone(), Some(l.location(a.span().start))))
                .collect()
        })
        .unwrap_or_default();
    let settings = Settings {
        regions,
        models,
        profile: args
            .profile
            .clone()
            .or_else(|| cfg.and_then(|c| c.profile.clone())),
        timeout: Duration::from_secs_f64(args.timeout),
        concurrency: usize::from(args.concurrency),
        invoke: !args.no_invoke && probe.is_none_or(|p| p.enabled),
        probe_images: args.probe_images || probe.is_some_and(|p| p.images),
        checks: selected.iter().map(|c| c.id()).collect(),
        granted_arns,
        severity: loaded.as_ref().map(|l| l.severity.clone()).unwrap_or_default(),
        regions_source: loaded
            .as_ref()
            .filter(|_| args.regions.is_empty() && !from_cfg(|c| &c.regions).is_empty())
            .map(|l| format!("config:{}", l.path.display())),
    };
    let outputs = parse_outputs(&args.report)?;
    let mut report = diagnose(settings, &selected)?;
    if let Some(l) = &loaded {
        let today = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs() / 86_400).unwrap_or(0));
        let unused = config::apply_suppressions(&mut report.findings, l, today);
        report.findings.extend(unused);
        locate_in_config(&mut report.findings, l);
        report.summary = Summary::of(&report.findings);
    }
    emit(&report, &args.report, &outputs)?;
    Ok(report.exit_code_for(args.report.fail_on.into()))
}

/// Where each report goes: `(format, Some(path))` for files, `(format, None)` for stdout.
type Outputs = Vec<(ReportFormat, Option<std::path::PathBuf>)>;

/// `--format` and `--output [FORMAT=]PATH` resolved: a bare PATH takes the --format report off
/// stdout (the older `--output FILE` form).
fn parse_outputs(args: &ReportArgs) -> anyhow::Result<Outputs> {
    let mut out: Outputs = Vec::new();
    let mut stdout = true;
    for o in &args.output {
        match o.split_once('=').map(|(f, p)| (f.parse::<ReportFormat>(), p)) {
            Some((Ok(f), p)) if !p.is_empty() => out.push((f, Some(p.into()))),
            Some((Err(_), _)) if !o.contains('/') && !o.contains('.') => {
                return Err(UsageError(format!(
                    "--output `{o}`: unknown format; use table, json, markdown, sarif, junit or github"
                ))
                .into());
            }
            _ => {
                out.push((args.format, Some(o.into())));
                stdout = false;
            }
        }
    }
    for (_, p) in &out {
        if let Some(p) = p.as_ref().filter(|p| p.is_dir()) {
            return Err(UsageError(format!("--output `{}` is a directory", p.display())).into());
        }
    }
    if stdout {
        out.insert(0, (args.format, None));
    }
    Ok(out)
}

/// Writes the report in every requested format (redacted with --redact), and the Markdown
/// summary to `$GITHUB_STEP_SUMMARY` when the github format runs inside GitHub Actions.
fn emit(report: &Report, args: &ReportArgs, outputs: &Outputs) -> anyhow::Result<()> {
    let redacted;
    let report = if args.redact {
        redacted = bedrock_doctor::redact::Redactor::default().report(report);
        &redacted
    } else {
        report
    };
    for (format, path) in outputs {
        match path {
            None => print(&render::render_report(*format, report, style_for_stdout()))?,
            Some(p) => {
                let text = render::render_report(
                    *format,
                    report,
                    Style {
                        color: false,
                        width: None,
                    },
                );
                std::fs::write(p, text)
                    .with_context(|| format!("writing the report to `{}`", p.display()))?;
            }
        }
    }
    let in_actions = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    if in_actions
        && outputs.iter().any(|(f, _)| *f == ReportFormat::Github)
        && let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY")
    {
        use std::io::Write as _;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&summary)
            .context("opening $GITHUB_STEP_SUMMARY")?;
        file.write_all(render::markdown(report).as_bytes())
            .context("writing $GITHUB_STEP_SUMMARY")?;
    }
    Ok(())
}

/// Points findings that have no location at the configuration entry of their model (or region),
/// so SARIF and annotations land on the line that declares it.
fn locate_in_config(findings: &mut [bedrock_doctor::report::Finding], l: &config::Loaded) {
    for f in findings.iter_mut().filter(|f| f.location.is_none()) {
        let entry = f
            .model
            .as_ref()
            .and_then(|m| l.config.models.iter().find(|x| x.get_ref() == m))
            .or_else(|| {
                f.region
                    .as_ref()
                    .and_then(|r| l.config.regions.iter().find(|x| x.get_ref() == r))
            });
        if let Some(e) = entry {
            f.location = Some(l.location(e.span().start));
        }
    }
}

/// A multi-threaded runtime for the commands that talk to AWS.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// A progress line on stderr for long sweeps, only when stderr is a terminal and no logs are
/// asked for: stdout carries nothing but the report.
fn progress(cx: Arc<Context>) -> Option<(indicatif::ProgressBar, tokio::task::JoinHandle<()>)> {
    let logging = VERBOSE.load(std::sync::atomic::Ordering::Relaxed) > 0
        || std::env::var_os("BEDROCK_DOCTOR_LOG").is_some();
    if !std::io::stderr().is_terminal() || logging {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    bar.set_style(indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}").ok()?);
    bar.enable_steady_tick(Duration::from_millis(120));
    let b = bar.clone();
    let ticker = tokio::spawn(async move {
        let regions = cx.aws.regions.len();
        let models = cx.settings.models.len();
        loop {
            b.set_message(format!(
                "checking {regions} region(s) × {models} model(s): {} AWS calls answered",
                cx.calls_done()
            ));
            tokio::time::sleep(Duration::from_millis(120)).await;
        }
    });
    Some((bar, ticker))
}

/// Runs `selected` checks with `settings` and builds the report.
fn diagnose(settings: Settings, selected: &[&'static dyn Check]) -> anyhow::Result<Report> {
    let started = Instant::now();
    let runtime = runtime()?;
    let report = runtime.block_on(async {
        let mut aws = AwsSetup::load(&settings.regions, settings.profile.as_deref(), settings.timeout)
            .await
            .map_err(UsageError)?;
        if let Some(source) = &settings.regions_source {
            for r in &mut aws.regions {
                r.source.clone_from(source);
            }
        }
        let cx = Arc::new(Context::new(settings, aws));
        let progress = progress(cx.clone());
        let outcome = runner::run(cx.clone(), selected).await;
        if let Some((bar, ticker)) = progress {
            ticker.abort();
            bar.finish_and_clear();
        }
        let usage = cx.usage();
        Ok::<_, anyhow::Error>(Report {
            generated_at: aws_smithy_types::DateTime::from(std::time::SystemTime::now())
                .fmt(aws_smithy_types::date_time::Format::DateTime)
                .ok(),
            probes: (usage.calls > 0)
                .then(|| ProbeCost::new(usage.calls, usage.input_tokens, usage.output_tokens, usage.images)),
            schema_version: SCHEMA_VERSION,
            tool: Tool::default(),
            identity: cx.identity(),
            regions: cx.aws.regions.clone(),
            models: cx.settings.models.clone(),
            checks: outcome.checks,
            summary: Summary::of(&outcome.findings),
            findings: outcome.findings,
            incomplete: outcome.incomplete,
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    });
    // Do not wait for abandoned calls (a hanging endpoint) when shutting down.
    runtime.shutdown_background();
    report
}

/// `triage`: classify a pasted error, optionally verified against AWS.
fn triage(args: TriageArgs) -> anyhow::Result<u8> {
    let text = if args.text.is_empty() || args.text == ["-"] {
        let mut buf = String::new();
        std::io::stdin()
            .read_to_string(&mut buf)
            .context("reading the error text from standard input")?;
        buf
    } else {
        args.text.join(" ")
    };
    if text.trim().is_empty() {
        return Err(UsageError(
            "no error text: pass it as arguments or on standard input (`bedrock-doctor triage < error.log`)"
                .into(),
        )
        .into());
    }
    let t = bedrock_doctor::triage::triage(&text, args.region.as_deref(), args.model.as_deref());
    let verification = if args.verify {
        let Some(region) = t.extracted.region.clone() else {
            return Err(
                UsageError("--verify needs a region: the text names none, pass --region".into()).into(),
            );
        };
        let models: Vec<String> = t.extracted.model.clone().into_iter().collect();
        let selected = select_checks(&[], &[])?;
        Some(diagnose(
            Settings {
                regions: vec![region],
                models,
                profile: args.profile.clone(),
                timeout: Duration::from_secs_f64(args.timeout),
                concurrency: 8,
                invoke: true,
                probe_images: false,
                checks: selected.iter().map(|c| c.id()).collect(),
                granted_arns: vec![],
                severity: Default::default(),
                regions_source: None,
            },
            &selected,
        )?)
    } else {
        None
    };
    let verdict = verification
        .as_ref()
        .map(|r| bedrock_doctor::triage::verdict(&t, r));
    let (t, verification) = if args.redact {
        let r = bedrock_doctor::redact::Redactor::default();
        (r.report(&t), verification.map(|v| r.report(&v)))
    } else {
        (t, verification)
    };
    let style = style_for_stdout();
    let text = match args.format {
        TriageFormat::Markdown => render::triage_markdown(&t, verdict.as_ref(), verification.as_ref()),
        TriageFormat::Json => {
            let mut v = serde_json::to_value(&t)?;
            if let (Some(r), Some(verdict)) = (&verification, &verdict) {
                v["verification"] = serde_json::to_value(verdict)?;
                v["verification"]["report"] = serde_json::to_value(r)?;
            }
            pretty_json(&v)?
        }
        TriageFormat::Table => {
            let mut out = render::triage_table(&t, verdict.as_ref(), style);
            if let Some(r) = &verification {
                out.push('\n');
                out.push_str(&render::render(Format::Table, r, style));
            }
            out
        }
    };
    print(&text)?;
    Ok(verification.map_or(0, |r| r.exit_code()))
}

/// Settings for the commands that make a few direct calls rather than running checks.
fn direct_settings(
    regions: Vec<String>,
    profile: Option<String>,
    timeout: f64,
    concurrency: u16,
) -> Settings {
    Settings {
        regions,
        models: vec![],
        profile,
        timeout: Duration::from_secs_f64(timeout),
        concurrency: usize::from(concurrency),
        invoke: true,
        probe_images: false,
        checks: vec![],
        granted_arns: vec![],
        severity: Default::default(),
        regions_source: None,
    }
}

/// Runs the AWS part of a direct command. Usage errors propagate (exit 2); any other error is
/// reported on stderr and becomes `Err(1)`.
fn direct<T>(
    settings: Settings,
    work: impl AsyncFnOnce(Context) -> anyhow::Result<T>,
) -> anyhow::Result<Result<T, u8>> {
    let rt = runtime()?;
    let result = rt.block_on(async {
        let aws = AwsSetup::load(&settings.regions, settings.profile.as_deref(), settings.timeout)
            .await
            .map_err(UsageError)?;
        work(Context::new(settings, aws)).await
    });
    rt.shutdown_background();
    match result {
        Ok(r) => Ok(Ok(r)),
        Err(e) if e.is::<UsageError>() => Err(e),
        Err(e) => {
            eprintln!("bedrock-doctor: error: {}", secrets::scrub(&format!("{e:#}")));
            Ok(Err(1))
        }
    }
}

/// Resolves credentials for a direct command; a Bedrock API key alone is enough.
async fn credentials(cx: &Context) -> anyhow::Result<Option<aws_credential_types::Credentials>> {
    use aws_credential_types::provider::ProvideCredentials;
    match cx.aws.chain.provide_credentials().await {
        Ok(c) => Ok(Some(c)),
        Err(_) if cx.aws.bearer_token => Ok(None),
        Err(e) => Err(anyhow::anyhow!(
            "no usable AWS credentials ({}); `bedrock-doctor check` diagnoses why",
            secrets::scrub(&bedrock_doctor::aws::error_chain(&e))
        )),
    }
}

/// `models`: list each region's catalogue.
fn models(args: ModelsArgs) -> anyhow::Result<u8> {
    let regions = if args.all_regions {
        bedrock_doctor::regions::REGIONS
            .iter()
            .filter(|r| r.bedrock && r.partition == "aws")
            .map(|r| r.code.to_string())
            .collect()
    } else {
        args.regions.clone()
    };
    for r in regions
        .iter()
        .flat_map(|r| r.split(','))
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        if !bedrock_doctor::regions::lookup(r).is_some_and(|i| i.bedrock) {
            let hint = bedrock_doctor::regions::suggest(r)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(UsageError(format!(
                "--region `{r}` is not a region that offers Bedrock{hint}"
            ))
            .into());
        }
    }
    let settings = direct_settings(regions, args.profile.clone(), args.timeout, args.concurrency);
    let filter = bedrock_doctor::listing::Filter {
        provider: args.provider.clone(),
        output_modality: args.output_modality.clone(),
    };
    let outcome = direct(settings, async |cx| {
        if cx.aws.regions.is_empty() {
            return Err(
                UsageError("no region: pass --region, --all-regions, or set AWS_REGION".into()).into(),
            );
        }
        let creds = credentials(&cx).await?;
        tokio::time::timeout(
            cx.settings.timeout,
            bedrock_doctor::listing::list(&cx, creds, &filter),
        )
        .await
        .map_err(|_| anyhow::anyhow!("the listing did not finish within --timeout"))
    })?;
    let report = match outcome {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    print_as(args.format, &report, render::models_table)?;
    Ok(u8::from(report.regions.iter().any(|r| r.error.is_some())))
}

/// `invoke`: send the user's body, checked first.
fn invoke(args: InvokeArgs) -> anyhow::Result<u8> {
    let bytes = if args.body == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("reading the body from standard input")?;
        buf
    } else {
        std::fs::read(&args.body)
            .map_err(|e| UsageError(format!("cannot read the body file `{}`: {e}", args.body)))?
    };
    if let Err(e) = bedrock_doctor::ident::parse(&args.model) {
        return Err(UsageError(format!("--model: {e}")).into());
    }
    let settings = direct_settings(
        args.region.clone().into_iter().collect(),
        args.profile.clone(),
        args.timeout,
        1,
    );
    let outcome = direct(settings, async |cx| {
        let Some(region) = cx.aws.regions.first().map(|r| r.region.clone()) else {
            return Err(UsageError("no region: pass --region or set AWS_REGION".into()).into());
        };
        let creds = if args.dry_run {
            None
        } else {
            credentials(&cx).await?
        };
        Ok(bedrock_doctor::invoke::run(
            &cx,
            creds,
            &args.model,
            &region,
            &bytes,
            args.converse,
            args.dry_run,
        )
        .await)
    })?;
    let report = match outcome {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    print_as(args.format, &report, render::invoke_text)?;
    Ok(report.exit_code())
}

/// `lint`: offline checks of ARNs and model IDs in files.
fn lint(args: LintArgs) -> anyhow::Result<u8> {
    let paths = if args.paths.is_empty() {
        vec![std::path::PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let loaded;
    let kb = match &args.knowledge {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                UsageError(format!(
                    "cannot read the knowledge base `{}`: {e}",
                    path.display()
                ))
            })?;
            loaded = serde_json::from_str::<bedrock_doctor::knowledge::Knowledge>(&text).map_err(|e| {
                UsageError(format!(
                    "{}:{}:{}: not a knowledge base: {e}",
                    path.display(),
                    e.line(),
                    e.column()
                ))
            })?;
            &loaded
        }
        None => bedrock_doctor::lint::default_knowledge(),
    };
    let outputs = parse_outputs(&args.report)?;
    let lint = bedrock_doctor::lint::lint_paths(&paths, kb).map_err(|e| UsageError(e.to_string()))?;
    let lint = if args.report.redact {
        bedrock_doctor::redact::Redactor::default().report(&lint)
    } else {
        lint
    };
    let report = Report::from(&lint);
    let fail_on: bedrock_doctor::report::FailOn = args.report.fail_on.into();
    // JSON keeps lint's own shape (with the knowledge base); other formats share the report's.
    for (format, path) in &outputs {
        let text = match format {
            ReportFormat::Json => pretty_json(&lint)?,
            ReportFormat::Table => render::lint_text(
                &lint,
                if path.is_some() {
                    Style {
                        color: false,
                        width: None,
                    }
                } else {
                    style_for_stdout()
                },
            ),
            other => render::render_report(
                *other,
                &report,
                Style {
                    color: false,
                    width: None,
                },
            ),
        };
        match path {
            None => print(&text)?,
            Some(p) => {
                std::fs::write(p, text).with_context(|| format!("writing the report to `{}`", p.display()))?
            }
        }
    }
    Ok(report.exit_code_for(fail_on))
}

/// `init`: write a starter configuration.
fn init(args: InitArgs) -> anyhow::Result<u8> {
    let (regions, models, arns) = if args.from_lint.is_empty() {
        (vec![], vec![], vec![])
    } else {
        let inv =
            bedrock_doctor::lint::inventory_paths(&args.from_lint).map_err(|e| UsageError(e.to_string()))?;
        (
            inv.regions.into_iter().collect(),
            inv.models.into_iter().collect(),
            inv.arns.into_iter().collect(),
        )
    };
    let text = config::starter(&regions, &models, &arns);
    if args.output == "-" {
        print(&text)?;
        return Ok(0);
    }
    let path = std::path::Path::new(&args.output);
    if path.exists() && !args.force {
        return Err(UsageError(format!(
            "`{}` exists; pass --force to overwrite it",
            path.display()
        ))
        .into());
    }
    std::fs::write(path, &text).with_context(|| format!("writing `{}`", path.display()))?;
    eprintln!(
        "wrote {} ({} regions, {} models, {} granted ARNs); edit it, then run `bedrock-doctor check`",
        path.display(),
        regions.len(),
        models.len(),
        arns.len()
    );
    Ok(0)
}

/// `knowledge show` / `knowledge import`.
fn knowledge(cmd: KnowledgeCommand) -> anyhow::Result<u8> {
    use bedrock_doctor::knowledge::{self, Knowledge};
    match cmd {
        KnowledgeCommand::Show => {
            let k = knowledge::embedded();
            let models: usize = k.regions.values().map(|r| r.models.len()).sum();
            let complete = k.regions.values().filter(|r| r.complete).count();
            print(&format!(
                "knowledge base of {}\nsource: {}\n{} regions ({} complete listings), {} region × model entries\n",
                k.date,
                k.source,
                k.regions.len(),
                complete,
                models
            ))?;
            Ok(0)
        }
        KnowledgeCommand::Import { file, date } => {
            let bytes = if file == "-" {
                let mut b = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut b)
                    .context("reading the listing from standard input")?;
                b
            } else {
                std::fs::read(&file).map_err(|e| UsageError(format!("cannot read `{file}`: {e}")))?
            };
            let listing: bedrock_doctor::listing::ModelsReport = serde_json::from_slice(&bytes).map_err(|e| {
                UsageError(format!(
                    "`{file}` is not `bedrock-doctor models --format json` output (line {}, column {}): {e}",
                    e.line(),
                    e.column()
                ))
            })?;
            let date = date.unwrap_or_else(|| {
                aws_smithy_types::DateTime::from(std::time::SystemTime::now())
                    .fmt(aws_smithy_types::date_time::Format::DateTime)
                    .map(|d| d[..10].to_string())
                    .unwrap_or_default()
            });
            let k = Knowledge::from_listing(&listing, &date);
            print(&pretty_json(&k)?)?;
            Ok(0)
        }
    }
}

/// Resolves `--only` / `--skip` into the checks to run, dependencies of `--only` included.
fn select_checks(only: &[String], skip: &[String]) -> anyhow::Result<Vec<&'static dyn Check>> {
    let known = || checks::ALL.iter().map(|c| c.id()).collect::<Vec<_>>().join(", ");
    for id in only.iter().chain(skip) {
        if checks::find(id.trim()).is_none() {
            return Err(UsageError(format!("unknown check `{id}`; known checks: {}", known())).into());
        }
    }
    let mut selected: Vec<&'static dyn Check> = Vec::new();
    fn add(c: &'static dyn Check, out: &mut Vec<&'static dyn Check>) {
        if out.iter().any(|x| x.id() == c.id()) {
            return;
        }
        for d in c.depends_on() {
            if let Some(dep) = checks::find(d) {
                add(dep, out);
            }
        }
        out.push(c);
    }
    for c in checks::ALL {
        let wanted = if only.is_empty() {
            !skip.iter().any(|s| s.trim() == c.id())
        } else {
            only.iter().any(|s| s.trim() == c.id())
        };
        if wanted {
            if only.is_empty() {
                selected.push(*c);
            } else {
                add(*c, &mut selected);
            }
        }
    }
    // Registry order, for stable reports.
    selected.sort_by_key(|c| checks::ALL.iter().position(|x| x.id() == c.id()));
    Ok(selected)
}

fn style_for_stdout() -> Style {
    let tty = std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let force = std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0");
    let color = match COLOR.get().copied().unwrap_or(Color::Auto) {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => force || (tty && !no_color),
    };
    colored::control::set_override(color);
    // Terminals report their width themselves; elsewhere honour COLUMNS, else 120.
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<u16>().ok())
        .filter(|c| *c >= 40);
    Style {
        color,
        width: if tty {
            columns
        } else {
            Some(columns.unwrap_or(120))
        },
    }
}

/// Prints `value` as JSON, or as the table `table` draws of it.
fn print_as<T: serde::Serialize>(
    format: Format,
    value: &T,
    table: fn(&T, Style) -> String,
) -> anyhow::Result<()> {
    print(&match format {
        Format::Json => pretty_json(value)?,
        Format::Table => table(value, style_for_stdout()),
    })
}

/// A value as pretty JSON with a final newline: every command's `--format json`.
fn pretty_json<T: serde::Serialize + ?Sized>(value: &T) -> anyhow::Result<String> {
    Ok(format!("{}\n", serde_json::to_string_pretty(value)?))
}

fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out
        .write_all(secrets::scrub(text).as_bytes())
        .and_then(|()| out.flush())
    {
        // A closed pipe (`| head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing to standard output"),
    }
}

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
