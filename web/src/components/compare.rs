//! Compare mode (issue #8): the scenario on screen run twice, side by side (stacked on narrow
//! screens), differing in one Kafka setting, moved by one time control (play, step, step back,
//! the scrubber), with the first divergence of their outcomes marked on the scrubber, a button
//! that jumps there, and a sentence saying what diverged. What an outcome is, how the setting
//! is injected and how the runs are aligned are the core's (`logscope_core::compare`); the
//! state lives in `state/compare.rs`.

use std::rc::Rc;

use logscope_core::compare::{Setting, Side};
use yew::prelude::*;

use crate::components::frames::AnimationFrames;
use crate::components::now_ms;

use crate::components::cluster::ClusterDiagram;
use crate::i18n::th;
use crate::i18n::{divergence_sentence, t, Key, Lang};
use crate::state::{CompareAction, CompareState};

/// `3120` → `3,120`: integer grouping, no float formatting.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The name of a setting pair in the chooser.
pub fn setting_name(lang: Lang, s: Setting) -> &'static str {
    t(
        lang,
        match s {
            Setting::Acks => Key::SettingAcks,
            Setting::UncleanLeaderElection => Key::SettingUnclean,
            Setting::RebalanceProtocol => Key::SettingAssignor,
            Setting::Idempotence => Key::SettingIdempotence,
        },
    )
}

/// Where tick `tick` of `ticks` sits on a 0..=1000 track (integer arithmetic).
pub fn track_x(tick: usize, ticks: usize) -> usize {
    if ticks <= 1 {
        0
    } else {
        tick.min(ticks - 1) * 1000 / (ticks - 1)
    }
}

#[derive(Properties, PartialEq)]
pub struct ComparePanelProps {
    /// The scenario both runs replay (the single run's script to the moment compare opened).
    pub script: Rc<String>,
    #[prop_or_default]
    pub seed: Option<u64>,
    pub setting: Setting,
    #[prop_or_default]
    pub lang: Lang,
    #[prop_or_default]
    pub reduced_motion: bool,
    #[prop_or_default]
    pub on_setting: Callback<Setting>,
    #[prop_or_default]
    pub on_close: Callback<()>,
}

#[function_component]
pub fn ComparePanel(props: &ComparePanelProps) -> Html {
    let lang = props.lang;
    let opened = use_memo(
        (props.script.clone(), props.seed, props.setting),
        |(script, seed, setting)| CompareState::open(script, *seed, *setting).map(Rc::new),
    );
    let on_change = {
        let cb = props.on_setting.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target_dyn_into::<web_sys::HtmlSelectElement>()
                .map(|s| s.value());
            if let Some(s) = value.as_deref().and_then(Setting::from_id) {
                cb.emit(s);
            }
        })
    };
    let close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <section class="compare" data-role="compare" aria-label={t(lang, Key::CompareTitle)}>
            <div class="compare__head">
                <h2 class="compare__title">{ th(lang, Key::CompareTitle) }</h2>
                <label class="compare__setting">
                    <span>{ th(lang, Key::CompareSetting) }</span>
                    <select data-control="compare-setting" onchange={on_change}>
                        { for Setting::ALL.iter().map(|s| html! {
                            <option value={s.id()} selected={*s == props.setting}>{ setting_name(lang, *s) }</option>
                        }) }
                    </select>
                </label>
                <button type="button" class="toolbar__button" data-action="compare-close" onclick={close}>
                    { th(lang, Key::CompareClose) }
                </button>
            </div>
            { match &*opened {
                Ok(state) => html! {
                    <CompareRuns key={props.setting.id()} initial={state.clone()} {lang}
                        reduced_motion={props.reduced_motion} />
                },
                Err(why) => html! {
                    <p class="compare__error" role="alert" data-role="compare-error">
                        { format!("{}: {why}", t(lang, Key::CompareRefused)) }
                    </p>
                },
            } }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct CompareRunsProps {
    pub initial: Rc<CompareState>,
    pub lang: Lang,
    pub reduced_motion: bool,
}

/// The two runs and their one time control.
#[function_component]
pub fn CompareRuns(props: &CompareRunsProps) -> Html {
    let lang = props.lang;
    let initial = props.initial.clone();
    let state = use_reducer(move || (*initial).clone());
    // While playing, each drawn frame moves both runs by the wall time that passed (1×).
    {
        let d = state.dispatcher();
        use_effect_with(state.running(), move |&running| {
            let frames = running.then(|| {
                let mut last = now_ms();
                AnimationFrames::new(
                    move |ts| {
                        d.dispatch(CompareAction::Frame {
                            wall_ms: (ts - last).max(0.0),
                        });
                        last = ts;
                    },
                    None,
                )
            });
            move || drop(frames)
        });
    }
    let send = |a: CompareAction| {
        let d = state.dispatcher();
        Callback::from(move |_: MouseEvent| {
            if !matches!(a, CompareAction::TogglePlay) {
                d.dispatch(CompareAction::SetRunning(false));
            }
            d.dispatch(a.clone())
        })
    };
    let on_seek = {
        let d = state.dispatcher();
        Callback::from(move |e: InputEvent| {
            let v = e
                .target_dyn_into::<web_sys::HtmlInputElement>()
                .and_then(|i| i.value().parse().ok());
            if let Some(tick) = v {
                d.dispatch(CompareAction::SetRunning(false));
                d.dispatch(CompareAction::Seek(tick));
            }
        })
    };
    let setting = state.setting();
    let ticks = state.ticks();
    let last = ticks.saturating_sub(1);
    let divergence = state.divergence();
    let sentence = match divergence {
        Some(d) => {
            let first = &d.differences[0];
            divergence_sentence(
                lang,
                &grouped(d.time_ms),
                &first.subject,
                first.field.name(),
                &first.a,
                &first.b,
            )
        }
        None => t(lang, Key::NoDivergenceYet).to_string(),
    };
    let reached = divergence.is_some_and(|d| state.tick() >= d.tick);
    let marker = divergence.map(|d| {
        let x = track_x(d.tick, ticks);
        html! {
            <svg class="compare__track" viewBox="0 0 1000 12" preserveAspectRatio="none"
                role="img" aria-label={format!("{}: {} ms", t(lang, Key::DivergenceMarker), grouped(d.time_ms))}>
                <rect class="compare__marker" data-role="divergence-marker" data-tick={d.tick.to_string()}
                    x={x.saturating_sub(4).to_string()} y="0" width="8" height="12" />
            </svg>
        }
    });
    let side = |s: Side| {
        let label = format!(
            "{}: {}",
            match s {
                Side::A => "A",
                Side::B => "B",
            },
            setting.label(s)
        );
        html! {
            <figure class="compare__side" data-side={match s { Side::A => "a", Side::B => "b" }}>
                <figcaption class="compare__label" data-role="compare-label">{ label }</figcaption>
                <ClusterDiagram view={state.view(s).clone()} display_ms={state.display_ms()} {lang}
                    reduced_motion={props.reduced_motion} />
            </figure>
        }
    };
    html! {
        <>
            <div class="toolbar compare__controls" role="toolbar" aria-label={t(lang, Key::CompareControls)}>
                <div class="toolbar__buttons">
                    <button class="toolbar__button toolbar__button--primary" type="button" data-action="compare-toggle"
                        onclick={send(CompareAction::TogglePlay)}>
                        { if state.running() { th(lang, Key::Pause) } else { th(lang, Key::Play) } }
                    </button>
                    <button class="toolbar__button" type="button" data-action="compare-back"
                        disabled={state.tick() == 0} onclick={send(CompareAction::StepBack)}>
                        { "◀ " }{ th(lang, Key::StepBack) }
                    </button>
                    <button class="toolbar__button" type="button" data-action="compare-step"
                        onclick={send(CompareAction::Step)}>
                        { th(lang, Key::Step) }{ " ▶" }
                    </button>
                    <button class="toolbar__button" type="button" data-action="jump-to-divergence"
                        disabled={divergence.is_none()} onclick={send(CompareAction::JumpToDivergence)}>
                        { th(lang, Key::JumpToDivergence) }
                    </button>
                </div>
                <label class="toolbar__scrubber compare__scrubber">
                    <span class="visually-hidden">{ th(lang, Key::Timeline) }</span>
                    <input type="range" data-control="compare-scrubber" min="0" max={last.to_string()}
                        value={state.tick().to_string()} oninput={on_seek}
                        aria-valuetext={format!("{} {} ms", t(lang, Key::Time), grouped(state.time_ms()))} />
                    { for marker }
                </label>
                <dl class="toolbar__facts">
                    <div class="toolbar__fact"><dt>{ th(lang, Key::Time) }</dt>
                        <dd data-fact="compare-time">{ format!("{} ms", grouped(state.time_ms())) }</dd></div>
                    <div class="toolbar__fact"><dt>{ th(lang, Key::Seed) }</dt>
                        <dd data-fact="compare-seed">{ state.view(Side::A).seed }</dd></div>
                </dl>
            </div>
            <p class={classes!("compare__divergence", reached.then_some("compare__divergence--reached"))}
                data-role="divergence" aria-live="polite">
                { sentence }
                if divergence.is_some() && !reached {
                    { " " }{ th(lang, Key::NoDivergence) }
                }
            </p>
            <div class="compare__sides">
                { side(Side::A) }
                { side(Side::B) }
            </div>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(3_120), "3,120");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }

    #[test]
    fn the_marker_sits_where_its_tick_is() {
        assert_eq!(track_x(0, 1), 0);
        assert_eq!(track_x(0, 11), 0);
        assert_eq!(track_x(5, 11), 500);
        assert_eq!(track_x(10, 11), 1000);
    }

    #[test]
    fn every_compare_string_is_in_both_languages() {
        for key in [
            Key::Compare,
            Key::CompareTitle,
            Key::CompareSetting,
            Key::CompareClose,
            Key::CompareControls,
            Key::JumpToDivergence,
            Key::DivergenceMarker,
            Key::NoDivergence,
            Key::NoDivergenceYet,
            Key::CompareRefused,
        ] {
            assert!(!t(Lang::Ko, key).is_empty(), "{key:?}");
            assert_ne!(t(Lang::En, key), t(Lang::Ko, key), "{key:?}");
        }
        let en = divergence_sentence(
            Lang::En,
            "3,120",
            "partition orders-0",
            "records",
            "0-4",
            "0-2",
        );
        assert_eq!(
            en,
            "At 3,120 ms, partition orders-0: A has records 0-4, B has 0-2."
        );
        let ko = divergence_sentence(
            Lang::Ko,
            "3,120",
            "partition orders-0",
            "records",
            "0-4",
            "0-2",
        );
        assert!(
            ko.contains("A는 records 0-4") && ko.contains("B는 0-2"),
            "{ko}"
        );
    }

    #[test]
    fn every_setting_is_named_in_both_languages() {
        for s in Setting::ALL {
            assert!(!setting_name(Lang::En, s).is_empty());
            assert_ne!(setting_name(Lang::En, s), setting_name(Lang::Ko, s));
        }
    }
}
