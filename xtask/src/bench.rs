//! `cargo xtask bench [--quick]`: runs every benchmark, prints one line per figure,
//! `BENCH <name> <value> <unit>`, and writes `BENCHMARKS.md` (with the growth chart
//! `tests/bench/growth.svg`).
//!
//! The figures come from programs that time themselves and print `BENCH` lines, so nothing here
//! parses a human-oriented report:
//! * native: the bench binary `tests/src/bin/bench.rs` (std::time::Instant, median of runs; a
//!   counting allocator for memory);
//! * peers: `tests/bench/kafka_python_assignors.py` in a venv under `.tools/py` (git-ignored);
//! * browser: `tests/e2e/bench.mjs`, which runs the same workloads compiled to wasm
//!   (`tests/wasm-bench`) in headless Chromium, timed with `performance.now()` in the page, and
//!   loads the built app (`dist/`) for the time to the first drawn cluster;
//! * criterion (full run only): `cargo bench -p logscope-tests`, read back from criterion's own
//!   `target/bench-native/criterion/**/new/estimates.json`, as a statistical cross-check.
//!
//! Everything is built before anything is measured, two builds at a time ([`build_all`]).
//!
//! Not part of `cargo xtask test`: CI runs the tests, this measures.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Instant, SystemTime};

use crate::{cargo, cmd, gzip_len, server, show, tools, Steps};

/// The kafka-python release the peer figures are taken with.
const KAFKA_PYTHON: &str = "kafka-python==3.0.12";
/// Apache Kafka's Java scale test (`testLargeAssignmentAndGroupWithUniformSubscription`) allows
/// this long for both rounds.
const JAVA_SCALE_TEST_TIMEOUT_S: f64 = 30.0;

#[derive(Clone, Debug)]
struct Figure {
    value: f64,
    unit: String,
}

type Figures = BTreeMap<String, Figure>;

pub fn run(root: &Path, quick: bool) -> ExitCode {
    let started = Instant::now();
    let load_start = loadavg();
    let mut figs = Figures::new();
    let mut problems: Vec<String> = Vec::new();
    let mut run = Steps::default();
    let mode = if quick { "--quick" } else { "full" };
    if !run.step("tools: install what is missing", || {
        tools::ensure(tools::Needs::Everything)
    }) {
        return run.finish();
    }

    // Every build first, two at a time, and only then any measuring: a fat-LTO link runs on one
    // core, and nothing may compete with the measurements for the machine.
    let www = root.join("target").join("bench").join("www");
    let dist = root.join("dist");
    let native = native_target_dir(root);
    let mut builds: Vec<(String, String)> = Vec::new();
    let builds_started = Instant::now();
    let mut built = [false; 3];
    run.step(
        "builds (native benches | wasm workloads, then the app)",
        || {
            let (n, w, a) = build_all(root, &native, &www, quick, &mut builds);
            built = [n.is_ok(), w.is_ok(), a.is_ok()];
            let failed: Vec<String> = [n, w, a].into_iter().filter_map(Result::err).collect();
            if failed.is_empty() {
                Ok(())
            } else {
                Err(failed.join("; "))
            }
        },
    );
    let [native_built, wasm_ok, app_ok] = built;
    let builds_s = builds_started.elapsed().as_secs_f64();

    let mut args = vec!["run"];
    args.extend(NATIVE_BENCH);
    args.push("--");
    if quick {
        args.push("--quick");
    }
    if !native_built {
        run.skip("native benches", "their build failed");
        problems.push("the native benches were not built; their figures are missing".into());
    } else if !run.step("native benches (tests/src/bin/bench.rs)", || {
        capture(
            cargo().env("CARGO_TARGET_DIR", &native).args(&args),
            &mut figs,
        )
    }) {
        problems.push("the native bench binary failed; its figures are missing".into());
    }

    if let Err(e) = step_result(&mut run, "peer: kafka-python's assignors", || {
        kafka_python(root, quick, &mut figs)
    }) {
        problems.push(format!("kafka-python could not be run: {e}"));
    }

    if quick {
        println!("\n==> criterion benches: not run with --quick (a full run runs them)");
    } else if !native_built {
        run.skip("criterion benches", "their build failed");
        problems.push("the criterion benches were not built; see the log of this run".into());
    } else if !run.step("criterion benches (cargo bench -p logscope-tests)", || {
        criterion(&native, &mut figs)
    }) {
        problems.push("the criterion benches failed; see the log of this run".into());
    }

    if wasm_ok && app_ok {
        if !run.step("browser benches in headless Chromium", || {
            browser(root, &native, &www, &dist, quick, &builds, &mut figs)
        }) {
            problems.push("the browser benches failed; their figures are missing".into());
        }
        run.step("shipped sizes (wasm + JS + CSS)", || {
            bundle(&dist, &mut figs)
        });
    } else {
        run.skip("browser benches", "a build they need failed");
        problems.push("the browser benches were not run: a build failed".into());
    }

    add_ratios(&mut figs);
    let took = started.elapsed().as_secs_f64();
    run.step("write BENCHMARKS.md and tests/bench/growth.svg", || {
        let svg = growth_svg(&figs);
        std::fs::write(root.join("tests/bench/growth.svg"), svg)
            .map_err(|e| format!("cannot write tests/bench/growth.svg: {e}"))?;
        let md = report(&figs, quick, took, builds_s, &problems, &load_start);
        std::fs::write(root.join("BENCHMARKS.md"), md)
            .map_err(|e| format!("cannot write BENCHMARKS.md: {e}"))?;
        println!("wrote BENCHMARKS.md ({mode}, {took:.0} s of measuring and building)");
        Ok(())
    });
    run.finish()
}

/// [`Steps::step`], keeping the error for the report.
fn step_result(
    run: &mut Steps,
    name: &str,
    body: impl FnOnce() -> Result<(), String>,
) -> Result<(), String> {
    let mut kept = Ok(());
    run.step(name, || {
        let r = body();
        kept.clone_from(&r);
        r
    });
    kept
}

/// Runs a command with stdout piped: echoes every line and keeps the `BENCH` ones.
fn capture(command: &mut Command, figs: &mut Figures) -> Result<(), String> {
    let shown = show(command);
    println!("$ {shown}");
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines() {
            let line = line.map_err(|e| format!("reading `{shown}`: {e}"))?;
            println!("{line}");
            if let Some((name, fig)) = parse_line(&line) {
                figs.insert(name, fig);
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

fn parse_line(line: &str) -> Option<(String, Figure)> {
    let mut parts = line.split_whitespace();
    if parts.next()? != "BENCH" {
        return None;
    }
    let name = parts.next()?.to_string();
    let value: f64 = parts.next()?.parse().ok()?;
    let unit = parts.collect::<Vec<_>>().join(" ");
    value.is_finite().then_some((name, Figure { value, unit }))
}

fn put(figs: &mut Figures, name: &str, value: f64, unit: &str) {
    println!("BENCH {name} {} {unit}", fmt_num(value));
    figs.insert(
        name.to_string(),
        Figure {
            value,
            unit: unit.to_string(),
        },
    );
}

/// kafka-python from PyPI in `.tools/py`, then its assignors on our inputs.
fn kafka_python(root: &Path, quick: bool, figs: &mut Figures) -> Result<(), String> {
    let venv = root.join(".tools").join("py");
    let python = venv.join("bin").join("python");
    if !python.exists() {
        cmd(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    }
    let installed = Command::new(&python)
        .args(["-c", "import kafka; print(kafka.__version__)"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    if format!("kafka-python=={installed}") != KAFKA_PYTHON {
        cmd(Command::new(&python).args(["-m", "pip", "install", "-q", KAFKA_PYTHON]))?;
    }
    let mut c = Command::new(&python);
    c.arg(root.join("tests/bench/kafka_python_assignors.py"));
    if quick {
        c.arg("--quick");
    }
    capture(&mut c, figs)
}

/// The native bench binary, as cargo names it: its package, target and profile (built by
/// [`build_all`], run by the native step and, for the paired rounds, by bench.mjs).
const NATIVE_BENCH: [&str; 6] = [
    "--profile",
    "bench",
    "-p",
    "logscope-tests",
    "--bin",
    "bench",
];

/// The workspace's target directory (`CARGO_TARGET_DIR` if set).
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// Where the native bench binary and the criterion benches are built: a target directory of
/// their own, so that their build can run beside the wasm builds (cargo locks a target
/// directory for one build at a time).
fn native_target_dir(root: &Path) -> PathBuf {
    target_dir(root).join("bench-native")
}

/// Builds everything the measuring steps run, in two lanes at once: the native bench binary and
/// (full run) the criterion benches in `native`; the wasm workloads and then the shipped app in
/// the main target directory (where `cargo xtask test` leaves the app's build). Each release
/// build links with fat LTO into one codegen unit, which keeps one core busy for a minute or
/// more, so one lane at a time left the second core idle for most of the build. Each lane's
/// output goes to a log under `target/bench/`; a failure prints its end. Returns each part's
/// result: native, wasm workloads, app.
fn build_all(
    root: &Path,
    native: &Path,
    www: &Path,
    quick: bool,
    builds: &mut Vec<(String, String)>,
) -> (Result<(), String>, Result<(), String>, Result<(), String>) {
    let logs = root.join("target").join("bench");
    if let Err(e) = std::fs::create_dir_all(&logs) {
        let e = format!("{}: {e}", logs.display());
        return (Err(e.clone()), Err(e.clone()), Err(e));
    }
    let native_log = logs.join("build-native.log");
    let web_log = logs.join("build-wasm.log");
    // Each run's logs are its own.
    let _ = std::fs::remove_file(&native_log);
    let _ = std::fs::remove_file(&web_log);
    println!(
        "building in two lanes; their output: {} and {}",
        native_log.display(),
        web_log.display()
    );
    std::thread::scope(|s| {
        let native_lane = s.spawn(|| {
            let started = Instant::now();
            let mut r = logged(
                cargo()
                    .env("CARGO_TARGET_DIR", native)
                    .arg("build")
                    .args(NATIVE_BENCH),
                &native_log,
            );
            if r.is_ok() && !quick {
                r = logged(
                    cargo().env("CARGO_TARGET_DIR", native).args([
                        "bench",
                        "--no-run",
                        "-p",
                        "logscope-tests",
                        "--benches",
                    ]),
                    &native_log,
                );
            }
            println!("native lane done in {:.0?}", started.elapsed());
            r
        });
        let started = Instant::now();
        let wasm = wasm_builds(root, www, quick, &web_log, builds);
        let app = logged(&mut tools::release_build(), &web_log);
        println!("wasm lane done in {:.0?}", started.elapsed());
        let native = native_lane
            .join()
            .unwrap_or_else(|_| Err("the native build lane panicked".into()));
        (native, wasm, app)
    })
}

/// Runs a command with its output appended to `log`; on failure prints the log's last lines.
fn logged(command: &mut Command, log: &Path) -> Result<(), String> {
    let shown = show(command);
    println!("$ {shown}  (output: {})", log.display());
    let open = || {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|e| format!("{}: {e}", log.display()))
    };
    let status = command
        .stdout(open()?)
        .stderr(open()?)
        .status()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    if status.success() {
        return Ok(());
    }
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    for line in &lines[lines.len().saturating_sub(40)..] {
        println!("  | {line}");
    }
    Err(format!(
        "`{shown}` failed ({status}); its output is in {}",
        log.display()
    ))
}

/// `cargo bench -p logscope-tests` (built by [`build_all`] in `native`), then each benchmark's
/// median from criterion's estimates.
fn criterion(native: &Path, figs: &mut Figures) -> Result<(), String> {
    let since = SystemTime::now();
    cmd(cargo().env("CARGO_TARGET_DIR", native).args([
        "bench",
        "-p",
        "logscope-tests",
        "--benches",
    ]))?;
    let dir = native.join("criterion");
    let groups = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut found = 0;
    for group in groups.flatten() {
        let Ok(benches) = std::fs::read_dir(group.path()) else {
            continue;
        };
        for bench in benches.flatten() {
            let est = bench.path().join("new").join("estimates.json");
            let fresh = std::fs::metadata(&est)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= since);
            if !fresh {
                continue;
            }
            let text = std::fs::read_to_string(&est).map_err(|e| e.to_string())?;
            if let Some(ns) = json_median(&text) {
                let name = format!(
                    "criterion.{}.{}",
                    group.file_name().to_string_lossy(),
                    bench.file_name().to_string_lossy()
                );
                put(figs, &name, ns / 1e6, "ms");
                found += 1;
            }
        }
    }
    if found == 0 {
        return Err("criterion wrote no estimates".into());
    }
    Ok(())
}

/// `"median":{…"point_estimate":N…}` of criterion's estimates.json (nanoseconds).
fn json_median(text: &str) -> Option<f64> {
    let at = text.find("\"median\":")?;
    let rest = &text[at..];
    let p = rest.find("\"point_estimate\":")? + "\"point_estimate\":".len();
    let num: String = rest[p..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        .collect();
    num.parse().ok()
}

/// Builds `tests/wasm-bench` for wasm32 with the profile the app ships with (`release`,
/// opt-level "s") and, in a full run, with the native benches' profile (`bench`, opt-level 3),
/// and lays out the page that runs them.
fn wasm_builds(
    root: &Path,
    www: &Path,
    quick: bool,
    log: &Path,
    builds: &mut Vec<(String, String)>,
) -> Result<(), String> {
    std::fs::create_dir_all(www).map_err(|e| format!("{}: {e}", www.display()))?;
    std::fs::copy(root.join("tests/e2e/bench.html"), www.join("index.html"))
        .map_err(|e| format!("cannot copy tests/e2e/bench.html: {e}"))?;
    // Both profiles put the final artifact in `release/` (the bench profile's folder is
    // `release`), so each is copied out right after its build.
    let built = target_dir(root)
        .join("wasm32-unknown-unknown/release")
        .join("logscope_wasm_bench.wasm");
    let mut variants = vec![("wasm", "--release", "bench-release.wasm")];
    if !quick {
        variants.push(("wasm_o3", "--profile=bench", "bench-o3.wasm"));
    }
    for (prefix, profile, file) in variants {
        logged(
            cargo().args([
                "build",
                "-p",
                "logscope-wasm-bench",
                "--target",
                "wasm32-unknown-unknown",
                profile,
            ]),
            log,
        )?;
        std::fs::copy(&built, www.join(file))
            .map_err(|e| format!("cannot copy {}: {e}", built.display()))?;
        builds.push((prefix.to_string(), file.to_string()));
    }
    Ok(())
}

fn browser(
    root: &Path,
    native: &Path,
    www: &Path,
    dist: &Path,
    quick: bool,
    builds: &[(String, String)],
    figs: &mut Figures,
) -> Result<(), String> {
    let bench_server = server::start(www.to_path_buf())
        .map_err(|e| format!("cannot serve {} on loopback: {e}", www.display()))?;
    let app_server = server::start(dist.to_path_buf())
        .map_err(|e| format!("cannot serve dist/ on loopback: {e}"))?;
    let mut c = Command::new("node");
    c.arg(root.join("tests/e2e/bench.mjs"))
        .arg(format!("http://{}/", bench_server.addr()))
        .arg(format!("http://{}/", app_server.addr()))
        .arg(if quick { "quick" } else { "full" });
    for (prefix, file) in builds {
        c.arg(format!("{prefix}={file}"));
    }
    // The native bench's `paired` section, which bench.mjs runs back to back with the same work
    // in wasm (built by `build_all` already, so cargo only checks it is fresh).
    let program = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut argv = vec![program.as_str(), "run", "-q"];
    argv.extend(NATIVE_BENCH);
    argv.extend(["--", "paired"]);
    let json: Vec<String> = argv.iter().map(|a| json_string(a)).collect();
    c.env("LOGSCOPE_NATIVE_PAIRED", format!("[{}]", json.join(",")))
        .env("CARGO_TARGET_DIR", native);
    capture(&mut c, figs)
}

/// `s` as a JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// What a visitor downloads, raw and gzipped (`gzip -9`, as `cargo xtask test` reports it).
fn bundle(dist: &Path, figs: &mut Figures) -> Result<(), String> {
    let entries = std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    let mut by_kind: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for path in entries.flatten().map(|e| e.path()) {
        let kind = match path.extension().and_then(|x| x.to_str()) {
            Some("wasm") => "wasm",
            Some("js") => "js",
            Some("css") => "css",
            _ => continue,
        };
        let raw = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
        let gz = gzip_len(&path)?;
        let e = by_kind.entry(kind).or_default();
        e.0 += raw;
        e.1 += gz;
    }
    if by_kind.is_empty() {
        return Err("dist/ holds no .wasm, .js or .css file".into());
    }
    let (mut raw, mut gz) = (0, 0);
    for (kind, (r, g)) in &by_kind {
        put(figs, &format!("bundle.{kind}_raw"), kib(*r), "KiB");
        put(figs, &format!("bundle.{kind}_gzip"), kib(*g), "KiB");
        raw += r;
        gz += g;
    }
    put(figs, "bundle.total_raw", kib(raw), "KiB");
    put(figs, "bundle.total_gzip", kib(gz), "KiB");
    // The issues' target is "400 KB": checked in bytes, not KiB (which would allow 409,600).
    put(figs, "bundle.total_gzip_bytes", gz as f64, "bytes");
    // The guided tours are fetched when one is opened, not with the page: reported beside it.
    let (mut tours, mut tours_gz, mut files) = (0, 0, 0);
    if let Ok(entries) = std::fs::read_dir(dist.join("tours")) {
        for path in entries.flatten().map(|e| e.path()) {
            tours += std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
            tours_gz += gzip_len(&path)?;
            files += 1;
        }
    }
    put(
        figs,
        "bundle.tours_on_demand_files",
        f64::from(files),
        "files",
    );
    put(figs, "bundle.tours_on_demand_raw", kib(tours), "KiB");
    put(figs, "bundle.tours_on_demand_gzip", kib(tours_gz), "KiB");
    // The Korean text likewise: fetched when the page opens in Korean or switches to it.
    let korean = dist.join("i18n").join("ko.txt");
    let korean_raw = std::fs::metadata(&korean)
        .map_err(|e| {
            format!(
                "{}: {e} (the Korean text belongs in dist/)",
                korean.display()
            )
        })?
        .len();
    put(figs, "bundle.korean_on_demand_raw", kib(korean_raw), "KiB");
    put(
        figs,
        "bundle.korean_on_demand_gzip_bytes",
        gzip_len(&korean)? as f64,
        "bytes",
    );
    Ok(())
}

fn kib(bytes: u64) -> f64 {
    bytes as f64 / 1024.0
}

/// The workloads measured both natively and in wasm: (name, higher is better).
const PAIRED: [(&str, bool); 16] = [
    ("engine.records_per_s", true),
    ("engine.ns_per_event_loaded", false),
    ("engine.ns_per_event_idle", false),
    ("timeline.seek_back_100k_ms", false),
    ("timeline.step_back_ms", false),
    ("timeline.step_back_max_ms", false),
    ("assign.range.scale_s", false),
    ("assign.roundrobin.scale_s", false),
    ("assign.sticky.round1_s", false),
    ("assign.sticky.round2_s", false),
    ("assign.sticky.both_rounds_s", false),
    ("assign.cooperative-sticky.round1_s", false),
    ("assign.cooperative-sticky.round2_s", false),
    ("assign.cooperative-sticky.both_rounds_s", false),
    ("scenario.parse_lines_per_s", true),
    ("storage.log_append_1m_s", false),
];

/// How many times slower wasm is than native (above 1: slower), for each paired figure.
fn add_ratios(figs: &mut Figures) {
    for prefix in ["wasm", "wasm_o3"] {
        for (name, higher_better) in PAIRED {
            let (Some(n), Some(w)) = (figs.get(name), figs.get(&format!("{prefix}.{name}"))) else {
                continue;
            };
            let r = if higher_better {
                n.value / w.value
            } else {
                w.value / n.value
            };
            put(figs, &format!("ratio.{prefix}.{name}"), r, "x");
        }
    }
}

fn fmt_num(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.3}")
    } else {
        format!("{v:.6}")
    }
}

/// A figure for people: thousands separated, three significant digits below 100.
fn human(v: f64) -> String {
    if v.abs() >= 1000.0 {
        let s = format!("{:.0}", v.abs());
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if v < 0.0 {
            out.insert(0, '-');
        }
        out
    } else if v.abs() >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else if v == 0.0 {
        "0".into()
    } else {
        let digits = (2 - v.abs().log10().floor() as i32).clamp(3, 9) as usize;
        format!("{v:.digits$}")
    }
}

#[derive(Clone, Copy)]
enum Target {
    AtLeast(f64),
    AtMost(f64),
}

impl Target {
    fn show(self, unit: &str) -> String {
        match self {
            Target::AtLeast(v) => format!("≥ {} {unit}", human(v)),
            Target::AtMost(v) => format!("< {} {unit}", human(v)),
        }
    }
    fn met(self, v: f64) -> bool {
        match self {
            Target::AtLeast(t) => v >= t,
            Target::AtMost(t) => v < t,
        }
    }
}

/// The figures with a target: (figure, what it is, target, where the target is set).
fn targets() -> Vec<(&'static str, &'static str, Target, &'static str)> {
    use Target::*;
    vec![
        ("engine.records_per_s", "Engine, native: records/s through 3 brokers, RF 3, acks=all, one producer (1,000,000 records)", AtLeast(1_000_000.0), "#3"),
        ("timeline.seek_back_100k_ms", "Engine, native: `Timeline::seek` back 100,000 events (200,000-event run; median of 10 starting points)", AtMost(50.0), "#3"),
        ("assign.range.scale_s", "Assignor `range`, native: Kafka's scale test (2,000 members, 1,000,000 partitions)", AtMost(0.5), "#4"),
        ("assign.roundrobin.scale_s", "Assignor `roundrobin`, native: scale test", AtMost(0.5), "#4"),
        ("assign.sticky.both_rounds_s", "Assignor `sticky`, native: scale test, both rounds", AtMost(3.0), "#4"),
        ("assign.cooperative-sticky.both_rounds_s", "Assignor `cooperative-sticky`, native: scale test, both rounds", AtMost(3.0), "#4"),
        ("storage.log_append_1m_s", "Log append with indexing, native: 1,000,000 records, 100 a batch (segments, offset and time index)", AtMost(1.0), "#5"),
        ("storage.compact_1m_10k_keys_s", "Compaction, native: one cleaner pass over 1,000,000 records with 10,000 keys", AtMost(1.0), "#5"),
        ("wasm.interleaved.ratio.engine.records_per_s", "wasm/native: engine records/s (wasm as shipped, opt-level s), interleaved: the median of the rounds' ratios (7; 3 with --quick), each round one native run and one wasm run back to back", AtMost(2.0), "#10"),
        ("wasm.interleaved.ratio.timeline.seek_back_100k_ms", "wasm/native: seek back 100,000 events (each side the median of 3 rounds of the 10 starting points), interleaved the same way", AtMost(2.0), "#10"),
        ("ratio.wasm.assign.range.scale_s", "wasm/native: `range` scale test", AtMost(2.0), "#4, #10"),
        ("ratio.wasm.assign.roundrobin.scale_s", "wasm/native: `roundrobin` scale test", AtMost(2.0), "#4, #10"),
        ("ratio.wasm.assign.sticky.both_rounds_s", "wasm/native: `sticky` scale test, both rounds", AtMost(2.0), "#4, #10"),
        ("ratio.wasm.assign.cooperative-sticky.both_rounds_s", "wasm/native: `cooperative-sticky` scale test, both rounds", AtMost(2.0), "#4, #10"),
        ("wasm.timeline.step_back_max_ms", "Browser (wasm): engine step back, worst of 20 places in a 100,000-event run (engine only, no redraw)", AtMost(50.0), "#7"),
        ("wasm.heap_after_100k_events", "Browser (wasm): heap after a 100,000-event run (linear memory high-water mark)", AtMost(100.0), "#10"),
        ("browser.first_drawn_cluster_ms", "Browser: navigation to the first frame with the cluster drawn (median of loads)", AtMost(1500.0), "#7"),
        ("browser.large_cluster.frame_ms_p95_1x", "Browser: time per animation frame (simulation + render), 95th percentile, issue 7's large cluster at 1×", AtMost(16.0), "#7"),
        ("browser.large_cluster.frame_ms_p95_100x", "Browser: the same at 100× (messages in flight are not drawn while the run plays faster than 10×; the simulation gets what the drawing leaves of a display frame, or of two when drawing alone fills one, and stops at that deadline: `web/src/pacing.rs`)", AtMost(16.0), "#7"),
        ("browser.large_cluster.step_back_max_ms", "Browser: one step back in the page (click to redrawn), worst of the places tried in a 100,000-event run of the large cluster", AtMost(50.0), "#7"),
        ("bundle.total_gzip_bytes", "Shipped wasm + JS + CSS, gzipped (the issues' \"400 KB\" as 400,000 bytes; 400 KiB would be 409,600)", AtMost(400_000.0), "#7, #10"),
    ]
}

/// Other work on the machine slows every figure: the load average says how busy it was.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}

fn machine(load_start: &str) -> Vec<(String, String)> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown".to_string(), |(_, m)| m.trim().to_string());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            let l = m.lines().find(|l| l.starts_with("MemTotal:"))?;
            let kb: f64 = l.split_whitespace().nth(1)?.parse().ok()?;
            Some(format!("{:.1} GiB", kb / 1_048_576.0))
        })
        .unwrap_or_else(|| "unknown".into());
    let out = |program: &str, args: &[&str]| -> String {
        Command::new(program)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| {
                let s = String::from_utf8_lossy(&o.stdout).trim().to_string();
                s.lines().next().unwrap_or("").to_string()
            })
            .unwrap_or_else(|| "not found".into())
    };
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());

    vec![
        (
            "CPU".into(),
            format!(
                "{model} ({cores} logical cores, nproc {})",
                out("nproc", &[])
            ),
        ),
        ("Memory".into(), mem),
        ("OS".into(), out("uname", &["-sr"])),
        ("rustc".into(), out("rustc", &["--version"])),
        ("Node".into(), out("node", &["--version"])),
        ("Chromium".into(), out(&chromium, &["--version"])),
        (
            "Python (peer)".into(),
            out(".tools/py/bin/python", &["--version"]),
        ),
        (
            "Load average (1, 5, 15 min) at the start of the run, and at its end".into(),
            format!("{load_start}; {}", loadavg()),
        ),
    ]
}

/// The unit of a figure with a target, for when it was not measured.
fn unit_for(name: &str) -> &'static str {
    if name.starts_with("ratio.") || name.contains(".ratio.") {
        "x"
    } else if name.ends_with("records_per_s") {
        "records/s"
    } else if name.ends_with("_ms") {
        "ms"
    } else if name.ends_with("_s") {
        "s"
    } else if name.starts_with("bundle.") {
        "KiB"
    } else {
        "MB"
    }
}

fn val(figs: &Figures, name: &str) -> Option<f64> {
    figs.get(name).map(|f| f.value)
}

fn cell(figs: &Figures, name: &str) -> String {
    match figs.get(name) {
        Some(f) => format!("{} {}", human(f.value), f.unit),
        None => "not measured".into(),
    }
}

fn report(
    figs: &Figures,
    quick: bool,
    took_s: f64,
    builds_s: f64,
    problems: &[String],
    load_start: &str,
) -> String {
    let mut md = String::new();
    let date = Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let command = if quick {
        "cargo xtask bench --quick"
    } else {
        "cargo xtask bench"
    };
    let w = &mut md;
    let _ = writeln!(w, "# Benchmarks\n");
    let _ = writeln!(
        w,
        "Written by `{command}` on {date}; the run took {took_s:.0} s with its builds \
         ({builds_s:.0} s of building first, two builds at a time, then the measuring). Every \
         figure below was measured in that run, on the machine below; reproduce them with \
         `{command}` (`cargo xtask bench` is the full run; `--quick` does fewer runs, shorter \
         growth series and no criterion). \
         Each line of the run's output is `BENCH <name> <value> <unit>`; the names are given here \
         in `code`.\n"
    );
    let _ = writeln!(w, "## Machine\n");
    for (k, v) in machine(load_start) {
        let _ = writeln!(w, "- {k}: {v}");
    }
    let _ = writeln!(w);
    if !problems.is_empty() {
        let _ = writeln!(w, "**This run had problems:**\n");
        for p in problems {
            let _ = writeln!(w, "- {p}");
        }
        let _ = writeln!(w);
    }

    let _ = writeln!(w, "## Targets\n");
    let _ = writeln!(w, "| Figure | Measured | Target | Result | Issue |");
    let _ = writeln!(w, "| --- | --- | --- | --- | --- |");
    for (name, what, target, issue) in targets() {
        let unit = figs.get(name).map_or(unit_for(name), |f| f.unit.as_str());
        let (measured, result) = match val(figs, name) {
            Some(v) => (
                format!("{} {unit}", human(v)),
                if target.met(v) { "pass" } else { "**miss**" },
            ),
            None => ("not measured".into(), "—"),
        };
        let _ = writeln!(
            w,
            "| {what} (`{name}`) | {measured} | {} | {result} | {issue} |",
            target.show(unit)
        );
    }
    if let Some(both) = val(figs, "assign.sticky.both_rounds_s") {
        let coop = val(figs, "assign.cooperative-sticky.both_rounds_s").unwrap_or(f64::NAN);
        let _ = writeln!(
            w,
            "\nAgainst Apache Kafka's own bar: the Java scale test \
             (`AbstractStickyAssignorTest.testLargeAssignmentAndGroupWithUniformSubscription`) \
             allows {JAVA_SCALE_TEST_TIMEOUT_S:.0} s for both rounds; logscope's `sticky` takes \
             {} s ({:.1}% of it) and `cooperative-sticky` {} s ({:.1}%) natively{}. Kafka's Java \
             assignor itself could not be run here (see below).",
            human(both),
            both / JAVA_SCALE_TEST_TIMEOUT_S * 100.0,
            human(coop),
            coop / JAVA_SCALE_TEST_TIMEOUT_S * 100.0,
            match (
                val(figs, "wasm.assign.sticky.both_rounds_s"),
                val(figs, "wasm.assign.cooperative-sticky.both_rounds_s"),
            ) {
                (Some(a), Some(b)) =>
                    format!(", and {} s and {} s in the browser", human(a), human(b)),
                _ => String::new(),
            }
        );
    }

    let _ = writeln!(w, "\n## Native\n");
    let _ = writeln!(
        w,
        "`tests/src/bin/bench.rs`, built with the `bench` profile (opt-level 3, LTO); each figure \
         is the median of several runs timed with `std::time::Instant`. Heap figures are the \
         peak of live heap bytes while the workload ran, from a counting global allocator in \
         the bench binary.\n"
    );
    let _ = writeln!(w, "| Figure | Value |");
    let _ = writeln!(w, "| --- | --- |");
    let native = [
        ("engine.records_per_s", "records/s, 3 brokers, RF 3, acks=all, one producer, 1,000,000 records (bursts of 100,000, each settled)"),
        ("engine.ns_per_event_loaded", "ns per simulated event in that run (an event carries a whole batch)"),
        ("engine.ns_per_event_idle", "ns per simulated event, idle cluster (heartbeats, fetch long-polls), 500,000 events"),
        ("timeline.record_200k_s", "recording a 200,000-event timeline (10 records every 100 ms, as the page runs)"),
        ("timeline.heap_200k", "heap of that timeline (inputs and checkpoints)"),
        ("timeline.seek_back_100k_ms", "`Timeline::seek` back 100,000 events, median of 10 starting points from 100,000 events in to the end"),
        ("timeline.heap_100k", "heap of a 100,000-event timeline"),
        ("timeline.checkpoints_100k", "its checkpoints (bounded at 64)"),
        ("timeline.step_back_ms", "one step back, median of 20 places in the 100,000-event run"),
        ("timeline.step_back_max_ms", "one step back, worst of those 20"),
        ("assign.range.scale_s", "`range`, scale test"),
        ("assign.roundrobin.scale_s", "`roundrobin`, scale test"),
        ("assign.sticky.round1_s", "`sticky`, scale test, round 1 (nobody owns anything)"),
        ("assign.sticky.round2_s", "`sticky`, round 2 (every member reports what it owns)"),
        ("assign.sticky.both_rounds_s", "`sticky`, both rounds"),
        ("assign.sticky.round2_heap", "`sticky`, heap of round 2"),
        ("assign.cooperative-sticky.round1_s", "`cooperative-sticky`, round 1"),
        ("assign.cooperative-sticky.round2_s", "`cooperative-sticky`, round 2"),
        ("assign.cooperative-sticky.both_rounds_s", "`cooperative-sticky`, both rounds"),
        ("assign.cooperative-sticky.round2_heap", "`cooperative-sticky`, heap of round 2"),
        ("scenario.parse_lines_per_s", "scenario language: lines/s read and parsed (10,000-line script; no simulation)"),
        ("storage.log_append_1m_s", "appending 1,000,000 records to one replica's log, 100 a batch, with Kafka's default segment and index settings"),
        ("storage.compact_1m_10k_keys_s", "one cleaner pass over a compacted log of 1,000,000 records with 10,000 keys (1 MiB segments)"),
        ("process.vm_hwm", "peak resident set of the bench process (VmHWM)"),
    ];
    for (name, what) in native {
        let _ = writeln!(w, "| {what} (`{name}`) | {} |", cell(figs, name));
    }

    let _ = writeln!(w, "\n## In the browser\n");
    let _ = writeln!(
        w,
        "Headless Chromium on loopback (`tests/e2e/bench.mjs`). The same workloads as natively, \
         from `tests/wasm-bench` (the workloads as plain wasm exports, no JS glue), timed with \
         `performance.now()` inside the page: one cold run first (V8 compiles wasm in a baseline \
         tier and optimises in the background), then the median of the runs after it. Two builds: \
         **as shipped** (the `release` profile: opt-level \"s\", LTO, stable; the app itself is \
         built for size further, with the `web` profile under nightly: see Bundle) and \
         **opt-level 3** (the `bench` profile of the native figures; full run only), so the \
         ratio separates the cost of wasm from the cost of optimising for size. Ratio: how many \
         times slower than native (1.00 = as fast). The native and browser figures of this table \
         are taken minutes apart on a machine that may be shared (see the load average above), \
         and its speed has changed several-fold between them (the same code gave 1.07× and \
         2.83× in one day), so a ratio here can say more about the host than about wasm; a \
         ratio below 1 means the native run met more contention. The two ratios with a target \
         are therefore also taken **interleaved** (the table after this one): rounds of one \
         native run (the native bench's `paired` section) and one wasm run back to back, the \
         order alternating, and the median of the rounds' ratios.\n"
    );
    let _ = writeln!(
        w,
        "| Workload | Native | wasm as shipped | ratio | wasm opt-level 3 | ratio |"
    );
    let _ = writeln!(w, "| --- | --- | --- | --- | --- | --- |");
    for (name, _) in PAIRED {
        let _ = writeln!(
            w,
            "| `{name}` | {} | {} | {} | {} | {} |",
            cell(figs, name),
            cell(figs, &format!("wasm.{name}")),
            val(figs, &format!("ratio.wasm.{name}")).map_or("—".into(), |r| format!("{r:.2}×")),
            cell(figs, &format!("wasm_o3.{name}")),
            val(figs, &format!("ratio.wasm_o3.{name}"))
                .map_or("—".into(), |r| format!("{r:.2}×")),
        );
    }
    let _ = writeln!(
        w,
        "\n| Interleaved wasm/native ratio | Median of the rounds | Worst round |"
    );
    let _ = writeln!(w, "| --- | --- | --- |");
    for (name, what) in [
        (
            "engine.records_per_s",
            "engine records/s, one run of 1,000,000 records a side",
        ),
        (
            "timeline.seek_back_100k_ms",
            "seek back 100,000 events, median of 3 rounds of the 10 places a side",
        ),
    ] {
        let _ = writeln!(
            w,
            "| {what} (`wasm.interleaved.ratio.{name}`) | {} | {} |",
            val(figs, &format!("wasm.interleaved.ratio.{name}"))
                .map_or("—".into(), |r| format!("{r:.2}×")),
            val(figs, &format!("wasm.interleaved.ratio.{name}_max"))
                .map_or("—".into(), |r| format!("{r:.2}×")),
        );
    }
    let _ = writeln!(w, "\n| Figure | Value |");
    let _ = writeln!(w, "| --- | --- |");
    let browser_rows = [
        ("wasm.engine.records_per_s_cold", "engine records/s, the first (cold) run, as shipped"),
        ("wasm.assign.range.scale_s_cold", "`range` scale test, first (cold) run"),
        ("wasm.assign.roundrobin.scale_s_cold", "`roundrobin` scale test, first (cold) run"),
        ("wasm.assign.sticky.both_rounds_s_cold", "`sticky` both rounds, first (cold) run"),
        ("wasm.assign.cooperative-sticky.both_rounds_s_cold", "`cooperative-sticky` both rounds, first (cold) run"),
        ("wasm.heap_at_start", "wasm linear memory of a fresh instance"),
        ("wasm.heap_after_100k_events", "wasm linear memory after a 100,000-event timeline (never shrinks: the high-water mark)"),
        ("browser.first_drawn_cluster_ms", "navigation start to the first animation frame with the cluster in the DOM, built app, cold cache, median"),
        ("browser.first_drawn_cluster_max_ms", "the same, slowest load"),
        ("browser.large_cluster.frame_ms_p50_1x", "issue 7's large cluster (9 brokers, 3 topics × 24 partitions RF 3, 4 producers with a backlog, 2 groups of 6 consumers), opened from a link: time per frame at 1×, median (from the app's `requestAnimationFrame` callback to the first task after it, which the browser runs once it has rendered that frame: the simulation, Yew's render, and the browser's style, layout, paint and commit are inside; headless Chromium paints in software, `--disable-gpu`)"),
        ("browser.large_cluster.frame_ms_p95_1x", "the same, 95th percentile"),
        ("browser.large_cluster.frames_1x", "frames measured at 1×"),
        ("browser.large_cluster.events_per_s_1x", "simulation events per second of wall time at 1×"),
        ("browser.large_cluster.frame_interval_ms_p50_1x", "time between two frames the browser drew (`requestAnimationFrame` timestamps, in a second load of the same link: that loop alone moves the figure above) at 1×, median: 16.7 ms is a 60 Hz display's every frame, 33.3 ms one dropped"),
        ("browser.large_cluster.frame_interval_ms_p95_1x", "the same, 95th percentile"),
        ("browser.large_cluster.frame_ms_p50_100x", "time per frame at 100×, median"),
        ("browser.large_cluster.frame_ms_p95_100x", "the same, 95th percentile"),
        ("browser.large_cluster.frames_100x", "frames measured at 100×"),
        ("browser.large_cluster.events_per_s_100x", "simulation events per second of wall time at 100× (the simulation gets only what the drawing leaves of each frame: the run falls behind 100× when that is too little)"),
        ("browser.large_cluster.frame_interval_ms_p50_100x", "time between two drawn frames at 100×, median"),
        ("browser.large_cluster.frame_interval_ms_p95_100x", "the same, 95th percentile"),
        ("browser.large_cluster.traced_frames_100x", "frames drawn in 4 s at 100× in a third load, traced (`Commit` events of the page's main thread; the trace slows the page a little: the rows below are for proportions, not targets)"),
        ("browser.large_cluster.callbacks_per_frame_100x", "the app's frame callbacks (`requestAnimationFrame`, and timers should any run) per drawn frame"),
        ("browser.large_cluster.main_ms_per_frame_100x.script", "main thread per drawn frame: those callbacks (the simulation, `Sim::view`, Yew's render)"),
        ("browser.large_cluster.main_ms_per_frame_100x.style_layout", "… style and layout"),
        ("browser.large_cluster.main_ms_per_frame_100x.prepaint", "… pre-paint"),
        ("browser.large_cluster.main_ms_per_frame_100x.paint", "… paint (recording the document's layers, the cluster's among them)"),
        ("browser.large_cluster.main_ms_per_frame_100x.layerize", "… layerize"),
        ("browser.large_cluster.main_ms_per_frame_100x.commit", "… commit to the compositor"),
        ("browser.large_cluster.step_back_ms_p50", "the large cluster's link opened at step 100,000, then one step back at evenly spread places of the run (the end, then scrubber positions): click to the first animation frame after the position on screen changed, median"),
        ("browser.large_cluster.step_back_max_ms", "the same, worst"),
        ("browser.large_cluster.positions_100k_events", "timeline positions of that run (events plus commands and clock moves)"),
        ("browser.large_cluster.js_heap_after_100k_events", "JS heap of the page after opening that 100,000-event run (`performance.memory.usedJSHeapSize`; the wasm heap is the linear memory above)"),
    ];
    for (name, what) in browser_rows {
        let _ = writeln!(w, "| {what} (`{name}`) | {} |", cell(figs, name));
    }

    let _ = writeln!(w, "\n## Bundle\n");
    let _ = writeln!(
        w,
        "What a visitor downloads from `dist/` (`trunk build --release` under nightly with the \
         standard library rebuilt for size and `panic = immediate-abort`, as `cargo xtask` \
         builds it; then wasm-opt), raw and `gzip -9`. Every `.wasm`, `.js` and `.css` file of \
         `dist/` counts, the example course page's `embed.js` and `embed.css` included.\n"
    );
    let _ = writeln!(w, "| File kind | Raw | Gzipped |");
    let _ = writeln!(w, "| --- | --- | --- |");
    for kind in ["wasm", "js", "css", "total"] {
        let _ = writeln!(
            w,
            "| {kind} | {} | {} |",
            cell(figs, &format!("bundle.{kind}_raw")),
            cell(figs, &format!("bundle.{kind}_gzip"))
        );
    }
    let _ = writeln!(
        w,
        "\nThe total in bytes: {} gzipped (`bundle.total_gzip_bytes`). Not counted above, because \
         the page fetches them only when a guided tour is opened: the {} tour files of \
         `dist/tours/`, {} raw and {} gzipped (`bundle.tours_on_demand_gzip`); and the Korean \
         text, fetched when the page opens in Korean or switches to it, {} raw and {} gzipped \
         (`bundle.korean_on_demand_gzip_bytes`), so a visitor in Korean downloads the total \
         above plus that.",
        cell(figs, "bundle.total_gzip_bytes"),
        cell(figs, "bundle.tours_on_demand_files").trim_end_matches(" files"),
        cell(figs, "bundle.tours_on_demand_raw"),
        cell(figs, "bundle.tours_on_demand_gzip"),
        cell(figs, "bundle.korean_on_demand_raw"),
        cell(figs, "bundle.korean_on_demand_gzip_bytes"),
    );

    peers_section(w, figs);
    growth_section(w, figs);

    let crit: Vec<_> = figs
        .iter()
        .filter(|(k, _)| k.starts_with("criterion."))
        .collect();
    let _ = writeln!(w, "\n## Criterion\n");
    if crit.is_empty() {
        let _ = writeln!(
            w,
            "Not run in this run (`--quick` skips it). `cargo bench -p logscope-tests` runs the \
             criterion benches of `tests/benches/` on their own."
        );
    } else {
        let _ = writeln!(
            w,
            "The criterion benches of `tests/benches/` (`cargo bench -p logscope-tests`, 10–20 \
             samples each), as a statistical cross-check of the figures above: criterion's \
             median time per iteration.\n"
        );
        let _ = writeln!(w, "| Benchmark | Median per iteration |");
        let _ = writeln!(w, "| --- | --- |");
        for (k, f) in crit {
            let _ = writeln!(w, "| `{k}` | {} {} |", human(f.value), f.unit);
        }
    }

    let _ = writeln!(w, "\n## Not measured, and why\n");
    for line in NOT_MEASURED {
        let _ = writeln!(w, "- {line}");
    }
    md
}

const NOT_MEASURED: [&str; 4] = [
    "**Apache Kafka's Java sticky assignor** (its scale test's own time): Kafka's jars come from \
     Maven Central, which is not among the package registries this machine reaches (crates.io, \
     PyPI, npm, Debian), and Debian packages no Java Kafka client. Building the assignor from \
     Kafka's source would need Kafka's Gradle build, which also fetches from Maven Central. So \
     only the test's published 30 s bar is compared against.",
    "**Other peers** that are reachable but were not set up here: Debian packages Go clients \
     (`golang-github-shopify-sarama-dev`, whose consumer group has range, round-robin and sticky \
     balance strategies) and librdkafka (C; its assignors are internal to the library). They \
     would be further side-by-side peers; only kafka-python is run today.",
    "**kafka-python on Kafka's full scale test**: its `sticky` and `cooperative-sticky` take \
     seconds already at 100 members × 5,000 partitions and grow faster than linearly, so the \
     peer comparison stops at that size.",
    "**Growth of partitions beyond 10,000**: the core refuses more than 10,000 partitions per \
     cluster (`limits::MAX_TOTAL_PARTITIONS`, to keep a tab responsive), so the series stops \
     there rather than at 10⁵.",
];

fn peers_section(w: &mut String, figs: &Figures) {
    let _ = writeln!(w, "\n## Peers, side by side\n");
    let version = "kafka-python 3.0.12 (PyPI, pure Python)";
    let _ = writeln!(
        w,
        "{version}: its `range`, `roundrobin`, `sticky` and `cooperative-sticky` assignors on \
         the same inputs as logscope's (`tests/bench/kafka_python_assignors.py`: M members, each \
         subscribed to all T topics of P partitions; round 2 of the sticky ones with every member \
         reporting what round 1 gave it). Median wall time of `assign()`; ratio = kafka-python's \
         time ÷ logscope's (native). Python is interpreted, so this says how far apart a \
         straightforward implementation and this one are, not which language is faster.\n"
    );
    let _ = writeln!(
        w,
        "| Input | Assignor | Round | logscope | kafka-python | kafka-python ÷ logscope |"
    );
    let _ = writeln!(w, "| --- | --- | --- | --- | --- | --- |");
    let mut any = false;
    let order = |k: &str| -> (Vec<u64>, usize, String) {
        let rest = k.strip_prefix("peer.logscope.").unwrap_or(k);
        let mut parts = rest.rsplitn(3, '.');
        let round = parts.next().unwrap_or("").to_string();
        let size: Vec<u64> = parts
            .next()
            .unwrap_or("")
            .split('_')
            .filter_map(|x| x.get(1..)?.parse().ok())
            .collect();
        let name = parts.next().unwrap_or("");
        let rank = ["range", "roundrobin", "sticky", "cooperative-sticky"]
            .iter()
            .position(|n| *n == name)
            .unwrap_or(9);
        (size, rank, round)
    };
    let mut rows: Vec<(&String, &Figure)> = figs
        .iter()
        .filter(|(k, _)| k.starts_with("peer.logscope."))
        .collect();
    rows.sort_by_key(|(k, _)| order(k));
    for (key, f) in rows {
        let Some(rest) = key.strip_prefix("peer.logscope.") else {
            continue;
        };
        let mut parts = rest.rsplitn(3, '.');
        let (Some(round), Some(size), Some(name)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let py = figs.get(&format!("peer.kafka_python.{rest}"));
        any |= py.is_some();
        let size_h = peer_size(size).unwrap_or_else(|| size.to_string());
        let _ = writeln!(
            w,
            "| {} | `{name}` | {} | {} | {} | {} |",
            size_h,
            round.trim_end_matches("_s").replace("round", ""),
            fmt_secs(f.value),
            py.map_or("not run".into(), |p| fmt_secs(p.value)),
            py.map_or("—".into(), |p| format!("{:.0}×", p.value / f.value)),
        );
    }
    if !any {
        let _ = writeln!(
            w,
            "\nkafka-python did not run in this run; see the problems above."
        );
    }
}

/// `m100_t50_p100` as "100 members, 50 × 100 partitions".
fn peer_size(size: &str) -> Option<String> {
    let mut it = size.split('_');
    let m = it.next()?.strip_prefix('m')?;
    let t = it.next()?.strip_prefix('t')?;
    let p = it.next()?.strip_prefix('p')?;
    Some(format!("{m} members, {t} topics × {p} partitions"))
}

fn fmt_secs(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

/// The sizes present in the figures for one growth series, ascending.
fn sizes_of(figs: &Figures, prefix: &str, suffix: &str) -> Vec<u64> {
    let mut v: Vec<u64> = figs
        .keys()
        .filter_map(|k| k.strip_prefix(prefix)?.strip_suffix(suffix)?.parse().ok())
        .collect();
    v.sort_unstable();
    v
}

fn growth_section(w: &mut String, figs: &Figures) {
    let _ = writeln!(w, "\n## Growth\n");
    let _ = writeln!(
        w,
        "How time and memory grow with the work (native). Heap is the peak of live heap bytes \
         during the workload. The \"per unit\" column is time ÷ size: flat means linear, falling \
         means better than linear, rising means worse. Chart (log–log, dotted: linear growth from \
         the first point): ![growth](tests/bench/growth.svg)\n"
    );
    let _ = writeln!(
        w,
        "### Records through the engine (3 brokers, RF 3, acks=all)\n"
    );
    let _ = writeln!(w, "| Records | Time | Heap | Time per record |");
    let _ = writeln!(w, "| --- | --- | --- | --- |");
    for n in sizes_of(figs, "growth.records.", ".time") {
        let t = val(figs, &format!("growth.records.{n}.time")).unwrap_or(f64::NAN);
        let _ = writeln!(
            w,
            "| {} | {} | {} | {:.0} ns |",
            human(n as f64),
            fmt_secs(t),
            cell(figs, &format!("growth.records.{n}.heap")),
            t / n as f64 * 1e9
        );
    }
    let _ = writeln!(
        w,
        "\n### Partitions (3 brokers, RF 3: created, every leader elected, every ISR full)\n"
    );
    let _ = writeln!(w, "| Partitions | Time | Heap | Time per partition |");
    let _ = writeln!(w, "| --- | --- | --- | --- |");
    for n in sizes_of(figs, "growth.partitions.", ".time") {
        let t = val(figs, &format!("growth.partitions.{n}.time")).unwrap_or(f64::NAN);
        let _ = writeln!(
            w,
            "| {} | {} | {} | {:.1} µs |",
            human(n as f64),
            fmt_secs(t),
            cell(figs, &format!("growth.partitions.{n}.heap")),
            t / n as f64 * 1e6
        );
    }
    let _ = writeln!(
        w,
        "\n### Group members (100 topics × 1,000 partitions = 100,000 partitions, round 1)\n"
    );
    let _ = writeln!(w, "| Members | Assignor | Time | Heap | Time per member |");
    let _ = writeln!(w, "| --- | --- | --- | --- | --- |");
    for name in ["range", "roundrobin", "sticky", "cooperative-sticky"] {
        let prefix = format!("growth.members.{name}.");
        for n in sizes_of(figs, &prefix, ".time") {
            let t = val(figs, &format!("{prefix}{n}.time")).unwrap_or(f64::NAN);
            let _ = writeln!(
                w,
                "| {} | `{name}` | {} | {} | {} |",
                human(n as f64),
                fmt_secs(t),
                cell(figs, &format!("{prefix}{n}.heap")),
                fmt_secs(t / n as f64)
            );
        }
    }
    let _ = writeln!(
        w,
        "\n### Run length and step back (a timeline of 10 records every 100 ms)\n"
    );
    let _ = writeln!(
        w,
        "| Events | Recording time | Heap (inputs + checkpoints) | Step back, worst of 20 places |"
    );
    let _ = writeln!(w, "| --- | --- | --- | --- |");
    for n in sizes_of(figs, "growth.run.", ".record_time") {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} |",
            human(n as f64),
            fmt_secs(val(figs, &format!("growth.run.{n}.record_time")).unwrap_or(f64::NAN)),
            cell(figs, &format!("growth.run.{n}.heap")),
            cell(figs, &format!("growth.run.{n}.step_back")),
        );
    }
}

type Series = (String, &'static str, Vec<(f64, f64)>);

/// Two rows of four log–log panels: time (top) and heap (bottom) against records, partitions,
/// members and run length, each with a dotted line of linear growth from its first point.
fn growth_svg(figs: &Figures) -> String {
    const COLORS: [&str; 4] = ["#0072b2", "#d55e00", "#009e73", "#cc79a7"];
    let series = |prefix: &str, suffix: &str, scale: f64| -> Vec<(f64, f64)> {
        sizes_of(figs, prefix, suffix)
            .into_iter()
            .filter_map(|n| {
                let v = val(figs, &format!("{prefix}{n}{suffix}"))? * scale;
                (v > 0.0).then_some((n as f64, v))
            })
            .collect()
    };
    let assignors = ["range", "roundrobin", "sticky", "cooperative-sticky"];
    let members = |suffix: &str| -> Vec<Series> {
        assignors
            .iter()
            .zip(COLORS)
            .map(|(a, c)| {
                (
                    a.to_string(),
                    c,
                    series(&format!("growth.members.{a}."), suffix, 1.0),
                )
            })
            .collect()
    };
    let panels: Vec<(&str, &str, &str, Vec<Series>)> = vec![
        (
            "Records",
            "records",
            "seconds",
            vec![(
                "engine".into(),
                COLORS[0],
                series("growth.records.", ".time", 1.0),
            )],
        ),
        (
            "Partitions",
            "partitions",
            "seconds",
            vec![(
                "create + settle".into(),
                COLORS[0],
                series("growth.partitions.", ".time", 1.0),
            )],
        ),
        ("Group members", "members", "seconds", members(".time")),
        (
            "Run length",
            "events",
            "seconds",
            vec![
                (
                    "record".into(),
                    COLORS[0],
                    series("growth.run.", ".record_time", 1.0),
                ),
                (
                    "step back".into(),
                    COLORS[1],
                    series("growth.run.", ".step_back", 1e-3),
                ),
            ],
        ),
        (
            "Records",
            "records",
            "heap MB",
            vec![(
                "engine".into(),
                COLORS[0],
                series("growth.records.", ".heap", 1.0),
            )],
        ),
        (
            "Partitions",
            "partitions",
            "heap MB",
            vec![(
                "create + settle".into(),
                COLORS[0],
                series("growth.partitions.", ".heap", 1.0),
            )],
        ),
        ("Group members", "members", "heap MB", members(".heap")),
        (
            "Run length",
            "events",
            "heap MB",
            vec![(
                "timeline".into(),
                COLORS[0],
                series("growth.run.", ".heap", 1.0),
            )],
        ),
    ];
    let (pw, ph) = (290.0, 230.0);
    let (width, height) = (pw * 4.0, ph * 2.0 + 30.0);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">"
    );
    let _ = writeln!(
        s,
        "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\
         <text x=\"10\" y=\"18\" font-size=\"13\" font-weight=\"bold\">logscope: growth of time \
         (top) and heap (bottom), log–log; dotted = linear from the first point</text>"
    );
    for (i, (title, xl, yl, ser)) in panels.iter().enumerate() {
        let x0 = (i % 4) as f64 * pw;
        let y0 = 30.0 + (i / 4) as f64 * ph;
        panel(&mut s, x0, y0, pw, ph, title, xl, yl, ser);
    }
    s.push_str("</svg>\n");
    s
}

#[allow(clippy::too_many_arguments)]
fn panel(
    s: &mut String,
    x0: f64,
    y0: f64,
    w: f64,
    h: f64,
    title: &str,
    xlabel: &str,
    ylabel: &str,
    series: &[Series],
) {
    let (l, r, t, b) = (x0 + 52.0, x0 + w - 12.0, y0 + 22.0, y0 + h - 62.0);
    let pts: Vec<(f64, f64)> = series.iter().flat_map(|s| s.2.iter().copied()).collect();
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{}\" font-weight=\"bold\">{title}</text>",
        l,
        y0 + 14.0
    );
    if pts.is_empty() {
        let _ = writeln!(
            s,
            "<text x=\"{l}\" y=\"{}\">not measured in this run</text>",
            (t + b) / 2.0
        );
        return;
    }
    let lg = f64::log10;
    let xmin = pts.iter().map(|p| lg(p.0)).fold(f64::MAX, f64::min).floor();
    let xmax = pts
        .iter()
        .map(|p| lg(p.0))
        .fold(f64::MIN, f64::max)
        .ceil()
        .max(xmin + 1.0);
    let ymin = pts.iter().map(|p| lg(p.1)).fold(f64::MAX, f64::min).floor();
    let ymax = pts
        .iter()
        .map(|p| lg(p.1))
        .fold(f64::MIN, f64::max)
        .ceil()
        .max(ymin + 1.0);
    let px = |x: f64| l + (lg(x) - xmin) / (xmax - xmin) * (r - l);
    let py = |y: f64| b - (lg(y) - ymin) / (ymax - ymin) * (b - t);
    let _ = writeln!(
        s,
        "<rect x=\"{l}\" y=\"{t}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/>",
        r - l,
        b - t
    );
    for d in xmin as i32..=xmax as i32 {
        let x = px(10f64.powi(d));
        let _ = writeln!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{t}\" x2=\"{x:.1}\" y2=\"{b}\" stroke=\"#eee\"/>\
             <text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">1e{d}</text>",
            b + 13.0
        );
    }
    for d in ymin as i32..=ymax as i32 {
        let y = py(10f64.powi(d));
        let _ = writeln!(
            s,
            "<line x1=\"{l}\" y1=\"{y:.1}\" x2=\"{r}\" y2=\"{y:.1}\" stroke=\"#eee\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">1e{d}</text>",
            l - 4.0,
            y + 4.0
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{xlabel}</text>\
         <text transform=\"translate({},{:.1}) rotate(-90)\" text-anchor=\"middle\">{ylabel}</text>",
        (l + r) / 2.0,
        b + 26.0,
        x0 + 12.0,
        (t + b) / 2.0
    );
    let _ = writeln!(
        s,
        "<clipPath id=\"c{}\"><rect x=\"{l}\" y=\"{t}\" width=\"{}\" height=\"{}\"/></clipPath>",
        (x0 + y0) as i64,
        r - l,
        b - t
    );
    for (k, (name, color, data)) in series.iter().enumerate() {
        if let Some(&(fx, fy)) = data.first() {
            let last = data.last().map_or(fx, |p| p.0);
            let _ = writeln!(
                s,
                "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{color}\" \
                 stroke-dasharray=\"2,3\" clip-path=\"url(#c{})\"/>",
                px(fx),
                py(fy),
                px(last),
                py(fy * last / fx),
                (x0 + y0) as i64
            );
        }
        let path: Vec<String> = data
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
            .collect();
        let _ = writeln!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>",
            path.join(" ")
        );
        for &(x, y) in data {
            let _ = writeln!(
                s,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"{color}\"/>",
                px(x),
                py(y)
            );
        }
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" fill=\"{color}\">{name}</text>",
            l + (k % 2) as f64 * 110.0,
            b + 38.0 + (k / 2) as f64 * 13.0
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bench_lines() {
        let (name, f) = parse_line("BENCH engine.records_per_s 3872790 records/s").unwrap();
        assert_eq!(name, "engine.records_per_s");
        assert_eq!(f.value, 3_872_790.0);
        assert_eq!(f.unit, "records/s");
        assert!(parse_line("bench: progress").is_none());
        assert!(parse_line("BENCH x notanumber s").is_none());
    }

    #[test]
    fn reads_criterion_median() {
        let json = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":1.5,"standard_error":0.1},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":1234.5,"standard_error":0.1},"median_abs_dev":{"point_estimate":3.0}}"#;
        assert_eq!(json_median(json), Some(1234.5));
    }

    #[test]
    fn formats_for_people() {
        assert_eq!(human(3_872_790.0), "3,872,790");
        assert_eq!(human(12.345), "12.3");
        assert_eq!(human(0.01234), "0.0123");
    }

    #[test]
    fn chart_survives_missing_figures() {
        let svg = growth_svg(&Figures::new());
        assert!(svg.starts_with("<svg") && svg.contains("not measured"));
    }
}
