"""The ``workflow`` job kind: a run of a stored workflow, advanced by short attempts that give the worker
back while the tasks' child jobs run (see :mod:`shared.workflows.advance` and ARCHITECTURE.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.errors import InvalidInput
from shared.jobs.kinds import JobKind

WORKFLOW_KIND = "workflow"
WORKFLOW_QUEUE = "mimir.workflows"
_SPEC_FIELDS = ("workflow_id", "workflow_name", "revision", "resume_from")


def check_workflow_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The stored spec of a workflow job (the workflow by id or name, a revision, the run it resumes);
    :class:`InvalidInput` naming the bad field. The workflow itself is read when the run starts."""
    for key in spec:
        if key not in _SPEC_FIELDS:
            raise InvalidInput.at(f"spec.{key}", f"unknown field (allowed: {', '.join(_SPEC_FIELDS)})")
    workflow_id, name = spec.get("workflow_id"), spec.get("workflow_name")
    if workflow_id is None and name is None:
        raise InvalidInput.at("spec", "give workflow_id or workflow_name: the workflow to run")
    for key in ("workflow_id", "workflow_name", "resume_from"):
        value = spec.get(key)
        if value is not None and not (isinstance(value, str) and 0 < len(value) <= 200):
            raise InvalidInput.at(f"spec.{key}", "must be a non-empty string")
    revision = spec.get("revision")
    if revision is not None and not (
        isinstance(revision, int) and not isinstance(revision, bool) and revision > 0
    ):
        raise InvalidInput.at("spec.revision", "must be a positive whole number")
    return {k: spec[k] for k in _SPEC_FIELDS if spec.get(k) is not None}


def workflow_label(spec: Mapping[str, Any]) -> str:
    """``workflow <name>`` (``resume of`` when it resumes a run)."""
    name = spec.get("workflow_name") or spec.get("workflow_id") or "?"
    return f"{'resumed ' if spec.get('resume_from') else ''}workflow {name}"[:200]


def workflow_job_kind() -> JobKind:
    """The kind as the workflows slice installs it."""
    from shared.workflows.advance import advance_workflow

    return JobKind(
        name=WORKFLOW_KIND,
        queue=WORKFLOW_QUEUE,
        run=advance_workflow,
        label=workflow_label,
        is_schedulable=True,
        description="a run of a stored workflow: a DAG of tasks, each a child pipeline job",
        check_spec=check_workflow_spec,
    )
