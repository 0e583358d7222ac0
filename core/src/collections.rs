//! [`VecMap`] and [`VecSet`]: ordered maps and sets kept as sorted vectors, to keep the wasm
//! bundle small.
//!
//! The standard `BTreeMap` / `BTreeSet` are monomorphised afresh for every key and value type:
//! node allocation, search, insertion with splits, removal with merges, each iterator. The
//! engine used about eighty such pairs, and their copies were some 280 KB of the shipped code
//! (raw). Here a map is two vectors, the keys sorted and the values alongside, so each new
//! type costs a binary search and a few `Vec` calls.
//!
//! Iteration is in ascending key order, exactly as `BTreeMap`'s, and the methods mirror
//! `BTreeMap`'s (names, arguments, results), so swapping one for the other does not change
//! what the engine does: the trace hashes are the same. Two small differences: `range` with
//! a start above its end gives an empty range instead of panicking, and `Debug` prints the
//! same text as `BTreeMap`'s.
//!
//! The price is that inserting or removing anywhere but the end moves the entries after it:
//! O(n) per change, fine for the engine's small maps (brokers, partitions, members, in-flight
//! requests) and for maps whose keys only grow (ids handed out in order, which append). A map
//! that grows through a long run *and* takes keys at arbitrary places stays a `BTreeMap`; the
//! places that keep one say so.

use alloc::vec::{self, Vec};
use core::borrow::Borrow;
use core::fmt;
use core::iter::{FromIterator, Zip};
use core::ops::{Bound, Index, RangeBounds};
use core::slice;

/// Where `q` is in the sorted `keys`: `Ok(index)` if present, else `Err(insertion point)`.
fn search<K: Borrow<Q>, Q: Ord + ?Sized>(keys: &[K], q: &Q) -> Result<usize, usize> {
    keys.binary_search_by(|k| k.borrow().cmp(q))
}

/// The index range of the sorted `keys` that `range` covers (empty if it is inverted).
fn span<K, Q, R>(keys: &[K], range: &R) -> (usize, usize)
where
    K: Borrow<Q>,
    Q: Ord + ?Sized,
    R: RangeBounds<Q>,
{
    let at = |q: &Q| match search(keys, q) {
        Ok(i) | Err(i) => i,
    };
    let after = |q: &Q| match search(keys, q) {
        Ok(i) => i + 1,
        Err(i) => i,
    };
    let lo = match range.start_bound() {
        Bound::Included(q) => at(q),
        Bound::Excluded(q) => after(q),
        Bound::Unbounded => 0,
    };
    let hi = match range.end_bound() {
        Bound::Included(q) => after(q),
        Bound::Excluded(q) => at(q),
        Bound::Unbounded => keys.len(),
    };
    (lo, hi.max(lo))
}

/// The engine's one B-tree of numbers: every ordered map or set of small integers that must
/// stay a B-tree (too many entries, inserted in no order, for a [`VecMap`]) packs its key into a
/// `u128` and its value into a `u64` (the sticky assignor's sorted members and partition
/// movements, the checker's processed records). Each distinct key and value type of a
/// `BTreeMap` is a copy of the B-tree's code in the wasm: five numeric ones and two keyed by
/// record keys made one each of these two, 4.1 KiB less gzipped (ARCHITECTURE.md).
pub type NumTree = alloc::collections::BTreeMap<u128, u64>;

/// The engine's one B-tree keyed by record keys (the checker's last record per key, the
/// cleaner's offset map), for the same reason as [`NumTree`].
pub type KeyTree = alloc::collections::BTreeMap<alloc::rc::Rc<str>, u64>;

/// An ordered map over a sorted vector; the API is `BTreeMap`'s (see the module doc).
#[derive(Clone, PartialEq, Eq)]
pub struct VecMap<K, V> {
    /// Strictly ascending.
    keys: Vec<K>,
    /// `vals[i]` belongs to `keys[i]`.
    vals: Vec<V>,
}

/// The iterator of [`VecMap::iter`] and [`VecMap::range`].
pub type Iter<'a, K, V> = Zip<slice::Iter<'a, K>, slice::Iter<'a, V>>;
/// The iterator of [`VecMap::iter_mut`] and [`VecMap::range_mut`].
pub type IterMut<'a, K, V> = Zip<slice::Iter<'a, K>, slice::IterMut<'a, V>>;
/// The iterator of an owned [`VecMap`].
pub type IntoIter<K, V> = Zip<vec::IntoIter<K>, vec::IntoIter<V>>;

impl<K, V> VecMap<K, V> {
    pub const fn new() -> Self {
        VecMap {
            keys: Vec::new(),
            vals: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn clear(&mut self) {
        self.keys.clear();
        self.vals.clear();
    }

    pub fn iter(&self) -> Iter<'_, K, V> {
        self.keys.iter().zip(self.vals.iter())
    }

    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        self.keys.iter().zip(self.vals.iter_mut())
    }

    pub fn keys(&self) -> slice::Iter<'_, K> {
        self.keys.iter()
    }

    pub fn values(&self) -> slice::Iter<'_, V> {
        self.vals.iter()
    }

    pub fn values_mut(&mut self) -> slice::IterMut<'_, V> {
        self.vals.iter_mut()
    }

    pub fn into_keys(self) -> vec::IntoIter<K> {
        self.keys.into_iter()
    }

    pub fn into_values(self) -> vec::IntoIter<V> {
        self.vals.into_iter()
    }

    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        Some((self.keys.first()?, self.vals.first()?))
    }

    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        Some((self.keys.last()?, self.vals.last()?))
    }

    /// Removes the smallest entry (O(n): the rest move down).
    pub fn pop_first(&mut self) -> Option<(K, V)> {
        if self.keys.is_empty() {
            return None;
        }
        Some((self.keys.remove(0), self.vals.remove(0)))
    }

    pub fn pop_last(&mut self) -> Option<(K, V)> {
        Some((self.keys.pop()?, self.vals.pop()?))
    }

    /// Keeps the entries for which `f` is true, visiting them in ascending order.
    pub fn retain(&mut self, mut f: impl FnMut(&K, &mut V) -> bool) {
        let mut kept = 0;
        for i in 0..self.keys.len() {
            if f(&self.keys[i], &mut self.vals[i]) {
                self.keys.swap(kept, i);
                self.vals.swap(kept, i);
                kept += 1;
            }
        }
        self.keys.truncate(kept);
        self.vals.truncate(kept);
    }
}

impl<K: Ord, V> VecMap<K, V> {
    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        search(&self.keys, key).ok().map(|i| &self.vals[i])
    }

    pub fn get_key_value<Q: Ord + ?Sized>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
    {
        search(&self.keys, key)
            .ok()
            .map(|i| (&self.keys[i], &self.vals[i]))
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        search(&self.keys, key).ok().map(|i| &mut self.vals[i])
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        search(&self.keys, key).is_ok()
    }

    /// Like `BTreeMap::insert`: a present key keeps its stored key and gets the new value,
    /// the old one is returned.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match search(&self.keys, &key) {
            Ok(i) => Some(core::mem::replace(&mut self.vals[i], value)),
            Err(i) => {
                self.keys.insert(i, key);
                self.vals.insert(i, value);
                None
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.remove_entry(key).map(|(_, v)| v)
    }

    pub fn remove_entry<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<(K, V)>
    where
        K: Borrow<Q>,
    {
        let i = search(&self.keys, key).ok()?;
        Some((self.keys.remove(i), self.vals.remove(i)))
    }

    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        match search(&self.keys, &key) {
            Ok(index) => Entry::Occupied(OccupiedEntry { map: self, index }),
            Err(index) => Entry::Vacant(VacantEntry {
                map: self,
                index,
                key,
            }),
        }
    }

    /// The entries with keys in `range`, ascending. Unlike `BTreeMap::range`, an inverted
    /// range is empty rather than a panic.
    pub fn range<Q: Ord + ?Sized, R: RangeBounds<Q>>(&self, range: R) -> Iter<'_, K, V>
    where
        K: Borrow<Q>,
    {
        let (lo, hi) = span(&self.keys, &range);
        self.keys[lo..hi].iter().zip(self.vals[lo..hi].iter())
    }

    pub fn range_mut<Q: Ord + ?Sized, R: RangeBounds<Q>>(&mut self, range: R) -> IterMut<'_, K, V>
    where
        K: Borrow<Q>,
    {
        let (lo, hi) = span(&self.keys, &range);
        self.keys[lo..hi].iter().zip(self.vals[lo..hi].iter_mut())
    }
}

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap::new()
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for VecMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized, V> Index<&Q> for VecMap<K, V> {
    type Output = V;

    /// Panics if the key is absent, like `BTreeMap`'s.
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry found for key")
    }
}

impl<K: Ord, V> Extend<(K, V)> for VecMap<K, V> {
    /// Inserts one by one: a repeated key ends with its last value.
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for VecMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = VecMap::new();
        map.extend(iter);
        map
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for VecMap<K, V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<K, V> IntoIterator for VecMap<K, V> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V>;

    fn into_iter(self) -> IntoIter<K, V> {
        self.keys.into_iter().zip(self.vals)
    }
}

impl<'a, K, V> IntoIterator for &'a VecMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

impl<'a, K, V> IntoIterator for &'a mut VecMap<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;

    fn into_iter(self) -> IterMut<'a, K, V> {
        self.iter_mut()
    }
}

/// A place in a [`VecMap`], from [`VecMap::entry`].
pub enum Entry<'a, K, V> {
    Occupied(OccupiedEntry<'a, K, V>),
    Vacant(VacantEntry<'a, K, V>),
}

pub struct OccupiedEntry<'a, K, V> {
    map: &'a mut VecMap<K, V>,
    index: usize,
}

pub struct VacantEntry<'a, K, V> {
    map: &'a mut VecMap<K, V>,
    /// Where the key goes to keep the keys sorted.
    index: usize,
    key: K,
}

impl<'a, K, V> Entry<'a, K, V> {
    pub fn key(&self) -> &K {
        match self {
            Entry::Occupied(e) => e.key(),
            Entry::Vacant(e) => &e.key,
        }
    }

    pub fn or_insert(self, default: V) -> &'a mut V {
        self.or_insert_with(|| default)
    }

    pub fn or_insert_with(self, default: impl FnOnce() -> V) -> &'a mut V {
        match self {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(default()),
        }
    }

    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }

    pub fn and_modify(mut self, f: impl FnOnce(&mut V)) -> Self {
        if let Entry::Occupied(e) = &mut self {
            f(e.get_mut());
        }
        self
    }
}

impl<'a, K, V> OccupiedEntry<'a, K, V> {
    pub fn key(&self) -> &K {
        &self.map.keys[self.index]
    }

    pub fn get(&self) -> &V {
        &self.map.vals[self.index]
    }

    pub fn get_mut(&mut self) -> &mut V {
        &mut self.map.vals[self.index]
    }

    pub fn into_mut(self) -> &'a mut V {
        &mut self.map.vals[self.index]
    }

    pub fn insert(&mut self, value: V) -> V {
        core::mem::replace(self.get_mut(), value)
    }

    pub fn remove(self) -> V {
        self.remove_entry().1
    }

    pub fn remove_entry(self) -> (K, V) {
        (
            self.map.keys.remove(self.index),
            self.map.vals.remove(self.index),
        )
    }
}

impl<'a, K, V> VacantEntry<'a, K, V> {
    pub fn key(&self) -> &K {
        &self.key
    }

    pub fn into_key(self) -> K {
        self.key
    }

    pub fn insert(self, value: V) -> &'a mut V {
        self.map.keys.insert(self.index, self.key);
        self.map.vals.insert(self.index, value);
        &mut self.map.vals[self.index]
    }
}

/// An ordered set over a sorted vector; the API is `BTreeSet`'s (see the module doc).
#[derive(Clone, PartialEq, Eq)]
pub struct VecSet<T> {
    /// Strictly ascending.
    items: Vec<T>,
}

impl<T> VecSet<T> {
    pub const fn new() -> Self {
        VecSet { items: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn clear(&mut self) {
        self.items.clear();
    }

    pub fn iter(&self) -> slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn first(&self) -> Option<&T> {
        self.items.first()
    }

    pub fn last(&self) -> Option<&T> {
        self.items.last()
    }

    /// Removes the smallest item (O(n): the rest move down).
    pub fn pop_first(&mut self) -> Option<T> {
        if self.items.is_empty() {
            return None;
        }
        Some(self.items.remove(0))
    }

    pub fn pop_last(&mut self) -> Option<T> {
        self.items.pop()
    }

    /// Keeps the items for which `f` is true, visiting them in ascending order.
    pub fn retain(&mut self, f: impl FnMut(&T) -> bool) {
        self.items.retain(f);
    }
}

impl<T: Ord> VecSet<T> {
    pub fn contains<Q: Ord + ?Sized>(&self, item: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        search(&self.items, item).is_ok()
    }

    pub fn get<Q: Ord + ?Sized>(&self, item: &Q) -> Option<&T>
    where
        T: Borrow<Q>,
    {
        search(&self.items, item).ok().map(|i| &self.items[i])
    }

    /// Like `BTreeSet::insert`: false (and the set unchanged) if the item was there.
    pub fn insert(&mut self, item: T) -> bool {
        match search(&self.items, &item) {
            Ok(_) => false,
            Err(i) => {
                self.items.insert(i, item);
                true
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, item: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.take(item).is_some()
    }

    pub fn take<Q: Ord + ?Sized>(&mut self, item: &Q) -> Option<T>
    where
        T: Borrow<Q>,
    {
        let i = search(&self.items, item).ok()?;
        Some(self.items.remove(i))
    }

    /// The items with values in `range`, ascending (an inverted range is empty).
    pub fn range<Q: Ord + ?Sized, R: RangeBounds<Q>>(&self, range: R) -> slice::Iter<'_, T>
    where
        T: Borrow<Q>,
    {
        let (lo, hi) = span(&self.items, &range);
        self.items[lo..hi].iter()
    }

    /// The items of `self` not in `other`, ascending.
    pub fn difference<'a>(&'a self, other: &'a VecSet<T>) -> impl Iterator<Item = &'a T> + 'a {
        self.items.iter().filter(move |x| !other.contains(*x))
    }

    /// The items in both, ascending.
    pub fn intersection<'a>(&'a self, other: &'a VecSet<T>) -> impl Iterator<Item = &'a T> + 'a {
        self.items.iter().filter(move |x| other.contains(*x))
    }

    pub fn is_subset(&self, other: &VecSet<T>) -> bool {
        self.items.iter().all(|x| other.contains(x))
    }

    pub fn is_superset(&self, other: &VecSet<T>) -> bool {
        other.is_subset(self)
    }
}

impl<T> Default for VecSet<T> {
    fn default() -> Self {
        VecSet::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for VecSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T: Ord> Extend<T> for VecSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for item in iter {
            self.insert(item);
        }
    }
}

impl<T: Ord> FromIterator<T> for VecSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut set = VecSet::new();
        set.extend(iter);
        set
    }
}

impl<T: Ord, const N: usize> From<[T; N]> for VecSet<T> {
    fn from(items: [T; N]) -> Self {
        items.into_iter().collect()
    }
}

impl<T> IntoIterator for VecSet<T> {
    type Item = T;
    type IntoIter = vec::IntoIter<T>;

    fn into_iter(self) -> vec::IntoIter<T> {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a VecSet<T> {
    type Item = &'a T;
    type IntoIter = slice::Iter<'a, T>;

    fn into_iter(self) -> slice::Iter<'a, T> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::{BTreeMap, BTreeSet};
    use alloc::format;
    use alloc::string::{String, ToString};
    use alloc::vec;

    fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    #[test]
    fn entry_range_retain_remove_by_hand() {
        let mut m: VecMap<u32, String> = VecMap::new();
        assert_eq!(m.insert(5, "five".into()), None);
        assert_eq!(m.insert(1, "one".into()), None);
        assert_eq!(m.insert(3, "three".into()), None);
        assert_eq!(m.insert(3, "III".into()), Some("three".into()));
        assert_eq!(m.keys().copied().collect::<Vec<_>>(), vec![1, 3, 5]);
        assert_eq!(m[&3], "III");

        m.entry(4).or_default().push('4');
        m.entry(4).or_insert_with(|| unreachable!()).push('!');
        *m.entry(1).or_insert("x".into()) += "+";
        m.entry(2)
            .and_modify(|_| unreachable!())
            .or_insert("two".into());
        m.entry(5).and_modify(|v| v.make_ascii_uppercase());
        let all: Vec<(u32, &str)> = m.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            all,
            vec![(1, "one+"), (2, "two"), (3, "III"), (4, "4!"), (5, "FIVE")]
        );

        let keys = |it: Iter<'_, u32, String>| it.map(|(k, _)| *k).collect::<Vec<_>>();
        assert_eq!(keys(m.range(2..4)), vec![2, 3]);
        assert_eq!(keys(m.range(2..=4)), vec![2, 3, 4]);
        assert_eq!(keys(m.range(..3)), vec![1, 2]);
        assert_eq!(keys(m.range(4..)), vec![4, 5]);
        assert_eq!(keys(m.range(6..)), Vec::<u32>::new());
        assert_eq!(
            keys(m.range((Bound::Excluded(1), Bound::Excluded(5)))),
            vec![2, 3, 4]
        );
        assert_eq!(m.range(..).next_back().map(|(k, _)| *k), Some(5));

        m.retain(|k, v| {
            v.push('.');
            k % 2 == 1
        });
        let all: Vec<(u32, &str)> = m.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(all, vec![(1, "one+."), (3, "III."), (5, "FIVE.")]);

        assert_eq!(m.remove(&3), Some("III.".into()));
        assert_eq!(m.remove(&3), None);
        assert_eq!(m.first_key_value().map(|(k, _)| *k), Some(1));
        assert_eq!(m.last_key_value().map(|(k, _)| *k), Some(5));
        assert_eq!(m.pop_first(), Some((1, "one+.".into())));
        assert_eq!(m.pop_last(), Some((5, "FIVE.".into())));
        assert!(m.is_empty());
        assert_eq!(m.pop_first(), None);

        // Borrowed lookups, as with BTreeMap<String, _>.
        let mut s: VecMap<String, u8> = [("b".to_string(), 2), ("a".to_string(), 1)].into();
        assert_eq!(s.get("a"), Some(&1));
        assert!(s.contains_key("b"));
        *s.get_mut("b").unwrap() += 1;
        assert_eq!(format!("{s:?}"), "{\"a\": 1, \"b\": 3}");
    }

    #[test]
    fn set_by_hand() {
        let mut s: VecSet<u8> = [3, 1, 2, 3].into();
        assert_eq!(s.iter().copied().collect::<Vec<_>>(), vec![1, 2, 3]);
        assert!(!s.insert(2));
        assert!(s.insert(0));
        assert!(s.remove(&1));
        assert!(!s.remove(&1));
        assert_eq!((s.first(), s.last()), (Some(&0), Some(&3)));
        let t: VecSet<u8> = [2, 5].into();
        assert_eq!(s.difference(&t).copied().collect::<Vec<_>>(), vec![0, 3]);
        assert_eq!(s.intersection(&t).copied().collect::<Vec<_>>(), vec![2]);
        assert!(!t.is_subset(&s));
        assert!(VecSet::from([2, 3]).is_subset(&s));
        assert_eq!(s.range(1..3).copied().collect::<Vec<_>>(), vec![2]);
        assert_eq!(format!("{s:?}"), "{0, 2, 3}");
    }

    /// Random operations on a VecMap and a BTreeMap side by side: same answers, same contents
    /// in the same order after every step.
    #[test]
    fn map_matches_btreemap() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        for round in 0..200 {
            let mut ours: VecMap<u16, u64> = VecMap::new();
            let mut std: BTreeMap<u16, u64> = BTreeMap::new();
            let span = 1 + (round % 40) as u64;
            for _ in 0..300 {
                let k = (next() % span) as u16;
                let v = next();
                match next() % 11 {
                    0..=2 => assert_eq!(ours.insert(k, v), std.insert(k, v)),
                    3 => assert_eq!(ours.remove(&k), std.remove(&k)),
                    4 => {
                        *ours.entry(k).or_default() += v % 7;
                        *std.entry(k).or_default() += v % 7;
                    }
                    5 => {
                        let a = *ours.entry(k).and_modify(|x| *x ^= v).or_insert(v);
                        let b = *std.entry(k).and_modify(|x| *x ^= v).or_insert(v);
                        assert_eq!(a, b);
                    }
                    6 => {
                        ours.retain(|k, x| (*k as u64 + *x) % 3 != v % 3);
                        std.retain(|k, x| (*k as u64 + *x) % 3 != v % 3);
                    }
                    7 => {
                        let hi = (next() % (span + 2)) as u16;
                        let a: Vec<_> = ours.range(k..hi.max(k)).collect();
                        let b: Vec<_> = std.range(k..hi.max(k)).collect();
                        assert_eq!(a, b);
                        let a: Vec<_> = ours.range(..=k).rev().collect();
                        let b: Vec<_> = std.range(..=k).rev().collect();
                        assert_eq!(a, b);
                    }
                    8 => assert_eq!(ours.pop_first(), std.pop_first()),
                    9 => {
                        for (_, x) in ours.iter_mut() {
                            *x = x.wrapping_mul(3);
                        }
                        for x in std.values_mut() {
                            *x = x.wrapping_mul(3);
                        }
                    }
                    _ => {
                        assert_eq!(ours.get(&k), std.get(&k));
                        assert_eq!(ours.contains_key(&k), std.contains_key(&k));
                    }
                }
                assert_eq!(ours.len(), std.len());
                assert!(ours.iter().eq(std.iter()));
                assert_eq!(ours.first_key_value(), std.first_key_value());
                assert_eq!(ours.last_key_value(), std.last_key_value());
            }
            let rebuilt: VecMap<u16, u64> = std.clone().into_iter().rev().collect();
            assert_eq!(rebuilt, ours);
            assert!(ours.into_iter().eq(std));
        }
    }

    #[test]
    fn set_matches_btreeset() {
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        for round in 0..200 {
            let mut ours: VecSet<u16> = VecSet::new();
            let mut std: BTreeSet<u16> = BTreeSet::new();
            let span = 1 + (round % 40) as u64;
            for _ in 0..300 {
                let x = (next() % span) as u16;
                match next() % 6 {
                    0 | 1 => assert_eq!(ours.insert(x), std.insert(x)),
                    2 => assert_eq!(ours.remove(&x), std.remove(&x)),
                    3 => assert_eq!(ours.pop_first(), std.pop_first()),
                    4 => {
                        ours.retain(|y| (y ^ x) % 3 != 1);
                        std.retain(|y| (y ^ x) % 3 != 1);
                    }
                    _ => assert_eq!(ours.contains(&x), std.contains(&x)),
                }
                assert!(ours.iter().eq(std.iter()));
                assert_eq!(ours.first(), std.first());
                assert_eq!(ours.last(), std.last());
            }
            let other: VecSet<u16> = (0..span as u16).filter(|y| y % 2 == 0).collect();
            let std_other: BTreeSet<u16> = other.iter().copied().collect();
            assert!(ours.difference(&other).eq(std.difference(&std_other)));
            assert!(ours.intersection(&other).eq(std.intersection(&std_other)));
            assert_eq!(ours.is_subset(&other), std.is_subset(&std_other));
        }
    }
}
