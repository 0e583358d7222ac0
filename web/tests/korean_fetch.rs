//! The Korean text is fetched, not shipped in the wasm (`web/i18n/ko.txt`, i18n.rs): a page
//! asked to open in Korean fetches it (the test server serves the crate's folder) before it
//! draws. Its own test binary, so that no other test has installed the text first. The built
//! page's switch, and a fetch that fails, are checked in tests/e2e/e2e.mjs.
#![cfg(target_arch = "wasm32")]

mod common;

use common::{mount_point, text};

use logscope_web::components::app::AppProps;
use logscope_web::i18n::{korean_installed, Lang};
use logscope_web::App;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn main_lang(root: &Element) -> Option<String> {
    root.query_selector("main")
        .unwrap()
        .unwrap()
        .get_attribute("lang")
}

#[wasm_bindgen_test]
async fn a_page_that_opens_in_korean_fetches_the_korean_text_first() {
    assert!(!korean_installed(), "nothing has installed it yet");
    // The default scenario, not a session another run saved.
    common::forget_saved_session();
    let root = mount_point();
    let props = AppProps {
        lang: Some(Lang::Ko),
        paused: true,
        query: Some(String::new()),
    };
    yew::Renderer::<App>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    // Nothing is drawn while the text is on its way, so English never shows first.
    assert_eq!(root.query_selector("main").unwrap(), None);
    common::opened(&root).await;
    assert!(korean_installed());
    assert_eq!(main_lang(&root).as_deref(), Some("ko"));
    assert_eq!(text(&root, "button[data-action=\"toggle\"]"), "재생");
    assert_eq!(root.query_selector("[data-role=\"notice\"]").unwrap(), None);
}
