//! The local AWS-protocol endpoint the tests run against lives in the library
//! (`bedrock_doctor::local_aws`), so `demo` and the example server use the same one.

pub use bedrock_doctor::local_aws::*;
