//! Links that hold a whole moment (issue 8, "Links that hold the whole state" and "Bad input"),
//! through `logscope_core::link`:
//!
//! * random scenarios (structured scenario lines, and arbitrary Unicode text), seeds, steps,
//!   views and languages survive encode → decode identically, short (base64) and long
//!   (DEFLATE) alike;
//! * a link that was cut short or had one character changed never opens a *different* moment:
//!   it is refused, or (when the change is invisible to the format, such as the case of a hex
//!   digit in the check value) it decodes to exactly the original;
//! * arbitrary text is refused without panicking.
//!
//! The browser side (which moment a page opens, the saved session) is tested in
//! `web/src/share.rs` and `tests/e2e/embed.mjs`.

use logscope_core::link::{decode, encode, LinkState, LANGS, VIEWS};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 128,
        ..ProptestConfig::default()
    }
}

/// One line of the scenario language, with random names and numbers (validity does not
/// matter to a link: it carries text).
fn scenario_line() -> impl Strategy<Value = String> {
    let name = "[a-z][a-z0-9._-]{0,12}";
    prop_oneof![
        (1u32..9, any::<u64>()).prop_map(|(b, s)| format!("cluster brokers={b} seed={s}")),
        (name, 1u32..50, 1u32..4).prop_map(|(t, p, r)| format!(
            "kafka-topics --create --topic {t} --partitions {p} --replication-factor {r}"
        )),
        (name, prop_oneof![Just("0"), Just("1"), Just("all")])
            .prop_map(|(p, a)| format!("producer add {p} acks={a}")),
        (name, name, ".{0,20}").prop_map(|(p, t, v)| format!("produce {p} {t} key=k value={v:?}")),
        (1u32..9).prop_map(|b| format!("broker kill {b}")),
        (1u64..100_000).prop_map(|ms| format!("run {ms}ms")),
        Just("settle".to_string()),
        "# .{0,40}",
    ]
}

fn script() -> impl Strategy<Value = String> {
    prop_oneof![
        // A scenario, from a few lines to long enough to be compressed.
        prop::collection::vec(scenario_line(), 0..120).prop_map(|lines| lines.join("\n")),
        // Any text at all.
        any::<String>(),
    ]
}

fn moment() -> impl Strategy<Value = LinkState> {
    (
        script(),
        any::<u64>(),
        any::<u64>(),
        prop::sample::select(VIEWS),
        prop::sample::select(LANGS),
    )
        .prop_map(|(script, seed, step, view, lang)| LinkState {
            script,
            seed,
            step,
            view: view.to_string(),
            lang: lang.to_string(),
        })
}

proptest! {
    #![proptest_config(config())]

    /// Issue 8: "URL round trips (encode → decode → identical scenario, seed and step) … for
    /// random scenarios".
    #[test]
    fn issue8_random_moments_round_trip_identically(state in moment()) {
        let link = encode(&state);
        prop_assert_eq!(decode(&link), Ok(state.clone()));
        prop_assert_eq!(decode(&format!("?{link}")), Ok(state.clone()));
        // Options an embedding page adds after the link do not disturb it.
        prop_assert_eq!(decode(&format!("{link}&embed=1&controls=step,play")), Ok(state));
    }

    /// Issue 8, bad input: "a malformed, truncated or tampered link" never opens another moment.
    #[test]
    fn issue8_a_cut_or_changed_link_never_opens_another_moment(
        state in moment(),
        cut in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        with in prop::sample::select(b"AZaz09_-=&%+.".as_slice()),
    ) {
        let link = encode(&state);
        let short = &link[..cut.index(link.len())];
        match decode(short) {
            Ok(got) => prop_assert_eq!(got, state.clone()),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
        let mut bytes = link.clone().into_bytes();
        let i = at.index(bytes.len());
        prop_assume!(bytes[i] != with);
        bytes[i] = with;
        let changed = String::from_utf8(bytes).unwrap();
        match decode(&changed) {
            Ok(got) => prop_assert_eq!(got, state),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    /// Arbitrary text is refused with a reason, never a panic.
    #[test]
    fn issue8_arbitrary_text_is_refused_or_read_never_a_panic(text in any::<String>()) {
        if let Err(e) = decode(&text) {
            prop_assert!(!e.to_string().is_empty());
        }
        let prefixed = format!("v=1&{text}");
        if let Err(e) = decode(&prefixed) {
            prop_assert!(!e.to_string().is_empty());
        }
    }
}
