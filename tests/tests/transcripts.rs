//! Scenario transcripts: every `tests/scenarios/*.scn`, and every `*.scn` in each directory
//! named by the environment variable `LOGSCOPE_EXTRA_SCENARIOS` (colon-separated), run as a
//! script in the scenario language (`scenario-language.md`).
//!
//! A script stops at its first error (a failed line followed by `expect error` is not one).
//! Every failing script is reported with its file, line number, command and what differed;
//! the test fails at the end if any script failed, and prints how many passed.

use std::path::{Path, PathBuf};

use logscope_core::scenario::run_script;

/// The `*.scn` files of a directory, sorted by name so the report is stable.
fn scripts_in(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "scn") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

fn directories() -> Vec<PathBuf> {
    let mut dirs = vec![logscope_tests::scenarios_dir()];
    if let Ok(extra) = std::env::var("LOGSCOPE_EXTRA_SCENARIOS") {
        dirs.extend(
            extra
                .split(':')
                .filter(|s| !s.trim().is_empty())
                .map(PathBuf::from),
        );
    }
    dirs
}

#[test]
fn every_transcript_passes() {
    let mut passed = 0usize;
    let mut failures: Vec<String> = Vec::new();
    for dir in directories() {
        let files = match scripts_in(&dir) {
            Ok(f) => f,
            Err(e) => {
                failures.push(format!("cannot read scenario directory {e}"));
                continue;
            }
        };
        if files.is_empty() {
            failures.push(format!("{}: no *.scn files", dir.display()));
        }
        for file in files {
            let text = match std::fs::read_to_string(&file) {
                Ok(t) => t,
                Err(e) => {
                    failures.push(format!("{}: cannot read: {e}", file.display()));
                    continue;
                }
            };
            match run_script(&text) {
                Ok(_) => passed += 1,
                Err(f) => failures.push(format!(
                    "{}:{}: `{}`\n    {}",
                    file.display(),
                    f.line_no,
                    f.line,
                    f.message
                )),
            }
        }
    }
    println!("transcripts: {passed} passed, {} failed", failures.len());
    if !failures.is_empty() {
        panic!(
            "{} transcript(s) failed ({passed} passed):\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}
