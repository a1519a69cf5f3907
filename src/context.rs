//! What checks may touch: the resolved settings, the AWS setup, shared facts that one check
//! establishes for the others, and the bound on concurrent AWS calls.

use crate::aws::setup::AwsSetup;
use crate::aws::{self, CallFailure};
use crate::catalogue::{CatalogueModel, Profile};
use crate::codes::Code;
use crate::report::Identity;
use crate::settings::Settings;
use aws_credential_types::Credentials;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::{OnceCell, Semaphore};

/// Most calls in flight to one service in one region at once (AWS rate limits are per account,
/// service and region).
pub const PER_REGION: usize = 8;

/// The service a call goes to. The Bedrock control plane and runtime have separate quotas (the
/// runtime's are even per model), so a probe never waits for a catalogue read's slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Service {
    Sts,
    Bedrock,
    BedrockRuntime,
    Iam,
    /// The OpenAI-compatible `bedrock-mantle` endpoint (its own quotas).
    Mantle,
}

/// An AWS answer with what a finding needs to cite it.
#[derive(Clone, Debug)]
pub struct Fetched<T> {
    pub value: T,
    pub latency: Duration,
    pub request_id: Option<String>,
}

/// A shared answer (or failure) of a call made at most once per run.
pub type FetchResult<T> = Result<Arc<Fetched<T>>, CallFailure>;

/// Memoises calls by key, so concurrent checks asking for the same thing share one call.
struct Memo<T> {
    cells: Mutex<HashMap<String, Arc<OnceCell<FetchResult<T>>>>>,
}

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo {
            cells: Mutex::new(HashMap::new()),
        }
    }
}

impl<T> Memo<T> {
    async fn get<F: Future<Output = FetchResult<T>>>(
        &self,
        key: &str,
        fetch: impl FnOnce() -> F,
    ) -> FetchResult<T> {
        let cell = self
            .cells
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(key.to_string())
            .or_default()
            .clone();
        cell.get_or_init(fetch).await.clone()
    }

    /// What the call for `key` answered, if it was made and has finished; never calls.
    fn peek(&self, key: &str) -> Option<FetchResult<T>> {
        self.cells
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(key)?
            .get()
            .cloned()
    }
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
    catalogues: Memo<Vec<CatalogueModel>>,
    profiles: Memo<Vec<Profile>>,
    use_case: Memo<UseCaseForm>,
    retention: Memo<String>,
    mantle_models: Memo<Vec<MantleModel>>,
    usage: Mutex<ProbeUsage>,
    /// One bound per service and region, so a sweep never bursts into one region's rate limits.
    regional: Mutex<HashMap<(Service, String), Arc<Semaphore>>>,
    /// AWS calls finished so far (for the progress line).
    calls_done: std::sync::atomic::AtomicUsize,
}

/// One model of the `bedrock-mantle` listing (`GET /v1/models`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MantleModel {
    pub id: String,
    /// The data retention modes the model may be served under (`data_retention.allowed_modes`),
    /// when the listing says.
    pub allowed_retention: Vec<String>,
}

/// What `GetUseCaseForModelAccess` answered, as it answered it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UseCaseForm {
    /// A form is on file.
    pub filed: bool,
    /// The HTTP status of the answer (200, or 404 when AWS says no form exists).
    pub http_status: u16,
    /// The error code of a 404, as AWS sent it.
    pub error_code: Option<String>,
}

/// What the probes consumed, for the cost estimate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProbeUsage {
    pub calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub images: u64,
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
            catalogues: Memo::default(),
            profiles: Memo::default(),
            use_case: Memo::default(),
            retention: Memo::default(),
            mantle_models: Memo::default(),
            usage: Mutex::new(ProbeUsage::default()),
            calls_done: std::sync::atomic::AtomicUsize::new(0),
            regional: Mutex::new(HashMap::new()),
        }
    }

    /// Runs one AWS call to `service` in `region` under the concurrency bounds (all calls, and
    /// calls to that service in that region) and measures it.
    pub async fn call<T>(&self, service: Service, region: &str, f: impl Future<Output = T>) -> (T, Duration) {
        let regional = self
            .regional
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry((service, region.to_string()))
            .or_insert_with(|| Arc::new(Semaphore::new(PER_REGION)))
            .clone();
        let _regional = regional.acquire().await.expect("semaphore never closed");
        self.call_anywhere(f).await
    }

    /// Runs work that goes to no one service and region (resolving credentials walks a chain of
    /// providers) under the overall bound only, and measures it.
    pub async fn call_anywhere<T>(&self, f: impl Future<Output = T>) -> (T, Duration) {
        let _permit = self.permits.acquire().await.expect("semaphore never closed");
        let start = Instant::now();
        let out = f.await;
        self.calls_done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        (out, start.elapsed())
    }

    /// How many AWS calls have finished.
    pub fn calls_done(&self) -> usize {
        self.calls_done.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn add_usage(&self, u: ProbeUsage) {
        let mut total = self
            .usage
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        total.calls += u.calls;
        total.input_tokens += u.input_tokens;
        total.output_tokens += u.output_tokens;
        total.images += u.images;
    }

    pub fn usage(&self) -> ProbeUsage {
        *self
            .usage
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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

    /// As [`Context::bedrock_gate`], for a call to Bedrock in `region`: a short-term API key made
    /// in another region (or expired) fails every call there, so none is sent.
    pub fn bedrock_gate_in(&self, region: &str) -> Result<Option<Credentials>, NotLive> {
        let now = crate::api_key::now();
        if let Some(why) = self.aws.api_key.as_ref().and_then(|k| k.refuses(region, now)) {
            return Err(NotLive(why.to_string()));
        }
        self.bedrock_gate()
    }

    /// Credentials for a command that runs no `credentials` check (`models`, `invoke`): what
    /// the chain resolves, or none when a Bedrock API key is enough. `Err` says why there are
    /// none, scrubbed.
    pub async fn direct_credentials(&self) -> Result<Option<Credentials>, String> {
        use aws_credential_types::provider::ProvideCredentials;
        match self.aws.chain.provide_credentials().await {
            Ok(c) => Ok(Some(c)),
            Err(_) if self.aws.bearer_token => Ok(None),
            Err(e) => Err(format!(
                "no usable AWS credentials ({}); `bedrock-doctor check` diagnoses why",
                crate::secrets::scrub(&aws::error_chain(&e))
            )),
        }
    }

    /// The region's foundation-model catalogue (`ListFoundationModels`), fetched once per run.
    pub async fn catalogue(
        &self,
        region: &str,
        creds: Option<Credentials>,
    ) -> FetchResult<Vec<CatalogueModel>> {
        self.catalogues
            .get(region, || async {
                let client = self.aws.bedrock(region, creds);
                let (answer, latency) = self
                    .call(Service::Bedrock, region, client.list_foundation_models().send())
                    .await;
                use aws_sdk_bedrock::operation::RequestId;
                match answer {
                    // Every Bedrock region lists models: an empty answer came from something
                    // else (a proxy, a stub) and proves nothing either way.
                    Ok(out) if out.model_summaries().is_empty() => Err(aws::answer_without_content(
                        "bedrock",
                        "ListFoundationModels",
                        out.request_id(),
                        "the answer listed no foundation models",
                    )),
                    Ok(out) => Ok(Arc::new(Fetched {
                        value: out.model_summaries().iter().map(CatalogueModel::from).collect(),
                        latency,
                        request_id: out.request_id().map(str::to_string),
                    })),
                    Err(e) => Err(aws::failure("bedrock", "ListFoundationModels", &e)),
                }
            })
            .await
    }

    /// The catalogue if it was already fetched successfully (never calls AWS).
    pub fn catalogue_if_known(&self, region: &str) -> Option<Arc<Fetched<Vec<CatalogueModel>>>> {
        self.catalogues.peek(region)?.ok()
    }

    /// The IDs of the system profiles callable from `region` that route to `foundation_id`,
    /// other than `refused`: what to call there instead of an identifier the region refused.
    /// Empty when the list could not be read.
    pub async fn profiles_routing_to(
        &self,
        region: &str,
        foundation_id: &str,
        refused: &str,
        creds: Option<Credentials>,
    ) -> Vec<String> {
        match self.profiles(region, creds).await {
            Ok(p) => p
                .value
                .iter()
                .filter(|p| p.contains_model(foundation_id) && p.id != refused && p.arn != refused)
                .map(|p| p.id.clone())
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// System inference profiles callable from `region` (`ListInferenceProfiles`, all pages),
    /// fetched once per run.
    pub async fn profiles(&self, region: &str, creds: Option<Credentials>) -> FetchResult<Vec<Profile>> {
        self.profiles
            .get(region, || async {
                let client = self.aws.bedrock(region, creds);
                let mut all = Vec::new();
                let mut token: Option<String> = None;
                let mut total = Duration::ZERO;
                let mut request_id = None;
                loop {
                    let req = client
                        .list_inference_profiles()
                        .type_equals(aws_sdk_bedrock::types::InferenceProfileType::SystemDefined)
                        .max_results(1000)
                        .set_next_token(token.take());
                    let (answer, latency) = self.call(Service::Bedrock, region, req.send()).await;
                    total += latency;
                    use aws_sdk_bedrock::operation::RequestId;
                    match answer {
                        Ok(out) => {
                            request_id = request_id.or_else(|| out.request_id().map(str::to_string));
                            all.extend(out.inference_profile_summaries().iter().map(Profile::from));
                            match out.next_token() {
                                Some(t) if !t.is_empty() && all.len() < 10_000 => token = Some(t.to_string()),
                                _ => break,
                            }
                        }
                        Err(e) => return Err(aws::failure("bedrock", "ListInferenceProfiles", &e)),
                    }
                }
                Ok(Arc::new(Fetched {
                    value: all,
                    latency: total,
                    request_id,
                }))
            })
            .await
    }

    /// Whether the account has filed Anthropic's use-case form (`GetUseCaseForModelAccess` in
    /// the primary region), asked once per run, with the status and code AWS answered.
    /// One call to the `bedrock-mantle` endpoint in `region`: `route` with a JSON `body` (none for
    /// a GET). The answer's body, or the failure classified as for every other plane.
    pub async fn mantle(
        &self,
        region: &str,
        creds: Option<Credentials>,
        operation: &'static str,
        route: aws::mantle::MantleRoute,
        body: Option<&serde_json::Value>,
    ) -> Result<Fetched<Vec<u8>>, CallFailure> {
        let client = self.aws.mantle(region, creds);
        let request = client
            .invoke_model()
            .model_id("mantle")
            .content_type("application/json")
            .accept("application/json")
            .body(aws_smithy_types::Blob::new(
                body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
            ))
            .customize()
            .interceptor(route);
        let (answer, latency) = self.call(Service::Mantle, region, request.send()).await;
        use aws_sdk_bedrockruntime::operation::RequestId;
        match answer {
            Ok(out) => Ok(Fetched {
                request_id: out.request_id().map(str::to_string),
                value: out.body().as_ref().to_vec(),
                latency,
            }),
            Err(e) => Err(aws::failure("bedrock-mantle", operation, &e)),
        }
    }

    /// The models the `bedrock-mantle` endpoint lists in `region` (`GET /v1/models`, free),
    /// read once.
    pub async fn mantle_models(
        &self,
        region: &str,
        creds: Option<Credentials>,
    ) -> FetchResult<Vec<MantleModel>> {
        self.mantle_models
            .get(region, || async {
                let route = aws::mantle::MantleRoute {
                    method: "GET",
                    path: "/v1/models".into(),
                    headers: vec![],
                };
                let got = self.mantle(region, creds, "ListModels", route, None).await?;
                let v: serde_json::Value = serde_json::from_slice(&got.value).unwrap_or_default();
                let Some(data) = v["data"].as_array() else {
                    return Err(aws::answer_without_content(
                        "bedrock-mantle",
                        "ListModels",
                        got.request_id.as_deref(),
                        "the answer had no `data` list of models",
                    ));
                };
                Ok(Arc::new(Fetched {
                    value: data
                        .iter()
                        .filter_map(|m| {
                            Some(MantleModel {
                                id: m["id"].as_str()?.to_string(),
                                allowed_retention: m["data_retention"]["allowed_modes"]
                                    .as_array()
                                    .into_iter()
                                    .flatten()
                                    .filter_map(|x| x.as_str().map(str::to_string))
                                    .collect(),
                            })
                        })
                        .collect(),
                    latency: got.latency,
                    request_id: got.request_id,
                }))
            })
            .await
    }

    /// The account's data retention mode in `region` (`GetAccountDataRetention`), read once.
    pub async fn data_retention(&self, region: &str, creds: Option<Credentials>) -> FetchResult<String> {
        self.retention
            .get(region, || async {
                let client = self.aws.bedrock(region, creds);
                let (answer, latency) = self
                    .call(
                        Service::Bedrock,
                        region,
                        client.get_account_data_retention().send(),
                    )
                    .await;
                use aws_sdk_bedrock::operation::RequestId;
                match answer {
                    Ok(out) => Ok(Arc::new(Fetched {
                        value: out.mode().as_str().to_string(),
                        latency,
                        request_id: out.request_id().map(str::to_string),
                    })),
                    Err(e) => Err(aws::failure("bedrock", "GetAccountDataRetention", &e)),
                }
            })
            .await
    }

    /// The mantle listing's entry for `model` in `region`, when the run read the listing.
    pub fn mantle_model_known(&self, region: &str, model: &str) -> Option<MantleModel> {
        let listed = self.mantle_models.peek(region)?.ok()?;
        listed.value.iter().find(|m| m.id == model).cloned()
    }

    /// What the run learned of each region's data retention, for the report header.
    pub fn data_retention_known(&self, region: &str) -> Option<crate::report::DataRetention> {
        Some(match self.retention.peek(region)? {
            Ok(f) => crate::report::DataRetention {
                mode: Some(f.value.clone()),
                note: None,
            },
            Err(f) => crate::report::DataRetention {
                mode: None,
                note: Some(match f.evidence.error_code.as_deref() {
                    Some(code) if f.evidence.http_status == Some(403) => format!(
                        "not readable: {code} (bedrock:GetAccountDataRetention is not allowed); not a failure"
                    ),
                    _ => format!("not read: {}", f.no_answer()),
                }),
            },
        })
    }

    /// Anthropic's use-case form of the account (one per account: asked in `region`, the first
    /// region the run may call Bedrock in).
    pub async fn use_case_form(&self, region: &str, creds: Option<Credentials>) -> FetchResult<UseCaseForm> {
        let region = region.to_string();
        self.use_case
            .get("account", || async {
                let client = self.aws.bedrock(&region, creds);
                let (answer, latency) = self
                    .call(
                        Service::Bedrock,
                        &region,
                        client.get_use_case_for_model_access().send(),
                    )
                    .await;
                use aws_sdk_bedrock::operation::RequestId;
                match answer {
                    Ok(out) => Ok(Arc::new(Fetched {
                        value: UseCaseForm {
                            filed: !out.form_data().as_ref().is_empty(),
                            http_status: 200,
                            error_code: None,
                        },
                        latency,
                        request_id: out.request_id().map(str::to_string),
                    })),
                    Err(e) => {
                        let f = aws::failure("bedrock", "GetUseCaseForModelAccess", &e);
                        if f.evidence.http_status == Some(404)
                            && f.evidence.error_code.as_deref() == Some("ResourceNotFoundException")
                        {
                            Ok(Arc::new(Fetched {
                                value: UseCaseForm {
                                    filed: false,
                                    http_status: 404,
                                    error_code: f.evidence.error_code,
                                },
                                latency,
                                request_id: f.evidence.request_id,
                            }))
                        } else {
                            Err(f)
                        }
                    }
                }
            })
            .await
    }
}
