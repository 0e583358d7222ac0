//! The `postMessage` API for a course page that embeds the playground in an iframe.
//!
//! Every message, in and out, is an object `{type: "logscope", v: 1, …}`.
//!
//! * Commands in (`command`): `load` (`script`, optional `seed`, optional `step`), `seek`
//!   (`step`), `play`, `pause`, `run` (`line`, one scenario-language line).
//! * Events out (`event`): `ready` (the page can take commands), `step` (the step number
//!   changed), `finding` (the guarantee checker raised one), `answer` (a tour question was
//!   answered; [`emit_answer`] is for the tours panel).
//!
//! Origins: the page's address lists the host pages allowed (`origin=https://course.example`,
//! see [`crate::share`]). A message is taken only from the window that embeds this page and only
//! from an allowed origin; events are posted to the embedding window once per allowed origin,
//! with that origin as the target (never `*`), so the browser delivers them only to a host that
//! really is that origin. With no origin listed the API is off.
//!
//! Validation is field by field ([`parse_command`]); a message that fails is ignored with a
//! warning in the browser console and changes nothing. It never panics.

use std::cell::RefCell;

use logscope_core::link::MAX_SCRIPT_BYTES;

/// The `type` every message carries.
pub const MESSAGE_TYPE: &str = "logscope";
/// The version of the message format.
pub const MESSAGE_VERSION: u32 = 1;
/// The longest `run` line accepted.
pub const MAX_LINE_BYTES: usize = 4096;
/// Integers above this cannot be told apart in a JavaScript number.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A field's value as read from a message (a JavaScript value, reduced to what the API uses).
#[derive(Clone, Debug, PartialEq)]
pub enum Field {
    Missing,
    Str(String),
    Num(f64),
    /// Anything else (an object, an array, a boolean, `null`): never a valid value here.
    Other(&'static str),
}

/// A command from the host page, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostCommand {
    Load {
        script: String,
        seed: Option<u64>,
        /// `None`: where the script ends.
        step: Option<u64>,
    },
    Seek {
        step: u64,
    },
    Play,
    Pause,
    Run {
        line: String,
    },
}

pub const COMMANDS: &[&str] = &["load", "seek", "play", "pause", "run"];

/// `n` as JavaScript writes it (the sender's own notation). In the browser this asks JS rather
/// than using `{}` on an f64: nothing else in the app formats a float, and Rust's float
/// formatting costs ~12 KiB of wasm.
fn js_number(n: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Number::from(n)
            .to_string_with_radix(10)
            .map(String::from)
            .unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        format!("{n}")
    }
}

fn describe(f: &Field) -> String {
    match f {
        Field::Missing => "missing".into(),
        Field::Str(s) => format!("the string \"{}\"", s.chars().take(24).collect::<String>()),
        Field::Num(n) => format!("the number {}", js_number(*n)),
        Field::Other(kind) => format!("a value of type {kind}"),
    }
}

fn integer(name: &str, f: &Field) -> Result<u64, String> {
    match f {
        Field::Num(n) if n.fract() == 0.0 && *n >= 0.0 && *n <= MAX_SAFE_INTEGER => Ok(*n as u64),
        other => Err(format!(
            "'{name}' must be a whole number from 0 to 2^53-1, not {}",
            describe(other)
        )),
    }
}

fn text(name: &str, f: &Field, limit: usize) -> Result<String, String> {
    match f {
        Field::Str(s) if s.len() <= limit => Ok(s.clone()),
        Field::Str(s) => Err(format!(
            "'{name}' is {} bytes; the limit is {limit}",
            s.len()
        )),
        other => Err(format!(
            "'{name}' must be a string, not {}",
            describe(other)
        )),
    }
}

/// Reads a command from a message's fields (`get("type")`, `get("v")`, …). `Err` says which
/// field is wrong and why.
pub fn parse_command(get: impl Fn(&str) -> Field) -> Result<HostCommand, String> {
    match get("type") {
        Field::Str(t) if t == MESSAGE_TYPE => {}
        other => {
            return Err(format!(
                "'type' must be \"{MESSAGE_TYPE}\", not {}",
                describe(&other)
            ))
        }
    }
    match get("v") {
        Field::Num(v) if v == MESSAGE_VERSION as f64 => {}
        other => {
            return Err(format!(
                "'v' must be {MESSAGE_VERSION} (this page reads version {MESSAGE_VERSION} messages), not {}",
                describe(&other)
            ))
        }
    }
    let command = match get("command") {
        Field::Str(c) => c,
        other => {
            return Err(format!(
                "'command' must be one of {}, not {}",
                COMMANDS.join(", "),
                describe(&other)
            ))
        }
    };
    match command.as_str() {
        "load" => {
            let script = text("script", &get("script"), MAX_SCRIPT_BYTES)?;
            let seed = match get("seed") {
                Field::Missing => None,
                f => Some(integer("seed", &f)?),
            };
            let step = match get("step") {
                Field::Missing => None,
                f => Some(integer("step", &f)?),
            };
            Ok(HostCommand::Load { script, seed, step })
        }
        "seek" => Ok(HostCommand::Seek {
            step: integer("step", &get("step"))?,
        }),
        "play" => Ok(HostCommand::Play),
        "pause" => Ok(HostCommand::Pause),
        "run" => {
            let line = text("line", &get("line"), MAX_LINE_BYTES)?;
            if line.contains(['\n', '\r']) {
                return Err("'line' must be one line (send a script with 'load')".into());
            }
            Ok(HostCommand::Run { line })
        }
        other => Err(format!(
            "'command' must be one of {}, not \"{}\"",
            COMMANDS.join(", "),
            other.chars().take(24).collect::<String>()
        )),
    }
}

thread_local! {
    /// The host origins the page's address allows (set once at start).
    static ORIGINS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Records the allowed host origins (from the address; see [`crate::share::EmbedOptions`]).
pub fn set_origins(origins: &[String]) {
    ORIGINS.with(|o| *o.borrow_mut() = origins.to_vec());
}

/// The allowed host origins.
pub fn origins() -> Vec<String> {
    ORIGINS.with(|o| o.borrow().clone())
}

/// An event's fields after `type`, `v` and `event`.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Str(String),
    Num(f64),
    Bool(bool),
}

mod browser {
    use super::*;
    use wasm_bindgen::{JsCast, JsValue};

    /// Reads one field of a message as a [`Field`].
    pub fn field(data: &JsValue, name: &str) -> Field {
        if !data.is_object() || js_sys::Array::is_array(data) {
            return Field::Missing;
        }
        let Ok(v) = js_sys::Reflect::get(data, &JsValue::from_str(name)) else {
            return Field::Other("unreadable");
        };
        if v.is_undefined() {
            Field::Missing
        } else if let Some(s) = v.as_string() {
            Field::Str(s)
        } else if let Some(n) = v.as_f64() {
            Field::Num(n)
        } else if v.is_null() {
            Field::Other("null")
        } else if v.as_bool().is_some() {
            Field::Other("boolean")
        } else if js_sys::Array::is_array(&v) {
            Field::Other("array")
        } else {
            Field::Other("object")
        }
    }

    /// Validates a message's data (the `MessageEvent.data`).
    pub fn command_of(data: &JsValue) -> Result<HostCommand, String> {
        if !data.is_object() || js_sys::Array::is_array(data) {
            return Err(
                "the message must be an object {type: \"logscope\", v: 1, command: …}".into(),
            );
        }
        parse_command(|name| field(data, name))
    }

    pub fn warn(text: &str) {
        web_sys::console::warn_1(&JsValue::from_str(&format!("logscope: {text}")));
    }

    /// The embedding window, when this page is in a frame.
    pub fn parent() -> Option<web_sys::Window> {
        let window = web_sys::window()?;
        let parent = window.parent().ok().flatten()?;
        let same: &JsValue = parent.as_ref();
        (!js_sys::Object::is(same, window.as_ref())).then_some(parent)
    }

    /// Whether a message event comes from the embedding window and an allowed origin.
    pub fn accepted(e: &web_sys::MessageEvent, allowed: &[String]) -> Result<(), String> {
        let origin = e.origin();
        if !allowed.contains(&origin) {
            return Err(format!(
                "a message from {origin} was ignored: that origin is not in this page's origin= list"
            ));
        }
        let from_parent = match (e.source(), parent()) {
            (Some(source), Some(parent)) => {
                let parent: &JsValue = parent.as_ref();
                js_sys::Object::is(source.unchecked_ref(), parent)
            }
            _ => false,
        };
        if !from_parent {
            return Err("a message not sent by the embedding page was ignored".into());
        }
        Ok(())
    }

    /// Posts `{type, v, event, …fields}` to the embedding window, once per allowed origin.
    pub fn post(event: &str, fields: &[(&str, Value)]) {
        let allowed = origins();
        let Some(parent) = parent() else { return };
        if allowed.is_empty() {
            return;
        }
        let msg = js_sys::Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = js_sys::Reflect::set(&msg, &JsValue::from_str(k), &v);
        };
        set("type", JsValue::from_str(MESSAGE_TYPE));
        set("v", JsValue::from_f64(MESSAGE_VERSION as f64));
        set("event", JsValue::from_str(event));
        for (k, v) in fields {
            set(
                k,
                match v {
                    Value::Str(s) => JsValue::from_str(s),
                    Value::Num(n) => JsValue::from_f64(*n),
                    Value::Bool(b) => JsValue::from_bool(*b),
                },
            );
        }
        // Where the browser says which page embeds this one (Chromium, WebKit), post only to
        // that origin if it is allowed; elsewhere to each allowed origin, and the browser drops
        // those that do not match.
        let embedder = js_sys::Reflect::get(
            &web_sys::window()
                .map(|w| JsValue::from(w.location()))
                .unwrap_or_default(),
            &JsValue::from_str("ancestorOrigins"),
        )
        .ok()
        .and_then(|list| js_sys::Reflect::get(&list, &JsValue::from_f64(0.0)).ok())
        .and_then(|o| o.as_string());
        for origin in &allowed {
            if embedder.as_ref().is_none_or(|e| e == origin) {
                let _ = parent.post_message(&msg, origin);
            }
        }
    }
}

pub use browser::{accepted, command_of, field, post, warn};

/// Tells the host page a tour question was answered (for the tours panel to call).
pub fn emit_answer(tour: &str, question: &str, answer: &str, correct: bool) {
    post(
        "answer",
        &[
            ("tour", Value::Str(tour.to_string())),
            ("question", Value::Str(question.to_string())),
            ("answer", Value::Str(answer.to_string())),
            ("correct", Value::Bool(correct)),
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn msg(fields: &[(&str, Field)]) -> impl Fn(&str) -> Field {
        let map: BTreeMap<String, Field> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        move |k| map.get(k).cloned().unwrap_or(Field::Missing)
    }

    fn base(command: &str) -> Vec<(&'static str, Field)> {
        vec![
            ("type", Field::Str("logscope".into())),
            ("v", Field::Num(1.0)),
            ("command", Field::Str(command.into())),
        ]
    }

    #[test]
    fn each_command_is_read_with_its_fields() {
        let mut load = base("load");
        load.push(("script", Field::Str("cluster brokers=3\n".into())));
        load.push(("seed", Field::Num(7.0)));
        assert_eq!(
            parse_command(msg(&load)),
            Ok(HostCommand::Load {
                script: "cluster brokers=3\n".into(),
                seed: Some(7),
                step: None
            })
        );
        let mut seek = base("seek");
        seek.push(("step", Field::Num(120.0)));
        assert_eq!(
            parse_command(msg(&seek)),
            Ok(HostCommand::Seek { step: 120 })
        );
        assert_eq!(parse_command(msg(&base("play"))), Ok(HostCommand::Play));
        assert_eq!(parse_command(msg(&base("pause"))), Ok(HostCommand::Pause));
        let mut run = base("run");
        run.push(("line", Field::Str("broker kill 1".into())));
        assert_eq!(
            parse_command(msg(&run)),
            Ok(HostCommand::Run {
                line: "broker kill 1".into()
            })
        );
    }

    #[test]
    fn a_bad_message_is_refused_naming_the_field() {
        let cases: Vec<(Vec<(&str, Field)>, &str)> = vec![
            (vec![("v", Field::Num(1.0))], "'type'"),
            (
                vec![
                    ("type", Field::Str("logscope".into())),
                    ("v", Field::Num(2.0)),
                ],
                "'v' must be 1",
            ),
            (
                vec![
                    ("type", Field::Str("logscope".into())),
                    ("v", Field::Str("1".into())),
                ],
                "'v' must be 1",
            ),
            (base("explode"), "'command' must be one of"),
            (base("seek"), "'step' must be a whole number"),
            (
                [base("seek"), vec![("step", Field::Num(-1.0))]].concat(),
                "'step' must be a whole number",
            ),
            (
                [base("seek"), vec![("step", Field::Num(1.5))]].concat(),
                "'step' must be a whole number",
            ),
            (
                [base("seek"), vec![("step", Field::Num(1e300))]].concat(),
                "'step' must be a whole number",
            ),
            (
                [base("seek"), vec![("step", Field::Num(f64::NAN))]].concat(),
                "'step' must be a whole number",
            ),
            (base("load"), "'script' must be a string"),
            (
                [base("load"), vec![("script", Field::Other("object"))]].concat(),
                "'script' must be a string, not a value of type object",
            ),
            (
                [
                    base("load"),
                    vec![
                        ("script", Field::Str("x".into())),
                        ("seed", Field::Str("7".into())),
                    ],
                ]
                .concat(),
                "'seed' must be a whole number",
            ),
            (
                [
                    base("load"),
                    vec![("script", Field::Str("x".repeat(MAX_SCRIPT_BYTES + 1)))],
                ]
                .concat(),
                "'script' is",
            ),
            (
                [base("run"), vec![("line", Field::Str("a\nb".into()))]].concat(),
                "'line' must be one line",
            ),
            (
                [base("run"), vec![("line", Field::Other("null"))]].concat(),
                "'line' must be a string",
            ),
        ];
        for (fields, expected) in cases {
            let err = parse_command(msg(&fields)).unwrap_err();
            assert!(err.contains(expected), "{err} does not contain {expected}");
        }
    }
}
