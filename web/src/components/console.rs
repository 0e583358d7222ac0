//! The console: a terminal for the scenario language. What is typed runs through the same
//! interpreter as every click (the app turns `on_run` into `Action::RunLine`); the log shows
//! each line and what the Kafka tool printed. ↑/↓ walk the history, Tab completes with the
//! scenario engine's own completion.

use std::rc::Rc;

use logscope_core::scenario::complete;
use yew::prelude::*;

use crate::i18n::th;
use crate::i18n::{t, Key, Lang};
use crate::state::{ConsoleEntry, ConsoleKind, LatestView};

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    pub entries: Rc<Vec<ConsoleEntry>>,
    pub history: Rc<Vec<String>>,
    /// Read only when Tab is pressed; the same handle on every step, so the console is not
    /// drawn again on each one.
    pub view: LatestView,
    #[prop_or_default]
    pub lang: Lang,
    pub on_run: Callback<String>,
}

/// The longest prefix all candidates share.
fn common_prefix(words: &[String]) -> String {
    let Some(first) = words.first() else {
        return String::new();
    };
    let mut len = first.len();
    for w in &words[1..] {
        len = len.min(
            first
                .char_indices()
                .zip(w.chars())
                .take_while(|((_, a), b)| a == b)
                .map(|((i, a), _)| i + a.len_utf8())
                .last()
                .unwrap_or(0),
        );
    }
    first[..len].to_string()
}

/// The line with its last word replaced by `word`.
fn replace_last_word(line: &str, word: &str) -> String {
    let keep = if line.ends_with([' ', '\t']) {
        line.len()
    } else {
        line.rfind([' ', '\t']).map_or(0, |i| i + 1)
    };
    format!("{}{word}", &line[..keep])
}

#[function_component]
pub fn Console(props: &ConsoleProps) -> Html {
    let lang = props.lang;
    let text = use_state(String::new);
    let cursor = use_state(|| None::<usize>);
    let hints = use_state(Vec::<String>::new);
    let log_ref = use_node_ref();

    {
        let log_ref = log_ref.clone();
        use_effect_with(props.entries.len(), move |_| {
            if let Some(el) = log_ref.cast::<web_sys::Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                text.set(input.value());
            }
        })
    };
    let onkeydown = {
        let text = text.clone();
        let cursor = cursor.clone();
        let hints = hints.clone();
        let history = Rc::clone(&props.history);
        let view = props.view.clone();
        let on_run = props.on_run.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Enter" => {
                e.prevent_default();
                on_run.emit((*text).clone());
                text.set(String::new());
                cursor.set(None);
                hints.set(Vec::new());
            }
            "ArrowUp" | "ArrowDown" => {
                e.prevent_default();
                if history.is_empty() {
                    return;
                }
                let last = history.len() - 1;
                let next = match (e.key().as_str(), *cursor) {
                    ("ArrowUp", None) => Some(last),
                    ("ArrowUp", Some(i)) => Some(i.saturating_sub(1)),
                    ("ArrowDown", Some(i)) if i < last => Some(i + 1),
                    _ => None,
                };
                cursor.set(next);
                text.set(next.map(|i| history[i].clone()).unwrap_or_default());
            }
            "Tab" => {
                e.prevent_default();
                let words = complete(&text, Some(&view.get()));
                match words.len() {
                    0 => hints.set(Vec::new()),
                    1 => {
                        text.set(format!("{} ", replace_last_word(&text, &words[0])));
                        hints.set(Vec::new());
                    }
                    _ => {
                        let prefix = common_prefix(&words);
                        if !prefix.is_empty() {
                            text.set(replace_last_word(&text, &prefix));
                        }
                        hints.set(words);
                    }
                }
            }
            _ => {}
        })
    };

    html! {
        <section class="console panel" aria-labelledby="console-title">
            <h2 class="panel__title" id="console-title">{ th(lang, Key::Console) }</h2>
            <div class="console__log" ref={log_ref} role="log" aria-live="off" tabindex="0">
                { for props.entries.iter().map(|e| {
                    let class = match e.kind {
                        ConsoleKind::Input => "console__line console__line--input",
                        ConsoleKind::Output => "console__line",
                        ConsoleKind::Error => "console__line console__line--error",
                    };
                    html! {
                        <div {class}>
                            if e.kind == ConsoleKind::Input { <span class="console__prompt" aria-hidden="true">{ "> " }</span> }
                            { e.text.clone() }
                        </div>
                    }
                }) }
            </div>
            if !hints.is_empty() {
                <div class="console__hints" data-role="hints">{ hints.join("  ") }</div>
            }
            <label class="console__input-row">
                <span class="console__prompt" aria-hidden="true">{ ">" }</span>
                <span class="visually-hidden">{ th(lang, Key::ConsoleInput) }</span>
                <input class="console__input" type="text" data-control="console" spellcheck="false"
                    autocomplete="off" value={(*text).clone()} {oninput} {onkeydown}
                    placeholder={t(lang, Key::ConsoleHint)} />
            </label>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_helpers() {
        let w = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(common_prefix(&w(&["stop", "start", "step"])), "st");
        assert_eq!(common_prefix(&w(&["kill"])), "kill");
        assert_eq!(replace_last_word("broker ki", "kill"), "broker kill");
        assert_eq!(replace_last_word("broker ", "kill"), "broker kill");
        assert_eq!(replace_last_word("bro", "broker"), "broker");
    }
}
