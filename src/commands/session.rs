//! The AWS part every live command shares: the async runtime, loading the AWS setup, running
//! the checks into a report (`check`, `triage --verify`), and the direct calls of `models` and
//! `invoke`, all bounded by `--timeout`.

use crate::aws::setup::AwsSetup;
use crate::check::Check;
use crate::checks;
use crate::context::Context;
use crate::error::UsageError;
use crate::output::Ui;
use crate::report::{ProbeCost, Report, SCHEMA_VERSION, Summary, Tool};
use crate::secrets;
use crate::settings::Settings;
use anyhow::Context as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

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
fn progress(cx: Arc<Context>, ui: &Ui) -> Option<(indicatif::ProgressBar, tokio::task::JoinHandle<()>)> {
    if !ui.stderr_is_terminal || ui.logging {
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

/// Runs the checks `settings.checks` names and builds the report.
pub fn diagnose(settings: Settings, ui: &Ui) -> anyhow::Result<Report> {
    let started = Instant::now();
    let selected: Vec<&'static dyn Check> =
        settings.checks.iter().filter_map(|id| checks::find(id)).collect();
    let runtime = runtime()?;
    let report = runtime.block_on(async {
        let mut aws = AwsSetup::load(
            &settings.regions,
            settings.profile.as_deref(),
            crate::aws::call_timeouts(settings.timeout),
        )
        .await
        .map_err(UsageError)?;
        if let Some(source) = &settings.regions_source {
            for r in &mut aws.regions {
                r.source.clone_from(source);
            }
        }
        let cx = Arc::new(Context::new(settings, aws));
        let progress = progress(cx.clone(), ui);
        let outcome = crate::runner::run(cx.clone(), &selected).await;
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
            diagnoses: vec![],
            drift: None,
            summary: Summary::of(&outcome.findings),
            findings: outcome.findings,
            incomplete: outcome.incomplete,
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    });
    // Do not wait for abandoned calls (a hanging endpoint) when shutting down.
    runtime.shutdown_background();
    let mut report = report?;
    report.diagnoses = crate::diagnosis::diagnose(&report);
    Ok(report)
}

/// Runs the AWS part of a direct command (`models`, `invoke`). Usage errors propagate (exit
/// 2); any other error is reported on stderr and becomes `Err(1)`.
pub fn direct<T>(
    settings: Settings,
    work: impl AsyncFnOnce(Context) -> anyhow::Result<T>,
) -> anyhow::Result<Result<T, u8>> {
    let rt = runtime()?;
    let bound = settings.timeout;
    let result = rt.block_on(async {
        let timeouts = if settings.single_call {
            crate::aws::single_call_timeouts(settings.timeout)
        } else {
            crate::aws::call_timeouts(settings.timeout)
        };
        let aws = AwsSetup::load(&settings.regions, settings.profile.as_deref(), timeouts)
            .await
            .map_err(UsageError)?;
        // Everything, credential resolution included (a credential_process or an SSO refresh
        // that hangs), ends within --timeout.
        tokio::time::timeout(bound, work(Context::new(settings, aws)))
            .await
            .unwrap_or_else(|_| {
                Err(anyhow::anyhow!(
                    "no answer within --timeout ({} s): credentials or AWS did not respond",
                    bound.as_secs_f64()
                ))
            })
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
