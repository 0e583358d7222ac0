//! Where things go on the cluster drawing, as plain numbers (SVG user units): producers on the
//! left, the KRaft controllers above the brokers, brokers side by side with each broker's
//! replicas stacked inside it (topic and partition order, internal topics left out), consumers
//! on the right. Each replica carries what its log strip needs. Kept apart from the components
//! so that it is pure and tested natively.

use logscope_core::view::{BrokerState, ClusterView};
use logscope_core::BrokerId;

use crate::i18n::{trf, Lang};

pub const BROKER_WIDTH: u32 = 250;
pub const BROKER_GAP: u32 = 24;
/// Room at the top of a broker box for its name and state.
pub const BROKER_HEADER: u32 = 44;
pub const PADDING: u32 = 10;
pub const REPLICA_HEIGHT: u32 = 44;
pub const REPLICA_GAP: u32 = 6;
/// Room around the whole drawing, so strokes are not clipped.
pub const MARGIN: u32 = 4;
pub const CLIENT_WIDTH: u32 = 130;
pub const CLIENT_HEIGHT: u32 = 44;
pub const CLIENT_GAP: u32 = 10;
/// Space between the client columns and the brokers (where messages travel).
pub const LANE: u32 = 48;
pub const CONTROLLER_WIDTH: u32 = 110;
pub const CONTROLLER_HEIGHT: u32 = 30;
pub const CONTROLLER_ROW: u32 = CONTROLLER_HEIGHT + 24;
/// Records drawn per replica strip: the newest ones.
pub const CELLS: u64 = 10;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterLayout {
    pub width: u32,
    pub height: u32,
    pub brokers: Vec<BrokerLayout>,
    pub controllers: Vec<NodeBox>,
    pub producers: Vec<NodeBox>,
    pub consumers: Vec<NodeBox>,
}

/// A box for a controller or a client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeBox {
    /// The name the simulation uses for it in messages (`controller-1`, a `client.id`).
    pub name: String,
    /// A second line: state, acks, group.
    pub detail: String,
    /// Marked: the active controller, a live client.
    pub active: bool,
    pub up: bool,
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
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
/// that broker's box; offsets are the replica's own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaLayout {
    /// `orders-0`, as Kafka writes a topic-partition.
    pub topic_partition: String,
    /// This broker is the partition's current leader.
    pub leader: bool,
    /// This broker is in the partition's committed ISR.
    pub in_isr: bool,
    /// The partition has no leader.
    pub offline: bool,
    pub log_start: u64,
    pub log_end: u64,
    pub high_watermark: u64,
    /// The partition's last stable offset (I7; below the HW while a transaction is open).
    pub last_stable: u64,
    /// Offsets of transaction markers (control records) among the records the view carries.
    pub control: Vec<u64>,
    pub flushed: u64,
    /// The first offset of the strip (the strip shows up to [`CELLS`] offsets from here).
    pub first_shown: u64,
    /// The segments that start inside the strip (`first_shown ..= ` the strip's end), oldest
    /// first: where each one's base offset falls, and its file name (L1).
    pub segments: Vec<SegmentMark>,
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// `v` with one decimal (`12.3`), as SVG attributes want it. Integer arithmetic rather than
/// `format!("{v:.1}")`: the page then needs none of core's float-to-decimal machinery (~12 KiB of
/// wasm), which nothing else in the app uses.
pub fn fixed1(v: f64) -> String {
    let tenths = (v * 10.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    let t = tenths.unsigned_abs();
    format!("{sign}{}.{}", t / 10, t % 10)
}

/// Where a log segment starts: its base offset and its `.log` file, which Kafka names after
/// that offset, zero-padded to 20 digits (`00000000000000000100.log`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentMark {
    pub base_offset: u64,
    pub log_file: String,
}

impl ReplicaLayout {
    /// The x of the left edge of `offset`'s cell in the strip (relative to the replica).
    pub fn cell_x(&self, offset: u64) -> f64 {
        let cell = (self.width - 16) as f64 / CELLS as f64;
        8.0 + (offset.saturating_sub(self.first_shown)).min(CELLS) as f64 * cell
    }
    pub fn cell_width(&self) -> f64 {
        (self.width - 16) as f64 / CELLS as f64
    }
}

impl ClusterLayout {
    /// The centre of the node a message names (`broker 1`, `controller-2`, a client id).
    pub fn node_center(&self, name: &str) -> Option<(f64, f64)> {
        if let Some(id) = name.strip_prefix("broker ") {
            let b = self.brokers.iter().find(|b| b.id.0.to_string() == id)?;
            return Some((
                b.x as f64 + b.width as f64 / 2.0,
                b.y as f64 + BROKER_HEADER as f64 / 2.0,
            ));
        }
        self.controllers
            .iter()
            .chain(&self.producers)
            .chain(&self.consumers)
            .find(|n| n.name == name)
            .map(|n| {
                (
                    n.x as f64 + n.width as f64 / 2.0,
                    n.y as f64 + n.height as f64 / 2.0,
                )
            })
    }
}

fn column(names: Vec<(String, String, bool)>, x: u32, top: u32) -> Vec<NodeBox> {
    names
        .into_iter()
        .enumerate()
        .map(|(i, (name, detail, up))| NodeBox {
            name,
            detail,
            active: up,
            up,
            x,
            y: top + i as u32 * (CLIENT_HEIGHT + CLIENT_GAP),
            width: CLIENT_WIDTH,
            height: CLIENT_HEIGHT,
        })
        .collect()
}

/// The drawing of `view`; the few words in it (a producer's acked count) are in `lang`.
pub fn layout(view: &ClusterView, lang: Lang) -> ClusterLayout {
    let brokers_x = MARGIN + CLIENT_WIDTH + LANE;
    let top = MARGIN + CONTROLLER_ROW;
    let mut brokers: Vec<BrokerLayout> = view
        .brokers
        .iter()
        .enumerate()
        .map(|(i, b)| BrokerLayout {
            id: b.id,
            state: b.state,
            rack: b.rack.clone(),
            x: brokers_x + i as u32 * (BROKER_WIDTH + BROKER_GAP),
            y: top,
            width: BROKER_WIDTH,
            height: 0,
            replicas: Vec::new(),
        })
        .collect();
    for topic in view.topics.iter().filter(|t| !t.internal) {
        for p in &topic.partitions {
            for replica in &p.replicas {
                let Some(broker) = brokers.iter_mut().find(|b| b.id == *replica) else {
                    continue;
                };
                let state = p.replica_states.iter().find(|r| r.broker == *replica);
                let (log_start, log_end, hw, flushed) = state.map_or((0, 0, 0, 0), |r| {
                    (
                        r.log_start_offset.max(0) as u64,
                        r.log_end_offset.max(0) as u64,
                        r.high_watermark.max(0) as u64,
                        r.flushed_offset.max(0) as u64,
                    )
                });
                let row = broker.replicas.len() as u32;
                let first_shown = log_start.max(log_end.saturating_sub(CELLS));
                broker.replicas.push(ReplicaLayout {
                    topic_partition: format!("{}-{}", topic.name, p.partition),
                    leader: p.leader == Some(*replica),
                    in_isr: p.isr.contains(replica),
                    offline: p.leader.is_none(),
                    log_start,
                    log_end,
                    high_watermark: hw,
                    last_stable: (p.last_stable_offset.max(0) as u64).min(hw),
                    control: state.map_or_else(Vec::new, |r| {
                        r.records
                            .iter()
                            .filter(|x| x.control.is_some())
                            .map(|x| x.offset.max(0) as u64)
                            .collect()
                    }),
                    flushed,
                    first_shown,
                    segments: state.map_or_else(Vec::new, |r| {
                        let strip = first_shown..=log_end.min(first_shown + CELLS);
                        r.segments
                            .iter()
                            .filter_map(|seg| {
                                let base_offset = seg.base_offset.max(0) as u64;
                                strip.contains(&base_offset).then(|| SegmentMark {
                                    base_offset,
                                    log_file: seg.log_file(),
                                })
                            })
                            .collect()
                    }),
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
    let broker_height = BROKER_HEADER + rows * (REPLICA_HEIGHT + REPLICA_GAP) + PADDING;
    for b in &mut brokers {
        b.height = broker_height;
    }
    let count = brokers.len() as u32;
    let brokers_width = match count {
        0 => BROKER_WIDTH,
        n => n * BROKER_WIDTH + (n - 1) * BROKER_GAP,
    };
    let controllers = view
        .controllers
        .iter()
        .enumerate()
        .map(|(i, c)| NodeBox {
            name: c.name.clone(),
            detail: format!("epoch {}", c.epoch),
            active: c.active,
            up: c.up,
            x: brokers_x + i as u32 * (CONTROLLER_WIDTH + BROKER_GAP),
            y: MARGIN,
            width: CONTROLLER_WIDTH,
            height: CONTROLLER_HEIGHT,
        })
        .collect::<Vec<_>>();
    let producers = column(
        view.producers
            .iter()
            .map(|p| {
                (
                    p.client_id.clone(),
                    trf(lang, "acks={0} · {1} acked", &[&p.acks, &p.acked]),
                    true,
                )
            })
            .collect(),
        MARGIN,
        top,
    );
    let consumers_x = brokers_x + brokers_width + LANE;
    let consumers = column(
        view.consumers
            .iter()
            .map(|c| {
                let up = !matches!(c.state, "closed" | "dead");
                (
                    c.client_id.clone(),
                    format!("{} · {}", c.group, c.state),
                    up,
                )
            })
            .collect(),
        consumers_x,
        top,
    );
    let column_height = |n: usize| n as u32 * (CLIENT_HEIGHT + CLIENT_GAP);
    let height = top
        + broker_height
            .max(column_height(producers.len()))
            .max(column_height(consumers.len()))
        + MARGIN;
    ClusterLayout {
        width: consumers_x + CLIENT_WIDTH + MARGIN,
        height,
        brokers,
        controllers,
        producers,
        consumers,
    }
}

/// The colour class of a Kafka API: a few families, so the legend stays short.
pub fn api_family(api: &str) -> &'static str {
    match api {
        "Produce" | "InitProducerId" => "produce",
        "Fetch" => "fetch",
        "AlterPartition" => "isr",
        "JoinGroup"
        | "SyncGroup"
        | "Heartbeat"
        | "LeaveGroup"
        | "OffsetCommit"
        | "OffsetFetch"
        | "FindCoordinator"
        | "ConsumerGroupHeartbeat" => "group",
        "BrokerRegistration" | "BrokerHeartbeat" | "MetadataRecord" | "Metadata" => "controller",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use logscope_core::view::PartitionView;

    #[test]
    fn a_producer_s_acked_count_is_worded_in_the_page_s_language() {
        let v = view();
        assert!(
            !v.producers.is_empty(),
            "the default scenario has a producer"
        );
        let (en, ko) = (layout(&v, Lang::En), layout(&v, Lang::Ko));
        for (e, k) in en.producers.iter().zip(&ko.producers) {
            assert!(e.detail.contains("acked"), "{}", e.detail);
            assert!(!k.detail.contains("acked"), "{}", k.detail);
            assert!(k
                .detail
                .chars()
                .any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c)));
            // The config and the count stay as written.
            assert_eq!(e.detail.split(' ').next(), k.detail.split(' ').next());
            let count = |d: &str| d.chars().filter(char::is_ascii_digit).collect::<String>();
            assert_eq!(count(&e.detail), count(&k.detail));
        }
    }

    /// The default scenario's view with its partitions rewritten to a known picture. Built from
    /// a real view rather than literals, so that new view fields do not break these tests.
    fn view() -> ClusterView {
        let mut view = crate::state::default_sim(1).unwrap().view();
        assert_eq!(view.brokers.len(), 3);
        view.topics.retain(|t| !t.internal);
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
        let l = layout(&view(), Lang::En);
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
        assert_eq!(with(|r| r.offline).len(), 3, "orders-2 on every broker");
    }

    #[test]
    fn boxes_do_not_overlap_and_fit_the_drawing() {
        let l = layout(&view(), Lang::En);
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
        for p in &l.producers {
            assert!(p.x + p.width < l.brokers[0].x);
        }
    }

    #[test]
    fn messages_find_their_ends() {
        let l = layout(&view(), Lang::En);
        let b1 = l.node_center("broker 1").unwrap();
        let b2 = l.node_center("broker 2").unwrap();
        assert!(b1.0 < b2.0);
        assert!(l.node_center("producer-1").unwrap().0 < b1.0);
        assert!(l.node_center("controller-1").is_some());
        assert_eq!(l.node_center("nobody"), None);
    }

    /// `segment.bytes=100` and one-record batches of 83 bytes (the sizes worked out in
    /// `tests/scenarios/retention-moves-log-start.scn`): each batch after the first rolls a
    /// segment (L1: roll when `size > segment.bytes - incoming`, 83 > 100 - 83), so five sends
    /// leave segments based at 0, 1, 2, 3 and 4, all inside the strip.
    #[test]
    fn the_strip_marks_where_each_segment_starts() {
        let mut session = logscope_core::scenario::Session::new();
        let mut lines = vec![
            "cluster brokers=3 seed=4".to_string(),
            "kafka-topics --create --topic events --replica-assignment 1:2:3 --config segment.bytes=100".to_string(),
            "producer add p1 acks=all".to_string(),
        ];
        for v in 1..=5 {
            lines.push(format!("produce p1 events key=k value={v}"));
            lines.push("settle".to_string());
        }
        for line in &lines {
            session.run_line(line).unwrap();
        }
        let l = layout(&session.sim().unwrap().view(), Lang::En);
        let r = l.brokers[0]
            .replicas
            .iter()
            .find(|r| r.topic_partition == "events-0")
            .unwrap();
        assert_eq!((r.first_shown, r.log_end), (0, 5));
        let bases: Vec<u64> = r.segments.iter().map(|m| m.base_offset).collect();
        assert_eq!(bases, [0, 1, 2, 3, 4]);
        assert_eq!(r.segments[3].log_file, "00000000000000000003.log");
    }

    /// Only the segments whose base offset falls in the strip get a mark.
    #[test]
    fn segments_before_the_strip_are_not_marked() {
        let mut v = view();
        let p = &mut v.topics[0].partitions[0];
        for r in &mut p.replica_states {
            r.log_end_offset = 25;
            let template = logscope_core::view::SegmentView {
                base_offset: 0,
                end_offset: 12,
                size_bytes: 0,
                records: 12,
                batches: 1,
                tombstones: 0,
                largest_timestamp_ms: None,
                created_ms: 0,
                index_entry_count: 0,
                index_bytes: 0,
                index_entries: Vec::new(),
                time_index_entry_count: 0,
                timeindex_bytes: 0,
                time_index_entries: Vec::new(),
                is_active: false,
                clean: false,
            };
            let mut second = template.clone();
            second.base_offset = 12;
            let mut third = template.clone();
            third.base_offset = 20;
            r.segments = vec![template, second, third];
        }
        let l = layout(&v, Lang::En);
        let r = &l.brokers[0].replicas[0];
        // The strip shows offsets 15..25: segment 0 and 12 began before it.
        let bases: Vec<u64> = r.segments.iter().map(|m| m.base_offset).collect();
        assert_eq!(bases, [20]);
    }

    #[test]
    fn the_strip_shows_the_newest_records() {
        let mut v = view();
        let p = &mut v.topics[0].partitions[0];
        for r in &mut p.replica_states {
            r.log_end_offset = 25;
        }
        let l = layout(&v, Lang::En);
        let r = l.brokers[0].replicas[0].clone();
        assert_eq!((r.log_end, r.first_shown), (25, 15));
        assert!(r.cell_x(25) <= (r.width - 8) as f64 + 0.001);
        for v in [0.0, 2.0, 12.34, 12.35, 99.96, -3.25, 1234.5] {
            assert_eq!(
                super::fixed1(v),
                format!("{:.1}", (v * 10.0_f64).round() / 10.0)
            );
        }
    }

    #[test]
    fn an_empty_cluster_still_has_a_size() {
        let mut v = view();
        v.brokers.clear();
        let l = layout(&v, Lang::En);
        assert!(l.brokers.is_empty());
        assert!(l.width > 0 && l.height > 0);
    }
}
