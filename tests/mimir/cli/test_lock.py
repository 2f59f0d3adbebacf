"""One ``mimir up`` per data dir: a live holder refuses the next, a dead one's lock is taken over."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mimir.cli.lock import LOCK_NAME, DataDirInUse, data_dir_lock
from mimir.testing.stack import REPO_ROOT

HOLD_THE_LOCK = """
import sys, time
from pathlib import Path
from mimir.cli.lock import data_dir_lock
with data_dir_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(600)
"""


@pytest.fixture()
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(tmp_path)], stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    yield process
    process.kill()
    process.wait()
    process.stdout.close()


def test_a_data_dir_held_by_a_live_process_is_refused_naming_its_pid(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    with pytest.raises(
        DataDirInUse, match=rf"{tmp_path} is in use by another `mimir up` \(pid {holder.pid},"
    ):
        with data_dir_lock(tmp_path):
            pass


def test_the_lock_of_a_killed_run_is_taken_over(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert (tmp_path / LOCK_NAME).read_text().strip() == str(holder.pid)  # the stale file is still there
    with data_dir_lock(tmp_path) as stale_pid:
        assert stale_pid == holder.pid
        assert (tmp_path / LOCK_NAME).read_text().strip() != str(holder.pid)


def test_a_clean_stop_leaves_no_pid_to_take_over(tmp_path: Path) -> None:
    with data_dir_lock(tmp_path):
        time.sleep(0)
    with data_dir_lock(tmp_path) as stale_pid:
        assert stale_pid is None
