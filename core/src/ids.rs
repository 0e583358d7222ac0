//! Kafka's nouns as types: brokers, nodes on the simulated network, topic-partitions, offsets
//! and leader epochs. Keeping them distinct stops a broker id from being used as a partition
//! number by accident.

use alloc::rc::Rc;
use core::fmt;

/// A broker's `node.id` (1..N in a simulated cluster).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BrokerId(pub u32);

impl fmt::Display for BrokerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A record offset within a partition. Kafka uses `long`; so do we.
pub type Offset = i64;

/// A partition's leader epoch (KIP-101). Bumped by the controller on every leader change.
pub type LeaderEpoch = i32;

/// An index into the simulation's client table (producers and consumers). The user-facing
/// name is the client's `client.id`; this is only the simulation's handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClientId(pub u32);

/// Anything that sends or receives messages on the simulated network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeId {
    /// A broker, by `node.id`.
    Broker(BrokerId),
    /// A dedicated KRaft controller, `controller-N` (1-based).
    Controller(u32),
    /// A producer or consumer client.
    Client(ClientId),
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeId::Broker(b) => write!(f, "broker-{}", b.0),
            NodeId::Controller(c) => write!(f, "controller-{c}"),
            NodeId::Client(c) => write!(f, "client-{}", c.0),
        }
    }
}

/// A topic and partition number, written `orders-0` as Kafka writes it.
///
/// The topic name is shared (`Rc<str>`): these keys are copied into every fetch, every
/// consumer's lists and every checkpoint of the run (`Timeline`), and with a `String` each copy
/// was an allocation and later a free. In a 5 s CPU profile at 100x of issue 7's large cluster
/// in Chromium, the checkpoints' clones took 232 ms with `String` names and 127 ms with shared
/// ones. Ordering, equality and hashing are the name's, exactly as with a `String`, so runs do
/// not change.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicPartition {
    pub topic: Rc<str>,
    pub partition: u32,
}

impl TopicPartition {
    /// The topic's name.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    pub fn new(topic: impl Into<Rc<str>>, partition: u32) -> Self {
        Self {
            topic: topic.into(),
            partition,
        }
    }

    /// Parses `orders-0` (the last `-` separates the partition number, as topic names may
    /// themselves contain dashes).
    pub fn parse(s: &str) -> Option<Self> {
        let (topic, p) = s.rsplit_once('-')?;
        if topic.is_empty() || p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Self::new(topic, p.parse().ok()?))
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_partition_parses_names_with_dashes() {
        let tp = TopicPartition::parse("g-range-12").unwrap();
        assert_eq!(tp.topic(), "g-range");
        assert_eq!(tp.partition, 12);
        assert_eq!(alloc::format!("{tp}"), "g-range-12");
        assert!(TopicPartition::parse("orders").is_none());
        assert!(TopicPartition::parse("orders-").is_none());
        assert!(TopicPartition::parse("-1").is_none());
    }
}
