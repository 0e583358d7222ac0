//! Guided tours (`core/tours/*.tour`, read by `logscope_core::tour`): one test per tour runs the
//! whole story as a learner who goes straight through, and checks that every question's
//! declared answer is the one choice the engine confirms (its `expect` lines hold) and that
//! every other choice's `expect` lines do not hold. A link to the end of each tour round-trips
//! through `link.rs` and replays to the same moment. The tour parser's refusals are checked
//! with their line numbers.

use logscope_core::link::{self, LinkState};
use logscope_core::scenario::{run_script_in, Session};
use logscope_core::tour::{self, Tour, BUILTIN};

fn load(id: &str) -> Tour {
    match tour::builtin(id) {
        Some(Ok(t)) => t,
        Some(Err(e)) => panic!("tour {id} does not parse: {e}"),
        None => panic!("no built-in tour {id}"),
    }
}

/// Runs a tour and checks each question against the engine; returns how many questions.
fn check_tour(id: &str) -> usize {
    let t = load(id);
    let mut session = Session::new();
    let outcomes = tour::run(&t, &mut session).unwrap_or_else(|e| panic!("tour {id}: {e}"));
    assert!(!outcomes.is_empty(), "tour {id} asks no question");
    for o in &outcomes {
        let q = t.steps[o.step].question.as_ref().unwrap();
        let declared = &q.choices[o.declared].id;
        if let Err(why) = &o.verdict.checks[o.declared] {
            panic!(
                "tour {id}, question on line {}: the declared answer '{declared}' does not hold: {why}",
                o.line_no
            );
        }
        for (i, c) in q.choices.iter().enumerate() {
            if i != o.declared {
                assert!(
                    o.verdict.checks[i].is_err(),
                    "tour {id}, question on line {}: choice '{}' holds too, so the engine cannot single out '{declared}'",
                    o.line_no,
                    c.id
                );
            }
        }
        assert_eq!(o.verdict.confirmed, Some(o.declared));
        assert!(o.verdict.is_right(o.declared));
    }
    outcomes.len()
}

#[test]
fn tour_01_partitions_keys() {
    check_tour("01-partitions-keys");
}
#[test]
fn tour_02_acks() {
    check_tour("02-acks");
}
#[test]
fn tour_03_isr_hw_min_isr() {
    check_tour("03-isr-hw-min-isr");
}
#[test]
fn tour_04_unclean_election() {
    check_tour("04-unclean-election");
}
#[test]
fn tour_05_leader_epochs() {
    check_tour("05-leader-epochs");
}
#[test]
fn tour_06_groups_offsets() {
    check_tour("06-groups-offsets");
}
#[test]
fn tour_07_rebalancing() {
    check_tour("07-rebalancing");
}
#[test]
fn tour_08_batching() {
    check_tour("08-batching");
}
#[test]
fn tour_09_retention_compaction() {
    check_tour("09-retention-compaction");
}
#[test]
fn tour_10_idempotence() {
    check_tour("10-idempotence");
}
#[test]
fn tour_11_event_driven() {
    check_tour("11-event-driven");
}

#[test]
fn every_builtin_tour_has_a_test_above() {
    // A tour added to BUILTIN without a test here would go unchecked.
    let tested = [
        "01-partitions-keys",
        "02-acks",
        "03-isr-hw-min-isr",
        "04-unclean-election",
        "05-leader-epochs",
        "06-groups-offsets",
        "07-rebalancing",
        "08-batching",
        "09-retention-compaction",
        "10-idempotence",
        "11-event-driven",
    ];
    let ids: Vec<&str> = BUILTIN.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, tested);
}

/// The web app lists `tour::INDEX` and fetches `core/tours/<id>.tour` (copied next to the page):
/// the index must name every file in the folder, in order, with the titles the files declare.
#[test]
fn the_tour_index_matches_the_files_in_core_tours() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tours");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let index: Vec<String> = tour::INDEX
        .iter()
        .map(|t| format!("{}.tour", t.id))
        .collect();
    assert_eq!(index, files, "tour::INDEX and core/tours/ disagree");
    let builtin: Vec<&str> = BUILTIN.iter().map(|(id, _)| *id).collect();
    let indexed: Vec<&str> = tour::INDEX.iter().map(|t| t.id).collect();
    assert_eq!(builtin, indexed, "tour::BUILTIN and tour::INDEX disagree");
    for info in tour::INDEX {
        let t = load(info.id);
        // The Korean title is checked against the web's Korean text in web/src/i18n.rs.
        assert_eq!(info.title, t.title.en, "{}: English title", info.id);
        assert_eq!(tour::info(info.id), Some(info));
    }
}

/// Encode → decode gives the same scenario, seed and step, and the decoded scenario replays to
/// the same moment as the tour itself.
#[test]
fn every_tour_round_trips_through_a_link() {
    for (id, _) in BUILTIN {
        let t = load(id);
        let mut session = Session::new();
        tour::run(&t, &mut session).unwrap_or_else(|e| panic!("tour {id}: {e}"));
        let end = session.view().expect("a cluster");
        for lang in link::LANGS {
            let state = LinkState {
                script: t.script(),
                seed: end.seed,
                step: end.step,
                view: "cluster".to_string(),
                lang: (*lang).to_string(),
            };
            let query = link::encode(&state);
            let back = link::decode(&query).unwrap_or_else(|e| panic!("tour {id}: {e}"));
            assert_eq!(back, state, "tour {id}");
            let mut replay = Session::new();
            run_script_in(&mut replay, &back.script)
                .unwrap_or_else(|e| panic!("tour {id}: the link's scenario fails: {e}"));
            let again = replay.view().expect("a cluster");
            assert_eq!(again.seed, back.seed, "tour {id}");
            assert_eq!(again.step, back.step, "tour {id}");
            assert_eq!(
                again, end,
                "tour {id}: the link's scenario reaches another moment"
            );
        }
    }
}

/// Each refused tour names the line and the reason.
#[test]
fn the_tour_parser_refuses_bad_tours_with_line_and_reason() {
    const HEAD: &str = "title.en: T\ntitle.ko: 티\n";
    const Q: &str = "question\nen: Q\nko: 질문\nchoice a\nen: A\nko: 가\nexpect broker 1 state=running\nchoice b\nen: B\nko: 나\nexpect broker 1 state=killed\n";
    let step = "step\nen: S\nko: 에스\nrun: cluster brokers=3 seed=1\n";
    let cases: Vec<(String, usize, &str)> = vec![
        (String::new(), 1, "needs title.en:"),
        ("step\nen: x\nko: y\nrun: cluster brokers=1".to_string(), 1, "needs title.en:"),
        (format!("{HEAD}title.en: again\n{step}"), 3, "given twice"),
        (format!("{HEAD}en: too early\n"), 3, "before the first step"),
        (format!("{HEAD}{step}run: brokr kill 1\n"), 7, "run:"),
        (format!("{HEAD}{step}run: acks=2\n"), 7, "run:"),
        (format!("{HEAD}{step}run: produce p1 t key='unclosed\n"), 7, "quote"),
        (format!("{HEAD}{step}run: kafka-console-producer --topic t\n"), 7, "records block"),
        (format!("{HEAD}{step}run: broker kill \\\n"), 7, "continuations"),
        (format!("{HEAD}step\nen: S\nrun: cluster brokers=1\nstep\nen: x\nko: y\n"), 3, "no ko: text"),
        (format!("{HEAD}step\nen: S\nko: 에스\nrun: broker kill 1\n"), 6, "first run: line starts the cluster"),
        (format!("{HEAD}{step}{Q}then\nrun: broker kill 1\nwhy\nen: W\nko: 왜\n"), 7, "no answer: line"),
        (format!("{HEAD}{step}{Q}answer: c\nthen\nrun: broker kill 1\nwhy\nen: W\nko: 왜\n"), 18, "not one of the choices (a, b)"),
        (format!("{HEAD}{step}{Q}answer: b\nthen\nwhy\nen: W\nko: 왜\n"), 7, "runs nothing"),
        (format!("{HEAD}{step}{Q}answer: b\nthen\nrun: broker kill 1\n"), 20, "not finished"),
        (format!("{HEAD}{step}question\nen: Q\nko: 질\nchoice a\nen: A\nko: 가\nexpect broker 1 state=running\nchoice b\nen: B\nanswer: a\nthen\n"), 14, "choice 'b' has no expect line"),
        (format!("{HEAD}{step}question\nen: Q\nko: 질\nchoice a\nen: A\nko: 가\nchoice b\n"), 10, "choice 'a' has no expect line"),
        (format!("{HEAD}{step}question\nen: Q\nko: 질\nchoice a\nen: A\nko: 가\nexpect error \"X\"\n"), 13, "expect error cannot judge"),
        (format!("{HEAD}{step}question\nen: Q\nko: 질\nchoice a\nen: A\nko: 가\nexpect lost 0\nchoice a\n"), 14, "already defined"),
        (format!("{HEAD}{step}expect broker 1 state=running\n"), 7, "belongs to a choice"),
        (format!("{HEAD}{step}color: blue\n"), 7, "unknown field 'color:'"),
        (format!("{HEAD}{step}dance\n"), 7, "unknown line 'dance'"),
        (format!("{HEAD}{step}then\n"), 7, "'then' follows"),
        (format!("{HEAD}{step}step 2\n"), 7, "stands alone"),
        ("x".repeat(tour::MAX_TOUR_BYTES + 1), 1, "limited to"),
    ];
    for (src, line, reason) in cases {
        match tour::parse("bad", &src) {
            Ok(_) => panic!("accepted:\n{src}"),
            Err(e) => {
                assert!(
                    e.line_no == line && e.reason.contains(reason),
                    "expected line {line} with '{reason}', got {e}\nfor:\n{}",
                    src.chars().take(400).collect::<String>()
                );
            }
        }
    }
}

/// A question whose choices both hold, or none, has no confirmed answer: the UI then says the
/// engine could not judge, instead of picking one.
#[test]
fn a_question_the_engine_cannot_single_out_confirms_nothing() {
    let src = "title.en: T\ntitle.ko: 티\nstep\nen: S\nko: 에스\nrun: cluster brokers=3 seed=1\nquestion\nen: Q\nko: 질\nchoice a\nen: A\nko: 가\nexpect broker 1 state=running\nchoice b\nen: B\nko: 나\nexpect broker 2 state=running\nanswer: a\nthen\nrun: run 1s\nwhy\nen: W\nko: 왜\n";
    let t = tour::parse("both", src).unwrap();
    let out = tour::run(&t, &mut Session::new()).unwrap();
    assert_eq!(out[0].verdict.confirmed, None);
    assert!(!out[0].verdict.is_right(0));
    assert!(out[0].verdict.checks.iter().all(Result::is_ok));
}

/// Garbage never panics the parser.
#[test]
fn the_tour_parser_never_panics_on_mangled_tours() {
    for (id, src) in BUILTIN {
        let bytes = src.as_bytes();
        for cut in (0..bytes.len()).step_by(37) {
            let s = String::from_utf8_lossy(&bytes[..cut]);
            let _ = tour::parse(id, &s);
            let mut swapped: Vec<&str> = src.lines().collect();
            if cut % 5 == 0 && swapped.len() > 3 {
                let i = cut % (swapped.len() - 1);
                swapped.swap(i, i + 1);
                let _ = tour::parse(id, &swapped.join("\n"));
            }
        }
    }
}
