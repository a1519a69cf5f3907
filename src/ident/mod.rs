//! The one identifier grammar for Bedrock: model IDs and profile IDs ([`model_id`]), ARNs
//! ([`arn`]), and what a model value names ([`model_ref`]), in that order of dependence. Lint,
//! the configuration file, the checks and triage all read identifiers through it; the fuzz
//! target `fuzz/fuzz_targets/arn.rs` holds it to "never panics".

pub mod arn;
pub mod model_id;
pub mod model_ref;

pub use model_id::{
    PROFILE_GEOS, geo_for_region, geo_serves_region, is_provisioned_only, profile_parts, valid_model_chars,
};
pub use model_ref::{IdentError, ModelRef, parse};
