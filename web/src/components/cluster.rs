//! The cluster drawing: an SVG, and a second one over it for what moves. Producers
//! (`.client--producer`) on the left, the KRaft controllers (`.controller`, the active one
//! `.controller--active`) above the brokers, a box per broker (`.broker`, `.broker--offline`, `.broker--fenced`, `.broker--shutting-down`)
//! holding a row per replica
//! (`.replica`, `.replica--leader`, `.replica--out-of-sync`, `.replica--offline`) with its
//! log strip (records, HW line, LEO, log start, and a `.log__segment` mark where each segment
//! of the log begins), consumers on the right. Over it, in
//! `.cluster-messages` (the same `viewBox`, its own compositing layer), the messages in
//! flight (`.msg`, coloured by API family) where they are at the time on screen: measured at
//! 1× in the large cluster, keeping their moving out of the cluster's layer took the frame's
//! 95th percentile from 15.9–19.1 ms to 12.0–12.7 ms. Played faster than 10×, they are left
//! out ([`in_flight_drawn`]).
//! All text goes in as text nodes; each part has an ARIA label.
//!
//! Level of detail: the drawing is scaled to the page's width, so in a large cluster the 9 px
//! offset under each record would be drawn a few pixels tall. When it would be under
//! [`MIN_LEGIBLE_PX`], those per-record labels are left out and each strip's records are drawn
//! as a few paths (every cell is still drawn, in the same colours; the replica's tooltip and
//! ARIA label give its log start, LSO, HW and LEO): thousands of elements nobody can read
//! apart were most of the browser's layout and paint work per frame there (BENCHMARKS.md,
//! frame time).

use crate::state::SharedView;

use logscope_core::view::{BrokerState, MessageView};
use yew::prelude::*;

use crate::i18n::tr;
use crate::i18n::{broker_state, segment_label, t, Key, Lang};
use crate::layout::{
    api_family, fixed1, layout, BrokerLayout, ClusterLayout, NodeBox, ReplicaLayout,
};

/// What a click on the drawing selects (the action menu acts on it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selected {
    Broker(u32),
    Producer(String),
    Consumer(String),
}

#[derive(Properties, PartialEq)]
pub struct ClusterDiagramProps {
    pub view: SharedView,
    /// Simulated time on screen (ms); messages are drawn where they are at this time.
    #[prop_or_default]
    pub display_ms: f64,
    #[prop_or_default]
    pub lang: Lang,
    /// Draw messages as still arrows instead of travelling dots.
    #[prop_or_default]
    pub reduced_motion: bool,
    /// Leave the messages in flight out ([`in_flight_drawn`] says when).
    #[prop_or_default]
    pub hide_in_flight: bool,
    #[prop_or_default]
    pub selected: Option<Selected>,
    #[prop_or_default]
    pub on_select: Callback<Selected>,
}

/// The fastest speed at which messages in flight are drawn while the run plays.
pub const IN_FLIGHT_MAX_SPEED: f64 = 10.0;

/// Whether the messages in flight are drawn: always when paused; while playing, up to
/// [`IN_FLIGHT_MAX_SPEED`]. Faster, a message's whole flight (2 ms on the default network)
/// lasts a small fraction of a display frame, so a dot could only flash somewhere on its path,
/// while each frame that moves dots makes the compositor redraw the box around all of them,
/// most of the cluster. Measured on issue 7's large cluster at 100× in headless Chromium
/// (software compositing), with the simulation held to 0.5 ms a frame so that drawing is all
/// that is left: frame p50 14.4-14.5 ms and p95 19.3-20.4 ms with the dots, 10.2-10.9 ms and
/// 14.3 ms without; a trace put the difference in the compositor's software renderer (3.6 ms
/// more per frame) and in raster (2 ms more), on threads that share the machine's two cores
/// with the page.
pub fn in_flight_drawn(running: bool, speed: f64) -> bool {
    !running || speed <= IN_FLIGHT_MAX_SPEED
}

/// The font size of a record's offset label in `static/style.css` (`.record__offset`).
const OFFSET_FONT_PX: f64 = 9.0;
/// The smallest drawn size at which the offset labels are kept (see the module docs).
pub const MIN_LEGIBLE_PX: f64 = 5.0;

/// Whether records' offset labels are legible when a drawing `layout_width` units wide is shown
/// `drawn_width` CSS pixels wide. Before the first measurement (`drawn_width` 0) they are drawn.
pub fn offsets_legible(layout_width: u32, drawn_width: i32) -> bool {
    drawn_width <= 0
        || layout_width == 0
        || OFFSET_FONT_PX * f64::from(drawn_width) / f64::from(layout_width) >= MIN_LEGIBLE_PX
}

/// The width the SVG is drawn at, in CSS pixels: measured once mounted and again on each
/// `resize` of the window (never during a render, which would force a layout every frame).
#[hook]
fn use_drawn_width(svg: NodeRef) -> i32 {
    let width = use_state_eq(|| 0);
    {
        let width = width.clone();
        use_effect_with((), move |_| {
            let measure = move || {
                if let Some(el) = svg.cast::<web_sys::Element>() {
                    width.set(el.client_width());
                }
            };
            measure();
            // Removed from the window when dropped, with the effect.
            let listener = web_sys::window()
                .map(|w| gloo_events::EventListener::new(&w, "resize", move |_| measure()));
            move || drop(listener)
        });
    }
    *width
}

#[function_component]
pub fn ClusterDiagram(props: &ClusterDiagramProps) -> Html {
    let layout = use_memo((props.view.clone(), props.lang), |(view, lang)| {
        layout(view, *lang)
    });
    let svg = use_node_ref();
    let offsets = offsets_legible(layout.width, use_drawn_width(svg.clone()));
    let lang = props.lang;
    let view_box = format!("0 0 {} {}", layout.width, layout.height);
    let select = |s: Selected| {
        let cb = props.on_select.clone();
        (
            {
                let s = s.clone();
                let cb = cb.clone();
                Callback::from(move |_: MouseEvent| cb.emit(s.clone()))
            },
            Callback::from(move |e: KeyboardEvent| {
                if e.key() == "Enter" || e.key() == " " {
                    e.prevent_default();
                    cb.emit(s.clone());
                }
            }),
        )
    };
    // Messages in flight move on every frame while the rest often stays: they are drawn in
    // their own SVG over the cluster, in its own compositing layer (style.css), so moving
    // them repaints that layer only.
    html! {
        <div class="cluster-wrap">
            <svg class="cluster" ref={svg} viewBox={view_box.clone()} width={layout.width.to_string()}
                data-record-offsets={if offsets { "shown" } else { "hidden" }}
                role="group" aria-label={t(lang, Key::ClusterLabel)}>
                <g class="controllers" aria-label={t(lang, Key::Controllers)}>
                    { for layout.controllers.iter().map(|c| controller(c, lang)) }
                </g>
                { for layout.producers.iter().map(|p| {
                    let (onclick, onkeydown) = select(Selected::Producer(p.name.clone()));
                    let selected = props.selected == Some(Selected::Producer(p.name.clone()));
                    client(p, "client--producer", selected, onclick, onkeydown)
                }) }
                { for layout.brokers.iter().map(|b| {
                    let (onclick, onkeydown) = select(Selected::Broker(b.id.0));
                    let selected = props.selected == Some(Selected::Broker(b.id.0));
                    html! { <Broker key={b.id.0} broker={b.clone()} {lang} {selected} {offsets} {onclick} {onkeydown} /> }
                }) }
                { for layout.consumers.iter().map(|c| {
                    let (onclick, onkeydown) = select(Selected::Consumer(c.name.clone()));
                    let selected = props.selected == Some(Selected::Consumer(c.name.clone()));
                    client(c, "client--consumer", selected, onclick, onkeydown)
                }) }
            </svg>
            <svg class="cluster-messages" viewBox={view_box} role="group"
                aria-label={t(lang, Key::InFlight)}>
                if !props.hide_in_flight {
                    { for props.view.in_flight.iter().filter_map(|m| message(&layout, m, props.display_ms, props.reduced_motion)) }
                }
            </svg>
        </div>
    }
}

fn controller(c: &NodeBox, lang: Lang) -> Html {
    let class = classes!(
        "controller",
        c.active.then_some("controller--active"),
        (!c.up).then_some("controller--down"),
    );
    let label = if c.active {
        format!("{} ({})", c.name, t(lang, Key::ActiveController))
    } else {
        c.name.clone()
    };
    html! {
        <g {class} data-node={c.name.clone()} transform={format!("translate({} {})", c.x, c.y)}
            role="img" aria-label={label.clone()}>
            <title>{ label }</title>
            <rect class="controller__box" width={c.width.to_string()} height={c.height.to_string()} rx="6" />
            <text class="controller__name" x="8" y="19">
                { if c.active { format!("★ {}", c.name) } else { c.name.clone() } }
            </text>
        </g>
    }
}

fn client(
    c: &NodeBox,
    kind: &'static str,
    selected: bool,
    onclick: Callback<MouseEvent>,
    onkeydown: Callback<KeyboardEvent>,
) -> Html {
    let class = classes!(
        "client",
        kind,
        (!c.up).then_some("client--down"),
        selected.then_some("is-selected"),
    );
    let label = format!("{}: {}", c.name, c.detail);
    html! {
        <g {class} data-client={c.name.clone()} transform={format!("translate({} {})", c.x, c.y)}
            tabindex="0" role="button" aria-label={label.clone()} {onclick} {onkeydown}>
            <title>{ label }</title>
            <rect class="client__box" width={c.width.to_string()} height={c.height.to_string()} rx="6" />
            <text class="client__name" x="8" y="18">{ c.name.clone() }</text>
            <text class="client__detail" x="8" y="34">{ c.detail.clone() }</text>
        </g>
    }
}

fn message(
    layout: &ClusterLayout,
    m: &MessageView,
    now: f64,
    reduced_motion: bool,
) -> Option<Html> {
    let (x1, y1) = layout.node_center(&m.from)?;
    let (x2, y2) = layout.node_center(&m.to)?;
    let span = (m.deliver_ms.saturating_sub(m.sent_ms)).max(1) as f64;
    let f = ((now - m.sent_ms as f64) / span).clamp(0.0, 1.0);
    let class = classes!(
        "msg",
        format!("msg--{}", api_family(m.api)),
        m.is_response.then_some("msg--response"),
    );
    let label = format!("{}: {} → {}", m.summary, m.from, m.to);
    // Still arrows for reduced motion; otherwise a dot where the message is now.
    let (x, y) = if reduced_motion {
        ((x1 + x2) / 2.0, (y1 + y2) / 2.0)
    } else {
        (x1 + (x2 - x1) * f, y1 + (y2 - y1) * f)
    };
    Some(html! {
        <g {class} data-api={m.api} role="img" aria-label={label.clone()}>
            <title>{ label }</title>
            if reduced_motion {
                <line class="msg__path" x1={fixed1(x1)} y1={fixed1(y1)}
                    x2={fixed1(x2)} y2={fixed1(y2)} />
            }
            <circle class="msg__dot" cx={fixed1(x)} cy={fixed1(y)} r="6" />
        </g>
    })
}

#[derive(Properties, PartialEq)]
pub struct BrokerProps {
    pub broker: BrokerLayout,
    #[prop_or_default]
    pub lang: Lang,
    #[prop_or_default]
    pub selected: bool,
    /// Draw each record's offset under it ([`offsets_legible`]).
    #[prop_or(true)]
    pub offsets: bool,
    #[prop_or_default]
    pub onclick: Callback<MouseEvent>,
    #[prop_or_default]
    pub onkeydown: Callback<KeyboardEvent>,
}

#[function_component]
pub fn Broker(props: &BrokerProps) -> Html {
    let b = &props.broker;
    let class = classes!(
        "broker",
        (!b.state.is_up()).then_some("broker--offline"),
        (b.state == BrokerState::Fenced).then_some("broker--fenced"),
        (b.state == BrokerState::ShuttingDown).then_some("broker--shutting-down"),
        props.selected.then_some("is-selected"),
    );
    let lang = props.lang;
    let state = broker_state(lang, b.state);
    let state = match &b.rack {
        Some(rack) => format!("{state} · {} {rack}", tr(lang, "rack")),
        None => state.to_string(),
    };
    let label = format!("broker {}: {state}", b.id);
    html! {
        <g {class} data-broker-id={b.id.0.to_string()} transform={format!("translate({} {})", b.x, b.y)}
            tabindex="0" role="button" aria-label={label} aria-pressed={props.selected.to_string()}
            onclick={props.onclick.clone()} onkeydown={props.onkeydown.clone()}>
            <rect class="broker__box" width={b.width.to_string()} height={b.height.to_string()} rx="8" />
            <text class="broker__name" x="12" y="20">{ format!("broker {}", b.id) }</text>
            <text class="broker__state" x="12" y="36">
                { if b.state.is_up() { state } else { format!("✕ {}", state.to_uppercase()) } }
            </text>
            { for b.replicas.iter().map(|r| html! { <Replica key={r.topic_partition.clone()} replica={r.clone()} lang={props.lang} offsets={props.offsets} /> }) }
        </g>
    }
}

#[derive(Properties, PartialEq)]
pub struct ReplicaProps {
    pub replica: ReplicaLayout,
    #[prop_or_default]
    pub lang: Lang,
    /// Draw each record's offset under it ([`offsets_legible`]).
    #[prop_or(true)]
    pub offsets: bool,
}

#[function_component]
pub fn Replica(props: &ReplicaProps) -> Html {
    let r = &props.replica;
    let lang = props.lang;
    let class = classes!(
        "replica",
        r.leader.then_some("replica--leader"),
        (!r.in_isr).then_some("replica--out-of-sync"),
        r.offline.then_some("replica--offline"),
    );
    let role = if r.offline {
        t(lang, Key::Offline)
    } else if r.leader {
        t(lang, Key::Leader)
    } else if r.in_isr {
        t(lang, Key::Follower)
    } else {
        t(lang, Key::OutOfSync)
    };
    let segments: Vec<String> = r
        .segments
        .iter()
        .map(|m| segment_label(lang, &m.log_file, m.base_offset))
        .collect();
    let mut label = format!(
        "{}: {role}; {} {}, {} {}, {} {}, {} {}",
        r.topic_partition,
        t(lang, Key::LogStart),
        r.log_start,
        t(lang, Key::LastStable),
        r.last_stable,
        t(lang, Key::HighWatermark),
        r.high_watermark,
        t(lang, Key::LogEnd),
        r.log_end
    );
    // The marks sit inside this `role="img"` group, whose children screen readers skip, so the
    // group's own label names the segments too.
    for s in &segments {
        label.push_str("; ");
        label.push_str(s);
    }
    let lso_x = r.cell_x(r.last_stable);
    let tag = if r.offline {
        format!("⚠ {}", t(lang, Key::Offline))
    } else if r.leader {
        format!("★ {}", t(lang, Key::Leader))
    } else if r.in_isr {
        "ISR".to_string()
    } else {
        "✕ ISR".to_string()
    };
    let cell = r.cell_width();
    let strip_y = 20;
    let strip_h = 18;
    let hw_x = r.cell_x(r.high_watermark);
    let end = r.log_end.min(r.first_shown + crate::layout::CELLS);
    html! {
        <g {class} data-partition={r.topic_partition.clone()} transform={format!("translate({} {})", r.x, r.y)}
            role="img" aria-label={label.clone()}>
            <title>{ label }</title>
            <rect class="replica__box" width={r.width.to_string()} height={r.height.to_string()} rx="4" />
            <text class="replica__label" x="8" y="14">{ r.topic_partition.clone() }</text>
            if props.offsets {
                <text class="replica__role" x={(r.width - 8).to_string()} y="14" text-anchor="end">{ tag }</text>
            } else {
                { role_mark(r) }
            }
            <g class="log">
                if props.offsets {
                    { for (r.first_shown..end).map(|o| {
                        let class = classes!(
                            "record",
                            (o < r.high_watermark).then_some("record--committed"),
                            (o >= r.flushed).then_some("record--unflushed"),
                            r.control.contains(&o).then_some("record--control"),
                        );
                        html! {
                            <g {class} data-offset={o.to_string()}>
                                <rect x={fixed1(r.cell_x(o) + 0.5)} y={strip_y.to_string()}
                                    width={fixed1(cell - 1.0)} height={strip_h.to_string()} rx="2" />
                                <text class="record__offset" x={fixed1(r.cell_x(o) + cell / 2.0)} y="33"
                                    text-anchor="middle">{ o }</text>
                            </g>
                        }
                    }) }
                } else {
                    { dense_records(r, end, strip_y, strip_h) }
                }
                if r.first_shown == r.log_start {
                    <line class="log__start" x1="7" y1={(strip_y - 2).to_string()} x2="7" y2={(strip_y + strip_h + 2).to_string()} />
                } else if props.offsets {
                    <text class="log__more" x="2" y="33">{ "…" }</text>
                } else {
                    // Older records not drawn: the "…" as three dots.
                    <path class="log__more-mark" d="M2 31h1.6v1.6h-1.6zM4.4 31h1.6v1.6h-1.6zM6.8 31h1.6v1.6h-1.6z" />
                }
                // A segment starts at its base offset: a notch at that cell's left edge reaching
                // below the strip (the HW line reaches above it, so the two stay apart).
                { for r.segments.iter().zip(&segments).map(|(m, label)| {
                    let x = fixed1(r.cell_x(m.base_offset));
                    html! {
                        <g class="log__segment" data-segment={m.base_offset.to_string()}
                            aria-label={label.clone()}>
                            <title>{ label.clone() }</title>
                            <line x1={x.clone()} y1={strip_y.to_string()}
                                x2={x.clone()} y2={(strip_y + strip_h + 5).to_string()} />
                            <path d={format!("M{x} {} l5 0 l-5 -4 z", strip_y + strip_h + 5)} />
                        </g>
                    }
                }) }
                if r.last_stable < r.high_watermark {
                    <line class="log__lso" data-lso={r.last_stable.to_string()}
                        x1={fixed1(lso_x)} y1={(strip_y - 3).to_string()}
                        x2={fixed1(lso_x)} y2={(strip_y + strip_h + 3).to_string()} />
                }
                <line class="log__hw" data-hw={r.high_watermark.to_string()}
                    x1={fixed1(hw_x)} y1={(strip_y - 3).to_string()}
                    x2={fixed1(hw_x)} y2={(strip_y + strip_h + 3).to_string()} />
                if props.offsets {
                    <text class="log__leo" x={fixed1(r.cell_x(end) + 2.0)} y="33">
                        { if r.log_end == 0 { format!("{} 0", t(lang, Key::LogEnd)) } else { String::from("▸") } }
                    </text>
                } else {
                    // The log end's "▸" as a triangle.
                    <path class="log__leo-mark" d={format!("M{} {}l5 4l-5 4z", fixed1(r.cell_x(end) + 2.0), strip_y + 5)} />
                }
            </g>
        </g>
    }
}

/// The replica's role where its tag would be too small to read ([`offsets_legible`] false):
/// the tag's own symbol drawn as a shape, ★ leader, ✕ out of sync, ⚠ offline, and a dot for an
/// in-sync follower. Glyphs were half of what painting the large cluster cost (a text is far
/// dearer to paint than a path; BENCHMARKS.md, frame time), and at this size they were
/// unreadable anyway. The role is still in the replica's title and ARIA label.
fn role_mark(r: &ReplicaLayout) -> Html {
    let (cx, cy) = (f64::from(r.width) - 13.0, 9.5);
    let (kind, d) = if r.offline {
        (
            "offline",
            format!("M{} {}l5.5 9.5h-11z", fixed1(cx), fixed1(cy - 5.0)),
        )
    } else if r.leader {
        // A five-pointed star, outer radius 5.5 and inner 2.3, first point straight up: its
        // outline as fixed steps (no trigonometry in the bundle for one shape).
        let d = format!(
            "M{} {}l1.4 3.6l3.8 0.2l-3 2.4l1 3.7l-3.2 -2.1l-3.2 2.1l1 -3.7l-3 -2.4l3.8 -0.2z",
            fixed1(cx),
            fixed1(cy - 5.5)
        );
        ("leader", d)
    } else if r.in_isr {
        (
            "isr",
            format!(
                "M{} {}a2.5 2.5 0 1 0 5 0a2.5 2.5 0 1 0 -5 0z",
                fixed1(cx - 2.5),
                fixed1(cy)
            ),
        )
    } else {
        (
            "out-of-sync",
            format!("M{} {}l8 8m0 -8l-8 8", fixed1(cx - 4.0), fixed1(cy - 4.0)),
        )
    };
    html! { <path class={format!("replica__mark replica__mark--{kind}")} {d} /> }
}

/// A strip drawn too small to read ([`offsets_legible`] false): its records as one path per
/// kind (`.records--committed`, `--uncommitted`, then the `--unflushed` and `--control`
/// outlines over them), the same cells as the per-record `<g class="record">` drawing, in a
/// handful of elements instead of two per record (each element is layout and paint work on
/// every frame; BENCHMARKS.md, frame time).
fn dense_records(r: &ReplicaLayout, end: u64, strip_y: u32, strip_h: u32) -> Html {
    let width = fixed1(r.cell_width() - 1.0);
    let mut paths: [(&str, String); 4] = [
        ("records records--committed", String::new()),
        ("records records--uncommitted", String::new()),
        ("records records--unflushed", String::new()),
        ("records records--control", String::new()),
    ];
    for o in r.first_shown..end {
        let cell = format!(
            "M{} {strip_y}h{width}v{strip_h}h-{width}z",
            fixed1(r.cell_x(o) + 0.5)
        );
        paths[usize::from(o >= r.high_watermark)].1.push_str(&cell);
        if o >= r.flushed {
            paths[2].1.push_str(&cell);
        }
        if r.control.contains(&o) {
            paths[3].1.push_str(&cell);
        }
    }
    html! {
        <g class="log__records" data-first={r.first_shown.to_string()} data-end={end.to_string()}>
            { for paths.into_iter().filter(|(_, d)| !d.is_empty()).map(|(class, d)| html! {
                <path {class} {d} />
            }) }
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_in_flight_are_drawn_when_paused_or_up_to_ten_times() {
        assert!(in_flight_drawn(true, 1.0));
        assert!(in_flight_drawn(true, 10.0));
        assert!(!in_flight_drawn(true, 10.5));
        assert!(!in_flight_drawn(true, 100.0));
        // Paused at any speed: the learner looks at this moment.
        assert!(in_flight_drawn(false, 100.0));
    }

    #[test]
    fn offset_labels_are_kept_while_at_least_min_legible_px_tall() {
        // 9 px at a scale of 5/9 is exactly 5 px: kept; any smaller: left out.
        assert!(offsets_legible(900, 500));
        assert!(!offsets_legible(900, 499));
        // Drawn at its own size or larger.
        assert!(offsets_legible(1_100, 1_100));
        // Issue 7's large cluster (about 2,900 units) on a 1,066-px-wide stage: 3.3 px.
        assert!(!offsets_legible(2_900, 1_066));
        // Not measured yet, or nothing drawn: drawn as before.
        assert!(offsets_legible(2_900, 0));
        assert!(offsets_legible(0, 500));
    }
}
