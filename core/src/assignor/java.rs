//! The few Java library behaviours that leak into Kafka's assignment results: `String.compareTo`
//! (UTF-16 code-unit order, used for member ordering A1), `String.hashCode`, and the iteration
//! order of a `java.util.HashMap<String, _>` built with `new HashMap<>()` and `put` (which the
//! sticky assignors' owned-partition pass follows, so it decides who keeps `maxQuota`, A5), and of
//! a `java.util.HashSet` under `add`/`remove` (which partition the sticky general builder moves
//! to avoid a two-way movement).

use alloc::vec::Vec;
use core::cmp::Ordering;

/// Java `String.compareTo`: lexicographic over UTF-16 code units.
pub fn str_cmp(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Java `String.hashCode`: `s[0]*31^(n-1) + … + s[n-1]` over UTF-16 code units, wrapping.
pub fn string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32))
}

/// The order in which a Java `HashMap<String, _>` created with `new HashMap<>()` iterates keys
/// after they were `put` in the order given: by bucket (`(h ^ h >>> 16) & (capacity - 1)`,
/// capacity the smallest power of two ≥ 16 with `len ≤ 0.75 · capacity`), then insertion order
/// within a bucket (resizes split buckets stably). Returns positions into `keys`.
///
/// Buckets that Java would turn into trees (8+ keys in one bucket) are not modelled; that needs
/// deliberately colliding member ids.
pub fn hashmap_order<S: AsRef<str>>(keys: &[S]) -> Vec<usize> {
    let mut capacity = 16usize;
    while keys.len() > capacity / 4 * 3 {
        capacity *= 2;
    }
    let mask = (capacity - 1) as u32;
    let mut order: Vec<(u32, usize)> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let h = string_hash(k.as_ref()) as u32;
            ((h ^ (h >> 16)) & mask, i)
        })
        .collect();
    order.sort_unstable();
    order.into_iter().map(|(_, i)| i).collect()
}

/// The iteration order of a Java `HashSet` created with `new HashSet<>()` over elements with the
/// given `hashCode`s, under `add` and `remove`: by bucket (`(h ^ h >>> 16) & (capacity - 1)`),
/// then by the time of the element's last `add` (a bucket is a linked list appended at the tail;
/// removals and resize splits keep the relative order). The capacity starts at 16 and doubles
/// when the size passes 3/4 of it, or when a bucket of a table smaller than 64 would hold a ninth
/// element (`treeifyBin` resizes instead); it never shrinks. Bins Java turns into trees (9+
/// colliding elements in a table of 64 or more) are not modelled.
///
/// `AbstractStickyAssignor.PartitionMovements.getTheActualPartitionToBeMoved` takes
/// `iterator().next()` of such a set, so which partition moves depends on this order.
#[derive(Clone, Debug)]
pub(crate) struct HashSetOrder<T> {
    capacity: u32,
    next_seq: u64,
    /// (element, spread hash, insertion sequence number)
    items: Vec<(T, u32, u64)>,
}

impl<T: PartialEq + Copy> HashSetOrder<T> {
    pub fn new() -> Self {
        Self {
            capacity: 16,
            next_seq: 0,
            items: Vec::new(),
        }
    }

    fn bucket(&self, spread: u32) -> u32 {
        spread & (self.capacity - 1)
    }

    /// `add(x)` where `x.hashCode() == hash`. Adding an element already present changes nothing.
    pub fn add(&mut self, x: T, hash: i32) {
        if self.items.iter().any(|(y, _, _)| *y == x) {
            return;
        }
        let h = hash as u32;
        let spread = h ^ (h >> 16);
        let b = self.bucket(spread);
        let same_bucket = self
            .items
            .iter()
            .filter(|(_, s, _)| self.bucket(*s) == b)
            .count();
        self.items.push((x, spread, self.next_seq));
        self.next_seq += 1;
        if same_bucket >= 8 && self.capacity < 64 {
            self.capacity *= 2;
        }
        if self.items.len() as u64 > u64::from(self.capacity) / 4 * 3 {
            self.capacity *= 2;
        }
    }

    pub fn remove(&mut self, x: T) {
        if let Some(i) = self.items.iter().position(|(y, _, _)| *y == x) {
            self.items.remove(i);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// `iterator().next()`.
    pub fn first(&self) -> Option<T> {
        self.items
            .iter()
            .min_by_key(|(_, s, seq)| (self.bucket(*s), *seq))
            .map(|(x, _, _)| *x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_hash_matches_java() {
        // "consumer1".hashCode() == -421004549 in Java.
        assert_eq!(string_hash("consumer1"), -421_004_549);
        assert_eq!(string_hash(""), 0);
        assert_eq!(string_hash("a"), 97);
    }

    #[test]
    fn hashmap_order_follows_buckets() {
        // Buckets (capacity 16): consumer1 → 12, consumer2 → 11, consumer3 → 10.
        assert_eq!(
            hashmap_order(&["consumer1", "consumer2", "consumer3"]),
            [2, 1, 0]
        );
    }

    #[test]
    fn str_cmp_is_utf16_order() {
        // U+FF61 (one UTF-16 unit 0xFF61) sorts after U+1F600 (surrogates 0xD83D…) in Java,
        // though Rust's byte order puts it first.
        assert_eq!(str_cmp("\u{FF61}", "\u{1F600}"), Ordering::Greater);
        assert_eq!(str_cmp("a", "b"), Ordering::Less);
    }

    #[test]
    fn hashset_order_is_bucket_then_insertion() {
        let mut s = HashSetOrder::new();
        s.add('a', 17); // bucket 1 of 16
        s.add('b', 1); // bucket 1, after 'a'
        s.add('c', 0); // bucket 0
        assert_eq!(s.first(), Some('c'));
        s.remove('c');
        assert_eq!(s.first(), Some('a'));
        s.remove('a');
        s.add('a', 17); // back at the tail of bucket 1
        assert_eq!(s.first(), Some('b'));
    }

    #[test]
    fn hashset_order_follows_resizes() {
        let mut s = HashSetOrder::new();
        s.add(100u32, 16); // bucket 0 of 16, bucket 16 of 32
        s.add(200, 0); // bucket 0 either way
        assert_eq!(s.first(), Some(100));
        for h in 1..=11 {
            s.add(h as u32, h);
        }
        // The 13th element passes 3/4 of 16: the table doubles and 100 moves to bucket 16.
        assert_eq!(s.first(), Some(200));
        // Emptying does not shrink the table.
        for h in 1..=11 {
            s.remove(h as u32);
        }
        s.remove(200);
        s.add(300, 32); // bucket 0 of 32
        assert_eq!(s.first(), Some(300));
    }
}
