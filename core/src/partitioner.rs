//! Where a producer's record goes: Kafka's murmur2 key hash and the built-in partitioner.
//!
//! Implements P1–P4 of `kafka-semantics.md`: `murmur2` byte-exact with
//! `org.apache.kafka.common.utils.Utils.murmur2` (seed `0x9747b28c`, `m = 0x5bd1e995`, `r = 24`,
//! little-endian words, tail bytes unsigned), `toPositive(x) = x & 0x7fffffff` (not `abs`), and
//! `partitionForKey = toPositive(murmur2(key)) % numPartitions` over **all** partitions of the
//! topic. A null key is not hashed (P5); the producer uses its sticky partition instead.
//!
//! P6, adaptive partitioning (KIP-794, `partitioner.adaptive.partitioning.enable`, default
//! true): when the sticky partitioner switches, it picks the next partition with a weight of
//! `maxQueue + 1 - queue_i`, where `queue_i` is the number of batches waiting in the
//! accumulator for partition `i`. [`cumulative_frequency_table`] and [`weighted_index`] are
//! `BuiltInPartitioner.updatePartitionLoadStats` and the lookup of `nextPartition`.

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

/// `BuiltInPartitioner.updatePartitionLoadStats` (P6): the cumulative frequency table of the
/// partitions whose leader is known (`queue_sizes`, in partition order), out of `all` queues
/// of the topic. `None` means "no load stats: choose uniformly", which Kafka does with fewer
/// than two queues, with no available partition, or when every queue has the same size and
/// none was left out.
pub fn cumulative_frequency_table(queue_sizes: &[u32], all: usize) -> Option<alloc::vec::Vec<u32>> {
    let length = queue_sizes.len();
    if length < 1 || all < 2 {
        return None;
    }
    let max = queue_sizes.iter().copied().max().unwrap_or(0);
    let all_equal = queue_sizes.iter().all(|q| *q == queue_sizes[0]);
    if all_equal && length == all {
        return None;
    }
    let max_plus_1 = max.saturating_add(1);
    let mut running = 0u32;
    Some(
        queue_sizes
            .iter()
            .map(|q| {
                running = running.saturating_add(max_plus_1 - q);
                running
            })
            .collect(),
    )
}

/// The index chosen by a random number `r` in `[0, cft.last())`: the first entry strictly
/// greater than `r` (`nextPartition`'s binary search).
pub fn weighted_index(cft: &[u32], r: u32) -> usize {
    cft.partition_point(|c| *c <= r)
        .min(cft.len().saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p6_adaptive_frequencies_follow_inverted_queue_sizes() {
        // BuiltInPartitionerTest.adaptivePartitionsTest: queue sizes [5,0,3,0,1] give the
        // frequencies [1,6,3,6,5] (max + 1 - size).
        let cft = cumulative_frequency_table(&[5, 0, 3, 0, 1], 5).expect("not uniform");
        assert_eq!(cft, [1, 7, 10, 16, 21]);
        let mut counts = [0u32; 5];
        for r in 0..*cft.last().unwrap() {
            counts[weighted_index(&cft, r)] += 1;
        }
        assert_eq!(counts, [1, 6, 3, 6, 5]);
        // The Javadoc's example: sizes 0 3 1 → 4 1 3 → CFT 4 5 8; 0..3 → [0], 4 → [1], 5..7 → [2].
        let cft = cumulative_frequency_table(&[0, 3, 1], 3).expect("not uniform");
        assert_eq!(cft, [4, 5, 8]);
        let picks: alloc::vec::Vec<usize> = (0..8).map(|r| weighted_index(&cft, r)).collect();
        assert_eq!(picks, [0, 0, 0, 0, 1, 2, 2, 2]);
    }

    #[test]
    fn p6_equal_queues_or_one_partition_mean_uniform() {
        assert_eq!(cumulative_frequency_table(&[2, 2, 2], 3), None);
        assert_eq!(cumulative_frequency_table(&[4], 1), None);
        assert_eq!(cumulative_frequency_table(&[], 3), None);
        // Equal sizes but a partition left out (no leader): still weighted, over the rest.
        assert_eq!(
            cumulative_frequency_table(&[1, 1], 3),
            Some(alloc::vec![1, 2])
        );
    }

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
