//! Where things go on the cluster drawing, as plain numbers (SVG user units): brokers side by
//! side, each broker's replicas stacked inside it in topic and partition order. Kept apart from
//! the components so that it is pure and tested natively.

use logscope_core::view::{BrokerState, ClusterView};
use logscope_core::BrokerId;

pub const BROKER_WIDTH: u32 = 200;
pub const BROKER_GAP: u32 = 24;
/// Room at the top of a broker box for its name and state.
pub const BROKER_HEADER: u32 = 52;
pub const PADDING: u32 = 12;
pub const REPLICA_HEIGHT: u32 = 26;
pub const REPLICA_GAP: u32 = 8;
/// Room around the whole drawing, so strokes are not clipped.
pub const MARGIN: u32 = 4;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterLayout {
    pub width: u32,
    pub height: u32,
    pub brokers: Vec<BrokerLayout>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerLayout {
    pub id: BrokerId,
    pub state: BrokerState,
    pub rack: Option<String>,
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    pub replicas: Vec<ReplicaLayout>,
}

/// One replica of one partition, hosted by the broker it sits in. Coordinates are relative to
/// that broker's box.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaLayout {
    /// `orders-0`, as Kafka writes a topic-partition.
    pub topic_partition: String,
    /// This broker is the partition's current leader.
    pub leader: bool,
    /// This broker is in the partition's committed ISR.
    pub in_isr: bool,
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

pub fn layout(view: &ClusterView) -> ClusterLayout {
    let mut brokers: Vec<BrokerLayout> = view
        .brokers
        .iter()
        .enumerate()
        .map(|(i, b)| BrokerLayout {
            id: b.id,
            state: b.state,
            rack: b.rack.clone(),
            x: MARGIN + i as u32 * (BROKER_WIDTH + BROKER_GAP),
            y: MARGIN,
            width: BROKER_WIDTH,
            height: 0,
            replicas: Vec::new(),
        })
        .collect();
    for topic in &view.topics {
        for p in &topic.partitions {
            for replica in &p.replicas {
                let Some(broker) = brokers.iter_mut().find(|b| b.id == *replica) else {
                    continue;
                };
                let row = broker.replicas.len() as u32;
                broker.replicas.push(ReplicaLayout {
                    topic_partition: format!("{}-{}", topic.name, p.partition),
                    leader: p.leader == Some(*replica),
                    in_isr: p.isr.contains(replica),
                    x: PADDING,
                    y: BROKER_HEADER + row * (REPLICA_HEIGHT + REPLICA_GAP),
                    width: BROKER_WIDTH - 2 * PADDING,
                    height: REPLICA_HEIGHT,
                });
            }
        }
    }
    // Every box gets the height of the fullest one, so the row reads as one row.
    let rows = brokers.iter().map(|b| b.replicas.len()).max().unwrap_or(0) as u32;
    let height = BROKER_HEADER + rows * (REPLICA_HEIGHT + REPLICA_GAP) + PADDING;
    for b in &mut brokers {
        b.height = height;
    }
    let count = brokers.len() as u32;
    let width = match count {
        0 => BROKER_WIDTH,
        n => n * BROKER_WIDTH + (n - 1) * BROKER_GAP,
    };
    ClusterLayout {
        width: width + 2 * MARGIN,
        height: height + 2 * MARGIN,
        brokers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use logscope_core::view::PartitionView;

    /// The default scenario's view with its partitions rewritten to a known picture. Built from
    /// a real view rather than literals, so that new view fields do not break these tests.
    fn view() -> ClusterView {
        let mut view = crate::state::default_sim(1).unwrap().view();
        assert_eq!(view.brokers.len(), 3);
        let template = view.topics[0].partitions[0].clone();
        let partition =
            |partition: u32, replicas: &[u32], isr: &[u32], leader: Option<u32>| PartitionView {
                partition,
                replicas: replicas.iter().copied().map(BrokerId).collect(),
                isr: isr.iter().copied().map(BrokerId).collect(),
                leader: leader.map(BrokerId),
                ..template.clone()
            };
        view.topics.truncate(1);
        view.topics[0].name = "orders".into();
        view.topics[0].partitions = vec![
            partition(0, &[1, 2, 3], &[1, 2, 3], Some(1)),
            partition(1, &[2, 3, 1], &[2, 3], Some(2)),
            partition(2, &[3, 1, 2], &[3, 1, 2], None),
        ];
        view
    }

    #[test]
    fn each_replica_sits_in_its_broker_with_its_role() {
        let l = layout(&view());
        assert_eq!(l.brokers.len(), 3);
        for b in &l.brokers {
            let names: Vec<_> = b
                .replicas
                .iter()
                .map(|r| r.topic_partition.as_str())
                .collect();
            assert_eq!(names, ["orders-0", "orders-1", "orders-2"]);
        }
        let with = |keep: fn(&ReplicaLayout) -> bool| -> Vec<(u32, String)> {
            l.brokers
                .iter()
                .flat_map(|b| {
                    b.replicas
                        .iter()
                        .filter(move |r| keep(r))
                        .map(move |r| (b.id.0, r.topic_partition.clone()))
                })
                .collect()
        };
        assert_eq!(
            with(|r| r.leader),
            [(1, "orders-0".into()), (2, "orders-1".into())]
        );
        assert_eq!(with(|r| !r.in_isr), [(1, "orders-1".to_string())]);
    }

    #[test]
    fn boxes_do_not_overlap_and_fit_the_drawing() {
        let l = layout(&view());
        for pair in l.brokers.windows(2) {
            assert!(pair[0].x + pair[0].width + BROKER_GAP <= pair[1].x);
        }
        for b in &l.brokers {
            assert!(b.x + b.width <= l.width && b.y + b.height <= l.height);
            for r in &b.replicas {
                assert!(r.x + r.width <= b.width && r.y + r.height <= b.height);
            }
            for pair in b.replicas.windows(2) {
                assert!(pair[0].y + pair[0].height <= pair[1].y);
            }
        }
    }

    #[test]
    fn an_empty_cluster_still_has_a_size() {
        let mut v = view();
        v.brokers.clear();
        let l = layout(&v);
        assert!(l.brokers.is_empty());
        assert!(l.width > 0 && l.height > 0);
    }
}
