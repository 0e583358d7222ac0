//! The console: arbitrary text, line by line, through `Session::run_line` (the scenario-language
//! lexer, parser and interpreter), plus tab completion of each line. Checks: no panic, no hang
//! (the session's event budget bounds time), and a line that fails leaves the simulation as it
//! was (every failed line changes nothing).
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscope_core::scenario::{complete, Session};

/// Most inputs start from a running cluster so that the fuzzer reaches the commands that act on
/// one; the first byte picks the preamble.
const PREAMBLES: &[&str] = &[
    "",
    "cluster brokers=3\nkafka-topics --create --topic t --partitions 3 --replication-factor 3\nproducer add p acks=all",
    "cluster brokers=5 controllers=3 seed=7\nkafka-topics --create --topic orders --partitions 2 --replication-factor 3 --config min.insync.replicas=2\nconsumer add c1 group=g topics=orders",
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let mut session = Session::new();
    let preamble = PREAMBLES[first as usize % PREAMBLES.len()];
    for line in preamble.lines() {
        let _ = session.run_line(line);
    }
    for line in text.split('\n') {
        let _ = complete(line, session.view().as_ref());
        let before = session.sim().cloned();
        let pending = session.awaiting_input();
        if session.run_line(line).is_err() && !pending {
            // A failed single line (not the end of a records block, which may have sent
            // records before failing) leaves the simulation unchanged.
            assert!(
                session.sim() == before.as_ref(),
                "the failed line {line:?} changed the simulation"
            );
        }
    }
    let _ = session.end_input();
});
