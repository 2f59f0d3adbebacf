"""Vector pipelines through real worker processes and the embedded store's owner process."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from mimir.testing.stack import WorkerPool
from mimir.testing.vector_owner import OwnerProcess
from shared.config import Settings
from shared.vectors.remote import OwnerClient
from shared.vectors.service import VectorService
from tests.shared.vectors.corpus import DOCUMENTS, LEXICAL_QUERIES

pytestmark = pytest.mark.integration

INGEST = """
name: ingest-docs
steps:
  - {name: read, plugin: Input.csv, config: {file_path: docs.csv}, output: docs}
  - {name: embed, plugin: AI_Models.embed, config: {input: docs, text_columns: [body]}, output: embedded}
  - name: store
    plugin: Output.vector_store
    config: {input: embedded, collection: docs, key_column: id, payload_columns: [id, body]}
    output: stored
"""

SEARCH = """
name: search-docs
inputs: [question]
steps:
  - name: find
    plugin: Input.vector_search
    config: {collection: docs, query: "{{ question }}", limit: 3}
    output: hits
"""

BATCH = """
name: ingest-batch
inputs: [rows]
steps:
  - name: store
    plugin: Output.vector_store
    config: {input: rows, collection: shared, key_column: id, text_column: body, batch_size: 25}
    output: stored
"""


@pytest.fixture()
def database_kind() -> str:
    return "sqlite"  # the vector store does not touch the database


@pytest.fixture()
def owner(settings: Settings, flushed_redis: str, tmp_path: Path) -> Iterator[OwnerProcess]:
    process = OwnerProcess(settings, tmp_path / "owner.log").start()
    yield process
    process.stop()


@pytest.fixture()
def store(owner: OwnerProcess) -> Iterator[VectorService]:
    client = OwnerClient.from_url(owner.settings.resolved_redis_url, timeout_seconds=30)
    yield VectorService(client)
    client.close()


def _run(client: FlaskClient, text: str, context: dict[str, Any] | None = None) -> dict[str, Any]:
    enqueued = client.post(
        "/api/v1/queue/pipelines/enqueue", json={"pipeline_yaml": text, "context": context or {}}
    )
    assert enqueued.status_code == 202, enqueued.json
    job = client.get(f"/api/v1/queue/jobs/{enqueued.json['job_id']}/wait?timeout=120s").json
    assert job["status"] == "succeeded", job
    return job


def test_an_ingest_pipeline_and_a_search_pipeline_run_through_the_workers(
    client: FlaskClient, workers: WorkerPool, owner: OwnerProcess, settings: Settings
) -> None:
    with (settings.resolved_file_directories[0] / "docs.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "body"])
        writer.writerows(DOCUMENTS.items())
    workers.start(1)

    ingested = _run(client, INGEST)
    _run(client, INGEST)  # a second ingest replaces, it does not duplicate
    question, expected = next(iter(LEXICAL_QUERIES.items()))
    found = _run(client, SEARCH, {"question": question})

    assert ingested["output"]["stored"] == {"collection": "docs", "upserted": len(DOCUMENTS)}
    assert client.get("/api/v1/vectors/collections/docs").json["points"] == len(DOCUMENTS)
    hits = found["output"]["hits"]["rows"]
    assert hits[0]["key"] == expected and hits[0]["body"] == DOCUMENTS[expected]


def test_concurrent_upserts_from_several_worker_processes_all_land(
    client: FlaskClient, workers: WorkerPool, store: VectorService
) -> None:
    store.create_collection("shared")
    workers.start(2, concurrency=2)
    jobs, per_job = 8, 100
    batches = [
        [{"id": f"j{j}-d{d}", "body": f"document {d} of job {j} about topic {d % 7}"} for d in range(per_job)]
        for j in range(jobs)
    ]
    enqueued = [
        client.post(
            "/api/v1/queue/pipelines/enqueue", json={"pipeline_yaml": BATCH, "context": {"rows": rows}}
        ).json["job_id"]
        for rows in batches
    ]
    finished = [client.get(f"/api/v1/queue/jobs/{job_id}/wait?timeout=180s").json for job_id in enqueued]

    assert [job["status"] for job in finished] == ["succeeded"] * jobs, [j.get("error") for j in finished]
    assert len({job["worker_id"] for job in finished}) > 1  # several processes wrote at once
    keys: list[str] = []
    offset = None
    while True:
        page, offset = store.scroll("shared", limit=500, offset=offset)
        keys += [hit.key for hit in page if hit.key]
        if offset is None:
            break
    assert sorted(keys) == sorted(row["id"] for rows in batches for row in rows)
    assert store.collection_info("shared").points == jobs * per_job
