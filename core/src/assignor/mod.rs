//! Consumer-group partition assignors: the four client-side ones of the classic protocol
//! (`range`, `roundrobin`, `sticky`, `cooperative-sticky`) and the two server-side ones of the
//! KIP-848 protocol (`uniform`, server `range`), as pure, deterministic functions of a
//! [`GroupSubscription`].
//!
//! Implements A1–A12 of `kafka-semantics.md` (A13, member reconciliation, belongs to the group
//! coordinator, which calls [`assign`]). Member ordering follows A1 ([`sort_members`]). Where Kafka's
//! result depends on Java `HashMap` iteration order over member ids (the sticky assignors' owned
//! partition pass and previous-owner ties) or on `HashSet<TopicPartition>` order (the sticky
//! general builder's partition movements), that order is reproduced exactly from `hashCode`
//! ([`java`]); where it
//! depends on `HashSet<Uuid>` order (server `uniform`, A11) the simulator uses sorted order and
//! promises balance and stickiness, not Kafka's exact bytes.
//!
//! Every assignor returns each member's partitions sorted by topic, then partition number, so the
//! result is a canonical value (Kafka's lists carry an order, but no consumer depends on it).
//! The inner loops work on indices (members by position, partitions by a global index over topics
//! in name order), never on strings, so a million partitions assign in well under a second.

mod java;
mod range;
mod roundrobin;
mod server;
mod sticky;

use crate::collections::VecMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;

pub use crate::ids::TopicPartition;

/// One topic as the assignors see it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TopicMeta {
    /// The number of partitions (`0..partitions`).
    pub partitions: u32,
    /// For each partition in order, the racks of its replicas. `None` means the cluster did not
    /// report racks for this topic. Only the rack-aware assignors (range A3, sticky) read it.
    pub partition_racks: Option<Vec<Vec<String>>>,
}

impl TopicMeta {
    /// A topic with `partitions` partitions and no rack information.
    pub fn new(partitions: u32) -> Self {
        Self {
            partitions,
            partition_racks: None,
        }
    }
}

/// One member's `JoinGroup` subscription (or, for the server-side assignors, its
/// `ConsumerGroupHeartbeat` subscription and current assignment).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemberSubscription {
    pub member_id: String,
    /// `group.instance.id` (static membership). Static members sort first (A1).
    pub group_instance_id: Option<String>,
    /// Subscribed topic names. Topics missing from [`GroupSubscription::topics`] are ignored by
    /// the client-side assignors and rejected by the server-side ones (A9).
    pub topics: Vec<String>,
    /// `client.rack`.
    pub rack: Option<String>,
    /// Partitions the member reports owning (sticky assignors; for the server-side assignors,
    /// its current assignment).
    pub owned: Vec<TopicPartition>,
    /// The generation in which it owned them (sticky assignors, A5). `None` is Kafka's
    /// `DEFAULT_GENERATION` (-1).
    pub generation: Option<i32>,
}

impl MemberSubscription {
    /// A dynamic member subscribed to `topics`, owning nothing.
    pub fn new(member_id: impl Into<String>, topics: &[&str]) -> Self {
        Self {
            member_id: member_id.into(),
            topics: topics.iter().map(|t| String::from(*t)).collect(),
            ..Self::default()
        }
    }
}

/// Everything an assignor reads: the topic metadata and the members, in the order the
/// coordinator received them (that order only matters where Kafka's does, see [`java`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupSubscription {
    pub topics: VecMap<String, TopicMeta>,
    pub members: Vec<MemberSubscription>,
}

/// The assignment: member id to its partitions, each list sorted.
pub type Assignment = VecMap<String, Vec<TopicPartition>>;

/// The assignors this simulator implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AssignorName {
    /// Client-side `RangeAssignor` (A2, A3).
    Range,
    /// Client-side `RoundRobinAssignor` (A4).
    RoundRobin,
    /// Client-side `StickyAssignor` (eager; A5, A7).
    Sticky,
    /// Client-side `CooperativeStickyAssignor` (A5, A6, A7).
    CooperativeSticky,
    /// Server-side (KIP-848) `UniformAssignor` (A10–A12).
    ServerUniform,
    /// Server-side (KIP-848) `RangeAssignor` (A9, A12).
    ServerRange,
}

impl AssignorName {
    /// Accepts Kafka's names (`range`, `roundrobin`, `sticky`, `cooperative-sticky`, `uniform`),
    /// this project's `server-range`, and the Java class names
    /// (`org.apache.kafka.clients.consumer.RangeAssignor`, …). `range` is the client-side one.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Some(match s {
            "range" | "org.apache.kafka.clients.consumer.RangeAssignor" => Self::Range,
            "roundrobin" | "org.apache.kafka.clients.consumer.RoundRobinAssignor" => {
                Self::RoundRobin
            }
            "sticky" | "org.apache.kafka.clients.consumer.StickyAssignor" => Self::Sticky,
            "cooperative-sticky"
            | "org.apache.kafka.clients.consumer.CooperativeStickyAssignor" => {
                Self::CooperativeSticky
            }
            "uniform" | "org.apache.kafka.coordinator.group.assignor.UniformAssignor" => {
                Self::ServerUniform
            }
            "server-range" | "org.apache.kafka.coordinator.group.assignor.RangeAssignor" => {
                Self::ServerRange
            }
            _ => return None,
        })
    }

    /// The name Kafka (or, for [`AssignorName::ServerRange`], this project) uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Range => "range",
            Self::RoundRobin => "roundrobin",
            Self::Sticky => "sticky",
            Self::CooperativeSticky => "cooperative-sticky",
            Self::ServerUniform => "uniform",
            Self::ServerRange => "server-range",
        }
    }

    /// True for the KIP-848 server-side assignors.
    pub fn is_server_side(self) -> bool {
        matches!(self, Self::ServerUniform | Self::ServerRange)
    }
}

impl fmt::Display for AssignorName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an assignment could not be computed. Nothing is assigned when this is returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssignError {
    /// Two members share a member id.
    DuplicateMember(String),
    /// A topic's `partition_racks` does not have one entry per partition.
    RackListLength { topic: String },
    /// Server-side assignors: a member subscribes to a topic that does not exist (A9:
    /// Kafka's `PartitionAssignorException`).
    UnknownTopic(String),
}

impl fmt::Display for AssignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DuplicateMember(m) => write!(f, "duplicate member id {m}"),
            Self::RackListLength { topic } => {
                write!(
                    f,
                    "partition_racks of {topic} must have one entry per partition"
                )
            }
            Self::UnknownTopic(t) => write!(f, "member is subscribed to non-existent topic {t}"),
        }
    }
}

/// Runs assignor `name` over `group`.
///
/// The result has an entry for every member (possibly empty), except that `uniform` returns an
/// empty map when the members subscribe to nothing (A12). For `cooperative-sticky` it is the
/// first-round result: partitions that must first be revoked by their current owner are withheld
/// (A6) and reach the new owner in the follow-up rebalance.
pub fn assign(name: AssignorName, group: &GroupSubscription) -> Result<Assignment, AssignError> {
    let ctx = Ctx::new(group)?;
    let per_member: Vec<Vec<u32>> = match name {
        AssignorName::Range => range::assign(&ctx),
        AssignorName::RoundRobin => roundrobin::assign(&ctx),
        AssignorName::Sticky => sticky::assign(&ctx, false),
        AssignorName::CooperativeSticky => sticky::assign(&ctx, true),
        AssignorName::ServerRange => server::range(&ctx)?,
        AssignorName::ServerUniform => match server::uniform(&ctx)? {
            Some(a) => a,
            None => return Ok(Assignment::new()),
        },
    };
    Ok(ctx.to_assignment(per_member))
}

/// Sorts member positions as Kafka's `MemberInfo.compareTo` does (A1): members with a
/// `group.instance.id` first, by instance id; then dynamic members by member id (Java
/// `String.compareTo`).
pub fn sort_members(members: &[MemberSubscription]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..members.len()).collect();
    crate::sort::sort_by(&mut order, |&a, &b| member_cmp(&members[a], &members[b]));
    order
}

fn member_cmp(a: &MemberSubscription, b: &MemberSubscription) -> Ordering {
    match (&a.group_instance_id, &b.group_instance_id) {
        (Some(x), Some(y)) => java::str_cmp(x, y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => java::str_cmp(&a.member_id, &b.member_id),
    }
}

/// The group in index form. Topics are numbered in name order; partition `p` of topic `t` has
/// global index `offset[t] + p`, so sorting global indices sorts by (topic, partition).
pub(crate) struct Ctx<'a> {
    pub group: &'a GroupSubscription,
    pub topic_names: Vec<&'a str>,
    pub topic_meta: Vec<&'a TopicMeta>,
    /// `offset[t]`; `offset[topics]` is the total partition count.
    pub offset: Vec<u32>,
    /// Per member: subscribed topic indices (existing topics only), sorted, deduplicated.
    pub subs: Vec<Vec<u32>>,
    /// Per member: subscribed topics that do not exist.
    pub unknown_subs: Vec<Vec<&'a str>>,
    /// Per member: owned partitions as global indices (unknown topics/partitions dropped), in
    /// the order the member reported them.
    pub owned: Vec<Vec<u32>>,
    /// Per global partition: its topic index.
    pub part_topic: Vec<u32>,
}

impl<'a> Ctx<'a> {
    fn new(group: &'a GroupSubscription) -> Result<Self, AssignError> {
        let mut seen = crate::collections::VecSet::new();
        for m in &group.members {
            if !seen.insert(m.member_id.as_str()) {
                return Err(AssignError::DuplicateMember(m.member_id.clone()));
            }
        }
        let mut topic_names = Vec::with_capacity(group.topics.len());
        let mut topic_meta = Vec::with_capacity(group.topics.len());
        let mut offset = Vec::with_capacity(group.topics.len() + 1);
        let mut total = 0u32;
        for (name, meta) in &group.topics {
            if let Some(r) = &meta.partition_racks {
                if r.len() != meta.partitions as usize {
                    return Err(AssignError::RackListLength {
                        topic: name.clone(),
                    });
                }
            }
            topic_names.push(name.as_str());
            topic_meta.push(meta);
            offset.push(total);
            total += meta.partitions;
        }
        offset.push(total);
        let mut part_topic = Vec::with_capacity(total as usize);
        for (t, meta) in topic_meta.iter().enumerate() {
            part_topic.extend(core::iter::repeat_n(t as u32, meta.partitions as usize));
        }
        let topic_index = |name: &str| -> Option<u32> {
            topic_names
                .binary_search_by(|t| (*t).cmp(name))
                .ok()
                .map(|i| i as u32)
        };
        let mut subs = Vec::with_capacity(group.members.len());
        let mut unknown_subs = Vec::with_capacity(group.members.len());
        let mut owned = Vec::with_capacity(group.members.len());
        for m in &group.members {
            let mut s = Vec::with_capacity(m.topics.len());
            let mut unknown = Vec::new();
            for t in &m.topics {
                match topic_index(t) {
                    Some(i) => s.push(i),
                    None => unknown.push(t.as_str()),
                }
            }
            s.sort_unstable();
            s.dedup();
            subs.push(s);
            unknown_subs.push(unknown);
            let mut o = Vec::with_capacity(m.owned.len());
            for tp in &m.owned {
                if let Some(t) = topic_index(&tp.topic) {
                    if tp.partition < topic_meta[t as usize].partitions {
                        o.push(offset[t as usize] + tp.partition);
                    }
                }
            }
            owned.push(o);
        }
        Ok(Self {
            group,
            topic_names,
            topic_meta,
            offset,
            subs,
            unknown_subs,
            owned,
            part_topic,
        })
    }

    pub fn members(&self) -> &'a [MemberSubscription] {
        &self.group.members
    }

    pub fn total_partitions(&self) -> u32 {
        *self.offset.last().unwrap_or(&0)
    }

    pub fn partition_count(&self, t: u32) -> u32 {
        self.topic_meta[t as usize].partitions
    }

    /// The partition number of global partition `g`.
    pub fn partition_number(&self, g: u32) -> u32 {
        g - self.offset[self.part_topic[g as usize] as usize]
    }

    /// `client.rack`, with Kafka's rule that an empty rack means none.
    pub fn rack(&self, m: usize) -> Option<&'a str> {
        self.group.members[m]
            .rack
            .as_deref()
            .filter(|r| !r.is_empty())
    }

    /// The replica racks of global partition `g` (empty when unknown), deduplicated, in the
    /// order given.
    pub fn replica_racks(&self, g: u32) -> Vec<&'a str> {
        let t = self.part_topic[g as usize] as usize;
        let p = (g - self.offset[t]) as usize;
        let mut out: Vec<&str> = Vec::new();
        if let Some(r) = &self.topic_meta[t].partition_racks {
            for rack in &r[p] {
                if !out.contains(&rack.as_str()) {
                    out.push(rack.as_str());
                }
            }
        }
        out
    }

    fn to_assignment(&self, per_member: Vec<Vec<u32>>) -> Assignment {
        let mut out = Assignment::new();
        for (m, mut parts) in per_member.into_iter().enumerate() {
            parts.sort_unstable();
            let tps = parts
                .into_iter()
                .map(|g| {
                    let t = self.part_topic[g as usize] as usize;
                    TopicPartition::new(self.topic_names[t], g - self.offset[t])
                })
                .collect();
            out.insert(self.group.members[m].member_id.clone(), tps);
        }
        out
    }
}

/// Rack information shared by the rack-aware assignors: members' racks and partitions' replica
/// racks as small integers, and Kafka's `useRackAwareAssignment` decision (A3).
pub(crate) struct Racks {
    /// Per member: rack id, if it has one (empty racks are none).
    pub member: Vec<Option<u32>>,
    /// Per global partition: sorted, deduplicated rack ids of its replicas.
    pub partition: Vec<Vec<u32>>,
}

impl Racks {
    pub fn new<'a>(ctx: &Ctx<'a>, members: &[usize], partitions: &[u32]) -> Self {
        let mut names: Vec<&'a str> = Vec::new();
        fn id<'a>(r: &'a str, names: &mut Vec<&'a str>) -> u32 {
            match names.iter().position(|n| *n == r) {
                Some(i) => i as u32,
                None => {
                    names.push(r);
                    (names.len() - 1) as u32
                }
            }
        }
        let mut member = alloc::vec![None; ctx.members().len()];
        for &m in members {
            if let Some(r) = ctx.rack(m) {
                member[m] = Some(id(r, &mut names));
            }
        }
        let mut partition = alloc::vec![Vec::new(); ctx.total_partitions() as usize];
        if member.iter().any(Option::is_some) {
            for &g in partitions {
                let mut v: Vec<u32> = ctx
                    .replica_racks(g)
                    .into_iter()
                    .map(|r| id(r, &mut names))
                    .collect();
                v.sort_unstable();
                v.dedup();
                partition[g as usize] = v;
            }
        }
        Self { member, partition }
    }

    /// `AbstractPartitionAssignor.useRackAwareAssignment` over `members` and `partitions`:
    /// some member has a rack, that rack set meets the partitions' racks, and not every
    /// partition has replicas on all of the partitions' racks.
    pub fn use_rack_aware(&self, members: &[usize], partitions: &[u32]) -> bool {
        let mut consumer_racks: Vec<u32> = members.iter().filter_map(|&m| self.member[m]).collect();
        consumer_racks.sort_unstable();
        consumer_racks.dedup();
        if consumer_racks.is_empty() {
            return false;
        }
        let mut all: Vec<u32> = partitions
            .iter()
            .flat_map(|&g| self.partition[g as usize].iter().copied())
            .collect();
        all.sort_unstable();
        all.dedup();
        if !consumer_racks.iter().any(|r| all.binary_search(r).is_ok()) {
            return false;
        }
        !partitions
            .iter()
            .all(|&g| self.partition[g as usize] == all)
    }

    /// True when member `m` and partition `g` share a rack.
    pub fn matches(&self, m: usize, g: u32) -> bool {
        match self.member[m] {
            Some(r) => self.partition[g as usize].binary_search(&r).is_ok(),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests;
