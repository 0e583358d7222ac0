//! Protocol phases, for the shift+← / shift+→ jumps and the sequence diagram.
//!
//! A **protocol phase** is a maximal run of events during which the cluster is busy with one
//! protocol: clients producing, a consumer group (re)forming, the controller changing
//! leadership or the ISR, or a transaction being set up or ended. What a learner wants to skip
//! to is the moment the cluster starts on something new ("here the rebalance begins", "here
//! the ISR shrinks"), not every change of API: replication `Fetch`es, heartbeats and timers run
//! all the time, interleaved with everything else, so a boundary at each change of API would
//! fall every few events and a jump would skip almost nothing.
//!
//! So each event is either **foreground**, and names a phase, or **background**, and belongs
//! to whichever phase is under way:
//!
//! | phase | foreground APIs (Kafka's names) |
//! | --- | --- |
//! | [`Phase::Produce`] | `Produce` |
//! | [`Phase::Group`] | `FindCoordinator`, `JoinGroup`, `SyncGroup`, `LeaveGroup`: membership and rebalances (G1) |
//! | [`Phase::Metadata`] | `AlterPartition`, `MetadataRecord`, `BrokerRegistration`: ISR, leaders, brokers joining |
//! | [`Phase::Transactions`] | `InitProducerId`, `AddPartitionsToTxn`, `AddOffsetsToTxn`, `EndTxn`, `WriteTxnMarkers`, `TxnOffsetCommit` |
//!
//! Background: `Fetch` (replication and consumers), `Heartbeat`, `BrokerHeartbeat`,
//! `ConsumerGroupHeartbeat`, `OffsetCommit`, `OffsetFetch`, `Metadata`, and every timer.
//! A phase **starts** at a foreground event whose phase differs from the last foreground
//! event's. A KIP-848 (`consumer` protocol) rebalance travels on `ConsumerGroupHeartbeat`,
//! which is periodic, so it starts no phase of its own; neither does a group's auto-commit.
//!
//! Pure functions over [`TraceEvent`]s, tested natively.

use logscope_core::sim::{TraceEvent, TraceKind};

/// What the cluster is busy with; see the module doc.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Produce,
    Group,
    Metadata,
    Transactions,
}

impl Phase {
    /// The CSS modifier and `data-phase` value.
    pub fn slug(self) -> &'static str {
        match self {
            Phase::Produce => "produce",
            Phase::Group => "group",
            Phase::Metadata => "metadata",
            Phase::Transactions => "transactions",
        }
    }
}

/// The phase a foreground event names; `None` for a background event.
pub fn phase_of(ev: &TraceEvent) -> Option<Phase> {
    if ev.kind == TraceKind::Timer {
        return None;
    }
    match ev.api {
        "Produce" => Some(Phase::Produce),
        "FindCoordinator" | "JoinGroup" | "SyncGroup" | "LeaveGroup" => Some(Phase::Group),
        "AlterPartition" | "MetadataRecord" | "BrokerRegistration" => Some(Phase::Metadata),
        "InitProducerId" | "AddPartitionsToTxn" | "AddOffsetsToTxn" | "EndTxn"
        | "WriteTxnMarkers" | "TxnOffsetCommit" => Some(Phase::Transactions),
        _ => None,
    }
}

/// Follows a run event by event and says where phases start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PhaseTracker {
    current: Option<Phase>,
}

impl PhaseTracker {
    /// A tracker that has seen `events`, in order.
    pub fn after<'a>(events: impl IntoIterator<Item = &'a TraceEvent>) -> Self {
        let mut tracker = PhaseTracker::default();
        for ev in events {
            tracker.push(ev);
        }
        tracker
    }

    /// The phase under way (`None` before the first foreground event).
    pub fn current(&self) -> Option<Phase> {
        self.current
    }

    /// Takes the next event; the phase it starts, if it starts one.
    pub fn push(&mut self, ev: &TraceEvent) -> Option<Phase> {
        let p = phase_of(ev)?;
        (self.current != Some(p)).then(|| {
            self.current = Some(p);
            p
        })
    }
}

/// For each event (a position in the run and the event that led to it, oldest first), the
/// phase it starts, if it starts one. The first foreground event of the list starts a phase:
/// nothing before the list is known.
pub fn phase_starts<'a>(
    events: impl IntoIterator<Item = (usize, &'a TraceEvent)>,
) -> Vec<(usize, Phase)> {
    let mut tracker = PhaseTracker::default();
    events
        .into_iter()
        .filter_map(|(pos, ev)| tracker.push(ev).map(|p| (pos, p)))
        .collect()
}

/// The position of the latest phase start before `here`, among `events` (oldest first).
pub fn previous_start<'a>(
    events: impl IntoIterator<Item = (usize, &'a TraceEvent)>,
    here: usize,
) -> Option<(usize, Phase)> {
    phase_starts(events)
        .into_iter()
        .rev()
        .find(|&(pos, _)| pos < here)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(step: u64, kind: TraceKind, api: &'static str) -> TraceEvent {
        TraceEvent {
            step,
            time_ms: step * 10,
            kind,
            api,
            is_response: false,
            req: 0,
            from: "broker 1".into(),
            to: "broker 2".into(),
            summary: String::new(),
        }
    }

    fn msg(step: u64, api: &'static str) -> TraceEvent {
        ev(step, TraceKind::Delivered, api)
    }

    /// A small run written by hand: registration, a produce with its replication, a consumer
    /// joining its group, an ISR shrink, then more produce. Phases start at steps 1
    /// (metadata), 3 (produce), 6 (group), 10 (metadata) and 12 (produce); the fetches,
    /// heartbeats and timers in between start nothing.
    fn run() -> Vec<TraceEvent> {
        vec![
            msg(1, "BrokerRegistration"),
            msg(2, "MetadataRecord"),
            msg(3, "Produce"),
            msg(4, "Fetch"),
            msg(5, "Produce"),
            msg(6, "FindCoordinator"),
            msg(7, "JoinGroup"),
            ev(8, TraceKind::Timer, "heartbeat timer"),
            msg(9, "SyncGroup"),
            msg(10, "AlterPartition"),
            msg(11, "Heartbeat"),
            ev(12, TraceKind::Dropped, "Produce"),
            msg(13, "Fetch"),
        ]
    }

    fn positions(run: &[TraceEvent]) -> impl Iterator<Item = (usize, &TraceEvent)> {
        run.iter().map(|e| (e.step as usize, e))
    }

    #[test]
    fn phases_start_where_the_foreground_protocol_changes() {
        let run = run();
        let starts = phase_starts(positions(&run));
        assert_eq!(
            starts,
            [
                (1, Phase::Metadata),
                (3, Phase::Produce),
                (6, Phase::Group),
                (10, Phase::Metadata),
                (12, Phase::Produce),
            ]
        );
    }

    #[test]
    fn background_events_never_start_a_phase() {
        let mut t = PhaseTracker::default();
        for api in [
            "Fetch",
            "Heartbeat",
            "BrokerHeartbeat",
            "ConsumerGroupHeartbeat",
        ] {
            assert_eq!(t.push(&msg(1, api)), None, "{api}");
            assert_eq!(t.current(), None);
        }
        // A timer named like an API is still a timer.
        assert_eq!(t.push(&ev(2, TraceKind::Timer, "Produce")), None);
        assert_eq!(t.push(&msg(3, "OffsetCommit")), None);
        assert_eq!(t.current(), None);
    }

    #[test]
    fn the_previous_start_is_strictly_before_here() {
        let run = run();
        // On a start, back goes to the start before it.
        assert_eq!(
            previous_start(positions(&run), 6),
            Some((3, Phase::Produce))
        );
        // Inside a phase, back goes to where it started.
        assert_eq!(previous_start(positions(&run), 9), Some((6, Phase::Group)));
        assert_eq!(previous_start(positions(&run), 1), None);
    }

    #[test]
    fn a_tracker_resumes_where_the_list_ends() {
        let run = run();
        let mut t = PhaseTracker::after(&run[..7]);
        assert_eq!(t.current(), Some(Phase::Group));
        // SyncGroup continues the rebalance; AlterPartition starts the next phase.
        assert_eq!(t.push(&run[8]), None);
        assert_eq!(t.push(&run[9]), Some(Phase::Metadata));
    }
}
