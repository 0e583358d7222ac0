//! Client-side `RoundRobinAssignor` (A4): all subscribed partitions, sorted by topic then
//! partition number, are dealt to the members in A1 order, cyclically; a member not subscribed to
//! a partition's topic is skipped and loses its turn.

use alloc::vec::Vec;

use super::{sort_members, Ctx};

pub(crate) fn assign(ctx: &Ctx<'_>) -> Vec<Vec<u32>> {
    let n = ctx.members().len();
    let order = sort_members(ctx.members());
    let mut out: Vec<Vec<u32>> = alloc::vec![Vec::new(); n];
    if n == 0 {
        return out;
    }
    let mut cursor = 0usize;
    for t in 0..ctx.topic_names.len() as u32 {
        if !order.iter().any(|&m| ctx.subs[m].binary_search(&t).is_ok()) {
            continue;
        }
        for g in ctx.offset[t as usize]..ctx.offset[t as usize + 1] {
            while ctx.subs[order[cursor]].binary_search(&t).is_err() {
                cursor = (cursor + 1) % n;
            }
            out[order[cursor]].push(g);
            cursor = (cursor + 1) % n;
        }
    }
    out
}
