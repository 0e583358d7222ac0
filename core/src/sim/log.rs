//! One replica's log: its record batches, log start offset, log end offset (LEO), high
//! watermark (HW), the leader-epoch cache and the producer state used for idempotence.
//!
//! Facts: R8 (HW never above LEO; truncation lowers it), R14 (`endOffsetFor`, KIP-279),
//! I1–I3 (producer epoch and sequence checks, the last five batches cached per producer),
//! L1–L8 (segments, rolling, the offset and time indexes, retention) and C1–C4, C7
//! (compaction by the log cleaner).
//!
//! The batches stay in one `Vec<Batch>` in offset order; [`Segment`]s name consecutive
//! ranges of it, each with its own offset index and time index. A clone of a log (time
//! travel checkpoints) copies batch headers and `Rc`s, never records.

use crate::collections::{KeyTree, VecMap};
use alloc::collections::VecDeque;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use crate::config::{ConfigMap, TopicConfig};
use crate::error::KafkaError;
use crate::ids::{LeaderEpoch, Offset};

use super::msg::{Batch, ControlType, Rec};
use super::pvec::PVec;
use super::segment::{
    fits_relative, IndexEntry, Segment, TimeIndexEntry, OFFSET_INDEX_ENTRY_BYTES,
    TIME_INDEX_ENTRY_BYTES,
};

/// Broker-side idempotence state of one producer id on one partition (`ProducerStateEntry`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ProducerEntry {
    pub epoch: i16,
    /// (first seq, last seq, first offset), newest last; at most [`NUM_BATCHES_TO_RETAIN`].
    pub batches: VecDeque<(i32, i32, Offset)>,
}

/// `ProducerStateEntry.NUM_BATCHES_TO_RETAIN` (I3).
pub const NUM_BATCHES_TO_RETAIN: usize = 5;

/// What the producer-state check decided for an incoming batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeqCheck {
    Append,
    /// An exact resend of a cached batch: answer with its original first offset (I3).
    Duplicate(Offset),
}

/// The log settings a broker applies to one partition: the topic's overrides on top of the
/// broker's `log.*` defaults. `Default` is Kafka's defaults (L8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogConfig {
    pub segment_bytes: i64,
    pub segment_ms: i64,
    pub segment_jitter_ms: i64,
    pub segment_index_bytes: i64,
    pub index_interval_bytes: i64,
    pub retention_ms: i64,
    pub retention_bytes: i64,
    /// `cleanup.policy` contains `delete`.
    pub delete: bool,
    /// `cleanup.policy` contains `compact`.
    pub compact: bool,
    pub delete_retention_ms: i64,
    /// `min.cleanable.dirty.ratio`, in millionths.
    pub min_cleanable_ratio_ppm: u64,
    pub min_compaction_lag_ms: i64,
    pub max_compaction_lag_ms: i64,
    pub flush_messages: i64,
    pub flush_ms: i64,
    /// The broker's `log.retention.check.interval.ms`.
    pub retention_check_interval_ms: i64,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            segment_bytes: 1 << 30,
            segment_ms: 604_800_000,
            segment_jitter_ms: 0,
            segment_index_bytes: 10 * 1024 * 1024,
            index_interval_bytes: 4096,
            retention_ms: 604_800_000,
            retention_bytes: -1,
            delete: true,
            compact: false,
            delete_retention_ms: 86_400_000,
            min_cleanable_ratio_ppm: 500_000,
            min_compaction_lag_ms: 0,
            max_compaction_lag_ms: i64::MAX,
            flush_messages: i64::MAX,
            flush_ms: i64::MAX,
            retention_check_interval_ms: 300_000,
        }
    }
}

impl LogConfig {
    /// The topic's configs over the broker's defaults (`LogConfig.fromProps`).
    pub fn from_topic(topic: &TopicConfig, broker: &ConfigMap) -> Self {
        let o = &topic.overrides;
        let pick = |k: &str, bk: &str| {
            if o.is_set(k) {
                o.get_i64(k)
            } else {
                broker.get_i64(bk)
            }
        };
        let policy = o.get("cleanup.policy");
        let ratio = crate::config::parse_decimal(o.get("min.cleanable.dirty.ratio")).unwrap_or(0.5);
        LogConfig {
            segment_bytes: pick("segment.bytes", "log.segment.bytes"),
            segment_ms: o.get_i64("segment.ms"),
            segment_jitter_ms: o.get_i64("segment.jitter.ms"),
            segment_index_bytes: o.get_i64("segment.index.bytes"),
            index_interval_bytes: o.get_i64("index.interval.bytes"),
            retention_ms: pick("retention.ms", "log.retention.ms"),
            retention_bytes: pick("retention.bytes", "log.retention.bytes"),
            delete: policy.split(',').any(|p| p.trim() == "delete"),
            compact: policy.split(',').any(|p| p.trim() == "compact"),
            delete_retention_ms: o.get_i64("delete.retention.ms"),
            min_cleanable_ratio_ppm: (ratio.clamp(0.0, 1.0) * 1_000_000.0 + 0.5) as u64,
            min_compaction_lag_ms: o.get_i64("min.compaction.lag.ms"),
            max_compaction_lag_ms: o.get_i64("max.compaction.lag.ms"),
            flush_messages: pick("flush.messages", "log.flush.interval.messages"),
            flush_ms: pick("flush.ms", "log.flush.interval.ms"),
            retention_check_interval_ms: broker.get_i64("log.retention.check.interval.ms"),
        }
    }

    /// `LogConfig.maxSegmentMs`: a compacted log rolls by `max.compaction.lag.ms` too, so
    /// its records can become cleanable in time.
    pub fn max_segment_ms(&self) -> i64 {
        if self.compact {
            self.segment_ms.min(self.max_compaction_lag_ms)
        } else {
            self.segment_ms
        }
    }

    /// Offset index capacity: `segment.index.bytes` / 8 (L4).
    pub fn max_index_entries(&self) -> u64 {
        self.segment_index_bytes.max(0) as u64 / OFFSET_INDEX_ENTRY_BYTES
    }

    /// Time index capacity: `segment.index.bytes` / 12.
    pub fn max_time_index_entries(&self) -> u64 {
        self.segment_index_bytes.max(0) as u64 / TIME_INDEX_ENTRY_BYTES
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Log {
    pub log_start: Offset,
    /// Every batch of the log, in offset order; the segments name ranges of it. Shared in
    /// chunks between clones, so the timeline's checkpoints cost little (see [`PVec`]).
    pub batches: PVec<Batch>,
    pub hw: Offset,
    /// (epoch, start offset), ascending: the leader-epoch checkpoint file.
    pub epochs: Vec<(LeaderEpoch, Offset)>,
    /// Everything below this offset is on disk (fsynced; the recovery point); a power-off
    /// keeps only that.
    pub flushed: Offset,
    pub producers: VecMap<i64, ProducerEntry>,
    /// Records appended since the last flush (for `flush.messages`).
    pub unflushed_records: u64,
    /// The segments, oldest first; the last one is active. Empty until the first append.
    pub segments: Vec<Segment>,
    pub config: LogConfig,
    /// The cleaner's checkpoint (`cleaner-offset-checkpoint`): where the dirty part starts.
    pub clean_upto: Offset,
    /// The latest time the broker told this log (at its maintenance ticks).
    pub clock: u64,
    pub last_flush_ms: u64,
    /// Seeds the per-segment roll jitter; drawn from the simulation's rng, and only when
    /// `segment.jitter.ms` > 0.
    pub jitter_seed: u64,
    /// The last retention deletion and the last cleaning, with their time (for the view).
    pub last_deleted: Option<(u64, DeleteReport)>,
    pub last_cleaned: Option<(u64, CleanReport)>,
    /// I7: open transactions, producer id → the offset of their first record
    /// (`ProducerStateEntry.currentTxnFirstOffset`).
    pub ongoing_txns: VecMap<i64, Offset>,
    /// I7: completed transactions whose marker the HW has not passed yet, as (first offset,
    /// marker offset): still "unstable" (`unreplicatedTxns`).
    pub completed_txns: Vec<(Offset, Offset)>,
    /// The aborted-transaction index (`.txnindex`), in marker order.
    pub aborted_txns: Vec<AbortedTxn>,
}

/// One entry of the aborted-transaction index (`AbortedTxn`): a `read_committed` fetch
/// reports it so the consumer can skip the transaction's records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AbortedTxn {
    pub producer_id: i64,
    pub first_offset: Offset,
    /// The offset of the ABORT marker.
    pub last_offset: Offset,
}

/// What one retention pass deleted (L6, L7).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DeleteReport {
    pub segments: usize,
    pub records: u64,
    pub bytes: u64,
    /// Which rule deleted the first segment: `retention.ms`, `retention.bytes` or
    /// `log start offset`.
    pub reason: &'static str,
}

/// Where the cleaner stands on a compacted log (C2, C7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Cleanable {
    pub first_dirty: Offset,
    /// Segments `[0, end_segment)` may be cleaned; the rest (always the active one) may not.
    pub end_segment: usize,
    pub first_uncleanable: Offset,
    pub clean_bytes: u64,
    pub dirty_bytes: u64,
    /// `dirty / (clean + dirty)`, in millionths.
    pub ratio_ppm: u64,
    /// A dirty record is older than `max.compaction.lag.ms`.
    pub max_lag_due: bool,
    /// A clean segment holds tombstones past `delete.retention.ms`.
    pub tombstones_due: bool,
}

impl Cleanable {
    /// C7: dirty ratio ≥ `min.cleanable.dirty.ratio`, or a dirty record past
    /// `max.compaction.lag.ms` (and, KIP-534, tombstones whose delete horizon passed).
    pub fn eligible(&self, min_ratio_ppm: u64) -> bool {
        (self.dirty_bytes > 0 && (self.ratio_ppm >= min_ratio_ppm || self.max_lag_due))
            || self.tombstones_due
    }
}

/// What one cleaning pass did.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CleanReport {
    pub segments: usize,
    pub first_dirty: Offset,
    pub cleaned_upto: Offset,
    pub ratio_ppm: u64,
    pub records_before: u64,
    pub records_after: u64,
    pub tombstones_removed: u64,
}

/// How a lookup by offset or timestamp went through a segment's indexes (L4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexLookup {
    pub segment_base: Offset,
    /// The time index entry used (its slot and value), for a lookup by timestamp.
    pub time_entry: Option<(usize, TimeIndexEntry)>,
    /// The offset index entry used (its slot and value); `None`: the scan started at the
    /// segment's first batch (position 0).
    pub index_entry: Option<(usize, IndexEntry)>,
    /// Batches read by the scan after the index.
    pub scanned_batches: usize,
    /// The batch found: its base offset and position in the segment.
    pub batch: Option<(Offset, u64)>,
    /// The offset found (the first at or after the target).
    pub offset: Option<Offset>,
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn wrap_seq(s: i64) -> i32 {
    (s.rem_euclid(i32::MAX as i64 + 1)) as i32
}

impl Log {
    /// A log with these settings (the broker creates it when it becomes a replica).
    pub fn with_config(config: LogConfig) -> Self {
        Log {
            config,
            ..Log::default()
        }
    }

    pub fn leo(&self) -> Offset {
        self.segments.last().map_or(self.log_start, |s| s.end)
    }

    /// Records actually held (after compaction fewer than `leo - log_start`).
    pub fn live_records(&self) -> u64 {
        self.segments.iter().map(|s| s.records).sum()
    }

    /// The log's size in bytes (all segments).
    pub fn size_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.size).sum()
    }

    /// Whether the cleaner may have left offset gaps in this log (C1).
    pub fn may_have_gaps(&self) -> bool {
        self.config.compact || self.segments.iter().any(|s| s.clean_since.is_some())
    }

    /// Engine invariant: the segments follow each other without overlap, each within its
    /// offset range, and together hold every batch in order.
    pub fn check_segments(&self) -> Result<(), String> {
        let mut first = 0usize;
        for (i, s) in self.segments.iter().enumerate() {
            if s.first_batch != first {
                return Err(format!(
                    "segment {} starts at batch {} where {first} was expected",
                    s.base_offset, s.first_batch
                ));
            }
            first += s.batch_count;
            if s.end < s.base_offset {
                return Err(format!("segment {} ends at {}", s.base_offset, s.end));
            }
            if let Some(n) = self.segments.get(i + 1) {
                if s.end > n.base_offset || (s.end != n.base_offset && !self.may_have_gaps()) {
                    return Err(format!(
                        "segment {} ends at {} but the next starts at {}",
                        s.base_offset, s.end, n.base_offset
                    ));
                }
            }
            let mut bs = s.batches(&self.batches);
            let f = bs.next();
            if let (Some(f), Some(l)) = (f, bs.next_back().or(f)) {
                if f.base_offset < s.base_offset || l.next_offset() > s.end {
                    return Err(format!(
                        "segment {}..{} holds batches {}..{}",
                        s.base_offset,
                        s.end,
                        f.base_offset,
                        l.next_offset()
                    ));
                }
            }
        }
        if first != self.batches.len() {
            return Err(format!(
                "segments hold {first} batches, the log {}",
                self.batches.len()
            ));
        }
        Ok(())
    }

    /// Tells the log the time (the broker's maintenance ticks do).
    pub fn tick(&mut self, now: u64) {
        self.clock = self.clock.max(now);
    }

    pub fn latest_epoch(&self) -> Option<LeaderEpoch> {
        self.epochs.last().map(|e| e.0)
    }

    /// R14: `endOffsetFor(epoch)`. For the latest epoch, `(epoch, LEO)`; otherwise the largest
    /// epoch ≤ `epoch` and the start offset of the epoch after it; below the first epoch,
    /// `(epoch, first start)`; nothing known, `(-1, -1)`.
    pub fn end_offset_for(&self, epoch: LeaderEpoch) -> (LeaderEpoch, Offset) {
        let Some(&(latest, _)) = self.epochs.last() else {
            return (-1, -1);
        };
        if epoch == latest {
            return (latest, self.leo());
        }
        if epoch > latest {
            // A follower cannot know an epoch the leader does not: Kafka answers with
            // UNDEFINED_EPOCH for it, which fetch handling treats as divergence to LEO.
            return (-1, -1);
        }
        let first = self.epochs[0];
        if epoch < first.0 {
            return (epoch, first.1);
        }
        // The largest entry with e <= epoch; the end is the next entry's start.
        let idx = self.epochs.partition_point(|&(e, _)| e <= epoch);
        let found = self.epochs[idx - 1].0;
        let end = self.epochs.get(idx).map_or(self.leo(), |&(_, s)| s);
        (found, end)
    }

    /// Records a new epoch starting at `start` (R14: assigning an older epoch or an offset at
    /// or below the latest start replaces conflicting entries).
    pub fn assign_epoch(&mut self, epoch: LeaderEpoch, start: Offset) {
        if let Some(&(e, s)) = self.epochs.last() {
            if e == epoch {
                return;
            }
            if e > epoch || s >= start {
                self.epochs.retain(|&(e2, s2)| e2 < epoch && s2 < start);
            }
        }
        self.epochs.push((epoch, start));
    }

    /// Appends a batch whose `base_offset` is at or above the LEO (above it only after a
    /// compacted leader's gap). Rolls the active segment first when L1 says so.
    pub fn append(&mut self, batch: Batch) {
        debug_assert!(batch.base_offset >= self.leo());
        let now = self.clock;
        self.maybe_roll(&batch, now);
        if batch.leader_epoch >= 0 {
            self.assign_epoch(batch.leader_epoch, batch.base_offset);
        }
        self.track_txn(&batch);
        if batch.control.is_some() {
            // I6: a marker with a higher epoch bumps the producer's epoch; the next write
            // must then start at sequence 0 (its sequence state is cleared).
            bump_by_marker(&mut self.producers, &batch);
        } else if batch.producer_id >= 0 {
            let e = self.producers.entry(batch.producer_id).or_default();
            if batch.producer_epoch != e.epoch {
                e.batches.clear();
                e.epoch = batch.producer_epoch;
            }
            e.batches.push_back((
                batch.base_sequence,
                batch.last_sequence(),
                batch.base_offset,
            ));
            while e.batches.len() > NUM_BATCHES_TO_RETAIN {
                e.batches.pop_front();
            }
        }
        let fits = self
            .segments
            .last_mut()
            .is_some_and(|s| s.account_append(&batch).is_ok());
        if !fits {
            // L5: an offset the segment cannot hold relative to its base never gets there:
            // a new segment starts at the batch.
            self.roll(batch.base_offset, now);
            if let Some(s) = self.segments.last_mut() {
                let _ = s.account_append(&batch);
            }
        }
        self.unflushed_records += batch.records.len() as u64;
        self.batches.push(batch);
        // `flush.messages`: Kafka flushes once LEO - recovery point reaches it.
        if self.leo() - self.flushed >= self.config.flush_messages.max(1) {
            self.flush();
        }
    }

    /// L1–L3: `UnifiedLog.maybeRoll`.
    fn maybe_roll(&mut self, batch: &Batch, now: u64) {
        let Some(seg) = self.segments.last() else {
            // The log's first segment starts at its log start (Kafka creates it with the log).
            let base = self.log_start.min(batch.base_offset);
            let jitter = self.jitter_for(base);
            self.segments.push(Segment::new(
                base,
                self.batches.len(),
                now,
                jitter,
                self.config.index_interval_bytes.max(0) as u64,
            ));
            return;
        };
        // L2: an empty segment never rolls, and an empty append never rolls.
        if seg.size == 0 || batch.records.is_empty() {
            return;
        }
        let cfg = &self.config;
        let incoming = batch.size_bytes() as i64;
        let roll = seg.size as i64 > cfg.segment_bytes - incoming
            || seg.time_waited_for_roll(now, batch.max_timestamp)
                > cfg.max_segment_ms() - seg.roll_jitter_ms as i64
            || seg.offset_index.len() as u64 >= cfg.max_index_entries()
            || seg.time_index.len() as u64 >= cfg.max_time_index_entries()
            || !fits_relative(seg.base_offset, batch.last_offset());
        if roll {
            // L3: the new segment starts at the incoming batch's first offset.
            self.roll(batch.base_offset, now);
        }
    }

    /// `roll()`: the active segment becomes inactive (its time index gets a final entry and
    /// it is flushed, as Kafka flushes a segment when it rolls) and a new one starts.
    pub fn roll(&mut self, new_base: Offset, now: u64) {
        let leo = self.leo();
        if let Some(seg) = self.segments.last_mut() {
            if seg.size == 0 && seg.batch_count == 0 {
                // Kafka replaces an empty active segment instead of rolling past it.
                seg.base_offset = new_base;
                seg.end = new_base;
                seg.created_ms = now;
                return;
            }
            seg.maybe_append_time_entry();
        }
        if new_base.min(leo) > self.flushed {
            self.flushed = new_base.min(leo);
            self.unflushed_records = (leo - self.flushed).max(0) as u64;
        }
        let jitter = self.jitter_for(new_base);
        self.segments.push(Segment::new(
            new_base,
            self.batches.len(),
            now,
            jitter,
            self.config.index_interval_bytes.max(0) as u64,
        ));
    }

    /// L3: `segment.jitter.ms` — a per-segment random amount in `[0, min(jitter, segment.ms))`.
    fn jitter_for(&self, base: Offset) -> u64 {
        let j = self
            .config
            .segment_jitter_ms
            .min(self.config.max_segment_ms());
        if j <= 0 {
            return 0;
        }
        splitmix(self.jitter_seed ^ base as u64) % j as u64
    }

    /// I1 for a batch without a sequence (a marker, a transactional offset commit): an epoch
    /// below the producer's current one is `INVALID_PRODUCER_EPOCH`.
    pub fn check_epoch_only(&self, batch: &Batch) -> Result<(), KafkaError> {
        match self.producers.get(&batch.producer_id) {
            Some(e) if batch.producer_epoch < e.epoch => Err(KafkaError::InvalidProducerEpoch),
            _ => Ok(()),
        }
    }

    /// I1–I3: the leader's check of an idempotent batch before it is appended.
    pub fn check_sequence(&self, batch: &Batch) -> Result<SeqCheck, KafkaError> {
        if batch.producer_id < 0 {
            return Ok(SeqCheck::Append);
        }
        // I6: a non-transactional write by a producer id with an open transaction
        // (`ProducerAppendInfo.checkProducerEpoch`/`append`: "Expected transactional write").
        if !batch.transactional && self.ongoing_txns.contains_key(&batch.producer_id) {
            return Err(KafkaError::InvalidTxnState);
        }
        let Some(entry) = self.producers.get(&batch.producer_id) else {
            // A producer with no state accepts any sequence (I2).
            return Ok(SeqCheck::Append);
        };
        if batch.producer_epoch < entry.epoch {
            return Err(KafkaError::InvalidProducerEpoch);
        }
        if batch.producer_epoch > entry.epoch {
            return if batch.base_sequence == 0 {
                Ok(SeqCheck::Append)
            } else {
                Err(KafkaError::OutOfOrderSequenceNumber)
            };
        }
        let (first, last) = (batch.base_sequence, batch.last_sequence());
        if let Some(&(_, _, off)) = entry
            .batches
            .iter()
            .find(|&&(f, l, _)| f == first && l == last)
        {
            return Ok(SeqCheck::Duplicate(off));
        }
        let Some(&(_, last_seq, _)) = entry.batches.back() else {
            // I6: a marker bumped the epoch and cleared the sequence state: the next write
            // must start at 0 (`inSequence(NO_SEQUENCE, seq)`).
            return if first == 0 {
                Ok(SeqCheck::Append)
            } else {
                Err(KafkaError::OutOfOrderSequenceNumber)
            };
        };
        let expected = if last_seq == i32::MAX {
            0
        } else {
            last_seq + 1
        };
        if first == expected {
            Ok(SeqCheck::Append)
        } else {
            Err(KafkaError::OutOfOrderSequenceNumber)
        }
    }

    /// Removes every record at or above `offset`; lowers HW and the flush point with it (R8).
    /// Segments at or above it are deleted and the one holding it is cut (Kafka's
    /// `truncateTo`). Returns how many records were removed.
    pub fn truncate_to(&mut self, offset: Offset) -> u64 {
        let offset = offset.max(self.log_start);
        if offset >= self.leo() {
            // No record goes, but epochs that start at or after the point do (R14,
            // `truncateFromEnd`): a replica that led an epoch without writing must forget it,
            // or it keeps reporting that epoch and diverges forever.
            self.epochs.retain(|&(_, s)| s < offset);
            return 0;
        }
        let before = self.live_records();
        let idx = self.batches.partition_point(|b| b.next_offset() <= offset);
        // A batch that straddles the point is cut: Kafka truncates at batch boundaries, and
        // the simulation only ever truncates at offsets that are batch boundaries on the
        // leader, so a straddling batch keeps its head as a copy.
        if let Some(b) = self.batches.get(idx) {
            if b.base_offset < offset {
                let keep = (offset - b.base_offset) as usize;
                let mut nb = b.clone();
                nb.records = b.records[..keep].into();
                nb.max_timestamp = nb.records.iter().map(|r| r.timestamp).max().unwrap_or(0);
                self.batches.truncate(idx);
                self.batches.push(nb);
            } else {
                self.batches.truncate(idx);
            }
        }
        let keep_segs = self.segments.partition_point(|s| s.base_offset < offset);
        if keep_segs == 0 {
            self.segments.clear();
            let jitter = self.jitter_for(offset);
            self.segments.push(Segment::new(
                offset,
                0,
                self.clock,
                jitter,
                self.config.index_interval_bytes.max(0) as u64,
            ));
        } else {
            self.segments.truncate(keep_segs);
            let nb = self.batches.len();
            if let Some(last) = self.segments.last_mut() {
                let first = last.first_batch.min(nb);
                last.batch_count = nb - first;
                last.rebuild(self.batches.iter_from(first), false);
                last.bytes_since_last_index_entry = 0;
                last.end = offset;
            }
        }
        let leo = self.leo();
        self.epochs.retain(|&(_, s)| s < leo);
        self.hw = self.hw.min(leo);
        self.flushed = self.flushed.min(leo);
        self.clean_upto = self.clean_upto.min(leo);
        self.unflushed_records = (leo - self.flushed).max(0) as u64;
        self.rebuild_producer_state();
        before.saturating_sub(self.live_records())
    }

    /// `truncateFullyAndStartAt`: a follower whose log ends below the leader's log start
    /// drops everything and starts an empty log there.
    pub fn truncate_fully_and_start_at(&mut self, offset: Offset) {
        self.batches.clear();
        self.segments.clear();
        let jitter = self.jitter_for(offset);
        self.segments.push(Segment::new(
            offset,
            0,
            self.clock,
            jitter,
            self.config.index_interval_bytes.max(0) as u64,
        ));
        self.log_start = offset;
        self.hw = offset;
        self.flushed = offset;
        self.clean_upto = offset;
        self.unflushed_records = 0;
        self.epochs.clear();
        self.producers.clear();
        self.ongoing_txns.clear();
        self.completed_txns.clear();
        self.aborted_txns.clear();
    }

    /// After a truncation the producer state is rebuilt from the batches still in the log,
    /// as Kafka reloads it from the log and its snapshots.
    fn rebuild_producer_state(&mut self) {
        self.producers.clear();
        self.ongoing_txns.clear();
        self.completed_txns.clear();
        self.aborted_txns.clear();
        let batches = core::mem::take(&mut self.batches);
        for b in &batches {
            self.track_txn(b);
        }
        self.batches = batches;
        for b in &self.batches {
            if b.producer_id < 0 {
                continue;
            }
            if b.control.is_some() {
                bump_by_marker(&mut self.producers, b);
                continue;
            }
            let e = self.producers.entry(b.producer_id).or_default();
            if b.producer_epoch != e.epoch {
                e.batches.clear();
                e.epoch = b.producer_epoch;
            }
            e.batches
                .push_back((b.base_sequence, b.last_sequence(), b.base_offset));
            while e.batches.len() > NUM_BATCHES_TO_RETAIN {
                e.batches.pop_front();
            }
        }
    }

    // ------------------------------------------------------------- transactions (I6, I7)

    /// Follows a batch's effect on the transaction state: a transactional batch opens (or
    /// continues) its producer's transaction; a marker completes it.
    fn track_txn(&mut self, b: &Batch) {
        if b.producer_id < 0 {
            return;
        }
        let hw = self.hw;
        self.completed_txns.retain(|&(_, marker)| marker >= hw);
        match b.control {
            Some(ctl) => {
                if let Some(first) = self.ongoing_txns.remove(&b.producer_id) {
                    self.completed_txns.push((first, b.base_offset));
                    if ctl == ControlType::Abort {
                        self.aborted_txns.push(AbortedTxn {
                            producer_id: b.producer_id,
                            first_offset: first,
                            last_offset: b.base_offset,
                        });
                    }
                }
            }
            None if b.transactional && !b.records.is_empty() => {
                self.ongoing_txns
                    .entry(b.producer_id)
                    .or_insert(b.base_offset);
            }
            None => {}
        }
    }

    /// I7: the first offset of a transaction that is open, or completed with its marker at
    /// or above the HW (`ProducerStateManager.firstUnstableOffset`).
    pub fn first_unstable_offset(&self) -> Option<Offset> {
        let open = self.ongoing_txns.values().copied().min();
        let unreplicated = self
            .completed_txns
            .iter()
            .filter(|&&(_, marker)| marker >= self.hw)
            .map(|&(first, _)| first)
            .min();
        match (open, unreplicated) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether a data batch belongs to an aborted transaction (C5, and the consumer's skip).
    pub fn is_aborted(&self, b: &Batch) -> bool {
        b.transactional
            && b.control.is_none()
            && self.aborted_txns.iter().any(|a| {
                a.producer_id == b.producer_id
                    && a.first_offset <= b.base_offset
                    && b.base_offset <= a.last_offset
            })
    }

    /// I7: the last stable offset, `min(firstUnstableOffset, HW)` (`UnifiedLog.lastStableOffset`).
    pub fn lso(&self) -> Offset {
        self.first_unstable_offset()
            .map_or(self.hw, |f| f.max(self.log_start).min(self.hw))
    }

    /// I7: the aborted transactions a fetch of `[start, end)` must report
    /// (`collectAbortedTransactions`): those ending at or after `start` and starting before
    /// `end`, as (producer id, first offset).
    pub fn aborted_between(&self, start: Offset, end: Offset) -> Vec<(i64, Offset)> {
        self.aborted_txns
            .iter()
            .filter(|a| a.last_offset >= start && a.first_offset < end)
            .map(|a| (a.producer_id, a.first_offset))
            .collect()
    }

    /// Batches from `offset` on, at most `max_bytes` (at least one batch if any).
    pub fn read_from(&self, offset: Offset, max_bytes: u64) -> Vec<Batch> {
        let mut out = Vec::new();
        let mut bytes = 0;
        for b in self.batches_from(offset) {
            if !out.is_empty() && bytes + b.size_bytes() > max_bytes {
                break;
            }
            bytes += b.size_bytes();
            // A fetch from the middle of a batch gets the whole batch, as Kafka's does.
            out.push(b.clone());
        }
        out
    }

    /// The batches holding `offset` and after, borrowed: what the view reads on every drawn
    /// frame, where [`Log::read_from`]'s clones (a fetch's answer) would be pure waste.
    pub fn batches_from(&self, offset: Offset) -> impl Iterator<Item = &Batch> {
        let idx = self.batches.partition_point(|b| b.next_offset() <= offset);
        self.batches.iter_from(idx)
    }

    /// The record at `offset`, if the log holds it (not below the log start, not cleaned).
    pub fn record_at(&self, offset: Offset) -> Option<&super::msg::Rec> {
        if offset < self.log_start || offset >= self.leo() {
            return None;
        }
        let idx = self.batches.partition_point(|b| b.next_offset() <= offset);
        let b = self.batches.get(idx)?;
        if b.base_offset > offset {
            return None;
        }
        b.records.get((offset - b.base_offset) as usize)
    }

    pub fn record_count(&self) -> u64 {
        (self.leo() - self.log_start) as u64
    }

    /// Makes everything on disk (an fsync).
    pub fn flush(&mut self) {
        self.flushed = self.leo();
        self.unflushed_records = 0;
        self.last_flush_ms = self.clock;
    }

    /// `flush.ms`: flushes when the last flush is that old (checked at the broker's ticks).
    pub fn maybe_flush_by_time(&mut self, now: u64) -> bool {
        self.tick(now);
        let ms = self.config.flush_ms;
        if ms == i64::MAX || self.flushed >= self.leo() {
            return false;
        }
        if now.saturating_sub(self.last_flush_ms) >= ms.max(0) as u64 {
            self.flush();
            return true;
        }
        false
    }

    /// Power loss: what was not flushed is gone.
    pub fn lose_unflushed(&mut self) -> u64 {
        let keep = self.flushed;
        let n = self.truncate_to(keep);
        self.unflushed_records = 0;
        n
    }

    // ------------------------------------------------------------------ lookups (L4)

    /// The segment holding `offset`: the last one whose base is at or below it.
    pub fn segment_for(&self, offset: Offset) -> Option<usize> {
        let i = self.segments.partition_point(|s| s.base_offset <= offset);
        i.checked_sub(1)
    }

    /// `LogSegment.translateOffset`: the largest offset index entry at or below `offset`,
    /// then a scan of batches from its position for the first batch ending at or after it.
    /// `None` when the offset is outside `[log start, LEO)`.
    pub fn lookup_offset(&self, offset: Offset) -> Option<IndexLookup> {
        if offset < self.log_start || offset >= self.leo() {
            return None;
        }
        let si = self.segment_for(offset)?;
        let mut out = self.scan_from_index(si, offset);
        if out.batch.is_none() {
            // In a cleaned gap at the segment's end: the read continues in the next segment.
            if let Some(next) = self.segments.get(si + 1) {
                let b = next.batches(&self.batches).next();
                out = IndexLookup {
                    segment_base: next.base_offset,
                    time_entry: None,
                    index_entry: None,
                    scanned_batches: usize::from(b.is_some()),
                    batch: b.map(|b| (b.base_offset, 0)),
                    offset: b.map(|b| b.base_offset),
                };
            }
        }
        Some(out)
    }

    fn scan_from_index(&self, si: usize, offset: Offset) -> IndexLookup {
        let seg = &self.segments[si];
        let slot = seg.offset_index.partition_point(|e| e.offset <= offset);
        let entry = slot.checked_sub(1).map(|s| (s, seg.offset_index[s]));
        let (start, mut pos) = entry.map_or((0, 0), |(_, e)| (e.batch as usize, e.position));
        let mut scanned = 0;
        let mut found = None;
        for (i, b) in seg.batches(&self.batches).skip(start).enumerate() {
            scanned = i + 1;
            if b.next_offset() > offset && !b.records.is_empty() {
                found = Some((b.base_offset, pos));
                break;
            }
            pos += b.size_bytes();
        }
        IndexLookup {
            segment_base: seg.base_offset,
            time_entry: None,
            index_entry: entry,
            scanned_batches: scanned,
            batch: found,
            offset: found.map(|(base, _)| base.max(offset)),
        }
    }

    /// `UnifiedLog.fetchOffsetByTimestamp` / `LogSegment.findOffsetByTimestamp`: the first
    /// segment whose largest timestamp reaches `ts`; its time index entry at or below `ts`;
    /// the offset index entry for that offset; then a scan for the first record with a
    /// timestamp ≥ `ts`. `None` when no record is that new.
    pub fn lookup_timestamp(&self, ts: u64) -> Option<IndexLookup> {
        let si = self
            .segments
            .iter()
            .position(|s| s.max_timestamp.is_some_and(|m| m >= ts))?;
        let seg = &self.segments[si];
        let tslot = seg.time_index.partition_point(|e| e.timestamp <= ts);
        let tentry = tslot.checked_sub(1).map(|s| (s, seg.time_index[s]));
        let from = tentry
            .map_or(seg.base_offset, |(_, e)| e.offset)
            .max(self.log_start);
        let slot = seg.offset_index.partition_point(|e| e.offset <= from);
        let entry = slot.checked_sub(1).map(|s| (s, seg.offset_index[s]));
        let (start, mut pos) = entry.map_or((0, 0), |(_, e)| (e.batch as usize, e.position));
        for (i, b) in seg.batches(&self.batches).skip(start).enumerate() {
            let scanned = i + 1;
            if b.max_timestamp >= ts {
                for (j, r) in b.records.iter().enumerate() {
                    let o = b.base_offset + j as Offset;
                    if r.timestamp >= ts && o >= self.log_start {
                        return Some(IndexLookup {
                            segment_base: seg.base_offset,
                            time_entry: tentry,
                            index_entry: entry,
                            scanned_batches: scanned,
                            batch: Some((b.base_offset, pos)),
                            offset: Some(o),
                        });
                    }
                }
            }
            pos += b.size_bytes();
        }
        None
    }

    // ------------------------------------------------------------- retention (L6, L7)

    /// L6: how many segments, oldest first, the predicate lets go — stopping at the first it
    /// keeps, at the first whose upper bound is above the HW, and at an empty active one.
    fn deletable(&self, mut pred: impl FnMut(&Segment, Option<Offset>) -> bool) -> usize {
        let leo = self.leo();
        let mut n = 0;
        for (i, s) in self.segments.iter().enumerate() {
            let next = self.segments.get(i + 1).map(|x| x.base_offset);
            let last_and_empty = next.is_none() && s.size == 0;
            let upper = next.unwrap_or(leo);
            if upper <= self.hw && !last_and_empty && pred(s, next) {
                n += 1;
            } else {
                break;
            }
        }
        n
    }

    /// Deletes the first `n` segments; if that is all of them, rolls first (L6). The log
    /// start moves to the first remaining segment.
    fn delete_segments(
        &mut self,
        n: usize,
        now: u64,
        reason: &'static str,
        rep: &mut DeleteReport,
    ) {
        if n == 0 {
            return;
        }
        if n >= self.segments.len() {
            let leo = self.leo();
            self.roll(leo, now);
        }
        let n = n.min(self.segments.len().saturating_sub(1));
        if n == 0 {
            return;
        }
        let nb = self.segments[n].first_batch.min(self.batches.len());
        for s in &self.segments[..n] {
            rep.records += s.records;
            rep.bytes += s.size;
        }
        if rep.segments == 0 {
            rep.reason = reason;
        }
        rep.segments += n;
        self.batches.drop_front(nb);
        self.segments.drain(..n);
        for s in &mut self.segments {
            s.first_batch -= nb;
        }
        let start = self.segments[0].base_offset;
        self.increment_log_start(start);
    }

    /// `maybeIncrementLogStartOffset`: the recovery point, the cleaner checkpoint and the
    /// leader-epoch cache follow; producers with nothing left in the log are forgotten.
    pub fn increment_log_start(&mut self, start: Offset) {
        if start <= self.log_start {
            return;
        }
        self.log_start = start;
        self.hw = self.hw.max(start.min(self.leo()));
        self.flushed = self.flushed.max(start.min(self.leo()));
        self.clean_upto = self.clean_upto.max(start);
        // truncateFromStart: the latest epoch starting at or below the new start now starts
        // there; older ones go.
        let keep_from = self
            .epochs
            .partition_point(|&(_, s)| s <= start)
            .saturating_sub(1);
        self.epochs.drain(..keep_from);
        if let Some(first) = self.epochs.first_mut() {
            if first.1 < start {
                first.1 = start;
            }
        }
        self.producers
            .retain(|_, e| e.batches.back().is_some_and(|&(_, _, off)| off >= start));
    }

    /// The retention check of one log (`UnifiedLog.deleteOldSegments`): segments below the
    /// log start always; with `cleanup.policy` containing `delete`, `retention.bytes` then
    /// `retention.ms` (L7).
    pub fn delete_old_segments(&mut self, now: u64) -> DeleteReport {
        self.tick(now);
        let mut rep = DeleteReport::default();
        let log_start = self.log_start;
        let n = self.deletable(|_, next| next.is_some_and(|nb| nb <= log_start));
        self.delete_segments(n, now, "log start offset", &mut rep);
        if !self.config.delete {
            return rep;
        }
        let rb = self.config.retention_bytes;
        let size = self.size_bytes() as i64;
        if rb >= 0 && size >= rb {
            let mut diff = size - rb;
            let n = self.deletable(|s, _| {
                if diff - s.size as i64 >= 0 {
                    diff -= s.size as i64;
                    true
                } else {
                    false
                }
            });
            self.delete_segments(n, now, "retention.bytes", &mut rep);
        }
        let rms = self.config.retention_ms;
        if rms >= 0 {
            let n = self.deletable(|s, _| {
                let largest = s.max_timestamp.unwrap_or(s.created_ms);
                now as i64 - largest as i64 > rms
            });
            self.delete_segments(n, now, "retention.ms", &mut rep);
        }
        rep
    }

    // ------------------------------------------------------------- compaction (C1–C7)

    /// C2, C7: what the cleaner may clean now. `None` unless the log is compacted and has a
    /// segment besides the active one.
    pub fn cleanable(&self, now: u64) -> Option<Cleanable> {
        if !self.config.compact || self.segments.len() < 2 {
            return None;
        }
        let first_dirty = self.clean_upto.max(self.log_start);
        let min_lag = self.config.min_compaction_lag_ms.max(0) as u64;
        let max_lag = self.config.max_compaction_lag_ms.max(0) as u64;
        let drm = self.config.delete_retention_ms.max(0) as u64;
        let last = self.segments.len() - 1;
        let mut c = Cleanable {
            first_dirty,
            ..Cleanable::default()
        };
        for i in 0..last {
            let s = &self.segments[i];
            let upper = self.segments[i + 1].base_offset;
            let dirty = upper > first_dirty;
            // Never the active segment (the loop stops before it), never beyond the LSO
            // (the HW until transactions exist), never a dirty segment within the minimum
            // compaction lag.
            if upper > self.hw
                || (dirty
                    && min_lag > 0
                    && s.max_timestamp
                        .is_some_and(|t| t.saturating_add(min_lag) > now))
            {
                break;
            }
            c.end_segment = i + 1;
            if dirty {
                c.dirty_bytes += s.size;
            } else {
                c.clean_bytes += s.size;
                if s.tombstones > 0 && s.clean_since.is_some_and(|t| t.saturating_add(drm) <= now) {
                    c.tombstones_due = true;
                }
            }
        }
        c.first_uncleanable = self.segments[c.end_segment].base_offset;
        let total = c.clean_bytes + c.dirty_bytes;
        c.ratio_ppm = if total == 0 {
            0
        } else {
            (c.dirty_bytes as u128 * 1_000_000 / total as u128) as u64
        };
        // max.compaction.lag.ms: the earliest first-batch timestamp among dirty inactive
        // segments (`LogCleanerManager.maxCompactionDelay`).
        c.max_lag_due = self.segments[..last]
            .iter()
            .enumerate()
            .filter(|(i, _)| self.segments[i + 1].base_offset > first_dirty)
            .filter_map(|(_, s)| s.first_batch_ts)
            .min()
            .is_some_and(|t| t.saturating_add(max_lag) < now);
        Some(c)
    }

    /// One pass of the log cleaner if C7 makes the log eligible.
    pub fn maybe_clean(&mut self, now: u64) -> Option<CleanReport> {
        self.tick(now);
        let c = self.cleanable(now)?;
        if !c.eligible(self.config.min_cleanable_ratio_ppm) {
            return None;
        }
        self.clean(now, c)
    }

    /// Cleans segments `[0, c.end_segment)`: keeps the latest record per key (C1), drops
    /// tombstones whose segment has been clean for `delete.retention.ms` (C3), keeps the
    /// last batch of each producer id (C4, as an empty batch if its records all went).
    /// Records without a key are dropped, as Kafka's cleaner does. The surviving records of
    /// a batch are written as one batch per run of consecutive offsets (Kafka keeps one
    /// batch with gaps inside; the simulation's batches have no inner gaps, so a cleaned
    /// segment may carry a few more 61-byte headers than Kafka's).
    pub fn clean(&mut self, now: u64, c: Cleanable) -> Option<CleanReport> {
        let end = c.end_segment;
        if end == 0 || end >= self.segments.len() {
            return None;
        }
        let first_dirty = c.first_dirty;
        let end_batch = self.segments[end].first_batch.min(self.batches.len());
        let drm = self.config.delete_retention_ms.max(0) as u64;
        // The offset map: the latest offset of each key in the dirty part (offsets are never
        // negative: kept as u64 in the engine's one B-tree keyed by record keys). A B-tree, not a
        // `VecMap`: it takes every distinct key of the dirty part, in no order.
        let mut latest = KeyTree::new();
        for b in self.batches.range(0, end_batch) {
            // C5: aborted records never enter the offset map.
            if b.next_offset() <= first_dirty || self.is_aborted(b) {
                continue;
            }
            for (j, r) in b.records.iter().enumerate() {
                let o = b.base_offset + j as Offset;
                if o < first_dirty {
                    continue;
                }
                if let Some(k) = &r.key {
                    if let Some(v) = latest.get_mut(&**k) {
                        *v = o as u64;
                    } else {
                        latest.insert(k.clone(), o as u64);
                    }
                }
            }
        }
        // C4: the last batch of each producer id, in the whole log.
        let mut last_of_pid: VecMap<i64, Offset> = VecMap::new();
        for b in &self.batches {
            if b.producer_id >= 0 && b.control.is_none() {
                last_of_pid.insert(b.producer_id, b.base_offset);
            }
        }
        // C5: per producer, whether a record of its current transaction survives (a marker
        // stays while one does).
        let mut txn_survivor: VecMap<i64, bool> = VecMap::new();
        let mut report = CleanReport {
            segments: end,
            first_dirty,
            ratio_ppm: c.ratio_ppm,
            ..CleanReport::default()
        };
        let mut out: Vec<Batch> = Vec::with_capacity(end_batch);
        let mut counts = Vec::with_capacity(end);
        let mut keep: Vec<bool> = Vec::new();
        for seg in &self.segments[..end] {
            let horizon_passed = seg
                .clean_since
                .is_some_and(|t| t.saturating_add(drm) <= now);
            let start = out.len();
            for b in seg.batches(&self.batches) {
                report.records_before += b.records.len() as u64;
                if b.control.is_some() {
                    // C5: a marker is kept until every record of its transaction is gone
                    // and the delete horizon has passed.
                    let survivor = txn_survivor.remove(&b.producer_id).unwrap_or(false);
                    if survivor || !horizon_passed {
                        report.records_after += b.records.len() as u64;
                        out.push(b.clone());
                    }
                    continue;
                }
                let aborted = self.is_aborted(b);
                keep.clear();
                for (j, r) in b.records.iter().enumerate() {
                    if aborted {
                        // C5: records of aborted transactions go, whatever their key.
                        keep.push(false);
                        continue;
                    }
                    let o = b.base_offset + j as Offset;
                    let k = match &r.key {
                        None => false,
                        Some(k) => {
                            // C1: obsolete if the same key has a later offset.
                            let newest = latest.get(&**k).is_none_or(|&l| l <= o as u64);
                            // C3: a tombstone goes once its segment's horizon passed.
                            let expired = r.value.is_none() && horizon_passed;
                            if newest && expired {
                                report.tombstones_removed += 1;
                            }
                            newest && !expired
                        }
                    };
                    keep.push(k);
                }
                let kept = keep.iter().filter(|&&k| k).count();
                report.records_after += kept as u64;
                if b.transactional && kept > 0 {
                    txn_survivor.insert(b.producer_id, true);
                }
                let last_of_producer =
                    b.producer_id >= 0 && last_of_pid.get(&b.producer_id) == Some(&b.base_offset);
                if kept == b.records.len() {
                    out.push(b.clone());
                    continue;
                }
                let mut j = 0;
                while j < keep.len() {
                    if !keep[j] {
                        j += 1;
                        continue;
                    }
                    let from = j;
                    while j < keep.len() && keep[j] {
                        j += 1;
                    }
                    out.push(sub_batch(b, from, j));
                }
                if last_of_producer && keep.last() != Some(&true) {
                    out.push(header_batch(b));
                }
            }
            counts.push(out.len() - start);
        }
        let tail = self.batches.split_off(end_batch);
        out.extend(tail.iter().cloned());
        self.batches = out.into_iter().collect();
        let mut first = 0;
        for (i, seg) in self.segments.iter_mut().enumerate() {
            seg.first_batch = first;
            if let Some(&n) = counts.get(i) {
                seg.batch_count = n;
                seg.rebuild(self.batches.range(first, first + n), true);
                if seg.clean_since.is_none() {
                    // C3: the segment enters the clean part now.
                    seg.clean_since = Some(now);
                }
            }
            first += seg.batch_count;
        }
        self.clean_upto = self.clean_upto.max(c.first_uncleanable);
        report.cleaned_upto = self.clean_upto;
        Some(report)
    }
}

/// I6: a marker with a higher epoch bumps the producer's epoch and clears its sequence
/// state (`ProducerAppendInfo.appendEndTxnMarker`); a marker for a producer the log does not
/// know starts its state at the marker's epoch.
fn bump_by_marker(producers: &mut VecMap<i64, ProducerEntry>, b: &Batch) {
    let e = producers
        .entry(b.producer_id)
        .or_insert_with(|| ProducerEntry {
            epoch: b.producer_epoch,
            batches: VecDeque::new(),
        });
    if b.producer_epoch > e.epoch {
        e.epoch = b.producer_epoch;
        e.batches.clear();
    }
}

/// Records `[from, to)` of `b` as their own batch (a run that survived cleaning).
fn sub_batch(b: &Batch, from: usize, to: usize) -> Batch {
    let records: Rc<[Rec]> = Rc::from(&b.records[from..to]);
    Batch {
        base_offset: b.base_offset + from as Offset,
        base_sequence: if b.base_sequence < 0 {
            -1
        } else {
            wrap_seq(b.base_sequence as i64 + from as i64)
        },
        max_timestamp: records.iter().map(|r| r.timestamp).max().unwrap_or(0),
        records,
        ..b.clone()
    }
}

/// C4: what remains of a producer's last batch when its records were all cleaned: an empty
/// batch at its last offset whose sequence range ends at the batch's last sequence, so the
/// producer state rebuilt from the log still knows where the producer is.
fn header_batch(b: &Batch) -> Batch {
    let empty: Rc<[Rec]> = Rc::from(Vec::new());
    Batch {
        base_offset: b.last_offset(),
        base_sequence: if b.base_sequence < 0 {
            -1
        } else {
            wrap_seq(b.last_sequence() as i64 + 1)
        },
        records: empty,
        ..b.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn batch(base: Offset, epoch: LeaderEpoch, n: usize) -> Batch {
        let recs: Vec<Rec> = (0..n)
            .map(|i| Rec {
                key: None,
                value: Some(Rc::from("v")),
                timestamp: 0,
                rid: base as u64 * 100 + i as u64,
                origin: 0,
            })
            .collect();
        Batch {
            base_offset: base,
            leader_epoch: epoch,
            producer_id: -1,
            producer_epoch: -1,
            base_sequence: -1,
            records: recs.into(),
            max_timestamp: 0,
            attempt: 1,
            transactional: false,
            control: None,
            codec: Default::default(),
        }
    }

    fn idem(base: Offset, pid: i64, pepoch: i16, seq: i32, n: usize) -> Batch {
        let mut b = batch(base, 0, n);
        b.producer_id = pid;
        b.producer_epoch = pepoch;
        b.base_sequence = seq;
        b
    }

    /// R14: endOffsetFor, as LeaderEpochFileCacheTest states it.
    #[test]
    fn r14_end_offset_for() {
        let mut log = Log::default();
        assert_eq!(log.end_offset_for(0), (-1, -1));
        log.append(batch(0, 1, 5)); // epoch 1 starts at 0
        log.append(batch(5, 3, 5)); // epoch 3 starts at 5
        log.append(batch(10, 4, 2)); // epoch 4 starts at 10, LEO 12
        assert_eq!(log.end_offset_for(4), (4, 12));
        assert_eq!(log.end_offset_for(3), (3, 10));
        assert_eq!(log.end_offset_for(2), (1, 5));
        assert_eq!(log.end_offset_for(0), (0, 0));
    }

    /// R14: assigning an offset at or below the latest start truncates conflicting entries.
    #[test]
    fn r14_assign_truncates_conflicts() {
        let mut log = Log::default();
        log.assign_epoch(1, 0);
        log.assign_epoch(2, 5);
        log.assign_epoch(3, 5);
        assert_eq!(log.epochs, vec![(1, 0), (3, 5)]);
    }

    /// R8: truncation lowers HW; HW never exceeds LEO.
    #[test]
    fn r8_truncation_lowers_hw() {
        let mut log = Log::default();
        log.append(batch(0, 0, 3));
        log.append(batch(3, 0, 3));
        log.hw = 6;
        assert_eq!(log.truncate_to(3), 3);
        assert_eq!(log.leo(), 3);
        assert_eq!(log.hw, 3);
    }

    /// I2/I3: duplicates answered with original offsets; gaps rejected; epochs fenced.
    #[test]
    fn i2_i3_sequence_checks() {
        let mut log = Log::default();
        let b0 = idem(0, 7, 0, 0, 2);
        assert_eq!(log.check_sequence(&b0), Ok(SeqCheck::Append));
        log.append(b0.clone());
        assert_eq!(log.check_sequence(&b0), Ok(SeqCheck::Duplicate(0)));
        assert_eq!(
            log.check_sequence(&idem(2, 7, 0, 5, 1)),
            Err(KafkaError::OutOfOrderSequenceNumber)
        );
        assert_eq!(
            log.check_sequence(&idem(2, 7, 0, 2, 1)),
            Ok(SeqCheck::Append)
        );
        // I1: a lower epoch is fenced.
        log.append(idem(2, 7, 1, 0, 1));
        assert_eq!(
            log.check_sequence(&idem(3, 7, 0, 3, 1)),
            Err(KafkaError::InvalidProducerEpoch)
        );
        // I2: a higher epoch must start at 0.
        assert_eq!(
            log.check_sequence(&idem(3, 7, 2, 4, 1)),
            Err(KafkaError::OutOfOrderSequenceNumber)
        );
    }

    /// I3: only the last five batches are cached.
    #[test]
    fn i3_five_batches_retained() {
        let mut log = Log::default();
        for i in 0..7 {
            log.append(idem(i, 1, 0, i as i32, 1));
        }
        assert_eq!(log.producers[&1].batches.len(), 5);
        assert_eq!(
            log.check_sequence(&idem(7, 1, 0, 0, 1)),
            Err(KafkaError::OutOfOrderSequenceNumber)
        );
        assert_eq!(
            log.check_sequence(&idem(7, 1, 0, 6, 1)),
            Ok(SeqCheck::Duplicate(6))
        );
    }
}
