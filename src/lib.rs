//! bedrock-doctor: checks → findings → documented remediation for Amazon Bedrock.
//!
//! The binary (`src/main.rs`) is glue; this library holds the report model, the code table,
//! the checks, the engine and the renderers, so integration tests can read reports as types.

pub mod arn;
pub mod aws;
pub mod body;
pub mod catalogue;
pub mod checks;
pub mod cli;
pub mod codes;
pub mod config;
pub mod context;
pub mod ident;
pub mod invoke;
pub mod knowledge;
pub mod lint;
pub mod listing;
pub mod redact;
pub mod regions;
pub mod render;
pub mod report;
pub mod runner;
pub mod secrets;
pub mod triage;
