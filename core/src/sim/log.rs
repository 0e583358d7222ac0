//! One replica's log: its record batches, log start offset, log end offset (LEO), high
//! watermark (HW), the leader-epoch cache and the producer state used for idempotence.
//!
//! Facts: R8 (HW never above LEO; truncation lowers it), R14 (`endOffsetFor`, KIP-279),
//! I1–I3 (producer epoch and sequence checks, the last five batches cached per producer).
//! Segments, indexes, retention and compaction belong to the storage issue and are not built
//! yet; the log here is one list of batches.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;

use crate::error::KafkaError;
use crate::ids::{LeaderEpoch, Offset};

use super::msg::Batch;

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

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Log {
    pub log_start: Offset,
    pub batches: Vec<Batch>,
    pub hw: Offset,
    /// (epoch, start offset), ascending: the leader-epoch checkpoint file.
    pub epochs: Vec<(LeaderEpoch, Offset)>,
    /// Everything below this offset is on disk (fsynced); a power-off keeps only that.
    pub flushed: Offset,
    pub producers: BTreeMap<i64, ProducerEntry>,
    /// Records appended since the last flush (for `flush.messages`).
    pub unflushed_records: u64,
}

impl Log {
    pub fn leo(&self) -> Offset {
        self.batches
            .last()
            .map_or(self.log_start, |b| b.next_offset())
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

    /// Appends a batch whose `base_offset` is already set to the LEO.
    pub fn append(&mut self, batch: Batch) {
        debug_assert_eq!(batch.base_offset, self.leo());
        self.assign_epoch(batch.leader_epoch, batch.base_offset);
        if batch.producer_id >= 0 {
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
        self.unflushed_records += batch.records.len() as u64;
        self.batches.push(batch);
    }

    /// I1–I3: the leader's check of an idempotent batch before it is appended.
    pub fn check_sequence(&self, batch: &Batch) -> Result<SeqCheck, KafkaError> {
        if batch.producer_id < 0 {
            return Ok(SeqCheck::Append);
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
            return Ok(SeqCheck::Append);
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
    /// Returns how many records were removed.
    pub fn truncate_to(&mut self, offset: Offset) -> u64 {
        let offset = offset.max(self.log_start);
        if offset >= self.leo() {
            // No record goes, but epochs that start at or after the point do (R14,
            // `truncateFromEnd`): a replica that led an epoch without writing must forget it,
            // or it keeps reporting that epoch and diverges forever.
            self.epochs.retain(|&(_, s)| s < offset);
            return 0;
        }
        let before = self.leo();
        let idx = self.batches.partition_point(|b| b.next_offset() <= offset);
        // A batch that straddles the point is cut: Kafka truncates at batch boundaries, and
        // the simulation only ever truncates at offsets that are batch boundaries on the
        // leader, so a straddling batch keeps its head as a copy.
        if let Some(b) = self.batches.get(idx) {
            if b.base_offset < offset {
                let keep = (offset - b.base_offset) as usize;
                let mut nb = b.clone();
                nb.records = b.records[..keep].into();
                self.batches.truncate(idx);
                self.batches.push(nb);
            } else {
                self.batches.truncate(idx);
            }
        }
        let leo = self.leo();
        self.epochs.retain(|&(_, s)| s < leo);
        self.hw = self.hw.min(leo);
        self.flushed = self.flushed.min(leo);
        self.rebuild_producer_state();
        (before - leo) as u64
    }

    /// After a truncation the producer state is rebuilt from the batches still in the log,
    /// as Kafka reloads it from the log and its snapshots.
    fn rebuild_producer_state(&mut self) {
        self.producers.clear();
        for b in &self.batches {
            if b.producer_id < 0 {
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

    /// Batches from `offset` on, at most `max_bytes` (at least one batch if any).
    pub fn read_from(&self, offset: Offset, max_bytes: u64) -> Vec<Batch> {
        let mut out = Vec::new();
        let idx = self.batches.partition_point(|b| b.next_offset() <= offset);
        let mut bytes = 0;
        for b in &self.batches[idx..] {
            if !out.is_empty() && bytes + b.size_bytes() > max_bytes {
                break;
            }
            bytes += b.size_bytes();
            if b.base_offset < offset {
                // A fetch from the middle of a batch gets the whole batch, as Kafka's does;
                // the follower never asks for that, as it fetches from batch boundaries.
            }
            out.push(b.clone());
        }
        out
    }

    /// The record at `offset`, if the log holds it.
    pub fn record_at(&self, offset: Offset) -> Option<&super::msg::Rec> {
        if offset < self.log_start || offset >= self.leo() {
            return None;
        }
        let idx = self.batches.partition_point(|b| b.next_offset() <= offset);
        let b = self.batches.get(idx)?;
        b.records.get((offset - b.base_offset) as usize)
    }

    pub fn record_count(&self) -> u64 {
        (self.leo() - self.log_start) as u64
    }

    /// Makes everything on disk (an fsync).
    pub fn flush(&mut self) {
        self.flushed = self.leo();
        self.unflushed_records = 0;
    }

    /// Power loss: what was not flushed is gone.
    pub fn lose_unflushed(&mut self) -> u64 {
        let keep = self.flushed;
        let n = self.truncate_to(keep);
        self.unflushed_records = 0;
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::msg::Rec;
    use alloc::rc::Rc;
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
