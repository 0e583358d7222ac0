//! Configuration by Kafka's own names, defaults and validation rules.
//!
//! Each entity (broker, topic, producer, consumer) has a table of [`ConfigDef`]s: the exact
//! Kafka key, its default, its validator and a one-line explanation the UI shows beside the
//! field. Typed structs ([`TopicConfig`], [`BrokerConfig`], [`ProducerConfig`]) are built from
//! those tables, so an unknown key or a value Kafka would reject is refused in one place, with
//! a message that names the key and what is allowed. Defaults follow Kafka 4.0 (L8, I5, G5).

use crate::collections::VecMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::error::{CommandError, KafkaError};

/// How a config value is checked. Mirrors `ConfigDef.Type` plus Kafka's validators.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// An integer within `[min, max]` (Kafka's `atLeast`/`between`).
    Int {
        min: i64,
        max: i64,
    },
    Bool,
    /// One of a fixed list of strings (Kafka's `ValidString.in`).
    Choice(&'static [&'static str]),
    /// A comma-separated list whose every element is one of these.
    ListOf(&'static [&'static str]),
    /// A real number within `[min, max]`.
    Double {
        min: f64,
        max: f64,
    },
    /// Free text (ids, names).
    Text,
}

/// One configuration key as Kafka defines it.
#[derive(Clone, Copy, Debug)]
pub struct ConfigDef {
    pub name: &'static str,
    pub default: &'static str,
    pub kind: Kind,
    pub doc: &'static str,
}

const fn int(
    name: &'static str,
    default: &'static str,
    min: i64,
    max: i64,
    doc: &'static str,
) -> ConfigDef {
    ConfigDef {
        name,
        default,
        kind: Kind::Int { min, max },
        doc,
    }
}
const fn boolean(name: &'static str, default: &'static str, doc: &'static str) -> ConfigDef {
    ConfigDef {
        name,
        default,
        kind: Kind::Bool,
        doc,
    }
}

const I32: i64 = i32::MAX as i64;
const I64: i64 = i64::MAX;

/// Topic-level configs (`TopicConfig`, `LogConfig`). Defaults per L8.
pub const TOPIC_CONFIGS: &[ConfigDef] = &[
    ConfigDef { name: "cleanup.policy", default: "delete", kind: Kind::ListOf(&["delete", "compact"]), doc: "delete: drop old segments by time or size; compact: keep the latest record per key." },
    int("min.insync.replicas", "1", 1, I32, "With acks=all, the fewest in-sync replicas that must hold a write before it is acknowledged."),
    boolean("unclean.leader.election.enable", "false", "Allow a replica outside the ISR to become leader when no ISR replica is alive, losing data."),
    int("retention.ms", "604800000", -1, I64, "How long a segment is kept after its newest record, in ms (-1: forever)."),
    int("retention.bytes", "-1", -1, I64, "The largest a partition may grow before old segments are deleted (-1: no limit)."),
    int("segment.bytes", "1073741824", 14, I32, "A segment is rolled when appending would make it larger than this."),
    int("segment.ms", "604800000", 1, I64, "A segment is rolled after this long, even if not full."),
    int("segment.jitter.ms", "0", 0, I64, "A random amount subtracted from segment.ms per segment, so segments do not all roll at once."),
    int("segment.index.bytes", "10485760", 4, I32, "The size of a segment's offset index; a full index rolls the segment."),
    int("index.interval.bytes", "4096", 0, I32, "Add an offset index entry roughly every this many bytes."),
    int("max.message.bytes", "1048588", 0, I32, "The largest record batch the topic accepts."),
    ConfigDef { name: "message.timestamp.type", default: "CreateTime", kind: Kind::Choice(&["CreateTime", "LogAppendTime"]), doc: "Whether a record's timestamp is the producer's create time or the broker's append time." },
    int("delete.retention.ms", "86400000", 0, I64, "How long tombstones are kept after their segment enters the clean part of a compacted log."),
    ConfigDef { name: "min.cleanable.dirty.ratio", default: "0.5", kind: Kind::Double { min: 0.0, max: 1.0 }, doc: "The dirty share of a compacted log above which the cleaner compacts it." },
    int("min.compaction.lag.ms", "0", 0, I64, "A record stays uncompacted at least this long."),
    int("max.compaction.lag.ms", "9223372036854775807", 1, I64, "A record is compacted at the latest after this long."),
    int("flush.messages", "9223372036854775807", 1, I64, "Force an fsync after this many records (default: leave it to the OS)."),
    int("flush.ms", "9223372036854775807", 0, I64, "Force an fsync after this long (default: leave it to the OS)."),
];

/// Broker configs the simulation models (`KafkaConfig`, `ServerLogConfigs`, `ReplicationConfigs`,
/// `GroupCoordinatorConfig`, `KRaftConfigs`).
/// The broker configs in [`BROKER_CONFIGS`] that Kafka can update while the cluster runs
/// (`kafka-configs --alter --entity-type brokers`): the broker-level synonyms of topic configs
/// (`DynamicLogConfig.ReconfigurableConfigs`, built from `ServerTopicConfigSynonyms`). Their
/// update mode is `cluster-wide` (a default for every broker, or one broker's own value);
/// every other config here is `read-only`, and Kafka refuses to change it with
/// `InvalidRequestException: Cannot update these configs dynamically: Set(…)`
/// (`DynamicBrokerConfig.validateConfigs`).
pub const DYNAMIC_BROKER_CONFIGS: &[&str] = &[
    "log.flush.interval.messages",
    "log.flush.interval.ms",
    "log.retention.bytes",
    "log.retention.ms",
    "log.segment.bytes",
    "min.insync.replicas",
    "unclean.leader.election.enable",
];

/// Kafka's "Dynamic Update Mode" of a broker config this simulation knows.
pub fn broker_config_update_mode(name: &str) -> &'static str {
    if DYNAMIC_BROKER_CONFIGS.contains(&name) {
        "cluster-wide"
    } else {
        "read-only"
    }
}

pub const BROKER_CONFIGS: &[ConfigDef] = &[
    int(
        "default.replication.factor",
        "1",
        1,
        I32,
        "Replication factor of automatically created topics and of --create without one.",
    ),
    int(
        "num.partitions",
        "1",
        1,
        I32,
        "Partition count of topics created without one.",
    ),
    int(
        "min.insync.replicas",
        "1",
        1,
        I32,
        "Default min.insync.replicas for topics that do not set it.",
    ),
    boolean(
        "unclean.leader.election.enable",
        "false",
        "Default unclean.leader.election.enable for topics.",
    ),
    boolean(
        "auto.create.topics.enable",
        "true",
        "Create a topic when a client first asks for it.",
    ),
    int(
        "replica.lag.time.max.ms",
        "30000",
        0,
        I64,
        "A follower that has not caught up for this long leaves the ISR.",
    ),
    int(
        "replica.fetch.wait.max.ms",
        "500",
        0,
        I32,
        "How long a follower's fetch waits at the leader for new data.",
    ),
    int(
        "replica.fetch.backoff.ms",
        "1000",
        0,
        I32,
        "How long a follower waits after a fetch error.",
    ),
    int(
        "broker.heartbeat.interval.ms",
        "2000",
        1,
        I32,
        "How often a broker heartbeats to the active controller.",
    ),
    int(
        "broker.session.timeout.ms",
        "9000",
        1,
        I32,
        "A broker that has not heartbeated for this long is fenced.",
    ),
    int(
        "controller.quorum.election.timeout.ms",
        "1000",
        1,
        I32,
        "How long controllers wait before electing a new active controller.",
    ),
    int(
        "offsets.topic.num.partitions",
        "50",
        1,
        I32,
        "Partitions of __consumer_offsets.",
    ),
    int(
        "offsets.commit.timeout.ms",
        "5000",
        1,
        I32,
        "A write to __consumer_offsets (a commit, a group's assignment) is answered once every in-sync replica has it, or fails after this long.",
    ),
    int(
        "offsets.topic.replication.factor",
        "3",
        1,
        32767,
        "Replication factor of __consumer_offsets (capped at the broker count here).",
    ),
    int(
        "transaction.state.log.num.partitions",
        "50",
        1,
        I32,
        "Partitions of __transaction_state.",
    ),
    int(
        "transaction.state.log.replication.factor",
        "3",
        1,
        32767,
        "Replication factor of __transaction_state (capped at the broker count here).",
    ),
    int(
        "transaction.state.log.min.isr",
        "2",
        1,
        I32,
        "min.insync.replicas of __transaction_state (capped at the broker count here).",
    ),
    int(
        "group.initial.rebalance.delay.ms",
        "3000",
        0,
        I32,
        "How long the first rebalance of an empty group waits for more members.",
    ),
    int(
        "group.consumer.heartbeat.interval.ms",
        "5000",
        1,
        I32,
        "group.protocol=consumer: how often members send ConsumerGroupHeartbeat (the broker tells them).",
    ),
    int(
        "group.consumer.session.timeout.ms",
        "45000",
        1,
        I32,
        "group.protocol=consumer: a member that sends no ConsumerGroupHeartbeat for this long is removed.",
    ),
    int(
        "group.min.session.timeout.ms",
        "6000",
        0,
        I32,
        "The smallest session.timeout.ms a consumer may ask for.",
    ),
    int(
        "group.max.session.timeout.ms",
        "1800000",
        0,
        I32,
        "The largest session.timeout.ms a consumer may ask for.",
    ),
    int(
        "log.flush.interval.messages",
        "9223372036854775807",
        1,
        I64,
        "Default flush.messages.",
    ),
    int(
        "log.flush.interval.ms",
        "9223372036854775807",
        0,
        I64,
        "Default flush.ms.",
    ),
    int(
        "log.retention.check.interval.ms",
        "300000",
        1,
        I64,
        "How often the log manager checks retention.",
    ),
    int(
        "log.segment.bytes",
        "1073741824",
        14,
        I32,
        "Default segment.bytes.",
    ),
    int(
        "log.retention.ms",
        "604800000",
        -1,
        I64,
        "Default retention.ms.",
    ),
    int(
        "log.retention.bytes",
        "-1",
        -1,
        I64,
        "Default retention.bytes.",
    ),
];

/// Producer configs (`ProducerConfig`). Defaults of Kafka 4.0: `linger.ms` is 5 (KIP-1030),
/// idempotence is on with `acks=all` (I5).
pub const PRODUCER_CONFIGS: &[ConfigDef] = &[
    ConfigDef { name: "acks", default: "all", kind: Kind::Choice(&["all", "-1", "0", "1"]), doc: "How many replicas must have a write before the producer hears success: 0 none, 1 the leader, all the ISR." },
    int("linger.ms", "5", 0, I64, "How long a batch waits for more records before it is sent."),
    int("batch.size", "16384", 0, I32, "The largest batch, in bytes, per partition."),
    int("buffer.memory", "33554432", 0, I64, "Memory for records waiting to be sent; a full buffer blocks send()."),
    int("max.block.ms", "60000", 0, I64, "How long send() may block waiting for buffer.memory before it fails."),
    ConfigDef { name: "compression.type", default: "none", kind: Kind::Choice(&["none", "gzip", "snappy", "lz4", "zstd"]), doc: "Codec for batches; shrinks them by a codec-specific ratio in this simulation." },
    int("max.in.flight.requests.per.connection", "5", 1, I32, "Requests sent to one broker without an answer yet; more than 1 can reorder retried batches without idempotence."),
    int("retries", "2147483647", 0, I32, "How many times a failed batch is resent (bounded by delivery.timeout.ms)."),
    int("retry.backoff.ms", "100", 0, I64, "How long to wait before resending a failed batch."),
    int("request.timeout.ms", "30000", 0, I32, "How long to wait for a broker's answer to a request."),
    int("delivery.timeout.ms", "120000", 0, I32, "The upper bound on reporting success or failure after send()."),
    boolean("enable.idempotence", "true", "Producer id and sequence numbers: retries never duplicate or reorder a batch."),
    boolean("partitioner.ignore.keys", "false", "Ignore keys and use the sticky partitioner for every record."),
    boolean("partitioner.adaptive.partitioning.enable", "true", "Prefer partitions on faster brokers when no key is given."),
    int("max.request.size", "1048576", 0, I32, "The largest request the producer sends."),
    ConfigDef { name: "transactional.id", default: "", kind: Kind::Text, doc: "Enables transactions; a new producer with the same id fences the old one." },
    int("transaction.timeout.ms", "60000", 0, I32, "A transaction open longer than this is aborted by the coordinator."),
    ConfigDef { name: "client.id", default: "", kind: Kind::Text, doc: "The name this client gives itself in requests and logs." },
];

/// Consumer configs (`ConsumerConfig`), Kafka 4.0 defaults (A8, G5, G8, I7). The keys starting
/// with `playground.` are not Kafka configs: they stand for what the application does between
/// two `poll()` calls, which a real consumer's configs cannot express.
pub const CONSUMER_CONFIGS: &[ConfigDef] = &[
    ConfigDef { name: "group.id", default: "", kind: Kind::Text, doc: "The consumer group this consumer belongs to." },
    ConfigDef { name: "group.instance.id", default: "", kind: Kind::Text, doc: "Static membership: a restart within session.timeout.ms keeps the member and its partitions, without a rebalance." },
    ConfigDef { name: "group.protocol", default: "classic", kind: Kind::Choice(&["classic", "consumer"]), doc: "classic: JoinGroup/SyncGroup with a client-side assignor; consumer: KIP-848 ConsumerGroupHeartbeat with a server-side assignor." },
    ConfigDef { name: "group.remote.assignor", default: "", kind: Kind::Text, doc: "group.protocol=consumer only: the server-side assignor this member asks for (uniform or range); empty: the broker's first of group.consumer.assignors (uniform)." },
    ConfigDef { name: "partition.assignment.strategy", default: "range,cooperative-sticky", kind: Kind::Text, doc: "Assignors in order of preference (range, roundrobin, sticky, cooperative-sticky, or their Java class names); the group uses one that every member supports." },
    int("session.timeout.ms", "45000", 0, I32, "A member that sends no heartbeat for this long is removed from the group."),
    int("heartbeat.interval.ms", "3000", 0, I32, "How often the consumer's heartbeat thread reports to the group coordinator."),
    int("max.poll.interval.ms", "300000", 1, I32, "The longest allowed gap between two poll() calls; also the rebalance timeout."),
    int("max.poll.records", "500", 1, I32, "The most records one poll() returns."),
    int("fetch.min.bytes", "1", 0, I32, "The broker holds a fetch until this many bytes are available, or fetch.max.wait.ms passes."),
    int("fetch.max.wait.ms", "500", 0, I32, "The longest the broker holds a fetch waiting for fetch.min.bytes."),
    boolean("enable.auto.commit", "true", "Commit the positions of records already returned by poll(), every auto.commit.interval.ms, inside poll()."),
    int("auto.commit.interval.ms", "5000", 0, I32, "How often auto-commit commits."),
    ConfigDef { name: "auto.offset.reset", default: "latest", kind: Kind::Choice(&["earliest", "latest", "none"]), doc: "Where to start when the group has no committed offset (or it is out of range): the log start, the log end, or fail." },
    ConfigDef { name: "isolation.level", default: "read_uncommitted", kind: Kind::Choice(&["read_uncommitted", "read_committed"]), doc: "read_uncommitted reads up to the high watermark; read_committed up to the last stable offset." },
    int("retry.backoff.ms", "100", 0, I64, "How long to wait before retrying a failed request."),
    int("request.timeout.ms", "30000", 0, I32, "How long to wait for a broker's answer to a request."),
    ConfigDef { name: "client.rack", default: "", kind: Kind::Text, doc: "The rack of this consumer, for rack-aware assignment." },
    ConfigDef { name: "client.id", default: "", kind: Kind::Text, doc: "The name this client gives itself in requests and logs." },
    int("playground.processing.ms", "0", 0, I32, "Not a Kafka config: simulated application time spent on each record returned by poll()."),
    ConfigDef { name: "playground.commit", default: "auto", kind: Kind::Choice(&["auto", "sync", "async", "sync-before-processing", "none"]), doc: "Not a Kafka config: what the application does besides auto-commit. sync/async: commitSync()/commitAsync() after processing each poll (at-least-once); sync-before-processing: commitSync() before processing (at-most-once); none: no manual commit." },
];

/// A set of explicitly given `key=value` pairs for one entity, validated against its table.
/// Absent keys read as Kafka's defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigMap {
    entity: &'static str,
    set: VecMap<String, String>,
}

/// The names of a table, for error messages that list what is allowed.
pub fn allowed_names(table: &[ConfigDef]) -> String {
    let mut s = String::new();
    for (i, d) in table.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(d.name);
    }
    s
}

pub fn find_def<'a>(table: &'a [ConfigDef], key: &str) -> Option<&'a ConfigDef> {
    table.iter().find(|d| d.name == key)
}

/// Checks one value against its definition, returning the canonical text.
pub fn validate_value(def: &ConfigDef, value: &str) -> Result<String, CommandError> {
    let bad = |reason: String| CommandError::InvalidConfigValue {
        key: def.name.to_string(),
        value: value.to_string(),
        reason,
    };
    match def.kind {
        Kind::Int { min, max } => {
            // ConfigDef.parseType: Integer/Long.parseLong failing is "Not a number of type
            // INT|LONG"; Range.ensureValid then checks "at least" before "no more than".
            let type_name = if max <= I32 { "INT" } else { "LONG" };
            let not_a_number = || bad(format!("Not a number of type {type_name}"));
            let v: i64 = value.trim().parse().map_err(|_| not_a_number())?;
            if type_name == "INT" && i32::try_from(v).is_err() {
                return Err(not_a_number());
            }
            if v < min {
                return Err(bad(format!("Value must be at least {min}")));
            }
            if v > max && max != I32 && max != I64 {
                return Err(bad(format!("Value must be no more than {max}")));
            }
            Ok(v.to_string())
        }
        Kind::Bool => match value.trim().to_ascii_lowercase().as_str() {
            "true" => Ok("true".to_string()),
            "false" => Ok("false".to_string()),
            _ => Err(bad("Expected value to be either true or false".to_string())),
        },
        Kind::Choice(opts) => {
            if let Some(o) = opts.iter().find(|o| o.eq_ignore_ascii_case(value.trim())) {
                Ok(o.to_string())
            } else {
                Err(bad(format!("String must be one of: {}", opts.join(", "))))
            }
        }
        Kind::ListOf(opts) => {
            let mut out: Vec<&str> = Vec::new();
            for part in value.split(',').map(str::trim) {
                match opts.iter().find(|o| o.eq_ignore_ascii_case(part)) {
                    Some(o) if !out.contains(o) => out.push(o),
                    Some(_) => {}
                    None => {
                        return Err(bad(format!(
                            "Invalid value {part}; list elements must be one of: {}",
                            opts.join(", ")
                        )))
                    }
                }
            }
            if out.is_empty() {
                return Err(bad("the list must not be empty".to_string()));
            }
            Ok(out.join(","))
        }
        Kind::Double { min, max } => {
            let v = parse_decimal(value.trim())
                .ok_or_else(|| bad("Not a number of type DOUBLE".to_string()))?;
            // Kafka's ranges for double configs are given as integers (`between(0, 1)`), so
            // its message prints `0`, not `0.0`; `bound` prints that without Rust's float
            // formatting (kept out of the page's wasm).
            if v.is_nan() || v < min {
                return Err(bad(format!("Value must be at least {}", bound(min))));
            }
            if v > max {
                return Err(bad(format!("Value must be no more than {}", bound(max))));
            }
            Ok(value.trim().to_string())
        }
        Kind::Text => Ok(value.to_string()),
    }
}

impl ConfigMap {
    pub fn new(entity: &'static str) -> Self {
        Self {
            entity,
            set: VecMap::new(),
        }
    }

    fn table(&self) -> &'static [ConfigDef] {
        match self.entity {
            "topic" => TOPIC_CONFIGS,
            "broker" => BROKER_CONFIGS,
            "consumer" => CONSUMER_CONFIGS,
            _ => PRODUCER_CONFIGS,
        }
    }

    /// Sets `key=value` after validating both. On error nothing changes.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), CommandError> {
        let table = self.table();
        let def = find_def(table, key).ok_or_else(|| CommandError::UnknownConfig {
            key: key.to_string(),
            entity: self.entity,
            allowed: allowed_names(table),
        })?;
        let canonical = validate_value(def, value)?;
        self.set.insert(def.name.to_string(), canonical);
        Ok(())
    }

    pub fn remove(&mut self, key: &str) {
        self.set.remove(key);
    }

    /// The explicitly set pairs, in key order (what `--describe` prints as `Configs:`).
    pub fn explicit(&self) -> impl Iterator<Item = (&str, &str)> {
        self.set.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn is_set(&self, key: &str) -> bool {
        self.set.contains_key(key)
    }

    /// The value of `key`: the explicit one, else Kafka's default.
    pub fn get(&self, key: &str) -> &str {
        if let Some(v) = self.set.get(key) {
            return v;
        }
        find_def(self.table(), key).map(|d| d.default).unwrap_or("")
    }

    pub fn get_i64(&self, key: &str) -> i64 {
        self.get(key).parse().unwrap_or(0)
    }

    pub fn get_bool(&self, key: &str) -> bool {
        self.get(key) == "true"
    }
}

/// Parses `k=v` into its two halves, as every tool's `--config k=v` does.
pub fn split_kv(s: &str) -> Result<(&str, &str), CommandError> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k, v)),
        _ => Err(CommandError::arg(
            s,
            "expected key=value (for example min.insync.replicas=2)",
        )),
    }
}

/// Topic settings as the broker applies them: the topic's own overrides on top of the
/// broker defaults, with Kafka's names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicConfig {
    pub overrides: ConfigMap,
}

impl TopicConfig {
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, CommandError> {
        let mut overrides = ConfigMap::new("topic");
        for (k, v) in pairs {
            overrides.set(k, v)?;
        }
        Ok(Self { overrides })
    }

    /// `min.insync.replicas`, from the topic or else the broker default.
    pub fn min_insync_replicas(&self, broker: &ConfigMap) -> i64 {
        if self.overrides.is_set("min.insync.replicas") {
            self.overrides.get_i64("min.insync.replicas")
        } else {
            broker.get_i64("min.insync.replicas")
        }
    }

    pub fn unclean_leader_election(&self, broker: &ConfigMap) -> bool {
        if self.overrides.is_set("unclean.leader.election.enable") {
            self.overrides.get_bool("unclean.leader.election.enable")
        } else {
            broker.get_bool("unclean.leader.election.enable")
        }
    }

    pub fn is_compacted(&self) -> bool {
        self.overrides.get("cleanup.policy").contains("compact")
    }

    pub fn max_message_bytes(&self) -> i64 {
        self.overrides.get_i64("max.message.bytes")
    }

    pub fn flush_messages(&self, broker: &ConfigMap) -> i64 {
        if self.overrides.is_set("flush.messages") {
            self.overrides.get_i64("flush.messages")
        } else {
            broker.get_i64("log.flush.interval.messages")
        }
    }
}

/// Maps a config error from an admin call to the Kafka error the broker would return.
pub fn as_invalid_config(e: CommandError) -> CommandError {
    match e {
        CommandError::InvalidConfigValue { .. } | CommandError::UnknownConfig { .. } => {
            let msg = alloc::string::ToString::to_string(&e);
            CommandError::kafka(KafkaError::InvalidConfig, msg)
        }
        other => other,
    }
}

/// A `Kind::Double` bound as `{}` prints it (`0`, `1`, `0.25`), without float formatting: that
/// machinery (~12 KiB of wasm) would be in the web app for this one message otherwise. Six
/// decimals at most, which the bounds in the config tables never exceed.
fn bound(v: f64) -> String {
    let half = if v < 0.0 { -0.5 } else { 0.5 };
    let millionths = (v * 1e6 + half) as i64;
    let sign = if millionths < 0 { "-" } else { "" };
    let m = millionths.unsigned_abs();
    let (int, frac) = (m / 1_000_000, m % 1_000_000);
    if frac == 0 {
        return format!("{sign}{int}");
    }
    let digits = format!("{frac:06}");
    format!("{sign}{int}.{}", digits.trim_end_matches('0'))
}

/// Parses a decimal number as Java's `Double.parseDouble` reads the ones a config holds
/// (`0.5`, `-1`, `.25`, `5e-1`), without `str::parse::<f64>`, whose correctly-rounding
/// parser brings a 20 KB table of powers of five into the wasm bundle (BENCHMARKS.md, bundle).
///
/// With at most 15 significant digits and a decimal exponent within ±22, the mantissa and the
/// power of ten are exact doubles, so one multiplication or division rounds correctly and the
/// result equals the standard parser's. Longer inputs are still read (deterministically, on
/// every target) but may differ from it in the last bit, which no config range check notices.
pub fn parse_decimal(s: &str) -> Option<f64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (num, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut scale: i64 = 0;
    for (i, c) in int.bytes().chain(frac.bytes()).enumerate() {
        let d = u64::from(c.wrapping_sub(b'0'));
        if d > 9 {
            return None;
        }
        if mantissa < 100_000_000_000_000_000 {
            mantissa = mantissa * 10 + d;
            if i >= int.len() {
                scale -= 1;
            }
        } else if i < int.len() {
            // Digits beyond u64's reach before the point still count as powers of ten.
            scale += 1;
        }
    }
    if let Some(e) = exp {
        let (eneg, digits) = match e.as_bytes().first()? {
            b'-' => (true, &e[1..]),
            b'+' => (false, &e[1..]),
            _ => (false, e),
        };
        if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let n: i64 = digits
            .parse()
            .unwrap_or(i64::from(u16::MAX))
            .min(i64::from(u16::MAX));
        scale += if eneg { -n } else { n };
    }
    let mut v = mantissa as f64;
    let mut pow = 1.0f64;
    for _ in 0..scale.unsigned_abs().min(400) {
        pow *= 10.0;
    }
    if scale < 0 {
        v /= pow;
    } else {
        v *= pow;
    }
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `bound` prints a Double bound as `{}` would.
    #[test]
    fn bound_prints_like_display() {
        for v in [0.0, 1.0, 0.5, 0.25, -1.0, 2.125, 100.0, 0.000001] {
            assert_eq!(bound(v), format!("{v}"));
        }
    }

    /// `parse_decimal` must agree with the standard (correctly rounding) parser on every
    /// config-like number, and refuse what Java's `Double.parseDouble` would refuse.
    #[test]
    fn parse_decimal_matches_std() {
        let good = [
            "0",
            "0.5",
            "0.25",
            ".5",
            "1.",
            "-1",
            "+2",
            "0.1",
            "0.3",
            "0.0001",
            "1e-1",
            "5E-1",
            "2.5e3",
            "123456789012345",
            "0.123456789012345",
            "1e22",
            "1e-22",
            "-0.75",
            "007",
            "0.999999999999999",
            "3.141592653589793",
        ];
        for g in good {
            let ours = parse_decimal(g).unwrap_or_else(|| panic!("{g} refused"));
            let std: f64 = g.parse().unwrap();
            assert_eq!(ours.to_bits(), std.to_bits(), "{g}: {ours} vs {std}");
        }
        for b in [
            "", ".", "-", "+", "e5", "1e", "1e+", "1.2.3", "0x10", "1,5", "abc", " 1", "1 ",
        ] {
            assert_eq!(parse_decimal(b), None, "{b:?} accepted");
        }
    }

    #[test]
    fn l8_topic_defaults_are_kafkas() {
        let m = ConfigMap::new("topic");
        assert_eq!(m.get("segment.bytes"), "1073741824");
        assert_eq!(m.get("retention.ms"), "604800000");
        assert_eq!(m.get("retention.bytes"), "-1");
        assert_eq!(m.get("delete.retention.ms"), "86400000");
        assert_eq!(m.get("min.cleanable.dirty.ratio"), "0.5");
        assert_eq!(m.get("min.insync.replicas"), "1");
        assert_eq!(m.get("max.message.bytes"), "1048588");
        assert_eq!(m.get("unclean.leader.election.enable"), "false");
    }

    #[test]
    fn i5_producer_defaults_are_kafkas() {
        let m = ConfigMap::new("producer");
        assert_eq!(m.get("acks"), "all");
        assert_eq!(m.get("enable.idempotence"), "true");
        assert_eq!(m.get("max.in.flight.requests.per.connection"), "5");
        assert_eq!(m.get("linger.ms"), "5");
    }

    #[test]
    fn unknown_key_is_named_and_nothing_changes() {
        let mut m = ConfigMap::new("topic");
        let e = m.set("min.isr", "2").unwrap_err();
        let text = alloc::string::ToString::to_string(&e);
        assert!(text.contains("min.isr"), "{text}");
        assert!(text.contains("min.insync.replicas"), "{text}");
        assert!(!m.is_set("min.isr"));
    }

    #[test]
    fn bad_values_are_rejected_with_the_key() {
        let mut m = ConfigMap::new("topic");
        assert!(m.set("retention.ms", "-2").is_err());
        assert!(m.set("retention.ms", "-1").is_ok());
        assert!(m.set("cleanup.policy", "compact,delete").is_ok());
        assert_eq!(m.get("cleanup.policy"), "compact,delete");
        let e = m.set("cleanup.policy", "shred").unwrap_err();
        assert!(alloc::string::ToString::to_string(&e).contains("cleanup.policy"));
        assert_eq!(m.get("cleanup.policy"), "compact,delete");
        let mut p = ConfigMap::new("producer");
        let e = p.set("acks", "2").unwrap_err();
        assert!(alloc::string::ToString::to_string(&e).contains("acks"));
    }
}
