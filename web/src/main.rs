//! The app's entry point: Trunk builds this binary to wasm and `static/index.html` loads it.

fn main() {
    yew::Renderer::<logscope_web::App>::new().render();
}
