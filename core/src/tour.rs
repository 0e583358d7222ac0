//! Guided tours: narrated stories of scenario-language lines, in English and Korean, that stop
//! before a consequence and ask the learner what will happen, then let the engine answer.
//!
//! A tour is a plain-text file (`core/tours/NN-slug.tour`) that a course author writes and keeps
//! in git; [`INDEX`] lists them (the web app fetches the file it opens), and with the
//! `embedded-tours` feature `BUILTIN` embeds their text with `include_str!` (native tests).
//!
//! The format, line by line (`#` starts a comment line; blank lines are ignored; leading spaces
//! are ignored):
//!
//! ```text
//! title.en: Partitions, offsets and keys        # required, once, before the first step
//! title.ko: 파티션, 오프셋, 키
//!
//! step                                          # a page of the story
//! en: What the learner reads (several en: lines join into one paragraph each).
//! ko: 학습자가 읽는 설명.
//! run: cluster brokers=3 seed=1                 # scenario-language lines run on entering
//! run: kafka-topics --create --topic t --replica-assignment 1:2:3
//!
//! question                                      # optional, at most one per step, after run:
//! en: Will this produce succeed?
//! ko: 이 produce는 성공할까요?
//! choice yes                                    # at least two choices, each with an id
//! en: Yes, …
//! ko: 네, …
//! expect producer p1 acked=2 failed=0           # what must hold if this choice is right
//! choice no
//! en: No, …
//! ko: 아니요, …
//! expect producer p1 failed=1 last-error=NOT_ENOUGH_REPLICAS
//! answer: no                                    # the author's answer; tests check it
//! then                                          # the consequence: runs after the answer
//! run: produce p1 t key=k value=v
//! run: settle
//! why                                           # explanation shown with the verdict
//! en: …
//! ko: …
//! ```
//!
//! The learner's pick is judged by the engine, not by `answer:`: after the `then` lines run,
//! every choice's `expect` lines are checked against the simulation ([`judge`]); the choice
//! whose expectations all hold, if exactly one does, is the confirmed answer. `answer:` is the
//! author's claim, which the tour tests check against that confirmation, so a tour whose text
//! disagrees with the engine fails its test instead of teaching something false.
//!
//! Each `run:` is one complete scenario-language command (`scenario-language.md`); records
//! blocks (`kafka-console-producer … EOF`) and `\` continuations are not supported in tours yet
//! (use `produce`). Every line is parsed when the tour is read, so a typo is an error with the
//! tour's line number and reason, never a surprise in the middle of a lesson. Parsing never
//! panics and refuses input over [`MAX_TOUR_BYTES`].

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::scenario::ast::{Expect, Stmt};
use crate::scenario::lex::split_words;
use crate::scenario::parse::parse as parse_stmt;
use crate::scenario::{ScenarioError, Session};
use crate::sim::Sim;

/// The largest tour file read (a tour is a story, not a data set).
pub const MAX_TOUR_BYTES: usize = 256 * 1024;

/// The tours that ship with the playground, in course order: id and title, without the text.
///
/// The web app lists these and fetches the one the learner opens (`tours/<id>.tour`, copied
/// next to the page), so the ~100 KB of tour text is not in the wasm. `tests/tests/tours.rs`
/// checks this list against `core/tours/` (every file, in order, with its titles), so it cannot
/// drift from the files.
pub const INDEX: &[TourInfo] = &[
    TourInfo { id: "01-partitions-keys", title: "Partitions, offsets and keys: a first-come coupon system" },
    TourInfo { id: "02-acks", title: "acks=0, acks=1, acks=all: what a leader failure loses" },
    TourInfo { id: "03-isr-hw-min-isr", title: "ISR, high watermark and min.insync.replicas: refusing rather than risking" },
    TourInfo { id: "04-unclean-election", title: "Unclean leader election: availability bought with acknowledged data" },
    TourInfo { id: "05-leader-epochs", title: "Leader epochs and truncation: the divergence a new leader repairs" },
    TourInfo { id: "06-groups-offsets", title: "Consumer groups and offsets: commit before or after processing, lag, replay" },
    TourInfo { id: "07-rebalancing", title: "Rebalancing: Range, RoundRobin and CooperativeSticky, eager and cooperative, static members" },
    TourInfo { id: "08-batching", title: "Producer batching: linger.ms, batch.size and compression" },
    TourInfo { id: "09-retention-compaction", title: "Retention and compaction: a log that forgets, a log that keeps the latest per key" },
    TourInfo { id: "10-idempotence", title: "Idempotence and transactions: no duplicates, all or nothing" },
    TourInfo { id: "11-event-driven", title: "Event-driven patterns: a live ranking, the dual-write problem and the outbox" },
];

/// One entry of [`INDEX`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TourInfo {
    /// The file name without `.tour`, as in `tour=<id>` links.
    pub id: &'static str,
    /// `title.en:` of the tour. The picker shows the Korean one (`title.ko:`) from the web's
    /// Korean text (`web/i18n/ko.txt`, whose tests check the two agree), so that it is not in
    /// the page's wasm twice.
    pub title: &'static str,
}

/// The entry of [`INDEX`] with this id.
pub fn info(id: &str) -> Option<&'static TourInfo> {
    INDEX.iter().find(|t| t.id == id)
}

/// The shipped tours' text, in course order: `(id, source)`. Only with the `embedded-tours`
/// feature (native tests and tools): the web app fetches a tour's file instead.
#[cfg(feature = "embedded-tours")]
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "01-partitions-keys",
        include_str!("../tours/01-partitions-keys.tour"),
    ),
    ("02-acks", include_str!("../tours/02-acks.tour")),
    (
        "03-isr-hw-min-isr",
        include_str!("../tours/03-isr-hw-min-isr.tour"),
    ),
    (
        "04-unclean-election",
        include_str!("../tours/04-unclean-election.tour"),
    ),
    (
        "05-leader-epochs",
        include_str!("../tours/05-leader-epochs.tour"),
    ),
    (
        "06-groups-offsets",
        include_str!("../tours/06-groups-offsets.tour"),
    ),
    (
        "07-rebalancing",
        include_str!("../tours/07-rebalancing.tour"),
    ),
    ("08-batching", include_str!("../tours/08-batching.tour")),
    (
        "09-retention-compaction",
        include_str!("../tours/09-retention-compaction.tour"),
    ),
    (
        "10-idempotence",
        include_str!("../tours/10-idempotence.tour"),
    ),
    (
        "11-event-driven",
        include_str!("../tours/11-event-driven.tour"),
    ),
];

/// A text in the two languages of the UI.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text {
    pub en: String,
    pub ko: String,
}

impl Text {
    /// The text in `lang` (`"en"` or `"ko"`, as in [`crate::link::LANGS`]); English otherwise.
    pub fn get(&self, lang: &str) -> &str {
        if lang == "ko" {
            &self.ko
        } else {
            &self.en
        }
    }
}

/// A scenario-language line of a tour, with its line number in the tour file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TourLine {
    pub line_no: usize,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub line_no: usize,
    pub id: String,
    pub text: Text,
    /// `expect` lines that hold after the consequence if and only if this choice is right.
    pub expects: Vec<TourLine>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub line_no: usize,
    pub text: Text,
    pub choices: Vec<Choice>,
    /// Index into `choices` of the author's answer (checked against the engine by the tests).
    pub answer: usize,
    /// The consequence, run after the learner answers.
    pub then: Vec<TourLine>,
    pub why: Text,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub line_no: usize,
    pub text: Text,
    /// Run when the learner enters the step.
    pub run: Vec<TourLine>,
    pub question: Option<Question>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tour {
    pub id: String,
    pub title: Text,
    pub steps: Vec<Step>,
}

/// Why a tour file was refused: its line and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TourError {
    pub line_no: usize,
    pub reason: String,
}

impl fmt::Display for TourError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line_no, self.reason)
    }
}

fn err<T>(line_no: usize, reason: impl Into<String>) -> Result<T, TourError> {
    Err(TourError {
        line_no,
        reason: reason.into(),
    })
}

/// Where the parser is: which block the next `en:`/`ko:`/`run:`/`expect` belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Block {
    Header,
    Step,
    Question,
    Choice,
    Then,
    Why,
}

impl Block {
    fn name(self) -> &'static str {
        match self {
            Block::Header => "the tour's header",
            Block::Step => "a step",
            Block::Question => "a question",
            Block::Choice => "a choice",
            Block::Then => "then",
            Block::Why => "why",
        }
    }
}

fn append(text: &mut String, more: &str) {
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(more);
}

/// Checks that a `run:` line is one complete command the scenario language understands.
fn check_command(line_no: usize, text: &str) -> Result<Stmt, TourError> {
    if text.is_empty() {
        return err(
            line_no,
            "run: is empty; write a scenario-language command after it",
        );
    }
    if text.ends_with('\\') {
        return err(
            line_no,
            "a run: line is one complete command; '\\' continuations are not supported in tours yet",
        );
    }
    let words = split_words(text).or_else(|e| err(line_no, e.message))?;
    if words.first().is_some_and(|w| w.starts_with('#')) {
        return err(
            line_no,
            "run: holds a comment; write comments on their own line",
        );
    }
    if words.first().is_some_and(|w| {
        let name = w.rsplit('/').next().unwrap_or(w);
        name.strip_suffix(".sh").unwrap_or(name) == crate::scenario::lex::BLOCK_COMMAND
    }) {
        return err(
            line_no,
            "kafka-console-producer takes a records block, which tours do not support yet; use produce",
        );
    }
    parse_stmt(&words, None).or_else(|e| err(line_no, format!("run: {e}")))
}

/// Reads a tour file. `id` names it (the file name without `.tour`).
pub fn parse(id: &str, source: &str) -> Result<Tour, TourError> {
    if source.len() > MAX_TOUR_BYTES {
        return err(
            1,
            format!(
                "the tour is {} bytes; tours are limited to {MAX_TOUR_BYTES} bytes",
                source.len()
            ),
        );
    }
    let mut title = Text::default();
    let mut title_line = [0usize; 2];
    let mut steps: Vec<Step> = Vec::new();
    let mut block = Block::Header;
    // The answer id as written, checked once the question's choices are all read.
    let mut pending_answer: Option<(usize, String)> = None;

    for (i, raw) in source.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (head, rest) = match line.split_once(char::is_whitespace) {
            Some((h, r)) => (h, r.trim()),
            None => (line, ""),
        };
        match head {
            "step" | "question" | "then" | "why" if !rest.is_empty() => {
                return err(
                    line_no,
                    format!("'{head}' stands alone on its line; found '{rest}' after it"),
                );
            }
            "step" => {
                finish_question(&mut steps, block, &mut pending_answer, line_no)?;
                if title.en.is_empty() || title.ko.is_empty() {
                    let missing = if title.en.is_empty() {
                        "title.en:"
                    } else {
                        "title.ko:"
                    };
                    return err(
                        line_no,
                        format!("the tour needs {missing} before its first step"),
                    );
                }
                if let Some(prev) = steps.last() {
                    check_text(&prev.text, prev.line_no, "step")?;
                }
                steps.push(Step {
                    line_no,
                    text: Text::default(),
                    run: Vec::new(),
                    question: None,
                });
                block = Block::Step;
            }
            "question" => {
                let Some(step) = steps.last_mut() else {
                    return err(
                        line_no,
                        "'question' must come inside a step (write 'step' first)",
                    );
                };
                if block != Block::Step {
                    return err(
                        line_no,
                        format!(
                            "'question' must follow a step's text and run: lines, not {}",
                            block.name()
                        ),
                    );
                }
                step.question = Some(Question {
                    line_no,
                    text: Text::default(),
                    choices: Vec::new(),
                    answer: 0,
                    then: Vec::new(),
                    why: Text::default(),
                });
                block = Block::Question;
            }
            "choice" => {
                if !matches!(block, Block::Question | Block::Choice) {
                    return err(
                        line_no,
                        format!("'choice' belongs to a question, not {}", block.name()),
                    );
                }
                let q = current_question(&mut steps, line_no)?;
                check_text(&q.text, q.line_no, "question")?;
                if let Some(prev) = q.choices.last() {
                    check_choice(prev)?;
                }
                if rest.is_empty() || rest.contains(char::is_whitespace) {
                    return err(line_no, "choice needs one id (a word, e.g. 'choice yes')");
                }
                if q.choices.iter().any(|c| c.id == rest) {
                    return err(
                        line_no,
                        format!("choice '{rest}' is already defined in this question"),
                    );
                }
                q.choices.push(Choice {
                    line_no,
                    id: rest.to_string(),
                    text: Text::default(),
                    expects: Vec::new(),
                });
                block = Block::Choice;
            }
            "then" => {
                if block != Block::Choice {
                    return err(
                        line_no,
                        format!("'then' follows a question's choices, not {}", block.name()),
                    );
                }
                if let Some(last) = current_question(&mut steps, line_no)?.choices.last() {
                    check_choice(last)?;
                }
                block = Block::Then;
            }
            "why" => {
                if block != Block::Then {
                    return err(
                        line_no,
                        format!(
                            "'why' follows a question's then block, not {}",
                            block.name()
                        ),
                    );
                }
                block = Block::Why;
            }
            "expect" => {
                if block != Block::Choice {
                    return err(
                        line_no,
                        format!("an expect line here belongs to a choice, not {} (to check something in a step, write run: expect …)", block.name()),
                    );
                }
                match check_command(line_no, line)? {
                    Stmt::Expect(Expect::Error(_)) => {
                        return err(line_no, "expect error cannot judge a choice (it refers to the previous command); check the state instead, e.g. expect producer p1 last-error=…");
                    }
                    Stmt::Expect(_) => {}
                    _ => return err(line_no, "not an expect line"),
                }
                let q = current_question(&mut steps, line_no)?;
                if let Some(c) = q.choices.last_mut() {
                    c.expects.push(TourLine {
                        line_no,
                        text: line.to_string(),
                    });
                }
            }
            _ => {
                let Some((key, value)) = line.split_once(':') else {
                    return err(line_no, format!("unknown line '{}': expected title.en:, title.ko:, step, en:, ko:, run:, question, choice ID, expect …, answer:, then or why", truncate(line)));
                };
                let value = value.trim();
                match key.trim() {
                    k @ ("title.en" | "title.ko") => {
                        if block != Block::Header {
                            return err(line_no, format!("{k}: belongs before the first step"));
                        }
                        if value.is_empty() {
                            return err(line_no, format!("{k}: is empty"));
                        }
                        let (slot, seen) = if k == "title.en" {
                            (&mut title.en, &mut title_line[0])
                        } else {
                            (&mut title.ko, &mut title_line[1])
                        };
                        if *seen != 0 {
                            return err(line_no, format!("{k}: is given twice (first on line {seen})"));
                        }
                        *seen = line_no;
                        *slot = value.to_string();
                    }
                    lang @ ("en" | "ko") => {
                        if value.is_empty() {
                            return err(line_no, format!("{lang}: is empty"));
                        }
                        let text = match block {
                            Block::Header => {
                                return err(line_no, format!("{lang}: text before the first step; start one with 'step'"))
                            }
                            Block::Then => {
                                return err(line_no, format!("{lang}: text inside then; the consequence holds run: lines only (explain it under why)"))
                            }
                            Block::Step => &mut steps.last_mut().ok_or(TourError { line_no, reason: "no step".into() })?.text,
                            Block::Question => &mut current_question(&mut steps, line_no)?.text,
                            Block::Why => &mut current_question(&mut steps, line_no)?.why,
                            Block::Choice => {
                                let q = current_question(&mut steps, line_no)?;
                                match q.choices.last_mut() {
                                    Some(c) => &mut c.text,
                                    None => return err(line_no, "no choice"),
                                }
                            }
                        };
                        let slot = if lang == "en" { &mut text.en } else { &mut text.ko };
                        append(slot, value);
                    }
                    "run" => {
                        check_command(line_no, value)?;
                        let tl = TourLine {
                            line_no,
                            text: value.to_string(),
                        };
                        match block {
                            Block::Step => {
                                if let Some(s) = steps.last_mut() {
                                    s.run.push(tl);
                                }
                            }
                            Block::Then => current_question(&mut steps, line_no)?.then.push(tl),
                            other => {
                                return err(line_no, format!("run: belongs to a step or to then, not {}", other.name()))
                            }
                        }
                    }
                    "answer" => {
                        if block != Block::Choice {
                            return err(line_no, format!("answer: follows a question's choices, not {}", block.name()));
                        }
                        if let Some((first, _)) = &pending_answer {
                            return err(line_no, format!("answer: is given twice (first on line {first})"));
                        }
                        if value.is_empty() {
                            return err(line_no, "answer: names the id of the right choice");
                        }
                        pending_answer = Some((line_no, value.to_string()));
                    }
                    other => {
                        return err(line_no, format!("unknown field '{}:'; fields are title.en, title.ko, en, ko, run and answer", truncate(other)))
                    }
                }
            }
        }
    }
    let end = source.lines().count().max(1);
    finish_question(&mut steps, block, &mut pending_answer, end)?;
    if title.en.is_empty() || title.ko.is_empty() {
        let missing = if title.en.is_empty() {
            "title.en:"
        } else {
            "title.ko:"
        };
        return err(end, format!("the tour needs {missing}"));
    }
    let Some(last) = steps.last() else {
        return err(end, "the tour has no step");
    };
    check_text(&last.text, last.line_no, "step")?;
    let first_cmd = steps.iter().flat_map(|s| &s.run).next();
    match first_cmd {
        Some(l) if l.text.split_whitespace().next() == Some("cluster") => {}
        Some(l) => return err(l.line_no, "a tour's first run: line starts the cluster ('cluster brokers=3 seed=…'), so every learner sees the same story"),
        None => return err(steps[0].line_no, "the tour runs nothing: its first step needs run: cluster …"),
    }
    Ok(Tour {
        id: id.to_string(),
        title,
        steps,
    })
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

fn current_question(steps: &mut [Step], line_no: usize) -> Result<&mut Question, TourError> {
    steps
        .last_mut()
        .and_then(|s| s.question.as_mut())
        .ok_or(TourError {
            line_no,
            reason: "no question is open here".to_string(),
        })
}

fn check_text(t: &Text, line_no: usize, what: &str) -> Result<(), TourError> {
    if t.en.is_empty() {
        return err(line_no, format!("this {what} has no en: text"));
    }
    if t.ko.is_empty() {
        return err(line_no, format!("this {what} has no ko: text"));
    }
    Ok(())
}

fn check_choice(c: &Choice) -> Result<(), TourError> {
    if c.expects.is_empty() {
        return err(
            c.line_no,
            format!(
                "choice '{}' has no expect line, so the engine could not judge it",
                c.id
            ),
        );
    }
    if c.text.en.is_empty() || c.text.ko.is_empty() {
        let lang = if c.text.en.is_empty() { "en" } else { "ko" };
        return err(c.line_no, format!("choice '{}' has no {lang}: text", c.id));
    }
    Ok(())
}

/// Closes the open question (if any) when a new step or the end of the file comes.
fn finish_question(
    steps: &mut [Step],
    block: Block,
    pending_answer: &mut Option<(usize, String)>,
    line_no: usize,
) -> Result<(), TourError> {
    let Some(q) = steps.last_mut().and_then(|s| s.question.as_mut()) else {
        return Ok(());
    };
    if block != Block::Why {
        return err(
            line_no,
            format!(
                "the question on line {} is not finished: it needs choices, answer:, then (with run: lines) and why, in that order",
                q.line_no
            ),
        );
    }
    if q.choices.len() < 2 {
        return err(q.line_no, "a question needs at least two choices");
    }
    let Some((aline, answer)) = pending_answer.take() else {
        return err(q.line_no, "this question has no answer: line");
    };
    q.answer = match q.choices.iter().position(|c| c.id == answer) {
        Some(i) => i,
        None => {
            let ids: Vec<&str> = q.choices.iter().map(|c| c.id.as_str()).collect();
            return err(
                aline,
                format!(
                    "answer: {answer} is not one of the choices ({})",
                    ids.join(", ")
                ),
            );
        }
    };
    if q.then.is_empty() {
        return err(
            q.line_no,
            "this question's then block runs nothing: the consequence needs run: lines",
        );
    }
    if q.why.en.is_empty() || q.why.ko.is_empty() {
        let lang = if q.why.en.is_empty() { "en" } else { "ko" };
        return err(
            q.line_no,
            format!("this question's why block has no {lang}: text"),
        );
    }
    Ok(())
}

/// Reads a built-in tour by id.
#[cfg(feature = "embedded-tours")]
pub fn builtin(id: &str) -> Option<Result<Tour, TourError>> {
    BUILTIN
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(i, src)| parse(i, src))
}

impl Tour {
    /// The whole story as one scenario (every step's lines, then each consequence in order):
    /// what a link to the end of the tour holds.
    pub fn script(&self) -> String {
        let mut s = String::new();
        for step in &self.steps {
            for l in step.lines() {
                s.push_str(&l.text);
                s.push('\n');
            }
        }
        s
    }
}

impl Step {
    /// The step's lines in the order they run: its own, then its question's consequence.
    pub fn lines(&self) -> impl Iterator<Item = &TourLine> {
        self.run
            .iter()
            .chain(self.question.iter().flat_map(|q| q.then.iter()))
    }
}

/// What the engine says about each choice of a question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Per choice: `Ok` if every expect line holds, else the first one's message.
    pub checks: Vec<Result<(), String>>,
    /// The index of the one choice that holds; `None` if none or several do.
    pub confirmed: Option<usize>,
}

impl Verdict {
    /// Whether the engine confirms `pick` as the answer.
    pub fn is_right(&self, pick: usize) -> bool {
        self.confirmed == Some(pick)
    }
}

/// Checks every choice's expect lines against `sim` (read only: each check runs in a copy).
pub fn judge(question: &Question, sim: &Sim) -> Verdict {
    let checks: Vec<Result<(), String>> = question
        .choices
        .iter()
        .map(|c| {
            let mut session = Session::with_sim(sim.clone());
            for e in &c.expects {
                if let Err(why) = session.run_line(&e.text) {
                    return Err(match why {
                        ScenarioError::Expect(m) => m,
                        other => format!("line {}: {other}", e.line_no),
                    });
                }
            }
            Ok(())
        })
        .collect();
    let holding: Vec<usize> = checks
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_ok())
        .map(|(i, _)| i)
        .collect();
    let confirmed = match holding.as_slice() {
        [one] => Some(*one),
        _ => None,
    };
    Verdict { checks, confirmed }
}

/// A tour line that failed when run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TourRunError {
    pub line_no: usize,
    pub line: String,
    pub message: String,
}

impl fmt::Display for TourRunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}: `{}`: {}",
            self.line_no, self.line, self.message
        )
    }
}

/// Runs tour lines in a session, stopping at the first that fails.
pub fn run_lines<'a>(
    session: &mut Session,
    lines: impl IntoIterator<Item = &'a TourLine>,
) -> Result<(), TourRunError> {
    for l in lines {
        session.run_line(&l.text).map_err(|e| TourRunError {
            line_no: l.line_no,
            line: l.text.clone(),
            message: e.to_string(),
        })?;
    }
    Ok(())
}

/// One question of a whole-tour run: the author's answer and the engine's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionOutcome {
    pub step: usize,
    pub line_no: usize,
    pub declared: usize,
    pub verdict: Verdict,
}

/// Runs a whole tour as a learner who goes straight through, judging every question. The
/// session keeps the final state.
pub fn run(tour: &Tour, session: &mut Session) -> Result<Vec<QuestionOutcome>, TourRunError> {
    let mut out = Vec::new();
    for (i, step) in tour.steps.iter().enumerate() {
        run_lines(session, &step.run)?;
        if let Some(q) = &step.question {
            run_lines(session, &q.then)?;
            let Some(sim) = session.sim() else {
                return Err(TourRunError {
                    line_no: q.line_no,
                    line: String::new(),
                    message: "no cluster to judge the question against".to_string(),
                });
            };
            out.push(QuestionOutcome {
                step: i,
                line_no: q.line_no,
                declared: q.answer,
                verdict: judge(q, sim),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "\
title.en: T
title.ko: 티
step
en: Start.
ko: 시작.
run: cluster brokers=3 seed=1
question
en: Q?
ko: 질문?
choice a
en: A
ko: 가
expect broker 1 state=running
choice b
en: B
ko: 나
expect broker 1 state=killed
answer: b
then
run: broker kill 1
why
en: Because.
ko: 왜냐하면.
";

    #[test]
    fn a_good_tour_parses_and_the_engine_confirms_the_killed_broker() {
        let t = parse("t", GOOD).unwrap();
        assert_eq!(t.steps.len(), 1);
        let q = t.steps[0].question.as_ref().unwrap();
        assert_eq!(q.answer, 1);
        let mut s = Session::new();
        let out = run(&t, &mut s).unwrap();
        assert_eq!(out[0].verdict.confirmed, Some(1));
        assert!(out[0].verdict.checks[0].is_err());
    }
}
