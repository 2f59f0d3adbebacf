"""What ``/metrics`` serves: every process's values (the shared directory, plus this process's own when it
keeps them in memory) and gauges read from Redis at scrape time (queue depth, workers, beat leader)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import redis
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.samples import Sample

from shared.observability.metrics import is_multiprocess, local_registry
from shared.queue.celery_app import PIPELINE_QUEUE
from shared.queue.workers import live_workers
from shared.scheduling.leader import LEADER_KEY

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def recorded_families(metrics_dir: Path) -> list[Metric]:
    """The recorded metrics of every process of the installation, merged by name and labels."""
    sources: list[Iterable[Metric]] = []
    if metrics_dir.is_dir():
        sources.append(MultiProcessCollector(None, path=str(metrics_dir)).collect())
    if not is_multiprocess():
        sources.append(local_registry().collect())
    return _merge(sources)


def live_families(client: redis.Redis, queues: Sequence[str] = (PIPELINE_QUEUE,)) -> list[Metric]:
    """Gauges read from Redis now (the depth of each of ``queues``, the installed job kinds'); only
    ``mimir_broker_up 0`` when Redis does not answer."""
    broker_up = GaugeMetricFamily("mimir_broker_up", "Whether the broker (Redis) answered this scrape")
    try:
        depths = {name: int(client.llen(name)) for name in queues}
        workers = len(live_workers(client))
        has_leader = bool(client.exists(LEADER_KEY))
    except redis.RedisError:
        broker_up.add_metric([], 0)
        return [broker_up]
    broker_up.add_metric([], 1)
    queue = GaugeMetricFamily("mimir_queue_depth", "Messages waiting in the broker queue", labels=["queue"])
    for name, depth in depths.items():
        queue.add_metric([name], depth)
    online = GaugeMetricFamily("mimir_workers_online", "Workers whose heartbeat is current", value=workers)
    leader = GaugeMetricFamily(
        "mimir_beat_leader", "Whether some beat holds the leader lease", value=has_leader
    )
    return [broker_up, queue, online, leader]


def render(families: Iterable[Metric]) -> bytes:
    """``families`` in the Prometheus text format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Fixed(list(families)))
    return generate_latest(registry)


class _Fixed:
    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterator[Metric]:
        return iter(self.families)


def _merge(sources: Iterable[Iterable[Metric]]) -> list[Metric]:
    merged: dict[str, Metric] = {}
    totals: dict[str, dict[tuple[str, tuple[tuple[str, str], ...]], float]] = {}
    for source in sources:
        for family in source:
            if family.name not in merged:
                merged[family.name] = Metric(family.name, family.documentation, family.type)
                totals[family.name] = {}
            for sample in family.samples:
                if sample.name.endswith("_created"):  # a per-process timestamp: no meaning once summed
                    continue
                key = (sample.name, tuple(sorted(sample.labels.items())))
                totals[family.name][key] = totals[family.name].get(key, 0.0) + sample.value
    for name, family in merged.items():
        family.samples = [Sample(n, dict(labels), value) for (n, labels), value in totals[name].items()]
    return list(merged.values())
