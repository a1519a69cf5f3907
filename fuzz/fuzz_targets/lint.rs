//! The lint scanner handles any file content and reports positions inside it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    for f in bedrock_doctor::lint::lint_text("fuzz", &s, bedrock_doctor::knowledge::embedded()) {
        let l = f.location.expect("lint findings are located");
        assert!(l.line >= 1 && l.line <= s.lines().count().max(1) + 1);
    }
});
