//! Stable sorting through one non-generic routine, to keep the wasm bundle small.
//!
//! Each `slice::sort_by` / `sort_by_key` call on a new element type monomorphises Rust's
//! driftsort, about 4.5 KB of wasm apiece; the engine's two dozen copies were a fifth of the
//! shipped code. These helpers sort a list of *indices* with a single instantiation (the
//! comparison goes through `&mut dyn FnMut`), then move the elements into that order in place,
//! so each new element type costs only the small permutation loop below.
//!
//! The result is exactly `slice::sort_by`'s: a stable sort is fully determined by the
//! comparison, so native and wasm runs (and the trace hashes) agree. The price is an indirect
//! call per comparison, which the assignor benchmarks absorb well inside their targets.

use alloc::vec::Vec;
use core::cmp::Ordering;

/// Sorts `v` stably by `cmp`, like `slice::sort_by`.
pub(crate) fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let perm = stable_order(v.len(), &mut |a, b| cmp(&v[a], &v[b]));
    permute(v, perm);
}

/// Sorts `v` stably by a key, like `slice::sort_by_key` (the key is computed per comparison).
pub(crate) fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// The one real sort: the stable order of `0..n` under `cmp`.
fn stable_order(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| cmp(a, b));
    idx
}

/// Rearranges `v` so that position `i` holds what was at `perm[i]`, following each cycle once
/// (O(n) swaps). `perm` is consumed as the record of which positions are done.
fn permute<T>(v: &mut [T], mut perm: Vec<usize>) {
    for start in 0..v.len() {
        let mut cur = start;
        loop {
            let next = perm[cur];
            perm[cur] = cur;
            if next == start {
                break;
            }
            v.swap(cur, next);
            cur = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// The helpers must give exactly what the standard library's stable sort gives, equal keys
    /// keeping their input order, over many random inputs with plenty of ties.
    #[test]
    fn matches_std_stable_sort() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for len in 0..200usize {
            let v: Vec<(u8, usize)> = (0..len).map(|i| ((next() % 7) as u8, i)).collect();
            let mut expected = v.clone();
            expected.sort_by_key(|e| e.0);
            let mut got = v.clone();
            sort_by_key(&mut got, |e| e.0);
            assert_eq!(got, expected, "len {len}");
            let mut got = v;
            sort_by(&mut got, |a, b| b.0.cmp(&a.0));
            expected.sort_by_key(|e| core::cmp::Reverse(e.0));
            assert_eq!(got, expected, "len {len}, descending");
        }
    }

    #[test]
    fn permute_follows_every_cycle() {
        let mut v = vec!['a', 'b', 'c', 'd', 'e'];
        permute(&mut v, vec![3, 0, 4, 1, 2]);
        assert_eq!(v, vec!['d', 'a', 'e', 'b', 'c']);
    }
}
