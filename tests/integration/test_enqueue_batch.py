"""Batch enqueue: many runs of one pipeline in one request, one transaction and one publish, run by a real
worker; bad batches are refused whole with a 422 saying which run is wrong."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from mimir.testing.stack import WorkerPool
from shared.db.engine import Database
from shared.jobs import service
from shared.security.keys import create_api_key

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)]

BATCH = "/api/v1/queue/pipelines/enqueue-batch"
BY_REGION = (
    "name: by-region\ninputs: [region]\nsteps:\n"
    "  - {name: echo, plugin: Utility.noop, config: {value: '{{ region }}'}, output: said}\n"
)


def _job_count(db: Database) -> int:
    return service.list_jobs(db, limit=1)[1]


def test_a_batch_queues_one_job_per_context_in_order_and_each_runs_with_its_own(
    client: FlaskClient, workers: WorkerPool
) -> None:
    workers.start(1, concurrency=2)
    regions = [f"region-{i}" for i in range(25)]
    response = client.post(
        BATCH, json={"pipeline_yaml": BY_REGION, "contexts": [{"region": r} for r in regions]}
    )
    assert response.status_code == 202, response.json
    body = response.json
    assert (body["count"], body["status"], body["pipeline_name"]) == (25, "queued", "by-region")
    assert len(set(body["job_ids"])) == 25
    said = []
    for job_id in body["job_ids"]:
        job = client.get(f"/api/v1/queue/jobs/{job_id}/wait?timeout=60s").json
        assert job["status"] == "succeeded", job
        said.append(job["output"]["said"])
    assert said == regions


def test_a_batch_of_more_than_1000_runs_is_refused_and_queues_nothing(
    client: FlaskClient, db: Database
) -> None:
    response = client.post(BATCH, json={"pipeline_yaml": BY_REGION, "contexts": [{"region": "x"}] * 1001})
    assert response.status_code == 422, response.json
    assert "between 1 and 1000 contexts" in response.json["message"]
    assert _job_count(db) == 0


def test_an_empty_batch_is_refused(client: FlaskClient, db: Database) -> None:
    response = client.post(BATCH, json={"pipeline_yaml": BY_REGION, "contexts": []})
    assert response.status_code == 422, response.json
    assert "contexts" in response.json["message"]
    assert _job_count(db) == 0


def test_a_context_missing_a_declared_input_is_named_by_its_index_and_nothing_is_queued(
    client: FlaskClient, db: Database
) -> None:
    contexts = [{"region": "north"}, {"region": "south"}, {"other": 1}, {"region": "east"}]
    response = client.post(BATCH, json={"pipeline_yaml": BY_REGION, "contexts": contexts})
    assert response.status_code == 422, response.json
    assert "contexts[2].region" in response.json["message"]
    assert [e["location"] for e in response.json["errors"]] == ["contexts[2].region"]
    assert _job_count(db) == 0


def test_a_batch_needs_the_permission_a_single_enqueue_needs(client: FlaskClient, db: Database) -> None:
    viewer = create_api_key(db, name="dashboard", role="viewer").secret
    response = client.post(
        BATCH,
        json={"pipeline_yaml": BY_REGION, "contexts": [{"region": "north"}]},
        headers={"Authorization": f"Bearer {viewer}"},
    )
    assert response.status_code == 403, response.json
    assert "pipelines:execute" in response.json["message"]
    assert _job_count(db) == 0
