//! Sharing a moment: what the page's address asks for, the saved session, links, the "Embed
//! this" snippet and the run exported as JSON. Pure functions over strings (no DOM), so they are
//! tested natively; the components and [`crate::host`] do the browser side.
//!
//! **The address.** A link made by "Copy link" is `?v=1&seed=…&step=…&view=…&lang=…&s=…&c=…`
//! (format in `logscope_core::link`); the embedding options follow the check value:
//! `&embed=1&controls=step,play&console=0&tour=acks&origin=https%3A%2F%2Fcourse.example`.
//! Options are read whether or not a link is present.
//!
//! **Which moment opens** (decided here, in [`startup`]):
//! 1. a link in the address opens exactly that moment, paused;
//! 2. a link that is malformed, truncated or tampered opens the default scenario, with a plain
//!    message saying what was wrong;
//! 3. with no link, the session saved in `localStorage` is restored;
//! 4. otherwise the default scenario opens.
//!
//! **The saved session** is the same `v=1` string, kept under [`STORAGE_KEY`]. It is written
//! only after the user changes something in this tab (a step, a line, a seek, the language),
//! never just because a page opened: a link, good or bad, leaves the saved session as it was
//! until the learner starts working on what the link opened. Embedded pages (`embed=1`) neither
//! read nor write it: several iframes of one course page would overwrite one another.

use logscope_core::link::{self, LinkError, LinkState};

use crate::i18n::{trf, Lang};

/// Where the session is kept in `localStorage`.
pub const STORAGE_KEY: &str = "logscope.session.v1";

/// A control an embedding page may keep (`controls=step,play`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    Play,
    Step,
    Back,
    Fork,
    Scrubber,
    Speed,
    Help,
    /// The menus on brokers and clients, and the action bar.
    Actions,
    /// Copy link, embed, import and export.
    Share,
    Lang,
}

impl Control {
    pub const ALL: &'static [(&'static str, Control)] = &[
        ("play", Control::Play),
        ("step", Control::Step),
        ("back", Control::Back),
        ("fork", Control::Fork),
        ("scrubber", Control::Scrubber),
        ("speed", Control::Speed),
        ("help", Control::Help),
        ("actions", Control::Actions),
        ("share", Control::Share),
        ("lang", Control::Lang),
    ];
}

/// What the address asks of the page's layout and of the host-page API.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct EmbedOptions {
    /// `embed=1`: the compact layout for an iframe.
    pub embed: bool,
    /// `controls=…`: the controls shown; `None` shows all.
    pub controls: Option<Vec<Control>>,
    /// `console=0|1`; by default shown, except in an embedded page.
    pub console: Option<bool>,
    /// `tour=<id>`: the tour the page is fixed to (the tours panel reads it).
    pub tour: Option<String>,
    /// `origin=…` (repeatable, or comma-separated): the host pages allowed to drive this page
    /// with `postMessage` and to receive its events. Empty: the API is off.
    pub origins: Vec<String>,
    /// `ab=acks|unclean|assignor|idempotence`: open in compare mode on that setting
    /// (`logscope_core::compare::Setting`). Outside the link's check value, so any link, old or
    /// new, takes it.
    pub compare: Option<logscope_core::compare::Setting>,
}

impl EmbedOptions {
    pub fn shows(&self, control: Control) -> bool {
        self.controls.as_ref().is_none_or(|c| c.contains(&control))
    }

    pub fn shows_console(&self) -> bool {
        self.console.unwrap_or(!self.embed)
    }
}

/// `%XX` and `+` decoded; `None` when an escape is broken or the bytes are not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encodes everything but unreserved characters (for a value in a query string).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether `s` is a web origin as `MessageEvent.origin` spells it: `http` or `https`, a host,
/// an optional port, and nothing after (no path, no trailing slash).
pub fn is_origin(s: &str) -> bool {
    let rest = if let Some(r) = s.strip_prefix("https://") {
        r
    } else if let Some(r) = s.strip_prefix("http://") {
        r
    } else {
        return false;
    };
    // IPv6 literals are not accepted: a course page is served from a name.
    let (host, port) = match rest.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.".contains(c));
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()));
    host_ok && port_ok
}

fn pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .trim_start_matches(['?', '#'])
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
}

/// Reads the embedding options from a query string. Each wrong value is named in a message
/// and otherwise ignored (the rest of the options still apply).
pub fn parse_options(query: &str, lang: Lang) -> (EmbedOptions, Vec<String>) {
    let mut o = EmbedOptions::default();
    let mut problems = Vec::new();
    let bool_of = |field: &str, v: &str, problems: &mut Vec<String>| match v {
        "1" | "true" => Some(true),
        "0" | "false" => Some(false),
        _ => {
            let v = shorten(v);
            problems.push(trf(
                lang,
                "{0}={1} is not valid (use {0}=1 or {0}=0)",
                &[&field, &v],
            ));
            None
        }
    };
    for (key, raw) in pairs(query) {
        let Some(value) = percent_decode(raw) else {
            problems.push(trf(
                lang,
                "{0}: the value is not valid percent-encoded text",
                &[&key],
            ));
            continue;
        };
        match key {
            "embed" => {
                if let Some(b) = bool_of("embed", &value, &mut problems) {
                    o.embed = b;
                }
            }
            "console" => o.console = bool_of("console", &value, &mut problems).or(o.console),
            "controls" => {
                let mut list = Vec::new();
                for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    match Control::ALL.iter().find(|(n, _)| *n == name) {
                        Some((_, c)) => list.push(*c),
                        None => {
                            let (name, known) = (
                                shorten(name),
                                Control::ALL
                                    .iter()
                                    .map(|(n, _)| *n)
                                    .collect::<Vec<_>>()
                                    .join(", "),
                            );
                            problems.push(trf(
                                lang,
                                "controls: unknown control '{0}' (known: {1})",
                                &[&name, &known],
                            ))
                        }
                    }
                }
                o.controls = Some(list);
            }
            "tour" => {
                let ok = !value.is_empty()
                    && value.len() <= 64
                    && value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
                if ok {
                    o.tour = Some(value);
                } else {
                    let value = shorten(&value);
                    problems.push(trf(
                        lang,
                        "tour: '{0}' is not a tour id (letters, digits, '-' and '_', at most 64)",
                        &[&value],
                    ));
                }
            }
            "ab" => match logscope_core::compare::Setting::from_id(&value) {
                Some(setting) => o.compare = Some(setting),
                None => {
                    let value = shorten(&value);
                    problems.push(trf(
                        lang,
                        "ab: '{0}' is not a setting compare mode knows (known: acks, unclean, assignor, idempotence)",
                        &[&value],
                    ))
                }
            },
            "origin" => {
                for origin in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    if is_origin(origin) {
                        if !o.origins.iter().any(|x| x == origin) {
                            o.origins.push(origin.to_string());
                        }
                    } else {
                        let origin = shorten(origin);
                        problems.push(trf(
                            lang,
                            "origin: '{0}' is not an origin (like https://course.example, with no path)",
                            &[&origin],
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    (o, problems)
}

fn shorten(s: &str) -> String {
    let mut t: String = s.chars().take(40).collect();
    if t.len() < s.len() {
        t.push('…');
    }
    t
}

/// Whether the query string carries a link (as opposed to options only).
pub fn has_link(query: &str) -> bool {
    pairs(query).any(|(k, _)| matches!(k, "v" | "s" | "z" | "c"))
}

/// What the page opens with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Opening {
    Default,
    /// A moment from the address.
    Link(LinkState),
    /// The session saved in `localStorage`.
    Saved(LinkState),
}

impl Opening {
    /// The view the moment selects.
    pub fn view(&self) -> &str {
        match self {
            Opening::Default => "cluster",
            Opening::Link(s) | Opening::Saved(s) => &s.view,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Startup {
    pub opening: Opening,
    pub options: EmbedOptions,
    /// Plain messages about what could not be used (a bad link, a bad option).
    pub notices: Vec<String>,
}

/// Why a link was refused, for the learner. The reason (`LinkError`'s text, from the core)
/// stays English; Korean mode wraps it in a Korean sentence.
pub fn link_problem(e: &LinkError, lang: Lang) -> String {
    trf(
        lang,
        "This link could not be opened: {0}. The default scenario is open instead; your saved session was not touched.",
        &[e],
    )
}

/// What inflating the compressed scenarios (`z=`, [`link::packed`]) of the page's link and of
/// the saved session gave, for [`startup`]: each `None` when it carries none. The browser
/// inflates them before the app opens (components/share.rs), so no DEFLATE code ships in the
/// page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inflated {
    pub link: Option<Result<Vec<u8>, LinkError>>,
    pub saved: Option<Result<Vec<u8>, LinkError>>,
    /// Fetching the Korean text before a page that opens in Korean is drawn (i18n.rs): `None`
    /// when it was not needed; an error opens the page in English with a notice saying why.
    pub korean: Option<Result<(), String>>,
}

/// Decides what the page opens with, from its query string and the saved session (see the
/// module documentation for the rules). The notices are in `lang`.
pub fn startup(query: &str, saved: Option<&str>, lang: Lang, inflated: Inflated) -> Startup {
    let (options, mut notices) = parse_options(query, lang);
    let mut opening = if has_link(query) {
        match link::decode_with(query, inflated.link) {
            Ok(state) => Opening::Link(state),
            Err(e) => {
                notices.insert(0, link_problem(&e, lang));
                Opening::Default
            }
        }
    } else if options.embed {
        Opening::Default
    } else {
        match saved.map(|saved| link::decode_with(saved, inflated.saved)) {
            Some(Ok(state)) => Opening::Saved(state),
            Some(Err(e)) => {
                notices.push(trf(
                    lang,
                    "The saved session could not be restored ({0}); the default scenario is open instead.",
                    &[&e],
                ));
                Opening::Default
            }
            None => Opening::Default,
        }
    };
    if let Some(Err(why)) = &inflated.korean {
        notices.push(korean_failed(why));
        if let Opening::Link(moment) | Opening::Saved(moment) = &mut opening {
            moment.lang = Lang::En.tag().into();
        }
    }
    Startup {
        opening,
        options,
        notices,
    }
}

/// Why the page is in English after Korean was asked for: said in both languages, since the
/// Korean text is what is missing.
pub fn korean_failed(why: &str) -> String {
    format!(
        "The Korean text could not be loaded ({why}): the page is in English. \
         한국어 텍스트를 불러오지 못해 영어로 표시합니다."
    )
}

/// The language a link names (`en` or `ko`).
pub fn lang_of(tag: &str) -> Lang {
    Lang::from_tag(tag)
}

/// A page address for a moment: `base` (origin and path) and the moment's query string
/// (`link::encode_with`; the app compresses it in the browser: components/share.rs).
pub fn link_url(base: &str, query: &str) -> String {
    format!("{base}?{query}")
}

/// The option that reopens compare mode on a link (`&ab=acks`), empty outside compare mode.
/// It follows the check value, like the embedding options, so the `v=1` part stays as it is.
pub fn compare_option(compare: Option<logscope_core::compare::Setting>) -> String {
    compare.map_or(String::new(), |s| format!("&ab={}", s.id()))
}

/// The `<iframe>` snippet a course page pastes to show this moment. `host_origin` is added as
/// an allowed origin when given, for the `postMessage` API; `compare` reopens compare mode.
pub fn embed_snippet(
    base: &str,
    query: &str,
    host_origin: Option<&str>,
    compare: Option<logscope_core::compare::Setting>,
) -> String {
    let mut src = format!("{base}?{query}&embed=1{}", compare_option(compare));
    if let Some(origin) = host_origin {
        src.push_str("&origin=");
        src.push_str(&percent_encode(origin));
    }
    format!(
        "<iframe src=\"{}\" width=\"800\" height=\"600\" title=\"logscope: a simulated Kafka cluster\" loading=\"lazy\"></iframe>",
        src.replace('&', "&amp;").replace('"', "&quot;")
    )
}

/// A JSON string literal.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The run as JSON: the moment (scenario, seed, step, time), the recent events of the trace
/// and the guarantee checker's findings. Written by hand: the web crate has no serde, and this
/// is the one JSON document it makes.
pub fn run_json(
    state: &LinkState,
    view: &logscope_core::ClusterView,
    events: &[&logscope_core::sim::TraceEvent],
) -> String {
    let mut out = String::from("{\n");
    out.push_str("  \"format\": \"logscope-run\",\n  \"v\": 1,\n");
    out.push_str(&format!(
        "  \"seed\": {},\n  \"step\": {},\n  \"time_ms\": {},\n  \"lang\": {},\n  \"view\": {},\n",
        state.seed,
        state.step,
        view.time_ms,
        json_string(&state.lang),
        json_string(&state.view)
    ));
    out.push_str(&format!(
        "  \"scenario\": {},\n",
        json_string(&state.script)
    ));
    out.push_str(&format!("  \"lost_acked\": {},\n", view.lost_acked));
    out.push_str("  \"findings\": [");
    for (i, f) in view.findings.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        out.push_str(&format!(
            "    {{\"kind\": {}, \"step\": {}, \"time_ms\": {}, \"message\": {}}}",
            json_string(f.kind),
            f.step,
            f.time_ms,
            json_string(&f.message)
        ));
    }
    out.push_str(if view.findings.is_empty() {
        "],\n"
    } else {
        "\n  ],\n"
    });
    out.push_str("  \"events\": [");
    for (i, e) in events.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        let kind = match e.kind {
            logscope_core::sim::TraceKind::Delivered => "delivered",
            logscope_core::sim::TraceKind::Dropped => "dropped",
            logscope_core::sim::TraceKind::Timer => "timer",
        };
        out.push_str(&format!(
            "    {{\"step\": {}, \"time_ms\": {}, \"kind\": \"{kind}\", \"api\": {}, \"response\": {}, \"req\": {}, \"from\": {}, \"to\": {}, \"summary\": {}}}",
            e.step,
            e.time_ms,
            json_string(e.api),
            e.is_response,
            e.req,
            json_string(&e.from),
            json_string(&e.to),
            json_string(&e.summary)
        ));
    }
    out.push_str(if events.is_empty() { "]\n" } else { "\n  ]\n" });
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`super::startup`] with the compressed scenarios inflated natively (miniz_oxide), as the
    /// browser inflates them before the app opens.
    fn startup(query: &str, saved: Option<&str>, lang: Lang) -> Startup {
        let inflate = |q: &str| link::packed(q).map(|p| link::inflate(&p));
        let inflated = Inflated {
            link: inflate(query),
            saved: saved.and_then(inflate),
            korean: None,
        };
        super::startup(query, saved, lang, inflated)
    }

    /// A long scenario's link carries it compressed (`z=`): it opens with what the browser's
    /// inflating gave, and when that failed or was not done the learner is told why.
    #[test]
    fn a_compressed_link_opens_with_what_inflating_it_gave() {
        let mut script = String::from("cluster brokers=3 seed=7\n");
        for i in 0..40 {
            script.push_str(&format!("produce p1 orders key=k{i} value=v{i}\n"));
        }
        let long = LinkState { script, ..moment() };
        let query = format!("?{}", link::encode(&long));
        assert!(query.contains("&z="), "{query}");
        let opened = startup(&query, None, Lang::En);
        assert_eq!(opened.opening, Opening::Link(long.clone()));
        let refused = |inflated: Option<Result<Vec<u8>, LinkError>>| {
            let s = super::startup(
                &query,
                None,
                Lang::En,
                Inflated {
                    link: inflated,
                    saved: None,
                    korean: None,
                },
            );
            assert_eq!(s.opening, Opening::Default);
            s.notices[0].clone()
        };
        assert!(refused(None).contains("it does not decompress"));
        let too_large = LinkError::ScriptTooLarge {
            limit: link::MAX_SCRIPT_BYTES,
        };
        assert!(refused(Some(Err(too_large))).contains("larger than"));
        // A saved session made from a long scenario is compressed too.
        let saved = link::encode(&long);
        let s = startup("", Some(&saved), Lang::En);
        assert_eq!(s.opening, Opening::Saved(long));
    }

    fn moment() -> LinkState {
        LinkState {
            script: "cluster brokers=3 seed=7\n".into(),
            seed: 7,
            step: 12,
            view: "cluster".into(),
            lang: "ko".into(),
        }
    }

    #[test]
    fn a_korean_link_without_its_korean_text_opens_in_english_and_says_why() {
        let link = format!("?{}", link::encode(&moment()));
        let failed = Inflated {
            korean: Some(Err("HTTP 404".into())),
            ..Inflated::default()
        };
        let s = super::startup(&link, None, Lang::Ko, failed);
        let english = LinkState {
            lang: "en".into(),
            ..moment()
        };
        assert_eq!(s.opening, Opening::Link(english));
        assert_eq!(s.notices, [korean_failed("HTTP 404")]);
        assert!(s.notices[0].starts_with("The Korean text could not be loaded (HTTP 404)"));
        // Fetched: the link's language stands, and nothing is said.
        let fetched = Inflated {
            korean: Some(Ok(())),
            ..Inflated::default()
        };
        let s = super::startup(&link, None, Lang::Ko, fetched);
        assert_eq!(s.opening, Opening::Link(moment()));
        assert!(s.notices.is_empty(), "{:?}", s.notices);
    }

    #[test]
    fn a_link_opens_that_moment_and_the_saved_session_is_not_read() {
        let link = link::encode(&moment());
        let saved = link::encode(&LinkState {
            seed: 99,
            ..moment()
        });
        let s = startup(&format!("?{link}"), Some(&saved), Lang::En);
        assert_eq!(s.opening, Opening::Link(moment()));
        assert!(s.notices.is_empty(), "{:?}", s.notices);
    }

    #[test]
    fn a_tampered_or_truncated_link_opens_the_default_with_a_plain_reason() {
        let link = link::encode(&moment());
        let saved = link::encode(&moment());
        for bad in [
            link.replacen("seed=7", "seed=8", 1),
            link[..link.len() - 4].to_string(),
            "v=2&seed=1".to_string(),
            "s=abc".to_string(),
        ] {
            let s = startup(&bad, Some(&saved), Lang::En);
            assert_eq!(s.opening, Opening::Default, "{bad}");
            assert!(
                s.notices[0].starts_with("This link could not be opened"),
                "{:?}",
                s.notices
            );
            assert!(s.notices[0].contains("saved session was not touched"));
        }
    }

    /// `ab=` (compare mode) is an option after the check value: a link made before it existed
    /// opens as before with compare mode off, the same link with `&ab=acks` opens the same
    /// moment in compare mode, and an unknown setting is named and changes nothing else.
    #[test]
    fn ab_opens_compare_mode_and_old_links_still_decode() {
        use logscope_core::compare::Setting;
        let link = link::encode(&moment());
        let old = startup(&format!("?{link}"), None, Lang::En);
        assert_eq!(old.opening, Opening::Link(moment()));
        assert_eq!(old.options.compare, None);
        let ab = startup(&format!("?{link}&ab=acks"), None, Lang::En);
        assert_eq!(ab.opening, Opening::Link(moment()));
        assert_eq!(ab.options.compare, Some(Setting::Acks));
        assert!(ab.notices.is_empty(), "{:?}", ab.notices);
        assert_eq!(
            startup("?ab=assignor", None, Lang::En).options.compare,
            Some(Setting::RebalanceProtocol)
        );
        let bad = startup(&format!("?{link}&ab=linger"), None, Lang::En);
        assert_eq!(bad.opening, Opening::Link(moment()));
        assert_eq!(bad.options.compare, None);
        assert!(bad.notices[0].contains("ab: 'linger'"), "{:?}", bad.notices);
    }

    /// A link copied in compare mode, and an embed snippet made there, reopen the same moment
    /// in compare mode with the same setting, for every setting.
    #[test]
    fn links_and_snippets_made_in_compare_mode_reopen_it() {
        use logscope_core::compare::Setting;
        for setting in [
            Setting::Acks,
            Setting::UncleanLeaderElection,
            Setting::RebalanceProtocol,
            Setting::Idempotence,
        ] {
            let url = format!(
                "{}{}",
                link_url("https://l.example/", &link::encode(&moment())),
                compare_option(Some(setting))
            );
            let query = &url["https://l.example/".len()..];
            let opened = startup(query, None, Lang::En);
            assert_eq!(opened.opening, Opening::Link(moment()));
            assert_eq!(opened.options.compare, Some(setting));
            assert!(opened.notices.is_empty(), "{:?}", opened.notices);
            let snippet = embed_snippet(
                "https://l.example/",
                &link::encode(&moment()),
                None,
                Some(setting),
            );
            let src = snippet
                .split('"')
                .nth(1)
                .expect("src attribute")
                .replace("&amp;", "&");
            let opened = startup(&src["https://l.example/".len()..], None, Lang::En);
            assert_eq!(opened.options.compare, Some(setting));
            assert!(opened.options.embed);
        }
        assert_eq!(compare_option(None), "");
    }

    #[test]
    fn korean_mode_says_in_korean_why_a_link_a_session_or_an_option_was_not_used() {
        let hangul = |s: &str| s.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c));
        let link = link::encode(&moment());
        let bad = link.replacen("seed=7", "seed=8", 1);
        let reason = link::decode(&bad).unwrap_err().to_string();
        let ko = startup(&bad, None, Lang::Ko);
        assert_eq!(ko.opening, Opening::Default);
        let en = startup(&bad, None, Lang::En);
        assert_ne!(ko.notices[0], en.notices[0]);
        assert!(
            hangul(&ko.notices[0]) && !hangul(&en.notices[0]),
            "{:?}",
            ko.notices
        );
        assert!(
            ko.notices[0].contains(&reason),
            "the core's reason is kept: {:?}",
            ko.notices
        );
        assert!(!ko.notices[0].contains("could not"), "{:?}", ko.notices);

        let broken = startup("", Some("v=1&seed=x"), Lang::Ko);
        assert_eq!(broken.notices.len(), 1);
        assert!(hangul(&broken.notices[0]), "{:?}", broken.notices);
        assert!(
            !broken.notices[0].contains("could not"),
            "{:?}",
            broken.notices
        );

        let q = "?controls=warp&console=maybe&tour=a%20b&origin=javascript:x&embed=%zz";
        let (_, ko) = parse_options(q, Lang::Ko);
        let (_, en) = parse_options(q, Lang::En);
        assert_eq!(ko.len(), 5, "{ko:?}");
        assert_eq!(ko.len(), en.len());
        for (k, e) in ko.iter().zip(&en) {
            assert!(hangul(k) && !hangul(e), "{k} / {e}");
            // The option at fault is named as written, in both languages.
            assert!(
                k.starts_with(e.split([':', '=']).next().unwrap()),
                "{k} / {e}"
            );
        }
        assert!(ko[0].contains("'warp'"), "{ko:?}");
    }

    #[test]
    fn without_a_link_the_saved_session_is_restored_but_not_in_an_iframe() {
        let saved = link::encode(&moment());
        assert_eq!(
            startup("", Some(&saved), Lang::En).opening,
            Opening::Saved(moment())
        );
        assert_eq!(
            startup("?embed=1", Some(&saved), Lang::En).opening,
            Opening::Default
        );
        let broken = startup("", Some("v=1&seed=x"), Lang::En);
        assert_eq!(broken.opening, Opening::Default);
        assert!(broken.notices[0].contains("saved session could not be restored"));
    }

    #[test]
    fn options_follow_the_link_and_wrong_ones_are_named() {
        let link = link::encode(&moment());
        let q = format!("?{link}&embed=1&controls=step,play,warp&console=maybe&tour=acks-all&origin=https%3A%2F%2Fcourse.example,https://b.example:8443&origin=javascript:alert(1)");
        let s = startup(&q, None, Lang::En);
        assert_eq!(
            s.opening,
            Opening::Link(moment()),
            "options after c= keep the link valid"
        );
        let o = &s.options;
        assert!(o.embed);
        assert_eq!(o.controls, Some(vec![Control::Step, Control::Play]));
        assert!(o.shows(Control::Step) && !o.shows(Control::Fork));
        assert_eq!(o.console, None);
        assert!(
            !o.shows_console(),
            "an embedded page hides the console unless console=1"
        );
        assert_eq!(o.tour.as_deref(), Some("acks-all"));
        assert_eq!(
            o.origins,
            vec!["https://course.example", "https://b.example:8443"]
        );
        let all = s.notices.join("\n");
        assert!(all.contains("controls: unknown control 'warp'"), "{all}");
        assert!(all.contains("console=maybe is not valid"), "{all}");
        assert!(
            all.contains("origin: 'javascript:alert(1)' is not an origin"),
            "{all}"
        );
    }

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        for ok in [
            "https://course.example",
            "http://127.0.0.1:8080",
            "http://localhost",
        ] {
            assert!(is_origin(ok), "{ok}");
        }
        for bad in [
            "*",
            "null",
            "https://course.example/",
            "https://a.example/path",
            "ftp://a.example",
            "https://",
            "https://a.example:99999999",
            "https://a b",
        ] {
            assert!(!is_origin(bad), "{bad}");
        }
    }

    #[test]
    fn the_snippet_escapes_its_attribute_and_names_the_host() {
        let s = embed_snippet(
            "https://logscope.example/",
            &link::encode(&moment()),
            Some("https://c.example"),
            None,
        );
        assert!(s.starts_with("<iframe src=\"https://logscope.example/?v=1&amp;seed=7"));
        assert!(s.contains("&amp;embed=1&amp;origin=https%3A%2F%2Fc.example\""));
        assert!(!s.contains("&seed"));
        assert!(s.contains("width=\"800\" height=\"600\""));
    }

    #[test]
    fn json_strings_escape_quotes_controls_and_line_separators() {
        assert_eq!(
            json_string("a\"b\\c\nd\u{1}\u{2028}"),
            "\"a\\\"b\\\\c\\nd\\u0001\\u2028\""
        );
    }

    // serde_json is a native dev-dependency only.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn the_run_exported_as_json_parses_and_holds_the_moment() {
        let mut sim = crate::state::default_sim(3).unwrap();
        let mut events = Vec::new();
        for _ in 0..20 {
            events.extend(sim.step_event());
        }
        let state = LinkState {
            script: "cluster brokers=3 seed=3\n# \"quoted\" \u{2028}\n".into(),
            seed: 3,
            step: sim.steps(),
            view: "timeline".into(),
            lang: "en".into(),
        };
        let refs: Vec<_> = events.iter().collect();
        let text = run_json(&state, &sim.view(), &refs);
        let v: serde_json::Value = serde_json::from_str(&text).expect(&text);
        assert_eq!(v["format"], "logscope-run");
        assert_eq!(v["v"], 1);
        assert_eq!(v["seed"], 3);
        assert_eq!(v["step"], 20);
        assert_eq!(v["scenario"], state.script.as_str());
        assert_eq!(v["view"], "timeline");
        assert_eq!(v["events"].as_array().unwrap().len(), 20);
        assert_eq!(v["events"][19]["step"], 20);
        assert!(v["findings"].as_array().unwrap().is_empty());
    }

    #[test]
    fn percent_coding_round_trips_and_refuses_broken_escapes() {
        let s = "https://a.example:1/ x?&=é";
        assert_eq!(percent_decode(&percent_encode(s)).as_deref(), Some(s));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%ff"), None, "not UTF-8");
    }
}
