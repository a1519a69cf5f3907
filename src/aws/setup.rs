//! Resolving regions and credentials the way the SDK does, but fast and with provenance.
//!
//! Providers run in the SDK's default order (environment, profile, web identity, container,
//! instance metadata), each wrapped so the resolved credentials remember where they came from.
//! Instance metadata gets 200 ms connect/read timeouts and one attempt, so a machine without it
//! answers in a fraction of a second instead of the SDK's four seconds.

use super::ClockProbe;
use crate::report::RegionSource;
use crate::secrets::{self, DisplayUrl};
use aws_config::environment::credentials::EnvironmentVariableCredentialsProvider;
use aws_config::meta::credentials::CredentialsProviderChain;
use aws_config::profile::{ProfileFileCredentialsProvider, ProfileFileRegionProvider};
use aws_config::provider_config::ProviderConfig;
use aws_config::retry::RetryConfig;
use aws_config::{AppName, BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use aws_types::os_shim_internal::{Env, Fs};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Environment variables that redirect AWS traffic; reported because a stray one breaks Bedrock.
pub const ENDPOINT_VARIABLES: &[&str] = &[
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_BEDROCK",
    "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_IAM",
    "AWS_ENDPOINT_URL_BEDROCK_MANTLE",
];

/// The variable holding a Bedrock API key; both Bedrock clients send it as a bearer token.
pub const BEARER_TOKEN_VARIABLE: &str = "AWS_BEARER_TOKEN_BEDROCK";

const IMDS_TIMEOUT: Duration = Duration::from_millis(200);

/// Where resolved credentials came from; stored as a property on [`Credentials`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialSource(pub String);

/// Wraps one provider of the chain so its credentials carry their [`CredentialSource`].
#[derive(Debug)]
struct Tagged {
    source: String,
    inner: SharedCredentialsProvider,
}

impl ProvideCredentials for Tagged {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            let mut creds = self.inner.provide_credentials().await?;
            secrets::register(creds.secret_access_key());
            if let Some(token) = creds.session_token() {
                secrets::register(token);
            }
            creds.set_property(CredentialSource(self.source.clone()));
            tracing::debug!(source = %self.source, temporary = creds.session_token().is_some(), "credentials resolved");
            Ok(creds)
        })
    }
}

fn tagged(source: impl Into<String>, p: impl ProvideCredentials + 'static) -> Tagged {
    Tagged {
        source: source.into(),
        inner: SharedCredentialsProvider::new(p),
    }
}

fn imds_client() -> aws_config::imds::Client {
    aws_config::imds::Client::builder()
        .connect_timeout(IMDS_TIMEOUT)
        .read_timeout(IMDS_TIMEOUT)
        .max_attempts(1)
        .build()
}

/// What the AWS side of a run needs: regions with their provenance, a credentials chain that
/// has not run yet, and a base SDK configuration with timeouts, retries and our user agent.
#[derive(Clone, Debug)]
pub struct AwsSetup {
    /// Regions to examine, primary first; empty when none could be resolved.
    pub regions: Vec<RegionSource>,
    /// The profile in use (`--profile`, `AWS_PROFILE`, else `default`).
    pub profile: Option<String>,
    /// The profile was named explicitly (`--profile` or `AWS_PROFILE`).
    pub profile_explicit: bool,
    /// The explicitly named profile is defined in neither profile file.
    pub missing_profile: bool,
    /// Base configuration (primary region, or `us-east-1` for STS when none is configured).
    pub sdk: SdkConfig,
    pub chain: SharedCredentialsProvider,
    pub clock: ClockProbe,
    /// `AWS_BEARER_TOKEN_BEDROCK` is set (its value is never kept here).
    pub bearer_token: bool,
    /// What that key says about itself (region and expiry of a short-term key); the key itself
    /// is never kept.
    pub api_key: Option<crate::api_key::ApiKey>,
    /// Endpoint overrides in force: (variable or profile key, URL).
    pub endpoint_overrides: Vec<(String, DisplayUrl)>,
    /// A short description of the selected profile, e.g. `sso`, `assume-role`, `static keys`.
    pub profile_kind: Option<String>,
    /// The CA bundle trusted besides the system's roots, if one is configured.
    pub ca_bundle: Option<CaBundle>,
    /// The role this setup's credentials come from, when a multi-account run assumed one.
    pub assumed_role: Option<String>,
    /// Clients built so far, one per service, region and credentials: each owns an HTTP client
    /// with its connection pool and TLS configuration, which later calls reuse.
    clients: Arc<Mutex<Clients>>,
}

#[derive(Default)]
struct Clients {
    sts: Vec<(String, Option<Credentials>, aws_sdk_sts::Client)>,
    bedrock: Vec<(String, Option<Credentials>, aws_sdk_bedrock::Client)>,
    runtime: Vec<(String, Option<Credentials>, aws_sdk_bedrockruntime::Client)>,
    iam: Vec<(String, Option<Credentials>, aws_sdk_iam::Client)>,
    mantle: Vec<(String, Option<Credentials>, aws_sdk_bedrockruntime::Client)>,
}

impl std::fmt::Debug for Clients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} cached clients",
            self.sts.len() + self.bedrock.len() + self.runtime.len() + self.iam.len() + self.mantle.len()
        )
    }
}

/// A client of the service crate `$krate` for `$region` from `$setup`'s base configuration,
/// signing with `$creds` when given (else as the base configuration says: bearer token).
macro_rules! build_client {
    ($krate:ident, $setup:expr, $region:expr, $creds:expr) => {{
        let mut b = $krate::config::Builder::from(&$setup.sdk)
            .region(Region::new($region.to_string()))
            .interceptor($setup.clock.clone());
        if let Some(c) = $creds {
            b = b.credentials_provider(c);
        }
        $krate::Client::from_conf(b.build())
    }};
}

/// The client in `cache` for `region` and `creds`, built by `build` the first time.
fn cached<C: Clone>(
    cache: &mut Vec<(String, Option<Credentials>, C)>,
    region: &str,
    creds: Option<Credentials>,
    build: impl FnOnce(Option<Credentials>) -> C,
) -> C {
    if let Some((_, _, c)) = cache.iter().find(|(r, k, _)| r == region && *k == creds) {
        return c.clone();
    }
    let client = build(creds.clone());
    cache.push((region.to_string(), creds, client.clone()));
    client
}

impl AwsSetup {
    /// Resolves regions, builds the credentials chain and the base SDK configuration.
    ///
    /// Fails only on a CA bundle (`AWS_CA_BUNDLE`, the profile's `ca_bundle`) that cannot be used:
    /// the AWS CLI refuses to run with one too.
    /// `timeouts` bound each call: a share of the run's bound for `check`, the whole bound for
    /// the one call of `invoke`.
    pub async fn load(
        flag_regions: &[String],
        profile: Option<&str>,
        timeouts: aws_config::timeout::TimeoutConfig,
    ) -> Result<Self, String> {
        register_environment_secrets();
        let profile_set = load_profiles(profile).await;
        if let Some(set) = &profile_set {
            for name in set.profiles() {
                if let Some(p) = set.get_profile(name) {
                    for key in ["aws_secret_access_key", "aws_session_token"] {
                        if let Some(v) = p.get(key) {
                            secrets::register(v);
                        }
                    }
                    if let Some(url) = p.get("endpoint_url") {
                        secrets::register_url(url);
                    }
                }
            }
        }
        let selected = profile
            .map(str::to_string)
            .or_else(|| profile_set.as_ref().map(|s| s.selected_profile().to_string()));
        let selected_profile = selected
            .as_deref()
            .and_then(|name| profile_set.as_ref().and_then(|s| s.get_profile(name)));
        let profile_kind = selected_profile.map(|p| describe_profile(|k| p.get(k)));

        let (regions, imds_silent) = resolve_regions(flag_regions, selected.as_deref()).await;
        tracing::debug!(?regions, profile = ?selected, kind = ?profile_kind, "resolved configuration");
        let primary = regions
            .first()
            .map_or_else(|| "us-east-1".to_string(), |r| r.region.clone());
        let region = Region::new(primary);

        let ca_bundle = CaBundle::find(
            selected.as_deref(),
            selected_profile.and_then(|p| p.get("ca_bundle")),
        )?;
        let https = ca_bundle.as_ref().map(CaBundle::http_client).transpose()?;
        let mut provider_config = ProviderConfig::without_region()
            .with_region(Some(region.clone()))
            .with_timeout_config(timeouts.clone());
        if let Some(client) = &https {
            // SSO, role assumption and web identity go through the same inspecting proxy.
            provider_config = provider_config.with_http_client(client.clone());
        }
        let mut profile_provider = ProfileFileCredentialsProvider::builder().configure(&provider_config);
        if let Some(p) = profile {
            profile_provider = profile_provider.profile_name(p);
        }
        let profile_label = format!(
            "profile:{}{}",
            selected.as_deref().unwrap_or("default"),
            profile_kind
                .as_deref()
                .map(|k| format!(" ({k})"))
                .unwrap_or_default()
        );
        let profile_provider = tagged(profile_label, profile_provider.build());
        // `--profile` means exactly that profile, as with the AWS CLI.
        let chain = if profile.is_some() {
            CredentialsProviderChain::first_try("Profile", profile_provider)
        } else {
            CredentialsProviderChain::first_try(
                "Environment",
                tagged("environment", EnvironmentVariableCredentialsProvider::new()),
            )
            .or_else("Profile", profile_provider)
            .or_else(
                "WebIdentityToken",
                tagged(
                    "web-identity",
                    aws_config::web_identity_token::WebIdentityTokenCredentialsProvider::builder()
                        .configure(&provider_config)
                        .build(),
                ),
            )
            .or_else(
                "EcsContainer",
                tagged(
                    "container",
                    aws_config::ecs::EcsCredentialsProvider::builder()
                        .configure(&provider_config)
                        .connect_timeout(Duration::from_secs(1))
                        .read_timeout(Duration::from_secs(2))
                        .build(),
                ),
            )
            .or_else(
                "Ec2InstanceMetadata",
                match imds_silent {
                    // Asking again would wait out the same timeout for the same silence.
                    Some(why) => tagged("instance-metadata", SilentImds(why)),
                    None => tagged(
                        "instance-metadata",
                        aws_config::imds::credentials::ImdsCredentialsProvider::builder()
                            .configure(&provider_config)
                            .imds_client(imds_client())
                            .build(),
                    ),
                },
            )
        };

        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(region)
            .no_credentials()
            .timeout_config(timeouts)
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_millis(100))
                    .with_max_backoff(Duration::from_secs(2)),
            )
            .app_name(
                AppName::new(concat!("bedrock-doctor-", env!("CARGO_PKG_VERSION"))).expect("valid app name"),
            );
        if let Some(p) = profile {
            loader = loader.profile_name(p);
        }
        if let Some(client) = https {
            loader = loader.http_client(client);
        }
        let sdk = loader.load().await;

        let mut endpoint_overrides: Vec<(String, DisplayUrl)> = ENDPOINT_VARIABLES
            .iter()
            .filter_map(|v| {
                std::env::var(v)
                    .ok()
                    .filter(|s| !s.is_empty())
                    .map(|u| ((*v).to_string(), DisplayUrl::new(&u)))
            })
            .collect();
        if let Some(url) = selected_profile.and_then(|p| p.get("endpoint_url")) {
            endpoint_overrides.push(("profile endpoint_url".to_string(), DisplayUrl::new(url)));
        }
        Ok(AwsSetup {
            regions,
            profile_explicit: profile.is_some() || std::env::var_os("AWS_PROFILE").is_some(),
            missing_profile: selected_profile.is_none()
                && (profile.is_some() || std::env::var_os("AWS_PROFILE").is_some()),
            profile: selected,
            sdk,
            chain: SharedCredentialsProvider::new(chain),
            clock: ClockProbe::default(),
            bearer_token: std::env::var_os(BEARER_TOKEN_VARIABLE).is_some_and(|v| !v.is_empty()),
            api_key: std::env::var(BEARER_TOKEN_VARIABLE)
                .ok()
                .filter(|v| !v.is_empty())
                .map(|v| crate::api_key::inspect(&v)),
            endpoint_overrides,
            profile_kind,
            ca_bundle,
            assumed_role: None,
            clients: Arc::default(),
        })
    }

    /// The same setup acting as `role_arn`: credentials from STS `AssumeRole` with the session
    /// name `bedrock-doctor` (so CloudTrail shows who asked), this setup's credentials as the
    /// source, and clients of its own.
    pub async fn assume(&self, role_arn: &str, external_id: Option<&str>) -> AwsSetup {
        let mut builder = aws_config::sts::AssumeRoleProvider::builder(role_arn)
            .session_name("bedrock-doctor")
            .configure(&self.sdk);
        if let Some(id) = external_id {
            builder = builder.external_id(id);
        }
        let provider = builder.build_from_provider(self.chain.clone()).await;
        AwsSetup {
            chain: SharedCredentialsProvider::new(tagged(format!("assume-role:{role_arn}"), provider)),
            clock: ClockProbe::default(),
            assumed_role: Some(role_arn.to_string()),
            clients: Arc::default(),
            ..self.clone()
        }
    }

    /// The region STS is asked in: the primary region, or `us-east-1` when none is configured.
    pub fn sts_region(&self) -> String {
        self.sdk
            .region()
            .map_or_else(|| "us-east-1".to_string(), ToString::to_string)
    }

    fn clients(&self) -> std::sync::MutexGuard<'_, Clients> {
        self.clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// An STS client for `region` signing with `creds`.
    pub fn sts(&self, region: &str, creds: Credentials) -> aws_sdk_sts::Client {
        cached(&mut self.clients().sts, region, Some(creds), |creds| {
            build_client!(aws_sdk_sts, self, region, creds)
        })
    }

    /// A Bedrock control-plane client for `region` (bearer auth when an API key is set).
    pub fn bedrock(&self, region: &str, creds: Option<Credentials>) -> aws_sdk_bedrock::Client {
        cached(&mut self.clients().bedrock, region, creds, |creds| {
            build_client!(aws_sdk_bedrock, self, region, creds)
        })
    }

    /// An IAM client signing with `creds`. IAM is global per partition: `region` only picks the
    /// partition (the SDK's endpoint rules send `aws` regions to `iam.amazonaws.com`).
    pub fn iam(&self, region: &str, creds: Credentials) -> aws_sdk_iam::Client {
        cached(&mut self.clients().iam, region, Some(creds), |creds| {
            build_client!(aws_sdk_iam, self, region, creds)
        })
    }

    /// A client for the `bedrock-mantle` endpoint in `region`: the runtime client pointed at
    /// mantle's URL; each call names its route ([`super::mantle::MantleRoute`]).
    pub fn mantle(&self, region: &str, creds: Option<Credentials>) -> aws_sdk_bedrockruntime::Client {
        cached(&mut self.clients().mantle, region, creds, |creds| {
            let mut b = aws_sdk_bedrockruntime::config::Builder::from(&self.sdk)
                .region(Region::new(region.to_string()))
                .endpoint_url(super::mantle::endpoint_url(region))
                .interceptor(self.clock.clone());
            if let Some(c) = creds {
                b = b.credentials_provider(c);
            }
            aws_sdk_bedrockruntime::Client::from_conf(b.build())
        })
    }

    /// A Bedrock runtime client for `region`.
    pub fn runtime(&self, region: &str, creds: Option<Credentials>) -> aws_sdk_bedrockruntime::Client {
        cached(&mut self.clients().runtime, region, creds, |creds| {
            build_client!(aws_sdk_bedrockruntime, self, region, creds)
        })
    }
}

/// A CA bundle to trust besides the system's roots, as the AWS CLI and SDKs read it:
/// `AWS_CA_BUNDLE`, else the profile's `ca_bundle`. Corporate networks that inspect TLS need it.
#[derive(Clone)]
pub struct CaBundle {
    /// `AWS_CA_BUNDLE` or `profile NAME ca_bundle`.
    pub source: String,
    pub path: String,
    pub certificates: usize,
    pem: Vec<u8>,
}

impl std::fmt::Debug for CaBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} `{}` ({} certificates)",
            self.source, self.path, self.certificates
        )
    }
}

impl CaBundle {
    /// Reads the bundle named by the environment or `profile`; an unreadable file, or one without
    /// a PEM certificate, is an error that names the file and where it was set.
    fn find(profile_name: Option<&str>, profile_value: Option<&str>) -> Result<Option<CaBundle>, String> {
        let (source, path) = match std::env::var("AWS_CA_BUNDLE")
            .ok()
            .filter(|v| !v.trim().is_empty())
        {
            Some(p) => ("AWS_CA_BUNDLE".to_string(), p),
            None => match profile_value.filter(|v| !v.trim().is_empty()) {
                Some(p) => (
                    format!("profile {} ca_bundle", profile_name.unwrap_or("default")),
                    p.to_string(),
                ),
                None => return Ok(None),
            },
        };
        let pem = std::fs::read(&path)
            .map_err(|e| format!("{source} names `{path}`, which cannot be read: {e}"))?;
        use rustls_pki_types::pem::PemObject;
        let certificates = rustls_pki_types::CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("{source} names `{path}`, which is not a PEM certificate bundle: {e}"))?
            .len();
        if certificates == 0 {
            return Err(format!("{source} names `{path}`, which holds no PEM certificate"));
        }
        Ok(Some(CaBundle {
            source,
            path,
            certificates,
            pem,
        }))
    }

    /// The SDK's default HTTPS client (rustls with aws-lc, proxy from the environment) trusting
    /// this bundle as well as the system's roots.
    fn http_client(&self) -> Result<aws_sdk_bedrock::config::SharedHttpClient, String> {
        use aws_smithy_http_client::tls;
        let context = tls::TlsContext::builder()
            .with_trust_store(tls::TrustStore::default().with_pem_certificate(self.pem.clone()))
            .build()
            .map_err(|e| format!("{} names `{}`: {e}", self.source, self.path))?;
        Ok(
            aws_smithy_http_client::Builder::new().build_with_connector_fn(move |settings, components| {
                let mut conn = aws_smithy_http_client::ConnectorBuilder::default()
                    .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc))
                    .tls_context(context.clone());
                conn.set_connector_settings(settings.cloned());
                if let Some(c) = components {
                    conn.set_sleep_impl(c.sleep_impl());
                }
                conn.set_proxy_config(Some(aws_smithy_http_client::proxy::ProxyConfig::from_env()));
                conn.build()
            }),
        )
    }
}

/// Registers the tokens of the SSO and login caches (`~/.aws/sso/cache/*.json`,
/// `~/.aws/login/cache/*.json`): the SDK reads them, and nothing may print them.
fn register_cached_tokens() {
    let Some(home) = std::env::var_os("HOME") else {
        return;
    };
    for dir in [".aws/sso/cache", ".aws/login/cache"] {
        let Ok(entries) = std::fs::read_dir(std::path::Path::new(&home).join(dir)) else {
            continue;
        };
        for entry in entries
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        {
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            for (k, v) in map {
                let key = k.to_ascii_lowercase();
                if (key.contains("token") || key.contains("secret") || key.contains("key"))
                    && let Some(v) = v.as_str()
                {
                    secrets::register(v);
                }
            }
        }
    }
}

/// Registers secret values from the environment with the scrubber before anything can print:
/// keys and tokens, the files that hold tokens, and the credentials inside any URL (endpoint
/// overrides, proxies).
fn register_environment_secrets() {
    register_cached_tokens();
    for var in [
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        BEARER_TOKEN_VARIABLE,
    ] {
        if let Ok(v) = std::env::var(var) {
            secrets::register(&v);
        }
    }
    for var in [
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    ] {
        if let Some(text) = std::env::var_os(var).and_then(|p| std::fs::read_to_string(p).ok()) {
            secrets::register(&text);
        }
    }
    for (name, value) in std::env::vars() {
        let upper = name.to_ascii_uppercase();
        if upper.starts_with("AWS_ENDPOINT_URL") || upper.ends_with("_PROXY") {
            secrets::register_url(&value);
        }
    }
}

async fn load_profiles(profile: Option<&str>) -> Option<aws_config::profile::ProfileSet> {
    aws_config::profile::load(
        &Fs::real(),
        &Env::real(),
        &aws_runtime::env_config::file::EnvConfigFiles::default(),
        profile.map(|p| std::borrow::Cow::Owned(p.to_string())),
    )
    .await
    .ok()
}

/// Names how a profile gets its credentials, from its keys.
pub fn describe_profile<'a>(get: impl Fn(&str) -> Option<&'a str>) -> String {
    let kind = if get("sso_session").is_some() || get("sso_start_url").is_some() {
        "sso"
    } else if get("web_identity_token_file").is_some() {
        "web-identity"
    } else if get("role_arn").is_some() {
        "assume-role"
    } else if get("credential_process").is_some() {
        "credential-process"
    } else if get("login_session").is_some() {
        "console-login"
    } else if get("aws_access_key_id").is_some() {
        if get("aws_session_token").is_some() {
            "static session keys"
        } else {
            "static keys"
        }
    } else {
        "no credentials"
    };
    kind.to_string()
}

/// Regions from `--region` (repeatable, comma-separated), else the SDK's region chain.
/// The instance metadata provider of a run in which instance metadata already failed to answer
/// the region lookup (no connection, or no answer within the timeout).
#[derive(Debug)]
struct SilentImds(String);

impl ProvideCredentials for SilentImds {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(Err(
            aws_credential_types::provider::error::CredentialsError::provider_error(format!(
                "instance metadata did not answer when asked for the region ({}); not asked again",
                self.0
            )),
        ))
    }
}

/// The regions to check, with where they came from; and, when instance metadata was asked for
/// the region and did not answer, why (so that the credentials chain does not wait for it again).
async fn resolve_regions(flags: &[String], profile: Option<&str>) -> (Vec<RegionSource>, Option<String>) {
    let out: Vec<RegionSource> = crate::regions::from_flags(flags)
        .into_iter()
        .map(|region| RegionSource::new(region, "flag"))
        .collect();
    if !out.is_empty() {
        return (out, None);
    }
    use aws_config::meta::region::ProvideRegion;
    if let Some(r) = aws_config::environment::EnvironmentVariableRegionProvider::new()
        .region()
        .await
    {
        return (vec![RegionSource::new(r.to_string(), "environment")], None);
    }
    let mut pb = ProfileFileRegionProvider::builder();
    if let Some(p) = profile {
        pb = pb.profile_name(p);
    }
    if let Some(r) = pb.build().region().await {
        return (
            vec![RegionSource::new(
                r.to_string(),
                format!("profile:{}", profile.unwrap_or("default")),
            )],
            None,
        );
    }
    if std::env::var("AWS_EC2_METADATA_DISABLED").is_ok_and(|v| v.eq_ignore_ascii_case("true")) {
        return (Vec::new(), None);
    }
    use aws_config::imds::client::error::ImdsError;
    match imds_client().get("/latest/meta-data/placement/region").await {
        Ok(r) => (
            vec![RegionSource::new(String::from(r), "instance-metadata")],
            None,
        ),
        // Nothing answered: no connection, or none within the timeout.
        Err(e @ (ImdsError::IoError(_) | ImdsError::FailedToLoadToken(_))) if !matches!(&e, ImdsError::FailedToLoadToken(t) if !t.is_dispatch_failure()) =>
        {
            tracing::debug!(error = %crate::aws::error_chain(&e), "instance metadata did not answer");
            (Vec::new(), Some(crate::aws::error_chain(&e)))
        }
        // It answered (an error status, a refusal): credentials are asked for in their turn.
        Err(e) => {
            tracing::debug!(error = %crate::aws::error_chain(&e), "no region from instance metadata");
            (Vec::new(), None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_kinds() {
        let kind = |pairs: &'static [(&'static str, &'static str)]| {
            describe_profile(|k| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| *v))
        };
        assert_eq!(kind(&[("sso_session", "corp"), ("sso_account_id", "1")]), "sso");
        assert_eq!(
            kind(&[("role_arn", "arn"), ("source_profile", "base")]),
            "assume-role"
        );
        assert_eq!(kind(&[("aws_access_key_id", "AKIA")]), "static keys");
        assert_eq!(kind(&[("credential_process", "x")]), "credential-process");
        assert_eq!(kind(&[("region", "us-east-1")]), "no credentials");
    }
}
