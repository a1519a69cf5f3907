//! The AWS part every live command shares: the async runtime, loading the AWS setup, running
//! the checks into a report (`check`, `triage --verify`), and the direct calls of `models` and
//! `invoke`, all bounded by `--timeout`.

use crate::aws::setup::AwsSetup;
use crate::check::Check;
use crate::checks;
use crate::context::Context;
use crate::error::UsageError;
use crate::output::Ui;
use crate::report::{AccountRef, AccountSummary, ProbeCost, Report, Summary};
use crate::secrets;
use crate::settings::{Account, Settings};
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

/// Loads the AWS setup for `settings` (regions from the configuration keep that source).
async fn load(settings: &Settings, profile: Option<&str>) -> anyhow::Result<AwsSetup> {
    let mut aws = AwsSetup::load(
        &settings.regions,
        profile,
        crate::aws::call_timeouts(settings.timeout),
    )
    .await
    .map_err(UsageError)?;
    if let Some(source) = &settings.regions_source {
        for r in &mut aws.regions {
            r.source.clone_from(source);
        }
    }
    Ok(aws)
}

/// Runs the checks `settings.checks` names and builds the report: for the resolved identity,
/// or for every account of a multi-account run, concurrently.
pub fn diagnose(settings: Settings, ui: &Ui) -> anyhow::Result<Report> {
    let started = Instant::now();
    let runtime = runtime()?;
    let report = runtime.block_on(async {
        let base = load(&settings, settings.profile.as_deref()).await?;
        if settings.accounts.is_empty() {
            let cx = Arc::new(Context::new(settings, base));
            let progress = progress(cx.clone(), ui);
            let outcome = crate::runner::run(cx.clone(), &selected(&cx.settings)).await;
            if let Some((bar, ticker)) = progress {
                ticker.abort();
                bar.finish_and_clear();
            }
            Ok::<_, anyhow::Error>(assemble(vec![(None, cx, outcome)], started))
        } else {
            let runs = settings.accounts.iter().map(|account| {
                let (settings, base) = (settings.clone(), base.clone());
                async move {
                    let mut mine = Settings {
                        accounts: vec![],
                        ..settings
                    };
                    if !account.models.is_empty() {
                        mine.models.clone_from(&account.models);
                    }
                    if !account.regions.is_empty() {
                        mine.regions.clone_from(&account.regions);
                        mine.regions_source = Some(format!("account:{}", account.name));
                    }
                    let source = if account.regions.is_empty() && account.profile.is_none() {
                        base
                    } else {
                        load(&mine, account.profile.as_deref().or(mine.profile.as_deref())).await?
                    };
                    let aws = match &account.role_arn {
                        Some(role) => source.assume(role, account.external_id.as_deref()).await,
                        None => source,
                    };
                    let cx = Arc::new(Context::new(mine, aws));
                    let outcome = crate::runner::run(cx.clone(), &selected(&cx.settings)).await;
                    Ok::<_, anyhow::Error>((Some(account.clone()), cx, outcome))
                }
            });
            let done = futures::future::join_all(runs)
                .await
                .into_iter()
                .collect::<anyhow::Result<Vec<_>>>()?;
            Ok(assemble(done, started))
        }
    });
    // Do not wait for abandoned calls (a hanging endpoint) when shutting down.
    runtime.shutdown_background();
    let mut report = report?;
    crate::report::read_denials(&mut report.findings);
    report.diagnoses = crate::diagnosis::diagnose(&report);
    Ok(report)
}

fn selected(settings: &Settings) -> Vec<&'static dyn Check> {
    settings.checks.iter().filter_map(|id| checks::find(id)).collect()
}

/// One report of one or more runs; each finding of a multi-account run names its account.
fn assemble(runs: Vec<(Option<Account>, Arc<Context>, crate::runner::Outcome)>, started: Instant) -> Report {
    let mut report = Report {
        generated_at: aws_smithy_types::DateTime::from(std::time::SystemTime::now())
            .fmt(aws_smithy_types::date_time::Format::DateTime)
            .ok(),
        ..Report::of(vec![])
    };
    let mut usage = crate::context::ProbeUsage::default();
    for (account, cx, outcome) in runs {
        let identity = cx.identity();
        let u = cx.usage();
        usage.calls += u.calls;
        usage.input_tokens += u.input_tokens;
        usage.output_tokens += u.output_tokens;
        usage.images += u.images;
        for r in &cx.aws.regions {
            if !report.regions.iter().any(|x| x.region == r.region) {
                let mut r = r.clone();
                r.data_retention = cx.data_retention_known(&r.region);
                report.regions.push(r);
            }
        }
        for m in &cx.settings.models {
            if !report.models.contains(m) {
                report.models.push(m.clone());
            }
        }
        for c in outcome.checks {
            match report.checks.iter_mut().find(|x| x.id == c.id) {
                Some(x) => {
                    x.status = x.status.max(c.status);
                    x.findings += c.findings;
                    x.duration_ms = x.duration_ms.max(c.duration_ms);
                    x.error = x.error.take().or(c.error);
                }
                None => report.checks.push(c),
            }
        }
        report.incomplete |= outcome.incomplete;
        let mut findings = outcome.findings;
        match account {
            None => report.identity = identity,
            Some(a) => {
                let id = identity
                    .as_ref()
                    .and_then(|i| i.account.clone())
                    .or_else(|| a.id_from_role());
                for f in &mut findings {
                    f.account = Some(AccountRef {
                        id: id.clone(),
                        name: a.name.clone(),
                    });
                }
                report.accounts.push(AccountSummary {
                    id,
                    name: a.name.clone(),
                    role_arn: a.role_arn.clone(),
                    profile: a.profile.clone(),
                    identity,
                    summary: Summary::of(&findings),
                });
            }
        }
        report.findings.extend(findings);
    }
    report.probes = (usage.calls > 0)
        .then(|| ProbeCost::new(usage.calls, usage.input_tokens, usage.output_tokens, usage.images));
    report.summary = Summary::of(&report.findings);
    report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    report
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
