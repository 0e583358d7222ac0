//! Browser tests of `RedrawWhenSeen`: panels out of view are not redrawn while the run plays,
//! and are redrawn as soon as they are seen or the run stops.
#![cfg(target_arch = "wasm32")]

mod common;

use common::{frames, mount_point, text};

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
        frames(1).await;
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

/// The charts panel samples every step it is given but, while the run plays out of view, does
/// not redraw: when the run stops it draws the whole history, the steps it skipped included.
#[wasm_bindgen_test]
async fn the_charts_keep_sampling_out_of_view_and_draw_it_all_when_stopped() {
    use logscope_web::components::charts::{ChartsPanel, ChartsPanelProps};
    use logscope_web::state::SharedView;

    let mut sim = logscope_web::state::default_sim(1).unwrap();
    let mut view_at = |ms: u64| {
        sim.run_for(ms);
        SharedView::new(sim.view())
    };
    let props = |view: &SharedView, running: bool| ChartsPanelProps {
        view: view.clone(),
        running,
        lang: Default::default(),
    };
    let label = |root: &Element| {
        root.query_selector("[data-chart=\"under-replicated\"] svg")
            .unwrap()
            .expect("the under-replicated chart is drawn")
            .get_attribute("aria-label")
            .unwrap()
    };
    let (a, b, c) = (view_at(1_000), view_at(1_000), view_at(1_000));
    assert!(a.step < b.step && b.step < c.step, "the run moves");
    let root = mount_at("fixed", 20_000);
    let mut app =
        yew::Renderer::<ChartsPanel>::with_root_and_props(root.clone(), props(&a, true)).render();
    app.update(props(&b, true));
    yew::scheduler::flush().await;
    seen_as(&root, false).await;
    let drawn = label(&root);
    assert!(
        drawn.ends_with(&format!("(step {}–{})", a.step, b.step)),
        "{drawn}"
    );
    app.update(props(&c, true));
    yew::scheduler::flush().await;
    assert_eq!(
        label(&root),
        drawn,
        "out of view while running: not redrawn"
    );
    app.update(props(&c, false));
    yew::scheduler::flush().await;
    let after = label(&root);
    assert!(
        after.ends_with(&format!("(step {}–{})", a.step, c.step)),
        "stopped: drawn up to the latest step: {after}"
    );
    app.destroy();
}
