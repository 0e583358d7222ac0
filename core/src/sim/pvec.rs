//! A vector whose clones share their contents: the storage behind a replica's batches and the
//! guarantee checker's list of acknowledged records.
//!
//! Why: time travel ([`super::timeline`]) keeps clones of the whole simulation as checkpoints.
//! With plain `Vec`s every checkpoint copied every log, so memory grew with the number of
//! checkpoints times the size of the run (142 MB after a 100,000-event run in the browser).
//! Here the elements live in fixed-size chunks behind reference counts: a clone copies only
//! the chunk pointers, and a write copies just the one chunk it touches if that chunk is
//! shared (`Rc::make_mut`). Logs mostly grow at the end, so consecutive checkpoints share
//! everything but their last chunk.
//!
//! Layout: every chunk but the last holds exactly [`CHUNK`] elements; the first `head` elements
//! of the first chunk are dead (removed from the front, e.g. by retention) so that dropping a
//! prefix does not move anything. Element `i` is at physical position `head + i`.

use alloc::rc::Rc;
use alloc::vec::Vec;
use core::ops::{Index, IndexMut};

/// Elements per chunk: a write to a shared chunk copies at most this many.
pub const CHUNK: usize = 64;

#[derive(Clone)]
pub struct PVec<T> {
    chunks: Vec<Rc<Vec<T>>>,
    head: usize,
    len: usize,
}

impl<T> Default for PVec<T> {
    fn default() -> Self {
        PVec {
            chunks: Vec::new(),
            head: 0,
            len: 0,
        }
    }
}

impl<T: Clone> PVec<T> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn at(&self, i: usize) -> (usize, usize) {
        let p = self.head + i;
        (p / CHUNK, p % CHUNK)
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        if i >= self.len {
            return None;
        }
        let (c, o) = self.at(i);
        self.chunks[c].get(o)
    }

    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        if i >= self.len {
            return None;
        }
        let (c, o) = self.at(i);
        Rc::make_mut(&mut self.chunks[c]).get_mut(o)
    }

    pub fn first(&self) -> Option<&T> {
        self.get(0)
    }

    pub fn last(&self) -> Option<&T> {
        self.len.checked_sub(1).and_then(|i| self.get(i))
    }

    pub fn last_mut(&mut self) -> Option<&mut T> {
        self.len.checked_sub(1).and_then(move |i| self.get_mut(i))
    }

    /// The last two elements, in order (what an append checks against).
    pub fn last_two(&self) -> Option<(&T, &T)> {
        let n = self.len;
        (n >= 2).then(|| (&self[n - 2], &self[n - 1]))
    }

    pub fn push(&mut self, x: T) {
        if self.chunks.last().is_none_or(|c| c.len() == CHUNK) {
            self.chunks.push(Rc::new(Vec::with_capacity(CHUNK)));
        }
        let last = self.chunks.last_mut().expect("a chunk was just ensured");
        Rc::make_mut(last).push(x);
        self.len += 1;
    }

    pub fn clear(&mut self) {
        self.chunks.clear();
        self.head = 0;
        self.len = 0;
    }

    /// Keeps the first `n` elements.
    pub fn truncate(&mut self, n: usize) {
        if n >= self.len {
            return;
        }
        if n == 0 {
            self.clear();
            return;
        }
        let end = self.head + n; // physical end, > 0
        let keep = end.div_ceil(CHUNK);
        self.chunks.truncate(keep);
        let in_last = end - (keep - 1) * CHUNK;
        let last = self.chunks.last_mut().expect("n > 0 keeps a chunk");
        if last.len() > in_last {
            Rc::make_mut(last).truncate(in_last);
        }
        self.len = n;
    }

    /// Removes the first `k` elements without moving the others.
    pub fn drop_front(&mut self, k: usize) {
        let k = k.min(self.len);
        if k == self.len {
            self.clear();
            return;
        }
        self.head += k;
        self.len -= k;
        let whole = self.head / CHUNK;
        self.chunks.drain(..whole);
        self.head %= CHUNK;
    }

    /// Removes and returns the elements from `at` on.
    pub fn split_off(&mut self, at: usize) -> PVec<T> {
        let tail: PVec<T> = self.iter_from(at).cloned().collect();
        self.truncate(at);
        tail
    }

    /// Keeps the elements for which `keep` is true (rebuilds the chunks).
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        if self.iter().all(&mut keep) {
            return;
        }
        *self = self.iter().filter(|x| keep(x)).cloned().collect();
    }

    pub fn iter(&self) -> Iter<'_, T> {
        self.range(0, self.len)
    }

    /// The elements from index `from` on.
    pub fn iter_from(&self, from: usize) -> Iter<'_, T> {
        self.range(from, self.len)
    }

    /// The elements with indexes in `from..to` (clamped to the length).
    pub fn range(&self, from: usize, to: usize) -> Iter<'_, T> {
        let to = to.min(self.len);
        Iter {
            v: self,
            front: from.min(to),
            back: to,
        }
    }

    /// The index of the first element for which `pred` is false, `pred` being true for a
    /// prefix and false after it (like `slice::partition_point`).
    pub fn partition_point(&self, mut pred: impl FnMut(&T) -> bool) -> usize {
        let (mut lo, mut hi) = (0, self.len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if pred(&self[mid]) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

/// An iterator over a range of a [`PVec`], from both ends.
pub struct Iter<'a, T> {
    v: &'a PVec<T>,
    front: usize,
    back: usize,
}

impl<'a, T: Clone> Iterator for Iter<'a, T> {
    type Item = &'a T;
    fn next(&mut self) -> Option<&'a T> {
        if self.front >= self.back {
            return None;
        }
        let x = self.v.get(self.front);
        self.front += 1;
        x
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
    fn nth(&mut self, n: usize) -> Option<&'a T> {
        self.front = self.front.saturating_add(n).min(self.back);
        self.next()
    }
}

impl<T: Clone> DoubleEndedIterator for Iter<'_, T> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front >= self.back {
            return None;
        }
        self.back -= 1;
        self.v.get(self.back)
    }
}

impl<T: Clone> ExactSizeIterator for Iter<'_, T> {}

impl<'a, T: Clone> IntoIterator for &'a PVec<T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T: Clone> Index<usize> for PVec<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        self.get(i).expect("PVec index out of bounds")
    }
}

impl<T: Clone> IndexMut<usize> for PVec<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        self.get_mut(i).expect("PVec index out of bounds")
    }
}

impl<T: Clone> FromIterator<T> for PVec<T> {
    fn from_iter<I: IntoIterator<Item = T>>(it: I) -> Self {
        let mut v = PVec::new();
        v.extend(it);
        v
    }
}

impl<T: Clone> Extend<T> for PVec<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, it: I) {
        for x in it {
            self.push(x);
        }
    }
}

impl<T: Clone + core::fmt::Debug> core::fmt::Debug for PVec<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Clone + PartialEq> PartialEq for PVec<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<T: Clone + Eq> Eq for PVec<T> {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation, checked against a plain `Vec` doing the same, across chunk borders and
    /// with clones taken in between (a clone must never see a later write).
    #[test]
    fn behaves_like_a_vec_and_clones_stay_unchanged() {
        let mut p: PVec<u32> = PVec::new();
        let mut v: Vec<u32> = Vec::new();
        let mut snapshots: Vec<(PVec<u32>, Vec<u32>)> = Vec::new();
        // A fixed pseudo-random walk (an LCG), so the test is deterministic.
        let mut x: u64 = 12345;
        let mut next = |m: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % m
        };
        for round in 0..4000u32 {
            match next(10) {
                0..=4 => {
                    p.push(round);
                    v.push(round);
                }
                5 => {
                    let n = next(v.len() as u64 + 1) as usize;
                    p.truncate(n);
                    v.truncate(n);
                }
                6 => {
                    let k = next(v.len() as u64 / 4 + 1) as usize;
                    p.drop_front(k);
                    v.drain(..k);
                }
                7 if !v.is_empty() => {
                    let i = next(v.len() as u64) as usize;
                    p[i] += 1_000_000;
                    v[i] += 1_000_000;
                }
                8 => {
                    p.retain(|e| e % 7 != 0);
                    v.retain(|e| e % 7 != 0);
                }
                _ => snapshots.push((p.clone(), v.clone())),
            }
            assert_eq!(p.len(), v.len());
            assert_eq!(p.iter().copied().collect::<Vec<_>>(), v);
            assert_eq!(p.first(), v.first());
            assert_eq!(p.last(), v.last());
            let cut = v.len() / 3;
            assert_eq!(p.iter_from(cut).copied().collect::<Vec<_>>(), v[cut..]);
            assert_eq!(
                p.range(cut, 2 * cut).copied().collect::<Vec<_>>(),
                v[cut..2 * cut]
            );
            let t = round / 2;
            assert_eq!(p.partition_point(|e| *e < t), v.partition_point(|e| *e < t));
        }
        for (p, v) in &snapshots {
            assert_eq!(&p.iter().copied().collect::<Vec<_>>(), v);
        }
        let mut a: PVec<u32> = (0..200).collect();
        let b = a.split_off(130);
        assert_eq!(
            a.iter().copied().collect::<Vec<_>>(),
            (0..130).collect::<Vec<_>>()
        );
        assert_eq!(
            b.iter().copied().collect::<Vec<_>>(),
            (130..200).collect::<Vec<_>>()
        );
    }

    /// The point of the type: a clone shares every full chunk, and a push after it copies only
    /// the last chunk.
    #[test]
    fn a_clone_shares_all_but_the_chunk_written_after_it() {
        let mut a: PVec<u64> = (0..(10 * CHUNK as u64 + 3)).collect();
        let b = a.clone();
        a.push(7);
        let shared = a
            .chunks
            .iter()
            .zip(&b.chunks)
            .filter(|(x, y)| Rc::ptr_eq(x, y))
            .count();
        assert_eq!(
            shared, 10,
            "the ten full chunks are shared, the written last one is not"
        );
        assert_eq!(b.len(), 10 * CHUNK + 3);
        assert_eq!(a.len(), 10 * CHUNK + 4);
    }
}
