//! Run and pause, step one event, and the three numbers that make the picture reproducible:
//! seed, step and simulated time.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    pub running: bool,
    pub seed: u64,
    pub step: u64,
    pub time_ms: u64,
    pub on_toggle: Callback<()>,
    pub on_step: Callback<()>,
}

#[function_component]
pub fn Toolbar(props: &ToolbarProps) -> Html {
    let on_toggle = props.on_toggle.reform(|_: MouseEvent| ());
    let on_step = props.on_step.reform(|_: MouseEvent| ());
    html! {
        <div class="toolbar">
            <button class="toolbar__button" type="button" data-action="toggle" onclick={on_toggle}>
                { if props.running { "Pause" } else { "Run" } }
            </button>
            <button class="toolbar__button" type="button" data-action="step" onclick={on_step}>
                { "Step" }
            </button>
            <dl class="toolbar__facts">
                <div class="toolbar__fact"><dt>{ "seed" }</dt><dd data-fact="seed">{ props.seed }</dd></div>
                <div class="toolbar__fact"><dt>{ "step" }</dt><dd data-fact="step">{ props.step }</dd></div>
                <div class="toolbar__fact"><dt>{ "time" }</dt><dd data-fact="time">{ format!("{} ms", props.time_ms) }</dd></div>
            </dl>
        </div>
    }
}
