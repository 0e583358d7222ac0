//! Shared helpers for the integration tests under `tests/tests/`.
//!
//! The tests themselves live in `tests/tests/*.rs` (one file per kind: conformance vectors,
//! scenario transcripts, seed sweeps, determinism). What more than one of them needs, such as
//! finding the repository's `tests/vectors/` and `tests/scenarios/` folders, lives here.

use std::path::PathBuf;

/// The `tests/` folder of the repository, found from this crate's manifest so that tests work
/// from any working directory.
pub fn tests_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/vectors/`: the conformance vectors (see `tests/vectors/FORMAT.md`).
pub fn vectors_dir() -> PathBuf {
    tests_dir().join("vectors")
}

/// `tests/scenarios/`: scenario transcripts in the scenario language.
pub fn scenarios_dir() -> PathBuf {
    tests_dir().join("scenarios")
}

pub mod sweep;
pub mod workloads;
