//! Time control: play/pause, step one event, step back one, fork from here, the scrubber over
//! the whole recorded run, the speed (1/100× to 100×, logarithmic), and the numbers that make
//! the picture reproducible: seed, step, simulated time, position.

use yew::prelude::*;

use std::rc::Rc;

use crate::i18n::th;
use crate::i18n::{t, Key, Lang};
use crate::share::{Control, EmbedOptions};
use crate::state::{SPEED_MAX, SPEED_MIN};

#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    pub running: bool,
    pub seed: u64,
    pub step: u64,
    pub time_ms: u64,
    #[prop_or_default]
    pub position: usize,
    #[prop_or_default]
    pub total: usize,
    #[prop_or_default]
    pub speed_exp: i32,
    #[prop_or_default]
    pub lang: Lang,
    pub on_toggle: Callback<()>,
    pub on_step: Callback<()>,
    #[prop_or_default]
    pub on_back: Callback<()>,
    #[prop_or_default]
    pub on_fork: Callback<()>,
    #[prop_or_default]
    pub on_seek: Callback<usize>,
    #[prop_or_default]
    pub on_speed: Callback<i32>,
    #[prop_or_default]
    pub on_help: Callback<()>,
    /// The controls shown (an embedding page's `controls=`); all by default. The facts (seed,
    /// step, time, position) always show, so every picture stays reproducible.
    #[prop_or_default]
    pub options: Rc<EmbedOptions>,
}

/// `1×`, `1/10×`, `31.6×`.
pub fn speed_label(exp: i32) -> String {
    // No float formatting (see `layout::fixed1`).
    let speed = crate::state::speed_of(exp);
    if speed >= 1.0 {
        let s = crate::layout::fixed1(speed);
        format!("{}×", s.trim_end_matches(".0"))
    } else {
        format!("1/{}×", (1.0 / speed).round() as u64)
    }
}

fn input_value(e: &InputEvent) -> Option<String> {
    let input: web_sys::HtmlInputElement = e.target_dyn_into()?;
    Some(input.value())
}

#[function_component]
pub fn Toolbar(props: &ToolbarProps) -> Html {
    let lang = props.lang;
    let click = |cb: &Callback<()>| cb.reform(|_: MouseEvent| ());
    let on_seek = {
        let cb = props.on_seek.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(pos) = input_value(&e).and_then(|v| v.parse().ok()) {
                cb.emit(pos);
            }
        })
    };
    let on_speed = {
        let cb = props.on_speed.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(exp) = input_value(&e).and_then(|v| v.parse().ok()) {
                cb.emit(exp);
            }
        })
    };
    let in_past = props.position < props.total;
    let shows = |c: Control| props.options.shows(c);
    html! {
        <div class="toolbar" role="toolbar" aria-label={t(lang, Key::Timeline)}>
            <div class="toolbar__buttons">
                if shows(Control::Play) {
                <button class="toolbar__button toolbar__button--primary" type="button" data-action="toggle"
                    aria-keyshortcuts="Space" onclick={click(&props.on_toggle)}>
                    { if props.running { th(lang, Key::Pause) } else { th(lang, Key::Play) } }
                </button>
                }
                if shows(Control::Back) {
                <button class="toolbar__button" type="button" data-action="back"
                    aria-keyshortcuts="ArrowLeft" disabled={props.position == 0} onclick={click(&props.on_back)}>
                    { "◀ " }{ th(lang, Key::StepBack) }
                </button>
                }
                if shows(Control::Step) {
                <button class="toolbar__button" type="button" data-action="step"
                    aria-keyshortcuts="ArrowRight" onclick={click(&props.on_step)}>
                    { th(lang, Key::Step) }{ " ▶" }
                </button>
                }
                if shows(Control::Fork) {
                <button class="toolbar__button" type="button" data-action="fork"
                    disabled={!in_past} onclick={click(&props.on_fork)}>
                    { th(lang, Key::Fork) }
                </button>
                }
                if shows(Control::Help) {
                <button class="toolbar__button" type="button" data-action="help"
                    aria-keyshortcuts="?" onclick={click(&props.on_help)} title={t(lang, Key::Shortcuts)}>
                    { "?" }
                </button>
                }
            </div>
            if shows(Control::Scrubber) {
            <label class="toolbar__scrubber">
                <span class="visually-hidden">{ th(lang, Key::Timeline) }</span>
                <input type="range" data-control="scrubber" min="0" max={props.total.to_string()}
                    value={props.position.to_string()} oninput={on_seek}
                    aria-valuetext={format!("{} {} / {}", t(lang, Key::Position), props.position, props.total)} />
            </label>
            }
            if shows(Control::Speed) {
            <label class="toolbar__speed">
                <span>{ th(lang, Key::Speed) }</span>
                <input type="range" data-control="speed" min={SPEED_MIN.to_string()} max={SPEED_MAX.to_string()}
                    step="10" value={props.speed_exp.to_string()} oninput={on_speed}
                    aria-valuetext={speed_label(props.speed_exp)} />
                <output data-fact="speed">{ speed_label(props.speed_exp) }</output>
            </label>
            }
            <dl class="toolbar__facts">
                <div class="toolbar__fact"><dt>{ th(lang, Key::Seed) }</dt><dd data-fact="seed">{ props.seed }</dd></div>
                <div class="toolbar__fact"><dt>{ th(lang, Key::StepNo) }</dt><dd data-fact="step">{ props.step }</dd></div>
                <div class="toolbar__fact"><dt>{ th(lang, Key::Time) }</dt><dd data-fact="time">{ format!("{} ms", props.time_ms) }</dd></div>
                <div class="toolbar__fact"><dt>{ th(lang, Key::Position) }</dt>
                    <dd data-fact="position">{ props.position }</dd><dd class="toolbar__total">{ format!("/ {}", props.total) }</dd></div>
            </dl>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_read_as_people_say_them() {
        assert_eq!(speed_label(0), "1×");
        assert_eq!(speed_label(100), "100×");
        assert_eq!(speed_label(-100), "1/100×");
        assert_eq!(speed_label(-50), "1/10×");
    }
}
