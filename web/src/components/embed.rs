//! The host-page side of an embedded playground: listens for `postMessage` commands from the
//! allowed origins and posts events back (the API and its validation are in [`crate::host`]).
//!
//! Commands become ordinary [`Action`]s, so a host page can do nothing a learner could not.

use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::now_ms;

use crate::host::{self, HostCommand, Value};
use crate::state::{Action, Playground};

/// While running, `step` events are posted at most this often (ms of wall time); a pause or a
/// jump always posts at once.
pub const STEP_EVENT_EVERY_MS: f64 = 100.0;

fn dispatch_command(d: &UseReducerDispatcher<Playground>, command: HostCommand) {
    match command {
        HostCommand::Load { script, seed, step } => d.dispatch(Action::Load { script, seed, step }),
        HostCommand::Seek { step } => {
            d.dispatch(Action::SetRunning(false));
            d.dispatch(Action::SeekStep(step));
        }
        HostCommand::Play => d.dispatch(Action::SetRunning(true)),
        HostCommand::Pause => d.dispatch(Action::SetRunning(false)),
        HostCommand::Run { line } => d.dispatch(Action::RunLine(line)),
    }
}

/// Wires the `postMessage` API for `origins` (none: the API is off).
#[hook]
pub fn use_host_api(state: &UseReducerHandle<Playground>, origins: Rc<Vec<String>>) {
    {
        let dispatcher = state.dispatcher();
        use_effect_with(origins, move |origins| {
            host::set_origins(origins);
            let listener = web_sys::window()
                .filter(|_| !origins.is_empty())
                .map(|window| {
                    let allowed = origins.clone();
                    EventListener::new(&window, "message", move |e| {
                        let Some(e) = e.dyn_ref::<web_sys::MessageEvent>() else {
                            return;
                        };
                        if let Err(why) = host::accepted(e, &allowed) {
                            host::warn(&why);
                            return;
                        }
                        match host::command_of(&e.data()) {
                            Ok(command) => dispatch_command(&dispatcher, command),
                            Err(why) => host::warn(&format!("a message was ignored: {why}")),
                        }
                    })
                });
            move || drop(listener)
        });
    }

    let view = state.view().clone();
    let running = state.running();
    let seed = state.seed();
    let position = state.position();

    // `ready` once, after the first render: the host may send commands from then on.
    use_effect_with((), move |_| {
        host::post(
            "ready",
            &[
                ("seed", Value::Num(seed as f64)),
                ("step", Value::Num(view.step as f64)),
            ],
        );
    });

    let view = state.view().clone();
    let last_post = use_mut_ref(|| -1e12f64);
    use_effect_with((view.step, position, running, seed), move |_| {
        let now = now_ms();
        if !running || now - *last_post.borrow() >= STEP_EVENT_EVERY_MS {
            *last_post.borrow_mut() = now;
            host::post(
                "step",
                &[
                    ("step", Value::Num(view.step as f64)),
                    ("position", Value::Num(position as f64)),
                    ("time_ms", Value::Num(view.time_ms as f64)),
                    ("seed", Value::Num(seed as f64)),
                    ("running", Value::Bool(running)),
                ],
            );
        }
    });

    // A `finding` for each finding the checker raised since the last render (a jump back and
    // forth again raises it again: the host hears what the learner sees).
    let view = state.view().clone();
    let seen = use_mut_ref(|| usize::MAX);
    use_effect_with(view, move |view| {
        let mut seen = seen.borrow_mut();
        let n = view.findings.len();
        if *seen != usize::MAX && n > *seen {
            for f in &view.findings[*seen..] {
                host::post(
                    "finding",
                    &[
                        ("kind", Value::Str(f.kind.to_string())),
                        ("step", Value::Num(f.step as f64)),
                        ("time_ms", Value::Num(f.time_ms as f64)),
                        ("message", Value::Str(f.message.clone())),
                    ],
                );
            }
        }
        *seen = n;
    });
}
