//! The producer client: `send()`, the record accumulator, the sender, retries, idempotence.
//!
//! Facts: P3–P4 (a keyed record goes to `toPositive(murmur2(key)) % partitions` over all
//! partitions; an explicit partition wins; a null key uses the sticky partitioner, which keeps
//! one partition until `batch.size` bytes went to it and its queue has no incomplete batch, or
//! twice that in any case, as KIP-794's `BuiltInPartitioner`), P6 (adaptive partitioning: the
//! next sticky partition is drawn with weight `maxQueue + 1 - queue`, from the batches waiting
//! per partition, once every partition has had a queue), I5 (defaults: idempotence on, acks=all, at most 5
//! requests in flight), I1–I4 (producer id, epoch and per-partition sequence numbers; an exact
//! resend is answered with the original offsets; `DUPLICATE_SEQUENCE_NUMBER` counts as
//! success). Retries follow `retries`, `retry.backoff.ms`, `request.timeout.ms` and
//! `delivery.timeout.ms`; without idempotence and with more than one request in flight a retry
//! can land after a later batch (reorder), and a resend after a lost answer can land twice
//! (duplicate). Batches close at `batch.size` or after `linger.ms`.
//!
//! Simplifications, stated: `partitioner.availability.timeout.ms` (default 0, off) is not
//! modelled; compression shrinks a batch's records by a fixed ratio per codec (`msg::Codec`:
//! gzip 40%, snappy 55%, lz4 55%, zstd 35% of the raw size), and the batch keeps its codec
//! in the log, so segments, retention and fetch sizes see the compressed size.
//!
//! `buffer.memory` (`BufferPool`): each batch holds `max(batch.size, its first record)` bytes
//! until it completes or fails; a send that needs a new batch when the buffer is full blocks
//! for up to `max.block.ms` and then fails with REQUEST_TIMED_OUT (Kafka's
//! `BufferExhaustedException` is a `TimeoutException`); later sends wait behind it, as an
//! application thread blocked in `send()` would. A record larger than the whole buffer fails at
//! once (MESSAGE_TOO_LARGE). A record larger than
//! `max.request.size` fails at `send()`, as in Kafka; a batch the broker refuses with
//! `MESSAGE_TOO_LARGE` (the topic's `max.message.bytes`) fails. Kafka's sender would first split
//! a multi-record batch and resend the parts (`Sender.completeBatch`); that split is not
//! simulated yet.

use crate::collections::{VecMap, VecSet};
use alloc::collections::VecDeque;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::config::ConfigMap;
use crate::error::{CommandError, KafkaError};
use crate::ids::{BrokerId, ClientId, LeaderEpoch, NodeId, TopicPartition};
use crate::partitioner::{cumulative_frequency_table, partition_for_key, weighted_index};
use crate::time::Millis;
use crate::view::ProducerView;

use super::msg::{Batch, Codec, Message, Rec};
use super::txn::TxnClient;
use super::{kafka_err, limits, Outcome, Sim, Timer};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PBatch {
    pub tp: TopicPartition,
    pub records: Vec<Rec>,
    pub bytes: u64,
    /// The bytes of `buffer.memory` this batch holds until it completes or fails.
    pub alloc: u64,
    pub created: Millis,
    /// How many times it has been sent.
    pub attempts: u32,
    pub base_seq: i32,
    pub not_before: Millis,
    pub full: bool,
}

/// A `send()` on its way into the accumulator: its partition, already chosen, the record and
/// its (compressed) size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockedSend {
    pub tp: TopicPartition,
    pub rec: Rec,
    pub size: u64,
    /// Chosen by the sticky partitioner (its byte count moves on when appended).
    pub sticky: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InFlight {
    pub broker: BrokerId,
    pub batches: Vec<PBatch>,
    pub sent: Millis,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Producer {
    pub client_id: String,
    pub node: ClientId,
    pub config: ConfigMap,
    pub acks: i16,
    pub idempotent: bool,
    linger_ms: u64,
    batch_size: u64,
    retries: u32,
    pub(crate) retry_backoff_ms: u64,
    pub(crate) request_timeout_ms: u64,
    delivery_timeout_ms: u64,
    max_in_flight: usize,
    ignore_keys: bool,
    /// `compression.type`: the batches' codec and its size ratio.
    codec: Codec,
    pub metadata: VecMap<String, Vec<Option<(BrokerId, LeaderEpoch)>>>,
    metadata_inflight: Option<u64>,
    metadata_stale: bool,
    /// `retry.backoff.ms` between metadata requests, so an incomplete answer is not re-asked
    /// every round trip.
    metadata_not_before: Millis,
    pub(crate) bootstrap: u32,
    pub producer_id: Option<(i64, i16)>,
    pid_inflight: Option<u64>,
    pub queues: VecMap<TopicPartition, VecDeque<PBatch>>,
    pub inflight: VecMap<u64, InFlight>,
    next_seq: VecMap<TopicPartition, i32>,
    /// The built-in partitioner per topic (`BuiltInPartitioner.StickyPartitionInfo`): the
    /// sticky partition and the bytes produced to it since it was chosen.
    sticky: VecMap<String, (u32, u64)>,
    /// The partitions that have had a batch queue (`TopicInfo.batches`, whose entries Kafka
    /// never removes): adaptive partitioning starts once every partition of a topic has one.
    deques: VecMap<String, VecSet<u32>>,
    /// `partitioner.adaptive.partitioning.enable`.
    adaptive: bool,
    /// `buffer.memory` and `max.block.ms`.
    buffer_memory: u64,
    max_block_ms: u64,
    /// Sends waiting for buffer memory, in order, and since when the first one waits.
    pub blocked: VecDeque<BlockedSend>,
    blocked_since: Millis,
    /// Adaptive partitioning's load stats per topic (P6): partition ids and their cumulative
    /// frequency table, rebuilt by every sender pass; absent means uniform.
    load_stats: VecMap<String, (Vec<u32>, Vec<u32>)>,
    wake_token: u64,
    wake_at: Option<Millis>,
    pub acked: u64,
    pub failed: u64,
    pub last_error: Option<KafkaError>,
    /// Set for a producer with a `transactional.id` (its `TransactionManager`).
    pub txn: Option<TxnClient>,
    /// The process crashed (`producer kill`): it neither sends nor receives any more.
    pub dead: bool,
}

impl Producer {
    pub fn pending(&self) -> u64 {
        let q: usize = self
            .queues
            .values()
            .flat_map(|q| q.iter())
            .map(|b| b.records.len())
            .sum();
        let f: usize = self
            .inflight
            .values()
            .flat_map(|f| f.batches.iter())
            .map(|b| b.records.len())
            .sum();
        (q + f + self.blocked.len()) as u64
    }

    /// Memory held by batches not yet completed (queued or in flight): `BufferPool`'s
    /// allocated bytes.
    pub fn buffer_used(&self) -> u64 {
        let q: u64 = self
            .queues
            .values()
            .flat_map(|q| q.iter())
            .map(|b| b.alloc)
            .sum();
        let f: u64 = self
            .inflight
            .values()
            .flat_map(|f| f.batches.iter())
            .map(|b| b.alloc)
            .sum();
        q + f
    }

    pub fn view(&self) -> ProducerView {
        ProducerView {
            client_id: self.client_id.clone(),
            acks: match self.acks {
                -1 => "all".to_string(),
                n => n.to_string(),
            },
            idempotent: self.idempotent,
            acked: self.acked,
            failed: self.failed,
            pending: self.pending(),
            last_error: self.last_error.map(|e| e.name().to_string()),
            transactional_id: self.txn.as_ref().map(|t| t.transactional_id.clone()),
            txn_state: self.txn.as_ref().map(|t| t.state.name()),
            producer_epoch: self.producer_id.map(|p| p.1),
        }
    }

    pub(crate) fn timer_live(&self, t: &Timer) -> bool {
        match t {
            Timer::ProducerWake { token } => *token == self.wake_token,
            Timer::RequestTimeout { req } => {
                self.inflight.contains_key(req)
                    || self.metadata_inflight == Some(*req)
                    || self.pid_inflight == Some(*req)
                    || self.txn.as_ref().is_some_and(|t| t.waits_for(*req))
            }
            _ => false,
        }
    }

    fn inflight_to(&self, b: BrokerId) -> usize {
        self.inflight.values().filter(|f| f.broker == b).count()
    }
}

/// Validates producer configs as `ProducerConfig` does and derives the effective settings.
fn build_producer(
    client_id: &str,
    node: ClientId,
    configs: &[(String, String)],
) -> Result<Producer, CommandError> {
    let mut config = ConfigMap::new("producer");
    for (k, v) in configs {
        config.set(k, v)?;
    }
    let transactional_id = config.get("transactional.id").to_string();
    let transactional = !transactional_id.is_empty();
    if transactional
        && config.is_set("enable.idempotence")
        && !config.get_bool("enable.idempotence")
    {
        // `ProducerConfig.postProcessAndValidateIdempotenceConfigs`.
        return Err(CommandError::InvalidConfigValue {
            key: "enable.idempotence".to_string(),
            value: "false".to_string(),
            reason: "Cannot set a transactional.id without also enabling idempotence.".to_string(),
        });
    }
    let acks: i16 = match config.get("acks") {
        "all" | "-1" => -1,
        "0" => 0,
        _ => 1,
    };
    let retries = config.get_i64("retries") as u32;
    let max_in_flight = config.get_i64("max.in.flight.requests.per.connection") as usize;
    // A transactional.id turns idempotence on, with its checks, as if set explicitly.
    let explicit_idem = config.is_set("enable.idempotence") || transactional;
    let idempotent = if explicit_idem {
        let on = transactional || config.get_bool("enable.idempotence");
        if on {
            let bad = |key: &str, value: String, reason: &str| CommandError::InvalidConfigValue {
                key: key.to_string(),
                value,
                reason: reason.to_string(),
            };
            if acks != -1 {
                return Err(bad("acks", config.get("acks").to_string(), "Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence."));
            }
            if max_in_flight > 5 {
                return Err(bad("max.in.flight.requests.per.connection", max_in_flight.to_string(), "Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer."));
            }
            if retries == 0 {
                return Err(bad(
                    "retries",
                    "0".to_string(),
                    "Must set retries to non-zero when using the idempotent producer.",
                ));
            }
        }
        on
    } else {
        // Not set explicitly: Kafka turns idempotence off when other settings conflict.
        acks == -1 && retries > 0 && max_in_flight <= 5
    };
    let linger_ms = config.get_i64("linger.ms") as u64;
    let request_timeout_ms = config.get_i64("request.timeout.ms") as u64;
    let mut delivery_timeout_ms = config.get_i64("delivery.timeout.ms") as u64;
    if delivery_timeout_ms < linger_ms + request_timeout_ms {
        if config.is_set("delivery.timeout.ms") {
            return Err(CommandError::InvalidConfigValue {
                key: "delivery.timeout.ms".to_string(),
                value: delivery_timeout_ms.to_string(),
                reason: "delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms".to_string(),
            });
        }
        delivery_timeout_ms = linger_ms + request_timeout_ms;
    }
    let codec = Codec::from_name(config.get("compression.type"));
    let txn_timeout_ms = config.get_i64("transaction.timeout.ms").max(0) as u64;
    let adaptive = config.get_bool("partitioner.adaptive.partitioning.enable");
    let buffer_memory = config.get_i64("buffer.memory").max(0) as u64;
    let max_block_ms = config.get_i64("max.block.ms").max(0) as u64;
    Ok(Producer {
        client_id: client_id.to_string(),
        node,
        acks,
        idempotent,
        linger_ms,
        batch_size: config.get_i64("batch.size") as u64,
        retries,
        retry_backoff_ms: config.get_i64("retry.backoff.ms") as u64,
        request_timeout_ms,
        delivery_timeout_ms,
        max_in_flight: max_in_flight.max(1),
        ignore_keys: config.get_bool("partitioner.ignore.keys"),
        codec,
        config,
        metadata: VecMap::new(),
        metadata_inflight: None,
        metadata_stale: true,
        metadata_not_before: Millis::ZERO,
        bootstrap: 0,
        producer_id: None,
        pid_inflight: None,
        queues: VecMap::new(),
        inflight: VecMap::new(),
        next_seq: VecMap::new(),
        sticky: VecMap::new(),
        deques: VecMap::new(),
        adaptive,
        buffer_memory,
        max_block_ms,
        blocked: VecDeque::new(),
        blocked_since: Millis::ZERO,
        load_stats: VecMap::new(),
        wake_token: 0,
        wake_at: None,
        acked: 0,
        failed: 0,
        last_error: None,
        txn: transactional.then(|| TxnClient::new(&transactional_id, txn_timeout_ms)),
        dead: false,
    })
}

impl Sim {
    pub(crate) fn add_producer(
        &mut self,
        client_id: &str,
        configs: &[(String, String)],
    ) -> Result<Outcome, CommandError> {
        if client_id.is_empty() {
            return Err(CommandError::arg("client.id", "a producer needs a name"));
        }
        if self.producer_index(client_id).is_some() {
            return Err(CommandError::arg(
                "client.id",
                format!("a client named '{client_id}' already exists"),
            ));
        }
        if self.producers.len() >= limits::MAX_CLIENTS {
            return Err(CommandError::LimitExceeded {
                what: "clients",
                limit: limits::MAX_CLIENTS as u64,
                asked: self.producers.len() as u64 + 1,
            });
        }
        let node = ClientId(self.producers.len() as u32);
        let mut p = build_producer(client_id, node, configs)?;
        p.bootstrap = self.rng.below(self.brokers.len() as u32);
        let transactional = p.txn.is_some();
        self.producers.push(p);
        if transactional {
            // `initTransactions()` right after creation: FindCoordinator, InitProducerId.
            self.producer_poll(self.producers.len() - 1);
        }
        Ok(Outcome::none())
    }

    pub(crate) fn produce(
        &mut self,
        producer: &str,
        topic: &str,
        key: Option<&str>,
        value: Option<&str>,
        partition: Option<u32>,
        count: u32,
    ) -> Result<Outcome, CommandError> {
        let pi = self.producer_index(producer).ok_or_else(|| {
            CommandError::arg(
                "producer",
                format!("no producer named '{producer}' (add one with: producer add {producer})"),
            )
        })?;
        let Some(nparts) = self.topic_partition_count(topic) else {
            return Err(kafka_err(
                KafkaError::UnknownTopicOrPartition,
                format!("Topic {topic} not present in metadata (the playground does not auto-create topics: create it with kafka-topics --create --topic {topic})"),
            ));
        };
        if count == 0 {
            return Err(CommandError::arg("count", "must be at least 1"));
        }
        if self.producers[pi].dead {
            return Err(CommandError::arg(
                "producer",
                format!("producer '{producer}' has crashed"),
            ));
        }
        self.txn_check_send(pi)?;
        if count > limits::MAX_RECORDS_PER_COMMAND {
            return Err(CommandError::LimitExceeded {
                what: "records per produce command",
                limit: limits::MAX_RECORDS_PER_COMMAND as u64,
                asked: count as u64,
            });
        }
        if let Some(p) = partition {
            if p >= nparts {
                return Err(CommandError::arg(
                    "partition",
                    format!("Invalid partition given with record: {p} is not in the range [0...{nparts})."),
                ));
            }
        }
        let key_rc: Option<Rc<str>> = key.map(Rc::from);
        let value_rc: Option<Rc<str>> = value.map(Rc::from);
        let ignore_keys = self.producers[pi].ignore_keys;
        for _ in 0..count {
            let rid = self.next_rid;
            self.next_rid += 1;
            let rec = Rec {
                key: key_rc.clone(),
                value: value_rc.clone(),
                timestamp: self.now.0,
                rid,
                origin: pi as u32,
            };
            // P4: explicit partition, then the key hash over all partitions, then sticky.
            let sticky = partition.is_none() && (key_rc.is_none() || ignore_keys);
            let p = match (partition, &key_rc) {
                (Some(p), _) => p,
                (None, Some(k)) if !ignore_keys => partition_for_key(k.as_bytes(), nparts),
                _ => self.sticky_partition(pi, topic, nparts),
            };
            let tp = TopicPartition::new(topic, p);
            // KafkaProducer.ensureValidRecordSize: a record whose batch would exceed
            // max.request.size fails at once (RecordTooLargeException = MESSAGE_TOO_LARGE),
            // counted like any failed send; nothing is queued.
            let upper_bound = super::msg::BATCH_HEADER_BYTES + rec.size_bytes();
            if upper_bound as i64 > self.producers[pi].config.get_i64("max.request.size") {
                let pr = &mut self.producers[pi];
                pr.failed += 1;
                pr.last_error = Some(KafkaError::MessageTooLarge);
                continue;
            }
            // `ensureValidRecordSize`: a record larger than the whole buffer can never be
            // allocated (RecordTooLargeException, as above).
            if upper_bound > self.producers[pi].buffer_memory {
                let pr = &mut self.producers[pi];
                pr.failed += 1;
                pr.last_error = Some(KafkaError::MessageTooLarge);
                continue;
            }
            let size = self.producers[pi].codec.shrink(rec.size_bytes());
            let send = BlockedSend {
                tp,
                rec,
                size,
                sticky,
            };
            // A send behind a blocked one waits its turn: the application thread is blocked.
            if !self.producers[pi].blocked.is_empty() || !self.accumulate(pi, &send) {
                let pr = &mut self.producers[pi];
                if pr.blocked.is_empty() {
                    pr.blocked_since = self.now;
                }
                pr.blocked.push_back(send);
            }
        }
        self.producer_poll(pi);
        Ok(Outcome::none())
    }

    /// `RecordAccumulator.append`: adds the record to the last batch of its partition, or to a
    /// new batch if it does not fit. A new batch takes `max(batch.size, the record's size)`
    /// bytes of `buffer.memory` (`BufferPool.allocate`); without that much free memory the
    /// record is not appended and `false` says the send must block. The full batch is closed
    /// first either way, so the sender can drain it and free memory.
    fn accumulate(&mut self, pi: usize, send: &BlockedSend) -> bool {
        let now = self.now;
        let tp = &send.tp;
        let pr = &self.producers[pi];
        let batch_size = pr.batch_size;
        let fits = pr
            .queues
            .get(tp)
            .and_then(|q| q.back())
            .is_some_and(|b| b.attempts == 0 && !b.full && (b.bytes + send.size <= batch_size));
        // Counted only when a new batch is needed: summing every batch for each record would
        // make a burst of sends quadratic.
        let used = if fits { 0 } else { pr.buffer_used() };
        let pr = &mut self.producers[pi];
        pr.deques
            .entry(tp.topic().to_string())
            .or_default()
            .insert(tp.partition);
        let q = pr.queues.entry(tp.clone()).or_default();
        if !fits {
            if let Some(b) = q.back_mut() {
                b.full = true;
            }
            let alloc = batch_size.max(super::msg::BATCH_HEADER_BYTES + send.size);
            if used + alloc > pr.buffer_memory {
                if q.is_empty() {
                    pr.queues.remove(tp);
                }
                return false;
            }
            q.push_back(PBatch {
                tp: tp.clone(),
                records: Vec::new(),
                bytes: super::msg::BATCH_HEADER_BYTES,
                alloc,
                created: now,
                attempts: 0,
                base_seq: -1,
                not_before: now,
                full: false,
            });
        }
        let b = q.back_mut().expect("a batch was just ensured");
        b.bytes += send.size;
        b.records.push(send.rec.clone());
        if b.bytes >= batch_size {
            b.full = true;
        }
        if send.sticky {
            // `updatePartitionInfo`: switch once `batch.size` bytes went to this partition
            // and its queue has no incomplete batch (so a lingering batch is not split), or
            // unconditionally at twice `batch.size`.
            let topic = tp.topic();
            let all_full = q.back().is_none_or(|b| b.full);
            let produced = pr.sticky.get(topic).map_or(0, |s| s.1) + send.size;
            if let Some(s) = pr.sticky.get_mut(topic) {
                s.1 = produced;
            }
            if (produced >= batch_size && all_full) || produced >= 2 * batch_size {
                let nparts = self.topic_partition_count(topic).unwrap_or(1).max(1);
                let next = self.next_partition(pi, topic, nparts);
                self.producers[pi]
                    .sticky
                    .insert(topic.to_string(), (next, 0));
            }
        }
        true
    }

    /// Sends blocked on `buffer.memory` go on in order as memory is freed; the one at the
    /// head fails once it has waited `max.block.ms` (`BufferExhaustedException`, a
    /// `TimeoutException`, whose error code is REQUEST_TIMED_OUT), and the next one starts
    /// its own wait, as the application's next `send()` would.
    fn admit_blocked(&mut self, pi: usize) {
        let now = self.now;
        while let Some(send) = self.producers[pi].blocked.front().cloned() {
            let pr = &self.producers[pi];
            if now >= pr.blocked_since + pr.max_block_ms {
                let pr = &mut self.producers[pi];
                pr.blocked.pop_front();
                pr.blocked_since = now;
                pr.failed += 1;
                pr.last_error = Some(KafkaError::RequestTimedOut);
                self.txn_on_send_failed(pi, KafkaError::RequestTimedOut);
                continue;
            }
            if !self.accumulate(pi, &send) {
                let t = pr_deadline(&self.producers[pi]);
                self.producer_wake_at(pi, t);
                return;
            }
            let pr = &mut self.producers[pi];
            pr.blocked.pop_front();
            pr.blocked_since = now;
        }
    }

    /// The sticky partitioner (`BuiltInPartitioner.peekCurrentPartitionInfo`): the current
    /// sticky partition of `topic`, choosing one if there is none. A switch that was held back
    /// because the queue had an incomplete batch happens here once every batch is full
    /// (`RecordAccumulator.partitionChanged`).
    fn sticky_partition(&mut self, pi: usize, topic: &str, nparts: u32) -> u32 {
        let pr = &self.producers[pi];
        if let Some(&(p, produced)) = pr.sticky.get(topic) {
            let all_full = pr
                .queues
                .get(&TopicPartition::new(topic, p))
                .and_then(|q| q.back())
                .is_none_or(|b| b.full);
            if !(all_full && produced >= pr.batch_size) {
                return p;
            }
        }
        let p = self.next_partition(pi, topic, nparts);
        self.producers[pi].sticky.insert(topic.to_string(), (p, 0));
        p
    }

    /// `BuiltInPartitioner.nextPartition`: weighted by the load stats when there are some (P6),
    /// otherwise uniform over the partitions whose leader this producer knows (all of them if
    /// it knows none yet).
    fn next_partition(&mut self, pi: usize, topic: &str, nparts: u32) -> u32 {
        let pr = &self.producers[pi];
        if let Some((ids, cft)) = pr.load_stats.get(topic) {
            let total = cft.last().copied().unwrap_or(1).max(1);
            let r = self.rng.below(total);
            return ids[weighted_index(cft, r)];
        }
        let available: Vec<u32> = pr.metadata.get(topic).map_or_else(Vec::new, |m| {
            (0..nparts.min(m.len() as u32))
                .filter(|p| m[*p as usize].is_some())
                .collect()
        });
        if available.is_empty() {
            self.rng.below(nparts)
        } else {
            available[self.rng.below(available.len() as u32) as usize]
        }
    }

    /// `RecordAccumulator.partitionReady`'s queue sizes, turned into load stats (P6): once every
    /// partition of a topic has had a queue, the number of batches waiting per partition whose
    /// leader is known. Kafka does this in every sender pass.
    fn update_load_stats(&mut self, pi: usize) {
        let pr = &mut self.producers[pi];
        if !pr.adaptive {
            return;
        }
        let mut stats = VecMap::new();
        for (topic, parts) in &pr.deques {
            let n = self
                .controller
                .topics
                .get(topic)
                .map_or(0, |t| t.partitions.len());
            if parts.len() < n {
                continue;
            }
            let meta = pr.metadata.get(topic);
            let mut ids = Vec::new();
            let mut sizes = Vec::new();
            for &p in parts {
                if meta
                    .and_then(|m| m.get(p as usize).copied().flatten())
                    .is_some()
                {
                    ids.push(p);
                    sizes.push(
                        pr.queues
                            .get(&TopicPartition::new(topic.as_str(), p))
                            .map_or(0, |q| q.len() as u32),
                    );
                }
            }
            if let Some(cft) = cumulative_frequency_table(&sizes, parts.len()) {
                stats.insert(topic.clone(), (ids, cft));
            }
        }
        pr.load_stats = stats;
    }

    fn client_node(pi: usize) -> NodeId {
        NodeId::Client(ClientId(pi as u32))
    }

    /// The broker a client asks for metadata: the bootstrap list in turn.
    pub(crate) fn pick_broker(&mut self, pi: usize) -> BrokerId {
        let n = self.brokers.len() as u32;
        BrokerId(self.producers[pi].bootstrap % n + 1)
    }

    /// The sender: metadata, producer id, expiry, draining ready batches into requests.
    pub(crate) fn producer_poll(&mut self, pi: usize) {
        let now = self.now;
        let me = Self::client_node(pi);
        if self.producers[pi].dead {
            return;
        }
        self.txn_poll(pi);
        // Expire batches that waited longer than delivery.timeout.ms.
        let dt = self.producers[pi].delivery_timeout_ms;
        let mut expired: Vec<PBatch> = Vec::new();
        for q in self.producers[pi].queues.values_mut() {
            while q.front().is_some_and(|b| now - b.created >= dt) {
                expired.extend(q.pop_front());
            }
        }
        for b in expired {
            self.producer_fail(pi, b, KafkaError::RequestTimedOut);
        }
        self.producers[pi].queues.retain(|_, q| !q.is_empty());
        self.admit_blocked(pi);
        if self.producers[pi].queues.is_empty() {
            return;
        }
        // Idempotence needs a producer id first (InitProducerId; a transactional producer
        // gets it from its transaction coordinator, in `txn_poll`).
        if self.producers[pi].idempotent && self.producers[pi].producer_id.is_none() {
            if self.producers[pi].pid_inflight.is_none() && self.producers[pi].txn.is_none() {
                let req = self.next_req();
                let b = self.pick_broker(pi);
                self.producers[pi].pid_inflight = Some(req);
                self.send(
                    me,
                    NodeId::Broker(b),
                    Message::InitProducerIdRequest {
                        req,
                        transactional_id: None,
                        transaction_timeout_ms: 0,
                    },
                );
                let to = self.producers[pi].request_timeout_ms;
                self.schedule_timer(me, to, Timer::RequestTimeout { req });
            }
            return;
        }
        // Metadata for every topic with queued records.
        let need_meta = self.producers[pi].metadata_stale
            || self.producers[pi].queues.keys().any(|tp| {
                self.producers[pi]
                    .metadata
                    .get(tp.topic())
                    .and_then(|v| v.get(tp.partition as usize).copied().flatten())
                    .is_none()
            });
        let meta_backoff = self.producers[pi].metadata_not_before;
        let meta_wait = (need_meta && meta_backoff > now).then_some(meta_backoff);
        if need_meta && self.producers[pi].metadata_inflight.is_none() && meta_backoff <= now {
            let req = self.next_req();
            let b = self.pick_broker(pi);
            self.producers[pi].metadata_inflight = Some(req);
            self.send(me, NodeId::Broker(b), Message::MetadataRequest { req });
            let to = self.producers[pi].request_timeout_ms;
            self.schedule_timer(me, to, Timer::RequestTimeout { req });
        }
        self.update_load_stats(pi);
        // Drain: one batch per partition per request, grouped by leader.
        let mut by_broker: VecMap<BrokerId, Vec<PBatch>> = VecMap::new();
        let mut next_wake: Option<Millis> = None;
        let mut wake = |t: Millis| {
            if t > now {
                next_wake = Some(next_wake.map_or(t, |w: Millis| w.min(t)));
            }
        };
        if let Some(t) = meta_wait {
            wake(t);
        }
        let tps: Vec<TopicPartition> = self.producers[pi].queues.keys().cloned().collect();
        for tp in tps {
            let pr = &self.producers[pi];
            let Some(leader) = pr
                .metadata
                .get(tp.topic())
                .and_then(|v| v.get(tp.partition as usize).copied().flatten())
                .map(|l| l.0)
            else {
                continue;
            };
            if !self.txn_send_allowed(pi, &tp) {
                continue;
            }
            let pr = &self.producers[pi];
            let front = &pr.queues[&tp][0];
            let ready = front.full || front.attempts > 0 || now - front.created >= pr.linger_ms;
            if !ready {
                wake(front.created + pr.linger_ms);
                wake(front.created + pr.delivery_timeout_ms);
                continue;
            }
            if front.not_before > now {
                wake(front.not_before);
                continue;
            }
            // Ordering: with one request in flight per connection, a partition with a batch in
            // flight waits; an idempotent retry waits for earlier sequences to resolve.
            let has_inflight = pr
                .inflight
                .values()
                .any(|f| f.batches.iter().any(|b| b.tp == tp));
            if pr.max_in_flight == 1 && has_inflight {
                continue;
            }
            if pr.idempotent
                && front.attempts > 0
                && pr.inflight.values().any(|f| {
                    f.batches
                        .iter()
                        .any(|b| b.tp == tp && b.base_seq < front.base_seq)
                })
            {
                continue;
            }
            // A new request to this broker only while fewer than max.in.flight are open.
            if !by_broker.contains_key(&leader) && pr.inflight_to(leader) >= pr.max_in_flight {
                continue;
            }
            let pr = &mut self.producers[pi];
            let mut b = pr
                .queues
                .get_mut(&tp)
                .and_then(|q| q.pop_front())
                .expect("front exists");
            if pr.idempotent && b.base_seq < 0 {
                let seq = pr.next_seq.entry(tp.clone()).or_insert(0);
                b.base_seq = *seq;
                *seq = ((*seq as i64 + b.records.len() as i64) % (i32::MAX as i64 + 1)) as i32;
            }
            b.attempts += 1;
            by_broker.entry(leader).or_default().push(b);
        }
        self.producers[pi].queues.retain(|_, q| !q.is_empty());
        for (broker, batches) in by_broker {
            self.send_produce(pi, broker, batches);
        }
        // Anything still queued wakes the sender later.
        for q in self.producers[pi].queues.values() {
            if let Some(b) = q.front() {
                wake(b.created + self.producers[pi].delivery_timeout_ms);
            }
        }
        if let Some(t) = next_wake {
            let pr = &mut self.producers[pi];
            if pr.wake_at.is_none_or(|w| w <= now || t < w) {
                pr.wake_token += 1;
                pr.wake_at = Some(t);
                let token = pr.wake_token;
                self.schedule_timer(me, t - now, Timer::ProducerWake { token });
            }
        }
    }

    fn send_produce(&mut self, pi: usize, broker: BrokerId, batches: Vec<PBatch>) {
        let me = Self::client_node(pi);
        let req = self.next_req();
        let pr = &self.producers[pi];
        let (pid, pepoch) = if pr.idempotent {
            pr.producer_id.unwrap_or((-1, -1))
        } else {
            (-1, -1)
        };
        let wire: Vec<(TopicPartition, Batch)> = batches
            .iter()
            .map(|b| {
                (
                    b.tp.clone(),
                    Batch {
                        base_offset: 0,
                        leader_epoch: -1,
                        producer_id: pid,
                        producer_epoch: pepoch,
                        base_sequence: if pr.idempotent { b.base_seq } else { -1 },
                        max_timestamp: b.records.iter().map(|r| r.timestamp).max().unwrap_or(0),
                        records: b.records.clone().into(),
                        attempt: b.attempts,
                        transactional: pr.txn.is_some(),
                        control: None,
                        codec: pr.codec,
                    },
                )
            })
            .collect();
        let acks = pr.acks;
        let timeout_ms = pr.request_timeout_ms;
        self.send(
            me,
            NodeId::Broker(broker),
            Message::ProduceRequest {
                req,
                acks,
                timeout_ms,
                batches: wire,
            },
        );
        if acks == 0 {
            // acks=0: success is reported as soon as the request is written; offsets are -1.
            // The checker learns where the records went when the leader appends them (or that
            // they are gone if the request never gets there).
            for b in batches {
                self.producers[pi].acked += b.records.len() as u64;
            }
            return;
        }
        self.producers[pi].inflight.insert(
            req,
            InFlight {
                broker,
                batches,
                sent: self.now,
            },
        );
        self.schedule_timer(me, timeout_ms, Timer::RequestTimeout { req });
    }

    fn producer_fail(&mut self, pi: usize, b: PBatch, e: KafkaError) {
        let pr = &mut self.producers[pi];
        pr.failed += b.records.len() as u64;
        pr.last_error = Some(e);
        self.txn_on_send_failed(pi, e);
    }

    /// Makes the sender wake at `t` (unless it already wakes earlier).
    pub(crate) fn producer_wake_at(&mut self, pi: usize, t: Millis) {
        let now = self.now;
        let me = Self::client_node(pi);
        let pr = &mut self.producers[pi];
        if t > now && pr.wake_at.is_none_or(|w| w <= now || t < w) {
            pr.wake_token += 1;
            pr.wake_at = Some(t);
            let token = pr.wake_token;
            self.schedule_timer(me, t - now, Timer::ProducerWake { token });
        }
    }

    /// A batch failed with `e`: retry it if Kafka would, else report the failure.
    fn producer_batch_error(&mut self, pi: usize, mut b: PBatch, e: KafkaError) {
        let now = self.now;
        let pr = &mut self.producers[pi];
        if matches!(
            e,
            KafkaError::NotLeaderOrFollower
                | KafkaError::UnknownTopicOrPartition
                | KafkaError::LeaderNotAvailable
                | KafkaError::RequestTimedOut
                | KafkaError::NetworkException
                | KafkaError::FencedLeaderEpoch
                | KafkaError::UnknownLeaderEpoch
        ) {
            pr.metadata_stale = true;
        }
        let retriable =
            e.is_retriable() || (pr.idempotent && e == KafkaError::OutOfOrderSequenceNumber);
        let within = now - b.created < pr.delivery_timeout_ms;
        if retriable && b.attempts <= pr.retries && within {
            b.not_before = now + pr.retry_backoff_ms;
            let q = pr.queues.entry(b.tp.clone()).or_default();
            // Retries go back in sequence order (idempotent) or at the front.
            let pos = if pr.idempotent {
                q.iter()
                    .position(|x| x.base_seq < 0 || x.base_seq > b.base_seq)
                    .unwrap_or(q.len())
            } else {
                0
            };
            q.insert(pos, b);
            pr.last_error = Some(e);
        } else {
            self.producer_fail(pi, b, e);
        }
    }

    pub(crate) fn producer_receive(&mut self, c: ClientId, _from: NodeId, msg: Message) {
        let pi = c.0 as usize;
        let Some(msg) = self.txn_client_receive(pi, msg) else {
            self.producer_poll(pi);
            return;
        };
        match msg {
            Message::InitProducerIdResponse {
                req,
                producer_id,
                producer_epoch,
                ..
            } => {
                if self.producers[pi].pid_inflight == Some(req) {
                    self.producers[pi].pid_inflight = None;
                    self.producers[pi].producer_id = Some((producer_id, producer_epoch));
                }
            }
            Message::MetadataResponse { req, topics } => {
                if self.producers[pi].metadata_inflight == Some(req) {
                    let pr = &mut self.producers[pi];
                    pr.metadata_inflight = None;
                    pr.metadata_stale = false;
                    pr.metadata_not_before = self.now + pr.retry_backoff_ms;
                    pr.metadata = topics.into_iter().collect();
                    // The next metadata request goes to another broker if this one knew nothing.
                    if pr.metadata.is_empty() {
                        pr.bootstrap += 1;
                    }
                }
            }
            Message::ProduceResponse { req, results } => {
                let Some(f) = self.producers[pi].inflight.remove(&req) else {
                    return;
                };
                for b in f.batches {
                    let r = results
                        .iter()
                        .find(|r| r.tp == b.tp)
                        .map_or(Err(KafkaError::NetworkException), |r| r.result);
                    match r {
                        Ok(base) => {
                            let pr = &mut self.producers[pi];
                            pr.acked += b.records.len() as u64;
                            self.checker_on_ack(&b.tp, Some(base), &b.records);
                        }
                        // I4: the client treats DUPLICATE_SEQUENCE_NUMBER as success.
                        Err(KafkaError::DuplicateSequenceNumber) => {
                            self.producers[pi].acked += b.records.len() as u64;
                        }
                        Err(e) => self.producer_batch_error(pi, b, e),
                    }
                }
            }
            _ => return,
        }
        self.producer_poll(pi);
    }

    /// The broker a request went to is down: the connection is refused, the request fails
    /// with a retriable NETWORK_EXCEPTION, and the next one goes to another broker.
    pub(crate) fn producer_refused(&mut self, pi: usize, req: u64) {
        if self.txn_request_failed(pi, req) {
            self.producer_poll(pi);
            return;
        }
        let pr = &mut self.producers[pi];
        pr.bootstrap += 1;
        if pr.metadata_inflight == Some(req) {
            pr.metadata_inflight = None;
        } else if pr.pid_inflight == Some(req) {
            pr.pid_inflight = None;
        } else if let Some(f) = pr.inflight.remove(&req) {
            for b in f.batches {
                self.producer_batch_error(pi, b, KafkaError::NetworkException);
            }
        } else {
            return;
        }
        self.producer_poll(pi);
    }

    pub(crate) fn producer_timer(&mut self, c: ClientId, t: Timer) {
        let pi = c.0 as usize;
        match t {
            Timer::ProducerWake { .. } => {
                self.producers[pi].wake_at = None;
            }
            Timer::RequestTimeout { req } if self.txn_request_failed(pi, req) => {}
            Timer::RequestTimeout { req } => {
                let pr = &mut self.producers[pi];
                if pr.metadata_inflight == Some(req) {
                    pr.metadata_inflight = None;
                    pr.bootstrap += 1;
                } else if pr.pid_inflight == Some(req) {
                    pr.pid_inflight = None;
                    pr.bootstrap += 1;
                } else if let Some(f) = pr.inflight.remove(&req) {
                    pr.bootstrap += 1;
                    for b in f.batches {
                        self.producer_batch_error(pi, b, KafkaError::RequestTimedOut);
                    }
                }
            }
            _ => {}
        }
        self.producer_poll(pi);
    }
}

/// When the send at the head of the blocked queue gives up (`max.block.ms`).
fn pr_deadline(pr: &Producer) -> Millis {
    pr.blocked_since + pr.max_block_ms
}
