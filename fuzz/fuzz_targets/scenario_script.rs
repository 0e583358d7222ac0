//! The scenario-file importer: arbitrary text as a whole script through `run_script` (what
//! opening a `.scn` file or a shared scenario does). Checks: no panic, no hang, and a failure
//! names a line that exists in the script.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscope_core::scenario::run_script;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(f) = run_script(&text) {
        let lines = text.split('\n').count();
        assert!(
            f.line_no <= lines + 1,
            "failure at line {} of a {lines}-line script: {}",
            f.line_no,
            f.message
        );
        assert!(!f.message.is_empty(), "a failure without a message");
    }
});
