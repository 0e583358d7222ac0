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
//! * Otherwise Kafka's `GeneralAssignmentBuilder` runs, ported step by step (Kafka 3.7+/trunk):
//!   `prepopulateCurrentAssignments` remembers, per partition, the member of the highest older
//!   generation that owned it (first in `HashMap` order on a tie); `assignOwnedPartitions` keeps
//!   each valid owned partition whose topic the member still subscribes to (and, rack-aware,
//!   whose replicas share its rack); the rest are dealt in `sortedAllPartitions` order (topics
//!   by number of potential consumers, then name) to the first member of the `TreeSet` ordered
//!   by assignment size, then member id, that subscribes (rack-matching members first when
//!   rack-aware); then, among topics with two or more potential consumers and members that can
//!   still gain or lose a partition, `performReassignments` sweeps the new partitions (unless a
//!   revocation is already needed) and then all of them until `isBalanced`, moving a partition
//!   to its previous owner when that one has at least two fewer, or else to the least-loaded
//!   subscriber when some potential consumer has at least two fewer. `PartitionMovements`
//!   avoids moving a topic's partitions both ways between two members: the move of a partition
//!   that already went the other way is made instead, the first of those in Java `HashSet`
//!   order ([`java::HashSetOrder`]). Unless this is the first assignment, the result is
//!   reverted to the pre-balancing one when `getBalanceScore` does not improve.
//!   Deliberate differences, on inputs where Kafka misbehaves: a previous owner that no longer
//!   subscribes to the topic, or has been set aside as fixed, is not given the partition (Kafka
//!   would assign it to a non-subscriber, or throw); the balancing sweeps are bounded; a member
//!   with an empty subscription makes the group heterogeneous (Kafka's `allSubscriptionsEqual`
//!   skips such members when they come first in `HashMap` order, and the constrained builder
//!   then deals them partitions of topics they do not subscribe to). Kafka's
//!   `maxGeneration` survives between calls on one assignor instance; here every call starts
//!   afresh (the same unless generations go backwards).
//! * Cooperative (A6) then withholds every partition that changes owner: it is revoked by the
//!   old owner now and assigned to the new one in the follow-up rebalance.

use alloc::collections::VecDeque;
use alloc::vec;
use alloc::vec::Vec;

use super::{java, Ctx, Racks};
use crate::collections::NumTree;

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

/// The member's generation; none, or a negative one, is `DEFAULT_GENERATION` (-1), as Kafka's
/// `Subscription` stores a negative generation as absent.
fn generation(ctx: &Ctx<'_>, m: usize) -> i32 {
    ctx.members()[m].generation.unwrap_or(-1).max(-1)
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
        let mut result = general(ctx, &hm, &owned, rack_aware, &mismatch);
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
///
/// A port of Kafka's algorithm on member and partition indices. Java collection orders only
/// leak into the result in two places, both reproduced: the `subscriptions` `HashMap` order (`hm`,
/// which member wins a tie in `prepopulateCurrentAssignments`) and the `HashSet<TopicPartition>`
/// order in `getTheActualPartitionToBeMoved` ([`java::HashSetOrder`]). Every other collection
/// Kafka iterates is either a `TreeSet`/sorted list (reproduced) or only asked "is there one?".
fn general(
    ctx: &Ctx<'_>,
    hm: &[usize],
    owned: &Owned,
    rack_aware: bool,
    mismatch: &dyn Fn(usize, u32) -> bool,
) -> Vec<Vec<u32>> {
    let n = ctx.members().len();
    let total = ctx.total_partitions() as usize;
    let topics = ctx.topic_names.len();
    // `topic2AllPotentialConsumers`: only its sizes are read (ordering, participation).
    let mut potential = vec![0usize; topics];
    for s in &ctx.subs {
        for &t in s {
            potential[t as usize] += 1;
        }
    }
    // `SubscriptionComparator` breaks size ties by member id (`String.compareTo`).
    let mut by_rank: Vec<usize> = (0..n).collect();
    crate::sort::sort_by(&mut by_rank, |&a, &b| {
        java::str_cmp(&ctx.members()[a].member_id, &ctx.members()[b].member_id)
    });
    let mut rank = vec![0usize; n];
    for (r, &m) in by_rank.iter().enumerate() {
        rank[m] = r;
    }
    // `getMaxAssignmentSize`: every partition of every subscribed topic.
    let max_size: Vec<usize> = ctx
        .subs
        .iter()
        .map(|s| s.iter().map(|&t| ctx.partition_count(t) as usize).sum())
        .collect();

    // `prepopulateCurrentAssignments`: for each partition, the member of the highest generation
    // below the group's maximum that reported it (the first in `subscriptions` order on a tie).
    let mut prev = vec![NO; total];
    let mut prev_gen = vec![i32::MIN; total];
    for &m in hm {
        let gen = generation(ctx, m);
        if gen >= owned.max_generation {
            continue;
        }
        for &g in &ctx.owned[m] {
            let g = g as usize;
            if prev[g] == NO || gen > prev_gen[g] {
                prev[g] = m as u32;
                prev_gen[g] = gen;
            }
        }
    }

    // `assignOwnedPartitions`: keep each valid owned partition unless the member no longer
    // subscribes to its topic or (rack-aware) no replica is on the member's rack.
    let mut cur: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut owner = vec![NO; total];
    let mut revocation_required = false;
    for (m, mine) in cur.iter_mut().enumerate() {
        for &g in &owned.lists[m] {
            let t = ctx.part_topic[g as usize];
            if ctx.subs[m].binary_search(&t).is_err() || mismatch(m, g) {
                revocation_required = true;
            } else {
                mine.push(g);
                owner[g as usize] = m as u32;
            }
        }
    }

    // `sortedAllPartitions`: topics by number of potential consumers, then name (`TopicComparator`).
    let mut topic_order: Vec<usize> = (0..topics).filter(|&t| potential[t] > 0).collect();
    crate::sort::sort_by(&mut topic_order, |&a, &b| {
        potential[a]
            .cmp(&potential[b])
            .then_with(|| java::str_cmp(ctx.topic_names[a], ctx.topic_names[b]))
    });
    let sorted_all: Vec<u32> = topic_order
        .iter()
        .flat_map(|&t| ctx.offset[t]..ctx.offset[t + 1])
        .collect();
    // `getUnassignedPartitions` keeps the order of `sortedAllPartitions`.
    let unassigned: Vec<u32> = sorted_all
        .iter()
        .copied()
        .filter(|&g| owner[g as usize] == NO)
        .collect();

    let mut sorted = SortedMembers::default();
    for m in 0..n {
        sorted.insert((cur[m].len(), rank[m]));
    }
    let mut b = General {
        ctx,
        sorted,
        cur,
        owner,
        rank,
        by_rank,
        active: vec![true; n],
        max_size,
        movable: potential.iter().map(|&c| c >= 2).collect(),
        prev,
        moves: PartitionMovements::default(),
        balanced: None,
    };
    // `balance`: `initializing` when the largest current assignment is empty.
    let initializing = b.sorted.last().is_none_or(|(size, _)| size == 0);

    // `maybeAssign`: each unassigned partition to the first member of the sorted set that
    // subscribes to it, first only to rack-matching members, then to any.
    let mut left = unassigned.clone();
    if rack_aware {
        left.retain(|&g| !b.maybe_assign_partition(g, Some(mismatch)));
    }
    for &g in &left {
        b.maybe_assign_partition(g, None);
    }

    // Narrow the reassignment to topics with two or more potential consumers
    // (`canTopicParticipateInReassignment`) and to members that could still gain or lose a
    // partition (`canConsumerParticipateInReassignment`); the others are set aside.
    for m in 0..n {
        let can = b.cur[m].len() < b.max_size[m]
            || b.cur[m]
                .iter()
                .any(|&g| b.movable[ctx.part_topic[g as usize] as usize]);
        if !can {
            b.active[m] = false;
            b.sorted.remove(&(b.cur[m].len(), b.rank[m]));
        }
    }
    let movable = |g: &u32| b.movable[ctx.part_topic[*g as usize] as usize];
    let reassignable: Vec<u32> = sorted_all.iter().copied().filter(movable).collect();
    let new_ones: Vec<u32> = unassigned.iter().copied().filter(movable).collect();
    let pre_balance = b.cur.clone();

    // With nothing to revoke, first try to balance by moving only the new partitions.
    if !revocation_required {
        b.perform_reassignments(&new_ones);
    }
    let performed = b.perform_reassignments(&reassignable);
    let score = |a: &[Vec<u32>]| {
        balance_score(
            a.iter()
                .enumerate()
                .filter(|&(m, _)| b.active[m])
                .map(|(_, v)| v.len() as u64),
        )
    };
    // Keep the reassignment only if it is more balanced than before it (`getBalanceScore`,
    // over the participating members).
    if !initializing && performed && score(&b.cur) >= score(&pre_balance) {
        return pre_balance;
    }
    b.cur
}

/// The mutable state of [`general`], by member and partition index.
struct General<'c, 'a> {
    ctx: &'c Ctx<'a>,
    /// `currentAssignment`.
    cur: Vec<Vec<u32>>,
    /// `currentPartitionConsumer`.
    owner: Vec<u32>,
    /// `sortedCurrentSubscriptions`: (assignment size, member-id rank) of participating members.
    /// A B-tree: every assignment moves one member in it, and the scale tests have 2,000
    /// members and a million partitions (a sorted vector made round 1 three times slower).
    sorted: SortedMembers,
    rank: Vec<usize>,
    by_rank: Vec<usize>,
    /// Members still in `currentAssignment` (not set aside as fixed).
    active: Vec<bool>,
    max_size: Vec<usize>,
    /// Per topic: two or more potential consumers.
    movable: Vec<bool>,
    /// `prevAssignment`'s member per partition.
    prev: Vec<u32>,
    moves: PartitionMovements,
    /// The last `isBalanced` answer, valid until the next move.
    balanced: Option<bool>,
}

impl General<'_, '_> {
    fn size(&self, m: usize) -> usize {
        self.cur[m].len()
    }

    fn subscribes(&self, m: usize, t: u32) -> bool {
        self.ctx.subs[m].binary_search(&t).is_ok()
    }

    /// The first member of the sorted set that subscribes to `t` (and, when `ok` is given,
    /// passes it): the least loaded such member, ties to the smallest member id.
    fn first_subscriber(&self, t: u32, ok: impl Fn(usize) -> bool) -> Option<usize> {
        self.sorted
            .iter()
            .map(|(_, r)| self.by_rank[r])
            .find(|&m| self.subscribes(m, t) && ok(m))
    }

    /// `maybeAssignPartition`, with `rack` the rack check of the rack-matching pass.
    fn maybe_assign_partition(
        &mut self,
        g: u32,
        rack: Option<&dyn Fn(usize, u32) -> bool>,
    ) -> bool {
        let t = self.ctx.part_topic[g as usize];
        let Some(m) = self.first_subscriber(t, |m| rack.is_none_or(|mismatch| !mismatch(m, g)))
        else {
            return false;
        };
        self.sorted.remove(&(self.size(m), self.rank[m]));
        self.cur[m].push(g);
        self.owner[g as usize] = m as u32;
        self.sorted.insert((self.size(m), self.rank[m]));
        true
    }

    /// `isBalanced`: the sizes differ by at most one, or no participating member could take a
    /// partition of one of its topics from a member with at least two more.
    fn is_balanced(&mut self) -> bool {
        if let Some(b) = self.balanced {
            return b;
        }
        let b = self.compute_balanced();
        self.balanced = Some(b);
        b
    }

    fn compute_balanced(&self) -> bool {
        let (Some(lo), Some(hi)) = (self.sorted.first(), self.sorted.last()) else {
            return true;
        };
        let max = hi.0;
        if lo.0 + 1 >= max {
            return true;
        }
        // Kafka checks, for every member not yet holding all it could, every partition of its
        // topics that another member owns. Same answer, found sooner: members go from the least
        // loaded up, stopping once none can be two below any owner; a topic's partitions are
        // scanned once (their largest owner remembered) and the scan stops at the first owner
        // with two more. Only topics with two or more potential consumers matter: a topic's only
        // subscriber cannot take a partition from itself.
        let ctx = self.ctx;
        let mut max_owner: Vec<Option<usize>> = vec![None; ctx.topic_names.len()];
        for (size, r) in self.sorted.iter() {
            if size + 1 >= max {
                break;
            }
            let m = self.by_rank[r];
            if size == self.max_size[m] {
                continue;
            }
            for &t in &ctx.subs[m] {
                let t = t as usize;
                if !self.movable[t] {
                    continue;
                }
                let largest = match max_owner[t] {
                    Some(x) => x,
                    None => {
                        let mut largest = 0;
                        for g in ctx.offset[t]..ctx.offset[t + 1] {
                            let o = self.owner[g as usize];
                            if o != NO {
                                let s = self.size(o as usize);
                                if s > size + 1 {
                                    return false;
                                }
                                largest = largest.max(s);
                            }
                        }
                        max_owner[t] = Some(largest);
                        largest
                    }
                };
                if largest > size + 1 {
                    return false;
                }
            }
        }
        true
    }

    /// `performReassignments`: sweep the partitions, moving one from a member with at least two
    /// more than some other potential consumer (back to its previous owner if that one has at
    /// least two fewer), until balanced or a sweep moves nothing. Returns whether anything moved.
    fn perform_reassignments(&mut self, partitions: &[u32]) -> bool {
        let mut performed = false;
        // Kafka has no bound; this one is never reached by a converging run and only stops a
        // pathological input from spinning.
        let mut sweeps_left = 2 * partitions.len() + 16;
        loop {
            let mut modified = false;
            for &g in partitions {
                if self.is_balanced() {
                    break;
                }
                let c = self.owner[g as usize];
                if c == NO {
                    continue;
                }
                let c = c as usize;
                let t = self.ctx.part_topic[g as usize];
                let p = self.prev[g as usize];
                // Kafka would also hand the partition to a previous owner that no longer
                // subscribes to its topic (an invalid assignment) or has been set aside (a
                // NullPointerException); those previous owners are skipped here.
                if p != NO
                    && self.active[p as usize]
                    && self.subscribes(p as usize, t)
                    && self.size(c) > self.size(p as usize) + 1
                {
                    self.reassign_partition(g, p as usize);
                    performed = true;
                    modified = true;
                    continue;
                }
                // Kafka first looks for a better rack-matching consumer, then for any; both
                // searches ask only whether some potential consumer has at least two fewer,
                // and both then move the partition to the first subscriber in the sorted set.
                // That subscriber is the least loaded potential consumer, so one check does.
                if let Some(to) = self.first_subscriber(t, |_| true) {
                    if self.size(c) > self.size(to) + 1 {
                        self.reassign_partition(g, to);
                        performed = true;
                        modified = true;
                    }
                }
            }
            sweeps_left -= 1;
            if !modified || sweeps_left == 0 {
                return performed;
            }
        }
    }

    /// `reassignPartition(partition, newConsumer)`: if partitions of the same topic moved from
    /// `to` to the member `g` is moving away from, one of those moves back instead
    /// (`getTheActualPartitionToBeMoved`), so no topic's partitions go both ways between two
    /// members.
    fn reassign_partition(&mut self, g: u32, to: usize) {
        let t = self.ctx.part_topic[g as usize];
        let from = self.owner[g as usize];
        let g = self.moves.actual_partition_to_move(g, t, from, to as u32);
        self.process_partition_movement(g, to);
    }

    /// `processPartitionMovement`.
    fn process_partition_movement(&mut self, g: u32, to: usize) {
        let from = self.owner[g as usize] as usize;
        self.sorted.remove(&(self.size(from), self.rank[from]));
        self.sorted.remove(&(self.size(to), self.rank[to]));
        let t = self.ctx.part_topic[g as usize];
        let hash = tp_hash(self.ctx, g);
        self.moves
            .move_partition(g, t, from as u32, to as u32, hash);
        remove_first(&mut self.cur[from], g);
        self.cur[to].push(g);
        self.owner[g as usize] = to as u32;
        self.sorted.insert((self.size(to), self.rank[to]));
        self.sorted.insert((self.size(from), self.rank[from]));
        self.balanced = None;
    }
}

/// Java `TopicPartition.hashCode`: `31 * (31 + partition) + topic.hashCode()`.
fn tp_hash(ctx: &Ctx<'_>, g: u32) -> i32 {
    let t = ctx.part_topic[g as usize] as usize;
    let p = ctx.partition_number(g) as i32;
    31i32
        .wrapping_mul(31i32.wrapping_add(p))
        .wrapping_add(java::string_hash(ctx.topic_names[t]))
}

/// `sortedCurrentSubscriptions`: (assignment size, member-id rank) pairs in ascending order,
/// each packed into one key of the engine's numeric B-tree ([`NumTree`]): the size in the high
/// 64 bits, so the order is the pairs' order.
#[derive(Default)]
struct SortedMembers(NumTree);

impl SortedMembers {
    fn key((size, rank): (usize, usize)) -> u128 {
        ((size as u128) << 64) | rank as u128
    }
    fn pair(key: u128) -> (usize, usize) {
        ((key >> 64) as usize, key as u64 as usize)
    }
    fn insert(&mut self, pair: (usize, usize)) {
        self.0.insert(Self::key(pair), 0);
    }
    fn remove(&mut self, pair: &(usize, usize)) {
        self.0.remove(&Self::key(*pair));
    }
    fn first(&self) -> Option<(usize, usize)> {
        self.0.keys().next().map(|&k| Self::pair(k))
    }
    fn last(&self) -> Option<(usize, usize)> {
        self.0.keys().next_back().map(|&k| Self::pair(k))
    }
    fn iter(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.0.keys().map(|&k| Self::pair(k))
    }
}

/// `PartitionMovements`: the partitions moved during this assignment, as (source, destination)
/// members (the source is the owner before the first move).
#[derive(Default)]
struct PartitionMovements {
    /// `partitionMovements`: partition to `source << 32 | destination`. This and `by_topic` are
    /// B-trees ([`NumTree`]): they take a record per moved partition, in no order, up to a
    /// million partitions in the scale tests.
    by_partition: NumTree,
    /// `partitionMovementsByTopic`: `topic << 64 | source << 32 | destination` to the index in
    /// `sets` of the partitions, in Java `HashSet` order.
    by_topic: NumTree,
    sets: Vec<java::HashSetOrder<u32>>,
    /// Indexes of `sets` whose key was removed (its set emptied), to reuse.
    free: Vec<usize>,
}

fn topic_key(t: u32, src: u32, dst: u32) -> u128 {
    ((t as u128) << 64) | ((src as u128) << 32) | dst as u128
}

impl PartitionMovements {
    /// `removeMovementRecordOfPartition`.
    fn remove_record(&mut self, g: u32, t: u32) -> Option<(u32, u32)> {
        let v = self.by_partition.remove(&(g as u128))?;
        let (src, dst) = ((v >> 32) as u32, v as u32);
        let key = topic_key(t, src, dst);
        if let Some(&i) = self.by_topic.get(&key) {
            let set = &mut self.sets[i as usize];
            set.remove(g);
            if set.is_empty() {
                self.by_topic.remove(&key);
                self.free.push(i as usize);
            }
        }
        Some((src, dst))
    }

    /// `addPartitionMovementRecord`.
    fn add_record(&mut self, g: u32, t: u32, src: u32, dst: u32, hash: i32) {
        self.by_partition
            .insert(g as u128, ((src as u64) << 32) | dst as u64);
        let key = topic_key(t, src, dst);
        let i = match self.by_topic.get(&key) {
            Some(&i) => i as usize,
            None => {
                // A new key starts from a new set, as Java's `new HashSet<>()`.
                let i = match self.free.pop() {
                    Some(i) => {
                        self.sets[i] = java::HashSetOrder::new();
                        i
                    }
                    None => {
                        self.sets.push(java::HashSetOrder::new());
                        self.sets.len() - 1
                    }
                };
                self.by_topic.insert(key, i as u64);
                i
            }
        };
        self.sets[i].add(g, hash);
    }

    /// `movePartition`: a partition moving back to where it started has no record.
    fn move_partition(&mut self, g: u32, t: u32, from: u32, to: u32, hash: i32) {
        match self.remove_record(g, t) {
            Some((src, _)) => {
                if src != to {
                    self.add_record(g, t, src, to, hash);
                }
            }
            None => self.add_record(g, t, from, to, hash),
        }
    }

    /// `getTheActualPartitionToBeMoved`: moving `g` (of topic `t`) from `from` to `to`; if some
    /// partition of `t` already moved from `to` to `g`'s original owner, that one (the first in
    /// Java `HashSet` order) moves instead.
    fn actual_partition_to_move(&self, g: u32, t: u32, from: u32, to: u32) -> u32 {
        let from = self
            .by_partition
            .get(&(g as u128))
            .map_or(from, |&v| (v >> 32) as u32);
        self.by_topic
            .get(&topic_key(t, to, from))
            .and_then(|&i| self.sets[i as usize].first())
            .unwrap_or(g)
    }
}

/// Sum over member pairs of the difference in assignment size (`getBalanceScore`).
fn balance_score(sizes: impl Iterator<Item = u64>) -> u64 {
    let mut sizes: Vec<u64> = sizes.collect();
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
