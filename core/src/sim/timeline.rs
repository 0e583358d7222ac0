//! Time travel: exact step-back and seek through checkpoints plus replay.
//!
//! A [`Timeline`] records every input given to its simulation (each event stepped, each
//! command applied, each clock move) and keeps clones of the simulation at intervals. Seeking
//! to any earlier position restores the nearest checkpoint at or before it and replays the
//! recorded inputs, which gives exactly the state the run had there (the simulation is
//! deterministic, so the trace hash after a seek equals the hash of the run that got there).
//! Applying a command while in the past forks: the recorded future is dropped and the new
//! branch continues from here ("fork from here").
//!
//! Checkpoints are bounded: when there are more than [`MAX_CHECKPOINTS`], every other one is
//! dropped and the interval doubles, so memory grows with the logarithm of the run's length
//! while a seek replays at most one interval. The dropped ones are freed a few inputs apart
//! ([`RETIRE_EVERY`]), not all at once: freeing 32 clones of a large cluster in one input took
//! 15-30 ms natively, a frame's whole budget in the page, where freeing them one by one lets the
//! page's frame deadline see the cost.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::CommandError;
use crate::time::Millis;

use super::{Command, Outcome, Sim, TraceEvent};

pub const MAX_CHECKPOINTS: usize = 64;
/// Inputs between checkpoints until the first thinning. A checkpoint copies the whole state:
/// on issue 7's large cluster (9 brokers, 72 partitions at RF 3, 12 consumers) a clone and its
/// later drop take about 2.5 ms natively, as long as 1,000 of its events take to simulate, so
/// at 256 the checkpoints cost more than the run they cover and at 1× (about 11 events a
/// frame) one frame in 23 carried one. A seek replays at most one interval (1,024 events of
/// that cluster: about 3 ms natively); later intervals are set by the thinning as before.
pub const FIRST_INTERVAL: usize = 1024;
/// A checkpoint dropped by the thinning is freed when the position reaches a multiple of this:
/// more inputs than the page's frame loop delivers between two looks at its deadline (16), so
/// no stretch between two looks frees more than one, and all 32 are freed (after 1,024 inputs)
/// long before the next thinning (64 intervals of at least 2,048 later).
pub const RETIRE_EVERY: usize = 32;

#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    Step,
    Command(Box<Command>),
    Clock(Millis),
}

#[derive(Clone, Debug)]
pub struct Timeline {
    inputs: Vec<Input>,
    /// (position, state at that position), ascending; the first is position 0.
    checkpoints: Vec<(usize, Sim)>,
    interval: usize,
    cur: Sim,
    pos: usize,
    /// Checkpoints dropped by the thinning and not freed yet (see the module docs): no longer
    /// used for anything.
    retired: Vec<Sim>,
}

impl Timeline {
    pub fn new(sim: Sim) -> Self {
        Timeline {
            inputs: Vec::new(),
            checkpoints: alloc::vec![(0, sim.clone())],
            interval: FIRST_INTERVAL,
            cur: sim,
            pos: 0,
            retired: Vec::new(),
        }
    }

    pub fn sim(&self) -> &Sim {
        &self.cur
    }

    /// Inputs applied to reach the current state.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Inputs recorded (the end of the run, which may be ahead of the position after a seek).
    pub fn len(&self) -> usize {
        self.inputs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    pub fn checkpoint_count(&self) -> usize {
        self.checkpoints.len()
    }

    /// Whether recording the next input will copy the state into a checkpoint (a clone of the
    /// whole simulation: milliseconds on a large cluster), so that a caller with a time budget
    /// can leave it for the start of its next slice. False while redoing a recorded future,
    /// which takes no checkpoints.
    pub fn checkpoint_due(&self) -> bool {
        self.pos == self.inputs.len() && self.pos + 1 - self.last_checkpoint() >= self.interval
    }

    /// The position of the newest checkpoint.
    fn last_checkpoint(&self) -> usize {
        self.checkpoints.last().map_or(0, |c| c.0)
    }

    /// Checkpoints dropped by the thinning and not freed yet.
    pub fn retired_count(&self) -> usize {
        self.retired.len()
    }

    fn record(&mut self, input: Input) {
        if self.pos < self.inputs.len() {
            // Fork: the recorded future is dropped.
            self.inputs.truncate(self.pos);
            let pos = self.pos;
            self.checkpoints.retain(|(p, _)| *p <= pos);
        }
        self.inputs.push(input);
        self.pos += 1;
        if self.pos.is_multiple_of(RETIRE_EVERY) {
            drop(self.retired.pop());
        }
        if self.pos - self.last_checkpoint() >= self.interval {
            self.checkpoints.push((self.pos, self.cur.clone()));
            if self.checkpoints.len() > MAX_CHECKPOINTS {
                // Every other one goes, the first (position 0) stays.
                let old = core::mem::take(&mut self.checkpoints);
                for (i, c) in old.into_iter().enumerate() {
                    if i % 2 == 0 {
                        self.checkpoints.push(c);
                    } else {
                        self.retired.push(c.1);
                    }
                }
                self.interval *= 2;
            }
        }
    }

    /// Applies a command at the current position (forking if in the past).
    pub fn apply(&mut self, cmd: Command) -> Result<Outcome, CommandError> {
        let out = self.cur.apply(cmd.clone())?;
        self.record(Input::Command(Box::new(cmd)));
        Ok(out)
    }

    /// One event forward: replays the recorded future if there is one, else runs the sim.
    pub fn step(&mut self) -> bool {
        if self.pos < self.inputs.len() {
            self.redo_one();
            return true;
        }
        if self.cur.step() {
            self.record(Input::Step);
            true
        } else {
            false
        }
    }

    /// Like [`Timeline::step`] for new events, describing the event.
    pub fn step_event(&mut self) -> Option<TraceEvent> {
        if self.pos < self.inputs.len() {
            // Redo: describe by stepping a described copy of the same input.
            if matches!(self.inputs[self.pos], Input::Step) {
                let ev = self.cur.step_event();
                self.pos += 1;
                return ev;
            }
            self.redo_one();
            return None;
        }
        let ev = self.cur.step_event()?;
        self.record(Input::Step);
        Some(ev)
    }

    fn redo_one(&mut self) {
        match &self.inputs[self.pos] {
            Input::Step => {
                self.cur.step();
            }
            Input::Command(c) => {
                // It succeeded when recorded; replaying it on the same state succeeds again.
                let _ = self.cur.apply((**c).clone());
            }
            Input::Clock(t) => self.cur.advance_clock_to(*t),
        }
        self.pos += 1;
    }

    /// Steps every event up to `t`, then moves the clock to `t`.
    pub fn run_until(&mut self, t: Millis) {
        self.drop_future();
        while self.cur.next_event_time().is_some_and(|at| at <= t) {
            if !self.step() {
                break;
            }
        }
        if self.cur.now() < t {
            self.cur.advance_clock_to(t);
            self.record(Input::Clock(t));
        }
    }

    pub fn run_for(&mut self, ms: u64) {
        let t = self.cur.now() + ms;
        self.run_until(t);
    }

    /// [`Sim::settle`], recorded.
    pub fn settle(&mut self, max_ms: u64) -> Result<(), String> {
        self.drop_future();
        let deadline = self.cur.now() + max_ms;
        loop {
            if self.cur.unsettled().is_none() {
                return Ok(());
            }
            if self.cur.next_event_time().is_some_and(|at| at <= deadline) {
                if !self.step() {
                    break;
                }
            } else {
                break;
            }
        }
        if self.cur.unsettled().is_none() {
            return Ok(());
        }
        self.cur.advance_clock_to(deadline);
        self.record(Input::Clock(deadline));
        match self.cur.unsettled() {
            None => Ok(()),
            Some(why) => Err(alloc::format!("not settled after {max_ms}ms: {why}")),
        }
    }

    /// Running forward from the past (not replaying) starts a new branch.
    fn drop_future(&mut self) {
        if self.pos < self.inputs.len() {
            self.inputs.truncate(self.pos);
            let pos = self.pos;
            self.checkpoints.retain(|(p, _)| *p <= pos);
        }
    }

    /// Goes to input position `pos` (clamped to the recorded run), exactly.
    pub fn seek(&mut self, pos: usize) {
        let pos = pos.min(self.inputs.len());
        if pos < self.pos || pos - self.pos > self.interval {
            let idx = self.checkpoints.partition_point(|(p, _)| *p <= pos) - 1;
            let (p, sim) = &self.checkpoints[idx];
            if *p > self.pos || pos < self.pos {
                self.cur = sim.clone();
                self.pos = *p;
            }
        }
        while self.pos < pos {
            self.redo_one();
        }
    }

    /// One input back.
    pub fn step_back(&mut self) -> bool {
        if self.pos == 0 {
            return false;
        }
        self.seek(self.pos - 1);
        true
    }

    /// The position right after event number `step` (and the commands given then).
    pub fn position_of_step(&self, step: u64) -> usize {
        // Count Step inputs from the nearest checkpoint whose state is at or before `step`.
        let idx = self
            .checkpoints
            .partition_point(|(_, s)| s.steps() <= step)
            .max(1)
            - 1;
        let (mut p, ref s) = self.checkpoints[idx];
        let mut steps = s.steps();
        while p < self.inputs.len() {
            match self.inputs[p] {
                Input::Step if steps == step => break,
                Input::Step => steps += 1,
                _ => {}
            }
            p += 1;
        }
        p
    }

    /// Goes to just after event number `step`.
    pub fn seek_step(&mut self, step: u64) {
        let p = self.position_of_step(step);
        self.seek(p);
    }
}
