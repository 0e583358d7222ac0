//! Function components, one per thing on screen. Each takes plain props (data and callbacks)
//! and reads nothing else; only [`app::App`] holds state.

pub mod actions;
pub mod app;
pub mod charts;
pub mod cluster;
pub mod compare;
pub mod configs;
pub mod console;
pub mod embed;
pub mod panels;
pub mod seen;
pub mod sequence;
pub mod share;
pub mod toolbar;
pub mod tour;
