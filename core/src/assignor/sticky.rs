//! Client-side `StickyAssignor` and `CooperativeStickyAssignor` (A5–A7): Kafka's
//! `AbstractStickyAssignor`. Balance comes first, stickiness second.
//!
//! * Owned partitions are first validated (A5): a partition claimed by members of different
//!   generations stays with the highest; one claimed twice in the same generation goes to
//!   neither. Members are visited in Java `HashMap` order, as Kafka does ([`super::java`]).
//! * With identical subscriptions, the optimized `ConstrainedAssignmentBuilder` runs: each member
//!   keeps owned partitions up to `minQuota` (or `maxQuota` while fewer than
//!   `partitions % members` members have it), rack-matched ones only when rack-aware; then the
//!   unassigned partitions are dealt round-robin, first within racks, to the unfilled members
//!   in member-id order. The result is always `max - min <= 1` (A7).
//! * Otherwise the general builder keeps every valid owned partition, gives each unassigned
//!   partition (topics with fewest subscribers first) to the least-loaded subscriber, and then
//!   moves partitions from members with at least two more than another eligible member until
//!   no such move exists (A7 validity), preferring to move a partition back to its previous
//!   owner. Kafka's cycle-avoidance bookkeeping (`PartitionMovements`) is not reproduced, so
//!   heterogeneous results are valid and balanced but can differ from Kafka's partition choice.
//! * Cooperative (A6) then withholds every partition that changes owner: it is revoked by the
//!   old owner now and assigned to the new one in the follow-up rebalance.

use crate::sort::CollectTree;
use alloc::collections::{BTreeSet, VecDeque};
use alloc::vec;
use alloc::vec::Vec;

use super::{java, Ctx, Racks};

const NO: u32 = u32::MAX;

/// Validated ownership (`allSubscriptionsEqual`'s side effects).
struct Owned {
    /// Per member: its still-valid owned partitions, in the order reported.
    lists: Vec<Vec<u32>>,
    /// Partitions claimed by two members of the same generation.
    multi: Vec<bool>,
    /// Whether every member has the same subscription.
    all_equal: bool,
    max_generation: i32,
}

fn generation(ctx: &Ctx<'_>, m: usize) -> i32 {
    ctx.members()[m].generation.unwrap_or(-1)
}

fn validate_owned(ctx: &Ctx<'_>, hm: &[usize], in_play: &[bool]) -> Owned {
    let n = ctx.members().len();
    let total = ctx.total_partitions() as usize;
    let mut lists: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut multi = vec![false; total];
    let mut prev_owner = vec![NO; total];
    let mut max_generation = -1;
    let mut all_equal = true;
    let topic_set = |m: usize| {
        let mut v: Vec<&str> = ctx.members()[m].topics.iter().map(|s| s.as_str()).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let first = hm.first().map(|&m| topic_set(m));
    for &m in hm {
        if all_equal && Some(topic_set(m)) != first {
            all_equal = false;
        }
        let gen = generation(ctx, m);
        max_generation = max_generation.max(gen);
        for &g in &ctx.owned[m] {
            if !in_play[ctx.part_topic[g as usize] as usize] {
                continue;
            }
            let other = prev_owner[g as usize];
            if other == NO {
                lists[m].push(g);
                prev_owner[g as usize] = m as u32;
                continue;
            }
            let other = other as usize;
            let other_gen = generation(ctx, other);
            if gen == other_gen {
                multi[g as usize] = true;
                remove_first(&mut lists[other], g);
                prev_owner[g as usize] = m as u32;
            } else if gen > other_gen {
                lists[m].push(g);
                remove_first(&mut lists[other], g);
                prev_owner[g as usize] = m as u32;
            }
        }
    }
    Owned {
        lists,
        multi,
        all_equal,
        max_generation,
    }
}

fn remove_first(v: &mut Vec<u32>, g: u32) {
    if let Some(i) = v.iter().position(|&x| x == g) {
        v.remove(i);
    }
}

pub(crate) fn assign(ctx: &Ctx<'_>, cooperative: bool) -> Vec<Vec<u32>> {
    let n = ctx.members().len();
    if n == 0 {
        return Vec::new();
    }
    let ids: Vec<&str> = ctx.members().iter().map(|m| m.member_id.as_str()).collect();
    let hm = java::hashmap_order(&ids);
    // `partitionsPerTopic`: the existing topics somebody subscribes to.
    let mut in_play = vec![false; ctx.topic_names.len()];
    for s in &ctx.subs {
        for &t in s {
            in_play[t as usize] = true;
        }
    }
    let partitions: Vec<u32> = (0..ctx.topic_names.len())
        .filter(|&t| in_play[t])
        .flat_map(|t| ctx.offset[t]..ctx.offset[t + 1])
        .collect();
    let all_members: Vec<usize> = (0..n).collect();
    let racks = Racks::new(ctx, &all_members, &partitions);
    let rack_aware = racks.use_rack_aware(&all_members, &partitions);
    let owned = validate_owned(ctx, &hm, &in_play);
    let mismatch =
        |m: usize, g: u32| rack_aware && racks.member[m].is_some() && !racks.matches(m, g);

    if owned.all_equal {
        let mut b = Constrained::new(ctx, &owned, partitions.len());
        b.assign_owned(ctx, &hm, &owned, &mismatch);
        let mut unassigned: Vec<u32> = partitions
            .iter()
            .copied()
            .filter(|&g| !b.assigned[g as usize])
            .collect();
        if racks.member.iter().any(Option::is_some) {
            // `sortPartitionsByRackConsumers`: a stable sort by how many members share a rack
            // with the partition's replicas (computed whenever members have racks).
            let mut per_rack: Vec<u32> = Vec::new();
            for r in racks.member.iter().flatten() {
                let r = *r as usize;
                if per_rack.len() <= r {
                    per_rack.resize(r + 1, 0);
                }
                per_rack[r] += 1;
            }
            crate::sort::sort_by_key(&mut unassigned, |&g| {
                racks.partition[g as usize]
                    .iter()
                    .map(|&r| per_rack.get(r as usize).copied().unwrap_or(0))
                    .sum::<u32>()
            });
        }
        crate::sort::sort_by(&mut b.under, |&a, &c| java::str_cmp(ids[a], ids[c]));
        crate::sort::sort_by(b.exact.make_contiguous(), |&a, &c| {
            java::str_cmp(ids[a], ids[c])
        });
        if rack_aware {
            b.rack_round_robin(&racks, &mut unassigned, &owned);
        }
        b.round_robin(&unassigned, &owned);
        let mut result = b.assignment;
        if cooperative {
            for (g, to) in b.transferring {
                remove_first(&mut result[to as usize], g);
            }
        }
        result
    } else {
        let mut result = general(ctx, &hm, &owned, &partitions, &racks, rack_aware, &mismatch);
        if cooperative {
            withhold_transfers(ctx, &mut result);
        }
        result
    }
}

/// `ConstrainedAssignmentBuilder` state, by member index.
struct Constrained {
    min_quota: usize,
    max_quota: usize,
    expected_over: usize,
    current_over: usize,
    assignment: Vec<Vec<u32>>,
    assigned: Vec<bool>,
    /// Partition → member that may have to revoke it (`maybeRevokedPartitions`).
    maybe_revoked: Vec<u32>,
    under: Vec<usize>,
    exact: VecDeque<usize>,
    /// (partition, new owner) pairs that change owner (`partitionsTransferringOwnership`).
    transferring: Vec<(u32, u32)>,
}

impl Constrained {
    fn new(ctx: &Ctx<'_>, _owned: &Owned, total: usize) -> Self {
        let n = ctx.members().len();
        let all = ctx.total_partitions() as usize;
        Self {
            min_quota: total / n,
            max_quota: total.div_ceil(n),
            expected_over: total % n,
            current_over: 0,
            assignment: vec![Vec::new(); n],
            assigned: vec![false; all],
            maybe_revoked: vec![NO; all],
            under: Vec::new(),
            exact: VecDeque::new(),
            transferring: Vec::new(),
        }
    }

    fn assign_owned(
        &mut self,
        ctx: &Ctx<'_>,
        hm: &[usize],
        owned: &Owned,
        mismatch: &dyn Fn(usize, u32) -> bool,
    ) {
        for &m in hm {
            let mut mine: Vec<u32> = Vec::with_capacity(owned.lists[m].len());
            for &g in &owned.lists[m] {
                if mismatch(m, g) {
                    self.maybe_revoked[g as usize] = m as u32;
                } else if !owned.multi[g as usize] {
                    mine.push(g);
                }
            }
            // Sorted by partition number, then topic.
            crate::sort::sort_by_key(&mut mine, |&g| {
                (ctx.partition_number(g), ctx.part_topic[g as usize])
            });
            let keep = if mine.len() < self.min_quota {
                self.under.push(m);
                mine.len()
            } else if mine.len() >= self.max_quota && self.current_over < self.expected_over {
                self.current_over += 1;
                if self.current_over == self.expected_over {
                    self.exact.clear();
                }
                self.max_quota
            } else {
                if self.current_over < self.expected_over {
                    self.exact.push_back(m);
                }
                self.min_quota
            };
            for &g in &mine[keep..] {
                self.maybe_revoked[g as usize] = m as u32;
            }
            for &g in &mine[..keep] {
                self.assigned[g as usize] = true;
            }
            self.assignment[m].extend_from_slice(&mine[..keep]);
        }
    }

    fn assign_new(&mut self, g: u32, m: usize, owned: &Owned) -> usize {
        self.assignment[m].push(g);
        let prev = self.maybe_revoked[g as usize];
        if (prev != NO && prev as usize != m) || owned.multi[g as usize] {
            self.transferring.push((g, m as u32));
        }
        self.assignment[m].len()
    }

    /// `RackInfo.nextRackConsumer`: the first position from `first`, cyclically, whose member
    /// shares a rack with `g`.
    fn next_rack_consumer(racks: &Racks, g: u32, list: &[usize], first: usize) -> Option<usize> {
        if racks.partition[g as usize].is_empty() || list.is_empty() {
            return None;
        }
        (0..list.len())
            .map(|i| (first + i) % list.len())
            .find(|&i| racks.matches(list[i], g))
    }

    fn rack_round_robin(&mut self, racks: &Racks, unassigned: &mut Vec<u32>, owned: &Owned) {
        let mut next = 0usize;
        let mut left = Vec::with_capacity(unassigned.len());
        for &g in unassigned.iter() {
            let mut consumer = None;
            if let Some(mut idx) = Self::next_rack_consumer(racks, g, &self.under, next) {
                let m = self.under[idx];
                consumer = Some(m);
                let count = self.assignment[m].len() + 1;
                if count >= self.min_quota {
                    self.under.retain(|&x| x != m);
                    if count < self.max_quota && self.current_over < self.expected_over {
                        self.exact.push_back(m);
                    }
                } else {
                    idx += 1;
                }
                next = if self.under.is_empty() {
                    0
                } else {
                    idx % self.under.len()
                };
            } else if !self.exact.is_empty() {
                let list: Vec<usize> = self.exact.iter().copied().collect();
                if let Some(first) = Self::next_rack_consumer(racks, g, &list, 0) {
                    let m = list[first];
                    consumer = Some(m);
                    if self.assignment[m].len() + 1 == self.max_quota {
                        self.exact.remove(first);
                        self.current_over += 1;
                        if self.current_over == self.expected_over {
                            self.exact.clear();
                        }
                    }
                }
            }
            match consumer {
                Some(m) => {
                    self.assign_new(g, m, owned);
                }
                None => left.push(g),
            }
        }
        *unassigned = left;
    }

    fn round_robin(&mut self, unassigned: &[u32], owned: &Owned) {
        // `pos` is the iterator over `under`: the next element is `under[pos]`.
        let mut pos = 0usize;
        for &g in unassigned {
            let from_under;
            let m = if pos < self.under.len() {
                pos += 1;
                from_under = true;
                self.under[pos - 1]
            } else if self.under.is_empty() {
                from_under = false;
                match self.exact.pop_front() {
                    Some(m) => m,
                    // Kafka throws here ("No more unfilled consumers"); quotas make it
                    // unreachable.
                    None => break,
                }
            } else {
                pos = 1;
                from_under = true;
                self.under[0]
            };
            let count = self.assign_new(g, m, owned);
            if count == self.min_quota {
                if from_under {
                    pos -= 1;
                    self.under.remove(pos);
                }
                self.exact.push_back(m);
            } else if count == self.max_quota {
                self.current_over += 1;
            }
        }
    }
}

/// `GeneralAssignmentBuilder`, for groups whose members subscribe to different topics.
fn general(
    ctx: &Ctx<'_>,
    hm: &[usize],
    owned: &Owned,
    partitions: &[u32],
    racks: &Racks,
    rack_aware: bool,
    mismatch: &dyn Fn(usize, u32) -> bool,
) -> Vec<Vec<u32>> {
    let n = ctx.members().len();
    let total = ctx.total_partitions() as usize;
    let topics = ctx.topic_names.len();
    // Potential consumers per topic.
    let mut potential: Vec<Vec<usize>> = vec![Vec::new(); topics];
    for (m, s) in ctx.subs.iter().enumerate() {
        for &t in s {
            potential[t as usize].push(m);
        }
    }
    // rank = position in member-id order, the tie-break of Kafka's `SubscriptionComparator`.
    let mut by_id: Vec<usize> = (0..n).collect();
    crate::sort::sort_by(&mut by_id, |&a, &b| {
        java::str_cmp(&ctx.members()[a].member_id, &ctx.members()[b].member_id)
    });
    let mut rank = vec![0usize; n];
    for (r, &m) in by_id.iter().enumerate() {
        rank[m] = r;
    }

    // Step 1-2: keep valid owned partitions.
    let mut cur: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut owner = vec![NO; total];
    let mut revocation_required = false;
    for &m in hm {
        for &g in &owned.lists[m] {
            let t = ctx.part_topic[g as usize];
            if ctx.subs[m].binary_search(&t).is_err() || mismatch(m, g) {
                revocation_required = true;
            } else {
                cur[m].push(g);
                owner[g as usize] = m as u32;
            }
        }
    }
    // Previous owners from older generations (`prepopulateCurrentAssignments`).
    let mut prev: Vec<(u32, i32)> = vec![(NO, i32::MIN); total];
    for &m in hm {
        let gen = generation(ctx, m);
        if gen < owned.max_generation {
            for &g in &ctx.owned[m] {
                let slot = &mut prev[g as usize];
                if slot.0 == NO || gen > slot.1 {
                    *slot = (m as u32, gen);
                }
            }
        }
    }
    // All partitions, topics with fewest potential consumers first.
    let mut topic_order: Vec<usize> = (0..topics).filter(|&t| !potential[t].is_empty()).collect();
    crate::sort::sort_by_key(&mut topic_order, |&t| (potential[t].len(), t));
    let sorted_all: Vec<u32> = topic_order
        .iter()
        .flat_map(|&t| ctx.offset[t]..ctx.offset[t + 1])
        .collect();
    debug_assert!(sorted_all.len() <= partitions.len());
    let unassigned: Vec<u32> = sorted_all
        .iter()
        .copied()
        .filter(|&g| owner[g as usize] == NO)
        .collect();

    let initializing = cur.iter().all(Vec::is_empty);
    let mut sorted: BTreeSet<(usize, usize)> =
        (0..n).map(|m| (cur[m].len(), rank[m])).collect_set();
    let subscribed = |m: usize, g: u32| {
        ctx.subs[m]
            .binary_search(&ctx.part_topic[g as usize])
            .is_ok()
    };

    // Steps 3-4: give each unassigned partition to the least-loaded eligible member.
    let give = |g: u32,
                rack_only: bool,
                cur: &mut Vec<Vec<u32>>,
                owner: &mut Vec<u32>,
                sorted: &mut BTreeSet<(usize, usize)>|
     -> bool {
        let found = sorted
            .iter()
            .map(|&(_, r)| by_id[r])
            .find(|&m| subscribed(m, g) && (!rack_only || !mismatch(m, g)));
        let Some(m) = found else { return false };
        sorted.remove(&(cur[m].len(), rank[m]));
        cur[m].push(g);
        owner[g as usize] = m as u32;
        sorted.insert((cur[m].len(), rank[m]));
        true
    };
    let mut left = unassigned.clone();
    if rack_aware {
        left.retain(|&g| !give(g, true, &mut cur, &mut owner, &mut sorted));
    }
    for &g in &left {
        give(g, false, &mut cur, &mut owner, &mut sorted);
    }

    // Step 5: rebalance among the members and topics that can take part.
    let movable_topic = |t: u32| potential[t as usize].len() >= 2;
    let max_size = |m: usize| -> usize {
        ctx.subs[m]
            .iter()
            .map(|&t| ctx.partition_count(t) as usize)
            .sum()
    };
    let mut active = vec![true; n];
    for m in 0..n {
        let can = cur[m].len() < max_size(m)
            || cur[m]
                .iter()
                .any(|&g| movable_topic(ctx.part_topic[g as usize]));
        if !can {
            active[m] = false;
            sorted.remove(&(cur[m].len(), rank[m]));
        }
    }
    let reassignable: Vec<u32> = sorted_all
        .iter()
        .copied()
        .filter(|&g| movable_topic(ctx.part_topic[g as usize]))
        .collect();
    let new_ones: Vec<u32> = unassigned
        .iter()
        .copied()
        .filter(|&g| movable_topic(ctx.part_topic[g as usize]))
        .collect();
    let pre = cur.clone();
    let pre_owner = owner.clone();

    let mut state = Balancer {
        ctx,
        cur,
        owner,
        sorted,
        rank,
        by_id,
        active,
        potential: &potential,
        prev: &prev,
    };
    if !revocation_required {
        state.perform(&new_ones);
    }
    let performed = state.perform(&reassignable);
    let Balancer { mut cur, .. } = state;
    if !initializing && performed && balance_score(&cur) >= balance_score(&pre) {
        cur = pre;
        let _ = pre_owner;
    }
    let _ = racks;
    cur
}

struct Balancer<'c, 'a> {
    ctx: &'c Ctx<'a>,
    cur: Vec<Vec<u32>>,
    owner: Vec<u32>,
    sorted: BTreeSet<(usize, usize)>,
    rank: Vec<usize>,
    by_id: Vec<usize>,
    active: Vec<bool>,
    potential: &'c [Vec<usize>],
    prev: &'c [(u32, i32)],
}

impl Balancer<'_, '_> {
    fn size(&self, m: usize) -> usize {
        self.cur[m].len()
    }

    /// `isBalanced`: sizes within one, or no member could take a partition of one of its topics
    /// from a member with at least two more.
    fn is_balanced(&self) -> bool {
        let (Some(lo), Some(hi)) = (self.sorted.first(), self.sorted.last()) else {
            return true;
        };
        if lo.0 + 1 >= hi.0 {
            return true;
        }
        let topics = self.ctx.topic_names.len();
        let mut max_owner = vec![0usize; topics];
        for (t, slot) in max_owner.iter_mut().enumerate() {
            for g in self.ctx.offset[t]..self.ctx.offset[t + 1] {
                let o = self.owner[g as usize];
                if o != NO && self.active[o as usize] {
                    *slot = (*slot).max(self.size(o as usize));
                }
            }
        }
        for m in 0..self.cur.len() {
            if !self.active[m] {
                continue;
            }
            let c = self.size(m);
            if self.ctx.subs[m]
                .iter()
                .any(|&t| max_owner[t as usize] > c + 1)
            {
                return false;
            }
        }
        true
    }

    fn move_to(&mut self, g: u32, to: usize) {
        let from = self.owner[g as usize] as usize;
        self.sorted.remove(&(self.size(from), self.rank[from]));
        self.sorted.remove(&(self.size(to), self.rank[to]));
        remove_first(&mut self.cur[from], g);
        self.cur[to].push(g);
        self.owner[g as usize] = to as u32;
        self.sorted.insert((self.size(from), self.rank[from]));
        self.sorted.insert((self.size(to), self.rank[to]));
    }

    fn perform(&mut self, partitions: &[u32]) -> bool {
        let mut performed = false;
        loop {
            let mut modified = false;
            for &g in partitions {
                if self.is_balanced() {
                    break;
                }
                let o = self.owner[g as usize];
                if o == NO || !self.active[o as usize] {
                    continue;
                }
                let o = o as usize;
                let (p, _) = self.prev[g as usize];
                if p != NO && self.active[p as usize] && self.size(o) > self.size(p as usize) + 1 {
                    self.move_to(g, p as usize);
                    performed = true;
                    modified = true;
                    continue;
                }
                let t = self.ctx.part_topic[g as usize] as usize;
                let better = self.potential[t]
                    .iter()
                    .any(|&c| self.active[c] && self.size(o) > self.size(c) + 1);
                if better {
                    let to = self
                        .sorted
                        .iter()
                        .map(|&(_, r)| self.by_id[r])
                        .find(|&c| self.ctx.subs[c].binary_search(&(t as u32)).is_ok());
                    if let Some(to) = to {
                        self.move_to(g, to);
                        performed = true;
                        modified = true;
                    }
                }
            }
            if !modified {
                return performed;
            }
        }
    }
}

/// Sum over member pairs of the difference in assignment size (`getBalanceScore`).
fn balance_score(a: &[Vec<u32>]) -> u64 {
    let mut sizes: Vec<u64> = a.iter().map(|v| v.len() as u64).collect();
    sizes.sort_unstable();
    let mut score = 0u64;
    let mut prefix = 0u64;
    for (i, &s) in sizes.iter().enumerate() {
        score += s * i as u64 - prefix;
        prefix += s;
    }
    score
}

/// `CooperativeStickyAssignor.computePartitionsTransferringOwnership` + `adjustAssignment`:
/// a partition newly given to one member while another reported owning it is withheld (A6).
fn withhold_transfers(ctx: &Ctx<'_>, result: &mut [Vec<u32>]) {
    let total = ctx.total_partitions() as usize;
    let mut new_owner = vec![NO; total];
    for (m, parts) in result.iter().enumerate() {
        for &g in parts {
            new_owner[g as usize] = m as u32;
        }
    }
    let mut revoked = vec![false; total];
    let mut owned_sorted: Vec<Vec<u32>> = Vec::with_capacity(result.len());
    for (m, owned) in ctx.owned.iter().enumerate() {
        for &g in owned {
            if new_owner[g as usize] != m as u32 {
                revoked[g as usize] = true;
            }
        }
        let mut s = owned.clone();
        s.sort_unstable();
        owned_sorted.push(s);
    }
    for (m, parts) in result.iter_mut().enumerate() {
        parts.retain(|&g| !(revoked[g as usize] && owned_sorted[m].binary_search(&g).is_err()));
    }
}
