//! The app's entry point: Trunk builds this binary to wasm and `static/index.html` loads it.

mod panic;

/// Talc instead of Rust's default wasm allocator (dlmalloc): the engine allocates on nearly every
/// event, and the bench workloads compiled to wasm ran 12-13% faster with it in A/B runs
/// (ARCHITECTURE.md, web). They use it too, so their figures in BENCHMARKS.md are the app's.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    // First: any later panic becomes a visible error with a reload link (RELIABILITY.md).
    panic::install();
    yew::Renderer::<logscope_web::App>::new().render();
}
