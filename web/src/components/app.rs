//! The page: holds the [`Playground`] reducer, runs the frame loop (the project's only wall
//! clock), listens for keyboard shortcuts, and lays out the toolbar, the drawing, the action
//! bar, the console and the panels.

use gloo_events::EventListener;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::frames::AnimationFrames;
use crate::components::{fetch_text, now_ms};
use crate::pacing::Pacer;

use crate::components::actions::{ActionBar, Shortcuts};
use crate::components::charts::ChartsPanel;
use crate::components::cluster::{in_flight_drawn, ClusterDiagram, Selected};
use crate::components::compare::ComparePanel;
use crate::components::configs::{ConfigPanel, ConfigSources};
use crate::components::console::Console;
use crate::components::embed::use_host_api;
use crate::components::panels::{EventsPanel, FindingsPanel, GroupsPanel};
use crate::components::seen::RedrawWhenSeen;
use crate::components::sequence::SequencePanel;
use crate::components::share::{
    inflate_inputs, needs_inflating, startup_inputs, use_open_view, use_saved_session, Notice,
    SharePanel,
};
use crate::components::toolbar::Toolbar;
use crate::components::tour::TourPanel;
use crate::i18n::th;
use crate::i18n::{install_korean, korean_installed, tr, Key, Lang, KOREAN_URL};
use crate::share::{korean_failed, lang_of, startup, Control, Inflated, Opening, Startup};
use crate::state::{names_its_seed, Action, LatestView, Playground, DEFAULT_SEED};
use logscope_core::compare::Setting;
use std::cell::RefCell;
use std::rc::Rc;

/// The playground a page opens with: the link's or the saved session's moment, or the default
/// scenario (with a notice saying why a moment could not be replayed).
fn open(opening: &Opening, lang: Lang) -> Playground {
    let (state, what) = match opening {
        Opening::Default => return Playground::with_lang(DEFAULT_SEED, lang),
        Opening::Link(s) => (s, tr(lang, "This link could not be opened")),
        Opening::Saved(s) => (s, tr(lang, "The saved session could not be restored")),
    };
    // The script's own seed wins (a run may hold several clusters); the link's seed fills in
    // for a hand-written script that names none.
    let seed = (!names_its_seed(&state.script)).then_some(state.seed);
    match Playground::from_script(&state.script, seed, Some(state.step), lang_of(&state.lang)) {
        Ok(p) => p,
        Err(why) => Playground::with_lang(DEFAULT_SEED, lang).with_notice(Some(format!(
            "{what}: {why}. {}",
            tr(lang, "The default scenario is open instead.")
        ))),
    }
}

#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    /// The language; `None` follows the browser's.
    #[prop_or_default]
    pub lang: Option<Lang>,
    /// Start paused (tests, embedding).
    #[prop_or_default]
    pub paused: bool,
    /// The query string to open (tests); `None` reads the page's address.
    #[prop_or_default]
    pub query: Option<String>,
}

fn browser_lang() -> Lang {
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .map_or(Lang::En, |tag| Lang::from_tag(&tag))
}

fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

/// Keys typed into a text field belong to it, not to the shortcuts.
fn typing_in_a_field(e: &KeyboardEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
}

/// The app: reads what the page opens with (a link, embedding options, the saved session:
/// share.rs) and opens it. A link or saved session that carries its scenario compressed (`z=`)
/// is first inflated by the browser, a moment in which nothing is drawn; the rest open at once.
#[function_component]
pub fn App(props: &AppProps) -> Html {
    let inputs = use_memo(props.query.clone(), |q| startup_inputs(q.as_deref()));
    let browser = props.lang.unwrap_or_else(browser_lang);
    // Nothing is drawn until the page has what it opens with: the scenarios of a compressed
    // link or session, inflated, and the Korean text for a page that opens in Korean (fetched
    // first so that it never shows English first).
    let inflated = use_state(|| {
        let ready = !needs_inflating(&inputs.0, inputs.1.as_deref())
            && !needs_korean(&inputs, browser, &Inflated::default());
        ready.then(|| Rc::new(Inflated::default()))
    });
    {
        let inflated = inflated.clone();
        let inputs = inputs.clone();
        use_effect_with((), move |_| {
            if inflated.is_none() {
                wasm_bindgen_futures::spawn_local(async move {
                    let mut done = inflate_inputs(&inputs.0, inputs.1.as_deref()).await;
                    if needs_korean(&inputs, browser, &done) {
                        done.korean = Some(load_korean().await);
                    }
                    inflated.set(Some(Rc::new(done)));
                });
            }
        });
    }
    let Some(inflated) = (*inflated).clone() else {
        return Html::default();
    };
    let lang = match inflated.korean {
        Some(Err(_)) => Some(Lang::En),
        _ => props.lang,
    };
    let startup = Rc::new(startup(
        &inputs.0,
        inputs.1.as_deref(),
        browser,
        (*inflated).clone(),
    ));
    html! { <Opened {lang} paused={props.paused} {startup} /> }
}

/// Whether the page opens in Korean without the Korean text installed yet.
fn needs_korean(inputs: &(String, Option<String>), browser: Lang, inflated: &Inflated) -> bool {
    !korean_installed() && {
        let opening = startup(&inputs.0, inputs.1.as_deref(), browser, inflated.clone()).opening;
        opening_lang(&opening, browser) == Lang::Ko
    }
}

/// The language the page opens in: the link's or the saved session's, else `fallback`.
fn opening_lang(opening: &Opening, fallback: Lang) -> Lang {
    match opening {
        Opening::Default => fallback,
        Opening::Link(s) | Opening::Saved(s) => lang_of(&s.lang),
    }
}

/// Fetches the Korean text (`web/i18n/ko.txt`, kept out of the wasm) and installs it. Boxed,
/// so that the page's two callers share one copy of the fetch.
fn load_korean() -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>> {
    Box::pin(async { install_korean(fetch_text(KOREAN_URL).await?) })
}

#[derive(Properties, PartialEq)]
struct OpenedProps {
    lang: Option<Lang>,
    paused: bool,
    startup: Rc<Startup>,
}

/// The app once it knows what it opens: holds the [`Playground`] and lays out every panel.
#[function_component]
fn Opened(props: &OpenedProps) -> Html {
    let initial_lang = props.lang;
    let paused = props.paused;
    let startup = props.startup.clone();
    let embed = Rc::new(startup.options.clone());
    let opening = startup.opening.clone();
    let state = use_reducer(move || {
        let lang = initial_lang.unwrap_or_else(browser_lang);
        let p = open(&opening, lang);
        if paused {
            let p = Reducible::reduce(std::rc::Rc::new(p), Action::SetRunning(false));
            std::rc::Rc::unwrap_or_clone(p)
        } else {
            p
        }
    });
    let selected = use_state(|| None::<Selected>);
    let help = use_state(|| false);
    let reduced_motion = use_memo((), |_| prefers_reduced_motion());
    // Compare mode (`ab=` or the button): the setting and the script both runs replay, taken
    // when it opens; while it is open the page's own time control and shortcuts stand aside.
    let compare = {
        let first = embed.compare.map(|s| (s, Rc::new(state.script_to_here())));
        use_state(move || first)
    };
    let comparing = use_mut_ref(|| false);
    *comparing.borrow_mut() = compare.is_some();
    {
        let d = state.dispatcher();
        use_effect_with(compare.is_some(), move |&on| {
            if on {
                d.dispatch(Action::SetRunning(false));
            }
        });
    }

    // The only wall clock in the project: while running, each frame the browser draws advances
    // the simulation by the wall time since the last one × speed, with as many events as the
    // pacer allows so that simulation and drawing together fit the frame (`pacing.rs`).
    {
        let dispatcher = state.dispatcher();
        use_effect_with(state.running(), move |&running| {
            let frames = running.then(|| {
                let pacer = Rc::new(RefCell::new(Pacer::default()));
                let mut last = now_ms();
                let after = {
                    let pacer = pacer.clone();
                    move || pacer.borrow_mut().drawn(now_ms())
                };
                AnimationFrames::new(
                    move |ts| {
                        let (max_events, until_ms) = pacer.borrow_mut().begin(now_ms());
                        dispatcher.dispatch(Action::Frame {
                            wall_ms: (ts - last).max(0.0),
                            max_events,
                            until_ms,
                        });
                        pacer.borrow_mut().simulated(now_ms());
                        last = ts;
                    },
                    Some(Box::new(after)),
                )
            });
            move || drop(frames)
        });
    }

    // Keyboard shortcuts on the whole page.
    {
        let dispatcher = state.dispatcher();
        let help = help.clone();
        let selected = selected.clone();
        // An embedding page that hides a control hides its shortcut too.
        let shows = {
            let embed = embed.clone();
            move |c: Control| embed.shows(c)
        };
        let comparing = comparing.clone();
        use_effect_with((), move |_| {
            let on_key = move |e: &web_sys::Event| {
                let Some(e) = e.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                if typing_in_a_field(e)
                    || e.ctrl_key()
                    || e.meta_key()
                    || e.alt_key()
                    || *comparing.borrow()
                {
                    return;
                }
                match e.key().as_str() {
                    " " if shows(Control::Play) => {
                        // A focused button or broker takes Space itself.
                        let on_control = e
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                            .is_some_and(|el| {
                                el.get_attribute("tabindex").is_some() || el.tag_name() == "BUTTON"
                            });
                        if !on_control {
                            e.prevent_default();
                            dispatcher.dispatch(Action::TogglePlay);
                        }
                    }
                    // Shift+arrows: to where a protocol phase starts (`phases.rs`).
                    "ArrowRight" if e.shift_key() && shows(Control::Step) => {
                        e.prevent_default();
                        dispatcher.dispatch(Action::SetRunning(false));
                        dispatcher.dispatch(Action::PhaseJump { forward: true });
                    }
                    "ArrowLeft" if e.shift_key() && shows(Control::Back) => {
                        e.prevent_default();
                        dispatcher.dispatch(Action::SetRunning(false));
                        dispatcher.dispatch(Action::PhaseJump { forward: false });
                    }
                    "ArrowRight" if shows(Control::Step) => {
                        e.prevent_default();
                        dispatcher.dispatch(Action::SetRunning(false));
                        dispatcher.dispatch(Action::Step);
                    }
                    "ArrowLeft" if shows(Control::Back) => {
                        e.prevent_default();
                        dispatcher.dispatch(Action::SetRunning(false));
                        dispatcher.dispatch(Action::StepBack);
                    }
                    "?" => help.set(true),
                    "Escape" => {
                        help.set(false);
                        selected.set(None);
                    }
                    _ => {}
                }
            };
            let listener = web_sys::window()
                .and_then(|w| w.document())
                .map(|d| EventListener::new(&d, "keydown", on_key));
            move || drop(listener)
        });
    }

    let lang = state.lang();
    let dispatch = |make: fn(()) -> Action| {
        let d = state.dispatcher();
        Callback::from(move |()| d.dispatch(make(())))
    };
    // The same callback on every step: the console and the config panel compare it in their
    // props, and a new one each frame would draw them again on every step of a run.
    let on_run = use_callback(state.dispatcher(), |line: String, d| {
        d.dispatch(Action::RunLine(line))
    });
    let on_seek = {
        let d = state.dispatcher();
        Callback::from(move |pos: usize| d.dispatch(Action::Seek(pos)))
    };
    let on_seek_paused = {
        let d = state.dispatcher();
        Callback::from(move |pos: usize| {
            d.dispatch(Action::SetRunning(false));
            d.dispatch(Action::Seek(pos));
        })
    };
    let on_seek_step = {
        let d = state.dispatcher();
        Callback::from(move |step: u64| d.dispatch(Action::SeekStep(step)))
    };
    let on_speed = {
        let d = state.dispatcher();
        Callback::from(move |exp: i32| d.dispatch(Action::SetSpeed(exp)))
    };
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |s: Selected| {
            let same = selected.as_ref() == Some(&s);
            selected.set((!same).then_some(s));
        })
    };
    let on_close_menu = {
        let selected = selected.clone();
        Callback::from(move |()| selected.set(None))
    };
    let on_help = {
        let help = help.clone();
        Callback::from(move |()| help.set(!*help))
    };
    let on_lang = {
        let d = state.dispatcher();
        Callback::from(move |_: MouseEvent| {
            let to = lang.other();
            if to == Lang::Ko && !korean_installed() {
                // Fetched on first use; the page stays as it is until it arrives.
                let d = d.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    d.dispatch(match load_korean().await {
                        Ok(()) => Action::SetLang(to),
                        Err(why) => Action::Notice(Some(korean_failed(&why))),
                    })
                });
            } else {
                d.dispatch(Action::SetLang(to));
            }
        })
    };
    let view = state.view().clone();
    let latest_view = use_memo((), |()| LatestView::new(view.clone()));
    latest_view.set(view.clone());
    let running = state.running();
    let view_name = startup.opening.view().to_string();
    use_saved_session(&state, view_name.clone(), !embed.embed);
    use_host_api(&state, Rc::new(embed.origins.clone()));
    // `tour=<id>` in the address: the page opens on that tour (a course page fixes its story).
    {
        let dispatcher = state.dispatcher();
        let fixed = embed.tour.clone();
        use_effect_with((), move |_| {
            if let Some(id) = fixed {
                crate::components::tour::open_tour(dispatcher, id);
            }
        });
    }
    // A question answered: the host page hears it (`answer` event), judged by the engine.
    {
        let answered = state.tour().and_then(|p| {
            let (pick, verdict) = p.answered.as_ref()?;
            let step = p.tour.steps.get(p.step)?;
            let choice = step.question.as_ref()?.choices.get(*pick)?;
            Some((
                p.tour.id.clone(),
                p.step + 1,
                choice.id.clone(),
                verdict.is_right(*pick),
            ))
        });
        use_effect_with(answered, move |answered| {
            if let Some((tour, step, choice, correct)) = answered {
                crate::host::emit_answer(tour, &format!("step-{step}"), choice, *correct);
            }
        });
    }
    use_open_view(view_name.clone());
    let notices_dismissed = use_state(|| false);
    let mut notices: Vec<String> = if *notices_dismissed {
        Vec::new()
    } else {
        startup.notices.clone()
    };
    notices.extend(state.notice().map(str::to_string));
    let on_dismiss = {
        let d = state.dispatcher();
        let dismissed = notices_dismissed.clone();
        Callback::from(move |()| {
            dismissed.set(true);
            d.dispatch(Action::Notice(None));
        })
    };

    let on_compare = {
        let compare = compare.clone();
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            state.dispatch(Action::SetRunning(false));
            compare.set(Some((Setting::Acks, Rc::new(state.script_to_here()))));
        })
    };
    let on_compare_setting = {
        let compare = compare.clone();
        Callback::from(move |setting: Setting| {
            if let Some((_, script)) = &*compare {
                compare.set(Some((setting, script.clone())));
            }
        })
    };
    let on_compare_close = {
        let compare = compare.clone();
        Callback::from(move |()| compare.set(None))
    };

    html! {
        <main class={classes!("app", embed.embed.then_some("app--embed"))} lang={lang.tag()}>
            <header class="app__header">
                <h1 class="app__title">{ "logscope" }</h1>
                <p class="app__subtitle">{ th(lang, Key::Subtitle) }</p>
                if embed.shows(Control::Lang) {
                <button type="button" class="app__lang" data-action="lang" onclick={on_lang}
                    lang={lang.other().tag()}>{ th(lang, Key::LanguageSwitch) }</button>
                }
            </header>
            <Notice {notices} {lang} {on_dismiss} />
            if embed.shows(Control::Share) {
                <SharePanel state={state.clone()} view={view_name.clone()}
                    compare={(*compare).as_ref().map(|(s, _)| *s)} />
            }
            if let Some((setting, script)) = (*compare).clone() {
                <ComparePanel {script} {setting} {lang} reduced_motion={*reduced_motion}
                    on_setting={on_compare_setting} on_close={on_compare_close} />
            } else {
            <Toolbar running={state.running()} seed={state.seed()} step={view.step}
                time_ms={view.time_ms} position={state.position()} total={state.total()}
                speed_exp={state.speed_exp()} {lang}
                on_toggle={dispatch(|()| Action::TogglePlay)}
                on_step={{
                    let d = state.dispatcher();
                    Callback::from(move |()| { d.dispatch(Action::SetRunning(false)); d.dispatch(Action::Step); })
                }}
                on_back={{
                    let d = state.dispatcher();
                    Callback::from(move |()| { d.dispatch(Action::SetRunning(false)); d.dispatch(Action::StepBack); })
                }}
                on_fork={dispatch(|()| Action::Fork)}
                on_seek={on_seek_paused} {on_speed} {on_help} options={embed.clone()} />
            if *help {
                <Shortcuts {lang} on_close={{ let help = help.clone(); Callback::from(move |()| help.set(false)) }} />
            }
            <p class="visually-hidden" aria-live="polite" data-role="narration">{ state.narration().to_string() }</p>
            <div class="app__stage">
                <ClusterDiagram view={view.clone()} display_ms={state.display_ms()} {lang}
                    reduced_motion={*reduced_motion} selected={(*selected).clone()} {on_select}
                    hide_in_flight={!in_flight_drawn(state.running(), state.speed())} />
            </div>
            if !embed.embed {
            <button type="button" class="toolbar__button app__compare" data-action="compare"
                onclick={on_compare}>{ th(lang, Key::Compare) }</button>
            }
            }
            if embed.shows(Control::Actions) {
            <ActionBar view={view.clone()} selected={(*selected).clone()} {lang}
                on_run={on_run.clone()} on_close={on_close_menu} />
            }
            <Legend {lang} />
            <ConfigPanel sources={Rc::new(ConfigSources::of(&view))} {lang} on_run={on_run.clone()} />
            if let Some(error) = state.error() {
                <p class="app__error" role="alert">{ error.to_string() }</p>
            }
            <div class="app__panels">
                <TourPanel progress={state.tour().cloned()} load={state.tour_load().cloned()} {lang}
                    on_start={{ let d = state.dispatcher(); Callback::from(move |id: String| crate::components::tour::open_tour(d.clone(), id)) }}
                    on_next={dispatch(|()| Action::TourNext)} on_back={dispatch(|()| Action::TourBack)}
                    on_answer={{ let d = state.dispatcher(); Callback::from(move |i: usize| d.dispatch(Action::TourAnswer(i))) }}
                    on_close={dispatch(|()| Action::TourClose)} />
                if embed.shows_console() {
                <Console entries={state.console().clone()} history={state.history().clone()}
                    view={(*latest_view).clone()} {lang} {on_run} />
                }
                <RedrawWhenSeen {running}>
                    <EventsPanel events={state.events().clone()} position={state.position()} {lang} on_seek={on_seek.clone()} />
                </RedrawWhenSeen>
                <RedrawWhenSeen {running}>
                    <SequencePanel events={state.events().clone()} position={state.position()}
                        view={view.clone()} {lang} {on_seek} />
                </RedrawWhenSeen>
                // The charts sample every step; they redraw, like the panels around them, only
                // while in view or stopped.
                <ChartsPanel view={view.clone()} {running} {lang} />
                <RedrawWhenSeen {running}>
                    <GroupsPanel view={view.clone()} {lang} on_seek_step={on_seek_step.clone()} />
                </RedrawWhenSeen>
                <FindingsPanel {view} {lang} {on_seek_step} />
            </div>
        </main>
    }
}

#[derive(Properties, PartialEq)]
pub struct LegendProps {
    pub lang: Lang,
}

#[function_component]
pub fn Legend(props: &LegendProps) -> Html {
    let lang = props.lang;
    let item = |class: &'static str, key: Key| {
        html! {
            <li><span class={classes!("legend__swatch", class)} aria-hidden="true"></span>{ th(lang, key) }</li>
        }
    };
    html! {
        <ul class="legend" aria-label={tr(lang, "legend")}>
            { item("legend__swatch--leader", Key::Leader) }
            { item("", Key::Follower) }
            { item("legend__swatch--out-of-sync", Key::OutOfSync) }
            { item("legend__swatch--offline", Key::Offline) }
            { item("legend__swatch--committed", Key::Committed) }
            { item("legend__swatch--hw", Key::HighWatermark) }
            { item("legend__swatch--unflushed", Key::Unflushed) }
            { item("legend__dot msg--produce", Key::ApiProduce) }
            { item("legend__dot msg--fetch", Key::ApiFetch) }
            { item("legend__dot msg--isr", Key::ApiIsr) }
            { item("legend__dot msg--group", Key::ApiGroup) }
            { item("legend__dot msg--controller", Key::ApiController) }
            { item("legend__dot msg--other", Key::ApiOther) }
            { item("legend__dot legend__dot--response", Key::Responses) }
            <li class="legend__note">{ th(lang, Key::InFlightWhen) }</li>
        </ul>
    }
}
