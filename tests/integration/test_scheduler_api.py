"""The scheduler API against a real database (SQLite and PostgreSQL), through the Flask app."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient

from tests.integration.conftest import pipeline_yaml

SCHEDULES = "/api/v1/scheduler/jobs"


def _pipeline(client: FlaskClient, name: str = "nightly") -> str:
    body = {"pipeline_yaml": pipeline_yaml("{name: a, plugin: Utility.noop}", name=name)}
    response = client.post("/api/v1/pipelines", json=body)
    assert response.status_code == 201, response.json
    return str(response.json["id"])


def _create(client: FlaskClient, **fields: Any) -> dict[str, Any]:
    body = {"name": "every-morning", "pipeline_name": "nightly", "cron_expr": "0 7 * * MON-FRI"}
    body.update(fields)
    response = client.post(SCHEDULES, json=body)
    assert response.status_code == 201, response.json
    return dict(response.json)


def test_created_schedule_has_its_next_slot_in_its_time_zone(client: FlaskClient) -> None:
    pipeline_id = _pipeline(client)
    created = _create(client, timezone="Europe/Paris", context={"region": "eu"})
    assert created["pipeline_id"] == pipeline_id and created["pipeline_name"] == "nightly"
    assert (created["enabled"], created["catchup"], created["overlap"]) == (True, "none", "allow")
    next_run = datetime.fromisoformat(created["next_run"])
    local = next_run.astimezone(ZoneInfo("Europe/Paris"))
    assert (local.hour, local.minute) == (7, 0) and local.weekday() < 5
    listing = client.get(SCHEDULES).json
    assert [s["name"] for s in listing["items"]] == ["every-morning"] and listing["total"] == 1


def test_update_enable_disable_and_delete(client: FlaskClient) -> None:
    _pipeline(client)
    schedule = _create(client)
    url = f"{SCHEDULES}/{schedule['id']}"
    changed = client.put(url, json={"cron_expr": "@hourly", "overlap": "skip"})
    assert changed.status_code == 200, changed.json
    assert (changed.json["cron_expr"], changed.json["overlap"]) == ("0 * * * *", "skip")
    assert datetime.fromisoformat(changed.json["next_run"]).minute == 0
    assert client.post(f"{url}/disable").json["enabled"] is False
    assert client.post(f"{url}/enable").json["enabled"] is True
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


def test_preview_lists_the_next_fire_times(client: FlaskClient) -> None:
    _pipeline(client)
    schedule = _create(client, cron_expr="30 2 * * *", timezone="America/New_York")
    preview = client.get(f"{SCHEDULES}/{schedule['id']}/preview?count=3").json
    assert len(preview["fire_times"]) == 3
    assert all(
        t.endswith(("02:30:00-05:00", "02:30:00-04:00", "03:30:00-04:00"))
        for t in preview["fire_times_local"]
    )
    tried = client.post("/api/v1/scheduler/preview", json={"cron_expr": "*/5 * * * * *", "count": 4}).json
    assert tried["timezone"] == "UTC" and len(tried["fire_times"]) == 4


def test_trigger_runs_now_and_shows_in_the_schedule_runs(client: FlaskClient) -> None:
    _pipeline(client)
    schedule = _create(client)
    triggered = client.post(f"{SCHEDULES}/{schedule['id']}/trigger")
    assert triggered.status_code == 202, triggered.json
    runs = client.get(f"{SCHEDULES}/{schedule['id']}/runs").json
    assert [(r["id"], r["triggered_by"], r["schedule_id"]) for r in runs["items"]] == [
        (triggered.json["job_id"], "manual", schedule["id"])
    ]


def test_a_pipeline_with_schedules_cannot_be_deleted(client: FlaskClient) -> None:
    pipeline_id = _pipeline(client)
    _create(client)
    response = client.delete(f"/api/v1/pipelines/{pipeline_id}")
    assert response.status_code == 409
    assert "target of one or more schedules" in response.json["message"]


@pytest.mark.parametrize(
    ("fields", "status", "says"),
    [
        ({"cron_expr": "61 * * * *"}, 422, "cron_expr: '61 * * * *' is invalid"),
        ({"cron_expr": "* * *"}, 422, "has 3 fields"),
        ({"timezone": "Mars/Olympus"}, 422, "timezone: unknown time zone 'Mars/Olympus'"),
        ({"pipeline_name": "missing"}, 422, "pipeline_name: no such pipeline 'missing'"),
        ({"catchup": "sometimes"}, 422, "catchup"),
        ({"overlap": 3}, 422, "overlap"),
        ({"catchup_window_seconds": -5}, 422, "catchup_window_seconds"),
        ({"next_run": "2020-01-01T00:00:00Z"}, 422, "next_run"),
        ({"name": ""}, 422, "name"),
    ],
)
def test_bad_schedules_get_a_clear_4xx_and_store_nothing(
    client: FlaskClient, fields: dict[str, Any], status: int, says: str
) -> None:
    _pipeline(client)
    body = {"name": "bad", "pipeline_name": "nightly", "cron_expr": "* * * * *", **fields}
    response = client.post(SCHEDULES, json=body)
    assert response.status_code == status, response.json
    assert says in str(response.json), response.json
    assert "Traceback" not in str(response.json)
    assert client.get(SCHEDULES).json["total"] == 0


def test_duplicate_name_is_a_409_and_unknown_schedule_a_404(client: FlaskClient) -> None:
    _pipeline(client)
    _create(client)
    again = client.post(
        SCHEDULES, json={"name": "every-morning", "pipeline_name": "nightly", "cron_expr": "@daily"}
    )
    assert again.status_code == 409 and "already exists" in again.json["message"]
    for method, suffix in (("get", ""), ("put", ""), ("delete", ""), ("post", "/trigger"), ("get", "/runs")):
        response = getattr(client, method)(f"{SCHEDULES}/nope{suffix}", json={} if method == "put" else None)
        assert response.status_code == 404, (method, suffix, response.json)
        assert "schedule nope not found" in response.json["message"]
