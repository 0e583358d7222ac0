//! Installs the tools a build and the browser tests need, each only when it is missing, so that
//! the first run on a fresh machine sets everything up and every later run goes straight to
//! work. What is needed and why is measured in `../shared/TOOLCHAIN.md`:
//!
//! * the `wasm32-unknown-unknown` target (rustup), and rustfmt and clippy;
//! * the wasm-bindgen CLI at exactly the `wasm-bindgen` version in `Cargo.lock` (the CLI refuses
//!   a wasm file from another version); it also brings `wasm-bindgen-test-runner`;
//! * Trunk 0.21.14, installed `--locked` (without it, it does not compile);
//! * npm's `binaryen@132` for `wasm-opt` (Debian's is too old for today's Rust),
//!   `playwright-core` for the end-to-end test and `terser` for the release build's JS (Trunk's
//!   post-build hook), all from `tests/e2e/package.json`;
//! * Debian's `chromium` and `chromium-driver` for headless browser tests;
//! * for the shipped bundle only: a nightly toolchain with `rust-src` and its own
//!   `wasm32-unknown-unknown` target, so that `trunk build --release` rebuilds the standard
//!   library for size ([`release_build`]). Without them the bundle is built with stable and is
//!   larger; the build says so.
//!
//! A failure ends in one sentence that says what to install by hand.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Trunk's version: the one measured to build (`TOOLCHAIN.md`).
const TRUNK_VERSION: &str = "0.21.14";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// `cargo xtask serve`: what a debug build needs.
    Build,
    /// `cargo xtask test`: also wasm-opt, Chromium and Playwright.
    Everything,
}

/// Puts the installed tools on `PATH` for every child process: `~/.cargo/bin` (where
/// `cargo install` puts Trunk and wasm-bindgen, and which a fresh shell may not have yet) and the
/// npm tools of `tests/e2e`. Also points the browser tests at Debian's chromedriver.
pub fn prepare_env(root: &Path) {
    let mut paths = vec![cargo_bin(), node_bin(root)];
    if let Some(old) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&old));
    }
    if let Ok(joined) = std::env::join_paths(paths) {
        std::env::set_var("PATH", joined);
    }
    if std::env::var_os("CHROMEDRIVER").is_none() {
        std::env::set_var("CHROMEDRIVER", CHROMEDRIVER);
    }
}

fn cargo_bin() -> PathBuf {
    match std::env::var_os("CARGO_HOME") {
        Some(home) => PathBuf::from(home).join("bin"),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo/bin"),
    }
}

fn e2e_dir(root: &Path) -> PathBuf {
    root.join("tests").join("e2e")
}

fn node_bin(root: &Path) -> PathBuf {
    e2e_dir(root).join("node_modules").join(".bin")
}

pub fn ensure(needs: Needs) -> Result<(), String> {
    let root = std::env::current_dir().map_err(|e| e.to_string())?;
    rust_target_and_components()?;
    wasm_bindgen(&root)?;
    trunk()?;
    if needs == Needs::Everything {
        node_tools(&root)?;
        chromium()?;
        nightly_for_bundle();
    }
    Ok(())
}

/// `trunk build --release`, the bundle a visitor downloads, built by nightly cargo with the
/// standard library rebuilt for size (`-Zbuild-std`, its `optimize_for_size` feature) and with
/// `panic = immediate-abort`: a panic traps at once, without formatting its message, so none of
/// the panic and formatting machinery that only panics need is shipped. Together they take
/// about 55 KB off the gzipped wasm (BENCHMARKS.md, bundle). Two more flags take 6.3 KB:
/// `-Zfmt-debug=none` makes every `{:?}` print nothing (the app shows no `Debug` text: only
/// tests and `Sim::trace_hash`, which the app never reads, format with it) and
/// `-Zlocation-detail=none` drops the file and line of panics it cannot report anyway. A panic
/// in that build is still shown to the visitor, by `static/boot.js`, without the message; debug
/// builds (`cargo xtask serve`, the web tests) keep the Rust panic hook and its message.
///
/// Falls back to stable, with a warning, when nightly, its `rust-src` or its wasm32 target is
/// missing and could not be installed.
pub fn release_build() -> Command {
    let mut c = Command::new("trunk");
    c.args(["build", "--release"]);
    if nightly_bundle_ready() {
        // Trunk runs `cargo`.
        nightly_cargo(&mut c)
            .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
            .env("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size")
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
                "-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none \
                 -Zlocation-detail=none",
            );
        println!("shipped bundle: nightly, std rebuilt for size, panic = immediate-abort");
    } else {
        println!(
            "warning: nightly with rust-src and wasm32-unknown-unknown is missing; the shipped \
             bundle is built with stable and is about 55 KB larger gzipped"
        );
    }
    c
}

/// Whether nightly has what [`release_build`] needs: `rust-src` and the wasm32 target.
fn nightly_bundle_ready() -> bool {
    nightly_rustlib().is_some_and(|rustlib| {
        rustlib.join("src/rust/library/std").is_dir()
            && rustlib.join("wasm32-unknown-unknown").is_dir()
    })
}

/// Nightly's `lib/rustlib` folder, if nightly can start.
fn nightly_rustlib() -> Option<PathBuf> {
    let sysroot =
        stdout_of(Command::new("rustup").args(["run", "nightly", "rustc", "--print", "sysroot"]))?;
    Some(PathBuf::from(sysroot.trim()).join("lib").join("rustlib"))
}

/// Makes `c` (a `cargo` or a tool that runs it) use nightly: the rustup proxy picks it from
/// RUSTUP_TOOLCHAIN, and the variables `cargo xtask` inherited from stable cargo must not point
/// it back there.
fn nightly_cargo(c: &mut Command) -> &mut Command {
    c.env("RUSTUP_TOOLCHAIN", "nightly")
        .env_remove("CARGO")
        .env_remove("RUSTC")
}

/// Installs what [`release_build`] needs, when missing. A failure is a warning: the bundle can
/// still be built with stable.
fn nightly_for_bundle() {
    if nightly_bundle_ready() {
        println!("ok: nightly with rust-src and wasm32-unknown-unknown (for the shipped bundle)");
        fetch_std_sources();
        return;
    }
    let steps: [&[&str]; 2] = [
        &["component", "add", "rust-src", "--toolchain", "nightly"],
        &[
            "target",
            "add",
            "wasm32-unknown-unknown",
            "--toolchain",
            "nightly",
        ],
    ];
    let installed = ensure_nightly().and_then(|()| {
        steps
            .iter()
            .try_for_each(|args| install(Command::new("rustup").args(*args), "install it by hand"))
    });
    match installed {
        Ok(()) => fetch_std_sources(),
        Err(e) => println!("warning: {e}"),
    }
}

/// Downloads the crates the standard library's own `Cargo.lock` names (and their index
/// entries). `-Zbuild-std` resolves that lock file, and Trunk runs cargo offline, so on a
/// machine whose registry cache has never seen them (a fresh one) the build fails with "no
/// matching package named `wasip1`". Quick when they are already there.
fn fetch_std_sources() {
    let Some(rustlib) = nightly_rustlib() else {
        return;
    };
    let manifest = rustlib.join("src/rust/library/Cargo.toml");
    let mut fetch = Command::new("cargo");
    nightly_cargo(&mut fetch)
        .arg("fetch")
        .arg("--manifest-path")
        .arg(&manifest)
        .args(["--target", "wasm32-unknown-unknown"]);
    if let Err(e) = install(&mut fetch, "run it by hand") {
        println!("warning: the standard library's sources for the shipped bundle: {e}");
    }
}

/// A nightly toolchain (minimal profile), for fuzzing and the shipped bundle: installed when
/// `rustup run nightly` cannot start its rustc.
pub fn ensure_nightly() -> Result<(), String> {
    if stdout_of(Command::new("rustup").args(["run", "nightly", "rustc", "-V"])).is_some() {
        return Ok(());
    }
    install(
        Command::new("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]),
        "install a nightly toolchain by hand",
    )
}

fn rust_target_and_components() -> Result<(), String> {
    let installed = stdout_of(Command::new("rustup").args(["target", "list", "--installed"]))
        .ok_or(
            "rustup is missing: install Rust with rustup (https://rustup.rs), then run this again",
        )?;
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        println!("ok: wasm32-unknown-unknown target");
    } else {
        install(
            Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
            "run `rustup target add wasm32-unknown-unknown` by hand",
        )?;
    }
    let has = |sub: &str| stdout_of(Command::new("cargo").args([sub, "--version"])).is_some();
    if has("fmt") && has("clippy") {
        println!("ok: rustfmt and clippy");
    } else {
        install(
            Command::new("rustup").args(["component", "add", "rustfmt", "clippy"]),
            "run `rustup component add rustfmt clippy` by hand",
        )?;
    }
    Ok(())
}

/// The wasm-bindgen CLI must be exactly the version of the `wasm-bindgen` crate in `Cargo.lock`,
/// and `Trunk.toml` must name the same version or Trunk would try to download its own.
fn wasm_bindgen(root: &Path) -> Result<(), String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| {
        format!("cannot read Cargo.lock ({e}); run `cargo generate-lockfile` first")
    })?;
    let wanted = locked_version(&lock, "wasm-bindgen")
        .ok_or("Cargo.lock has no wasm-bindgen package; does web/ still depend on it?")?;
    let trunk_toml = std::fs::read_to_string(root.join("Trunk.toml")).unwrap_or_default();
    match toml_string_value(&trunk_toml, "wasm_bindgen") {
        Some(v) if v == wanted => {}
        other => {
            return Err(format!(
                "Trunk.toml's [tools] wasm_bindgen is {other:?} but Cargo.lock has wasm-bindgen \
                 {wanted}; make them equal"
            ))
        }
    }
    let have = stdout_of(Command::new("wasm-bindgen").arg("--version")).unwrap_or_default();
    let runner = stdout_of(Command::new("wasm-bindgen-test-runner").arg("--version"));
    if have.split_whitespace().nth(1) == Some(wanted.as_str()) && runner.is_some() {
        println!("ok: wasm-bindgen {wanted}");
        return Ok(());
    }
    // Not `--locked`: one of the CLI's locked dependencies is no longer on the registry.
    install(
        cargo().args(["install", "wasm-bindgen-cli", "--version", &wanted]),
        &format!("run `cargo install wasm-bindgen-cli --version {wanted}` by hand"),
    )
}

fn trunk() -> Result<(), String> {
    let have = stdout_of(Command::new("trunk").arg("--version")).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(TRUNK_VERSION) {
        println!("ok: trunk {TRUNK_VERSION}");
        return Ok(());
    }
    println!("installing trunk {TRUNK_VERSION} (about 6 minutes on 2 cores)");
    install(
        cargo().args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]),
        &format!("run `cargo install trunk --version {TRUNK_VERSION} --locked` by hand"),
    )
}

/// `wasm-opt` (binaryen 132), `playwright-core` and `terser` (the release build's JS
/// minifier), pinned in `tests/e2e/package-lock.json`.
fn node_tools(root: &Path) -> Result<(), String> {
    let dir = e2e_dir(root);
    let wasm_opt = stdout_of(Command::new(node_bin(root).join("wasm-opt")).arg("--version"));
    let playwright = ["playwright-core", "terser"].iter().all(|p| {
        dir.join("node_modules")
            .join(p)
            .join("package.json")
            .is_file()
    });
    if let (Some(version), true) = (&wasm_opt, playwright) {
        println!("ok: {}, playwright-core and terser", version.trim());
        return Ok(());
    }
    if stdout_of(Command::new("npm").arg("--version")).is_none() {
        return Err(
            "npm is missing: install Node.js 20 or newer with npm, then run this again".into(),
        );
    }
    let mut npm = Command::new("npm");
    npm.current_dir(&dir)
        .args(["ci", "--no-audit", "--no-fund"]);
    install(
        &mut npm,
        "run `npm ci` in tests/e2e by hand (it installs binaryen, playwright-core and terser)",
    )
}

fn chromium() -> Result<(), String> {
    if Path::new(CHROMIUM).is_file() && Path::new(CHROMEDRIVER).is_file() {
        println!("ok: chromium and chromedriver");
        return Ok(());
    }
    let uid = stdout_of(Command::new("id").arg("-u")).unwrap_or_default();
    if uid.trim() != "0" {
        return Err(
            "Chromium is missing and installing it needs root: run `sudo apt-get install -y \
                    chromium chromium-driver`, then run this again"
                .into(),
        );
    }
    let hint = "run `apt-get update && apt-get install -y chromium chromium-driver` by hand";
    install(Command::new("apt-get").arg("update"), hint)?;
    install(
        Command::new("apt-get")
            .args([
                "install",
                "-y",
                "--no-install-recommends",
                "chromium",
                "chromium-driver",
            ])
            .env("DEBIAN_FRONTEND", "noninteractive"),
        hint,
    )
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs an installer with its output shown; on failure, one sentence with what to do by hand.
fn install(command: &mut Command, by_hand: &str) -> Result<(), String> {
    let shown = crate::show(command);
    println!("installing: {shown}");
    match command.status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!(
            "`{shown}` failed ({status}); {by_hand}, then run this again"
        )),
        Err(e) => Err(format!(
            "cannot start `{shown}` ({e}); {by_hand}, then run this again"
        )),
    }
}

/// A command's stdout if it ran and succeeded; `None` if it is missing or failed.
fn stdout_of(command: &mut Command) -> Option<String> {
    let out = command.stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The version of a package in `Cargo.lock` (the first, if several).
fn locked_version(lock: &str, package: &str) -> Option<String> {
    let wanted = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let next = lines.next()?;
            return toml_string_value(next, "version");
        }
    }
    None
}

/// The string value of `key = "value"` on the first line that sets `key`.
fn toml_string_value(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (k, v) = line.split_once('=')?;
        if k.trim() != key {
            return None;
        }
        Some(v.trim().trim_matches('"').to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_locked_version() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"1.0.0\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(locked_version(lock, "yew"), None);
    }

    #[test]
    fn reads_a_trunk_tool_version() {
        let toml = "[tools]\n# comment\nwasm_bindgen = \"0.2.130\"\nwasm_opt = \"version_132\"\n";
        assert_eq!(
            toml_string_value(toml, "wasm_bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            toml_string_value(toml, "wasm_opt").as_deref(),
            Some("version_132")
        );
    }
}
