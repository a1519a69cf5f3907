//! Drift against a baseline: which problems are new since a previous report, which are gone,
//! and which changed status, so a team can gate on new failures while it cleans up old ones.

use crate::report::{Drift, DriftEntry, Finding, Report, Status};

fn problem(f: &Finding) -> bool {
    f.suppressed.is_none() && matches!(f.status, Status::Fail | Status::Warn | Status::Inconclusive)
}

fn entry(f: &Finding, status: Status, was: Option<Status>) -> DriftEntry {
    DriftEntry {
        code: f.code,
        region: f.region.clone(),
        model: f.model.clone(),
        title: f.title.clone(),
        status,
        was,
    }
}

/// Compares `now` with `baseline` (`label` names the baseline in the report).
pub fn compare(now: &Report, baseline: &Report, label: &str) -> Drift {
    let before = |f: &Finding| baseline.findings.iter().find(|b| b.identity() == f.identity());
    let after = |b: &Finding| now.findings.iter().find(|f| f.identity() == b.identity());
    let mut drift = Drift {
        baseline: match &baseline.generated_at {
            Some(t) => format!("{label} ({t})"),
            None => label.to_string(),
        },
        ..Drift::default()
    };
    for f in now.findings.iter().filter(|f| problem(f)) {
        match before(f).filter(|b| problem(b)) {
            None => drift.new.push(entry(f, f.status, None)),
            Some(b) if b.status != f.status => drift.changed.push(entry(f, f.status, Some(b.status))),
            Some(_) => {}
        }
    }
    for b in baseline.findings.iter().filter(|b| problem(b)) {
        if !after(b).is_some_and(problem) {
            let status = after(b).map_or(Status::Pass, |f| f.status);
            drift.resolved.push(entry(b, status, Some(b.status)));
        }
    }
    drift
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Code;
    use crate::report::Cause;

    fn report(findings: Vec<Finding>) -> Report {
        Report::of(findings)
    }

    fn f(code: Code, status: Status, region: &str, title: &str) -> Finding {
        Finding::new(code, status, Cause::Other, title)
            .check("probe")
            .region(region)
    }

    #[test]
    fn new_resolved_and_changed_by_identity_not_wording() {
        let baseline = report(vec![
            f(Code::BD401, Status::Fail, "us-east-1", "denied in 12 ms"),
            f(Code::BD411, Status::Inconclusive, "eu-west-1", "no answer"),
            f(Code::BD401, Status::Fail, "eu-west-3", "denied"),
        ]);
        let now = report(vec![
            // Same problem, other wording (a latency in the title): not new.
            f(Code::BD401, Status::Fail, "us-east-1", "denied in 48 ms"),
            f(Code::BD411, Status::Warn, "eu-west-1", "no answer"),
            f(Code::BD401, Status::Fail, "ap-northeast-1", "denied"),
            f(Code::BD400, Status::Pass, "eu-west-3", "ok"),
        ]);
        let d = compare(&now, &baseline, "base.json");
        let regions = |v: &[DriftEntry]| v.iter().map(|e| e.region.clone().unwrap()).collect::<Vec<_>>();
        assert_eq!(regions(&d.new), ["ap-northeast-1"]);
        assert_eq!(regions(&d.changed), ["eu-west-1"]);
        assert_eq!(d.changed[0].was, Some(Status::Inconclusive));
        assert_eq!(regions(&d.resolved), ["eu-west-3"]);
        assert_eq!(d.resolved[0].status, Status::Pass);
    }
}
