//! The bedrock-doctor.toml loader answers every input with a config or a located error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Err(e) = bedrock_doctor::config::parse("fuzz.toml", s, &["credentials", "regions", "arns", "model-access", "probe"]) {
            assert!(e.line >= 1 && e.column >= 1);
        }
    }
});
