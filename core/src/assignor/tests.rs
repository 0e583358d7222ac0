//! Unit tests of the assignors against Kafka's own test examples (fact ids in test names).

use alloc::string::String;
use alloc::vec::Vec;

use super::*;

fn tp(s: &str) -> TopicPartition {
    TopicPartition::parse(s).unwrap()
}

fn group(topics: &[(&str, u32)], members: Vec<MemberSubscription>) -> GroupSubscription {
    GroupSubscription {
        topics: topics
            .iter()
            .map(|(t, n)| (String::from(*t), TopicMeta::new(*n)))
            .collect(),
        members,
    }
}

fn names(v: &[TopicPartition]) -> Vec<String> {
    v.iter().map(|t| alloc::format!("{t}")).collect()
}

#[test]
fn a8_parse_accepts_kafka_names_and_class_names() {
    assert_eq!(AssignorName::parse("range"), Some(AssignorName::Range));
    assert_eq!(
        AssignorName::parse("org.apache.kafka.clients.consumer.CooperativeStickyAssignor"),
        Some(AssignorName::CooperativeSticky)
    );
    assert_eq!(
        AssignorName::parse("uniform"),
        Some(AssignorName::ServerUniform)
    );
    assert_eq!(AssignorName::parse("nope"), None);
    for n in [
        AssignorName::Range,
        AssignorName::RoundRobin,
        AssignorName::Sticky,
        AssignorName::CooperativeSticky,
        AssignorName::ServerUniform,
        AssignorName::ServerRange,
    ] {
        assert_eq!(AssignorName::parse(n.as_str()), Some(n));
    }
}

#[test]
fn a1_static_members_sort_first() {
    let mut a = MemberSubscription::new("a", &[]);
    let mut z = MemberSubscription::new("z", &[]);
    z.group_instance_id = Some(String::from("i2"));
    a.group_instance_id = None;
    let b = MemberSubscription::new("b", &[]);
    let mut y = MemberSubscription::new("y", &[]);
    y.group_instance_id = Some(String::from("i1"));
    assert_eq!(sort_members(&[a, z, b, y]), [3, 1, 0, 2]);
}

#[test]
fn a2_range_gives_first_members_the_extra_partition() {
    let g = group(
        &[("t1", 3), ("t2", 3)],
        alloc::vec![
            MemberSubscription::new("c2", &["t1", "t2"]),
            MemberSubscription::new("c1", &["t1", "t2"]),
        ],
    );
    let a = assign(AssignorName::Range, &g).unwrap();
    assert_eq!(names(&a["c1"]), ["t1-0", "t1-1", "t2-0", "t2-1"]);
    assert_eq!(names(&a["c2"]), ["t1-2", "t2-2"]);
}

#[test]
fn a4_roundrobin_skips_unsubscribed_member() {
    // RoundRobinAssignorTest.testMultipleConsumersMixedTopics.
    let g = group(
        &[("topic1", 3), ("topic2", 2)],
        alloc::vec![
            MemberSubscription::new("consumer1", &["topic1"]),
            MemberSubscription::new("consumer2", &["topic1", "topic2"]),
            MemberSubscription::new("consumer3", &["topic1"]),
        ],
    );
    let a = assign(AssignorName::RoundRobin, &g).unwrap();
    assert_eq!(names(&a["consumer1"]), ["topic1-0"]);
    assert_eq!(names(&a["consumer2"]), ["topic1-1", "topic2-0", "topic2-1"]);
    assert_eq!(names(&a["consumer3"]), ["topic1-2"]);
}

#[test]
fn a5_same_generation_double_claim_goes_to_neither() {
    let mut c1 = MemberSubscription::new("c1", &["t"]);
    c1.owned = alloc::vec![tp("t-0"), tp("t-1")];
    c1.generation = Some(3);
    let mut c2 = MemberSubscription::new("c2", &["t"]);
    c2.owned = alloc::vec![tp("t-0"), tp("t-2")];
    c2.generation = Some(3);
    let g = group(&[("t", 4)], alloc::vec![c1, c2]);
    let a = assign(AssignorName::CooperativeSticky, &g).unwrap();
    // t-0 is withheld from whoever gets it (A6: it changes owner as far as Kafka knows).
    assert!(!a.values().any(|v| v.contains(&tp("t-0"))));
    assert!(a["c1"].contains(&tp("t-1")));
    assert!(a["c2"].contains(&tp("t-2")));
}

#[test]
fn a9_server_range_rejects_unknown_topic_a12_empty_subscriptions() {
    let g = group(&[], alloc::vec![MemberSubscription::new("A", &["missing"])]);
    assert_eq!(
        assign(AssignorName::ServerRange, &g),
        Err(AssignError::UnknownTopic(String::from("missing")))
    );
    assert!(assign(AssignorName::Range, &g).unwrap()["A"].is_empty());
    let g = group(&[("t", 3)], alloc::vec![MemberSubscription::new("A", &[])]);
    assert!(assign(AssignorName::ServerUniform, &g).unwrap().is_empty());
    let r = assign(AssignorName::ServerRange, &g).unwrap();
    assert_eq!(r.len(), 1);
    assert!(r["A"].is_empty());
}

#[test]
fn a10_uniform_homogeneous_keeps_owned_up_to_quota() {
    let mut a = MemberSubscription::new("A", &["t"]);
    a.owned = (0..6).map(|p| TopicPartition::new("t", p)).collect();
    let b = MemberSubscription::new("B", &["t"]);
    let g = group(&[("t", 6)], alloc::vec![a, b]);
    let r = assign(AssignorName::ServerUniform, &g).unwrap();
    assert_eq!(r["A"].len(), 3);
    assert_eq!(r["B"].len(), 3);
    assert!(r["A"].iter().all(|p| p.partition < 6));
}

#[test]
fn a7_moderate_scale_sticky_is_balanced_and_sticky() {
    // 100 members × 50 topics × 100 partitions: a first assignment, then a sticky one where
    // every member reports what it owns (the shape of Kafka's scale test).
    let topics: Vec<(String, u32)> = (0..50).map(|t| (alloc::format!("topic{t}"), 100)).collect();
    let topic_refs: Vec<&str> = topics.iter().map(|(t, _)| t.as_str()).collect();
    let mut g = GroupSubscription {
        topics: topics
            .iter()
            .map(|(t, n)| (t.clone(), TopicMeta::new(*n)))
            .collect(),
        members: (0..100)
            .map(|m| MemberSubscription::new(alloc::format!("consumer{m:03}"), &topic_refs))
            .collect(),
    };
    for name in [AssignorName::Sticky, AssignorName::CooperativeSticky] {
        let first = assign(name, &g).unwrap();
        assert!(first.values().all(|v| v.len() == 50));
        for m in &mut g.members {
            m.owned = first[&m.member_id].clone();
            m.generation = Some(1);
        }
        let second = assign(name, &g).unwrap();
        assert_eq!(first, second);
        for m in &mut g.members {
            m.owned.clear();
            m.generation = None;
        }
    }
    for name in [
        AssignorName::Range,
        AssignorName::RoundRobin,
        AssignorName::ServerUniform,
    ] {
        let a = assign(name, &g).unwrap();
        let total: usize = a.values().map(Vec::len).sum();
        assert_eq!(total, 5000);
    }
}
