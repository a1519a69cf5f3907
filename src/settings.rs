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
    /// Simulate the needed actions with IAM's policy simulator (`--explain-iam`).
    pub explain_iam: bool,
    /// The endpoints probed (`--plane`, `planes`): `runtime`, `mantle`, or both.
    pub planes: Vec<crate::policy::Plane>,
    /// The service tier the probe asks for (`--service-tier`, `service_tier`); `None`: none
    /// named (the default tier serves).
    pub service_tier: Option<crate::config::ServiceTier>,
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
    /// The accounts of a multi-account run (`--role-arn`, several `--profile`,
    /// `[[accounts]]`); empty for the usual run as the resolved identity.
    pub accounts: Vec<Account>,
}

/// One account of a multi-account run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// How the report names it.
    pub name: String,
    /// The role to assume for it (with the run's own credentials as the source).
    pub role_arn: Option<String>,
    pub external_id: Option<String>,
    /// Or the profile that reaches it.
    pub profile: Option<String>,
    /// Its own regions and models; empty: the run's.
    pub regions: Vec<String>,
    pub models: Vec<String>,
}

impl Account {
    /// The account id a role ARN names (`arn:aws:iam::ID:role/NAME`).
    pub fn id_from_role(&self) -> Option<String> {
        let id = self.role_arn.as_deref()?.split(':').nth(4)?;
        (id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())).then(|| id.to_string())
    }
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
            explain_iam: false,
            service_tier: None,
            planes: vec![crate::policy::Plane::Runtime],
            eol_warn_days: 90,
            checks: vec![],
            granted_arns: vec![],
            regions_source: None,
            severity: BTreeMap::new(),
            accounts: vec![],
        }
    }

    /// `check`: the command line over `bedrock-doctor.toml` (found with `--config` or in the
    /// working directory), item by item. `checks` is the registry, for `--only`/`--skip`.
    pub fn for_check(args: &CheckArgs, checks: &[&CheckInfo]) -> Result<Resolved, UsageError> {
        let ids: Vec<&str> = checks.iter().map(|c| c.id).collect();
        let loaded = config::discover(args.config.as_deref(), &ids)?;
        let cfg = loaded.as_ref().map(|l| &l.config);
        let regions = config::flags_or(&args.regions, cfg, |c| &c.regions);
        let models = config::flags_or(&args.models, cfg, |c| &c.models);
        let (only, skip) = if args.only.is_empty() && args.skip.is_empty() {
            cfg.map(|c| (c.checks.only.clone(), c.checks.skip.clone()))
                .unwrap_or_default()
        } else {
            (args.only.clone(), args.skip.clone())
        };
        let mut selected = check_info::select(checks, &only, &skip).map_err(UsageError)?;
        // The policy simulator is opt-in (it needs a permission few roles have): `iam` runs with
        // `--explain-iam`, `explain_iam = true` or `--only iam`, and is not in the report otherwise.
        let explain_iam =
            args.explain_iam || cfg.is_some_and(|c| c.explain_iam) || only.iter().any(|c| c == "iam");
        if !explain_iam {
            selected.retain(|c| *c != "iam");
        }
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
            .filter(|l| args.regions.is_empty() && !l.config.regions.is_empty())
            .map(|l| format!("config:{}", l.path.display()));
        let settings = Settings {
            models,
            invoke: !args.no_invoke && probe.is_none_or(|p| p.enabled),
            probe_images: args.probe_images || probe.is_some_and(|p| p.images),
            eol_warn_days: args.eol_warn_days,
            explain_iam,
            service_tier: args.service_tier.or(cfg.and_then(|c| c.service_tier)),
            planes: match (args.plane, cfg.map(|c| c.planes.as_slice())) {
                (Some(p), _) => p.planes(),
                (None, Some(list)) if !list.is_empty() => {
                    let mut out = Vec::new();
                    for p in list {
                        let plane = match p {
                            crate::config::PlaneName::Runtime => crate::policy::Plane::Runtime,
                            crate::config::PlaneName::Mantle => crate::policy::Plane::Mantle,
                        };
                        if !out.contains(&plane) {
                            out.push(plane);
                        }
                    }
                    out
                }
                _ => vec![crate::policy::Plane::Runtime],
            },
            checks: selected,
            granted_arns,
            severity: loaded.as_ref().map(|l| l.severity.clone()).unwrap_or_default(),
            regions_source,
            accounts: accounts(args, cfg)?,
            ..Settings::new(
                regions,
                match args.profile.as_slice() {
                    [one] => Some(one.clone()),
                    [] => cfg.and_then(|c| c.profile.clone()),
                    _ => None,
                },
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

/// The accounts a run covers: every `--role-arn`, every `--profile` when there are several,
/// else the configuration's `[[accounts]]`. None: the usual single-identity run.
fn accounts(args: &CheckArgs, cfg: Option<&config::Config>) -> Result<Vec<Account>, UsageError> {
    let account = |name: String, role_arn: Option<String>, profile: Option<String>| Account {
        name,
        role_arn,
        external_id: None,
        profile,
        regions: vec![],
        models: vec![],
    };
    let mut out: Vec<Account> = Vec::new();
    for arn in &args.role_arns {
        if !(arn.starts_with("arn:aws") && arn.contains(":iam::") && arn.contains(":role/")) {
            return Err(UsageError(format!(
                "--role-arn `{arn}` is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)"
            )));
        }
        out.push(account(arn.clone(), Some(arn.clone()), None));
    }
    if args.profile.len() > 1 {
        out.extend(
            args.profile
                .iter()
                .map(|p| account(format!("profile:{p}"), None, Some(p.clone()))),
        );
    }
    if out.is_empty()
        && let Some(c) = cfg
    {
        out.extend(c.accounts.iter().map(|a| {
            let a = a.get_ref();
            let fallback = a
                .role_arn
                .clone()
                .or_else(|| a.profile.as_ref().map(|p| format!("profile:{p}")))
                .unwrap_or_default();
            Account {
                name: a.name.clone().unwrap_or(fallback),
                role_arn: a.role_arn.clone(),
                external_id: a.external_id.clone(),
                profile: a.profile.clone(),
                regions: a.regions.clone(),
                models: a.models.clone(),
            }
        }));
    }
    Ok(out)
}
