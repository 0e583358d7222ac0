//! The UI's one piece of state and its reducer: the only place where the UI touches the
//! simulation (ARCHITECTURE.md, "web changes the simulation only through commands").
//!
//! Yew's `use_reducer` holds a [`SimState`]; components dispatch an [`Action`]; the reducer
//! turns it into calls on [`Sim`] and keeps a fresh [`ClusterView`] for drawing. The simulation
//! is a value (`Clone`), so an update clones it only when someone else still holds the old
//! state, and an action that changes nothing returns the same `Rc`, which skips the re-render.

use std::rc::Rc;

use logscope_core::{ClusterView, Command, CommandError, Sim, SimSpec};
use yew::Reducible;

/// The seed of the scenario the page opens on. It is on screen, so the picture can be
/// reproduced.
pub const DEFAULT_SEED: u64 = 1;
/// The topic of the default scenario.
pub const DEFAULT_TOPIC: &str = "orders";
/// Wall-clock milliseconds between two ticks of a running simulation.
pub const TICK_INTERVAL_MS: u32 = 250;
/// Simulated milliseconds one tick advances. Equal to the interval: the default speed is real
/// time, so Kafka's timeouts (in milliseconds) look as long as they are.
pub const TICK_SIM_MS: u64 = 250;

/// The default scenario: the core's default cluster (3 brokers) with one topic, `orders`,
/// of 3 partitions replicated 3 times.
pub fn default_sim(seed: u64) -> Result<Sim, CommandError> {
    let mut sim = Sim::new(SimSpec::default(), seed)?;
    sim.apply(Command::CreateTopic {
        name: DEFAULT_TOPIC.into(),
        partitions: Some(3),
        replication_factor: Some(3),
        assignment: None,
        configs: Vec::new(),
    })?;
    Ok(sim)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// The interval fired: if running, advance simulated time by [`TICK_SIM_MS`].
    Tick,
    /// Deliver exactly one event, running or not.
    Step,
    /// Start or stop the interval.
    SetRunning(bool),
    /// Throw the simulation away and start the default scenario again with this seed.
    Restart { seed: u64 },
}

#[derive(Clone)]
pub struct SimState {
    seed: u64,
    running: bool,
    /// The simulation and its latest view, or why the scenario could not be set up.
    sim: Result<(Sim, Rc<ClusterView>), String>,
}

impl SimState {
    /// The default scenario with `seed`, already running.
    pub fn new(seed: u64) -> Self {
        let sim = default_sim(seed)
            .map(|sim| {
                let view = Rc::new(sim.view());
                (sim, view)
            })
            .map_err(|e| format!("the default scenario was refused: {e}"));
        SimState {
            seed,
            running: true,
            sim,
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn running(&self) -> bool {
        self.running
    }

    /// What to draw; `None` when the scenario could not be set up (see [`Self::error`]).
    pub fn view(&self) -> Option<&Rc<ClusterView>> {
        self.sim.as_ref().ok().map(|(_, view)| view)
    }

    pub fn error(&self) -> Option<&str> {
        self.sim.as_ref().err().map(String::as_str)
    }
}

impl Reducible for SimState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        match action {
            Action::Restart { seed } => return Rc::new(SimState::new(seed)),
            Action::SetRunning(running) if running == self.running => return self,
            Action::Tick if !self.running => return self,
            _ if self.sim.is_err() => return self,
            _ => {}
        }
        let mut next = Rc::unwrap_or_clone(self);
        match action {
            Action::SetRunning(running) => next.running = running,
            Action::Tick | Action::Step => {
                if let Ok((sim, view)) = &mut next.sim {
                    if action == Action::Tick {
                        let until = sim.now() + TICK_SIM_MS;
                        sim.run_until(until);
                    } else {
                        sim.step();
                    }
                    *view = Rc::new(sim.view());
                }
            }
            Action::Restart { .. } => {}
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaders(view: &ClusterView) -> usize {
        view.topics
            .iter()
            .flat_map(|t| &t.partitions)
            .filter(|p| p.leader.is_some())
            .count()
    }

    #[test]
    fn opens_on_three_brokers_and_three_partitions_running() {
        let state = SimState::new(DEFAULT_SEED);
        assert!(state.running());
        assert_eq!(state.error(), None);
        let view = state.view().expect("the default scenario is accepted");
        assert_eq!(view.seed, DEFAULT_SEED);
        assert_eq!(view.brokers.len(), 3);
        let orders = view
            .topics
            .iter()
            .find(|t| t.name == DEFAULT_TOPIC)
            .unwrap();
        assert_eq!(orders.partitions.len(), 3);
        assert!(orders.partitions.iter().all(|p| p.replicas.len() == 3));
    }

    #[test]
    fn ticks_advance_simulated_time_and_elect_leaders() {
        let mut state = Rc::new(SimState::new(DEFAULT_SEED));
        for _ in 0..40 {
            state = state.reduce(Action::Tick);
        }
        let view = state.view().unwrap();
        assert!(
            view.time_ms >= 40 * TICK_SIM_MS - TICK_SIM_MS,
            "time {}",
            view.time_ms
        );
        assert_eq!(leaders(view), 3, "every partition has a leader after 10 s");
    }

    #[test]
    fn a_paused_tick_changes_nothing_and_skips_the_render() {
        let state = Rc::new(SimState::new(DEFAULT_SEED)).reduce(Action::SetRunning(false));
        assert!(!state.running());
        let after = Rc::clone(&state).reduce(Action::Tick);
        assert!(Rc::ptr_eq(&state, &after));
    }

    #[test]
    fn a_step_delivers_one_event() {
        let state = Rc::new(SimState::new(DEFAULT_SEED)).reduce(Action::SetRunning(false));
        let before = state.view().unwrap().step;
        let after = state.reduce(Action::Step);
        assert_eq!(after.view().unwrap().step, before + 1);
    }

    #[test]
    fn the_same_seed_draws_the_same_picture() {
        let run = |seed| {
            let mut state = Rc::new(SimState::new(seed));
            for _ in 0..20 {
                state = state.reduce(Action::Tick).reduce(Action::Step);
            }
            state.view().unwrap().as_ref().clone()
        };
        assert_eq!(run(7), run(7));
    }

    #[test]
    fn restart_starts_over_with_the_new_seed() {
        let state = Rc::new(SimState::new(DEFAULT_SEED))
            .reduce(Action::Tick)
            .reduce(Action::Restart { seed: 99 });
        assert_eq!(state.seed(), 99);
        assert_eq!(state.view().unwrap().seed, 99);
        assert_eq!(
            state.view().unwrap().step,
            SimState::new(99).view().unwrap().step
        );
    }
}
