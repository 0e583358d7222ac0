//! The page: holds the [`SimState`] reducer, runs the interval that ticks a running
//! simulation, and lays out the toolbar and the cluster drawing.

use gloo_timers::callback::Interval;
use yew::prelude::*;

use crate::components::cluster::ClusterDiagram;
use crate::components::toolbar::Toolbar;
use crate::state::{Action, SimState, DEFAULT_SEED, TICK_INTERVAL_MS};

#[function_component]
pub fn App() -> Html {
    let state = use_reducer(|| SimState::new(DEFAULT_SEED));

    // The only wall clock in the project: while running, tick every TICK_INTERVAL_MS. Dropping
    // the interval (on pause or unmount) cancels it.
    {
        let dispatcher = state.dispatcher();
        use_effect_with(state.running(), move |&running| {
            let interval = running.then(|| {
                Interval::new(TICK_INTERVAL_MS, move || dispatcher.dispatch(Action::Tick))
            });
            move || drop(interval)
        });
    }

    let on_toggle = {
        let dispatcher = state.dispatcher();
        let running = state.running();
        Callback::from(move |()| dispatcher.dispatch(Action::SetRunning(!running)))
    };
    let on_step = {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(Action::Step))
    };

    html! {
        <main class="app">
            <header class="app__header">
                <h1 class="app__title">{ "logscope" }</h1>
                <p class="app__subtitle">{ "A simulated Apache Kafka cluster, one event at a time" }</p>
            </header>
            if let Some(view) = state.view() {
                <Toolbar running={state.running()} seed={state.seed()} step={view.step}
                    time_ms={view.time_ms} {on_toggle} {on_step} />
                <ClusterDiagram view={view.clone()} />
                <p class="legend">
                    <span><span class="legend__swatch legend__swatch--leader"></span>{ "leader" }</span>
                    <span><span class="legend__swatch"></span>{ "follower in the ISR" }</span>
                    <span><span class="legend__swatch legend__swatch--out-of-sync"></span>{ "follower out of sync" }</span>
                </p>
            }
            if let Some(error) = state.error() {
                <p class="app__error" role="alert">{ error.to_string() }</p>
            }
        </main>
    }
}
