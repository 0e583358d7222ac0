//! Phase jumps in the reducer (`Action::PhaseJump`, shift+← / shift+→): to where a protocol
//! phase starts, as [`crate::phases`] defines it. Back looks among the recent events the
//! playground keeps (`EVENTS_KEPT`) and seeks the engine there; forward delivers events, as
//! *Step* does, until one starts a new phase; after [`PHASE_JUMP_MAX`] events without one it
//! goes back to where it was and says so, so that a quiet cluster cannot keep the tab busy.

use crate::i18n::timeline::{no_new_phase, phase_narration};
use crate::i18n::{t, Key};
use crate::phases::{previous_start, PhaseTracker};

use super::Playground;

/// The most events a forward phase jump delivers.
pub const PHASE_JUMP_MAX: u64 = 5_000;

impl Playground {
    pub(super) fn phase_jump(&mut self, forward: bool) {
        let here = self.engine.borrow().position();
        if !forward {
            let kept = self.events.iter().map(|e| (e.position, &*e.event));
            match previous_start(kept, here) {
                Some((pos, phase)) => {
                    self.engine.borrow_mut().seek(pos);
                    self.after_jump();
                    self.narration = phase_narration(self.lang, phase, self.view.step);
                }
                None => self.narration = t(self.lang, Key::NoEarlierPhase).to_string(),
            }
            return;
        }
        let mut tracker = PhaseTracker::after(
            self.events
                .iter()
                .filter(|e| e.position <= here)
                .map(|e| &*e.event),
        );
        // Kept to put back if no phase starts: the window would otherwise hold only the last
        // EVENTS_KEPT of the events run, all ahead of where the jump stays.
        let before = self.events.clone();
        let mut found = None;
        for _ in 0..PHASE_JUMP_MAX {
            let Some(ev) = self.engine.borrow_mut().forward(true) else {
                break;
            };
            let position = self.engine.borrow().position();
            let started = ev.as_ref().and_then(|e| Some((tracker.push(e)?, e.step)));
            self.note_event(position, ev);
            if started.is_some() {
                found = started;
                break;
            }
        }
        match found {
            Some((phase, step)) => {
                self.refresh();
                self.display_ms = self.view.time_ms as f64;
                self.narration = phase_narration(self.lang, phase, step);
            }
            None => {
                // No boundary: the jump does not move (the events it ran stay recorded ahead).
                self.engine.borrow_mut().seek(here);
                self.events = before;
                self.after_jump();
                self.narration = no_new_phase(self.lang, PHASE_JUMP_MAX);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use yew::Reducible;

    use super::PHASE_JUMP_MAX;
    use crate::phases::{phase_of, phase_starts};
    use crate::state::{Action, Playground, EVENTS_KEPT};

    /// The default cluster, paused, with a consumer joining a group and a producer sending 20
    /// records: metadata, group and produce phases all happen in the first events.
    fn busy() -> Rc<Playground> {
        let mut p = Rc::new(Playground::new(3)).reduce(Action::SetRunning(false));
        for line in [
            "consumer add c1 group=g1 topics=orders",
            "produce producer-1 orders count=20",
        ] {
            p = p.reduce(Action::RunLine(line.into()));
            assert!(p.error().is_none(), "{line}: {:?}", p.error());
        }
        p
    }

    const STEPS: usize = 150;

    /// The phase starts that stepping one event at a time finds in the first [`STEPS`] events
    /// after [`busy`] ([`phase_starts`] over the whole list). Clones of a playground share
    /// its engine, so this steps a playground of its own (the run is deterministic).
    fn stepped_starts() -> (usize, Vec<usize>) {
        let mut stepped = busy();
        let from = stepped.position();
        for _ in 0..STEPS {
            stepped = stepped.reduce(Action::Step);
        }
        let last = stepped.position();
        let starts = phase_starts(stepped.events().iter().map(|e| (e.position, &*e.event)))
            .into_iter()
            .map(|(pos, _)| pos)
            .filter(|&pos| pos > from && pos <= last)
            .collect();
        (from, starts)
    }

    /// The relation a forward jump must satisfy: it stops exactly at the phase starts that
    /// stepping finds in the same run, in order, and back jumps retrace them.
    #[test]
    fn jumps_stop_where_stepping_finds_the_phase_starts() {
        const { assert!(STEPS < EVENTS_KEPT) };
        let (from, starts) = stepped_starts();
        assert!(
            starts.len() >= 3,
            "the run should hold several phases, got starts at {starts:?}"
        );
        let mut p = busy();
        assert_eq!(p.position(), from);
        let mut stops = Vec::new();
        for _ in 0..starts.len() {
            p = p.reduce(Action::PhaseJump { forward: true });
            let item = p.events().back().unwrap();
            assert_eq!(item.position, p.position());
            assert!(phase_of(&item.event).is_some(), "{:?}", item.event);
            stops.push(p.position());
        }
        assert_eq!(stops, starts);

        // Back from the last start: the ones before it, in reverse.
        for &want in starts.iter().rev().skip(1) {
            p = p.reduce(Action::PhaseJump { forward: false });
            assert_eq!(p.position(), want);
        }
    }

    /// Inside a phase, back goes to where that phase began, not to the one before; with no
    /// earlier start kept, back stays and says so.
    #[test]
    fn back_from_inside_a_phase_goes_to_its_start() {
        let (_, starts) = stepped_starts();
        // A start followed by at least two events of its own phase.
        let i = (0..starts.len() - 1)
            .find(|&i| starts[i + 1] - starts[i] >= 3)
            .expect("a phase longer than two events");
        let mut p = busy();
        for _ in 0..=i {
            p = p.reduce(Action::PhaseJump { forward: true });
        }
        assert_eq!(p.position(), starts[i]);
        p = p.reduce(Action::Step);
        p = p.reduce(Action::Step);
        assert_eq!(p.position(), starts[i] + 2);
        p = p.reduce(Action::PhaseJump { forward: false });
        assert_eq!(p.position(), starts[i]);

        let mut p = busy();
        p = p.reduce(Action::PhaseJump { forward: true });
        let first = p.position();
        p = p.reduce(Action::PhaseJump { forward: false });
        assert_eq!(p.position(), first);
        assert!(p.narration().contains("No earlier"), "{}", p.narration());
    }

    /// The default scenario is quiet once its metadata is out: an idle producer and no
    /// consumer, so only `Fetch`es, heartbeats and timers follow. A forward jump that finds
    /// no phase within [`PHASE_JUMP_MAX`] events stays where it was and says so.
    #[test]
    fn a_jump_that_finds_no_phase_does_not_move() {
        let mut p = Rc::new(Playground::new(1)).reduce(Action::SetRunning(false));
        p = p.reduce(Action::PhaseJump { forward: true });
        let first = p.position();
        assert!(first > 0);
        p = p.reduce(Action::PhaseJump { forward: true });
        assert_eq!(p.position(), first);
        assert_eq!(
            p.narration(),
            format!("No new protocol phase within {PHASE_JUMP_MAX} events.")
        );
        assert_eq!(p.events().back().unwrap().position, first);
        // What it ran is recorded ahead, as after any step back.
        assert!(p.total() > first + PHASE_JUMP_MAX as usize - 10);
    }
}
