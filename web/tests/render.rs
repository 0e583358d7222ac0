//! Browser tests: render components into a real DOM in headless Chromium and read it back.
//! They wait for Yew with `yew::scheduler::flush()`, never with a sleep.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use logscope_core::view::BrokerState;
use logscope_core::{ClusterView, Millis};
use logscope_web::components::cluster::{ClusterDiagram, ClusterDiagramProps};
use logscope_web::state::default_sim;
use logscope_web::App;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh `<div>` in the page to render into.
fn mount_point() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

/// The default scenario after its leaders are elected.
fn settled_view() -> ClusterView {
    let mut sim = default_sim(7).unwrap();
    sim.run_until(Millis(10_000));
    sim.view()
}

async fn render_cluster(view: ClusterView) -> Element {
    let root = mount_point();
    let props = ClusterDiagramProps {
        view: Rc::new(view),
    };
    yew::Renderer::<ClusterDiagram>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    root
}

#[wasm_bindgen_test]
async fn draws_every_broker_and_marks_one_leader_per_partition() {
    let view = settled_view();
    let partitions: usize = view.topics.iter().map(|t| t.partitions.len()).sum();
    let leaders = view
        .topics
        .iter()
        .flat_map(|t| &t.partitions)
        .filter(|p| p.leader.is_some())
        .count();
    assert_eq!((partitions, leaders), (3, 3));

    let root = render_cluster(view).await;
    assert_eq!(count(&root, "svg.cluster"), 1);
    assert_eq!(count(&root, ".broker"), 3);
    assert_eq!(
        count(&root, ".replica"),
        9,
        "3 partitions x replication factor 3"
    );
    assert_eq!(count(&root, ".replica--leader"), 3);
    for id in 1..=3 {
        let selector = format!(".broker[data-broker-id=\"{id}\"]");
        assert_eq!(count(&root, &selector), 1, "{selector}");
    }
    // SVG elements must be created in the SVG namespace or the browser draws nothing.
    let broker = root.query_selector(".broker").unwrap().unwrap();
    assert_eq!(
        broker.namespace_uri().as_deref(),
        Some("http://www.w3.org/2000/svg")
    );
}

#[wasm_bindgen_test]
async fn an_offline_broker_is_drawn_as_offline() {
    let mut view = settled_view();
    view.brokers[1].state = BrokerState::Killed;
    let root = render_cluster(view).await;
    assert_eq!(count(&root, ".broker--offline"), 1);
    assert_eq!(count(&root, ".broker--offline[data-broker-id=\"2\"]"), 1);
}

#[wasm_bindgen_test]
async fn names_are_text_not_markup() {
    let mut view = settled_view();
    view.topics[0].name = "<img src=x onerror=alert(1)>".into();
    let root = render_cluster(view).await;
    assert_eq!(count(&root, "img"), 0);
    assert!(root
        .text_content()
        .unwrap()
        .contains("<img src=x onerror=alert(1)>-0"));
}

#[wasm_bindgen_test]
async fn the_app_opens_running_and_steps_on_click() {
    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    assert_eq!(count(&root, ".broker"), 3);
    let fact = |name: &str| {
        let selector = format!("[data-fact=\"{name}\"]");
        root.query_selector(&selector)
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap()
    };
    assert_eq!(fact("seed"), "1");

    let button = |action: &str| -> HtmlElement {
        let selector = format!("button[data-action=\"{action}\"]");
        wasm_bindgen::JsCast::dyn_into(root.query_selector(&selector).unwrap().unwrap()).unwrap()
    };
    assert_eq!(button("toggle").text_content().unwrap(), "Pause");
    button("toggle").click();
    yew::scheduler::flush().await;
    assert_eq!(button("toggle").text_content().unwrap(), "Run");

    let before: u64 = fact("step").parse().unwrap();
    button("step").click();
    yew::scheduler::flush().await;
    let after: u64 = fact("step").parse().unwrap();
    assert_eq!(after, before + 1);
}
