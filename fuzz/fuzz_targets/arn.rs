//! The ARN and model-identifier parsers never panic, whatever the input.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = bedrock_doctor::ident::arn::check(s);
        if let Ok(r) = bedrock_doctor::ident::parse(s) {
            let _ = (r.foundation_id(), r.profile_id(), r.arn_region());
        }
    }
});
