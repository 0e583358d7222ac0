//! The Korean one-line explanation of every config the core defines (`ConfigDef.doc` in
//! `logscope_core::config` is English). The Korean lives in `web/i18n/ko.txt`, keyed by the
//! English doc, so that an English visitor does not download it; Kafka's config names, values,
//! API and error names and units stay as Kafka writes them. Keying by the doc rather than the
//! name keeps apart one name with two meanings (`min.insync.replicas` of a topic, and the
//! broker's default for it). The tests below fail when the core gains or rewords a config and
//! the Korean text is not updated.

use logscope_core::config::ConfigDef;

use crate::i18n::{tr, Lang};

/// The explanation of `def` in `lang`; the core's English one when the Korean text has none
/// (a test keeps that from happening) or is not loaded.
pub fn config_doc(lang: Lang, def: &ConfigDef) -> &'static str {
    tr(lang, def.doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use logscope_core::config::{
        BROKER_CONFIGS, CONSUMER_CONFIGS, PRODUCER_CONFIGS, TOPIC_CONFIGS,
    };

    const CORE: [(&str, &[ConfigDef]); 4] = [
        ("topic", TOPIC_CONFIGS),
        ("broker", BROKER_CONFIGS),
        ("producer", PRODUCER_CONFIGS),
        ("consumer", CONSUMER_CONFIGS),
    ];

    fn is_hangul(c: char) -> bool {
        ('\u{AC00}'..='\u{D7A3}').contains(&c)
    }

    #[test]
    fn every_core_config_has_a_korean_doc() {
        let mut missing = Vec::new();
        for (entity, defs) in CORE {
            for def in defs {
                match Some(config_doc(Lang::Ko, def)).filter(|ko| *ko != def.doc) {
                    None => missing.push(format!("{entity} {}", def.name)),
                    Some(ko) => {
                        assert!(!ko.trim().is_empty(), "{entity} {}: empty", def.name);
                        assert_ne!(ko, def.doc, "{entity} {}: not translated", def.name);
                        assert!(
                            ko.chars().filter(|c| is_hangul(*c)).count() >= 5,
                            "{entity} {}: hardly any Korean in {ko:?}",
                            def.name
                        );
                    }
                }
            }
        }
        assert!(missing.is_empty(), "no Korean doc for: {missing:?}");
    }

    fn korean_doc(defs: &[ConfigDef], name: &str) -> &'static str {
        let def = defs.iter().find(|d| d.name == name).unwrap();
        config_doc(Lang::Ko, def)
    }

    /// The words of an English doc that Kafka spells and a translation must keep as they
    /// are: config names (`session.timeout.ms`), values with `=` or `_`, calls (`poll()`),
    /// numbers (`-1`), flags (`--create`) and API or abbreviation names (`JoinGroup`, `ISR`).
    fn kafka_words(doc: &str) -> Vec<&str> {
        doc.split_whitespace()
            .flat_map(|w| w.split('/'))
            .map(|w| {
                let w = w
                    .trim_start_matches('(')
                    .trim_end_matches([',', ';', ':', '.']);
                if w.ends_with(')') && !w.ends_with("()") {
                    w.trim_end_matches(')')
                        .trim_end_matches([',', ';', ':', '.'])
                } else {
                    w
                }
            })
            .filter(|w| {
                w.contains(['.', '_', '=', '('])
                    || w.starts_with("--")
                    || w.chars().any(|c| c.is_ascii_digit())
                    || w.chars().skip(1).any(|c| c.is_ascii_uppercase())
            })
            .collect()
    }

    #[test]
    fn the_words_kafka_spells_are_kept_in_korean() {
        assert_eq!(
            kafka_words("Default min.insync.replicas (capped): poll(), JoinGroup/SyncGroup, -1."),
            [
                "min.insync.replicas",
                "poll()",
                "JoinGroup",
                "SyncGroup",
                "-1"
            ]
        );
        for (entity, defs) in CORE {
            for def in defs {
                let ko = config_doc(Lang::Ko, def);
                for word in kafka_words(def.doc) {
                    assert!(
                        ko.contains(word),
                        "{entity} {}: the Korean doc lacks {word:?}: {ko}",
                        def.name
                    );
                }
            }
        }
    }

    #[test]
    fn one_name_in_two_tables_has_each_table_s_meaning() {
        let topic = korean_doc(TOPIC_CONFIGS, "min.insync.replicas");
        let broker = korean_doc(BROKER_CONFIGS, "min.insync.replicas");
        assert!(
            topic.contains("acks=all") && topic.contains("최소"),
            "{topic}"
        );
        assert!(broker.contains("기본"), "{broker}");
        let producer = korean_doc(PRODUCER_CONFIGS, "retry.backoff.ms");
        let consumer = korean_doc(CONSUMER_CONFIGS, "retry.backoff.ms");
        assert!(producer.contains("배치"), "{producer}");
        assert!(consumer.contains("요청"), "{consumer}");
    }

    #[test]
    fn english_mode_shows_the_core_doc_and_korean_mode_the_translation() {
        let acks = PRODUCER_CONFIGS.iter().find(|d| d.name == "acks").unwrap();
        assert!(config_doc(Lang::En, acks).starts_with("How many replicas"));
        let ko = config_doc(Lang::Ko, acks);
        assert!(ko.contains("all은 ISR"), "{ko}");
    }
}
