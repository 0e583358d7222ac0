//! How many simulation events a drawn frame may carry, so that the whole frame (the simulation,
//! Yew's render, and the browser's style, layout and paint) fits the display's frames.
//!
//! The frame loop (`components::frames`) runs once per drawn frame, from
//! `requestAnimationFrame`, and tells the [`Pacer`] three times per frame: when the frame's
//! callback starts, when the simulation's share is done, and when the first task after the frame
//! runs (by then the browser has drawn it). What the frame took beyond the simulation is the
//! drawing (a moving average). The simulation's budget is then:
//!
//! - what the drawing leaves of one display frame ([`ONE_FRAME_TARGET_MS`]), at most
//!   [`SIM_MAX_MS`], when that leaves it at least [`SIM_MIN_MS`]: the page draws every display
//!   frame (60 Hz), and a simulation that keeps up needs far less than that anyway;
//! - otherwise what the drawing leaves of two display frames ([`TWO_FRAMES_TARGET_MS`]), at
//!   most [`SIM_MAX_TWO_FRAMES_MS`]: when drawing alone takes most of a frame (the large cluster
//!   of issue 7 in a software-painted browser took 10 to 13 ms while its messages in flight were
//!   drawn at 100×, before `cluster::in_flight_drawn`), squeezing the simulation into the rest
//!   would cut its speed to a fraction (measured then: 2,000 to 6,000 events a second instead
//!   of 26,000 at 100×) and still miss frames; at a steady 30 Hz it gets most of the time.
//!
//! The budget is a cap, not a quota: a simulation that has reached the time to show stops early,
//! so at 1× frames stay short. It is enforced twice: the frame's deadline (start + budget),
//! which the reducer checks every few events, and the number of events, tuned to the budget
//! (halved when the simulation overran it by more than [`OVERRUN`], grown by a quarter when
//! not), as the time one event takes varies from nanoseconds to a whole log roll.
//!
//! Pure arithmetic on the times it is given: no clock is read here, so it is tested natively.

use crate::state::MAX_EVENTS_PER_FRAME;

/// A frame drawn every display frame (60 Hz: 16.7 ms) should take at most this (ms); the margin
/// absorbs frames that cost more than the average. 12 with a floor of 3 ms for the simulation
/// switches to two display frames at the same drawing cost (9 ms) as 13 with 4 did, and keeps
/// frames a millisecond shorter: on the large cluster at 100x, three loads each, alternating,
/// frame p50 14.0-14.1 -> 12.8-13.0 ms and p95 15.3-15.6 -> 14.2-15.6 ms.
pub const ONE_FRAME_TARGET_MS: f64 = 12.0;
/// A frame drawn every other display frame: at most this (ms).
pub const TWO_FRAMES_TARGET_MS: f64 = 29.0;
/// The least the simulation gets of a frame drawn every display frame (ms); below it, the page
/// draws every other display frame instead.
pub const SIM_MIN_MS: f64 = 3.0;
/// The most the simulation takes of a frame drawn every display frame (ms).
pub const SIM_MAX_MS: f64 = 8.0;
/// The most it takes of a frame drawn every other display frame (ms).
pub const SIM_MAX_TWO_FRAMES_MS: f64 = 20.0;
/// A simulation that took more than its budget × this overran it (see [`Pacer::simulated`]).
pub const OVERRUN: f64 = 1.25;
/// The fewest events a frame may carry.
pub const MIN_EVENTS: u32 = 16;

/// The frame loop's controller; see the module docs.
#[derive(Clone, Debug)]
pub struct Pacer {
    max_events: u32,
    /// The drawing's share of recent frames (ms): Yew's render and the browser's rendering,
    /// a moving average so one slow frame does not starve the next ones.
    drawing_ms: f64,
    started_at: Option<f64>,
    simulated_ms: f64,
}

impl Default for Pacer {
    fn default() -> Self {
        Pacer {
            max_events: MAX_EVENTS_PER_FRAME,
            drawing_ms: 0.0,
            started_at: None,
            simulated_ms: 0.0,
        }
    }
}

impl Pacer {
    /// Events the next frame may deliver.
    pub fn max_events(&self) -> u32 {
        self.max_events
    }

    /// The simulation's share of the next frame, in ms.
    pub fn budget_ms(&self) -> f64 {
        let one = ONE_FRAME_TARGET_MS - self.drawing_ms;
        if one >= SIM_MIN_MS {
            one.min(SIM_MAX_MS)
        } else {
            (TWO_FRAMES_TARGET_MS - self.drawing_ms).clamp(SIM_MIN_MS, SIM_MAX_TWO_FRAMES_MS)
        }
    }

    /// A frame's callback starts at `now` (ms): the events it may deliver, and the deadline
    /// (ms, the same clock) by which their simulation should stop.
    pub fn begin(&mut self, now: f64) -> (u32, f64) {
        self.started_at = Some(now);
        self.simulated_ms = 0.0;
        (self.max_events, now + self.budget_ms())
    }

    /// The frame's simulation is done at `now`: tune the events to the budget.
    pub fn simulated(&mut self, now: f64) {
        let Some(start) = self.started_at else {
            return;
        };
        self.simulated_ms = (now - start).max(0.0);
        // The frame's deadline (`Action::Frame::until_ms`) stops the simulation near the budget,
        // a few events past it: only more than that is an overrun to answer with fewer events.
        self.max_events = if self.simulated_ms > self.budget_ms() * OVERRUN {
            (self.max_events / 2).max(MIN_EVENTS)
        } else {
            (self.max_events + self.max_events / 4).min(MAX_EVENTS_PER_FRAME)
        };
    }

    /// The first task after the frame runs at `now`: the frame has been drawn, so what it took
    /// beyond the simulation was drawing.
    pub fn drawn(&mut self, now: f64) {
        let Some(start) = self.started_at.take() else {
            return;
        };
        let drawing = (now - start - self.simulated_ms).max(0.0);
        self.drawing_ms = 0.75 * self.drawing_ms + 0.25 * drawing;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One frame: `sim` ms of simulation, then `draw` ms of drawing, starting at `t`.
    fn frame(p: &mut Pacer, t: f64, sim: f64, draw: f64) {
        p.begin(t);
        p.simulated(t + sim);
        p.drawn(t + sim + draw);
    }

    #[test]
    fn a_quick_drawing_leaves_the_simulation_its_largest_share() {
        let mut p = Pacer::default();
        for i in 0..20 {
            frame(&mut p, f64::from(i) * 16.7, 1.0, 2.0);
        }
        assert_eq!(p.budget_ms(), SIM_MAX_MS);
        assert_eq!(p.max_events(), MAX_EVENTS_PER_FRAME);
    }

    #[test]
    fn a_slower_drawing_leaves_the_simulation_the_rest_of_one_display_frame() {
        let mut p = Pacer::default();
        for i in 0..40 {
            frame(&mut p, f64::from(i) * 16.7, 1.0, 7.0);
        }
        // The average converges on 7 ms of drawing: 12 − 7 leaves 5 ms.
        assert!((p.budget_ms() - 5.0).abs() < 0.01, "{}", p.budget_ms());
        // A frame that starts at 1,000 ms has until about 1,005 ms to simulate.
        let (_, until_ms) = p.begin(1_000.0);
        assert!((until_ms - 1_005.0).abs() < 0.01, "{until_ms}");
    }

    #[test]
    fn a_drawing_that_fills_a_display_frame_leaves_the_rest_of_two() {
        let mut p = Pacer::default();
        for i in 0..40 {
            frame(&mut p, f64::from(i) * 33.3, 1.0, 12.0);
        }
        // 12 − 12 would leave nothing: the frame takes two display frames, 29 − 12 = 17 ms.
        assert!((p.budget_ms() - 17.0).abs() < 0.01, "{}", p.budget_ms());
        for i in 40..80 {
            frame(&mut p, f64::from(i) * 33.3, 1.0, 2.0);
        }
        assert_eq!(p.budget_ms(), SIM_MAX_MS, "back to every display frame");
        for i in 80..120 {
            frame(&mut p, f64::from(i) * 50.0, 1.0, 40.0);
        }
        assert_eq!(p.budget_ms(), SIM_MIN_MS, "never below the floor");
    }

    #[test]
    fn events_halve_when_the_simulation_overruns_and_grow_back_by_a_quarter() {
        let mut p = Pacer::default();
        frame(&mut p, 0.0, 20.0, 1.0);
        assert_eq!(p.max_events(), MAX_EVENTS_PER_FRAME / 2);
        frame(&mut p, 16.7, 1.0, 1.0);
        assert_eq!(
            p.max_events(),
            MAX_EVENTS_PER_FRAME / 2 + MAX_EVENTS_PER_FRAME / 8
        );
        for i in 0..20 {
            frame(&mut p, f64::from(i) * 16.7, 50.0, 1.0);
        }
        assert_eq!(p.max_events(), MIN_EVENTS, "never below the floor");
    }

    #[test]
    fn a_simulation_a_few_events_past_its_deadline_is_no_overrun() {
        let mut p = Pacer::default();
        frame(&mut p, 0.0, 20.0, 1.0);
        let halved = p.max_events();
        // Stopped by the deadline, a little late: the events keep growing.
        frame(&mut p, 16.7, SIM_MAX_MS * 1.2, 1.0);
        assert_eq!(p.max_events(), halved + halved / 4);
        frame(&mut p, 33.4, SIM_MAX_MS * OVERRUN * 1.01, 1.0);
        assert_eq!(p.max_events(), (halved + halved / 4) / 2);
    }

    #[test]
    fn times_out_of_order_change_nothing() {
        let mut p = Pacer::default();
        p.drawn(5.0);
        p.simulated(5.0);
        assert_eq!(p.max_events(), MAX_EVENTS_PER_FRAME);
        assert_eq!(p.budget_ms(), SIM_MAX_MS);
    }
}
