//! The KIP-848 consumer protocol end to end (G8, A13): consumers with
//! `group.protocol=consumer` against the coordinator, compared with the classic protocol.

use crate::collections::VecMap;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::view::GroupView;

fn cluster() -> Sim {
    let mut sim = Sim::new(
        SimSpec {
            brokers: 3,
            ..SimSpec::default()
        },
        7,
    )
    .unwrap();
    sim.apply(Command::CreateTopic {
        name: "t".to_string(),
        partitions: Some(4),
        replication_factor: Some(3),
        assignment: None,
        configs: Vec::new(),
    })
    .unwrap();
    sim
}

fn add(sim: &mut Sim, name: &str, configs: &[(&str, &str)]) {
    sim.apply(Command::AddConsumer {
        client_id: name.to_string(),
        group: "g".to_string(),
        topics: vec!["t".to_string()],
        configs: configs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    })
    .unwrap();
}

const KIP848: &[(&str, &str)] = &[("group.protocol", "consumer")];

fn group(sim: &Sim) -> GroupView {
    sim.view()
        .groups
        .into_iter()
        .find(|g| g.group_id == "g")
        .unwrap()
}

/// Steps until `until`, checking after every step that no partition is owned by two live
/// consumers (client side) nor by two members (coordinator side, in `check_invariants`), and
/// collecting the APIs that went over the wire.
fn run_checked(sim: &mut Sim, until: u64, apis: &mut Vec<&'static str>) {
    while sim.next_event_time().is_some_and(|t| t.0 <= until) {
        for m in sim.view().in_flight {
            if !apis.contains(&m.api) {
                apis.push(m.api);
            }
        }
        if !sim.step() {
            break;
        }
        sim.check_invariants().unwrap();
        let mut owner: VecMap<TopicPartition, String> = VecMap::new();
        for c in sim.consumers.iter().filter(|c| c.is_alive()) {
            for tp in &c.owned {
                if let Some(o) = owner.insert(tp.clone(), c.client_id.clone()) {
                    panic!("t={} {tp} owned by {o} and {}", sim.now().0, c.client_id);
                }
            }
        }
    }
    sim.advance_clock_to(Millis(until));
}

// G8: the consumer protocol joins with ConsumerGroupHeartbeat only (no JoinGroup, SyncGroup or
// Heartbeat), the group reaches Stable with a group epoch and a target assignment epoch, and
// each member has an epoch.
#[test]
fn g8_consumer_protocol_joins_with_heartbeats_only() {
    let mut sim = cluster();
    add(&mut sim, "c1", KIP848);
    add(&mut sim, "c2", KIP848);
    let mut apis = Vec::new();
    run_checked(&mut sim, 20_000, &mut apis);
    sim.settle(60_000).unwrap();
    assert!(apis.contains(&"ConsumerGroupHeartbeat"), "{apis:?}");
    for classic in ["JoinGroup", "SyncGroup", "Heartbeat"] {
        assert!(!apis.contains(&classic), "{classic} sent: {apis:?}");
    }
    let g = group(&sim);
    assert_eq!((g.group_type, g.state), ("consumer", "Stable"));
    assert_eq!(g.protocol.as_deref(), Some("uniform"));
    assert_eq!(g.group_epoch, g.assignment_epoch);
    assert!(g.group_epoch.unwrap() >= 2);
    let sizes: Vec<usize> = g.members.iter().map(|m| m.assigned.len()).collect();
    assert_eq!(sizes, vec![2, 2]);
    for m in &g.members {
        assert_eq!(m.member_epoch, g.group_epoch);
        assert_eq!(m.state, "STABLE");
    }
}

// A13 end to end: a third member joins a Stable group of two. The partitions that move are
// revoked first and only then assigned, no partition has two owners at any step, and the
// members that keep partitions never stop consuming (no stop-the-world).
#[test]
fn a13_join_reconciles_incrementally_without_stopping_the_world() {
    let mut sim = cluster();
    add(&mut sim, "c1", KIP848);
    add(&mut sim, "c2", KIP848);
    sim.settle(60_000).unwrap();
    let before = group(&sim).group_epoch.unwrap();
    add(&mut sim, "c3", KIP848);
    let mut apis = Vec::new();
    let until = sim.now().0 + 30_000;
    run_checked(&mut sim, until, &mut apis);
    sim.settle(60_000).unwrap();
    let g = group(&sim);
    assert_eq!(g.state, "Stable");
    assert_eq!(g.group_epoch, Some(before + 1));
    let mut sizes: Vec<usize> = g.members.iter().map(|m| m.assigned.len()).collect();
    sizes.sort();
    assert_eq!(sizes, vec![1, 1, 2]);
    let r = g.rebalances.last().unwrap();
    assert!(r.completed_ms.is_some());
    assert_eq!(r.generation, before + 1);
    assert_eq!(r.partitions_moved, 1);
    // c1 and c2 kept partitions throughout: no idle time recorded for them.
    assert!(
        r.stopped_ms.iter().all(|(c, _)| c == "c3"),
        "{:?}",
        r.stopped_ms
    );
    assert!(sim.findings().is_empty(), "{:?}", sim.findings());
}

// G8: a member that closes leaves with epoch -1; the group epoch moves and the remaining member
// gets every partition.
#[test]
fn g8_close_leaves_with_epoch_minus_one() {
    let mut sim = cluster();
    add(&mut sim, "c1", KIP848);
    add(&mut sim, "c2", KIP848);
    sim.settle(60_000).unwrap();
    let before = group(&sim).group_epoch.unwrap();
    sim.apply(Command::RemoveConsumer("c2".to_string()))
        .unwrap();
    let mut apis = Vec::new();
    let until = sim.now().0 + 2_000;
    run_checked(&mut sim, until, &mut apis);
    let g = group(&sim);
    assert_eq!(g.members.len(), 1);
    assert!(g.group_epoch.unwrap() > before);
    sim.settle(60_000).unwrap();
    let g = group(&sim);
    assert_eq!(g.members[0].assigned.len(), 4);
    assert_eq!(g.state, "Stable");
}

// G8: a crashed member is removed after group.consumer.session.timeout.ms (45 s), not before.
#[test]
fn g8_session_timeout_removes_a_crashed_member_after_45s() {
    let mut sim = cluster();
    add(&mut sim, "c1", KIP848);
    add(&mut sim, "c2", KIP848);
    sim.settle(60_000).unwrap();
    sim.apply(Command::KillConsumer("c2".to_string())).unwrap();
    let t0 = sim.now().0;
    sim.run_until(Millis(t0 + 30_000));
    assert_eq!(group(&sim).members.len(), 2);
    sim.run_until(Millis(t0 + 50_000));
    assert_eq!(group(&sim).members.len(), 1);
    sim.settle(60_000).unwrap();
    assert_eq!(group(&sim).members[0].assigned.len(), 4);
}

// G8: commits carry the member epoch as their generation and succeed; the committed offsets are
// the group's.
#[test]
fn g8_offset_commit_with_member_epoch() {
    let mut sim = cluster();
    add(
        &mut sim,
        "c1",
        &[
            ("group.protocol", "consumer"),
            ("auto.offset.reset", "earliest"),
        ],
    );
    sim.apply(Command::AddProducer {
        client_id: "p".to_string(),
        configs: Vec::new(),
    })
    .unwrap();
    sim.apply(Command::Produce {
        producer: "p".to_string(),
        topic: "t".to_string(),
        key: None,
        value: Some("v".to_string()),
        partition: Some(0),
        count: 5,
    })
    .unwrap();
    sim.settle(60_000).unwrap();
    let c = sim.view().consumers[0].clone();
    assert_eq!(c.consumed, 5);
    assert!(c.commits_ok > 0);
    assert_eq!(c.commits_failed, 0);
    let g = group(&sim);
    let o = g.offsets.iter().find(|o| o.tp.partition == 0).unwrap();
    assert_eq!(o.committed, 5);
}

// The same membership change (a third member joins two) under the classic eager protocol
// stops every member; under the consumer protocol no member that keeps partitions stops.
#[test]
fn a13_consumer_protocol_stops_less_than_classic_eager() {
    let idle = |configs: &[(&str, &str)]| {
        let mut sim = cluster();
        add(&mut sim, "c1", configs);
        add(&mut sim, "c2", configs);
        sim.settle(60_000).unwrap();
        add(&mut sim, "c3", configs);
        sim.settle(60_000).unwrap();
        let r = group(&sim).rebalances.last().cloned().unwrap();
        r.stopped_ms
            .iter()
            .filter(|(c, _)| c != "c3")
            .map(|(_, ms)| *ms)
            .sum::<u64>()
    };
    let eager = idle(&[("partition.assignment.strategy", "range")]);
    let kip848 = idle(KIP848);
    assert!(eager > 0, "eager revokes everything before JoinGroup (G7)");
    assert_eq!(kip848, 0);
}

// Mixing protocols in one group is refused and changes nothing.
#[test]
fn mixing_protocols_in_one_group_is_not_supported_yet() {
    let mut sim = cluster();
    add(&mut sim, "c1", KIP848);
    let before = sim.clone();
    let e = sim
        .apply(Command::AddConsumer {
            client_id: "c2".to_string(),
            group: "g".to_string(),
            topics: vec!["t".to_string()],
            configs: Vec::new(),
        })
        .unwrap_err();
    assert!(e.to_string().starts_with("not supported yet"), "{e}");
    assert!(sim == before);
}

fn consumer(sim: &Sim, name: &str) -> crate::view::ConsumerView {
    sim.view()
        .consumers
        .into_iter()
        .find(|c| c.client_id == name)
        .unwrap()
}

/// G8 with the group's records: a ConsumerGroupHeartbeat answer that hands out an assignment is
/// sent only once the records written to the group's `__consumer_offsets` partition are
/// replicated (the coordinator runtime completes a write's response when the partition's last
/// written offset is committed). A write the followers cannot get fails the answer after
/// `offsets.commit.timeout.ms` with COORDINATOR_NOT_AVAILABLE; the member finds the
/// coordinator again and is assigned once the records are replicated.
#[test]
fn g8_heartbeat_assignment_is_answered_once_replicated() {
    let mut sim = cluster();
    add(&mut sim, "c1", KIP848);
    super::group_tests::cut_off_coordinator(&mut sim, "g");
    let mut failed_at = None;
    while failed_at.is_none() && sim.now().0 < 60_000 {
        let Some(e) = sim.step_event() else { break };
        if e.summary
            .contains("ConsumerGroupHeartbeat response COORDINATOR_NOT_AVAILABLE")
        {
            failed_at = Some(e.time_ms);
        }
        let c1 = consumer(&sim, "c1");
        assert!(c1.assigned.is_empty(), "assigned before replication: {e:?}");
    }
    let failed = failed_at.expect("the heartbeat's write timed out");
    assert!(failed >= 5_000, "failed at {failed} ms");
    sim.apply(Command::NetHeal(None)).unwrap();
    sim.settle(120_000).unwrap();
    assert_eq!(consumer(&sim, "c1").assigned.len(), 4);
    assert_eq!(group(&sim).state, "Stable");
}
