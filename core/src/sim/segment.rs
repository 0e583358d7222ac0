//! A log segment: a contiguous run of a replica's batches with its own offset index and time
//! index, named like Kafka's files (`00000000000000000000.log`, `.index`, `.timeindex`).
//!
//! Facts: L1–L5 of `kafka-semantics.md` (`LogSegment.shouldRoll`, `timeWaitedForRoll`,
//! `LogSegment.append`, `OffsetIndex`, `TimeIndex`).
//!
//! A segment does not own its batches: they stay in the log's one `Vec<Batch>` (records are
//! shared `Rc`s, so a clone of the log for time travel stays cheap) and a segment names its
//! range there (`first_batch`, `batch_count`). Positions are byte offsets inside the segment's
//! `.log` file under the documented size model ([`super::msg::Batch::size_bytes`]).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::ids::Offset;

use super::msg::Batch;
use super::pvec::{self, PVec};

/// Bytes of one offset index entry (4-byte relative offset, 4-byte position; L4).
pub const OFFSET_INDEX_ENTRY_BYTES: u64 = 8;
/// Bytes of one time index entry (8-byte timestamp, 4-byte relative offset).
pub const TIME_INDEX_ENTRY_BYTES: u64 = 12;

/// One offset index entry: `offset` is the last offset of the batch starting at `position`
/// (`OffsetIndex.append(largestOffset, physicalPosition)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexEntry {
    pub offset: Offset,
    pub position: u64,
    /// The simulation's handle: which of the segment's batches starts at `position`.
    pub batch: u32,
}

/// One time index entry: the largest timestamp so far and the (last) offset of the batch that
/// has it (`TimeIndex.maybeAppend`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeIndexEntry {
    pub timestamp: u64,
    pub offset: Offset,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub base_offset: Offset,
    /// Index of this segment's first batch in the log's batch list.
    pub first_batch: usize,
    pub batch_count: usize,
    /// The offset after this segment's last batch as written (compaction keeps it, so the
    /// next offset is known even when the last records were cleaned away).
    pub end: Offset,
    /// The `.log` file's size under the size model.
    pub size: u64,
    pub records: u64,
    /// Tombstones (null values) in the segment.
    pub tombstones: u64,
    /// When the segment was created (the log's clock).
    pub created_ms: u64,
    /// `rollingBasedTimestamp`: the max timestamp of the first batch appended (L2).
    pub first_batch_ts: Option<u64>,
    /// `maxTimestampSoFar` and the offset it belongs to.
    pub max_timestamp: Option<u64>,
    pub offset_of_max_timestamp: Offset,
    pub offset_index: Vec<IndexEntry>,
    pub time_index: Vec<TimeIndexEntry>,
    pub bytes_since_last_index_entry: u64,
    /// `rollJitterMs`, drawn when the segment is created (L3).
    pub roll_jitter_ms: u64,
    /// When the segment entered the clean part of a compacted log (C3), if it has.
    pub clean_since: Option<u64>,
    /// `index.interval.bytes` in force for this segment.
    pub index_interval: u64,
}

/// `LogSegmentOffsetOverflowException` (L5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OffsetOverflow {
    pub base_offset: Offset,
    pub largest_offset: Offset,
}

/// Whether `offset` can be stored relative to `base` (`canConvertToRelativeOffset`, L5).
pub fn fits_relative(base: Offset, offset: Offset) -> bool {
    let d = offset - base;
    (0..=i32::MAX as i64).contains(&d)
}

/// `%020d`: Kafka's file name stem for a base offset. Written digit by digit rather than with
/// `format!`: the view names three files per segment of every replica on every drawn frame.
pub fn file_stem(base: Offset) -> String {
    let Ok(mut n) = u64::try_from(base) else {
        return format!("{base:020}");
    };
    // u64::MAX has 20 digits, so 20 places always hold the whole number.
    let mut digits = [b'0'; 20];
    for d in digits.iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
    digits.iter().map(|&b| char::from(b)).collect()
}

/// `<stem><ext>`: one of a segment's files (`.log`, `.index`, `.timeindex`).
pub fn file_name(base: Offset, ext: &str) -> String {
    [file_stem(base).as_str(), ext].concat()
}

impl Segment {
    pub fn new(
        base_offset: Offset,
        first_batch: usize,
        created_ms: u64,
        jitter: u64,
        index_interval: u64,
    ) -> Self {
        Segment {
            base_offset,
            first_batch,
            batch_count: 0,
            end: base_offset,
            size: 0,
            records: 0,
            tombstones: 0,
            created_ms,
            first_batch_ts: None,
            max_timestamp: None,
            offset_of_max_timestamp: base_offset,
            offset_index: Vec::new(),
            time_index: Vec::new(),
            bytes_since_last_index_entry: 0,
            roll_jitter_ms: jitter,
            clean_since: None,
            index_interval,
        }
    }

    pub fn log_file(&self) -> String {
        file_name(self.base_offset, ".log")
    }
    pub fn index_file(&self) -> String {
        file_name(self.base_offset, ".index")
    }
    pub fn time_index_file(&self) -> String {
        file_name(self.base_offset, ".timeindex")
    }

    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// The batches of this segment, given the log's batch list.
    pub fn batches<'a>(&self, all: &'a PVec<Batch>) -> pvec::Iter<'a, Batch> {
        all.range(self.first_batch, self.first_batch + self.batch_count)
    }

    /// L2: `timeWaitedForRoll`. Signed: an incoming timestamp below the first batch's gives a
    /// negative wait, which never rolls.
    pub fn time_waited_for_roll(&self, now: u64, incoming_max_ts: u64) -> i64 {
        match self.first_batch_ts {
            Some(first) => incoming_max_ts as i64 - first as i64,
            None => now as i64 - self.created_ms as i64,
        }
    }

    /// L4: `LogSegment.append`'s bookkeeping for a batch about to be stored as this segment's
    /// batch number `self.batch_count`. L5: a batch whose offsets do not fit is refused.
    pub fn account_append(&mut self, batch: &Batch) -> Result<(), OffsetOverflow> {
        self.account(batch, batch.size_bytes())
    }

    fn account(&mut self, batch: &Batch, bytes: u64) -> Result<(), OffsetOverflow> {
        let largest = batch.last_offset().max(batch.base_offset);
        if !fits_relative(self.base_offset, largest) {
            return Err(OffsetOverflow {
                base_offset: self.base_offset,
                largest_offset: largest,
            });
        }
        let position = self.size;
        if !batch.records.is_empty() {
            if position == 0 && self.first_batch_ts.is_none() {
                self.first_batch_ts = Some(batch.max_timestamp);
            }
            if self.max_timestamp.is_none_or(|m| batch.max_timestamp > m) {
                self.max_timestamp = Some(batch.max_timestamp);
                self.offset_of_max_timestamp = batch.last_offset();
            }
            if self.bytes_since_last_index_entry > self.index_interval {
                self.offset_index.push(IndexEntry {
                    offset: batch.last_offset(),
                    position,
                    batch: self.batch_count as u32,
                });
                self.maybe_append_time_entry();
                self.bytes_since_last_index_entry = 0;
            }
        }
        self.bytes_since_last_index_entry += bytes;
        self.size += bytes;
        self.records += batch.records.len() as u64;
        self.tombstones += batch.records.iter().filter(|r| r.value.is_none()).count() as u64;
        self.batch_count += 1;
        self.end = self.end.max(batch.next_offset());
        Ok(())
    }

    /// `TimeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar)`: only a larger
    /// timestamp is added.
    pub fn maybe_append_time_entry(&mut self) {
        let Some(ts) = self.max_timestamp else {
            return;
        };
        if self.time_index.last().is_none_or(|e| ts > e.timestamp) {
            self.time_index.push(TimeIndexEntry {
                timestamp: ts,
                offset: self.offset_of_max_timestamp,
            });
        }
    }

    /// Recomputes size, counts, timestamps and both indexes from `batches` (this segment's),
    /// replaying the appends: what Kafka's cleaner and index recovery produce.
    /// `end` is kept unless `keep_end` is false (a truncation recomputes it).
    pub fn rebuild<'a>(&mut self, batches: impl IntoIterator<Item = &'a Batch>, keep_end: bool) {
        let (base, first, created, jitter, clean, end, interval) = (
            self.base_offset,
            self.first_batch,
            self.created_ms,
            self.roll_jitter_ms,
            self.clean_since,
            self.end,
            self.index_interval,
        );
        *self = Segment::new(base, first, created, jitter, interval);
        self.clean_since = clean;
        for b in batches {
            // Batches already in a segment always fit it.
            let _ = self.account(b, b.size_bytes());
        }
        if keep_end {
            self.end = self.end.max(end);
        }
    }
}
