//! The one output path every command uses: where each output goes (standard output or
//! `--output FORMAT=PATH` files), `--redact`, and the scrubbing of secrets on every byte
//! written. Colour, width and verbosity travel as a [`Ui`] value, never as globals.

use crate::check_info::Column;
use crate::cli::{Color, ReportArgs};
use crate::error::UsageError;
use crate::redact::Redactor;
use crate::render::{ReportFormat, Style};
use crate::report::Finding;
use crate::secrets;
use anyhow::Context as _;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// What the terminal asked for, resolved once at start-up.
#[derive(Clone, Copy, Debug)]
pub struct Ui {
    /// How to style what goes to standard output.
    pub stdout: Style,
    /// `-v` count (or `BEDROCK_DOCTOR_LOG` set): logs on stderr replace the progress line.
    pub logging: bool,
    /// Whether standard error is a terminal (for the progress line).
    pub stderr_is_terminal: bool,
}

impl Ui {
    /// Resolves `--color` against `NO_COLOR`, `CLICOLOR_FORCE` and the terminal, and the
    /// width from the terminal or `COLUMNS` (120 when not a terminal).
    /// `columns` is how findings fill the table's model matrix (the checks declare it).
    pub fn detect(color: Color, verbose: u8, columns: fn(&Finding) -> Option<Column>) -> Ui {
        let tty = std::io::stdout().is_terminal();
        let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let force = set("CLICOLOR_FORCE").is_some_and(|v| v != "0");
        let color = match color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => force || (tty && set("NO_COLOR").is_none()),
        };
        // The `colored` crate paints only when told to; renderers paint only when `color` is set.
        colored::control::set_override(color);
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse::<u16>().ok())
            .filter(|c| *c >= 40);
        Ui {
            stdout: Style {
                color,
                width: if tty { width } else { Some(width.unwrap_or(120)) },
                columns,
            },
            logging: verbose > 0 || std::env::var_os("BEDROCK_DOCTOR_LOG").is_some(),
            stderr_is_terminal: std::io::stderr().is_terminal(),
        }
    }

    /// Writes `text` to standard output, scrubbed of secrets; a closed pipe (`| head`) is fine.
    pub fn print(&self, text: &str) -> anyhow::Result<()> {
        let mut out = std::io::stdout().lock();
        match out
            .write_all(secrets::scrub(text).as_bytes())
            .and_then(|()| out.flush())
        {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other.context("writing to standard output"),
        }
    }
}

/// A value as pretty JSON with a final newline: every command's `--format json`.
pub fn pretty_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<String> {
    Ok(format!("{}\n", serde_json::to_string_pretty(value)?))
}

/// Where one command's output goes: each target is a format and a file (`None`: stdout).
pub struct Emitter<F> {
    targets: Vec<(F, Option<PathBuf>)>,
    redact: bool,
    /// The format appended to `$GITHUB_STEP_SUMMARY`, inside GitHub Actions.
    step_summary: Option<(F, PathBuf)>,
}

impl<F: Copy> Emitter<F> {
    /// Everything on standard output in `format`.
    pub fn stdout(format: F) -> Self {
        Emitter {
            targets: vec![(format, None)],
            redact: false,
            step_summary: None,
        }
    }

    /// Pseudonymise accounts, principals, key ids and addresses (`--redact`).
    pub fn redact(mut self, redact: bool) -> Self {
        self.redact = redact;
        self
    }

    /// Renders `value` for every target (redacted first with `--redact`) and writes it; every
    /// byte is scrubbed of secrets. `render` gets the format and the style of its target.
    pub fn emit<T: Serialize + DeserializeOwned + Clone>(
        &self,
        ui: &Ui,
        value: &T,
        render: impl Fn(&T, F, Style) -> anyhow::Result<String>,
    ) -> anyhow::Result<()> {
        // Secrets out of every field before layout, then pseudonyms if asked.
        let value = &secrets::scrub_fields(value);
        let redacted;
        let value = if self.redact {
            redacted = Redactor::default().report(value);
            &redacted
        } else {
            value
        };
        // Files get no colour and no width limit.
        let plain = Style {
            color: false,
            width: None,
            ..ui.stdout
        };
        for (format, path) in &self.targets {
            match path {
                None => ui.print(&render(value, *format, ui.stdout)?)?,
                Some(p) => std::fs::write(p, secrets::scrub(&render(value, *format, plain)?).as_bytes())
                    .with_context(|| format!("writing the report to `{}`", p.display()))?,
            }
        }
        if let Some((format, path)) = &self.step_summary {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .context("opening $GITHUB_STEP_SUMMARY")?;
            file.write_all(secrets::scrub(&render(value, *format, plain)?).as_bytes())
                .context("writing $GITHUB_STEP_SUMMARY")?;
        }
        Ok(())
    }
}

impl Emitter<crate::render::Format> {
    /// Writes `value` as pretty JSON, or as the table `table` draws of it.
    pub fn table_or_json<T: Serialize + DeserializeOwned + Clone>(
        &self,
        ui: &Ui,
        value: &T,
        table: fn(&T, Style) -> String,
    ) -> anyhow::Result<()> {
        self.emit(ui, value, |v, format, style| match format {
            crate::render::Format::Json => pretty_json(v),
            crate::render::Format::Table => Ok(table(v, style)),
        })
    }
}

impl Emitter<ReportFormat> {
    /// `--format` and `--output [FORMAT=]PATH` of the report commands (`check`, `lint`): a bare
    /// PATH takes the `--format` report off standard output (the older `--output FILE` form).
    pub fn for_report(args: &ReportArgs) -> Result<Self, UsageError> {
        let mut targets: Vec<(ReportFormat, Option<PathBuf>)> = Vec::new();
        let mut stdout = true;
        for o in &args.output {
            match o.split_once('=').map(|(f, p)| (f.parse::<ReportFormat>(), p)) {
                Some((Ok(f), p)) if !p.is_empty() => targets.push((f, Some(p.into()))),
                Some((Err(_), _)) if !o.contains('/') && !o.contains('.') => {
                    return Err(UsageError(format!(
                        "--output `{o}`: unknown format; use table, json, markdown, sarif, junit or github"
                    )));
                }
                _ => {
                    targets.push((args.format, Some(o.into())));
                    stdout = false;
                }
            }
        }
        for (_, p) in &targets {
            if let Some(p) = p.as_ref().filter(|p| p.is_dir()) {
                return Err(UsageError(format!("--output `{}` is a directory", p.display())));
            }
        }
        if stdout {
            targets.insert(0, (args.format, None));
        }
        // Inside GitHub Actions the `github` format also leaves a Markdown job summary.
        let in_actions = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
        let step_summary = std::env::var_os("GITHUB_STEP_SUMMARY")
            .filter(|_| in_actions && targets.iter().any(|(f, _)| *f == ReportFormat::Github))
            .map(|p| (ReportFormat::Markdown, PathBuf::from(p)));
        Ok(Emitter {
            targets,
            redact: args.redact,
            step_summary,
        })
    }
}
