//! Korean mode in headless Chromium: the config panel explains every setting in Korean, a
//! refused link is explained in Korean, and the drawing names a broker's state in Korean.
//! Each check is made against the English rendering too, so it cannot pass by accident.
#![cfg(target_arch = "wasm32")]

mod common;

use common::{mount_point, settled_view, text};

use std::rc::Rc;

use logscope_core::config::{PRODUCER_CONFIGS, TOPIC_CONFIGS};
use logscope_core::view::BrokerState;
use logscope_web::components::app::AppProps;
use logscope_web::components::cluster::{ClusterDiagram, ClusterDiagramProps};
use logscope_web::components::configs::{ConfigPanel, ConfigPanelProps, ConfigSources};
use logscope_web::i18n::Lang;
use logscope_web::App;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn hangul(s: &str) -> bool {
    s.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
}

async fn config_panel(lang: Lang) -> Element {
    common::korean();
    let root = mount_point();
    let props = ConfigPanelProps {
        sources: Rc::new(ConfigSources::of(&settled_view())),
        lang,
        on_run: Default::default(),
    };
    yew::Renderer::<ConfigPanel>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    root
}

/// The explanation part of a row's doc line (after "default <value> · ").
fn doc_of(root: &Element, id: &str) -> String {
    let line = text(root, &format!("#{id}"));
    line.split_once(" · ")
        .map(|(_, doc)| doc.to_string())
        .unwrap_or_else(|| panic!("no explanation in {line:?}"))
}

#[wasm_bindgen_test]
async fn the_config_panel_explains_every_setting_in_korean() {
    let acks_en = PRODUCER_CONFIGS
        .iter()
        .find(|d| d.name == "acks")
        .unwrap()
        .doc;
    let en = config_panel(Lang::En).await;
    assert_eq!(doc_of(&en, "cfg-acks-doc"), acks_en);

    let ko = config_panel(Lang::Ko).await;
    let docs = ko.query_selector_all(".configs__doc").unwrap();
    assert_eq!(docs.length() as usize, PRODUCER_CONFIGS.len());
    for i in 0..docs.length() {
        let line = docs.item(i).unwrap().text_content().unwrap_or_default();
        let (_, doc) = line.split_once(" · ").expect("default · explanation");
        assert!(
            hangul(doc),
            "an explanation in English in Korean mode: {line}"
        );
    }
    let acks = doc_of(&ko, "cfg-acks-doc");
    assert_ne!(acks, acks_en);
    assert!(acks.contains("ISR"), "Kafka's words stay: {acks}");

    // A topic's settings, chosen in the panel as a learner would.
    let select: web_sys::HtmlSelectElement =
        wasm_bindgen::JsCast::dyn_into(ko.query_selector(".configs select").unwrap().unwrap())
            .unwrap();
    select.set_value("topic:orders");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    select
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init).unwrap())
        .unwrap();
    yew::scheduler::flush().await;
    let min_isr_en = TOPIC_CONFIGS
        .iter()
        .find(|d| d.name == "min.insync.replicas")
        .unwrap()
        .doc;
    let min_isr = doc_of(&ko, "cfg-min-insync-replicas-doc");
    assert_ne!(min_isr, min_isr_en);
    assert!(
        hangul(&min_isr) && min_isr.contains("acks=all"),
        "{min_isr}"
    );
    assert_eq!(
        ko.query_selector_all(".configs__doc").unwrap().length() as usize,
        TOPIC_CONFIGS.len()
    );
}

async fn app_opening(query: &str, lang: Lang) -> Element {
    common::korean();
    let root = mount_point();
    let props = AppProps {
        lang: Some(lang),
        paused: true,
        query: Some(query.to_string()),
    };
    yew::Renderer::<App>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    common::opened(&root).await;
    root
}

#[wasm_bindgen_test]
async fn a_link_that_cannot_be_opened_is_explained_in_korean() {
    let bad = "?v=2&seed=1";
    let reason = logscope_core::link::decode(bad).unwrap_err().to_string();
    let en = text(
        &app_opening(bad, Lang::En).await,
        "[data-role=\"notice\"] li",
    );
    assert!(!hangul(&en) && en.contains(&reason), "{en}");

    let ko = text(
        &app_opening(bad, Lang::Ko).await,
        "[data-role=\"notice\"] li",
    );
    assert!(hangul(&ko), "{ko}");
    assert_ne!(ko, en);
    assert!(!ko.contains("could not"), "{ko}");
    assert!(ko.contains(&reason), "the core's reason is kept: {ko}");
}

#[wasm_bindgen_test]
async fn a_broker_s_state_is_named_in_korean() {
    let mut view = settled_view();
    view.brokers[1].state = BrokerState::Killed;
    let draw = |lang| {
        let root = mount_point();
        let props = ClusterDiagramProps {
            view: logscope_web::state::SharedView::new(view.clone()),
            display_ms: 0.0,
            lang,
            reduced_motion: false,
            hide_in_flight: false,
            selected: None,
            on_select: Default::default(),
        };
        yew::Renderer::<ClusterDiagram>::with_root_and_props(root.clone(), props).render();
        root
    };
    let (en, ko) = (draw(Lang::En), draw(Lang::Ko));
    yew::scheduler::flush().await;
    let state = "[data-broker-id=\"2\"] .broker__state";
    assert!(text(&en, state).contains("KILLED"), "{}", text(&en, state));
    let killed = text(&ko, state);
    assert!(hangul(&killed) && !killed.contains("KILLED"), "{killed}");
    let running = text(&ko, "[data-broker-id=\"1\"] .broker__state");
    assert!(hangul(&running) && running != killed, "{running}");
}
