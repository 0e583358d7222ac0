//! Browser tests for the segment marks, the phase jumps and the sequence diagram (issue 7):
//! render in headless Chromium, click or press keys, `yew::scheduler::flush()`, read the DOM.
#![cfg(target_arch = "wasm32")]

mod common;

use common::{count, mount_point, text};

use logscope_web::state::SharedView;

use logscope_core::scenario::Session;
use logscope_web::components::app::AppProps;
use logscope_web::components::cluster::{ClusterDiagram, ClusterDiagramProps};
use logscope_web::components::sequence::SEQ_WINDOW;
use logscope_web::i18n::Lang;
use logscope_web::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn element(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("{selector} not found"))
}

fn fact(root: &Element, name: &str) -> String {
    text(root, &format!("[data-fact=\"{name}\"]"))
}

fn attr(el: &Element, name: &str) -> String {
    el.get_attribute(name)
        .unwrap_or_else(|| panic!("no {name} on {}", el.outer_html()))
}

fn click_el(el: &Element) {
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
    el.dispatch_event(&ev).unwrap();
}

fn key_on(el: &Element, key: &str, shift: bool) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    el.dispatch_event(&ev).unwrap();
}

/// Types `line` into the console and presses Enter.
async fn type_line(root: &Element, line: &str) {
    let input: web_sys::HtmlInputElement = element(root, "input[data-control=\"console\"]")
        .dyn_into()
        .unwrap();
    input.set_value(line);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
    input.dispatch_event(&ev).unwrap();
    yew::scheduler::flush().await;
    key_on(&input, "Enter", false);
    yew::scheduler::flush().await;
}

async fn paused_app() -> Element {
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

/// `segment.bytes=100` with one-record batches of 83 bytes (sizes from
/// `tests/scenarios/retention-moves-log-start.scn`): by L1 every batch after the first rolls a
/// segment, so five sends leave segments based at offsets 0 to 4 on each of the 3 replicas.
async fn render_segments(lang: Lang) -> Element {
    common::korean();
    let mut session = Session::new();
    let mut lines = vec![
        "cluster brokers=3 seed=4".to_string(),
        "kafka-topics --create --topic events --replica-assignment 1:2:3 --config segment.bytes=100"
            .to_string(),
        "producer add p1 acks=all".to_string(),
    ];
    for v in 1..=5 {
        lines.push(format!("produce p1 events key=k value={v}"));
        lines.push("settle".to_string());
    }
    for line in &lines {
        session.run_line(line).unwrap();
    }
    let root = mount_point();
    let props = ClusterDiagramProps {
        view: SharedView::new(session.sim().unwrap().view()),
        display_ms: 0.0,
        lang,
        reduced_motion: false,
        hide_in_flight: false,
        selected: None,
        on_select: Default::default(),
    };
    yew::Renderer::<ClusterDiagram>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    root
}

#[wasm_bindgen_test]
async fn each_segment_start_is_marked_and_named_like_kafka_files() {
    let root = render_segments(Lang::En).await;
    assert_eq!(count(&root, "[data-partition=\"events-0\"]"), 3);
    assert_eq!(
        count(&root, "[data-partition=\"events-0\"] .log__segment"),
        15
    );
    let mark = element(
        &root,
        "[data-broker-id=\"2\"] [data-partition=\"events-0\"] .log__segment[data-segment=\"3\"]",
    );
    let want = "segment 00000000000000000003.log starts at offset 3";
    assert_eq!(attr(&mark, "aria-label"), want);
    assert_eq!(text(&mark, "title"), want);
    // The replica's own label names the segments too (its children are an image's parts).
    let replica = element(
        &root,
        "[data-broker-id=\"2\"] [data-partition=\"events-0\"]",
    );
    assert!(attr(&replica, "aria-label").contains(want));
    // The mark sits at the left edge of offset 3's cell.
    let cell = element(
        &root,
        "[data-broker-id=\"2\"] [data-partition=\"events-0\"] [data-offset=\"3\"] rect",
    );
    let cell_x: f64 = attr(&cell, "x").parse().unwrap();
    let line = element(&mark, "line");
    let mark_x: f64 = attr(&line, "x1").parse().unwrap();
    assert!((cell_x - 0.5 - mark_x).abs() < 0.11, "{cell_x} vs {mark_x}");
}

#[wasm_bindgen_test]
async fn segment_marks_speak_korean() {
    let root = render_segments(Lang::Ko).await;
    let mark = element(&root, ".log__segment[data-segment=\"0\"]");
    assert_eq!(
        attr(&mark, "aria-label"),
        "세그먼트 00000000000000000000.log: 오프셋 0에서 시작"
    );
}

#[wasm_bindgen_test]
async fn shift_arrows_jump_between_protocol_phases() {
    let root = paused_app().await;
    assert_eq!(fact(&root, "position"), "0");
    // A consumer joining a group gives the run a group phase after the cluster's metadata.
    type_line(&root, "consumer add c1 group=g1 topics=orders").await;
    let start: usize = fact(&root, "position").parse().unwrap();
    let body: Element = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .body()
        .unwrap()
        .into();
    key_on(&body, "ArrowRight", true);
    yew::scheduler::flush().await;
    let first: usize = fact(&root, "position").parse().unwrap();
    assert!(first > start);
    let said = text(&root, "[data-role=\"narration\"]");
    assert!(said.starts_with("Protocol phase: "), "{said}");
    // The event that starts the phase is the one on screen, in the sequence diagram too.
    let current = element(&root, ".seq__event--current");
    assert_eq!(attr(&current, "aria-current"), "step");
    assert_eq!(attr(&current, "data-step"), fact(&root, "step"));
    assert_eq!(count(&root, ".seq__event--current .seq__phase"), 1);

    key_on(&body, "ArrowRight", true);
    yew::scheduler::flush().await;
    let second: usize = fact(&root, "position").parse().unwrap();
    assert!(second > first);
    // Back from a phase's start goes to the start before it: the first jump's stop.
    key_on(&body, "ArrowLeft", true);
    yew::scheduler::flush().await;
    assert_eq!(fact(&root, "position"), first.to_string());
    // A plain arrow is still one event.
    key_on(&body, "ArrowRight", false);
    yew::scheduler::flush().await;
    assert_eq!(fact(&root, "position"), (first + 1).to_string());
}

#[wasm_bindgen_test]
async fn the_shortcut_sheet_lists_the_phase_jumps() {
    let root = paused_app().await;
    click_el(&element(&root, "button[data-action=\"help\"]"));
    yew::scheduler::flush().await;
    let keys: Vec<String> = (0..count(&root, ".shortcuts kbd"))
        .map(|i| {
            root.query_selector_all(".shortcuts kbd")
                .unwrap()
                .item(i)
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect();
    assert!(keys.contains(&"Shift+←".to_string()), "{keys:?}");
    assert!(keys.contains(&"Shift+→".to_string()), "{keys:?}");
    assert!(text(&root, ".shortcuts").contains("protocol phase"));
}

#[wasm_bindgen_test]
async fn the_sequence_diagram_draws_the_latest_events_and_seeks_on_click_and_enter() {
    let root = paused_app().await;
    let step = element(&root, "button[data-action=\"step\"]");
    for _ in 0..60 {
        click_el(&step);
    }
    yew::scheduler::flush().await;
    assert_eq!(fact(&root, "position"), "60");
    assert_eq!(count(&root, ".seq__event"), SEQ_WINDOW as u32);
    // Lifelines: producer-1, the controllers, brokers 1-3 (the default scenario).
    for lane in ["producer-1", "broker 1", "broker 2", "broker 3"] {
        assert_eq!(
            count(&root, &format!(".seq__lane[data-lane=\"{lane}\"]")),
            1
        );
    }
    // The newest arrow is the step on screen; arrows are sentences, coloured by API family.
    let arrows = root.query_selector_all(".seq__event").unwrap();
    let last: Element = arrows
        .item(arrows.length() - 1)
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(attr(&last, "data-position"), "60");
    assert_eq!(attr(&last, "aria-current"), "step");
    for i in 0..arrows.length() {
        let a: Element = arrows.item(i).unwrap().dyn_into().unwrap();
        assert!(attr(&a, "aria-label").starts_with("Step "));
        assert_eq!(attr(&a, "tabindex"), "0");
        let api = text(&a, ".seq__api");
        if api == "Fetch" {
            assert!(
                attr(&a, "class").split(' ').any(|c| c == "msg--fetch"),
                "{}",
                a.outer_html()
            );
        }
        if api == "MetadataRecord" {
            assert!(attr(&a, "class").split(' ').any(|c| c == "msg--controller"));
        }
    }
    // A click on the oldest arrow goes there.
    let first: Element = arrows.item(0).unwrap().dyn_into().unwrap();
    let target = attr(&first, "data-position");
    assert_eq!(target, "21");
    click_el(&first);
    yew::scheduler::flush().await;
    assert_eq!(fact(&root, "position"), "21");
    assert_eq!(
        attr(&element(&root, ".seq__event--current"), "data-position"),
        "21"
    );
    // Enter on a focused arrow does too.
    let arrows = root.query_selector_all(".seq__event").unwrap();
    let earlier: Element = arrows.item(4).unwrap().dyn_into().unwrap();
    let target = attr(&earlier, "data-position");
    key_on(&earlier, "Enter", false);
    yew::scheduler::flush().await;
    assert_eq!(fact(&root, "position"), target);
}

fn chart_label(root: &Element, id: &str) -> String {
    attr(
        &element(root, &format!("[data-chart=\"{id}\"] svg")),
        "aria-label",
    )
}

#[wasm_bindgen_test]
async fn the_charts_follow_the_run_and_forget_the_future_after_a_step_back() {
    let root = paused_app().await;
    let first = fact(&root, "step");
    assert!(text(&root, ".charts").contains("Nothing sampled yet"));
    let step = element(&root, "button[data-action=\"step\"]");
    for _ in 0..5 {
        click_el(&step);
        yew::scheduler::flush().await;
    }
    // No group yet: the lag chart says so instead of drawing empty axes.
    assert_eq!(count(&root, ".chart"), 2);
    assert!(text(&root, "[data-chart-empty=\"lag\"]").contains("No consumer group yet"));
    let now = fact(&root, "step");
    let label = chart_label(&root, "under-replicated");
    assert!(label.ends_with(&format!("(step {first}–{now})")), "{label}");
    // The idle producer's line is there, at 0 acknowledged.
    assert_eq!(
        count(
            &root,
            "[data-chart=\"acked\"] polyline[data-series=\"producer-1\"]"
        ),
        1
    );
    assert!(chart_label(&root, "acked").contains("producer-1 0"));
    click_el(&element(&root, "button[data-action=\"back\"]"));
    yew::scheduler::flush().await;
    let back = fact(&root, "step");
    assert!(
        chart_label(&root, "under-replicated").ends_with(&format!("(step {first}–{back})")),
        "the samples after the step on screen are dropped"
    );
    // Every orders partition has a replica on broker 2: 35 s after it dies all three are
    // under-replicated (see the native test in components/charts.rs).
    type_line(&root, "broker kill 2").await;
    type_line(&root, "run 35s").await;
    let label = chart_label(&root, "under-replicated");
    assert!(label.contains(": 3 ("), "{label}");
}
