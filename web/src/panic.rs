//! The panic hook: a panic anywhere in the app (the core included) becomes a visible error
//! instead of a frozen page, with a "Reload, keeping my session" link (issue 9).
//!
//! * The message goes to the page as text (`insertAdjacentText`), never as markup, and to the
//!   browser console (`console.error`).
//! * Reloading is a plain link to the page's own address: no inline script or event-handler
//!   attribute, which the page's Content-Security-Policy refuses. A reload does not touch the
//!   browser's storage, so a session the app saved there is still there afterwards.
//! * The hook never panics itself: every DOM call's failure is ignored, and it runs once (a
//!   second panic only logs).
//!
//! Call [`install`] first thing in `main`. Styling: `.panic`, `.panic__message`, `.panic__reload`
//! in `static/style.css` (inline styles are refused by the CSP too).
// In the shipped build only `install`'s empty hook is left (see there).
#![cfg_attr(panic = "immediate-abort", allow(dead_code, unused_imports))]

use std::sync::atomic::{AtomicBool, Ordering};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::*;

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(s: &str);
}

static SHOWN: AtomicBool = AtomicBool::new(false);

/// What the box says above the panic's own message.
pub const HEADLINE: &str =
    "logscope stopped because of a bug. Your session is kept: reload to continue.";
/// The reload link's text.
pub const RELOAD: &str = "Reload, keeping my session";
/// [`HEADLINE`] and [`RELOAD`] in Korean, for a page whose `<main>` is `lang="ko"`.
pub const HEADLINE_KO: &str =
    "logscope가 버그 때문에 멈췄습니다. 세션은 보존되어 있으니 새로 고쳐서 이어 가세요.";
pub const RELOAD_KO: &str = "세션을 유지한 채 새로 고침";

/// Installs the hook (idempotent in effect: the last call wins, as `std::panic::set_hook`).
///
/// Through Yew's `set_custom_panic_hook`: `Renderer::render` replaces any hook set otherwise
/// with its own console logger (it did, until this was found: the box then came only from
/// `boot.js`'s trap handler, without the panic's message).
#[cfg(not(panic = "immediate-abort"))]
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let message = info.to_string();
        #[cfg(target_arch = "wasm32")]
        console_error(&format!("logscope panicked: {message}"));
        if !SHOWN.swap(true, Ordering::SeqCst) {
            show(&message);
        }
    }));
}

/// The shipped build (`panic = immediate-abort`, xtask's `release_build`): a panic is a trap at
/// once and no hook ever runs; `static/boot.js` shows the box. An empty hook keeps Yew from
/// installing its own, and the code of ours, which could never run, out of the bundle.
#[cfg(panic = "immediate-abort")]
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|_| {}));
}

/// Puts the error box at the end of `<body>`. Text only; failures ignored.
#[cfg(not(panic = "immediate-abort"))]
fn show(message: &str) -> Option<()> {
    if !cfg!(target_arch = "wasm32") {
        return None;
    }
    let window = web_sys::window()?;
    let document = window.document()?;
    let body = document.body()?;
    // The reducer is gone; the language the page was drawn in is on its `<main>`.
    let korean = matches!(document.query_selector("main[lang=\"ko\"]"), Ok(Some(_)));
    let (headline_text, reload_text) = if korean {
        (HEADLINE_KO, RELOAD_KO)
    } else {
        (HEADLINE, RELOAD)
    };
    let boxed = document.create_element("div").ok()?;
    boxed.set_attribute("class", "panic").ok()?;
    boxed.set_attribute("role", "alert").ok()?;
    let headline = document.create_element("p").ok()?;
    headline
        .insert_adjacent_text("beforeend", headline_text)
        .ok()?;
    let detail = document.create_element("pre").ok()?;
    detail.set_attribute("class", "panic__message").ok()?;
    detail.insert_adjacent_text("beforeend", message).ok()?;
    let reload = document.create_element("a").ok()?;
    reload.set_attribute("class", "panic__reload").ok()?;
    reload.set_attribute("href", &document.url().ok()?).ok()?;
    reload.insert_adjacent_text("beforeend", reload_text).ok()?;
    for child in [&headline, &detail, &reload] {
        boxed.insert_adjacent_element("beforeend", child).ok()?;
    }
    body.insert_adjacent_element("beforeend", &boxed).ok()?;
    Some(())
}
