//! Consumer-group tests, one per fact (G1–G7), named after the fact's id, plus delivery
//! semantics (at-least-once, at-most-once), coordinator failover and a seed sweep.

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::view::{ConsumerView, GroupView};

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

fn topic(sim: &mut Sim, name: &str, partitions: u32, rf: u32) {
    sim.apply(Command::CreateTopic {
        name: name.to_string(),
        partitions: Some(partitions),
        replication_factor: Some(rf),
        assignment: None,
        configs: Vec::new(),
    })
    .unwrap();
}

fn kv(configs: &[(&str, &str)]) -> Vec<(String, String)> {
    configs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn consumer(sim: &mut Sim, name: &str, group: &str, topics: &[&str], configs: &[(&str, &str)]) {
    sim.apply(Command::AddConsumer {
        client_id: name.to_string(),
        group: group.to_string(),
        topics: topics.iter().map(|t| t.to_string()).collect(),
        configs: kv(configs),
    })
    .unwrap();
}

fn produce(sim: &mut Sim, topic: &str, n: u32) {
    if sim.producer_index("p").is_none() {
        sim.apply(Command::AddProducer {
            client_id: "p".to_string(),
            configs: Vec::new(),
        })
        .unwrap();
    }
    for i in 0..n {
        sim.apply(Command::Produce {
            producer: "p".to_string(),
            topic: topic.to_string(),
            key: Some(alloc::format!("k{i}")),
            value: Some("v".to_string()),
            partition: None,
            count: 1,
        })
        .unwrap();
    }
}

fn group(sim: &Sim, g: &str) -> GroupView {
    sim.view()
        .groups
        .into_iter()
        .find(|x| x.group_id == g)
        .unwrap_or_else(|| panic!("no group {g}"))
}

fn cons(sim: &Sim, name: &str) -> ConsumerView {
    sim.view()
        .consumers
        .into_iter()
        .rev()
        .find(|c| c.client_id == name)
        .unwrap()
}

/// Assignment by client id, as `expect assignment` writes it.
fn assignment(sim: &Sim, g: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = group(sim, g)
        .members
        .iter()
        .map(|m| {
            let tps: Vec<String> = m.assigned.iter().map(|t| t.to_string()).collect();
            (m.client_id.clone(), tps.join(","))
        })
        .collect();
    v.sort();
    v
}

fn pair(c: &str, a: &str) -> (String, String) {
    (c.to_string(), a.to_string())
}

/// The shared scenario `range-vs-roundrobin.scn` through the API (A1, A2, A4, G3).
#[test]
fn range_and_roundrobin_groups_match_the_shared_scenario() {
    let mut sim = cluster(3, 1);
    topic(&mut sim, "t0", 3, 1);
    topic(&mut sim, "t1", 3, 1);
    let rr = [("partition.assignment.strategy", "range")];
    consumer(&mut sim, "c1", "g-range", &["t0", "t1"], &rr);
    consumer(&mut sim, "c2", "g-range", &["t0", "t1"], &rr);
    sim.settle(60_000).unwrap();
    let g = group(&sim, "g-range");
    assert_eq!((g.state, g.members.len()), ("Stable", 2));
    assert_eq!(g.protocol.as_deref(), Some("range"));
    assert_eq!(
        assignment(&sim, "g-range"),
        vec![pair("c1", "t0-0,t0-1,t1-0,t1-1"), pair("c2", "t0-2,t1-2")]
    );
    let rr = [("partition.assignment.strategy", "roundrobin")];
    consumer(&mut sim, "c3", "g-rr", &["t0", "t1"], &rr);
    consumer(&mut sim, "c4", "g-rr", &["t0", "t1"], &rr);
    sim.settle(60_000).unwrap();
    assert_eq!(group(&sim, "g-rr").state, "Stable");
    assert_eq!(
        assignment(&sim, "g-rr"),
        vec![pair("c3", "t0-0,t0-2,t1-1"), pair("c4", "t0-1,t1-0,t1-2")]
    );
    assert!(sim.findings().is_empty(), "{:?}", sim.findings());
}

fn g_stable(sim: &mut Sim) {
    sim.settle(120_000).unwrap();
}

/// G1: every transition follows the valid-previous-states table (checked by a debug
/// assertion in `Group::transition`); a group goes Empty → Preparing → Completing → Stable, and
/// back to Empty when its last member leaves.
#[test]
fn g1_group_states_follow_the_valid_transitions() {
    use super::coordinator::GroupState::*;
    assert_eq!(Stable.valid_previous(), &[CompletingRebalance]);
    assert_eq!(CompletingRebalance.valid_previous(), &[PreparingRebalance]);
    assert_eq!(
        PreparingRebalance.valid_previous(),
        &[Stable, CompletingRebalance, Empty]
    );
    assert_eq!(Empty.valid_previous(), &[PreparingRebalance]);
    let mut sim = cluster(3, 2);
    topic(&mut sim, "t", 2, 3);
    consumer(&mut sim, "c1", "g", &["t"], &[]);
    let mut seen = Vec::new();
    for _ in 0..20_000 {
        if !sim.step() {
            break;
        }
        if let Some(g) = sim.view().groups.first() {
            if seen.last() != Some(&g.state) {
                seen.push(g.state);
            }
        }
        if seen.last() == Some(&"Stable") {
            break;
        }
    }
    assert_eq!(
        seen,
        vec![
            "Empty",
            "PreparingRebalance",
            "CompletingRebalance",
            "Stable"
        ]
    );
    sim.apply(Command::RemoveConsumer("c1".to_string()))
        .unwrap();
    sim.run_for(5_000);
    assert_eq!(group(&sim, "g").state, "Empty");
}

/// G2: heartbeat answers, validation first.
#[test]
fn g2_heartbeat_errors_by_state_and_validation() {
    let mut sim = cluster(3, 3);
    topic(&mut sim, "t", 2, 3);
    consumer(&mut sim, "c1", "g", &["t"], &[]);
    g_stable(&mut sim);
    let c = cons(&sim, "c1");
    let coord = c.coordinator.unwrap();
    let gen = c.generation;
    let good = sim.handle_heartbeat(coord, "g", &c.member_id, None, gen);
    assert_eq!(good, None);
    assert_eq!(
        sim.handle_heartbeat(coord, "g", "nobody", None, gen),
        Some(KafkaError::UnknownMemberId)
    );
    assert_eq!(
        sim.handle_heartbeat(coord, "g", &c.member_id, None, gen + 7),
        Some(KafkaError::IllegalGeneration)
    );
    // A second member joins: the group prepares a rebalance and c1 hears about it.
    consumer(&mut sim, "c2", "g", &["t"], &[]);
    let mut got_rip = false;
    for _ in 0..5_000 {
        sim.step();
        if group(&sim, "g").state == "PreparingRebalance" {
            let c = cons(&sim, "c1");
            got_rip = sim.handle_heartbeat(coord, "g", &c.member_id, None, c.generation)
                == Some(KafkaError::RebalanceInProgress);
            break;
        }
    }
    assert!(got_rip);
    // A broker that does not lead the group's partition is not its coordinator.
    let other = (1..=3).map(BrokerId).find(|b| *b != coord).unwrap();
    assert_eq!(
        sim.handle_heartbeat(other, "g", "x", None, 1),
        Some(KafkaError::NotCoordinator)
    );
}

/// G3: the generation bumps with each rebalance; the first member to join leads.
#[test]
fn g3_generation_bumps_and_first_joiner_leads() {
    let mut sim = cluster(3, 4);
    topic(&mut sim, "t", 4, 3);
    consumer(&mut sim, "c1", "g", &["t"], &[]);
    g_stable(&mut sim);
    let g1 = group(&sim, "g");
    assert_eq!(g1.generation, 1);
    let c1 = cons(&sim, "c1");
    assert_eq!(g1.leader.as_deref(), Some(c1.member_id.as_str()));
    consumer(&mut sim, "c2", "g", &["t"], &[]);
    g_stable(&mut sim);
    let g2 = group(&sim, "g");
    assert_eq!(g2.generation, 2);
    assert_eq!(g2.leader.as_deref(), Some(c1.member_id.as_str()));
    assert_eq!(g2.members.len(), 2);
}

/// G4: a dynamic member's first JoinGroup gets MEMBER_ID_REQUIRED with `<client.id>-<uuid>`;
/// the first rebalance of an Empty group waits `group.initial.rebalance.delay.ms`.
#[test]
fn g4_member_id_required_and_initial_delay() {
    let mut sim = cluster(3, 5);
    topic(&mut sim, "t", 2, 3);
    consumer(&mut sim, "c1", "g", &["t"], &[]);
    let mut prepared_at = None;
    let mut stable_at = None;
    for _ in 0..50_000 {
        if let Some(e) = sim.step_event() {
            if e.summary
                .starts_with("JoinGroup response MEMBER_ID_REQUIRED")
            {
                assert!(e.summary.contains("member=c1-"), "{}", e.summary);
            }
        }
        let st = sim.view().groups.first().map(|g| g.state);
        if st == Some("PreparingRebalance") && prepared_at.is_none() {
            prepared_at = Some(sim.now().0);
        }
        if st == Some("Stable") {
            stable_at = Some(sim.now().0);
            break;
        }
    }
    let waited = stable_at.unwrap() - prepared_at.unwrap();
    assert!(waited >= 3_000, "waited {waited}ms");
    let m = cons(&sim, "c1").member_id;
    assert!(m.starts_with("c1-") && m.len() == 3 + 36, "{m}");
}

/// G5: session timeouts outside the broker's range are refused; a killed consumer is removed
/// after `session.timeout.ms` and its partitions move.
#[test]
fn g5_session_timeout_bounds_and_expiry() {
    let mut sim = cluster(3, 6);
    topic(&mut sim, "t", 2, 3);
    let e = sim
        .apply(Command::AddConsumer {
            client_id: "bad".to_string(),
            group: "g".to_string(),
            topics: vec!["t".to_string()],
            configs: kv(&[("session.timeout.ms", "1000")]),
        })
        .unwrap_err();
    assert_eq!(e.kafka_error(), Some(KafkaError::InvalidSessionTimeout));
    assert!(sim.view().consumers.is_empty());
    consumer(
        &mut sim,
        "c1",
        "g",
        &["t"],
        &[("session.timeout.ms", "10000")],
    );
    consumer(
        &mut sim,
        "c2",
        "g",
        &["t"],
        &[("session.timeout.ms", "10000")],
    );
    g_stable(&mut sim);
    assert_eq!(group(&sim, "g").members.len(), 2);
    sim.apply(Command::KillConsumer("c2".to_string())).unwrap();
    // Its last heartbeat was at most heartbeat.interval.ms (3 s) before the crash.
    sim.run_for(6_500);
    assert_eq!(
        group(&sim, "g").members.len(),
        2,
        "still within the session"
    );
    sim.run_for(4_000);
    g_stable(&mut sim);
    assert_eq!(assignment(&sim, "g"), vec![pair("c1", "t-0,t-1")]);
    let r = group(&sim, "g").rebalances;
    assert!(r.last().unwrap().cause.contains("session timeout"), "{r:?}");
}

/// G6: a paused dynamic member exceeding `max.poll.interval.ms` leaves the group; a static
/// member does not (only its session timeout removes it).
#[test]
fn g6_poll_interval_expiry_dynamic_leaves_static_stays() {
    let mut sim = cluster(3, 7);
    topic(&mut sim, "t", 2, 3);
    let cfg = [("max.poll.interval.ms", "10000")];
    consumer(&mut sim, "c1", "g", &["t"], &cfg);
    consumer(&mut sim, "c2", "g", &["t"], &cfg);
    g_stable(&mut sim);
    sim.apply(Command::PauseConsumer {
        name: "c2".to_string(),
        for_ms: 20_000,
    })
    .unwrap();
    sim.run_for(15_000);
    let g = group(&sim, "g");
    assert_eq!(g.members.len(), 1, "c2 sent LeaveGroup");
    assert!(g.rebalances.last().unwrap().cause.contains("LeaveGroup"));
    // Static: the same pause changes nothing in the group.
    let mut sim = cluster(3, 7);
    topic(&mut sim, "t", 2, 3);
    let s1 = [
        ("max.poll.interval.ms", "10000"),
        ("group.instance.id", "i1"),
    ];
    let s2 = [
        ("max.poll.interval.ms", "10000"),
        ("group.instance.id", "i2"),
    ];
    consumer(&mut sim, "c1", "g", &["t"], &s1);
    consumer(&mut sim, "c2", "g", &["t"], &s2);
    g_stable(&mut sim);
    let gen = group(&sim, "g").generation;
    sim.apply(Command::PauseConsumer {
        name: "c2".to_string(),
        for_ms: 20_000,
    })
    .unwrap();
    sim.run_for(15_000);
    let g = group(&sim, "g");
    assert_eq!((g.members.len(), g.generation), (2, gen));
}

/// G6 (static membership): a static member restarted within the session timeout gets its
/// partitions back without a rebalance; the old member id is fenced.
#[test]
fn g6_static_member_restart_within_session_causes_no_rebalance() {
    let mut sim = cluster(3, 8);
    topic(&mut sim, "t", 4, 3);
    consumer(&mut sim, "c1", "g", &["t"], &[("group.instance.id", "i1")]);
    consumer(&mut sim, "c2", "g", &["t"], &[("group.instance.id", "i2")]);
    g_stable(&mut sim);
    let before = assignment(&sim, "g");
    let gen = group(&sim, "g").generation;
    let old_id = cons(&sim, "c2").member_id;
    sim.apply(Command::KillConsumer("c2".to_string())).unwrap();
    sim.run_for(5_000);
    consumer(&mut sim, "c2", "g", &["t"], &[("group.instance.id", "i2")]);
    g_stable(&mut sim);
    let g = group(&sim, "g");
    assert_eq!(g.generation, gen, "no rebalance");
    assert_eq!(assignment(&sim, "g"), before);
    assert_ne!(cons(&sim, "c2").member_id, old_id);
    let coord = g.coordinator.unwrap();
    // ClassicGroup.validateMember: the instance id now maps to the new member id, so the old
    // one is fenced.
    assert_eq!(
        sim.handle_heartbeat(coord, "g", &old_id, Some("i2"), gen),
        Some(KafkaError::FencedInstanceId)
    );
    assert_eq!(
        sim.handle_heartbeat(coord, "g", &old_id, None, gen),
        Some(KafkaError::UnknownMemberId)
    );
    let new_id = cons(&sim, "c2").member_id;
    let _ = new_id;
    assert_eq!(
        sim.handle_heartbeat(coord, "g", &cons(&sim, "c1").member_id, Some("i2"), gen),
        Some(KafkaError::FencedInstanceId)
    );
}

/// Stop-the-world time of a member that keeps its partitions across the rebalance.
fn stopped(sim: &Sim, g: &str, client: &str) -> u64 {
    group(sim, g)
        .rebalances
        .iter()
        .flat_map(|r| r.stopped_ms.iter())
        .filter(|(c, _)| c == client)
        .map(|(_, ms)| *ms)
        .sum()
}

/// G7 / A6: eager revokes everything before rejoining (c1 stops); cooperative keeps what
/// stays, revokes only what moves, and needs a second round.
#[test]
fn g7_eager_vs_cooperative_stop_the_world() {
    let run = |strategy: &str| -> (Sim, i32) {
        let mut sim = cluster(3, 9);
        topic(&mut sim, "t", 4, 3);
        let cfg = [("partition.assignment.strategy", strategy)];
        consumer(&mut sim, "c1", "g", &["t"], &cfg);
        g_stable(&mut sim);
        let gen = group(&sim, "g").generation;
        consumer(&mut sim, "c2", "g", &["t"], &cfg);
        g_stable(&mut sim);
        (sim, gen)
    };
    let (eager, g0) = run("range");
    assert_eq!(group(&eager, "g").generation, g0 + 1, "one round");
    assert_eq!(group(&eager, "g").rebalance_protocol, "eager");
    assert!(
        stopped(&eager, "g", "c1") > 0,
        "eager: c1 revoked everything"
    );
    let (coop, g0) = run("cooperative-sticky");
    let g = group(&coop, "g");
    assert_eq!(g.rebalance_protocol, "cooperative");
    assert_eq!(g.generation, g0 + 2, "two rounds (A6)");
    assert_eq!(
        stopped(&coop, "g", "c1"),
        0,
        "cooperative: c1 kept consuming"
    );
    let a = assignment(&coop, "g");
    assert_eq!(a.len(), 2);
    assert!(
        a.iter().all(|(_, tps)| tps.split(',').count() == 2),
        "{a:?}"
    );
    assert!(coop.findings().is_empty(), "{:?}", coop.findings());
}

/// At-least-once: a consumer that crashes after processing but before its next auto-commit
/// leaves records that its successor processes again (duplicates); R6: nothing above the HW.
#[test]
fn at_least_once_crash_redelivers_duplicates() {
    let mut sim = cluster(3, 10);
    topic(&mut sim, "t", 1, 3);
    let cfg = [
        ("auto.offset.reset", "earliest"),
        ("session.timeout.ms", "6000"),
    ];
    consumer(&mut sim, "c1", "g", &["t"], &cfg);
    g_stable(&mut sim);
    produce(&mut sim, "t", 10);
    g_stable(&mut sim);
    assert_eq!(cons(&sim, "c1").consumed, 10);
    produce(&mut sim, "t", 5);
    // Let c1 process the 5 but not auto-commit them (5 s interval), then crash.
    sim.run_for(600);
    assert_eq!(cons(&sim, "c1").consumed, 15);
    sim.apply(Command::KillConsumer("c1".to_string())).unwrap();
    consumer(&mut sim, "c2", "g", &["t"], &cfg);
    sim.run_for(10_000);
    g_stable(&mut sim);
    let c2 = cons(&sim, "c2");
    assert_eq!((c2.consumed, c2.duplicates), (5, 5), "{c2:?}");
    assert_eq!(group(&sim, "g").duplicates, 5);
    assert_eq!(sim.group_skipped("g"), Some(0));
    assert_eq!(sim.checker.count(FindingKind::ReadAboveHw), 0);
}

/// At-most-once: committing before processing loses what a crash interrupts.
#[test]
fn at_most_once_crash_skips_records() {
    let mut sim = cluster(3, 11);
    topic(&mut sim, "t", 1, 3);
    let cfg = [
        ("auto.offset.reset", "earliest"),
        ("enable.auto.commit", "false"),
        ("playground.commit", "sync-before-processing"),
        ("playground.processing.ms", "100"),
        ("session.timeout.ms", "6000"),
    ];
    consumer(&mut sim, "c1", "g", &["t"], &cfg);
    g_stable(&mut sim);
    produce(&mut sim, "t", 10);
    sim.run_for(300);
    sim.apply(Command::KillConsumer("c1".to_string())).unwrap();
    let lost_in_flight = 10 - cons(&sim, "c1").consumed;
    assert!(lost_in_flight > 0);
    consumer(&mut sim, "c2", "g", &["t"], &cfg);
    sim.run_for(10_000);
    g_stable(&mut sim);
    let g = group(&sim, "g");
    assert_eq!(g.duplicates, 0);
    assert_eq!(sim.group_skipped("g"), Some(lost_in_flight));
}

/// Committed offsets never pass the HW; lag is log end minus committed.
#[test]
fn committed_never_above_hw_and_lag() {
    let mut sim = cluster(3, 12);
    topic(&mut sim, "t", 3, 3);
    consumer(
        &mut sim,
        "c1",
        "g",
        &["t"],
        &[("auto.offset.reset", "earliest")],
    );
    g_stable(&mut sim);
    produce(&mut sim, "t", 30);
    for _ in 0..5_000 {
        sim.step();
        for g in sim.view().groups {
            for o in &g.offsets {
                assert!(o.committed <= o.log_end, "{o:?}");
            }
        }
    }
    g_stable(&mut sim);
    let g = group(&sim, "g");
    assert_eq!(g.total_lag, 0);
    assert_eq!(cons(&sim, "c1").consumed, 30);
}

/// Coordinator: `Utils.abs(hashCode) % n`; failover reloads the group from the log.
#[test]
fn coordinator_partition_and_failover() {
    assert_eq!(java_string_hash("g"), 103);
    assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
    assert_eq!(partition_for_group("polygenelubricants", 50), 0);
    assert_eq!(partition_for_group("g", 50), 3);
    let mut sim = cluster(3, 13);
    topic(&mut sim, "t", 2, 3);
    consumer(
        &mut sim,
        "c1",
        "g",
        &["t"],
        &[("auto.offset.reset", "earliest")],
    );
    g_stable(&mut sim);
    produce(&mut sim, "t", 10);
    g_stable(&mut sim);
    let g = group(&sim, "g");
    let coord = g.coordinator.unwrap();
    let gen = g.generation;
    sim.apply(Command::BrokerKill(coord)).unwrap();
    sim.run_for(20_000);
    g_stable(&mut sim);
    let g = group(&sim, "g");
    assert_ne!(g.coordinator, Some(coord));
    assert_eq!(g.generation, gen, "the group moved, it did not rebalance");
    assert_eq!(g.offsets.iter().map(|o| o.committed).sum::<i64>(), 10);
    assert_eq!(cons(&sim, "c1").duplicates, 0);
}

/// Bad input: typed errors naming the field; nothing changes.
#[test]
fn bad_consumer_input_is_refused() {
    let mut sim = cluster(3, 14);
    topic(&mut sim, "t", 2, 3);
    let add = |sim: &mut Sim, topics: &[&str], cfg: &[(&str, &str)]| {
        sim.apply(Command::AddConsumer {
            client_id: "c".to_string(),
            group: "g".to_string(),
            topics: topics.iter().map(|t| t.to_string()).collect(),
            configs: kv(cfg),
        })
    };
    let e = add(
        &mut sim,
        &["t"],
        &[("partition.assignment.strategy", "fair")],
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("partition.assignment.strategy"),
        "{e}"
    );
    let e = add(&mut sim, &["nope"], &[]).unwrap_err();
    assert_eq!(e.kafka_error(), Some(KafkaError::UnknownTopicOrPartition));
    let e = add(&mut sim, &["t"], &[("sesion.timeout.ms", "1")]).unwrap_err();
    assert!(e.to_string().contains("session.timeout.ms"), "{e}");
    // G8 / ConsumerConfig: the consumer protocol takes no client-side assignor, and an unknown
    // server-side assignor is named.
    let e = add(
        &mut sim,
        &["t"],
        &[
            ("group.protocol", "consumer"),
            ("partition.assignment.strategy", "range"),
        ],
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("partition.assignment.strategy cannot be set when group.protocol=CONSUMER"),
        "{e}"
    );
    let e = add(
        &mut sim,
        &["t"],
        &[
            ("group.protocol", "consumer"),
            ("group.remote.assignor", "sticky"),
        ],
    )
    .unwrap_err();
    assert!(e.to_string().contains("group.remote.assignor"), "{e}");
    assert!(e.to_string().contains("UNSUPPORTED_ASSIGNOR"), "{e}");
    let e = add(&mut sim, &["t"], &[("group.remote.assignor", "uniform")]).unwrap_err();
    assert!(
        e.to_string()
            .contains("group.remote.assignor cannot be set when group.protocol=CLASSIC"),
        "{e}"
    );
    assert!(sim.view().consumers.is_empty());
    add(
        &mut sim,
        &["t"],
        &[(
            "partition.assignment.strategy",
            "org.apache.kafka.clients.consumer.RoundRobinAssignor",
        )],
    )
    .unwrap();
    g_stable(&mut sim);
    let e = sim
        .apply(Command::ResetOffsets {
            group: "g".to_string(),
            topic: "t".to_string(),
            to: ResetTo::Earliest,
        })
        .unwrap_err();
    assert!(e
        .to_string()
        .contains("Assignments can only be reset if the group 'g' is inactive, but the current state is Stable."));
}

/// Seed sweep: random consumer kills and adds; one owner per partition per generation, and
/// committed ≤ HW, at every step.
#[test]
fn sweep_groups_with_random_kills_and_adds() {
    for seed in 0..12u64 {
        let mut sim = cluster(3, seed);
        topic(&mut sim, "t", 6, 3);
        let strategy = ["range", "roundrobin", "cooperative-sticky", "sticky"][seed as usize % 4];
        let cfg = [
            ("partition.assignment.strategy", strategy),
            ("session.timeout.ms", "6000"),
            ("auto.offset.reset", "earliest"),
        ];
        let mut rng = crate::rng::SimRng::new(seed ^ 0xabc);
        let mut live: Vec<String> = Vec::new();
        let mut next = 0;
        for round in 0..10 {
            match rng.below(3) {
                0 if live.len() > 1 => {
                    let i = rng.below(live.len() as u32) as usize;
                    let name = live.remove(i);
                    sim.apply(Command::KillConsumer(name)).unwrap();
                }
                _ if live.len() < 5 => {
                    next += 1;
                    let name = alloc::format!("c{next}");
                    consumer(&mut sim, &name, "g", &["t"], &cfg);
                    live.push(name);
                }
                _ => {}
            }
            produce(&mut sim, "t", 5);
            for _ in 0..2_000 {
                if !sim.step() {
                    break;
                }
                for g in sim.view().groups {
                    for o in &g.offsets {
                        assert!(o.committed <= o.log_end, "seed {seed}: {o:?}");
                    }
                }
            }
            let _ = round;
        }
        sim.run_for(10_000);
        sim.settle(120_000)
            .unwrap_or_else(|e| panic!("seed {seed} ({strategy}): {e}"));
        assert_eq!(
            sim.checker.count(FindingKind::TwoOwners),
            0,
            "seed {seed}: {:?}",
            sim.findings()
        );
        assert_eq!(sim.checker.count(FindingKind::ReadAboveHw), 0);
        let g = group(&sim, "g");
        assert_eq!(g.members.len(), live.len(), "seed {seed}");
        assert_eq!(
            sim.group_skipped("g"),
            Some(0),
            "seed {seed}: at-least-once never skips"
        );
    }
}

/// A5 through the engine, for the eager `StickyAssignor`: an eager member has revoked
/// everything before it rejoins, so it reports no owned partitions, but the assignor's user
/// data carries its last assignment and generation (`StickyAssignor.subscriptionUserData`).
/// When a member leaves, the others keep every partition they had and share the leaver's;
/// range, which has no memory, is the control: it moves partitions that did not need to move.
#[test]
fn a5_eager_sticky_keeps_ownership_through_its_user_data() {
    let moved_kept = |strategy: &str| {
        let mut sim = cluster(3, 11);
        topic(&mut sim, "t", 6, 3);
        for c in ["c1", "c2", "c3"] {
            consumer(
                &mut sim,
                c,
                "g",
                &["t"],
                &[("partition.assignment.strategy", strategy)],
            );
        }
        sim.settle(120_000).unwrap();
        let before: Vec<Vec<TopicPartition>> = ["c1", "c2"]
            .iter()
            .map(|c| cons(&sim, c).assigned)
            .collect();
        assert!(
            before.iter().all(|a| a.len() == 2),
            "{strategy}: {before:?}"
        );
        sim.apply(Command::RemoveConsumer("c3".to_string()))
            .unwrap();
        // The close sends LeaveGroup; the rebalance it starts then has to finish.
        sim.run_for(1_000);
        sim.settle(120_000).unwrap();
        let g = group(&sim, "g");
        assert_eq!(g.members.len(), 2, "{strategy}: {g:?}");
        let after: Vec<Vec<TopicPartition>> = ["c1", "c2"]
            .iter()
            .map(|c| cons(&sim, c).assigned)
            .collect();
        assert!(
            after.iter().all(|a| a.len() == 3),
            "{strategy}: balanced {after:?}"
        );
        before
            .iter()
            .zip(&after)
            .all(|(b, a)| b.iter().all(|tp| a.contains(tp)))
    };
    assert!(
        moved_kept("sticky"),
        "sticky kept every partition a survivor had"
    );
    assert!(
        !moved_kept("range"),
        "range (no memory) moves some; the check can fail"
    );
}

/// Steps until `group`'s coordinator is known (`__consumer_offsets` is created by the first
/// FindCoordinator), then cuts it off from every other broker: it still reaches the controller
/// and the clients, but its followers never get what it writes. Returns the coordinator.
pub(super) fn cut_off_coordinator(sim: &mut Sim, group: &str) -> BrokerId {
    let coord = loop {
        assert!(sim.step(), "no __consumer_offsets");
        let Some(tp) = sim.offsets_tp(group) else {
            continue;
        };
        let view = sim.view();
        let offsets = view
            .topics
            .iter()
            .find(|t| t.name == OFFSETS_TOPIC)
            .unwrap();
        if let Some(l) = offsets.partitions[tp.partition as usize].leader {
            break l;
        }
    };
    let others: Vec<BrokerId> = sim
        .view()
        .brokers
        .iter()
        .map(|b| b.id)
        .filter(|b| *b != coord)
        .collect();
    for other in others {
        sim.apply(Command::NetCut(
            NodeRef::Broker(coord),
            NodeRef::Broker(other),
        ))
        .unwrap();
    }
    coord
}

/// G3, the group's record: the leader's SyncGroup is answered only once the assignment is
/// replicated (`classicGroupSyncGroup` answers from the write's append future); until then the
/// group stays CompletingRebalance and no member has partitions. A write the followers cannot
/// get fails after `offsets.commit.timeout.ms` (5,000 ms) with COORDINATOR_NOT_AVAILABLE
/// (`appendGroupMetadataErrorToResponseError`) and the group rebalances. Without this, a
/// coordinator lost before replication let its successor hand the same generation out again
/// (sweep seed 635: two owners of one partition in generation 1).
#[test]
fn g3_sync_group_is_answered_once_the_assignment_is_replicated() {
    let mut sim = cluster(3, 7);
    topic(&mut sim, "t", 2, 3);
    consumer(&mut sim, "c1", "g", &["t"], &[]);
    cut_off_coordinator(&mut sim, "g");
    let mut synced_at = None;
    let mut failed_at = None;
    let mut timed_out = false;
    while failed_at.is_none() && sim.now().0 < 60_000 {
        let Some(e) = sim.step_event() else { break };
        if e.summary.contains("(leader's assignment)") && synced_at.is_none() {
            synced_at = Some(e.time_ms);
        }
        if e.summary == "SyncGroup response COORDINATOR_NOT_AVAILABLE" {
            failed_at = Some(e.time_ms);
        }
        assert!(
            !e.summary.starts_with("SyncGroup response assignment="),
            "answered before replication: {e:?}"
        );
        timed_out |= e.api == "offsets write timeout";
        if synced_at.is_some() && !timed_out {
            assert_eq!(group(&sim, "g").state, "CompletingRebalance");
            assert!(cons(&sim, "c1").assigned.is_empty());
        }
    }
    let (synced, failed) = (synced_at.unwrap(), failed_at.unwrap());
    assert!(
        (5_000..5_100).contains(&(failed - synced)),
        "the write timed out {} ms after the SyncGroup",
        failed - synced
    );
    // Healed, the followers fetch the record, the HW passes it, and the next round completes.
    sim.apply(Command::NetHeal(None)).unwrap();
    g_stable(&mut sim);
    let g = group(&sim, "g");
    assert_eq!(g.state, "Stable");
    assert!(
        g.generation >= 2,
        "the failed write's generation 1 was not reused: {g:?}"
    );
    assert_eq!(cons(&sim, "c1").assigned.len(), 2);
}

/// A coordinator that resigns while running (a controlled shutdown moves the leadership of its
/// `__consumer_offsets` partition away first) answers the members waiting in JoinGroup with
/// NOT_COORDINATOR at once, instead of leaving them to their request timeout: Kafka's
/// `CoordinatorRuntime.unload` fails its pending writes with NOT_COORDINATOR and
/// `GroupMetadataManager.onUnloaded` completes every awaiting join and sync future. The members
/// then find the new coordinator, which loads the group from its copy of the log.
#[test]
fn resigning_coordinator_answers_waiting_members_not_coordinator() {
    let mut sim = cluster(3, 21);
    topic(&mut sim, "t", 2, 3);
    consumer(&mut sim, "c1", "g", &["t"], &[]);
    g_stable(&mut sim);
    let coord = group(&sim, "g").coordinator.unwrap();
    // A second member: its JoinGroup waits at the coordinator until c1 rejoins (c1 hears of the
    // rebalance with its next heartbeat, up to heartbeat.interval.ms later).
    consumer(&mut sim, "c2", "g", &["t"], &[]);
    let waiting = loop {
        assert!(sim.step(), "the run ended before c2 joined");
        let g = group(&sim, "g");
        if let Some(m) = g.members.iter().find(|m| m.state == "awaiting-join") {
            break m.client_id.clone();
        }
    };
    let stopped_at = sim.now().0;
    sim.apply(Command::BrokerStop(coord)).unwrap();
    let mut answered_at = None;
    while answered_at.is_none() && sim.now().0 < stopped_at + 60_000 {
        let Some(e) = sim.step_event() else { break };
        if e.summary.starts_with("JoinGroup response NOT_COORDINATOR") {
            answered_at = Some(e.time_ms);
        }
    }
    let answered_at = answered_at.expect("the member waiting in JoinGroup was never answered");
    // request.timeout.ms is 30 s (and a JoinGroup's own timeout is longer): the answer came from
    // the resignation, not from a timeout.
    assert!(
        answered_at - stopped_at < 1_000,
        "{waiting} was answered {} ms after the stop",
        answered_at - stopped_at
    );
    g_stable(&mut sim);
    let g = group(&sim, "g");
    assert_ne!(g.coordinator, Some(coord), "the group moved");
    assert_eq!(g.members.len(), 2);
    assert!(assignment(&sim, "g").iter().all(|(_, tps)| !tps.is_empty()));
}

/// The same, when a member reaches the new coordinator (which loads the group) before the old
/// one hears that it lost the partition: the old coordinator still answers the member waiting
/// there NOT_COORDINATOR when it hears, as Kafka's would (each broker has its own copy of the
/// group). Before, the reload dropped that member's JoinGroup and it waited for its timeout.
#[test]
fn old_coordinator_answers_its_waiting_member_after_the_new_one_loaded_the_group() {
    let mut sim = cluster(3, 21);
    topic(&mut sim, "t", 2, 3);
    consumer(&mut sim, "c1", "g", &["t"], &[]);
    g_stable(&mut sim);
    let coord = group(&sim, "g").coordinator.unwrap();
    consumer(&mut sim, "c2", "g", &["t"], &[]);
    while !group(&sim, "g")
        .members
        .iter()
        .any(|m| m.state == "awaiting-join")
    {
        assert!(sim.step(), "the run ended before c2 joined");
    }
    // The old coordinator hears everything late, so the others learn of the new leader first.
    sim.apply(Command::NetSlow {
        node: NodeRef::Broker(coord),
        by_ms: 400,
    })
    .unwrap();
    let stopped_at = sim.now().0;
    sim.apply(Command::BrokerStop(coord)).unwrap();
    sim.run_for(500);
    // A new member finds the new coordinator, which loads the group from its log.
    consumer(&mut sim, "c3", "g", &["t"], &[]);
    let mut owed_seen = false;
    let mut answered_at = None;
    while answered_at.is_none() && sim.now().0 < stopped_at + 60_000 {
        let Some(e) = sim.step_event() else { break };
        owed_seen |= !sim.owed.is_empty();
        if e.to == "c2" && e.summary.starts_with("JoinGroup response NOT_COORDINATOR") {
            answered_at = Some(e.time_ms);
        }
    }
    let answered_at = answered_at.expect("c2's JoinGroup was never answered");
    assert!(
        answered_at - stopped_at < 3_000,
        "c2 was answered {} ms after the stop",
        answered_at - stopped_at
    );
    assert!(
        owed_seen,
        "the new coordinator never loaded the group before the old one heard"
    );
    g_stable(&mut sim);
    let g = group(&sim, "g");
    assert_ne!(g.coordinator, Some(coord));
    assert_eq!(g.members.len(), 3);
}

/// Kafka's `DelayedFetch.tryComplete`, case A: a fetch parked at a leader (waiting up to
/// `fetch.max.wait.ms` for data) is answered as soon as that broker stops leading one of its
/// partitions, NOT_LEADER_OR_FOLLOWER for it, so the consumer turns to the new leader at once
/// rather than when the wait runs out.
#[test]
fn a_fetch_parked_at_a_leader_that_resigns_is_answered_at_once() {
    let mut sim = cluster(3, 31);
    topic(&mut sim, "t", 1, 3);
    consumer(&mut sim, "c1", "g", &["t"], &[]);
    g_stable(&mut sim);
    sim.run_for(2_000);
    let tp = TopicPartition::new("t", 0);
    let leader = sim
        .controller
        .partition(&tp)
        .and_then(|p| p.leader)
        .unwrap();
    let li = sim.broker_index(leader).unwrap();
    // Stop the leader while c1's fetch is parked there.
    while sim.brokers[li].consumer_parked.is_empty() {
        assert!(sim.step(), "the run ended");
    }
    sim.apply(Command::BrokerStop(leader)).unwrap();
    let old = alloc::format!("broker {leader}");
    let mut demoted_at = None;
    let mut answered_at = None;
    while answered_at.is_none() && sim.now().0 < 10_000_000 {
        let Some(e) = sim.step_event() else { break };
        if demoted_at.is_none() && e.to == old && !sim.brokers[li].is_leader_of(&tp) {
            demoted_at = Some(e.time_ms);
        }
        if e.from == old && e.to == "c1" && e.summary.starts_with("Fetch response") {
            assert!(
                e.summary.contains("NOT_LEADER_OR_FOLLOWER"),
                "{}",
                e.summary
            );
            answered_at = Some(e.time_ms);
        }
    }
    let (demoted_at, answered_at) = (demoted_at.unwrap(), answered_at.unwrap());
    // One network hop (latency 2 ms and its jitter), not the rest of a 500 ms wait.
    assert!(
        answered_at - demoted_at <= 5,
        "answered {} ms after the demotion",
        answered_at - demoted_at
    );
}
