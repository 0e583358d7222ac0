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
