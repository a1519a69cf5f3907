//! The check engine: orders checks by dependency, runs independent ones concurrently, bounds
//! the whole run by `--timeout`, and turns a crash or a cut-off into findings instead of
//! losing them.

use crate::check::Check;
use crate::codes::Code;
use crate::context::Context;
use crate::report::{Cause, CheckSummary, Finding, Findings, Status};
use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the engine hands back.
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub checks: Vec<CheckSummary>,
    /// A check crashed or the time bound ended the run.
    pub incomplete: bool,
}

#[derive(Clone)]
struct Ended {
    duration: Duration,
    error: Option<String>,
}

type Done = Shared<BoxFuture<'static, ()>>;

/// Puts `selected` in an order where every dependency comes before its dependents.
fn ordered(selected: &[&'static dyn Check]) -> Vec<&'static dyn Check> {
    let mut out: Vec<&'static dyn Check> = Vec::new();
    fn visit(c: &'static dyn Check, sel: &[&'static dyn Check], out: &mut Vec<&'static dyn Check>) {
        if out.iter().any(|x| x.id() == c.id()) {
            return;
        }
        for dep in c.waits_for() {
            if let Some(d) = sel.iter().find(|x| x.id() == dep) {
                visit(*d, sel, out);
            }
        }
        out.push(c);
    }
    for c in selected {
        visit(*c, selected, &mut out);
    }
    out
}

/// Runs `selected` checks against `cx`, within `cx.settings.timeout`.
pub async fn run(cx: Arc<Context>, selected: &[&'static dyn Check]) -> Outcome {
    let sink = Findings::default();
    let ended: Arc<Mutex<HashMap<&'static str, Ended>>> = Arc::default();
    let mut done: Vec<(&'static str, Done)> = Vec::new();
    let mut aborts = Vec::new();
    let order = ordered(selected);

    for check in &order {
        let check: &'static dyn Check = *check;
        let deps: Vec<Done> = check
            .waits_for()
            .iter()
            .filter_map(|d| done.iter().find(|(id, _)| id == d).map(|(_, f)| f.clone()))
            .collect();
        let (cx, sink2, ended2) = (cx.clone(), sink.clone(), ended.clone());
        let task = tokio::spawn(async move {
            futures::future::join_all(deps).await;
            let start = Instant::now();
            let result = check.run(&cx, &sink2).await;
            (result, start.elapsed())
        });
        aborts.push(task.abort_handle());
        let sink3 = sink.clone();
        let id = check.id();
        let finished = async move {
            let record = match task.await {
                Ok((Ok(()), duration)) => Ended {
                    duration,
                    error: None,
                },
                Ok((Err(e), duration)) => Ended {
                    duration,
                    error: Some(e.to_string()),
                },
                Err(join) if join.is_panic() => {
                    let payload = join.into_panic();
                    let msg = payload
                        .downcast_ref::<&str>()
                        .map(|s| (*s).to_string())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "panic".into());
                    Ended {
                        duration: Duration::ZERO,
                        error: Some(format!(
                            "internal error: {msg} (this is a bug in bedrock-doctor; please report it)"
                        )),
                    }
                }
                Err(_) => return,
            };
            if let Some(err) = &record.error {
                sink3.push(
                    Finding::new(
                        Code::BD901,
                        Status::Inconclusive,
                        Cause::Other,
                        format!("the `{id}` check could not complete"),
                    )
                    .check(id)
                    .detail(crate::secrets::scrub(err).into_owned())
                    .step("Re-run with `-v` and report the output to the bedrock-doctor maintainers"),
                );
            }
            ended2
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(id, record);
        }
        .boxed()
        .shared();
        done.push((id, finished));
    }

    let all = futures::future::join_all(done.iter().map(|(_, f)| f.clone()));
    let timed_out = tokio::time::timeout(cx.settings.timeout, all).await.is_err();
    for a in &aborts {
        a.abort();
    }

    let ended = ended
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let mut incomplete = false;
    let mut summaries = Vec::new();
    let mut findings = sink.take();
    crate::config::apply_severity(&mut findings, &cx.settings.severity);
    for check in &order {
        let id = check.id();
        let (duration, error) = match ended.get(id) {
            Some(e) => (e.duration, e.error.clone()),
            None => {
                let msg = format!(
                    "cut off by --timeout after {} s before it finished",
                    cx.settings.timeout.as_secs_f64()
                );
                findings.push(
                    Finding::new(Code::BD902, Status::Inconclusive, Cause::Other, format!("the `{id}` check did not finish within --timeout"))
                        .check(id)
                        .detail(format!("The whole run is bounded by --timeout ({} s); this check was still waiting for AWS when it ran out. Anything it had already found is reported above.", cx.settings.timeout.as_secs_f64()))
                        .step("Re-run with a larger --timeout, or find out why AWS is slow to answer from this network")
                        .finish(),
                );
                (cx.settings.timeout, Some(msg))
            }
        };
        incomplete |= error.is_some();
        let mine: Vec<&Finding> = findings.iter().filter(|f| f.check == id).collect();
        summaries.push(CheckSummary {
            id: id.to_string(),
            status: mine.iter().map(|f| f.status).max().unwrap_or(Status::Skip),
            findings: mine.len(),
            duration_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
            error,
        });
    }
    incomplete |= timed_out;
    // Report in registry order, then by region order as the checks pushed them.
    let position = |id: &str| order.iter().position(|c| c.id() == id).unwrap_or(usize::MAX);
    let region_rank = |r: &Option<String>| {
        r.as_ref()
            .and_then(|r| cx.aws.regions.iter().position(|x| &x.region == r))
            .unwrap_or(usize::MAX)
    };
    let model_rank = |m: &Option<String>| {
        m.as_ref()
            .and_then(|m| cx.settings.models.iter().position(|x| x == m))
            .unwrap_or(usize::MAX)
    };
    findings.sort_by_key(|f| {
        (
            position(&f.check),
            region_rank(&f.region),
            model_rank(&f.model),
            f.code,
        )
    });
    Outcome {
        findings,
        checks: summaries,
        incomplete,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::setup::AwsSetup;
    use crate::check::CheckError;
    use crate::check_info::{CheckInfo, no_column};
    use crate::report::Cause;
    use crate::settings::Settings;

    struct Panics;
    struct Sleeps;
    struct Fails;
    struct After;

    impl Check for Panics {
        fn info(&self) -> &'static CheckInfo {
            static INFO: CheckInfo = CheckInfo {
                id: "panics",
                summary: "panics",
                depends_on: &[],
                starter: "",
                column: no_column,
            };
            &INFO
        }
        fn run<'a>(&'a self, _: &'a Context, _: &'a Findings) -> BoxFuture<'a, Result<(), CheckError>> {
            async { panic!("boom") }.boxed()
        }
    }

    impl Check for Sleeps {
        fn info(&self) -> &'static CheckInfo {
            static INFO: CheckInfo = CheckInfo {
                id: "sleeps",
                summary: "sleeps",
                depends_on: &[],
                starter: "",
                column: no_column,
            };
            &INFO
        }
        fn run<'a>(&'a self, _: &'a Context, out: &'a Findings) -> BoxFuture<'a, Result<(), CheckError>> {
            async move {
                out.push(
                    Finding::new(Code::BD500, Status::Pass, Cause::Ok, "found before the cut")
                        .check("sleeps"),
                );
                tokio::time::sleep(Duration::from_secs(30)).await;
                Ok(())
            }
            .boxed()
        }
    }

    impl Check for Fails {
        fn info(&self) -> &'static CheckInfo {
            static INFO: CheckInfo = CheckInfo {
                id: "fails",
                summary: "returns an error",
                depends_on: &[],
                starter: "",
                column: no_column,
            };
            &INFO
        }
        fn run<'a>(&'a self, _: &'a Context, _: &'a Findings) -> BoxFuture<'a, Result<(), CheckError>> {
            async { Err(CheckError::Internal("broken".into())) }.boxed()
        }
    }

    impl Check for After {
        fn info(&self) -> &'static CheckInfo {
            static INFO: CheckInfo = CheckInfo {
                id: "after",
                summary: "depends on the panicking check",
                depends_on: &["panics"],
                starter: "",
                column: no_column,
            };
            &INFO
        }
        fn run<'a>(&'a self, _: &'a Context, out: &'a Findings) -> BoxFuture<'a, Result<(), CheckError>> {
            async move {
                out.push(Finding::new(Code::BD100, Status::Pass, Cause::Ok, "ran").check("after"));
                Ok(())
            }
            .boxed()
        }
    }

    async fn context(timeout: Duration) -> Arc<Context> {
        let settings = Settings {
            timeout,
            invoke: false,
            ..Settings::new(vec!["us-east-1".into()], None, 1.0, 2)
        };
        let aws = AwsSetup::load(&settings.regions, None, crate::aws::call_timeouts(timeout))
            .await
            .unwrap();
        Arc::new(Context::new(settings, aws))
    }

    #[tokio::test]
    async fn a_crash_is_reported_and_does_not_stop_the_others() {
        let cx = context(Duration::from_secs(5)).await;
        let out = run(cx, &[&After, &Panics, &Fails]).await;
        assert!(out.incomplete);
        let ids: Vec<_> = out.checks.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["panics", "after", "fails"], "dependencies first");
        let crashed: Vec<_> = out.findings.iter().filter(|f| f.code == Code::BD901).collect();
        assert_eq!(crashed.len(), 2);
        assert!(crashed[0].detail.contains("boom") && crashed[0].check == "panics");
        assert!(crashed[1].detail.contains("broken") && crashed[1].check == "fails");
        assert!(
            out.findings
                .iter()
                .any(|f| f.check == "after" && f.status == Status::Pass)
        );
        assert!(out.checks[0].error.as_deref().unwrap().contains("boom"));
    }

    #[tokio::test]
    async fn the_time_bound_cuts_a_slow_check_but_keeps_what_it_found() {
        let cx = context(Duration::from_millis(300)).await;
        let start = Instant::now();
        let out = run(cx, &[&Sleeps]).await;
        assert!(start.elapsed() < Duration::from_secs(5));
        assert!(out.incomplete);
        assert!(out.findings.iter().any(|f| f.title == "found before the cut"));
        let cut = out.findings.iter().find(|f| f.code == Code::BD902).unwrap();
        assert_eq!((cut.status, cut.check.as_str()), (Status::Inconclusive, "sleeps"));
        assert_eq!(out.checks[0].status, Status::Inconclusive);
    }
}
