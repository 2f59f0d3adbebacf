"""The context size bomb through ``/pipelines/execute``, which runs in the API process (#11 item 4)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)]

STEP = "  - {name: s%d, plugin: Utility.noop, config: {value: '{{ a }}{{ a }}'}, output: a}"
BOMB = "name: bomb\ninputs: [a]\nsteps:\n" + "\n".join(STEP % i for i in range(30)) + "\n"


def test_a_doubling_pipeline_run_in_the_api_fails_its_step_and_stores_no_oversized_context(
    client: FlaskClient,
) -> None:
    response = client.post(
        "/api/v1/pipelines/execute", json={"pipeline_yaml": BOMB, "context": {"a": "x" * 1000}}
    )
    assert response.status_code == 200, response.json
    result = response.json
    assert (result["success"], result["status"]) == (False, "failed")
    assert "step 10 (s10) failed" in result["error"]
    assert "pipelines.max_rendered_value_bytes" in result["error"]
    assert len(result["context"]["a"]) <= 1024 * 1024
    job = client.get(f"/api/v1/queue/jobs/{result['job_id']}").json
    assert len(job["output"]["a"]) <= 1024 * 1024
