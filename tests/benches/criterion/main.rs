//! The criterion benches, one binary: each bench target is a separate release build linked with
//! fat LTO, so four targets cost four such links in every `cargo xtask bench` after a change;
//! the groups live in the modules below and keep their names (criterion's reports and
//! `cargo xtask bench` read them by group).

mod assignors;
mod engine;
mod scenario;
mod storage;

criterion::criterion_main!(
    engine::benches,
    assignors::benches,
    scenario::benches,
    storage::benches
);
