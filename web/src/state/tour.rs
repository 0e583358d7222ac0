//! The guided tour a learner follows (`logscope_core::tour`): which step they are on, and what
//! the engine said about their answer. Part of the reducer, so the tour's lines run through the
//! same path as a console line (and show in the console), and Back is the engine's own time
//! travel: it seeks to the recorded position where the step began, and the next line run from
//! there forks the run.
//!
//! The tours' text is not in the wasm: starting a tour marks it loading ([`TourLoad`]), the tour
//! panel fetches `tours/<id>.tour` (`components::tour::open_tour`) and the text arrives as
//! `Action::TourLoaded`, which parses it and enters the first step.

use std::rc::Rc;

use logscope_core::tour::{self, Tour, Verdict};

use super::{ConsoleKind, Playground};

/// Where the learner is in a tour: plain data for the tour panel.
#[derive(Clone, Debug)]
pub struct TourProgress {
    pub tour: Rc<Tour>,
    /// Index into `tour.steps`.
    pub step: usize,
    /// The learner's pick and the engine's verdict, once the step's question is answered.
    pub answered: Option<(usize, Verdict)>,
    /// A tour line the engine refused (the tour is then stuck here, and says so).
    pub error: Option<String>,
    /// Per entered step: the engine position just after the step's own lines ran.
    after_run: Vec<usize>,
}

/// A tour whose file is being fetched, or could not be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TourLoad {
    Loading(String),
    Failed { id: String, why: String },
}

/// The tour itself is compared by identity: it is never changed once parsed (a new `Rc` is a
/// new tour), and its derived comparison, walking every step, was 372 bytes of the gzipped wasm
/// for the tour panel's props check.
impl PartialEq for TourProgress {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.tour, &other.tour)
            && self.step == other.step
            && self.answered == other.answered
            && self.error == other.error
            && self.after_run == other.after_run
    }
}

impl TourProgress {
    /// Whether Next may move on: the step's question, if any, is answered.
    pub fn can_go_next(&self) -> bool {
        self.error.is_none()
            && self.step + 1 < self.tour.steps.len()
            && (self.tour.steps[self.step].question.is_none() || self.answered.is_some())
    }
    pub fn can_go_back(&self) -> bool {
        self.step > 0 || self.answered.is_some()
    }
}

impl Playground {
    pub fn tour(&self) -> Option<&Rc<TourProgress>> {
        self.tour.as_ref()
    }

    fn run_tour_lines(&mut self, lines: &[tour::TourLine]) -> Option<String> {
        for l in lines {
            self.run_line(&l.text);
            let failed = self
                .console
                .last()
                .is_some_and(|e| e.kind == ConsoleKind::Error);
            if failed {
                let msg = self
                    .console
                    .last()
                    .map(|e| e.text.clone())
                    .unwrap_or_default();
                return Some(format!("line {}: `{}`: {msg}", l.line_no, l.text));
            }
        }
        None
    }

    /// Runs step `step`'s own lines from where the engine is now.
    fn enter_tour_step(&mut self, mut progress: TourProgress, step: usize) {
        progress.step = step;
        progress.answered = None;
        let lines = progress.tour.steps[step].run.clone();
        progress.error = self.run_tour_lines(&lines);
        progress.after_run.truncate(step);
        progress.after_run.push(self.engine.borrow().position());
        self.tour = Some(Rc::new(progress));
    }

    pub fn tour_load(&self) -> Option<&TourLoad> {
        self.tour_load.as_ref()
    }

    /// The learner asks for tour `id`: an unknown id is refused here; a known one is loading
    /// until its text arrives ([`Self::tour_loaded`]).
    pub(super) fn tour_start(&mut self, id: &str) {
        self.running = false;
        if tour::info(id).is_none() {
            self.error = Some(format!("there is no tour '{id}'"));
            return;
        }
        self.tour = None;
        self.tour_load = Some(TourLoad::Loading(id.to_string()));
    }

    /// Tour `id`'s text arrived (or could not be fetched). Ignored unless that tour is the one
    /// loading (the learner may have picked another, or closed the panel, meanwhile).
    pub(super) fn tour_loaded(&mut self, id: &str, source: Result<String, String>) {
        if !matches!(&self.tour_load, Some(TourLoad::Loading(l)) if l == id) {
            return;
        }
        let source = match source {
            Ok(s) => s,
            Err(why) => {
                self.tour_load = Some(TourLoad::Failed {
                    id: id.to_string(),
                    why,
                });
                return;
            }
        };
        self.tour_load = None;
        self.running = false;
        match tour::parse(id, &source) {
            Ok(t) => {
                let progress = TourProgress {
                    tour: Rc::new(t),
                    step: 0,
                    answered: None,
                    error: None,
                    after_run: Vec::new(),
                };
                self.enter_tour_step(progress, 0);
            }
            Err(e) => self.error = Some(format!("tour {id}: {e}")),
        }
    }

    pub(super) fn tour_next(&mut self) {
        let Some(p) = self.tour.clone() else { return };
        if !p.can_go_next() {
            return;
        }
        self.running = false;
        self.enter_tour_step((*p).clone(), p.step + 1);
    }

    /// Back: from an answered question to just before its consequence; otherwise to the
    /// previous step, just after its own lines ran (its question is open again).
    pub(super) fn tour_back(&mut self) {
        let Some(p) = self.tour.clone() else { return };
        let mut p = (*p).clone();
        let target = if p.answered.is_some() {
            p.answered = None;
            p.error = None;
            p.after_run.get(p.step).copied()
        } else if p.step > 0 {
            p.step -= 1;
            p.answered = None;
            p.error = None;
            p.after_run.truncate(p.step + 1);
            p.after_run.get(p.step).copied()
        } else {
            None
        };
        let Some(pos) = target else { return };
        self.running = false;
        self.engine.borrow_mut().seek(pos);
        self.after_jump();
        self.tour = Some(Rc::new(p));
    }

    /// The learner picks a choice: the consequence runs, then the engine judges every choice.
    pub(super) fn tour_answer(&mut self, pick: usize) {
        let Some(p) = self.tour.clone() else { return };
        let Some(q) = p.tour.steps[p.step].question.clone() else {
            return;
        };
        if p.answered.is_some() || p.error.is_some() || pick >= q.choices.len() {
            return;
        }
        let mut p = (*p).clone();
        self.running = false;
        p.error = self.run_tour_lines(&q.then);
        if p.error.is_none() {
            let verdict = tour::judge(&q, self.engine.borrow().sim());
            p.answered = Some((pick, verdict));
        }
        self.tour = Some(Rc::new(p));
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Action, Playground, DEFAULT_SEED};
    use super::TourLoad;
    use std::rc::Rc;
    use yew::Reducible;

    /// What the app fetches from `tours/<id>.tour` (the tests read the files directly).
    fn source(id: &str) -> String {
        match id {
            "02-acks" => include_str!("../../../core/tours/02-acks.tour").to_string(),
            "04-unclean-election" => {
                include_str!("../../../core/tours/04-unclean-election.tour").to_string()
            }
            _ => String::new(),
        }
    }

    fn start(id: &str) -> Rc<Playground> {
        let loading =
            Rc::new(Playground::new(DEFAULT_SEED)).reduce(Action::TourStart(id.to_string()));
        loading.reduce(Action::TourLoaded {
            id: id.to_string(),
            source: Ok(source(id)),
        })
    }

    #[test]
    fn a_tour_starts_paused_on_its_first_step_with_its_cluster() {
        let s = start("04-unclean-election");
        let p = s.tour().expect("a tour");
        assert_eq!(p.step, 0);
        assert!(p.error.is_none(), "{:?}", p.error);
        assert!(!s.running());
        assert_eq!(s.view().brokers.len(), 2);
    }

    #[test]
    fn next_waits_for_the_answer_and_the_engine_judges_it() {
        let mut s = start("04-unclean-election");
        s = s.reduce(Action::TourNext).reduce(Action::TourNext);
        let p = s.tour().unwrap();
        assert_eq!(p.step, 2);
        assert!(!p.can_go_next(), "a question must be answered first");
        let before = s.position();
        let same = Rc::clone(&s).reduce(Action::TourNext);
        assert_eq!(same.tour().unwrap().step, 2);
        // R12: with unclean election off, the partition has no leader: choice 0 ("none").
        let answered = s.reduce(Action::TourAnswer(1));
        let (pick, verdict) = answered.tour().unwrap().answered.clone().unwrap();
        assert_eq!(pick, 1);
        assert_eq!(verdict.confirmed, Some(0));
        assert!(!verdict.is_right(pick));
        assert!(answered.position() > before);
        // Back undoes the consequence exactly, through the timeline.
        let back = answered.reduce(Action::TourBack);
        assert!(back.tour().unwrap().answered.is_none());
        assert_eq!(back.position(), before);
        let again = back.reduce(Action::TourAnswer(0));
        assert!(again
            .tour()
            .unwrap()
            .answered
            .as_ref()
            .unwrap()
            .1
            .is_right(0));
    }

    #[test]
    fn back_returns_to_the_previous_step_state() {
        let s = start("02-acks");
        let first = s.view().as_ref().clone();
        let on = s.reduce(Action::TourNext);
        assert_eq!(on.tour().unwrap().step, 1);
        let back = on.reduce(Action::TourBack);
        assert_eq!(back.tour().unwrap().step, 0);
        assert_eq!(&**back.view(), &first);
    }

    #[test]
    fn a_tour_is_loading_until_its_text_arrives_and_a_failed_fetch_says_why() {
        let s = Rc::new(Playground::new(DEFAULT_SEED)).reduce(Action::TourStart("02-acks".into()));
        assert_eq!(s.tour_load(), Some(&TourLoad::Loading("02-acks".into())));
        assert!(s.tour().is_none());
        // A late answer for another tour changes nothing.
        let same = Rc::clone(&s).reduce(Action::TourLoaded {
            id: "04-unclean-election".into(),
            source: Ok(source("04-unclean-election")),
        });
        assert!(same.tour().is_none());
        let failed = s.reduce(Action::TourLoaded {
            id: "02-acks".into(),
            source: Err("HTTP 404".into()),
        });
        assert!(failed.tour().is_none());
        assert_eq!(
            failed.tour_load(),
            Some(&TourLoad::Failed {
                id: "02-acks".into(),
                why: "HTTP 404".into()
            })
        );
        // Choosing it again retries.
        let again = failed.reduce(Action::TourStart("02-acks".into()));
        let opened = again.reduce(Action::TourLoaded {
            id: "02-acks".into(),
            source: Ok(source("02-acks")),
        });
        assert!(opened.tour_load().is_none());
        assert_eq!(opened.tour().unwrap().tour.id, "02-acks");
    }

    #[test]
    fn an_unknown_tour_is_refused_with_a_message() {
        let s = Rc::new(Playground::new(DEFAULT_SEED)).reduce(Action::TourStart("99-nope".into()));
        assert!(s.tour().is_none());
        assert!(s.tour_load().is_none());
        assert!(s.error().unwrap().contains("99-nope"));
    }
}
