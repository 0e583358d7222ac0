//! Every string the UI shows, in English and Korean. Components ask [`t`] for a [`Key`] in the
//! current [`Lang`]; names that come from the simulation (topics, client ids, Kafka's API
//! names and config keys) stay as Kafka writes them.

pub mod timeline;
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
    let (en, ko) = match key {
        Key::Subtitle => (
            "A simulated Apache Kafka cluster, one event at a time",
            "한 번에 한 이벤트씩, 시뮬레이션된 Apache Kafka 클러스터",
        ),
        Key::Play => ("Play", "재생"),
        Key::Pause => ("Pause", "일시정지"),
        Key::Step => ("Step", "한 단계"),
        Key::StepBack => ("Step back", "한 단계 뒤로"),
        Key::Fork => ("Fork from here", "여기서 갈라지기"),
        Key::Speed => ("Speed", "속도"),
        Key::Timeline => ("Timeline position", "타임라인 위치"),
        Key::Seed => ("seed", "시드"),
        Key::StepNo => ("step", "단계"),
        Key::Time => ("time", "시간"),
        Key::Position => ("position", "위치"),
        Key::Shortcuts => ("Keyboard shortcuts", "키보드 단축키"),
        Key::Close => ("Close", "닫기"),
        Key::Configs => ("Configs", "설정"),
        Key::ConfigsFor => ("Settings of", "설정 대상"),
        Key::NewProducer => ("a new producer", "새 producer"),
        Key::NewConsumer => ("a new consumer", "새 consumer"),
        Key::TopicWord => ("topic", "토픽"),
        Key::DefaultWord => ("default", "기본값"),
        Key::Apply => ("Apply", "적용"),
        Key::KeySpace => ("play or pause", "재생 또는 일시정지"),
        Key::KeyRight => ("step one event forward", "이벤트 하나 앞으로"),
        Key::KeyLeft => ("step one event back", "이벤트 하나 뒤로"),
        Key::KeyHelp => ("show these shortcuts", "이 단축키 보기"),
        Key::KeyEscape => ("close a menu or this list", "메뉴나 이 목록 닫기"),
        Key::LanguageSwitch => ("한국어", "English"),
        Key::ClusterLabel => (
            "Producers, brokers with their partition replicas, and consumers",
            "프로듀서, 파티션 복제본을 가진 브로커, 컨슈머",
        ),
        Key::Producers => ("producers", "프로듀서"),
        Key::Brokers => ("brokers", "브로커"),
        Key::Consumers => ("consumers", "컨슈머"),
        Key::Controllers => ("KRaft controllers", "KRaft 컨트롤러"),
        Key::Leader => ("leader", "리더"),
        Key::Follower => ("follower in the ISR", "ISR 안의 팔로워"),
        Key::OutOfSync => ("follower out of sync", "동기화되지 않은 팔로워"),
        Key::Offline => ("offline", "오프라인"),
        Key::ActiveController => ("active controller", "활성 컨트롤러"),
        Key::Committed => ("record below the HW", "HW 아래 레코드"),
        Key::Unflushed => ("not yet on disk", "아직 디스크에 없음"),
        Key::HighWatermark => ("HW", "HW"),
        Key::LastStable => ("LSO", "LSO"),
        Key::LogStart => ("log start", "로그 시작"),
        Key::LogEnd => ("LEO", "LEO"),
        Key::InFlight => ("in flight", "전송 중"),
        Key::Responses => ("hollow: a response", "속이 빈 원: 응답"),
        Key::InFlightWhen => (
            "messages in flight are drawn when paused or at 10× and slower",
            "전송 중인 메시지는 일시 정지했거나 10배속 이하일 때 그려집니다",
        ),
        Key::Stop => ("Stop", "중지"),
        Key::Kill => ("Kill", "강제 종료"),
        Key::PowerOff => ("Power off", "전원 끄기"),
        Key::Start => ("Start", "시작"),
        Key::Isolate => ("Isolate", "네트워크 격리"),
        Key::Heal => ("Heal network", "네트워크 복구"),
        Key::AddProducer => ("Add producer", "프로듀서 추가"),
        Key::AddConsumer => ("Add consumer", "컨슈머 추가"),
        Key::SendOne => ("Send one", "하나 보내기"),
        Key::SendBurst => ("Send 20", "20개 보내기"),
        Key::Remove => ("Remove", "제거"),
        Key::PauseConsumer => ("Pause 40 s", "40초 멈춤"),
        Key::ActionsFor => ("Actions for", "동작 대상:"),
        Key::Console => ("Console", "콘솔"),
        Key::ConsoleInput => ("Scenario command", "시나리오 명령"),
        Key::ConsoleHint => (
            "Type a command (help lists them); Tab completes, ↑ ↓ walk the history",
            "명령을 입력하세요 (help로 목록 보기). Tab은 자동 완성, ↑ ↓는 기록",
        ),
        Key::Groups => ("Consumer groups", "컨슈머 그룹"),
        Key::NoGroups => (
            "No consumer group yet: add a consumer.",
            "아직 컨슈머 그룹이 없습니다. 컨슈머를 추가하세요.",
        ),
        Key::State => ("state", "상태"),
        Key::Generation => ("generation", "세대"),
        Key::GroupEpoch => ("group epoch", "그룹 에포크"),
        Key::AssignmentEpoch => ("assignment epoch", "할당 에포크"),
        Key::MemberEpoch => ("epoch", "에포크"),
        Key::Members => ("members", "멤버"),
        Key::Partition => ("partition", "파티션"),
        Key::CommittedOffset => ("committed", "커밋된 오프셋"),
        Key::Lag => ("lag", "지연"),
        Key::Revoked => ("revoked", "회수됨"),
        Key::Paused => ("paused", "멈춤"),
        Key::LastRebalance => ("last rebalance", "마지막 리밸런스"),
        Key::Findings => ("Guarantee checker", "보장 검사기"),
        Key::NoFindings => (
            "Nothing found: no lost, duplicated or reordered record so far.",
            "발견된 문제 없음: 지금까지 유실, 중복, 순서 바뀐 레코드가 없습니다.",
        ),
        Key::JumpToStep => ("jump to step", "단계로 이동"),
        Key::LostAcked => ("acknowledged records lost", "유실된 확인 레코드"),
        Key::Events => ("Protocol timeline", "프로토콜 타임라인"),
        Key::NoEvents => ("No event yet.", "아직 이벤트가 없습니다."),
        Key::Delivered => ("delivered", "전달됨"),
        Key::Dropped => ("dropped", "유실됨"),
        Key::Timer => ("timer", "타이머"),
        Key::Forked => (
            "Forked: the recorded future was dropped; the run continues from here.",
            "갈라짐: 기록된 미래를 버리고 여기서부터 이어갑니다.",
        ),
        Key::ApiProduce => ("Produce", "Produce"),
        Key::ApiFetch => ("Fetch (replication, consumers)", "Fetch (복제, 컨슈머)"),
        Key::ApiIsr => ("AlterPartition (ISR)", "AlterPartition (ISR)"),
        Key::ApiGroup => (
            "group: JoinGroup, SyncGroup, Heartbeat, OffsetCommit…",
            "그룹: JoinGroup, SyncGroup, Heartbeat, OffsetCommit…",
        ),
        Key::ApiController => (
            "controller: BrokerHeartbeat, metadata…",
            "컨트롤러: BrokerHeartbeat, 메타데이터…",
        ),
        Key::ApiOther => ("other", "기타"),
        Key::Compare => ("Compare A/B", "A/B 비교"),
        Key::CompareTitle => (
            "Two clusters, one scenario, one setting changed",
            "같은 시나리오, 설정 하나만 다른 두 클러스터",
        ),
        Key::CompareSetting => ("Setting that differs", "다른 설정"),
        Key::CompareClose => ("Back to one cluster", "클러스터 하나로 돌아가기"),
        Key::CompareControls => ("Time control for both clusters", "두 클러스터의 시간 조절"),
        Key::JumpToDivergence => ("Jump to divergence", "갈라진 지점으로 이동"),
        Key::DivergenceMarker => ("first divergence", "처음 갈라진 지점"),
        Key::NoDivergence => (
            "The outcomes are the same up to here.",
            "여기까지는 두 결과가 같습니다.",
        ),
        Key::NoDivergenceYet => (
            "No divergence within 60 s of simulated time after the scenario; step on to look further.",
            "시나리오 이후 시뮬레이션 시간 60초 안에는 갈라진 곳이 없습니다. 더 보려면 계속 진행하세요.",
        ),
        Key::CompareRefused => ("Compare mode could not open", "비교 모드를 열 수 없습니다"),
        Key::SettingAcks => ("acks: all vs 1", "acks: all 대 1"),
        Key::SettingUnclean => (
            "unclean leader election: off vs on",
            "unclean 리더 선출: 끔 대 켬",
        ),
        Key::SettingAssignor => (
            "rebalancing: eager (sticky) vs cooperative (cooperative-sticky)",
            "리밸런싱: eager (sticky) 대 cooperative (cooperative-sticky)",
        ),
        Key::SettingIdempotence => (
            "idempotence: on vs off",
            "멱등성(idempotence): 켬 대 끔",
        ),
        Key::KeyPhasePrev => (
            "jump to where the protocol phase began (again: the one before)",
            "프로토콜 국면이 시작된 곳으로 이동 (한 번 더: 그 앞 국면)",
        ),
        Key::KeyPhaseNext => (
            "jump to where the next protocol phase begins",
            "다음 프로토콜 국면이 시작되는 곳으로 이동",
        ),
        Key::NoEarlierPhase => (
            "No earlier phase start among the recent events.",
            "최근 이벤트 중에 더 이전 국면의 시작이 없습니다.",
        ),
        Key::SequenceTitle => ("Sequence diagram", "시퀀스 다이어그램"),
        Key::SequenceHelp => (
            "The latest events up to the step on screen, as arrows between lifelines (dashed: a response; ✕: lost). Click one, or press Enter on it, to go there.",
            "화면의 단계까지의 최근 이벤트를 생명선 사이의 화살표로 보여 줍니다 (점선: 응답, ✕: 유실). 클릭하거나 Enter를 누르면 그 단계로 이동합니다.",
        ),
        Key::CurrentStep => ("the step on screen", "화면의 단계"),
        Key::PhaseStarts => ("a protocol phase starts", "프로토콜 국면 시작"),
        Key::ChartsTitle => ("Charts", "차트"),
        Key::ChartsHelp => (
            "Sampled at each step the page draws (every frame while playing); at most 400 samples, thinned as the run grows.",
            "화면이 그리는 단계마다 표본을 기록합니다 (재생 중에는 프레임마다). 표본은 최대 400개이며, 실행이 길어지면 솎아 냅니다.",
        ),
        Key::ChartUnderReplicated => (
            "Under-replicated partitions (led, with an ISR smaller than the replica set)",
            "복제 부족 파티션 (리더가 있고 ISR이 복제본 집합보다 작음)",
        ),
        Key::ChartLag => ("Lag per consumer group", "컨슈머 그룹별 지연"),
        Key::ChartAcked => (
            "Records acknowledged per producer",
            "프로듀서별 확인된 레코드",
        ),
        Key::ChartEmpty => (
            "Nothing sampled yet: play or step forward.",
            "아직 표본이 없습니다. 재생하거나 앞으로 진행하세요.",
        ),
        Key::NoProducers => ("no producer yet.", "아직 프로듀서가 없습니다."),
        Key::StepsAxis => ("step", "단계"),
    };
    match lang {
        Lang::En => en,
        Lang::Ko => ko,
    }
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
    match (lang, ev.kind) {
        (Lang::En, TraceKind::Delivered) => {
            format!("Step {}: {} → {}: {what}.", ev.step, ev.from, ev.to)
        }
        (Lang::En, TraceKind::Dropped) => format!(
            "Step {}: {what} from {} to {} was lost.",
            ev.step, ev.from, ev.to
        ),
        (Lang::En, TraceKind::Timer) => {
            format!("Step {}: {} timer on {}: {what}.", ev.step, ev.api, ev.to)
        }
        (Lang::Ko, TraceKind::Delivered) => {
            format!("{}단계: {} → {}: {what}.", ev.step, ev.from, ev.to)
        }
        (Lang::Ko, TraceKind::Dropped) => format!(
            "{}단계: {}에서 {}(으)로 가던 {what} 메시지가 유실되었습니다.",
            ev.step, ev.from, ev.to
        ),
        (Lang::Ko, TraceKind::Timer) => {
            format!("{}단계: {}의 {} 타이머: {what}.", ev.step, ev.to, ev.api)
        }
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
    match lang {
        Lang::En => format!("At {time} ms, {subject}: A has {field} {a}, B has {b}."),
        Lang::Ko => format!("{time} ms에 {subject}: A는 {field} {a}, B는 {b}입니다."),
    }
}

/// A broker's state as the drawing shows it (`BrokerState::label` is the core's English).
pub fn broker_state(lang: Lang, state: logscope_core::view::BrokerState) -> &'static str {
    use logscope_core::view::BrokerState as S;
    match (lang, state) {
        (Lang::En, s) => s.label(),
        (Lang::Ko, S::Running) => "실행 중",
        (Lang::Ko, S::Fenced) => "펜싱됨",
        (Lang::Ko, S::ShuttingDown) => "종료 중",
        (Lang::Ko, S::Stopped) => "중지됨",
        (Lang::Ko, S::Killed) => "강제 종료됨",
        (Lang::Ko, S::PoweredOff) => "전원 꺼짐",
    }
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

    #[test]
    fn every_broker_state_has_its_own_korean_label() {
        use logscope_core::view::BrokerState as S;
        let all = [
            S::Running,
            S::Fenced,
            S::ShuttingDown,
            S::Stopped,
            S::Killed,
            S::PoweredOff,
        ];
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

    #[test]
    fn both_languages_have_every_string() {
        for key in [Key::Play, Key::Kill, Key::Groups, Key::ConsoleHint] {
            assert!(!t(Lang::En, key).is_empty());
            assert!(!t(Lang::Ko, key).is_empty());
            assert_ne!(t(Lang::En, key), t(Lang::Ko, key));
        }
    }
}
