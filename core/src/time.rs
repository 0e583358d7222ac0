//! Simulated time. Every Kafka timeout is in milliseconds and keeps its real name, so the
//! simulation's clock is a count of milliseconds since the run began. Nothing here reads a
//! wall clock: time moves only when the simulation delivers an event.

use core::fmt;
use core::ops::{Add, Sub};

/// Milliseconds of simulated time since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millis(pub u64);

impl Millis {
    pub const ZERO: Millis = Millis(0);

    pub fn saturating_sub(self, other: Millis) -> u64 {
        self.0.saturating_sub(other.0)
    }
}

impl Add<u64> for Millis {
    type Output = Millis;
    fn add(self, rhs: u64) -> Millis {
        Millis(self.0.saturating_add(rhs))
    }
}

impl Sub<Millis> for Millis {
    type Output = u64;
    fn sub(self, rhs: Millis) -> u64 {
        self.0.saturating_sub(rhs.0)
    }
}

impl fmt::Display for Millis {
    /// `12.345s`: the form the UI and the trace print.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03}s", self.0 / 1000, self.0 % 1000)
    }
}
