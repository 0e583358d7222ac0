//! The event trace: what happened at each step, for the UI's timeline, the narration, and
//! the determinism checks. Every event (and every command) is folded into a running 64-bit
//! FNV-1a hash over a canonical encoding, so two runs are identical exactly when their hashes
//! agree, natively and in wasm32 alike (the encoding uses only fixed-width little-endian
//! integers and strings, nothing that depends on the platform).

use alloc::string::String;

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
    // The Debug form of a command is plain data (no addresses, no hash-map order), so it
    // is the same on every target. The shipped web bundle is built with `-Zfmt-debug=none`
    // (xtask's `release_build`), where it is empty: there the hash covers commands by step
    // and time only, and nothing in the app reads it; tests and native runs see the full form.
    let text = alloc::format!("{cmd:?}");
    f.bytes(text.as_bytes());
    f.0
}
