//! The check engine: orders checks by dependency, runs independent ones concurrently, bounds
//! the whole run by `--timeout`, and turns a crash or a cut-off into findings instead of
//! losing them.

use crate::checks::Check;
use crate::codes::Code;
use crate::context::Context;
use crate::report::{Cause, CheckSummary, Finding, Status};
use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The sink checks push findings into; shared so that what a check found before it was cut
/// off is still reported.
#[derive(Clone, Default)]
pub struct Findings {
    inner: Arc<Mutex<Vec<Finding>>>,
}

impl Findings {
    pub fn push(&self, finding: Finding) {
        self.lock().push(finding.finish());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Finding>> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn take(&self) -> Vec<Finding> {
        std::mem::take(&mut *self.lock())
    }
}

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
        for dep in c.depends_on() {
            if let Some(d) = sel.iter().find(|x| x.id() == *dep) {
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
            .depends_on()
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
    findings.sort_by_key(|f| (position(&f.check), region_rank(&f.region)));
    Outcome {
        findings,
        checks: summaries,
        incomplete,
    }
}
