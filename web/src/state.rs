//! The UI's one piece of state and its reducer: the only place where the UI touches the
//! simulation (ARCHITECTURE.md, "web changes the simulation only through commands").
//!
//! Components dispatch an [`Action`]; the reducer drives the simulation and keeps a fresh
//! [`ClusterView`] for drawing. Two core types do the work:
//!
//! * every change to the cluster is a line of the scenario language run by one
//!   [`Session`] (a click builds the line, so what it did is in the console and replayable);
//! * time is a [`Timeline`], so a step back is exact. A line that changes the simulation
//!   starts a new *epoch*: a new timeline from the state the line produced. The run is the
//!   epochs end to end; a global position counts each event, plus one for each such line.
//!   Running a line in the past, or "fork from here", drops the recorded future.
//!
//! The engine (session, epochs) sits behind `Rc<RefCell<…>>` so that a reduce does not clone
//! the recorded run: Yew's reducer always holds the previous state while reducing.
//! The session's own state (e.g. console-producer clients) is not time-travelled.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use logscope_core::scenario::interp::MAX_SESSION_EVENTS;
use logscope_core::scenario::lex::split_words;
use logscope_core::scenario::{run_script_in, Session};
use logscope_core::sim::TraceEvent;
use logscope_core::{ClusterView, Millis, Sim, Timeline};
use yew::Reducible;

use crate::i18n::tr;
use crate::i18n::{narrate, t, Key, Lang};

mod compare;
mod phase;
mod tour;
pub use compare::{CompareAction, CompareState};
pub use phase::PHASE_JUMP_MAX;
pub use tour::{TourLoad, TourProgress};

/// The speed at slider position `exp` (-100..=100): 10^(exp/50), from 1/100x to 100x. In the
/// browser through JavaScript's `Math.pow`: Rust's `powf` brought libm's `pow` into the wasm
/// (1,351 bytes). Only the page uses it (wall-time pacing, the speed label, whether messages in
/// flight are drawn), never the engine, so the two implementations' last bits cannot change a
/// run.
pub fn speed_of(exp: i32) -> f64 {
    #[cfg(target_arch = "wasm32")]
    return js_sys::Math::pow(10.0, exp as f64 / 50.0);
    #[cfg(not(target_arch = "wasm32"))]
    return 10f64.powf(exp as f64 / 50.0);
}

/// The seed of the scenario the page opens on. It is on screen, so the picture can be
/// reproduced.
pub const DEFAULT_SEED: u64 = 1;
/// The topic of the default scenario.
pub const DEFAULT_TOPIC: &str = "orders";
/// The group the "add consumer" button joins.
pub const DEFAULT_GROUP: &str = "orders-app";
/// The most events one animation frame may deliver before it yields to the browser; the app
/// lowers it when frames get slow.
pub const MAX_EVENTS_PER_FRAME: u32 = 4_000;
/// Recent events kept for the protocol timeline.
pub const EVENTS_KEPT: usize = 200;
/// Console entries kept.
pub const CONSOLE_KEPT: usize = 400;
/// Speed is `10^(speed_exp / 50)`: -100 is 1/100×, 0 is 1×, 100 is 100×.
pub const SPEED_MIN: i32 = -100;
pub const SPEED_MAX: i32 = 100;

/// The lines that set up the default scenario: 3 brokers, `orders` with 3 partitions × RF 3,
/// one producer and one consumer. They are the console's first lines, so the page's starting
/// point is itself a script.
pub fn setup_lines(seed: u64) -> Vec<String> {
    vec![
        format!("cluster brokers=3 seed={seed}"),
        format!(
            "kafka-topics --create --topic {DEFAULT_TOPIC} --partitions 3 --replication-factor 3"
        ),
        "producer add producer-1".to_string(),
    ]
}

/// The default scenario as a bare simulation (for tests that draw a view).
pub fn default_sim(seed: u64) -> Result<Sim, String> {
    let mut session = Session::new();
    for line in setup_lines(seed) {
        session.run_line(&line).map_err(|e| e.to_string())?;
    }
    session
        .sim()
        .cloned()
        .ok_or_else(|| "no cluster".to_string())
}

/// `script` with `seed` on each of its `cluster` lines (replacing a `seed=` already there), so
/// that a scenario and a seed given apart (a host page's `load`, a link) run as one.
pub fn with_seed(script: &str, seed: u64) -> String {
    let mut out = String::with_capacity(script.len() + 16);
    for line in script.lines() {
        let is_cluster = split_words(line)
            .ok()
            .is_some_and(|w| w.first().is_some_and(|w| w == "cluster") && !line.ends_with('\\'));
        if is_cluster {
            let kept: Vec<&str> = line
                .split_whitespace()
                .filter(|w| !w.starts_with("seed="))
                .collect();
            out.push_str(&kept.join(" "));
            out.push_str(&format!(" seed={seed}"));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// Whether some `cluster` line of `script` names its seed (`seed=`). A link's script made by
/// this page always does, and then it is authoritative: a run with several `cluster` lines
/// keeps each one's own seed.
pub fn names_its_seed(script: &str) -> bool {
    script.lines().any(|line| {
        split_words(line).ok().is_some_and(|w| {
            w.first().is_some_and(|c| c == "cluster") && w.iter().any(|x| x.starts_with("seed="))
        })
    })
}

/// Quotes a word for the scenario language when it needs it.
pub fn quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,=:/".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// An animation frame: if running, move the display clock by `wall_ms` × speed and
    /// deliver the events due, at most `max_events` of them, stopping at the first look at the
    /// page's clock (`performance.now()`, every `DEADLINE_EVERY` events) that reads `until_ms`
    /// or later (infinite: no deadline).
    Frame {
        wall_ms: f64,
        max_events: u32,
        until_ms: f64,
    },
    SetRunning(bool),
    TogglePlay,
    /// Deliver exactly one event (or cross one console line of the recorded run).
    Step,
    /// Go back exactly one position.
    StepBack,
    /// Go to a global position (the scrubber).
    Seek(usize),
    /// Go to just after event number `step` (findings' "jump to step").
    SeekStep(u64),
    /// Drop the recorded future: the run continues from here on a new branch.
    Fork,
    /// Speed exponent, see [`SPEED_MIN`].
    SetSpeed(i32),
    /// Run a line of the scenario language (typed in the console or built by a click).
    RunLine(String),
    /// Start the default scenario again with this seed.
    Restart {
        seed: u64,
    },
    SetLang(Lang),
    /// Open a scenario (a link, an imported `.scn` file, a host page's `load`): run `script`
    /// (with `seed` put on its `cluster` line when given), then deliver events up to event
    /// number `step`. A script that fails is refused with its line and reason, and changes
    /// nothing but the notice.
    Load {
        script: String,
        seed: Option<u64>,
        /// `None`: where the script ends.
        step: Option<u64>,
    },
    /// A plain message above the drawing (a refused link or file); `None` dismisses it.
    Notice(Option<String>),

    /// Guided tours (`state/tour.rs`): start one by id (the panel then fetches its file, see
    /// `components::tour::open_tour`), its file arrived (or could not be read), move, answer,
    /// close.
    TourStart(String),
    TourLoaded {
        id: String,
        /// The tour's text, or why it could not be fetched.
        source: Result<String, String>,
    },
    TourNext,
    TourBack,
    TourAnswer(usize),
    TourClose,
    /// shift+← / shift+→: to where the previous / next protocol phase starts (`phase.rs`).
    PhaseJump {
        forward: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConsoleKind {
    Input,
    Output,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleEntry {
    pub kind: ConsoleKind,
    pub text: String,
}

/// One delivered event, with the global position right after it (click → seek there).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventItem {
    pub position: usize,
    /// Shared: the list is copied whenever a frame adds to it while the previous state still
    /// holds it, and a copy of [`EVENTS_KEPT`] whole events (with their strings) cost more than
    /// the frame's simulation at 1× (BENCHMARKS.md, frame time).
    pub event: Rc<TraceEvent>,
}

struct Epoch {
    /// The global position of this epoch's first state.
    start: usize,
    timeline: Timeline,
    /// The last local position that belongs to this epoch (set once a later epoch exists).
    cap: Option<usize>,
    /// Events delivered before this epoch began (its first state's step number).
    first_step: u64,
    /// The scenario lines that lead from the previous epoch's state to this one's first state
    /// (`step K`, `run Dms`, then the line that was run), so the run can be written out as a
    /// script that replays to the same state (links, export, saved session).
    intro: Vec<String>,
}

/// The recorded run: epochs of timelines, and the interpreter that makes new ones.
struct Engine {
    session: Session,
    epochs: Vec<Epoch>,
    cur: usize,
    /// What the last event that took a checkpoint cost on the page's clock (ms), so that a
    /// frame short of that much budget leaves the next one for the next frame (`advance`).
    checkpoint_ms: f64,
}

impl Engine {
    fn sim(&self) -> &Sim {
        self.epochs[self.cur].timeline.sim()
    }

    fn position(&self) -> usize {
        let e = &self.epochs[self.cur];
        e.start + e.timeline.position()
    }

    fn total(&self) -> usize {
        let e = self.epochs.last().expect("at least one epoch");
        e.start + e.timeline.len()
    }

    /// Whether the next event forward copies the state into a checkpoint
    /// ([`Timeline::checkpoint_due`]).
    fn checkpoint_due(&self) -> bool {
        let e = &self.epochs[self.cur];
        e.cap.is_none_or(|cap| e.timeline.position() < cap) && e.timeline.checkpoint_due()
    }

    fn limit(e: &Epoch) -> usize {
        e.cap.unwrap_or_else(|| e.timeline.len())
    }

    /// One position forward; `None` if nothing moved, `Some(event)` otherwise. With `describe`
    /// false an event moves without being described (`Some(None)`): describing formats its
    /// message and node names, work wasted on events the page will not keep ([`EVENTS_KEPT`]).
    fn forward(&mut self, describe: bool) -> Option<Option<TraceEvent>> {
        let k = self.cur;
        let e = &mut self.epochs[k];
        if let Some(cap) = e.cap {
            if e.timeline.position() >= cap {
                let end = e.start + cap;
                if k + 1 >= self.epochs.len() {
                    return None;
                }
                self.cur = k + 1;
                let next = &mut self.epochs[k + 1];
                next.timeline.seek(0);
                if next.start == end {
                    // A fork boundary: the same state; the move is the next event.
                    return self.forward(describe);
                }
                return Some(None);
            }
        }
        let before = e.timeline.position();
        let ev = if describe {
            e.timeline.step_event()
        } else {
            e.timeline.step();
            None
        };
        (e.timeline.position() != before).then_some(ev)
    }

    fn seek(&mut self, pos: usize) {
        let pos = pos.min(self.total());
        let k = self
            .epochs
            .iter()
            .rposition(|e| e.start <= pos)
            .unwrap_or(0);
        let e = &mut self.epochs[k];
        let local = (pos - e.start).min(Self::limit(e));
        e.timeline.seek(local);
        self.cur = k;
    }

    fn seek_step(&mut self, step: u64) {
        let k = self
            .epochs
            .iter()
            .rposition(|e| e.first_step <= step)
            .unwrap_or(0);
        let e = &self.epochs[k];
        let local = e.timeline.position_of_step(step).min(Self::limit(e));
        self.seek(e.start + local);
    }

    /// Ends the current epoch here and starts a new one at `start` from `sim`.
    fn branch(&mut self, start: usize, sim: Sim, intro: Vec<String>) {
        let k = self.cur;
        let local = self.epochs[k].timeline.position();
        self.epochs[k].cap = Some(local);
        self.epochs.truncate(k + 1);
        self.epochs.push(Epoch {
            start,
            first_step: sim.steps(),
            timeline: Timeline::new(sim),
            cap: None,
            intro,
        });
        self.cur = k + 1;
    }

    /// The lines that replay the current epoch's steps so far (`step K`) and, when the clock
    /// was moved past the last event, that move (`run Dms`): what leads from this epoch's
    /// first state to `here`.
    fn lines_to(&self, here: &Sim) -> Vec<String> {
        let e = &self.epochs[self.cur];
        let mut lines = Vec::new();
        let k = self.sim().steps().saturating_sub(e.first_step);
        if k > 0 {
            lines.push(format!("step {k}"));
        }
        let moved = here.now().0.saturating_sub(self.sim().now().0);
        if moved > 0 {
            lines.push(format!("run {moved}ms"));
        }
        lines
    }

    /// The run up to the current epoch's first state as a script; the current step number
    /// says how far into this epoch the moment is.
    fn script(&self) -> String {
        let mut out = String::new();
        for e in &self.epochs[..=self.cur] {
            for line in &e.intro {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    /// Whether positions after this one are recorded (we are in the past).
    fn has_future(&self) -> bool {
        self.position() < self.total()
    }
}

/// A cluster view as the page hands it to components, compared by identity, not content: the
/// page makes a new one only when the run moved ([`Playground`]'s `refresh`), so two distinct
/// views all but always differ, and a prop check need not walk the whole cluster. The derived
/// `ClusterView ==` that such checks ran was 1.9 KB of the gzipped bundle (ARCHITECTURE.md).
#[derive(Clone)]
pub struct SharedView(Rc<ClusterView>);

impl SharedView {
    pub fn new(view: ClusterView) -> Self {
        SharedView(Rc::new(view))
    }
}

impl std::ops::Deref for SharedView {
    type Target = ClusterView;
    fn deref(&self) -> &ClusterView {
        &self.0
    }
}

impl AsRef<ClusterView> for SharedView {
    fn as_ref(&self) -> &ClusterView {
        &self.0
    }
}

impl PartialEq for SharedView {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The view on screen now, behind a handle that stays the same from step to step. For a
/// component that reads the view only when the user acts (the console's Tab completion): its
/// props compare the handle, not the view, so a run does not redraw it on every step.
#[derive(Clone)]
pub struct LatestView(Rc<RefCell<SharedView>>);

impl LatestView {
    pub fn new(view: SharedView) -> Self {
        LatestView(Rc::new(RefCell::new(view)))
    }

    pub fn get(&self) -> SharedView {
        self.0.borrow().clone()
    }

    pub fn set(&self, view: SharedView) {
        *self.0.borrow_mut() = view;
    }
}

impl PartialEq for LatestView {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Clone)]
pub struct Playground {
    engine: Rc<RefCell<Engine>>,
    seed: u64,
    running: bool,
    speed_exp: i32,
    lang: Lang,
    /// Simulated time being shown, in ms: at or after the simulation's clock; messages in
    /// flight are drawn where they are at this time.
    display_ms: f64,
    view: SharedView,
    position: usize,
    total: usize,
    console: Rc<Vec<ConsoleEntry>>,
    history: Rc<Vec<String>>,
    events: Rc<VecDeque<EventItem>>,
    narration: String,
    error: Option<String>,
    notice: Option<String>,
    /// Lines run since the last one that changed the simulation, while a console-producer
    /// block is open: they go into the script with the line that ends the block.
    pending: Vec<String>,

    tour: Option<Rc<TourProgress>>,
    /// A tour being fetched, or one that could not be.
    tour_load: Option<TourLoad>,
}

impl PartialEq for Playground {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.engine, &other.engine)
            && self.position == other.position
            && self.total == other.total
            && self.running == other.running
            && self.speed_exp == other.speed_exp
            && self.lang == other.lang
            && self.display_ms == other.display_ms
            && self.view == other.view
            && Rc::ptr_eq(&self.console, &other.console)
            && self.notice == other.notice
            && self.tour == other.tour
            && self.tour_load == other.tour_load
    }
}

impl Playground {
    /// The default scenario with `seed`, running, in English.
    pub fn new(seed: u64) -> Self {
        Self::with_lang(seed, Lang::En)
    }

    pub fn with_lang(seed: u64, lang: Lang) -> Self {
        let mut session = Session::new();
        let mut console = Vec::new();
        let mut error = None;
        for line in setup_lines(seed) {
            console.push(ConsoleEntry {
                kind: ConsoleKind::Input,
                text: line.clone(),
            });
            match session.run_line(&line) {
                Ok(out) => console.extend(out.lines.into_iter().map(|text| ConsoleEntry {
                    kind: ConsoleKind::Output,
                    text,
                })),
                Err(e) => {
                    error = Some(format!("the default scenario was refused: {e}"));
                    break;
                }
            }
        }
        let sim = session
            .sim()
            .cloned()
            .unwrap_or_else(|| Sim::new(Default::default(), seed).expect("default spec"));
        let engine = Engine {
            session,
            checkpoint_ms: 0.0,
            epochs: vec![Epoch {
                start: 0,
                first_step: sim.steps(),
                timeline: Timeline::new(sim),
                cap: None,
                intro: setup_lines(seed),
            }],
            cur: 0,
        };
        let view = SharedView::new(drawn_view(engine.sim()));
        Playground {
            engine: Rc::new(RefCell::new(engine)),
            seed,
            running: error.is_none(),
            speed_exp: 0,
            lang,
            display_ms: view.time_ms as f64,
            view,
            position: 0,
            total: 0,
            console: Rc::new(console),
            history: Rc::new(Vec::new()),
            events: Rc::new(VecDeque::new()),
            narration: String::new(),
            error,
            notice: None,
            pending: Vec::new(),

            tour: None,
            tour_load: None,
        }
    }

    /// Opens a scenario: runs `script` as a test would (stopping at the first error, which is
    /// returned with its line number), then delivers events up to event number `step`. With
    /// `seed`, the script's `cluster` lines use that seed. Opens paused: it is a moment.
    pub fn from_script(
        script: &str,
        seed: Option<u64>,
        step: Option<u64>,
        lang: Lang,
    ) -> Result<Self, String> {
        let script = match seed {
            Some(seed) => with_seed(script, seed),
            None => script.to_string(),
        };
        let mut session = Session::new();
        let transcript = run_script_in(&mut session, &script)
            .map_err(|f| format!("line {}: {}", f.line_no, f.message))?;
        let Some(sim) = session.sim().cloned() else {
            return Err(
                "the scenario starts no cluster (it needs a 'cluster brokers=N' line)".into(),
            );
        };
        let step = step.unwrap_or(sim.steps());
        if step > MAX_SESSION_EVENTS {
            return Err(format!(
                "step {step} is beyond the playground's limit of {MAX_SESSION_EVENTS} events"
            ));
        }
        if step < sim.steps() {
            return Err(format!(
                "step {step} is before the end of the scenario (it ends at step {})",
                sim.steps()
            ));
        }
        let mut console = Vec::new();
        for entry in transcript.entries {
            console.push(ConsoleEntry {
                kind: ConsoleKind::Input,
                text: entry.source,
            });
            console.extend(entry.output.into_iter().map(|text| ConsoleEntry {
                kind: ConsoleKind::Output,
                text,
            }));
            if let Some(text) = entry.error {
                console.push(ConsoleEntry {
                    kind: ConsoleKind::Error,
                    text,
                });
            }
        }
        let seed = sim.seed();
        let mut intro: Vec<String> = script.lines().map(str::to_string).collect();
        // A script may end inside a block, or with a joined line; the lines keep their text.
        while intro.last().is_some_and(|l| l.trim().is_empty()) {
            intro.pop();
        }
        let engine = Engine {
            session,
            checkpoint_ms: 0.0,
            epochs: vec![Epoch {
                start: 0,
                first_step: sim.steps(),
                timeline: Timeline::new(sim),
                cap: None,
                intro,
            }],
            cur: 0,
        };
        let view = SharedView::new(drawn_view(engine.sim()));
        let mut p = Playground {
            engine: Rc::new(RefCell::new(engine)),
            seed,
            running: false,
            speed_exp: 0,
            lang,
            display_ms: 0.0,
            view,
            position: 0,
            total: 0,
            console: Rc::new(console),
            history: Rc::new(Vec::new()),
            events: Rc::new(VecDeque::new()),
            narration: String::new(),
            error: None,
            notice: None,
            pending: Vec::new(),
            tour: None,
            tour_load: None,
        };
        if let (_, Some(at)) = p.run_on_to(step) {
            p.refresh();
            return Err(format!(
                "step {step} is never reached: the run stops at step {at}"
            ));
        }
        p.narrate_last();
        p.refresh();
        p.display_ms = p.view.time_ms as f64;
        Ok(p)
    }

    /// The run so far as a script that [`Playground::from_script`] replays to this moment
    /// together with the step number (`view().step`).
    pub fn script(&self) -> String {
        self.engine.borrow().script()
    }

    /// The run so far as a script that replays to this very moment on its own (what
    /// "Export .scn" writes): [`Playground::script`] and the steps taken since.
    pub fn script_to_here(&self) -> String {
        let engine = self.engine.borrow();
        let mut script = engine.script();
        for line in engine.lines_to(engine.sim()) {
            script.push_str(&line);
            script.push('\n');
        }
        script
    }

    /// Sets the notice (used when the page opens with a problem to report).
    pub fn with_notice(mut self, notice: Option<String>) -> Self {
        self.notice = notice;
        self
    }

    /// A plain message about a refused link or file, shown until dismissed.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }
    pub fn running(&self) -> bool {
        self.running
    }
    pub fn lang(&self) -> Lang {
        self.lang
    }
    pub fn speed_exp(&self) -> i32 {
        self.speed_exp
    }
    /// Simulated ms per wall-clock ms.
    pub fn speed(&self) -> f64 {
        speed_of(self.speed_exp)
    }
    pub fn display_ms(&self) -> f64 {
        self.display_ms
    }
    pub fn view(&self) -> &SharedView {
        &self.view
    }
    pub fn position(&self) -> usize {
        self.position
    }
    pub fn total(&self) -> usize {
        self.total
    }
    pub fn console(&self) -> &Rc<Vec<ConsoleEntry>> {
        &self.console
    }
    pub fn history(&self) -> &Rc<Vec<String>> {
        &self.history
    }
    pub fn events(&self) -> &Rc<VecDeque<EventItem>> {
        &self.events
    }
    /// The last event in a sentence, for the live region.
    pub fn narration(&self) -> &str {
        &self.narration
    }
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Keeps an event for the event list and narrates it.
    fn note_event(&mut self, position: usize, ev: Option<TraceEvent>) {
        if self.push_event(position, ev) {
            self.narrate_last();
        }
    }

    /// The live region says the newest event; a frame at 100x moves a thousand, so loops that
    /// move many call this once at their end rather than narrating each (measured: a sentence
    /// for every event took 5% of the main thread at 100x).
    fn narrate_last(&mut self) {
        if let Some(item) = self.events.back() {
            self.narration = narrate(self.lang, &item.event);
        }
    }

    /// Runs on to just after event number `step` (opening a moment, a host page's `seek`),
    /// describing only the events the list keeps ([`keeps`]). Returns whether any event was kept,
    /// and the step the run stopped at if it ends before `step`.
    fn run_on_to(&mut self, step: u64) -> (bool, Option<u64>) {
        let mut kept = false;
        loop {
            let at = self.engine.borrow().sim().steps();
            if at >= step {
                return (kept, None);
            }
            let Some(ev) = self.engine.borrow_mut().forward(keeps(at, step)) else {
                return (kept, Some(at));
            };
            let position = self.engine.borrow().position();
            kept |= self.push_event(position, ev);
        }
    }

    /// Keeps an event for the event list; false when there was none.
    fn push_event(&mut self, position: usize, ev: Option<TraceEvent>) -> bool {
        let Some(event) = ev else { return false };
        let events = Rc::make_mut(&mut self.events);
        while events.back().is_some_and(|e| e.position >= position) {
            events.pop_back();
        }
        events.push_back(EventItem {
            position,
            event: Rc::new(event),
        });
        while events.len() > EVENTS_KEPT {
            events.pop_front();
        }
        true
    }

    /// After a jump: forget events after here, redraw, show the sim's own clock.
    fn after_jump(&mut self) {
        let position = self.engine.borrow().position();
        let events = Rc::make_mut(&mut self.events);
        while events.back().is_some_and(|e| e.position > position) {
            events.pop_back();
        }
        self.refresh();
        self.display_ms = self.view.time_ms as f64;
    }

    fn refresh(&mut self) {
        let engine = self.engine.borrow();
        self.position = engine.position();
        self.total = engine.total();
        self.view = SharedView::new(drawn_view(engine.sim()));
        self.display_ms = self.display_ms.max(self.view.time_ms as f64);
    }

    fn print(&mut self, kind: ConsoleKind, text: String) {
        let console = Rc::make_mut(&mut self.console);
        console.push(ConsoleEntry { kind, text });
        if console.len() > CONSOLE_KEPT {
            let extra = console.len() - CONSOLE_KEPT;
            console.drain(..extra);
        }
    }

    fn run_line(&mut self, line: &str) {
        self.print(ConsoleKind::Input, line.to_string());
        if !line.trim().is_empty() {
            let history = Rc::make_mut(&mut self.history);
            if history.last().map(String::as_str) != Some(line) {
                history.push(line.to_string());
            }
        }
        let result = {
            let mut engine = self.engine.borrow_mut();
            let engine = &mut *engine;
            // The line acts at the time on screen, not at the last event's time.
            let mut here = engine.sim().clone();
            let shown = Millis(self.display_ms as u64);
            if here.now() < shown {
                here.advance_clock_to(shown);
            }
            if let Some(sim) = engine.session.sim_mut() {
                *sim = here.clone();
            }
            let result = engine.session.run_line(line);
            if result.is_ok() {
                // Lines of a console-producer block belong to the script with the line that
                // ends it.
                self.pending.push(line.to_string());
                if let Some(after) = engine.session.sim() {
                    if !after.same_run(&here) {
                        let start = engine.position() + 1;
                        let mut intro = engine.lines_to(&here);
                        intro.append(&mut self.pending);
                        engine.branch(start, after.clone(), intro);
                    } else if !engine.session.awaiting_input() {
                        self.pending.clear();
                    }
                }
            }
            result
        };
        match result {
            Ok(out) => {
                for text in out.lines {
                    self.print(ConsoleKind::Output, text);
                }
            }
            Err(e) => self.print(ConsoleKind::Error, e.to_string()),
        }
        self.seed = self.engine.borrow().sim().seed();
        self.after_jump();
    }

    fn advance(&mut self, sim_ms: f64, max_events: u32, until_ms: f64) {
        let target = self.display_ms + sim_ms;
        let mut moved = false;
        let mut narrate = false;
        let mut delivered = 0;
        loop {
            // The event count is the pacer's estimate from the last frames; the deadline bounds a
            // frame whose events cost more than theirs did (a rebalance, a log roll). Reading the
            // clock is a call into JavaScript, so it is read every DEADLINE_EVERY events.
            let late = delivered > 0
                && delivered % DEADLINE_EVERY == 0
                && until_ms.is_finite()
                && page_clock_ms() >= until_ms;
            if delivered >= max_events || late {
                self.out_of_budget();
                break;
            }
            let next = self.engine.borrow().sim().next_event_time();
            match next {
                Some(at) if (at.0 as f64) <= target => {
                    // The event that takes a checkpoint costs as much as hundreds of others on a
                    // large cluster, all at once, past any look at the deadline: if the last one
                    // would not fit what is left of the budget, the next frame starts with it.
                    let checkpoint_at = (until_ms.is_finite()
                        && self.engine.borrow().checkpoint_due())
                    .then(page_clock_ms);
                    if let Some(now) = checkpoint_at {
                        if delivered > 0 && now + self.engine.borrow().checkpoint_ms >= until_ms {
                            self.out_of_budget();
                            break;
                        }
                    }
                    let step = self.engine.borrow_mut().forward(true);
                    if let Some(start) = checkpoint_at {
                        self.engine.borrow_mut().checkpoint_ms = page_clock_ms() - start;
                    }
                    match step {
                        Some(ev) => {
                            moved = true;
                            delivered += 1;
                            let position = self.engine.borrow().position();
                            narrate |= self.push_event(position, ev);
                        }
                        None => {
                            self.display_ms = target;
                            break;
                        }
                    }
                }
                _ => {
                    // At a console line of the recorded run, cross it in time order.
                    let has_future = self.engine.borrow().has_future();
                    if has_future
                        && next.is_none()
                        && self.engine.borrow_mut().forward(true).is_some()
                    {
                        moved = true;
                        delivered += 1;
                        continue;
                    }
                    self.display_ms = target;
                    break;
                }
            }
        }
        if narrate {
            self.narrate_last();
        }
        if moved {
            self.refresh();
        }
    }

    /// A frame out of budget: the picture lags behind; the next frame goes on from here.
    fn out_of_budget(&mut self) {
        let now = self.engine.borrow().sim().now().0 as f64;
        self.display_ms = self.display_ms.max(now);
    }
}

/// How many events a frame delivers between two looks at its deadline.
const DEADLINE_EVERY: u32 = 16;

/// The page's clock (`performance.now()`), for a frame's deadline; natively (tests) there is
/// none, and frames there have no deadline.
#[cfg(target_arch = "wasm32")]
fn page_clock_ms() -> f64 {
    crate::components::now_ms()
}

#[cfg(not(target_arch = "wasm32"))]
fn page_clock_ms() -> f64 {
    0.0
}

/// Whether a run from step `at` to step `target` keeps the next event for the event list: only
/// the last [`EVENTS_KEPT`] are, so a link opened at step 100,000 describes 200 events, not
/// 100,000 (each event is one step).
fn keeps(at: u64, target: u64) -> bool {
    target.saturating_sub(at) <= EVENTS_KEPT as u64
}

/// The view the page draws: only the records a log strip shows, as it is built on every frame.
fn drawn_view(sim: &Sim) -> ClusterView {
    sim.view_with_records(crate::layout::CELLS as usize)
}

impl Reducible for Playground {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        match action {
            Action::Restart { seed } => return Rc::new(Playground::with_lang(seed, self.lang)),
            Action::SetRunning(running) if running == self.running => return self,
            Action::Frame { .. } if !self.running => return self,
            Action::SetLang(lang) if lang == self.lang => return self,
            _ => {}
        }
        let mut next = (*self).clone();
        match action {
            Action::Frame {
                wall_ms,
                max_events,
                until_ms,
            } => {
                let sim_ms = wall_ms.clamp(0.0, 250.0) * next.speed();
                next.advance(sim_ms, max_events, until_ms);
            }
            Action::SetRunning(running) => next.running = running,
            Action::TogglePlay => next.running = !next.running,
            Action::Step => {
                let ev = next.engine.borrow_mut().forward(true);
                if let Some(ev) = ev {
                    let position = next.engine.borrow().position();
                    next.note_event(position, ev);
                    next.refresh();
                    next.display_ms = next.view.time_ms as f64;
                }
            }
            Action::StepBack => {
                let pos = next.engine.borrow().position();
                if pos == 0 {
                    return self;
                }
                next.engine.borrow_mut().seek(pos - 1);
                next.narration = format!("{} {}", t(next.lang, Key::StepNo), next.view.step);
                next.after_jump();
                next.narration = format!(
                    "{}: {} {}",
                    t(next.lang, Key::StepBack),
                    t(next.lang, Key::StepNo),
                    next.view.step
                );
            }
            Action::Seek(pos) => {
                next.engine.borrow_mut().seek(pos);
                next.after_jump();
            }
            Action::SeekStep(step) => {
                next.engine.borrow_mut().seek_step(step);
                next.running = false;
                // A step not recorded yet (a host page's `seek`) is reached by running on.
                // At most the session's event budget, so no request can keep the tab busy.
                let (narrate, _) = next.run_on_to(step.min(MAX_SESSION_EVENTS));
                if narrate {
                    next.narrate_last();
                }
                next.after_jump();
            }
            Action::Fork => {
                let has_future = next.engine.borrow().has_future();
                if !has_future {
                    return self;
                }
                {
                    let mut engine = next.engine.borrow_mut();
                    let here = engine.position();
                    let sim = engine.sim().clone();
                    let intro = engine.lines_to(&sim);
                    engine.branch(here, sim, intro);
                }
                next.narration = t(next.lang, Key::Forked).to_string();
                next.after_jump();
            }
            Action::SetSpeed(exp) => next.speed_exp = exp.clamp(SPEED_MIN, SPEED_MAX),
            Action::RunLine(line) => next.run_line(&line),
            Action::SetLang(lang) => next.lang = lang,
            Action::Notice(notice) => next.notice = notice,
            Action::Load { script, seed, step } => {
                match Playground::from_script(&script, seed, step, next.lang) {
                    Ok(mut opened) => {
                        opened.speed_exp = next.speed_exp;
                        return Rc::new(opened);
                    }
                    Err(why) => {
                        next.notice = Some(format!(
                            "{}: {why}",
                            tr(next.lang, "This scenario was not opened")
                        ))
                    }
                }
            }

            Action::TourStart(id) => next.tour_start(&id),
            Action::TourLoaded { id, source } => next.tour_loaded(&id, source),
            Action::TourNext => next.tour_next(),
            Action::TourBack => next.tour_back(),
            Action::TourAnswer(i) => next.tour_answer(i),
            Action::TourClose => {
                next.tour = None;
                next.tour_load = None;
            }
            Action::PhaseJump { forward } => next.phase_jump(forward),
            Action::Restart { .. } => {}
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leader_of(view: &ClusterView, topic: &str, partition: u32) -> Option<u32> {
        view.topics
            .iter()
            .find(|t| t.name == topic)?
            .partitions
            .iter()
            .find(|p| p.partition == partition)?
            .leader
            .map(|b| b.0)
    }

    fn frames(mut state: Rc<Playground>, n: usize) -> Rc<Playground> {
        for _ in 0..n {
            state = state.reduce(Action::Frame {
                wall_ms: 100.0,
                max_events: MAX_EVENTS_PER_FRAME,
                until_ms: f64::INFINITY,
            });
        }
        state
    }

    #[test]
    fn opens_on_three_brokers_and_three_partitions_running() {
        let state = Playground::new(DEFAULT_SEED);
        assert!(state.running(), "{:?}", state.error());
        let view = state.view();
        assert_eq!(view.seed, DEFAULT_SEED);
        assert_eq!(view.brokers.len(), 3);
        let orders = view
            .topics
            .iter()
            .find(|t| t.name == DEFAULT_TOPIC)
            .unwrap();
        assert_eq!(orders.partitions.len(), 3);
        assert!(state.console().iter().any(|e| e.text.contains("cluster")));
    }

    #[test]
    fn frames_advance_time_and_elect_leaders() {
        let state = frames(Rc::new(Playground::new(DEFAULT_SEED)), 100);
        assert!(state.view().time_ms >= 9_000, "{}", state.view().time_ms);
        assert!(leader_of(state.view(), DEFAULT_TOPIC, 0).is_some());
        assert_eq!(state.position(), state.total());
    }

    #[test]
    fn a_frame_of_many_events_narrates_its_last_one() {
        let before = frames(Rc::new(Playground::new(DEFAULT_SEED)), 5);
        let after = frames(Rc::clone(&before), 1);
        let moved = after.position() - before.position();
        assert!(moved > 1, "the frame moved {moved} events");
        let last = after.events().back().expect("an event");
        assert_eq!(last.position, after.position());
        assert_eq!(after.narration(), narrate(after.lang(), &last.event));
        assert_ne!(after.narration(), before.narration());
    }

    /// A frame past its deadline still moves (DEADLINE_EVERY events), and no further: natively
    /// the page's clock reads 0, so a deadline of -1 ms has passed.
    #[test]
    fn a_frame_stops_at_its_deadline() {
        let state = frames(Rc::new(Playground::new(DEFAULT_SEED)), 5).reduce(Action::SetSpeed(100));
        let frame = |until_ms| {
            Rc::clone(&state).reduce(Action::Frame {
                wall_ms: 100.0,
                max_events: MAX_EVENTS_PER_FRAME,
                until_ms,
            })
        };
        let late = frame(-1.0);
        assert_eq!(late.position() - state.position(), DEADLINE_EVERY as usize);
        let timely = frame(f64::INFINITY);
        assert!(timely.position() - state.position() > DEADLINE_EVERY as usize);
    }

    /// A frame short of the budget a checkpoint costs leaves that event for the next frame, so
    /// the copy is never taken behind the frame's deadline. Natively the page's clock reads 0
    /// and a checkpoint costs 0 ms on it, so with a deadline of 0 ms every frame is short:
    /// each event that takes a checkpoint must be the first of its frame.
    #[test]
    fn a_frame_leaves_a_due_checkpoint_to_the_next_frame() {
        use logscope_core::sim::timeline::FIRST_INTERVAL;
        let mut state = Rc::new(Playground::new(DEFAULT_SEED)).reduce(Action::SetSpeed(100));
        let mut first_of_a_frame = 0;
        while state.position() < 3 * FIRST_INTERVAL + 1 {
            let start = state.position();
            state = state.reduce(Action::Frame {
                wall_ms: 100.0,
                max_events: MAX_EVENTS_PER_FRAME,
                until_ms: 0.0,
            });
            let end = state.position();
            assert!(end > start, "every frame moves");
            // The event that brings the position to a multiple of the interval takes the copy.
            for at in (start + 1..=end).filter(|p| p % FIRST_INTERVAL == 0) {
                assert_eq!(
                    at,
                    start + 1,
                    "frame {start}..{end} took a checkpoint inside it"
                );
                first_of_a_frame += 1;
            }
        }
        assert_eq!(first_of_a_frame, 3);
        // Without a deadline nothing is left for later: the frame that crosses the first
        // interval takes the checkpoint wherever it falls.
        let mut state = Rc::new(Playground::new(DEFAULT_SEED)).reduce(Action::SetSpeed(100));
        let (start, end) = loop {
            let start = state.position();
            state = frames(state, 1);
            if state.position() >= FIRST_INTERVAL {
                break (start, state.position());
            }
        };
        assert!(
            start + 1 < FIRST_INTERVAL && FIRST_INTERVAL <= end,
            "{start}..{end}"
        );
    }

    #[test]
    fn a_paused_frame_changes_nothing_and_skips_the_render() {
        let state = Rc::new(Playground::new(DEFAULT_SEED)).reduce(Action::SetRunning(false));
        let after = Rc::clone(&state).reduce(Action::Frame {
            wall_ms: 16.0,
            max_events: 10,
            until_ms: f64::INFINITY,
        });
        assert!(Rc::ptr_eq(&state, &after));
    }

    #[test]
    fn step_and_step_back_are_exact() {
        let state =
            frames(Rc::new(Playground::new(DEFAULT_SEED)), 30).reduce(Action::SetRunning(false));
        let before = state.view().as_ref().clone();
        let stepped = state.reduce(Action::Step);
        assert_eq!(stepped.view().step, before.step + 1);
        let back = stepped.reduce(Action::StepBack);
        assert_eq!(back.view().as_ref(), &before);
    }

    #[test]
    fn a_kill_is_a_console_line_and_step_back_undoes_it() {
        let state =
            frames(Rc::new(Playground::new(DEFAULT_SEED)), 100).reduce(Action::SetRunning(false));
        let leader = leader_of(state.view(), DEFAULT_TOPIC, 0).unwrap();
        let before = state.view().as_ref().clone();
        let pos = state.position();
        let killed = state.reduce(Action::RunLine(format!("broker kill {leader}")));
        assert!(killed
            .console()
            .iter()
            .any(|e| e.kind == ConsoleKind::Input && e.text == format!("broker kill {leader}")));
        assert_eq!(killed.position(), pos + 1);
        assert!(!killed.view().brokers[leader as usize - 1].state.is_up());
        let later = frames(killed.reduce(Action::SetRunning(true)), 200);
        let new_leader = leader_of(later.view(), DEFAULT_TOPIC, 0);
        assert!(
            new_leader.is_some() && new_leader != Some(leader),
            "{new_leader:?}"
        );
        let back = later.reduce(Action::Seek(pos + 1)).reduce(Action::StepBack);
        assert_eq!(back.position(), pos);
        assert_eq!(leader_of(back.view(), DEFAULT_TOPIC, 0), Some(leader));
        assert_eq!(back.view().step, before.step);
        // Forward again replays the kill.
        let again = back.reduce(Action::Step);
        assert!(!again.view().brokers[leader as usize - 1].state.is_up());
    }

    #[test]
    fn a_line_in_the_past_forks_and_a_failed_line_changes_nothing() {
        let state =
            frames(Rc::new(Playground::new(DEFAULT_SEED)), 50).reduce(Action::SetRunning(false));
        let end = state.total();
        let past = state.reduce(Action::Seek(end / 2));
        let bad = Rc::clone(&past).reduce(Action::RunLine("broker explode 1".into()));
        assert_eq!(bad.total(), end);
        assert_eq!(bad.console().last().unwrap().kind, ConsoleKind::Error);
        let forked = past.reduce(Action::RunLine("broker stop 2".into()));
        assert_eq!(forked.total(), end / 2 + 1);
        assert_eq!(forked.position(), forked.total());
    }

    #[test]
    fn fork_drops_the_future() {
        let state =
            frames(Rc::new(Playground::new(DEFAULT_SEED)), 20).reduce(Action::SetRunning(false));
        let forked = state.reduce(Action::Seek(10)).reduce(Action::Fork);
        assert_eq!((forked.position(), forked.total()), (10, 10));
        let on = forked.reduce(Action::Step);
        assert_eq!((on.position(), on.total()), (11, 11));
    }

    #[test]
    fn seek_step_lands_after_that_event() {
        let state = frames(Rc::new(Playground::new(DEFAULT_SEED)), 20);
        let step = state.view().step / 2;
        let there = state.reduce(Action::SeekStep(step));
        assert_eq!(there.view().step, step);
        assert!(!there.running());
    }

    #[test]
    fn the_same_seed_draws_the_same_picture() {
        let run = |seed| {
            frames(Rc::new(Playground::new(seed)), 30)
                .view()
                .as_ref()
                .clone()
        };
        assert_eq!(run(7), run(7));
    }

    #[test]
    fn restart_starts_over_with_the_new_seed() {
        let state =
            frames(Rc::new(Playground::new(DEFAULT_SEED)), 3).reduce(Action::Restart { seed: 99 });
        assert_eq!(state.seed(), 99);
        assert_eq!(state.view().seed, 99);
        assert_eq!(state.position(), 0);
    }

    /// A link holds the run as a script plus a step number; opening it must give the very
    /// same picture, including lines run while time was moving and a line run in the past.
    #[test]
    fn the_script_and_step_replay_to_the_same_moment() {
        let state = frames(Rc::new(Playground::new(7)), 40);
        let state = state.reduce(Action::RunLine("broker kill 2".into()));
        let state = frames(state, 25);
        let state = state.reduce(Action::RunLine("producer add p9 acks=1".into()));
        let state = state.reduce(Action::RunLine("produce p9 orders key=k value=v".into()));
        let state = frames(state, 10).reduce(Action::SetRunning(false));
        let state = state.reduce(Action::Step).reduce(Action::Step);
        // The engine is shared between states (see the module docs): take each moment's
        // script and picture before moving on.
        let first = (state.script(), state.view().as_ref().clone());
        // Into the past, then a line there: the script keeps only the run that leads here.
        let back = state.reduce(Action::Seek(30));
        let forked = back.reduce(Action::RunLine("broker stop 3".into()));
        let second = (forked.script(), forked.view().as_ref().clone());
        assert!(
            first.0.contains("produce p9") && first.0.contains("run "),
            "{}",
            first.0
        );
        for (script, view) in [&first, &second] {
            let opened = Playground::from_script(script, None, Some(view.step), Lang::En).unwrap();
            assert_eq!(opened.view().as_ref(), view, "{script}");
            assert_eq!(opened.seed(), 7);
            assert!(!opened.running(), "a moment opens paused");
        }
        let here = forked.script_to_here();
        let opened = Playground::from_script(&here, None, None, Lang::En).unwrap();
        assert_eq!(opened.view().as_ref(), forked.view().as_ref(), "{here}");
        assert!(
            !forked.script().contains("produce p9"),
            "{}",
            forked.script()
        );
    }

    #[test]
    fn a_load_that_fails_names_the_line_and_changes_nothing_but_the_notice() {
        let state = Rc::new(Playground::new(DEFAULT_SEED));
        let before = state.view().clone();
        let after = Rc::clone(&state).reduce(Action::Load {
            script: "cluster brokers=3\nkafka-topics --create --topic t --partitions 0\n".into(),
            seed: None,
            step: None,
        });
        assert!(*after.view() == before);
        let notice = after.notice().unwrap();
        assert!(notice.contains("line 2"), "{notice}");
        let past = state.reduce(Action::Load {
            script: "cluster brokers=3\nrun 1s\n".into(),
            seed: None,
            step: Some(0),
        });
        assert!(past
            .notice()
            .unwrap()
            .contains("before the end of the scenario"));
    }

    #[test]
    fn a_given_seed_goes_on_the_cluster_line() {
        assert_eq!(
            with_seed("# x\ncluster brokers=3 seed=4 latency=2ms\nrun 1s", 9),
            "# x\ncluster brokers=3 latency=2ms seed=9\nrun 1s\n"
        );
        let state = Rc::new(Playground::new(DEFAULT_SEED)).reduce(Action::Load {
            script: "cluster brokers=1\n".into(),
            seed: Some(42),
            step: Some(3),
        });
        assert_eq!((state.seed(), state.view().step), (42, 3));
    }

    #[test]
    fn seek_step_beyond_the_recorded_run_runs_on_to_it() {
        let state = Rc::new(Playground::new(DEFAULT_SEED)).reduce(Action::SetRunning(false));
        assert_eq!(state.view().step, 0);
        let there = state.reduce(Action::SeekStep(40));
        assert_eq!(there.view().step, 40);
        let back = there.reduce(Action::SeekStep(10));
        assert_eq!(back.view().step, 10);
    }

    /// Opening a moment (a link's step, a host page's `seek`) describes only the events the list
    /// keeps; the list must be the one that stepping there event by event (each described)
    /// leaves, the narration too.
    #[test]
    fn an_opened_moment_keeps_the_events_that_stepping_there_keeps() {
        let target = 3 * EVENTS_KEPT as u64 + 17;
        let script = setup_lines(5).join("\n");
        let mut stepped =
            Rc::new(Playground::from_script(&script, None, Some(0), Lang::En).unwrap());
        while stepped.view().step < target {
            stepped = stepped.reduce(Action::Step);
        }
        assert_eq!(stepped.events().len(), EVENTS_KEPT);
        let opened = Playground::from_script(&script, None, Some(target), Lang::En).unwrap();
        // A fresh engine: states share theirs, and `start`'s has been stepped to the target.
        let fresh = Playground::from_script(&script, None, Some(0), Lang::En).unwrap();
        let sought = Rc::new(fresh).reduce(Action::SeekStep(target));
        for moment in [&opened, &*sought] {
            assert_eq!(moment.view().step, target);
            assert_eq!(moment.events(), stepped.events());
            assert_eq!(moment.narration(), stepped.narration());
        }
    }

    #[test]
    fn step_back_undoes_a_line_in_an_opened_moment() {
        for step in [None, Some(40)] {
            let script = setup_lines(5).join("\n");
            let state = Rc::new(Playground::from_script(&script, None, step, Lang::En).unwrap());
            let before = state.view().as_ref().clone();
            let killed = state.reduce(Action::RunLine("broker kill 3".into()));
            assert!(!killed.view().brokers[2].state.is_up());
            let back = killed.reduce(Action::StepBack);
            assert_eq!(back.view().as_ref(), &before, "{step:?}");
        }
    }

    #[test]
    fn a_script_names_its_seed_on_a_cluster_line() {
        assert!(names_its_seed("# a\ncluster brokers=3 seed=4\n"));
        assert!(!names_its_seed(
            "cluster brokers=3\n# seed=4\nproduce p t value=seed=1\n"
        ));
    }

    #[test]
    fn quoting_keeps_odd_names_one_word() {
        assert_eq!(quote("producer-1"), "producer-1");
        assert_eq!(quote("a b"), "'a b'");
    }
}
