//! Property tests of the assignors over random groups (`kafka-semantics.md` A2–A10): validity
//! and balance as Kafka's own tests define them (A7), stickiness (A5), cooperative withholding
//! and convergence (A6), and the range / round-robin layouts (A2, A4). Test names carry the fact
//! id they check. Case counts are kept small so the whole file runs in seconds.

use std::collections::{BTreeMap, BTreeSet};

use logscope_core::assignor::{
    assign, Assignment, AssignorName, GroupSubscription, MemberSubscription, TopicMeta,
};
use logscope_core::collections::VecMap;
use logscope_core::TopicPartition;
use proptest::prelude::*;

const STICKY: [AssignorName; 2] = [AssignorName::Sticky, AssignorName::CooperativeSticky];

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 48,
        ..ProptestConfig::default()
    }
}

/// A group where every member subscribes to every topic.
fn uniform_group(members: usize, partitions: &[u32]) -> GroupSubscription {
    let topics: VecMap<String, TopicMeta> = partitions
        .iter()
        .enumerate()
        .map(|(t, &n)| (format!("t{t}"), TopicMeta::new(n)))
        .collect();
    let names: Vec<&str> = topics.keys().map(String::as_str).collect();
    GroupSubscription {
        members: (0..members)
            .map(|m| MemberSubscription::new(format!("m{m:02}"), &names))
            .collect(),
        topics,
    }
}

/// A group where member `m` subscribes to the topics whose bit is set in `masks[m]` (at least
/// one topic each).
fn mixed_group(masks: &[u8], partitions: &[u32]) -> GroupSubscription {
    let mut g = uniform_group(masks.len(), partitions);
    let all: Vec<String> = g.topics.keys().cloned().collect();
    for (m, mask) in masks.iter().enumerate() {
        let mut topics: Vec<String> = all
            .iter()
            .enumerate()
            .filter(|(t, _)| mask & (1 << t) != 0)
            .map(|(_, n)| n.clone())
            .collect();
        if topics.is_empty() {
            topics.push(all[m % all.len()].clone());
        }
        g.members[m].topics = topics;
    }
    g
}

fn subscribed(g: &GroupSubscription, member: &str) -> BTreeSet<String> {
    g.members
        .iter()
        .find(|m| m.member_id == member)
        .map(|m| m.topics.iter().cloned().collect())
        .unwrap_or_default()
}

/// A7 validity: only subscribed topics, no partition twice, every member present.
fn check_valid(g: &GroupSubscription, a: &Assignment) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for (m, parts) in a {
        let subs = subscribed(g, m);
        for tp in parts {
            if !subs.contains(tp.topic()) {
                return Err(format!("{m} got {tp} but does not subscribe to it"));
            }
            if tp.partition >= g.topics[tp.topic()].partitions {
                return Err(format!("{tp} does not exist"));
            }
            if !seen.insert(tp.clone()) {
                return Err(format!("{tp} assigned twice"));
            }
        }
    }
    for m in &g.members {
        if !a.contains_key(&m.member_id) {
            return Err(format!("{} missing from the result", m.member_id));
        }
    }
    Ok(())
}

/// Every partition of a topic somebody subscribes to is assigned.
fn check_complete(g: &GroupSubscription, a: &Assignment) -> Result<(), String> {
    let assigned: usize = a.values().map(Vec::len).sum();
    let wanted: BTreeSet<&String> = g.members.iter().flat_map(|m| m.topics.iter()).collect();
    let total: u32 = wanted.iter().map(|t| g.topics[*t].partitions).sum();
    if assigned != total as usize {
        return Err(format!("{assigned} of {total} partitions assigned"));
    }
    Ok(())
}

/// A7 `isFullyBalanced`: max - min <= 1.
fn check_fully_balanced(a: &Assignment) -> Result<(), String> {
    let sizes: Vec<usize> = a.values().map(Vec::len).collect();
    let (min, max) = (sizes.iter().min(), sizes.iter().max());
    match (min, max) {
        (Some(min), Some(max)) if max - min > 1 => Err(format!("sizes {sizes:?}")),
        _ => Ok(()),
    }
}

/// A7 for mixed subscriptions: no partition could move to a subscriber with two or more fewer.
fn check_no_improving_move(g: &GroupSubscription, a: &Assignment) -> Result<(), String> {
    for (owner, parts) in a {
        for tp in parts {
            for m in &g.members {
                if m.topics.iter().any(|t| t == tp.topic())
                    && a[&m.member_id].len() + 1 < parts.len()
                {
                    return Err(format!(
                        "{tp} could move from {owner} ({}) to {} ({})",
                        parts.len(),
                        m.member_id,
                        a[&m.member_id].len()
                    ));
                }
            }
        }
    }
    Ok(())
}

/// A7 as Kafka's `AbstractStickyAssignorTest.verifyValidityAndBalance` checks balance: two
/// members whose sizes differ by two or more share no topic among their assigned partitions.
fn check_kafka_balance(a: &Assignment) -> Result<(), String> {
    let topics = |parts: &[TopicPartition]| -> BTreeSet<String> {
        parts.iter().map(|tp| String::from(tp.topic())).collect()
    };
    for (m, p) in a {
        for (o, q) in a {
            if p.len() >= q.len() + 2 {
                if let Some(t) = topics(p).intersection(&topics(q)).next() {
                    return Err(format!(
                        "{m} ({}) and {o} ({}) both have partitions of {t}",
                        p.len(),
                        q.len()
                    ));
                }
            }
        }
    }
    Ok(())
}

/// A member of a hand-written group: `owned` as `"topic-n"` strings.
fn member(id: &str, topics: &[&str], owned: &[&str], generation: i32) -> MemberSubscription {
    MemberSubscription {
        owned: owned
            .iter()
            .map(|s| TopicPartition::parse(s).unwrap())
            .collect(),
        generation: Some(generation),
        ..MemberSubscription::new(id, topics)
    }
}

fn group(topics: &[(&str, u32)], members: Vec<MemberSubscription>) -> GroupSubscription {
    GroupSubscription {
        topics: topics
            .iter()
            .map(|&(t, n)| (t.to_string(), TopicMeta::new(n)))
            .collect(),
        members,
    }
}

/// Sets every member's owned partitions to what `a` gave it, at `generation`.
fn own(g: &mut GroupSubscription, a: &Assignment, generation: i32) {
    for m in &mut g.members {
        m.owned = a.get(&m.member_id).cloned().unwrap_or_default();
        m.generation = Some(generation);
    }
}

/// Runs cooperative rounds until the assignment stops changing; returns the rounds needed.
fn converge(g: &mut GroupSubscription, mut generation: i32) -> Result<(Assignment, usize), String> {
    let mut prev: Option<Assignment> = None;
    for round in 1..=4 {
        let a = assign(AssignorName::CooperativeSticky, g).map_err(|e| e.to_string())?;
        check_valid(g, &a)?;
        check_withheld(g, &a)?;
        if prev.as_ref() == Some(&a) {
            return Ok((a, round - 1));
        }
        generation += 1;
        own(g, &a, generation);
        prev = Some(a);
    }
    Err("cooperative-sticky did not converge in 3 rounds".into())
}

/// A6: nothing owned by X is assigned to Y ≠ X in the same round.
fn check_withheld(g: &GroupSubscription, a: &Assignment) -> Result<(), String> {
    let mut owner: BTreeMap<&TopicPartition, &str> = BTreeMap::new();
    for m in &g.members {
        for tp in &m.owned {
            owner.insert(tp, &m.member_id);
        }
    }
    for (m, parts) in a {
        for tp in parts {
            if let Some(x) = owner.get(tp) {
                if *x != m {
                    return Err(format!(
                        "{tp} owned by {x} assigned to {m} in the same round"
                    ));
                }
            }
        }
    }
    Ok(())
}

fn partition_counts() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(0u32..9, 1..5)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a7_sticky_is_valid_and_balanced(members in 1usize..9, parts in partition_counts(), drop in 0usize..9) {
        for name in STICKY {
            let mut g = uniform_group(members, &parts);
            let first = assign(name, &g).unwrap();
            check_valid(&g, &first).unwrap();
            check_complete(&g, &first).unwrap();
            check_fully_balanced(&first).unwrap();
            // A member leaves; the others report what they own.
            own(&mut g, &first, 1);
            if g.members.len() > 1 {
                g.members.remove(drop % members);
            }
            let second = assign(name, &g).unwrap();
            check_valid(&g, &second).unwrap();
            check_fully_balanced(&second).unwrap();
            if name == AssignorName::Sticky {
                check_complete(&g, &second).unwrap();
            }
        }
    }

    #[test]
    fn a10_uniform_homogeneous_is_valid_and_balanced(members in 1usize..9, parts in partition_counts(), drop in 0usize..9) {
        let mut g = uniform_group(members, &parts);
        let first = assign(AssignorName::ServerUniform, &g).unwrap();
        check_valid(&g, &first).unwrap();
        check_complete(&g, &first).unwrap();
        check_fully_balanced(&first).unwrap();
        own(&mut g, &first, 1);
        g.members.push(MemberSubscription {
            member_id: "new".into(),
            topics: g.members[0].topics.clone(),
            ..Default::default()
        });
        if drop < members {
            g.members.remove(drop);
        }
        let second = assign(AssignorName::ServerUniform, &g).unwrap();
        check_valid(&g, &second).unwrap();
        check_complete(&g, &second).unwrap();
        check_fully_balanced(&second).unwrap();
    }

    #[test]
    fn a7_heterogeneous_subscriptions_are_valid(masks in prop::collection::vec(0u8..16, 1..7), parts in partition_counts()) {
        let g = mixed_group(&masks, &parts);
        for name in [AssignorName::Sticky, AssignorName::CooperativeSticky, AssignorName::ServerUniform,
                     AssignorName::Range, AssignorName::RoundRobin, AssignorName::ServerRange] {
            let a = assign(name, &g).unwrap();
            check_valid(&g, &a).unwrap();
            check_complete(&g, &a).unwrap();
        }
        // Fresh assignments of the balancing assignors leave no improving move (A7).
        check_no_improving_move(&g, &assign(AssignorName::Sticky, &g).unwrap()).unwrap();
        check_no_improving_move(&g, &assign(AssignorName::ServerUniform, &g).unwrap()).unwrap();
    }

    #[test]
    fn a5_sticky_moves_only_what_balance_needs(members in 1usize..8, parts in partition_counts(), add in any::<bool>(), drop in 0usize..8) {
        for name in [AssignorName::Sticky, AssignorName::ServerUniform] {
            let mut g = uniform_group(members, &parts);
            let first = assign(name, &g).unwrap();
            own(&mut g, &first, 1);
            if add || members == 1 {
                g.members.push(MemberSubscription {
                    member_id: "zz-new".into(),
                    topics: g.members[0].topics.clone(),
                    ..Default::default()
                });
            } else {
                g.members.remove(drop % members);
            }
            let second = assign(name, &g).unwrap();
            let total: usize = second.values().map(Vec::len).sum();
            let min_quota = total / g.members.len();
            for m in &g.members {
                let before: BTreeSet<_> = first.get(&m.member_id).into_iter().flatten().collect();
                let kept = second[&m.member_id].iter().filter(|tp| before.contains(tp)).count();
                prop_assert!(
                    kept >= before.len().min(min_quota),
                    "{name}: {} kept {kept} of {} (min quota {min_quota})",
                    m.member_id, before.len()
                );
            }
        }
    }

    #[test]
    fn a6_cooperative_withholds_moving_partitions_and_converges(members in 1usize..8, parts in partition_counts(), add in 1usize..3) {
        let mut g = uniform_group(members, &parts);
        let (settled, _) = converge(&mut g, 0).unwrap();
        check_fully_balanced(&settled).unwrap();
        check_complete(&g, &settled).unwrap();
        // New members join: the first round withholds every partition that changes owner, and
        // the follow-up rounds hand them over.
        for i in 0..add {
            g.members.push(MemberSubscription {
                member_id: format!("new{i}"),
                topics: g.members[0].topics.clone(),
                ..Default::default()
            });
        }
        let (after, rounds) = converge(&mut g, 10).unwrap();
        prop_assert!(rounds <= 2, "took {rounds} rounds");
        check_fully_balanced(&after).unwrap();
        check_complete(&g, &after).unwrap();
    }
    #[test]
    fn a7_heterogeneous_rebalance_stays_valid_and_balanced(masks in prop::collection::vec(0u8..16, 2..7), parts in partition_counts(), drop in 0usize..7, flip in 0usize..7) {
        // Kafka's testReassignmentWithRandomSubscriptionsAndChanges and
        // testLargeAssignmentWithMultipleConsumersLeavingAndRandomSubscription, small: a
        // heterogeneous group rebalances after a member leaves and another changes topics, and
        // the eager sticky result is still valid and balanced in Kafka's sense.
        let mut g = mixed_group(&masks, &parts);
        let first = assign(AssignorName::Sticky, &g).unwrap();
        check_valid(&g, &first).unwrap();
        check_kafka_balance(&first).unwrap();
        own(&mut g, &first, 1);
        let n = g.members.len();
        let all: Vec<String> = g.topics.keys().cloned().collect();
        let changed = &mut g.members[flip % n];
        changed.topics = vec![all[flip % all.len()].clone()];
        g.members.remove(drop % n);
        for name in STICKY {
            let second = assign(name, &g).unwrap();
            check_valid(&g, &second).unwrap();
            if name == AssignorName::Sticky {
                check_complete(&g, &second).unwrap();
                check_kafka_balance(&second).unwrap();
            } else {
                check_withheld(&g, &second).unwrap();
            }
        }
    }
}

#[test]
fn a2_range_lays_out_contiguous_ranges_first_members_get_extra() {
    let g = uniform_group(3, &[7, 2]);
    let a = assign(AssignorName::Range, &g).unwrap();
    let show = |m: &str| -> Vec<String> { a[m].iter().map(ToString::to_string).collect() };
    assert_eq!(show("m00"), ["t0-0", "t0-1", "t0-2", "t1-0"]);
    assert_eq!(show("m01"), ["t0-3", "t0-4", "t1-1"]);
    assert_eq!(show("m02"), ["t0-5", "t0-6"]);
}

#[test]
fn a4_roundrobin_deals_sorted_partitions_in_member_order() {
    let g = uniform_group(3, &[4, 3]);
    let a = assign(AssignorName::RoundRobin, &g).unwrap();
    let show = |m: &str| -> Vec<String> { a[m].iter().map(ToString::to_string).collect() };
    assert_eq!(show("m00"), ["t0-0", "t0-3", "t1-2"]);
    assert_eq!(show("m01"), ["t0-1", "t1-0"]);
    assert_eq!(show("m02"), ["t0-2", "t1-1"]);
}

#[test]
fn a9_server_range_matches_client_range_without_racks() {
    let g = mixed_group(&[0b11, 0b01, 0b10, 0b11], &[5, 4]);
    assert_eq!(
        assign(AssignorName::ServerRange, &g).unwrap(),
        assign(AssignorName::Range, &g).unwrap()
    );
}

/// `StickyAssignorTest.testAssignmentWithConflictingPreviousGenerations` (different
/// subscriptions): Kafka asserts sizes and that consumer2 and consumer3 keep only partitions they
/// owned, not the exact partitions.
#[test]
fn a5_kafka_conflicting_previous_generations() {
    let all = ["topic", "topic2", "topic3"];
    let g = group(
        &[("topic", 4), ("topic2", 4), ("topic3", 4)],
        vec![
            member(
                "consumer1",
                &["topic"],
                &["topic-0", "topic-1", "topic-2", "topic-3"],
                1,
            ),
            member(
                "consumer2",
                &["topic", "topic2"],
                &[
                    "topic-0", "topic-1", "topic2-0", "topic2-1", "topic2-2", "topic2-3",
                ],
                2,
            ),
            member(
                "consumer3",
                &all,
                &[
                    "topic-2", "topic-3", "topic3-0", "topic3-1", "topic3-2", "topic3-3",
                ],
                2,
            ),
        ],
    );
    let a = assign(AssignorName::Sticky, &g).unwrap();
    check_valid(&g, &a).unwrap();
    check_kafka_balance(&a).unwrap();
    for m in &g.members {
        assert_eq!(a[&m.member_id].len(), 4, "{a:?}");
    }
    for m in &g.members[1..] {
        assert!(
            a[&m.member_id].iter().all(|tp| m.owned.contains(tp)),
            "{a:?}"
        );
    }
}

/// `AbstractStickyAssignorTest.testSubscriptionNotEqualAndAssignSamePartitionWith3Generation`:
/// every order of three generations claiming topic-2; Kafka asserts no partition twice and
/// one or two partitions each.
#[test]
fn a5_kafka_same_partition_claimed_in_three_generations() {
    for gens in [
        [1, 2, 3],
        [1, 3, 2],
        [2, 1, 3],
        [2, 3, 1],
        [3, 1, 2],
        [3, 2, 1],
    ] {
        let g = group(
            &[("topic", 6), ("topic1", 1)],
            vec![
                member("consumer1", &["topic"], &["topic-0", "topic-2"], gens[0]),
                member(
                    "consumer2",
                    &["topic"],
                    &["topic-1", "topic-2", "topic-3"],
                    gens[1],
                ),
                member(
                    "consumer3",
                    &["topic"],
                    &["topic-2", "topic-4", "topic-5"],
                    gens[2],
                ),
                member("consumer4", &["topic1"], &["topic1-0"], 2),
            ],
        );
        for name in STICKY {
            let a = assign(name, &g).unwrap();
            check_valid(&g, &a).unwrap();
            for (m, parts) in &a {
                assert!(
                    (1..=2).contains(&parts.len()),
                    "{name} {gens:?}: {m} has {parts:?}"
                );
            }
        }
    }
}

/// `AbstractStickyAssignorTest.testPoorRoundRobinAssignmentScenario` and
/// `testMoveExistingAssignments`: Kafka asserts validity and balance only.
#[test]
fn a7_kafka_poor_round_robin_and_move_existing() {
    let five = ["topic1", "topic2", "topic3", "topic4", "topic5"];
    let odd = ["topic1", "topic3", "topic5"];
    let g = group(
        &[
            ("topic1", 2),
            ("topic2", 1),
            ("topic3", 2),
            ("topic4", 1),
            ("topic5", 2),
        ],
        vec![
            MemberSubscription::new("consumer1", &five),
            MemberSubscription::new("consumer2", &odd),
            MemberSubscription::new("consumer3", &odd),
            MemberSubscription::new("consumer4", &five),
        ],
    );
    let six: Vec<(&str, u32)> = ["topic1", "topic2", "topic3", "topic4", "topic5", "topic6"]
        .iter()
        .map(|&t| (t, 1))
        .collect();
    let moved = group(
        &six,
        vec![
            member("consumer1", &["topic1", "topic2"], &["topic1-0"], 1),
            member(
                "consumer2",
                &["topic1", "topic2", "topic3", "topic4"],
                &["topic2-0", "topic3-0"],
                1,
            ),
            member(
                "consumer3",
                &["topic2", "topic3", "topic4", "topic5", "topic6"],
                &["topic4-0", "topic5-0", "topic6-0"],
                1,
            ),
        ],
    );
    for g in [g, moved] {
        for name in STICKY {
            let a = assign(name, &g).unwrap();
            check_valid(&g, &a).unwrap();
            // Kafka checks the cooperative balance only after the follow-up rebalances.
            if name == AssignorName::Sticky || g.members.iter().all(|m| m.owned.is_empty()) {
                check_kafka_balance(&a).unwrap();
            }
        }
    }
}
