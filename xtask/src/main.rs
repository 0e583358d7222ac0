//! `cargo xtask`: the project's two commands, so that a fresh clone needs nothing but rustup,
//! Node/npm and apt.
//!
//! * `cargo xtask test` installs whatever is missing (see [`tools`]) and runs every check the
//!   project has, in the order CI runs them, one numbered step at a time. It keeps going after a
//!   failed check so that one run shows every problem, and exits non-zero if any step failed.
//! * `cargo xtask serve` installs what a build needs and serves the app on
//!   <http://127.0.0.1:8080>.
//! * `cargo xtask e2e` is the tail of `test` alone (release build, end-to-end test, sizes), for
//!   working on the page.
//! * `cargo xtask bench [--quick]` runs every benchmark and writes `BENCHMARKS.md` (see
//!   [`bench`]); it is not part of `test`.
//! * `cargo xtask replay SEED`, `soak --seeds N`, `bless-hashes`, `fuzz [--seconds N]` and
//!   `deny`: the reliability commands (see [`reliability`] and `RELIABILITY.md`).
//!
//! Only std: this crate is the first thing a fresh machine compiles.

mod bench;
mod reliability;
mod server;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// The address `cargo xtask serve` promises in the README (also in `Trunk.toml`).
const SERVE_ADDRESS: &str = "http://127.0.0.1:8080/";

fn main() -> ExitCode {
    let root = project_root();
    if let Err(e) = std::env::set_current_dir(&root) {
        eprintln!(
            "xtask: cannot enter the project folder {}: {e}",
            root.display()
        );
        return ExitCode::FAILURE;
    }
    tools::prepare_env(&root);

    let arg = std::env::args().nth(1);
    match arg.as_deref() {
        Some("test") => test(&root),
        Some("serve") => serve(),
        Some("e2e") => e2e_only(&root),
        Some(c @ ("replay" | "soak" | "bless-hashes" | "fuzz" | "deny")) => {
            let rest: Vec<String> = std::env::args().skip(2).collect();
            reliability::run(&root, c, &rest)
        }
        Some("bench") => bench::run(&root, std::env::args().any(|a| a == "--quick")),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n  \
                 test   install what is missing, then run every check (what CI runs)\n  \
                 serve  install what is missing, build, and serve on {SERVE_ADDRESS}\n  \
                 replay SEED           rerun one seed of the sweep and print its failure\n  \
                 soak --seeds N        the seed sweep over N seeds (--from S: first seed)\n  \
                 bless-hashes          rewrite tests/determinism/trace-hashes.txt (deliberate engine change)\n  \
                 fuzz [--seconds N]    every fuzz target for N seconds (default 60)\n  \
                 deny                  cargo deny check licenses bans sources\n  \
                 e2e    release build, end-to-end browser test and sizes only\n  \
                 bench  run every benchmark, write BENCHMARKS.md (--quick: fewer runs)"
            );
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: xtask's manifest folder is `<root>/xtask`.
fn project_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

fn test(root: &Path) -> ExitCode {
    let mut run = Steps::default();
    if !run.step("tools: install what is missing", || {
        tools::ensure(tools::Needs::Everything)
    }) {
        return run.finish();
    }
    run.step("cargo fmt --all --check", || {
        cmd(cargo().args(["fmt", "--all", "--check"]))
    });
    run.step("clippy (native, all targets, warnings denied)", || {
        cmd(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    });
    run.step("clippy (wasm32: core and web)", || {
        cmd(cargo().args([
            "clippy",
            "-p",
            "logscope-core",
            "-p",
            "logscope-web",
            "--target",
            "wasm32-unknown-unknown",
            "--lib",
            "--tests",
            "--",
            "-D",
            "warnings",
        ]))
    });
    run.step("cargo deny check licenses bans sources", reliability::deny);
    run.step("native tests (every crate)", || {
        // `--no-fail-fast`: one failing test binary must not hide the others' results.
        cmd(cargo().args(["test", "--workspace", "--no-fail-fast"]))
    });
    run.step("core tests compiled to wasm32 (Node)", || {
        cmd(cargo().args([
            "test",
            "-p",
            "logscope-core",
            "--target",
            "wasm32-unknown-unknown",
        ]))
    });
    run.step("web tests in headless Chromium (wasm-bindgen-test)", || {
        cmd(cargo().args([
            "test",
            "-p",
            "logscope-web",
            "--target",
            "wasm32-unknown-unknown",
        ]))
    });
    release_build_e2e_sizes(root, &mut run);
    // Fuzzing goes last and only while the run is well inside CI's 90-minute budget: a CI run
    // that times out lands nothing, so on a slow machine this bounded extra is skipped, loudly.
    let fuzz_name = format!(
        "fuzz every target for {} s (cargo-fuzz, nightly)",
        reliability::CI_FUZZ_SECONDS
    );
    if run.elapsed() > FUZZ_TIME_GUARD {
        run.skip_for_time(&fuzz_name, FUZZ_TIME_GUARD);
    } else {
        run.step(&fuzz_name, || {
            reliability::fuzz(root, reliability::CI_FUZZ_SECONDS)
        });
    }
    run.finish()
}

fn e2e_only(root: &Path) -> ExitCode {
    let mut run = Steps::default();
    if run.step("tools: install what is missing", || {
        tools::ensure(tools::Needs::Everything)
    }) {
        release_build_e2e_sizes(root, &mut run);
    }
    run.finish()
}

fn release_build_e2e_sizes(root: &Path, run: &mut Steps) {
    let dist = root.join("dist");
    let built = run.step("trunk build --release (offline)", || {
        cmd(&mut tools::release_build())
    });
    if !built {
        run.skip("end-to-end test", "there is no fresh build to test");
        return;
    }
    run.step(
        "end-to-end test: the built page in headless Chromium",
        || e2e(root, &dist),
    );
    run.step("shipped sizes (wasm + JS + CSS)", || sizes(&dist));
}

/// Serves `dist/` on a free loopback port and runs `tests/e2e/e2e.mjs` against it.
fn e2e(root: &Path, dist: &Path) -> Result<(), String> {
    let server = server::start(dist.to_path_buf())
        .map_err(|e| format!("cannot serve dist/ on loopback: {e}"))?;
    let url = format!("http://{}/", server.addr());
    let shots = root.join("target").join("e2e");
    std::fs::create_dir_all(&shots)
        .map_err(|e| format!("cannot create {}: {e}", shots.display()))?;
    println!("serving {} on {url}", dist.display());
    cmd(Command::new("node")
        .arg(root.join("tests/e2e/e2e.mjs"))
        .arg(&url)
        .arg(&shots))?;
    // Embedding: embed.html's iframes driven through postMessage (issue 8).
    cmd(Command::new("node")
        .arg(root.join("tests/e2e/embed.mjs"))
        .arg(&url))
}

/// Prints the size of what a visitor downloads: raw, and gzipped as a server would send it.
fn sizes(dist: &Path) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dist).map_err(|e| format!("cannot read {}: {e}", dist.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("wasm" | "js" | "css")
            )
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err("dist/ holds no .wasm, .js or .css file".into());
    }
    let (mut raw_total, mut gz_total) = (0u64, 0u64);
    println!("{:<44} {:>10} {:>10}", "file", "raw", "gzip -9");
    for file in &files {
        let raw = std::fs::metadata(file).map_err(|e| e.to_string())?.len();
        let gz = gzip_len(file)?;
        raw_total += raw;
        gz_total += gz;
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        println!("{name:<44} {:>10} {:>10}", kib(raw), kib(gz));
    }
    println!(
        "{:<44} {:>10} {:>10}",
        "total",
        kib(raw_total),
        kib(gz_total)
    );
    Ok(())
}

fn gzip_len(file: &Path) -> Result<u64, String> {
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(file)
        .output()
        .map_err(|e| format!("cannot run gzip: {e}"))?;
    if !out.status.success() {
        return Err(format!("gzip failed on {}", file.display()));
    }
    Ok(out.stdout.len() as u64)
}

fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

fn serve() -> ExitCode {
    let started = Instant::now();
    println!("==> tools: install what is missing");
    if let Err(e) = tools::ensure(tools::Needs::Build) {
        eprintln!("xtask: {e}");
        return ExitCode::FAILURE;
    }
    println!(
        "==> building and serving logscope on {SERVE_ADDRESS} (tools ready in {:.0?}; Ctrl-C stops)",
        started.elapsed()
    );
    // `trunk serve` builds first, then serves `dist/` and rebuilds on change; Trunk.toml pins
    // the address and port and keeps it offline.
    match cmd(Command::new("trunk").args(["serve", "--offline"])) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The cargo that started xtask, so every step uses the same toolchain.
fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs a command with inherited output; a non-zero exit becomes an error naming the command.
fn cmd(command: &mut Command) -> Result<(), String> {
    let shown = show(command);
    println!("$ {shown}");
    let status = command
        .status()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

fn show(command: &Command) -> String {
    let mut s = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        s.push(' ');
        s.push_str(&arg.to_string_lossy());
    }
    s
}

/// After this long, `cargo xtask test` leaves out the fuzz step (CI stops a run at 90 minutes).
const FUZZ_TIME_GUARD: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// Numbered steps with a header each and a closing tally.
#[derive(Default)]
struct Steps {
    number: usize,
    passed: usize,
    failed: Vec<String>,
    skipped: usize,
    started: Option<Instant>,
}

impl Steps {
    /// Runs one step; returns whether it passed.
    fn step(&mut self, name: &str, body: impl FnOnce() -> Result<(), String>) -> bool {
        self.started.get_or_insert_with(Instant::now);
        self.number += 1;
        println!("\n==> [{}] {name}", self.number);
        let start = Instant::now();
        let result = body();
        let took = start.elapsed();
        match result {
            Ok(()) => {
                self.passed += 1;
                println!("<== [{}] {name}: ok ({took:.1?})", self.number);
                true
            }
            Err(e) => {
                println!("<== [{}] {name}: FAILED ({took:.1?}): {e}", self.number);
                self.failed.push(format!("[{}] {name}: {e}", self.number));
                false
            }
        }
    }

    /// Time since the first step began.
    fn elapsed(&self) -> std::time::Duration {
        self.started.map(|s| s.elapsed()).unwrap_or_default()
    }

    /// A step left out because the run is already long; it is neither passed nor failed, and
    /// the closing line says how many were skipped.
    fn skip_for_time(&mut self, name: &str, limit: std::time::Duration) {
        self.number += 1;
        self.skipped += 1;
        println!(
            "\n==> [{}] {name}: SKIPPED, the run already took over {} minutes (CI allows 90); run `cargo xtask fuzz` on its own",
            self.number,
            limit.as_secs() / 60
        );
    }

    /// A step that cannot run because an earlier one failed; it counts as failed.
    fn skip(&mut self, name: &str, why: &str) {
        self.number += 1;
        println!("\n==> [{}] {name}: not run, {why}", self.number);
        self.failed
            .push(format!("[{}] {name}: not run, {why}", self.number));
    }

    fn finish(self) -> ExitCode {
        let total = self.started.map(|s| s.elapsed()).unwrap_or_default();
        if !self.failed.is_empty() {
            println!("\nfailed steps:");
            for f in &self.failed {
                println!("  {f}");
            }
        }
        println!("\ntook {total:.0?}");
        if self.skipped > 0 {
            println!(
                "xtask: {} passed, {} failed, {} skipped",
                self.passed,
                self.failed.len(),
                self.skipped
            );
        } else {
            println!(
                "xtask: {} passed, {} failed",
                self.passed,
                self.failed.len()
            );
        }
        if self.failed.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }
}
