//! The conformance runner of `tests/vectors/FORMAT.md` (format `logscope-vectors/1`).
//!
//! It loads every `*.json` under `tests/vectors/` and under each directory named in the
//! environment variable `LOGSCOPE_EXTRA_VECTORS` (colon-separated). A file with an unknown
//! `format` or `kind` is an error, not a skip. Kinds: `murmur2` and `partition_for_key`
//! (P1–P3), `assignor` (A1–A12; `compare` is `set` or `members_map`). Every failing case is
//! reported by name (or index) with expected and actual values, and the test fails at the end;
//! the number of passing cases is printed per kind.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use logscope_core::assignor::{
    assign, AssignorName, GroupSubscription, MemberSubscription, TopicMeta,
};
use logscope_core::partitioner::{murmur2, partition_for_key};
use logscope_core::TopicPartition;
use serde_json::Value;

const FORMAT: &str = "logscope-vectors/1";

/// What running the vector files gave: passes per kind (and per assignor, for reporting), and
/// one message per failing case.
#[derive(Default, Debug)]
struct Report {
    passed: BTreeMap<String, usize>,
    failures: Vec<String>,
}

/// The directories to load: `tests/vectors/` plus `LOGSCOPE_EXTRA_VECTORS`.
fn vector_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors")];
    if let Ok(extra) = std::env::var("LOGSCOPE_EXTRA_VECTORS") {
        dirs.extend(
            extra
                .split(':')
                .filter(|s| !s.is_empty())
                .map(PathBuf::from),
        );
    }
    dirs
}

/// Every `*.json` directly under `dir`, sorted by name.
fn json_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// Runs every vector file in `dirs`. A file that cannot be read or parsed, or has an unknown
/// `format` or `kind`, is an `Err` for the whole run.
fn run_dirs(dirs: &[PathBuf], report: &mut Report) -> Result<(), String> {
    for dir in dirs {
        for file in json_files(dir)? {
            run_file(&file, report)?;
        }
    }
    Ok(())
}

fn run_file(path: &Path, report: &mut Report) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc: Value = serde_json::from_str(&text)
        .map_err(|e| format!("{}: invalid JSON: {e}", path.display()))?;
    let format = doc.get("format").and_then(Value::as_str);
    if format != Some(FORMAT) {
        return Err(format!(
            "{}: unknown format {:?} (expected {FORMAT:?})",
            path.display(),
            format
        ));
    }
    let kind = doc
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("<missing>");
    let runner: fn(&Value) -> Result<String, String> = match kind {
        "murmur2" => run_murmur2,
        "partition_for_key" => run_partition_for_key,
        "assignor" => run_assignor,
        other => return Err(format!("{}: unknown kind {other:?}", path.display())),
    };
    let cases = doc
        .get("cases")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{}: no `cases` array", path.display()))?;
    let file = path.file_name().unwrap_or_default().to_string_lossy();
    for (i, case) in cases.iter().enumerate() {
        let label = match case.get("name").and_then(Value::as_str) {
            Some(name) => format!("{file} {kind} #{i} {name}"),
            None => format!("{file} {kind} #{i}"),
        };
        match runner(case) {
            Ok(sub) => *report.passed.entry(sub).or_default() += 1,
            Err(why) => report.failures.push(format!("{label}: {why}")),
        }
    }
    Ok(())
}

fn hex(s: &str) -> Result<Vec<u8>, String> {
    if !s.len().is_multiple_of(2) {
        return Err(format!("odd-length key_hex {s:?}"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|e| format!("key_hex {s:?}: {e}")))
        .collect()
}

fn field<'a>(case: &'a Value, name: &str) -> Result<&'a Value, String> {
    case.get(name)
        .ok_or_else(|| format!("missing field `{name}`"))
}

fn run_murmur2(case: &Value) -> Result<String, String> {
    let key = hex(field(case, "key_hex")?
        .as_str()
        .ok_or("key_hex is not a string")?)?;
    let expected = field(case, "murmur2")?
        .as_i64()
        .ok_or("murmur2 is not an integer")?;
    let actual = murmur2(&key) as i64;
    if actual != expected {
        return Err(format!("expected murmur2 {expected}, actual {actual}"));
    }
    Ok("murmur2".into())
}

fn run_partition_for_key(case: &Value) -> Result<String, String> {
    let key = hex(field(case, "key_hex")?
        .as_str()
        .ok_or("key_hex is not a string")?)?;
    let n = field(case, "partitions")?
        .as_u64()
        .ok_or("partitions is not a number")?;
    let expected = field(case, "partition")?
        .as_u64()
        .ok_or("partition is not a number")?;
    if n == 0 {
        return Err("partitions must be positive".into());
    }
    let actual = partition_for_key(&key, n as u32) as u64;
    if actual != expected {
        return Err(format!("expected partition {expected}, actual {actual}"));
    }
    Ok("partition_for_key".into())
}

fn strings(v: &Value, what: &str) -> Result<Vec<String>, String> {
    v.as_array()
        .ok_or_else(|| format!("{what} is not an array"))?
        .iter()
        .map(|s| {
            s.as_str()
                .map(String::from)
                .ok_or_else(|| format!("{what}: not a string"))
        })
        .collect()
}

fn partitions(v: &Value, what: &str) -> Result<Vec<TopicPartition>, String> {
    strings(v, what)?
        .iter()
        .map(|s| TopicPartition::parse(s).ok_or_else(|| format!("{what}: bad partition {s:?}")))
        .collect()
}

/// Builds the assignor input of one case.
fn group_of(case: &Value) -> Result<GroupSubscription, String> {
    let mut group = GroupSubscription::default();
    let topics = field(case, "topics")?
        .as_object()
        .ok_or("topics is not an object")?;
    for (name, n) in topics {
        let n = n.as_u64().ok_or("partition count is not a number")? as u32;
        group.topics.insert(name.clone(), TopicMeta::new(n));
    }
    if let Some(racks) = case.get("partition_replica_racks") {
        let racks = racks
            .as_object()
            .ok_or("partition_replica_racks is not an object")?;
        for (topic, per_partition) in racks {
            let list = per_partition
                .as_array()
                .ok_or("partition_replica_racks entry is not an array")?;
            let parsed = list
                .iter()
                .map(|e| match e {
                    Value::String(s) => Ok(vec![s.clone()]),
                    Value::Array(_) => strings(e, "rack list"),
                    Value::Null => Ok(vec![]),
                    _ => Err("rack entry is neither a string nor a list".to_string()),
                })
                .collect::<Result<Vec<_>, _>>()?;
            match group.topics.get_mut(topic) {
                Some(meta) => meta.partition_racks = Some(parsed),
                None => return Err(format!("racks given for unknown topic {topic}")),
            }
        }
    }
    for m in field(case, "members")?
        .as_array()
        .ok_or("members is not an array")?
    {
        let opt_str = |k: &str| m.get(k).and_then(Value::as_str).map(String::from);
        group.members.push(MemberSubscription {
            member_id: opt_str("member_id").ok_or("member without member_id")?,
            group_instance_id: opt_str("group_instance_id"),
            topics: strings(field(m, "topics")?, "topics")?,
            rack: opt_str("rack"),
            owned: match m.get("owned") {
                Some(v) => partitions(v, "owned")?,
                None => vec![],
            },
            generation: m
                .get("generation")
                .and_then(Value::as_i64)
                .map(|g| g as i32),
        });
    }
    Ok(group)
}

type Sets = BTreeMap<String, BTreeSet<String>>;

/// The expected member → partitions map. Accepts the plain form, `{"by_instance": {...}}`
/// (keys are `group.instance.id`s) and `{"kind": ..., "expected": {...}}` (a value derived
/// from Kafka's code rather than asserted by its test; the inner map is the expectation).
fn expected_of(expected: &Value, group: &GroupSubscription) -> Result<Sets, String> {
    let obj = expected.as_object().ok_or("expected is not an object")?;
    if let Some(by_instance) = obj.get("by_instance") {
        let inner = expected_of(by_instance, group)?;
        let mut out = Sets::new();
        for (instance, parts) in inner {
            let member = group
                .members
                .iter()
                .find(|m| m.group_instance_id.as_deref() == Some(instance.as_str()))
                .ok_or_else(|| format!("no member has group_instance_id {instance}"))?;
            out.insert(member.member_id.clone(), parts);
        }
        return Ok(out);
    }
    if let (Some(Value::String(_)), Some(inner @ Value::Object(_))) =
        (obj.get("kind"), obj.get("expected"))
    {
        return expected_of(inner, group);
    }
    let mut out = Sets::new();
    for (member, parts) in obj {
        let list = strings(parts, "expected partitions")?;
        out.insert(member.clone(), list.into_iter().collect());
    }
    Ok(out)
}

fn show(s: &Sets) -> String {
    let mut out = String::from("{");
    for (i, (m, parts)) in s.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let list: Vec<&str> = parts.iter().map(String::as_str).collect();
        let _ = write!(out, "{m}: [{}]", list.join(", "));
    }
    out.push('}');
    out
}

fn run_assignor(case: &Value) -> Result<String, String> {
    let name_str = field(case, "assignor")?
        .as_str()
        .ok_or("assignor is not a string")?;
    let name =
        AssignorName::parse(name_str).ok_or_else(|| format!("unknown assignor {name_str:?}"))?;
    let group = group_of(case)?;
    let label = format!("assignor/{name_str}");
    let result = assign(name, &group);
    // An expected failure (e.g. server range over a non-existent topic, A9).
    if let Some(err) = case
        .get("expected_error")
        .or_else(|| field(case, "expected").ok()?.get("error"))
    {
        return match result {
            Err(_) => Ok(label),
            Ok(a) => Err(format!("expected error {err}, actual assignment {a:?}")),
        };
    }
    let actual = result.map_err(|e| format!("assignor failed: {e}"))?;
    let expected = expected_of(field(case, "expected")?, &group)?;
    let actual: Sets = actual
        .into_iter()
        .map(|(m, parts)| (m, parts.iter().map(ToString::to_string).collect()))
        .collect();
    let compare = case.get("compare").and_then(Value::as_str).unwrap_or("set");
    let ok = match compare {
        "set" => {
            let members: BTreeSet<&String> = expected.keys().chain(actual.keys()).collect();
            let empty = BTreeSet::new();
            members
                .into_iter()
                .all(|m| expected.get(m).unwrap_or(&empty) == actual.get(m).unwrap_or(&empty))
        }
        "members_map" => expected == actual,
        other => return Err(format!("unknown compare {other:?}")),
    };
    if ok {
        Ok(label)
    } else {
        Err(format!(
            "({compare}) expected {}, actual {}",
            show(&expected),
            show(&actual)
        ))
    }
}

#[test]
fn conformance_vectors_pass() {
    let mut report = Report::default();
    let dirs = vector_dirs();
    if let Err(e) = run_dirs(&dirs, &mut report) {
        panic!("vector files are invalid: {e}");
    }
    for (kind, n) in &report.passed {
        println!("conformance: {kind}: {n} passed");
    }
    let total: usize = report.passed.values().sum();
    assert!(total > 0, "no conformance cases found in {dirs:?}");
    if !report.failures.is_empty() {
        for f in &report.failures {
            eprintln!("FAIL {f}");
        }
        panic!(
            "{} conformance case(s) failed, {total} passed",
            report.failures.len()
        );
    }
}

/// A scratch directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let p =
            std::env::temp_dir().join(format!("logscope-conformance-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn unknown_kind_is_an_error_not_a_skip() {
    let dir = TempDir::new("kind");
    std::fs::write(
        dir.0.join("x.json"),
        r#"{"format": "logscope-vectors/1", "kind": "quantum", "cases": []}"#,
    )
    .unwrap();
    let err = run_dirs(std::slice::from_ref(&dir.0), &mut Report::default()).unwrap_err();
    assert!(err.contains("unknown kind"), "{err}");
}

#[test]
fn unknown_format_is_an_error_not_a_skip() {
    let dir = TempDir::new("format");
    std::fs::write(
        dir.0.join("x.json"),
        r#"{"format": "logscope-vectors/2", "kind": "murmur2", "cases": []}"#,
    )
    .unwrap();
    let err = run_dirs(std::slice::from_ref(&dir.0), &mut Report::default()).unwrap_err();
    assert!(err.contains("unknown format"), "{err}");
}

#[test]
fn a_wrong_expectation_is_reported_by_name() {
    let dir = TempDir::new("wrong");
    std::fs::write(
        dir.0.join("x.json"),
        r#"{"format": "logscope-vectors/1", "kind": "murmur2",
            "cases": [{"name": "bad", "key_hex": "3231", "murmur2": 1}]}"#,
    )
    .unwrap();
    let mut report = Report::default();
    run_dirs(std::slice::from_ref(&dir.0), &mut report).unwrap();
    assert_eq!(report.failures.len(), 1);
    assert!(report.failures[0].contains("bad"), "{:?}", report.failures);
    assert!(
        report.failures[0].contains("-973932308"),
        "{:?}",
        report.failures
    );
}
