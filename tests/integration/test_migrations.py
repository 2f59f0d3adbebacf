"""Migration 0005 on rows written before it (SQLite and PostgreSQL): jobs become kind ``pipeline`` with
their definition in ``spec``, schedules target kind ``pipeline``; the downgrade gives the old shape back."""

from __future__ import annotations

import json
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text

from shared.config import Settings
from shared.db.engine import make_engine
from shared.db.migrate import alembic_config

pytestmark = pytest.mark.integration

DEFINITION = {"name": "old", "steps": [{"name": "a", "plugin": "Utility.noop"}]}
NOW = "2026-11-30 12:00:00"


def _execute(url: str, statement: str, **params: Any) -> list[Any]:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return list(result) if result.returns_rows else []
    finally:
        engine.dispose()


def _old_rows(url: str) -> None:
    _execute(
        url,
        "INSERT INTO pipelines (id, name, description, enabled, revision, definition, created_at, updated_at)"
        " VALUES ('p1', 'old', '', true, 1, :definition, :now, :now)",
        definition=json.dumps(DEFINITION),
        now=NOW,
    )
    _execute(
        url,
        "INSERT INTO jobs (id, type, status, pipeline_id, pipeline_name, definition, input_context, steps,"
        " progress, attempts, max_attempts, cancel_requested, triggered_by, created_at, updated_at)"
        " VALUES ('j1', 'pipeline', 'succeeded', 'p1', 'old', :definition, '{}', '[]', 1.0, 1, 5, false,"
        " 'api', :now, :now)",
        definition=json.dumps(DEFINITION),
        now=NOW,
    )
    _execute(
        url,
        "INSERT INTO schedules (id, name, description, pipeline_id, context, cron_expr, timezone, enabled,"
        " catchup, catchup_window_seconds, overlap, created_at, updated_at)"
        " VALUES ('s1', 'nightly', '', 'p1', '{}', '0 0 * * *', 'UTC', true, 'none', 86400, 'allow',"
        " :now, :now)",
        now=NOW,
    )


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def test_jobs_and_schedules_written_before_job_kinds_migrate_both_ways(settings: Settings) -> None:
    config = alembic_config(settings.resolved_database_url)
    url = settings.resolved_database_url
    command.upgrade(config, "0004")
    _old_rows(url)
    command.upgrade(config, "0005")
    [(kind, spec)] = _execute(url, "SELECT kind, spec FROM jobs WHERE id = 'j1'")
    assert (kind, _json(spec)) == ("pipeline", {"definition": DEFINITION})
    [(target_kind, target_spec, pipeline_id)] = _execute(
        url, "SELECT target_kind, target_spec, pipeline_id FROM schedules WHERE id = 's1'"
    )
    assert (target_kind, _json(target_spec), pipeline_id) == ("pipeline", {}, "p1")
    command.downgrade(config, "0004")
    [(job_type, definition)] = _execute(url, "SELECT type, definition FROM jobs WHERE id = 'j1'")
    assert (job_type, _json(definition)) == ("pipeline", DEFINITION)
    command.upgrade(config, "head")
