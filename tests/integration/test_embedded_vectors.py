"""The issue's "done when", as a user does it: `mimir up`, a collection over HTTP, a CSV -> embed ->
vector store pipeline through the workers, a search over HTTP with the expected top hit, /health showing
the store."""

from __future__ import annotations

import csv
import signal
import subprocess
from pathlib import Path

import pytest

from tests.integration.test_embedded import _admin_session, _read_banner, _wait_for_workers, embedded  # noqa: F401
from tests.shared.vectors.corpus import DOCUMENTS, LEXICAL_QUERIES

pytestmark = [pytest.mark.integration, pytest.mark.slow]

INGEST = """
name: ingest-docs
steps:
  - {name: read, plugin: Input.csv, config: {file_path: docs.csv}, output: docs}
  - name: embed
    plugin: AI_Models.embed
    config: {input: docs, text_columns: [body], collection: docs}
    output: embedded
  - name: store
    plugin: Output.vector_store
    config: {input: embedded, collection: docs, key_column: id, payload_columns: [body], create: false}
    output: stored
"""


def test_mimir_up_stores_a_csv_as_vectors_and_finds_the_expected_document(
    embedded: tuple[str, Path, subprocess.Popen[str]],  # noqa: F811
) -> None:
    url, data_dir, process = embedded
    http = _admin_session(_read_banner(process))
    _wait_for_workers(http, url, 2)
    with (data_dir / "files" / "docs.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows([("id", "body"), *DOCUMENTS.items()])

    created = http.post(f"{url}/api/v1/vectors/collections", json={"name": "docs"}, timeout=10)
    enqueued = http.post(f"{url}/api/v1/queue/pipelines/enqueue", json={"pipeline_yaml": INGEST}, timeout=10)
    job = http.get(
        f"{url}/api/v1/queue/jobs/{enqueued.json()['job_id']}/wait?timeout=90s", timeout=100
    ).json()
    question, expected = next(iter(LEXICAL_QUERIES.items()))
    found = http.post(f"{url}/api/v1/vectors/collections/docs/search", json={"query": question}, timeout=10)
    health = http.get(f"{url}/health", timeout=10).json()

    assert created.status_code == 201, created.text
    assert job["status"] == "succeeded", job
    assert found.json()["hits"][0]["key"] == expected
    assert health["components"]["vector_store"]["status"] == "up"
    assert health["components"]["vector_store"]["collections"] == 1
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=40) == 0
