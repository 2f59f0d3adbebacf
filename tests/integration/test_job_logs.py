"""A job's own log and the request id that follows it: API, real worker processes, real databases."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient

from mimir.testing.stack import WorkerPool
from shared.jobs.logs import MAX_LINES_PER_ATTEMPT, MAX_MESSAGE_CHARS
from tests.integration.conftest import pipeline_yaml

pytestmark = pytest.mark.integration

TALK_THEN_NOOP = pipeline_yaml(
    "{name: talk, plugin: Utility.say, config: {message: hello from the plugin}}",
    "{name: rest, plugin: Utility.noop}",
)


def _enqueue(client: FlaskClient, text: str, headers: dict[str, str] | None = None) -> tuple[str, str]:
    response = client.post(
        "/api/v1/queue/pipelines/enqueue", json={"pipeline_yaml": text, "context": {}}, headers=headers
    )
    assert response.status_code == 202, response.json
    return str(response.json["job_id"]), response.headers["X-Request-ID"]


def _wait(client: FlaskClient, job_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/queue/jobs/{job_id}/wait?timeout=60s")
    assert response.status_code == 200, response.json
    return dict(response.json)


def _logs(client: FlaskClient, job_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/queue/jobs/{job_id}/logs")
    assert response.status_code == 200, response.json
    assert response.json["job_id"] == job_id
    return list(response.json["lines"])


def test_logs_list_each_step_and_plugin_line_in_order_after_a_worker_ran_the_job(
    client: FlaskClient, workers: WorkerPool
) -> None:
    workers.start(1)
    job_id, _ = _enqueue(client, TALK_THEN_NOOP)
    assert _wait(client, job_id)["status"] == "succeeded"
    lines = _logs(client, job_id)
    assert [(line["step"], line["message"].split(" in ")[0]) for line in lines] == [
        ("talk", "step 0 (talk) started: Utility.say"),
        ("talk", "hello from the plugin"),
        ("talk", "step 0 (talk) succeeded"),
        ("rest", "step 1 (rest) started: Utility.noop"),
        ("rest", "step 1 (rest) succeeded"),
        (None, "run succeeded: 2 of 2 steps"),
    ]
    assert [line["seq"] for line in lines] == list(range(6))
    assert {line["attempt"] for line in lines} == {1}
    assert re.fullmatch(r"step 0 \(talk\) succeeded in \d+\.\d ms", lines[2]["message"])


@pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
def test_a_failed_steps_error_is_in_the_logs(client: FlaskClient, workers: WorkerPool) -> None:
    workers.start(1)
    text = pipeline_yaml(
        "{name: talk, plugin: Utility.say, config: {message: about to fail, level: warning, fail: true}}",
        "{name: never, plugin: Utility.noop}",
    )
    job_id, _ = _enqueue(client, text)
    job = _wait(client, job_id)
    assert job["status"] == "failed"
    lines = _logs(client, job_id)
    assert [(line["level"], line["step"]) for line in lines] == [
        ("INFO", "talk"),
        ("WARNING", "talk"),
        ("ERROR", "talk"),
        ("ERROR", None),
    ]
    failed = lines[2]["message"]
    assert failed.startswith("step 0 (talk) failed after ")
    assert failed.endswith(": asked to fail after saying 'about to fail'")
    assert lines[3]["message"].startswith("run failed: 0 of 2 steps")
    assert not any("never" in line["message"] for line in lines)


@pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
def test_request_id_reaches_the_workers_log_lines_for_its_job(
    client: FlaskClient, workers: WorkerPool
) -> None:
    (worker,) = workers.start(1)
    request_id = f"test-{uuid.uuid4().hex}"
    job_id, echoed = _enqueue(client, TALK_THEN_NOOP, headers={"X-Request-ID": request_id})
    assert echoed == request_id
    job = _wait(client, job_id)
    assert job["status"] == "succeeded" and job["request_id"] == request_id
    records = []
    for raw in worker.log_path.read_text(errors="replace").splitlines():
        if raw.startswith("{"):
            records.append(json.loads(raw))
    ours = [r for r in records if r.get("request_id") == request_id and r.get("job_id") == job_id]
    messages = [r["message"] for r in ours]
    assert "hello from the plugin" in messages, worker.log_tail()
    assert any(m.startswith("step 1 (rest) succeeded") for m in messages)
    assert {r["logger"] for r in ours} >= {"mimir.tests.talker", "shared.jobs.logs"}
    assert all(r["level"] and r["timestamp"] for r in ours)


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_a_request_without_a_usable_id_gets_a_generated_one(client: FlaskClient) -> None:
    generated = client.get("/api/v1/queue/status").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    unsafe = client.get("/api/v1/queue/status", headers={"X-Request-ID": "two words\u00e9" + "x" * 80})
    assert re.fullmatch(r"[0-9a-f]{32}", unsafe.headers["X-Request-ID"])
    refused = client.get(
        "/api/v1/queue/status", headers={"Authorization": "Bearer wrong", "X-Request-ID": "r-1"}
    )
    assert refused.status_code == 401 and refused.headers["X-Request-ID"] == "r-1"


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_logs_read_as_plain_text_when_asked(client: FlaskClient) -> None:
    text = pipeline_yaml("{name: talk, plugin: Utility.say, config: {message: hello there, level: warning}}")
    ran = client.post("/api/v1/pipelines/execute", json={"pipeline_yaml": text, "context": {}})
    assert ran.status_code == 200, ran.json
    response = client.get(f"/api/v1/queue/jobs/{ran.json['job_id']}/logs", headers={"Accept": "text/plain"})
    assert response.status_code == 200
    assert response.content_type == "text/plain; charset=utf-8"
    body = response.get_data(as_text=True).splitlines()
    assert body[0] == f"# job {ran.json['job_id']}: 4 log lines, times in UTC"
    assert len(body) == 5
    assert body[2].endswith("WARNING #1 [talk] hello there")


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_a_jobs_log_is_bounded_in_lines_and_line_length(client: FlaskClient) -> None:
    long = "y" * (MAX_MESSAGE_CHARS + 500)
    text = pipeline_yaml(
        f"{{name: long, plugin: Utility.say, config: {{message: {long}, level: warning}}}}",
        f"{{name: chatty, plugin: Utility.say, config: {{message: again, level: warning, "
        f"repeat: {MAX_LINES_PER_ATTEMPT + 200}, fail: true}}}}",
    )
    ran = client.post("/api/v1/pipelines/execute", json={"pipeline_yaml": text, "context": {}})
    assert ran.status_code == 200 and ran.json["status"] == "failed", ran.json
    lines = _logs(client, ran.json["job_id"])
    assert max(len(line["message"]) for line in lines) == MAX_MESSAGE_CHARS
    assert lines[1]["message"].endswith("[truncated]")
    assert len(lines) == MAX_LINES_PER_ATTEMPT + 3
    assert lines[-3]["message"].startswith("step 1 (chatty) failed after ")
    assert lines[-2]["message"].startswith("run failed: 1 of 2 steps")
    assert lines[-1]["message"] == f"204 more log lines were dropped (limit {MAX_LINES_PER_ATTEMPT})"


def test_logs_of_an_unknown_job_are_not_found(client: FlaskClient) -> None:
    response = client.get(f"/api/v1/queue/jobs/{uuid.uuid4()}/logs")
    assert response.status_code == 404
    assert response.json["code"] == 404 and "not found" in response.json["message"]
