//! The simulated network: every request and response is a message with a latency.
//!
//! Messages wait in one queue ordered by delivery time, then by a sequence number, so that
//! equal times never depend on anything but the order things were sent. Faults act here: a
//! node cut off, a link cut, extra latency on a node, and one-shot drop / delay / duplicate of
//! the next message of an API kind. A dropped message is recorded in the trace, so the UI can
//! show it vanish.

use crate::collections::{VecMap, VecSet};
use alloc::collections::BinaryHeap;
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;

use crate::ids::NodeId;
use crate::time::Millis;

use super::msg::Message;

/// Kafka API keys, as the protocol names them. The UI colours messages by these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ApiKey {
    Produce,
    Fetch,
    Metadata,
    AlterPartition,
    BrokerRegistration,
    BrokerHeartbeat,
    /// The controller's metadata log reaching a broker (in KRaft, brokers fetch
    /// `__cluster_metadata` from the controller; modelled as a push of each record).
    MetadataRecord,
    InitProducerId,
    FindCoordinator,
    JoinGroup,
    SyncGroup,
    Heartbeat,
    LeaveGroup,
    OffsetCommit,
    OffsetFetch,
    ConsumerGroupHeartbeat,
    AddPartitionsToTxn,
    AddOffsetsToTxn,
    EndTxn,
    WriteTxnMarkers,
    TxnOffsetCommit,
}

impl ApiKey {
    pub const ALL: &'static [ApiKey] = &[
        ApiKey::Produce,
        ApiKey::Fetch,
        ApiKey::Metadata,
        ApiKey::AlterPartition,
        ApiKey::BrokerRegistration,
        ApiKey::BrokerHeartbeat,
        ApiKey::MetadataRecord,
        ApiKey::InitProducerId,
        ApiKey::FindCoordinator,
        ApiKey::JoinGroup,
        ApiKey::SyncGroup,
        ApiKey::Heartbeat,
        ApiKey::LeaveGroup,
        ApiKey::OffsetCommit,
        ApiKey::OffsetFetch,
        ApiKey::ConsumerGroupHeartbeat,
        ApiKey::AddPartitionsToTxn,
        ApiKey::AddOffsetsToTxn,
        ApiKey::EndTxn,
        ApiKey::WriteTxnMarkers,
        ApiKey::TxnOffsetCommit,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ApiKey::Produce => "Produce",
            ApiKey::Fetch => "Fetch",
            ApiKey::Metadata => "Metadata",
            ApiKey::AlterPartition => "AlterPartition",
            ApiKey::BrokerRegistration => "BrokerRegistration",
            ApiKey::BrokerHeartbeat => "BrokerHeartbeat",
            ApiKey::MetadataRecord => "MetadataRecord",
            ApiKey::InitProducerId => "InitProducerId",
            ApiKey::FindCoordinator => "FindCoordinator",
            ApiKey::JoinGroup => "JoinGroup",
            ApiKey::SyncGroup => "SyncGroup",
            ApiKey::Heartbeat => "Heartbeat",
            ApiKey::LeaveGroup => "LeaveGroup",
            ApiKey::OffsetCommit => "OffsetCommit",
            ApiKey::OffsetFetch => "OffsetFetch",
            ApiKey::ConsumerGroupHeartbeat => "ConsumerGroupHeartbeat",
            ApiKey::AddPartitionsToTxn => "AddPartitionsToTxn",
            ApiKey::AddOffsetsToTxn => "AddOffsetsToTxn",
            ApiKey::EndTxn => "EndTxn",
            ApiKey::WriteTxnMarkers => "WriteTxnMarkers",
            ApiKey::TxnOffsetCommit => "TxnOffsetCommit",
        }
    }

    /// Case-insensitive, as a user types it in the console.
    pub fn parse(s: &str) -> Option<ApiKey> {
        ApiKey::ALL
            .iter()
            .copied()
            .find(|k| k.name().eq_ignore_ascii_case(s))
    }
}

/// A message on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    pub from: NodeId,
    pub to: NodeId,
    pub sent: Millis,
    pub deliver: Millis,
    pub msg: Message,
}

/// What is scheduled to happen: a message delivery or a timer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scheduled {
    Deliver(Envelope),
    Timer(NodeId, super::Timer),
}

/// A place in the queue: when, in what order, and which slot of [`Network`]'s `slots` holds
/// what is scheduled. The heap moves these 24 bytes, not the scheduled message itself (168
/// bytes natively): a pop sifts through every level of a queue that holds up to a thousand
/// entries, and with the messages inline the sifts took 7% of a replay's time in wasm
/// (`Timeline::seek`, a CPU profile in Chromium) and their copying 4 to 5% natively (perf).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    at: Millis,
    seq: u64,
    slot: u32,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap: reverse, so the earliest (then the first sent) comes out.
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A slot number: the queue holds fewer than 2^32 entries (each takes over 150 bytes).
fn slot_index(i: usize) -> u32 {
    u32::try_from(i).expect("fewer than 2^32 queued entries")
}

/// What a queued entry's slot holds: it is filled on `schedule` and emptied only when the entry
/// leaves the heap.
fn held<T>(slot: Option<T>) -> T {
    slot.expect("a queued entry's slot holds what it schedules")
}

/// A one-shot fault on the next message of a kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NextFault {
    pub api: ApiKey,
    pub from: Option<NodeId>,
    pub action: NextAction,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextAction {
    Drop,
    Delay(u64),
    Duplicate,
}

/// The queue plus the faults in force.
#[derive(Clone, Debug, Default)]
pub struct Network {
    heap: BinaryHeap<Entry>,
    /// What each queued entry schedules, at its `slot`; `None` where the slot is free. Slots
    /// are reused (`free`), so this is as long as the queue has been since its last rebuild.
    /// Which slot an entry gets never matters to the run: the queue's order is (time, seq).
    slots: Vec<Option<Scheduled>>,
    free: Vec<u32>,
    seq: u64,
    /// Nodes cut off from everyone.
    pub isolated: VecSet<NodeId>,
    /// Links cut, stored with the smaller node first.
    pub cut: VecSet<(NodeId, NodeId)>,
    /// Extra latency per node, in ms.
    pub slow: VecMap<NodeId, u64>,
    pub next_faults: Vec<NextFault>,
    /// Timers taken out of `heap` because they can never fire (see [`Network::bury`]), kept
    /// as (time, seq, node) only: until the run passes them they still count for
    /// [`Network::peek_time`] exactly as the dead timer did, so no run changes.
    ghosts: BinaryHeap<core::cmp::Reverse<(Millis, u64, NodeId)>>,
    /// The queue length at which dead timers are next buried (see [`Network::wants_burial`]).
    bury_at: usize,
}

// BinaryHeap has no PartialEq: two networks are equal when their queues hold the same
// entries in the same order, whatever the heap's internal layout.
impl PartialEq for Network {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq
            && self.isolated == other.isolated
            && self.cut == other.cut
            && self.slow == other.slow
            && self.next_faults == other.next_faults
            && self.sorted_entries() == other.sorted_entries()
            && self.sorted_ghosts() == other.sorted_ghosts()
    }
}

impl Network {
    pub fn schedule(&mut self, at: Millis, what: Scheduled) {
        self.seq += 1;
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(what);
                slot
            }
            None => {
                self.slots.push(Some(what));
                slot_index(self.slots.len() - 1)
            }
        };
        self.heap.push(Entry {
            at,
            seq: self.seq,
            slot,
        });
    }

    /// What entry `e` schedules, taken out of its slot (which becomes free).
    fn take(&mut self, e: Entry) -> Scheduled {
        self.free.push(e.slot);
        held(self.slots[e.slot as usize].take())
    }

    /// What entry `e` schedules.
    fn what(&self, e: &Entry) -> &Scheduled {
        held(self.slots[e.slot as usize].as_ref())
    }

    /// Every queued entry with what it schedules, in no particular order.
    fn entries(&self) -> impl Iterator<Item = (Millis, u64, &Scheduled)> {
        self.heap.iter().map(|e| (e.at, e.seq, self.what(e)))
    }

    /// Empties the queue, returning its entries in no particular order.
    fn drain(&mut self) -> Vec<(Millis, u64, Scheduled)> {
        let heap = core::mem::take(&mut self.heap).into_vec();
        let mut slots = core::mem::take(&mut self.slots);
        self.free.clear();
        heap.into_iter()
            .map(|e| (e.at, e.seq, held(slots[e.slot as usize].take())))
            .collect()
    }

    /// Queues `entries` again with their own times and sequence numbers, in fresh slots.
    fn refill(&mut self, entries: Vec<(Millis, u64, Scheduled)>) {
        let mut heap = Vec::with_capacity(entries.len());
        self.slots = Vec::with_capacity(entries.len());
        for (at, seq, what) in entries {
            let slot = slot_index(self.slots.len());
            self.slots.push(Some(what));
            heap.push(Entry { at, seq, slot });
        }
        self.heap = heap.into();
    }

    pub fn pop(&mut self) -> Option<(Millis, Scheduled)> {
        let Some(e) = self.heap.pop() else {
            // The dead timers left would all have been popped and skipped.
            self.ghosts.clear();
            return None;
        };
        // Ghosts that would have come out before this entry were skipped on the way.
        while self
            .ghosts
            .peek()
            .is_some_and(|g| (g.0 .0, g.0 .1) < (e.at, e.seq))
        {
            self.ghosts.pop();
        }
        Some((e.at, self.take(e)))
    }

    /// The time of the earliest entry, dead timers included (buried ones too).
    pub fn peek_time(&self) -> Option<Millis> {
        let live = self.heap.peek().map(|e| e.at);
        let ghost = self.ghosts.peek().map(|g| g.0 .0);
        match (live, ghost) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether the queue has doubled since the last [`Network::bury`] (amortised: each pass
    /// reads the whole queue).
    pub(crate) fn wants_burial(&self) -> bool {
        self.heap.len() > self.bury_at
    }

    /// The `seq` of every queued timer for which `dead` says it can never fire.
    pub(crate) fn dead_timers(&self, dead: impl Fn(NodeId, &super::Timer) -> bool) -> Vec<u64> {
        self.entries()
            .filter_map(|(_, seq, what)| match what {
                Scheduled::Timer(n, t) if dead(*n, t) => Some(seq),
                _ => None,
            })
            .collect()
    }

    /// Takes the timers `seqs` out of the queue, leaving ghosts: a busy cluster keeps one
    /// request timeout per request for request.timeout.ms (30 s), long after the answer came,
    /// and those made up nine tenths of the queue, of every heap operation's depth and of
    /// every checkpoint's copy of it.
    pub(crate) fn bury(&mut self, seqs: &[u64]) {
        self.bury_at = (2 * (self.heap.len() - seqs.len().min(self.heap.len()))).max(1024);
        if seqs.is_empty() {
            return;
        }
        let entries = self.drain();
        let mut kept = Vec::with_capacity(entries.len() - seqs.len().min(entries.len()));
        for (at, seq, what) in entries {
            match &what {
                Scheduled::Timer(n, _) if seqs.binary_search(&seq).is_ok() => {
                    self.ghosts.push(core::cmp::Reverse((at, seq, *n)));
                }
                _ => kept.push((at, seq, what)),
            }
        }
        self.refill(kept);
    }

    fn sorted_ghosts(&self) -> Vec<(Millis, u64, NodeId)> {
        let mut v: Vec<(Millis, u64, NodeId)> = self.ghosts.iter().map(|g| g.0).collect();
        crate::sort::sort_by_key(&mut v, |g| *g);
        v
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Messages in flight, in delivery order (for the view).
    pub fn in_flight(&self) -> Vec<&Envelope> {
        // Timers first out, then sort: a busy cluster has many more timers than messages, and
        // the view asks for this on every drawn frame.
        let mut v: Vec<(Millis, u64, &Envelope)> = self
            .entries()
            .filter_map(|(at, seq, what)| match what {
                Scheduled::Deliver(env) => Some((at, seq, env)),
                Scheduled::Timer(..) => None,
            })
            .collect();
        crate::sort::sort_by_key(&mut v, |e| (e.0, e.1));
        v.into_iter().map(|e| e.2).collect()
    }

    /// Whether a message from `a` to `b` can get through now.
    pub fn connected(&self, a: NodeId, b: NodeId) -> bool {
        if self.isolated.contains(&a) || self.isolated.contains(&b) {
            return false;
        }
        let key = if a <= b { (a, b) } else { (b, a) };
        !self.cut.contains(&key)
    }

    pub fn extra_latency(&self, a: NodeId, b: NodeId) -> u64 {
        self.slow.get(&a).copied().unwrap_or(0) + self.slow.get(&b).copied().unwrap_or(0)
    }

    /// Takes the one-shot fault that matches this message, if any.
    pub fn take_next_fault(&mut self, api: ApiKey, from: NodeId) -> Option<NextAction> {
        let i = self
            .next_faults
            .iter()
            .position(|f| f.api == api && f.from.is_none_or(|n| n == from))?;
        Some(self.next_faults.remove(i).action)
    }

    /// Removes every fault, or those touching `node`.
    pub fn heal(&mut self, node: Option<NodeId>) {
        match node {
            None => {
                self.isolated.clear();
                self.cut.clear();
                self.slow.clear();
                self.next_faults.clear();
            }
            Some(n) => {
                self.isolated.remove(&n);
                self.cut.retain(|(a, b)| *a != n && *b != n);
                self.slow.remove(&n);
                self.next_faults.retain(|f| f.from != Some(n));
            }
        }
    }

    /// Removes every pending timer of a node (a crashed process forgets its timers) and every
    /// message addressed to it that has not arrived (a restarted process has new connections).
    pub fn forget_node(&mut self, node: NodeId) {
        self.ghosts.retain(|g| g.0 .2 != node);
        let mut entries = self.drain();
        entries.retain(|(_, _, what)| match what {
            Scheduled::Timer(n, _) => *n != node,
            Scheduled::Deliver(env) => env.to != node,
        });
        self.refill(entries);
    }

    /// A digest of the queue's contents, independent of the heap's internal layout.
    pub fn sorted_entries(&self) -> Vec<(Millis, u64, &Scheduled)> {
        let mut v: Vec<(Millis, u64, &Scheduled)> = self.entries().collect();
        crate::sort::sort_by_key(&mut v, |e| (e.0, e.1));
        v
    }

    pub fn describe_faults(&self) -> Vec<String> {
        let mut out = Vec::new();
        for n in &self.isolated {
            out.push(alloc::format!("{n} isolated"));
        }
        for (a, b) in &self.cut {
            out.push(alloc::format!("link {a} <-> {b} cut"));
        }
        for (n, ms) in &self.slow {
            out.push(alloc::format!("{n} slowed by {ms}ms"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ClientId;
    use crate::sim::Timer;

    fn timeout(n: &mut Network, at: u64, client: u32, req: u64) {
        n.schedule(
            Millis(at),
            Scheduled::Timer(
                NodeId::Client(ClientId(client)),
                Timer::RequestTimeout { req },
            ),
        );
    }

    /// The queue gives entries back by time, then by the order they were scheduled, whatever
    /// slots hold them; freed slots are reused, so the payloads take no more room than the
    /// longest the queue has been.
    #[test]
    fn the_queue_orders_by_time_then_schedule_order_and_reuses_slots() {
        let mut n = Network::default();
        let mut expected: Vec<(u64, u64)> = Vec::new(); // (at, req) still queued
        let mut longest = 0;
        let mut req = 0;
        // Pushes and pops interleaved, with many equal times.
        for round in 0..50u64 {
            for k in 0..7u64 {
                req += 1;
                let at = 100 + (round * 3 + k * 5) % 11;
                timeout(&mut n, at, 1, req);
                expected.push((at, req));
            }
            longest = longest.max(n.len());
            for _ in 0..5 {
                let (at, what) = n.pop().unwrap();
                let Scheduled::Timer(_, Timer::RequestTimeout { req }) = what else {
                    panic!("only timeouts were queued");
                };
                // The earliest queued, the first scheduled among equal times (reqs rise with
                // the schedule order).
                let first = *expected.iter().min().unwrap();
                assert_eq!((at.0, req), first, "round {round}");
                expected.retain(|e| *e != first);
            }
        }
        assert_eq!(n.len(), expected.len());
        assert!(
            n.slots.len() <= longest,
            "{} slots for a queue at most {longest} long",
            n.slots.len()
        );
    }

    /// A buried timer still counts for `peek_time` until the queue passes it, as the dead
    /// timer it stands for did (Sim::run_until stops on that time), and it is gone exactly
    /// when the dead timer would have been popped and skipped.
    #[test]
    fn buried_timers_keep_their_place_in_time() {
        let mut n = Network::default();
        timeout(&mut n, 10, 1, 1);
        timeout(&mut n, 20, 1, 2);
        timeout(&mut n, 20, 2, 3);
        let mut dead =
            n.dead_timers(|_, t| matches!(t, Timer::RequestTimeout { req } if *req != 2));
        dead.sort_unstable();
        assert_eq!(dead, alloc::vec![1, 3]);
        n.bury(&dead);
        assert_eq!(n.len(), 1);
        assert_eq!(
            n.peek_time(),
            Some(Millis(10)),
            "the ghost at 10 still leads"
        );
        // Popping the live timer (20, seq 2) passes the ghost at (10, seq 1), not the one at
        // (20, seq 3), which came after it.
        let (at, _) = n.pop().unwrap();
        assert_eq!(at, Millis(20));
        assert_eq!(n.peek_time(), Some(Millis(20)));
        // A client's restart forgets its timers, ghosts included.
        n.forget_node(NodeId::Client(ClientId(2)));
        assert_eq!(n.peek_time(), None);
        // With the live queue empty, a pop skips every ghost left.
        timeout(&mut n, 5, 3, 4);
        n.bury(&[4]);
        assert_eq!(n.peek_time(), Some(Millis(5)));
        assert!(n.pop().is_none());
        assert_eq!(n.peek_time(), None);
    }
}
