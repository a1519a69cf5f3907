//! bedrock-doctor: checks → findings → documented remediation for Amazon Bedrock.
//!
//! The modules form layers; each imports only those above it in this list (see
//! docs/architecture.md):
//!
//! 1. the offline core, which names no AWS SDK type: the identifier grammar, regions and the
//!    knowledge base, codes and causes, the report model and findings sink, the classifier,
//!    triage, lint, redaction and secrets, the renderers, the configuration file, settings and
//!    the output emitter;
//! 2. the AWS layer (feature `aws`): setup, calls and evidence, and the run's shared context;
//! 3. the checks and the runner;
//! 4. the commands, one room each; `src/main.rs` only dispatches to them.

// 1. The offline core.
pub mod api_key;
pub mod body;
pub mod catalogue;
pub mod check_info;
pub mod classify;
pub mod cli;
pub mod codes;
pub mod config;
pub mod denial;
pub mod diagnosis;
pub mod drift;
pub mod error;
pub mod ident;
pub mod invoke;
pub mod knowledge;
pub mod lint;
pub mod listing;
pub mod output;
pub mod policy;
pub mod redact;
pub mod regions;
pub mod render;
pub mod report;
pub mod secrets;
pub mod settings;
pub mod triage;

// 2. The AWS layer.
#[cfg(feature = "aws")]
pub mod aws;
#[cfg(feature = "aws")]
pub mod context;
#[cfg(feature = "aws")]
pub mod local_aws;

// 3. Checks and the engine.
#[cfg(feature = "aws")]
pub mod check;
#[cfg(feature = "aws")]
pub mod checks;
#[cfg(feature = "aws")]
pub mod runner;

// 4. Commands.
#[cfg(feature = "aws")]
pub mod commands;
