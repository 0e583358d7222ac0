//! The Korean one-line explanation of every config the core defines (`ConfigDef.doc` in
//! `logscope_core::config` is English). Kafka's config names, values, API and error names and
//! units stay as Kafka writes them. Entries are looked up by entity (`topic`, `broker`,
//! `producer`, `consumer`, as `ConfigMap::new` names them) and config name, because one name
//! can mean different things in two tables (`min.insync.replicas` of a topic, and the broker's
//! default for it). The tests below fail when the core gains a config without a Korean doc.

use logscope_core::config::ConfigDef;

use crate::i18n::Lang;

const TOPIC: &[(&str, &str)] = &[
    ("cleanup.policy", "delete: 시간이나 크기 기준으로 오래된 세그먼트를 삭제합니다. compact: 키마다 가장 최근 레코드만 남깁니다."),
    ("min.insync.replicas", "acks=all일 때, 쓰기가 확인(ack)되기 전에 그 쓰기를 가지고 있어야 하는 동기화 복제본(in-sync replica)의 최소 개수입니다."),
    ("unclean.leader.election.enable", "살아 있는 ISR 복제본이 없을 때 ISR 밖의 복제본이 리더가 되도록 허용합니다. 이때 데이터가 유실됩니다."),
    ("retention.ms", "세그먼트의 가장 최근 레코드 이후 그 세그먼트를 보관하는 기간(ms)입니다 (-1: 영구 보관)."),
    ("retention.bytes", "오래된 세그먼트를 삭제하기 전까지 한 파티션이 커질 수 있는 최대 크기입니다 (-1: 제한 없음)."),
    ("segment.bytes", "레코드를 추가하면 세그먼트가 이 크기보다 커지게 될 때 새 세그먼트로 롤링합니다."),
    ("segment.ms", "세그먼트가 가득 차지 않았더라도 이 시간이 지나면 새 세그먼트로 롤링합니다."),
    ("segment.jitter.ms", "세그먼트마다 segment.ms에서 빼는 임의의 시간으로, 세그먼트들이 한꺼번에 롤링되지 않게 합니다."),
    ("segment.index.bytes", "세그먼트 오프셋 인덱스의 크기입니다. 인덱스가 가득 차면 세그먼트를 롤링합니다."),
    ("index.interval.bytes", "대략 이 바이트 수마다 오프셋 인덱스 항목을 하나 추가합니다."),
    ("max.message.bytes", "토픽이 받아들이는 레코드 배치의 최대 크기입니다."),
    ("message.timestamp.type", "레코드의 타임스탬프가 프로듀서의 생성 시각(CreateTime)인지 브로커의 추가 시각(LogAppendTime)인지 정합니다."),
    ("delete.retention.ms", "컴팩션되는 로그에서 툼스톤이 속한 세그먼트가 정리된(clean) 부분에 들어간 뒤 툼스톤을 보관하는 기간입니다."),
    ("min.cleanable.dirty.ratio", "컴팩션되는 로그에서 아직 정리되지 않은(dirty) 부분의 비율이 이 값을 넘으면 클리너가 로그를 컴팩션합니다."),
    ("min.compaction.lag.ms", "레코드는 최소한 이 시간 동안 컴팩션되지 않고 남습니다."),
    ("max.compaction.lag.ms", "레코드는 늦어도 이 시간이 지나면 컴팩션됩니다."),
    ("flush.messages", "레코드가 이 개수만큼 쌓이면 fsync를 강제합니다 (기본값: OS에 맡김)."),
    ("flush.ms", "이 시간이 지나면 fsync를 강제합니다 (기본값: OS에 맡김)."),
];

const BROKER: &[(&str, &str)] = &[
    ("default.replication.factor", "자동으로 생성되는 토픽과, 복제 계수 없이 --create 한 토픽의 복제 계수입니다."),
    ("num.partitions", "파티션 수를 지정하지 않고 생성한 토픽의 파티션 수입니다."),
    ("min.insync.replicas", "min.insync.replicas를 설정하지 않은 토픽에 쓰는 기본 min.insync.replicas입니다."),
    ("unclean.leader.election.enable", "토픽의 기본 unclean.leader.election.enable 값입니다."),
    ("auto.create.topics.enable", "클라이언트가 처음 요청할 때 토픽을 생성합니다."),
    ("replica.lag.time.max.ms", "이 시간 동안 따라잡지 못한 팔로워는 ISR에서 빠집니다."),
    ("replica.fetch.wait.max.ms", "팔로워의 fetch 요청이 리더에서 새 데이터를 기다리는 시간입니다."),
    ("replica.fetch.backoff.ms", "fetch 오류가 난 뒤 팔로워가 기다리는 시간입니다."),
    ("broker.heartbeat.interval.ms", "브로커가 활성 컨트롤러에 하트비트를 보내는 간격입니다."),
    ("broker.session.timeout.ms", "이 시간 동안 하트비트를 보내지 않은 브로커는 펜싱(fenced)됩니다."),
    ("controller.quorum.election.timeout.ms", "컨트롤러들이 새 활성 컨트롤러를 선출하기 전에 기다리는 시간입니다."),
    ("offsets.commit.timeout.ms", "__consumer_offsets에 쓴 것(커밋, 그룹의 할당)은 모든 ISR 복제본이 받은 뒤에 응답하며, 이 시간이 지나면 실패합니다."),
    ("offsets.topic.num.partitions", "__consumer_offsets의 파티션 수입니다."),
    ("offsets.topic.replication.factor", "__consumer_offsets의 복제 계수입니다 (여기서는 브로커 수를 넘지 않게 줄입니다)."),
    ("transaction.state.log.num.partitions", "__transaction_state의 파티션 수입니다."),
    ("transaction.state.log.replication.factor", "__transaction_state의 복제 계수입니다 (여기서는 브로커 수를 넘지 않게 줄입니다)."),
    ("transaction.state.log.min.isr", "__transaction_state의 min.insync.replicas입니다 (여기서는 브로커 수를 넘지 않게 줄입니다)."),
    ("group.initial.rebalance.delay.ms", "빈 그룹의 첫 리밸런스가 멤버가 더 들어오기를 기다리는 시간입니다."),
    ("group.consumer.heartbeat.interval.ms", "group.protocol=consumer: 멤버가 ConsumerGroupHeartbeat를 보내는 간격입니다 (브로커가 멤버에게 알려 줍니다)."),
    ("group.consumer.session.timeout.ms", "group.protocol=consumer: 이 시간 동안 ConsumerGroupHeartbeat를 보내지 않은 멤버는 제거됩니다."),
    ("group.min.session.timeout.ms", "컨슈머가 요청할 수 있는 가장 작은 session.timeout.ms입니다."),
    ("group.max.session.timeout.ms", "컨슈머가 요청할 수 있는 가장 큰 session.timeout.ms입니다."),
    ("log.flush.interval.messages", "flush.messages의 기본값입니다."),
    ("log.flush.interval.ms", "flush.ms의 기본값입니다."),
    ("log.retention.check.interval.ms", "로그 매니저가 보존 기간(retention)을 검사하는 간격입니다."),
    ("log.segment.bytes", "segment.bytes의 기본값입니다."),
    ("log.retention.ms", "retention.ms의 기본값입니다."),
    ("log.retention.bytes", "retention.bytes의 기본값입니다."),
];

const PRODUCER: &[(&str, &str)] = &[
    ("acks", "프로듀서가 성공 응답을 받기 전에 쓰기를 가지고 있어야 하는 복제본입니다: 0은 없음, 1은 리더, all은 ISR 전체."),
    ("linger.ms", "배치를 보내기 전에 레코드가 더 들어오기를 기다리는 시간입니다."),
    ("batch.size", "파티션마다 배치의 최대 크기(바이트)입니다."),
    ("buffer.memory", "전송을 기다리는 레코드를 위한 메모리입니다. 버퍼가 가득 차면 send()가 블록됩니다."),
    ("max.block.ms", "send()가 buffer.memory를 기다리며 블록될 수 있는 최대 시간으로, 넘으면 실패합니다."),
    ("compression.type", "배치에 쓰는 압축 코덱입니다. 이 시뮬레이션에서는 코덱마다 정해진 비율로 배치를 줄입니다."),
    ("max.in.flight.requests.per.connection", "한 브로커에 보내고 아직 응답을 받지 못한 요청의 수입니다. 멱등성이 없을 때 1보다 크면 재시도된 배치의 순서가 바뀔 수 있습니다."),
    ("retries", "실패한 배치를 다시 보내는 횟수입니다 (delivery.timeout.ms로 제한됩니다)."),
    ("retry.backoff.ms", "실패한 배치를 다시 보내기 전에 기다리는 시간입니다."),
    ("request.timeout.ms", "요청에 대한 브로커의 응답을 기다리는 시간입니다."),
    ("delivery.timeout.ms", "send() 이후 성공이나 실패를 알리기까지 걸리는 시간의 상한입니다."),
    ("enable.idempotence", "프로듀서 id와 시퀀스 번호로, 재시도가 배치를 중복시키거나 순서를 바꾸지 않게 합니다."),
    ("partitioner.ignore.keys", "키를 무시하고 모든 레코드에 sticky 파티셔너를 씁니다."),
    ("partitioner.adaptive.partitioning.enable", "키가 없을 때 더 빠른 브로커에 있는 파티션을 우선합니다."),
    ("max.request.size", "프로듀서가 보내는 요청의 최대 크기입니다."),
    ("transactional.id", "트랜잭션을 켭니다. 같은 id를 가진 새 프로듀서는 이전 프로듀서를 펜싱합니다."),
    ("transaction.timeout.ms", "이보다 오래 열려 있는 트랜잭션은 코디네이터가 중단(abort)합니다."),
    ("client.id", "이 클라이언트가 요청과 로그에서 자신을 부르는 이름입니다."),
];

const CONSUMER: &[(&str, &str)] = &[
    ("group.id", "이 컨슈머가 속한 컨슈머 그룹입니다."),
    ("group.instance.id", "정적 멤버십: session.timeout.ms 안에 재시작하면 리밸런스 없이 멤버와 그 파티션이 유지됩니다."),
    ("group.protocol", "classic: 클라이언트 측 할당자(assignor)로 JoinGroup/SyncGroup을 씁니다. consumer: 서버 측 할당자로 KIP-848 ConsumerGroupHeartbeat를 씁니다."),
    ("group.remote.assignor", "group.protocol=consumer 전용: 이 멤버가 요청하는 서버 측 할당자입니다 (uniform 또는 range). 비어 있으면 브로커의 group.consumer.assignors 중 첫 번째(uniform)를 씁니다."),
    ("partition.assignment.strategy", "선호하는 순서대로 나열한 할당자입니다 (range, roundrobin, sticky, cooperative-sticky 또는 그 Java 클래스 이름). 그룹은 모든 멤버가 지원하는 할당자 하나를 씁니다."),
    ("session.timeout.ms", "이 시간 동안 하트비트를 보내지 않은 멤버는 그룹에서 제거됩니다."),
    ("heartbeat.interval.ms", "컨슈머의 하트비트 스레드가 그룹 코디네이터에 보고하는 간격입니다."),
    ("max.poll.interval.ms", "두 poll() 호출 사이에 허용되는 최대 간격입니다. 리밸런스 타임아웃으로도 쓰입니다."),
    ("max.poll.records", "poll() 한 번이 돌려주는 최대 레코드 수입니다."),
    ("fetch.min.bytes", "브로커는 이만큼의 바이트가 모이거나 fetch.max.wait.ms가 지날 때까지 fetch 응답을 보류합니다."),
    ("fetch.max.wait.ms", "브로커가 fetch.min.bytes를 기다리며 fetch 응답을 보류하는 최대 시간입니다."),
    ("enable.auto.commit", "poll()이 이미 돌려준 레코드의 위치를 auto.commit.interval.ms마다 poll() 안에서 커밋합니다."),
    ("auto.commit.interval.ms", "자동 커밋(auto-commit)이 커밋하는 간격입니다."),
    ("auto.offset.reset", "그룹에 커밋된 오프셋이 없을 때(또는 범위를 벗어났을 때) 어디서 시작할지 정합니다: 로그 시작, 로그 끝, 또는 실패."),
    ("isolation.level", "read_uncommitted는 하이 워터마크(high watermark)까지, read_committed는 마지막 안정 오프셋(last stable offset)까지 읽습니다."),
    ("retry.backoff.ms", "실패한 요청을 재시도하기 전에 기다리는 시간입니다."),
    ("request.timeout.ms", "요청에 대한 브로커의 응답을 기다리는 시간입니다."),
    ("client.rack", "랙 인식(rack-aware) 할당에 쓰는 이 컨슈머의 랙입니다."),
    ("client.id", "이 클라이언트가 요청과 로그에서 자신을 부르는 이름입니다."),
    ("playground.processing.ms", "Kafka 설정이 아닙니다: poll()이 돌려준 레코드 하나마다 애플리케이션이 처리에 쓰는 시뮬레이션 시간입니다."),
    ("playground.commit", "Kafka 설정이 아닙니다: 자동 커밋 외에 애플리케이션이 하는 일입니다. sync/async: 각 poll의 처리 후 commitSync()/commitAsync() (at-least-once). sync-before-processing: 처리 전에 commitSync() (at-most-once). none: 수동 커밋 없음."),
];

fn table(entity: &str) -> Option<&'static [(&'static str, &'static str)]> {
    match entity {
        "topic" => Some(TOPIC),
        "broker" => Some(BROKER),
        "producer" => Some(PRODUCER),
        "consumer" => Some(CONSUMER),
        _ => None,
    }
}

/// The Korean explanation of config `name` of `entity` (`topic`, `broker`, `producer`,
/// `consumer`); `None` for a name the table does not know.
pub fn config_doc_ko(entity: &str, name: &str) -> Option<&'static str> {
    table(entity)?
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, doc)| *doc)
}

/// The explanation of `def` (a config of `entity`) in `lang`; the core's English one when no
/// Korean one exists (a test keeps that from happening).
pub fn config_doc(lang: Lang, entity: &str, def: &ConfigDef) -> &'static str {
    match lang {
        Lang::En => def.doc,
        Lang::Ko => config_doc_ko(entity, def.name).unwrap_or(def.doc),
    }
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
                match config_doc_ko(entity, def.name) {
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

    #[test]
    fn every_korean_doc_belongs_to_a_core_config_once() {
        for (entity, defs) in CORE {
            let ko = table(entity).unwrap();
            for (i, (name, _)) in ko.iter().enumerate() {
                assert!(
                    defs.iter().any(|d| d.name == *name),
                    "{entity} {name}: the core has no such config (renamed or removed?)"
                );
                assert!(
                    !ko[..i].iter().any(|(n, _)| n == name),
                    "{entity} {name}: listed twice"
                );
            }
        }
        assert_eq!(table("cluster"), None);
        assert_eq!(config_doc_ko("topic", "acks"), None);
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
                let ko = config_doc_ko(entity, def.name).unwrap_or_default();
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
        let topic = config_doc_ko("topic", "min.insync.replicas").unwrap();
        let broker = config_doc_ko("broker", "min.insync.replicas").unwrap();
        assert!(
            topic.contains("acks=all") && topic.contains("최소"),
            "{topic}"
        );
        assert!(broker.contains("기본"), "{broker}");
        let producer = config_doc_ko("producer", "retry.backoff.ms").unwrap();
        let consumer = config_doc_ko("consumer", "retry.backoff.ms").unwrap();
        assert!(producer.contains("배치"), "{producer}");
        assert!(consumer.contains("요청"), "{consumer}");
    }

    #[test]
    fn english_mode_shows_the_core_doc_and_korean_mode_the_translation() {
        let acks = PRODUCER_CONFIGS.iter().find(|d| d.name == "acks").unwrap();
        assert!(config_doc(Lang::En, "producer", acks).starts_with("How many replicas"));
        let ko = config_doc(Lang::Ko, "producer", acks);
        assert!(ko.contains("all은 ISR"), "{ko}");
    }
}
