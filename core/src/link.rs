//! Links that hold a whole moment: the scenario (as text), the seed, the step, the selected
//! view and the language, in a URL query string a teacher can send.
//!
//! Format `v=1` (the version tag comes first, so a later format can be told apart and old
//! links still open): `v=1&seed=42&step=120&view=cluster&lang=en&s=<script>&c=<check>`, where
//! the script is URL-safe base64 (no padding) of its UTF-8 text, or `z=` instead of `s=` for
//! raw DEFLATE of the text when that is shorter (long scenarios). `c` is an FNV-1a checksum of
//! everything before it, so a truncated or edited link is refused with a plain reason instead
//! of opening a different story. Unknown parameters (the UI's own `embed=1`, `controls=…`) are
//! left to the caller. Decoding never panics, and refuses oversized input before doing work.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::base64url;

/// The longest link accepted (the whole query string).
pub const MAX_LINK_BYTES: usize = 64 * 1024;
/// The longest scenario a link may carry, once decompressed.
pub const MAX_SCRIPT_BYTES: usize = 256 * 1024;
/// Scripts longer than this are compressed when that makes the link shorter.
const COMPRESS_ABOVE: usize = 256;

/// The views a link can select.
pub const VIEWS: &[&str] = &["cluster", "timeline", "groups", "log", "console"];
/// The languages the UI speaks.
pub const LANGS: &[&str] = &["en", "ko"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkState {
    pub script: String,
    pub seed: u64,
    pub step: u64,
    pub view: String,
    pub lang: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the link is too long ({len} bytes; the limit is {limit})")]
    TooLong { len: usize, limit: usize },
    #[error("this link has no version (v=…); it was not made by this playground")]
    NoVersion,
    #[error("this link is version {0}, but this playground reads version 1; it may be newer than this page")]
    UnknownVersion(String),
    #[error("the link is missing {0}")]
    Missing(&'static str),
    #[error("the link's {field} is not valid: {value}")]
    BadField { field: &'static str, value: String },
    #[error("the link was cut short or changed (its check value does not match)")]
    Checksum,
    #[error("the scenario in the link is damaged: {0}")]
    Damaged(&'static str),
    #[error("the scenario in the link is larger than {limit} bytes")]
    ScriptTooLarge { limit: usize },
    #[error("this browser cannot decompress the scenario in the link (it has no DecompressionStream); open it in a current browser")]
    CannotInflate,
}

fn fnv32(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Whether [`encode_with`] wants the script compressed: only scripts longer than a few hundred
/// bytes are (and only carried so when that makes the link shorter).
pub fn compresses(state: &LinkState) -> bool {
    state.script.len() > COMPRESS_ABOVE
}

/// Encodes a moment as a query string (without the leading `?`). `deflated` is the script
/// compressed as raw DEFLATE (RFC 1951), to be given when [`compresses`] says so: the link
/// carries it (`z=`) if that is shorter than the text (`s=`), and the text otherwise or when
/// `deflated` is `None`. Compressing is left to the caller: natively [`encode`] does it with
/// miniz_oxide; the browser app asks the browser's `CompressionStream("deflate-raw")`, which
/// keeps a compressor out of the page (ARCHITECTURE.md). Decoding is split the same way
/// ([`decode_with`]).
pub fn encode_with(state: &LinkState, deflated: Option<&[u8]>) -> String {
    let raw = base64url::encode(state.script.as_bytes());
    let mut body = format!(
        "v=1&seed={}&step={}&view={}&lang={}",
        state.seed, state.step, state.view, state.lang
    );
    let z = deflated
        .filter(|_| compresses(state))
        .map(base64url::encode);
    let script_part = match z {
        Some(z) if z.len() < raw.len() => format!("z={z}"),
        _ => format!("s={raw}"),
    };
    body.push('&');
    body.push_str(&script_part);
    let check = fnv32(&body);
    format!("{body}&c={check:08x}")
}

/// [`encode_with`], compressing with miniz_oxide (feature `deflate`: native code and tests; the
/// browser app compresses with the browser instead).
#[cfg(any(test, feature = "deflate"))]
pub fn encode(state: &LinkState) -> String {
    let deflated = compresses(state)
        .then(|| miniz_oxide::deflate::compress_to_vec(state.script.as_bytes(), 9));
    encode_with(state, deflated.as_deref())
}

/// The query's `key=value` pairs, without a leading `?` or `#`.
fn pairs(q: &str) -> Vec<(&str, &str)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect()
}

/// The compressed scenario of a `z=` link, base64-decoded: raw DEFLATE (RFC 1951) for the
/// caller to inflate and hand to [`decode_with`]. `None` when the query has no `z=`, or one that
/// is not base64 (then `decode_with` names the problem), or is too long to be a link.
pub fn packed(query: &str) -> Option<Vec<u8>> {
    if query.len() > MAX_LINK_BYTES {
        return None;
    }
    let q = query.trim_start_matches(['?', '#']);
    let z = pairs(q).into_iter().find(|(k, _)| *k == "z")?.1;
    base64url::decode(z)
}

/// Inflates a `z=` link's scenario ([`packed`]) with miniz_oxide, stopping at
/// [`MAX_SCRIPT_BYTES`] (feature `deflate`: native code and tests; the browser app inflates with
/// its `DecompressionStream` and the same limit instead).
#[cfg(any(test, feature = "deflate"))]
pub fn inflate(packed: &[u8]) -> Result<Vec<u8>, LinkError> {
    miniz_oxide::inflate::decompress_to_vec_with_limit(packed, MAX_SCRIPT_BYTES).map_err(
        |e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => LinkError::ScriptTooLarge {
                limit: MAX_SCRIPT_BYTES,
            },
            _ => LinkError::Damaged("it does not decompress"),
        },
    )
}

/// Decodes a query string made by [`encode_with`] (a leading `?` or `#` is allowed),
/// inflating a `z=` scenario with [`inflate`].
#[cfg(any(test, feature = "deflate"))]
pub fn decode(query: &str) -> Result<LinkState, LinkError> {
    decode_with(query, packed(query).map(|p| inflate(&p)))
}

/// Decodes a query string made by [`encode_with`] (a leading `?` or `#` is allowed).
/// `inflated` is what inflating [`packed`]`(query)` gave, when the link carries its scenario
/// compressed (`z=`); it is used only once everything before it in the link has been checked,
/// so a truncated or changed link gets the same reason either way.
pub fn decode_with(
    query: &str,
    inflated: Option<Result<Vec<u8>, LinkError>>,
) -> Result<LinkState, LinkError> {
    if query.len() > MAX_LINK_BYTES {
        return Err(LinkError::TooLong {
            len: query.len(),
            limit: MAX_LINK_BYTES,
        });
    }
    let q = query.trim_start_matches(['?', '#']);
    let pairs = pairs(q);
    let get = |k: &str| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
    match get("v") {
        None => return Err(LinkError::NoVersion),
        Some("1") => {}
        Some(other) => return Err(LinkError::UnknownVersion(other.chars().take(16).collect())),
    }
    // The check covers everything from `v=` up to `&c=`.
    let Some(cpos) = q.rfind("&c=") else {
        return Err(LinkError::Missing("its check value (c=…)"));
    };
    let vpos = q.find("v=1").unwrap_or(0);
    if vpos > cpos {
        return Err(LinkError::Checksum);
    }
    let body = &q[vpos..cpos];
    let check = &q[cpos + 3..];
    let check_end = check.find('&').unwrap_or(check.len());
    if u32::from_str_radix(&check[..check_end], 16).ok() != Some(fnv32(body)) {
        return Err(LinkError::Checksum);
    }
    let num = |field: &'static str| -> Result<u64, LinkError> {
        let v = get(field).ok_or(LinkError::Missing(field))?;
        v.parse().map_err(|_| LinkError::BadField {
            field,
            value: v.chars().take(32).collect(),
        })
    };
    let seed = num("seed")?;
    let step = num("step")?;
    let pick =
        |field: &'static str, allowed: &[&str], default: &str| -> Result<String, LinkError> {
            match get(field) {
                None => Ok(default.to_string()),
                Some(v) if allowed.contains(&v) => Ok(v.to_string()),
                Some(v) => Err(LinkError::BadField {
                    field,
                    value: v.chars().take(32).collect(),
                }),
            }
        };
    let view = pick("view", VIEWS, "cluster")?;
    let lang = pick("lang", LANGS, "en")?;
    let bytes = match (get("s"), get("z")) {
        (Some(s), None) => base64url::decode(s).ok_or(LinkError::Damaged("not valid base64"))?,
        (None, Some(z)) => {
            base64url::decode(z).ok_or(LinkError::Damaged("not valid base64"))?;
            inflated.unwrap_or(Err(LinkError::Damaged("it does not decompress")))?
        }
        (None, None) => return Err(LinkError::Missing("the scenario (s=… or z=…)")),
        (Some(_), Some(_)) => return Err(LinkError::Damaged("it holds two scenarios")),
    };
    if bytes.len() > MAX_SCRIPT_BYTES {
        return Err(LinkError::ScriptTooLarge {
            limit: MAX_SCRIPT_BYTES,
        });
    }
    let script =
        String::from_utf8(bytes).map_err(|_| LinkError::Damaged("it is not UTF-8 text"))?;
    Ok(LinkState {
        script,
        seed,
        step,
        view,
        lang,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn state(script: &str) -> LinkState {
        LinkState {
            script: script.to_string(),
            seed: 42,
            step: 120,
            view: "cluster".into(),
            lang: "ko".into(),
        }
    }

    #[test]
    fn round_trip_short_and_long() {
        let short = state("cluster brokers=3 seed=42\nkafka-topics --create --topic orders --partitions 3 --replication-factor 3\n");
        assert_eq!(decode(&encode(&short)).unwrap(), short);
        let mut long = String::new();
        for i in 0..200 {
            long.push_str(&format!(
                "produce p1 orders key=user:{i} value=\"order {i}\"\n"
            ));
        }
        let long = state(&long);
        let link = encode(&long);
        assert!(link.contains("&z="), "long scripts are compressed");
        assert!(link.len() < long.script.len() / 2);
        assert_eq!(decode(&link).unwrap(), long);
        assert_eq!(decode(&format!("?{link}")).unwrap(), long);
    }

    /// `decode_with` takes the caller's inflating of `packed`'s bytes, and uses it only after
    /// the link's own checks: a changed link is refused for that even when inflating failed.
    #[test]
    fn decode_with_uses_the_callers_inflating_after_the_links_own_checks() {
        let mut script = String::new();
        for i in 0..60 {
            script.push_str(&format!("produce p1 orders key=k{i}\n"));
        }
        let long = state(&script);
        let link = encode(&long);
        let z = packed(&link).expect("a long script is carried compressed");
        assert_eq!(inflate(&z).unwrap(), script.as_bytes());
        assert_eq!(decode_with(&link, Some(inflate(&z))), Ok(long.clone()));
        assert_eq!(
            decode_with(&link, Some(Err(LinkError::CannotInflate))),
            Err(LinkError::CannotInflate)
        );
        assert_eq!(
            decode_with(&link, None),
            Err(LinkError::Damaged("it does not decompress"))
        );
        let changed = link.replacen("step=120", "step=121", 1);
        assert_eq!(
            decode_with(&changed, Some(Err(LinkError::CannotInflate))),
            Err(LinkError::Checksum)
        );
        // Text links (`s=`) carry nothing to inflate.
        let short = encode(&state("cluster brokers=3\n"));
        assert_eq!(packed(&short), None);
        assert_eq!(decode_with(&short, None), Ok(state("cluster brokers=3\n")));
        // Not base64: nothing to inflate, and the decoder says why.
        let body = "v=1&seed=1&step=0&view=cluster&lang=en&z=!!";
        let l = format!("{body}&c={:08x}", fnv32(body));
        assert_eq!(packed(&l), None);
        assert_eq!(
            decode_with(&l, None),
            Err(LinkError::Damaged("not valid base64"))
        );
    }

    /// Links made by earlier builds keep opening: fixtures of format v=1, frozen here.
    #[test]
    fn links_of_format_v1_still_decode() {
        let fixtures = vec![(
            "v=1&seed=7&step=3&view=cluster&lang=en&s=Y2x1c3RlciBicm9rZXJzPTMgc2VlZD03Cg",
            "cluster brokers=3 seed=7\n",
        )];
        for (body, script) in fixtures {
            let link = format!("{body}&c={:08x}", fnv32(body));
            let s = decode(&link).unwrap();
            assert_eq!(s.script, script);
            assert_eq!((s.seed, s.step), (7, 3));
        }
    }

    #[test]
    fn tampered_truncated_and_hostile_links_are_refused_with_a_reason() {
        let link = encode(&state("cluster brokers=3\n"));
        // Truncated.
        assert_eq!(decode(&link[..link.len() - 3]), Err(LinkError::Checksum));
        assert!(matches!(decode(&link[..20]), Err(LinkError::Missing(_))));
        // Tampered: a changed seed.
        let t = link.replacen("seed=42", "seed=43", 1);
        assert_eq!(decode(&t), Err(LinkError::Checksum));
        // Not ours, or from the future.
        assert_eq!(decode("a=1"), Err(LinkError::NoVersion));
        assert!(matches!(
            decode("v=9&x=1"),
            Err(LinkError::UnknownVersion(_))
        ));
        // Oversized input is refused before any work.
        let huge = "v=1&".to_string() + &"a".repeat(10 * 1024 * 1024);
        assert!(matches!(decode(&huge), Err(LinkError::TooLong { .. })));
        // A zip bomb stops at the limit.
        let bomb = base64url::encode(&miniz_oxide::deflate::compress_to_vec(
            &vec![b'a'; MAX_SCRIPT_BYTES + 10],
            9,
        ));
        let body = format!("v=1&seed=1&step=0&view=cluster&lang=en&z={bomb}");
        let l = format!("{body}&c={:08x}", fnv32(&body));
        assert_eq!(
            decode(&l),
            Err(LinkError::ScriptTooLarge {
                limit: MAX_SCRIPT_BYTES
            })
        );
        // Markup in a field is named, not interpreted.
        let body = "v=1&seed=1&step=0&view=<script>&lang=en&s=";
        let l = format!("{body}&c={:08x}", fnv32(body));
        assert!(matches!(
            decode(&l),
            Err(LinkError::BadField { field: "view", .. })
        ));
        // Invalid UTF-8 inside.
        let body = format!(
            "v=1&seed=1&step=0&view=cluster&lang=en&s={}",
            base64url::encode(&[0xff, 0xfe])
        );
        let l = format!("{body}&c={:08x}", fnv32(&body));
        assert_eq!(decode(&l), Err(LinkError::Damaged("it is not UTF-8 text")));
    }
}
