//! Storage tests, one per fact (L1–L8, C1–C7 of `kafka-semantics.md`), named after its id.
//! Rolling, index lookups and compaction are data-driven tables checked by one loop each.

use alloc::rc::Rc;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::log::{Log, LogConfig};
use super::msg::{Batch, Rec, BATCH_HEADER_BYTES, RECORD_OVERHEAD_BYTES};
use super::segment::{Segment, OFFSET_INDEX_ENTRY_BYTES};
use super::*;
use crate::config::{ConfigMap, TopicConfig};
use crate::error::KafkaError;
use crate::ids::{BrokerId, Offset, TopicPartition};

/// `n` records of key `k{i}` (value "v", or a tombstone when `value` is None), timestamp `ts`.
fn kbatch(base: Offset, keys: &[&str], value: Option<&str>, ts: u64) -> Batch {
    let recs: Vec<Rec> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| Rec {
            key: Some(Rc::from(*k)),
            value: value.map(Rc::from),
            timestamp: ts,
            rid: base as u64 * 1000 + i as u64,
            origin: 0,
        })
        .collect();
    Batch {
        base_offset: base,
        leader_epoch: 0,
        producer_id: -1,
        producer_epoch: -1,
        base_sequence: -1,
        records: recs.into(),
        max_timestamp: ts,
        attempt: 1,
        transactional: false,
        control: None,
        codec: Default::default(),
    }
}

/// One record with a one-byte key and value: 61 + 20 + 2 = 83 bytes.
fn one(base: Offset, ts: u64) -> Batch {
    kbatch(base, &["k"], Some("v"), ts)
}
const ONE: u64 = BATCH_HEADER_BYTES + RECORD_OVERHEAD_BYTES + 2;

fn cfg(f: impl FnOnce(&mut LogConfig)) -> LogConfig {
    let mut c = LogConfig::default();
    f(&mut c);
    c
}

fn append_all(log: &mut Log, batches: impl IntoIterator<Item = Batch>) {
    for b in batches {
        log.append(b);
    }
}

fn bases(log: &Log) -> Vec<Offset> {
    log.segments.iter().map(|s| s.base_offset).collect()
}

fn keys_and_values(log: &Log) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for b in &log.batches {
        for r in b.records.iter() {
            out.push((
                r.key.as_deref().unwrap_or("-").to_string(),
                r.value.as_deref().map(String::from),
            ));
        }
    }
    out
}

/// L1 (size clause) as a table: segment.bytes and how many one-record batches → where the
/// segments start. A segment of `s` bytes rolls when `s > segment.bytes - 83`.
#[test]
fn l1_roll_by_size_table() {
    let table: &[(i64, u64, &[Offset])] = &[
        (1 << 30, 10, &[0]),
        // 83*2 = 166 > 200 - 83 = 117 → the third batch rolls.
        (200, 7, &[0, 2, 4, 6]),
        (ONE as i64 * 3, 7, &[0, 3, 6]),
        // A batch larger than segment.bytes still goes into its own (non-empty) segment.
        (14, 3, &[0, 1, 2]),
    ];
    for &(seg_bytes, n, want) in table {
        let mut log = Log::with_config(cfg(|c| c.segment_bytes = seg_bytes));
        append_all(&mut log, (0..n as Offset).map(|o| one(o, 0)));
        assert_eq!(bases(&log), want, "segment.bytes={seg_bytes}");
        assert_eq!(log.leo(), n as Offset);
        log.check_segments().unwrap();
    }
}

/// L1 (index clause): a full offset index rolls the segment. segment.index.bytes=16 holds 2
/// entries; index.interval.bytes=0 indexes every batch after the first.
#[test]
fn l1_roll_when_index_full() {
    let mut log = Log::with_config(cfg(|c| {
        c.segment_index_bytes = 24;
        c.index_interval_bytes = 0;
    }));
    append_all(&mut log, (0..6).map(|o| one(o, 0)));
    // Segment 0: batches 0..4 (entries for 1, 2 and 3: full) → 4 rolls. The time index
    // (2 entries of 12 bytes) keeps one entry: the timestamps never grow.
    assert_eq!(bases(&log), vec![0, 4]);
    assert_eq!(log.segments[0].offset_index.len(), 3);
    assert_eq!(
        log.segments[0].offset_index.len() as u64 * OFFSET_INDEX_ENTRY_BYTES,
        24
    );
    // A full time index rolls too: 16 bytes hold one 12-byte entry.
    let mut log = Log::with_config(cfg(|c| {
        c.segment_index_bytes = 16;
        c.index_interval_bytes = 0;
    }));
    append_all(&mut log, (0..6).map(|o| one(o, o as u64)));
    assert_eq!(bases(&log), vec![0, 2, 4]);
}

/// L2: time-based rolling uses the incoming batch's max timestamp minus the first batch's;
/// an empty segment and an empty append never roll.
#[test]
fn l2_time_based_roll_uses_batch_timestamps() {
    let mut log = Log::with_config(cfg(|c| c.segment_ms = 100));
    log.append(one(0, 1_000));
    log.append(one(1, 1_100)); // waited exactly 100: not > 100
    assert_eq!(bases(&log), vec![0]);
    log.append(one(2, 1_101)); // 101 > 100: roll
    assert_eq!(bases(&log), vec![0, 2]);
    // An older timestamp gives a negative wait: no roll.
    log.append(one(3, 5));
    assert_eq!(bases(&log), vec![0, 2]);
    // An empty append never rolls.
    let mut empty = one(4, 9_999);
    empty.records = Vec::new().into();
    log.append(empty);
    assert_eq!(bases(&log), vec![0, 2]);
    // Without a first-batch timestamp the wait is now - created.
    let mut s = Segment::new(0, 0, 10, 0, 4096);
    assert_eq!(s.time_waited_for_roll(50, 0), 40);
    s.first_batch_ts = Some(7);
    assert_eq!(s.time_waited_for_roll(50, 20), 13);
}

/// L3: the new segment's base offset is the incoming batch's first offset; the jitter is
/// per segment, below min(segment.jitter.ms, segment.ms), and deterministic.
#[test]
fn l3_new_segment_base_and_jitter() {
    // 127-byte batches: 127 > 200 - 127 rolls the second.
    let mut log = Log::with_config(cfg(|c| c.segment_bytes = 200));
    log.append(kbatch(0, &["a", "b", "c"], Some("v"), 0));
    log.append(kbatch(3, &["a", "b", "c"], Some("v"), 0));
    assert_eq!(bases(&log), vec![0, 3]);
    assert_eq!(log.segments[1].log_file(), "00000000000000000003.log");
    assert_eq!(log.segments[1].index_file(), "00000000000000000003.index");
    assert_eq!(
        log.segments[1].time_index_file(),
        "00000000000000000003.timeindex"
    );

    let c = cfg(|c| {
        c.segment_ms = 1000;
        c.segment_jitter_ms = 400;
        c.segment_bytes = 200;
    });
    let run = || {
        let mut log = Log::with_config(c);
        log.jitter_seed = 12345;
        append_all(&mut log, (0..40).map(|o| one(o, 0)));
        log.segments
            .iter()
            .map(|s| s.roll_jitter_ms)
            .collect::<Vec<_>>()
    };
    let j = run();
    assert!(j.iter().all(|&x| x < 400));
    assert!(j.iter().any(|&x| x > 0));
    assert_eq!(j, run());
    // Default jitter is 0.
    let mut log = Log::default();
    log.append(one(0, 0));
    assert_eq!(log.segments[0].roll_jitter_ms, 0);
}

/// L4 as a table: index.interval.bytes and the batch sizes → the index entries (offset,
/// position). The check is made before the append, the counter grows after it.
#[test]
fn l4_sparse_offset_index_table() {
    type Row = (i64, u64, &'static [(Offset, u64)]);
    let table: &[Row] = &[
        // Every batch is 83 bytes. interval 100: after 2 batches the counter is 166 > 100.
        (100, 6, &[(2, 166), (4, 332)]),
        (0, 4, &[(1, 83), (2, 166), (3, 249)]),
        (4096, 40, &[]),
        (200, 8, &[(3, 249), (6, 498)]),
    ];
    for &(interval, n, want) in table {
        let mut log = Log::with_config(cfg(|c| c.index_interval_bytes = interval));
        append_all(&mut log, (0..n as Offset).map(|o| one(o, o as u64)));
        let got: Vec<(Offset, u64)> = log.segments[0]
            .offset_index
            .iter()
            .map(|e| (e.offset, e.position))
            .collect();
        assert_eq!(got, want, "index.interval.bytes={interval}");
        // The time index has an entry with each offset entry (timestamps grow here).
        assert_eq!(log.segments[0].time_index.len(), want.len());
    }
}

/// L4: lookups go through the index, then scan; the table says which entry was used and how
/// many batches the scan read.
#[test]
fn l4_lookup_by_offset_table() {
    let mut log = Log::with_config(cfg(|c| c.index_interval_bytes = 100));
    append_all(&mut log, (0..7).map(|o| one(o, 10 * o as u64)));
    // Entries: (2 → 166) slot 0, (4 → 332) slot 1, (6 → 498) slot 2.
    let table: &[(Offset, Option<usize>, usize, Offset)] = &[
        (0, None, 1, 0),
        (1, None, 2, 1),
        (2, Some(0), 1, 2),
        (3, Some(0), 2, 3),
        (5, Some(1), 2, 5),
        (6, Some(2), 1, 6),
    ];
    for &(target, slot, scanned, found) in table {
        let l = log.lookup_offset(target).unwrap();
        assert_eq!(l.index_entry.map(|(s, _)| s), slot, "offset {target}");
        assert_eq!(l.scanned_batches, scanned, "offset {target}");
        assert_eq!(l.offset, Some(found));
    }
    assert!(log.lookup_offset(7).is_none());
}

/// L4: a lookup by timestamp uses the time index, then the offset index, then scans.
#[test]
fn l4_lookup_by_timestamp() {
    let mut log = Log::with_config(cfg(|c| {
        c.index_interval_bytes = 100;
        c.segment_bytes = ONE as i64 * 4 + 1;
    }));
    append_all(&mut log, (0..10).map(|o| one(o, 10 * o as u64)));
    assert_eq!(bases(&log), vec![0, 4, 8]);
    let table: &[(u64, Option<Offset>, Offset)] = &[
        (0, Some(0), 0),
        (15, Some(2), 0),
        (20, Some(2), 0),
        (45, Some(5), 4),
        (90, Some(9), 8),
        (91, None, 0),
    ];
    for &(ts, want, seg) in table {
        let l = log.lookup_timestamp(ts);
        assert_eq!(l.as_ref().and_then(|l| l.offset), want, "ts {ts}");
        if let Some(l) = l {
            assert_eq!(l.segment_base, seg);
        }
    }
    // Segment 0 rolled at 4: its time index has its entry for 2 and the final one for 3.
    let ti: Vec<(u64, Offset)> = log.segments[0]
        .time_index
        .iter()
        .map(|e| (e.timestamp, e.offset))
        .collect();
    assert_eq!(ti, vec![(20, 2), (30, 3)]);
    let l = log.lookup_timestamp(25).unwrap();
    assert_eq!(l.time_entry.map(|(s, e)| (s, e.offset)), Some((0, 2)));
    assert_eq!(l.offset, Some(3));
}

/// L5: an offset that does not fit the segment (delta outside [0, 2^31-1]) is refused by the
/// segment, and the log rolls rather than append it there.
#[test]
fn l5_offset_overflow_rolls() {
    let mut s = Segment::new(0, 0, 0, 0, 4096);
    let far = one(i32::MAX as Offset + 1, 0);
    assert!(s.account_append(&far).is_err());
    assert!(s.account_append(&one(i32::MAX as Offset, 0)).is_ok());
    let mut log = Log::with_config(cfg(|c| c.compact = true));
    log.append(one(0, 0));
    log.append(far);
    assert_eq!(bases(&log), vec![0, i32::MAX as Offset + 1]);
}

fn retention_log(c: LogConfig) -> Log {
    let mut log = Log::with_config(cfg(|x| {
        *x = c;
        x.segment_bytes = ONE as i64 * 2 + 1; // two one-record batches per segment
    }));
    append_all(&mut log, (0..7).map(|o| one(o, 100 * o as u64)));
    log
}

/// L6: whole segments, oldest first, only those whose upper bound is ≤ HW; the log start
/// moves to the next segment's base.
#[test]
fn l6_retention_never_at_or_above_hw() {
    let mut log = retention_log(cfg(|c| c.retention_ms = 0));
    assert_eq!(bases(&log), vec![0, 2, 4, 6]);
    log.hw = 3;
    let rep = log.delete_old_segments(10_000);
    assert_eq!(rep.segments, 1);
    assert_eq!(rep.reason, "retention.ms");
    assert_eq!(log.log_start, 2);
    assert_eq!(bases(&log), vec![2, 4, 6]);
    log.hw = 4;
    log.delete_old_segments(10_000);
    assert_eq!(log.log_start, 4);
    assert!(log.record_at(3).is_none());
    assert!(log.record_at(4).is_some());
    log.check_segments().unwrap();
}

/// L6: if every segment would go, a new one is rolled first; an empty active segment stays.
#[test]
fn l6_all_deletable_rolls_first() {
    let mut log = retention_log(cfg(|c| c.retention_ms = 0));
    log.hw = 7;
    let rep = log.delete_old_segments(10_000);
    assert_eq!(rep.segments, 4);
    assert_eq!(rep.records, 7);
    assert_eq!(bases(&log), vec![7]);
    assert_eq!(log.log_start, 7);
    assert_eq!(log.leo(), 7);
    assert!(log.segments[0].is_empty());
    assert_eq!(log.delete_old_segments(20_000).segments, 0);
    // Appends continue at 7.
    log.append(one(7, 20_000));
    assert_eq!(log.leo(), 8);
}

/// L7: retention.ms by the segment's largest timestamp; retention.bytes by `diff - size >= 0`;
/// both only with cleanup.policy containing delete.
#[test]
fn l7_retention_ms_and_bytes_table() {
    // (retention.ms, retention.bytes, delete, now) → log start after one check.
    // Segments: [0,1] ts ≤100, [2,3] ≤300, [4,5] ≤500, [6] 600; 83 bytes per record.
    let table: &[(i64, i64, bool, u64, Offset)] = &[
        (-1, -1, true, 10_000, 0),
        (1_000, -1, true, 1_100, 0), // 1100-100 = 1000, not > 1000
        (1_000, -1, true, 1_101, 2), // segment 0 breached
        (1_000, -1, true, 1_400, 4),
        (1_000, -1, false, 9_999, 0), // compact only: no time retention
        (-1, ONE as i64 * 5, true, 0, 2), // 7*83 - 5*83 = 166 = one segment
        (-1, ONE as i64 * 5 - 1, true, 0, 2), // diff 167: 167-166 ≥ 0, then 1-166 < 0
        (-1, ONE as i64 * 3, true, 0, 4),
        (-1, ONE as i64 * 7, true, 0, 0),
        (-1, 0, false, 0, 0),
    ];
    for &(ms, bytes, delete, now, want) in table {
        let mut log = retention_log(cfg(|c| {
            c.retention_ms = ms;
            c.retention_bytes = bytes;
            c.delete = delete;
            c.compact = !delete;
        }));
        log.hw = log.leo();
        log.delete_old_segments(now);
        assert_eq!(
            log.log_start, want,
            "ms={ms} bytes={bytes} delete={delete} now={now}"
        );
    }
    // Deletion by log start offset always applies, even for compact-only.
    let mut log = retention_log(cfg(|c| {
        c.delete = false;
        c.compact = true;
    }));
    log.hw = log.leo();
    log.log_start = 4;
    let rep = log.delete_old_segments(0);
    assert_eq!(rep.reason, "log start offset");
    assert_eq!(bases(&log), vec![4, 6]);
}

/// L8: the defaults, from the config tables through `LogConfig::from_topic`.
#[test]
fn l8_defaults() {
    let t = TopicConfig::from_pairs(&[]).unwrap();
    let c = LogConfig::from_topic(&t, &ConfigMap::new("broker"));
    assert_eq!(c, LogConfig::default());
    assert_eq!(c.segment_bytes, 1 << 30);
    assert_eq!(c.segment_ms, 7 * 24 * 3_600_000);
    assert_eq!(c.retention_ms, 7 * 24 * 3_600_000);
    assert_eq!(c.retention_bytes, -1);
    assert_eq!(c.delete_retention_ms, 86_400_000);
    assert_eq!(c.min_cleanable_ratio_ppm, 500_000);
    assert_eq!(c.retention_check_interval_ms, 300_000);
    assert_eq!(c.index_interval_bytes, 4096);
    assert_eq!(c.segment_index_bytes, 10 * 1024 * 1024);
    let t = TopicConfig::from_pairs(&[
        ("cleanup.policy".into(), "compact,delete".into()),
        ("min.cleanable.dirty.ratio".into(), "0.25".into()),
    ])
    .unwrap();
    let c = LogConfig::from_topic(&t, &ConfigMap::new("broker"));
    assert!(c.compact && c.delete);
    assert_eq!(c.min_cleanable_ratio_ppm, 250_000);
}

fn compact_cfg() -> LogConfig {
    cfg(|c| {
        c.compact = true;
        c.delete = false;
        c.segment_bytes = 300; // three one-record batches per segment
        c.min_cleanable_ratio_ppm = 0;
    })
}

/// Appends one record per key (value = its position), rolls, sets the HW to the LEO.
fn compacted_log(writes: &[(&str, Option<&str>)]) -> Log {
    let mut log = Log::with_config(compact_cfg());
    for (i, (k, v)) in writes.iter().enumerate() {
        log.append(kbatch(i as Offset, &[k], *v, i as u64));
    }
    log.hw = log.leo();
    log
}

/// C1 as a table: the writes → what remains after one cleaning (the active segment, the
/// last one, is never cleaned).
#[test]
fn c1_latest_record_per_key_table() {
    type Row<'a> = (
        &'a [(&'a str, Option<&'a str>)],
        &'a [(&'a str, Option<&'a str>)],
    );
    let table: &[Row] = &[
        (
            &[
                ("a", Some("1")),
                ("b", Some("2")),
                ("a", Some("3")),
                ("c", Some("4")),
            ],
            // segments [0..3) [3..4): only segment 0 is cleaned; a@0 is obsolete.
            &[("b", Some("2")), ("a", Some("3")), ("c", Some("4"))],
        ),
        (
            &[
                ("a", Some("1")),
                ("a", Some("2")),
                ("a", Some("3")),
                ("a", Some("4")),
            ],
            &[("a", Some("3")), ("a", Some("4"))],
        ),
        (
            &[
                ("a", Some("1")),
                ("b", Some("2")),
                ("a", None),
                ("b", Some("5")),
                ("c", Some("6")),
                ("b", Some("7")),
                ("z", Some("8")),
            ],
            // Cleaned: [0..6). The tombstone stays (C3), b@5 wins.
            &[
                ("a", None),
                ("c", Some("6")),
                ("b", Some("7")),
                ("z", Some("8")),
            ],
        ),
    ];
    for &(writes, want) in table {
        let mut log = compacted_log(writes);
        let rep = log.maybe_clean(1_000).expect("eligible");
        let got = keys_and_values(&log);
        let want: Vec<(String, Option<String>)> = want
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(String::from)))
            .collect();
        assert_eq!(got, want, "writes {writes:?}");
        assert_eq!(
            (rep.records_before - rep.records_after) as usize,
            writes.len() - want.len()
        );
        log.check_segments().unwrap();
        assert_eq!(log.leo(), writes.len() as Offset);
        // Offsets are kept: every surviving record is at its original offset.
        for b in &log.batches {
            for (j, r) in b.records.iter().enumerate() {
                assert_eq!(r.rid, (b.base_offset + j as Offset) as u64 * 1000);
            }
        }
    }
}

/// C2: the active segment is never cleaned, nor anything at or above the HW, nor a dirty
/// segment within min.compaction.lag.ms.
#[test]
fn c2_active_segment_hw_and_min_lag_limit_cleaning() {
    let w: Vec<(&str, Option<&str>)> = (0..7).map(|_| ("k", Some("v"))).collect();
    // Segments [0..3) [3..6) [6..7): the active one holds k@6.
    let mut log = compacted_log(&w);
    log.hw = 3;
    let c = log.cleanable(1_000).unwrap();
    assert_eq!((c.end_segment, c.first_uncleanable), (1, 3));
    log.maybe_clean(1_000).unwrap();
    assert_eq!(log.live_records(), 5); // segment 0 kept only k@2: the rest is above the HW
    log.hw = 7;
    log.maybe_clean(1_000).unwrap();
    assert_eq!(log.live_records(), 1 + 1);
    assert_eq!(log.segments.last().unwrap().records, 1);
    // min.compaction.lag.ms: a segment with records newer than now - lag is uncleanable.
    let mut log = compacted_log(&w);
    log.config.min_compaction_lag_ms = 500;
    // Segment 0's newest record is at 2, segment 1's at 5.
    assert_eq!(log.cleanable(501).unwrap().end_segment, 0);
    assert_eq!(log.cleanable(502).unwrap().end_segment, 1);
    assert_eq!(log.cleanable(505).unwrap().end_segment, 2);
}

/// C3: a tombstone is kept for delete.retention.ms from when its segment entered the clean
/// part, not from its own timestamp.
#[test]
fn c3_tombstone_kept_for_delete_retention_ms() {
    let mut log = compacted_log(&[
        ("a", Some("1")),
        ("a", None),
        ("b", Some("2")),
        ("c", Some("3")),
    ]);
    log.config.delete_retention_ms = 1_000;
    log.maybe_clean(50_000).unwrap();
    assert_eq!(log.segments[0].clean_since, Some(50_000));
    assert_eq!(
        keys_and_values(&log)[0],
        ("a".to_string(), None),
        "the tombstone survives the first cleaning"
    );
    // Not yet due (the record's own timestamp, 1, is long past: it does not count).
    assert!(!log.cleanable(50_999).unwrap().eligible(0));
    assert!(log.maybe_clean(50_999).is_none());
    // Due: cleaning is triggered by the tombstone and removes it.
    assert!(log.cleanable(51_000).unwrap().tombstones_due);
    let rep = log.maybe_clean(51_000).unwrap();
    assert_eq!(rep.tombstones_removed, 1);
    assert!(keys_and_values(&log).iter().all(|(_, v)| v.is_some()));
}

/// C4: the last batch of each producer id is kept, as an empty batch if all its records were
/// cleaned, so the producer state rebuilt from the log keeps its sequence.
#[test]
fn c4_last_batch_of_each_producer_retained() {
    let mut log = Log::with_config(compact_cfg());
    let mut b0 = kbatch(0, &["a"], Some("1"), 0);
    b0.producer_id = 9;
    b0.producer_epoch = 0;
    b0.base_sequence = 0;
    log.append(b0);
    let mut b1 = kbatch(1, &["a"], Some("2"), 0);
    b1.producer_id = 9;
    b1.producer_epoch = 0;
    b1.base_sequence = 1;
    log.append(b1);
    // Another producer overwrites a, twice, in later segments.
    append_all(&mut log, (2..7).map(|o| kbatch(o, &["a"], Some("x"), 0)));
    log.hw = log.leo();
    log.maybe_clean(100).unwrap();
    // Producer 9's records are obsolete, but its last batch (seq 1) remains, empty.
    let p9: Vec<&Batch> = log.batches.iter().filter(|b| b.producer_id == 9).collect();
    assert_eq!(p9.len(), 1);
    assert!(p9[0].records.is_empty());
    assert_eq!(p9[0].last_sequence(), 1);
    // After a truncation the producer state is rebuilt from the log: still at seq 1.
    log.truncate_to(6);
    assert_eq!(log.producers[&9].batches.back().map(|e| e.1), Some(1));
    let mut next = kbatch(6, &["a"], Some("3"), 0);
    next.producer_id = 9;
    next.producer_epoch = 0;
    next.base_sequence = 2;
    assert_eq!(log.check_sequence(&next), Ok(super::log::SeqCheck::Append));
}

/// C7 as a table: (clean segments, dirty segments, ratio) → eligible. One record of 83
/// bytes per batch, three per segment.
#[test]
fn c7_dirty_ratio_table() {
    // (ratio ppm, cleaned first?, writes after the first cleaning) → eligible
    let table: &[(u64, usize, bool)] = &[
        (500_000, 0, false), // clean 1 record (83) + 0 dirty: nothing dirty
        (500_000, 3, true),  // dirty 3*83 vs clean 83: 0.75
        (800_000, 3, false),
        (750_000, 3, true), // exactly the ratio: ≥
        (0, 1, true),       // k@4, z@5 fill segment [3, 6); z@6 rolls it
    ];
    for &(ratio, more, want) in table {
        let w: Vec<(&str, Option<&str>)> = (0..4).map(|_| ("k", Some("v"))).collect();
        let mut log = compacted_log(&w);
        log.maybe_clean(0).unwrap();
        assert_eq!(log.segments[0].records, 1);
        log.config.min_cleanable_ratio_ppm = ratio;
        let leo = log.leo();
        for i in 0..more as Offset {
            log.append(kbatch(leo + i, &["k"], Some("v"), 0));
        }
        log.append(kbatch(log.leo(), &["z"], Some("v"), 0));
        log.append(kbatch(log.leo(), &["z"], Some("v"), 0));
        log.hw = log.leo();
        let c = log.cleanable(0).unwrap();
        assert_eq!(c.eligible(ratio), want, "ratio {ratio} more {more}: {c:?}");
    }
    // max.compaction.lag.ms makes a log eligible whatever its ratio.
    let w: Vec<(&str, Option<&str>)> = (0..4).map(|_| ("k", Some("v"))).collect();
    let mut log = compacted_log(&w);
    log.config.min_cleanable_ratio_ppm = 1_000_000;
    log.config.max_compaction_lag_ms = 1_000;
    log.maybe_clean(0).unwrap(); // [0,3) clean with one record
    log.append(kbatch(4, &["k"], Some("v"), 10));
    log.append(kbatch(5, &["k"], Some("v"), 10));
    log.append(kbatch(6, &["k"], Some("v"), 10));
    log.hw = log.leo();
    // Dirty [3, 6): ratio 0.75 < 1, so only the lag can make it eligible. Its first batch
    // has timestamp 3.
    assert!(!log.cleanable(1_003).unwrap().eligible(1_000_000));
    assert!(log.cleanable(1_004).unwrap().max_lag_due);
    assert!(log.cleanable(1_004).unwrap().eligible(1_000_000));
}

/// Flushing: flush.messages moves the recovery point; a roll flushes the old segment; a
/// power-off keeps only what was flushed.
#[test]
fn flush_messages_roll_and_power_off() {
    let mut log = Log::with_config(cfg(|c| c.flush_messages = 3));
    append_all(&mut log, (0..5).map(|o| one(o, 0)));
    assert_eq!(log.flushed, 3);
    assert_eq!(log.lose_unflushed(), 2);
    assert_eq!(log.leo(), 3);
    let mut log = Log::with_config(cfg(|c| c.segment_bytes = 200));
    append_all(&mut log, (0..5).map(|o| one(o, 0)));
    assert_eq!(bases(&log), vec![0, 2, 4]);
    assert_eq!(log.flushed, 4, "flushed up to the active segment's base");
    let mut log = Log::with_config(cfg(|c| c.flush_ms = 1_000));
    log.append(one(0, 0));
    assert!(!log.maybe_flush_by_time(999));
    assert!(log.maybe_flush_by_time(1_000));
    assert_eq!(log.flushed, 1);
}

/// Truncation cuts into and removes segments; indexes above the point go.
#[test]
fn truncation_cuts_segments_and_indexes() {
    let mut log = Log::with_config(cfg(|c| {
        c.segment_bytes = ONE as i64 * 3 + 1;
        c.index_interval_bytes = 0;
    }));
    append_all(&mut log, (0..8).map(|o| one(o, o as u64)));
    assert_eq!(bases(&log), vec![0, 3, 6]);
    assert_eq!(log.truncate_to(4), 4);
    assert_eq!(bases(&log), vec![0, 3]);
    assert_eq!(log.leo(), 4);
    assert!(log.segments[1].offset_index.is_empty());
    log.check_segments().unwrap();
    assert_eq!(log.truncate_to(0), 4);
    assert_eq!(bases(&log), vec![0]);
    log.append(one(0, 0));
    assert_eq!(log.leo(), 1);
    log.truncate_fully_and_start_at(50);
    assert_eq!((log.log_start, log.leo(), log.hw), (50, 50, 50));
}

// ------------------------------------------------------------------ through the engine

fn sim_with(topic_cfg: &[(&str, &str)], broker_cfg: &[(&str, &str)]) -> Sim {
    let mut sim = Sim::new(
        SimSpec {
            brokers: 3,
            broker_configs: broker_cfg
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..SimSpec::default()
        },
        3,
    )
    .unwrap();
    sim.apply(Command::CreateTopic {
        name: "t".into(),
        partitions: None,
        replication_factor: None,
        assignment: Some(vec![vec![BrokerId(1), BrokerId(2), BrokerId(3)]]),
        configs: topic_cfg
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    })
    .unwrap();
    sim.apply(Command::AddProducer {
        client_id: "p".into(),
        configs: vec![],
    })
    .unwrap();
    sim.run_for(2_000);
    sim
}

fn produce(sim: &mut Sim, key: &str, value: Option<&str>, n: u32) {
    sim.apply(Command::Produce {
        producer: "p".into(),
        topic: "t".into(),
        key: Some(key.to_string()),
        value: value.map(String::from),
        partition: None,
        count: n,
    })
    .unwrap();
    sim.run_for(1_000);
}

fn replica(sim: &Sim, b: u32) -> crate::view::ReplicaView {
    sim.view()
        .topics
        .into_iter()
        .find(|t| t.name == "t")
        .unwrap()
        .partitions[0]
        .replica_states
        .iter()
        .find(|r| r.broker == BrokerId(b))
        .unwrap()
        .clone()
}

/// L6/L7 in a running cluster: the periodic check deletes old segments on every replica
/// and the log start moves; the view lists the segments with Kafka's file names.
#[test]
fn l7_retention_check_moves_log_start_in_the_cluster() {
    let mut sim = sim_with(
        &[("segment.bytes", "300"), ("retention.ms", "10000")],
        &[("log.retention.check.interval.ms", "5000")],
    );
    for i in 0..4 {
        produce(&mut sim, &alloc::format!("k{i}"), Some("v"), 3);
    }
    let r = replica(&sim, 1);
    assert!(r.segments.len() >= 2, "{:?}", r.segments);
    assert_eq!(r.segments[0].log_file(), "00000000000000000000.log");
    assert!(r.segments.last().unwrap().is_active);
    assert_eq!(r.log_start_offset, 0);
    sim.run_for(20_000);
    for b in 1..=3 {
        let r = replica(&sim, b);
        assert_eq!(r.log_start_offset, 12, "broker {b}: {:?}", r.segments);
        assert_eq!(r.segments.len(), 1);
        assert!(
            r.storage_note.contains("retention.ms"),
            "{}",
            r.storage_note
        );
    }
    sim.check_invariants().unwrap();
    let tp = TopicPartition::new("t", 0);
    assert!(sim.lookup_offset(&tp, BrokerId(1), 3).is_none());
}

/// C1/C3 in a running cluster: the cleaner keeps the latest record per key and the tombstone.
#[test]
fn c1_cleaner_runs_on_every_replica() {
    let mut sim = sim_with(
        &[("cleanup.policy", "compact"), ("segment.bytes", "200")],
        &[],
    );
    produce(&mut sim, "a", Some("1"), 3);
    produce(&mut sim, "b", Some("1"), 3);
    produce(&mut sim, "a", None, 1);
    produce(&mut sim, "c", Some("1"), 3);
    sim.run_for(40_000);
    for b in 1..=3 {
        let r = replica(&sim, b);
        let keys: Vec<(Option<&str>, Option<&str>)> = r
            .records
            .iter()
            .map(|x| (x.key.as_deref(), x.value.as_deref()))
            .collect();
        assert!(
            keys.iter().filter(|(k, _)| *k == Some("a")).count() == 1,
            "broker {b}: {keys:?}"
        );
        assert!(keys.contains(&(Some("a"), None)), "broker {b}: {keys:?}");
        assert!(r.segments.iter().any(|s| s.clean));
    }
    sim.check_invariants().unwrap();
}

/// C6: a compacted topic refuses a record without a key (Kafka's message).
#[test]
fn c6_compacted_topic_refuses_null_key() {
    let mut sim = sim_with(&[("cleanup.policy", "compact")], &[]);
    sim.apply(Command::Produce {
        producer: "p".into(),
        topic: "t".into(),
        key: None,
        value: Some("v".into()),
        partition: None,
        count: 1,
    })
    .unwrap();
    sim.run_for(2_000);
    let p = sim
        .view()
        .producers
        .into_iter()
        .find(|p| p.client_id == "p")
        .unwrap();
    let s = alloc::format!("{p:?}");
    assert_eq!(replica(&sim, 1).log_end_offset, 0, "{s}");
    assert!(
        s.contains("Compacted topic cannot accept message without key")
            || s.contains("INVALID_RECORD"),
        "{s}"
    );
    let _ = KafkaError::InvalidRecord;
}

/// Bad input: kafka-configs --alter with an invalid cleanup.policy or retention is refused
/// with the field named, and nothing changes.
#[test]
fn alter_config_refuses_bad_values_and_changes_nothing() {
    let mut sim = sim_with(&[("retention.ms", "5000")], &[]);
    let before = sim.view();
    for (k, v) in [
        ("cleanup.policy", "shred"),
        ("retention.ms", "-2"),
        ("retention.bytes", "-5"),
        ("segment.bytes", "1"),
    ] {
        let e = sim
            .apply(Command::AlterTopicConfig {
                name: "t".into(),
                set: vec![("segment.ms".into(), "1000".into()), (k.into(), v.into())],
                delete: vec![],
            })
            .unwrap_err();
        assert!(e.to_string().contains(k), "{k}={v}: {e}");
        assert_eq!(sim.view(), before, "{k}={v} changed something");
    }
    // A valid change reaches the brokers' logs.
    sim.apply(Command::AlterTopicConfig {
        name: "t".into(),
        set: vec![("retention.ms".into(), "-1".into())],
        delete: vec![],
    })
    .unwrap();
    sim.run_for(1_000);
    let i = sim.broker_index(BrokerId(2)).unwrap();
    let log = &sim.brokers[i].logs[&TopicPartition::new("t", 0)];
    assert_eq!(log.config.retention_ms, -1);
}

/// A follower whose log ends below the leader's log start starts over there.
#[test]
fn l6_follower_below_leader_log_start_truncates_fully() {
    let mut sim = sim_with(
        &[("segment.bytes", "300"), ("retention.ms", "10000")],
        &[("log.retention.check.interval.ms", "5000")],
    );
    sim.apply(Command::BrokerKill(BrokerId(3))).ok();
    let killed = replica(&sim, 3).log_end_offset;
    for i in 0..4 {
        produce(&mut sim, &alloc::format!("k{i}"), Some("v"), 3);
    }
    sim.run_for(30_000);
    assert!(replica(&sim, 1).log_start_offset > killed);
    sim.apply(Command::BrokerStart(BrokerId(3))).ok();
    sim.run_for(30_000);
    let r = replica(&sim, 3);
    assert_eq!(r.log_end_offset, replica(&sim, 1).log_end_offset);
    sim.check_invariants().unwrap();
}

/// L3: a segment's files are named by its base offset as `%020d` (Kafka's
/// `LogFileUtils.filenamePrefixFromOffset`); the stem is written digit by digit, so its edges
/// are checked against `format!`'s own `{:020}`.
#[test]
fn l3_file_stem_is_twenty_zero_padded_digits() {
    use super::segment::{file_name, file_stem};
    assert_eq!(file_stem(0), "00000000000000000000");
    assert_eq!(file_stem(1_234_567), "00000000000001234567");
    assert_eq!(file_stem(i64::MAX), "09223372036854775807");
    assert_eq!(file_name(42, ".index"), "00000000000000000042.index");
    for n in [9, 10, 99, 100, 1 << 20, 10_000_000_000] {
        assert_eq!(file_stem(n), alloc::format!("{n:020}"));
    }
}
