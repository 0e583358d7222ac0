//! The server-side assignors of the KIP-848 consumer-group protocol (A9–A12).
//!
//! * `range` (A9): stateless; per topic, the subscribers in A1 order get contiguous ranges, the
//!   first `partitions % subscribers` one extra. A subscription to a non-existent topic is an
//!   error. Every member appears in the result, even with nothing (A12).
//! * `uniform` (A10): with identical subscriptions, the homogeneous builder gives each member a
//!   quota (`total / members`, one more for the first `total % members` members), keeps owned
//!   partitions up to it, and deals the rest in topic, partition order. Otherwise a
//!   heterogeneous builder keeps owned partitions, gives each free partition to its
//!   least-loaded subscriber (topics with fewest subscribers first) and moves partitions from a
//!   member to a subscriber with at least two fewer until none can move. Kafka iterates topics in
//!   `HashSet<Uuid>` order (A11); here topics go in name order and members in Java `HashMap`
//!   order of their ids, so results are balanced and sticky but not byte-identical to Kafka's.
//!   No topics subscribed gives an empty map (A12).

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::{java, sort_members, AssignError, Ctx};

const NO: u32 = u32::MAX;

fn check_topics(ctx: &Ctx<'_>) -> Result<(), AssignError> {
    for unknown in &ctx.unknown_subs {
        if let Some(t) = unknown.first() {
            return Err(AssignError::UnknownTopic(String::from(*t)));
        }
    }
    Ok(())
}

pub(crate) fn range(ctx: &Ctx<'_>) -> Result<Vec<Vec<u32>>, AssignError> {
    check_topics(ctx)?;
    let order = sort_members(ctx.members());
    let mut out = vec![Vec::new(); order.len()];
    for t in 0..ctx.topic_names.len() as u32 {
        let subs: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&m| ctx.subs[m].binary_search(&t).is_ok())
            .collect();
        if subs.is_empty() {
            continue;
        }
        let parts = ctx.partition_count(t);
        let k = subs.len() as u32;
        let (quota, mut extra) = (parts / k, parts % k);
        let mut next = 0;
        for m in subs {
            let mut q = quota;
            if extra > 0 {
                q += 1;
                extra -= 1;
            }
            let end = (next + q).min(parts);
            let base = ctx.offset[t as usize];
            out[m].extend((next..end).map(|p| base + p));
            next = end;
        }
    }
    Ok(out)
}

/// `None` means "empty members map" (A12).
pub(crate) fn uniform(ctx: &Ctx<'_>) -> Result<Option<Vec<Vec<u32>>>, AssignError> {
    let n = ctx.members().len();
    if n == 0 {
        return Ok(None);
    }
    check_topics(ctx)?;
    let ids: Vec<&str> = ctx.members().iter().map(|m| m.member_id.as_str()).collect();
    let order = java::hashmap_order(&ids);
    let homogeneous = ctx.subs.iter().all(|s| *s == ctx.subs[0]);
    if homogeneous {
        if ctx.subs[0].is_empty() {
            return Ok(None);
        }
        Ok(Some(homogeneous_build(ctx, &order)))
    } else {
        Ok(Some(heterogeneous_build(ctx, &order)))
    }
}

/// Owned partitions of subscribed topics, each partition kept by the first member (in `order`)
/// that reports it, in (topic, partition) order.
fn current(ctx: &Ctx<'_>, order: &[usize]) -> (Vec<Vec<u32>>, Vec<u32>) {
    let total = ctx.total_partitions() as usize;
    let mut owner = vec![NO; total];
    let mut cur = vec![Vec::new(); ctx.members().len()];
    for &m in order {
        let mut mine: Vec<u32> = ctx.owned[m]
            .iter()
            .copied()
            .filter(|&g| {
                ctx.subs[m]
                    .binary_search(&ctx.part_topic[g as usize])
                    .is_ok()
            })
            .collect();
        mine.sort_unstable();
        mine.dedup();
        for g in mine {
            if owner[g as usize] == NO {
                owner[g as usize] = m as u32;
                cur[m].push(g);
            }
        }
    }
    (cur, owner)
}

fn homogeneous_build(ctx: &Ctx<'_>, order: &[usize]) -> Vec<Vec<u32>> {
    let n = order.len();
    let topics = &ctx.subs[0];
    let (cur, owner) = current(ctx, order);
    let mut unassigned: Vec<u32> = topics
        .iter()
        .flat_map(|&t| ctx.offset[t as usize]..ctx.offset[t as usize + 1])
        .filter(|&g| owner[g as usize] == NO)
        .collect();
    let total: usize = topics
        .iter()
        .map(|&t| ctx.partition_count(t) as usize)
        .sum();
    let min_quota = total / n;
    let mut extra = total % n;
    let mut out = vec![Vec::new(); n];
    let mut unfilled: Vec<(usize, usize)> = Vec::new();
    for &m in order {
        let mut quota = min_quota;
        if extra > 0 {
            quota += 1;
            extra -= 1;
        }
        // Per topic: a topic that fits in the remaining quota is kept whole; otherwise its
        // partitions are kept while quota remains and the rest are revoked.
        let mine = &cur[m];
        let mut i = 0;
        while i < mine.len() {
            let t = ctx.part_topic[mine[i] as usize];
            let mut j = i;
            while j < mine.len() && ctx.part_topic[mine[j] as usize] == t {
                j += 1;
            }
            let group = &mine[i..j];
            if group.len() <= quota {
                quota -= group.len();
                out[m].extend_from_slice(group);
            } else {
                out[m].extend_from_slice(&group[..quota]);
                unassigned.extend_from_slice(&group[quota..]);
                quota = 0;
            }
            i = j;
        }
        if quota > 0 {
            unfilled.push((m, quota));
        }
    }
    let mut next = 0;
    for (m, quota) in unfilled {
        let end = (next + quota).min(unassigned.len());
        out[m].extend_from_slice(&unassigned[next..end]);
        next = end;
    }
    out
}

fn heterogeneous_build(ctx: &Ctx<'_>, order: &[usize]) -> Vec<Vec<u32>> {
    let n = order.len();
    let (mut cur, mut owner) = current(ctx, order);
    let mut rank = vec![0usize; n];
    for (r, &m) in order.iter().enumerate() {
        rank[m] = r;
    }
    let topics = ctx.topic_names.len();
    let mut subscribers: Vec<Vec<usize>> = vec![Vec::new(); topics];
    for &m in order {
        for &t in &ctx.subs[m] {
            subscribers[t as usize].push(m);
        }
    }
    let mut topic_order: Vec<usize> = (0..topics)
        .filter(|&t| !subscribers[t].is_empty())
        .collect();
    crate::sort::sort_by_key(&mut topic_order, |&t| (subscribers[t].len(), t));
    let least = |cur: &Vec<Vec<u32>>, t: usize| -> usize {
        *subscribers[t]
            .iter()
            .min_by_key(|&&m| (cur[m].len(), rank[m]))
            .expect("topic has subscribers")
    };
    for &t in &topic_order {
        for g in ctx.offset[t]..ctx.offset[t + 1] {
            if owner[g as usize] == NO {
                let m = least(&cur, t);
                cur[m].push(g);
                owner[g as usize] = m as u32;
            }
        }
    }
    // Move partitions from a member to a subscriber with at least two fewer, until none can.
    loop {
        let mut moved = false;
        for &t in &topic_order {
            for g in ctx.offset[t]..ctx.offset[t + 1] {
                let o = owner[g as usize] as usize;
                let to = least(&cur, t);
                if cur[to].len() + 1 < cur[o].len() {
                    if let Some(i) = cur[o].iter().position(|&x| x == g) {
                        cur[o].remove(i);
                    }
                    cur[to].push(g);
                    owner[g as usize] = to as u32;
                    moved = true;
                }
            }
        }
        if !moved {
            break;
        }
    }
    cur
}
