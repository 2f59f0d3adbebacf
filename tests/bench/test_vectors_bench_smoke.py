"""The vector benchmark's smoke run: both paths measured end to end, figures that make sense."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.common import RESULTS_DIR
from mimir.testing.servers import find_redis_server, require_binary
from mimir.testing.stack import REPO_ROOT

pytestmark = pytest.mark.integration


def test_vectors_smoke_measures_the_platform_path_beside_local_mode_direct() -> None:
    require_binary(find_redis_server(), "redis-server")
    result = subprocess.run(
        [sys.executable, "-m", "bench.vectors", "--smoke"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    figures = json.loads((RESULTS_DIR / "vectors-smoke.json").read_text())

    for side in ("direct", "platform"):
        assert figures[side]["upserts_per_second"] > 0
        assert all(c["search_p50_ms"] > 0 for c in figures[side]["checkpoints"].values())
    assert figures["hashing_embedder"]["documents_per_second"] > 0
