//! The terminal renderer: a header with identity and regions, a row per check, the findings
//! with their first remediation step, and a one-line summary.

use super::style::Style;
use crate::check_info::{CheckInfo, Column};
use crate::codes::Code;
use crate::report::{Finding, Report, Status};
use colored::{ColoredString, Colorize};
use comfy_table::{Cell, ContentArrangement, Table, presets};

fn glyph(status: Status, color: bool) -> String {
    let (g, painted): (&str, fn(&str) -> ColoredString) = match status {
        Status::Pass => ("✔ pass", |s| s.green()),
        Status::Warn => ("! warn", |s| s.yellow()),
        Status::Fail => ("✘ fail", |s| s.red().bold()),
        Status::Skip => ("– skip", |s| s.dimmed()),
        Status::Inconclusive => ("? inconclusive", |s| s.magenta()),
    };
    if color {
        painted(g).to_string()
    } else {
        g.to_string()
    }
}

fn new_table(style: Style) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(w) = style.width {
        t.set_width(w);
    }
    t
}

fn bold(s: &str, style: Style) -> String {
    if style.color {
        s.bold().to_string()
    } else {
        s.to_string()
    }
}

pub fn render(report: &Report, style: Style) -> String {
    let mut out = String::new();
    out.push_str(&bold(
        &format!("{} {}", report.tool.name, report.tool.version),
        style,
    ));
    out.push('\n');

    let mut head = new_table(style);
    head.load_preset(presets::NOTHING);
    match &report.identity {
        _ if !report.accounts.is_empty() => {
            let list: Vec<String> = report
                .accounts
                .iter()
                .map(|a| {
                    let s = &a.summary;
                    let who = a
                        .identity
                        .as_ref()
                        .and_then(|i| i.arn.clone())
                        .unwrap_or_else(|| "not reached".into());
                    format!(
                        "{} ({}): {who} · {} pass, {} warn, {} fail, {} inconclusive",
                        a.name,
                        a.id.as_deref().unwrap_or("account unknown"),
                        s.pass,
                        s.warn,
                        s.fail,
                        s.inconclusive
                    )
                })
                .collect();
            head.add_row(vec![Cell::new("Accounts"), Cell::new(list.join("\n"))]);
        }
        Some(id) => {
            let who = match (&id.arn, &id.account) {
                (Some(arn), Some(acct)) => format!("{arn} (account {acct})"),
                _ => "not verified".to_string(),
            };
            head.add_row(vec![Cell::new("Identity"), Cell::new(who)]);
            let mut creds = format!(
                "{} · {} key {}",
                id.credential_source,
                if id.temporary { "temporary" } else { "long-term" },
                id.access_key_id
            );
            if let Some(exp) = &id.expires_at {
                creds.push_str(&format!(" · expires {exp}"));
            }
            head.add_row(vec![Cell::new("Credentials"), Cell::new(creds)]);
        }
        None => {
            head.add_row(vec![
                Cell::new("Identity"),
                Cell::new("none (no usable credentials)"),
            ]);
        }
    }
    let regions = if report.regions.is_empty() {
        "none configured".to_string()
    } else {
        report
            .regions
            .iter()
            .map(|r| format!("{} ({})", r.region, r.describe()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    head.add_row(vec![Cell::new("Regions"), Cell::new(regions)]);
    if !report.models.is_empty() {
        head.add_row(vec![Cell::new("Models"), Cell::new(report.models.join(", "))]);
    }
    out.push_str(&head.to_string());
    out.push_str("\n\n");

    if let Some(d) = &report.drift {
        out.push_str(&drift(d, style));
    }
    if !report.diagnoses.is_empty() {
        out.push_str(&diagnoses(report, style));
    }

    let mut checks = new_table(style);
    checks.set_header(vec!["Check", "Status", "Findings", "Time"]);
    for c in &report.checks {
        let mut status = glyph(c.status, style.color);
        if let Some(e) = &c.error {
            status.push_str(&format!(" (could not complete: {e})"));
        }
        checks.add_row(vec![
            Cell::new(&c.id),
            Cell::new(status),
            Cell::new(c.findings),
            Cell::new(format!("{} ms", c.duration_ms)),
        ]);
    }
    out.push_str(&checks.to_string());
    out.push_str("\n\n");

    if !report.models.is_empty() {
        out.push_str(&matrix(report, style));
    }

    // Passes that the matrix already shows would only repeat it.
    let listed: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| !(f.status == Status::Pass && (style.columns)(f).is_some()))
        .collect();
    if !listed.is_empty() {
        let with_models = !report.models.is_empty();
        let with_accounts = !report.accounts.is_empty();
        let mut t = new_table(style);
        let mut header = vec!["Status", "Code"];
        if with_accounts {
            header.push("Account");
        }
        header.push("Region");
        if with_models {
            header.push("Model");
        }
        header.extend(["Finding", "Next step"]);
        t.set_header(header);
        for f in listed {
            let mut what = f.title.clone();
            if f.status != Status::Pass && !f.detail.is_empty() {
                let detail = if style.color {
                    f.detail.dimmed().to_string()
                } else {
                    f.detail.clone()
                };
                what = format!("{what}\n{detail}");
            }
            if let Some(id) = f.aws.as_ref().and_then(|a| a.request_id.as_deref())
                && f.status != Status::Pass
            {
                what.push_str(&format!(
                    "
request id: {id}"
                ));
            }
            if let Some(d) = f.aws.as_ref().and_then(|a| a.denial.as_ref()) {
                what.push_str(&format!("\ndenied: {}", d.describe()));
            }
            let mut row = vec![
                Cell::new(glyph(f.status, style.color)),
                Cell::new(f.code.as_str()),
            ];
            if with_accounts {
                row.push(Cell::new(f.account.as_ref().map_or("-".to_string(), |a| {
                    a.id.clone().unwrap_or_else(|| a.name.clone())
                })));
            }
            row.push(Cell::new(f.region.as_deref().unwrap_or("-")));
            if with_models {
                row.push(Cell::new(f.model.as_deref().unwrap_or("-")));
            }
            row.extend([
                Cell::new(what),
                Cell::new(f.remediation.first().map_or("", String::as_str)),
            ]);
            t.add_row(row);
        }
        if with_models {
            // Model ids are long and repeated in the titles: keep their column narrow.
            if let Some(col) = t.column_mut(if with_accounts { 4 } else { 3 }) {
                col.set_constraint(comfy_table::ColumnConstraint::UpperBoundary(
                    comfy_table::Width::Fixed(24),
                ));
            }
        }
        out.push_str(&t.to_string());
        out.push_str("\n\n");
    }

    let s = &report.summary;
    let mut line = format!(
        "{} pass, {} warn, {} fail, {} skip, {} inconclusive in {} ms",
        s.pass, s.warn, s.fail, s.skip, s.inconclusive, report.duration_ms
    );
    if report.incomplete {
        line.push_str(" (incomplete run)");
    }
    if let Some(p) = &report.probes {
        line.push_str(&format!("; probes: {p}"));
    }
    out.push_str(&bold(&line, style));
    out.push('\n');
    out
}

/// What changed since the baseline: new problems first.
fn drift(d: &crate::report::Drift, style: Style) -> String {
    let mut t = new_table(style);
    t.load_preset(presets::NOTHING);
    let place = |e: &crate::report::DriftEntry| {
        [e.region.as_deref(), e.model.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    };
    for (mark, list) in [
        ("new", &d.new),
        ("changed", &d.changed),
        ("resolved", &d.resolved),
    ] {
        for e in list {
            let status = match e.was {
                Some(was) if mark != "resolved" => format!("{was} → {}", glyph(e.status, style.color)),
                _ => glyph(e.status, style.color),
            };
            t.add_row(vec![
                mark.to_string(),
                status,
                format!("{} {} {}", e.code, place(e), e.title),
            ]);
        }
    }
    let head = format!(
        "Since the baseline {}: {} new, {} changed, {} resolved",
        d.baseline,
        d.new.len(),
        d.changed.len(),
        d.resolved.len()
    );
    if d.new.is_empty() && d.changed.is_empty() && d.resolved.is_empty() {
        format!("{}\n\n", bold(&head, style))
    } else {
        format!("{}\n{t}\n\n", bold(&head, style))
    }
}

/// The root causes, numbered and most serious first, each with its one fix.
fn diagnoses(report: &Report, style: Style) -> String {
    let mut t = new_table(style);
    t.load_preset(presets::NOTHING);
    for (i, d) in report.diagnoses.iter().enumerate() {
        let explains = if d.findings == 1 {
            format!("{}", d.code)
        } else {
            format!("{}, {} findings", d.code, d.findings)
        };
        t.add_row(vec![
            format!("{}.", i + 1),
            glyph(d.status, style.color),
            format!("{} ({explains})\nFix: {}", d.title, d.remediation),
        ]);
    }
    format!("{}\n{t}\n\n", bold("Diagnosis", style))
}

/// Regions × models, one row each, with the verdict of each plane side by side.
fn matrix(report: &Report, style: Style) -> String {
    let mut t = new_table(style);
    // A multi-account run has one block of rows per account.
    let accounts: Vec<Option<&str>> = if report.accounts.is_empty() {
        vec![None]
    } else {
        report.accounts.iter().map(|a| Some(a.name.as_str())).collect()
    };
    let mut header = if report.accounts.is_empty() {
        vec!["Region", "Model"]
    } else {
        vec!["Account", "Region", "Model"]
    };
    // The mantle column only when that plane was checked.
    let columns: Vec<Column> = Column::ALL
        .iter()
        .copied()
        .filter(|c| *c != Column::Mantle || report.findings.iter().any(|f| (style.columns)(f) == Some(*c)))
        .collect();
    header.extend(columns.iter().map(|c| c.header()));
    header.push("Latency");
    t.set_header(header);
    for account in &accounts {
        for region in &report.regions {
            for model in &report.models {
                let mine: Vec<&Finding> = report
                    .findings
                    .iter()
                    .filter(|f| {
                        f.region.as_deref() == Some(region.region.as_str())
                            && f.model.as_deref() == Some(model.as_str())
                            && f.account.as_ref().map(|a| a.name.as_str()) == *account
                    })
                    .collect();
                if mine.is_empty() {
                    continue;
                }
                let cell = |col: Column| {
                    let worst = mine
                        .iter()
                        .filter(|f| (style.columns)(f) == Some(col))
                        .max_by_key(|f| f.status);
                    worst.map_or_else(
                        || "-".to_string(),
                        |f| {
                            let g = glyph(f.status, style.color);
                            if f.status == Status::Pass {
                                g
                            } else {
                                format!("{g} {} ({})", f.cause, f.code)
                            }
                        },
                    )
                };
                let latency = mine
                    .iter()
                    .find(|f| (style.columns)(f) == Some(Column::Probe))
                    .and_then(|f| f.latency_ms)
                    .map_or_else(|| "-".to_string(), |ms| format!("{ms} ms"));
                let mut row = vec![region.region.clone(), model.clone()];
                if let Some(name) = account {
                    let id = report
                        .accounts
                        .iter()
                        .find(|a| a.name == *name)
                        .and_then(|a| a.id.clone());
                    row.insert(0, id.unwrap_or_else(|| (*name).to_string()));
                }
                row.extend(columns.iter().map(|c| cell(*c)));
                row.push(latency);
                t.add_row(row);
            }
        }
    }
    format!("{t}\n\n")
}

/// `list-checks` as a table.
pub fn checks_table(checks: &[&CheckInfo], style: Style) -> String {
    let mut t = new_table(style);
    t.set_header(vec!["Check", "Summary", "Needs", "Codes"]);
    for c in checks {
        let codes: Vec<&str> = c.codes().iter().map(|c| c.as_str()).collect();
        t.add_row(vec![c.id, c.summary, &c.depends_on.join(", "), &codes.join(" ")]);
    }
    format!("{t}\n")
}

/// `explain --list` as a table.
pub fn codes_table(style: Style) -> String {
    let mut t = new_table(style);
    t.set_header(vec!["Code", "Name", "Check", "Severity", "Title"]);
    for c in Code::ALL {
        t.add_row(vec![
            c.as_str().to_string(),
            c.slug().to_string(),
            c.check().to_string(),
            c.default_severity().to_string(),
            c.title().to_string(),
        ]);
    }
    format!("{t}\n")
}

/// `triage` as a two-column table.
pub fn triage_table(
    t: &crate::triage::Triage,
    verdict: Option<&crate::triage::Verdict>,
    style: Style,
) -> String {
    let mut table = new_table(style);
    table.load_preset(presets::NOTHING);
    let x = &t.extracted;
    table.add_row(vec![bold("Cause", style), format!("{} ({})", t.cause, t.code)]);
    table.add_row(vec![bold("What", style), t.title.clone()]);
    if let Some(a) = &t.alternative {
        table.add_row(vec!["Or else".to_string(), a.describe()]);
    }
    if let Some(error) = x.error_summary() {
        table.add_row(vec!["Error".to_string(), error]);
    }
    if let Some(d) = &x.denial {
        table.add_row(vec![
            "Denied".to_string(),
            crate::secrets::scrub(&d.describe()).into_owned(),
        ]);
    }
    for (label, value) in [
        ("Region", &x.region),
        ("Model", &x.model),
        ("Request id", &x.request_id),
    ] {
        if let Some(v) = value {
            table.add_row(vec![label.to_string(), crate::secrets::scrub(v).into_owned()]);
        }
    }
    let steps: Vec<String> = t
        .remediation
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{}. {s}", i + 1))
        .collect();
    table.add_row(vec![bold("Fix", style), steps.join("\n")]);
    if let Some(v) = verdict {
        let said = v.describe();
        table.add_row(vec![bold("Verified", style), said]);
    }
    format!("{table}\n")
}

/// `models` as one table, a row per region and model.
pub fn models_table(report: &crate::listing::ModelsReport, style: Style) -> String {
    let mut t = new_table(style);
    t.set_header(vec![
        "Region",
        "Model ID",
        "Provider",
        "In → Out",
        "Inference types",
        "Lifecycle",
        "Profiles",
    ]);
    let mut count = 0;
    for r in &report.regions {
        if let Some(e) = &r.error {
            t.add_row(vec![
                r.region.clone(),
                glyph(Status::Fail, style.color),
                format!(
                    "could not list: {} {}",
                    e.cause,
                    e.error_code.clone().unwrap_or_default()
                ),
                e.message.clone().unwrap_or_default(),
                String::new(),
                String::new(),
                String::new(),
            ]);
            continue;
        }
        for m in &r.models {
            count += 1;
            let mut lifecycle = m.lifecycle.status.clone();
            for (k, v) in [
                ("legacy", &m.lifecycle.legacy_time),
                ("EOL", &m.lifecycle.end_of_life_time),
            ] {
                if let Some(v) = v {
                    lifecycle.push_str(&format!("\n{k} {}", v.get(..10).unwrap_or(v)));
                }
            }
            t.add_row(vec![
                r.region.clone(),
                m.model_id.clone(),
                m.provider.clone(),
                format!(
                    "{} → {}",
                    m.input_modalities.join("+"),
                    m.output_modalities.join("+")
                ),
                m.inference_types.join(", "),
                lifecycle,
                m.profiles.join("\n"),
            ]);
        }
    }
    // Model ids are what users copy: never wrap them.
    for i in [1, 6] {
        if let Some(col) = t.column_mut(i) {
            col.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
        }
    }
    let n = report.regions.len();
    format!(
        "{t}\n{count} models in {n} region{}\n",
        if n == 1 { "" } else { "s" }
    )
}

/// `invoke` as text: problems, then the answer or the classified failure.
pub fn invoke_text(r: &crate::invoke::InvokeReport, style: Style) -> String {
    use crate::body::Level;
    let mut out = format!("{} {} in {}\n", r.operation, r.model, r.region);
    for p in &r.problems {
        let (g, word) = match p.level {
            Level::Error => (glyph(Status::Fail, style.color), "error"),
            Level::Warning => (glyph(Status::Warn, style.color), "warning"),
        };
        out.push_str(&format!(
            "{g} body {word} at {}: {} ({})\n",
            if p.at.is_empty() { "/" } else { &p.at },
            p.message,
            p.cause
        ));
    }
    if !r.sent {
        let blocked = r.problems.iter().any(|p| p.level == Level::Error);
        out.push_str(if blocked {
            "Not sent: fix the body first.\n"
        } else {
            "Dry run: the body looks valid; nothing was sent.\n"
        });
        return out;
    }
    if let Some(a) = &r.response {
        out.push_str(&format!(
            "{} answered in {} ms · content type {} · request id {}\n\n",
            glyph(Status::Pass, style.color),
            a.latency_ms,
            a.content_type.as_deref().unwrap_or("-"),
            a.request_id.as_deref().unwrap_or("-")
        ));
        out.push_str(&serde_json::to_string_pretty(&a.body).unwrap_or_default());
        out.push('\n');
    }
    if let Some(f) = &r.failure {
        out.push_str(&format!(
            "{} {} ({}) after {} ms: {}\n",
            glyph(Status::Fail, style.color),
            f.cause,
            f.code,
            f.latency_ms,
            f.title
        ));
        out.push_str(&format!(
            "AWS: HTTP {} {} · request id {}\n{}\n",
            f.aws
                .http_status
                .map_or_else(|| "-".to_string(), |s| s.to_string()),
            f.aws.error_code.as_deref().unwrap_or("-"),
            f.aws.request_id.as_deref().unwrap_or("-"),
            f.aws.message.as_deref().unwrap_or_default()
        ));
        if let Some(d) = &f.aws.denial {
            out.push_str(&format!("denied: {}\n", d.describe()));
        }
        for (i, s) in f.remediation.iter().enumerate() {
            out.push_str(&format!("{}. {s}\n", i + 1));
        }
    }
    out
}

/// `lint` as compiler-style diagnostics: `file:line:col  status  code  message`, then the fix.
pub fn lint_text(r: &crate::lint::LintReport, style: Style) -> String {
    let mut out = String::new();
    for f in &r.findings {
        let at = f
            .location
            .as_ref()
            .map_or_else(String::new, |l| format!("{}:{}:{}", l.file, l.line, l.column));
        out.push_str(&format!(
            "{}  {}  {}  {}\n",
            bold(&at, style),
            glyph(f.status, style.color),
            f.code,
            f.title
        ));
        if let Some(step) = f.remediation.first() {
            out.push_str(&format!("    fix: {step}\n"));
        }
    }
    let s = &r.summary;
    let ids = &r.identifiers;
    out.push_str(&format!(
        "{}{} file{} scanned · {} identifier{} checked, {} not checkable · {} fail, {} warn{} · knowledge base of {}\n",
        if r.findings.is_empty() { "" } else { "\n" },
        r.files_scanned,
        if r.files_scanned == 1 { "" } else { "s" },
        ids.checked,
        if ids.checked == 1 { "" } else { "s" },
        ids.unchecked,
        s.fail,
        s.warn,
        if s.suppressed > 0 { format!(", {} suppressed", s.suppressed) } else { String::new() },
        r.knowledge_base.date
    ));
    out
}

/// `where MODEL` as a table: lifecycle, regions, then one row per profile and source region.
pub fn where_table(w: &crate::knowledge::Whereabouts, style: Style) -> String {
    let mut head = new_table(style);
    head.load_preset(presets::NOTHING);
    let mut lifecycle = w.lifecycle.clone().unwrap_or_else(|| "not stated".into());
    for (label, date) in [
        ("legacy since", &w.legacy_time),
        ("end of life", &w.end_of_life_time),
    ] {
        if let Some(d) = date {
            lifecycle.push_str(&format!(" · {label} {}", &d[..d.len().min(10)]));
        }
    }
    let list = |v: &[String]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.join(", ")
        }
    };
    head.add_row(vec![bold("Model", style), w.model.clone()]);
    head.add_row(vec!["Lifecycle".to_string(), lifecycle]);
    head.add_row(vec!["On demand in".to_string(), list(&w.in_region)]);
    head.add_row(vec![
        "Only through profiles in".to_string(),
        list(&w.profile_only),
    ]);
    if !w.mantle.is_empty() {
        let mantle: Vec<String> = w
            .mantle
            .iter()
            .map(|(r, apis)| format!("{r} ({})", apis.join(", ")))
            .collect();
        head.add_row(vec!["On bedrock-mantle in".to_string(), mantle.join(", ")]);
    }
    let mut out = format!("{head}\n");
    if !w.profiles.is_empty() {
        let mut t = new_table(style);
        t.set_header(vec!["Profile", "Called from", "Routes to"]);
        for (profile, by_source) in &w.profiles {
            for (source, dest) in by_source {
                t.add_row(vec![profile.clone(), source.clone(), dest.join(", ")]);
            }
        }
        out.push_str(&format!("\n{t}\n"));
    }
    if let Some(diffs) = &w.live {
        if diffs.is_empty() {
            out.push_str("\n--live: the account's catalogue and profiles agree with the knowledge base\n");
        } else {
            out.push_str("\n--live: where the account differs from the knowledge base\n");
            for d in diffs {
                out.push_str(&format!("  - {d}\n"));
            }
        }
    }
    out.push_str(&format!(
        "\nknowledge base of {} (offline; `bedrock-doctor models --region R` asks AWS)\n",
        w.knowledge
    ));
    out
}
