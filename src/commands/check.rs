//! `check`: run the selected checks against AWS and write the report in every asked format.

use super::session;
use crate::checks;
use crate::cli::{CheckArgs, FailOnArg};
use crate::config;
use crate::error::UsageError;
use crate::output::{Emitter, Ui};
use crate::render;
use crate::report::{Report, Summary};
use crate::settings::Settings;

pub fn run(args: CheckArgs, ui: &Ui) -> anyhow::Result<u8> {
    let resolved = Settings::for_check(&args, &checks::infos())?;
    let emitter = Emitter::for_report(&args.report)?;
    let baseline = args.baseline.as_deref().map(load_baseline).transpose()?;
    if args.report.fail_on == FailOnArg::New && baseline.is_none() {
        return Err(UsageError(
            "--fail-on new needs --baseline FILE (a previous `check --format json` report)".into(),
        )
        .into());
    }
    let mut report = session::diagnose(resolved.settings, ui)?;
    if let Some(l) = &resolved.config {
        let today = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs() / 86_400).unwrap_or(0));
        let unused = config::apply_suppressions(&mut report.findings, l, today);
        report.findings.extend(unused);
        config::locate(&mut report.findings, l);
        report.summary = Summary::of(&report.findings);
        report.diagnoses = crate::diagnosis::diagnose(&report);
    }
    if let (Some(b), Some(path)) = (&baseline, &args.baseline) {
        report.drift = Some(crate::drift::compare(&report, b, &path.display().to_string()));
    }
    emitter.emit(ui, &report, |r, format, style| {
        Ok(render::render_report(format, r, style))
    })?;
    Ok(report.exit_code_for(args.report.fail_on.into()))
}

/// A previous JSON report, read for `--baseline`.
fn load_baseline(path: &std::path::Path) -> Result<Report, UsageError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| UsageError(format!("cannot read the baseline `{}`: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        UsageError(format!(
            "{}:{}:{}: not a `bedrock-doctor check --format json` report: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })
}
