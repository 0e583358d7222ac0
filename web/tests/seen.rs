//! Browser tests of `RedrawWhenSeen`: panels out of view are not redrawn while the run plays,
//! and are redrawn as soon as they are seen or the run stops.
#![cfg(target_arch = "wasm32")]

mod common;

use common::{mount_point, text};

use logscope_web::components::seen::{RedrawWhenSeen, RedrawWhenSeenProps};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Element;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

fn props(running: bool, said: &str) -> RedrawWhenSeenProps {
    RedrawWhenSeenProps {
        running,
        children: html! { <p class="said">{ said.to_string() }</p> },
    }
}

/// Waits, a frame at a time, until the observer's last report on `root`'s panel is `seen`
/// (its `data-seen`), then lets Yew draw what it changed.
async fn seen_as(root: &Element, seen: bool) {
    for _ in 0..300 {
        let now = root
            .query_selector(".when-seen")
            .unwrap()
            .and_then(|e| e.get_attribute("data-seen"));
        if now.as_deref() == Some(if seen { "true" } else { "false" }) {
            yew::scheduler::flush().await;
            return;
        }
        let frame = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .unwrap()
                .request_animation_frame(&resolve)
                .unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(frame).await.unwrap();
        yew::scheduler::flush().await;
    }
    panic!("the observer never reported seen = {seen}");
}

/// A mount point placed `top` CSS pixels from the top of the page (`absolute`) or of the
/// viewport (`fixed`), whatever else the test page holds; the page is scrolled to its top.
fn mount_at(position: &str, top: u32) -> Element {
    let root = mount_point();
    root.set_attribute(
        "style",
        &format!("position: {position}; top: {top}px; left: 0; width: 300px"),
    )
    .unwrap();
    web_sys::window().unwrap().scroll_to_with_x_and_y(0.0, 0.0);
    root
}

/// Mounts `RedrawWhenSeen` where `mount_at` says, draws "step 1", waits for the observer's
/// report (`seen`, as placed), then gives it "step 2" while running.
async fn drawn_then_changed_while_running(
    position: &str,
    top: u32,
    seen: bool,
) -> (Element, yew::AppHandle<RedrawWhenSeen>) {
    let root = mount_at(position, top);
    let mut app =
        yew::Renderer::<RedrawWhenSeen>::with_root_and_props(root.clone(), props(true, "step 1"))
            .render();
    yew::scheduler::flush().await;
    seen_as(&root, seen).await;
    assert_eq!(text(&root, ".said"), "step 1", "drawn at first");
    app.update(props(true, "step 2"));
    yew::scheduler::flush().await;
    (root, app)
}

#[wasm_bindgen_test]
async fn out_of_view_it_keeps_its_drawing_while_running_and_redraws_when_stopped() {
    let (root, mut app) = drawn_then_changed_while_running("fixed", 20_000, false).await;
    assert_eq!(
        text(&root, ".said"),
        "step 1",
        "out of view while running: not redrawn"
    );
    app.update(props(false, "step 3"));
    yew::scheduler::flush().await;
    assert_eq!(text(&root, ".said"), "step 3", "stopped: redrawn");
    app.destroy();
}

#[wasm_bindgen_test]
async fn in_view_it_redraws_every_change_while_running() {
    let (root, app) = drawn_then_changed_while_running("fixed", 0, true).await;
    assert_eq!(text(&root, ".said"), "step 2");
    app.destroy();
}

#[wasm_bindgen_test]
async fn scrolled_into_view_it_draws_the_latest() {
    let (root, app) = drawn_then_changed_while_running("absolute", 20_000, false).await;
    assert_eq!(text(&root, ".said"), "step 1");
    root.scroll_into_view();
    seen_as(&root, true).await;
    assert_eq!(text(&root, ".said"), "step 2", "seen: the latest is drawn");
    web_sys::window().unwrap().scroll_to_with_x_and_y(0.0, 0.0);
    app.destroy();
}
