//! Function components, one per thing on screen. Each takes plain props (data and callbacks)
//! and reads nothing else; only [`app::App`] holds state.

pub mod actions;
pub mod app;
pub mod charts;
pub mod cluster;
pub mod compare;
pub mod configs;
pub mod console;
pub mod embed;
pub(crate) mod frames;
pub mod panels;
pub mod seen;
pub mod sequence;
pub mod share;
pub mod toolbar;
pub mod tour;

/// Wall-clock milliseconds from the page's `performance.now()`: read only by the frame loops
/// and to space the host API's step events (the core never reads a clock).
pub(crate) fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// GETs `url` (same origin) as text (a tour, the Korean text); an error names the HTTP status
/// or the browser's reason.
pub(crate) async fn fetch_text(url: &str) -> Result<String, String> {
    fn reason(e: wasm_bindgen::JsValue) -> String {
        match wasm_bindgen::JsCast::dyn_ref::<js_sys::Error>(&e) {
            Some(e) => String::from(e.message()),
            None => e.as_string().unwrap_or_else(|| "the request failed".into()),
        }
    }
    let window = web_sys::window().ok_or("no window")?;
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(reason)?;
    let response: web_sys::Response = wasm_bindgen::JsCast::dyn_into(response).map_err(reason)?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let text = wasm_bindgen_futures::JsFuture::from(response.text().map_err(reason)?)
        .await
        .map_err(reason)?;
    text.as_string()
        .ok_or_else(|| "the response is not text".into())
}
