//! The least-privilege identity policy for what an app calls, from the knowledge base: for each
//! model (ID, profile ID or ARN) and region, the exact resources IAM evaluates the call against.
//!
//! - A foundation model called on demand: its foundation-model ARN in the region.
//! - A system inference profile called from a region: the profile ARN (with the account) and the
//!   foundation-model ARN in every destination the profile routes to from that region; a
//!   `global.` profile instead needs the foundation model in the source region and the
//!   region-less foundation-model ARN (AWS's "Prerequisites for inference profiles").
//!
//! What the knowledge base does not know (where a profile routes from a region) is an error, never
//! a guess: a policy missing a destination fails in production exactly like no policy.

use crate::ident::{self, ModelRef, arn};
use crate::knowledge::Knowledge;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Where the account goes when none was given: the user must fill it in.
pub const ACCOUNT_PLACEHOLDER: &str = "ACCOUNT_ID";

/// What the app calls.
#[derive(Clone, Debug, Default)]
pub struct Needs {
    /// Regions the app calls from, primary first.
    pub regions: Vec<String>,
    /// Model IDs, profile IDs or ARNs.
    pub models: Vec<String>,
    /// The app streams (`InvokeModelWithResponseStream`, `ConverseStream`).
    pub streaming: bool,
    /// The account that owns the profiles (12 digits); `None`: [`ACCOUNT_PLACEHOLDER`].
    pub account: Option<String>,
    /// Foundation models reached through profiles only through them (`bedrock:InferenceProfileArn`).
    pub restrict_to_profiles: bool,
    /// Grant the Marketplace subscription a first call of a third-party model makes.
    pub marketplace: bool,
    /// The endpoints the app calls.
    pub plane: Plane,
}

/// The endpoint an app calls models through (`--plane`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Plane {
    /// `bedrock-runtime` (Converse, InvokeModel): IAM actions `bedrock:InvokeModel*`.
    #[default]
    Runtime,
    /// `bedrock-mantle` (OpenAI-compatible and Messages APIs): `bedrock-mantle:CreateInference`.
    Mantle,
    /// Both.
    All,
}

impl Plane {
    /// The single planes this one names (`All` is both).
    pub fn planes(self) -> Vec<Plane> {
        match self {
            Plane::All => vec![Plane::Runtime, Plane::Mantle],
            one => vec![one],
        }
    }
}

/// The action the `bedrock-mantle` endpoint authorizes inference with, on the account's projects
/// (AWS managed policy AmazonBedrockMantleInferenceAccess; the Service Authorization Reference
/// for `bedrock-mantle`).
pub const MANTLE_ACTION: &str = "bedrock-mantle:CreateInference";

/// Whether `arn` is a `bedrock-mantle` resource.
fn is_mantle(arn: &str) -> bool {
    arn.split(':').nth(2) == Some("bedrock-mantle")
}

/// A generated policy: its actions, its resources each with why it is there, and notes.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Policy {
    /// The `bedrock:` actions granted on the runtime's resources (mantle's is [`MANTLE_ACTION`]).
    pub actions: Vec<&'static str>,
    /// Resource ARN → why it is needed (one line per reason).
    pub resources: BTreeMap<String, Vec<String>>,
    pub notes: Vec<String>,
    /// Foundation-model ARNs called directly (on demand), not only through a profile.
    #[serde(skip)]
    direct: BTreeSet<String>,
    /// The profile ARNs.
    #[serde(skip)]
    profiles: BTreeSet<String>,
    /// Models whose first call subscribes through AWS Marketplace (third-party providers).
    #[serde(skip)]
    marketplace_models: BTreeSet<String>,
    #[serde(skip)]
    restrict_to_profiles: bool,
    /// Resource → the request contexts IAM evaluates it in: (`aws:RequestedRegion`, the
    /// profile ARN the call goes through, for `bedrock:InferenceProfileArn`).
    #[serde(skip)]
    contexts: BTreeMap<String, BTreeSet<(String, Option<String>)>>,
    #[serde(skip)]
    marketplace: bool,
}

/// One statement of a generated policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub sid: &'static str,
    pub actions: Vec<&'static str>,
    /// Resource → why it is there.
    pub resources: BTreeMap<String, Vec<String>>,
    /// `(operator, key, values)`, e.g. `StringEquals`, `bedrock:InferenceProfileArn`.
    pub condition: Option<(&'static str, &'static str, Vec<String>)>,
}

/// One request IAM evaluates when the app calls: an action on a resource, with the context keys
/// the call carries.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Evaluation {
    pub action: &'static str,
    pub resource: String,
    /// `aws:RequestedRegion`: the call's region, a geography profile's destination for the hop
    /// there, and `unspecified` for the region-less ARN of a `global.` profile (AWS's "Global
    /// cross-Region inference" page, on service control policies).
    pub requested_region: String,
    /// `bedrock:InferenceProfileArn`, when the call goes through a profile.
    pub profile: Option<String>,
}

/// Providers whose models need no AWS Marketplace subscription (AWS re:Post, "resolve
/// Marketplace permission errors in Bedrock"); every other provider's first call subscribes.
const NO_MARKETPLACE: &[&str] = &["amazon", "deepseek", "mistral", "meta", "qwen", "openai"];

/// The syntaxes a policy is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// An IAM policy document.
    Json,
    /// A Terraform `aws_iam_policy_document` data source.
    Terraform,
    /// A CloudFormation `AWS::IAM::ManagedPolicy` resource (YAML).
    Cloudformation,
    /// AWS CDK `PolicyStatement`s in TypeScript.
    CdkTs,
    /// AWS CDK `PolicyStatement`s in Python.
    CdkPython,
}

impl Policy {
    /// A profile ARN carries [`ACCOUNT_PLACEHOLDER`] (no account was given); the JSON document
    /// must be filled in, the other syntaxes name the deploying account themselves.
    pub fn account_placeholder(&self) -> bool {
        let placeholder = format!(":{ACCOUNT_PLACEHOLDER}:");
        self.resources.keys().any(|arn| arn.contains(&placeholder))
    }

    /// The statements: the invoke grant; with `restrict_to_profiles`, the foundation models
    /// reached only through profiles in their own statement conditioned on
    /// `bedrock:InferenceProfileArn`; with `marketplace` (and a model that needs it), the
    /// subscription actions Bedrock uses on a first call, only when Bedrock calls them.
    pub fn statements(&self) -> Vec<Statement> {
        let mut invoke = Statement {
            sid: "BedrockInvoke",
            actions: self.actions.clone(),
            resources: BTreeMap::new(),
            condition: None,
        };
        let mut through = Statement {
            sid: "BedrockInvokeThroughProfiles",
            condition: Some((
                "StringEquals",
                "bedrock:InferenceProfileArn",
                self.profiles.iter().cloned().collect(),
            )),
            ..invoke.clone()
        };
        let mut mantle = Statement {
            sid: "BedrockMantleInference",
            actions: vec![MANTLE_ACTION],
            resources: BTreeMap::new(),
            condition: None,
        };
        for (arn, whys) in &self.resources {
            if is_mantle(arn) {
                mantle.resources.insert(arn.clone(), whys.clone());
                continue;
            }
            let only_through_profiles = !self.direct.contains(arn) && !self.profiles.contains(arn);
            let target = if self.restrict_to_profiles && only_through_profiles {
                &mut through
            } else {
                &mut invoke
            };
            target.resources.insert(arn.clone(), whys.clone());
        }
        let mut out: Vec<Statement> = [invoke, through, mantle]
            .into_iter()
            .filter(|s| !s.resources.is_empty())
            .collect();
        if self.marketplace && !self.marketplace_models.is_empty() {
            let models: Vec<&str> = self.marketplace_models.iter().map(String::as_str).collect();
            out.push(Statement {
                sid: "BedrockMarketplaceSubscribe",
                actions: vec!["aws-marketplace:Subscribe", "aws-marketplace:ViewSubscriptions"],
                resources: BTreeMap::from([(
                    "*".to_string(),
                    vec![format!(
                        "Marketplace actions take no resource; only Bedrock may call them, for the first call of {}",
                        models.join(", ")
                    )],
                )]),
                condition: Some(("StringEquals", "aws:CalledViaLast", vec!["bedrock.amazonaws.com".to_string()])),
            });
        }
        out
    }

    /// Every (action, resource, context) IAM evaluates for the calls: what a policy simulation
    /// must allow.
    pub fn evaluations(&self) -> Vec<Evaluation> {
        let mut out = Vec::new();
        for (resource, contexts) in &self.contexts {
            let actions: &[&'static str] = if is_mantle(resource) {
                &[MANTLE_ACTION]
            } else {
                &self.actions
            };
            for action in actions {
                for (region, profile) in contexts {
                    out.push(Evaluation {
                        action,
                        resource: resource.clone(),
                        requested_region: region.clone(),
                        profile: profile.clone(),
                    });
                }
            }
        }
        out
    }

    /// The IAM policy document.
    pub fn document(&self) -> serde_json::Value {
        let statements: Vec<serde_json::Value> = self
            .statements()
            .iter()
            .map(|s| {
                let mut v = serde_json::json!({
                    "Sid": s.sid,
                    "Effect": "Allow",
                    "Action": s.actions,
                    "Resource": s.resources.keys().collect::<Vec<_>>(),
                });
                if let Some((op, key, values)) = &s.condition {
                    v["Condition"] = serde_json::json!({ *op: { *key: values } });
                }
                v
            })
            .collect();
        serde_json::json!({ "Version": "2012-10-17", "Statement": statements })
    }

    /// The policy in `syntax`, each resource commented with why it is there (JSON has no
    /// comments: [`Policy::resources`] carries the reasons). A missing account becomes the
    /// syntax's own expression for the deploying account.
    pub fn render(&self, syntax: Syntax) -> String {
        if syntax == Syntax::Json {
            return serde_json::to_string_pretty(&self.document()).expect("a JSON value serialises") + "\n";
        }
        let placeholder = format!(":{ACCOUNT_PLACEHOLDER}:");
        // How the syntax writes one ARN (a literal, or an expression naming the account).
        let item = |arn: &str| -> String {
            let has = arn.contains(&placeholder);
            let with = |account: &str| arn.replace(&placeholder, &format!(":{account}:"));
            match syntax {
                Syntax::Terraform => {
                    format!("\"{}\"", with("${data.aws_caller_identity.current.account_id}"))
                }
                Syntax::Cloudformation if has => format!("Fn::Sub: \"{}\"", with("${AWS::AccountId}")),
                Syntax::CdkTs if has => format!("`{}`", with("${Stack.of(this).account}")),
                Syntax::CdkPython if has => format!("f\"{}\"", with("{Stack.of(self).account}")),
                _ => format!("\"{arn}\""),
            }
        };
        let comment = if syntax == Syntax::CdkTs { "//" } else { "#" };
        let list = |values: &[&'static str]| {
            values
                .iter()
                .map(|a| format!("\"{a}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // The resources, each after its reasons, one per line.
        let resources = |out: &mut String, indent: &str, s: &Statement, prefix: &str, suffix: &str| {
            for (arn, whys) in &s.resources {
                for why in whys {
                    out.push_str(&format!("{indent}{comment} {why}\n"));
                }
                out.push_str(&format!("{indent}{prefix}{}{suffix}\n", item(arn)));
            }
        };
        let mut out: String = self
            .notes
            .iter()
            .map(|n| format!("{comment} note: {n}\n"))
            .collect();
        let statements = self.statements();
        match syntax {
            Syntax::Json => unreachable!("returned above"),
            Syntax::Terraform => {
                if self.account_placeholder() {
                    out.push_str("data \"aws_caller_identity\" \"current\" {}\n\n");
                }
                out.push_str("data \"aws_iam_policy_document\" \"bedrock_invoke\" {\n");
                for s in &statements {
                    out.push_str(&format!("  statement {{\n    sid       = \"{}\"\n    effect    = \"Allow\"\n    actions   = [{}]\n    resources = [\n", s.sid, list(&s.actions)));
                    resources(&mut out, "      ", s, "", ",");
                    out.push_str("    ]\n");
                    if let Some((op, key, values)) = &s.condition {
                        out.push_str(&format!("    condition {{\n      test     = \"{op}\"\n      variable = \"{key}\"\n      values   = [\n"));
                        for v in values {
                            out.push_str(&format!("        {},\n", item(v)));
                        }
                        out.push_str("      ]\n    }\n");
                    }
                    out.push_str("  }\n");
                }
                out.push_str("}\n");
            }
            Syntax::Cloudformation => {
                out.push_str("Resources:\n  BedrockInvokePolicy:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n");
                for s in &statements {
                    out.push_str(&format!("          - Sid: {}\n            Effect: Allow\n            Action: [{}]\n            Resource:\n", s.sid, list(&s.actions)));
                    resources(&mut out, "              ", s, "- ", "");
                    if let Some((op, key, values)) = &s.condition {
                        out.push_str(&format!(
                            "            Condition:\n              {op}:\n                \"{key}\":\n"
                        ));
                        for v in values {
                            out.push_str(&format!("                  - {}\n", item(v)));
                        }
                    }
                }
            }
            Syntax::CdkTs => {
                out.push_str(
                    "// import * as iam from 'aws-cdk-lib/aws-iam'; import { Stack } from 'aws-cdk-lib';\n",
                );
                for s in &statements {
                    let name = format!("{}{}", s.sid[..1].to_ascii_lowercase(), &s.sid[1..]);
                    out.push_str(&format!("const {name} = new iam.PolicyStatement({{\n  sid: '{}',\n  effect: iam.Effect.ALLOW,\n  actions: [{}],\n  resources: [\n", s.sid, list(&s.actions)));
                    resources(&mut out, "    ", s, "", ",");
                    out.push_str("  ],\n");
                    if let Some((op, key, values)) = &s.condition {
                        let values: Vec<String> = values.iter().map(|v| item(v)).collect();
                        out.push_str(&format!(
                            "  conditions: {{ {op}: {{ '{key}': [{}] }} }},\n",
                            values.join(", ")
                        ));
                    }
                    out.push_str("});\n");
                }
            }
            Syntax::CdkPython => {
                out.push_str("# from aws_cdk import Stack, aws_iam as iam\n");
                for s in &statements {
                    let mut name = String::new();
                    for (i, c) in s.sid.chars().enumerate() {
                        if c.is_ascii_uppercase() && i > 0 {
                            name.push('_');
                        }
                        name.push(c.to_ascii_lowercase());
                    }
                    out.push_str(&format!("{name} = iam.PolicyStatement(\n    sid=\"{}\",\n    effect=iam.Effect.ALLOW,\n    actions=[{}],\n    resources=[\n", s.sid, list(&s.actions)));
                    resources(&mut out, "        ", s, "", ",");
                    out.push_str("    ],\n");
                    if let Some((op, key, values)) = &s.condition {
                        let values: Vec<String> = values.iter().map(|v| item(v)).collect();
                        out.push_str(&format!(
                            "    conditions={{\"{op}\": {{\"{key}\": [{}]}}}},\n",
                            values.join(", ")
                        ));
                    }
                    out.push_str(")\n");
                }
            }
        }
        out
    }
}

/// Whether a granted ARN (as written in a file: wildcards, `${...}` interpolations) covers a
/// needed one. Interpolations match anything (what they resolve to is unknowable offline), and a
/// needed ARN with [`ACCOUNT_PLACEHOLDER`] takes any account.
pub fn covers(granted: &str, needed: &str) -> bool {
    static INTERPOLATION: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"\$\{[^}]*\}").expect("valid regex"));
    let pattern = INTERPOLATION.replace_all(granted, "*");
    let mut parts: Vec<&str> = pattern.splitn(6, ':').collect();
    if parts.len() == 6 && needed.split(':').nth(4) == Some(ACCOUNT_PLACEHOLDER) {
        parts[4] = ACCOUNT_PLACEHOLDER;
    }
    wildmatch::WildMatch::new(&parts.join(":")).matches(needed)
}

/// Builds the policy for `needs`; a model or region it cannot place is an error naming it.
pub fn generate(kb: &Knowledge, needs: &Needs) -> Result<Policy, String> {
    if needs.models.is_empty() {
        return Err("names no model (`--model ID`, or `models = [...]` in bedrock-doctor.toml)".into());
    }
    let account = match &needs.account {
        Some(a) if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) => a.clone(),
        Some(a) => return Err(format!("`{a}` is not an AWS account ID (12 digits)")),
        None => ACCOUNT_PLACEHOLDER.to_string(),
    };
    for region in &needs.regions {
        if crate::regions::lookup(region).is_none() {
            let hint = crate::regions::suggest(region)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(format!("`{region}` is not a known AWS region{hint}"));
        }
    }
    let mut p = Policy {
        actions: if needs.streaming {
            vec!["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
        } else {
            vec!["bedrock:InvokeModel"]
        },
        restrict_to_profiles: needs.restrict_to_profiles,
        marketplace: needs.marketplace,
        ..Policy::default()
    };
    if needs.plane != Plane::Runtime {
        add_mantle(kb, needs, &account, &mut p)?;
    }
    let runtime_models: &[String] = if needs.plane == Plane::Mantle {
        &[]
    } else {
        &needs.models
    };
    for model in runtime_models {
        let parsed = ident::parse(model).map_err(|e| e.to_string())?;
        // An ARN pins its region (and account); IDs are called from every region.
        let (regions, account): (Vec<String>, String) = match &parsed {
            ModelRef::FoundationArn { region, .. } => (vec![region.clone()], account.clone()),
            ModelRef::ProfileArn {
                region,
                account: owner,
                application: false,
                ..
            } => (vec![region.clone()], owner.clone()),
            ModelRef::ProfileArn {
                application: true, ..
            } => {
                return Err(format!(
                    "`{model}` is an application inference profile: the models it routes to are the account's own (GetInferenceProfile names them); grant its ARN and theirs"
                ));
            }
            ModelRef::OtherArn { resource_type, .. } => {
                return Err(format!(
                    "`{model}` is a {resource_type} ARN: grant it as it is; the policy command knows foundation models and system profiles"
                ));
            }
            _ if needs.regions.is_empty() => {
                return Err(format!("`{model}` needs a region to call it from (`--region R`)"));
            }
            // A geography's profile is needed only from the regions it serves (`us.` from the US
            // primary, `eu.` from the European fallback).
            ModelRef::SystemProfile { geo, id } => {
                let served: Vec<String> = needs
                    .regions
                    .iter()
                    .filter(|r| ident::geo_serves_region(geo, r))
                    .cloned()
                    .collect();
                if served.is_empty() {
                    return Err(format!(
                        "`{id}` is called from none of {}: a `{geo}.` profile is called only from its geography's regions",
                        needs.regions.join(", ")
                    ));
                }
                (served, account.clone())
            }
            _ => (needs.regions.clone(), account.clone()),
        };
        if let Some(id) = parsed.foundation_id() {
            let provider = id.split('.').next().unwrap_or_default();
            if !NO_MARKETPLACE.contains(&provider) {
                p.marketplace_models.insert(id.to_string());
            }
        }
        // A region-less ARN keeps the partition it names (`arn:aws-us-gov:bedrock:::…`).
        let named_partition = model
            .strip_prefix("arn:")
            .and_then(|rest| rest.split(':').next())
            .filter(|p| p.starts_with("aws"));
        for region in &regions {
            let partition = crate::regions::lookup(region)
                .map(|r| r.partition)
                .or(named_partition)
                .unwrap_or("aws");
            match &parsed {
                ModelRef::Foundation { id } | ModelRef::FoundationArn { id, .. } => {
                    let why = if region.is_empty() {
                        format!("`{id}` in IAM's region-less form")
                    } else {
                        format!("`{id}` called on demand in {region}")
                    };
                    if kb.model(region, id).is_some_and(|m| {
                        !m.inference_types.is_empty() && !m.inference_types.iter().any(|t| t == "ON_DEMAND")
                    }) {
                        p.notes.push(format!(
                            "`{id}` is offered in {region} only through inference profiles (knowledge base of {}): call and grant `{}.{id}` instead",
                            kb.date,
                            ident::geo_for_region(region)
                        ));
                    }
                    let fm = arn::foundation_arn(partition, region, id);
                    p.direct.insert(fm.clone());
                    p.context(&fm, region, None);
                    p.add(fm, why);
                }
                ModelRef::SystemProfile { id, .. } | ModelRef::ProfileArn { id, .. } => {
                    p.add_profile(kb, partition, region, &account, id)?;
                }
                _ => unreachable!("rejected above"),
            }
        }
    }
    if needs.marketplace && p.marketplace_models.is_empty() {
        p.notes.push(format!(
            "no Marketplace statement: models of {} need no Marketplace subscription",
            NO_MARKETPLACE.join(", ")
        ));
    }
    if needs.restrict_to_profiles && p.profiles.is_empty() {
        p.notes
            .push("no profile is called, so nothing to restrict to profiles".into());
    }
    Ok(p)
}

/// The `bedrock-mantle` grant: `CreateInference` on the account's projects in every region the
/// app calls it in, once the knowledge base says the endpoint serves each model there. Mantle
/// takes bare model IDs: a profile ID is a mistake there (with `--plane all` its model is used).
fn add_mantle(kb: &Knowledge, needs: &Needs, account: &str, p: &mut Policy) -> Result<(), String> {
    if needs.regions.is_empty() {
        return Err("the bedrock-mantle endpoint needs a region to call it in (`--region R`)".into());
    }
    for model in &needs.models {
        let parsed = ident::parse(model).map_err(|e| e.to_string())?;
        let id = match &parsed {
            ModelRef::Foundation { id } => id.clone(),
            ModelRef::SystemProfile { .. } | ModelRef::ProfileArn { .. } | ModelRef::FoundationArn { .. } => {
                let bare = parsed.foundation_id().unwrap_or_default().to_string();
                if needs.plane == Plane::Mantle {
                    return Err(format!(
                        "`{model}` is not a model ID: the bedrock-mantle endpoint takes bare model IDs (`{bare}`); inference profiles and ARNs are for bedrock-runtime"
                    ));
                }
                p.notes.push(format!(
                    "on bedrock-mantle the app must call `{bare}`, not `{model}` (mantle takes bare model IDs)"
                ));
                bare
            }
            _ => {
                return Err(format!(
                    "`{model}` cannot be called on the bedrock-mantle endpoint, which serves foundation models by their bare IDs"
                ));
            }
        };
        for region in &needs.regions {
            let served = kb.model(region, &id).is_some_and(|m| !m.mantle_apis.is_empty());
            if !served {
                let elsewhere: Vec<&String> = kb
                    .regions
                    .iter()
                    .filter(|(_, r)| r.models.get(&id).is_some_and(|m| !m.mantle_apis.is_empty()))
                    .map(|(name, _)| name)
                    .collect();
                return Err(if elsewhere.is_empty() {
                    format!(
                        "the knowledge base of {} knows no bedrock-mantle region serving `{id}`",
                        kb.date
                    )
                } else {
                    format!(
                        "the bedrock-mantle endpoint in {region} does not serve `{id}` as far as the knowledge base of {} knows; it does in {}",
                        kb.date,
                        elsewhere
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                });
            }
            let partition = crate::regions::lookup(region).map_or("aws", |r| r.partition);
            let arn = format!("arn:{partition}:bedrock-mantle:{region}:{account}:project/*");
            p.context(&arn, region, None);
            p.add(
                arn,
                format!("`{id}` on the bedrock-mantle endpoint in {region} (inference is authorized on the account's projects; the default project unless the app names one)"),
            );
        }
    }
    Ok(())
}

impl Policy {
    fn context(&mut self, arn: &str, requested_region: &str, profile: Option<&str>) {
        self.contexts
            .entry(arn.to_string())
            .or_default()
            .insert((requested_region.to_string(), profile.map(str::to_string)));
    }

    fn add(&mut self, arn: String, why: String) {
        let whys = self.resources.entry(arn).or_default();
        if !whys.contains(&why) {
            whys.push(why);
        }
    }

    fn add_profile(
        &mut self,
        kb: &Knowledge,
        partition: &str,
        region: &str,
        account: &str,
        id: &str,
    ) -> Result<(), String> {
        let (geo, model) =
            ident::profile_parts(id).ok_or_else(|| format!("`{id}` is not a system profile ID"))?;
        let Some(destinations) = kb.destinations(Some(region), id) else {
            let from: Vec<String> = kb
                .regions
                .iter()
                .filter(|(_, r)| r.profiles.contains_key(id))
                .map(|(name, _)| name.clone())
                .collect();
            return Err(if from.is_empty() {
                format!(
                    "the knowledge base of {} knows no profile `{id}`{}",
                    kb.date,
                    kb.did_you_mean(id)
                )
            } else {
                format!(
                    "`{id}` cannot be called from {region} as far as the knowledge base of {} knows; it is called from {}",
                    kb.date,
                    from.join(", ")
                )
            });
        };
        let profile_arn = format!("arn:{partition}:bedrock:{region}:{account}:inference-profile/{id}");
        self.profiles.insert(profile_arn.clone());
        let via = Some(profile_arn.as_str());
        self.context(&profile_arn, region, via);
        if geo == "global" {
            // Evaluated against the model in the source region and the region-less ARN.
            let source = arn::foundation_arn(partition, region, model);
            let anywhere = arn::foundation_arn(partition, "", model);
            self.context(&source, region, via);
            self.context(&anywhere, "unspecified", via);
            self.add(
                source,
                format!("`{model}` in {region}, the source region of `{id}`"),
            );
            self.add(
                anywhere,
                format!("`{model}` region-less, which the global profile `{id}` is evaluated against"),
            );
        } else {
            for d in destinations {
                let fm = arn::foundation_arn(partition, d, model);
                self.context(&fm, d, via);
                self.add(fm, format!("`{model}` in {d}, where `{id}` routes from {region}"));
            }
        }
        self.add(profile_arn, format!("the profile `{id}`, called from {region}"));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs(regions: &[&str], models: &[&str]) -> Needs {
        Needs {
            regions: regions.iter().map(|s| s.to_string()).collect(),
            models: models.iter().map(|s| s.to_string()).collect(),
            ..Needs::default()
        }
    }

    #[test]
    fn rejects_what_it_cannot_place_with_the_reason() {
        let kb = crate::knowledge::embedded();
        let err = |n: Needs| generate(kb, &n).unwrap_err();
        assert!(err(needs(&["us-east-1"], &[])).contains("names no model"));
        assert!(err(needs(&["us-east-3"], &["amazon.nova-lite-v1:0"])).contains("not a known AWS region"));
        assert!(err(needs(&[], &["amazon.nova-lite-v1:0"])).contains("needs a region"));
        assert!(
            err(needs(&["us-east-1"], &["eu.amazon.nova-lite-v1:0"]))
                .contains("called from none of us-east-1")
        );
        assert!(err(needs(&["us-east-1"], &["us.nobody.model-v9:0"])).contains("knows no profile"));
        let mut n = needs(&["us-east-1"], &["us.amazon.nova-lite-v1:0"]);
        n.account = Some("12345".into());
        assert!(err(n).contains("not an AWS account ID"));
    }

    #[test]
    fn a_grant_covers_what_its_wildcards_and_interpolations_can_match() {
        let fm = "arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0";
        assert!(covers(fm, fm));
        assert!(covers("arn:aws:bedrock:*::foundation-model/anthropic.*", fm));
        assert!(covers(
            "arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
            fm
        ));
        assert!(!covers(
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
            fm
        ));
        assert!(!covers(
            "arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1",
            fm
        ));
        let profile = "arn:aws:bedrock:us-east-1:ACCOUNT_ID:inference-profile/us.amazon.nova-pro-v1:0";
        assert!(covers(
            "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-pro-v1:0",
            profile
        ));
        assert!(!covers(
            "arn:aws:bedrock:us-west-2:111122223333:inference-profile/us.amazon.nova-pro-v1:0",
            profile
        ));
        let owned = "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-pro-v1:0";
        assert!(!covers(
            "arn:aws:bedrock:us-east-1:444455556666:inference-profile/us.amazon.nova-pro-v1:0",
            owned
        ));
    }

    #[test]
    fn a_bare_id_offered_only_through_profiles_gets_a_note() {
        let kb = crate::knowledge::embedded();
        let p = generate(
            kb,
            &needs(&["us-east-1"], &["anthropic.claude-sonnet-4-5-20250929-v1:0"]),
        )
        .unwrap();
        assert_eq!(p.resources.len(), 1);
        assert!(
            p.notes[0].contains("`us.anthropic.claude-sonnet-4-5-20250929-v1:0`"),
            "{:?}",
            p.notes
        );
    }

    #[test]
    fn evaluations_carry_the_region_and_profile_iam_sees() {
        let kb = crate::knowledge::embedded();
        let geo = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
        let global = "global.anthropic.claude-haiku-4-5-20251001-v1:0";
        let mut n = needs(&["us-east-1"], &[geo, global, "amazon.nova-lite-v1:0"]);
        n.streaming = true;
        n.account = Some("123456789012".into());
        let p = generate(kb, &n).unwrap();
        let evals = p.evaluations();
        let find = |resource: &str, region: &str| {
            evals
                .iter()
                .filter(|e| e.resource == resource && e.requested_region == region)
                .collect::<Vec<_>>()
        };
        let direct = find(
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
            "us-east-1",
        );
        assert_eq!(direct.len(), 2, "both actions: {direct:?}");
        assert!(direct.iter().all(|e| e.profile.is_none()));
        // A geography profile's hop to a destination is requested in that destination.
        let dests = kb.destinations(Some("us-east-1"), geo).unwrap();
        let other = dests.iter().find(|d| *d != "us-east-1").unwrap();
        let hop = find(
            &format!("arn:aws:bedrock:{other}::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0"),
            other,
        );
        assert_eq!(
            hop[0].profile.as_deref(),
            Some(format!("arn:aws:bedrock:us-east-1:123456789012:inference-profile/{geo}").as_str())
        );
        // The global profile's region-less ARN is requested in no region.
        let anywhere = find(
            "arn:aws:bedrock:::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
            "unspecified",
        );
        assert_eq!(anywhere.len(), 2);
        assert!(anywhere[0].profile.as_deref().unwrap().ends_with(global));
        // Every resource of the policy is evaluated, and nothing else.
        let resources: BTreeSet<&str> = evals.iter().map(|e| e.resource.as_str()).collect();
        assert_eq!(resources, p.resources.keys().map(String::as_str).collect());
    }

    #[test]
    fn a_regionless_arn_keeps_its_partition() {
        let kb = crate::knowledge::embedded();
        let arn = "arn:aws-us-gov:bedrock:::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0";
        let p = generate(kb, &needs(&["us-gov-west-1"], &[arn])).unwrap();
        assert_eq!(p.resources.keys().collect::<Vec<_>>(), [arn]);
    }
}
