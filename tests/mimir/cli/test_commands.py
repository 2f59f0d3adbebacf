"""The ``mimir`` commands as a newcomer runs them, from a folder of their choosing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from mimir.testing.stack import REPO_ROOT

SALES_PIPELINE = """\
name: sales
steps:
  - {name: read, plugin: Input.csv, config: {file_path: sales.csv}, output: sales}
  - {name: write, plugin: Output.json, config: {input: sales, file_path: sales.json}}
"""


def mimir(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MIMIR_") and k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "mimir.cli", *args],
        cwd=cwd,
        env={**clean, "PYTHONPATH": str(REPO_ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_mimir_run_reads_files_from_the_data_dir_like_the_server(tmp_path: Path) -> None:
    data_dir, elsewhere = tmp_path / "mimir-data", tmp_path / "pipelines"
    (data_dir / "files").mkdir(parents=True)
    elsewhere.mkdir()
    (data_dir / "files" / "sales.csv").write_text("region,amount\nnorth,3\n")
    (elsewhere / "sales.yaml").write_text(SALES_PIPELINE)
    result = mimir("run", str(elsewhere / "sales.yaml"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["success"] is True
    assert json.loads((data_dir / "output" / "sales.json").read_text())["rows"] == [
        {"region": "north", "amount": 3}
    ]


def test_each_validation_problem_is_printed_once(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("name: x\nsteps:\n  - {name: a, plugin: Nope.nope}\n")
    result = mimir("run", "bad.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("unknown plugin 'Nope.nope'") == 1, result.stderr


def test_keys_list_refuses_a_data_dir_that_does_not_exist_and_creates_nothing(tmp_path: Path) -> None:
    result = mimir("keys", "list", cwd=tmp_path)
    assert result.returncode == 1
    assert f"the data dir {tmp_path / 'mimir-data'} does not exist" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_config_yaml_in_the_current_folder_is_read(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("persistence: {data_dir: elsewhere}\n")
    result = mimir("backup", cwd=tmp_path)
    assert result.returncode == 1
    assert f"the data dir {tmp_path / 'elsewhere'} does not exist" in result.stderr


def test_the_environment_names_the_data_dir_of_a_read_command(tmp_path: Path) -> None:
    created = mimir(
        "keys",
        "create",
        "--role",
        "viewer",
        "--name",
        "ci",
        cwd=tmp_path / "..",
        **{"MIMIR_PERSISTENCE_DATA_DIR": str(tmp_path / "data")},
    )
    assert created.returncode == 0, created.stderr
    listed = mimir("keys", "list", cwd=tmp_path, MIMIR_PERSISTENCE_DATA_DIR=str(tmp_path / "data"))
    assert listed.returncode == 0 and " ci" in listed.stdout
