//! The link decoder (`core::link`): arbitrary text as a link's query string, and arbitrary
//! moments encoded then decoded. Checks: no panic, no hang, no unbounded memory (the decoder
//! refuses oversized links and decompression bombs), a decoded link re-encodes to a link that
//! decodes to the same moment, and every moment within the limits survives a round trip.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use logscope_core::link::{decode, encode, LinkState, LANGS, MAX_LINK_BYTES, VIEWS};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        let text = String::from_utf8_lossy(rest);
        if let Ok(state) = decode(&text) {
            let again = decode(&encode(&state));
            assert_eq!(
                again.as_ref(),
                Ok(&state),
                "a decoded link does not round-trip"
            );
        }
    } else {
        let mut u = Unstructured::new(rest);
        let Ok((script, seed, step, view, lang)) = <(String, u64, u64, u8, u8)>::arbitrary(&mut u)
        else {
            return;
        };
        let state = LinkState {
            script,
            seed,
            step,
            view: VIEWS[view as usize % VIEWS.len()].to_string(),
            lang: LANGS[lang as usize % LANGS.len()].to_string(),
        };
        let link = encode(&state);
        if link.len() <= MAX_LINK_BYTES {
            assert_eq!(
                decode(&link),
                Ok(state),
                "a moment does not round-trip: {link}"
            );
        }
    }
});
