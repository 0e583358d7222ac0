//! Where a producer's record goes: Kafka's murmur2 key hash and the built-in partitioner.
//!
//! Implements P1–P4 of `kafka-semantics.md`: `murmur2` byte-exact with
//! `org.apache.kafka.common.utils.Utils.murmur2` (seed `0x9747b28c`, `m = 0x5bd1e995`, `r = 24`,
//! little-endian words, tail bytes unsigned), `toPositive(x) = x & 0x7fffffff` (not `abs`), and
//! `partitionForKey = toPositive(murmur2(key)) % numPartitions` over **all** partitions of the
//! topic. A null key is not hashed (P5); the producer uses its sticky partition instead.

/// Kafka's `Utils.murmur2`, returning Java's signed 32-bit result.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let length = data.len();
    // Java computes `seed ^ length` on ints; the length is truncated to 32 bits the same way.
    let mut h: u32 = SEED ^ (length as u32);
    let mut chunks = data.chunks_exact(4);
    for w in &mut chunks {
        let mut k = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let tail = chunks.remainder();
    // The switch in Java falls through from case 3 to case 1, with the bytes unsigned (`& 0xff`).
    if tail.len() >= 3 {
        h ^= (tail[2] as u32) << 16;
    }
    if tail.len() >= 2 {
        h ^= (tail[1] as u32) << 8;
    }
    if !tail.is_empty() {
        h ^= tail[0] as u32;
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// Kafka's `Utils.toPositive`: clears the sign bit (P2). `Math.abs` would be wrong for
/// `Integer.MIN_VALUE`, which is why Kafka does not use it.
pub fn to_positive(x: i32) -> i32 {
    x & 0x7fff_ffff
}

/// `BuiltInPartitioner.partitionForKey` (P3): the partition a keyed record goes to.
/// `num_partitions` must be positive.
pub fn partition_for_key(key: &[u8], num_partitions: u32) -> u32 {
    debug_assert!(num_partitions > 0);
    (to_positive(murmur2(key)) as u32) % num_partitions.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// P1: the table asserted by Kafka's `UtilsTest.testMurmur2`.
    #[test]
    fn p1_murmur2_matches_kafka_utils_test() {
        assert_eq!(murmur2(b"21"), -973932308);
        assert_eq!(murmur2(b"foobar"), -790332482);
        assert_eq!(murmur2(b"a-little-bit-long-string"), -985981536);
        assert_eq!(murmur2(b"a-little-bit-longer-string"), -1486304829);
        assert_eq!(
            murmur2(b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"),
            -58897971
        );
        assert_eq!(murmur2(b"abc"), 479470107);
    }

    /// P5: the empty key is hashed, and gives 0x106e08d9.
    #[test]
    fn p5_empty_key_is_hashed() {
        assert_eq!(murmur2(b""), 275646681);
    }

    /// P2: toPositive masks the sign bit; it is not abs.
    #[test]
    fn p2_to_positive_masks_sign_bit() {
        assert_eq!(to_positive(i32::MIN), 0);
        assert_eq!(to_positive(-1), i32::MAX);
        assert_eq!(to_positive(5), 5);
    }
}
