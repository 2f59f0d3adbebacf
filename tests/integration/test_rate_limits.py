"""Rate limits are shared by every API process through Redis and answer 429 with Retry-After."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from mimir.testing.servers import free_port
from mimir.testing.stack import api_process
from shared.config import Settings
from shared.db.engine import Database
from shared.security.keys import create_api_key

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True),
]


def test_two_api_processes_share_one_limit_per_key(
    settings: Settings, db: Database, flushed_redis: str, tmp_path: Path
) -> None:
    limited = settings.with_overrides(rate_limit_reads="20/minute")
    first_key = create_api_key(db, name="first", role="viewer").secret
    second_key = create_api_key(db, name="second", role="viewer").secret
    with (
        api_process(limited, tmp_path / "a", port=free_port()) as api_a,
        api_process(limited, tmp_path / "b", port=free_port()) as api_b,
    ):
        statuses = [
            requests.get(
                f"{api.url}/api/v1/plugins", headers={"X-API-Key": first_key}, timeout=10
            ).status_code
            for api in (api_a, api_b)
            for _ in range(12)
        ]
        assert statuses.count(200) == 20 and statuses[-4:] == [429] * 4
        refused = requests.get(f"{api_a.url}/api/v1/plugins", headers={"X-API-Key": first_key}, timeout=10)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert "rate limit for reads reached" in refused.json()["message"]
        other = requests.get(f"{api_b.url}/api/v1/plugins", headers={"X-API-Key": second_key}, timeout=10)
        assert other.status_code == 200


def test_guessing_keys_is_limited_per_address(settings: Settings, db: Database, flushed_redis: str) -> None:
    from backend.app import create_app

    app = create_app(settings.with_overrides(rate_limit_auth="3/minute"))
    client = app.test_client()
    wrong = {"Authorization": "Bearer mimir_guess-000000000000000000000000000"}
    statuses = [client.get("/api/v1/plugins", headers=wrong).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    app.extensions["mimir"].db.dispose()


NOOP_YAML = "name: limited\nsteps:\n  - {name: a, plugin: Utility.noop}\n"


def test_a_batch_counts_each_run_against_the_enqueue_limit(
    settings: Settings, db: Database, flushed_redis: str
) -> None:
    from backend.app import create_app

    app = create_app(settings.with_overrides(rate_limit_enqueue="10/minute"))
    client = app.test_client()
    auth = {"Authorization": f"Bearer {settings.bootstrap_api_key}"}

    def batch(runs: int) -> int:
        body = {"pipeline_yaml": NOOP_YAML, "contexts": [{"i": i} for i in range(runs)]}
        return client.post("/api/v1/queue/pipelines/enqueue-batch", json=body, headers=auth).status_code

    too_big = client.post(
        "/api/v1/queue/pipelines/enqueue-batch",
        json={"pipeline_yaml": NOOP_YAML, "contexts": [{}] * 11},
        headers=auth,
    )
    assert too_big.status_code in (400, 422)
    assert "contexts" in too_big.json["message"] and "at most 10 per batch" in too_big.json["message"]
    assert batch(5) == 202  # with the refused request above: 6 of the window's 10
    assert batch(5) == 429  # 11: more runs than single enqueues could have started
    single = client.post("/api/v1/queue/pipelines/enqueue", json={"pipeline_yaml": NOOP_YAML}, headers=auth)
    assert single.status_code == 429
    app.extensions["mimir"].db.dispose()
