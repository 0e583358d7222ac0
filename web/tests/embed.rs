//! Browser tests for sharing and embedding (issue 8): the `postMessage` validation on real
//! JavaScript values, and what the page opens for a good, a tampered and an option-only
//! address (rendered in headless Chromium, read back from the DOM after
//! `yew::scheduler::flush()`).
#![cfg(target_arch = "wasm32")]

mod common;

use logscope_core::link::{encode, LinkState};
use logscope_web::components::app::AppProps;
use logscope_web::host::{command_of, HostCommand};
use logscope_web::i18n::Lang;
use logscope_web::share::STORAGE_KEY;
use logscope_web::App;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

#[wasm_bindgen_test]
fn commands_from_real_messages_are_read_field_by_field() {
    assert_eq!(
        command_of(&js(
            r#"{"type":"logscope","v":1,"command":"load","script":"cluster brokers=3","seed":7,"step":20}"#
        )),
        Ok(HostCommand::Load {
            script: "cluster brokers=3".into(),
            seed: Some(7),
            step: Some(20)
        })
    );
    assert_eq!(
        command_of(&js(
            r#"{"type":"logscope","v":1,"command":"seek","step":120}"#
        )),
        Ok(HostCommand::Seek { step: 120 })
    );
    assert_eq!(
        command_of(&js(
            r#"{"type":"logscope","v":1,"command":"run","line":"broker kill 1"}"#
        )),
        Ok(HostCommand::Run {
            line: "broker kill 1".into()
        })
    );
}

#[wasm_bindgen_test]
fn bad_messages_are_refused_naming_what_is_wrong() {
    let cases = [
        ("\"play\"", "must be an object"),
        ("[1,2]", "must be an object"),
        ("null", "must be an object"),
        (r#"{"v":1,"command":"play"}"#, "'type'"),
        (
            r#"{"type":"logscope","v":"1","command":"play"}"#,
            "'v' must be 1",
        ),
        (
            r#"{"type":"logscope","v":2,"command":"play"}"#,
            "'v' must be 1",
        ),
        (r#"{"type":"logscope","v":1}"#, "'command' must be one of"),
        (
            r#"{"type":"logscope","v":1,"command":"rm -rf"}"#,
            "'command' must be one of",
        ),
        (
            r#"{"type":"logscope","v":1,"command":"seek","step":-1}"#,
            "'step' must be a whole number",
        ),
        (
            r#"{"type":"logscope","v":1,"command":"seek","step":"3"}"#,
            "'step' must be a whole number",
        ),
        (
            r#"{"type":"logscope","v":1,"command":"seek","step":1e20}"#,
            "'step' must be a whole number",
        ),
        (
            r#"{"type":"logscope","v":1,"command":"seek","step":null}"#,
            "not a value of type null",
        ),
        (
            r#"{"type":"logscope","v":1,"command":"load","script":{"a":1}}"#,
            "'script' must be a string, not a value of type object",
        ),
        (
            r#"{"type":"logscope","v":1,"command":"load","script":"x","seed":true}"#,
            "'seed' must be a whole number",
        ),
        (
            r#"{"type":"logscope","v":1,"command":"run","line":"a\nb"}"#,
            "'line' must be one line",
        ),
        (
            r#"{"type":"logscope","v":1,"command":"run","line":["broker kill 1"]}"#,
            "not a value of type array",
        ),
    ];
    for (json, expected) in cases {
        let err = command_of(&js(json)).unwrap_err();
        assert!(
            err.contains(expected),
            "{json}: {err} (expected {expected})"
        );
    }
}

fn mount_point() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

async fn app(query: &str) -> Element {
    let root = mount_point();
    let props = AppProps {
        lang: Some(Lang::En),
        paused: true,
        query: Some(query.to_string()),
    };
    yew::Renderer::<App>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    common::opened(&root).await;
    root
}

fn text(root: &Element, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

fn moment() -> LinkState {
    LinkState {
        script:
            "cluster brokers=2 seed=5\nkafka-topics --create --topic t --replica-assignment 1:2\n"
                .into(),
        seed: 5,
        step: 30,
        view: "cluster".into(),
        lang: "en".into(),
    }
}

#[wasm_bindgen_test]
async fn a_link_opens_exactly_its_moment_paused() {
    let root = app(&format!("?{}", encode(&moment()))).await;
    assert_eq!(text(&root, "[data-fact=\"seed\"]"), "5");
    assert_eq!(text(&root, "[data-fact=\"step\"]"), "30");
    assert_eq!(count(&root, "svg.cluster .broker"), 2);
    assert_eq!(text(&root, "button[data-action=\"toggle\"]"), "Play");
    assert_eq!(count(&root, "[data-role=\"notice\"]"), 0);
}

#[wasm_bindgen_test]
async fn a_tampered_link_opens_the_default_with_a_reason_and_keeps_the_saved_session() {
    let saved = encode(&LinkState {
        seed: 77,
        ..moment()
    });
    storage().set_item(STORAGE_KEY, &saved).unwrap();
    let tampered = encode(&moment()).replacen("step=30", "step=31", 1);
    let root = app(&format!("?{tampered}")).await;
    let notice = text(&root, "[data-role=\"notice\"]");
    assert!(notice.contains("This link could not be opened"), "{notice}");
    assert!(notice.contains("check value"), "{notice}");
    assert_eq!(
        count(&root, "svg.cluster .broker"),
        3,
        "the default scenario"
    );
    assert_eq!(text(&root, "[data-fact=\"seed\"]"), "1");
    assert_eq!(storage().get_item(STORAGE_KEY).unwrap(), Some(saved));
    // A link whose script does not run is refused with its line number.
    let bad_script = encode(&LinkState {
        script: "cluster brokers=2\nbroker explode 1\n".into(),
        ..moment()
    });
    let root = app(&format!("?{bad_script}")).await;
    let notice = text(&root, "[data-role=\"notice\"]");
    assert!(notice.contains("line 2"), "{notice}");
    storage().remove_item(STORAGE_KEY).unwrap();
}

#[wasm_bindgen_test]
async fn embed_options_limit_the_controls_and_name_a_wrong_one() {
    let root = app("?embed=1&controls=step,warp&console=0").await;
    assert_eq!(count(&root, "main.app--embed"), 1);
    assert_eq!(count(&root, "button[data-action=\"step\"]"), 1);
    assert_eq!(count(&root, "button[data-action=\"toggle\"]"), 0);
    assert_eq!(count(&root, "button[data-action=\"fork\"]"), 0);
    assert_eq!(count(&root, ".console"), 0);
    assert_eq!(count(&root, ".share"), 0);
    let notice = text(&root, "[data-role=\"notice\"]");
    assert!(
        notice.contains("controls: unknown control 'warp'"),
        "{notice}"
    );
    let root = app("?embed=1&console=1").await;
    assert_eq!(count(&root, ".console"), 1);
}

fn click(el: &Element) {
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
    el.dispatch_event(&ev).unwrap();
}

#[wasm_bindgen_test]
async fn the_saved_session_is_restored_and_rewritten_only_after_the_user_acts() {
    let saved = encode(&moment());
    storage().set_item(STORAGE_KEY, &saved).unwrap();
    let root = app("").await;
    assert_eq!(text(&root, "[data-fact=\"seed\"]"), "5");
    assert_eq!(text(&root, "[data-fact=\"step\"]"), "30");
    assert_eq!(count(&root, "svg.cluster .broker"), 2);
    // Opening changed nothing in storage.
    assert_eq!(
        storage().get_item(STORAGE_KEY).unwrap(),
        Some(saved.clone())
    );
    // The user presses Step: the new moment is saved.
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let down = web_sys::Event::new_with_event_init_dict("pointerdown", &init).unwrap();
    let step = root
        .query_selector("button[data-action=\"step\"]")
        .unwrap()
        .unwrap();
    step.dispatch_event(&down).unwrap();
    click(&step);
    yew::scheduler::flush().await;
    assert_eq!(text(&root, "[data-fact=\"step\"]"), "31");
    let now = storage().get_item(STORAGE_KEY).unwrap().unwrap();
    let state = logscope_core::link::decode(&now).unwrap();
    assert_eq!((state.seed, state.step), (5, 31));
    assert_eq!(state.script, moment().script);
    storage().remove_item(STORAGE_KEY).unwrap();
}

/// A scenario long enough to be carried compressed (`z=`).
fn long_moment() -> LinkState {
    let mut state = moment();
    for i in 0..20 {
        state.script.push_str(&format!(
            "kafka-topics --create --topic topic-{i} --replica-assignment 1:2,2:1\n"
        ));
    }
    state
}

/// The app compresses a long scenario's link with the browser's `CompressionStream`
/// (`deflate-raw`), and the engine's decoder (miniz_oxide's inflate) reads it back: the two
/// agree on the format, and the link is shorter than with the text.
#[wasm_bindgen_test]
async fn a_long_scenario_is_compressed_by_the_browser_and_reads_back() {
    use logscope_core::link::{compresses, decode, encode_with};
    let long = long_moment();
    assert!(compresses(&long));
    let deflated = logscope_web::components::share::deflate_raw(long.script.as_bytes())
        .await
        .expect("Chromium compresses deflate-raw");
    let query = encode_with(&long, Some(&deflated));
    assert!(query.contains("&z="), "{query}");
    assert!(query.len() < encode_with(&long, None).len());
    assert_eq!(decode(&query), Ok(long));
}

/// "Copy link" on a long scenario: the link appears once the browser has compressed it, and
/// it opens the same moment.
#[wasm_bindgen_test]
async fn copy_link_of_a_long_scenario_gives_a_compressed_link_that_opens() {
    let root = app(&format!("?{}", encode(&long_moment()))).await;
    assert_eq!(count(&root, "svg.cluster .broker"), 2);
    let button = root
        .query_selector("[data-action=copy-link]")
        .unwrap()
        .expect("the share bar");
    click(&button);
    let mut url = None;
    for _ in 0..120 {
        url = root
            .query_selector("[data-role=link]")
            .unwrap()
            .map(|e| wasm_bindgen::JsCast::unchecked_into::<web_sys::HtmlInputElement>(e).value());
        if url.is_some() {
            break;
        }
        common::frames(1).await;
    }
    let url = url.expect("the link is shown within 120 frames");
    let query = url.split_once('?').expect("a query").1;
    assert!(query.contains("&z="), "{query}");
    let opened = logscope_core::link::decode(query).unwrap();
    assert_eq!((opened.seed, opened.step), (5, 30));
    assert!(opened.script.contains("topic-19"), "{}", opened.script);
}

/// A saved session of a long scenario is kept compressed (`z=`): the browser inflates it
/// (`DecompressionStream`) before the app opens, and the app opens that moment.
#[wasm_bindgen_test]
async fn a_compressed_saved_session_is_inflated_by_the_browser_and_opens() {
    let saved = encode(&long_moment());
    assert!(saved.contains("&z="), "{saved}");
    storage().set_item(STORAGE_KEY, &saved).unwrap();
    let root = app("").await;
    assert_eq!(text(&root, "[data-fact=\"seed\"]"), "5");
    assert_eq!(text(&root, "[data-fact=\"step\"]"), "30");
    assert_eq!(count(&root, "svg.cluster .broker"), 2);
    assert_eq!(count(&root, "[data-role=\"notice\"]"), 0);
    storage().remove_item(STORAGE_KEY).unwrap();
}

/// The browser's inflating stops at the size a link may carry (a link of a few kilobytes can
/// inflate to megabytes), and data that is not DEFLATE is named as such; either way the app
/// opens the default scenario and says why.
#[wasm_bindgen_test]
async fn the_browser_refuses_a_link_that_inflates_too_far_or_not_at_all() {
    use logscope_core::link::{encode_with, LinkError, MAX_SCRIPT_BYTES};
    use logscope_web::components::share::inflate_inputs;
    // A link carrying `packed` as its scenario (`z=`), made by the link encoder: the script only
    // has to be long enough to be compressed and longer than `packed`.
    let with_z = |packed: &[u8]| {
        let state = LinkState {
            script: "x".repeat(4 * packed.len() + 300),
            ..moment()
        };
        let query = encode_with(&state, Some(packed));
        assert!(query.contains("&z="), "{query}");
        format!("?{query}")
    };
    // A bomb: a quarter of a megabyte of one letter, and ten bytes more, made by the browser.
    let bomb = logscope_web::components::share::deflate_raw(&vec![b'a'; MAX_SCRIPT_BYTES + 10])
        .await
        .expect("Chromium compresses deflate-raw");
    assert!(bomb.len() < 2_000, "{} bytes", bomb.len());
    let inflated = inflate_inputs(&with_z(&bomb), None).await;
    assert_eq!(
        inflated.link,
        Some(Err(LinkError::ScriptTooLarge {
            limit: MAX_SCRIPT_BYTES
        }))
    );
    let junk = with_z(b"not deflate at all");
    let inflated = inflate_inputs(&junk, None).await;
    assert_eq!(
        inflated.link,
        Some(Err(LinkError::Damaged("it does not decompress")))
    );
    let root = app(&junk).await;
    let notice = text(&root, "[data-role=\"notice\"]");
    assert!(notice.contains("does not decompress"), "{notice}");
    assert_eq!(
        count(&root, "svg.cluster .broker"),
        3,
        "the default scenario"
    );
}
