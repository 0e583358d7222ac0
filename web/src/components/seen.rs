//! Panels that are not redrawn while the run plays and they are out of view.
//!
//! While a run plays, the page redraws up to sixty times a second. The events list, the
//! sequence diagram and the consumer-group tables below the cluster change on every one of those
//! frames, and in issue 7's large cluster their relayout was most of the browser's layout work
//! per frame even when scrolled out of sight (a Chromium trace: about 750 layout objects dirty
//! per frame, about 50 without them; CSS `content-visibility: auto` did not skip them, being
//! near enough to the viewport). [`RedrawWhenSeen`] keeps showing what it last drew while the run
//! plays and its box is out of view (an `IntersectionObserver`, with a margin so a panel is
//! fresh before it scrolls in), and draws the latest again as soon as it comes into view or the
//! run stops: paused, stepped or sought, every panel shows the step on screen, which is what a
//! reader, or a screen reader, reads.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// How far outside the viewport a panel already counts as seen.
const MARGIN: &str = "200px";

#[derive(Properties, PartialEq)]
pub struct RedrawWhenSeenProps {
    /// Whether the run is playing; when it is not, the children are always drawn.
    pub running: bool,
    pub children: Html,
}

#[function_component]
pub fn RedrawWhenSeen(props: &RedrawWhenSeenProps) -> Html {
    let node = use_node_ref();
    let seen = use_seen(node.clone());
    let shown = use_mut_ref(|| props.children.clone());
    if seen || !props.running {
        *shown.borrow_mut() = props.children.clone();
    }
    let children = shown.borrow().clone();
    // `data-seen` says what the observer last reported (tests wait for it).
    html! { <div class="when-seen" data-seen={seen.to_string()} ref={node}>{ children }</div> }
}

/// Whether `node`'s box is within [`MARGIN`] of the viewport. True until the first report, so
/// that nothing starts out stale.
#[hook]
fn use_seen(node: NodeRef) -> bool {
    let seen = use_state_eq(|| true);
    {
        let seen = seen.clone();
        use_effect_with((), move |_| {
            let report = Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
                // Several reports may come at once; the last one is the latest.
                if let Some(entry) = entries.iter().last() {
                    let entry: web_sys::IntersectionObserverEntry = entry.unchecked_into();
                    seen.set(entry.is_intersecting());
                }
            });
            let init = web_sys::IntersectionObserverInit::new();
            init.set_root_margin(MARGIN);
            let observer = web_sys::IntersectionObserver::new_with_options(
                report.as_ref().unchecked_ref(),
                &init,
            )
            .ok();
            if let (Some(o), Some(el)) = (&observer, node.cast::<web_sys::Element>()) {
                o.observe(&el);
            }
            move || {
                if let Some(o) = observer {
                    o.disconnect();
                }
                drop(report);
            }
        });
    }
    *seen
}
