//! JUnit XML through the typed `quick-junit` crate: a test suite per check, a test case per
//! finding (check, region, model); `fail` is a failure, `skip` and `inconclusive` are skipped
//! with the reason, so CI systems show what was verified and what was not. The diagnoses come
//! first, as the properties and output of a `diagnosis` suite without test cases.

use crate::report::{Finding, Report, Status};
use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

fn case(f: &Finding) -> TestCase {
    let mut name = format!("{} {}", f.code, f.slug);
    for part in [f.region.as_deref(), f.model.as_deref()].into_iter().flatten() {
        name.push_str(&format!(" [{part}]"));
    }
    let first = f.remediation.first().cloned().unwrap_or_default();
    let status = match (f.status, &f.suppressed) {
        (_, Some(s)) => {
            let mut st = TestCaseStatus::skipped();
            st.set_message(format!("suppressed: {}", s.reason));
            st
        }
        (Status::Fail, None) => {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
            st.set_message(format!("{}: {}", f.cause, f.title));
            st.set_type(f.cause.as_str());
            st.set_description(format!("{}\n{}\nFix: {first}", f.title, f.detail));
            st
        }
        (Status::Skip | Status::Inconclusive, None) => {
            let mut st = TestCaseStatus::skipped();
            st.set_message(format!("{} ({}): {}", f.status, f.cause, f.title));
            st
        }
        (Status::Pass | Status::Warn, None) => TestCaseStatus::success(),
    };
    let mut tc = TestCase::new(name, status);
    tc.set_classname(format!("bedrock-doctor.{}", f.check));
    if f.status == Status::Warn {
        tc.set_system_out(format!("warning: {} ({})", f.title, f.cause));
    }
    if let Some(ms) = f.latency_ms {
        tc.set_time(std::time::Duration::from_millis(ms));
    }
    tc
}

pub fn render(r: &Report) -> String {
    let mut report = JunitReport::new("bedrock-doctor");
    let mut ids: Vec<&str> = r.checks.iter().map(|c| c.id.as_str()).collect();
    for f in &r.findings {
        if !ids.contains(&f.check.as_str()) {
            ids.push(&f.check);
        }
    }
    // The root causes as a suite of their own, in properties and system-out rather than as
    // test cases: a failure must not be counted twice.
    if !r.diagnoses.is_empty() {
        let mut suite = TestSuite::new("diagnosis");
        let mut text = String::new();
        for (i, d) in r.diagnoses.iter().enumerate() {
            let line = format!(
                "{} {} ({}, {} findings): {}",
                d.status, d.cause, d.code, d.findings, d.title
            );
            suite.add_property((format!("diagnosis.{}", i + 1), line.clone()));
            text.push_str(&format!("{}. {line}\n   Fix: {}\n", i + 1, d.remediation));
        }
        suite.set_system_out(text);
        report.add_test_suite(suite);
    }
    for id in ids {
        let mut suite = TestSuite::new(id);
        suite.add_test_cases(r.findings.iter().filter(|f| f.check == id).map(case));
        report.add_test_suite(suite);
    }
    report.to_string().expect("JUnit serialises")
}
