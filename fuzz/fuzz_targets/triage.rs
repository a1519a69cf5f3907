//! The triage extractor and classifier handle any pasted text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let t = bedrock_doctor::triage::triage(&s, None, None);
    assert!(!t.remediation.is_empty());
});
