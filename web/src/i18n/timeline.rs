//! The sentences of the segment marks, the phase jumps and the sequence diagram, in English
//! and Korean: the ones with values in them. Their fixed strings are [`super::Key`]s.

use super::Lang;
#[cfg(test)]
use super::{t, Key};
use crate::phases::Phase;

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
        use Key::*;
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
            assert!(!t(Lang::En, key).is_empty(), "{key:?}");
            assert!(!t(Lang::Ko, key).is_empty(), "{key:?}");
            assert_ne!(t(Lang::En, key), t(Lang::Ko, key), "{key:?}");
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
