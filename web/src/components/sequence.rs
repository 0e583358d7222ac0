//! The protocol timeline as a sequence diagram: one SVG with a lifeline per node (producers,
//! KRaft controllers, brokers, consumers, left to right as on the cluster drawing) and the
//! latest [`SEQ_WINDOW`] events up to the step on screen as arrows between them, oldest at the
//! top. Arrows take the colour of their API family (`msg--*`, the palette of the messages in
//! flight); a response is dashed, a lost message ends in ✕ halfway, a timer is a loop on its
//! node. The event that led to the step on screen is highlighted (`aria-current="step"`), and
//! a rule marks where a protocol phase starts ([`crate::phases`]). Each arrow is a button:
//! a click, Enter or Space goes to that step (the same seek as the event list). All text goes
//! in as text nodes.
//!
//! The geometry ([`sequence_layout`]) is plain numbers, tested natively.

use crate::state::SharedView;
use std::collections::VecDeque;
use std::rc::Rc;

use logscope_core::sim::TraceKind;
use logscope_core::ClusterView;
use yew::prelude::*;

use crate::i18n::th;
use crate::i18n::timeline::phase_name;
use crate::i18n::{narrate, t, Key, Lang};
use crate::layout::api_family;
use crate::phases::{phase_starts, Phase};
use crate::state::EventItem;

/// How many events the diagram draws: enough to see a request and its response, few enough
/// to redraw every frame.
pub const SEQ_WINDOW: usize = 40;
/// Width of one lifeline's lane.
pub const LANE_W: u32 = 96;
/// Room on the left for the step numbers.
pub const LEFT: u32 = 48;
/// Room at the top for the lifelines' names.
pub const HEADER: u32 = 30;
pub const ROW: u32 = 22;
/// Room on the right for a timer's name on the last lifeline.
pub const RIGHT: u32 = 72;

/// One arrow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeqRow {
    /// The playground position just after this event (what a click seeks to).
    pub position: usize,
    pub item: usize,
    pub y: u32,
    pub x1: u32,
    pub x2: u32,
    pub current: bool,
    /// The phase this event starts, if it starts one.
    pub phase_start: Option<Phase>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeqLayout {
    /// Lifelines: the node's name as messages use it, and its x.
    pub lanes: Vec<(String, u32)>,
    pub rows: Vec<SeqRow>,
    pub width: u32,
    pub height: u32,
}

/// The lifelines, left to right: producers, controllers, brokers (by id), consumers, as the
/// view lists them (so columns do not move as the window slides), then any other node the
/// events name (a client removed since), in order of appearance.
fn lane_names<'a>(view: &ClusterView, named: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<String> = view
        .producers
        .iter()
        .map(|p| p.client_id.clone())
        .chain(view.controllers.iter().map(|c| c.name.clone()))
        .chain(view.brokers.iter().map(|b| format!("broker {}", b.id)))
        .chain(view.consumers.iter().map(|c| c.client_id.clone()))
        .collect();
    for name in named {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    names
}

/// Where everything goes: the last [`SEQ_WINDOW`] of `events` at or before `position`.
pub fn sequence_layout(
    events: &VecDeque<EventItem>,
    position: usize,
    view: &ClusterView,
) -> SeqLayout {
    let upto = events.partition_point(|e| e.position <= position);
    let first = upto.saturating_sub(SEQ_WINDOW);
    // Phases are found over every kept event, so the window's first arrow is not taken for a
    // phase start just because nothing before it is drawn.
    let starts = phase_starts(events.iter().take(upto).map(|e| (e.position, &*e.event)));
    let window = events.range(first..upto);
    let names = lane_names(
        view,
        window
            .clone()
            .flat_map(|e| [e.event.from.as_str(), e.event.to.as_str()]),
    );
    let lanes: Vec<(String, u32)> = names
        .into_iter()
        .enumerate()
        .map(|(i, n)| (n, LEFT + i as u32 * LANE_W + LANE_W / 2))
        .collect();
    let x_of = |name: &str| {
        lanes
            .iter()
            .find(|(n, _)| n == name)
            .map_or(LEFT, |&(_, x)| x)
    };
    let rows: Vec<SeqRow> = window
        .enumerate()
        .map(|(i, e)| SeqRow {
            position: e.position,
            item: first + i,
            y: HEADER + i as u32 * ROW + ROW / 2,
            x1: x_of(&e.event.from),
            x2: x_of(&e.event.to),
            current: e.position == position,
            phase_start: starts
                .iter()
                .find(|&&(pos, _)| pos == e.position)
                .map(|&(_, p)| p),
        })
        .collect();
    SeqLayout {
        width: LEFT + lanes.len().max(1) as u32 * LANE_W + RIGHT,
        height: HEADER + rows.len().max(1) as u32 * ROW + 6,
        lanes,
        rows,
    }
}

#[derive(Properties, PartialEq)]
pub struct SequencePanelProps {
    pub events: Rc<VecDeque<EventItem>>,
    /// The position on screen: its event is highlighted and nothing after it is drawn.
    pub position: usize,
    pub view: SharedView,
    #[prop_or_default]
    pub lang: Lang,
    pub on_seek: Callback<usize>,
}

#[function_component]
pub fn SequencePanel(props: &SequencePanelProps) -> Html {
    let lang = props.lang;
    let l = sequence_layout(&props.events, props.position, &props.view);
    let bottom = l.height.saturating_sub(4);
    html! {
        <section class="sequence panel" aria-labelledby="sequence-title">
            <h2 class="panel__title" id="sequence-title">{ th(lang, Key::SequenceTitle) }</h2>
            <p class="sequence__help">{ th(lang, Key::SequenceHelp) }</p>
            <div class="sequence__scroll">
            <svg class="sequence__svg" viewBox={format!("0 0 {} {}", l.width, l.height)}
                width={l.width.to_string()} height={l.height.to_string()}
                role="group" aria-label={t(lang, Key::SequenceTitle)}>
                <g class="seq__lanes" aria-hidden="true">
                    { for l.lanes.iter().map(|(name, x)| html! {
                        <g class="seq__lane" data-lane={name.clone()}>
                            <text class="seq__name" x={x.to_string()} y="14" text-anchor="middle">{ name.clone() }</text>
                            <line x1={x.to_string()} y1="20" x2={x.to_string()} y2={bottom.to_string()} />
                        </g>
                    }) }
                </g>
                { for l.rows.iter().map(|row| arrow(props, &l, row, lang)) }
            </svg>
            </div>
        </section>
    }
}

fn arrow(props: &SequencePanelProps, l: &SeqLayout, row: &SeqRow, lang: Lang) -> Html {
    let Some(item) = props.events.get(row.item) else {
        return Html::default();
    };
    let ev = &item.event;
    let mut label = narrate(lang, ev);
    if let Some(phase) = row.phase_start {
        label = format!(
            "{label} ({}: {})",
            t(lang, Key::PhaseStarts),
            phase_name(lang, phase)
        );
    }
    if row.current {
        label = format!("{label} ({})", t(lang, Key::CurrentStep));
    }
    let class = classes!(
        "seq__event",
        format!("msg--{}", api_family(ev.api)),
        ev.is_response.then_some("seq__event--response"),
        (ev.kind == TraceKind::Dropped).then_some("seq__event--dropped"),
        (ev.kind == TraceKind::Timer).then_some("seq__event--timer"),
        row.current.then_some("seq__event--current"),
    );
    let pos = row.position;
    let onclick = props.on_seek.reform(move |_: MouseEvent| pos);
    let onkeydown = {
        let cb = props.on_seek.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                // The page's own shortcuts must not also act on this key.
                e.stop_propagation();
                cb.emit(pos);
            }
        })
    };
    let (y, x1, x2) = (row.y, row.x1, row.x2);
    let top = y - ROW / 2;
    // A lost message stops halfway, where the ✕ is.
    let end = if ev.kind == TraceKind::Dropped {
        (x1 + x2) / 2
    } else {
        x2
    };
    let dir: i64 = if end >= x1 { 1 } else { -1 };
    let head = format!(
        "M{end} {y} l{} -4 l0 8 z",
        -dir * 7 // the head points along the arrow
    );
    let shape = if ev.kind == TraceKind::Timer {
        html! {
            <path class="seq__line" d={format!("M{x1} {} h16 v8 h-12", y - 4)} fill="none" />
        }
    } else {
        html! { <>
            <line class="seq__line" x1={x1.to_string()} y1={y.to_string()} x2={end.to_string()} y2={y.to_string()} />
            if ev.kind == TraceKind::Dropped {
                <text class="seq__lost" x={end.to_string()} y={(y + 4).to_string()} text-anchor="middle">{ "✕" }</text>
            } else {
                <path class="seq__head" d={head} />
            }
        </> }
    };
    let mid = if ev.kind == TraceKind::Timer {
        x1 + 20
    } else {
        (x1 + end) / 2
    };
    let anchor = if ev.kind == TraceKind::Timer {
        "start"
    } else {
        "middle"
    };
    html! {
        <g {class} data-position={pos.to_string()} data-step={ev.step.to_string()}
            tabindex="0" role="button" aria-label={label.clone()}
            aria-current={row.current.then_some("step")} {onclick} {onkeydown}>
            <title>{ label }</title>
            <rect class="seq__hit" x="0" y={top.to_string()} width={l.width.to_string()} height={ROW.to_string()} />
            if let Some(phase) = row.phase_start {
                <line class="seq__phase" data-phase={phase.slug()} x1="0" y1={top.to_string()}
                    x2={l.width.to_string()} y2={top.to_string()} />
            }
            <text class="seq__step" x="4" y={(y + 4).to_string()}>{ ev.step }</text>
            { shape }
            <text class="seq__api" x={mid.to_string()} y={(y - 3).to_string()} text-anchor={anchor}>{ ev.api }</text>
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use logscope_core::sim::TraceEvent;

    fn view() -> ClusterView {
        crate::state::default_sim(1).unwrap().view()
    }

    fn item(position: usize, from: &str, to: &str, api: &'static str) -> EventItem {
        EventItem {
            position,
            event: Rc::new(TraceEvent {
                step: position as u64,
                time_ms: 0,
                kind: TraceKind::Delivered,
                api,
                is_response: false,
                req: 0,
                from: from.into(),
                to: to.into(),
                summary: String::new(),
            }),
        }
    }

    #[test]
    fn lifelines_follow_the_cluster_drawing_left_to_right() {
        let v = view();
        let events: VecDeque<EventItem> = [item(1, "gone-client", "broker 2", "Produce")].into();
        let l = sequence_layout(&events, 1, &v);
        let names: Vec<&str> = l.lanes.iter().map(|(n, _)| n.as_str()).collect();
        // The default scenario: producer-1, one controller per `controller-N`, brokers 1-3;
        // a client the view no longer lists comes last.
        let mut want = vec!["producer-1".to_string()];
        want.extend(v.controllers.iter().map(|c| c.name.clone()));
        want.extend(["broker 1", "broker 2", "broker 3", "gone-client"].map(String::from));
        assert_eq!(names, want);
        // Lanes are LANE_W apart; the arrow runs between its two lifelines.
        for pair in l.lanes.windows(2) {
            assert_eq!(pair[1].1 - pair[0].1, LANE_W);
        }
        let lane = |n: &str| l.lanes.iter().find(|(m, _)| m == n).unwrap().1;
        assert_eq!(
            (l.rows[0].x1, l.rows[0].x2),
            (lane("gone-client"), lane("broker 2"))
        );
    }

    #[test]
    fn the_window_is_the_last_forty_up_to_the_step_on_screen() {
        let v = view();
        let events: VecDeque<EventItem> = (1..=100)
            .map(|p| item(p, "broker 1", "broker 2", "Fetch"))
            .collect();
        let l = sequence_layout(&events, 70, &v);
        assert_eq!(l.rows.len(), SEQ_WINDOW);
        assert_eq!(l.rows.first().unwrap().position, 31);
        assert_eq!(l.rows.last().unwrap().position, 70);
        assert!(l.rows.last().unwrap().current);
        assert_eq!(l.rows.iter().filter(|r| r.current).count(), 1);
        // Rows go down one ROW at a time, oldest first.
        assert_eq!(l.rows[1].y - l.rows[0].y, ROW);
        assert_eq!(l.height, HEADER + SEQ_WINDOW as u32 * ROW + 6);
    }

    /// The window's first arrow is a phase start only if it starts one in the whole kept list.
    #[test]
    fn phase_starts_are_found_before_the_window() {
        let v = view();
        let mut events: VecDeque<EventItem> = VecDeque::new();
        events.push_back(item(1, "producer-1", "broker 1", "Produce"));
        for p in 2..=60 {
            events.push_back(item(p, "producer-1", "broker 1", "Produce"));
        }
        events.push_back(item(61, "broker 1", "controller-1", "AlterPartition"));
        let l = sequence_layout(&events, 61, &v);
        let marked: Vec<(usize, Option<Phase>)> = l
            .rows
            .iter()
            .filter(|r| r.phase_start.is_some())
            .map(|r| (r.position, r.phase_start))
            .collect();
        assert_eq!(marked, [(61, Some(Phase::Metadata))]);
    }
}
