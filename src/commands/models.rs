//! `models`: each region's catalogue with the inference profiles that route to each model,
//! fetched for all regions concurrently.

use super::session;
use crate::aws::CallFailure;
use crate::cli::ModelsArgs;
use crate::context::Context;
use crate::error::UsageError;
use crate::listing::{Filter, Lifecycle, ModelRow, ModelsReport, RegionError, RegionModels};
use crate::output::{Emitter, Ui};
use crate::regions;
use crate::render;
use crate::settings::Settings;
use aws_credential_types::Credentials;

pub fn run(args: ModelsArgs, ui: &Ui) -> anyhow::Result<u8> {
    let regions = if args.all_regions {
        regions::REGIONS
            .iter()
            .filter(|r| r.bedrock && r.partition == "aws")
            .map(|r| r.code.to_string())
            .collect()
    } else {
        args.regions.clone()
    };
    for r in &crate::regions::from_flags(&regions) {
        if !regions::lookup(r).is_some_and(|i| i.bedrock) {
            let hint = regions::suggest(r)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(UsageError(format!(
                "--region `{r}` is not a region that offers Bedrock{hint}"
            ))
            .into());
        }
    }
    let settings = Settings::new(regions, args.profile.clone(), args.timeout, args.concurrency);
    let filter = Filter {
        provider: args.provider.clone(),
        output_modality: args.output_modality.clone(),
    };
    let outcome = session::direct(settings, async |cx| {
        if cx.aws.regions.is_empty() {
            return Err(
                UsageError("no region: pass --region, --all-regions, or set AWS_REGION".into()).into(),
            );
        }
        let creds = cx.direct_credentials().await.map_err(anyhow::Error::msg)?;
        tokio::time::timeout(cx.settings.timeout, list(&cx, creds, &filter))
            .await
            .map_err(|_| anyhow::anyhow!("the listing did not finish within --timeout"))
    })?;
    let report = match outcome {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    Emitter::stdout(args.format).table_or_json(ui, &report, render::models_table)?;
    Ok(u8::from(report.regions.iter().any(|r| r.error.is_some())))
}

fn error_of(f: &CallFailure) -> RegionError {
    RegionError {
        cause: f.cause,
        error_code: f.evidence.error_code.clone(),
        message: f.evidence.message.clone(),
    }
}

/// Lists every region of `cx.aws.regions` concurrently.
pub(crate) async fn list(cx: &Context, creds: Option<Credentials>, filter: &Filter) -> ModelsReport {
    let work = cx.aws.regions.iter().map(|r| {
        let creds = creds.clone();
        async move {
            let region = r.region.clone();
            let (cat, profiles) =
                futures::future::join(cx.catalogue(&region, creds.clone()), cx.profiles(&region, creds))
                    .await;
            let cat = match cat {
                Ok(c) => c,
                Err(f) => {
                    return RegionModels {
                        region,
                        models: vec![],
                        error: Some(error_of(&f)),
                        profiles_error: None,
                        profile_destinations: Default::default(),
                    };
                }
            };
            let (profiles, profiles_error) = match profiles {
                Ok(p) => (p.value.clone(), None),
                Err(f) => (vec![], Some(error_of(&f))),
            };
            let models = cat
                .value
                .iter()
                .filter(|m| filter.keeps(m))
                .map(|m| ModelRow {
                    model_id: m.id.clone(),
                    model_arn: m.arn.clone(),
                    provider: m.provider.clone(),
                    input_modalities: m.input_modalities.clone(),
                    output_modalities: m.output_modalities.clone(),
                    inference_types: m.inference_types.clone(),
                    lifecycle: Lifecycle {
                        status: m.lifecycle.clone(),
                        legacy_time: m.legacy_time.clone(),
                        public_extended_access_time: m.public_extended_access_time.clone(),
                        end_of_life_time: m.end_of_life_time.clone(),
                    },
                    profiles: profiles
                        .iter()
                        .filter(|p| p.contains_model(&m.id))
                        .map(|p| p.id.clone())
                        .collect(),
                })
                .collect();
            let profile_destinations = profiles
                .iter()
                .filter(|p| p.kind == "SYSTEM_DEFINED")
                .map(|p| (p.id.clone(), p.destination_regions()))
                .collect();
            RegionModels {
                region,
                models,
                error: None,
                profiles_error,
                profile_destinations,
            }
        }
    });
    ModelsReport {
        schema_version: 1,
        filtered: filter.provider.is_some() || filter.output_modality.is_some(),
        regions: futures::future::join_all(work).await,
    }
}

/// The account's full, unfiltered listing of `settings.regions` (models and profiles with their
/// destinations), bounded by `settings.timeout`: what `where --live` and `policy --live` compare
/// with the knowledge base. `Err(code)`: the run could not start (no credentials, …).
pub fn live_listing(settings: Settings) -> anyhow::Result<Result<ModelsReport, u8>> {
    session::direct(settings, async |cx| {
        let creds = cx.direct_credentials().await.map_err(anyhow::Error::msg)?;
        tokio::time::timeout(cx.settings.timeout, list(&cx, creds, &Filter::default()))
            .await
            .map_err(|_| anyhow::anyhow!("the listing did not finish within --timeout"))
    })
}
