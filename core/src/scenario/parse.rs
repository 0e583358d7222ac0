//! Shell words → [`Stmt`]. Kafka's tools are parsed with their real long options
//! (`--topic orders` or `--topic=orders`), and their usage errors read like the real tools'
//! (`Missing required argument "[topic]"`, `Command must include exactly one action: …`).
//! Playground commands take positional words and `key=value` pairs. Anything unknown is named,
//! the nearest known spelling is suggested, and what is allowed is listed.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::ast::*;
use super::lex::{parse_duration, parse_size};
use super::ScenarioError;
use crate::config::{
    allowed_names, find_def, ConfigDef, BROKER_CONFIGS, PRODUCER_CONFIGS, TOPIC_CONFIGS,
};
use crate::ids::TopicPartition;

/// One command of the language, for `help`, suggestions and the console's tab completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommandHelp {
    pub name: &'static str,
    pub usage: &'static str,
    pub summary: &'static str,
}

/// Every top-level command, in the order `help` lists them.
pub const COMMANDS: &[CommandHelp] = &[
    CommandHelp { name: "cluster", usage: "cluster brokers=3 [controllers=3] [racks=a,b,c] [seed=42] [latency=2ms] [broker-config=value]...", summary: "start (or restart from scratch) a cluster" },
    CommandHelp { name: "kafka-topics", usage: "kafka-topics (--create|--describe|--list|--alter|--delete) [--topic T] [--partitions N] [--replication-factor N] [--replica-assignment 1:2:3,2:3:1] [--config k=v]...", summary: "create, describe, list, alter and delete topics" },
    CommandHelp { name: "kafka-configs", usage: "kafka-configs (--alter|--describe) (--entity-type topics --entity-name T | --entity-type brokers (--entity-name N | --entity-default)) [--add-config k=v[,k=v]] [--delete-config k[,k]]", summary: "change or show a topic's configs, or the brokers' dynamic configs" },
    CommandHelp { name: "kafka-console-producer", usage: "kafka-console-producer --topic T [--producer-property k=v]... [--property parse.key=true] [--property key.separator=:]  (records follow, up to a line EOF)", summary: "send one record per line" },
    CommandHelp { name: "kafka-console-consumer", usage: "kafka-console-consumer --topic T [--group G] [--from-beginning] [--max-messages N] [--property print.key=true]", summary: "read records" },
    CommandHelp { name: "kafka-consumer-groups", usage: "kafka-consumer-groups (--list | --describe --group G [--members] | --reset-offsets --group G --topic T (--to-earliest|--to-latest|--to-offset N) --execute)", summary: "list, describe and reset consumer groups" },
    CommandHelp { name: "kafka-leader-election", usage: "kafka-leader-election --election-type (preferred|unclean) (--topic T --partition N | --all-topic-partitions)", summary: "elect leaders" },
    CommandHelp { name: "producer", usage: "producer add ID [k=v]... | producer kill ID", summary: "add a producer client with Kafka producer configs, or crash one" },
    CommandHelp { name: "produce", usage: "produce PRODUCER TOPIC [key=K] [value=V] [partition=N] [count=N] [null-key] [tombstone]", summary: "send records" },
    CommandHelp { name: "txn", usage: "txn (begin|commit|abort) PRODUCER | txn send-offsets PRODUCER group=G", summary: "transactions" },
    CommandHelp { name: "consumer", usage: "consumer add ID group=G topics=T[,T] [k=v]... | consumer (remove|kill) ID | consumer pause ID for=40s", summary: "consumer clients" },
    CommandHelp { name: "broker", usage: "broker (stop|kill|power-off|start) ID", summary: "controlled shutdown, crash, machine loss, start" },
    CommandHelp { name: "controller", usage: "controller kill [controller-N] | controller start controller-N", summary: "crash or start a KRaft controller" },
    CommandHelp { name: "net", usage: "net isolate NODE | net cut A B | net slow NODE by=200ms | net drop next API [from=NODE] | net delay next API by=100ms [from=NODE] | net duplicate next API [from=NODE] | net heal [NODE]", summary: "network faults" },
    CommandHelp { name: "run", usage: "run 500ms", summary: "advance simulated time" },
    CommandHelp { name: "step", usage: "step [N]", summary: "deliver the next N events" },
    CommandHelp { name: "settle", usage: "settle [max=60s]", summary: "run until every send completed and every follower caught up" },
    CommandHelp { name: "expect", usage: "expect (partition|replica|controller|broker|records|log|producer|record|group|assignment|consumed|consumer|lag|lost|findings|error) ...", summary: "check the current state" },
    CommandHelp { name: "help", usage: "help [COMMAND]", summary: "list commands, or show one command's usage" },
];

/// The longest `run`, `settle max=` or `consumer pause for=` one line may ask for.
pub const MAX_RUN_MS: u64 = 3_600_000;
/// The most events one `step` line may deliver.
pub const MAX_STEPS: u64 = 100_000;
/// The most records one `produce` line may send.
pub const MAX_PRODUCE_COUNT: u32 = 10_000;
/// `settle` without `max=`.
pub const DEFAULT_SETTLE_MS: u64 = 60_000;

fn usage(msg: impl Into<String>) -> ScenarioError {
    ScenarioError::Usage(msg.into())
}

/// Levenshtein distance, for suggestions. Long words get no suggestion (the cost is
/// quadratic and a 4000-character word is not a typo).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = alloc::vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        core::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate nearest to `word`, if it is near enough to be a likely typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if word.is_empty() || word.chars().count() > 64 {
        return None;
    }
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        let cl = c.to_ascii_lowercase();
        let d = if cl.starts_with(&lower) && lower.len() >= 3 {
            1
        } else {
            edit_distance(&lower, &cl)
        };
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    let limit = (word.chars().count() / 3).max(2);
    best.filter(|(d, _)| *d <= limit).map(|(_, c)| c)
}

fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match nearest(word, candidates) {
        Some(c) => format!(" Did you mean '{c}'?"),
        None => String::new(),
    }
}

fn join(items: &[&str]) -> String {
    items.join(", ")
}

/// Parses one command from its words (and its records block, if it has one).
pub fn parse(words: &[String], block: Option<&[String]>) -> Result<Stmt, ScenarioError> {
    let Some(first) = words.first() else {
        return Err(usage("empty command"));
    };
    // `bin/kafka-topics.sh` is the same tool as `kafka-topics`.
    let name = first.rsplit('/').next().unwrap_or(first);
    let name = name.strip_suffix(".sh").unwrap_or(name);
    let rest = &words[1..];
    match name {
        "help" => Ok(Stmt::Help(rest.first().cloned())),
        "cluster" => parse_cluster(rest),
        "kafka-topics" => parse_topics(rest),
        "kafka-configs" => parse_configs(rest),
        "kafka-console-producer" => parse_console_producer(rest, block.unwrap_or(&[])),
        "kafka-console-consumer" => parse_console_consumer(rest),
        "kafka-consumer-groups" => parse_consumer_groups(rest),
        "kafka-leader-election" => parse_leader_election(rest),
        "producer" => parse_producer(rest),
        "produce" => parse_produce(rest),
        "txn" => parse_txn(rest),
        "consumer" => parse_consumer(rest),
        "broker" => parse_broker(rest),
        "controller" => parse_controller(rest),
        "net" => parse_net(rest),
        "run" => parse_run(rest),
        "step" => parse_step(rest),
        "settle" => parse_settle(rest),
        "expect" => parse_expect(rest),
        _ => Err(usage(format!(
            "unknown command '{first}'.{} Type 'help' for the list of commands.",
            did_you_mean(name, COMMANDS.iter().map(|c| c.name))
        ))),
    }
}

// ----------------------------------------------------------------------------------------
// Kafka tools: long options

#[derive(Clone, Copy)]
struct Opt {
    name: &'static str,
    arg: bool,
}

const fn flag(name: &'static str) -> Opt {
    Opt { name, arg: false }
}
const fn arg(name: &'static str) -> Opt {
    Opt { name, arg: true }
}

struct Opts {
    given: Vec<(&'static str, Option<String>)>,
}

impl Opts {
    fn has(&self, name: &str) -> bool {
        self.given.iter().any(|(n, _)| *n == name)
    }
    fn value(&self, name: &str) -> Option<&str> {
        self.given
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.as_deref())
    }
    fn values(&self, name: &str) -> Vec<&str> {
        self.given
            .iter()
            .filter(|(n, _)| *n == name)
            .filter_map(|(_, v)| v.as_deref())
            .collect()
    }
    fn required(&self, name: &str) -> Result<&str, ScenarioError> {
        self.value(name)
            .ok_or_else(|| usage(format!("Missing required argument \"[{name}]\"")))
    }
    fn number<T: core::str::FromStr>(&self, name: &str) -> Result<Option<T>, ScenarioError> {
        match self.value(name) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| usage(format!("Cannot parse argument '{v}' of option {name}"))),
        }
    }
    fn not_with(&self, a: &str, b: &str) -> Result<(), ScenarioError> {
        if self.has(a) && self.has(b) {
            return Err(usage(format!(
                "Option \"[{a}]\" can't be used with option \"[{b}]\""
            )));
        }
        Ok(())
    }
}

fn parse_opts(tool: &str, words: &[String], specs: &[Opt]) -> Result<Opts, ScenarioError> {
    let mut given = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let Some(body) = w.strip_prefix("--") else {
            return Err(usage(format!(
                "{tool}: found non-option argument '{w}'; options start with -- (see 'help {tool}')"
            )));
        };
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        let Some(spec) = specs.iter().find(|s| s.name == name) else {
            let names: Vec<String> = specs.iter().map(|s| format!("--{}", s.name)).collect();
            return Err(usage(format!(
                "{tool}: {name} is not a recognized option.{} Options: {}",
                did_you_mean(name, specs.iter().map(|s| s.name))
                    .replace("Did you mean '", "Did you mean '--"),
                names.join(", ")
            )));
        };
        if spec.arg {
            let value = match inline {
                Some(v) => v,
                None => {
                    i += 1;
                    match words.get(i) {
                        Some(v) if !v.starts_with("--") => v.clone(),
                        _ => {
                            return Err(usage(format!("Option {} requires an argument", spec.name)))
                        }
                    }
                }
            };
            given.push((spec.name, Some(value)));
        } else {
            if inline.is_some() {
                return Err(usage(format!(
                    "Option {} does not take an argument",
                    spec.name
                )));
            }
            given.push((spec.name, None));
        }
        i += 1;
    }
    Ok(Opts { given })
}

/// The long options of a Kafka tool, without `--` (for the console's tab completion).
pub fn tool_options(tool: &str) -> &'static [&'static str] {
    match tool {
        "kafka-topics" => TOPICS_FLAGS,
        "kafka-configs" => CONFIGS_FLAGS,
        "kafka-console-producer" => CONSOLE_PRODUCER_FLAGS,
        "kafka-console-consumer" => CONSOLE_CONSUMER_FLAGS,
        "kafka-consumer-groups" => GROUPS_FLAGS,
        "kafka-leader-election" => ELECTION_FLAGS,
        _ => &[],
    }
}

macro_rules! names_of {
    ($name:ident, $opts:ident) => {
        const $name: &[&str] = &{
            let mut out = [""; $opts.len()];
            let mut i = 0;
            while i < $opts.len() {
                out[i] = $opts[i].name;
                i += 1;
            }
            out
        };
    };
}

fn exactly_one_action(opts: &Opts, actions: &[&str]) -> Result<&'static str, ScenarioError> {
    let chosen: Vec<&'static str> = opts
        .given
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| actions.contains(n))
        .collect();
    let mut distinct = chosen.clone();
    distinct.dedup();
    if distinct.len() != 1 {
        let list: Vec<String> = actions.iter().map(|a| format!("--{a}")).collect();
        let (head, last) = list.split_at(list.len() - 1);
        return Err(usage(format!(
            "Command must include exactly one action: {} or {}",
            head.join(", "),
            last[0]
        )));
    }
    Ok(distinct[0])
}

/// Checks a config key against its table, naming the nearest key and listing the allowed ones.
fn check_config_key(
    table: &'static [ConfigDef],
    entity: &str,
    key: &str,
) -> Result<(), ScenarioError> {
    if find_def(table, key).is_some() {
        return Ok(());
    }
    Err(usage(format!(
        "Unknown {entity} config '{key}'.{} Allowed: {}",
        did_you_mean(key, table.iter().map(|d| d.name)),
        allowed_names(table)
    )))
}

fn split_kv_word(s: &str) -> Result<(String, String), ScenarioError> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(usage(format!(
            "'{s}' must be key=value (for example min.insync.replicas=2)"
        ))),
    }
}

fn parse_replica_assignment(s: &str) -> Result<Vec<Vec<u32>>, ScenarioError> {
    let mut out = Vec::new();
    for (p, part) in s.split(',').enumerate() {
        let mut replicas = Vec::new();
        for r in part.split(':') {
            let id: u32 = r.trim().parse().map_err(|_| {
                usage(format!(
                    "Invalid replica assignment '{s}': '{r}' is not a broker id (write 1:2:3,2:3:1)"
                ))
            })?;
            if replicas.contains(&id) {
                return Err(usage(format!(
                    "Partition replica lists may not contain duplicate entries: {id} (partition {p})"
                )));
            }
            replicas.push(id);
        }
        out.push(replicas);
    }
    Ok(out)
}

const TOPICS_OPTS: &[Opt] = &[
    arg("bootstrap-server"),
    flag("create"),
    flag("describe"),
    flag("list"),
    flag("alter"),
    flag("delete"),
    arg("topic"),
    arg("partitions"),
    arg("replication-factor"),
    arg("replica-assignment"),
    arg("config"),
    flag("if-not-exists"),
    flag("if-exists"),
    flag("exclude-internal"),
    flag("under-replicated-partitions"),
    flag("unavailable-partitions"),
    flag("under-min-isr-partitions"),
    flag("at-min-isr-partitions"),
];

names_of!(TOPICS_FLAGS, TOPICS_OPTS);

fn parse_topics(words: &[String]) -> Result<Stmt, ScenarioError> {
    let o = parse_opts("kafka-topics", words, TOPICS_OPTS)?;
    let action = exactly_one_action(&o, &["list", "describe", "create", "alter", "delete"])?;
    match action {
        "create" => {
            let topic = o.required("topic")?.to_string();
            o.not_with("partitions", "replica-assignment")?;
            o.not_with("replication-factor", "replica-assignment")?;
            let partitions: Option<u32> = o.number("partitions")?;
            let replication_factor: Option<u32> = o.number("replication-factor")?;
            if replication_factor.is_some_and(|rf| !(1..=32767).contains(&rf)) {
                return Err(usage(
                    "The replication factor must be between 1 and 32767 inclusive",
                ));
            }
            if partitions == Some(0) {
                return Err(usage("The partitions must be greater than 0"));
            }
            let assignment = o
                .value("replica-assignment")
                .map(parse_replica_assignment)
                .transpose()?;
            let mut configs = Vec::new();
            for c in o.values("config") {
                let (k, v) = split_kv_word(c)?;
                check_config_key(TOPIC_CONFIGS, "topic", &k)?;
                configs.push((k, v));
            }
            Ok(Stmt::TopicsCreate {
                topic,
                partitions,
                replication_factor,
                assignment,
                configs,
                if_not_exists: o.has("if-not-exists"),
            })
        }
        "describe" => Ok(Stmt::TopicsDescribe {
            topic: o.value("topic").map(str::to_string),
            exclude_internal: o.has("exclude-internal"),
            filter: DescribeFilter {
                under_replicated: o.has("under-replicated-partitions"),
                unavailable: o.has("unavailable-partitions"),
                under_min_isr: o.has("under-min-isr-partitions"),
                at_min_isr: o.has("at-min-isr-partitions"),
            },
        }),
        "list" => Ok(Stmt::TopicsList {
            exclude_internal: o.has("exclude-internal"),
        }),
        "alter" => {
            let topic = o.required("topic")?.to_string();
            if o.has("config") {
                return Err(usage(
                    "Option \"[config]\" can't be used with option \"[alter]\"; use kafka-configs --alter --add-config",
                ));
            }
            let partitions: u32 = o
                .number("partitions")?
                .ok_or_else(|| usage("Missing required argument \"[partitions]\""))?;
            Ok(Stmt::TopicsAlter { topic, partitions })
        }
        _ => Ok(Stmt::TopicsDelete {
            topic: o.required("topic")?.to_string(),
        }),
    }
}

const CONFIGS_OPTS: &[Opt] = &[
    arg("bootstrap-server"),
    flag("alter"),
    flag("describe"),
    arg("entity-type"),
    arg("entity-name"),
    arg("topic"),
    arg("broker"),
    flag("broker-defaults"),
    flag("entity-default"),
    arg("add-config"),
    arg("delete-config"),
    flag("all"),
];

names_of!(CONFIGS_FLAGS, CONFIGS_OPTS);

/// The entity types of `kafka-configs`.
pub const ENTITY_TYPES: &[&str] = &[
    "topics",
    "brokers",
    "broker-loggers",
    "clients",
    "users",
    "ips",
    "client-metrics",
    "groups",
];

/// `k=v,k2=[a,b]`: commas inside square brackets belong to the value, as in Kafka's tool.
fn split_add_config(s: &str) -> Result<Vec<(String, String)>, ScenarioError> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '[' => {
                depth += 1;
                cur.push(c)
            }
            ']' => {
                depth -= 1;
                cur.push(c)
            }
            ',' if depth == 0 => parts.push(core::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    parts.push(cur);
    let mut out = Vec::new();
    for p in parts.iter().filter(|p| !p.trim().is_empty()) {
        let (k, v) = split_kv_word(p.trim())?;
        let v = v
            .strip_prefix('[')
            .and_then(|v| v.strip_suffix(']'))
            .map(str::to_string)
            .unwrap_or(v);
        out.push((k, v));
    }
    Ok(out)
}

fn parse_configs(words: &[String]) -> Result<Stmt, ScenarioError> {
    let o = parse_opts("kafka-configs", words, CONFIGS_OPTS)?;
    let action = exactly_one_action(&o, &["describe", "alter"])?;
    let (etype, name) = if let Some(t) = o.value("topic") {
        ("topics", Some(t.to_string()))
    } else if o.has("broker") || o.has("broker-defaults") {
        ("brokers", o.value("broker").map(str::to_string))
    } else {
        let t = o
            .value("entity-type")
            .ok_or_else(|| usage("Missing required argument \"[entity-type]\" (or --topic T)"))?;
        if !ENTITY_TYPES.contains(&t) {
            return Err(usage(format!(
                "Invalid entity type {t}, the entity type must be one of {}",
                join(ENTITY_TYPES)
            )));
        }
        (
            ENTITY_TYPES
                .iter()
                .copied()
                .find(|e| *e == t)
                .unwrap_or("topics"),
            o.value("entity-name").map(str::to_string),
        )
    };
    match etype {
        "topics" => {}
        "brokers" => return parse_broker_configs(&o, action, name.as_deref()),
        other => {
            return Err(ScenarioError::NotSupported(format!(
                "kafka-configs --entity-type {other} (only topics are simulated)"
            )))
        }
    }
    if action == "describe" {
        return Ok(Stmt::ConfigsDescribe { topic: name });
    }
    let topic = name.ok_or_else(|| usage("Missing required argument \"[entity-name]\""))?;
    let (add, delete) = alter_lists(&o, TOPIC_CONFIGS, "topic")?;
    Ok(Stmt::ConfigsAlter { topic, add, delete })
}

/// `last-error=NAME` of an expect line; `none` (or empty) expects no error.
fn expected_error(v: &str) -> Option<String> {
    (v != "none" && !v.is_empty()).then(|| v.to_string())
}

/// Configs as `(key, value)` pairs, in the order given.
type ConfigPairs = Vec<(String, String)>;

/// `--add-config k=v[,k=v]` and `--delete-config k[,k]` of `kafka-configs --alter`, each key
/// checked against the entity's config table (one of them is required, as ConfigCommand says).
fn alter_lists(
    o: &Opts,
    defs: &'static [ConfigDef],
    entity: &str,
) -> Result<(ConfigPairs, Vec<String>), ScenarioError> {
    if !o.has("add-config") && !o.has("delete-config") {
        return Err(usage(
            "At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter",
        ));
    }
    let mut add = Vec::new();
    for a in o.values("add-config") {
        for (k, v) in split_add_config(a)? {
            check_config_key(defs, entity, &k)?;
            add.push((k, v));
        }
    }
    let mut delete = Vec::new();
    for d in o.values("delete-config") {
        for k in d.split(',').map(str::trim).filter(|k| !k.is_empty()) {
            check_config_key(defs, entity, k)?;
            delete.push(k.to_string());
        }
    }
    Ok((add, delete))
}

/// `kafka-configs … --entity-type brokers`, with `ConfigCommandOptions.checkArgs`'s messages.
fn parse_broker_configs(o: &Opts, action: &str, name: Option<&str>) -> Result<Stmt, ScenarioError> {
    let default = o.has("entity-default") || o.has("broker-defaults");
    let broker = match name {
        Some(n) => Some(n.parse::<u32>().map_err(|_| {
            usage(format!(
                "The entity name for brokers must be a valid integer broker id, but it is: {n}"
            ))
        })?),
        None => None,
    };
    if action == "describe" {
        let which = match broker {
            Some(b) => BrokerEntity::Broker(b),
            None if default => BrokerEntity::Default,
            None => BrokerEntity::All,
        };
        return Ok(Stmt::BrokerConfigsDescribe { which });
    }
    if broker.is_none() && !default {
        return Err(usage(
            "An entity-name or default entity must be specified with --alter of users, clients, brokers or ips",
        ));
    }
    let (add, delete) = alter_lists(o, BROKER_CONFIGS, "broker")?;
    Ok(Stmt::BrokerConfigsAlter {
        broker,
        add,
        delete,
    })
}

const CONSOLE_PRODUCER_OPTS: &[Opt] = &[
    arg("bootstrap-server"),
    arg("topic"),
    arg("producer-property"),
    arg("property"),
    arg("reader-property"),
    arg("request-required-acks"),
];

names_of!(CONSOLE_PRODUCER_FLAGS, CONSOLE_PRODUCER_OPTS);

const READER_PROPERTIES: &[&str] = &["parse.key", "key.separator", "null.marker", "ignore.error"];

fn parse_console_producer(words: &[String], block: &[String]) -> Result<Stmt, ScenarioError> {
    let o = parse_opts("kafka-console-producer", words, CONSOLE_PRODUCER_OPTS)?;
    let topic = o.required("topic")?.to_string();
    let mut producer_props = Vec::new();
    if let Some(acks) = o.value("request-required-acks") {
        producer_props.push(("acks".to_string(), acks.to_string()));
    }
    for p in o.values("producer-property") {
        let (k, v) = split_kv_word(p)?;
        check_config_key(PRODUCER_CONFIGS, "producer", &k)?;
        producer_props.push((k, v));
    }
    let mut parse_key = false;
    let mut key_separator = "\t".to_string();
    let mut null_marker = None;
    for p in o
        .values("property")
        .into_iter()
        .chain(o.values("reader-property"))
    {
        let (k, v) = split_kv_word(p)?;
        match k.as_str() {
            "parse.key" => parse_key = v.eq_ignore_ascii_case("true"),
            "key.separator" => key_separator = v,
            "null.marker" => null_marker = Some(v),
            "ignore.error" => {}
            _ => {
                return Err(usage(format!(
                    "Unknown property '{k}'.{} Allowed: {}",
                    did_you_mean(&k, READER_PROPERTIES.iter().copied()),
                    join(READER_PROPERTIES)
                )))
            }
        }
    }
    if key_separator.is_empty() {
        return Err(usage("key.separator must not be empty"));
    }
    Ok(Stmt::ConsoleProducer(ConsoleProducer {
        topic,
        producer_props,
        parse_key,
        key_separator,
        null_marker,
        records: block.to_vec(),
    }))
}

const CONSOLE_CONSUMER_OPTS: &[Opt] = &[
    arg("bootstrap-server"),
    arg("topic"),
    arg("group"),
    flag("from-beginning"),
    arg("max-messages"),
    arg("property"),
    arg("formatter-property"),
    arg("consumer-property"),
    arg("partition"),
    arg("offset"),
    arg("timeout-ms"),
    arg("isolation-level"),
];

names_of!(CONSOLE_CONSUMER_FLAGS, CONSOLE_CONSUMER_OPTS);

fn parse_console_consumer(words: &[String]) -> Result<Stmt, ScenarioError> {
    let o = parse_opts("kafka-console-consumer", words, CONSOLE_CONSUMER_OPTS)?;
    let topic = o.required("topic")?.to_string();
    let mut print_key = false;
    for p in o
        .values("property")
        .into_iter()
        .chain(o.values("formatter-property"))
    {
        let (k, v) = split_kv_word(p)?;
        if k == "print.key" {
            print_key = v.eq_ignore_ascii_case("true");
        }
    }
    Ok(Stmt::ConsoleConsumer {
        topic,
        group: o.value("group").map(str::to_string),
        from_beginning: o.has("from-beginning"),
        max_messages: o.number("max-messages")?,
        print_key,
    })
}

const GROUPS_OPTS: &[Opt] = &[
    arg("bootstrap-server"),
    flag("list"),
    flag("describe"),
    flag("reset-offsets"),
    flag("delete"),
    arg("group"),
    flag("all-groups"),
    flag("members"),
    flag("offsets"),
    flag("state"),
    flag("verbose"),
    arg("topic"),
    flag("to-earliest"),
    flag("to-latest"),
    arg("to-offset"),
    flag("execute"),
    flag("dry-run"),
];

names_of!(GROUPS_FLAGS, GROUPS_OPTS);

fn parse_consumer_groups(words: &[String]) -> Result<Stmt, ScenarioError> {
    let o = parse_opts("kafka-consumer-groups", words, GROUPS_OPTS)?;
    let action = exactly_one_action(&o, &["list", "describe", "delete", "reset-offsets"])?;
    match action {
        "list" => Ok(Stmt::GroupsList),
        "describe" => Ok(Stmt::GroupsDescribe {
            group: o.required("group")?.to_string(),
            members: o.has("members"),
            state: o.has("state"),
            verbose: o.has("verbose"),
        }),
        "reset-offsets" => {
            let group = o.required("group")?.to_string();
            let topic = o.required("topic")?.to_string();
            let to = if o.has("to-earliest") {
                ResetTo::Earliest
            } else if o.has("to-latest") {
                ResetTo::Latest
            } else if let Some(n) = o.number::<i64>("to-offset")? {
                ResetTo::Offset(n)
            } else {
                return Err(usage(
                    "Option [reset-offsets] takes one of these options: --to-earliest, --to-latest, --to-offset",
                ));
            };
            Ok(Stmt::GroupsResetOffsets {
                group,
                topic,
                to,
                execute: o.has("execute"),
            })
        }
        _ => Err(ScenarioError::NotSupported(
            "kafka-consumer-groups --delete".to_string(),
        )),
    }
}

const ELECTION_OPTS: &[Opt] = &[
    arg("bootstrap-server"),
    arg("election-type"),
    arg("topic"),
    arg("partition"),
    flag("all-topic-partitions"),
    arg("path-to-json-file"),
];

names_of!(ELECTION_FLAGS, ELECTION_OPTS);

fn parse_leader_election(words: &[String]) -> Result<Stmt, ScenarioError> {
    let o = parse_opts("kafka-leader-election", words, ELECTION_OPTS)?;
    let t = o.required("election-type")?;
    let election = if t.eq_ignore_ascii_case("preferred") {
        Election::Preferred
    } else if t.eq_ignore_ascii_case("unclean") {
        Election::Unclean
    } else {
        return Err(usage(format!(
            "Cannot parse argument '{t}' of option election-type: must be one of preferred, unclean"
        )));
    };
    let sources = ["all-topic-partitions", "topic", "path-to-json-file"];
    if sources.iter().filter(|s| o.has(s)).count() != 1 {
        return Err(usage(
            "One and only one of the following options is required: all-topic-partitions, topic, path-to-json-file",
        ));
    }
    if o.has("path-to-json-file") {
        return Err(ScenarioError::NotSupported(
            "--path-to-json-file (there are no files here; use --topic T --partition N)"
                .to_string(),
        ));
    }
    if o.has("all-topic-partitions") {
        return Ok(Stmt::LeaderElection {
            election,
            partitions: None,
        });
    }
    let topic = o.required("topic")?;
    let partition: u32 = o
        .number("partition")?
        .ok_or_else(|| usage("Missing required argument \"[partition]\""))?;
    Ok(Stmt::LeaderElection {
        election,
        partitions: Some(alloc::vec![TopicPartition::new(topic, partition)]),
    })
}

// ----------------------------------------------------------------------------------------
// Playground commands: positional words and key=value

struct Args {
    cmd: &'static str,
    pos: Vec<String>,
    kv: Vec<(String, String)>,
}

impl Args {
    fn new(cmd: &'static str, words: &[String]) -> Self {
        let mut pos = Vec::new();
        let mut kv = Vec::new();
        for w in words {
            match w.split_once('=') {
                Some((k, v)) if !k.is_empty() => kv.push((k.to_string(), v.to_string())),
                _ => pos.push(w.clone()),
            }
        }
        Self { cmd, pos, kv }
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.kv
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn pos(&self, i: usize, what: &str) -> Result<&str, ScenarioError> {
        self.pos.get(i).map(String::as_str).ok_or_else(|| {
            usage(format!(
                "{}: missing {what}. Usage: {}",
                self.cmd,
                usage_of(self.cmd)
            ))
        })
    }

    fn at_most(&self, n: usize) -> Result<(), ScenarioError> {
        if let Some(extra) = self.pos.get(n) {
            return Err(usage(format!(
                "{}: unexpected '{extra}'. Usage: {}",
                self.cmd,
                usage_of(self.cmd)
            )));
        }
        Ok(())
    }

    /// Refuses keys outside `allowed`.
    fn only_keys(&self, allowed: &[&str]) -> Result<(), ScenarioError> {
        for (k, _) in &self.kv {
            if !allowed.contains(&k.as_str()) {
                return Err(usage(format!(
                    "{}: unknown argument '{k}'.{} Allowed: {}",
                    self.cmd,
                    did_you_mean(k, allowed.iter().copied()),
                    join(allowed)
                )));
            }
        }
        Ok(())
    }

    fn num<T: core::str::FromStr>(&self, key: &str) -> Result<Option<T>, ScenarioError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| usage(format!("{}: {key}={v}: expected a number", self.cmd))),
        }
    }

    fn duration(&self, key: &str) -> Result<Option<u64>, ScenarioError> {
        self.get(key)
            .map(|v| parse_duration(v).map_err(|e| usage(format!("{}: {key}: {e}", self.cmd))))
            .transpose()
    }
}

fn usage_of(cmd: &str) -> &'static str {
    COMMANDS
        .iter()
        .find(|c| c.name == cmd)
        .map(|c| c.usage)
        .unwrap_or("")
}

fn sub<'a>(
    cmd: &'static str,
    words: &'a [String],
    subs: &[&str],
) -> Result<&'a str, ScenarioError> {
    match words.first() {
        None => Err(usage(format!(
            "{cmd}: missing subcommand. Usage: {}",
            usage_of(cmd)
        ))),
        Some(s) if subs.contains(&s.as_str()) => Ok(s),
        Some(s) => Err(usage(format!(
            "{cmd}: unknown subcommand '{s}'.{} Allowed: {}",
            did_you_mean(s, subs.iter().copied()),
            join(subs)
        ))),
    }
}

/// A playground config value may carry a unit: `linger.ms=1s`, `segment.bytes=1MiB`.
/// It becomes the plain number Kafka expects.
fn normalize_value(key: &str, value: &str) -> Result<String, ScenarioError> {
    let has_unit = value
        .chars()
        .last()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && value.chars().next().is_some_and(|c| c.is_ascii_digit());
    if !has_unit {
        return Ok(value.to_string());
    }
    if key.ends_with(".ms") {
        return parse_duration(value)
            .map(|v| v.to_string())
            .map_err(|e| usage(format!("{key}: {e}")));
    }
    if key.ends_with(".bytes")
        || key == "batch.size"
        || key == "buffer.memory"
        || key == "max.request.size"
    {
        return parse_size(value)
            .map(|v| v.to_string())
            .map_err(|e| usage(format!("{key}: {e}")));
    }
    Ok(value.to_string())
}

fn configs(
    args: &Args,
    skip: &[&str],
    table: &'static [ConfigDef],
    entity: &str,
) -> Result<Vec<(String, String)>, ScenarioError> {
    let mut out = Vec::new();
    for (k, v) in &args.kv {
        if skip.contains(&k.as_str()) {
            continue;
        }
        if find_def(table, k).is_none() {
            let mut names: Vec<&str> = skip.to_vec();
            names.extend(table.iter().map(|d| d.name));
            return Err(usage(format!(
                "{}: unknown {entity} config '{k}'.{} Allowed: {}",
                args.cmd,
                did_you_mean(k, names.iter().copied()),
                join(&names)
            )));
        }
        out.push((k.clone(), normalize_value(k, v)?));
    }
    Ok(out)
}

fn parse_cluster(words: &[String]) -> Result<Stmt, ScenarioError> {
    let a = Args::new("cluster", words);
    a.at_most(0)?;
    const OWN: &[&str] = &["brokers", "controllers", "racks", "seed", "latency"];
    let broker_configs = configs(&a, OWN, BROKER_CONFIGS, "broker")?;
    let brokers: u32 = a.num("brokers")?.unwrap_or(3);
    if brokers == 0 {
        return Err(usage("cluster: brokers must be at least 1"));
    }
    let controllers: Option<u32> = a.num("controllers")?;
    if controllers == Some(0) {
        return Err(usage("cluster: controllers must be at least 1"));
    }
    let racks = a
        .get("racks")
        .map(|r| {
            r.split(',')
                .map(|s| s.trim().to_string())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    if racks.iter().any(String::is_empty) {
        return Err(usage(
            "cluster: racks=a,b,c takes rack names separated by commas",
        ));
    }
    Ok(Stmt::Cluster(ClusterArgs {
        brokers,
        controllers,
        racks,
        seed: a.num("seed")?,
        latency_ms: a.duration("latency")?,
        broker_configs,
    }))
}

fn parse_producer(words: &[String]) -> Result<Stmt, ScenarioError> {
    if sub("producer", words, &["add", "kill"])? == "kill" {
        let a = Args::new("producer kill", &words[1..]);
        a.only_keys(&[])?;
        let client_id = a.pos(0, "the producer to crash")?.to_string();
        a.at_most(1)?;
        return Ok(Stmt::ProducerKill { client_id });
    }
    let a = Args::new("producer", &words[1..]);
    let client_id = a.pos(0, "the producer's id (its client.id)")?.to_string();
    a.at_most(1)?;
    let configs = configs(&a, &[], PRODUCER_CONFIGS, "producer")?;
    Ok(Stmt::ProducerAdd { client_id, configs })
}

fn parse_produce(words: &[String]) -> Result<Stmt, ScenarioError> {
    let a = Args::new("produce", words);
    a.only_keys(&["key", "value", "partition", "count"])?;
    let producer = a.pos(0, "the producer")?.to_string();
    let topic = a.pos(1, "the topic")?.to_string();
    let mut null_key = false;
    let mut tombstone = false;
    for flag in &a.pos[2..] {
        match flag.as_str() {
            "null-key" => null_key = true,
            "tombstone" => tombstone = true,
            other => {
                return Err(usage(format!(
                    "produce: unexpected '{other}'.{} Usage: {}",
                    did_you_mean(
                        other,
                        [
                            "null-key",
                            "tombstone",
                            "key",
                            "value",
                            "partition",
                            "count"
                        ]
                    ),
                    usage_of("produce")
                )))
            }
        }
    }
    if null_key && a.get("key").is_some() {
        return Err(usage("produce: null-key and key= cannot be used together"));
    }
    if tombstone && a.get("value").is_some() {
        return Err(usage(
            "produce: tombstone and value= cannot be used together",
        ));
    }
    let count: u32 = a.num("count")?.unwrap_or(1);
    if count == 0 {
        return Err(usage("produce: count must be at least 1"));
    }
    if count > MAX_PRODUCE_COUNT {
        return Err(ScenarioError::Limit(format!(
            "produce count is limited to {MAX_PRODUCE_COUNT} per line in the playground (asked for {count})"
        )));
    }
    let value = if tombstone {
        None
    } else {
        Some(a.get("value").unwrap_or(DEFAULT_VALUE).to_string())
    };
    Ok(Stmt::Produce {
        producer,
        topic,
        key: a.get("key").map(str::to_string),
        value,
        partition: a.num("partition")?,
        count,
    })
}

/// The value of `produce` without `value=` (a tombstone is written `tombstone`).
pub const DEFAULT_VALUE: &str = "v";

fn parse_txn(words: &[String]) -> Result<Stmt, ScenarioError> {
    let op = match sub("txn", words, &["begin", "commit", "abort", "send-offsets"])? {
        "begin" => TxnOp::Begin,
        "commit" => TxnOp::Commit,
        "abort" => TxnOp::Abort,
        _ => TxnOp::SendOffsets,
    };
    let a = Args::new("txn", &words[1..]);
    a.only_keys(if op == TxnOp::SendOffsets {
        &["group"]
    } else {
        &[]
    })?;
    let producer = a.pos(0, "the transactional producer")?.to_string();
    a.at_most(1)?;
    let group = a.get("group").map(str::to_string);
    if op == TxnOp::SendOffsets && group.is_none() {
        return Err(usage("txn send-offsets: missing group=G"));
    }
    Ok(Stmt::Txn {
        op,
        producer,
        group,
    })
}

fn parse_consumer(words: &[String]) -> Result<Stmt, ScenarioError> {
    let s = sub("consumer", words, &["add", "remove", "kill", "pause"])?;
    let a = Args::new("consumer", &words[1..]);
    let id = a.pos(0, "the consumer's id (its client.id)")?.to_string();
    a.at_most(1)?;
    match s {
        "add" => {
            let topics: Vec<String> = a
                .get("topics")
                .map(|t| {
                    t.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            if topics.is_empty() {
                return Err(usage("consumer add: missing topics=T[,T]"));
            }
            // Consumer configs have no table in the core yet; keys are kept as written.
            let configs =
                a.kv.iter()
                    .filter(|(k, _)| k != "group" && k != "topics")
                    .map(|(k, v)| Ok((k.clone(), normalize_value(k, v)?)))
                    .collect::<Result<Vec<_>, ScenarioError>>()?;
            Ok(Stmt::ConsumerAdd {
                client_id: id,
                group: a.get("group").map(str::to_string),
                topics,
                configs,
            })
        }
        "remove" => {
            a.only_keys(&[])?;
            Ok(Stmt::ConsumerRemove(id))
        }
        "kill" => {
            a.only_keys(&[])?;
            Ok(Stmt::ConsumerKill(id))
        }
        _ => {
            a.only_keys(&["for"])?;
            let for_ms = a.duration("for")?.ok_or_else(|| {
                usage("consumer pause: missing for=DURATION (for example for=40s)")
            })?;
            check_run_limit(for_ms)?;
            Ok(Stmt::ConsumerPause {
                client_id: id,
                for_ms,
            })
        }
    }
}

fn parse_u32(what: &str, s: &str) -> Result<u32, ScenarioError> {
    s.trim()
        .parse()
        .map_err(|_| usage(format!("{what}: '{s}' is not a number")))
}

fn parse_broker(words: &[String]) -> Result<Stmt, ScenarioError> {
    let op = match sub("broker", words, &["stop", "kill", "power-off", "start"])? {
        "stop" => BrokerOp::Stop,
        "kill" => BrokerOp::Kill,
        "power-off" => BrokerOp::PowerOff,
        _ => BrokerOp::Start,
    };
    let a = Args::new("broker", &words[1..]);
    a.only_keys(&[])?;
    let id = a.pos(0, "the broker id")?;
    a.at_most(1)?;
    let id = match parse_node(id) {
        Node::Broker(b) => b,
        _ => {
            return Err(usage(format!(
                "broker: '{id}' is not a broker id (brokers are 1, 2, 3, …)"
            )))
        }
    };
    Ok(Stmt::Broker { op, id })
}

fn parse_controller(words: &[String]) -> Result<Stmt, ScenarioError> {
    let s = sub("controller", words, &["kill", "start"])?;
    let a = Args::new("controller", &words[1..]);
    a.only_keys(&[])?;
    a.at_most(1)?;
    let which = match a.pos.first() {
        None => None,
        Some(n) => match parse_node(n) {
            Node::Controller(c) => c,
            _ => {
                return Err(usage(format!(
                    "controller: '{n}' is not a controller (write controller-1, controller-2, …)"
                )))
            }
        },
    };
    if s == "kill" {
        Ok(Stmt::ControllerKill(which))
    } else {
        which.map(Stmt::ControllerStart).ok_or_else(|| {
            usage("controller start: name the controller (for example controller-2)")
        })
    }
}

/// `2` or `broker-2` → a broker, `controller` / `controller-2` → a controller, anything
/// else → a client id.
pub fn parse_node(s: &str) -> Node {
    if let Ok(b) = s.parse::<u32>() {
        return Node::Broker(b);
    }
    if let Some(b) = s.strip_prefix("broker-").and_then(|n| n.parse().ok()) {
        return Node::Broker(b);
    }
    if s == "controller" {
        return Node::Controller(None);
    }
    if let Some(c) = s.strip_prefix("controller-").and_then(|n| n.parse().ok()) {
        return Node::Controller(Some(c));
    }
    Node::Client(s.to_string())
}

fn parse_net(words: &[String]) -> Result<Stmt, ScenarioError> {
    let s = sub(
        "net",
        words,
        &[
            "isolate",
            "cut",
            "slow",
            "drop",
            "delay",
            "duplicate",
            "heal",
        ],
    )?;
    let a = Args::new("net", &words[1..]);
    match s {
        "isolate" => {
            a.only_keys(&[])?;
            let n = a.pos(0, "the node to isolate")?;
            a.at_most(1)?;
            Ok(Stmt::NetIsolate(parse_node(n)))
        }
        "cut" => {
            a.only_keys(&[])?;
            let x = parse_node(a.pos(0, "two nodes")?);
            let y = parse_node(a.pos(1, "the second node")?);
            a.at_most(2)?;
            if x == y {
                return Err(usage("net cut: the two nodes must differ"));
            }
            Ok(Stmt::NetCut(x, y))
        }
        "slow" => {
            a.only_keys(&["by"])?;
            let n = parse_node(a.pos(0, "the node to slow down")?);
            a.at_most(1)?;
            let by_ms = a
                .duration("by")?
                .ok_or_else(|| usage("net slow: missing by=DURATION (for example by=200ms)"))?;
            check_run_limit(by_ms)?;
            Ok(Stmt::NetSlow { node: n, by_ms })
        }
        "heal" => {
            a.only_keys(&[])?;
            a.at_most(1)?;
            Ok(Stmt::NetHeal(a.pos.first().map(|n| parse_node(n))))
        }
        _ => {
            if a.pos.first().map(String::as_str) != Some("next") {
                return Err(usage(format!(
                    "net {s}: write 'net {s} next API' (for example net {s} next Fetch)"
                )));
            }
            let api = a
                .pos(1, "the API (Produce, Fetch, Heartbeat, …)")?
                .to_string();
            a.at_most(2)?;
            let from = a.get("from").map(parse_node);
            match s {
                "drop" => {
                    a.only_keys(&["from"])?;
                    Ok(Stmt::NetDropNext { api, from })
                }
                "duplicate" => {
                    a.only_keys(&["from"])?;
                    Ok(Stmt::NetDuplicateNext { api, from })
                }
                _ => {
                    a.only_keys(&["from", "by"])?;
                    let by_ms = a.duration("by")?.ok_or_else(|| {
                        usage("net delay: missing by=DURATION (for example by=200ms)")
                    })?;
                    check_run_limit(by_ms)?;
                    Ok(Stmt::NetDelayNext { api, from, by_ms })
                }
            }
        }
    }
}

fn check_run_limit(ms: u64) -> Result<(), ScenarioError> {
    if ms > MAX_RUN_MS {
        return Err(ScenarioError::Limit(format!(
            "a duration on one line is limited to 1h ({MAX_RUN_MS}ms) in the playground (asked for {ms}ms); repeat the line for longer"
        )));
    }
    Ok(())
}

fn parse_run(words: &[String]) -> Result<Stmt, ScenarioError> {
    let [d] = words else {
        return Err(usage(
            "run: write how long, for example 'run 500ms' or 'run 35s'",
        ));
    };
    let ms = parse_duration(d).map_err(|e| usage(format!("run: {e}")))?;
    check_run_limit(ms)?;
    Ok(Stmt::Run(ms))
}

fn parse_step(words: &[String]) -> Result<Stmt, ScenarioError> {
    let n: u64 = match words {
        [] => 1,
        [n] => n
            .parse()
            .map_err(|_| usage(format!("step: '{n}' is not a number of events")))?,
        _ => return Err(usage("step: write 'step' or 'step N'")),
    };
    if n > MAX_STEPS {
        return Err(ScenarioError::Limit(format!(
            "step is limited to {MAX_STEPS} events per line in the playground (asked for {n})"
        )));
    }
    Ok(Stmt::Step(n))
}

fn parse_settle(words: &[String]) -> Result<Stmt, ScenarioError> {
    let a = Args::new("settle", words);
    a.only_keys(&["max"])?;
    a.at_most(1)?;
    let ms = match (a.duration("max")?, a.pos.first()) {
        (Some(_), Some(_)) => return Err(usage("settle: write 'settle' or 'settle max=60s'")),
        (Some(ms), None) => ms,
        (None, Some(d)) => parse_duration(d).map_err(|e| usage(format!("settle: {e}")))?,
        (None, None) => DEFAULT_SETTLE_MS,
    };
    check_run_limit(ms)?;
    Ok(Stmt::Settle(ms))
}

// ----------------------------------------------------------------------------------------
// expect

/// Every kind of `expect` line.
pub const EXPECT_KINDS: &[&str] = &[
    "partition",
    "replica",
    "controller",
    "broker",
    "records",
    "log",
    "producer",
    "record",
    "group",
    "assignment",
    "consumed",
    "consumer",
    "lag",
    "lost",
    "findings",
    "error",
];

/// The finding kinds the engine reports (`FindingView::kind`).
pub const FINDING_KINDS: &[&str] = &[
    "lost",
    "duplicate",
    "reorder",
    "read-above-hw",
    "two-leaders",
    "uncommitted-read",
];

fn tp_arg(kind: &str, s: &str) -> Result<TopicPartition, ScenarioError> {
    TopicPartition::parse(s).ok_or_else(|| {
        usage(format!(
            "expect {kind}: '{s}' is not a topic-partition (write it as Kafka does, for example orders-0)"
        ))
    })
}

/// `orders-0@2`.
fn replica_arg(kind: &str, s: &str) -> Result<(TopicPartition, u32), ScenarioError> {
    let bad = || {
        usage(format!(
            "expect {kind}: '{s}' is not a replica (write topic-partition@broker, for example orders-0@2)"
        ))
    };
    let (tp, b) = s.rsplit_once('@').ok_or_else(bad)?;
    let tp = TopicPartition::parse(tp).ok_or_else(bad)?;
    let b = b.parse().map_err(|_| bad())?;
    Ok((tp, b))
}

fn broker_list(key: &str, s: &str) -> Result<Vec<u32>, ScenarioError> {
    if s.trim().is_empty() {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|b| {
            b.trim().parse().map_err(|_| {
                usage(format!(
                    "{key}={s}: write broker ids separated by commas, for example 1,2,3"
                ))
            })
        })
        .collect()
}

fn num_field<T: core::str::FromStr>(kind: &str, key: &str, v: &str) -> Result<T, ScenarioError> {
    v.trim()
        .parse()
        .map_err(|_| usage(format!("expect {kind}: {key}={v}: expected a number")))
}

fn parse_expect(words: &[String]) -> Result<Stmt, ScenarioError> {
    let kind = sub("expect", words, EXPECT_KINDS)?;
    let rest = &words[1..];
    let a = Args::new("expect", rest);
    let e = match kind {
        "partition" => {
            const KEYS: &[&str] = &[
                "leader",
                "isr",
                "replicas",
                "hw",
                "leo",
                "epoch",
                "log-start",
                "lso",
            ];
            a.only_keys(KEYS)?;
            let tp = tp_arg(kind, a.pos(0, "the partition (for example orders-0)")?)?;
            a.at_most(1)?;
            let mut f = PartitionExpect::default();
            for (k, v) in &a.kv {
                match k.as_str() {
                    "leader" => {
                        f.leader = Some(if v == "none" || v == "-1" {
                            None
                        } else {
                            Some(num_field(kind, k, v)?)
                        })
                    }
                    "isr" => f.isr = Some(broker_list(k, v)?),
                    "replicas" => f.replicas = Some(broker_list(k, v)?),
                    "hw" => f.hw = Some(num_field(kind, k, v)?),
                    "leo" => f.leo = Some(num_field(kind, k, v)?),
                    "epoch" => f.epoch = Some(num_field(kind, k, v)?),
                    "log-start" => f.log_start = Some(num_field(kind, k, v)?),
                    _ => f.lso = Some(num_field(kind, k, v)?),
                }
            }
            Expect::Partition { tp, fields: f }
        }
        "replica" => {
            a.only_keys(&["leo", "hw", "log-start", "in-isr"])?;
            let (tp, broker) =
                replica_arg(kind, a.pos(0, "the replica (for example orders-0@2)")?)?;
            a.at_most(1)?;
            let in_isr = match a.get("in-isr") {
                None => None,
                Some("true") => Some(true),
                Some("false") => Some(false),
                Some(v) => {
                    return Err(usage(format!(
                        "expect replica: in-isr={v}: write true or false"
                    )))
                }
            };
            Expect::Replica {
                tp,
                broker,
                leo: a
                    .get("leo")
                    .map(|v| num_field(kind, "leo", v))
                    .transpose()?,
                hw: a.get("hw").map(|v| num_field(kind, "hw", v)).transpose()?,
                log_start: a
                    .get("log-start")
                    .map(|v| num_field(kind, "log-start", v))
                    .transpose()?,
                in_isr,
            }
        }
        "controller" => {
            a.only_keys(&["active", "epoch"])?;
            a.at_most(0)?;
            Expect::Controller {
                active: a.get("active").map(str::to_string),
                epoch: a
                    .get("epoch")
                    .map(|v| num_field(kind, "epoch", v))
                    .transpose()?,
            }
        }
        "broker" => {
            a.only_keys(&["state"])?;
            let id = parse_u32("expect broker", a.pos(0, "the broker id")?)?;
            a.at_most(1)?;
            Expect::Broker {
                id,
                state: a.get("state").map(str::to_string),
            }
        }
        "records" => {
            a.only_keys(&["count", "keys"])?;
            let tp = tp_arg(kind, a.pos(0, "the partition (for example orders-0)")?)?;
            a.at_most(1)?;
            Expect::Records {
                tp,
                count: a
                    .get("count")
                    .map(|v| num_field(kind, "count", v))
                    .transpose()?,
                keys: a
                    .get("keys")
                    .map(|v| num_field(kind, "keys", v))
                    .transpose()?,
            }
        }
        "log" => {
            a.only_keys(&["segments", "log-start"])?;
            let (tp, broker) =
                replica_arg(kind, a.pos(0, "the replica (for example orders-0@2)")?)?;
            a.at_most(1)?;
            Expect::Log {
                tp,
                broker,
                segments: a
                    .get("segments")
                    .map(|v| num_field(kind, "segments", v))
                    .transpose()?,
                log_start: a
                    .get("log-start")
                    .map(|v| num_field(kind, "log-start", v))
                    .transpose()?,
            }
        }
        "producer" => {
            a.only_keys(&["acked", "failed", "pending", "last-error", "txn-state"])?;
            let client_id = a.pos(0, "the producer")?.to_string();
            a.at_most(1)?;
            Expect::Producer {
                client_id,
                txn_state: a.get("txn-state").map(str::to_string),
                acked: a
                    .get("acked")
                    .map(|v| num_field(kind, "acked", v))
                    .transpose()?,
                failed: a
                    .get("failed")
                    .map(|v| num_field(kind, "failed", v))
                    .transpose()?,
                pending: a
                    .get("pending")
                    .map(|v| num_field(kind, "pending", v))
                    .transpose()?,
                last_error: a.get("last-error").map(expected_error),
            }
        }
        "record" => {
            a.only_keys(&["key", "partition"])?;
            let topic = a.pos(0, "the topic")?.to_string();
            a.at_most(1)?;
            let key = a
                .get("key")
                .ok_or_else(|| usage("expect record: missing key=K"))?
                .to_string();
            let partition = a
                .get("partition")
                .ok_or_else(|| usage("expect record: missing partition=N"))?;
            Expect::Record {
                topic,
                key,
                partition: num_field(kind, "partition", partition)?,
            }
        }
        "group" => {
            a.only_keys(&[
                "state",
                "generation",
                "members",
                "protocol",
                "epoch",
                "idle-ms",
                "moved",
                "stopped",
                "duplicates",
                "skipped",
            ])?;
            let group = a.pos(0, "the group")?.to_string();
            a.at_most(1)?;
            Expect::Group {
                group,
                state: a.get("state").map(str::to_string),
                generation: a
                    .get("generation")
                    .map(|v| num_field(kind, "generation", v))
                    .transpose()?,
                members: a
                    .get("members")
                    .map(|v| num_field(kind, "members", v))
                    .transpose()?,
                protocol: a.get("protocol").map(str::to_string),
                epoch: a
                    .get("epoch")
                    .map(|v| num_field(kind, "epoch", v))
                    .transpose()?,
                idle_ms: a
                    .get("idle-ms")
                    .map(|v| num_field(kind, "idle-ms", v))
                    .transpose()?,
                moved: a
                    .get("moved")
                    .map(|v| num_field(kind, "moved", v))
                    .transpose()?,
                duplicates: a
                    .get("duplicates")
                    .map(|v| num_field(kind, "duplicates", v))
                    .transpose()?,
                skipped: a
                    .get("skipped")
                    .map(|v| num_field(kind, "skipped", v))
                    .transpose()?,
                stopped: a.get("stopped").map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(str::to_string)
                        .collect()
                }),
            }
        }
        "assignment" => {
            let group = a.pos(0, "the group")?.to_string();
            a.at_most(1)?;
            let mut members = Vec::new();
            for (client, list) in &a.kv {
                let mut tps = Vec::new();
                for t in list.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                    tps.push(tp_arg(kind, t)?);
                }
                members.push((client.clone(), tps));
            }
            if members.is_empty() {
                return Err(usage(
                    "expect assignment: list members and their partitions, for example expect assignment g1 c1=orders-0,orders-1 c2=",
                ));
            }
            Expect::Assignment { group, members }
        }
        "lag" => {
            let group = a.pos(0, "the group")?.to_string();
            a.at_most(1)?;
            let mut total = None;
            let mut partitions = Vec::new();
            for (k, v) in &a.kv {
                if k == "total" {
                    total = Some(num_field(kind, k, v)?);
                } else {
                    partitions.push((tp_arg(kind, k)?, num_field(kind, k, v)?));
                }
            }
            if total.is_none() && partitions.is_empty() {
                return Err(usage(
                    "expect lag: write total=N or per partition, for example expect lag g1 orders-0=0",
                ));
            }
            Expect::Lag {
                group,
                total,
                partitions,
            }
        }
        "consumed" => {
            a.only_keys(&["count", "duplicates"])?;
            let client_id = a.pos(0, "the consumer")?.to_string();
            a.at_most(1)?;
            Expect::Consumed {
                client_id,
                count: a
                    .get("count")
                    .map(|v| num_field(kind, "count", v))
                    .transpose()?,
                duplicates: a
                    .get("duplicates")
                    .map(|v| num_field(kind, "duplicates", v))
                    .transpose()?,
            }
        }
        "consumer" => {
            a.only_keys(&["state", "generation", "last-error"])?;
            let client_id = a.pos(0, "the consumer")?.to_string();
            a.at_most(1)?;
            Expect::Consumer {
                client_id,
                state: a.get("state").map(str::to_string),
                generation: a
                    .get("generation")
                    .map(|v| num_field(kind, "generation", v))
                    .transpose()?,
                last_error: a.get("last-error").map(expected_error),
            }
        }
        "lost" => {
            a.only_keys(&[])?;
            let n = a.pos(0, "the number of lost acknowledged records (for example 0)")?;
            a.at_most(1)?;
            Expect::Lost(num_field(kind, "count", n)?)
        }
        "findings" => {
            a.only_keys(FINDING_KINDS)?;
            a.at_most(1)?;
            let total = a
                .pos
                .first()
                .map(|n| num_field(kind, "count", n))
                .transpose()?;
            let mut kinds = Vec::new();
            for (k, v) in &a.kv {
                kinds.push((k.clone(), num_field(kind, k, v)?));
            }
            if total.is_none() && kinds.is_empty() {
                return Err(usage(
                    "expect findings: write a total (expect findings 0) or counts by kind (expect findings lost=1 duplicate=0)",
                ));
            }
            Expect::Findings { total, kinds }
        }
        _ => {
            // The text is every word after `error`, so both quoted and unquoted forms work.
            if rest.is_empty() {
                return Err(usage("expect error: write the text the error must contain, for example expect error \"NOT_ENOUGH_REPLICAS\""));
            }
            Expect::Error(rest.join(" "))
        }
    };
    Ok(Stmt::Expect(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::lex::split_words;
    use alloc::vec;

    fn p(line: &str) -> Result<Stmt, ScenarioError> {
        parse(&split_words(line).unwrap(), None)
    }
    fn err(line: &str) -> String {
        alloc::string::ToString::to_string(&p(line).unwrap_err())
    }

    #[test]
    fn the_spec_example_parses() {
        for line in [
            "cluster brokers=3 seed=7",
            "kafka-topics --create --topic orders --replica-assignment 1:2:3 --config min.insync.replicas=2",
            "expect partition orders-0 leader=1 isr=1,2,3",
            "producer add p1 acks=all retries=0 enable.idempotence=false",
            "produce p1 orders key=k value=v1",
            "settle",
            "expect partition orders-0 isr=1,2,3 hw=1",
            "broker kill 3",
            "run 35s",
            "expect producer p1 acked=2 failed=1 last-error=NOT_ENOUGH_REPLICAS",
            "expect lost 0",
        ] {
            p(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        }
    }

    #[test]
    fn kafka_topics_create_is_typed() {
        let s = p("kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders --partitions=3 --replication-factor 2 --config min.insync.replicas=2").unwrap();
        assert_eq!(
            s,
            Stmt::TopicsCreate {
                topic: "orders".into(),
                partitions: Some(3),
                replication_factor: Some(2),
                assignment: None,
                configs: vec![("min.insync.replicas".into(), "2".into())],
                if_not_exists: false,
            }
        );
        let s = p("kafka-topics --create --topic o --replica-assignment 1:2:3,2:3:1").unwrap();
        let Stmt::TopicsCreate { assignment, .. } = s else {
            panic!()
        };
        assert_eq!(assignment, Some(vec![vec![1, 2, 3], vec![2, 3, 1]]));
    }

    #[test]
    fn usage_errors_read_like_the_real_tools() {
        assert_eq!(
            err("kafka-topics --create --partitions 3"),
            "Missing required argument \"[topic]\""
        );
        assert!(err("kafka-topics --topic x").contains("exactly one action"));
        assert!(err("kafka-topics --create --describe --topic x").contains("exactly one action"));
        let e = err("kafka-topics --create --topic x --partiton 3");
        assert!(e.contains("partiton is not a recognized option"), "{e}");
        assert!(e.contains("--partitions"), "{e}");
        assert!(err("kafka-topics --create --topic x --partitions many")
            .contains("Cannot parse argument 'many'"));
        assert!(err("kafka-topics --create --topic").contains("requires an argument"));
        assert!(
            err("kafka-topics --create --topic x --replica-assignment 1:2 --partitions 2")
                .contains("can't be used with")
        );
        assert!(
            err("kafka-topics --create --topic x --replica-assignment 1:1").contains("duplicate")
        );
        assert!(err("kafka-leader-election --election-type preferred").contains("One and only one"));
    }

    #[test]
    fn unknown_config_keys_are_named_with_the_allowed_ones() {
        let e = err("kafka-topics --create --topic x --config min.insync.replica=2");
        assert!(e.contains("'min.insync.replica'"), "{e}");
        assert!(e.contains("Did you mean 'min.insync.replicas'"), "{e}");
        assert!(e.contains("retention.ms"), "{e}");
        let e = err("producer add p1 ack=all");
        assert!(
            e.contains("'ack'") && e.contains("Did you mean 'acks'"),
            "{e}"
        );
        let e = err("cluster brokers=3 replica.lag.time.max=1");
        assert!(e.contains("replica.lag.time.max.ms"), "{e}");
    }

    #[test]
    fn unknown_commands_suggest_the_nearest() {
        let e = err("kafak-topics --list");
        assert!(e.contains("Did you mean 'kafka-topics'"), "{e}");
        let e = err("setle");
        assert!(e.contains("Did you mean 'settle'"), "{e}");
        let e = err("broker stpo 2");
        assert!(e.contains("Did you mean 'stop'"), "{e}");
        let e = err("expect partiton orders-0");
        assert!(e.contains("Did you mean 'partition'"), "{e}");
        assert!(!err("zzzzzzzzzz").contains("Did you mean"));
        // A huge unknown word gets no suggestion (and no quadratic cost).
        let long = "q".repeat(3000);
        assert!(err(&long).contains("unknown command"));
    }

    #[test]
    fn playground_commands() {
        assert_eq!(
            p("produce p1 orders key=user:1 value=\"hello world\" count=3").unwrap(),
            Stmt::Produce {
                producer: "p1".into(),
                topic: "orders".into(),
                key: Some("user:1".into()),
                value: Some("hello world".into()),
                partition: None,
                count: 3
            }
        );
        let Stmt::Produce { key, value, .. } = p("produce p1 t null-key tombstone").unwrap() else {
            panic!()
        };
        assert_eq!((key, value), (None, None));
        assert_eq!(
            p("broker power-off 2").unwrap(),
            Stmt::Broker {
                op: BrokerOp::PowerOff,
                id: 2
            }
        );
        assert_eq!(p("controller kill").unwrap(), Stmt::ControllerKill(None));
        assert_eq!(
            p("controller start controller-2").unwrap(),
            Stmt::ControllerStart(2)
        );
        assert_eq!(
            p("net drop next Fetch from=3").unwrap(),
            Stmt::NetDropNext {
                api: "Fetch".into(),
                from: Some(Node::Broker(3))
            }
        );
        assert_eq!(
            p("net delay next Produce by=200ms").unwrap(),
            Stmt::NetDelayNext {
                api: "Produce".into(),
                from: None,
                by_ms: 200
            }
        );
        assert_eq!(
            p("net cut 1 controller-2").unwrap(),
            Stmt::NetCut(Node::Broker(1), Node::Controller(Some(2)))
        );
        assert_eq!(
            p("net slow p1 by=1s").unwrap(),
            Stmt::NetSlow {
                node: Node::Client("p1".into()),
                by_ms: 1000
            }
        );
        assert_eq!(p("net heal").unwrap(), Stmt::NetHeal(None));
        assert_eq!(p("run 35s").unwrap(), Stmt::Run(35_000));
        assert_eq!(p("step").unwrap(), Stmt::Step(1));
        assert_eq!(p("step 20").unwrap(), Stmt::Step(20));
        assert_eq!(p("settle").unwrap(), Stmt::Settle(60_000));
        assert_eq!(p("settle max=2m").unwrap(), Stmt::Settle(120_000));
        let Stmt::ProducerAdd { configs, .. } =
            p("producer add p1 linger.ms=1s batch.size=16KiB").unwrap()
        else {
            panic!()
        };
        assert_eq!(
            configs,
            vec![
                ("linger.ms".into(), "1000".into()),
                ("batch.size".into(), "16384".into())
            ]
        );
        assert!(err("run 35").contains("unit"));
        assert!(err("run 2h").contains("limited to 1h"));
        assert!(err("produce p1 t count=1000000").contains("limited to 10000"));
    }

    #[test]
    fn expect_lines() {
        let Stmt::Expect(Expect::Partition { tp, fields }) =
            p("expect partition my-topic-12 leader=none isr= hw=5 log-start=0 lso=3").unwrap()
        else {
            panic!()
        };
        assert_eq!(tp, TopicPartition::new("my-topic", 12));
        assert_eq!(fields.leader, Some(None));
        assert_eq!(fields.isr, Some(vec![]));
        assert_eq!(fields.hw, Some(5));
        assert_eq!(fields.lso, Some(3));
        assert_eq!(
            p("expect replica orders-0@2 leo=5").unwrap(),
            Stmt::Expect(Expect::Replica {
                tp: TopicPartition::new("orders", 0),
                broker: 2,
                leo: Some(5),
                hw: None,
                log_start: None,
                in_isr: None
            })
        );
        assert_eq!(
            p("expect error \"NOT_ENOUGH_REPLICAS\"").unwrap(),
            Stmt::Expect(Expect::Error("NOT_ENOUGH_REPLICAS".into()))
        );
        assert_eq!(
            p("expect findings lost=1 duplicate=0").unwrap(),
            Stmt::Expect(Expect::Findings {
                total: None,
                kinds: vec![("lost".into(), 1), ("duplicate".into(), 0)]
            })
        );
        assert_eq!(
            p("expect assignment g-range c1=t0-0,t0-1 c3=").unwrap(),
            Stmt::Expect(Expect::Assignment {
                group: "g-range".into(),
                members: vec![
                    (
                        "c1".into(),
                        vec![TopicPartition::new("t0", 0), TopicPartition::new("t0", 1)]
                    ),
                    ("c3".into(), vec![])
                ]
            })
        );
        assert_eq!(
            p("expect lag g1 orders-0=0 total=3").unwrap(),
            Stmt::Expect(Expect::Lag {
                group: "g1".into(),
                total: Some(3),
                partitions: vec![(TopicPartition::new("orders", 0), 0)]
            })
        );
        assert!(err("expect lag g1 orders=1").contains("topic-partition"));
        assert!(err("expect partition orders leader=1").contains("topic-partition"));
        assert!(err("expect partition orders-0 leadr=1").contains("Did you mean 'leader'"));
        assert!(err("expect findings lots=1").contains("unknown argument 'lots'"));
    }

    #[test]
    fn console_producer_block() {
        let block = vec!["a:1".to_string(), "b:2".to_string()];
        let words = split_words(
            "kafka-console-producer --topic t --property parse.key=true --property key.separator=:",
        )
        .unwrap();
        let Stmt::ConsoleProducer(cp) = parse(&words, Some(&block)).unwrap() else {
            panic!()
        };
        assert!(cp.parse_key);
        assert_eq!(cp.key_separator, ":");
        assert_eq!(cp.records, block);
        let words =
            split_words("kafka-console-producer --topic t --property parse.kye=true").unwrap();
        let e = parse(&words, Some(&block)).unwrap_err();
        assert!(alloc::string::ToString::to_string(&e).contains("parse.key"));
    }

    #[test]
    fn edit_distance_is_levenshtein() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
