"""Monitoring end to end: /metrics counting jobs run by real workers, the JSON summaries, /health."""

from __future__ import annotations

import time
import uuid

import pytest
import requests
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from backend.app import create_app
from mimir.testing.stack import ApiProcess, BeatPool, WorkerPool
from shared.config import Settings
from shared.db.engine import Database
from tests.integration.conftest import pipeline_yaml

pytestmark = pytest.mark.integration


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_count_a_job_run_by_a_real_worker(api: ApiProcess, workers: WorkerPool) -> None:
    workers.start(1)
    name = f"metered-{uuid.uuid4().hex[:8]}"
    text = pipeline_yaml(
        "{name: one, plugin: Utility.noop, config: {value: 1}}",
        "{name: two, plugin: Utility.noop, config: {value: 2}}",
        name=name,
    )
    response = requests.post(
        f"{api.url}/api/v1/queue/pipelines/enqueue",
        json={"pipeline_yaml": text, "context": {}},
        headers=api.headers,
        timeout=10,
    )
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    job = requests.get(
        f"{api.url}/api/v1/queue/jobs/{job_id}/wait?timeout=60s", headers=api.headers, timeout=70
    ).json()
    assert job["status"] == "succeeded", job

    # The worker records its metrics just after writing the result: allow it a moment.
    deadline = time.monotonic() + 20
    while True:
        scrape = requests.get(f"{api.url}/metrics", timeout=10)  # public while security.public_metrics
        assert scrape.status_code == 200
        assert scrape.headers["Content-Type"].startswith("text/plain")
        samples = _samples(scrape.text)
        if _value(samples, "mimir_jobs_finished_total", pipeline=name, status="succeeded") or (
            time.monotonic() > deadline
        ):
            break
        time.sleep(0.2)
    assert _value(samples, "mimir_jobs_enqueued_total", pipeline=name, triggered_by="api") == 1
    assert _value(samples, "mimir_jobs_started_total", pipeline=name) == 1
    assert _value(samples, "mimir_jobs_finished_total", pipeline=name, status="succeeded") == 1
    step = {"pipeline": name, "plugin": "Utility.noop", "status": "succeeded"}
    assert _value(samples, "mimir_step_duration_seconds_count", **step) == 2
    assert _value(samples, "mimir_step_duration_seconds_bucket", le="+Inf", **step) == 2
    job_labels = {"pipeline": name, "status": "succeeded"}
    assert _value(samples, "mimir_job_duration_seconds_count", **job_labels) == 1
    assert _value(samples, "mimir_workers_online") == 1
    assert _value(samples, "mimir_broker_up") == 1
    enqueued = _value(
        samples,
        "mimir_http_requests_total",
        method="POST",
        route="/api/v1/queue/pipelines/enqueue",
        status="202",
    )
    assert enqueued >= 1


def test_metrics_summary_reports_requests_latency_and_errors(client: FlaskClient) -> None:
    for _ in range(5):
        assert client.get("/api/v1/queue/status").status_code == 200
    assert client.get("/api/v1/queue/jobs/no-such-job").status_code == 404

    body = client.get("/api/v1/monitoring/metrics").json

    http = body["http"]
    assert http["total_requests"] >= 6
    assert http["requests_per_second"] > 0
    assert 0 < http["client_error_rate"] < 1
    assert http["latency_ms"]["average"] > 0
    assert http["latency_ms"]["p50"] <= http["latency_ms"]["p95"] <= http["latency_ms"]["p99"]
    assert body["memory"]["peak_rss_mib"] > 0


def test_metrics_route_label_is_the_url_rule_not_the_path(client: FlaskClient) -> None:
    job_id = uuid.uuid4().hex
    client.get(f"/api/v1/queue/jobs/{job_id}")

    text = client.get("/metrics").get_data(as_text=True)

    assert job_id not in text
    assert 'route="/api/v1/queue/jobs/<job_id>"' in text


def test_job_statistics_by_pipeline(client: FlaskClient) -> None:
    name = f"stats-{uuid.uuid4().hex[:8]}"
    good = pipeline_yaml("{name: one, plugin: Utility.noop, config: {value: 1}}", name=name)
    bad = pipeline_yaml("{name: read, plugin: Input.csv, config: {file_path: missing.csv}}", name=name)
    for text in (good, good, bad):
        response = client.post("/api/v1/pipelines/execute", json={"pipeline_yaml": text, "context": {}})
        assert response.status_code == 200, response.json

    body = client.get("/api/v1/monitoring/jobs/statistics?window=1h").json

    assert body["by_status"]["succeeded"] >= 2
    assert body["by_status"]["failed"] >= 1
    (stats,) = [p for p in body["pipelines"] if p["pipeline_name"] == name]
    assert (stats["finished"], stats["succeeded"], stats["failed"]) == (3, 2, 1)
    assert stats["success_rate"] == pytest.approx(2 / 3, abs=1e-3)
    durations = stats["duration_seconds"]
    assert 0 <= durations["p50"] <= durations["p95"] <= durations["p99"] <= durations["max"]


def test_job_statistics_refuse_a_bad_window(client: FlaskClient) -> None:
    response = client.get("/api/v1/monitoring/jobs/statistics?window=soon")

    assert response.status_code == 422
    assert "window" in response.json["message"]


def test_health_reports_each_component(client: FlaskClient) -> None:
    response = client.get("/health")

    assert response.status_code == 200
    body = response.json
    assert body["status"] == "ok"
    assert body["uptime_seconds"] >= 0
    components = body["components"]
    assert components["database"]["status"] == "up"
    assert components["broker"]["status"] == "up"
    assert components["scheduler"]["status"] in ("up", "degraded")
    # No owner process runs in this stack: reported down, with the reason, but not required.
    assert components["vector_store"]["status"] == "down"
    assert "owner process is not running" in components["vector_store"]["error"]
    assert all("latency_ms" in components[c] for c in ("database", "broker", "workers", "scheduler"))


def test_health_names_the_leading_beat(client: FlaskClient, beats: BeatPool) -> None:
    beats.start(1)
    leader = beats.leader()

    scheduler = client.get("/health").json["components"]["scheduler"]

    assert scheduler["status"] == "up"
    assert f":{leader.pid}:" in scheduler["leader"]


def test_health_is_unavailable_when_the_broker_is_down(settings: Settings, db: Database) -> None:
    app = create_app(settings.with_overrides(redis_url="redis://127.0.0.1:1/0"))
    response = app.test_client().get("/health")

    assert response.status_code == 503
    body = response.json
    assert body["status"] == "unavailable"
    assert body["components"]["broker"]["status"] == "down"
    assert body["components"]["scheduler"]["status"] == "down"
    app.extensions["mimir"].db.dispose()


def test_metrics_need_a_monitoring_key_when_not_public(settings: Settings, db: Database) -> None:
    app = create_app(settings.with_overrides(public_metrics=False))
    anonymous = app.test_client()

    assert anonymous.get("/metrics").status_code == 401
    admin = {"Authorization": f"Bearer {settings.bootstrap_api_key}"}
    assert anonymous.get("/metrics", headers=admin).status_code == 200
    app.extensions["mimir"].close()
