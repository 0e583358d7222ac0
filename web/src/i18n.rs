//! Every string the UI shows, in English and Korean. Components ask [`t`] for a [`Key`] in the
//! current [`Lang`], or [`tr`]/[`trf`] for a string written where it is shown; names that come
//! from the simulation (topics, client ids, Kafka's API names and config keys) stay as Kafka
//! writes them.
//!
//! The English is in the code; the Korean is in `web/i18n/ko.txt`, keyed by that English, and
//! the page fetches it only when it is needed ([`KOREAN_URL`], [`install_korean`];
//! `components/app.rs` fetches it before a page that opens in Korean is drawn), so that an
//! English visitor's wasm does not carry it. Until it is installed, Korean falls back to English.

pub mod timeline;

use std::sync::OnceLock;
pub use timeline::segment_label;

/// The languages the UI speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Ko,
}

impl Lang {
    /// The language for a BCP 47 tag such as `navigator.language` (`ko-KR` → Korean).
    pub fn from_tag(tag: &str) -> Lang {
        if tag.to_ascii_lowercase().starts_with("ko") {
            Lang::Ko
        } else {
            Lang::En
        }
    }

    /// The tag for the `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Ko,
            Lang::Ko => Lang::En,
        }
    }
}

/// Where the page fetches the Korean text: `web/i18n/ko.txt`, which Trunk copies to `dist/`.
pub const KOREAN_URL: &str = "i18n/ko.txt";

/// The Korean text once installed: (English, Korean) pairs sorted by English.
static KOREAN: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();

/// Reads the Korean text (`web/i18n/ko.txt`): entries of two lines, `en: ` and the English as
/// the code writes it, then `ko: ` and its Korean; blank lines and `#` comments between
/// entries. The pairs come back sorted by English; an error names the line at fault.
pub fn parse_catalogue(text: &str) -> Result<Vec<(&str, &str)>, String> {
    let mut pairs = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let ko = lines.next().and_then(|(_, l)| l.strip_prefix("ko: "));
        match (line.strip_prefix("en: "), ko) {
            (Some(en), Some(ko)) => pairs.push((en, ko)),
            _ => {
                return Err(format!(
                    "line {}: not an `en: ` line followed by its `ko: ` line",
                    i + 1
                ))
            }
        }
    }
    pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
    if let Some(w) = pairs.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(format!("en: {} is there twice", w[0].0));
    }
    Ok(pairs)
}

/// Installs the fetched Korean text; later calls keep the first. The text lives as long as the
/// page (it is read for every Korean string shown).
pub fn install_korean(text: String) -> Result<(), String> {
    let pairs = parse_catalogue(text.leak())?;
    let _ = KOREAN.set(pairs);
    Ok(())
}

/// Whether the Korean text is installed.
pub fn korean_installed() -> bool {
    KOREAN.get().is_some()
}

/// The Korean for `en`; `en` itself when the Korean text is not installed or has no entry for
/// it. Unit tests read the text from the source tree, so they need no fetch.
pub fn korean(en: &'static str) -> &'static str {
    #[cfg(test)]
    let pairs = KOREAN.get_or_init(|| {
        parse_catalogue(include_str!("../i18n/ko.txt")).unwrap_or_else(|e| panic!("ko.txt: {e}"))
    });
    #[cfg(not(test))]
    let Some(pairs) = KOREAN.get() else {
        return en;
    };
    pairs
        .binary_search_by(|(e, _)| (*e).cmp(en))
        .map_or(en, |i| pairs[i].1)
}

/// `en` in `lang`: a string written where it is shown, its Korean in `web/i18n/ko.txt`.
pub fn tr(lang: Lang, en: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Ko => korean(en),
    }
}

/// [`t`] as a view's text: one call where a view shows it, so that each place does not build
/// the text node itself.
#[inline(never)]
pub fn th(lang: Lang, key: Key) -> yew::Html {
    yew::Html::from(t(lang, key))
}

/// [`tr`] as a view's text (see [`th`]).
#[inline(never)]
pub fn trh(lang: Lang, en: &'static str) -> yew::Html {
    yew::Html::from(tr(lang, en))
}

/// `template`, the English with `{0}`, `{1}`, … where the values go, in `lang` and filled with
/// `args`; the Korean template in `web/i18n/ko.txt` may put the values in another order.
pub fn trf(lang: Lang, template: &'static str, args: &[&dyn core::fmt::Display]) -> String {
    use core::fmt::Write;
    let mut pieces = tr(lang, template).split('{');
    let mut out = String::from(pieces.next().unwrap_or_default());
    for piece in pieces {
        let filled = piece
            .split_once('}')
            .and_then(|(n, tail)| Some((args.get(n.parse::<usize>().ok()?)?, tail)));
        match filled {
            Some((arg, tail)) => {
                let _ = write!(out, "{arg}");
                out.push_str(tail);
            }
            None => {
                out.push('{');
                out.push_str(piece);
            }
        }
    }
    out
}

/// One visible string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Subtitle,
    Configs,
    ConfigsFor,
    NewProducer,
    NewConsumer,
    TopicWord,
    DefaultWord,
    Apply,
    Play,
    Pause,
    Step,
    StepBack,
    Fork,
    Speed,
    Timeline,
    Seed,
    StepNo,
    Time,
    Position,
    Shortcuts,
    Close,
    KeySpace,
    KeyRight,
    KeyLeft,
    KeyHelp,
    KeyEscape,
    LanguageSwitch,
    ClusterLabel,
    Producers,
    Brokers,
    Consumers,
    Controllers,
    Leader,
    Follower,
    OutOfSync,
    Offline,
    ActiveController,
    Committed,
    Unflushed,
    HighWatermark,
    LastStable,
    LogStart,
    LogEnd,
    InFlight,
    Responses,
    InFlightWhen,
    Stop,
    Kill,
    PowerOff,
    Start,
    Isolate,
    Heal,
    AddProducer,
    AddConsumer,
    SendOne,
    SendBurst,
    Remove,
    PauseConsumer,
    ActionsFor,
    Console,
    ConsoleInput,
    ConsoleHint,
    Groups,
    NoGroups,
    State,
    Generation,
    GroupEpoch,
    AssignmentEpoch,
    MemberEpoch,
    Members,
    Partition,
    CommittedOffset,
    Lag,
    Revoked,
    Paused,
    LastRebalance,
    Findings,
    NoFindings,
    JumpToStep,
    LostAcked,
    Events,
    NoEvents,
    Delivered,
    Dropped,
    Timer,
    Forked,
    ApiProduce,
    ApiFetch,
    ApiIsr,
    ApiGroup,
    ApiController,
    ApiOther,
    // Compare mode (components/compare.rs).
    Compare,
    CompareTitle,
    CompareSetting,
    CompareClose,
    CompareControls,
    JumpToDivergence,
    DivergenceMarker,
    NoDivergence,
    NoDivergenceYet,
    CompareRefused,
    SettingAcks,
    SettingUnclean,
    SettingAssignor,
    SettingIdempotence,
    // The phase jumps, the sequence diagram and the charts.
    KeyPhasePrev,
    KeyPhaseNext,
    NoEarlierPhase,
    SequenceTitle,
    SequenceHelp,
    CurrentStep,
    PhaseStarts,
    ChartsTitle,
    ChartsHelp,
    ChartUnderReplicated,
    ChartLag,
    ChartAcked,
    ChartEmpty,
    NoProducers,
    StepsAxis,
}

/// The string for `key` in `lang`.
pub fn t(lang: Lang, key: Key) -> &'static str {
    let en = match key {
        Key::Subtitle => "A simulated Apache Kafka cluster, one event at a time",
        Key::Play => "Play",
        Key::Pause => "Pause",
        Key::Step => "Step",
        Key::StepBack => "Step back",
        Key::Fork => "Fork from here",
        Key::Speed => "Speed",
        Key::Timeline => "Timeline position",
        Key::Seed => "seed",
        Key::StepNo => "step",
        Key::Time => "time",
        Key::Position => "position",
        Key::Shortcuts => "Keyboard shortcuts",
        Key::Close => "Close",
        Key::Configs => "Configs",
        Key::ConfigsFor => "Settings of",
        Key::NewProducer => "a new producer",
        Key::NewConsumer => "a new consumer",
        Key::TopicWord => "topic",
        Key::DefaultWord => "default",
        Key::Apply => "Apply",
        Key::KeySpace => "play or pause",
        Key::KeyRight => "step one event forward",
        Key::KeyLeft => "step one event back",
        Key::KeyHelp => "show these shortcuts",
        Key::KeyEscape => "close a menu or this list",
        Key::LanguageSwitch => "한국어",
        Key::ClusterLabel => "Producers, brokers with their partition replicas, and consumers",
        Key::Producers => "producers",
        Key::Brokers => "brokers",
        Key::Consumers => "consumers",
        Key::Controllers => "KRaft controllers",
        Key::Leader => "leader",
        Key::Follower => "follower in the ISR",
        Key::OutOfSync => "follower out of sync",
        Key::Offline => "offline",
        Key::ActiveController => "active controller",
        Key::Committed => "record below the HW",
        Key::Unflushed => "not yet on disk",
        Key::HighWatermark => "HW",
        Key::LastStable => "LSO",
        Key::LogStart => "log start",
        Key::LogEnd => "LEO",
        Key::InFlight => "in flight",
        Key::Responses => "hollow: a response",
        Key::InFlightWhen => "messages in flight are drawn when paused or at 10× and slower",
        Key::Stop => "Stop",
        Key::Kill => "Kill",
        Key::PowerOff => "Power off",
        Key::Start => "Start",
        Key::Isolate => "Isolate",
        Key::Heal => "Heal network",
        Key::AddProducer => "Add producer",
        Key::AddConsumer => "Add consumer",
        Key::SendOne => "Send one",
        Key::SendBurst => "Send 20",
        Key::Remove => "Remove",
        Key::PauseConsumer => "Pause 40 s",
        Key::ActionsFor => "Actions for",
        Key::Console => "Console",
        Key::ConsoleInput => "Scenario command",
        Key::ConsoleHint => "Type a command (help lists them); Tab completes, ↑ ↓ walk the history",
        Key::Groups => "Consumer groups",
        Key::NoGroups => "No consumer group yet: add a consumer.",
        Key::State => "state",
        Key::Generation => "generation",
        Key::GroupEpoch => "group epoch",
        Key::AssignmentEpoch => "assignment epoch",
        Key::MemberEpoch => "epoch",
        Key::Members => "members",
        Key::Partition => "partition",
        Key::CommittedOffset => "committed",
        Key::Lag => "lag",
        Key::Revoked => "revoked",
        Key::Paused => "paused",
        Key::LastRebalance => "last rebalance",
        Key::Findings => "Guarantee checker",
        Key::NoFindings => "Nothing found: no lost, duplicated or reordered record so far.",
        Key::JumpToStep => "jump to step",
        Key::LostAcked => "acknowledged records lost",
        Key::Events => "Protocol timeline",
        Key::NoEvents => "No event yet.",
        Key::Delivered => "delivered",
        Key::Dropped => "dropped",
        Key::Timer => "timer",
        Key::Forked => "Forked: the recorded future was dropped; the run continues from here.",
        Key::ApiProduce => "Produce",
        Key::ApiFetch => "Fetch (replication, consumers)",
        Key::ApiIsr => "AlterPartition (ISR)",
        Key::ApiGroup => "group: JoinGroup, SyncGroup, Heartbeat, OffsetCommit…",
        Key::ApiController => "controller: BrokerHeartbeat, metadata…",
        Key::ApiOther => "other",
        Key::Compare => "Compare A/B",
        Key::CompareTitle => "Two clusters, one scenario, one setting changed",
        Key::CompareSetting => "Setting that differs",
        Key::CompareClose => "Back to one cluster",
        Key::CompareControls => "Time control for both clusters",
        Key::JumpToDivergence => "Jump to divergence",
        Key::DivergenceMarker => "first divergence",
        Key::NoDivergence => "The outcomes are the same up to here.",
        Key::NoDivergenceYet => "No divergence within 60 s of simulated time after the scenario; step on to look further.",
        Key::CompareRefused => "Compare mode could not open",
        Key::SettingAcks => "acks: all vs 1",
        Key::SettingUnclean => "unclean leader election: off vs on",
        Key::SettingAssignor => "rebalancing: eager (sticky) vs cooperative (cooperative-sticky)",
        Key::SettingIdempotence => "idempotence: on vs off",
        Key::KeyPhasePrev => "jump to where the protocol phase began (again: the one before)",
        Key::KeyPhaseNext => "jump to where the next protocol phase begins",
        Key::NoEarlierPhase => "No earlier phase start among the recent events.",
        Key::SequenceTitle => "Sequence diagram",
        Key::SequenceHelp => "The latest events up to the step on screen, as arrows between lifelines (dashed: a response; ✕: lost). Click one, or press Enter on it, to go there.",
        Key::CurrentStep => "the step on screen",
        Key::PhaseStarts => "a protocol phase starts",
        Key::ChartsTitle => "Charts",
        Key::ChartsHelp => "Sampled at each step the page draws (every frame while playing); at most 400 samples, thinned as the run grows.",
        Key::ChartUnderReplicated => "Under-replicated partitions (led, with an ISR smaller than the replica set)",
        Key::ChartLag => "Lag per consumer group",
        Key::ChartAcked => "Records acknowledged per producer",
        Key::ChartEmpty => "Nothing sampled yet: play or step forward.",
        Key::NoProducers => "no producer yet.",
        Key::StepsAxis => "step",
    };
    tr(lang, en)
}

/// One event as a sentence, for the live region (`Step 12: broker 2 sent Fetch to broker 1:
/// Fetch orders-0 offset=5`).
pub fn narrate(lang: Lang, ev: &logscope_core::sim::TraceEvent) -> String {
    use logscope_core::sim::TraceKind;
    let what = if ev.summary.is_empty() {
        ev.api.to_string()
    } else {
        ev.summary.clone()
    };
    let (step, from, to) = (&ev.step, &ev.from, &ev.to);
    match ev.kind {
        TraceKind::Delivered => trf(lang, "Step {0}: {1} → {2}: {3}.", &[step, from, to, &what]),
        TraceKind::Dropped => trf(
            lang,
            "Step {0}: {3} from {1} to {2} was lost.",
            &[step, from, to, &what],
        ),
        TraceKind::Timer => trf(
            lang,
            "Step {0}: {1} timer on {2}: {3}.",
            &[step, &ev.api, to, &what],
        ),
    }
}

/// The sentence saying what diverged: `time` already formatted, `subject` and `field` as Kafka
/// and the `expect` lines name them (`partition orders-0`, `records`), `a`/`b` each run's value.
pub fn divergence_sentence(
    lang: Lang,
    time: &str,
    subject: &str,
    field: &str,
    a: &str,
    b: &str,
) -> String {
    trf(
        lang,
        "At {0} ms, {1}: A has {2} {3}, B has {4}.",
        &[&time, &subject, &field, &a, &b],
    )
}

/// A broker's state as the drawing shows it (`BrokerState::label` is the core's English).
pub fn broker_state(lang: Lang, state: logscope_core::view::BrokerState) -> &'static str {
    tr(lang, state.label())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_is_chosen_from_the_browser_language() {
        assert_eq!(Lang::from_tag("ko-KR"), Lang::Ko);
        assert_eq!(Lang::from_tag("ko"), Lang::Ko);
        assert_eq!(Lang::from_tag("en-US"), Lang::En);
        assert_eq!(Lang::from_tag(""), Lang::En);
    }

    use logscope_core::view::BrokerState as S;

    const BROKER_STATES: [S; 6] = [
        S::Running,
        S::Fenced,
        S::ShuttingDown,
        S::Stopped,
        S::Killed,
        S::PoweredOff,
    ];

    #[test]
    fn every_broker_state_has_its_own_korean_label() {
        let all = BROKER_STATES;
        let ko: Vec<&str> = all.iter().map(|s| broker_state(Lang::Ko, *s)).collect();
        for (i, (s, label)) in all.iter().zip(&ko).enumerate() {
            assert!(
                label
                    .chars()
                    .any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c)),
                "{label}"
            );
            assert_ne!(*label, broker_state(Lang::En, *s));
            assert!(!ko[..i].contains(label), "{label} twice");
        }
        assert_eq!(broker_state(Lang::En, S::PoweredOff), "powered off");
    }

    /// The string literals the code hands to [`tr`], [`trh`] and [`trf`] (`tr(lang, "…")`, over
    /// lines too) and the English arms of [`t`], read from the source tree: what `ko.txt` must
    /// translate.
    fn english_in_the_code() -> Vec<String> {
        fn literal(rest: &str) -> Option<String> {
            let rest = rest.trim_start().strip_prefix('"')?;
            let end = rest.find('"')?;
            let lit = &rest[..end];
            assert!(
                !lit.contains('\\'),
                "an escape in {lit:?}: teach this test to read it"
            );
            Some(lit.to_string())
        }
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut files = vec![std::path::PathBuf::from(src)];
        let mut found = Vec::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).unwrap() {
                    files.push(entry.unwrap().path());
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // The code, not its tests; comments are skipped line by line below.
            let text = text
                .split("#[cfg(test)]\nmod tests")
                .next()
                .unwrap_or_default();
            let text: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .flat_map(|l| [l, "\n"])
                .collect();
            for call in ["tr(", "trf(", "trh("] {
                for (i, _) in text.match_indices(call) {
                    if text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                        continue; // attr(, str(, …
                    }
                    let args = &text[i + call.len()..];
                    if let Some(lit) = args.split_once(',').and_then(|(_, rest)| literal(rest)) {
                        found.push(lit);
                    }
                }
            }
            if let Some(start) = text.find("pub fn t(lang: Lang, key: Key)") {
                let body = &text[start..start + text[start..].find("\n}\n").unwrap()];
                for (i, _) in body.match_indices("=> ") {
                    found.extend(literal(&body[i + 2..]));
                }
            }
        }
        found
    }

    /// The English the code gets from elsewhere and hands to [`tr`]: the protocol phases' names,
    /// the brokers' states and the tours' titles.
    fn english_from_elsewhere() -> Vec<&'static str> {
        use crate::phases::Phase;
        let phases = [
            Phase::Produce,
            Phase::Group,
            Phase::Metadata,
            Phase::Transactions,
        ];
        let states = BROKER_STATES;
        (phases.iter().map(|p| timeline::phase_name(Lang::En, *p)))
            .chain(states.iter().map(|s| s.label()))
            .chain(logscope_core::tour::INDEX.iter().map(|t| t.title))
            .collect()
    }

    #[test]
    fn the_tour_picker_s_korean_titles_are_the_tours_own() {
        for info in logscope_core::tour::INDEX {
            let path = format!(
                "{}/../core/tours/{}.tour",
                env!("CARGO_MANIFEST_DIR"),
                info.id
            );
            let source = std::fs::read_to_string(&path).unwrap();
            let tour = logscope_core::tour::parse(info.id, &source).unwrap();
            assert_eq!(
                tr(Lang::Ko, info.title),
                tour.title.get("ko"),
                "{}",
                info.id
            );
            assert_ne!(tr(Lang::Ko, info.title), info.title, "{}", info.id);
        }
    }

    /// Kafka's names, which both languages write the same way.
    const SAME_IN_KOREAN: &[&str] = &["HW", "LSO", "LEO", "Produce", "AlterPartition (ISR)"];

    fn catalogue() -> Vec<(&'static str, &'static str)> {
        parse_catalogue(include_str!("../i18n/ko.txt")).unwrap()
    }

    #[test]
    fn every_english_string_has_its_korean() {
        let mut code = english_in_the_code();
        assert!(
            code.len() > 150,
            "the scan found only {} strings",
            code.len()
        );
        assert!(
            code.iter().any(|s| s == "acks={0} · {1} acked"),
            "a trf( call"
        );
        code.extend(english_from_elsewhere().into_iter().map(String::from));
        assert!(code.iter().any(|s| s == "Copy link"), "a tr( call");
        assert!(
            code.iter().any(|s| s == "Keyboard shortcuts"),
            "an arm of t"
        );
        let ko = catalogue();
        let missing: Vec<&String> = code
            .iter()
            .filter(|en| !SAME_IN_KOREAN.contains(&en.as_str()))
            .filter(|en| ko.binary_search_by(|(e, _)| (*e).cmp(en.as_str())).is_err())
            .collect();
        assert!(missing.is_empty(), "not in web/i18n/ko.txt: {missing:?}");
    }

    #[test]
    fn every_korean_entry_translates_something_the_code_shows() {
        use logscope_core::config::{
            BROKER_CONFIGS, CONSUMER_CONFIGS, PRODUCER_CONFIGS, TOPIC_CONFIGS,
        };
        let mut code = english_in_the_code();
        code.extend(english_from_elsewhere().into_iter().map(String::from));
        let docs: Vec<&str> = [
            TOPIC_CONFIGS,
            BROKER_CONFIGS,
            PRODUCER_CONFIGS,
            CONSUMER_CONFIGS,
        ]
        .iter()
        .flat_map(|defs| defs.iter().map(|d| d.doc))
        .collect();
        for (en, ko) in catalogue() {
            assert!(
                code.iter().any(|s| s == en) || docs.contains(&en),
                "web/i18n/ko.txt translates {en:?}, which nothing shows (reworded or removed?)"
            );
            // Same in both languages is not a translation (Kafka's names are not listed).
            assert_ne!(en, ko, "no Korean for {en:?}");
        }
    }

    /// The `{n}` marks of a template, sorted.
    fn marks(template: &str) -> Vec<&str> {
        let mut marks: Vec<&str> = template
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(n, _)| n))
            .collect();
        marks.sort_unstable();
        marks.dedup();
        marks
    }

    #[test]
    fn each_korean_sentence_has_the_values_of_its_english() {
        let mut templates = 0;
        for (en, ko) in catalogue() {
            assert_eq!(marks(en), marks(ko), "{en:?} / {ko:?}");
            templates += usize::from(!marks(en).is_empty());
        }
        assert!(templates >= 15, "{templates}");
    }

    #[test]
    fn a_template_is_filled_in_the_order_its_language_gives() {
        let timer = |lang| {
            trf(
                lang,
                "Step {0}: {1} timer on {2}: {3}.",
                &[&7, &"heartbeat", &"broker 2", &"expired"],
            )
        };
        assert_eq!(
            timer(Lang::En),
            "Step 7: heartbeat timer on broker 2: expired."
        );
        assert_eq!(
            timer(Lang::Ko),
            "7단계: broker 2의 heartbeat 타이머: expired."
        );
        // A mark without its value, or braces that are not a mark, are kept as written.
        assert_eq!(trf(Lang::En, "{0} and {1}", &[&"a"]), "a and {1}");
        assert_eq!(trf(Lang::En, "{x} {0}", &[&1]), "{x} 1");
    }

    #[test]
    fn a_malformed_korean_text_is_refused_with_its_line() {
        let pairs = parse_catalogue("# c\n\nen: b\nko: 나\nen: a\nko: 가\n").unwrap();
        assert_eq!(pairs, [("a", "가"), ("b", "나")]);
        let err = |text| parse_catalogue(text).unwrap_err();
        let expected =
            |line| format!("line {line}: not an `en: ` line followed by its `ko: ` line");
        assert_eq!(err("en: a\nen: b\nko: 가"), expected(1));
        assert_eq!(err("# c\nko: 가"), expected(2));
        assert_eq!(err("en: a\n\nko: 가"), expected(1));
        assert_eq!(err("en: a\nko: 가\nplay"), expected(3));
        assert_eq!(err("en: a\nko: 가\nen: b"), expected(3));
        assert_eq!(err("en: a\nko: 가\nen: a\nko: 나"), "en: a is there twice");
    }

    #[test]
    fn a_string_the_korean_text_lacks_stays_english() {
        // Unit tests install the source tree's text on first use; the page before its fetch
        // (English throughout) is checked in tests/korean_fetch.rs and tests/e2e/e2e.mjs.
        assert_eq!(korean("Play"), "재생");
        assert_eq!(
            korean("not a string the page shows"),
            "not a string the page shows"
        );
        assert_eq!(tr(Lang::En, "Play"), "Play");
    }

    #[test]
    fn both_languages_have_every_string() {
        for key in [Key::Play, Key::Kill, Key::Groups, Key::ConsoleHint] {
            assert!(!t(Lang::En, key).is_empty());
            assert!(!t(Lang::Ko, key).is_empty());
            assert_ne!(t(Lang::En, key), t(Lang::Ko, key));
        }
    }
}
