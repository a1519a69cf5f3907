//! A local AWS endpoint speaking the real wire protocols: what the end-to-end tests, the
//! example server (`cargo run --example fake_aws`) and `bedrock-doctor demo` run against.
//!
//! One HTTP server on 127.0.0.1 plays STS (awsQuery: form in, XML out) and both Bedrock planes
//! (restJson1: status + `x-amzn-ErrorType` + JSON `message`/`Message`), for every region at
//! once: like AWS, it learns region and service from the SigV4 credential scope and the
//! operation from method and path. Every answer carries `x-amzn-RequestId` and a `Date`.
//! Tests script it per access key, region and operation (errors, latency, hangs, resets, clock
//! skew) and afterwards read the recorded requests.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// The access key every scenario accepts unless told otherwise.
pub const VALID_KEY: &str = "AKIAEXAMPLEVALID0001";
pub const VALID_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY1";
pub const ACCOUNT: &str = "123456789012";
pub const USER_ARN: &str = "arn:aws:iam::123456789012:user/dev";

/// How the endpoint treats one access key.
#[derive(Clone, Debug)]
pub enum Key {
    Valid {
        account: String,
        arn: String,
        user_id: String,
    },
    /// Unknown to AWS: `InvalidClientTokenId` / `UnrecognizedClientException`.
    Unknown,
    /// A session whose token has expired: `ExpiredToken` / `ExpiredTokenException`.
    Expired,
    /// Right key id, wrong secret: `SignatureDoesNotMatch` / `InvalidSignatureException`.
    WrongSecret,
}

/// What to do instead of the normal answer.
#[derive(Clone, Debug)]
pub enum Fault {
    /// An AWS error: status, code and message in the service's own format.
    Error {
        status: u16,
        code: String,
        message: String,
    },
    /// Accept the request and never answer.
    Hang,
    /// Close the connection without an answer.
    Reset,
    /// Answer normally after a delay.
    Latency(Duration),
    /// Any answer: status, headers and body as given (foreign bodies, truncated JSON, …).
    Raw {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
}

impl Fault {
    pub fn error(status: u16, code: &str, message: &str) -> Self {
        Fault::Error {
            status,
            code: code.into(),
            message: message.into(),
        }
    }
}

/// Which requests a fault applies to; `None` matches anything.
#[derive(Clone, Debug, Default)]
pub struct Match {
    pub operation: Option<String>,
    pub region: Option<String>,
    pub service: Option<String>,
    /// The model or profile id in the path (percent-decoded).
    pub model: Option<String>,
}

impl Match {
    pub fn any() -> Self {
        Match::default()
    }
    pub fn op(op: &str) -> Self {
        Match {
            operation: Some(op.into()),
            ..Match::default()
        }
    }
    pub fn region(mut self, region: &str) -> Self {
        self.region = Some(region.into());
        self
    }
    pub fn service(mut self, service: &str) -> Self {
        self.service = Some(service.into());
        self
    }
    pub fn model(mut self, model: &str) -> Self {
        self.model = Some(model.into());
        self
    }
}

#[derive(Clone, Debug)]
struct FaultRule {
    when: Match,
    fault: Fault,
    /// How many more requests it applies to; `None` = all.
    remaining: Option<usize>,
    /// With `Some(n)`, it applies to the first `n` attempts of each distinct call (operation,
    /// region and model): a retry of the same call sees the fault until the n-th retry.
    each: Option<usize>,
    seen: HashMap<String, usize>,
}

/// One request as the endpoint saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub operation: String,
    /// From the SigV4 scope; `None` for bearer-token or unsigned requests.
    pub region: Option<String>,
    pub service: Option<String>,
    pub access_key: Option<String>,
    pub bearer: Option<String>,
    pub user_agent: String,
    pub model: Option<String>,
    /// The request body as sent.
    pub body: String,
}

#[derive(Default)]
struct State {
    keys: HashMap<String, Key>,
    faults: Vec<FaultRule>,
    /// Seconds the endpoint's clock runs ahead of the real one.
    skew_secs: i64,
    /// Region → catalogue; regions not listed get [`default_catalogue`].
    catalogues: HashMap<String, Vec<Value>>,
    bearer_tokens: Vec<String>,
    /// Added to every answer, before any fault.
    latency: Duration,
    /// Requests being answered right now, and the most ever seen at once, per region.
    in_flight: HashMap<String, usize>,
    max_in_flight: HashMap<String, usize>,
    /// Region → system inference profiles; regions not listed get [`default_profiles`].
    profiles: HashMap<String, Vec<Value>>,
    /// (region, model) → GetFoundationModelAvailability answer; default all available.
    availability: HashMap<(String, String), Value>,
    /// Whether the Anthropic use-case form is on file (GetUseCaseForModelAccess).
    use_case_missing: bool,
    requests: Vec<Recorded>,
    /// Roles `AssumeRole` grants: role ARN → the account its sessions act in. Any other role
    /// is denied, as a trust policy that does not name the caller would.
    roles: HashMap<String, String>,
    /// TCP connections accepted.
    connections: usize,
    /// How the IAM policy simulator decides, first match wins; unmatched pairs are allowed.
    simulations: Vec<Simulated>,
    /// `SimulatePrincipalPolicy` is denied to every caller.
    simulation_denied: bool,
    /// Role name → its ARN with a path (as SSO roles have), which sessions' ARNs drop.
    role_paths: HashMap<String, String>,
    /// Region → the account's data retention mode there (default `default`).
    retention: HashMap<String, String>,
    /// `GetAccountDataRetention` is denied to every caller.
    retention_denied: bool,
    /// Model → the data retention modes it accepts (default: every mode).
    accepted_retention: HashMap<String, Vec<String>>,
    /// Regions where the account holds a reserved-tier reservation.
    reservations: Vec<String>,
    /// Model → the service tiers it offers (default: `default`, `priority`, `flex`, and
    /// `reserved` where reserved).
    tiers: HashMap<String, Vec<String>>,
    /// Region → the models `bedrock-mantle` lists there (default: the catalogue's).
    mantle_models: HashMap<String, Vec<String>>,
    /// Models mantle serves under `/openai/v1` rather than `/v1`.
    openai_route: Vec<String>,
}

/// One scripted decision of the IAM policy simulator, for the pairs it matches.
#[derive(Clone, Debug)]
pub struct Simulated {
    /// Globs on the action and the resource ARN.
    pub action: String,
    pub resource: String,
    /// Matches only this `aws:RequestedRegion` context value.
    pub requested_region: Option<String>,
    /// `allowed`, `implicitDeny` or `explicitDeny`.
    pub decision: &'static str,
    /// (SourcePolicyId, SourcePolicyType) of the matched statements.
    pub statements: Vec<(String, String)>,
    pub organizations_allowed: Option<bool>,
    pub boundary_allowed: Option<bool>,
}

impl Simulated {
    fn new(decision: &'static str) -> Self {
        Simulated {
            action: "*".into(),
            resource: "*".into(),
            requested_region: None,
            decision,
            statements: vec![],
            organizations_allowed: None,
            boundary_allowed: None,
        }
    }
    /// No statement allows the pairs it matches.
    pub fn implicit_deny() -> Self {
        Simulated::new("implicitDeny")
    }
    /// The Deny statement of `policy` (of `policy_type`: `user`, `role`, `user-managed`, …).
    pub fn explicit_deny(policy: &str, policy_type: &str) -> Self {
        Simulated {
            statements: vec![(policy.into(), policy_type.into())],
            ..Simulated::new("explicitDeny")
        }
    }
    /// An organization policy refuses it (the simulator names no SCP).
    pub fn denied_by_organizations() -> Self {
        Simulated {
            organizations_allowed: Some(false),
            ..Simulated::new("explicitDeny")
        }
    }
    pub fn resource(mut self, glob: &str) -> Self {
        self.resource = glob.into();
        self
    }
    pub fn requested_region(mut self, region: &str) -> Self {
        self.requested_region = Some(region.into());
        self
    }
    pub fn boundary_denies(mut self) -> Self {
        self.boundary_allowed = Some(false);
        self
    }
}

/// The running endpoint; stops when dropped.
pub struct FakeAws {
    pub addr: SocketAddr,
    tls: bool,
    state: Arc<Mutex<State>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for FakeAws {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

static REQUEST_IDS: AtomicU64 = AtomicU64::new(1);

impl FakeAws {
    /// Starts the endpoint on an ephemeral loopback port, knowing [`VALID_KEY`].
    pub fn start() -> Self {
        Self::start_on(0)
    }

    /// Starts the endpoint on `port` of 127.0.0.1 (0: any free port).
    pub fn start_on(port: u16) -> Self {
        Self::serve(port, None)
    }

    /// Starts the endpoint behind TLS, with the certificate of `tests/fixtures/tls/server.pem`
    /// (for `localhost` and 127.0.0.1), signed by the test CA in `ca.pem`, which no system
    /// trusts: as behind a TLS-inspecting proxy. Its URL is `https://localhost:PORT`.
    pub fn start_tls() -> Self {
        Self::start_tls_on(0)
    }

    /// [`FakeAws::start_tls`] on `port` of 127.0.0.1 (0: any free port).
    pub fn start_tls_on(port: u16) -> Self {
        use rustls_pki_types::pem::PemObject;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
        let certs = rustls_pki_types::CertificateDer::pem_file_iter(dir.join("server.pem"))
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = rustls_pki_types::PrivateKeyDer::from_pem_file(dir.join("server.key")).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
        Self::serve(port, Some(tokio_rustls::TlsAcceptor::from(Arc::new(config))))
    }

    fn serve(port: u16, tls: Option<tokio_rustls::TlsAcceptor>) -> Self {
        let is_tls = tls.is_some();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        state.lock().unwrap().keys.insert(
            VALID_KEY.into(),
            Key::Valid {
                account: ACCOUNT.into(),
                arn: USER_ARN.into(),
                user_id: "AIDAEXAMPLEUSERID0001".into(),
            },
        );
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let st = state.clone();
        runtime.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                st.lock().unwrap().connections += 1;
                let st = st.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req| handle(st.clone(), req));
                    let http = hyper::server::conn::http1::Builder::new();
                    match tls {
                        None => {
                            let _ = http
                                .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                                .await;
                        }
                        // A client that does not trust the certificate hangs up in the handshake.
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                let _ = http
                                    .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                                    .await;
                            }
                        }
                    }
                });
            }
        });
        FakeAws {
            addr,
            tls: is_tls,
            state,
            runtime: Some(runtime),
        }
    }

    pub fn url(&self) -> String {
        if self.tls {
            format!("https://localhost:{}", self.addr.port())
        } else {
            format!("http://{}", self.addr)
        }
    }

    /// Lets `AssumeRole` of `role_arn` succeed, with sessions acting in `account`.
    pub fn role(&self, role_arn: &str, account: &str) -> &Self {
        self.state
            .lock()
            .unwrap()
            .roles
            .insert(role_arn.into(), account.into());
        self
    }

    /// Sets how the endpoint treats `access_key`.
    pub fn key(&self, access_key: &str, key: Key) -> &Self {
        self.state.lock().unwrap().keys.insert(access_key.into(), key);
        self
    }

    /// Applies `fault` to every matching request.
    pub fn fault(&self, when: Match, fault: Fault) -> &Self {
        self.state.lock().unwrap().faults.push(FaultRule {
            when,
            fault,
            remaining: None,
            each: None,
            seen: HashMap::new(),
        });
        self
    }

    /// Applies `fault` to the first `attempts` attempts of every distinct matching call: with
    /// fewer attempts than the client's retries, every call succeeds in the end.
    pub fn fault_each(&self, when: Match, fault: Fault, attempts: usize) -> &Self {
        self.state.lock().unwrap().faults.push(FaultRule {
            when,
            fault,
            remaining: None,
            each: Some(attempts),
            seen: HashMap::new(),
        });
        self
    }

    /// Applies `fault` to the next `times` matching requests only.
    pub fn fault_times(&self, when: Match, fault: Fault, times: usize) -> &Self {
        self.state.lock().unwrap().faults.push(FaultRule {
            when,
            fault,
            remaining: Some(times),
            each: None,
            seen: HashMap::new(),
        });
        self
    }

    /// Runs the endpoint's clock `secs` ahead of real time and rejects requests signed more
    /// than five minutes away from it, as AWS does.
    pub fn skew(&self, secs: i64) -> &Self {
        self.state.lock().unwrap().skew_secs = secs;
        self
    }

    pub fn catalogue(&self, region: &str, models: Vec<Value>) -> &Self {
        self.state
            .lock()
            .unwrap()
            .catalogues
            .insert(region.into(), models);
        self
    }

    pub fn profiles(&self, region: &str, profiles: Vec<Value>) -> &Self {
        self.state
            .lock()
            .unwrap()
            .profiles
            .insert(region.into(), profiles);
        self
    }

    /// Sets the GetFoundationModelAvailability answer for (region, model).
    pub fn availability(
        &self,
        region: &str,
        model: &str,
        agreement: &str,
        authorization: &str,
        entitlement: &str,
        region_availability: &str,
    ) -> &Self {
        self.state.lock().unwrap().availability.insert(
            (region.into(), model.into()),
            json!({
                "modelId": model,
                "agreementAvailability": {"status": agreement},
                "authorizationStatus": authorization,
                "entitlementAvailability": entitlement,
                "regionAvailability": region_availability
            }),
        );
        self
    }

    /// No Anthropic use-case form on file: GetUseCaseForModelAccess answers 404.
    pub fn use_case_missing(&self) -> &Self {
        self.state.lock().unwrap().use_case_missing = true;
        self
    }

    /// Scripts the IAM policy simulator for the pairs `s` matches (first match wins).
    pub fn simulate(&self, s: Simulated) -> &Self {
        self.state.lock().unwrap().simulations.push(s);
        self
    }

    /// Denies `iam:SimulatePrincipalPolicy` to every caller.
    pub fn simulation_denied(&self) -> &Self {
        self.state.lock().unwrap().simulation_denied = true;
        self
    }

    /// Gives the role `name` a path: its sessions' ARNs drop it, `GetRole` tells it.
    pub fn role_path(&self, name: &str, path: &str) -> &Self {
        self.state
            .lock()
            .unwrap()
            .role_paths
            .insert(name.into(), format!("arn:aws:iam::{ACCOUNT}:role{path}{name}"));
        self
    }

    /// Sets the account's data retention mode in `region`.
    pub fn data_retention(&self, region: &str, mode: &str) -> &Self {
        self.state
            .lock()
            .unwrap()
            .retention
            .insert(region.into(), mode.into());
        self
    }

    /// Denies `bedrock:GetAccountDataRetention` to every caller.
    pub fn data_retention_denied(&self) -> &Self {
        self.state.lock().unwrap().retention_denied = true;
        self
    }

    /// `model` accepts only these data retention modes; a call from an account with another
    /// mode is refused as Bedrock refuses it.
    pub fn accepts_retention(&self, model: &str, modes: &[&str]) -> &Self {
        self.state
            .lock()
            .unwrap()
            .accepted_retention
            .insert(model.into(), modes.iter().map(|m| m.to_string()).collect());
        self
    }

    /// The models `bedrock-mantle` lists (and serves) in `region`.
    pub fn mantle_models(&self, region: &str, models: &[&str]) -> &Self {
        self.state
            .lock()
            .unwrap()
            .mantle_models
            .insert(region.into(), models.iter().map(|m| m.to_string()).collect());
        self
    }

    /// `model` is served under `/openai/v1` on mantle; `/v1` refuses it.
    pub fn openai_route(&self, model: &str) -> &Self {
        self.state.lock().unwrap().openai_route.push(model.into());
        self
    }

    /// The account holds a reserved-tier reservation in `region`.
    pub fn reservation(&self, region: &str) -> &Self {
        self.state.lock().unwrap().reservations.push(region.into());
        self
    }

    /// `model` offers only these service tiers.
    pub fn tiers(&self, model: &str, tiers: &[&str]) -> &Self {
        self.state
            .lock()
            .unwrap()
            .tiers
            .insert(model.into(), tiers.iter().map(|t| t.to_string()).collect());
        self
    }

    /// Delays every answer by `d` (a far-away region, a slow network).
    pub fn latency(&self, d: Duration) -> &Self {
        self.state.lock().unwrap().latency = d;
        self
    }

    pub fn bearer_token(&self, token: &str) -> &Self {
        self.state.lock().unwrap().bearer_tokens.push(token.into());
        self
    }

    /// The most requests that were in flight at once to `plane` (`sts`, `bedrock`,
    /// `bedrock-runtime`) in `region`.
    pub fn max_in_flight(&self, plane: &str, region: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .max_in_flight
            .get(&format!("{plane} {region}"))
            .copied()
            .unwrap_or(0)
    }

    /// How many TCP connections the endpoint accepted.
    pub fn connections(&self) -> usize {
        self.state.lock().unwrap().connections
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }
}

/// A model summary as ListFoundationModels returns it.
pub fn model_summary(region: &str, id: &str, provider: &str, inference: &[&str]) -> Value {
    json!({
        "modelArn": format!("arn:aws:bedrock:{region}::foundation-model/{id}"),
        "modelId": id,
        "modelName": id,
        "providerName": provider,
        "inputModalities": ["TEXT"],
        "outputModalities": ["TEXT"],
        "responseStreamingSupported": true,
        "customizationsSupported": [],
        "inferenceTypesSupported": inference,
        "modelLifecycle": {"status": "ACTIVE"}
    })
}

/// A model summary with lifecycle dates, as AWS lists a Legacy model.
pub fn legacy_summary(region: &str, id: &str, legacy: &str, eol: &str) -> Value {
    let mut m = model_summary(region, id, "Anthropic", &["ON_DEMAND"]);
    m["modelLifecycle"] = json!({"status": "LEGACY", "legacyTime": legacy, "endOfLifeTime": eol});
    m
}

pub fn embedding_summary(region: &str, id: &str) -> Value {
    let mut m = model_summary(region, id, "Amazon", &["ON_DEMAND"]);
    m["outputModalities"] = json!(["EMBEDDING"]);
    m
}

pub fn image_summary(region: &str, id: &str) -> Value {
    let mut m = model_summary(region, id, "Amazon", &["ON_DEMAND"]);
    m["outputModalities"] = json!(["IMAGE"]);
    m
}

/// The geography prefix AWS uses for system profiles called from `region`.
pub fn geo_of(region: &str) -> &'static str {
    match region.split('-').next().unwrap_or_default() {
        "us" => "us",
        "eu" => "eu",
        "ap" => "apac",
        "ca" => "ca",
        _ => "global",
    }
}

/// A system inference profile summary routing `model` to `destinations`.
pub fn profile_summary(source: &str, id: &str, model: &str, destinations: &[&str]) -> Value {
    json!({
        "inferenceProfileName": id,
        "inferenceProfileArn": format!("arn:aws:bedrock:{source}:{ACCOUNT}:inference-profile/{id}"),
        "inferenceProfileId": id,
        "status": "ACTIVE",
        "type": "SYSTEM_DEFINED",
        "models": destinations.iter().map(|r| json!({"modelArn": format!("arn:aws:bedrock:{r}::foundation-model/{model}")})).collect::<Vec<_>>()
    })
}

/// Default: a geo profile for every Anthropic and Nova model of the region's catalogue.
fn default_profiles(region: &str, catalogue: &[Value]) -> Vec<Value> {
    let geo = geo_of(region);
    catalogue
        .iter()
        .filter_map(|m| m["modelId"].as_str())
        .filter(|id| id.starts_with("anthropic.") || id.starts_with("amazon.nova"))
        .map(|id| profile_summary(region, &format!("{geo}.{id}"), id, &[region]))
        .collect()
}

fn default_catalogue(region: &str) -> Vec<Value> {
    vec![
        model_summary(
            region,
            "anthropic.claude-3-5-sonnet-20240620-v1:0",
            "Anthropic",
            &["ON_DEMAND"],
        ),
        embedding_summary(region, "amazon.titan-embed-text-v2:0"),
        model_summary(region, "amazon.nova-pro-v1:0", "Amazon", &["INFERENCE_PROFILE"]),
    ]
}

type Answer = Response<Full<Bytes>>;

/// SigV4 scope or bearer token of a request.
#[derive(Default)]
struct Auth {
    access_key: Option<String>,
    region: Option<String>,
    service: Option<String>,
    amz_date: Option<String>,
    bearer: Option<String>,
}

fn parse_auth(req: &Request<Incoming>) -> Auth {
    let header = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let mut auth = Auth {
        amz_date: header("x-amz-date"),
        ..Auth::default()
    };
    let Some(value) = header("authorization") else {
        return auth;
    };
    if let Some(token) = value.strip_prefix("Bearer ") {
        auth.bearer = Some(token.to_string());
        return auth;
    }
    // AWS4-HMAC-SHA256 Credential=AKID/20261124/us-east-1/sts/aws4_request, SignedHeaders=…
    if let Some(cred) = value.split("Credential=").nth(1) {
        let scope: Vec<&str> = cred
            .split([',', ' '])
            .next()
            .unwrap_or_default()
            .split('/')
            .collect();
        if scope.len() == 5 {
            auth.access_key = Some(scope[0].into());
            auth.region = Some(scope[2].into());
            auth.service = Some(scope[3].into());
        }
    }
    auth
}

fn decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

/// Names the operation from method, path and (for STS) the form body.
/// Whether `path` is one of the `bedrock-mantle` endpoint's.
fn is_mantle_path(path: &str) -> bool {
    ["/v1/", "/openai/v1/", "/anthropic/v1/"]
        .iter()
        .any(|p| path.starts_with(p))
}

fn operation(method: &str, path: &str, body: &str) -> (String, Option<String>) {
    if is_mantle_path(path) {
        let model = serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|v| v["model"].as_str().map(str::to_string));
        let op = match (method, path.rsplit('/').next().unwrap_or_default()) {
            ("GET", "models") => "ListModels",
            ("POST", "completions") => "ChatCompletions",
            ("POST", "responses") => "Responses",
            ("POST", "messages") => "Messages",
            _ => "Unknown",
        };
        return (op.to_string(), model);
    }
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let op = match (method, segs.as_slice()) {
        ("POST", [""]) => {
            let action = form_field(body, "Action").unwrap_or_else(|| "Unknown".into());
            return (action, None);
        }
        ("GET", ["foundation-models"]) => "ListFoundationModels",
        ("GET", ["foundation-models", m]) => return ("GetFoundationModel".into(), Some(decode(m))),
        ("GET", ["inference-profiles"]) => "ListInferenceProfiles",
        ("GET", ["inference-profiles", p]) => return ("GetInferenceProfile".into(), Some(decode(p))),
        ("GET", ["foundation-model-availability", m]) => {
            return ("GetFoundationModelAvailability".into(), Some(decode(m)));
        }
        ("GET", ["use-case-for-model-access"]) => "GetUseCaseForModelAccess",
        ("GET", ["data-retention"]) => "GetAccountDataRetention",
        ("POST", ["model", m, "converse"]) => return ("Converse".into(), Some(decode(m))),
        ("POST", ["model", m, "invoke"]) => return ("InvokeModel".into(), Some(decode(m))),
        ("POST", ["model", m, "count-tokens"]) => return ("CountTokens".into(), Some(decode(m))),
        _ => "Unknown",
    };
    (op.to_string(), None)
}

fn base(status: u16, skew: i64) -> hyper::http::response::Builder {
    let id = REQUEST_IDS.fetch_add(1, Ordering::Relaxed);
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + skew;
    let date = aws_smithy_types::DateTime::from_secs(now)
        .fmt(aws_smithy_types::date_time::Format::HttpDate)
        .unwrap();
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header("x-amzn-RequestId", format!("6a1f0c1e-0000-4000-8000-{id:012}"))
        .header("Date", date)
}

/// A restJson1 error as Bedrock sends it; every other answer carries the Coral suffix AWS
/// appends to the header, so both forms are exercised.
fn json_error(status: u16, code: &str, message: &str, skew: i64) -> Answer {
    static N: AtomicUsize = AtomicUsize::new(0);
    let header = if N.fetch_add(1, Ordering::Relaxed).is_multiple_of(2) {
        format!("{code}:http://internal.amazon.com/coral/com.amazon.bedrock/")
    } else {
        code.to_string()
    };
    // IAM-style denials use `Message`, everything else `message`.
    let key = if code == "AccessDeniedException" && message.contains("not authorized to perform") {
        "Message"
    } else {
        "message"
    };
    base(status, skew)
        .header("Content-Type", "application/json")
        .header("x-amzn-ErrorType", header)
        .body(Full::new(Bytes::from(json!({ key: message }).to_string())))
        .unwrap()
}

fn xml_error(status: u16, code: &str, message: &str, skew: i64) -> Answer {
    xml_error_of(
        "https://sts.amazonaws.com/doc/2011-06-15/",
        status,
        code,
        message,
        skew,
    )
}

/// An awsQuery error (STS, IAM) in the service's namespace.
fn xml_error_of(namespace: &str, status: u16, code: &str, message: &str, skew: i64) -> Answer {
    let body = format!(
        r#"<ErrorResponse xmlns="{namespace}">
  <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>
  <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
</ErrorResponse>"#
    );
    base(status, skew)
        .header("Content-Type", "text/xml")
        .body(Full::new(Bytes::from(body)))
        .unwrap()
}

const IAM_NS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";

/// An error as `bedrock-mantle` sends it: OpenAI's shape.
fn openai_error(status: u16, code: &str, message: &str, skew: i64) -> Answer {
    let kind = match status {
        400 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_denied_error",
        404 => "invalid_request_error",
        429 => "rate_limit_error",
        _ => "api_error",
    };
    base(status, skew)
        .header("Content-Type", "application/json")
        .body(Full::new(Bytes::from(
            json!({ "error": { "code": code, "message": message, "param": null, "type": kind } }).to_string(),
        )))
        .unwrap()
}

fn error(service: &str, status: u16, code: &str, message: &str, skew: i64) -> Answer {
    if service == "bedrock-mantle" {
        openai_error(status, code, message, skew)
    } else if service == "sts" {
        xml_error(status, code, message, skew)
    } else if service == "iam" {
        xml_error_of(IAM_NS, status, code, message, skew)
    } else {
        json_error(status, code, message, skew)
    }
}

fn json_ok(value: Value, skew: i64) -> Answer {
    base(200, skew)
        .header("Content-Type", "application/json")
        .body(Full::new(Bytes::from(value.to_string())))
        .unwrap()
}

/// `20261124T101500Z` → seconds since the epoch.
fn amz_date_secs(s: &str) -> Option<i64> {
    if s.len() != 16 {
        return None;
    }
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &s[0..4],
        &s[4..6],
        &s[6..8],
        &s[9..11],
        &s[11..13],
        &s[13..15]
    );
    aws_smithy_types::DateTime::from_str(&iso, aws_smithy_types::date_time::Format::DateTime)
        .ok()
        .map(|d| d.secs())
}

/// Counts a request as in flight to a plane and region until it is answered (or dropped).
struct InFlight {
    state: Arc<Mutex<State>>,
    region: String,
}

impl InFlight {
    fn enter(state: &Arc<Mutex<State>>, region: &str) -> Self {
        let mut st = state.lock().unwrap();
        let n = st.in_flight.entry(region.to_string()).or_default();
        *n += 1;
        let now = *n;
        let max = st.max_in_flight.entry(region.to_string()).or_default();
        *max = (*max).max(now);
        InFlight {
            state: state.clone(),
            region: region.to_string(),
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(n) = self.state.lock().unwrap().in_flight.get_mut(&self.region) {
            *n -= 1;
        }
    }
}

async fn handle(state: Arc<Mutex<State>>, req: Request<Incoming>) -> Result<Answer, std::io::Error> {
    let auth = parse_auth(&req);
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let service_tier_header = req
        .headers()
        .get("x-amzn-bedrock-service-tier")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let user_agent = req
        .headers()
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let body_text = String::from_utf8_lossy(&body).to_string();
    let (op, model) = operation(&method, &path, &body_text);
    let service = auth.service.clone().unwrap_or_else(|| {
        if is_mantle_path(&path) {
            "bedrock-mantle".into()
        } else if path.starts_with("/model/") {
            "bedrock-runtime".into()
        } else {
            "bedrock".into()
        }
    });
    // Both Bedrock planes sign as `bedrock`; the path tells them apart.
    let plane = if service == "bedrock" && path.starts_with("/model/") {
        "bedrock-runtime".to_string()
    } else {
        service.clone()
    };
    let region = auth.region.clone().unwrap_or_else(|| "us-east-1".into());
    let _in_flight = InFlight::enter(&state, &format!("{plane} {region}"));

    let (fault, skew, key, catalogue, bearer_ok, latency, profiles, availability, use_case_missing) = {
        let mut st = state.lock().unwrap();
        st.requests.push(Recorded {
            method: method.clone(),
            path: path.clone(),
            operation: op.clone(),
            region: auth.region.clone(),
            service: auth.service.clone(),
            access_key: auth.access_key.clone(),
            bearer: auth.bearer.clone(),
            user_agent,
            model: model.clone(),
            body: body_text.clone(),
        });
        let mut fault = None;
        for rule in st.faults.iter_mut() {
            let m = &rule.when;
            let hit = m.operation.as_deref().is_none_or(|o| o == op)
                && m.region.as_deref().is_none_or(|r| r == region)
                && m.service.as_deref().is_none_or(|s| s == plane)
                && m.model.as_deref().is_none_or(|x| model.as_deref() == Some(x))
                && rule.remaining != Some(0);
            let call = format!("{op} {region} {model:?}");
            let hit = hit
                && rule
                    .each
                    .is_none_or(|n| rule.seen.get(&call).copied().unwrap_or(0) < n);
            if hit {
                if let Some(n) = rule.remaining.as_mut() {
                    *n -= 1;
                }
                if rule.each.is_some() {
                    *rule.seen.entry(call).or_default() += 1;
                }
                fault = Some(rule.fault.clone());
                break;
            }
        }
        let key = auth
            .access_key
            .as_ref()
            .map(|k| st.keys.get(k).cloned().unwrap_or(Key::Unknown));
        let catalogue = st
            .catalogues
            .get(&region)
            .cloned()
            .unwrap_or_else(|| default_catalogue(&region));
        let bearer_ok = auth.bearer.as_ref().map(|t| st.bearer_tokens.contains(t));
        let profiles = st
            .profiles
            .get(&region)
            .cloned()
            .unwrap_or_else(|| default_profiles(&region, &catalogue));
        let availability = model
            .as_ref()
            .and_then(|m| st.availability.get(&(region.clone(), m.clone())).cloned());
        (
            fault,
            st.skew_secs,
            key,
            catalogue,
            bearer_ok,
            st.latency,
            profiles,
            availability,
            st.use_case_missing,
        )
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    // STS and IAM speak awsQuery (XML errors, their own codes).
    let query = service == "sts" || service == "iam";
    // Signature time window, checked before anything else as AWS does.
    if let Some(signed) = auth.amz_date.as_deref().and_then(amz_date_secs) {
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
            + skew;
        if (signed - now).abs() > 300 && auth.bearer.is_none() {
            let (code, msg) = if signed < now {
                (
                    "SignatureDoesNotMatch",
                    format!(
                        "Signature expired: {} is now earlier than {} ({} - 5 min.)",
                        auth.amz_date.as_deref().unwrap_or(""),
                        now - 300,
                        now
                    ),
                )
            } else {
                (
                    "SignatureDoesNotMatch",
                    format!(
                        "Signature not yet current: {} is still later than {} ({} + 5 min.)",
                        auth.amz_date.as_deref().unwrap_or(""),
                        now + 300,
                        now
                    ),
                )
            };
            let code = if query { code } else { "InvalidSignatureException" };
            return Ok(error(&service, 403, code, &msg, skew));
        }
    }

    match fault {
        Some(Fault::Hang) => {
            std::future::pending::<()>().await;
        }
        Some(Fault::Reset) => return Err(std::io::Error::other("connection reset by the fake")),
        Some(Fault::Error {
            status,
            code,
            message,
        }) => return Ok(error(&service, status, &code, &message, skew)),
        Some(Fault::Latency(d)) => tokio::time::sleep(d).await,
        Some(Fault::Raw {
            status,
            headers,
            body,
        }) => {
            let mut b = base(status, skew);
            for (k, v) in headers {
                b = b.header(k, v);
            }
            return Ok(b.body(Full::new(Bytes::from(body))).unwrap());
        }
        None => {}
    }

    // Authentication.
    match (&key, bearer_ok) {
        (_, Some(false)) => {
            return Ok(json_error(
                403,
                "UnrecognizedClientException",
                "Invalid API Key format: Must start with pre-defined prefix",
                skew,
            ));
        }
        (_, Some(true)) => {}
        (None, None) => {
            return Ok(error(
                &service,
                403,
                if query {
                    "MissingAuthenticationToken"
                } else {
                    "MissingAuthenticationTokenException"
                },
                "Request is missing Authentication Token",
                skew,
            ));
        }
        (Some(Key::Unknown), _) => {
            return Ok(if query {
                error(
                    &service,
                    403,
                    "InvalidClientTokenId",
                    "The security token included in the request is invalid.",
                    skew,
                )
            } else {
                json_error(
                    403,
                    "UnrecognizedClientException",
                    "The security token included in the request is invalid.",
                    skew,
                )
            });
        }
        (Some(Key::Expired), _) => {
            return Ok(if query {
                error(
                    &service,
                    400,
                    "ExpiredToken",
                    "The security token included in the request is expired",
                    skew,
                )
            } else {
                json_error(
                    403,
                    "ExpiredTokenException",
                    "The security token included in the request is expired",
                    skew,
                )
            });
        }
        (Some(Key::WrongSecret), _) => {
            let msg = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
            return Ok(if query {
                error(&service, 403, "SignatureDoesNotMatch", msg, skew)
            } else {
                json_error(403, "InvalidSignatureException", msg, skew)
            });
        }
        (Some(Key::Valid { .. }), _) => {}
    }

    Ok(match op.as_str() {
        "AssumeRole" => {
            let role = form_field(&body_text, "RoleArn").unwrap_or_default();
            let session = form_field(&body_text, "RoleSessionName").unwrap_or_default();
            let caller = match &key {
                Some(Key::Valid { arn, .. }) => arn.clone(),
                _ => {
                    return Ok(xml_error(
                        403,
                        "InvalidClientTokenId",
                        "The security token included in the request is invalid.",
                        skew,
                    ));
                }
            };
            let granted = state.lock().unwrap().roles.get(&role).cloned();
            let Some(account) = granted else {
                return Ok(xml_error(
                    403,
                    "AccessDenied",
                    &format!(
                        "User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role}"
                    ),
                    skew,
                ));
            };
            let n = REQUEST_IDS.fetch_add(1, Ordering::Relaxed);
            let key_id = format!("ASIAROLESESSION{n:05}");
            let name = role.rsplit('/').next().unwrap_or("role").to_string();
            let assumed = format!("arn:aws:sts::{account}:assumed-role/{name}/{session}");
            state.lock().unwrap().keys.insert(
                key_id.clone(),
                Key::Valid {
                    account: account.clone(),
                    arn: assumed.clone(),
                    user_id: format!("AROAEXAMPLEROLE{n:05}:{session}"),
                },
            );
            let expiration = aws_smithy_types::DateTime::from_secs(
                i64::try_from(
                    SystemTime::now()
                        .duration_since(SystemTime::UNIX_EPOCH)
                        .unwrap()
                        .as_secs(),
                )
                .unwrap()
                    + 3600,
            )
            .fmt(aws_smithy_types::date_time::Format::DateTime)
            .unwrap();
            let body = format!(
                r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>{key_id}</AccessKeyId>
      <SecretAccessKey>roleSessionSecretEXAMPLE{n:05}</SecretAccessKey>
      <SessionToken>roleSessionTokenEXAMPLE{n:05}</SessionToken>
      <Expiration>{expiration}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <AssumedRoleId>AROAEXAMPLEROLE{n:05}:{session}</AssumedRoleId>
      <Arn>{assumed}</Arn>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</AssumeRoleResponse>"#
            );
            base(200, skew)
                .header("Content-Type", "text/xml")
                .body(Full::new(Bytes::from(body)))
                .unwrap()
        }
        "GetCallerIdentity" => {
            let (account, arn, user_id) = match key {
                Some(Key::Valid {
                    account,
                    arn,
                    user_id,
                }) => (account, arn, user_id),
                _ => {
                    return Ok(xml_error(
                        403,
                        "AccessDenied",
                        "bearer tokens cannot call STS",
                        skew,
                    ));
                }
            };
            let body = format!(
                r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>{arn}</Arn>
    <UserId>{user_id}</UserId>
    <Account>{account}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"#
            );
            base(200, skew)
                .header("Content-Type", "text/xml")
                .body(Full::new(Bytes::from(body)))
                .unwrap()
        }
        "SimulatePrincipalPolicy" | "GetRole" => iam(&state, &op, &body_text, key.as_ref(), skew),
        // Mantle takes SigV4 only when signed for `bedrock-mantle` (signing as `bedrock` fails).
        _ if is_mantle_path(&path) && auth.service.as_deref().is_some_and(|s| s != "bedrock-mantle") => {
            openai_error(
                403,
                "invalid_signature",
                &format!(
                    "Credential should be scoped to correct service: 'bedrock-mantle'. (signed for '{}')",
                    auth.service.as_deref().unwrap_or_default()
                ),
                skew,
            )
        }
        _ if is_mantle_path(&path) => mantle(&state, &op, &path, &region, &body_text, &catalogue, skew),
        "ListFoundationModels" => json_ok(json!({ "modelSummaries": catalogue }), skew),
        "GetFoundationModel" => {
            let id = model.unwrap_or_default();
            match catalogue
                .iter()
                .find(|m| m["modelId"] == id.as_str() || m["modelArn"] == id.as_str())
            {
                Some(m) => json_ok(json!({ "modelDetails": m }), skew),
                None => json_error(
                    404,
                    "ResourceNotFoundException",
                    &format!("Could not find model {id}"),
                    skew,
                ),
            }
        }
        "ListInferenceProfiles" => json_ok(json!({ "inferenceProfileSummaries": profiles }), skew),
        "GetInferenceProfile" => {
            let id = model.unwrap_or_default();
            match profiles
                .iter()
                .find(|p| p["inferenceProfileId"] == id.as_str() || p["inferenceProfileArn"] == id.as_str())
            {
                Some(p) => json_ok(p.clone(), skew),
                None => json_error(
                    404,
                    "ResourceNotFoundException",
                    &format!("Inference profile {id} not found"),
                    skew,
                ),
            }
        }
        "GetFoundationModelAvailability" => {
            let id = model.unwrap_or_default();
            let known = catalogue.iter().any(|m| m["modelId"] == id.as_str());
            match availability {
                Some(a) => json_ok(a, skew),
                None if known => json_ok(
                    json!({
                        "modelId": id,
                        "agreementAvailability": {"status": "AVAILABLE"},
                        "authorizationStatus": "AUTHORIZED",
                        "entitlementAvailability": "AVAILABLE",
                        "regionAvailability": "AVAILABLE"
                    }),
                    skew,
                ),
                None => json_error(
                    404,
                    "ResourceNotFoundException",
                    &format!("Model {id} not found"),
                    skew,
                ),
            }
        }
        "GetAccountDataRetention" => {
            let st = state.lock().unwrap();
            if st.retention_denied {
                let caller = match &key {
                    Some(Key::Valid { arn, .. }) => arn.clone(),
                    _ => USER_ARN.to_string(),
                };
                return Ok(json_error(
                    403,
                    "AccessDeniedException",
                    &format!(
                        "User: {caller} is not authorized to perform: bedrock:GetAccountDataRetention because no identity-based policy allows the bedrock:GetAccountDataRetention action"
                    ),
                    skew,
                ));
            }
            let mode = st
                .retention
                .get(&region)
                .cloned()
                .unwrap_or_else(|| "default".into());
            json_ok(json!({ "mode": mode, "updatedAt": "2026-11-02T09:00:00Z" }), skew)
        }
        "GetUseCaseForModelAccess" => {
            if use_case_missing {
                json_error(
                    404,
                    "ResourceNotFoundException",
                    "No use case details found for this account",
                    skew,
                )
            } else {
                // base64 of {"companyName":"Example"}
                json_ok(
                    json!({ "formData": "eyJjb21wYW55TmFtZSI6IkV4YW1wbGUifQ==" }),
                    skew,
                )
            }
        }
        "Converse" | "InvokeModel" => {
            let id = model.unwrap_or_default();
            // Resolve what the identifier names in this region, as the runtime does.
            let direct = catalogue
                .iter()
                .find(|m| m["modelId"] == id.as_str() || m["modelArn"] == id.as_str());
            let via_profile = profiles
                .iter()
                .find(|p| p["inferenceProfileId"] == id.as_str() || p["inferenceProfileArn"] == id.as_str());
            let entry = match (direct, via_profile) {
                (Some(m), _) => {
                    let types: Vec<&str> = m["inferenceTypesSupported"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|t| t.as_str())
                        .collect();
                    if !types.contains(&"ON_DEMAND") {
                        return Ok(json_error(
                            400,
                            "ValidationException",
                            &format!(
                                "Invocation of model ID {id} with on-demand throughput isn\u{2019}t supported. Retry your request with the ID or ARN of an inference profile that contains this model."
                            ),
                            skew,
                        ));
                    }
                    m.clone()
                }
                (None, Some(p)) => {
                    let target = p["models"][0]["modelArn"]
                        .as_str()
                        .unwrap_or_default()
                        .rsplit('/')
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    catalogue
                        .iter()
                        .find(|m| m["modelId"] == target.as_str())
                        .cloned()
                        .unwrap_or_else(|| model_summary(&region, &target, "", &["INFERENCE_PROFILE"]))
                }
                (None, None) => {
                    return Ok(json_error(
                        400,
                        "ValidationException",
                        "The provided model identifier is invalid.",
                        skew,
                    ));
                }
            };
            let embedding = entry["outputModalities"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == "EMBEDDING"));
            let image = entry["outputModalities"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == "IMAGE"));
            let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            // Account settings the model must accept: data retention, then the service tier.
            let target = entry["modelId"].as_str().unwrap_or_default().to_string();
            let (mode, accepted, reserved, offered) = {
                let st = state.lock().unwrap();
                (
                    st.retention
                        .get(&region)
                        .cloned()
                        .unwrap_or_else(|| "default".into()),
                    st.accepted_retention.get(&target).cloned(),
                    st.reservations.contains(&region),
                    st.tiers.get(&target).cloned(),
                )
            };
            if accepted.is_some_and(|a| !a.contains(&mode)) {
                return Ok(json_error(
                    400,
                    "ValidationException",
                    &format!("data retention mode '{mode}' is not available for this model"),
                    skew,
                ));
            }
            let tier = parsed["serviceTier"]["type"]
                .as_str()
                .map(str::to_string)
                .or_else(|| service_tier_header.clone());
            if let Some(t) = tier.as_deref() {
                let offered = offered.unwrap_or_else(|| {
                    vec![
                        "default".into(),
                        "priority".into(),
                        "flex".into(),
                        "reserved".into(),
                    ]
                });
                if !offered.iter().any(|o| o == t) {
                    return Ok(json_error(
                        400,
                        "ValidationException",
                        "The provided service tier is not supported for this model.",
                        skew,
                    ));
                }
                if t == "reserved" && !reserved {
                    return Ok(json_error(
                        400,
                        "ValidationException",
                        "Reservation not found.",
                        skew,
                    ));
                }
            }
            let served = tier.unwrap_or_else(|| "default".into());
            if op == "Converse" {
                if embedding || image {
                    return Ok(json_error(
                        400,
                        "ValidationException",
                        "This action doesn't support the model that you provided. Try again with a supported text or chat model.",
                        skew,
                    ));
                }
                if parsed["inferenceConfig"]["maxTokens"]
                    .as_u64()
                    .is_none_or(|n| n == 0)
                    || parsed["messages"].as_array().is_none_or(|m| m.is_empty())
                {
                    return Ok(json_error(
                        400,
                        "ValidationException",
                        "Malformed input request: maxTokens and messages are required",
                        skew,
                    ));
                }
                json_ok(
                    json!({
                        "output": {"message": {"role": "assistant", "content": [{"text": "H"}]}},
                        "stopReason": "max_tokens",
                        "usage": {"inputTokens": 8, "outputTokens": 1, "totalTokens": 9},
                        "metrics": {"latencyMs": 42},
                        "serviceTier": {"type": served}
                    }),
                    skew,
                )
            } else if embedding {
                let ok = parsed.get("inputText").is_some_and(Value::is_string)
                    || parsed.get("texts").is_some_and(Value::is_array);
                if !ok {
                    return Ok(json_error(
                        400,
                        "ValidationException",
                        "Malformed input request: #: required key [inputText] not found",
                        skew,
                    ));
                }
                json_ok(
                    json!({"embedding": [0.01, -0.02, 0.03], "inputTextTokenCount": 1}),
                    skew,
                )
            } else if image {
                json_ok(json!({"images": ["iVBORw0KGgo="]}), skew)
            } else {
                json_ok(
                    json!({"content": [{"type": "text", "text": "H"}], "usage": {"input_tokens": 8, "output_tokens": 1}}),
                    skew,
                )
            }
        }
        _ => base(404, skew)
            .header("x-amzn-ErrorType", "UnknownOperationException")
            .header("Content-Type", "application/json")
            .body(Full::new(Bytes::from("{}")))
            .unwrap(),
    })
}

/// One field of an awsQuery form body, decoded (`RoleArn`, `ActionNames.member.1`).
fn form_field(body: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// IAM (awsQuery, XML): the policy simulator and `GetRole`.
fn iam(state: &Arc<Mutex<State>>, op: &str, body: &str, key: Option<&Key>, skew: i64) -> Answer {
    let field = |name: &str| form_field(body, name).unwrap_or_default();
    let st = state.lock().unwrap();
    let caller = match key {
        Some(Key::Valid { arn, .. }) => arn.clone(),
        _ => String::new(),
    };
    let ok = |name: &str, result: String| {
        let body = format!(
            r#"<{name}Response xmlns="{IAM_NS}">
  <{name}Result>
{result}
  </{name}Result>
  <ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata>
</{name}Response>"#
        );
        base(200, skew)
            .header("Content-Type", "text/xml")
            .body(Full::new(Bytes::from(body)))
            .unwrap()
    };
    if op == "GetRole" {
        let name = field("RoleName");
        let arn = st
            .role_paths
            .get(&name)
            .cloned()
            .unwrap_or_else(|| format!("arn:aws:iam::{ACCOUNT}:role/{name}"));
        let path = arn
            .split(":role")
            .nth(1)
            .and_then(|p| p.strip_suffix(name.as_str()))
            .unwrap_or("/")
            .to_string();
        return ok(
            "GetRole",
            format!(
                "    <Role><Path>{path}</Path><RoleName>{name}</RoleName><RoleId>AROAEXAMPLEROLE00001</RoleId><Arn>{arn}</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument></Role>"
            ),
        );
    }
    let source = field("PolicySourceArn");
    if st.simulation_denied {
        return xml_error_of(
            IAM_NS,
            403,
            "AccessDenied",
            &format!(
                "User: {caller} is not authorized to perform: iam:SimulatePrincipalPolicy on resource: {source} because no identity-based policy allows the iam:SimulatePrincipalPolicy action"
            ),
            skew,
        );
    }
    // A role with a path is not found under its bare name.
    if let Some(name) = source.split(":role/").nth(1)
        && let Some(real) = st.role_paths.get(name)
        && *real != source
    {
        return xml_error_of(
            IAM_NS,
            404,
            "NoSuchEntity",
            &format!("The role with name {name} cannot be found."),
            skew,
        );
    }
    let action = field("ActionNames.member.1");
    let resource = field("ResourceArns.member.1");
    let mut context = HashMap::new();
    for n in 1.. {
        let name = field(&format!("ContextEntries.member.{n}.ContextKeyName"));
        if name.is_empty() {
            break;
        }
        context.insert(
            name,
            field(&format!("ContextEntries.member.{n}.ContextKeyValues.member.1")),
        );
    }
    let glob = |g: &str, s: &str| wildmatch::WildMatch::new(g).matches(s);
    let rule = st
        .simulations
        .iter()
        .find(|r| {
            glob(&r.action, &action)
                && glob(&r.resource, &resource)
                && r.requested_region
                    .as_ref()
                    .is_none_or(|want| context.get("aws:RequestedRegion") == Some(want))
        })
        .cloned()
        .unwrap_or(Simulated {
            statements: vec![("BedrockInvoke".into(), "user".into())],
            ..Simulated::new("allowed")
        });
    let statements: String = rule
        .statements
        .iter()
        .map(|(id, kind)| {
            format!(
                "<member><SourcePolicyId>{id}</SourcePolicyId><SourcePolicyType>{kind}</SourcePolicyType><StartPosition><Line>4</Line><Column>5</Column></StartPosition><EndPosition><Line>12</Line><Column>6</Column></EndPosition></member>"
            )
        })
        .collect();
    let organizations = rule
        .organizations_allowed
        .map(|a| format!("<OrganizationsDecisionDetail><AllowedByOrganizations>{a}</AllowedByOrganizations></OrganizationsDecisionDetail>"))
        .unwrap_or_default();
    let boundary = rule
        .boundary_allowed
        .map(|a| format!("<PermissionsBoundaryDecisionDetail><AllowedByPermissionsBoundary>{a}</AllowedByPermissionsBoundary></PermissionsBoundaryDecisionDetail>"))
        .unwrap_or_default();
    let decision = rule.decision;
    ok(
        "SimulatePrincipalPolicy",
        format!(
            r#"    <IsTruncated>false</IsTruncated>
    <EvaluationResults>
      <member>
        <EvalActionName>{action}</EvalActionName>
        <EvalResourceName>{resource}</EvalResourceName>
        <EvalDecision>{decision}</EvalDecision>
        <MatchedStatements>{statements}</MatchedStatements>
        <MissingContextValues/>
        {organizations}{boundary}
        <EvalDecisionDetails/>
        <ResourceSpecificResults>
          <member>
            <EvalResourceName>{resource}</EvalResourceName>
            <EvalResourceDecision>{decision}</EvalResourceDecision>
            <MatchedStatements>{statements}</MatchedStatements>
            <MissingContextValues/>
            {boundary}
          </member>
        </ResourceSpecificResults>
      </member>
    </EvaluationResults>"#
        ),
    )
}

/// `bedrock-mantle`: the model list and the three inference APIs, OpenAI-shaped errors.
fn mantle(
    state: &Arc<Mutex<State>>,
    op: &str,
    path: &str,
    region: &str,
    body: &str,
    catalogue: &[Value],
    skew: i64,
) -> Answer {
    let (listed, openai_route, accepted) = {
        let st = state.lock().unwrap();
        let listed = st.mantle_models.get(region).cloned().unwrap_or_else(|| {
            catalogue
                .iter()
                .filter_map(|m| m["modelId"].as_str().map(str::to_string))
                .collect()
        });
        (listed, st.openai_route.clone(), st.accepted_retention.clone())
    };
    if op == "ListModels" {
        // Each model says which data retention modes it may be served under.
        let data: Vec<Value> = listed
            .iter()
            .map(|id| {
                let modes = accepted.get(id).cloned().unwrap_or_else(|| {
                    ["default", "none", "provider_data_share"]
                        .map(String::from)
                        .to_vec()
                });
                json!({
                    "id": id, "object": "model", "created": 1_764_000_000,
                    "owned_by": id.split('.').next().unwrap_or(""),
                    "data_retention": { "allowed_modes": modes }
                })
            })
            .collect();
        return json_ok(json!({ "object": "list", "data": data }), skew);
    }
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let Some(model) = v["model"].as_str() else {
        return openai_error(
            400,
            "invalid_request_error",
            "Missing required parameter: 'model'.",
            skew,
        );
    };
    if !listed.iter().any(|m| m == model) {
        return openai_error(
            404,
            "not_found_error",
            &format!("The model '{model}' does not exist"),
            skew,
        );
    }
    let on_openai = path.starts_with("/openai/v1/");
    if op != "Messages" && openai_route.iter().any(|m| m == model) != on_openai {
        return openai_error(
            400,
            "invalid_request_error",
            &format!("model `{model}` isn't supported on this route"),
            skew,
        );
    }
    match op {
        "ChatCompletions" => {
            if v["max_tokens"].as_u64().is_none() && v["max_completion_tokens"].as_u64().is_none() {
                return openai_error(400, "invalid_request_error", "max_tokens is required", skew);
            }
            json_ok(
                json!({
                    "id": "chatcmpl-0001", "object": "chat.completion", "model": model,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": "H"}, "finish_reason": "length"}],
                    "usage": {"prompt_tokens": 8, "completion_tokens": 1, "total_tokens": 9}
                }),
                skew,
            )
        }
        "Responses" => {
            let n = v["max_output_tokens"].as_u64().unwrap_or(0);
            if n < 16 {
                return openai_error(
                    400,
                    "integer_below_min_value",
                    &format!(
                        "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got {n} instead."
                    ),
                    skew,
                );
            }
            json_ok(
                json!({ "id": "resp_0001", "object": "response", "status": "incomplete", "model": model, "output": [], "usage": {"input_tokens": 8, "output_tokens": n} }),
                skew,
            )
        }
        "Messages" => json_ok(
            json!({ "id": "msg_0001", "type": "message", "role": "assistant", "model": model, "content": [{"type": "text", "text": "H"}], "stop_reason": "max_tokens", "usage": {"input_tokens": 8, "output_tokens": 1} }),
            skew,
        ),
        _ => openai_error(404, "not_found", "Unknown route", skew),
    }
}
