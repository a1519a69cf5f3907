//! End-to-end tests: the real `bedrock-doctor` binary against a local AWS-protocol endpoint.

mod fake_aws;
mod util;

mod accounts;
mod action;
mod commands;
mod credentials;
mod diagnoses;
mod drift;
mod engine;
mod explain;
mod faults;
mod formats;
mod gates;
mod iam;
mod lint;
mod mantle;
mod models;
mod policy;
mod proxy;
mod regions;
mod robustness;
mod secrets;
