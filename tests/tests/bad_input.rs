//! Bad input everywhere (issue 9): malformed, oversized and hostile values through the console
//! (`Session::run_line`), the scenario-file importer (`run_script_in`) and the engine
//! (`Sim::apply`, `Sim::new`). Each is refused with a clear message (non-empty, short: a 10 MB
//! line is never echoed back) and leaves the simulation exactly as it was (`Sim: PartialEq`);
//! oversized work is refused with its stated limit. Hostile text that is a valid Kafka value
//! (markup in keys and values) is kept byte for byte in the view: showing it as text is the UI's job.
//!
//! Links: `tests/tests/links.rs` (cut, changed and arbitrary links). `postMessage` data is
//! validated in the web crate (`web/src/host.rs`, its tests, `web/tests/embed.rs`).

use logscope_core::scenario::{run_script, run_script_in, Session};
use logscope_core::sim::{limits, ApiKey, ElectionType, NodeRef, ResetTo};
use logscope_core::{BrokerId, Command, Sim, SimSpec, TopicPartition};

const XSS: &str = "<script>alert(1)</script>";
const IMG: &str = "<img src=x onerror=alert(1)>";

/// A session with a cluster, a topic `t` (3 partitions, RF 3), a producer `p` and a consumer.
fn session() -> Session {
    let mut s = Session::new();
    for line in [
        "cluster brokers=3 seed=9",
        "kafka-topics --create --topic t --partitions 3 --replication-factor 3",
        "producer add p acks=all",
        "produce p t key=k value=v count=3",
        "consumer add c1 group=g topics=t",
        "settle",
    ] {
        s.run_line(line)
            .unwrap_or_else(|e| panic!("setup line {line:?}: {e}"));
    }
    s
}

/// Runs a line that must be refused; checks the message and that nothing changed.
fn refused(s: &mut Session, line: &str) -> String {
    let before = s.sim().cloned();
    let err = match s.run_line(line) {
        Ok(out) => panic!(
            "{:?}… was accepted: {:?}",
            &line.chars().take(80).collect::<String>(),
            out.lines
        ),
        Err(e) => e.to_string(),
    };
    assert!(!err.trim().is_empty(), "empty message for {line:?}");
    assert!(
        err.len() < 2_000,
        "a {}-byte message for a {}-byte line",
        err.len(),
        line.len()
    );
    assert!(
        s.sim() == before.as_ref(),
        "the refused line {:?}… changed the simulation",
        &line.chars().take(80).collect::<String>()
    );
    // A refused line never leaves the console waiting for more.
    s.cancel_input();
    err
}

fn refused_cmd(sim: &mut Sim, cmd: Command) -> String {
    let before = sim.clone();
    let shown = format!("{cmd:?}");
    let err = match sim.apply(cmd) {
        Ok(o) => panic!("{shown} was accepted: {:?}", o.lines),
        Err(e) => e.to_string(),
    };
    assert!(!err.trim().is_empty(), "empty message for {shown}");
    assert!(*sim == before, "the refused {shown} changed the simulation");
    err
}

#[test]
fn malformed_console_lines_are_refused_and_change_nothing() {
    let mut s = session();
    let lines: &[&str] = &[
        "kafak-topics --list",
        "kafka-topics",
        "kafka-topics --create",
        "kafka-topics --create --topic x --partitions",
        "kafka-topics --create --topic x --partitions three",
        "kafka-topics --create --topic x --partitions -1",
        "kafka-topics --create --topic x --partitions 0",
        "kafka-topics --create --topic x --partitions 99999999999999999999999",
        "kafka-topics --create --topic x --replication-factor 0",
        "kafka-topics --create --topic x --replica-assignment 1:1:1",
        "kafka-topics --create --topic x --replica-assignment 1:2,1",
        "kafka-topics --create --topic x --replica-assignment 9:8:7",
        "kafka-topics --create --topic x --config",
        "kafka-topics --create --topic x --config =",
        "kafka-topics --create --topic x --config retention.ms=soon",
        "kafka-topics --alter --topic t --partitions 2",
        "kafka-topics --delete --topic nope",
        "kafka-configs --alter --entity-type topics --entity-name t --add-config min.insync.replicas=-4",
        "producer add p acks=all",
        "producer add q acks=banana",
        "producer add q linger.ms=-1",
        "produce",
        "produce p",
        "produce nobody t",
        "produce p nowhere",
        "produce p t partition=99",
        "produce p t count=0",
        "produce p t count=-1",
        "produce p t count=1e9",
        "produce p t value=\"unterminated",
        "produce p t value='unterminated",
        "broker kill 0",
        "broker kill 99",
        "broker kill 4294967296",
        "broker explode 1",
        "controller start controller-0",
        "net slow 1 by=forever",
        "net drop next NotAnApi",
        "net cut 1",
        "run",
        "run 35",
        "run -5s",
        "run 1e9999s",
        "run 18446744073709551616ms",
        "step -1",
        "step many",
        "consumer add",
        "consumer add c2 group= topics=",
        "consumer pause nobody for=1s",
        "kafka-consumer-groups --reset-offsets --group g --topic t --to-offset x --execute",
        "expect",
        "expect partition",
        "expect partition t-0 leader=banana",
        "expect error",
        "\u{0}\u{1}\u{7f}",
        "\u{202e}kafka-topics --list",
        "kafka-topics --create --topic 🦀 --partitions 1",
        "cluster brokers=0",
        "cluster brokers=-3",
        "cluster brokers=1000000",
        "cluster controllers=1000000",
        "cluster latency=100000h",
    ];
    let mut messages = Vec::new();
    for line in lines {
        messages.push(refused(&mut s, line));
    }
    // The session still works after all of that.
    s.run_line("produce p t value=after").unwrap();
    s.run_line("settle").unwrap();
    println!("BAD_INPUT malformed console lines: {}", lines.len());
}

#[test]
fn oversized_input_is_refused_with_its_stated_limit() {
    let mut s = session();
    // A 10 MB line (what a pasted or linked blob might be).
    let ten_mb = "x".repeat(10 * 1024 * 1024);
    let e = refused(&mut s, &ten_mb);
    assert!(e.contains("1048576") || e.contains("1 MiB"), "{e}");
    // A 10 MB value inside an otherwise valid line.
    let e = refused(&mut s, &format!("produce p t value={ten_mb}"));
    assert!(e.contains("1048576") || e.contains("1 MiB"), "{e}");
    // A line over the per-line limit but under the input limit.
    let long = format!("produce p t value={}", "y".repeat(100_000));
    refused(&mut s, &long);
    // A million-line script, as a paste and as an imported file.
    let million: String = "produce p t value=v\n".repeat(1_000_000);
    let e = refused(&mut s, &million);
    assert!(e.contains("1048576") || e.contains("1 MiB"), "{e}");
    let before = s.sim().cloned();
    let f = run_script_in(&mut s, &million).expect_err("a 20 MB script is refused");
    assert!(!f.message.is_empty());
    assert!(
        s.sim() == before.as_ref(),
        "a refused script changed the session"
    );
    // A million short lines under the byte limit: refused by the line/record limits or run in
    // bounded time; either way the session's event budget holds.
    let many_comments: String = "#\n".repeat(500_000);
    let _ = run_script(&many_comments);
    // Partition counts, record counts and times beyond the limits.
    for (line, limit) in [
        (
            "kafka-topics --create --topic big --partitions 1000000 --replication-factor 1"
                .to_string(),
            limits::MAX_PARTITIONS_PER_TOPIC.to_string(),
        ),
        (
            "kafka-topics --alter --topic t --partitions 1000000".to_string(),
            limits::MAX_PARTITIONS_PER_TOPIC.to_string(),
        ),
        ("produce p t count=100000000".to_string(), String::new()),
        ("run 1000000h".to_string(), String::new()),
        ("step 100000000".to_string(), String::new()),
        ("consumer pause c1 for=1000000h".to_string(), String::new()),
        (
            "cluster brokers=1000000".to_string(),
            limits::MAX_BROKERS.to_string(),
        ),
    ] {
        let e = refused(&mut s, &line);
        assert!(e.contains(&limit), "{line}: {e} (limit {limit})");
    }
    // A records block beyond its record limit.
    let mut block = String::from("kafka-console-producer --topic t\n");
    for i in 0..(logscope_core::scenario::lex::MAX_BLOCK_RECORDS + 5) {
        block.push_str(&format!("r{i}\n"));
    }
    block.push_str("EOF");
    let before = s.sim().cloned();
    let r = s.run_line(&block);
    if r.is_err() {
        assert!(
            s.sim() == before.as_ref(),
            "a refused records block changed the simulation"
        );
    }
    s.cancel_input();
    println!("BAD_INPUT oversized inputs: 15");
}

#[test]
fn hostile_text_is_refused_as_a_name_and_kept_as_data() {
    let mut s = session();
    // Markup is not a legal topic name (Kafka: [a-zA-Z0-9._-], at most 249 characters).
    for name in [
        XSS,
        IMG,
        "a b",
        "../../etc/passwd",
        "t;rm",
        ".",
        "..",
        &"n".repeat(250),
    ] {
        let e = refused(
            &mut s,
            &format!(
                "kafka-topics --create --topic '{name}' --partitions 1 --replication-factor 1"
            ),
        );
        assert!(e.to_lowercase().contains("topic"), "{e}");
    }
    // As keys, values, client ids and group ids, markup is just bytes: kept exactly.
    s.run_line(&format!(
        "produce p t key='{XSS}' value='{IMG}' partition=0"
    ))
    .unwrap();
    s.run_line("settle").unwrap();
    let view = s.view().unwrap();
    let found = view
        .topics
        .iter()
        .flat_map(|t| t.partitions.iter())
        .flat_map(|p| p.replica_states.iter())
        .flat_map(|r| r.records.iter())
        .any(|r| r.key.as_deref() == Some(XSS) && r.value.as_deref() == Some(IMG));
    assert!(
        found,
        "the markup key and value were not kept byte for byte"
    );
    let _ = s.run_line(&format!("producer add '{XSS}' acks=all"));
    let _ = s.run_line(&format!("consumer add '{IMG}' group='{XSS}' topics=t"));
    s.run_line("settle").unwrap();
    println!("BAD_INPUT hostile values: 11");
}

#[test]
fn the_engine_refuses_bad_commands_and_changes_nothing() {
    assert!(Sim::new(
        SimSpec {
            brokers: 1_000_000,
            ..SimSpec::default()
        },
        1
    )
    .is_err());
    assert!(Sim::new(
        SimSpec {
            brokers: 0,
            ..SimSpec::default()
        },
        1
    )
    .is_err());
    assert!(Sim::new(
        SimSpec {
            controllers: 1_000_000,
            ..SimSpec::default()
        },
        1
    )
    .is_err());
    assert!(Sim::new(
        SimSpec {
            latency_ms: u64::MAX,
            ..SimSpec::default()
        },
        1
    )
    .is_err());

    let mut sim = Sim::new(SimSpec::default(), 3).unwrap();
    sim.apply(Command::CreateTopic {
        name: "t".into(),
        partitions: Some(3),
        replication_factor: Some(3),
        assignment: None,
        configs: vec![],
    })
    .unwrap();
    sim.apply(Command::AddProducer {
        client_id: "p".into(),
        configs: vec![],
    })
    .unwrap();
    sim.run_for(2_000);
    let topic = |name: &str, partitions: Option<u32>, rf: Option<u32>| Command::CreateTopic {
        name: name.into(),
        partitions,
        replication_factor: rf,
        assignment: None,
        configs: vec![],
    };
    let produce =
        |producer: &str, topic: &str, partition: Option<u32>, count: u32| Command::Produce {
            producer: producer.into(),
            topic: topic.into(),
            key: None,
            value: Some("v".into()),
            partition,
            count,
        };
    let bad: Vec<Command> = vec![
        topic("big", Some(1_000_000), Some(1)),
        topic("big", Some(u32::MAX), Some(1)),
        topic("", Some(1), Some(1)),
        topic(XSS, Some(1), Some(1)),
        topic(&"n".repeat(250), Some(1), Some(1)),
        topic("zero", Some(0), Some(1)),
        topic("rf0", Some(1), Some(0)),
        topic("rf9", Some(1), Some(9)),
        topic("t", Some(1), Some(1)),
        Command::CreateTopic {
            name: "a".into(),
            partitions: None,
            replication_factor: None,
            assignment: Some(vec![vec![BrokerId(1), BrokerId(1)]]),
            configs: vec![],
        },
        Command::CreateTopic {
            name: "a".into(),
            partitions: None,
            replication_factor: None,
            assignment: Some(vec![vec![BrokerId(99)]]),
            configs: vec![],
        },
        Command::CreateTopic {
            name: "a".into(),
            partitions: None,
            replication_factor: None,
            assignment: Some(vec![]),
            configs: vec![],
        },
        Command::CreateTopic {
            name: "a".into(),
            partitions: Some(1),
            replication_factor: Some(1),
            assignment: None,
            configs: vec![("min.insync.replicas".into(), "many".into())],
        },
        Command::AlterPartitions {
            name: "t".into(),
            count: 1_000_000,
        },
        Command::AlterPartitions {
            name: "t".into(),
            count: 1,
        },
        Command::AlterTopicConfig {
            name: "t".into(),
            set: vec![("retention.ms".into(), XSS.into())],
            delete: vec![],
        },
        Command::AddProducer {
            client_id: "p".into(),
            configs: vec![],
        },
        Command::AddProducer {
            client_id: "q".into(),
            configs: vec![("acks".into(), "banana".into())],
        },
        produce("p", "t", None, 0),
        produce("p", "t", None, limits::MAX_RECORDS_PER_COMMAND + 1),
        produce("p", "t", None, u32::MAX),
        produce("p", "t", Some(99), 1),
        produce("nobody", "t", None, 1),
        produce("p", "nowhere", None, 1),
        Command::BrokerKill(BrokerId(0)),
        Command::BrokerKill(BrokerId(u32::MAX)),
        Command::BrokerStart(BrokerId(1)),
        Command::ControllerStart(0),
        Command::ControllerStart(u32::MAX),
        Command::ControllerKill(Some(77)),
        Command::NetSlow {
            node: NodeRef::Broker(BrokerId(1)),
            by_ms: u64::MAX,
        },
        Command::NetIsolate(NodeRef::Broker(BrokerId(42))),
        Command::NetIsolate(NodeRef::Client(XSS.into())),
        Command::NetCut(NodeRef::Broker(BrokerId(1)), NodeRef::Broker(BrokerId(1))),
        Command::NetDropNext {
            api: ApiKey::Fetch,
            from: Some(NodeRef::Broker(BrokerId(42))),
        },
        Command::NetDelayNext {
            api: ApiKey::Produce,
            from: None,
            by_ms: u64::MAX,
        },
        Command::ElectLeaders {
            election: ElectionType::Preferred,
            partitions: Some(vec![TopicPartition::new("nowhere", 0)]),
        },
        Command::ElectLeaders {
            election: ElectionType::Unclean,
            partitions: Some(vec![TopicPartition::new("t", 1_000_000)]),
        },
        Command::AddConsumer {
            client_id: "c".into(),
            group: "g".into(),
            topics: vec![],
            configs: vec![],
        },
        Command::AddConsumer {
            client_id: "c".into(),
            group: "".into(),
            topics: vec!["t".into()],
            configs: vec![],
        },
        Command::AddConsumer {
            client_id: "c".into(),
            group: "g".into(),
            topics: vec!["t".into()],
            configs: vec![("session.timeout.ms".into(), "-1".into())],
        },
        Command::RemoveConsumer("nobody".into()),
        Command::KillConsumer(XSS.into()),
        Command::PauseConsumer {
            name: "nobody".into(),
            for_ms: u64::MAX,
        },
        Command::ResetOffsets {
            group: "nogroup".into(),
            topic: "t".into(),
            to: ResetTo::Offset(-5),
        },
    ];
    let n = bad.len();
    let mut unexpected = Vec::new();
    for cmd in bad {
        let shown = format!("{cmd:?}");
        let before = sim.clone();
        match sim.apply(cmd.clone()) {
            Err(e) => {
                assert!(!e.to_string().trim().is_empty(), "empty message: {shown}");
                assert!(sim == before, "the refused {shown} changed the simulation");
            }
            Ok(_) => {
                unexpected.push(shown);
                sim = before;
            }
        }
    }
    assert!(
        unexpected.is_empty(),
        "accepted bad commands:\n{}",
        unexpected.join("\n")
    );
    // And `refused_cmd` for the one that must name its limit.
    let e = refused_cmd(&mut sim, topic("huge", Some(1_000_000), Some(1)));
    assert!(
        e.contains(&limits::MAX_PARTITIONS_PER_TOPIC.to_string()),
        "{e}"
    );
    println!("BAD_INPUT engine commands: {}", n + 5);
}

#[test]
fn bad_links_are_refused_with_a_reason() {
    use logscope_core::link::{decode, encode, LinkState, MAX_LINK_BYTES};
    let moment = |script: &str| LinkState {
        script: script.into(),
        seed: 7,
        step: 3,
        view: "cluster".into(),
        lang: "en".into(),
    };
    let good = encode(&moment("cluster brokers=3\n"));
    let ten_mb = format!("v=1&s={}", "A".repeat(10 * 1024 * 1024));
    let e = decode(&ten_mb).expect_err("a 10 MB link").to_string();
    assert!(e.contains(&MAX_LINK_BYTES.to_string()), "{e}");
    assert!(e.len() < 2_000);
    let cases: Vec<String> = vec![
        String::new(),
        "garbage".into(),
        "?".into(),
        "v=2&s=eA".into(),
        "v=&s=".into(),
        good[..good.len() - 3].to_string(),
        good[..good.len() / 2].to_string(),
        good.replace("seed=7", "seed=8"),
        good.replace("view=cluster", &format!("view={XSS}")),
        good.replace("lang=en", &format!("lang={IMG}")),
        good.replace("&c=", "&c=zz"),
        format!(
            "v=1&seed=1&step=1&view=cluster&lang=en&z={}&c=00000000",
            "_".repeat(5000)
        ),
        format!("v=1&seed=18446744073709551616&step=1&view=cluster&lang=en&s=&c=0"),
        "v=1&v=1&v=1".repeat(1000),
    ];
    for c in &cases {
        let e = decode(c)
            .map(|s| format!("accepted: {s:?}"))
            .expect_err("a bad link is refused")
            .to_string();
        assert!(!e.trim().is_empty() && e.len() < 2_000, "{e}");
    }
    // A script with markup travels as text, byte for byte.
    let hostile = moment(&format!("produce p t key='{XSS}' value='{IMG}'\n"));
    assert_eq!(decode(&encode(&hostile)), Ok(hostile));
    println!("BAD_INPUT links: {}", cases.len() + 2);
}

/// Found by the `scenario_script` fuzz target: a topic name over 249 bytes with a multi-byte
/// character across byte 40 made the "too long" message slice a `str` inside a character and
/// panic. Now it is refused like any other too-long name.
#[test]
fn a_long_topic_name_with_a_multibyte_character_is_refused_not_a_panic() {
    let name = format!("{}\u{fffd}{}", "m".repeat(39), "x".repeat(250));
    let mut sim = Sim::new(SimSpec::default(), 1).unwrap();
    let e = refused_cmd(
        &mut sim,
        Command::CreateTopic {
            name: name.clone(),
            partitions: Some(1),
            replication_factor: Some(1),
            assignment: None,
            configs: vec![],
        },
    );
    assert!(e.contains("249"), "{e}");
    let mut s = session();
    let e = refused(
        &mut s,
        &format!("kafka-topics --create --topic {name} --partitions 1 --replication-factor 1"),
    );
    assert!(e.contains("249"), "{e}");
    // The fuzzer's own input, kept in the corpus too.
    let _ = run_script(include_str!(
        "../../fuzz/corpus/scenario_script/regression-topic-name-char-boundary.scn"
    ));
}
