//! Client-side `RangeAssignor` (A2, A3): per topic, partitions in numeric order are cut into
//! contiguous ranges over the subscribers in A1 order, the first `partitions % members` getting
//! one extra. When racks are known and some partition is not on every rack (A3), a first pass
//! gives each member the partitions on its own rack within the same per-topic quotas, topics with
//! the same subscribers and partition count are assigned together (co-partitioning), and the
//! plain range pass then fills what is left.

use crate::collections::VecMap;
use alloc::vec;
use alloc::vec::Vec;

use super::{sort_members, Ctx, Racks};

/// One topic's progress (`RangeAssignor.TopicAssignmentState`).
struct TopicState {
    topic: u32,
    /// Subscribers in A1 order.
    consumers: Vec<usize>,
    /// Unassigned partition numbers in order; `unassigned[start..]` is live.
    unassigned: Vec<u32>,
    start: usize,
    /// Per member index (non-subscribers stay 0).
    assigned_count: Vec<u32>,
    per_consumer: u32,
    remaining_extra: u32,
    /// Whether subscribers have racks at all (else `racks_match` is always true).
    has_consumer_racks: bool,
    needs_rack_aware: bool,
}

impl TopicState {
    fn max_assignable(&self, m: usize) -> u32 {
        let extra = u32::from(self.remaining_extra > 0);
        (self.per_consumer + extra).saturating_sub(self.assigned_count[m])
    }

    fn on_assigned(&mut self, m: usize, parts: &[u32]) {
        let n = &mut self.assigned_count[m];
        *n += parts.len() as u32;
        if *n > self.per_consumer {
            self.remaining_extra = self.remaining_extra.saturating_sub(1);
        }
        // Fast path: the parts are the head of the live list (plain range pass).
        let live = &self.unassigned[self.start..];
        if live.len() >= parts.len() && live[..parts.len()] == *parts {
            self.start += parts.len();
        } else {
            let start = self.start;
            let mut i = 0;
            self.unassigned.retain(|p| {
                let keep = i < start || !parts.contains(p);
                i += 1;
                keep
            });
        }
    }
}

fn racks_match(ctx: &Ctx<'_>, racks: &Racks, st: &TopicState, m: usize, p: u32) -> bool {
    if !st.has_consumer_racks || racks.member[m].is_none() {
        return true;
    }
    racks.matches(m, ctx.offset[st.topic as usize] + p)
}

pub(crate) fn assign(ctx: &Ctx<'_>) -> Vec<Vec<u32>> {
    let n = ctx.members().len();
    let order = sort_members(ctx.members());
    let all_members: Vec<usize> = (0..n).collect();
    let all_parts: Vec<u32> = (0..ctx.total_partitions()).collect();
    let racks = Racks::new(ctx, &all_members, &all_parts);

    let mut states: Vec<TopicState> = Vec::new();
    for t in 0..ctx.topic_names.len() as u32 {
        let parts = ctx.partition_count(t);
        let consumers: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&m| ctx.subs[m].binary_search(&t).is_ok())
            .collect();
        if parts == 0 || consumers.is_empty() {
            continue;
        }
        let has_consumer_racks = consumers.iter().any(|&m| racks.member[m].is_some());
        let globals: Vec<u32> = (ctx.offset[t as usize]..ctx.offset[t as usize + 1]).collect();
        let needs_rack_aware = has_consumer_racks && racks.use_rack_aware(&consumers, &globals);
        let k = consumers.len() as u32;
        states.push(TopicState {
            topic: t,
            assigned_count: vec![0; n],
            consumers,
            unassigned: (0..parts).collect(),
            start: 0,
            per_consumer: parts / k,
            remaining_extra: parts % k,
            has_consumer_racks,
            needs_rack_aware,
        });
    }

    let mut out: Vec<Vec<u32>> = alloc::vec![Vec::new(); n];
    if states.iter().any(|s| s.needs_rack_aware) {
        // Group topics by subscriber list, then by partition count (0 when no subscriber has a
        // rack, as Kafka's `partitionRacks` map is then empty).
        let mut groups: VecMap<(Vec<usize>, u32), Vec<usize>> = VecMap::new();
        for (i, s) in states.iter().enumerate() {
            let size = if s.has_consumer_racks {
                ctx.partition_count(s.topic)
            } else {
                0
            };
            groups
                .entry((s.consumers.clone(), size))
                .or_default()
                .push(i);
        }
        for ((consumers, num_partitions), idx) in groups {
            if idx.len() > 1 {
                assign_co_partitioned(
                    ctx,
                    &racks,
                    &consumers,
                    num_partitions,
                    &idx,
                    &mut states,
                    &mut out,
                );
            } else if states[idx[0]].needs_rack_aware {
                assign_ranges(ctx, &racks, &mut states[idx[0]], true, &mut out);
            }
        }
    }
    for st in &mut states {
        assign_ranges(ctx, &racks, st, false, &mut out);
    }
    out
}

fn assign_ranges(
    ctx: &Ctx<'_>,
    racks: &Racks,
    st: &mut TopicState,
    rack_filter: bool,
    out: &mut [Vec<u32>],
) {
    for ci in 0..st.consumers.len() {
        if st.start == st.unassigned.len() {
            break;
        }
        let m = st.consumers[ci];
        let limit = st.max_assignable(m) as usize;
        let picked: Vec<u32> = st.unassigned[st.start..]
            .iter()
            .copied()
            .filter(|&p| !rack_filter || racks_match(ctx, racks, st, m, p))
            .take(limit)
            .collect();
        if picked.is_empty() {
            continue;
        }
        let base = ctx.offset[st.topic as usize];
        out[m].extend(picked.iter().map(|p| base + p));
        st.on_assigned(m, &picked);
    }
}

fn assign_co_partitioned(
    ctx: &Ctx<'_>,
    racks: &Racks,
    consumers: &[usize],
    num_partitions: u32,
    idx: &[usize],
    states: &mut [TopicState],
    out: &mut [Vec<u32>],
) {
    let mut remaining: Vec<usize> = consumers.to_vec();
    for p in 0..num_partitions {
        let found = remaining.iter().copied().find(|&c| {
            idx.iter().all(|&i| {
                let st = &states[i];
                racks_match(ctx, racks, st, c, p) && st.max_assignable(c) > 0
            })
        });
        let Some(c) = found else { continue };
        for &i in idx {
            let st = &mut states[i];
            out[c].push(ctx.offset[st.topic as usize] + p);
            st.on_assigned(c, &[p]);
        }
        if idx.iter().all(|&i| states[i].max_assignable(c) == 0) {
            remaining.retain(|&x| x != c);
            if remaining.is_empty() {
                break;
            }
        }
    }
}
