//! The sentences of the segment marks, the phase jumps and the sequence diagram, in English
//! and Korean: the ones with values in them. Their fixed strings are [`super::Key`]s.

#[cfg(test)]
use super::{t, Key};
use super::{tr, trf, Lang};
use crate::phases::Phase;

/// A phase's name.
pub fn phase_name(lang: Lang, phase: Phase) -> &'static str {
    tr(
        lang,
        match phase {
            Phase::Produce => "producing",
            Phase::Group => "group membership and rebalance",
            Phase::Metadata => "ISR, leaders and metadata",
            Phase::Transactions => "producer ids and transactions",
        },
    )
}

/// What the live region says after a phase jump.
pub fn phase_narration(lang: Lang, phase: Phase, step: u64) -> String {
    trf(
        lang,
        "Protocol phase: {0}, from step {1}.",
        &[&phase_name(lang, phase), &step],
    )
}

/// What the live region says when a forward jump found no new phase within `n` events.
pub fn no_new_phase(lang: Lang, n: u64) -> String {
    trf(lang, "No new protocol phase within {0} events.", &[&n])
}

/// A segment mark's label: Kafka names a segment's files after its base offset.
pub fn segment_label(lang: Lang, log_file: &str, base_offset: u64) -> String {
    trf(
        lang,
        "segment {0} starts at offset {1}",
        &[&log_file, &base_offset],
    )
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
