//! The support-ticket report: self-contained Markdown with the tool version, time, identity,
//! regions and their source, every finding grouped by status with remediation and AWS request
//! ids, and an environment block.

use crate::report::{Finding, Report, Status};

fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn finding(out: &mut String, f: &Finding) {
    let mut head = format!("### {} `{}`", f.code, f.slug);
    for part in [f.region.as_deref(), f.model.as_deref()].into_iter().flatten() {
        head.push_str(&format!(" · {part}"));
    }
    out.push_str(&format!(
        "{head}\n\n**{}** (cause `{}`, check `{}`)\n\n",
        f.title, f.cause, f.check
    ));
    if let Some(s) = &f.suppressed {
        out.push_str(&format!(
            "> Suppressed: {}{}\n\n",
            s.reason,
            s.expires
                .as_ref()
                .map(|e| format!(" (until {e})"))
                .unwrap_or_default()
        ));
    }
    if !f.detail.is_empty() {
        out.push_str(&format!("{}\n\n", f.detail));
    }
    if let Some(l) = &f.location {
        out.push_str(&format!("Location: `{}:{}:{}`\n\n", l.file, l.line, l.column));
    }
    if let Some(a) = &f.aws {
        out.push_str(&format!(
            "AWS: `{}` {} → HTTP {}{} · request id `{}`\n\n",
            a.service,
            a.operation,
            a.http_status.map_or_else(|| "-".to_string(), |s| s.to_string()),
            a.error_code
                .as_deref()
                .map(|c| format!(" {c}"))
                .unwrap_or_default(),
            a.request_id.as_deref().unwrap_or("-")
        ));
    }
    if !f.remediation.is_empty() {
        out.push_str("Remediation:\n\n");
        for (i, s) in f.remediation.iter().enumerate() {
            out.push_str(&format!("{}. {s}\n", i + 1));
        }
        out.push('\n');
    }
}

pub fn render(r: &Report) -> String {
    let mut out = format!(
        "# bedrock-doctor report\n\n| | |\n|---|---|\n| Tool | {} {} |\n",
        r.tool.name, r.tool.version
    );
    if let Some(t) = &r.generated_at {
        out.push_str(&format!("| Time | {t} |\n"));
    }
    match &r.identity {
        Some(id) => {
            out.push_str(&format!(
                "| Identity | {} |\n| Account | {} |\n| Credentials | {} · {} key `{}`{} |\n",
                escape(id.arn.as_deref().unwrap_or("not verified")),
                id.account.as_deref().unwrap_or("-"),
                escape(&id.credential_source),
                if id.temporary { "temporary" } else { "long-term" },
                id.access_key_id,
                id.expires_at
                    .as_ref()
                    .map(|e| format!(" · expires {e}"))
                    .unwrap_or_default()
            ));
        }
        None => out.push_str("| Identity | none (no usable credentials) |\n"),
    }
    if !r.regions.is_empty() {
        let regions: Vec<String> = r
            .regions
            .iter()
            .map(|x| format!("{} ({})", x.region, x.describe()))
            .collect();
        out.push_str(&format!("| Regions | {} |\n", regions.join(", ")));
    }
    if !r.models.is_empty() {
        out.push_str(&format!("| Models | {} |\n", r.models.join(", ")));
    }
    let s = &r.summary;
    out.push_str(&format!(
        "| Result | {} fail, {} warn, {} inconclusive, {} skip, {} pass{}{} |\n",
        s.fail,
        s.warn,
        s.inconclusive,
        s.skip,
        s.pass,
        if s.suppressed > 0 {
            format!(", {} suppressed", s.suppressed)
        } else {
            String::new()
        },
        if r.incomplete { " (incomplete run)" } else { "" }
    ));
    if let Some(p) = &r.probes {
        out.push_str(&format!("| Probes | {p} |\n"));
    }
    out.push('\n');
    if let Some(d) = &r.drift {
        out.push_str(&format!(
            "## Since the baseline\n\n{}: {} new, {} changed, {} resolved\n\n",
            escape(&d.baseline),
            d.new.len(),
            d.changed.len(),
            d.resolved.len()
        ));
        for (mark, list) in [
            ("new", &d.new),
            ("changed", &d.changed),
            ("resolved", &d.resolved),
        ] {
            for e in list {
                let was = e
                    .was
                    .filter(|_| mark == "changed")
                    .map(|w| format!("{w} → "))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "- **{mark}** {was}{} `{}` {}\n",
                    e.status,
                    e.code,
                    escape(&e.title)
                ));
            }
        }
        out.push('\n');
    }
    if !r.diagnoses.is_empty() {
        out.push_str("## Diagnosis\n\n");
        for (i, d) in r.diagnoses.iter().enumerate() {
            out.push_str(&format!(
                "{}. **{}** {} (`{}`, {} finding{})  \n   Fix: {}\n",
                i + 1,
                d.status,
                escape(&d.title),
                d.code,
                d.findings,
                if d.findings == 1 { "" } else { "s" },
                escape(&d.remediation)
            ));
        }
        out.push('\n');
    }
    let suppressed: Vec<&Finding> = r.findings.iter().filter(|f| f.suppressed.is_some()).collect();
    for (status, heading) in [
        (Status::Fail, "Failures"),
        (Status::Warn, "Warnings"),
        (Status::Inconclusive, "Inconclusive (AWS could not answer)"),
        (Status::Skip, "Not checked"),
    ] {
        let group: Vec<&Finding> = r
            .findings
            .iter()
            .filter(|f| f.status == status && f.suppressed.is_none())
            .collect();
        if group.is_empty() {
            continue;
        }
        out.push_str(&format!("## {heading} ({})\n\n", group.len()));
        for f in group {
            finding(&mut out, f);
        }
    }
    if !suppressed.is_empty() {
        out.push_str(&format!("## Suppressed ({})\n\n", suppressed.len()));
        for f in suppressed {
            finding(&mut out, f);
        }
    }
    let passed: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.status == Status::Pass && f.suppressed.is_none())
        .collect();
    if !passed.is_empty() {
        out.push_str(&format!(
            "## Verified ({})\n\n| Code | Region | Model | Finding | Request id |\n|---|---|---|---|---|\n",
            passed.len()
        ));
        for f in passed {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                f.code,
                f.region.as_deref().unwrap_or("-"),
                f.model.as_deref().unwrap_or("-"),
                escape(&f.title),
                f.aws
                    .as_ref()
                    .and_then(|a| a.request_id.as_deref())
                    .unwrap_or("-")
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "## Environment\n\n- OS: {} {}\n- AWS SDK for Rust: {}\n\nEach code is explained by `bedrock-doctor explain CODE`.\n",
        std::env::consts::OS,
        std::env::consts::ARCH,
        env!("BD_SDK_VERSIONS")
    ));
    out
}

/// `triage --format markdown`: the cause, the evidence taken from the text, and the steps, for
/// a support ticket; with `--verify`, what the live checks said and their report.
pub fn triage(
    t: &crate::triage::Triage,
    verdict: Option<&crate::triage::Verdict>,
    verification: Option<&Report>,
) -> String {
    let x = &t.extracted;
    let mut out = format!(
        "## bedrock-doctor triage: `{}` ({})\n\n**{}**\n\n",
        t.cause, t.code, t.title
    );
    let rows: Vec<(&str, String)> = [
        (
            "Or else",
            t.alternative.as_ref().map(crate::triage::Alternative::describe),
        ),
        ("Error", x.error_summary()),
        ("Denied", x.denial.as_ref().map(crate::denial::Denial::describe)),
        ("Region", x.region.clone()),
        ("Model", x.model.clone()),
        ("Request id", x.request_id.clone()),
        ("Verified", verdict.map(crate::triage::Verdict::describe)),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect();
    if !rows.is_empty() {
        out.push_str("| | |\n|---|---|\n");
        for (k, v) in rows {
            out.push_str(&format!("| {k} | {} |\n", escape(&crate::secrets::scrub(&v))));
        }
        out.push('\n');
    }
    out.push_str("**Fix**\n\n");
    for (i, step) in t.remediation.iter().enumerate() {
        out.push_str(&format!("{}. {step}\n", i + 1));
    }
    if let Some(r) = verification {
        out.push_str("\n---\n\n");
        out.push_str(&render(r));
    }
    out
}
