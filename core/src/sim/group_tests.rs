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
