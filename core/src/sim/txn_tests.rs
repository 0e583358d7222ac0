//! Tests of transactions, one per fact (I1, I6, I7, C5 of `kafka-semantics.md`), named after
//! its id. Expected values come from the facts and the Kafka tests they cite
//! (`ProducerStateManagerTest`, `UnifiedLogTest`, `LogCleanerTest`), not from a run.

use alloc::rc::Rc;
use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;

use super::log::{Log, LogConfig, SeqCheck};
use super::msg::{Batch, ControlType, Rec};
use super::txn::AbortedFilter;
use crate::error::KafkaError;
use crate::ids::Offset;
use crate::scenario::run_script;

const PID: i64 = 7;

/// A transactional (or idempotent) batch of producer `PID` with `n` records keyed `k{i}`.
fn data(base: Offset, epoch: i16, seq: i32, n: usize, transactional: bool) -> Batch {
    let records: Vec<Rec> = (0..n)
        .map(|i| Rec {
            key: Some(Rc::from(alloc::format!("k{}", base as usize + i).as_str())),
            value: Some(Rc::from("v")),
            timestamp: 0,
            rid: base as u64 * 100 + i as u64,
            origin: 0,
        })
        .collect();
    Batch {
        base_offset: base,
        leader_epoch: 0,
        producer_id: PID,
        producer_epoch: epoch,
        base_sequence: seq,
        records: records.into(),
        max_timestamp: 0,
        attempt: 1,
        transactional,
        control: None,
        codec: Default::default(),
    }
}

fn marker(base: Offset, epoch: i16, ctl: ControlType) -> Batch {
    Batch {
        base_offset: base,
        leader_epoch: 0,
        producer_id: PID,
        producer_epoch: epoch,
        base_sequence: -1,
        records: vec![Rec {
            key: None,
            value: None,
            timestamp: 0,
            rid: 9_000 + base as u64,
            origin: u32::MAX,
        }]
        .into(),
        max_timestamp: 0,
        attempt: 1,
        transactional: true,
        control: Some(ctl),
        codec: Default::default(),
    }
}

#[test]
fn i6_marker_with_higher_epoch_bumps_epoch_and_resets_sequence() {
    // testControlRecordBumpsProducerEpoch / testOutOfSequenceAfterControlRecordEpochBump.
    let mut log = Log::default();
    log.append(data(0, 0, 0, 2, true));
    log.append(marker(2, 1, ControlType::Abort));
    assert_eq!(log.producers[&PID].epoch, 1);
    // The next write at the bumped epoch must start at sequence 0.
    assert_eq!(
        log.check_sequence(&data(3, 1, 2, 1, true)),
        Err(KafkaError::OutOfOrderSequenceNumber)
    );
    assert_eq!(
        log.check_sequence(&data(3, 1, 0, 1, true)),
        Ok(SeqCheck::Append)
    );
    // I1: the old epoch is fenced.
    assert_eq!(
        log.check_sequence(&data(3, 0, 2, 1, true)),
        Err(KafkaError::InvalidProducerEpoch)
    );
}

#[test]
fn i6_marker_at_same_epoch_keeps_the_sequence() {
    let mut log = Log::default();
    log.append(data(0, 0, 0, 2, true));
    log.append(marker(2, 0, ControlType::Commit));
    // transaction.version 1: the sequence goes on across transactions of one epoch.
    assert_eq!(
        log.check_sequence(&data(3, 0, 2, 1, true)),
        Ok(SeqCheck::Append)
    );
}

#[test]
fn i6_non_transactional_write_during_open_transaction_is_invalid_txn_state() {
    // testNonTransactionalAppendWithOngoingTransaction.
    let mut log = Log::default();
    log.append(data(0, 0, 0, 1, true));
    assert_eq!(
        log.check_sequence(&data(1, 0, 1, 1, false)),
        Err(KafkaError::InvalidTxnState)
    );
}

#[test]
fn i7_lso_is_min_of_first_unstable_and_hw() {
    // testFirstUnstableOffset / testFetchUpToLastStableOffset.
    let mut log = Log::default();
    log.append(data(0, 0, 0, 2, false)); // plain idempotent records 0, 1
    log.hw = 2;
    assert_eq!(log.lso(), 2, "no transaction: LSO = HW");
    log.append(data(2, 0, 2, 2, true)); // transaction starts at 2
    log.hw = 4;
    assert_eq!(log.first_unstable_offset(), Some(2));
    assert_eq!(log.lso(), 2);
    log.hw = 1;
    assert_eq!(log.lso(), 1, "never above the HW");
}

#[test]
fn i7_completed_transaction_stays_unstable_until_hw_passes_its_marker() {
    let mut log = Log::default();
    log.append(data(0, 0, 0, 2, true));
    log.hw = 2;
    log.append(marker(2, 0, ControlType::Commit));
    // The marker (offset 2) is not below the HW yet: the transaction is still unstable.
    assert_eq!(log.lso(), 0);
    log.hw = 3;
    assert_eq!(log.lso(), 3);
}

#[test]
fn i7_read_committed_skips_aborted_records_via_the_aborted_list() {
    let mut log = Log::default();
    log.append(data(0, 0, 0, 2, true));
    log.append(marker(2, 0, ControlType::Abort));
    log.append(data(3, 0, 2, 1, true));
    log.append(marker(4, 0, ControlType::Commit));
    log.hw = 5;
    assert_eq!(log.aborted_between(0, 5), vec![(PID, 0)]);
    // An aborted transaction entirely before the fetch is not reported.
    assert!(log.aborted_between(3, 5).is_empty());
    let mut rc = AbortedFilter::new(true, &log.aborted_between(0, 5));
    let skipped: Vec<bool> = log.batches.iter().map(|b| rc.skip(b)).collect();
    assert_eq!(skipped, vec![true, true, false, true]);
    // read_uncommitted hands out every data record and skips only the markers.
    let mut ru = AbortedFilter::new(false, &[]);
    let skipped: Vec<bool> = log.batches.iter().map(|b| ru.skip(b)).collect();
    assert_eq!(skipped, vec![false, true, false, true]);
}

#[test]
fn c5_aborted_records_removed_regardless_of_key_markers_kept_until_horizon() {
    // testBasicTransactionAwareCleaning / testCommitMarkerRemoval.
    let config = LogConfig {
        compact: true,
        delete: false,
        segment_bytes: 100,
        ..LogConfig::default()
    };
    let mut log = Log::with_config(config);
    // Unique keys: only the transaction outcome can remove a record.
    for b in [
        data(0, 0, 0, 1, true),              // committed
        marker(1, 0, ControlType::Commit),   //
        data(2, 0, 1, 1, true),              // aborted
        marker(3, 0, ControlType::Abort),    //
        data(4, 0, 2, 1, false).with_pid(8), // the active segment's batch
    ] {
        log.append(b);
    }
    log.hw = log.leo();
    let c = log
        .cleanable(0)
        .expect("a compacted log with inactive segments");
    log.clean(0, c).expect("cleaned");
    let live: Vec<Offset> = log
        .batches
        .iter()
        .flat_map(|b| (b.base_offset..b.next_offset()).collect::<Vec<_>>())
        .collect();
    // The aborted record (2) is gone; both markers stay (delete horizon not passed).
    assert_eq!(live, vec![0, 1, 3, 4]);
    // After delete.retention.ms the ABORT marker (no record of its transaction left) goes,
    // the COMMIT marker stays while its record does.
    let later = config.delete_retention_ms as u64 + 1;
    let mut c = log.cleanable(later).expect("still cleanable");
    c.end_segment = log.segments.len() - 1;
    log.clean(later, c).expect("cleaned again");
    let live: Vec<Offset> = log
        .batches
        .iter()
        .flat_map(|b| (b.base_offset..b.next_offset()).collect::<Vec<_>>())
        .collect();
    assert_eq!(live, vec![0, 1, 4]);
}

trait WithPid {
    fn with_pid(self, pid: i64) -> Batch;
}
impl WithPid for Batch {
    fn with_pid(mut self, pid: i64) -> Batch {
        self.producer_id = pid;
        self
    }
}

/// Runs a script that must pass; returns the error otherwise.
fn script(s: &str) {
    if let Err(e) = run_script(s) {
        panic!("{e}");
    }
}

// ------------------------------------------------------------ whole-cluster helpers

/// Applies a command that must be accepted.
fn ok(sim: &mut super::Sim, c: super::Command) {
    sim.apply(c).expect("command");
}

/// Topic `name`, one partition on `replicas` (the first is its preferred leader).
fn topic_on(sim: &mut super::Sim, name: &str, replicas: &[crate::ids::BrokerId]) {
    ok(
        sim,
        super::Command::CreateTopic {
            name: name.to_string(),
            partitions: None,
            replication_factor: None,
            assignment: Some(vec![replicas.to_vec()]),
            configs: vec![],
        },
    );
}

/// Producer `a` with `transactional.id=x` and `configs`, initialised.
fn txn_producer(sim: &mut super::Sim, configs: &[(&str, &str)]) {
    let mut all = vec![("transactional.id".to_string(), "x".to_string())];
    all.extend(configs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    ok(
        sim,
        super::Command::AddProducer {
            client_id: "a".to_string(),
            configs: all,
        },
    );
    sim.settle(60_000).expect("initialised");
}

/// A transaction call of producer `a`.
fn txn(op: super::txn::TxnOp) -> super::Command {
    super::Command::Txn {
        producer: "a".to_string(),
        op,
    }
}

/// One record from producer `a` to `topic`.
fn produce_one(topic: &str) -> super::Command {
    super::Command::Produce {
        producer: "a".to_string(),
        topic: topic.to_string(),
        key: Some("k".to_string()),
        value: Some("v".to_string()),
        partition: None,
        count: 1,
    }
}

#[test]
fn i7_commit_and_abort_seen_by_both_isolation_levels() {
    script(
        "cluster brokers=1 seed=1\n\
         kafka-topics --create --topic t --partitions 1 --replication-factor 1\n\
         producer add tp transactional.id=x\n\
         consumer add ru group=a topics=t auto.offset.reset=earliest\n\
         consumer add rc group=b topics=t auto.offset.reset=earliest isolation.level=read_committed\n\
         settle\n\
         txn begin tp\n\
         produce tp t key=k value=1 count=3\n\
         settle\n\
         txn abort tp\n\
         settle\n\
         txn begin tp\n\
         produce tp t key=k value=2 count=2\n\
         txn commit tp\n\
         settle\n\
         expect partition t-0 hw=7 lso=7\n\
         expect consumed ru count=5\n\
         expect consumed rc count=2\n\
         expect findings 0\n",
    );
}

#[test]
fn i1_second_instance_fences_the_first() {
    script(
        "cluster brokers=3 seed=2\n\
         kafka-topics --create --topic t --replica-assignment 1:2:3\n\
         producer add a transactional.id=x\n\
         settle\n\
         producer add b transactional.id=x\n\
         settle\n\
         txn begin a\n\
         produce a t key=k value=1\n\
         txn commit a\n\
         settle\n\
         expect producer a txn-state=FATAL_ERROR last-error=PRODUCER_FENCED\n\
         expect producer b txn-state=READY\n",
    );
}

#[test]
fn txn_timeout_aborts_and_fences() {
    script(
        "cluster brokers=3 seed=3\n\
         kafka-topics --create --topic t --replica-assignment 1:2:3\n\
         producer add a transactional.id=x transaction.timeout.ms=5000\n\
         settle\n\
         txn begin a\n\
         produce a t key=k value=1\n\
         settle\n\
         expect partition t-0 hw=1 lso=0\n\
         run 11s\n\
         expect partition t-0 hw=2 lso=2\n\
         txn commit a\n\
         settle\n\
         expect producer a txn-state=FATAL_ERROR last-error=PRODUCER_FENCED\n",
    );
}

#[test]
fn out_of_order_txn_calls_change_nothing() {
    use super::{Command, Sim, SimSpec};
    let mut sim = Sim::new(SimSpec::default(), 4).expect("cluster");
    sim.apply(Command::AddProducer {
        client_id: "tp".to_string(),
        configs: vec![("transactional.id".to_string(), "x".to_string())],
    })
    .expect("producer");
    sim.settle(60_000).expect("settles");
    let before = sim.clone();
    let e = sim
        .apply(Command::Txn {
            producer: "tp".to_string(),
            op: super::txn::TxnOp::Commit,
        })
        .expect_err("commit without begin");
    assert!(
        e.to_string()
            .contains("READY to state COMMITTING_TRANSACTION"),
        "{e}"
    );
    assert!(sim == before, "a refused command changed the simulation");
}

/// I7 with Kafka's periodic abort check (`TransactionStateManager.timedOutTransactions`): a
/// transaction whose metadata write is still being replicated when the check runs is skipped,
/// and aborted by a later run once the write is done. It must not be forgotten: that left the
/// LSO stuck below the HW for good (sweep seeds 254, 508, 848).
#[test]
fn i7_timeout_check_skips_a_pending_write_and_aborts_on_a_later_run() {
    use super::{Command, Sim, SimSpec};
    use crate::ids::BrokerId;
    let mut sim = Sim::new(SimSpec::default(), 11).expect("cluster");
    for name in ["t", "u"] {
        topic_on(&mut sim, name, &[BrokerId(1), BrokerId(2), BrokerId(3)]);
    }
    txn_producer(&mut sim, &[("transaction.timeout.ms", "5000")]);
    ok(&mut sim, txn(super::txn::TxnOp::Begin));
    ok(&mut sim, produce_one("t"));
    sim.settle(60_000).expect("first write done");
    let partition = |sim: &Sim, topic: &str| {
        sim.view()
            .topics
            .into_iter()
            .find(|t| t.name == topic)
            .and_then(|t| t.partitions.into_iter().next())
            .expect("partition")
    };
    assert_eq!(
        (
            partition(&sim, "t").high_watermark,
            partition(&sim, "t").last_stable_offset
        ),
        (1, 0)
    );
    // Stop the coordinator's followers: the next metadata write (adding u-0) cannot reach the
    // HW of its __transaction_state partition (min.insync.replicas 2) until they return.
    let tp = sim.txn_tp("x").expect("coordinator partition");
    let leader = sim
        .view()
        .topics
        .into_iter()
        .find(|t| t.name == tp.topic())
        .and_then(|t| {
            t.partitions
                .into_iter()
                .find(|p| p.partition == tp.partition)
        })
        .and_then(|p| p.leader)
        .expect("coordinator");
    let followers: Vec<BrokerId> = (1..=3).map(BrokerId).filter(|b| *b != leader).collect();
    for b in &followers {
        ok(&mut sim, Command::BrokerKill(*b));
    }
    ok(&mut sim, produce_one("u"));
    // The deadline passes and the check at the next 10 s tick finds the write in flight.
    sim.run_for(12_000);
    assert_eq!(sim.txn.meta["x"].state, super::txn::TxnState::Ongoing);
    assert!(
        sim.txn.meta["x"].pending.is_some(),
        "the write is still in flight"
    );
    for b in &followers {
        ok(&mut sim, Command::BrokerStart(*b));
    }
    // The followers catch up, the write completes, and a later run of the check aborts.
    sim.run_for(30_000);
    let t = partition(&sim, "t");
    assert_eq!(
        t.last_stable_offset, t.high_watermark,
        "the transaction was aborted"
    );
    assert_eq!(t.high_watermark, 2, "one record and its ABORT marker");
}

/// A transaction coordinator that stops leading its `__transaction_state` partition while a
/// write is waiting to be replicated answers the waiting request NOT_COORDINATOR: Kafka's
/// `ReplicaManager` completes the delayed append with NOT_LEADER_OR_FOLLOWER when the broker
/// becomes a follower, and `TransactionStateManager.appendTransactionToLog` turns that into
/// NOT_COORDINATOR; the producer then finds the new coordinator at once and retries, instead of
/// waiting out `request.timeout.ms` (30 s). Both orders are checked: the new coordinator loads
/// the transaction before the old one hears it lost the partition, and after.
#[test]
fn resigning_txn_coordinator_answers_a_waiting_end_txn_not_coordinator() {
    resigning_txn_coordinator(false);
    resigning_txn_coordinator(true);
}

fn resigning_txn_coordinator(old_hears_first: bool) {
    use super::{Command, NodeRef, Sim, SimSpec};
    use crate::ids::BrokerId;
    let mut sim = Sim::new(SimSpec::default(), 12).expect("cluster");
    topic_on(&mut sim, "t", &[BrokerId(1), BrokerId(2), BrokerId(3)]);
    txn_producer(&mut sim, &[]);
    ok(&mut sim, txn(super::txn::TxnOp::Begin));
    ok(&mut sim, produce_one("t"));
    sim.settle(60_000).expect("record written");
    // Cut the coordinator off from its followers: the commit's PrepareCommit record stays on the
    // coordinator alone (min.insync.replicas 2), so EndTxn waits for it.
    let tp = sim.txn_tp("x").expect("coordinator partition");
    let coord = sim.txn.meta["x"].host.expect("hosted").broker;
    let followers: Vec<BrokerId> = (1..=3).map(BrokerId).filter(|b| *b != coord).collect();
    for f in &followers {
        ok(
            &mut sim,
            Command::NetCut(NodeRef::Broker(coord), NodeRef::Broker(*f)),
        );
    }
    ok(&mut sim, txn(super::txn::TxnOp::Commit));
    sim.run_for(1_000);
    assert!(
        sim.txn.meta["x"].pending.is_some(),
        "the PrepareCommit write is waiting for its followers"
    );
    if old_hears_first {
        // The news of the new leader reaches the followers late.
        for f in &followers {
            ok(
                &mut sim,
                Command::NetSlow {
                    node: NodeRef::Broker(*f),
                    by_ms: 300,
                },
            );
        }
    }
    let stopped_at = sim.now().0;
    ok(&mut sim, Command::BrokerStop(coord));
    let mut answered_at = None;
    while answered_at.is_none() && sim.now().0 < stopped_at + 60_000 {
        let Some(e) = sim.step_event() else { break };
        if e.summary.starts_with("EndTxn response NOT_COORDINATOR") {
            let loaded_elsewhere = sim.txn.meta["x"].host.is_some();
            assert_eq!(
                loaded_elsewhere, !old_hears_first,
                "the new coordinator loaded the transaction first: {loaded_elsewhere}"
            );
            answered_at = Some(e.time_ms);
        }
    }
    let answered_at = answered_at.expect("the waiting EndTxn was never answered NOT_COORDINATOR");
    assert!(
        answered_at - stopped_at < 2_000,
        "EndTxn was answered {} ms after the stop",
        answered_at - stopped_at
    );
    // The new coordinator never got the PrepareCommit record: it loads the transaction as
    // Ongoing, and the producer's retried EndTxn commits it there.
    ok(&mut sim, Command::NetHeal(None));
    sim.settle(60_000).expect("committed");
    let new_coord = sim.txn.meta["x"].host.expect("hosted again").broker;
    assert_ne!(new_coord, coord);
    assert_eq!(sim.txn_tp("x"), Some(tp));
    assert_eq!(
        sim.txn.meta["x"].state,
        super::txn::TxnState::CompleteCommit
    );
    let t = sim
        .view()
        .topics
        .into_iter()
        .find(|t| t.name == "t")
        .and_then(|t| t.partitions.into_iter().next())
        .expect("partition");
    assert_eq!(
        (t.high_watermark, t.last_stable_offset),
        (2, 2),
        "the record and its COMMIT marker, stable"
    );
}

/// A partition leader that loses its leadership while a transaction marker waits there to be
/// replicated answers the `WriteTxnMarkers` request NOT_LEADER_OR_FOLLOWER for it at once
/// (Kafka's `ReplicaManager` completes the delayed append when the broker becomes a follower),
/// and the coordinator sends the marker again to the new leader
/// (`TransactionMarkerRequestCompletionHandler` retries on NOT_LEADER_OR_FOLLOWER), instead of
/// waiting 30 s for an answer that never comes.
#[test]
fn marker_waiting_at_a_resigning_leader_is_answered_and_sent_again() {
    use super::{Command, NodeRef, Sim, SimSpec};
    use crate::ids::BrokerId;
    let spec = SimSpec {
        brokers: 4,
        ..SimSpec::default()
    };
    let mut sim = Sim::new(spec, 13).expect("cluster");
    txn_producer(&mut sim, &[]);
    // The data partition on the three brokers that do not coordinate "x", so that cutting its
    // leader off from its followers leaves the coordinator's requests alone.
    let coord = sim.txn.meta["x"].host.expect("hosted").broker;
    let replicas: Vec<BrokerId> = (1..=4).map(BrokerId).filter(|b| *b != coord).collect();
    topic_on(&mut sim, "t", &replicas);
    sim.settle(60_000).expect("topic");
    ok(&mut sim, txn(super::txn::TxnOp::Begin));
    ok(&mut sim, produce_one("t"));
    sim.settle(60_000).expect("record written");
    let leader = replicas[0];
    for f in &replicas[1..] {
        ok(
            &mut sim,
            Command::NetCut(NodeRef::Broker(leader), NodeRef::Broker(*f)),
        );
    }
    ok(&mut sim, txn(super::txn::TxnOp::Commit));
    sim.run_for(1_000);
    assert!(
        sim.txn
            .marker_waits
            .iter()
            .any(|w| w.broker == leader && w.transactional_id == "x"),
        "the COMMIT marker waits at the leader for its followers"
    );
    let stopped_at = sim.now().0;
    ok(&mut sim, Command::BrokerStop(leader));
    let mut answered_at = None;
    while answered_at.is_none() && sim.now().0 < stopped_at + 60_000 {
        let Some(e) = sim.step_event() else { break };
        if e.summary.starts_with("WriteTxnMarkers response") && e.summary.contains("NOT_LEADER") {
            answered_at = Some(e.time_ms);
        }
    }
    let answered_at = answered_at.expect("the waiting marker was never answered");
    assert!(
        answered_at - stopped_at < 1_000,
        "the marker was answered {} ms after the stop",
        answered_at - stopped_at
    );
    // Sent again to the new leader, which replicates it to the remaining follower.
    sim.run_for(2_000);
    assert_eq!(
        sim.txn.meta["x"].state,
        super::txn::TxnState::CompleteCommit
    );
    assert!(sim.txn.marker_waits.is_empty());
}
