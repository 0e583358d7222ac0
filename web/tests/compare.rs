//! Browser tests of compare mode (issue #8): open it on a scenario, step with its one time
//! control, and read both cluster views, their labels and the divergence marker back from the
//! DOM. They wait for Yew with `yew::scheduler::flush()`, never with a sleep.
#![cfg(target_arch = "wasm32")]

mod common;

use common::{frames, mount_point, text};

use std::rc::Rc;

use logscope_core::compare::Setting;
use logscope_web::components::compare::{ComparePanel, ComparePanelProps};
use logscope_web::i18n::Lang;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Followers cut off, the leader killed 100 ms after a produce (core::compare's hand-worked
/// case): with acks=1 (B) the record was acknowledged before the kill, with acks=all (A) it
/// was not, so the outcomes already differ where the scenario ends (tick 0).
const KILL: &str = "cluster brokers=3 seed=7 latency=1ms\n\
    kafka-topics --create --topic orders --replica-assignment 1:2:3\n\
    producer add p1 linger.ms=0\n\
    settle\n\
    net cut 1 2\n\
    net cut 1 3\n\
    produce p1 orders key=k value=v1\n";

async fn click(root: &Element, selector: &str) {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("{selector} is on the page"))
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    yew::scheduler::flush().await;
}

async fn open(script: &str, setting: Setting, lang: Lang) -> Element {
    common::korean();
    let root = mount_point();
    let props = ComparePanelProps {
        script: Rc::new(script.to_string()),
        seed: None,
        setting,
        lang,
        reduced_motion: true,
        on_setting: Default::default(),
        on_close: Default::default(),
    };
    yew::Renderer::<ComparePanel>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    root
}

#[wasm_bindgen_test]
async fn two_labelled_clusters_one_control_and_the_divergence_marked() {
    let root = open(KILL, Setting::Acks, Lang::En).await;
    let labels = root
        .query_selector_all("[data-role=compare-label]")
        .unwrap();
    assert_eq!(labels.length(), 2);
    assert_eq!(text(&root, "[data-side=a] figcaption"), "A: acks=all");
    assert_eq!(text(&root, "[data-side=b] figcaption"), "B: acks=1");
    // Each side draws a whole cluster: 3 brokers.
    assert_eq!(
        root.query_selector_all("[data-side=a] .broker")
            .unwrap()
            .length(),
        3
    );
    assert_eq!(
        root.query_selector_all("[data-side=b] .broker")
            .unwrap()
            .length(),
        3
    );
    // The divergence (B acknowledged 4 ms after the produce, see core::compare) is marked and
    // said; it lies ahead, at a tick after 0.
    let marker = root
        .query_selector("[data-role=divergence-marker]")
        .unwrap()
        .expect("the divergence is marked on the scrubber");
    let tick: usize = marker.get_attribute("data-tick").unwrap().parse().unwrap();
    assert!(tick > 0);
    let sentence = text(&root, "[data-role=divergence]");
    assert!(
        sentence.contains("producer p1: A has acked 0, B has 1"),
        "{sentence}"
    );
    let t0 = text(&root, "[data-fact=compare-time]");
    // One step moves both clusters to the same later time.
    click(&root, "[data-action=compare-step]").await;
    let t1 = text(&root, "[data-fact=compare-time]");
    assert_ne!(t0, t1);
    // Jump to the divergence: the scrubber is there, and the sentence is marked as reached.
    click(&root, "[data-action=jump-to-divergence]").await;
    let scrubber = root
        .query_selector("[data-control=compare-scrubber]")
        .unwrap()
        .unwrap()
        .dyn_into::<web_sys::HtmlInputElement>()
        .unwrap();
    assert_eq!(scrubber.value(), tick.to_string());
    assert!(root
        .query_selector(".compare__divergence--reached")
        .unwrap()
        .is_some());
    // Step back leaves it again.
    click(&root, "[data-action=compare-back]").await;
    assert_eq!(scrubber.value(), (tick - 1).to_string());
    assert!(root
        .query_selector(".compare__divergence--reached")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
async fn playing_moves_both_runs_on_animation_frames() {
    let root = open(KILL, Setting::Acks, Lang::En).await;
    let t0 = text(&root, "[data-fact=compare-time]");
    frames(5).await;
    assert_eq!(
        text(&root, "[data-fact=compare-time]"),
        t0,
        "not playing yet"
    );
    click(&root, "[data-action=compare-toggle]").await;
    frames(10).await;
    let t1 = text(&root, "[data-fact=compare-time]");
    assert_ne!(t1, t0, "ten frames of play moved the time");
}

#[wasm_bindgen_test]
async fn a_setting_that_cannot_apply_is_refused_in_words_in_korean_too() {
    let root = open("cluster brokers=1\n", Setting::RebalanceProtocol, Lang::Ko).await;
    let error = text(&root, "[data-role=compare-error]");
    assert!(error.starts_with("비교 모드를 열 수 없습니다"), "{error}");
    assert!(error.contains("no consumer"), "{error}");
    assert!(root.query_selector(".compare__side").unwrap().is_none());
}

/// In the whole page: the Compare button opens compare mode on the default scenario, and a
/// link copied there carries `ab=` with the setting shown, so it reopens compare mode.
#[wasm_bindgen_test]
async fn a_link_copied_in_compare_mode_reopens_it() {
    let root = mount_point();
    let props = logscope_web::components::app::AppProps {
        lang: Some(Lang::En),
        paused: true,
        query: Some(String::new()),
    };
    yew::Renderer::<logscope_web::App>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    common::opened(&root).await;
    let link = |root: &Element| {
        root.query_selector("[data-role=link]")
            .unwrap()
            .map(|e| e.dyn_into::<web_sys::HtmlInputElement>().unwrap().value())
    };
    click(&root, "[data-action=copy-link]").await;
    let plain = link(&root).expect("the link is shown");
    assert!(plain.contains("v=1&"), "{plain}");
    assert!(!plain.contains("&ab="), "{plain}");
    click(&root, "[data-action=compare]").await;
    assert_eq!(
        root.query_selector_all(".compare__side").unwrap().length(),
        2,
        "compare mode is open"
    );
    click(&root, "[data-action=copy-link]").await;
    let url = link(&root).expect("the link is shown");
    assert!(url.ends_with("&ab=acks"), "{url}");
}
