//! The guided-tour panel: pick a tour, read each step in the current language, answer the
//! question, see whether the engine confirms the answer and why, go Next or Back (Back is the
//! engine's time travel, done by the reducer). Narration sits in an ARIA live region; every
//! text is a text node (tour text never reaches innerHTML).
//!
//! The panel's own labels live here rather than in `i18n.rs` (both languages side by side), so
//! that this component can be added without touching the shared string table.
//!
//! The tours' text is fetched when one is opened ([`open_tour`]): the list comes from
//! `logscope_core::tour::INDEX`, and `static/index.html` copies `core/tours/` next to the page,
//! a same-origin request that the page's CSP (`connect-src 'self'`) allows.

use std::rc::Rc;

use logscope_core::tour::{self, INDEX};
use yew::prelude::*;

use crate::components::fetch_text;
use crate::i18n::trh;
use crate::i18n::{tr, trf, Lang};
use crate::state::{Action, Playground, TourLoad, TourProgress};

/// Where the page finds tour `id`'s text, relative to the page (index.html copies the folder).
pub fn tour_url(id: &str) -> String {
    format!("tours/{id}.tour")
}

/// Starts tour `id`: it shows as loading while its file is fetched, then opens on its first
/// step, or the panel says why it could not be read.
pub fn open_tour(dispatcher: UseReducerDispatcher<Playground>, id: String) {
    dispatcher.dispatch(Action::TourStart(id.clone()));
    if tour::info(&id).is_none() {
        return; // refused by the reducer, with a message
    }
    wasm_bindgen_futures::spawn_local(async move {
        let source = fetch_text(&tour_url(&id)).await;
        dispatcher.dispatch(Action::TourLoaded { id, source });
    });
}

#[derive(Properties, PartialEq)]
pub struct TourPanelProps {
    pub progress: Option<Rc<TourProgress>>,
    /// A tour being fetched, or one that could not be.
    #[prop_or_default]
    pub load: Option<TourLoad>,
    pub lang: Lang,
    pub on_start: Callback<String>,
    pub on_next: Callback<()>,
    pub on_back: Callback<()>,
    pub on_answer: Callback<usize>,
    pub on_close: Callback<()>,
}

#[function_component(TourPanel)]
pub fn tour_panel(props: &TourPanelProps) -> Html {
    let lang = props.lang;
    let code = lang.tag();
    let Some(p) = props.progress.clone() else {
        let on_change = {
            let on_start = props.on_start.clone();
            Callback::from(move |e: Event| {
                let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else {
                    return;
                };
                let id = sel.value();
                if !id.is_empty() {
                    on_start.emit(id);
                }
            })
        };
        let load = props.load.as_ref().map(|l| match l {
            TourLoad::Loading(_) => html! {
                <p class="tour__loading" role="status" data-role="tour-loading">
                    { trh(lang, "Loading the tour…") }
                </p>
            },
            TourLoad::Failed { id, why } => {
                let retry = {
                    let on_start = props.on_start.clone();
                    let id = id.clone();
                    Callback::from(move |_: MouseEvent| on_start.emit(id.clone()))
                };
                let title = tour::info(id).map_or(id.as_str(), |t| tr(lang, t.title));
                html! {
                    <div class="tour__error" role="alert" data-role="tour-load-error">
                        <p>{ format!("{} “{title}” ({why}).", tr(lang, "The tour could not be loaded:")) }</p>
                        <button type="button" data-action="tour-retry" onclick={retry}>{ trh(lang, "Try again") }</button>
                    </div>
                }
            }
        });
        return html! {
            <section class="tour" aria-labelledby="tour-title">
                <h2 id="tour-title" class="tour__title">{ trh(lang, "Guided tours") }</h2>
                <label class="tour__pick">
                    { trh(lang, "Choose a tour:") }{ " " }
                    <select data-role="tour-select" onchange={on_change}>
                        <option value="" selected=true>{ "—" }</option>
                        { for INDEX.iter().map(|t| {
                            html! { <option value={t.id}>{ format!("{}. {}", &t.id[..2], tr(lang, t.title)) }</option> }
                        }) }
                    </select>
                </label>
                { for load }
            </section>
        };
    };
    let tour = &p.tour;
    let step = &tour.steps[p.step];
    let total = tour.steps.len();
    let onclick = |cb: &Callback<()>| {
        let cb = cb.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let question = step.question.as_ref().map(|q| {
        let choices = q.choices.iter().enumerate().map(|(i, c)| {
            let on_answer = props.on_answer.clone();
            let picked = p.answered.as_ref().is_some_and(|(pick, _)| *pick == i);
            let confirmed = p.answered.as_ref().is_some_and(|(_, v)| v.confirmed == Some(i));
            let class = classes!(
                "tour__choice",
                picked.then_some("tour__choice--picked"),
                confirmed.then_some("tour__choice--confirmed")
            );
            html! {
                <li>
                    <button type="button" {class} data-choice={c.id.clone()}
                        aria-pressed={picked.to_string()}
                        disabled={p.answered.is_some() || p.error.is_some()}
                        onclick={Callback::from(move |_: MouseEvent| on_answer.emit(i))}>
                        { c.text.get(code).to_string() }
                    </button>
                </li>
            }
        });
        let verdict = p.answered.as_ref().map(|(pick, v)| {
            let (class, text) = match v.confirmed {
                Some(c) if c == *pick => ("tour__verdict--right", tr(lang, "Right: the engine confirms this answer.")),
                Some(_) => ("tour__verdict--wrong", tr(lang, "Not this one: the engine confirms the highlighted answer.")),
                None => ("tour__verdict--unjudged", tr(lang, "The engine could not single out one answer (none or several choices hold); please report this tour.")),
            };
            html! {
                <div class="tour__result">
                    <p class={classes!("tour__verdict", class)} data-role="tour-verdict">{ text }</p>
                    <p class="tour__why">{ q.why.get(code).to_string() }</p>
                </div>
            }
        });
        html! {
            <div class="tour__question">
                <p class="tour__ask">{ q.text.get(code).to_string() }</p>
                <ul class="tour__choices">{ for choices }</ul>
                { for verdict }
            </div>
        }
    });
    html! {
        <section class="tour" aria-labelledby="tour-title" data-tour={tour.id.clone()}>
            <h2 id="tour-title" class="tour__title">{ tour.title.get(code).to_string() }</h2>
            <p class="tour__progress">{ trf(lang, "Step {0}/{1}", &[&(p.step + 1), &total]) }</p>
            <div aria-live="polite" data-role="tour-narration">
                <p class="tour__text">{ step.text.get(code).to_string() }</p>
                { for question }
            </div>
            if let Some(e) = &p.error {
                <p class="tour__error" role="alert">{ format!("{} {e}", tr(lang, "This tour line was refused:")) }</p>
            }
            <div class="tour__nav">
                <button type="button" data-action="tour-back" disabled={!p.can_go_back()}
                    onclick={onclick(&props.on_back)}>{ trh(lang, "Back") }</button>
                <button type="button" data-action="tour-next" disabled={!p.can_go_next()}
                    onclick={onclick(&props.on_next)}>{ trh(lang, "Next") }</button>
                <button type="button" data-action="tour-close"
                    onclick={onclick(&props.on_close)}>{ trh(lang, "Close tour") }</button>
            </div>
        </section>
    }
}
