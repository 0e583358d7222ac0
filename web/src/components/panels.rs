//! The side panels: consumer groups (members, the assignment coloured by owner, generation,
//! state, offsets and lag, revoked and paused partitions during a rebalance), the guarantee
//! checker's findings with "jump to step", and the protocol timeline of recent events (click
//! one to go there).

use crate::state::SharedView;
use std::collections::VecDeque;
use std::rc::Rc;

use logscope_core::sim::TraceKind;
use yew::prelude::*;

use crate::i18n::th;
use crate::i18n::{t, Key, Lang};
use crate::layout::api_family;
use crate::state::EventItem;

/// Owner colours (`owner-0` … `owner-5`), in the order members are listed.
const OWNER_COLOURS: usize = 6;

#[derive(Properties, PartialEq)]
pub struct ViewPanelProps {
    pub view: SharedView,
    #[prop_or_default]
    pub lang: Lang,
    #[prop_or_default]
    pub on_seek_step: Callback<u64>,
}

#[function_component]
pub fn GroupsPanel(props: &ViewPanelProps) -> Html {
    let lang = props.lang;
    let view = &props.view;
    html! {
        <section class="groups panel" aria-labelledby="groups-title">
            <h2 class="panel__title" id="groups-title">{ th(lang, Key::Groups) }</h2>
            if view.groups.is_empty() {
                <p class="panel__empty">{ th(lang, Key::NoGroups) }</p>
            }
            { for view.groups.iter().map(|g| {
                let owner = |tp: &logscope_core::TopicPartition| {
                    g.members.iter().position(|m| m.assigned.contains(tp))
                };
                let last = g.rebalances.last();
                html! {
                    <article class="group" data-group={g.group_id.clone()}>
                        <h3 class="group__title">
                            { g.group_id.clone() }
                            <span class={classes!("group__state", format!("group__state--{}", g.state.to_ascii_lowercase()))}
                                data-fact="group-state">{ g.state }</span>
                        </h3>
                        <p class="group__facts">
                            // A KIP-848 group has epochs, not generations (G8).
                            { match (g.group_epoch, g.assignment_epoch) {
                                (Some(ge), Some(ae)) => format!("{} {ge} · {} {ae} · {} · {}",
                                    t(lang, Key::GroupEpoch), t(lang, Key::AssignmentEpoch),
                                    g.protocol.clone().unwrap_or_else(|| "-".into()), g.group_type),
                                _ => format!("{} {} · {} · {}", t(lang, Key::Generation), g.generation,
                                    g.protocol.clone().unwrap_or_else(|| "-".into()), g.rebalance_protocol),
                            } }
                        </p>
                        <ul class="group__members" aria-label={t(lang, Key::Members)}>
                            { for g.members.iter().enumerate().map(|(i, m)| {
                                let consumer = view.consumers.iter().find(|c| c.member_id == m.member_id);
                                let paused = consumer.is_some_and(|c| c.paused || c.state != "stable");
                                html! {
                                    <li class="member">
                                        <span class={classes!("swatch", format!("owner-{}", i % OWNER_COLOURS))} aria-hidden="true"></span>
                                        <span class="member__id">{ m.client_id.clone() }</span>
                                        if m.is_leader { <span class="member__tag">{ "★" }</span> }
                                        if let Some(e) = m.member_epoch {
                                            <span class="member__epoch" data-fact="member-epoch">{ format!("{} {e}", t(lang, Key::MemberEpoch)) }</span>
                                            <span class="member__state">{ m.state }</span>
                                        } else {
                                            <span class="member__state">{ consumer.map_or(m.state, |c| c.state) }</span>
                                        }
                                        { for m.assigned.iter().map(|tp| {
                                            let revoked = consumer.is_some_and(|c| !c.assigned.contains(tp));
                                            let class = classes!(
                                                "tp", format!("owner-{}", i % OWNER_COLOURS),
                                                revoked.then_some("tp--revoked"), paused.then_some("tp--paused"),
                                            );
                                            let state = if revoked { t(lang, Key::Revoked) } else if paused { t(lang, Key::Paused) } else { "" };
                                            html! { <span {class} title={state}>{ format!("{}-{}", tp.topic, tp.partition) }
                                                if !state.is_empty() { <span class="visually-hidden">{ format!(" ({state})") }</span> }
                                            </span> }
                                        }) }
                                    </li>
                                }
                            }) }
                        </ul>
                        if !g.offsets.is_empty() {
                            <table class="group__offsets">
                                <thead><tr>
                                    <th scope="col">{ th(lang, Key::Partition) }</th>
                                    <th scope="col">{ th(lang, Key::CommittedOffset) }</th>
                                    <th scope="col">{ "HW" }</th>
                                    <th scope="col">{ th(lang, Key::Lag) }</th>
                                </tr></thead>
                                <tbody>
                                    { for g.offsets.iter().map(|o| {
                                        let colour = owner(&o.tp).map(|i| format!("owner-{}", i % OWNER_COLOURS));
                                        html! { <tr>
                                            <td><span class={classes!("tp", colour)}>{ format!("{}-{}", o.tp.topic, o.tp.partition) }</span></td>
                                            <td>{ if o.committed < 0 { "-".to_string() } else { o.committed.to_string() } }</td>
                                            <td>{ o.log_end }</td>
                                            <td>{ o.lag }</td>
                                        </tr> }
                                    }) }
                                </tbody>
                            </table>
                        }
                        if let Some(r) = last {
                            <p class="group__rebalance">
                                { format!("{}: {} → {} {}; ", t(lang, Key::LastRebalance), r.cause, t(lang, Key::Generation), r.generation) }
                                { r.stopped_ms.iter().map(|(c, ms)| format!("{c} {ms} ms")).collect::<Vec<_>>().join(", ") }
                            </p>
                        }
                    </article>
                }
            }) }
        </section>
    }
}

#[function_component]
pub fn FindingsPanel(props: &ViewPanelProps) -> Html {
    let lang = props.lang;
    let view = &props.view;
    html! {
        <section class="findings panel" aria-labelledby="findings-title">
            <h2 class="panel__title" id="findings-title">{ th(lang, Key::Findings) }</h2>
            if view.lost_acked > 0 {
                <p class="findings__lost" role="alert">{ format!("{}: {}", t(lang, Key::LostAcked), view.lost_acked) }</p>
            }
            if view.findings.is_empty() {
                <p class="panel__empty">{ th(lang, Key::NoFindings) }</p>
            } else {
                <ul class="findings__list">
                    { for view.findings.iter().map(|f| {
                        let step = f.step;
                        let cb = props.on_seek_step.clone();
                        html! {
                            <li class={classes!("finding", format!("finding--{}", f.kind))}>
                                <span class="finding__kind">{ f.kind }</span>
                                <span class="finding__message">{ f.message.clone() }</span>
                                <button type="button" class="link-button" data-action="jump"
                                    onclick={Callback::from(move |_: MouseEvent| cb.emit(step))}>
                                    { format!("{} {step}", t(lang, Key::JumpToStep)) }
                                </button>
                            </li>
                        }
                    }) }
                </ul>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct EventsPanelProps {
    pub events: Rc<VecDeque<EventItem>>,
    /// The position on screen: the event that led here is highlighted.
    pub position: usize,
    #[prop_or_default]
    pub lang: Lang,
    pub on_seek: Callback<usize>,
}

/// How many of the recent events are listed.
const EVENTS_LISTED: usize = 40;

#[function_component]
pub fn EventsPanel(props: &EventsPanelProps) -> Html {
    let lang = props.lang;
    html! {
        <section class="events panel" aria-labelledby="events-title">
            <h2 class="panel__title" id="events-title">{ th(lang, Key::Events) }</h2>
            if props.events.is_empty() {
                <p class="panel__empty">{ th(lang, Key::NoEvents) }</p>
            }
            <ol class="events__list" reversed=true>
                { for props.events.iter().rev().take(EVENTS_LISTED).map(|item| {
                    let ev = &item.event;
                    let pos = item.position;
                    let cb = props.on_seek.clone();
                    let kind = match ev.kind {
                        TraceKind::Delivered => t(lang, Key::Delivered),
                        TraceKind::Dropped => t(lang, Key::Dropped),
                        TraceKind::Timer => t(lang, Key::Timer),
                    };
                    let class = classes!(
                        "event", format!("event--{}", api_family(ev.api)),
                        (ev.kind == TraceKind::Dropped).then_some("event--dropped"),
                        (pos == props.position).then_some("event--current"),
                    );
                    html! {
                        <li {class}>
                            <button type="button" class="event__button" data-position={pos.to_string()}
                                onclick={Callback::from(move |_: MouseEvent| cb.emit(pos))}>
                                <span class="event__step">{ ev.step }</span>
                                <span class="event__time">{ format!("{} ms", ev.time_ms) }</span>
                                <span class="event__api">{ ev.api }</span>
                                <span class="event__route">{ format!("{} → {}", ev.from, ev.to) }</span>
                                <span class="event__summary">{ ev.summary.clone() }</span>
                                <span class="visually-hidden">{ format!(" ({kind})") }</span>
                            </button>
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}
