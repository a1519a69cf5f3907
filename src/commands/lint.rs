//! `lint [PATH]...`: offline checks of the ARNs, model IDs and profile IDs in code and
//! infrastructure files, against the embedded knowledge base (or `--knowledge FILE`).

use crate::cli::LintArgs;
use crate::error::UsageError;
use crate::lint::{self, LintReport};
use crate::output::{Emitter, Ui, pretty_json};
use crate::render::{self, ReportFormat};
use crate::report::Report;

pub fn run(args: LintArgs, ui: &Ui) -> anyhow::Result<u8> {
    let paths = if args.paths.is_empty() {
        vec![std::path::PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let kb = &*super::knowledge::chosen(args.knowledge.as_deref())?;
    if args.report.fail_on == crate::cli::FailOnArg::New {
        return Err(
            UsageError("--fail-on new compares with a baseline, which only `check` takes".into()).into(),
        );
    }
    let emitter = Emitter::for_report(&args.report)?;
    // With --needs, the files lint reads (and only those) are the ones that grant: one walk
    // lints them and collects their ARNs.
    let (mut found, inventory) = lint::lint_with_inventory(&paths, &args.exclude, kb, args.needs.is_some())
        .map_err(|e| UsageError(e.to_string()))?;
    if let Some(needs) = &args.needs {
        let granted = inventory.arns;
        let ids: Vec<&str> = crate::checks::infos().iter().map(|c| c.id).collect();
        let loaded = crate::config::load(needs, &ids).map_err(UsageError::from)?;
        found
            .findings
            .extend(lint::not_granted(&loaded, &granted, kb).map_err(UsageError)?);
        found.summary = crate::report::Summary::of(&found.findings);
    }
    // JSON keeps lint's own shape (with the knowledge base); other formats share the report's.
    emitter.emit(ui, &found, |l: &LintReport, format, style| match format {
        ReportFormat::Json => pretty_json(l),
        ReportFormat::Table => Ok(render::lint_text(l, style)),
        other => Ok(render::render_report(other, &Report::from(l), style)),
    })?;
    Ok(Report::from(&found).exit_code_for(args.report.fail_on.into()))
}
