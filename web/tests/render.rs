//! Browser tests: render components into a real DOM in headless Chromium and read it back.
//! They wait for Yew with `yew::scheduler::flush()`, never with a sleep.
#![cfg(target_arch = "wasm32")]

mod common;

use common::{count, frames, mount_point, settled_view, text};

use logscope_core::view::BrokerState;
use logscope_core::{ClusterView, Millis};
use logscope_web::components::app::AppProps;
use logscope_web::components::cluster::{ClusterDiagram, ClusterDiagramProps};
use logscope_web::i18n::Lang;
use logscope_web::state::{default_sim, SharedView};
use logscope_web::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

async fn render_cluster(view: ClusterView) -> Element {
    render_cluster_into(mount_point(), view).await
}

async fn render_cluster_into(root: Element, view: ClusterView) -> Element {
    render_cluster_with(root, view, false).await
}

async fn render_cluster_with(root: Element, view: ClusterView, hide_in_flight: bool) -> Element {
    let props = ClusterDiagramProps {
        view: SharedView::new(view),
        display_ms: 0.0,
        lang: Lang::En,
        reduced_motion: false,
        hide_in_flight,
        selected: None,
        on_select: Default::default(),
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
    assert!(partitions >= 3 && leaders == partitions);

    let root = render_cluster(view).await;
    assert_eq!(count(&root, "svg.cluster"), 1);
    assert_eq!(count(&root, ".broker"), 3);
    assert_eq!(
        count(&root, ".replica"),
        9,
        "3 partitions x replication factor 3 (internal topics are not drawn)"
    );
    assert_eq!(count(&root, ".replica--leader"), 3);
    assert_eq!(count(&root, ".controller--active"), 1);
    assert_eq!(count(&root, ".client--producer"), 1);
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

/// Three brokers, three partitions, twenty acknowledged records, then ten more that the
/// followers cannot fetch (every broker link cut), so below and above the HW.
fn view_with_records() -> ClusterView {
    let mut session = logscope_core::scenario::Session::new();
    for line in [
        "cluster brokers=3 seed=7",
        "kafka-topics --create --topic orders --partitions 3 --replication-factor 3",
        "producer add p1 linger.ms=0",
        "produce p1 orders count=20",
        "settle",
        "net cut 1 2",
        "net cut 1 3",
        "net cut 2 3",
        "produce p1 orders count=10",
        "run 100ms",
    ] {
        session.run_line(line).unwrap();
    }
    session.sim().unwrap().view()
}

/// Renders a 3-broker cluster with records into a `<div>` `width` CSS pixels wide, the SVG
/// filling it as `static/style.css` makes it (that file is not loaded in the test page; the
/// rule here applies inside these `<div>`s only).
async fn render_cluster_at(width: u32) -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let style = document.create_element("style").unwrap();
    style.set_text_content(Some(
        ".drawn-width svg.cluster { display: block; width: 100%; height: auto; }",
    ));
    document.head().unwrap().append_child(&style).unwrap();
    let root = mount_point();
    root.set_attribute("class", "drawn-width").unwrap();
    root.set_attribute("style", &format!("width: {width}px"))
        .unwrap();
    let root = render_cluster_into(root, view_with_records()).await;
    // The drawn width is measured after the first render, which renders again.
    yew::scheduler::flush().await;
    root
}

/// Issue 7's level of detail: records' offset labels too small to read are left out, records
/// are not. The 3-broker drawing is about 1,100 units wide: at 1,200 px its 9 px labels are
/// 9.8 px, at 400 px 3.3 px (under `MIN_LEGIBLE_PX`).
#[wasm_bindgen_test]
async fn record_offsets_are_left_out_only_where_they_would_be_illegible() {
    let wide = render_cluster_at(1_200).await;
    let narrow = render_cluster_at(400).await;
    let attr = |root: &Element| {
        root.query_selector("svg.cluster")
            .unwrap()
            .unwrap()
            .get_attribute("data-record-offsets")
            .unwrap_or_default()
    };
    assert_eq!(attr(&wide), "shown");
    assert_eq!(attr(&narrow), "hidden");
    let records = count(&wide, ".record");
    assert!(
        records >= 9,
        "the cluster has records on screen ({records})"
    );
    assert_eq!(count(&wide, ".record__offset"), records);
    assert_eq!(count(&narrow, ".record__offset"), 0);
    // Too small to read apart, a strip's cells are one path per kind: every cell still drawn,
    // committed or not as in the wide drawing.
    let cells = |root: &Element, selector: &str| -> usize {
        let paths = root.query_selector_all(selector).unwrap();
        (0..paths.length())
            .map(|i| {
                let path: Element = paths.item(i).unwrap().dyn_into().unwrap();
                path.get_attribute("d")
                    .unwrap_or_default()
                    .matches('M')
                    .count()
            })
            .sum()
    };
    assert_eq!(count(&narrow, ".record"), 0);
    let committed = count(&wide, ".record--committed") as usize;
    assert!(
        committed > 0 && (records as usize) > committed,
        "{committed} of {records}"
    );
    assert_eq!(cells(&narrow, ".records--committed"), committed);
    assert_eq!(
        cells(&narrow, ".records--uncommitted"),
        records as usize - committed
    );
    // So small, the role tag and the log end are shapes, not glyphs: one role mark per
    // replica, a star on each leader, a ▸ triangle for each log end.
    let replicas = count(&wide, ".replica");
    assert!(replicas >= 9, "{replicas} replicas");
    assert_eq!(count(&wide, ".replica__role"), replicas);
    assert_eq!(count(&wide, ".replica__mark"), 0);
    assert_eq!(count(&narrow, ".replica__role"), 0);
    assert_eq!(count(&narrow, ".replica__mark"), replicas);
    let leaders = count(&wide, ".replica--leader");
    assert!(leaders > 0 && leaders < replicas, "{leaders} leaders");
    assert_eq!(
        count(&narrow, ".replica--leader .replica__mark--leader"),
        leaders
    );
    assert_eq!(count(&narrow, ".replica__mark--leader"), leaders);
    assert_eq!(count(&narrow, ".log__leo"), 0);
    assert_eq!(count(&narrow, ".log__leo-mark"), replicas);
    // The offsets are still there for whoever hovers or uses a screen reader.
    let label = narrow
        .query_selector(".replica")
        .unwrap()
        .unwrap()
        .get_attribute("aria-label")
        .unwrap_or_default();
    assert!(label.contains("HW "), "{label}");
    // Widened, the drawing is measured again on the window's `resize`, and labelled again.
    narrow.set_attribute("style", "width: 1200px").unwrap();
    web_sys::window()
        .unwrap()
        .dispatch_event(&web_sys::Event::new("resize").unwrap())
        .unwrap();
    yew::scheduler::flush().await;
    assert_eq!(attr(&narrow), "shown");
    assert_eq!(count(&narrow, ".record__offset"), records);
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
async fn a_broker_in_controlled_shutdown_is_marked_and_still_up() {
    let mut view = settled_view();
    view.brokers[2].state = BrokerState::ShuttingDown;
    let root = render_cluster(view).await;
    assert_eq!(
        count(&root, ".broker--shutting-down[data-broker-id=\"3\"]"),
        1
    );
    assert_eq!(count(&root, ".broker--offline"), 0);
    assert!(text(&root, ".broker[data-broker-id=\"3\"] .broker__state").contains("shutting down"));
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
async fn an_offline_partition_and_messages_in_flight_are_drawn() {
    let mut view = settled_view();
    for p in &mut view.topics[0].partitions {
        p.leader = None;
    }
    let root = render_cluster(view.clone()).await;
    assert_eq!(count(&root, ".replica--offline"), 9);

    let mut sim = default_sim(7).unwrap();
    sim.run_until(Millis(10_000));
    sim.apply(logscope_core::Command::Produce {
        producer: "producer-1".into(),
        topic: "orders".into(),
        key: None,
        value: None,
        partition: None,
        count: 1,
    })
    .unwrap();
    let view = sim.view();
    assert!(!view.in_flight.is_empty());
    let root = render_cluster(view.clone()).await;
    assert!(count(&root, ".msg") >= 1);
    assert!(
        count(&root, ".msg title") >= 1,
        "every message has a hover label"
    );
    // They are drawn over the cluster in its coordinates: their own SVG, the same viewBox.
    assert_eq!(count(&root, ".cluster-messages .msg"), count(&root, ".msg"));
    let view_box = |sel: &str| {
        root.query_selector(sel)
            .unwrap()
            .unwrap()
            .get_attribute("viewBox")
    };
    assert!(view_box("svg.cluster").is_some());
    assert_eq!(view_box("svg.cluster-messages"), view_box("svg.cluster"));

    // Played faster than 10× the app leaves them out (cluster::in_flight_drawn): the overlay
    // stays, empty, with its label.
    let hidden = render_cluster_with(mount_point(), view, true).await;
    assert_eq!(count(&hidden, ".msg"), 0);
    assert_eq!(count(&hidden, "svg.cluster-messages[aria-label]"), 1);
}

fn element<T: wasm_bindgen::JsCast>(root: &Element, selector: &str) -> T {
    wasm_bindgen::JsCast::dyn_into(
        root.query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("{selector} not found")),
    )
    .unwrap()
}

/// A bubbling click on any element (SVG elements have no `click()`).
fn click(root: &Element, selector: &str) {
    let el: Element = element(root, selector);
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
    el.dispatch_event(&ev).unwrap();
}

async fn paused_app() -> Element {
    // The default scenario, not a session an earlier test's app saved.
    common::forget_saved_session();
    let root = mount_point();
    let props = AppProps {
        lang: Some(Lang::En),
        paused: true,
        query: None,
    };
    yew::Renderer::<App>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    common::opened(&root).await;
    root
}

fn fact(root: &Element, name: &str) -> String {
    text(root, &format!("[data-fact=\"{name}\"]"))
}

/// Puts `text` in the console's field as if typed (an `input` event), and returns the field.
async fn console_text(root: &Element, text: &str) -> web_sys::HtmlInputElement {
    let input: web_sys::HtmlInputElement = element(root, "input[data-control=\"console\"]");
    input.set_value(text);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
    input.dispatch_event(&ev).unwrap();
    yew::scheduler::flush().await;
    input
}

/// Presses `key` in the console's field.
async fn console_key(input: &web_sys::HtmlInputElement, key: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    input.dispatch_event(&ev).unwrap();
    yew::scheduler::flush().await;
}

/// Types `line` into the console and presses Enter.
async fn type_line(root: &Element, line: &str) {
    let input = console_text(root, line).await;
    console_key(&input, "Enter").await;
}

#[wasm_bindgen_test]
async fn the_app_steps_forward_and_back_exactly() {
    let root = paused_app().await;
    assert_eq!(count(&root, ".broker"), 3);
    assert_eq!(fact(&root, "seed"), "1");
    assert_eq!(text(&root, "button[data-action=\"toggle\"]"), "Play");
    for _ in 0..5 {
        click(&root, "button[data-action=\"step\"]");
    }
    yew::scheduler::flush().await;
    assert_eq!(fact(&root, "position"), "5");
    let step: u64 = fact(&root, "step").parse().unwrap();
    let time = fact(&root, "time");
    click(&root, "button[data-action=\"step\"]");
    yew::scheduler::flush().await;
    assert_eq!(fact(&root, "step").parse::<u64>().unwrap(), step + 1);
    assert!(
        count(&root, ".event") >= 1,
        "the protocol timeline lists the event"
    );
    click(&root, "button[data-action=\"back\"]");
    yew::scheduler::flush().await;
    assert_eq!(fact(&root, "step").parse::<u64>().unwrap(), step);
    assert_eq!(fact(&root, "time"), time);
    // In the past, fork is offered; forking makes here the end.
    click(&root, "button[data-action=\"fork\"]");
    yew::scheduler::flush().await;
    let scrubber: web_sys::HtmlInputElement = element(&root, "input[data-control=\"scrubber\"]");
    assert_eq!(scrubber.max(), "5");
    assert_eq!(scrubber.value(), "5");
}

#[wasm_bindgen_test]
async fn playing_advances_on_every_animation_frame_and_pausing_stops_it() {
    let root = paused_app().await;
    let paused_at = fact(&root, "step");
    frames(10).await;
    assert_eq!(fact(&root, "step"), paused_at, "paused: no frame moves it");
    // 100×, so that ten frames (~170 ms of wall time) cover seconds of simulated time.
    let speed: web_sys::HtmlInputElement = element(&root, "input[data-control=\"speed\"]");
    speed.set_value("100");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    speed
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
    click(&root, "button[data-action=\"toggle\"]");
    frames(10).await;
    let played: u64 = fact(&root, "step").parse().unwrap();
    assert!(
        played > paused_at.parse::<u64>().unwrap(),
        "ten frames of play moved the run (step {paused_at} → {played})"
    );
    frames(10).await;
    let later: u64 = fact(&root, "step").parse().unwrap();
    assert!(later > played, "the loop goes on (step {played} → {later})");
    click(&root, "button[data-action=\"toggle\"]");
    yew::scheduler::flush().await;
    let stopped = fact(&root, "step");
    frames(10).await;
    assert_eq!(
        fact(&root, "step"),
        stopped,
        "paused again: nothing moves it"
    );
}

#[wasm_bindgen_test]
async fn the_console_runs_a_command_and_the_view_changes() {
    let root = paused_app().await;
    assert!(text(&root, ".console__log").contains("cluster brokers=3 seed=1"));
    type_line(&root, "broker kill 2").await;
    let log = text(&root, ".console__log");
    assert!(log.contains("broker kill 2"), "{log}");
    assert_eq!(count(&root, ".broker--offline[data-broker-id=\"2\"]"), 1);
    type_line(&root, "kafka-topics --list").await;
    assert!(text(&root, ".console__log").contains("orders"));
    type_line(&root, "broker explode 2").await;
    assert!(count(&root, ".console__line--error") >= 1);
    // History: ↑ brings back the last line.
    let input: web_sys::HtmlInputElement = element(&root, "input[data-control=\"console\"]");
    console_key(&input, "ArrowUp").await;
    assert_eq!(input.value(), "broker explode 2");
}

#[wasm_bindgen_test]
async fn tab_completes_in_the_console() {
    let root = paused_app().await;
    let input = console_text(&root, "broker ki").await;
    console_key(&input, "Tab").await;
    assert_eq!(input.value(), "broker kill ");
}

/// The console and the config panel are not drawn again on every step (they hold a handle to
/// the view, or what they need of it, not the view itself), so they must still see what changed
/// since they were drawn: a topic created after mount is completed by Tab and offered by the
/// config panel.
#[wasm_bindgen_test]
async fn the_console_and_the_config_panel_see_a_topic_created_after_mount() {
    let root = paused_app().await;
    assert_eq!(count(&root, ".configs option[value=\"topic:payments\"]"), 0);
    type_line(
        &root,
        "kafka-topics --create --topic payments --partitions 1 --replication-factor 1",
    )
    .await;
    assert_eq!(count(&root, ".configs option[value=\"topic:payments\"]"), 1);
    let input = console_text(&root, "kafka-topics --describe --topic pay").await;
    console_key(&input, "Tab").await;
    assert_eq!(input.value(), "kafka-topics --describe --topic payments ");
}

#[wasm_bindgen_test]
async fn clicking_a_broker_offers_actions_that_are_scenario_lines() {
    let root = paused_app().await;
    click(&root, ".broker[data-broker-id=\"3\"]");
    yew::scheduler::flush().await;
    assert_eq!(count(&root, "[data-menu-for=\"broker 3\"]"), 1);
    let position: usize = fact(&root, "position").parse().unwrap();
    click(&root, "button[data-line=\"broker kill 3\"]");
    yew::scheduler::flush().await;
    assert!(text(&root, ".console__log").contains("broker kill 3"));
    assert_eq!(count(&root, ".broker--offline[data-broker-id=\"3\"]"), 1);
    assert_eq!(
        fact(&root, "position").parse::<usize>().unwrap(),
        position + 1
    );
    // Step back undoes the click exactly.
    click(&root, "button[data-action=\"back\"]");
    yew::scheduler::flush().await;
    assert_eq!(count(&root, ".broker--offline"), 0);
    // Adding a consumer draws it (its group forms once it has joined, events later).
    click(&root, "button[data-line^=\"consumer add consumer-1\"]");
    yew::scheduler::flush().await;
    assert_eq!(
        count(&root, ".client--consumer[data-client=\"consumer-1\"]"),
        1
    );
}

#[wasm_bindgen_test]
async fn the_language_switches_to_korean() {
    common::korean();
    let root = paused_app().await;
    click(&root, "button[data-action=\"lang\"]");
    yew::scheduler::flush().await;
    assert_eq!(text(&root, "button[data-action=\"toggle\"]"), "재생");
    assert_eq!(
        root.query_selector("main")
            .unwrap()
            .unwrap()
            .get_attribute("lang")
            .as_deref(),
        Some("ko")
    );
}

#[wasm_bindgen_test]
async fn the_help_button_lists_every_shortcut() {
    let root = paused_app().await;
    assert_eq!(count(&root, ".shortcuts"), 0);
    click(&root, "button[data-action=\"help\"]");
    yew::scheduler::flush().await;
    // Space, →, ←, Shift+→, Shift+←, ?, Esc.
    assert_eq!(count(&root, ".shortcuts kbd"), 7);
    click(&root, "button[data-action=\"close-help\"]");
    yew::scheduler::flush().await;
    assert_eq!(count(&root, ".shortcuts"), 0);
}

#[wasm_bindgen_test]
async fn the_live_region_narrates_each_event() {
    let root = paused_app().await;
    click(&root, "button[data-action=\"step\"]");
    yew::scheduler::flush().await;
    let said = text(&root, "[data-role=\"narration\"]");
    assert!(said.starts_with("Step "), "{said}");
}

/// The config panel checks a value as Kafka would (the reason shows, Apply is disabled), and
/// applying runs the `kafka-configs --alter` line through the console.
#[wasm_bindgen_test]
async fn the_config_panel_refuses_bad_values_and_applies_good_ones() {
    let root = paused_app().await;
    let select: web_sys::HtmlSelectElement = element(&root, ".configs select");
    select.set_value("topic:orders");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    select
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init).unwrap())
        .unwrap();
    yew::scheduler::flush().await;
    let set = |value: &str| {
        let input: web_sys::HtmlInputElement = element(&root, "#cfg-min-insync-replicas");
        input.set_value(value);
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        input
            .dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
            .unwrap();
    };
    let apply = || -> web_sys::HtmlButtonElement {
        element(&root, "button[data-action=\"apply-configs\"]")
    };
    assert!(apply().disabled(), "nothing changed yet");
    set("0");
    yew::scheduler::flush().await;
    let error = text(
        &root,
        "[data-config=\"min.insync.replicas\"] .configs__error",
    );
    assert!(error.contains("min.insync.replicas"), "{error}");
    assert!(apply().disabled(), "an invalid value cannot be applied");
    set("2");
    yew::scheduler::flush().await;
    assert_eq!(count(&root, ".configs__error"), 0);
    assert!(!apply().disabled());
    apply().click();
    yew::scheduler::flush().await;
    let page = root.text_content().unwrap_or_default();
    assert!(
        page.contains("Completed updating config for topic orders."),
        "the console shows kafka-configs' answer"
    );
}

/// Stands in for the web server: `window.fetch` answers `tours/04-unclean-election.tour` with
/// the file from `core/tours/` (the test runner serves only the test) and anything else with 404.
fn serve_one_tour() {
    use wasm_bindgen::closure::Closure;
    let fetch = Closure::<dyn Fn(String) -> js_sys::Promise>::new(|url: String| {
        let response = if url == "tours/04-unclean-election.tour" {
            web_sys::Response::new_with_opt_str(Some(include_str!(
                "../../core/tours/04-unclean-election.tour"
            )))
        } else {
            let init = web_sys::ResponseInit::new();
            init.set_status(404);
            web_sys::Response::new_with_opt_str_and_init(Some("not found"), &init)
        };
        js_sys::Promise::resolve(&wasm_bindgen::JsValue::from(response.unwrap()))
    });
    let window = web_sys::window().unwrap();
    js_sys::Reflect::set(&window, &"fetch".into(), fetch.as_ref()).unwrap();
    fetch.forget();
}

/// Lets the fetch settle and Yew render, until `selector` matches. Each round yields one turn
/// of the event loop (a zero-delay timeout: reading a response body is a task, not a microtask),
/// never a fixed wait.
async fn until(root: &Element, selector: &str) {
    for _ in 0..200 {
        if count(root, selector) > 0 {
            return;
        }
        let turn = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .unwrap()
                .set_timeout_with_callback(&resolve)
                .unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(turn).await.unwrap();
        yew::scheduler::flush().await;
    }
    let panel = root
        .query_selector(".tour")
        .ok()
        .flatten()
        .and_then(|e| e.text_content());
    panic!("nothing matched {selector}; the tour panel reads {panel:?}");
}

fn choose_tour(root: &Element, id: &str) {
    let select: web_sys::HtmlSelectElement = element(root, "select[data-role=\"tour-select\"]");
    select.set_value(id);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict("change", &init).unwrap();
    select.dispatch_event(&ev).unwrap();
}

/// The tour panel: choosing a tour fetches its text and runs its first step; Next is blocked by
/// an unanswered question; a wrong pick is judged wrong by the engine (tour 4, R12: with unclean
/// election off the partition has no leader) and Back undoes the consequence.
#[wasm_bindgen_test]
async fn a_tour_is_chosen_answered_judged_and_stepped_back() {
    serve_one_tour();
    let root = paused_app().await;
    choose_tour(&root, "04-unclean-election");
    until(&root, "[data-tour=\"04-unclean-election\"]").await;
    assert_eq!(count(&root, "[data-role=\"tour-loading\"]"), 0);
    click(&root, "[data-action=\"tour-next\"]");
    yew::scheduler::flush().await;
    click(&root, "[data-action=\"tour-next\"]");
    yew::scheduler::flush().await;
    let next: web_sys::HtmlButtonElement = element(&root, "[data-action=\"tour-next\"]");
    assert!(next.disabled(), "Next waits for the answer");
    click(&root, "[data-choice=\"two\"]");
    yew::scheduler::flush().await;
    assert!(text(&root, "[data-role=\"tour-verdict\"]").starts_with("Not this one"));
    assert_eq!(
        count(&root, ".tour__choice--confirmed[data-choice=\"none\"]"),
        1
    );
    click(&root, "[data-action=\"tour-back\"]");
    yew::scheduler::flush().await;
    assert_eq!(count(&root, "[data-role=\"tour-verdict\"]"), 0);
}

/// A tour whose file cannot be fetched: the panel says which tour and why, and offers to try
/// again; nothing else changes.
#[wasm_bindgen_test]
async fn a_tour_that_cannot_be_fetched_says_so() {
    serve_one_tour();
    let root = paused_app().await;
    choose_tour(&root, "02-acks");
    until(&root, "[data-role=\"tour-load-error\"]").await;
    let why = text(&root, "[data-role=\"tour-load-error\"]");
    assert!(
        why.contains("could not be loaded") && why.contains("HTTP 404"),
        "{why}"
    );
    assert_eq!(count(&root, "[data-action=\"tour-retry\"]"), 1);
    assert_eq!(count(&root, "[data-tour]"), 0);
}
