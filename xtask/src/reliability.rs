//! The reliability commands (`RELIABILITY.md`):
//!
//! * `cargo xtask replay SEED`: reruns one seed of the sweep (`logscope_tests::sweep::run_seed`)
//!   and prints its failure with the actions that led to it.
//! * `cargo xtask soak --seeds N [--from S]`: the sweep over many more seeds than CI runs.
//! * `cargo xtask bless-hashes`: rewrites `tests/determinism/trace-hashes.txt` from a native
//!   run, after a deliberate change of the engine.
//! * `cargo xtask fuzz [--seconds N]`: every cargo-fuzz target for N seconds (default 60) with
//!   the corpus in `fuzz/corpus/`; installs cargo-fuzz and nightly when missing.
//! * `cargo xtask deny`: `cargo deny check licenses bans sources` (installs cargo-deny).

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use crate::{cargo, cmd, show};

/// The fuzz targets, in `fuzz/fuzz_targets/<name>.rs`.
pub const FUZZ_TARGETS: &[&str] = &[
    "scenario_lines",
    "scenario_script",
    "sim_commands",
    "link_decode",
];

/// Seconds per fuzz target in `cargo xtask test` (see `RELIABILITY.md` for the CI budget).
pub const CI_FUZZ_SECONDS: u64 = 30;

/// `cargo xtask replay|soak|bless-hashes|fuzz|deny ARGS…`.
pub fn run(root: &Path, command: &str, args: &[String]) -> ExitCode {
    let result = match command {
        "replay" => match args.first().and_then(|s| s.parse::<u64>().ok()) {
            Some(seed) => sweep_bin(&["replay", &seed.to_string()]),
            None => Err("usage: cargo xtask replay SEED (a number)".into()),
        },
        "soak" => {
            let seeds = flag(args, "--seeds").unwrap_or(10_000);
            let from = flag(args, "--from").unwrap_or(0);
            sweep_bin(&["soak", &seeds.to_string(), &from.to_string()])
        }
        "bless-hashes" => bless_hashes(),
        "fuzz" => fuzz(root, flag(args, "--seconds").unwrap_or(60)),
        "deny" => deny(),
        _ => Err(format!("unknown command {command}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The number after `name` (`--seeds 5000` or `--seeds=5000`).
fn flag(args: &[String], name: &str) -> Option<u64> {
    let prefix = format!("{name}=");
    args.iter().enumerate().find_map(|(i, a)| {
        if a == name {
            args.get(i + 1)?.parse().ok()
        } else {
            a.strip_prefix(&prefix)?.parse().ok()
        }
    })
}

/// `tests/src/bin/sweep.rs`, built in the dev profile (the engine is at opt-level 2 there).
fn sweep_bin(args: &[&str]) -> Result<(), String> {
    cmd(cargo()
        .args(["run", "-q", "-p", "logscope-tests", "--bin", "sweep", "--"])
        .args(args))
}

pub fn bless_hashes() -> Result<(), String> {
    cmd(cargo()
        .args([
            "test",
            "-p",
            "logscope-core",
            "--test",
            "determinism",
            "--",
            "--nocapture",
        ])
        .env("LOGSCOPE_BLESS_HASHES", "1"))?;
    println!("now review and commit tests/determinism/trace-hashes.txt");
    Ok(())
}

/// `cargo deny check licenses bans sources` with `deny.toml`. Advisories are left out: the
/// advisory database cannot be fetched on these machines (RELIABILITY.md).
pub fn deny() -> Result<(), String> {
    if !has_cargo_subcommand("deny") {
        install(&["install", "cargo-deny", "--locked"])?;
    }
    cmd(cargo().args(["deny", "check", "licenses", "bans", "sources"]))
}

/// Runs every fuzz target for `seconds`, new inputs going to a scratch corpus under
/// `fuzz/target/` (the checked-in `fuzz/corpus/<target>` is read, never written), and fails on
/// any crash, timeout or out-of-memory. Prints `FUZZ <target> <runs> runs in <s> s`.
pub fn fuzz(root: &Path, seconds: u64) -> Result<(), String> {
    ensure_fuzz_tools()?;
    let fuzz_dir = root.join("fuzz");
    // No sanitizer: the engine is `#![forbid(unsafe_code)]`, so AddressSanitizer would only slow
    // it down; libFuzzer's coverage guidance and Rust's panics and overflow checks remain.
    cmd(nightly_cargo()
        .current_dir(&fuzz_dir)
        .args(["fuzz", "build", "-s", "none"]))?;
    let mut failed = Vec::new();
    for target in FUZZ_TARGETS {
        let scratch = fuzz_dir.join("target").join("corpus").join(target);
        std::fs::create_dir_all(&scratch)
            .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
        let seeds = fuzz_dir.join("corpus").join(target);
        let mut command = nightly_cargo();
        command
            .current_dir(&fuzz_dir)
            .args(["fuzz", "run", "-s", "none", target])
            .arg(&scratch)
            .arg(&seeds)
            .args([
                "--",
                &format!("-max_total_time={seconds}"),
                // One input may take at most this long (the session's event budget bounds a
                // script's time), and the process at most this much memory.
                "-timeout=20",
                "-rss_limit_mb=2048",
                "-print_final_stats=1",
            ])
            .stdout(Stdio::inherit())
            .stderr(Stdio::piped());
        println!("$ {}", show(&command));
        let out = command
            .output()
            .map_err(|e| format!("cannot start cargo fuzz: {e}"))?;
        let log = String::from_utf8_lossy(&out.stderr);
        let runs = log
            .lines()
            .filter_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
            .filter_map(|n| n.trim().parse::<u64>().ok())
            .next_back();
        let runs = runs.map_or("?".to_string(), |r| r.to_string());
        if out.status.success() {
            println!("FUZZ {target} {runs} runs in {seconds} s, no crash");
        } else {
            // What failed and where: the panic (with the next lines), a timeout or an
            // out-of-memory report, and the input libFuzzer saved.
            let lines: Vec<&str> = log.lines().collect();
            for (i, l) in lines.iter().enumerate() {
                if l.contains("panicked at") {
                    for l in lines.iter().skip(i).take(3) {
                        eprintln!("{l}");
                    }
                } else if l.contains("ERROR: libFuzzer")
                    || l.contains("Test unit written")
                    || l.contains("artifacts/")
                {
                    eprintln!("{l}");
                }
            }
            println!("FUZZ {target} {runs} runs, FAILED");
            failed.push(format!(
                "{target} (crash input in fuzz/artifacts/{target}/; turn it into a regression test)"
            ));
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("fuzzing found a failure in {}", failed.join(", ")))
    }
}

fn nightly_cargo() -> Command {
    let mut c = Command::new("cargo");
    c.arg("+nightly");
    // The nightly cargo must not inherit the stable toolchain's variables from `cargo xtask`.
    c.env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO")
        .env_remove("RUSTC");
    c
}

fn ensure_fuzz_tools() -> Result<(), String> {
    crate::tools::ensure_nightly()?;
    if !has_cargo_subcommand("fuzz") {
        install(&["install", "cargo-fuzz", "--locked"])?;
    }
    Ok(())
}

fn has_cargo_subcommand(name: &str) -> bool {
    cargo()
        .args([name, "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn install(args: &[&str]) -> Result<(), String> {
    println!("installing: cargo {}", args.join(" "));
    cmd(cargo().args(args)).map_err(|e| format!("{e}; run `cargo {}` by hand", args.join(" ")))
}
