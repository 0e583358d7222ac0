//! Checks on the files of `static/` that no browser test reaches.

use std::path::Path;

fn read(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The string literal of `pub const NAME: &str = "…";` in Rust source (no escapes in it).
fn const_str(source: &str, name: &str) -> String {
    let decl = format!("pub const {name}: &str =");
    let at = source
        .find(&decl)
        .unwrap_or_else(|| panic!("{name} is not declared"));
    let rest = &source[at + decl.len()..];
    let open = rest.find('"').expect("a string literal") + 1;
    let close = rest[open..].find('"').expect("its closing quote") + open;
    rest[open..close].to_string()
}

/// A panic in the shipped build (`panic = immediate-abort`) is a wasm trap that `static/boot.js`
/// turns into the error box, instead of web/src/panic.rs's hook; both must say the same, in both
/// languages. The e2e test checks that boot.js draws the box.
#[test]
fn boot_js_shows_the_panic_hooks_texts() {
    let hook = read("web/src/panic.rs");
    let boot = read("static/boot.js");
    for name in ["HEADLINE", "RELOAD", "HEADLINE_KO", "RELOAD_KO"] {
        let text = const_str(&hook, name);
        assert!(text.len() > 10, "{name} is {text:?}");
        assert!(
            boot.contains(&format!("'{text}'")),
            "static/boot.js lacks panic::{name}: {text:?}"
        );
    }
    for class in ["panic", "panic__message", "panic__reload"] {
        assert!(
            hook.contains(&format!("\"{class}\"")),
            "panic.rs lacks .{class}"
        );
        assert!(
            boot.contains(&format!("'{class}'")),
            "boot.js lacks .{class}"
        );
    }
}
