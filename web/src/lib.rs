//! `logscope-web`: the browser UI. It owns one [`logscope_core::Sim`], changes it only through
//! the reducer in [`state`] (which turns user actions and timer ticks into core calls), and
//! draws the plain-data [`logscope_core::ClusterView`] the core hands back.
//!
//! * [`state`]: the reducer: `Action` in, a new `SimState` (simulation plus its view) out.
//! * [`layout`]: where each broker and replica goes, as plain numbers; pure and tested natively.
//! * [`phases`]: protocol phases over the trace, for phase jumps; pure and tested natively.
//! * [`components`]: small function components that draw a layout and send actions back up.
//!
//! Wall-clock time exists only here (the interval that drives a running simulation); the seed
//! and the step number are on screen, so any picture can be reproduced.

pub mod components;
pub mod host;
pub mod i18n;
pub mod i18n_configs;
pub mod layout;
pub mod pacing;
pub mod phases;
pub mod share;
pub mod state;

pub use components::app::App;
