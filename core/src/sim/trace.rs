//! The event trace: what happened at each step, for the UI's timeline, the narration, and
//! the determinism checks. Every event (and every command) is folded into a running 64-bit
//! FNV-1a hash over a canonical encoding, so two runs are identical exactly when their hashes
//! agree, natively and in wasm32 alike (the encoding uses only fixed-width little-endian
//! integers and strings, nothing that depends on the platform).

use alloc::string::String;
use core::hash::{Hash, Hasher};

use crate::ids::NodeId;
use crate::time::Millis;

use super::command::Command;
use super::net::Envelope;
use super::Timer;

pub const HASH_INIT: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceKind {
    /// A message arrived at a live, reachable node.
    Delivered,
    /// A message was lost: a fault dropped it, its link was cut, or its target was down.
    Dropped,
    /// A timer fired.
    Timer,
}

/// One step of the run, described for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEvent {
    pub step: u64,
    pub time_ms: u64,
    pub kind: TraceKind,
    /// The Kafka API for a message (`Produce`, `Fetch`, …); the timer's name otherwise.
    pub api: &'static str,
    pub is_response: bool,
    /// The request this message answers (or carries), 0 for none.
    pub req: u64,
    pub from: String,
    pub to: String,
    pub summary: String,
}

impl TraceEvent {
    pub(crate) fn of_message(
        step: u64,
        now: Millis,
        kind: TraceKind,
        env: &Envelope,
        from: String,
        to: String,
    ) -> Self {
        TraceEvent {
            step,
            time_ms: now.0,
            kind,
            api: env.msg.api().name(),
            is_response: env.msg.is_response(),
            req: env.msg.req(),
            from,
            to,
            summary: env.msg.summary(),
        }
    }

    pub(crate) fn of_timer(step: u64, now: Millis, node: String, t: &Timer) -> Self {
        TraceEvent {
            step,
            time_ms: now.0,
            kind: TraceKind::Timer,
            api: t.name(),
            is_response: false,
            req: 0,
            from: node.clone(),
            to: node,
            summary: String::from(t.name()),
        }
    }
}

struct Fnv(u64);

impl Fnv {
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= x as u64;
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
    }
    fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    fn node(&mut self, n: NodeId) {
        match n {
            NodeId::Broker(b) => {
                self.bytes(&[1]);
                self.u64(b.0 as u64)
            }
            NodeId::Controller(c) => {
                self.bytes(&[2]);
                self.u64(c as u64)
            }
            NodeId::Client(c) => {
                self.bytes(&[3]);
                self.u64(c.0 as u64)
            }
        }
    }
}

pub(crate) fn fold(
    h: u64,
    step: u64,
    now: Millis,
    kind: TraceKind,
    env: Option<&Envelope>,
    timer: Option<(NodeId, &Timer)>,
) -> u64 {
    let mut f = Fnv(h);
    f.u64(step);
    f.u64(now.0);
    f.bytes(&[kind as u8]);
    if let Some(env) = env {
        f.node(env.from);
        f.node(env.to);
        f.bytes(env.msg.api().name().as_bytes());
        f.bytes(&[env.msg.is_response() as u8]);
        f.u64(env.msg.req());
        f.u64(env.sent.0);
    }
    if let Some((n, t)) = timer {
        f.node(n);
        f.bytes(t.name().as_bytes());
    }
    f.0
}

pub(crate) fn fold_command(h: u64, step: u64, now: Millis, cmd: &Command) -> u64 {
    let mut f = Fnv(h);
    f.bytes(b"cmd");
    f.u64(step);
    f.u64(now.0);
    // The command's fields through its derived `Hash`, into the `Hasher` below, which writes
    // every integer as fixed-width little-endian: the same bytes natively and in wasm32, and
    // in the shipped bundle too (whose `Debug` prints nothing: `-Zfmt-debug=none`).
    cmd.hash(&mut f);
    f.0
}

/// Derived `Hash` writes `usize` lengths and `isize` enum discriminants, whose width is the
/// target's: each write is widened to 64 bits here so that wasm32 and 64-bit hosts agree
/// (without that, `core/tests/determinism.rs` run in wasm32 finds all 50 hashes differ).
impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.bytes(bytes);
    }
    fn write_u8(&mut self, v: u8) {
        self.bytes(&[v]);
    }
    fn write_u16(&mut self, v: u16) {
        self.bytes(&v.to_le_bytes());
    }
    fn write_u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }
    fn write_u64(&mut self, v: u64) {
        self.u64(v);
    }
    fn write_u128(&mut self, v: u128) {
        self.bytes(&v.to_le_bytes());
    }
    fn write_usize(&mut self, v: usize) {
        self.u64(v as u64);
    }
    fn write_i8(&mut self, v: i8) {
        self.write_u8(v as u8);
    }
    fn write_i16(&mut self, v: i16) {
        self.write_u16(v as u16);
    }
    fn write_i32(&mut self, v: i32) {
        self.write_u32(v as u32);
    }
    fn write_i64(&mut self, v: i64) {
        self.u64(v as u64);
    }
    fn write_i128(&mut self, v: i128) {
        self.write_u128(v as u128);
    }
    fn write_isize(&mut self, v: isize) {
        self.u64(v as i64 as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::BrokerId;
    use alloc::vec;
    use alloc::vec::Vec;

    fn produce(count: u32, key: Option<&str>) -> Command {
        Command::Produce {
            producer: "p1".into(),
            topic: "orders".into(),
            key: key.map(String::from),
            value: Some("v".into()),
            partition: None,
            count,
        }
    }

    #[test]
    fn a_commands_fold_covers_every_field() {
        let at = |c: &Command| fold_command(HASH_INIT, 3, Millis(10), c);
        assert_eq!(at(&produce(2, Some("k"))), at(&produce(2, Some("k"))));
        assert_ne!(at(&produce(2, Some("k"))), at(&produce(3, Some("k"))));
        assert_ne!(at(&produce(2, Some("k"))), at(&produce(2, None)));
        assert_ne!(
            at(&Command::BrokerKill(BrokerId(1))),
            at(&Command::BrokerStop(BrokerId(1)))
        );
        // A string's end is marked, so moving text between fields changes the hash.
        let topic = |name: &str, configs: Vec<(String, String)>| Command::CreateTopic {
            name: name.into(),
            partitions: Some(1),
            replication_factor: None,
            assignment: None,
            configs,
        };
        assert_ne!(
            at(&topic("ab", vec![("c".into(), "d".into())])),
            at(&topic("a", vec![("bc".into(), "d".into())]))
        );
    }
}
