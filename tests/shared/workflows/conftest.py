"""A real SQLite file built by the migrations, and a runtime whose published messages the test delivers
itself (playing the broker and one worker), so each advance of a workflow can be looked at."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mimir.testing.recording import RECORDER_PLUGINS_DIR
from shared.db.engine import Database
from shared.db.migrate import upgrade_to_head
from shared.jobs import service as jobs
from shared.jobs.runner import JobRuntime, execute_job
from shared.jobs.status import JobStatus
from shared.plugins.base import RunEnvironment
from shared.plugins.registry import PluginRegistry
from shared.slices import load_platform
from shared.workflows import runs, service
from shared.workflows.job_kind import WORKFLOW_KIND


@pytest.fixture(scope="session")
def migrated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "mimir.db"
    upgrade_to_head(f"sqlite:///{path}")
    return path


@pytest.fixture()
def db(migrated_file: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "mimir.db"
    shutil.copy(migrated_file, path)
    database = Database.connect(f"sqlite:///{path}")
    yield database
    database.dispose()


@dataclass
class Stack:
    """A runtime and the messages it published, delivered one at a time by :meth:`deliver`."""

    db: Database
    runtime: JobRuntime
    messages: list[tuple[str, str]] = field(default_factory=list)

    def publish(self, job_id: str, queue: str) -> bool:
        self.messages.append((job_id, queue))
        return True

    def deliver(self, queue: str | None = None) -> str | None:
        """Run the oldest message (of ``queue`` if given) as a worker would; its job id."""
        for index, (job_id, q) in enumerate(self.messages):
            if queue is None or q == queue:
                del self.messages[index]
                execute_job(self.runtime, job_id, "w1")
                return job_id
        return None

    def drain(self, limit: int = 500) -> None:
        """Deliver until nothing is left."""
        for _ in range(limit):
            if self.deliver() is None:
                return
        raise AssertionError("messages kept coming")

    def store(self, yaml_text: str) -> str:
        return service.create_workflow(self.db, self.runtime.registry, yaml_text).id

    def run(self, workflow_id: str, context: dict | None = None) -> str:
        """Queue a run of the workflow (published like the API does)."""
        request = runs.run_request(self.db, workflow_id, context or {})
        job = jobs.create_job(self.db, self.runtime.kinds.get(WORKFLOW_KIND), request)
        self.publish(job.id, self.runtime.kinds.get(WORKFLOW_KIND).queue)
        return job.id

    def status(self, job_id: str) -> JobStatus:
        return JobStatus(jobs.get_job(self.db, job_id).status)


@pytest.fixture()
def stack(db: Database) -> Stack:
    platform = load_platform()
    registry = PluginRegistry.default([RECORDER_PLUGINS_DIR], include_entry_points=False, platform=platform)
    holder: list[Stack] = []
    runtime = JobRuntime(
        db=db,
        registry=registry,
        env=RunEnvironment(),
        lease_seconds=5.0,
        kinds=platform.job_kinds,
        publish=lambda job_id, queue: holder[0].publish(job_id, queue),
    )
    holder.append(Stack(db, runtime))
    return holder[0]
