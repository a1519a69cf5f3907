//! What checks may touch: the resolved settings, the AWS setup, shared facts that one check
//! establishes for the others, and the bound on concurrent AWS calls.

use crate::aws::setup::AwsSetup;
use crate::codes::Code;
use crate::report::Identity;
use aws_credential_types::Credentials;
use std::future::Future;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// The command line resolved once; nothing downstream sees clap types.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Raw `--region` values (repeatable, comma-separated).
    pub regions: Vec<String>,
    /// `--model` values, in order.
    pub models: Vec<String>,
    pub profile: Option<String>,
    /// Bound on the whole run.
    pub timeout: Duration,
    /// Most AWS calls in flight at once.
    pub concurrency: usize,
    /// Real (billed) invocations allowed; false with `--no-invoke`.
    pub invoke: bool,
    /// Check ids selected to run (dependencies included).
    pub checks: Vec<&'static str>,
}

/// What the `credentials` check learned, for the checks that need to sign requests.
#[derive(Clone, Debug)]
pub enum CredentialState {
    /// Credentials resolved; `verified` when STS confirmed them.
    Usable { creds: Credentials, verified: bool },
    /// No usable credentials; the code says why.
    Unusable(Code),
}

/// Shared, read-mostly state of one run.
pub struct Context {
    pub settings: Settings,
    pub aws: AwsSetup,
    permits: Semaphore,
    credentials: OnceLock<CredentialState>,
    identity: Mutex<Option<Identity>>,
}

/// Why a live check cannot run.
#[derive(Clone, Debug)]
pub struct NotLive(pub String);

impl Context {
    pub fn new(settings: Settings, aws: AwsSetup) -> Self {
        let permits = Semaphore::new(settings.concurrency.max(1));
        Context {
            settings,
            aws,
            permits,
            credentials: OnceLock::new(),
            identity: Mutex::new(None),
        }
    }

    /// Runs one AWS call under the concurrency bound and measures it.
    pub async fn call<T>(&self, f: impl Future<Output = T>) -> (T, Duration) {
        let _permit = self.permits.acquire().await.expect("semaphore never closed");
        let start = Instant::now();
        let out = f.await;
        (out, start.elapsed())
    }

    /// Records the credentials verdict (first write wins).
    pub fn set_credentials(&self, state: CredentialState) {
        let _ = self.credentials.set(state);
    }

    pub fn set_identity(&self, identity: Identity) {
        *self
            .identity
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(identity);
    }

    pub fn identity(&self) -> Option<Identity> {
        self.identity
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Credentials to sign Bedrock calls with, or why live Bedrock checks must be skipped.
    ///
    /// A Bedrock API key (`AWS_BEARER_TOKEN_BEDROCK`) authenticates Bedrock calls on its own,
    /// so it opens the gate even without IAM credentials.
    pub fn bedrock_gate(&self) -> Result<Option<Credentials>, NotLive> {
        match self.credentials.get() {
            Some(CredentialState::Usable { creds, .. }) => Ok(Some(creds.clone())),
            _ if self.aws.bearer_token => Ok(None),
            Some(CredentialState::Unusable(code)) => Err(NotLive(format!(
                "no usable credentials ({code}: {})",
                code.slug()
            ))),
            None => Err(NotLive(
                "credentials were not checked (the `credentials` check did not run)".into(),
            )),
        }
    }
}
