//! The config panel: every setting of a topic or of a new client, under Kafka's own name, with
//! its default and a one-line explanation. A value is checked as it is typed by the same
//! validation the engine uses (`ConfigMap::set`), so a value Kafka would refuse shows Kafka's
//! reason and cannot be applied. Applying produces a line of the scenario language
//! (`kafka-configs --alter …` for a topic, `producer add …` / `consumer add …` for a new
//! client), so what the panel did shows in the console and can be replayed.

use std::rc::Rc;

use logscope_core::collections::VecMap;
use logscope_core::config::{
    ConfigDef, ConfigMap, CONSUMER_CONFIGS, PRODUCER_CONFIGS, TOPIC_CONFIGS,
};
use logscope_core::ClusterView;
use yew::prelude::*;

use crate::components::actions::next_id;
use crate::i18n::th;
use crate::i18n::{t, Key, Lang};
use crate::i18n_configs::config_doc;
use crate::state::{quote, DEFAULT_GROUP};

/// What the panel reads of the cluster: the topics it can configure, with their explicit
/// settings, and the client ids already taken. The panel gets this instead of the whole view,
/// so that it is drawn again only when one of these changes, not on every step of a run
/// (BENCHMARKS.md, frame time).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigSources {
    /// Topics other than the internal ones, in the view's order, with their explicit settings.
    pub topics: Vec<(String, Vec<(String, String)>)>,
    pub producers: Vec<String>,
    pub consumers: Vec<String>,
}

impl ConfigSources {
    pub fn of(view: &ClusterView) -> Self {
        ConfigSources {
            topics: view
                .topics
                .iter()
                .filter(|t| !t.internal)
                .map(|t| (t.name.clone(), t.configs.clone()))
                .collect(),
            producers: view.producers.iter().map(|p| p.client_id.clone()).collect(),
            consumers: view.consumers.iter().map(|c| c.client_id.clone()).collect(),
        }
    }
}

/// What the panel configures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Topic(String),
    NewProducer,
    NewConsumer,
}

impl Target {
    fn encode(&self) -> String {
        match self {
            Target::Topic(t) => format!("topic:{t}"),
            Target::NewProducer => "producer".to_string(),
            Target::NewConsumer => "consumer".to_string(),
        }
    }

    fn decode(s: &str) -> Target {
        match s.strip_prefix("topic:") {
            Some(t) => Target::Topic(t.to_string()),
            None if s == "consumer" => Target::NewConsumer,
            None => Target::NewProducer,
        }
    }

    fn entity(&self) -> &'static str {
        match self {
            Target::Topic(_) => "topic",
            Target::NewProducer => "producer",
            Target::NewConsumer => "consumer",
        }
    }

    fn table(&self) -> &'static [ConfigDef] {
        match self {
            Target::Topic(_) => TOPIC_CONFIGS,
            Target::NewProducer => PRODUCER_CONFIGS,
            Target::NewConsumer => CONSUMER_CONFIGS,
        }
    }
}

/// The value a field starts from: the topic's explicit setting, else Kafka's default.
pub fn current_value(sources: &ConfigSources, target: &Target, def: &ConfigDef) -> String {
    if let Target::Topic(name) = target {
        if let Some((_, v)) = sources
            .topics
            .iter()
            .find(|(t, _)| t == name)
            .and_then(|(_, configs)| configs.iter().find(|(k, _)| k == def.name))
        {
            return v.clone();
        }
    }
    def.default.to_string()
}

/// Kafka's reason if `value` is not a valid `key` for this target; `None` if it is.
pub fn check(target: &Target, key: &str, value: &str) -> Option<String> {
    ConfigMap::new(target.entity())
        .set(key, value)
        .err()
        .map(|e| e.to_string())
}

/// The scenario line that applies `changed` (key → new value) to `target`; `None` when there
/// is nothing to apply to a topic.
pub fn apply_line(
    sources: &ConfigSources,
    target: &Target,
    changed: &VecMap<String, String>,
) -> Option<String> {
    // A list value goes in brackets, as kafka-configs wants it: cleanup.policy=[compact,delete].
    let pair = |(k, v): (&String, &String)| {
        if v.contains(',') {
            format!("{k}=[{v}]")
        } else {
            format!("{k}={v}")
        }
    };
    match target {
        Target::Topic(name) => {
            if changed.is_empty() {
                return None;
            }
            let configs: Vec<String> = changed.iter().map(pair).collect();
            Some(format!(
                "kafka-configs --alter --entity-type topics --entity-name {} --add-config {}",
                quote(name),
                quote(&configs.join(","))
            ))
        }
        Target::NewProducer | Target::NewConsumer => {
            let mut line = if *target == Target::NewProducer {
                let taken: Vec<&str> = sources.producers.iter().map(String::as_str).collect();
                format!("producer add {}", next_id("producer", &taken))
            } else {
                let taken: Vec<&str> = sources.consumers.iter().map(String::as_str).collect();
                let topic = sources.topics.first().map_or("orders", |(t, _)| t.as_str());
                format!(
                    "consumer add {} group={DEFAULT_GROUP} topics={}",
                    next_id("consumer", &taken),
                    quote(topic)
                )
            };
            for (k, v) in changed {
                line.push(' ');
                line.push_str(&quote(&format!("{k}={v}")));
            }
            Some(line)
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct ConfigPanelProps {
    pub sources: Rc<ConfigSources>,
    #[prop_or_default]
    pub lang: Lang,
    pub on_run: Callback<String>,
}

#[function_component]
pub fn ConfigPanel(props: &ConfigPanelProps) -> Html {
    let lang = props.lang;
    let target = use_state(|| Target::NewProducer);
    // Edited fields only (key → text as typed), for the current target.
    let edits = use_state(VecMap::<String, String>::new);
    let sources = &*props.sources;

    let mut options = vec![
        (Target::NewProducer, t(lang, Key::NewProducer).to_string()),
        (Target::NewConsumer, t(lang, Key::NewConsumer).to_string()),
    ];
    for (topic, _) in &sources.topics {
        options.push((
            Target::Topic(topic.clone()),
            format!("{} {}", t(lang, Key::TopicWord), topic),
        ));
    }
    let on_target = {
        let (target, edits) = (target.clone(), edits.clone());
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            target.set(Target::decode(&select.value()));
            edits.set(VecMap::new());
        })
    };

    // What differs from the starting values, and whether every edit is valid.
    let mut changed = VecMap::new();
    let mut invalid = false;
    let rows: Vec<Html> = target
        .table()
        .iter()
        .map(|def| {
            let start = current_value(sources, &target, def);
            let text = edits.get(def.name).cloned().unwrap_or_else(|| start.clone());
            let error = (text != start).then(|| check(&target, def.name, &text)).flatten();
            if error.is_some() {
                invalid = true;
            } else if text != start {
                changed.insert(def.name.to_string(), text.clone());
            }
            let oninput = {
                let (edits, key) = (edits.clone(), def.name.to_string());
                Callback::from(move |e: InputEvent| {
                    let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                    let mut next = (*edits).clone();
                    next.insert(key.clone(), input.value());
                    edits.set(next);
                })
            };
            let id = format!("cfg-{}", def.name.replace('.', "-"));
            html! {
                <div class={classes!("configs__row", error.is_some().then_some("configs__row--invalid"))}
                    data-config={def.name}>
                    <label for={id.clone()}><code>{ def.name }</code></label>
                    <input id={id.clone()} type="text" value={text} spellcheck="false"
                        aria-invalid={error.is_some().to_string()} aria-describedby={format!("{id}-doc")} {oninput} />
                    <span class="configs__doc" id={format!("{id}-doc")}>
                        { format!("{} {} · {}", t(lang, Key::DefaultWord), def.default, config_doc(lang, def)) }
                    </span>
                    if let Some(e) = error {
                        <span class="configs__error" role="alert">{ e }</span>
                    }
                </div>
            }
        })
        .collect();
    let line = if invalid {
        None
    } else {
        apply_line(sources, &target, &changed)
    };
    let on_apply = {
        let (on_run, edits, line) = (props.on_run.clone(), edits.clone(), line.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(line) = line.clone() {
                on_run.emit(line);
                edits.set(VecMap::new());
            }
        })
    };
    let selected = target.encode();
    html! {
        <details class="panel configs" data-panel="configs">
            <summary class="panel__title">{ th(lang, Key::Configs) }</summary>
            <label class="configs__target">
                { th(lang, Key::ConfigsFor) }
                <select onchange={on_target}>
                    { for options.into_iter().map(|(o, label)| {
                        let value = o.encode();
                        let is_selected = value == selected;
                        html! { <option selected={is_selected} {value}>{ label }</option> }
                    }) }
                </select>
            </label>
            <button type="button" class="toolbar__button" data-action="apply-configs"
                disabled={line.is_none()} title={line.clone().unwrap_or_default()} onclick={on_apply}>
                { th(lang, Key::Apply) }
            </button>
            if let Some(line) = &line {
                <code class="configs__line">{ line.clone() }</code>
            }
            <div class="configs__rows">{ for rows }</div>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources() -> ConfigSources {
        ConfigSources::of(&crate::state::default_sim(1).unwrap().view())
    }

    #[test]
    fn a_value_kafka_refuses_shows_its_reason() {
        let topic = Target::Topic("orders".into());
        assert_eq!(check(&topic, "min.insync.replicas", "2"), None);
        let e = check(&topic, "min.insync.replicas", "0").expect("0 is below the minimum of 1");
        assert!(e.contains("min.insync.replicas"), "{e}");
        let e = check(&topic, "cleanup.policy", "forever").expect("not a policy");
        assert!(e.contains("cleanup.policy"), "{e}");
        let e = check(&Target::NewProducer, "acks", "2").expect("acks=2 is refused by Kafka");
        assert!(e.contains("acks"), "{e}");
    }

    #[test]
    fn applying_is_a_scenario_line() {
        let sources = sources();
        let mut changed = VecMap::new();
        assert_eq!(
            apply_line(&sources, &Target::Topic("orders".into()), &changed),
            None
        );
        changed.insert("cleanup.policy".to_string(), "compact,delete".to_string());
        changed.insert("retention.ms".to_string(), "60000".to_string());
        assert_eq!(
            apply_line(&sources, &Target::Topic("orders".into()), &changed).unwrap(),
            "kafka-configs --alter --entity-type topics --entity-name orders --add-config \
             'cleanup.policy=[compact,delete],retention.ms=60000'"
        );
        let mut changed = VecMap::new();
        changed.insert("acks".to_string(), "1".to_string());
        let line = apply_line(&sources, &Target::NewProducer, &changed).unwrap();
        assert!(
            line.starts_with("producer add producer-") && line.ends_with(" acks=1"),
            "{line}"
        );
        // The line is understood by the interpreter as written.
        let mut session = logscope_core::scenario::Session::new();
        session.run_line("cluster brokers=3").unwrap();
        session
            .run_line("kafka-topics --create --topic orders --partitions 1 --replication-factor 3")
            .unwrap();
        let topic_line =
            "kafka-configs --alter --entity-type topics --entity-name orders --add-config \
             'cleanup.policy=[compact,delete],retention.ms=60000'";
        session.run_line(topic_line).unwrap();
        session.run_line(&line).unwrap();
    }
}
