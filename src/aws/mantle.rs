//! Calls to the OpenAI-compatible `bedrock-mantle` endpoint (AWS's "Endpoints" and "Responses
//! API" pages): host `bedrock-mantle.{region}.api.aws`, paths under `/v1` (some models under
//! `/openai/v1`, Anthropic's Messages API under `/anthropic/v1/messages`), SigV4 with the signing
//! name `bedrock-mantle`, or a Bedrock API key as `Authorization: Bearer`.
//!
//! No SDK models this endpoint, so a call goes through the Bedrock runtime client (its HTTPS
//! client, proxy and CA-bundle settings, timeouts, retries, the SDK's own SigV4 signer from the
//! `aws-sigv4` crate and its bearer-token auth): [`MantleRoute`] rewrites the method, path and
//! headers of the request before it is signed, and names `bedrock-mantle` as the signing name. The
//! endpoint comes from `AWS_ENDPOINT_URL_BEDROCK_MANTLE`, else `AWS_ENDPOINT_URL`, else AWS's host.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_types::SigningName;

/// The variable that points the mantle endpoint elsewhere (as `AWS_ENDPOINT_URL_<SERVICE>`).
pub const ENDPOINT_VARIABLE: &str = "AWS_ENDPOINT_URL_BEDROCK_MANTLE";

/// The base URL of the mantle endpoint in `region`.
pub fn endpoint_url(region: &str) -> String {
    let from = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    from(ENDPOINT_VARIABLE)
        .or_else(|| from("AWS_ENDPOINT_URL"))
        .map(|u| u.trim_end_matches('/').to_string())
        .unwrap_or_else(|| format!("https://bedrock-mantle.{region}.api.aws"))
}

/// One request to the mantle endpoint.
#[derive(Clone, Debug)]
pub struct MantleRoute {
    pub method: &'static str,
    /// The path, e.g. `/v1/chat/completions`.
    pub path: String,
    /// Extra headers (`anthropic-version` for the Messages API).
    pub headers: Vec<(&'static str, &'static str)>,
}

impl Intercept for MantleRoute {
    fn name(&self) -> &'static str {
        "MantleRoute"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state()
            .store_put(SigningName::from_static("bedrock-mantle"));
        let request = context.request_mut();
        // The runtime operation's path starts at `/model/`: everything before it is the
        // endpoint (with any path prefix an override has).
        let uri = request.uri().to_string();
        let base = uri
            .find("/model/")
            .map_or(uri.as_str(), |i| &uri[..i])
            .to_string();
        request.set_uri(format!("{base}{}", self.path))?;
        request.set_method(self.method)?;
        let headers = request.headers_mut();
        for (name, value) in &self.headers {
            headers.insert(*name, *value);
        }
        if self.method == "GET" {
            headers.remove("content-type");
            headers.remove("accept");
            headers.remove("content-length");
            *request.body_mut() = aws_smithy_types::body::SdkBody::empty();
        }
        Ok(())
    }
}
