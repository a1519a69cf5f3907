//! Running the real binary hermetically: every `AWS_*` variable of the developer's
//! environment is removed, `HOME` and the AWS config files point into a temporary directory,
//! and instance metadata points at a loopback listener that accepts and never answers.

#![allow(dead_code)]

use super::fake_aws::{FakeAws, VALID_KEY, VALID_SECRET};
use bedrock_doctor::codes::Code;
use bedrock_doctor::report::{Finding, Report};
use std::io::Read;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A loopback "instance metadata service" that accepts connections and never answers: the
/// realistic "no IMDS here" case. Counts the connections it got.
pub struct SilentImds {
    pub addr: std::net::SocketAddr,
    pub connections: Arc<AtomicUsize>,
}

impl SilentImds {
    /// Listens on loopback and hands every connection to `serve` on a thread of its own.
    fn listen(serve: fn(std::net::TcpStream)) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let count = connections.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                count.fetch_add(1, Ordering::SeqCst);
                std::thread::spawn(move || serve(stream));
            }
        });
        SilentImds { addr, connections }
    }

    pub fn start() -> Self {
        // Keep the connection open and say nothing.
        Self::listen(|stream| {
            let _held = stream;
            loop {
                std::thread::park();
            }
        })
    }

    /// A metadata service that refuses every request with 403, as a proxy or a hardened
    /// container network does.
    pub fn forbidding() -> Self {
        Self::listen(|mut stream| {
            use std::io::{BufRead, BufReader, Write};
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            loop {
                // Read one request head (the SDK sends no body to IMDS) and refuse it.
                let mut line = String::new();
                let mut any = false;
                while reader.read_line(&mut line).unwrap_or(0) > 0 {
                    any = true;
                    if line == "\r\n" {
                        break;
                    }
                    line.clear();
                }
                let body = "denied destination";
                let answer = format!(
                    "HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                if !any || stream.write_all(answer.as_bytes()).is_err() {
                    return;
                }
            }
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

pub struct TestCommand {
    cmd: Command,
    pub home: tempfile::TempDir,
    stdin: Option<Vec<u8>>,
}

impl TestCommand {
    pub fn new() -> Self {
        let home = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_bedrock-doctor"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("AWS_CONFIG_FILE", home.path().join(".aws/config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                home.path().join(".aws/credentials"),
            )
            .env("NO_COLOR", "1");
        TestCommand {
            cmd,
            home,
            stdin: None,
        }
    }

    /// Routes every AWS service to the fake endpoint and signs with the valid test key.
    pub fn fake_aws(mut self, aws: &FakeAws) -> Self {
        self.cmd
            .env("AWS_ENDPOINT_URL", aws.url())
            .env("AWS_EC2_METADATA_DISABLED", "true");
        self.keys(VALID_KEY, VALID_SECRET)
    }

    pub fn keys(mut self, key: &str, secret: &str) -> Self {
        self.cmd
            .env("AWS_ACCESS_KEY_ID", key)
            .env("AWS_SECRET_ACCESS_KEY", secret);
        self
    }

    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.env(k, v);
        self
    }

    /// Runs the binary in `dir`.
    pub fn current_dir(mut self, dir: &std::path::Path) -> Self {
        self.cmd.current_dir(dir);
        self
    }

    /// Text to feed on standard input.
    pub fn stdin(mut self, text: &str) -> Self {
        self.stdin = Some(text.as_bytes().to_vec());
        self
    }

    /// Bytes to feed on standard input (not necessarily UTF-8).
    pub fn stdin_bytes(mut self, bytes: Vec<u8>) -> Self {
        self.stdin = Some(bytes);
        self
    }

    /// The temporary HOME, for files whose path goes into a variable.
    pub fn home_path(&self) -> PathBuf {
        self.home.path().to_path_buf()
    }

    pub fn env_remove(mut self, k: &str) -> Self {
        self.cmd.env_remove(k);
        self
    }

    /// Writes a file under the temporary HOME (e.g. `.aws/config`).
    pub fn file(self, rel: &str, contents: &str) -> Self {
        let path: PathBuf = self.home.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    /// Runs the binary; kills it after 60 s so a hang fails the test instead of CI.
    pub fn run(mut self) -> Output {
        let start = Instant::now();
        let input = self.stdin.take();
        self.cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            });
        let mut child = self.cmd.spawn().expect("binary runs");
        if let Some(text) = input {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            std::thread::spawn(move || {
                let _ = stdin.write_all(&text);
            });
        }
        let mut stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let out_thread = std::thread::spawn(move || {
            let mut s = String::new();
            stdout.read_to_string(&mut s).unwrap();
            s
        });
        let err_thread = std::thread::spawn(move || {
            let mut s = String::new();
            stderr.read_to_string(&mut s).unwrap();
            s
        });
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > Duration::from_secs(60) {
                child.kill().unwrap();
                panic!("bedrock-doctor did not finish within 60 s");
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        Output {
            code: status.code().unwrap_or(-1),
            stdout: out_thread.join().unwrap(),
            stderr: err_thread.join().unwrap(),
            elapsed: start.elapsed(),
            home: self.home,
        }
    }
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    pub home: tempfile::TempDir,
}

impl Output {
    /// The report, parsed into the library's own types (so the JSON contract is checked).
    pub fn report(&self) -> Report {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not a report ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    pub fn assert_code(&self, want: i32) -> &Self {
        assert_eq!(
            self.code, want,
            "exit code {} (want {want})\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
}

pub trait ReportExt {
    fn finding(&self, code: Code) -> &Finding;
    fn finding_in(&self, code: Code, region: &str) -> &Finding;
    fn codes(&self) -> Vec<Code>;
}

impl ReportExt for Report {
    fn finding(&self, code: Code) -> &Finding {
        self.findings
            .iter()
            .find(|f| f.code == code)
            .unwrap_or_else(|| panic!("no {code} finding in {:#?}", self.findings))
    }

    fn finding_in(&self, code: Code, region: &str) -> &Finding {
        self.findings
            .iter()
            .find(|f| f.code == code && f.region.as_deref() == Some(region))
            .unwrap_or_else(|| panic!("no {code} finding for {region} in {:#?}", self.findings))
    }

    fn codes(&self) -> Vec<Code> {
        self.findings.iter().map(|f| f.code).collect()
    }
}

/// Puts `n` on-demand models in `region`'s catalogue and returns `check` arguments naming all of
/// them, followed by `extra`: a sweep big enough to queue behind the per-region bound.
pub fn many_models_check(aws: &FakeAws, region: &str, n: usize, extra: &[&str]) -> Vec<String> {
    let models: Vec<String> = (0..n).map(|i| format!("amazon.nova-micro-{i}-v1:0")).collect();
    aws.catalogue(
        region,
        models
            .iter()
            .map(|m| super::fake_aws::model_summary(region, m, "Amazon", &["ON_DEMAND"]))
            .collect(),
    );
    let mut args: Vec<String> = ["check", "--format", "json", "--region", region]
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect();
    for m in models {
        args.extend(["--model".to_string(), m]);
    }
    args
}

/// `check --format json` against `aws` for `regions` (comma-separated) and `models`.
pub fn check_models(aws: &FakeAws, regions: &str, models: &[&str]) -> TestCommand {
    let mut args = vec!["check", "--format", "json", "--region", regions];
    for m in models {
        args.extend(["--model", m]);
    }
    TestCommand::new().fake_aws(aws).args(args)
}
