//! Generates a source tree for `scripts/bench-lint`: FILES files of about KB kilobytes each, in
//! nested directories, mixing TypeScript, Python, JSON and Terraform, with a Bedrock ARN or model
//! id in one file out of a hundred (the rest mention nothing Bedrock, as in a real repository).
//!
//! ```sh
//! cargo run --release --example gen_tree -- DIR FILES KB
//! ```

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, files, kb] = &args[..] else {
        eprintln!("usage: gen_tree DIR FILES KB");
        std::process::exit(2);
    };
    let files: usize = files.parse().expect("FILES is a number");
    let kb: usize = kb.parse().expect("KB is a number");
    let filler = "const value = computeSomething(input, options); // ordinary application code\n";
    let bedrock = [
        "  \"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0\",\n",
        "MODEL_ID = \"anthropic.claude-3-7-sonnet-20250219-v1:0\"\n",
        "  \"arn:aws:bedrock:us-east-1:123456789012:foundation-model/amazon.titan-embed-text-v2:0\",\n",
    ];
    let exts = ["ts", "py", "json", "tf"];
    for i in 0..files {
        let sub = format!("{dir}/d{:03}/e{:02}", i % 500, i % 37);
        std::fs::create_dir_all(&sub).expect("create directory");
        let path = format!("{sub}/f{i}.{}", exts[i % exts.len()]);
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create file"));
        let mut written = 0;
        while written < kb * 1024 {
            f.write_all(filler.as_bytes()).expect("write");
            written += filler.len();
            if i % 100 == 0 && written > kb * 512 && written <= kb * 512 + filler.len() {
                f.write_all(bedrock[i % bedrock.len()].as_bytes()).expect("write");
            }
        }
    }
}
