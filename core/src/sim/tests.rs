//! Engine tests, one per fact the engine models, named after the fact's id.

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::ids::BrokerId;

fn b(i: u32) -> BrokerId {
    BrokerId(i)
}

fn cluster(n: u32, seed: u64) -> Sim {
    Sim::new(
        SimSpec {
            brokers: n,
            ..SimSpec::default()
        },
        seed,
    )
    .unwrap()
}

fn create(sim: &mut Sim, name: &str, assignment: Vec<Vec<u32>>, configs: &[(&str, &str)]) {
    sim.apply(Command::CreateTopic {
        name: name.to_string(),
        partitions: None,
        replication_factor: None,
        assignment: Some(
            assignment
                .into_iter()
                .map(|r| r.into_iter().map(BrokerId).collect())
                .collect(),
        ),
        configs: configs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    })
    .unwrap();
}

fn producer(sim: &mut Sim, name: &str, configs: &[(&str, &str)]) {
    sim.apply(Command::AddProducer {
        client_id: name.to_string(),
        configs: configs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    })
    .unwrap();
}

fn produce(sim: &mut Sim, p: &str, topic: &str, key: &str, n: u32) {
    sim.apply(produce_command(p, topic, key, n)).unwrap();
}

/// `n` records with key `key` and value `v` from producer `p`.
fn produce_command(p: &str, topic: &str, key: &str, n: u32) -> Command {
    Command::Produce {
        producer: p.to_string(),
        topic: topic.to_string(),
        key: Some(key.to_string()),
        value: Some(String::from("v")),
        partition: None,
        count: n,
    }
}

/// `count` records with a null key (the sticky partitioner picks the partition).
fn produce_keyless(sim: &mut Sim, p: &str, topic: &str, count: u32) {
    sim.apply(Command::Produce {
        producer: p.to_string(),
        topic: topic.to_string(),
        key: None,
        value: Some(String::from("v")),
        partition: None,
        count,
    })
    .unwrap();
}

fn part(sim: &Sim, topic: &str, p: u32) -> crate::view::PartitionView {
    sim.view()
        .topics
        .into_iter()
        .find(|t| t.name == topic)
        .unwrap()
        .partitions
        .into_iter()
        .nth(p as usize)
        .unwrap()
}

fn producer_view(sim: &Sim, name: &str) -> crate::view::ProducerView {
    sim.view()
        .producers
        .into_iter()
        .find(|p| p.client_id == name)
        .unwrap()
}

/// The shared scenario `acks-all-min-insync.scn`, through the API: R2, R3, R6, R9.
#[test]
fn r2_acks_all_min_insync_refuses_writes_after_two_failures() {
    let mut sim = cluster(3, 7);
    create(
        &mut sim,
        "orders",
        vec![vec![1, 2, 3]],
        &[("min.insync.replicas", "2")],
    );
    producer(
        &mut sim,
        "p1",
        &[
            ("acks", "all"),
            ("retries", "0"),
            ("enable.idempotence", "false"),
        ],
    );
    produce(&mut sim, "p1", "orders", "k", 1);
    sim.settle(60_000).unwrap();
    let p = part(&sim, "orders", 0);
    assert_eq!(p.leader, Some(b(1)));
    assert_eq!(p.isr, vec![b(1), b(2), b(3)]);
    assert_eq!((p.high_watermark, p.log_end_offset), (1, 1));
    sim.apply(Command::BrokerKill(b(3))).unwrap();
    sim.run_for(35_000);
    assert_eq!(part(&sim, "orders", 0).isr, vec![b(1), b(2)]);
    produce(&mut sim, "p1", "orders", "k", 1);
    sim.settle(60_000).unwrap();
    assert_eq!(producer_view(&sim, "p1").acked, 2);
    sim.apply(Command::BrokerKill(b(2))).unwrap();
    sim.run_for(35_000);
    assert_eq!(part(&sim, "orders", 0).isr, vec![b(1)]);
    produce(&mut sim, "p1", "orders", "k", 1);
    sim.settle(60_000).unwrap();
    let pv = producer_view(&sim, "p1");
    assert_eq!((pv.acked, pv.failed), (2, 1));
    assert_eq!(pv.last_error.as_deref(), Some("NOT_ENOUGH_REPLICAS"));
    assert_eq!(sim.view().lost_acked, 0);
}

/// acks=1: the leader acknowledges before followers fetch; if it dies then, the new leader
/// never had the record and it is lost (R12 clean election among the ISR).
#[test]
fn acks1_leader_failure_before_replication_loses_the_record() {
    let mut sim = cluster(3, 11);
    create(&mut sim, "t", vec![vec![1, 2, 3]], &[]);
    producer(&mut sim, "p", &[("acks", "1")]);
    produce(&mut sim, "p", "t", "k", 1);
    sim.settle(60_000).unwrap();
    // Followers will not get the next record: drop both of their next fetches' answers.
    sim.apply(Command::NetCut(
        NodeRef::Broker(b(1)),
        NodeRef::Broker(b(2)),
    ))
    .unwrap();
    sim.apply(Command::NetCut(
        NodeRef::Broker(b(1)),
        NodeRef::Broker(b(3)),
    ))
    .unwrap();
    produce(&mut sim, "p", "t", "k", 1);
    sim.run_for(200);
    assert_eq!(producer_view(&sim, "p").acked, 2);
    sim.apply(Command::BrokerKill(b(1))).unwrap();
    sim.apply(Command::NetHeal(None)).unwrap();
    sim.run_for(20_000);
    let p = part(&sim, "t", 0);
    assert!(p.leader == Some(b(2)) || p.leader == Some(b(3)), "{p:?}");
    assert_eq!(p.log_end_offset, 1);
    assert_eq!(sim.view().lost_acked, 1);
    assert!(sim.findings().iter().any(|f| f.kind == FindingKind::Lost));
}

/// R12 with unclean election enabled: an out-of-sync replica becomes leader; the old
/// leader's acknowledged records are truncated away when it returns (R15).
#[test]
fn r12_unclean_election_loses_acknowledged_data_and_r15_truncates() {
    let mut sim = cluster(2, 5);
    create(
        &mut sim,
        "t",
        vec![vec![1, 2]],
        &[("unclean.leader.election.enable", "true")],
    );
    producer(&mut sim, "p", &[("acks", "1")]);
    produce(&mut sim, "p", "t", "a", 2);
    sim.settle(60_000).unwrap();
    sim.apply(Command::BrokerKill(b(2))).unwrap();
    sim.run_for(20_000);
    assert_eq!(part(&sim, "t", 0).isr, vec![b(1)]);
    produce(&mut sim, "p", "t", "a", 3);
    sim.settle(60_000).unwrap();
    assert_eq!(part(&sim, "t", 0).log_end_offset, 5);
    // Now the only ISR member dies and the stale replica comes back.
    sim.apply(Command::BrokerKill(b(1))).unwrap();
    sim.apply(Command::BrokerStart(b(2))).unwrap();
    sim.run_for(20_000);
    let p = part(&sim, "t", 0);
    assert_eq!(p.leader, Some(b(2)));
    assert_eq!(p.isr, vec![b(2)]);
    assert_eq!(sim.view().lost_acked, 3);
    // The old leader returns, finds its log diverged, and truncates to the new leader's.
    sim.apply(Command::BrokerStart(b(1))).unwrap();
    sim.run_for(20_000);
    let p = part(&sim, "t", 0);
    let r1 = p.replica_states.iter().find(|r| r.broker == b(1)).unwrap();
    assert_eq!(r1.log_end_offset, 2);
    assert_eq!(p.isr, vec![b(1), b(2)]);
}

/// Without unclean election, losing the last ISR member leaves the partition offline.
#[test]
fn r12_clean_election_only_leaves_partition_offline() {
    let mut sim = cluster(2, 5);
    create(&mut sim, "t", vec![vec![1, 2]], &[]);
    sim.apply(Command::BrokerKill(b(2))).unwrap();
    sim.run_for(20_000);
    sim.apply(Command::BrokerKill(b(1))).unwrap();
    sim.apply(Command::BrokerStart(b(2))).unwrap();
    sim.run_for(20_000);
    let p = part(&sim, "t", 0);
    assert_eq!(p.leader, None);
    assert_eq!(p.isr, vec![b(1)]);
}

/// R13: an ISR change does not bump the leader epoch; a leader change does.
#[test]
fn r13_isr_shrink_keeps_epoch_leader_change_bumps_it() {
    let mut sim = cluster(3, 1);
    create(&mut sim, "t", vec![vec![1, 2, 3]], &[]);
    sim.run_for(1000);
    let e0 = part(&sim, "t", 0).leader_epoch;
    sim.apply(Command::BrokerKill(b(3))).unwrap();
    sim.run_for(20_000);
    let p = part(&sim, "t", 0);
    assert_eq!(p.isr, vec![b(1), b(2)]);
    assert_eq!(p.leader_epoch, e0);
    sim.apply(Command::BrokerKill(b(1))).unwrap();
    sim.run_for(20_000);
    let p = part(&sim, "t", 0);
    assert_eq!(p.leader, Some(b(2)));
    assert_eq!(p.leader_epoch, e0 + 1);
}

/// R9/R10: a lagging follower leaves the ISR after replica.lag.time.max.ms and rejoins when
/// it catches up.
#[test]
fn r9_r10_isr_shrinks_for_a_lagging_follower_and_expands_again() {
    let mut sim = cluster(3, 2);
    create(&mut sim, "t", vec![vec![1, 2, 3]], &[]);
    producer(&mut sim, "p", &[("acks", "1")]);
    sim.run_for(1000);
    // Follower 3 cannot reach the leader, but stays registered with the controller.
    sim.apply(Command::NetCut(
        NodeRef::Broker(b(1)),
        NodeRef::Broker(b(3)),
    ))
    .unwrap();
    for _ in 0..10 {
        produce(&mut sim, "p", "t", "k", 1);
        sim.run_for(5_000);
    }
    let p = part(&sim, "t", 0);
    assert_eq!(p.isr, vec![b(1), b(2)], "{p:?}");
    sim.apply(Command::NetHeal(None)).unwrap();
    sim.settle(60_000).unwrap();
    sim.run_for(5_000);
    assert_eq!(part(&sim, "t", 0).isr, vec![b(1), b(2), b(3)]);
}

/// R1: acks outside -1/0/1 is refused (as the producer's config check refuses it).
#[test]
fn r1_invalid_acks_rejected_and_nothing_changes() {
    let mut sim = cluster(1, 1);
    let before = sim.clone();
    let e = sim
        .apply(Command::AddProducer {
            client_id: "p".into(),
            configs: vec![("acks".into(), "2".into())],
        })
        .unwrap_err();
    assert!(e.to_string().contains("acks"), "{e}");
    assert_eq!(sim, before);
}

#[test]
fn bad_topic_commands_are_refused_with_kafkas_errors() {
    let mut sim = cluster(3, 1);
    let before = sim.clone();
    let e = sim
        .apply(Command::CreateTopic {
            name: "t".into(),
            partitions: Some(1),
            replication_factor: Some(4),
            assignment: None,
            configs: vec![],
        })
        .unwrap_err();
    assert_eq!(e.kafka_error(), Some(KafkaError::InvalidReplicationFactor));
    let e = sim
        .apply(Command::CreateTopic {
            name: "t".into(),
            partitions: Some(0),
            replication_factor: Some(1),
            assignment: None,
            configs: vec![],
        })
        .unwrap_err();
    assert_eq!(e.kafka_error(), Some(KafkaError::InvalidPartitions));
    let e = sim
        .apply(Command::CreateTopic {
            name: "<b>x</b>".into(),
            partitions: Some(1),
            replication_factor: Some(1),
            assignment: None,
            configs: vec![],
        })
        .unwrap_err();
    assert_eq!(e.kafka_error(), Some(KafkaError::InvalidTopicException));
    let e = sim
        .apply(Command::CreateTopic {
            name: "t".into(),
            partitions: Some(1),
            replication_factor: Some(1),
            assignment: None,
            configs: vec![("min.isr".into(), "2".into())],
        })
        .unwrap_err();
    assert_eq!(e.kafka_error(), Some(KafkaError::InvalidConfig));
    assert!(e.to_string().contains("min.isr"));
    let e = sim
        .apply(Command::CreateTopic {
            name: "t".into(),
            partitions: Some(1_000_000),
            replication_factor: Some(1),
            assignment: None,
            configs: vec![],
        })
        .unwrap_err();
    assert!(matches!(e, CommandError::LimitExceeded { .. }));
    // None of the refused commands changed anything.
    assert_eq!(sim, before);
    producer(&mut sim, "p", &[]);
    let before_p = sim.clone();
    let e = sim
        .apply(Command::Produce {
            producer: "p".into(),
            topic: "nope".into(),
            key: None,
            value: None,
            partition: None,
            count: 1,
        })
        .unwrap_err();
    assert_eq!(e.kafka_error(), Some(KafkaError::UnknownTopicOrPartition));
    assert_eq!(sim, before_p);
}

/// Idempotence (I3): a lost Produce answer leads to a resend that is answered with the
/// original offset, not appended twice. Without idempotence the same story duplicates.
#[test]
fn i3_idempotent_resend_is_not_duplicated_but_plain_resend_is() {
    for (idem, expect_dups) in [(true, 0), (false, 1)] {
        let mut sim = cluster(1, 3);
        create(&mut sim, "t", vec![vec![1]], &[]);
        let cfg: &[(&str, &str)] = if idem {
            &[
                ("request.timeout.ms", "1000"),
                ("delivery.timeout.ms", "60000"),
            ]
        } else {
            &[
                ("enable.idempotence", "false"),
                ("request.timeout.ms", "1000"),
                ("delivery.timeout.ms", "60000"),
            ]
        };
        producer(&mut sim, "p", cfg);
        sim.run_for(100);
        // The broker's answer to the first Produce is lost on the way back.
        sim.apply(Command::NetDropNext {
            api: ApiKey::Produce,
            from: Some(NodeRef::Broker(b(1))),
        })
        .unwrap();
        produce(&mut sim, "p", "t", "k", 3);
        sim.settle(60_000).unwrap();
        let p = part(&sim, "t", 0);
        let dups = sim
            .findings()
            .iter()
            .filter(|f| f.kind == FindingKind::Duplicate)
            .count();
        assert_eq!(dups, expect_dups, "idempotence={idem}");
        assert_eq!(p.log_end_offset, if idem { 3 } else { 6 });
        assert_eq!(producer_view(&sim, "p").acked, 3);
    }
}

/// A leader powered off (its unflushed records gone from its disk) and restarted while its
/// old session is still valid: the controller refuses the new registration until that
/// session has expired and the old one is fenced (Kafka's `ClusterControlManager.
/// registerBroker`: DUPLICATE_BROKER_REGISTRATION), which takes it out of the ISR and moves
/// its leadership (R10, R12). The restarted broker rejoins the ISR only once caught up, so
/// nothing acknowledged with acks=all and min.insync=2 is lost, not even for a moment: its
/// followers held every record all along.
#[test]
fn r10_r12_a_restart_after_power_off_leads_again_only_once_caught_up() {
    let mut sim = cluster(3, 19);
    create(
        &mut sim,
        "t",
        vec![vec![1, 2, 3]],
        &[("min.insync.replicas", "2")],
    );
    producer(&mut sim, "p", &[("acks", "all")]);
    produce(&mut sim, "p", "t", "k", 5);
    sim.settle(60_000).unwrap();
    let p = part(&sim, "t", 0);
    assert_eq!((p.leader, p.high_watermark), (Some(b(1)), 5));
    assert_eq!(p.isr, vec![b(1), b(2), b(3)]);
    assert_eq!(producer_view(&sim, "p").acked, 5);
    // No flush.messages / flush.ms: the five records are only in the page cache of each.
    sim.apply(Command::BrokerPowerOff(b(1))).unwrap();
    sim.run_for(1_000);
    // Well inside broker.session.timeout.ms (9000) of broker 1's last heartbeat.
    sim.apply(Command::BrokerStart(b(1))).unwrap();
    sim.run_for(3_000);
    // The controller still names 1 (its old session has not expired), but the restarted
    // process is not registered, so it leads nothing: its followers kept every record
    // instead of truncating to its empty log.
    let p = part(&sim, "t", 0);
    for r in p.replica_states.iter().filter(|r| r.broker != b(1)) {
        assert_eq!(r.log_end_offset, 5, "replica {}: {p:?}", r.broker);
    }
    sim.run_for(40_000);
    let p = part(&sim, "t", 0);
    assert_eq!(
        p.leader,
        Some(b(2)),
        "the first replica in the ISR after 1: {p:?}"
    );
    assert_eq!(p.isr, vec![b(1), b(2), b(3)], "1 rejoined once caught up");
    assert_eq!(p.high_watermark, 5);
    for r in &p.replica_states {
        assert_eq!(r.log_end_offset, 5, "replica {}", r.broker);
    }
    assert_eq!(sim.view().lost_acked, 0);
    assert!(
        sim.findings().iter().all(|f| f.kind != FindingKind::Lost),
        "{:?}",
        sim.findings()
    );
}

/// Controlled shutdown moves leadership first; the broker leaves cleanly.
#[test]
fn controlled_shutdown_moves_leadership() {
    let mut sim = cluster(3, 9);
    create(&mut sim, "t", vec![vec![1, 2, 3]], &[]);
    sim.run_for(500);
    sim.apply(Command::BrokerStop(b(1))).unwrap();
    sim.run_for(3_000);
    let v = sim.view();
    assert_eq!(v.brokers[0].state, crate::view::BrokerState::Stopped);
    let p = part(&sim, "t", 0);
    assert_eq!(p.leader, Some(b(2)));
    assert_eq!(p.isr, vec![b(2), b(3)]);
}

/// Controlled shutdown in KRaft (`BrokerHeartbeatManager.calculateNextBrokerState`,
/// `BrokerLifecycleManager`): a broker that leads partitions is first told "not yet" while its
/// leaderships move; it sends its next heartbeat 50 ms later, and it is told to shut down only
/// once it leads nothing and every active broker has reported the metadata that moved them.
/// Meanwhile it applies that metadata itself, so it is a follower before it exits.
#[test]
fn controlled_shutdown_waits_for_the_active_brokers_metadata() {
    let mut sim = cluster(3, 9);
    create(&mut sim, "t", vec![vec![1, 2, 3]], &[]);
    sim.run_for(500);
    sim.apply(Command::BrokerStop(b(1))).unwrap();
    let mut answers: Vec<(u64, bool)> = Vec::new();
    let mut demoted_before_exit = false;
    let mut exited_at = None;
    while exited_at.is_none() && sim.now().0 < 10_000 {
        let Some(e) = sim.step_event() else { break };
        if e.to == "broker 1" && e.summary.starts_with("BrokerHeartbeat response") {
            answers.push((e.time_ms, e.summary.ends_with("shouldShutDown=true")));
        }
        let b1 = &sim.brokers[0];
        if b1.is_running() && !b1.is_leader_of(&TopicPartition::new("t", 0)) {
            demoted_before_exit = true;
        }
        if !b1.is_running() {
            exited_at = Some(e.time_ms);
        }
    }
    assert!(exited_at.is_some(), "broker 1 never stopped: {answers:?}");
    assert!(answers.len() >= 2, "{answers:?}");
    assert!(!answers[0].1, "the first answer is not yet: {answers:?}");
    assert!(answers.last().unwrap().1, "{answers:?}");
    assert!(
        answers[..answers.len() - 1].iter().all(|a| !a.1),
        "{answers:?}"
    );
    // The heartbeat after the first "not yet" goes out 50 ms later, so the second answer comes
    // 50 ms plus a round trip after the first.
    let gap = answers[1].0 - answers[0].0;
    assert!((50..70).contains(&gap), "{gap} ms: {answers:?}");
    assert!(
        demoted_before_exit,
        "broker 1 exited while it still led t-0"
    );
    let p = part(&sim, "t", 0);
    assert_eq!(p.leader, Some(b(2)));
}

/// The active controller dies; the quorum elects another and keeps serving.
#[test]
fn controller_failover_elects_a_new_active_controller() {
    let mut sim = cluster(3, 9);
    sim.apply(Command::ControllerKill(None)).unwrap();
    sim.run_for(5_000);
    let v = sim.view();
    let active: Vec<_> = v.controllers.iter().filter(|c| c.active).collect();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].name, "controller-2");
    assert_eq!(active[0].epoch, 2);
    create(&mut sim, "t", vec![vec![1, 2, 3]], &[]);
    sim.apply(Command::ControllerKill(None)).unwrap();
    sim.run_for(5_000);
    // Two of three controllers down: no quorum, no active controller, metadata frozen.
    assert!(sim.view().controllers.iter().all(|c| !c.active));
    let e = sim
        .apply(Command::CreateTopic {
            name: "u".into(),
            partitions: Some(1),
            replication_factor: Some(1),
            assignment: None,
            configs: vec![],
        })
        .unwrap_err();
    assert_eq!(e.kafka_error(), Some(KafkaError::RequestTimedOut));
}

/// Determinism: the same seed and commands give the same trace hash; another seed differs.
#[test]
fn same_seed_same_trace_hash() {
    let run = |seed: u64| {
        let mut sim = cluster(3, seed);
        create(&mut sim, "t", vec![vec![1, 2, 3], vec![2, 3, 1]], &[]);
        producer(&mut sim, "p", &[]);
        produce(&mut sim, "p", "t", "x", 50);
        sim.run_for(3_000);
        sim.apply(Command::BrokerKill(b(2))).unwrap();
        sim.run_for(30_000);
        (sim.trace_hash(), sim.steps())
    };
    assert_eq!(run(42), run(42));
    assert_ne!(run(42).0, run(43).0);
}

/// `same_run` answers "did anything happen?" as `==` does, for each way a sim changes: an event,
/// a command, the clock; and a refused command changes neither.
#[test]
fn same_run_agrees_with_equality() {
    let mut sim = cluster(3, 7);
    create(&mut sim, "t", vec![vec![1, 2, 3]], &[]);
    producer(&mut sim, "p", &[]);
    let check = |a: &Sim, b: &Sim| {
        assert_eq!(a.same_run(b), a == b);
        assert_eq!(b.same_run(a), a == b);
    };
    let base = sim.clone();
    check(&base, &sim);
    assert!(base.same_run(&sim));

    let mut stepped = base.clone();
    assert!(stepped.step());
    check(&base, &stepped);
    assert!(!base.same_run(&stepped));

    let mut commanded = base.clone();
    produce(&mut commanded, "p", "t", "k", 1);
    check(&base, &commanded);
    assert!(!base.same_run(&commanded));

    let mut later = base.clone();
    later.advance_clock_to(base.now() + 5);
    check(&base, &later);
    assert!(!base.same_run(&later));

    let mut refused = base.clone();
    assert!(refused
        .apply(produce_command("nobody", "t", "k", 1))
        .is_err());
    check(&base, &refused);
    assert!(base.same_run(&refused));

    // Two fresh clusters: the same until the seed or the shape differs.
    check(&cluster(3, 7), &cluster(3, 7));
    check(&cluster(3, 7), &cluster(3, 8));
    check(&cluster(3, 7), &cluster(4, 7));
    assert!(!cluster(3, 7).same_run(&cluster(3, 8)));
    assert!(!cluster(3, 7).same_run(&cluster(4, 7)));
}

/// Time travel: seeking back then forward gives exactly the state (and hash) of the run.
#[test]
fn timeline_seek_is_exact() {
    let mut sim = cluster(3, 4);
    create(&mut sim, "t", vec![vec![1, 2, 3]], &[]);
    producer(&mut sim, "p", &[]);
    let mut tl = Timeline::new(sim);
    tl.apply(produce_command("p", "t", "k", 20)).unwrap();
    tl.run_for(2_000);
    let mid_pos = tl.position();
    let mid = tl.sim().clone();
    tl.apply(Command::BrokerKill(b(1))).unwrap();
    tl.run_for(300_000);
    let end = tl.sim().clone();
    let end_pos = tl.position();
    assert!(
        end_pos > 2 * super::timeline::FIRST_INTERVAL,
        "the run should cross two checkpoint intervals: {end_pos}"
    );
    tl.seek(mid_pos);
    assert_eq!(tl.sim(), &mid);
    assert_eq!(part(tl.sim(), "t", 0).leader, Some(b(1)));
    tl.seek(end_pos);
    assert_eq!(tl.sim(), &end);
    assert_eq!(tl.sim().trace_hash(), end.trace_hash());
    // Step back one input at a time from the end to the kill, then fork.
    while tl.position() > mid_pos {
        tl.step_back();
    }
    assert_eq!(tl.sim(), &mid);
    tl.apply(Command::BrokerKill(b(2))).unwrap();
    assert_eq!(tl.len(), mid_pos + 1);
}

/// Time travel over a run long enough to thin the checkpoints (more than `MAX_CHECKPOINTS`
/// intervals): their number stays bounded, and seeks, back and forth, stay exact.
#[test]
fn timeline_thins_its_checkpoints_and_stays_exact() {
    use super::timeline::{FIRST_INTERVAL, MAX_CHECKPOINTS};
    let mut sim = cluster(3, 5);
    create(&mut sim, "t", vec![vec![1, 2, 3]], &[]);
    producer(&mut sim, "p", &[]);
    let mut tl = Timeline::new(sim);
    let end = (MAX_CHECKPOINTS + 8) * FIRST_INTERVAL;
    let mut marks: Vec<(usize, Sim)> = Vec::new();
    while tl.position() < end {
        tl.apply(produce_command("p", "t", "k", 50)).unwrap();
        tl.run_for(5_000);
        if tl.position() >= (marks.len() + 1) * end / 8 {
            marks.push((tl.position(), tl.sim().clone()));
        }
    }
    assert!(marks.len() >= 7, "{} marks", marks.len());
    assert!(
        tl.checkpoint_count() <= MAX_CHECKPOINTS,
        "{} checkpoints",
        tl.checkpoint_count()
    );
    for (pos, state) in marks.iter().rev().chain(marks.iter()) {
        tl.seek(*pos);
        assert_eq!(tl.sim(), state, "after a seek to {pos}");
    }
}

/// `checkpoint_due` says exactly when the next input copies the state (the page leaves that
/// copy for the start of its next frame), and the checkpoints the thinning drops are freed a
/// few at a time, all of them long before the next thinning.
#[test]
fn timeline_says_when_a_checkpoint_is_due_and_frees_thinned_ones_gradually() {
    use super::timeline::{FIRST_INTERVAL, MAX_CHECKPOINTS, RETIRE_EVERY};
    let mut sim = cluster(3, 9);
    create(&mut sim, "t", vec![vec![1, 2, 3]], &[]);
    let mut tl = Timeline::new(sim);
    let mut taken = 0;
    let mut thinned_at = None;
    let mut most_retired = 0;
    while tl.position() < (MAX_CHECKPOINTS + 2) * FIRST_INTERVAL {
        let due = tl.checkpoint_due();
        let (count, retired) = (tl.checkpoint_count(), tl.retired_count());
        assert!(tl.step(), "an idle cluster always has a next event");
        let changed = tl.checkpoint_count() != count;
        assert_eq!(due, changed, "at position {}", tl.position());
        taken += usize::from(changed);
        if tl.retired_count() > retired {
            assert_eq!(thinned_at, None, "one thinning in this run");
            thinned_at = Some(tl.position());
            assert_eq!(tl.retired_count(), MAX_CHECKPOINTS / 2);
        } else {
            assert!(
                tl.retired_count() + 1 >= retired,
                "at most one freed per input"
            );
        }
        most_retired = most_retired.max(tl.retired_count());
    }
    assert_eq!(
        taken,
        MAX_CHECKPOINTS + 1,
        "one per interval, the thinning's included"
    );
    let thinned_at = thinned_at.expect("the run crossed the thinning");
    assert_eq!(
        thinned_at,
        MAX_CHECKPOINTS * FIRST_INTERVAL,
        "at the 65th checkpoint"
    );
    assert_eq!(most_retired, MAX_CHECKPOINTS / 2);
    // Freed one every RETIRE_EVERY inputs: all gone within 32 of those.
    assert!(tl.position() >= thinned_at + MAX_CHECKPOINTS / 2 * RETIRE_EVERY);
    assert_eq!(tl.retired_count(), 0);
    // Redoing a recorded future takes no checkpoint.
    let end = tl.position();
    tl.seek(end - 3 * FIRST_INTERVAL);
    while tl.position() < end {
        assert!(!tl.checkpoint_due());
        tl.step();
    }
}

/// A view with fewer records per replica (the playground's) is the newest of the full view's.
#[test]
fn view_with_records_keeps_the_newest() {
    let mut sim = cluster(3, 6);
    create(&mut sim, "t", vec![vec![1, 2, 3]], &[]);
    producer(&mut sim, "p", &[]);
    produce(&mut sim, "p", "t", "k", 100);
    sim.settle(60_000).unwrap();
    let full = sim.view();
    let few = sim.view_with_records(10);
    let replicas = |v: &ClusterView| {
        v.topics[0].partitions[0]
            .replica_states
            .iter()
            .map(|r| r.records.clone())
            .collect::<Vec<_>>()
    };
    for (all, ten) in replicas(&full).iter().zip(replicas(&few).iter()) {
        assert_eq!(all.len(), crate::view::RECORDS_SHOWN);
        assert_eq!(ten.len(), 10);
        assert_eq!(ten[..], all[all.len() - 10..]);
        assert_eq!(ten.last().map(|r| r.offset), Some(99));
    }
    // Everything else is the same view.
    let strip = |mut v: ClusterView| {
        for t in &mut v.topics {
            for p in &mut t.partitions {
                for r in &mut p.replica_states {
                    r.records.clear();
                }
            }
        }
        v
    };
    assert_eq!(strip(full), strip(few));
}

/// R7 (3.7+, KAFKA-15583): while the ISR is under min.insync.replicas the HW does not move,
/// even though acks=1 writes are still appended and acknowledged.
#[test]
fn r7_hw_frozen_under_min_isr() {
    let mut sim = cluster(3, 21);
    create(
        &mut sim,
        "t",
        vec![vec![1, 2, 3]],
        &[("min.insync.replicas", "2")],
    );
    producer(&mut sim, "p", &[("acks", "1")]);
    produce(&mut sim, "p", "t", "k", 2);
    sim.settle(60_000).unwrap();
    assert_eq!(part(&sim, "t", 0).high_watermark, 2);
    sim.apply(Command::BrokerKill(b(2))).unwrap();
    sim.apply(Command::BrokerKill(b(3))).unwrap();
    sim.run_for(20_000);
    assert_eq!(part(&sim, "t", 0).isr, vec![b(1)]);
    produce(&mut sim, "p", "t", "k", 3);
    sim.run_for(5_000);
    let p = part(&sim, "t", 0);
    assert_eq!(producer_view(&sim, "p").acked, 5);
    assert_eq!(p.log_end_offset, 5);
    assert_eq!(p.high_watermark, 2, "HW must stay frozen under min ISR");
    // A follower returns and catches up: the ISR grows back and the HW moves again.
    sim.apply(Command::BrokerStart(b(2))).unwrap();
    sim.run_for(20_000);
    let p = part(&sim, "t", 0);
    assert_eq!(p.isr, vec![b(1), b(2)]);
    assert_eq!(p.high_watermark, 5);
}

/// R4/R5: an acks=all write whose HW never gets there expires in the purgatory with
/// REQUEST_TIMED_OUT (here the followers cannot fetch, and are never fenced).
#[test]
fn r4_acks_all_times_out_when_hw_never_reaches_the_batch() {
    let mut sim = cluster(3, 8);
    create(&mut sim, "t", vec![vec![1, 2, 3]], &[]);
    producer(
        &mut sim,
        "p",
        &[
            ("acks", "all"),
            ("retries", "0"),
            ("enable.idempotence", "false"),
            ("request.timeout.ms", "5000"),
            ("delivery.timeout.ms", "10000"),
        ],
    );
    sim.run_for(1_000);
    sim.apply(Command::NetCut(
        NodeRef::Broker(b(1)),
        NodeRef::Broker(b(2)),
    ))
    .unwrap();
    sim.apply(Command::NetCut(
        NodeRef::Broker(b(1)),
        NodeRef::Broker(b(3)),
    ))
    .unwrap();
    produce(&mut sim, "p", "t", "k", 1);
    sim.run_for(8_000);
    let pv = producer_view(&sim, "p");
    assert_eq!((pv.acked, pv.failed), (0, 1));
    assert_eq!(pv.last_error.as_deref(), Some("REQUEST_TIMED_OUT"));
    // The record is in the leader's log but was never acknowledged: nothing "lost".
    assert_eq!(part(&sim, "t", 0).log_end_offset, 1);
    assert_eq!(sim.view().lost_acked, 0);
}

/// R2: acks=0 and acks=1 never get NOT_ENOUGH_REPLICAS, whatever the ISR.
#[test]
fn r2_only_acks_all_is_refused_under_min_isr() {
    let mut sim = cluster(3, 4);
    create(
        &mut sim,
        "t",
        vec![vec![1, 2, 3]],
        &[("min.insync.replicas", "3")],
    );
    sim.apply(Command::BrokerKill(b(3))).unwrap();
    sim.run_for(20_000);
    for (name, acks) in [("p0", "0"), ("p1", "1"), ("pall", "all")] {
        producer(
            &mut sim,
            name,
            &[
                ("acks", acks),
                ("retries", "0"),
                ("enable.idempotence", "false"),
            ],
        );
        produce(&mut sim, name, "t", "k", 1);
    }
    sim.run_for(5_000);
    assert_eq!(producer_view(&sim, "p0").failed, 0);
    assert_eq!(producer_view(&sim, "p1").failed, 0);
    let pall = producer_view(&sim, "pall");
    assert_eq!(pall.failed, 1);
    assert_eq!(pall.last_error.as_deref(), Some("NOT_ENOUGH_REPLICAS"));
}

/// `message.timestamp.type`: with `CreateTime` (the default) a record keeps the producer's
/// timestamp; with `LogAppendTime` the broker replaces it with its own clock at append
/// (LogValidator), so it is later than the send by at least the network latency.
#[test]
fn message_timestamp_type_log_append_time() {
    let mut sim = cluster(1, 5);
    create(&mut sim, "created", vec![vec![1]], &[]);
    create(
        &mut sim,
        "appended",
        vec![vec![1]],
        &[("message.timestamp.type", "LogAppendTime")],
    );
    producer(&mut sim, "p", &[("linger.ms", "0")]);
    sim.run_for(1_000);
    let sent_at = sim.now().0;
    produce(&mut sim, "p", "created", "k", 1);
    produce(&mut sim, "p", "appended", "k", 1);
    sim.settle(30_000).unwrap();
    let ts = |topic: &str| {
        let log = sim.brokers[0]
            .logs
            .get(&TopicPartition::new(topic, 0))
            .unwrap();
        let batch = log.read_from(0, u64::MAX).into_iter().next().unwrap();
        (batch.records[0].timestamp, batch.max_timestamp)
    };
    assert_eq!(
        ts("created").0,
        sent_at,
        "CreateTime keeps the producer's timestamp"
    );
    let (appended, max) = ts("appended");
    assert!(
        appended > sent_at,
        "LogAppendTime: {appended} should be after the send at {sent_at}"
    );
    assert_eq!(
        max, appended,
        "the batch's max timestamp is the append time too"
    );
}

/// Records per partition of topic `t` after a run of keyless sends while broker 3 (leader of
/// t-2) answers slowly, with adaptive partitioning on or off.
fn keyless_spread_with_a_slow_leader(adaptive: &str, seed: u64) -> Vec<i64> {
    let mut sim = cluster(3, seed);
    create(&mut sim, "t", vec![vec![1], vec![2], vec![3]], &[]);
    producer(
        &mut sim,
        "p",
        &[
            ("batch.size", "200"),
            ("linger.ms", "5"),
            ("partitioner.adaptive.partitioning.enable", adaptive),
        ],
    );
    sim.apply(Command::NetSlow {
        node: NodeRef::Broker(b(3)),
        by_ms: 400,
    })
    .unwrap();
    for _ in 0..300 {
        produce_keyless(&mut sim, "p", "t", 4);
        sim.run_for(10);
    }
    sim.settle(120_000).unwrap();
    (0..3).map(|p| part(&sim, "t", p).high_watermark).collect()
}

/// P6: with adaptive partitioning (the default) the sticky partitioner weights its next
/// partition by `maxQueue + 1 - queue`, so a partition whose leader is slow, and whose batches
/// therefore pile up in the accumulator, gets fewer keyless records; with it off the choice
/// is uniform. Same seed, same workload.
#[test]
fn p6_adaptive_partitioning_avoids_the_partition_with_a_slow_leader() {
    let on = keyless_spread_with_a_slow_leader("true", 21);
    let off = keyless_spread_with_a_slow_leader("false", 21);
    assert_eq!(on.iter().sum::<i64>(), 1200, "{on:?}");
    assert_eq!(off.iter().sum::<i64>(), 1200, "{off:?}");
    let fast = |v: &[i64]| (v[0] + v[1]) / 2;
    assert!(
        on[2] * 2 < fast(&on),
        "adaptive: the slow partition gets less {on:?}"
    );
    // Measured here: on [480, 540, 180], off [288, 336, 576] (without the weighting the slow
    // partition even gets more: its batches wait, so the sticky switch is held back longer).
    assert!(on[2] * 2 < off[2], "adaptive {on:?} vs uniform {off:?}");
}

/// P4 (d) with KIP-794's switch rule (`BuiltInPartitioner.updatePartitionInfo`): keyless
/// records stick to one partition until `batch.size` bytes went to it, even when every record
/// leaves at once in its own small batch (`linger.ms=0`); then the partitioner moves on. A
/// record here is 21 bytes (20 of overhead, a 1-byte value), so with `batch.size=210` the
/// records come in runs of exactly 10 per partition.
#[test]
fn p4_sticky_partitioner_switches_after_batch_size_bytes() {
    let mut sim = cluster(3, 5);
    create(&mut sim, "t", vec![vec![1], vec![2], vec![3]], &[]);
    producer(
        &mut sim,
        "p",
        &[
            ("batch.size", "210"),
            ("linger.ms", "0"),
            ("partitioner.adaptive.partitioning.enable", "false"),
        ],
    );
    for _ in 0..60 {
        produce_keyless(&mut sim, "p", "t", 1);
        sim.run_for(50);
    }
    sim.settle(60_000).unwrap();
    let counts: Vec<i64> = (0..3).map(|p| part(&sim, "t", p).high_watermark).collect();
    assert_eq!(counts.iter().sum::<i64>(), 60, "{counts:?}");
    assert!(counts.iter().all(|c| c % 10 == 0), "runs of 10: {counts:?}");
    assert!(
        counts.iter().filter(|c| **c > 0).count() >= 2,
        "it moved on: {counts:?}"
    );
}

/// The stored size of a batch follows its codec (the documented size model of `msg::Codec`):
/// ten 100-byte records in one batch take 61 + 1000 bytes uncompressed and 61 + 400 with
/// gzip (40 %), on the leader and on the follower that copied it. Retention by bytes and
/// segment rolling count these sizes.
#[test]
fn compressed_batches_are_stored_at_their_compressed_size() {
    let stored = |codec: &str| {
        let mut sim = cluster(2, 9);
        create(&mut sim, "t", vec![vec![1, 2]], &[]);
        producer(
            &mut sim,
            "p",
            &[("compression.type", codec), ("linger.ms", "1000")],
        );
        let value = "v".repeat(79);
        sim.apply(Command::Produce {
            producer: "p".to_string(),
            topic: "t".to_string(),
            key: Some("k".to_string()),
            value: Some(value),
            partition: None,
            count: 10,
        })
        .unwrap();
        sim.settle(60_000).unwrap();
        let tp = TopicPartition::new("t", 0);
        [1, 2].map(|id| {
            let i = sim.broker_index(b(id)).unwrap();
            sim.brokers[i].logs[&tp].size_bytes()
        })
    };
    assert_eq!(stored("none"), [1061, 1061]);
    assert_eq!(stored("gzip"), [461, 461]);
    assert_eq!(stored("zstd"), [411, 411]);
}
