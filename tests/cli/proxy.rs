//! Through an HTTP CONNECT proxy, as corporate networks run them: with and without credentials,
//! bypassed by NO_PROXY, refusing with 407, and inspecting TLS (AWS_CA_BUNDLE through the proxy).
//! The proxy is a few lines of std networking in this file.

use crate::fake_aws::FakeAws;
use crate::util::{ReportExt, TestCommand};
use bedrock_doctor::codes::Code;
use bedrock_doctor::report::{Cause, Status};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

const PASSWORD: &str = "CANARYproxyPASS77";

/// What the proxy saw: one line per CONNECT, `target auth?`.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<String>>>);

struct Proxy {
    port: u16,
    seen: Seen,
}

impl Proxy {
    /// `password`: the Basic credentials it requires (`user:password`), or none; `refuse`: answer
    /// every CONNECT with 407.
    fn start(password: Option<&str>, refuse: bool) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Seen::default();
        let log = seen.clone();
        let expected = password.map(|p| {
            use base64::Engine as _;
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("user:{p}"))
            )
        });
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (log, expected) = (log.clone(), expected.clone());
                std::thread::spawn(move || serve(client, &log, expected.as_deref(), refuse));
            }
        });
        Proxy { port, seen }
    }

    fn url(&self, with_password: bool) -> String {
        if with_password {
            format!("http://user:{PASSWORD}@127.0.0.1:{}", self.port)
        } else {
            format!("http://127.0.0.1:{}", self.port)
        }
    }

    fn connects(&self) -> Vec<String> {
        self.seen.0.lock().unwrap().clone()
    }
}

fn serve(client: TcpStream, seen: &Seen, expected: Option<&str>, refuse: bool) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if line == "\r\n" {
            break;
        }
        head.push(line.trim_end().to_string());
    }
    let Some(target) = head
        .first()
        .and_then(|l| l.strip_prefix("CONNECT "))
        .and_then(|l| l.split_whitespace().next())
        .map(str::to_string)
    else {
        return;
    };
    let auth = head.iter().find_map(|h| {
        h.to_ascii_lowercase()
            .starts_with("proxy-authorization:")
            .then(|| h[20..].trim().to_string())
    });
    seen.0.lock().unwrap().push(format!(
        "{target} {}",
        if auth.is_some() { "auth" } else { "no-auth" }
    ));
    let mut client = client;
    let allowed = !refuse && expected.is_none_or(|e| auth.as_deref() == Some(e));
    if !allowed {
        let _ = client.write_all(
            b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
        return;
    }
    let Ok(upstream) = TcpStream::connect(&target) else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
    let (mut up_read, mut up_write) = (upstream.try_clone().unwrap(), upstream);
    let mut down_write = client.try_clone().unwrap();
    // What the client sent after the head and the reader already buffered goes first.
    let buffered = reader.buffer().to_vec();
    let mut client_read = reader.into_inner();
    std::thread::spawn(move || {
        let _ = up_write.write_all(&buffered);
        let _ = std::io::copy(&mut client_read, &mut up_write);
    });
    let _ = std::io::copy(&mut up_read, &mut down_write);
}

fn check_through(aws: &FakeAws, proxy_url: &str, extra: &[(&str, String)]) -> crate::util::Output {
    let mut cmd = TestCommand::new()
        .fake_aws(aws)
        .env(
            "AWS_CA_BUNDLE",
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls/ca.pem"),
        )
        .env("HTTPS_PROXY", proxy_url)
        .args([
            "check",
            "--format",
            "json",
            "--region",
            "us-east-1",
            "--timeout",
            "10",
            "-vv",
        ]);
    for (k, v) in extra {
        cmd = cmd.env(k, v);
    }
    cmd.run()
}

#[test]
fn through_a_connect_proxy_with_and_without_credentials() {
    let aws = FakeAws::start_tls();
    for (password, with_password) in [(None, false), (Some(PASSWORD), true)] {
        let proxy = Proxy::start(password, false);
        let out = check_through(&aws, &proxy.url(with_password), &[]);
        out.assert_code(0);
        let r = out.report();
        assert_eq!(r.finding(Code::BD100).status, Status::Pass, "{}", out.stderr);
        assert_eq!(r.finding_in(Code::BD500, "us-east-1").status, Status::Pass);
        let connects = proxy.connects();
        assert!(!connects.is_empty(), "nothing went through the proxy");
        assert!(
            connects
                .iter()
                .all(|c| c.ends_with(if with_password { " auth" } else { " no-auth" })),
            "{connects:?}"
        );
        assert!(!out.stdout.contains(PASSWORD) && !out.stderr.contains(PASSWORD));
    }
}

#[test]
fn no_proxy_bypasses_the_proxy() {
    let aws = FakeAws::start_tls();
    let proxy = Proxy::start(None, false);
    let out = check_through(
        &aws,
        &proxy.url(false),
        &[("NO_PROXY", "localhost,127.0.0.1".into())],
    );
    out.assert_code(0);
    assert_eq!(out.report().finding(Code::BD100).status, Status::Pass);
    assert!(proxy.connects().is_empty(), "{:?}", proxy.connects());
}

#[test]
fn a_proxy_that_refuses_is_named_and_its_password_never_shown() {
    let aws = FakeAws::start_tls();
    let proxy = Proxy::start(Some("another"), true);
    let out = check_through(&aws, &proxy.url(true), &[]);
    out.assert_code(0);
    let r = out.report();
    let f = r.finding(Code::BD105);
    assert_eq!(
        (f.status, f.cause),
        (Status::Inconclusive, Cause::EndpointUnreachable),
        "{f:#?}"
    );
    assert!(f.detail.contains("proxy"), "{}", f.detail);
    assert!(f.remediation[0].contains("HTTPS_PROXY"), "{:?}", f.remediation);
    assert!(!out.stdout.contains(PASSWORD) && !out.stderr.contains(PASSWORD));
    assert!(!proxy.connects().is_empty());
}
