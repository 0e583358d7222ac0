//! The few Java library behaviours that leak into Kafka's assignment results: `String.compareTo`
//! (UTF-16 code-unit order, used for member ordering A1), `String.hashCode`, and the iteration
//! order of a `java.util.HashMap<String, _>` built with `new HashMap<>()` and `put` (which the
//! sticky assignors' owned-partition pass follows, so it decides who keeps `maxQuota`, A5).

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
}
