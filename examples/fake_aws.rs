//! The test suite's local AWS endpoint as a standalone server, for trying bedrock-doctor
//! without AWS and for the benchmark scripts.
//!
//! ```sh
//! cargo run --example fake_aws -- --port 4599 --latency-ms 100
//! AWS_ENDPOINT_URL=http://127.0.0.1:4599 AWS_ACCESS_KEY_ID=AKIAEXAMPLEVALID0001 \
//!   AWS_SECRET_ACCESS_KEY=x AWS_REGION=us-east-1 bedrock-doctor check
//! ```
//!
//! With `--silent`, it instead accepts connections and never answers: the "no instance
//! metadata service here" case (`AWS_EC2_METADATA_SERVICE_ENDPOINT`).

use bedrock_doctor::local_aws::{self as fake_aws, FakeAws, Fault, Match};
use clap::Parser;
use std::time::Duration;

#[derive(Parser)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value = "4599")]
    port: u16,
    /// Delay every answer by this many milliseconds.
    #[arg(long, default_value = "0")]
    latency_ms: u64,
    /// Deny ListFoundationModels in this region (repeatable), as an IAM policy would.
    #[arg(long)]
    deny_region: Vec<String>,
    /// Deny model invocation (Converse, InvokeModel) in this region (repeatable), as an IAM
    /// policy that lacks the region's model ARNs would.
    #[arg(long)]
    deny_invoke_region: Vec<String>,
    /// Accept connections and never answer.
    #[arg(long)]
    silent: bool,
    /// Serve HTTPS with a certificate of the test CA `tests/fixtures/tls/ca.pem`, which nothing
    /// trusts: as behind a TLS-inspecting proxy (try `AWS_CA_BUNDLE=tests/fixtures/tls/ca.pem`).
    #[arg(long)]
    tls: bool,
    /// Serve these model ids (comma-separated, on demand) in every region's catalogue.
    #[arg(long, value_delimiter = ',')]
    models: Vec<String>,
    /// Let `AssumeRole` of this role succeed (repeatable): `ROLE_ARN`, whose account id is the
    /// one the ARN names. Any other role is denied, as a trust policy would.
    #[arg(long)]
    role: Vec<String>,
}

fn main() {
    let args = Args::parse();
    if args.silent {
        let listener = std::net::TcpListener::bind(("127.0.0.1", args.port)).expect("bind");
        println!("silent listener on http://{}", listener.local_addr().unwrap());
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
        return;
    }
    let aws = if args.tls {
        FakeAws::start_tls_on(args.port)
    } else {
        FakeAws::start_on(args.port)
    };
    if !args.models.is_empty() {
        let regions = bedrock_doctor::regions::REGIONS.iter().filter(|r| r.bedrock);
        for r in regions {
            let models = args
                .models
                .iter()
                .map(|m| fake_aws::model_summary(r.code, m, "bench", &["ON_DEMAND"]))
                .collect();
            aws.catalogue(r.code, models);
        }
    }
    for region in &args.deny_region {
        aws.fault(
            Match::op("ListFoundationModels").region(region),
            Fault::error(
                403,
                "AccessDeniedException",
                "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:ListFoundationModels because no identity-based policy allows the bedrock:ListFoundationModels action",
            ),
        );
    }
    for region in &args.deny_invoke_region {
        for op in ["Converse", "InvokeModel"] {
            aws.fault(
                Match::op(op).region(region),
                Fault::error(
                    403,
                    "AccessDeniedException",
                    &format!("User: arn:aws:iam::123456789012:user/dev is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:{region}::foundation-model/* because no identity-based policy allows the bedrock:InvokeModel action"),
                ),
            );
        }
    }
    for role in &args.role {
        let account = role.split(':').nth(4).unwrap_or("123456789012");
        aws.role(role, account);
    }
    if args.latency_ms > 0 {
        aws.latency(Duration::from_millis(args.latency_ms));
    }
    println!(
        "fake AWS endpoint on {} (access key {})",
        aws.url(),
        fake_aws::VALID_KEY
    );
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}
