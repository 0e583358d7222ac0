//! The shipped bundle is built with `-Zfmt-debug=none` (xtask's `tools::release_build`): there
//! every `{:?}` prints nothing. So no code the app runs may format with `Debug`; only tests may
//! (the trace hash encodes commands through `Hash`, not `Debug`: `core/src/sim/trace.rs`).
//! This scans the core's and the web crate's sources, leaving out test files and
//! `#[cfg(test)] mod` blocks.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The part of `source` before its first inline `#[cfg(test)] mod … {` (test modules come
/// last; `#[cfg(test)] mod x;` declarations and `#[cfg(test)] use` lines do not end it).
fn non_test(source: &str) -> &str {
    let mut from = 0;
    while let Some(at) = source[from..].find("#[cfg(test)]") {
        let at = from + at;
        let after = source[at + "#[cfg(test)]".len()..].trim_start();
        if let Some(decl) = after.strip_prefix("mod ") {
            if decl
                .find('{')
                .is_some_and(|b| decl.find(';').is_none_or(|s| b < s))
            {
                return &source[..at];
            }
        }
        from = at + 1;
    }
    source
}

/// `{:?}`, `{x:?}`, `{:#?}`, `{0:?}` and the like.
fn debug_placeholders(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find('{') {
            rest = &rest[at + 1..];
            let Some(end) = rest.find('}') else { break };
            let inside = &rest[..end];
            // A `{` before the `}` (a block's brace): the placeholder, if any, starts there.
            if !inside.contains('{') && (inside.ends_with(":?") || inside.ends_with(":#?")) {
                lines.push(n + 1);
            }
        }
    }
    lines
}

#[test]
fn the_app_formats_nothing_with_debug() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    sources(&root.join("core/src"), &mut files);
    sources(&root.join("web/src"), &mut files);
    assert!(files.len() > 20, "found only {} source files", files.len());
    let mut found = Vec::new();
    for path in files {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let name = path.file_name().unwrap().to_string_lossy();
        if name == "tests.rs" || name.ends_with("_tests.rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        for line in debug_placeholders(non_test(&source)) {
            found.push(format!("{rel}:{line}"));
        }
    }
    assert!(
        found.is_empty(),
        "Debug formatting in code the shipped app runs, where it prints nothing \
         (-Zfmt-debug=none): use Display or write the text out:\n{}",
        found.join("\n")
    );
}

/// The scan itself: it sees placeholders and skips test modules.
#[test]
fn the_scan_finds_debug_placeholders_outside_test_modules() {
    let src = "fn a() { format!(\"{x:?} {} {:#?}\"); }\n\
               fn b() { format!(\"{{}}\"); }\n\
               #[cfg(test)]\nuse foo;\n\
               #[cfg(test)]\nmod other_tests;\n\
               fn c() { format!(\"{:?}\"); }\n\
               #[cfg(test)]\nmod tests { fn d() { format!(\"{:?}\"); } }\n";
    assert_eq!(debug_placeholders(non_test(src)), [1, 1, 7]);
}
