//! The broker's log manager: its periodic retention check (`log.retention.check.interval.ms`,
//! L6/L7), its log cleaner (C1–C4, C7) with `flush.ms`, and what the view shows of segments
//! and index lookups.
//!
//! Each broker runs these on its own logs, leader or follower, as Kafka's `LogManager` and
//! `LogCleaner` threads do; here they are deterministic timers of the broker process.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::ids::{BrokerId, NodeId, Offset, TopicPartition};
use crate::view;

use super::log::{IndexLookup, Log, LogConfig};

use super::segment::{OFFSET_INDEX_ENTRY_BYTES, TIME_INDEX_ENTRY_BYTES};
use super::{Sim, Timer};

/// `log.cleaner.backoff.ms`: how long the cleaner sleeps when no log needs cleaning. The
/// cleaner here wakes at this interval and also applies `flush.ms` (Kafka's flush scheduler,
/// `log.flush.scheduler.interval.ms`, stands in).
pub const LOG_CLEANER_BACKOFF_MS: u64 = 15_000;

/// How many offset and time index entries each segment's view carries (the count is exact).
pub const INDEX_ENTRIES_SHOWN: usize = 64;

impl Sim {
    /// Arms the broker's storage timers (at start and at every restart).
    pub(crate) fn arm_storage_timers(&mut self, b: BrokerId) {
        let Some(i) = self.broker_index(b) else {
            return;
        };
        let inc = self.brokers[i].incarnation;
        let every = self
            .broker_config
            .get_i64("log.retention.check.interval.ms")
            .max(1) as u64;
        self.schedule_timer(
            NodeId::Broker(b),
            every,
            Timer::LogRetentionCheck { incarnation: inc },
        );
        self.schedule_timer(
            NodeId::Broker(b),
            LOG_CLEANER_BACKOFF_MS,
            Timer::LogCleaner { incarnation: inc },
        );
    }

    /// A storage timer fired on broker `b` (liveness already checked).
    pub(crate) fn storage_timer(&mut self, b: BrokerId, t: &Timer) {
        let Some(i) = self.broker_index(b) else {
            return;
        };
        let now = self.now.0;
        match *t {
            Timer::LogRetentionCheck { incarnation } => {
                let mut any = false;
                for log in self.brokers[i].logs.values_mut() {
                    let rep = log.delete_old_segments(now);
                    if rep.segments > 0 {
                        any = true;
                        log.last_deleted = Some((now, rep));
                    }
                }
                if any {
                    // Deleted data is gone by design: the checker skips it (below log start).
                    self.checker.dirty = true;
                }
                let every = self
                    .broker_config
                    .get_i64("log.retention.check.interval.ms")
                    .max(1) as u64;
                self.schedule_timer(
                    NodeId::Broker(b),
                    every,
                    Timer::LogRetentionCheck { incarnation },
                );
            }
            Timer::LogCleaner { incarnation } => {
                for log in self.brokers[i].logs.values_mut() {
                    log.maybe_flush_by_time(now);
                    if let Some(rep) = log.maybe_clean(now) {
                        log.last_cleaned = Some((now, rep));
                    }
                }
                self.schedule_timer(
                    NodeId::Broker(b),
                    LOG_CLEANER_BACKOFF_MS,
                    Timer::LogCleaner { incarnation },
                );
            }
            _ => {}
        }
    }

    /// Applies the log settings a partition record carries to this broker's replica (Kafka
    /// creates the log when the broker becomes a replica). The roll jitter's seed is drawn
    /// from the simulation's rng only when `segment.jitter.ms` is set.
    pub(crate) fn apply_log_config(&mut self, b: BrokerId, tp: &TopicPartition, cfg: LogConfig) {
        let Some(i) = self.broker_index(b) else {
            return;
        };
        let seed = if cfg.segment_jitter_ms > 0
            && self.brokers[i]
                .logs
                .get(tp)
                .is_none_or(|l| l.jitter_seed == 0)
        {
            self.rng.next_u64() | 1
        } else {
            0
        };
        let now = self.now.0;
        let log = self.brokers[i]
            .logs
            .entry(tp.clone())
            .or_insert_with(|| Box::new(Log::with_config(cfg)));
        log.config = cfg;
        log.tick(now);
        if seed != 0 {
            log.jitter_seed = seed;
        }
    }

    /// L4: a lookup by offset through replica `b`'s indexes of `tp`, as the view shows it.
    pub fn lookup_offset(
        &self,
        tp: &TopicPartition,
        b: BrokerId,
        offset: Offset,
    ) -> Option<view::IndexLookupView> {
        let log = self.brokers.get(self.broker_index(b)?)?.logs.get(tp)?;
        log.lookup_offset(offset).map(|l| lookup_view(&l))
    }

    /// L4: a lookup by timestamp (`ListOffsets` with a timestamp) through the time index.
    pub fn lookup_timestamp(
        &self,
        tp: &TopicPartition,
        b: BrokerId,
        timestamp_ms: u64,
    ) -> Option<view::IndexLookupView> {
        let log = self.brokers.get(self.broker_index(b)?)?.logs.get(tp)?;
        log.lookup_timestamp(timestamp_ms).map(|l| lookup_view(&l))
    }
}

fn lookup_view(l: &IndexLookup) -> view::IndexLookupView {
    view::IndexLookupView {
        segment_base_offset: l.segment_base,
        index_file: super::segment::file_name(l.segment_base, ".index"),
        time_index_slot: l.time_entry.map(|(s, _)| s),
        time_index_entry: l.time_entry.map(|(_, e)| (e.timestamp, e.offset)),
        index_slot: l.index_entry.map(|(s, _)| s),
        index_entry: l.index_entry.map(|(_, e)| (e.offset, e.position)),
        scanned_batches: l.scanned_batches,
        batch_base_offset: l.batch.map(|(o, _)| o),
        batch_position: l.batch.map(|(_, p)| p),
        offset: l.offset,
    }
}

/// The segments of a replica's log, for the view.
pub(crate) fn segment_views(log: &Log) -> Vec<view::SegmentView> {
    let n = log.segments.len();
    let mut out: Vec<view::SegmentView> = log
        .segments
        .iter()
        .enumerate()
        .map(|(i, s)| view::SegmentView {
            base_offset: s.base_offset,
            end_offset: s.end,
            size_bytes: s.size,
            records: s.records,
            batches: s.batch_count as u64,
            tombstones: s.tombstones,
            largest_timestamp_ms: s.max_timestamp,
            created_ms: s.created_ms,
            index_entry_count: s.offset_index.len(),
            index_bytes: s.offset_index.len() as u64 * OFFSET_INDEX_ENTRY_BYTES,
            index_entries: s
                .offset_index
                .iter()
                .take(INDEX_ENTRIES_SHOWN)
                .map(|e| (e.offset, e.position))
                .collect(),
            time_index_entry_count: s.time_index.len(),
            timeindex_bytes: s.time_index.len() as u64 * TIME_INDEX_ENTRY_BYTES,
            time_index_entries: s
                .time_index
                .iter()
                .take(INDEX_ENTRIES_SHOWN)
                .map(|e| (e.timestamp, e.offset))
                .collect(),
            is_active: i + 1 == n,
            clean: s.clean_since.is_some(),
        })
        .collect();
    if out.is_empty() {
        // A log with no append yet: Kafka has created its first, empty segment.
        out.push(view::SegmentView {
            base_offset: log.log_start,
            end_offset: log.log_start,
            size_bytes: 0,
            records: 0,
            batches: 0,
            tombstones: 0,
            largest_timestamp_ms: None,
            created_ms: 0,
            index_entry_count: 0,
            index_bytes: 0,
            index_entries: Vec::new(),
            time_index_entry_count: 0,
            timeindex_bytes: 0,
            time_index_entries: Vec::new(),
            is_active: true,
            clean: false,
        });
    }
    out
}

/// A one-line description of the last retention and cleaning of a log, for the view.
pub(crate) fn storage_note(log: &Log) -> String {
    let mut s = String::new();
    if let Some((t, r)) = &log.last_deleted {
        s.push_str(&alloc::format!(
            "at {t} ms deleted {} segment(s), {} record(s) ({})",
            r.segments,
            r.records,
            r.reason
        ));
    }
    if let Some((t, r)) = &log.last_cleaned {
        if !s.is_empty() {
            s.push_str("; ");
        }
        s.push_str(&alloc::format!(
            "at {t} ms cleaned {} segment(s): {} → {} record(s), {} tombstone(s) removed",
            r.segments,
            r.records_before,
            r.records_after,
            r.tombstones_removed
        ));
    }
    s
}
