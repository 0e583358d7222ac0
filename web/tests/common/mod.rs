//! Helpers shared by the browser tests (each file in `web/tests/` is its own test binary and
//! uses some of them, hence the `allow`).
#![allow(dead_code)]

use logscope_core::{ClusterView, Millis};
use logscope_web::state::default_sim;
use web_sys::Element;

/// A fresh `<div>` in the page's body to render into.
pub fn mount_point() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

/// The text of the first element matching `selector`; panics when there is none.
pub fn text(root: &Element, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
        .text_content()
        .unwrap_or_default()
}

/// How many elements match `selector`.
pub fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

/// The default scenario (seed 7) after 10 s: every partition led, every ISR full.
pub fn settled_view() -> ClusterView {
    let mut sim = default_sim(7).unwrap();
    sim.run_until(Millis(10_000));
    sim.view()
}

/// Waits for the browser's next `n` animation frames (the frames the app plays on), then for
/// Yew to render.
pub async fn frames(n: u32) {
    for _ in 0..n {
        let frame = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .unwrap()
                .request_animation_frame(&resolve)
                .unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(frame).await.unwrap();
    }
    yew::scheduler::flush().await;
}

/// Waits until the app rendered into `root` has opened: at once, or once the browser has
/// inflated a compressed link or saved session (`z=`, components/share.rs).
pub async fn opened(root: &Element) {
    for _ in 0..120 {
        if root.query_selector("main").unwrap().is_some() {
            return;
        }
        frames(1).await;
    }
    panic!("the app did not open within 120 frames");
}

/// Installs the Korean text as the page does once it has fetched it (`web/i18n/ko.txt`), so that
/// a test need not wait for the fetch. Installing twice keeps the first.
pub fn korean() {
    logscope_web::i18n::install_korean(include_str!("../../i18n/ko.txt").to_string()).unwrap();
}

/// Removes the session an earlier test's app saved (share.rs), so that an app opens the default
/// scenario.
pub fn forget_saved_session() {
    if let Some(storage) = web_sys::window().unwrap().local_storage().unwrap() {
        storage
            .remove_item(logscope_web::share::STORAGE_KEY)
            .unwrap();
    }
}
