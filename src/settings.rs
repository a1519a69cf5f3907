//! The one place that resolves what the user asked for (flags, environment defaults and
//! `bedrock-doctor.toml`) into [`Settings`], the way ripgrep turns low-level arguments into
//! high-level ones. Commands and checks never merge sources themselves.

use crate::check_info::{self, CheckInfo};
use crate::cli::CheckArgs;
use crate::codes::{Code, Level};
use crate::config::{self, Loaded};
use crate::error::UsageError;
use crate::report::Location;
use std::collections::BTreeMap;
use std::time::Duration;

/// What a run is asked to do; nothing downstream sees clap types or the configuration file.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Raw `--region` values (repeatable, comma-separated).
    pub regions: Vec<String>,
    /// `--model` values, in order.
    pub models: Vec<String>,
    pub profile: Option<String>,
    /// Bound on the whole run.
    pub timeout: Duration,
    /// The run is one call (`invoke`): it may take the whole `timeout`, not a share of it.
    pub single_call: bool,
    /// Most AWS calls in flight at once.
    pub concurrency: usize,
    /// Real (billed) invocations allowed; false with `--no-invoke`.
    pub invoke: bool,
    /// Image and video models are probed too (`--probe-images`).
    pub probe_images: bool,
    /// An end of life this many days away (or fewer) warns (`--eol-warn-days`).
    pub eol_warn_days: u32,
    /// Check ids selected to run (dependencies included), in registry order.
    pub checks: Vec<&'static str>,
    /// ARNs the app's IAM policy grants (`granted_arns`), with where the configuration says so.
    pub granted_arns: Vec<(String, Option<Location>)>,
    /// Where `regions` came from when not from `--region` (e.g. the configuration file).
    pub regions_source: Option<String>,
    /// Per-code severity overrides from the configuration, applied to every finding.
    pub severity: BTreeMap<Code, Level>,
}

/// `check`'s settings and the configuration they were read from (for suppressions and for
/// locating findings in it).
pub struct Resolved {
    pub settings: Settings,
    pub config: Option<Loaded>,
}

impl Settings {
    /// Settings with everything but the essentials at its default: all `checks`, probes on.
    pub fn new(regions: Vec<String>, profile: Option<String>, timeout_secs: f64, concurrency: u16) -> Self {
        Settings {
            regions,
            models: vec![],
            profile,
            timeout: Duration::from_secs_f64(timeout_secs),
            single_call: false,
            concurrency: usize::from(concurrency),
            invoke: true,
            probe_images: false,
            eol_warn_days: 90,
            checks: vec![],
            granted_arns: vec![],
            regions_source: None,
            severity: BTreeMap::new(),
        }
    }

    /// `check`: the command line over `bedrock-doctor.toml` (found with `--config` or in the
    /// working directory), item by item. `checks` is the registry, for `--only`/`--skip`.
    pub fn for_check(args: &CheckArgs, checks: &[&CheckInfo]) -> Result<Resolved, UsageError> {
        let ids: Vec<&str> = checks.iter().map(|c| c.id).collect();
        let loaded = config::discover(args.config.as_deref(), &ids)?;
        let cfg = loaded.as_ref().map(|l| &l.config);
        let listed = |list: fn(&config::Config) -> &Vec<toml::Spanned<String>>| -> Vec<String> {
            cfg.map(|c| list(c).iter().map(|s| s.get_ref().clone()).collect())
                .unwrap_or_default()
        };
        let regions = if args.regions.is_empty() {
            listed(|c| &c.regions)
        } else {
            args.regions.clone()
        };
        let models = if args.models.is_empty() {
            listed(|c| &c.models)
        } else {
            args.models.clone()
        };
        let (only, skip) = if args.only.is_empty() && args.skip.is_empty() {
            cfg.map(|c| (c.checks.only.clone(), c.checks.skip.clone()))
                .unwrap_or_default()
        } else {
            (args.only.clone(), args.skip.clone())
        };
        let selected = check_info::select(checks, &only, &skip).map_err(UsageError)?;
        let probe = cfg.and_then(|c| c.probe.as_ref());
        let granted_arns = loaded
            .as_ref()
            .map(|l| {
                l.config
                    .granted_arns
                    .iter()
                    .map(|a| (a.get_ref().clone(), Some(l.location(a.span().start))))
                    .collect()
            })
            .unwrap_or_default();
        let regions_source = loaded
            .as_ref()
            .filter(|_| args.regions.is_empty() && !listed(|c| &c.regions).is_empty())
            .map(|l| format!("config:{}", l.path.display()));
        let settings = Settings {
            models,
            invoke: !args.no_invoke && probe.is_none_or(|p| p.enabled),
            probe_images: args.probe_images || probe.is_some_and(|p| p.images),
            eol_warn_days: args.eol_warn_days,
            checks: selected,
            granted_arns,
            severity: loaded.as_ref().map(|l| l.severity.clone()).unwrap_or_default(),
            regions_source,
            ..Settings::new(
                regions,
                args.profile
                    .clone()
                    .or_else(|| cfg.and_then(|c| c.profile.clone())),
                args.timeout,
                args.concurrency,
            )
        };
        Ok(Resolved {
            settings,
            config: loaded,
        })
    }

    /// `triage --verify`: every check, for the region and model the error text names.
    pub fn for_verify(
        region: String,
        models: Vec<String>,
        profile: Option<String>,
        timeout_secs: f64,
        checks: &[&CheckInfo],
    ) -> Settings {
        Settings {
            models,
            checks: checks.iter().map(|c| c.id).collect(),
            ..Settings::new(vec![region], profile, timeout_secs, 8)
        }
    }
}
