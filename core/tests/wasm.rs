//! Tests of the public API that run both natively (`cargo test`) and compiled to wasm32 in
//! Node (`cargo test --target wasm32-unknown-unknown`, through wasm-bindgen-test-runner). libtest's
//! `#[test]` does not run under wasm32, so each test carries both attributes; a test that passes
//! here on both targets shows the core computes the same thing in the browser as natively.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use logscope_core::partitioner::{murmur2, partition_for_key};
use logscope_core::{Millis, Sim, SimSpec};

#[test]
fn murmur2_matches_kafka() {
    // Kafka's `Utils.murmur2("21".getBytes())`, from Kafka's own UtilsTest.
    assert_eq!(murmur2(b"21"), -973932308);
    assert_eq!(
        partition_for_key(b"21", 3),
        ((-973932308i32 & 0x7fff_ffff) % 3) as u32
    );
}

fn run(seed: u64) -> logscope_core::ClusterView {
    let mut sim = Sim::new(SimSpec::default(), seed).expect("the default cluster is valid");
    sim.run_until(Millis(5_000));
    sim.view()
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let view = run(42);
    assert_eq!(view.seed, 42);
    assert_eq!(view.brokers.len(), 3);
    assert_eq!(view, run(42));
}
