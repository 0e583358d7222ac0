//! The app's entry point: Trunk builds this binary to wasm and `static/index.html` loads it.

mod panic;

fn main() {
    // First: any later panic becomes a visible error with a reload link (RELIABILITY.md).
    panic::install();
    yew::Renderer::<logscope_web::App>::new().render();
}
