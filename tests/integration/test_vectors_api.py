"""The vectors API over the embedded store: the owner process, real Redis, the app in this process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from mimir.testing.vector_owner import OwnerProcess
from shared.config import Settings
from tests.shared.vectors.corpus import DOCUMENTS, LEXICAL_QUERIES

pytestmark = pytest.mark.integration
BASE = "/api/v1/vectors/collections"


@pytest.fixture()
def database_kind() -> str:
    return "sqlite"  # the vector store does not touch the database


@pytest.fixture()
def owner(settings: Settings, flushed_redis: str, tmp_path: Path) -> Iterator[OwnerProcess]:
    process = OwnerProcess(settings, tmp_path / "owner.log").start()
    yield process
    process.stop()


@pytest.fixture()
def docs(client: FlaskClient, owner: OwnerProcess) -> FlaskClient:
    assert client.post(BASE, json={"name": "docs"}).status_code == 201
    points = [{"key": k, "text": t, "payload": {"title": k}} for k, t in DOCUMENTS.items()]
    response = client.post(f"{BASE}/docs/points", json={"points": points})
    assert response.status_code == 200, response.json
    return client


def test_a_collection_is_created_filled_and_searched_over_http(docs: FlaskClient) -> None:
    query, expected = next(iter(LEXICAL_QUERIES.items()))

    response = docs.post(f"{BASE}/docs/search", json={"query": query, "limit": 2})

    assert response.status_code == 200
    top = response.json["hits"][0]
    assert (top["key"], top["payload"]) == (expected, {"title": expected})


def test_a_collection_shows_its_points_dimension_and_embedder(docs: FlaskClient) -> None:
    listed = docs.get(BASE).json
    one = docs.get(f"{BASE}/docs").json

    assert listed == [one]
    assert one == {
        "name": "docs",
        "dimension": 384,
        "distance": "cosine",
        "embedder": {"kind": "hashing", "dimension": 384},
        "points": len(DOCUMENTS),
    }


def test_posting_the_same_documents_again_replaces_them(docs: FlaskClient) -> None:
    points = [{"key": k, "text": t} for k, t in DOCUMENTS.items()]

    docs.post(f"{BASE}/docs/points", json={"points": points})

    assert docs.get(f"{BASE}/docs").json["points"] == len(DOCUMENTS)


def test_points_are_scrolled_deleted_and_the_collection_dropped(docs: FlaskClient) -> None:
    first = docs.get(f"{BASE}/docs/points?limit=4").json
    rest = docs.get(f"{BASE}/docs/points?limit=4&offset={first['next_offset']}").json
    assert sorted(p["key"] for p in first["items"] + rest["items"]) == sorted(DOCUMENTS)

    assert docs.delete(f"{BASE}/docs/points", json={"keys": ["cake"]}).status_code == 204
    assert (
        docs.delete(f"{BASE}/docs/points", json={"filter": {"title": ["cats", "stocks"]}}).status_code == 204
    )
    assert docs.get(f"{BASE}/docs").json["points"] == len(DOCUMENTS) - 3

    assert docs.delete(f"{BASE}/docs").status_code == 204
    assert docs.get(f"{BASE}/docs").status_code == 404


def test_health_reports_the_vector_store_with_its_latency(client: FlaskClient, owner: OwnerProcess) -> None:
    store = client.get("/health").json["components"]["vector_store"]

    assert store["status"] == "up" and store["mode"] == "embedded" and store["latency_ms"] >= 0


BAD_INPUT: list[tuple[str, str, str, Any, int, str]] = [
    (
        "wrong dimension",
        "POST",
        "/raw/search",
        {"vector": [0.5, 0.5]},
        422,
        "vector: has 2 dimensions; the collection has 3",
    ),
    ("unknown collection", "POST", "/nope/search", {"query": "x"}, 404, "no vector collection named 'nope'"),
    ("empty query", "POST", "/docs/search", {"query": "  "}, 422, "query: expected non-empty text"),
    ("no query", "POST", "/docs/search", {}, 422, "query: give exactly one of query (text) and vector"),
    (
        "NaN in a stored vector",
        "POST",
        "/raw/points",
        {"points": [{"key": "a", "vector": [1, "NaN", 2]}]},
        422,
        "points[0].vector: expected a list of numbers",
    ),
    (
        "text and vector",
        "POST",
        "/docs/points",
        {"points": [{"text": "a", "vector": [1]}]},
        422,
        "points[0]: give exactly one of text and vector",
    ),
    (
        "oversize batch",
        "POST",
        "/docs/points",
        {"points": [{"text": f"d{i}"} for i in range(1001)]},
        413,
        "1001 items in one request; at most 1000",
    ),
    ("unknown field", "POST", "/docs/search", {"query": "x", "top_k": 3}, 422, "top_k: Unknown field."),
    (
        "limit too high",
        "POST",
        "/docs/search",
        {"query": "x", "limit": 5000},
        422,
        "limit: Must be greater than or equal to 1",
    ),
    (
        "bad collection name",
        "POST",
        "",
        {"name": "no spaces"},
        422,
        "name: 'no spaces' is not a collection name",
    ),
    ("duplicate collection", "POST", "", {"name": "docs"}, 409, "vector collection 'docs' exists already"),
    (
        "embedder without a model",
        "POST",
        "",
        {"name": "e", "embedder": {"kind": "http"}},
        422,
        "an http embedder needs base_url and model",
    ),
    (
        "delete with nothing named",
        "DELETE",
        "/docs/points",
        {},
        422,
        "keys: give exactly one of keys, ids and filter",
    ),
    (
        "bad filter",
        "POST",
        "/docs/search",
        {"query": "x", "filter": {"n": {"near": 3}}},
        422,
        "filter.n: a range takes gt, gte, lt, lte",
    ),
]


def test_every_bad_input_gets_a_clear_4xx(docs: FlaskClient) -> None:
    docs.post(BASE, json={"name": "raw", "dimension": 3, "embedder": {"kind": "none"}})
    wrong = []

    for case, method, path, body, status, message in BAD_INPUT:
        response = docs.open(f"{BASE}{path}", method=method, json=body)
        if response.status_code != status or message not in response.json["message"]:
            wrong.append(f"{case}: {response.status_code} {response.json['message']!r}")

    assert wrong == []
    assert docs.get(f"{BASE}/docs").json["points"] == len(DOCUMENTS)  # nothing half-written


def test_nan_in_a_vector_is_refused(docs: FlaskClient) -> None:
    body = '{"vector": [0.1, NaN, 0.3]}'  # not JSON, but what Python's own encoder writes for float("nan")

    response = docs.post(f"{BASE}/docs/search", data=body, content_type="application/json")

    assert 400 <= response.status_code < 500
    assert "NaN" in response.json["message"] or "non-finite" in response.json["message"]


def test_every_vectors_endpoint_declares_a_vectors_permission(client: FlaskClient) -> None:
    paths = client.get("/api/openapi.json").json["paths"]

    declared = {
        (method.upper(), path): operation.get("x-permission")
        for path, operations in paths.items()
        if path.startswith(BASE)
        for method, operation in operations.items()
        if method in ("get", "post", "delete")
    }

    assert declared == {
        ("GET", BASE): "vectors:read",
        ("POST", BASE): "vectors:write",
        ("GET", f"{BASE}/{{name}}"): "vectors:read",
        ("DELETE", f"{BASE}/{{name}}"): "vectors:write",
        ("GET", f"{BASE}/{{name}}/points"): "vectors:read",
        ("POST", f"{BASE}/{{name}}/points"): "vectors:write",
        ("DELETE", f"{BASE}/{{name}}/points"): "vectors:write",
        ("POST", f"{BASE}/{{name}}/search"): "vectors:read",
    }
