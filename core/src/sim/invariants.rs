//! The engine's own invariants, checked after every step by the seed sweeps.
//!
//! Each is a property real Kafka maintains; a violation is a bug in the simulation, not a
//! finding about the user's settings: HW ≤ LEO and log start ≤ LEO on every replica (R8); the
//! leader is in the ISR and the ISR is a non-empty subset of the replicas (R12: the controller
//! never empties an ISR); a leader never holds an epoch older than its partition's latest
//! epoch start it knows; no two running brokers lead one partition in one epoch.

use crate::collections::VecMap;
use alloc::format;
use alloc::string::String;

use crate::ids::{BrokerId, LeaderEpoch, TopicPartition};

use super::Sim;

impl Sim {
    /// `Err` names the first broken invariant.
    pub fn check_invariants(&self) -> Result<(), String> {
        // A13: one owner per partition in every KIP-848 consumer group, at every instant.
        self.check_consumer_groups()?;
        for (name, t) in &self.controller.topics {
            for (i, ps) in t.partitions.iter().enumerate() {
                let tp = format!("{name}-{i}");
                if ps.isr.is_empty() {
                    return Err(format!("{tp}: empty ISR"));
                }
                if let Some(r) = ps.isr.iter().find(|r| !ps.replicas.contains(r)) {
                    return Err(format!("{tp}: ISR member {r} is not a replica"));
                }
                if let Some(l) = ps.leader {
                    if !ps.isr.contains(&l) {
                        return Err(format!("{tp}: leader {l} is not in the ISR"));
                    }
                }
            }
        }
        let mut leaders: VecMap<(TopicPartition, LeaderEpoch), BrokerId> = VecMap::new();
        for b in &self.brokers {
            for (tp, log) in &b.logs {
                let leo = log.leo();
                if log.hw > leo {
                    return Err(format!("{tp}@{}: HW {} above LEO {leo}", b.id, log.hw));
                }
                if log.log_start > leo {
                    return Err(format!(
                        "{tp}@{}: log start {} above LEO {leo}",
                        b.id, log.log_start
                    ));
                }
                // Contiguity of the whole log is checked by `check_logs_contiguous` (it is
                // linear in the log, too slow for every step); here only the newest batch.
                if log.log_start > log.hw {
                    return Err(format!(
                        "{tp}@{}: log start {} above HW {}",
                        b.id, log.log_start, log.hw
                    ));
                }
                // I7: the LSO never passes the HW.
                let lso = log.lso();
                if lso > log.hw {
                    return Err(format!("{tp}@{}: LSO {lso} above HW {}", b.id, log.hw));
                }
                log.check_segments()
                    .map_err(|e| format!("{tp}@{}: {e}", b.id))?;
                if let Some((prev, last)) = log.batches.last_two() {
                    // A compacted log has gaps where the cleaner removed records.
                    let gap_ok = log.may_have_gaps() && prev.next_offset() <= last.base_offset;
                    if prev.next_offset() != last.base_offset && !gap_ok {
                        return Err(format!(
                            "{tp}@{}: batch at {} after one ending at {}",
                            b.id,
                            last.base_offset,
                            prev.next_offset()
                        ));
                    }
                }
            }
            if !b.is_running() {
                continue;
            }
            for (tp, pm) in &b.parts {
                if let Some(ls) = &pm.leader {
                    if let Some(other) = leaders.insert((tp.clone(), ls.epoch), b.id) {
                        return Err(format!(
                            "{tp}: brokers {other} and {} both lead epoch {}",
                            b.id, ls.epoch
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Every replica's batches follow each other without gap or overlap from the log start.
    pub fn check_logs_contiguous(&self) -> Result<(), String> {
        for b in &self.brokers {
            for (tp, log) in &b.logs {
                let mut next = log.batches.first().map_or(log.log_start, |x| x.base_offset);
                if next > log.log_start && !log.batches.is_empty() && !log.may_have_gaps() {
                    return Err(format!(
                        "{tp}@{}: first batch at {next}, log start {}",
                        b.id, log.log_start
                    ));
                }
                for batch in &log.batches {
                    let gap_ok = log.may_have_gaps() && batch.base_offset >= next;
                    if batch.base_offset != next && !gap_ok {
                        return Err(format!(
                            "{tp}@{}: batch at {} where {next} was expected",
                            b.id, batch.base_offset
                        ));
                    }
                    next = batch.next_offset();
                }
            }
        }
        Ok(())
    }
}
