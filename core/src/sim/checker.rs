//! The guarantee checker: it watches the run and reports, as data that cites the step that
//! caused it, every broken promise a learner should see.
//!
//! * `lost`: a record whose send was reported successful no longer exists in its partition
//!   (the leader's log no longer holds it; for an offline partition, or one whose leader is
//!   down and not yet replaced, no replica does).
//! * `duplicate`: a resent batch was appended although its first copy is already in the log
//!   (a retry without idempotence after a lost answer).
//! * `reorder`: two records of one producer with the same key landed in a partition in the
//!   opposite order of their sends.
//! * `two-leaders`: two brokers acting as leader of one partition in one leader epoch.
//! * `read-above-hw`: a consumer was handed a record at or above the HW it was read under (R6).
//! * `two-owners`: two members of a group were assigned one partition in one generation.
//!
//! Consumers are tracked per record (`rid`): how many times each group processed it, so that
//! at-least-once redeliveries (duplicates) and at-most-once gaps (skipped) can be counted.
//!
//! The checker runs after every step but only rescans when something that can destroy data
//! happened (a truncation, a power-off, a leader change), so a quiet run pays nothing.

use crate::collections::{KeyTree, NumTree, VecMap, VecSet};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::ids::{BrokerId, Offset, TopicPartition};
use crate::view::FindingView;

use super::msg::{Batch, Rec};
use super::Sim;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FindingKind {
    Lost,
    Duplicate,
    Reorder,
    ReadAboveHw,
    TwoLeaders,
    TwoOwners,
    /// A `read_committed` consumer was handed a record of an aborted or open transaction.
    UncommittedRead,
}

impl FindingKind {
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::Lost => "lost",
            FindingKind::Duplicate => "duplicate",
            FindingKind::Reorder => "reorder",
            FindingKind::ReadAboveHw => "read-above-hw",
            FindingKind::TwoLeaders => "two-leaders",
            FindingKind::TwoOwners => "two-owners",
            FindingKind::UncommittedRead => "uncommitted-read",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    pub step: u64,
    pub time_ms: u64,
    pub message: String,
}

impl Finding {
    pub fn view(&self) -> FindingView {
        FindingView {
            kind: self.kind.name(),
            step: self.step,
            time_ms: self.time_ms,
            message: self.message.clone(),
        }
    }
}

/// An acknowledged record: its offset (`None` for acks=0, where the producer never learns
/// it) and its identity. Grouped by partition so that one record costs 16 bytes.
type Acked = (Option<Offset>, u64);

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Checker {
    pub findings: Vec<Finding>,
    /// Something happened that may have destroyed acknowledged data.
    pub dirty: bool,
    /// Shared in chunks between clones, like the logs: it grows with every acknowledged
    /// record and the timeline keeps many clones of it.
    acked: VecMap<TopicPartition, super::pvec::PVec<Acked>>,
    lost: VecSet<u64>,
    /// Per partition and producer: the newest record id appended for each key. The inner map
    /// stays a B-tree ([`KeyTree`]): it takes every distinct key a run produces, in no order.
    last_by_key: VecMap<(TopicPartition, u32), KeyTree>,
    /// Per group: how many times each record was processed by one of its consumers. The inner
    /// map stays a B-tree ([`NumTree`], keyed by record id): it grows with every record
    /// consumed through a whole run, and records arrive interleaved across partitions at
    /// different lags (a group that starts from the earliest offsets fills in keys all over),
    /// which a sorted vector would make quadratic.
    pub processed: VecMap<String, NumTree>,
    /// Per group: the sum over `processed` of every count above one, kept as records are
    /// processed so that the view (every drawn frame) need not walk the whole map.
    pub duplicates: VecMap<String, u64>,
    /// Per group: the newest generation seen by a consumer and who owns what in it.
    claims: VecMap<String, (i32, VecMap<TopicPartition, String>)>,
    /// Transactional records by record id: `None` while their transaction is open, then
    /// whether it committed (decided by the marker a leader wrote).
    pub txn_records: VecMap<u64, Option<bool>>,
}

impl Checker {
    pub fn lost_count(&self) -> u64 {
        self.lost.len() as u64
    }

    pub fn count(&self, kind: FindingKind) -> usize {
        self.findings.iter().filter(|f| f.kind == kind).count()
    }
}

impl Sim {
    fn finding(&mut self, kind: FindingKind, message: String) {
        let f = Finding {
            kind,
            step: self.steps,
            time_ms: self.now.0,
            message,
        };
        self.checker.findings.push(f);
    }

    pub(crate) fn lost_acked(&self) -> u64 {
        self.checker.lost_count()
    }

    pub(crate) fn checker_on_ack(
        &mut self,
        tp: &TopicPartition,
        base: Option<Offset>,
        records: &[Rec],
    ) {
        // A record of an aborted transaction is not data anyone may rely on (the cleaner
        // removes it, C5): it is never counted as acknowledged.
        let aborted = |rid: u64| self.checker.txn_records.get(&rid) == Some(&Some(false));
        let records: Vec<Rec> = records
            .iter()
            .filter(|r| !aborted(r.rid))
            .cloned()
            .collect();
        let records = &records[..];
        // An ack can arrive after the record was already truncated away (acks=1 and a quick
        // leader change): check the new ones now, without rescanning everything.
        let mut missing = 0;
        let mut first_missing = None;
        for (i, r) in records.iter().enumerate() {
            let a: Acked = (base.map(|b| b + i as Offset), r.rid);
            if !self.record_exists(tp, &a) && self.checker.lost.insert(a.1) {
                missing += 1;
                first_missing.get_or_insert(a.0);
            }
        }
        self.checker.acked.entry(tp.clone()).or_default().extend(
            records
                .iter()
                .enumerate()
                .map(|(i, r)| (base.map(|b| b + i as Offset), r.rid)),
        );
        if missing > 0 {
            let at = first_missing
                .flatten()
                .map_or(String::new(), |o| format!(" from offset {o}"));
            self.finding(
                FindingKind::Lost,
                format!("{tp}: {missing} acknowledged record(s){at} no longer exist"),
            );
        }
    }

    /// A message was lost on the way. An acks=0 produce request takes its records with it:
    /// the producer has already reported them sent.
    pub(crate) fn checker_on_dropped(&mut self, msg: &super::msg::Message) {
        if let super::msg::Message::ProduceRequest {
            acks: 0, batches, ..
        } = msg
        {
            for (tp, b) in batches {
                self.checker_on_ack(tp, None, &b.records);
            }
        }
    }

    /// The leader appends a batch: look for duplicates and per-key reordering.
    pub(crate) fn checker_on_append(&mut self, b: BrokerId, tp: &TopicPartition, batch: &Batch) {
        let Some(first) = batch.records.first() else {
            return;
        };
        if batch.transactional && batch.control.is_none() {
            for r in batch.records.iter() {
                self.checker.txn_records.entry(r.rid).or_insert(None);
            }
        }
        if batch.attempt > 1 {
            let i = self.broker_index(b).expect("validated");
            let present = self.brokers[i].logs.get(tp).is_some_and(|log| {
                log.batches
                    .iter()
                    .rev()
                    .take(4096)
                    .any(|x| x.records.iter().any(|r| r.rid == first.rid))
            });
            if present {
                let n = batch.records.len();
                self.finding(
                    FindingKind::Duplicate,
                    format!("{tp}: a resent batch of {n} record(s) was appended again (first copy already in the log)"),
                );
                return;
            }
        }
        let key = (tp.clone(), first.origin);
        let mut reordered = None;
        let map = self.checker.last_by_key.entry(key).or_default();
        for r in batch.records.iter() {
            let Some(k) = &r.key else { continue };
            match map.get(k) {
                Some(last) if *last > r.rid => reordered = Some(k.clone()),
                _ => {
                    map.insert(k.clone(), r.rid);
                }
            }
        }
        if let Some(k) = reordered {
            self.finding(
                FindingKind::Reorder,
                format!("{tp}: records with key '{k}' were appended out of send order (a retry overtook a later batch)"),
            );
        }
    }

    /// A leader wrote a transaction marker: these records are committed or aborted. An
    /// aborted record stops counting as acknowledged data.
    pub(crate) fn checker_on_txn_outcome(&mut self, rids: &[u64], commit: bool) {
        if rids.is_empty() {
            return;
        }
        for r in rids {
            self.checker.txn_records.insert(*r, Some(commit));
        }
        if !commit {
            let gone: VecSet<u64> = rids.iter().copied().collect();
            for list in self.checker.acked.values_mut() {
                list.retain(|a| !gone.contains(&a.1));
            }
            for r in rids {
                self.checker.lost.remove(r);
            }
        }
    }

    /// A `read_committed` consumer got these records for its application: none may belong
    /// to an aborted or still open transaction (I7).
    pub(crate) fn checker_on_committed_read(
        &mut self,
        client: &str,
        tp: &TopicPartition,
        read: &[(Offset, u64)],
    ) {
        for (off, rid) in read {
            let what = match self.checker.txn_records.get(rid) {
                Some(Some(false)) => "an aborted",
                Some(None) => "an open",
                _ => continue,
            };
            self.finding(
                FindingKind::UncommittedRead,
                format!("{client} (read_committed) received {tp} offset {off}, a record of {what} transaction"),
            );
            return;
        }
    }

    /// A broker became leader: no other broker may lead the same partition in the same epoch.
    pub(crate) fn checker_on_leader(&mut self, b: BrokerId, tp: &TopicPartition) {
        self.checker.dirty = true;
        let i = self.broker_index(b).expect("validated");
        let Some(epoch) = self.brokers[i]
            .parts
            .get(tp)
            .and_then(|p| p.leader.as_ref())
            .map(|l| l.epoch)
        else {
            return;
        };
        let other = self.brokers.iter().find(|o| {
            o.id != b
                && o.is_running()
                && o.parts
                    .get(tp)
                    .and_then(|p| p.leader.as_ref())
                    .is_some_and(|l| l.epoch == epoch)
        });
        if let Some(o) = other {
            let msg = format!("{tp}: brokers {} and {b} both lead epoch {epoch}", o.id);
            self.finding(FindingKind::TwoLeaders, msg);
        }
    }

    /// After every step: if data may have been destroyed, recount what acknowledged data is gone.
    pub(crate) fn checker_after_step(&mut self) {
        if !self.checker.dirty {
            return;
        }
        self.checker.dirty = false;
        let mut now_lost = VecSet::new();
        let mut by_tp: VecMap<TopicPartition, (usize, Option<Offset>)> = VecMap::new();
        for (tp, list) in &self.checker.acked {
            for a in list {
                if !self.record_exists(tp, a) {
                    now_lost.insert(a.1);
                    if !self.checker.lost.contains(&a.1) {
                        by_tp.entry(tp.clone()).or_insert((0, a.0)).0 += 1;
                    }
                }
            }
        }
        self.checker.lost = now_lost;
        for (tp, (n, first)) in by_tp {
            let at = first.map_or(String::new(), |o| format!(" from offset {o}"));
            self.finding(
                FindingKind::Lost,
                format!("{tp}: {n} acknowledged record(s){at} no longer exist"),
            );
        }
    }

    /// A consumer of `group` finished processing these records; returns how many of them the
    /// group had processed before (duplicates).
    pub(crate) fn checker_on_processed(&mut self, group: &str, rids: &[u64]) -> u64 {
        let m = self.checker.processed.entry(group.to_string()).or_default();
        let mut dup = 0;
        for r in rids {
            let c = m.entry(u128::from(*r)).or_insert(0);
            *c += 1;
            if *c > 1 {
                dup += 1;
            }
        }
        if dup > 0 {
            *self
                .checker
                .duplicates
                .entry(group.to_string())
                .or_default() += dup;
        }
        dup
    }

    /// R6: a consumer got records of `tp` read under high watermark `hw`.
    pub(crate) fn checker_on_consumer_fetch(
        &mut self,
        client: &str,
        tp: &TopicPartition,
        hw: Offset,
        max_offset: Offset,
    ) {
        if max_offset >= hw {
            self.finding(
                FindingKind::ReadAboveHw,
                format!("{client} received {tp} offset {max_offset}, at or above the HW {hw}"),
            );
        }
    }

    /// One owner per partition per generation.
    pub(crate) fn checker_on_assignment(
        &mut self,
        group: &str,
        generation: i32,
        client: &str,
        tps: &[TopicPartition],
    ) {
        let e = self
            .checker
            .claims
            .entry(group.to_string())
            .or_insert((generation, VecMap::new()));
        if generation < e.0 {
            return;
        }
        if generation > e.0 {
            *e = (generation, VecMap::new());
        }
        let mut clash = Vec::new();
        for tp in tps {
            match e.1.get(tp) {
                Some(o) if o != client => clash.push((tp.clone(), o.clone())),
                _ => {
                    e.1.insert(tp.clone(), client.to_string());
                }
            }
        }
        for (tp, other) in clash {
            self.finding(
                FindingKind::TwoOwners,
                format!(
                    "{group} generation {generation}: {tp} assigned to both {other} and {client}"
                ),
            );
        }
    }

    /// Whether `b` is up and acting as the leader of `tp` (a restarted broker is not until
    /// the metadata makes it one again).
    fn acts_as_leader(&self, b: BrokerId, tp: &TopicPartition) -> bool {
        self.broker_index(b)
            .is_some_and(|i| self.brokers[i].is_running() && self.brokers[i].is_leader_of(tp))
    }

    fn record_exists(&self, tp: &TopicPartition, a: &Acked) -> bool {
        let Some(ps) = self.controller.partition(tp) else {
            // A deleted topic's records are gone by request, not lost.
            return true;
        };
        let holds = |b: BrokerId| -> bool {
            let Some(i) = self.broker_index(b) else {
                return false;
            };
            let Some(log) = self.brokers[i].logs.get(tp) else {
                return false;
            };
            match a.0 {
                // Below the log start, retention deleted it; a gap inside a compacted log
                // is a cleaner's work, this replica's or, for a follower that fetched the
                // cleaned range, its leader's (its own `clean_upto` may still be lower):
                // both by design, not lost. A truncation cuts the tail, never a gap, and
                // records written over truncated offsets carry other ids.
                Some(o) => match log.record_at(o) {
                    Some(r) => r.rid == a.1,
                    None => o < log.log_start || (log.config.compact && o < log.leo()),
                },
                None => log
                    .batches
                    .iter()
                    .any(|x| x.records.iter().any(|r| r.rid == a.1)),
            }
        };
        // A leader that is down, or restarted and not yet leading again (the controller
        // replaces it only once its session times out), serves nothing: as for an offline
        // partition, the record survives if any replica holds it. Without this, powering off
        // a leader whose followers hold every acknowledged record would report them lost
        // at once; they are lost only if a replica without them goes on to lead.
        match ps.leader {
            Some(l) if self.acts_as_leader(l, tp) => holds(l),
            _ => ps.replicas.iter().any(|r| holds(*r)),
        }
    }
}
