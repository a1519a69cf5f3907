//! `check`: run the selected checks against AWS and write the report in every asked format.

use super::session;
use crate::checks;
use crate::cli::CheckArgs;
use crate::config;
use crate::output::{Emitter, Ui};
use crate::render;
use crate::report::Summary;
use crate::settings::Settings;

pub fn run(args: CheckArgs, ui: &Ui) -> anyhow::Result<u8> {
    let resolved = Settings::for_check(&args, &checks::infos())?;
    let emitter = Emitter::for_report(&args.report)?;
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
    emitter.emit(ui, &report, |r, format, style| {
        Ok(render::render_report(format, r, style))
    })?;
    Ok(report.exit_code_for(args.report.fail_on.into()))
}
