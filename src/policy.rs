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
use std::collections::BTreeMap;

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
}

/// A generated policy: its actions, its resources each with why it is there, and notes.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Policy {
    pub actions: Vec<&'static str>,
    /// Resource ARN → why it is needed (one line per reason).
    pub resources: BTreeMap<String, Vec<String>>,
    pub notes: Vec<String>,
    /// A profile ARN carries [`ACCOUNT_PLACEHOLDER`] (no account was given); the JSON document
    /// must be filled in, the other syntaxes name the deploying account themselves.
    pub account_placeholder: bool,
}

/// The syntaxes a policy is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// An IAM policy document.
    Json,
    /// A Terraform `aws_iam_policy_document` data source.
    Terraform,
    /// A CloudFormation `AWS::IAM::ManagedPolicy` resource (YAML).
    Cloudformation,
    /// An AWS CDK `PolicyStatement` in TypeScript.
    CdkTs,
    /// An AWS CDK `PolicyStatement` in Python.
    CdkPython,
}

impl Policy {
    /// The policy in `syntax`, each resource commented with why it is there (JSON has no
    /// comments: [`Policy::resources`] carries the reasons). A missing account becomes the
    /// syntax's own expression for the deploying account.
    pub fn render(&self, syntax: Syntax) -> String {
        let placeholder = format!(":{ACCOUNT_PLACEHOLDER}:");
        let quoted =
            |arn: &str, account: &str| format!("\"{}\"", arn.replace(&placeholder, &format!(":{account}:")));
        let mut out = String::new();
        let resources = |out: &mut String, indent: &str, comment: &str, item: &dyn Fn(&str) -> String| {
            for (arn, whys) in &self.resources {
                for why in whys {
                    out.push_str(&format!("{indent}{comment} {why}\n"));
                }
                out.push_str(&format!("{indent}{}\n", item(arn)));
            }
        };
        let actions = |sep: &str| {
            self.actions
                .iter()
                .map(|a| format!("\"{a}\""))
                .collect::<Vec<_>>()
                .join(sep)
        };
        let notes = |out: &mut String, comment: &str| {
            for n in &self.notes {
                out.push_str(&format!("{comment} note: {n}\n"));
            }
        };
        match syntax {
            Syntax::Json => {
                out = serde_json::to_string_pretty(&self.document()).expect("a JSON value serialises");
                out.push('\n');
            }
            Syntax::Terraform => {
                notes(&mut out, "#");
                if self.account_placeholder {
                    out.push_str("data \"aws_caller_identity\" \"current\" {}\n\n");
                }
                out.push_str("data \"aws_iam_policy_document\" \"bedrock_invoke\" {\n  statement {\n    sid     = \"BedrockInvoke\"\n    effect  = \"Allow\"\n");
                out.push_str(&format!("    actions = [{}]\n    resources = [\n", actions(", ")));
                resources(&mut out, "      ", "#", &|arn| {
                    format!(
                        "{},",
                        quoted(arn, "${data.aws_caller_identity.current.account_id}")
                    )
                });
                out.push_str("    ]\n  }\n}\n");
            }
            Syntax::Cloudformation => {
                notes(&mut out, "#");
                out.push_str("Resources:\n  BedrockInvokePolicy:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Sid: BedrockInvoke\n            Effect: Allow\n");
                out.push_str(&format!(
                    "            Action: [{}]\n            Resource:\n",
                    actions(", ")
                ));
                resources(&mut out, "              ", "#", &|arn| {
                    if arn.contains(&placeholder) {
                        format!("- Fn::Sub: {}", quoted(arn, "${AWS::AccountId}"))
                    } else {
                        format!("- {}", quoted(arn, ""))
                    }
                });
            }
            Syntax::CdkTs => {
                notes(&mut out, "//");
                out.push_str(
                    "// import * as iam from 'aws-cdk-lib/aws-iam'; import { Stack } from 'aws-cdk-lib';\n",
                );
                out.push_str(&format!("const bedrockInvoke = new iam.PolicyStatement({{\n  sid: 'BedrockInvoke',\n  effect: iam.Effect.ALLOW,\n  actions: [{}],\n  resources: [\n", actions(", ")));
                resources(&mut out, "    ", "//", &|arn| {
                    if arn.contains(&placeholder) {
                        format!("`{}`,", arn.replace(&placeholder, ":${Stack.of(this).account}:"))
                    } else {
                        format!("{},", quoted(arn, ""))
                    }
                });
                out.push_str("  ],\n});\n");
            }
            Syntax::CdkPython => {
                notes(&mut out, "#");
                out.push_str("# from aws_cdk import Stack, aws_iam as iam\n");
                out.push_str(&format!("bedrock_invoke = iam.PolicyStatement(\n    sid=\"BedrockInvoke\",\n    effect=iam.Effect.ALLOW,\n    actions=[{}],\n    resources=[\n", actions(", ")));
                resources(&mut out, "        ", "#", &|arn| {
                    if arn.contains(&placeholder) {
                        format!("f{},", quoted(arn, "{Stack.of(self).account}"))
                    } else {
                        format!("{},", quoted(arn, ""))
                    }
                });
                out.push_str("    ],\n)\n");
            }
        }
        out
    }

    /// The IAM policy document.
    pub fn document(&self) -> serde_json::Value {
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "BedrockInvoke",
                "Effect": "Allow",
                "Action": self.actions,
                "Resource": self.resources.keys().collect::<Vec<_>>(),
            }]
        })
    }
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
        ..Policy::default()
    };
    let mut uses_placeholder = false;
    for model in &needs.models {
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
        for region in &regions {
            let partition = crate::regions::lookup(region).map_or("aws", |r| r.partition);
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
                    p.add(arn::foundation_arn(partition, region, id), why);
                }
                ModelRef::SystemProfile { id, .. } | ModelRef::ProfileArn { id, .. } => {
                    uses_placeholder |= account == ACCOUNT_PLACEHOLDER;
                    p.add_profile(kb, partition, region, &account, id)?;
                }
                _ => unreachable!("rejected above"),
            }
        }
    }
    p.account_placeholder = uses_placeholder;
    Ok(p)
}

impl Policy {
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
        self.add(
            format!("arn:{partition}:bedrock:{region}:{account}:inference-profile/{id}"),
            format!("the profile `{id}`, called from {region}"),
        );
        if geo == "global" {
            // Evaluated against the model in the source region and the region-less ARN.
            self.add(
                arn::foundation_arn(partition, region, model),
                format!("`{model}` in {region}, the source region of `{id}`"),
            );
            self.add(
                arn::foundation_arn(partition, "", model),
                format!("`{model}` region-less, which the global profile `{id}` is evaluated against"),
            );
        } else {
            for d in destinations {
                self.add(
                    arn::foundation_arn(partition, d, model),
                    format!("`{model}` in {d}, where `{id}` routes from {region}"),
                );
            }
        }
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
}
