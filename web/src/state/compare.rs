//! The state of compare mode (issue #8): two runs of the scenario on screen, differing in one
//! Kafka setting, moved together by one time control. The core's
//! [`CompareRun`](logscope_core::compare::CompareRun) does the work (injection, alignment by
//! simulated time, the first divergence); this reducer only moves it and keeps both views
//! fresh, as `state.rs` does for the single run. Like the single run, it is driven through the
//! core's public API and nothing else.

use super::SharedView;
use std::cell::RefCell;
use std::rc::Rc;

use logscope_core::compare::{CompareRun, Divergence, Setting, Side};
use yew::Reducible;

/// How far past the scenario's end compare mode looks for the first divergence when it opens
/// (simulated ms), and at most how many ticks: enough for a broker session timeout, a request
/// timeout and an election, small enough to open in well under a second.
pub const LOOK_AHEAD_MS: u64 = 60_000;
pub const LOOK_AHEAD_TICKS: usize = 6_000;
/// The most ticks one animation frame may move while playing.
const MAX_TICKS_PER_FRAME: u32 = 400;

#[derive(Clone, Debug, PartialEq)]
pub enum CompareAction {
    Step,
    StepBack,
    /// Go to a recorded tick (the scrubber).
    Seek(usize),
    JumpToDivergence,
    TogglePlay,
    SetRunning(bool),
    /// An animation frame while playing: simulated time moves by `wall_ms` (1×).
    Frame {
        wall_ms: f64,
    },
}

#[derive(Clone)]
pub struct CompareState {
    run: Rc<RefCell<CompareRun>>,
    setting: Setting,
    tick: usize,
    ticks: usize,
    running: bool,
    /// Simulated time on screen while playing (ms), at or after the current tick's time.
    display_ms: f64,
    a: SharedView,
    b: SharedView,
    divergence: Option<Divergence>,
}

impl PartialEq for CompareState {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.run, &other.run)
            && self.tick == other.tick
            && self.ticks == other.ticks
            && self.running == other.running
            && self.display_ms == other.display_ms
            && self.divergence == other.divergence
    }
}

impl CompareState {
    /// Builds both runs of `script` (with `seed` on its `cluster` lines when given) and looks
    /// ahead for the first divergence. Opens paused at the scenario's end. The error is the
    /// core's message: why the setting cannot apply, or which run failed at which line.
    pub fn open(script: &str, seed: Option<u64>, setting: Setting) -> Result<Self, String> {
        let mut run = CompareRun::open(script, seed, setting).map_err(|e| e.to_string())?;
        let divergence = run.look_ahead(LOOK_AHEAD_MS, LOOK_AHEAD_TICKS).cloned();
        let mut s = CompareState {
            a: SharedView::new(run.view(Side::A)),
            b: SharedView::new(run.view(Side::B)),
            tick: run.tick(),
            ticks: run.ticks(),
            display_ms: run.time_ms() as f64,
            run: Rc::new(RefCell::new(run)),
            setting,
            running: false,
            divergence,
        };
        s.refresh();
        Ok(s)
    }

    fn refresh(&mut self) {
        let run = self.run.borrow();
        self.tick = run.tick();
        self.ticks = run.ticks();
        self.a = SharedView::new(run.view(Side::A));
        self.b = SharedView::new(run.view(Side::B));
        self.display_ms = self.display_ms.max(run.time_ms() as f64);
        if self.divergence.is_none() {
            self.divergence = run.divergence().cloned();
        }
    }

    pub fn setting(&self) -> Setting {
        self.setting
    }
    pub fn tick(&self) -> usize {
        self.tick
    }
    /// Ticks recorded so far (the scrubber's range).
    pub fn ticks(&self) -> usize {
        self.ticks
    }
    pub fn running(&self) -> bool {
        self.running
    }
    pub fn time_ms(&self) -> u64 {
        self.a.time_ms
    }
    pub fn display_ms(&self) -> f64 {
        self.display_ms
    }
    pub fn view(&self, side: Side) -> &SharedView {
        match side {
            Side::A => &self.a,
            Side::B => &self.b,
        }
    }
    pub fn divergence(&self) -> Option<&Divergence> {
        self.divergence.as_ref()
    }
}

impl Reducible for CompareState {
    type Action = CompareAction;

    fn reduce(self: Rc<Self>, action: CompareAction) -> Rc<Self> {
        if matches!(action, CompareAction::Frame { .. }) && !self.running {
            return self;
        }
        let mut next = (*self).clone();
        match action {
            CompareAction::Step => {
                next.run.borrow_mut().step();
                next.display_ms = 0.0;
            }
            CompareAction::StepBack => {
                next.run.borrow_mut().step_back();
                next.display_ms = 0.0;
            }
            CompareAction::Seek(tick) => {
                next.run.borrow_mut().seek(tick);
                next.display_ms = 0.0;
            }
            CompareAction::JumpToDivergence => {
                let Some(d) = &next.divergence else {
                    return self;
                };
                let tick = d.tick;
                next.running = false;
                next.run.borrow_mut().seek(tick);
                next.display_ms = 0.0;
            }
            CompareAction::TogglePlay => next.running = !next.running,
            CompareAction::SetRunning(r) => next.running = r,
            CompareAction::Frame { wall_ms } => {
                let target = next.display_ms + wall_ms.clamp(0.0, 250.0);
                let mut moved = 0;
                {
                    let mut run = next.run.borrow_mut();
                    while moved < MAX_TICKS_PER_FRAME {
                        match run.next_time() {
                            Some(t) if (t as f64) <= target => {
                                if !run.step() {
                                    break;
                                }
                                moved += 1;
                            }
                            _ => break,
                        }
                    }
                }
                next.display_ms = if moved == MAX_TICKS_PER_FRAME {
                    next.run.borrow().time_ms() as f64
                } else {
                    target
                };
            }
        }
        next.refresh();
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KILL: &str = "cluster brokers=3 seed=7 latency=1ms\n\
        kafka-topics --create --topic orders --replica-assignment 1:2:3\n\
        producer add p1 linger.ms=0\n\
        settle\n\
        net cut 1 2\n\
        net cut 1 3\n\
        produce p1 orders key=k value=v1\n";

    fn reduce(s: Rc<CompareState>, a: CompareAction) -> Rc<CompareState> {
        Reducible::reduce(s, a)
    }

    #[test]
    fn one_control_moves_both_runs_to_the_same_time() {
        let s = Rc::new(CompareState::open(KILL, None, Setting::Acks).unwrap());
        assert_eq!(s.tick(), 0);
        let s = reduce(s, CompareAction::Step);
        assert_eq!(s.tick(), 1);
        assert_eq!(s.view(Side::A).time_ms, s.view(Side::B).time_ms);
        let s = reduce(s, CompareAction::JumpToDivergence);
        let d = s.divergence().unwrap().clone();
        assert_eq!(s.tick(), d.tick);
        // acks=1 (B) is acknowledged, acks=all (A) is not (see core::compare's tests).
        assert_eq!(s.view(Side::A).producers[0].acked, 0);
        assert_eq!(s.view(Side::B).producers[0].acked, 1);
        let s = reduce(s, CompareAction::StepBack);
        assert_eq!(s.tick(), d.tick - 1);
        assert_eq!(s.view(Side::B).producers[0].acked, 0);
    }

    #[test]
    fn a_script_the_setting_cannot_touch_is_refused_with_the_reason() {
        let e = CompareState::open("cluster brokers=1\n", None, Setting::Acks)
            .err()
            .unwrap();
        assert!(e.contains("no producer"), "{e}");
    }

    #[test]
    fn playing_moves_simulated_time_by_the_wall_time() {
        let s = Rc::new(CompareState::open(KILL, None, Setting::Acks).unwrap());
        let t0 = s.time_ms();
        let s = reduce(s, CompareAction::Frame { wall_ms: 100.0 });
        assert_eq!(s.tick(), 0, "paused: a frame changes nothing");
        let s = reduce(s, CompareAction::TogglePlay);
        let s = reduce(s, CompareAction::Frame { wall_ms: 100.0 });
        assert!(
            s.time_ms() <= t0 + 100 && s.time_ms() > t0,
            "{} {}",
            s.time_ms(),
            t0
        );
        assert_eq!(s.view(Side::A).time_ms, s.view(Side::B).time_ms);
    }
}
