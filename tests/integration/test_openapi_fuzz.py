"""Schemathesis against the OpenAPI document: no generated request, valid or not, gets a 5xx, and every
refusal has the one error shape and follows the one rule (400 only for what cannot be parsed).

Every operation is fuzzed with the admin key (so requests get past authentication into the schemas and
services), on SQLite, with schema-conforming and schema-violating data, a bounded number of examples each,
derandomized so a run is repeatable. Only the event stream is left out (it never ends, so a test client
reading its body would wait forever; tests/integration/test_event_stream.py covers it): the DELETE of API keys
can only hit random ids (never the admin key's), and triggering schedules only publishes to the real Redis
with no worker.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from mimir.testing.stack import ADMIN_KEY
from mimir.testing.vector_owner import OwnerProcess
from shared.config import Settings
from shared.db.engine import Database

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EXAMPLES_PER_OPERATION = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 8}
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
ENDLESS = {"GET /api/v1/events"}


@pytest.fixture()
def vector_owner(settings: Settings, flushed_redis: str, tmp_path: Path) -> Iterator[None]:
    """The embedded vector store's owner, so the vectors endpoints answer instead of 503."""
    owner = OwnerProcess(settings, tmp_path / "owner.log").start()
    yield
    owner.stop()


@pytest.fixture()
def app(settings: Settings, db: Database, vector_owner: None) -> Iterator[Flask]:
    from backend.app import create_app

    # Rate limits would turn later examples into 429s and hide what they would have found.
    generous = "1000000/second"
    application = create_app(
        settings.with_overrides(
            rate_limit_reads=generous,
            rate_limit_writes=generous,
            rate_limit_enqueue=generous,
            rate_limit_auth=generous,
        )
    )
    yield application
    application.extensions["mimir"].close()


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_no_generated_request_gets_a_server_error(app: Flask) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, headers=AUTH)
    failures: list[str] = []
    operations = [
        operation
        for operation in (result.ok() for result in schema.get_all_operations())
        if f"{operation.method.upper()} {operation.path}" not in ENDLESS
    ]
    assert len(operations) > 20
    for operation in operations:
        for mode, examples in EXAMPLES_PER_OPERATION.items():
            failure = _fuzz(operation, mode, examples)
            if failure:
                failures.append(f"{operation.label} ({mode.value}): {failure}")
    assert not failures, "\n\n".join(failures)


# What a 400 may say: the request could not be parsed (anything parsed but invalid is a 422).
_UNPARSEABLE = (
    "Invalid JSON",
    "does not parse",
    "nested too deeply",
    "not a JSON number",
    "digits is too large",
    "out of range",
    "Bad Request",
)


def error_shape_problem(status: int, content: bytes) -> str | None:
    """What is wrong with an error answer's body, or None (also for answers that are not errors)."""
    if status < 400:
        return None
    try:
        body = json.loads(content)
    except ValueError:
        return f"{status} body is not JSON: {content[:200]!r}"
    if not isinstance(body, dict) or body.get("code") != status or not isinstance(body.get("message"), str):
        return f"{status} body lacks code/message: {body!r}"[:500]
    errors = body.get("errors")
    if not isinstance(errors, list) or not all(
        isinstance(e, dict) and set(e) == {"location", "message"} for e in errors
    ):
        return f"{status} errors is not a list of {{location, message}}: {errors!r}"[:500]
    if status == 400 and not any(text in body["message"] for text in _UNPARSEABLE):
        return f"400 for a request that parsed (should be 422): {body['message']!r}"[:500]
    return None


def _fuzz(operation: schemathesis.APIOperation, mode: GenerationMode, examples: int) -> str | None:
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: schemathesis.Case) -> None:
        response = case.call(headers=AUTH)
        case.validate_response(response, checks=[not_a_server_error], headers=AUTH)
        problem = error_shape_problem(response.status_code, response.content)
        assert problem is None, f"{case.method} {case.formatted_path}: {problem}"

    try:
        check()
    except Unsatisfiable:  # nothing to get wrong: an operation without parameters or body has no invalid call
        return None
    except Exception as exc:  # a failure, reported with the case that produced it
        return f"{type(exc).__name__}: {exc}"[:3000]
    return None
