"""kafka-python's assignors on the inputs logscope's bench binary gives its own (a peer, side by side).

`cargo xtask bench` installs kafka-python from PyPI into `.tools/py` (git-ignored) and runs

    .tools/py/bin/python tests/bench/kafka_python_assignors.py [--quick]

It prints `BENCH peer.kafka_python.<assignor>.m<M>_t<T>_p<P>.round<N>_s <seconds> s` lines: the
median wall time (time.perf_counter) of `assign()` on M members, each subscribed to all T topics
of P partitions, as in Kafka's scale test. Round 1: nobody owns anything. Round 2 (the sticky
ones): every member reports what round 1 gave it, generation 1. The sizes are those of
`PEER_SIZES` in tests/src/bin/bench.rs; keep the two lists equal.
"""

import statistics
import sys
import time
from types import SimpleNamespace

import kafka
from kafka.coordinator.assignors.range import RangePartitionAssignor
from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
from kafka.coordinator.assignors.sticky.sticky_assignor import StickyPartitionAssignor
from kafka.coordinator.assignors.cooperative_sticky import CooperativeStickyAssignor
from kafka.protocol.consumer.metadata import ConsumerProtocolSubscription
from kafka.structs import TopicPartition

PEER_SIZES = [(10, 10, 10), (50, 20, 50), (100, 50, 100)]


class Cluster:
    """The two methods of ClusterMetadata the assignors call."""

    def __init__(self, topics, partitions):
        self._parts = {t: set(range(partitions)) for t in topics}

    def topics(self):
        return set(self._parts)

    def partitions_for_topic(self, topic):
        return self._parts.get(topic)


def member(member_id, metadata):
    return SimpleNamespace(member_id=member_id, group_instance_id=None, metadata=metadata)


def plain(topics):
    return ConsumerProtocolSubscription(version=0, topics=list(topics), user_data=b'')


def owned_by(assignment):
    return {m: a.partitions() for m, a in assignment.items()}


def sticky_round2(topics, owned):
    # What a StickyAssignor member sends after round 1: its partitions and generation in user_data.
    return StickyPartitionAssignor._metadata(topics, owned, 1)


def coop_round2(topics, owned):
    a = CooperativeStickyAssignor()
    a.member_assignment = owned
    md = a.metadata(topics)
    md.generation_id = 1
    return md


ASSIGNORS = [
    ('range', lambda: RangePartitionAssignor, None),
    ('roundrobin', lambda: RoundRobinPartitionAssignor, None),
    ('sticky', StickyPartitionAssignor, sticky_round2),
    ('cooperative-sticky', CooperativeStickyAssignor, coop_round2),
]


def timed(f, min_runs, budget_s):
    times, out = [], None
    start = time.perf_counter()
    while len(times) < min_runs or (time.perf_counter() - start) < budget_s:
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
        if time.perf_counter() - start > 4 * budget_s and len(times) >= 1:
            break
    return statistics.median(times), out


def main():
    quick = '--quick' in sys.argv[1:]
    budget = 0.1 if quick else 0.25
    print(f'# kafka-python {kafka.__version__}, Python {sys.version.split()[0]}', file=sys.stderr)
    # --quick leaves out the largest size, where the sticky ones take seconds each.
    for (m, t, p) in PEER_SIZES[:-1] if quick else PEER_SIZES:
        topics = [f'topic-{i:04}' for i in range(t)]
        cluster = Cluster(topics, p)
        ids = [f'consumer-{i:05}' for i in range(m)]
        size = f'm{m}_t{t}_p{p}'
        total = t * p
        for name, make, round2 in ASSIGNORS:
            members = [member(i, plain(topics)) for i in ids]
            secs, first = timed(lambda: make().assign(cluster, members), 1 if m >= 100 else 3, budget)
            n = sum(len(a.partitions()) for a in first.values())
            assert n == total, f'{name} assigned {n} of {total}'
            print(f'BENCH peer.kafka_python.{name}.{size}.round1_s {secs:.6f} s', flush=True)
            if round2 is not None:
                owned = owned_by(first)
                members2 = [member(i, round2(topics, owned[i])) for i in ids]
                secs, second = timed(lambda: make().assign(cluster, members2), 1 if m >= 100 else 3, budget)
                print(f'BENCH peer.kafka_python.{name}.{size}.round2_s {secs:.6f} s', flush=True)


if __name__ == '__main__':
    main()
