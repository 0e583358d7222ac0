//! `logscope-core`: a deterministic, sans-IO simulation of an Apache Kafka cluster.
//!
//! Everything about Kafka lives in this crate: brokers, the KRaft controller, partitions and
//! their replicas, the produce and fetch paths, the producer client, the assignors and the
//! scenario language. It is `no_std` + `alloc` so that the same code runs natively (tests,
//! benches) and in the browser (wasm32), and it never reads a clock or OS entropy: simulated
//! time is a number ([`time::Millis`]) and every random choice comes from one seeded generator
//! ([`rng::SimRng`]) stored inside the simulation. The same seed and the same commands give the
//! same event trace, byte for byte, on every target.
//!
//! The public door is [`sim::Sim`] (commands in, events out, a plain-data [`view::ClusterView`])
//! and [`sim::Timeline`] (exact step-back through checkpoints and replay). The facts the code
//! follows are those of `kafka-semantics.md`; each module names the ids it implements.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod assignor;
pub mod base64url;
pub mod collections;
pub mod compare;
pub mod config;
pub mod error;
pub mod ids;
pub mod link;
pub mod partitioner;
pub mod rng;
pub mod scenario;
pub mod sim;
mod sort;
pub mod time;
pub mod tour;
pub mod view;

pub use error::{CommandError, KafkaError};
pub use ids::{BrokerId, LeaderEpoch, NodeId, Offset, TopicPartition};
pub use sim::{Command, Sim, SimSpec, Timeline};
pub use time::Millis;
pub use view::ClusterView;
