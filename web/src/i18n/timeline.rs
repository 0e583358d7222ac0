//! The strings of the segment marks, the phase jumps, the sequence diagram and the charts, in
//! English and Korean. Kept beside [`super::t`] rather than in its table so that these parts
//! can change without touching the shared list.

use super::Lang;
use crate::phases::Phase;

/// One visible string of these parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tk {
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
pub fn tt(lang: Lang, key: Tk) -> &'static str {
    let (en, ko) = match key {
        Tk::KeyPhasePrev => (
            "jump to where the protocol phase began (again: the one before)",
            "프로토콜 국면이 시작된 곳으로 이동 (한 번 더: 그 앞 국면)",
        ),
        Tk::KeyPhaseNext => (
            "jump to where the next protocol phase begins",
            "다음 프로토콜 국면이 시작되는 곳으로 이동",
        ),
        Tk::NoEarlierPhase => (
            "No earlier phase start among the recent events.",
            "최근 이벤트 중에 더 이전 국면의 시작이 없습니다.",
        ),
        Tk::SequenceTitle => ("Sequence diagram", "시퀀스 다이어그램"),
        Tk::SequenceHelp => (
            "The latest events up to the step on screen, as arrows between lifelines (dashed: a response; ✕: lost). Click one, or press Enter on it, to go there.",
            "화면의 단계까지의 최근 이벤트를 생명선 사이의 화살표로 보여 줍니다 (점선: 응답, ✕: 유실). 클릭하거나 Enter를 누르면 그 단계로 이동합니다.",
        ),
        Tk::CurrentStep => ("the step on screen", "화면의 단계"),
        Tk::PhaseStarts => ("a protocol phase starts", "프로토콜 국면 시작"),
        Tk::ChartsTitle => ("Charts", "차트"),
        Tk::ChartsHelp => (
            "Sampled at each step the page draws (every frame while playing); at most 400 samples, thinned as the run grows.",
            "화면이 그리는 단계마다 표본을 기록합니다 (재생 중에는 프레임마다). 표본은 최대 400개이며, 실행이 길어지면 솎아 냅니다.",
        ),
        Tk::ChartUnderReplicated => (
            "Under-replicated partitions (led, with an ISR smaller than the replica set)",
            "복제 부족 파티션 (리더가 있고 ISR이 복제본 집합보다 작음)",
        ),
        Tk::ChartLag => ("Lag per consumer group", "컨슈머 그룹별 지연"),
        Tk::ChartAcked => (
            "Records acknowledged per producer",
            "프로듀서별 확인된 레코드",
        ),
        Tk::ChartEmpty => (
            "Nothing sampled yet: play or step forward.",
            "아직 표본이 없습니다. 재생하거나 앞으로 진행하세요.",
        ),
        Tk::NoProducers => ("no producer yet.", "아직 프로듀서가 없습니다."),
        Tk::StepsAxis => ("step", "단계"),
    };
    match lang {
        Lang::En => en,
        Lang::Ko => ko,
    }
}

/// A phase's name.
pub fn phase_name(lang: Lang, phase: Phase) -> &'static str {
    let (en, ko) = match phase {
        Phase::Produce => ("producing", "프로듀스"),
        Phase::Group => ("group membership and rebalance", "그룹 멤버십과 리밸런스"),
        Phase::Metadata => ("ISR, leaders and metadata", "ISR, 리더, 메타데이터"),
        Phase::Transactions => ("producer ids and transactions", "프로듀서 ID와 트랜잭션"),
    };
    match lang {
        Lang::En => en,
        Lang::Ko => ko,
    }
}

/// What the live region says after a phase jump.
pub fn phase_narration(lang: Lang, phase: Phase, step: u64) -> String {
    match lang {
        Lang::En => format!(
            "Protocol phase: {}, from step {step}.",
            phase_name(lang, phase)
        ),
        Lang::Ko => format!(
            "프로토콜 국면: {}, {step}단계부터.",
            phase_name(lang, phase)
        ),
    }
}

/// What the live region says when a forward jump found no new phase within `n` events.
pub fn no_new_phase(lang: Lang, n: u64) -> String {
    match lang {
        Lang::En => format!("No new protocol phase within {n} events."),
        Lang::Ko => format!("{n}개 이벤트 안에 새 프로토콜 국면이 없습니다."),
    }
}

/// A segment mark's label: Kafka names a segment's files after its base offset.
pub fn segment_label(lang: Lang, log_file: &str, base_offset: u64) -> String {
    match lang {
        Lang::En => format!("segment {log_file} starts at offset {base_offset}"),
        Lang::Ko => format!("세그먼트 {log_file}: 오프셋 {base_offset}에서 시작"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_every_string_and_they_differ() {
        use Tk::*;
        for key in [
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
        ] {
            assert!(!tt(Lang::En, key).is_empty(), "{key:?}");
            assert!(!tt(Lang::Ko, key).is_empty(), "{key:?}");
            assert_ne!(tt(Lang::En, key), tt(Lang::Ko, key), "{key:?}");
        }
        for p in [
            Phase::Produce,
            Phase::Group,
            Phase::Metadata,
            Phase::Transactions,
        ] {
            assert_ne!(phase_name(Lang::En, p), phase_name(Lang::Ko, p));
        }
    }

    #[test]
    fn a_segment_is_named_by_its_file() {
        assert_eq!(
            segment_label(Lang::En, "00000000000000000100.log", 100),
            "segment 00000000000000000100.log starts at offset 100"
        );
    }
}
