//! `model-access`: for every region × model, what the control plane says: is the model in the
//! region's catalogue, its lifecycle, whether it can be invoked on demand by the identifier
//! given or needs an inference profile (and which), whether a profile can be called from the
//! region and where it routes, and the account's entitlement hints. Hints never override a
//! probe: a positive availability answer is reported as a hint, not as "works".

use crate::catalogue::CatalogueModel;
use crate::check::{Check, CheckError};
use crate::check_info::{CheckInfo, Column};
use crate::codes::Code;
use crate::context::{Context, Service};
use crate::ident::{self, ModelRef};
use crate::report::Findings;
use crate::report::{AwsEvidence, Cause, Finding, Status};
use crate::{aws, regions};
use aws_credential_types::Credentials;
use futures::FutureExt;
use futures::future::BoxFuture;

pub struct ModelAccess;

pub static INFO: CheckInfo = CheckInfo {
    id: "model-access",
    summary: "Each model is offered in each region, callable on demand or through a profile, with entitlement hints",
    depends_on: &["credentials", "regions"],
    starter: "each model in each region: catalogue, on demand or profile, entitlement",
    column,
};

/// The entitlement hints fill the matrix's entitlement column, the account-wide use-case form
/// none, everything else about the model the catalogue column.
fn column(f: &Finding) -> Option<Column> {
    let op = f.aws.as_ref().map_or("", |a| a.operation.as_str());
    match f.code {
        Code::BD205 | Code::BD206 => Some(Column::Entitlement),
        Code::BD208 if op == "GetFoundationModelAvailability" => Some(Column::Entitlement),
        Code::BD207 | Code::BD211 => None,
        _ => Some(Column::Catalogue),
    }
}

impl Check for ModelAccess {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run<'a>(&'a self, cx: &'a Context, out: &'a Findings) -> BoxFuture<'a, Result<(), CheckError>> {
        run(cx, out).boxed()
    }
}

/// The regions worth calling: known codes that offer Bedrock (the regions check reports others).
pub(crate) fn live_regions(cx: &Context) -> Vec<String> {
    cx.aws
        .regions
        .iter()
        .filter(|r| regions::lookup(&r.region).is_some_and(|i| i.bedrock))
        .map(|r| r.region.clone())
        .collect()
}

/// The least-privilege policy each model of the run needs in each live region on `plane`, as
/// `bedrock-doctor policy` derives it (the account from STS when it answered). What the
/// generator cannot place (a `us.` profile from Europe, a profile the knowledge base does not
/// know from a region) is left out: the model checks report it.
pub(crate) fn needed_policies(
    cx: &crate::context::Context,
    plane: crate::policy::Plane,
) -> Vec<(String, String, crate::policy::Policy)> {
    let account = cx.identity().and_then(|i| i.account);
    let kb = crate::knowledge::embedded();
    let regions = live_regions(cx);
    let mut out = Vec::new();
    for model in &cx.settings.models {
        for region in &regions {
            let needs = crate::policy::Needs {
                regions: vec![region.clone()],
                models: vec![model.clone()],
                account: account.clone(),
                plane,
                ..crate::policy::Needs::default()
            };
            if let Ok(p) = crate::policy::generate(kb, &needs) {
                out.push((model.clone(), region.clone(), p));
            }
        }
    }
    out
}

/// The `--model` values that parse; malformed ones get one BD209 finding each.
pub(crate) fn parsed_models(cx: &Context, out: Option<&Findings>) -> Vec<(String, ModelRef)> {
    let mut models = Vec::new();
    for m in &cx.settings.models {
        match ident::parse(m) {
            Ok(r) => models.push((m.clone(), r)),
            Err(e) => {
                if let Some(out) = out {
                    out.push(
                        Finding::new(Code::BD209, Status::Fail, Cause::InvalidModelId, format!("`{m}` is not a Bedrock model identifier"))
                            .model(m.clone())
                            .detail(e.to_string())
                            .step("Use a model ID (`aws bedrock list-foundation-models --query 'modelSummaries[].modelId'`), an inference profile ID (`us.…`, `eu.…`, `global.…`) or an ARN"),
                    );
                }
            }
        }
    }
    models
}

async fn run(cx: &Context, out: &Findings) -> Result<(), CheckError> {
    let models = parsed_models(cx, Some(out));
    if models.is_empty() {
        return Ok(());
    }
    let regions = live_regions(cx);
    // Regions no call may go to (no credentials; an API key made for another region).
    let mut live: Vec<(String, Option<Credentials>)> = Vec::new();
    for region in &regions {
        match cx.bedrock_gate_in(region) {
            Ok(creds) => live.push((region.clone(), creds)),
            Err(why) => {
                for (m, _) in &models {
                    out.push(
                        Finding::new(
                            Code::BD900,
                            Status::Skip,
                            Cause::Other,
                            format!("{m} in {region} not checked"),
                        )
                        .check("model-access")
                        .region(region.clone())
                        .model(m.clone())
                        .detail(format!("Not called because of {}.", why.0))
                        .step("Fix the credentials finding first, then re-run"),
                    );
                }
            }
        }
    }
    if live.is_empty() {
        return Ok(());
    }
    let (first, creds) = live[0].clone();
    let pairs = live.iter().flat_map(|(r, creds)| {
        models
            .iter()
            .map(move |(m, parsed)| (r.clone(), m.clone(), parsed.clone(), creds.clone()))
    });
    let work = pairs
        .map(|(region, m, parsed, creds)| async move { one(cx, out, &region, &m, &parsed, creds).await });
    let anthropic: Vec<&str> = models
        .iter()
        .filter(|(_, r)| r.foundation_id().is_some_and(|id| id.starts_with("anthropic.")))
        .map(|(m, _)| m.as_str())
        .collect();
    futures::future::join(
        futures::future::join_all(work),
        use_case(cx, out, &first, &anthropic, creds.clone()),
    )
    .await;
    Ok(())
}

async fn one(
    cx: &Context,
    out: &Findings,
    region: &str,
    m: &str,
    parsed: &ModelRef,
    creds: Option<Credentials>,
) {
    let base =
        |code, status, cause, title: String| Finding::new(code, status, cause, title).region(region).model(m);
    if let Some(pinned) = parsed.arn_region().filter(|r| *r != region) {
        out.push(
            base(Code::BD201, Status::Warn, Cause::ModelNotInRegion, format!("the ARN names {pinned}, but the call goes to {region}"))
                .detail(format!("`{m}` pins region {pinned}. A client in {region} should use the ARN of {region} (or the plain model or profile ID); an ARN of another region is rejected or routed unexpectedly."))
                .step(format!("Use the identifier without a region (model or profile ID), or the ARN with `{region}`")),
        );
    }
    match parsed {
        // The entitlement reads need only the model ID, not what the verdict looks up next
        // (the profiles that route to it, where a profile routes): they run side by side, so a
        // sweep is one round trip shorter.
        ModelRef::Foundation { id } | ModelRef::FoundationArn { id, .. } => {
            // Entitlement is asked about a model the region lists (or when the list is unknown).
            let listed = match cx.catalogue(region, creds.clone()).await {
                Ok(cat) => cat.value.iter().any(|c| c.id == *id),
                Err(_) => true,
            };
            let verdict = catalogue_verdict(cx, out, region, m, id, creds.clone());
            if listed {
                futures::future::join(verdict, entitlement(cx, out, region, m, id, creds)).await;
            } else {
                verdict.await;
            }
        }
        ModelRef::SystemProfile { .. } | ModelRef::ProfileArn { .. } => {
            let verdict = profile_verdict(cx, out, region, m, parsed, creds.clone());
            match parsed.foundation_id() {
                Some(id) => {
                    futures::future::join(verdict, entitlement(cx, out, region, m, id, creds)).await;
                }
                None => verdict.await,
            }
        }
        ModelRef::OtherArn { resource_type, .. } => out.push(
            base(
                Code::BD208,
                Status::Skip,
                Cause::Other,
                format!("a {resource_type} is not in the foundation-model catalogue"),
            )
            .detail("Provisioned, custom and imported models are checked by the probe only.")
            .step("Keep the probe enabled (no --no-invoke) to verify this identifier"),
        ),
    }
}

/// A call that did not give a verdict: inconclusive when AWS could not answer, skip when the
/// read itself was denied (a hint we could not read is not a verdict on the model).
fn not_verified(region: &str, m: &str, what: &str, f: aws::CallFailure) -> Finding {
    let status = if f.status == Status::Inconclusive {
        Status::Inconclusive
    } else {
        Status::Skip
    };
    let message = f.evidence.message.clone().unwrap_or_default();
    let operation = f.evidence.operation.clone();
    Finding::new(
        Code::BD208,
        status,
        f.cause,
        format!("{what} of {m} in {region} could not be read ({})", f.cause),
    )
    .region(region)
    .model(m)
    .detail(format!(
        "{operation} {}. This is not a verdict on access; the probe decides.",
        if f.evidence.http_status.is_some() { format!("failed: {message}") } else { f.no_answer() }
    ))
    .step(match f.cause {
        _ if status == Status::Inconclusive => f.network().map_or("Re-run later", |n| n.step).to_string(),
        Cause::IamDeniedInvoke | Cause::ScpDenied => {
            format!("Allow `bedrock:{operation}` to this principal to get this hint")
        }
        _ => "Nothing to do for this hint: the probe's verdict for the same region and model is the one that counts".to_string(),
    })
    .aws(f.evidence)
}

fn near_ids<'a>(id: &str, catalogue: &'a [CatalogueModel]) -> Vec<&'a str> {
    let mut scored: Vec<(usize, &str)> = catalogue
        .iter()
        .map(|c| (strsim::levenshtein(id, &c.id), c.id.as_str()))
        .filter(|(d, _)| *d <= 6)
        .collect();
    scored.sort_unstable();
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// The catalogue verdict for a foundation model: offered here, how, and in which lifecycle.
async fn catalogue_verdict(
    cx: &Context,
    out: &Findings,
    region: &str,
    m: &str,
    id: &str,
    creds: Option<Credentials>,
) {
    let cat = match cx.catalogue(region, creds.clone()).await {
        Ok(c) => c,
        Err(f) => {
            out.push(not_verified(region, m, "the catalogue", f));
            return;
        }
    };
    let evidence = || AwsEvidence::success("bedrock", "ListFoundationModels", cat.request_id.as_deref());
    let base = |code, status, cause, title: String| {
        Finding::new(code, status, cause, title)
            .region(region)
            .model(m)
            .aws(evidence())
    };
    let Some(entry) = cat.value.iter().find(|c| c.id == id) else {
        let elsewhere: Vec<String> = cx
            .aws
            .regions
            .iter()
            .filter(|r| r.region != region)
            .filter(|r| {
                cx.catalogue_if_known(&r.region)
                    .is_some_and(|c| c.value.iter().any(|x| x.id == id))
            })
            .map(|r| r.region.clone())
            .collect();
        let mut f = base(Code::BD201, Status::Fail, Cause::ModelNotInRegion, format!("{id} is not offered in {region}"))
            .detail(format!(
                "ListFoundationModels in {region} does not list `{id}`; calls answer \"The provided model identifier is invalid\" or 404. {}",
                if elsewhere.is_empty() { String::new() } else { format!("It is offered in {} (of the regions checked).", elsewhere.join(", ")) }
            ));
        let near = near_ids(id, &cat.value);
        if !near.is_empty() {
            f = f.step(format!(
                "Did you mean {}?",
                near.iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let routes = cx.profiles_routing_to(region, id, m, creds).await;
        if !routes.is_empty() {
            f = f.step(instead(&routes, region));
        } else if let Some(r) = elsewhere.first() {
            f = f.step(format!(
                "Call it in {r}, or through a cross-region inference profile that covers {region}"
            ));
        }
        out.push(f.step(format!("List what {region} offers: `aws bedrock list-foundation-models --region {region} --query 'modelSummaries[].modelId'`")));
        return;
    };
    let now = aws_smithy_types::DateTime::from(std::time::SystemTime::now());
    let days_to_eol = entry
        .end_of_life_time
        .as_deref()
        .and_then(|d| {
            aws_smithy_types::DateTime::from_str(d, aws_smithy_types::date_time::Format::DateTime).ok()
        })
        .map(|eol| (eol.secs() - now.secs()).div_euclid(86_400));
    let past_eol = days_to_eol.is_some_and(|d| d < 0);
    let eol_soon = days_to_eol.filter(|d| (0..=i64::from(cx.settings.eol_warn_days)).contains(d));
    let not_active = entry.lifecycle != "ACTIVE" && !entry.lifecycle.is_empty();
    if not_active || eol_soon.is_some() || past_eol {
        let dates = [
            ("legacy since", &entry.legacy_time),
            ("extended access from", &entry.public_extended_access_time),
            ("end of life", &entry.end_of_life_time),
        ]
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {v}")))
        .collect::<Vec<_>>()
        .join(", ");
        let status = if past_eol { Status::Fail } else { Status::Warn };
        let lifecycle = if entry.lifecycle.is_empty() {
            "ACTIVE"
        } else {
            &entry.lifecycle
        };
        let when = match (past_eol, eol_soon, entry.end_of_life_time.as_deref()) {
            (true, _, _) => " and past its end of life".to_string(),
            (false, Some(0), Some(date)) => format!(": end of life today ({})", &date[..date.len().min(10)]),
            (false, Some(d), Some(date)) => format!(
                ": end of life in {d} day{} ({})",
                if d == 1 { "" } else { "s" },
                &date[..date.len().min(10)]
            ),
            _ => String::new(),
        };
        out.push(
            base(Code::BD203, status, Cause::ModelEolLegacy, format!("{id} is {lifecycle} in {region}{when}"))
                .detail(format!(
                    "Lifecycle {lifecycle}{}. Legacy models lock out accounts that have not used them recently (15 or 30 days) and stop working at end of life; --eol-warn-days ({}) sets how early an end of life warns.",
                    if dates.is_empty() { String::new() } else { format!(" ({dates})") },
                    cx.settings.eol_warn_days
                ))
                .step("Move to the model's successor (see the Bedrock model lifecycle page) before the end-of-life date"),
        );
        if not_active || past_eol {
            return;
        }
    }
    let types = entry.inference_types.join(", ");
    if entry.supports("ON_DEMAND") {
        out.push(
            base(
                Code::BD200,
                Status::Pass,
                Cause::Ok,
                format!("{id} is offered on demand in {region}"),
            )
            .detail(format!(
                "Provider {}, output {}, inference types {types}, lifecycle {}.",
                entry.provider,
                entry.output_modalities.join("/"),
                if entry.lifecycle.is_empty() {
                    "not stated"
                } else {
                    &entry.lifecycle
                }
            ))
            .latency(cat.latency),
        );
        return;
    }
    if entry.supports("INFERENCE_PROFILE") {
        let names = cx.profiles_routing_to(region, id, m, creds).await;
        let mut f = base(Code::BD202, Status::Fail, Cause::NeedsInferenceProfile, format!("{id} needs an inference profile in {region}"))
            .detail(format!(
                "In {region} the model supports {types}: it cannot be invoked by its bare ID (\"on-demand throughput isn't supported\"). {}",
                if names.is_empty() {
                    "No system profile containing it was listed here.".to_string()
                } else {
                    format!("Profiles that route to it from {region}: {}.", names.join(", "))
                }
            ));
        f = match names.first() {
            Some(p) => f.step(format!("Invoke `{p}` instead of `{id}`, and allow in IAM the profile ARN plus the foundation-model ARN in every destination region")),
            None => f.step(format!("Find a profile: `aws bedrock list-inference-profiles --region {region}`")),
        };
        out.push(f);
        return;
    }
    out.push(
        base(Code::BD202, Status::Fail, Cause::InvalidModelId, format!("{id} is not available on demand in {region} ({types})"))
            .detail(format!("The model supports only {types} in {region}: it needs Provisioned Throughput (context-length variants such as `:0:8k` are provisioned-only)."))
            .step("Use the on-demand variant of the model ID (without a context-length suffix), or buy Provisioned Throughput and invoke its ARN"),
    );
}

async fn profile_verdict(
    cx: &Context,
    out: &Findings,
    region: &str,
    m: &str,
    parsed: &ModelRef,
    creds: Option<Credentials>,
) {
    let client = cx.aws.bedrock(region, creds.clone());
    let (answer, latency) = cx
        .call(
            Service::Bedrock,
            region,
            client
                .get_inference_profile()
                .inference_profile_identifier(m)
                .send(),
        )
        .await;
    match answer {
        Ok(p) => {
            use aws_sdk_bedrock::operation::RequestId;
            let profile = crate::catalogue::Profile::from(&p);
            let destinations = profile.destination_regions();
            let active = profile.status == "ACTIVE";
            out.push(
                Finding::new(
                    Code::BD210,
                    if active { Status::Pass } else { Status::Warn },
                    if active { Cause::Ok } else { Cause::Other },
                    format!("{} can be called from {region}; it routes to {}", profile.id, destinations.join(", ")),
                )
                .region(region)
                .model(m)
                .detail(format!(
                    "Profile status {}. IAM (and any SCP) must allow the profile ARN {} and the foundation-model ARN in every destination region: {}.",
                    profile.status,
                    profile.arn,
                    profile.model_arns.join(", ")
                ))
                .aws(AwsEvidence::success("bedrock", "GetInferenceProfile", p.request_id()))
                .latency(latency),
            );
        }
        Err(e) => {
            let f = aws::failure("bedrock", "GetInferenceProfile", &e);
            let is_answer = matches!(f.evidence.http_status, Some(400 | 404)) && f.status == Status::Fail;
            if !is_answer {
                return out.push(not_verified(region, m, "the inference profile", f));
            }
            let geo_ok = match parsed {
                ModelRef::SystemProfile { geo, .. } => ident::geo_serves_region(geo, region),
                _ => true,
            };
            let (cause, why) = if geo_ok {
                (
                    Cause::InvalidModelId,
                    format!(
                        "No inference profile `{m}` is callable from {region}: check the ID for typos (`us.` not `us:`) and that the profile exists."
                    ),
                )
            } else {
                (
                    Cause::ModelNotInRegion,
                    format!(
                        "`{m}` is a profile of another geography: it can only be called from its own geography's regions, not from {region}."
                    ),
                )
            };
            let routes = match parsed.foundation_id() {
                Some(id) => cx.profiles_routing_to(region, id, m, creds).await,
                None => Vec::new(),
            };
            let mut finding = Finding::new(
                Code::BD204,
                Status::Fail,
                cause,
                format!("{m} cannot be called from {region}"),
            )
            .region(region)
            .model(m)
            .detail(format!(
                "{why} AWS said: {}",
                f.evidence.message.clone().unwrap_or_default()
            ));
            if !routes.is_empty() {
                finding = finding.step(instead(&routes, region));
            }
            out.push(
                finding
                    .step(format!("List the profiles callable from {region}: `aws bedrock list-inference-profiles --region {region}`"))
                    .aws(f.evidence),
            );
        }
    }
}

/// The step that names what to call from `region` instead: profiles that route to the model.
pub(crate) fn instead(routes: &[String], region: &str) -> String {
    let ids: Vec<String> = routes.iter().map(|r| format!("`{r}`")).collect();
    format!(
        "Call {} from {region} instead: it routes to the same model",
        ids.join(" or ")
    )
}

async fn entitlement(
    cx: &Context,
    out: &Findings,
    region: &str,
    m: &str,
    model_id: &str,
    creds: Option<Credentials>,
) {
    let client = cx.aws.bedrock(region, creds);
    let (answer, latency) = cx
        .call(
            Service::Bedrock,
            region,
            client
                .get_foundation_model_availability()
                .model_id(model_id)
                .send(),
        )
        .await;
    let a = match answer {
        Ok(a) => a,
        Err(e) => {
            return out.push(not_verified(
                region,
                m,
                "the entitlement",
                aws::failure("bedrock", "GetFoundationModelAvailability", &e),
            ));
        }
    };
    use aws_sdk_bedrock::operation::RequestId;
    // The SDK fills a missing field with "no value was set": that is no answer, not a "no".
    let raw = |s: &str| {
        if s.contains("no value was set") {
            String::new()
        } else {
            s.to_string()
        }
    };
    let agreement = raw(a
        .agreement_availability()
        .map(|x| x.status().as_str())
        .unwrap_or_default());
    let agreement_error = a
        .agreement_availability()
        .and_then(|x| x.error_message())
        .map(str::to_string);
    let authorization = raw(a.authorization_status().as_str());
    let entitled = raw(a.entitlement_availability().as_str());
    let region_ok = raw(a.region_availability().as_str());
    let summary = format!(
        "agreement {agreement}, authorization {authorization}, entitlement {entitled}, region {region_ok}"
    );
    let evidence = AwsEvidence::success("bedrock", "GetFoundationModelAvailability", a.request_id());
    let negative: Option<(Cause, String, String)> = if !agreement.is_empty() && agreement != "AVAILABLE" {
        let step = if agreement == "PENDING" {
            "The Marketplace agreement is being created; re-check in 15 minutes (still pending after that: contact AWS Support)".to_string()
        } else {
            format!(
                "Invoke the model once with a principal allowed `aws-marketplace:Subscribe` and `aws-marketplace:ViewSubscriptions`, or accept the offer: `aws bedrock list-foundation-model-agreement-offers --model-id {model_id}` then `aws bedrock create-foundation-model-agreement`"
            )
        };
        Some((
            Cause::MarketplaceAgreementMissing,
            format!(
                "the Marketplace agreement is {agreement}{}",
                agreement_error.map(|e| format!(" ({e})")).unwrap_or_default()
            ),
            step,
        ))
    } else if authorization == "NOT_AUTHORIZED" || entitled == "NOT_AVAILABLE" {
        Some((Cause::ModelAccessNotGranted, "the account is not authorized or entitled to the model".into(), "Check that no SCP or account-level block applies; some new models are gated per account (contact your AWS account team)".into()))
    } else if region_ok == "NOT_AVAILABLE" {
        Some((
            Cause::ModelNotInRegion,
            format!("the model is not available to this account in {region}"),
            "Use a region where the model is available, or a cross-region inference profile".into(),
        ))
    } else {
        None
    };
    let f = match negative {
        Some((cause, what, step)) => Finding::new(Code::BD206, Status::Warn, cause, format!("entitlement hint for {model_id} in {region}: {what}"))
            .detail(format!("GetFoundationModelAvailability: {summary}. A hint from the control plane; the probe is the verdict."))
            .step(step),
        None => Finding::new(Code::BD205, Status::Pass, Cause::Ok, format!("entitlement hints for {model_id} in {region} are positive"))
            .detail(format!("GetFoundationModelAvailability: {summary}. Hints only: they can all be positive while invocation fails (account-gated models); the probe decides.")),
    };
    out.push(f.region(region).model(m).aws(evidence).latency(latency));
}

/// Anthropic's first-time-use form is per account: one finding per run when an Anthropic model
/// is among those checked.
async fn use_case(
    cx: &Context,
    out: &Findings,
    region: &str,
    anthropic: &[&str],
    creds: Option<Credentials>,
) {
    if anthropic.is_empty() {
        return;
    }
    let models = anthropic.join(", ");
    match cx.use_case_form(region, creds).await {
        Ok(f) if f.value.filed => out.push(
            Finding::new(Code::BD211, Status::Pass, Cause::Ok, "Anthropic's use-case form is on file for this account")
                .detail(format!("GetUseCaseForModelAccess returned the form; it covers {models}."))
                .latency(f.latency),
        ),
        Ok(f) => out.push(
            Finding::new(Code::BD207, Status::Warn, Cause::AnthropicUseCaseForm, "no Anthropic use-case form is on file for this account")
                .detail(format!(
                    "GetUseCaseForModelAccess found no form. Anthropic models ({models}) answer 404 \"use case details have not been submitted\" until it is filed, unless the organization's management account filed it. A hint; the probe decides."
                ))
                .step("Submit the form once: Bedrock console → Model catalog → any Anthropic model → submit use case details (or `aws bedrock put-use-case-for-model-access`)")
                // What AWS answered: a 404, or a 200 whose form is empty.
                .aws(AwsEvidence {
                    service: "bedrock".into(),
                    operation: "GetUseCaseForModelAccess".into(),
                    http_status: Some(f.value.http_status),
                    error_code: f.value.error_code.clone(),
                    request_id: f.request_id.clone(),
                    message: (f.value.http_status == 200).then(|| "the answer's form data is empty".to_string()),
                    denial: None,
                }),
        ),
        Err(f) => out.push(not_verified(region, &models, "the use-case form", f)),
    }
}
