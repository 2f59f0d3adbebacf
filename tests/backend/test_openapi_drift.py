"""The web UI's types come from the committed OpenAPI document; both must match the code.

Regenerate after changing the API: ``python -m backend.openapi > frontend/openapi.json`` then
``cd frontend && npm run gen:types``.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from backend.openapi import openapi_document
from mimir.testing.stack import REPO_ROOT

FRONTEND = REPO_ROOT / "frontend"
GENERATOR = FRONTEND / "node_modules" / ".bin" / "openapi-typescript"
REGENERATE = "python -m backend.openapi > frontend/openapi.json && (cd frontend && npm run gen:types)"


def test_the_committed_openapi_document_matches_the_api() -> None:
    committed = json.loads((FRONTEND / "openapi.json").read_text())
    assert committed == openapi_document(), f"frontend/openapi.json is stale; run: {REGENERATE}"


def test_the_committed_typescript_types_match_the_document(tmp_path: Path) -> None:
    if not GENERATOR.exists():
        message = "frontend/node_modules is not installed (cd frontend && npm ci)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must check the generated types")
        pytest.skip(message)
    generated = tmp_path / "schema.d.ts"
    subprocess.run(
        [str(GENERATOR), str(FRONTEND / "openapi.json"), "-o", str(generated)],
        check=True,
        capture_output=True,
        cwd=FRONTEND,
    )
    committed = (FRONTEND / "src" / "api" / "schema.d.ts").read_text()
    assert generated.read_text() == committed, f"frontend/src/api/schema.d.ts is stale; run: {REGENERATE}"
