//! The cluster drawing: one SVG, a box per broker (`.broker`), inside it a small box per
//! replica it hosts (`.replica`), the partition's leader marked `.replica--leader` and a
//! replica outside the ISR `.replica--out-of-sync`. All text goes in as text nodes.

use std::rc::Rc;

use logscope_core::view::BrokerState;
use logscope_core::ClusterView;
use yew::prelude::*;

use crate::layout::{layout, BrokerLayout, ReplicaLayout};

#[derive(Properties, PartialEq)]
pub struct ClusterDiagramProps {
    pub view: Rc<ClusterView>,
}

#[function_component]
pub fn ClusterDiagram(props: &ClusterDiagramProps) -> Html {
    let layout = use_memo(Rc::clone(&props.view), |view| layout(view));
    let view_box = format!("0 0 {} {}", layout.width, layout.height);
    html! {
        <svg class="cluster" viewBox={view_box} width={layout.width.to_string()}
            role="img" aria-label="Brokers and the partition replicas they host">
            { for layout.brokers.iter().map(|b| html! { <Broker key={b.id.0} broker={b.clone()} /> }) }
        </svg>
    }
}

#[derive(Properties, PartialEq)]
pub struct BrokerProps {
    pub broker: BrokerLayout,
}

#[function_component]
pub fn Broker(props: &BrokerProps) -> Html {
    let b = &props.broker;
    let class = classes!(
        "broker",
        (!b.state.is_up()).then_some("broker--offline"),
        (b.state == BrokerState::Fenced).then_some("broker--fenced"),
    );
    let state = match &b.rack {
        Some(rack) => format!("{} · rack {rack}", b.state.label()),
        None => b.state.label().to_string(),
    };
    html! {
        <g {class} data-broker-id={b.id.0.to_string()} transform={format!("translate({} {})", b.x, b.y)}>
            <rect class="broker__box" width={b.width.to_string()} height={b.height.to_string()} rx="8" />
            <text class="broker__name" x="12" y="22">{ format!("broker {}", b.id) }</text>
            <text class="broker__state" x="12" y="39">{ state }</text>
            { for b.replicas.iter().map(|r| html! { <Replica key={r.topic_partition.clone()} replica={r.clone()} /> }) }
        </g>
    }
}

#[derive(Properties, PartialEq)]
pub struct ReplicaProps {
    pub replica: ReplicaLayout,
}

#[function_component]
pub fn Replica(props: &ReplicaProps) -> Html {
    let r = &props.replica;
    let class = classes!(
        "replica",
        r.leader.then_some("replica--leader"),
        (!r.in_isr).then_some("replica--out-of-sync"),
    );
    let role = match (r.leader, r.in_isr) {
        (true, _) => "leader",
        (false, true) => "follower, in sync",
        (false, false) => "follower, out of sync",
    };
    html! {
        <g {class} data-partition={r.topic_partition.clone()} transform={format!("translate({} {})", r.x, r.y)}>
            <title>{ format!("{}: {role}", r.topic_partition) }</title>
            <rect class="replica__box" width={r.width.to_string()} height={r.height.to_string()} rx="4" />
            <text class="replica__label" x="8" y="17">{ r.topic_partition.clone() }</text>
            if r.leader {
                <text class="replica__label" x={(r.width - 8).to_string()} y="17" text-anchor="end">{ "leader" }</text>
            }
        </g>
    }
}
