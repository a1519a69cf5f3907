//! Records the AWS SDK crate versions from Cargo.lock, for the environment block of reports.

fn main() {
    println!("cargo:rerun-if-changed=Cargo.lock");
    let lock = std::fs::read_to_string("Cargo.lock").unwrap_or_default();
    let wanted = [
        "aws-config",
        "aws-sdk-bedrock",
        "aws-sdk-bedrockruntime",
        "aws-sdk-sts",
    ];
    let mut found = Vec::new();
    let mut name: Option<String> = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = \"") {
            name = Some(n.trim_end_matches('"').to_string());
        } else if let Some(v) = line.strip_prefix("version = \"")
            && let Some(n) = name.take()
            && wanted.contains(&n.as_str())
        {
            found.push(format!("{n} {}", v.trim_end_matches('"')));
        }
    }
    println!("cargo:rustc-env=BD_SDK_VERSIONS={}", found.join(", "));
}
