//! Errors, in two kinds that must not be confused.
//!
//! * [`KafkaError`] is what a Kafka broker or client would answer: `NOT_ENOUGH_REPLICAS`,
//!   `NOT_LEADER_OR_FOLLOWER`, … with Kafka's own names and numeric codes. These are *data*
//!   inside events and views (a produce that fails is an outcome to show, not a bug).
//! * [`CommandError`] is a command the simulation refuses before doing anything. Kafka's own
//!   admin-API validation answers are reported through it too (`INVALID_REPLICATION_FACTOR`),
//!   always naming the field that was wrong. A refused command changes nothing.

use alloc::string::String;
use core::fmt;

/// Kafka's protocol errors (`org.apache.kafka.common.protocol.Errors`), with their codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KafkaError {
    OffsetOutOfRange,
    CorruptMessage,
    UnknownTopicOrPartition,
    InvalidFetchSize,
    LeaderNotAvailable,
    NotLeaderOrFollower,
    RequestTimedOut,
    MessageTooLarge,
    NotEnoughReplicas,
    NotEnoughReplicasAfterAppend,
    InvalidRequiredAcks,
    IllegalGeneration,
    UnknownMemberId,
    InvalidSessionTimeout,
    RebalanceInProgress,
    CoordinatorNotAvailable,
    NotCoordinator,
    TopicAlreadyExists,
    InvalidPartitions,
    InvalidReplicationFactor,
    InvalidReplicaAssignment,
    InvalidConfig,
    InvalidRequest,
    InvalidRecord,
    OutOfOrderSequenceNumber,
    DuplicateSequenceNumber,
    InvalidProducerEpoch,
    InvalidTxnState,
    InvalidProducerIdMapping,
    ConcurrentTransactions,
    MemberIdRequired,
    FencedInstanceId,
    FencedMemberEpoch,
    PolicyViolation,
    NetworkException,
    FencedLeaderEpoch,
    UnknownLeaderEpoch,
    InvalidTopicException,
    ProducerFenced,
    ElectionNotNeeded,
    EligibleLeadersNotAvailable,
    PreferredLeaderNotAvailable,
    IneligibleReplica,
    InvalidUpdateVersion,
    InconsistentGroupProtocol,
    GroupIdNotFound,
    UnreleasedInstanceId,
    UnsupportedAssignor,
    StaleMemberEpoch,
}

impl KafkaError {
    /// Kafka's name, as the protocol documentation and client logs print it.
    pub fn name(self) -> &'static str {
        use KafkaError::*;
        match self {
            OffsetOutOfRange => "OFFSET_OUT_OF_RANGE",
            CorruptMessage => "CORRUPT_MESSAGE",
            UnknownTopicOrPartition => "UNKNOWN_TOPIC_OR_PARTITION",
            InvalidFetchSize => "INVALID_FETCH_SIZE",
            LeaderNotAvailable => "LEADER_NOT_AVAILABLE",
            NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            RequestTimedOut => "REQUEST_TIMED_OUT",
            MessageTooLarge => "MESSAGE_TOO_LARGE",
            NotEnoughReplicas => "NOT_ENOUGH_REPLICAS",
            NotEnoughReplicasAfterAppend => "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
            InvalidRequiredAcks => "INVALID_REQUIRED_ACKS",
            IllegalGeneration => "ILLEGAL_GENERATION",
            UnknownMemberId => "UNKNOWN_MEMBER_ID",
            InvalidSessionTimeout => "INVALID_SESSION_TIMEOUT",
            RebalanceInProgress => "REBALANCE_IN_PROGRESS",
            CoordinatorNotAvailable => "COORDINATOR_NOT_AVAILABLE",
            NotCoordinator => "NOT_COORDINATOR",
            TopicAlreadyExists => "TOPIC_ALREADY_EXISTS",
            InvalidPartitions => "INVALID_PARTITIONS",
            InvalidReplicationFactor => "INVALID_REPLICATION_FACTOR",
            InvalidReplicaAssignment => "INVALID_REPLICA_ASSIGNMENT",
            InvalidConfig => "INVALID_CONFIG",
            InvalidRequest => "INVALID_REQUEST",
            InvalidRecord => "INVALID_RECORD",
            OutOfOrderSequenceNumber => "OUT_OF_ORDER_SEQUENCE_NUMBER",
            DuplicateSequenceNumber => "DUPLICATE_SEQUENCE_NUMBER",
            InvalidProducerEpoch => "INVALID_PRODUCER_EPOCH",
            InvalidTxnState => "INVALID_TXN_STATE",
            InvalidProducerIdMapping => "INVALID_PRODUCER_ID_MAPPING",
            ConcurrentTransactions => "CONCURRENT_TRANSACTIONS",
            MemberIdRequired => "MEMBER_ID_REQUIRED",
            FencedInstanceId => "FENCED_INSTANCE_ID",
            FencedMemberEpoch => "FENCED_MEMBER_EPOCH",
            InconsistentGroupProtocol => "INCONSISTENT_GROUP_PROTOCOL",
            GroupIdNotFound => "GROUP_ID_NOT_FOUND",
            UnreleasedInstanceId => "UNRELEASED_INSTANCE_ID",
            UnsupportedAssignor => "UNSUPPORTED_ASSIGNOR",
            StaleMemberEpoch => "STALE_MEMBER_EPOCH",
            PolicyViolation => "POLICY_VIOLATION",
            NetworkException => "NETWORK_EXCEPTION",
            FencedLeaderEpoch => "FENCED_LEADER_EPOCH",
            UnknownLeaderEpoch => "UNKNOWN_LEADER_EPOCH",
            InvalidTopicException => "INVALID_TOPIC_EXCEPTION",
            ProducerFenced => "PRODUCER_FENCED",
            ElectionNotNeeded => "ELECTION_NOT_NEEDED",
            EligibleLeadersNotAvailable => "ELIGIBLE_LEADERS_NOT_AVAILABLE",
            PreferredLeaderNotAvailable => "PREFERRED_LEADER_NOT_AVAILABLE",
            IneligibleReplica => "INELIGIBLE_REPLICA",
            InvalidUpdateVersion => "INVALID_UPDATE_VERSION",
        }
    }

    /// Kafka's numeric error code.
    pub fn code(self) -> i16 {
        use KafkaError::*;
        match self {
            OffsetOutOfRange => 1,
            CorruptMessage => 2,
            UnknownTopicOrPartition => 3,
            InvalidFetchSize => 4,
            LeaderNotAvailable => 5,
            NotLeaderOrFollower => 6,
            RequestTimedOut => 7,
            MessageTooLarge => 10,
            NetworkException => 13,
            CoordinatorNotAvailable => 15,
            NotCoordinator => 16,
            InvalidTopicException => 17,
            NotEnoughReplicas => 19,
            NotEnoughReplicasAfterAppend => 20,
            InvalidRequiredAcks => 21,
            IllegalGeneration => 22,
            UnknownMemberId => 25,
            InvalidSessionTimeout => 26,
            RebalanceInProgress => 27,
            TopicAlreadyExists => 36,
            InvalidPartitions => 37,
            InvalidReplicationFactor => 38,
            InvalidReplicaAssignment => 39,
            InvalidConfig => 40,
            InvalidRequest => 42,
            PolicyViolation => 44,
            OutOfOrderSequenceNumber => 45,
            DuplicateSequenceNumber => 46,
            InvalidProducerEpoch => 47,
            InvalidTxnState => 48,
            InvalidProducerIdMapping => 49,
            ConcurrentTransactions => 51,
            FencedLeaderEpoch => 74,
            UnknownLeaderEpoch => 75,
            MemberIdRequired => 79,
            PreferredLeaderNotAvailable => 80,
            EligibleLeadersNotAvailable => 83,
            ElectionNotNeeded => 84,
            FencedInstanceId => 82,
            InvalidRecord => 87,
            ProducerFenced => 90,
            FencedMemberEpoch => 110,
            InconsistentGroupProtocol => 23,
            GroupIdNotFound => 69,
            UnreleasedInstanceId => 111,
            UnsupportedAssignor => 112,
            StaleMemberEpoch => 113,
            IneligibleReplica => 107,
            InvalidUpdateVersion => 108,
        }
    }

    /// Whether Kafka's producer retries a batch that failed with this error
    /// (`RetriableException` subclasses).
    pub fn is_retriable(self) -> bool {
        use KafkaError::*;
        matches!(
            self,
            NotLeaderOrFollower
                | LeaderNotAvailable
                | RequestTimedOut
                | NotEnoughReplicas
                | NotEnoughReplicasAfterAppend
                | NetworkException
                | UnknownTopicOrPartition
                | CorruptMessage
                | CoordinatorNotAvailable
                | NotCoordinator
                | ConcurrentTransactions
                | FencedLeaderEpoch
                | UnknownLeaderEpoch
        )
    }
}

impl fmt::Display for KafkaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A command the simulation refused. Nothing changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// Kafka itself would answer this error (admin API validation, producer config checks).
    #[error("{error}: {message}")]
    Kafka { error: KafkaError, message: String },
    /// A config key that Kafka does not know for this kind of entity.
    #[error("Unknown config '{key}' for {entity}. Allowed: {allowed}")]
    UnknownConfig {
        key: String,
        entity: &'static str,
        allowed: String,
    },
    /// A config value Kafka would reject (`ConfigException`).
    #[error("Invalid value {value} for configuration {key}: {reason}")]
    InvalidConfigValue {
        key: String,
        value: String,
        reason: String,
    },
    /// A field of a command is wrong (a node that does not exist, a count of zero, …).
    #[error("{field}: {reason}")]
    InvalidArgument { field: String, reason: String },
    /// The command is understood but the simulation cannot do it yet. Said plainly rather
    /// than faked.
    #[error("not supported yet: {0}")]
    NotSupported(String),
    /// A limit that keeps the browser responsive (so a tab never freezes on huge input).
    #[error("{what} is limited to {limit} in the playground (asked for {asked})")]
    LimitExceeded {
        what: &'static str,
        limit: u64,
        asked: u64,
    },
}

impl CommandError {
    pub fn kafka(error: KafkaError, message: impl Into<String>) -> Self {
        CommandError::Kafka {
            error,
            message: message.into(),
        }
    }

    pub fn arg(field: impl Into<String>, reason: impl Into<String>) -> Self {
        CommandError::InvalidArgument {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The Kafka error inside, if any (for `expect error "NAME"`).
    pub fn kafka_error(&self) -> Option<KafkaError> {
        match self {
            CommandError::Kafka { error, .. } => Some(*error),
            _ => None,
        }
    }
}
