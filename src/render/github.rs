//! GitHub Actions workflow commands: one annotation per problem, located when the finding is.

use crate::report::{Report, Status};

/// Escapes a message (`%`, CR, LF) as the workflow-command syntax requires.
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value (also `:` and `,`).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

fn level(status: Status) -> Option<&'static str> {
    match status {
        Status::Fail => Some("error"),
        Status::Warn => Some("warning"),
        Status::Inconclusive => Some("notice"),
        Status::Pass | Status::Skip => None,
    }
}

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    // One annotation per root cause; a report without diagnoses (lint) annotates each finding.
    for d in &r.diagnoses {
        let Some(level) = level(d.status) else { continue };
        let title = property(&format!("{} {}", d.code, d.code.slug()));
        let located = r
            .findings
            .iter()
            .filter(|f| f.suppressed.is_none() && f.code == d.code && f.cause == d.cause)
            .find_map(|f| f.location.as_ref());
        let place = located
            .map(|l| format!("file={},line={},col={},", property(&l.file), l.line, l.column))
            .unwrap_or_default();
        let msg = format!("{}\nFix: {}", d.title, d.remediation);
        out.push_str(&format!("::{level} {place}title={title}::{}\n", data(&msg)));
    }
    for f in r
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none() && r.diagnoses.is_empty())
    {
        let Some(level) = level(f.status) else { continue };
        let mut props = vec![format!("title={}", property(&format!("{} {}", f.code, f.slug)))];
        if let Some(l) = &f.location {
            props.insert(
                0,
                format!("file={},line={},col={}", property(&l.file), l.line, l.column),
            );
        }
        let mut msg = f.title.clone();
        if let Some(step) = f.remediation.first() {
            msg.push_str(&format!("\nFix: {step}"));
        }
        out.push_str(&format!("::{level} {}::{}\n", props.join(","), data(&msg)));
    }
    let s = &r.summary;
    out.push_str(&format!(
        "bedrock-doctor: {} fail, {} warn, {} inconclusive, {} skip, {} pass\n",
        s.fail, s.warn, s.inconclusive, s.skip, s.pass
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(data("50%\nnext"), "50%25%0Anext");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
