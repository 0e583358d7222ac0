//! Acting on the cluster. Every button builds a line of the scenario language and hands it to
//! `on_run`, which runs it through the console's interpreter: the console shows what a click
//! did, and the line can be replayed. Also the keyboard shortcuts dialog.

use crate::state::SharedView;

use logscope_core::ClusterView;
use yew::prelude::*;

use crate::components::cluster::Selected;
use crate::i18n::th;
use crate::i18n::{t, Key, Lang};
use crate::state::{quote, DEFAULT_GROUP, DEFAULT_TOPIC};

#[derive(Properties, PartialEq)]
pub struct ActionBarProps {
    pub view: SharedView,
    pub selected: Option<Selected>,
    #[prop_or_default]
    pub lang: Lang,
    pub on_run: Callback<String>,
    pub on_close: Callback<()>,
}

/// The first topic a client action should use.
fn topic(view: &ClusterView) -> String {
    view.topics
        .iter()
        .find(|t| !t.internal)
        .map_or(DEFAULT_TOPIC.to_string(), |t| t.name.clone())
}

/// A client id not yet taken: `producer-2`, `consumer-3`.
pub fn next_id(prefix: &str, taken: &[&str]) -> String {
    (1..)
        .map(|i| format!("{prefix}-{i}"))
        .find(|id| !taken.contains(&id.as_str()))
        .expect("an unbounded range has a free id")
}

/// The lines the menu offers for a selection, with their labels.
pub fn menu_lines(view: &ClusterView, selected: &Selected) -> Vec<(Key, String)> {
    match selected {
        Selected::Broker(id) => vec![
            (Key::Stop, format!("broker stop {id}")),
            (Key::Kill, format!("broker kill {id}")),
            (Key::PowerOff, format!("broker power-off {id}")),
            (Key::Start, format!("broker start {id}")),
            (Key::Isolate, format!("net isolate broker-{id}")),
            (Key::Heal, format!("net heal broker-{id}")),
        ],
        Selected::Producer(p) => {
            let topic = quote(&topic(view));
            let p = quote(p);
            vec![
                (Key::SendOne, format!("produce {p} {topic}")),
                (Key::SendBurst, format!("produce {p} {topic} count=20")),
            ]
        }
        Selected::Consumer(c) => {
            let c = quote(c);
            vec![
                (Key::Remove, format!("consumer remove {c}")),
                (Key::Kill, format!("consumer kill {c}")),
                (Key::PauseConsumer, format!("consumer pause {c} for=40s")),
            ]
        }
    }
}

/// The lines that add a client.
pub fn add_lines(view: &ClusterView) -> [(Key, String); 2] {
    let producers: Vec<&str> = view
        .producers
        .iter()
        .map(|p| p.client_id.as_str())
        .collect();
    let consumers: Vec<&str> = view
        .consumers
        .iter()
        .map(|c| c.client_id.as_str())
        .collect();
    [
        (
            Key::AddProducer,
            format!("producer add {}", next_id("producer", &producers)),
        ),
        (
            Key::AddConsumer,
            format!(
                "consumer add {} group={DEFAULT_GROUP} topics={}",
                next_id("consumer", &consumers),
                quote(&topic(view))
            ),
        ),
    ]
}

#[function_component]
pub fn ActionBar(props: &ActionBarProps) -> Html {
    let lang = props.lang;
    let button = |key: Key, line: String| {
        let cb = props.on_run.clone();
        html! {
            <button type="button" class="action" data-line={line.clone()} title={line.clone()}
                onclick={Callback::from(move |_: MouseEvent| cb.emit(line.clone()))}>
                { th(lang, key) }
            </button>
        }
    };
    let target = props.selected.as_ref().map(|s| match s {
        Selected::Broker(id) => format!("broker {id}"),
        Selected::Producer(p) | Selected::Consumer(p) => p.clone(),
    });
    html! {
        <div class="actions" role="group" aria-label={t(lang, Key::ActionsFor)}>
            { for add_lines(&props.view).into_iter().map(|(k, l)| button(k, l)) }
            if let (Some(selected), Some(target)) = (&props.selected, target) {
                <div class="actions__menu" role="menu" data-menu-for={target.clone()}>
                    <span class="actions__target">{ format!("{} {target}:", t(lang, Key::ActionsFor)) }</span>
                    { for menu_lines(&props.view, selected).into_iter().map(|(k, l)| button(k, l)) }
                    <button type="button" class="action action--close" aria-label={t(lang, Key::Close)}
                        onclick={props.on_close.reform(|_: MouseEvent| ())}>{ "×" }</button>
                </div>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ShortcutsProps {
    #[prop_or_default]
    pub lang: Lang,
    pub on_close: Callback<()>,
}

#[function_component]
pub fn Shortcuts(props: &ShortcutsProps) -> Html {
    let lang = props.lang;
    let rows = [
        ("Space", t(lang, Key::KeySpace)),
        ("→", t(lang, Key::KeyRight)),
        ("←", t(lang, Key::KeyLeft)),
        ("Shift+→", t(lang, Key::KeyPhaseNext)),
        ("Shift+←", t(lang, Key::KeyPhasePrev)),
        ("?", t(lang, Key::KeyHelp)),
        ("Esc", t(lang, Key::KeyEscape)),
    ];
    html! {
        <div class="shortcuts" role="dialog" aria-modal="false" aria-labelledby="shortcuts-title">
            <h2 id="shortcuts-title" class="panel__title">{ th(lang, Key::Shortcuts) }</h2>
            <dl class="shortcuts__list">
                { for rows.iter().map(|(k, what)| html! {
                    <div class="shortcuts__row"><dt><kbd>{ *k }</kbd></dt><dd>{ *what }</dd></div>
                }) }
            </dl>
            <button type="button" class="toolbar__button" data-action="close-help"
                onclick={props.on_close.reform(|_: MouseEvent| ())}>{ th(lang, Key::Close) }</button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_clients_get_free_ids() {
        assert_eq!(next_id("producer", &["producer-1"]), "producer-2");
        assert_eq!(next_id("consumer", &[]), "consumer-1");
    }

    #[test]
    fn a_broker_menu_is_scenario_lines() {
        let view = crate::state::default_sim(1).unwrap().view();
        let lines = menu_lines(&view, &Selected::Broker(2));
        assert!(lines.iter().any(|(_, l)| l == "broker kill 2"));
        assert!(lines.iter().any(|(_, l)| l == "net isolate broker-2"));
        let lines = menu_lines(&view, &Selected::Producer("producer-1".into()));
        assert_eq!(lines[0].1, "produce producer-1 orders");
    }
}
