"""The ``digital_twin`` job kind: a simulation (or a what-if) of a stored twin, run by the workers.

A thin adapter: the spec names the twin and the scenario (stored or inline) and, for a what-if, the
changes; the runner calls :func:`shared.twins.runs.run_scenario` / :func:`~shared.twins.runs.run_whatif`
with progress per simulated step and a cancellation check between steps. The run is stored under the job's
id, so an attempt that repeats after a worker died returns the run the first one stored, if it got that far.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.db.engine import Database
from shared.errors import InvalidInput, JobCancelled, MimirError
from shared.jobs.kinds import JobKind, JobOutcome, RunningJob
from shared.jobs.service import JobRequest
from shared.jobs.status import JobStatus
from shared.twins import runs
from shared.twins.limits import check_run_size
from shared.twins.records import TwinRunRecord
from shared.twins.service import load_twin, scenario_for
from shared.twins.whatif import apply_changes

TWIN_KIND = "digital_twin"
TWIN_QUEUE = "mimir.twins"
MODES = ("run", "whatif")


def check_twin_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The stored spec of a twin job; :class:`InvalidInput` naming the bad field. (The twin and scenario
    themselves are checked against the database by the API before it enqueues.)"""
    allowed = {"mode", "twin_id", "scenario_id", "scenario", "changes", "twin_name", "scenario_name"}
    for key in spec:
        if key not in allowed:
            raise InvalidInput.at(f"spec.{key}", f"unknown field (allowed: {', '.join(sorted(allowed))})")
    twin_id = spec.get("twin_id")
    if not isinstance(twin_id, str) or not twin_id:
        raise InvalidInput.at("spec.twin_id", "required: the twin to simulate")
    mode = spec.get("mode", "run")
    if mode not in MODES:
        raise InvalidInput.at("spec.mode", f"must be one of {', '.join(MODES)}")
    scenario_id, scenario = spec.get("scenario_id"), spec.get("scenario")
    if (scenario_id is None) == (scenario is None):
        raise InvalidInput.at("spec", "give exactly one of scenario_id or scenario (an inline scenario)")
    if scenario_id is not None and not isinstance(scenario_id, str):
        raise InvalidInput.at("spec.scenario_id", "must be a string")
    if scenario is not None and not isinstance(scenario, dict):
        raise InvalidInput.at("spec.scenario", "must be an object")
    changes = spec.get("changes")
    if mode == "whatif" and not isinstance(changes, list):
        raise InvalidInput.at("spec.changes", "required for a what-if: a list of changes")
    if mode == "run" and changes is not None:
        raise InvalidInput.at("spec.changes", "only a what-if takes changes")
    return {k: v for k, v in spec.items() if v is not None}


def twin_label(spec: Mapping[str, Any]) -> str:
    """``twin <name>: <scenario>`` (what-if jobs say so)."""
    twin = spec.get("twin_name") or spec.get("twin_id") or "?"
    scenario = spec.get("scenario_name") or spec.get("scenario_id") or "inline scenario"
    prefix = "what-if on twin" if spec.get("mode") == "whatif" else "twin"
    return f"{prefix} {twin}: {scenario}"[:200]


def run_twin_job(job: RunningJob) -> JobOutcome:
    """Simulate the spec's scenario (and for a what-if, the changed twin too) and store the run(s)."""
    spec = job.spec
    db = job.services.db

    def on_progress(fraction: float, detail: str) -> None:
        job.progress(fraction, current_step=detail)

    def should_stop() -> bool:
        job.raise_if_cancelled()  # raises JobCancelled (or the lease-lost kind) out of the engine
        return False

    scenario = {"scenario_id": spec.get("scenario_id"), "scenario": spec.get("scenario")}
    try:
        if spec.get("mode") == "whatif":
            record = runs.run_whatif(
                db,
                spec["twin_id"],
                spec["changes"],
                **scenario,
                job_id=job.job_id,
                on_progress=on_progress,
                should_stop=should_stop,
            )
        else:
            record = runs.run_scenario(
                db,
                spec["twin_id"],
                **scenario,
                job_id=job.job_id,
                on_progress=on_progress,
                should_stop=should_stop,
            )
    except JobCancelled:
        raise
    except MimirError as exc:  # the twin was deleted, or changed so the scenario no longer fits it
        job.log("ERROR", exc.message, is_kept=True)
        return JobOutcome(JobStatus.FAILED, error=exc.message)
    summary = record.metrics
    job.log(
        "INFO",
        f"run {record.id}: {record.duration} steps, stability {summary['stability_score']}, "
        f"{summary['bottleneck_count']} bottleneck(s), simulated in {record.simulation_seconds:.3f} s",
    )
    return JobOutcome(JobStatus.SUCCEEDED, output=run_output(record), summary=f"run {record.id}")


def run_output(record: TwinRunRecord) -> dict[str, Any]:
    """A job's output: the run's id and figures (and a what-if's difference)."""
    output: dict[str, Any] = {
        "run_id": record.id,
        "twin_id": record.twin_id,
        "twin_revision": record.twin_revision,
        "run_kind": record.kind,
        "duration": record.duration,
        "seed": record.seed,
        "metrics": record.metrics,
        "timeline_bytes": record.timeline_bytes,
        "simulation_seconds": record.simulation_seconds,
    }
    if record.whatif is not None:
        output["baseline_run_id"] = record.whatif["baseline_run_id"]
        output["difference"] = record.whatif["difference"]
    return output


def twin_job_kind() -> JobKind:
    """The kind as the twins slice installs it."""
    return JobKind(
        name=TWIN_KIND,
        queue=TWIN_QUEUE,
        run=run_twin_job,
        label=twin_label,
        is_schedulable=True,
        description="a digital twin simulation (or what-if) of a stored twin, stored as a run",
        check_spec=check_twin_spec,
    )


def twin_job_request(
    db: Database,
    twin_id: str,
    *,
    scenario_id: str | None = None,
    scenario: dict[str, Any] | None = None,
    changes: list[dict[str, Any]] | None = None,
    context: dict[str, Any] | None = None,
) -> JobRequest:
    """The job to enqueue, after checking everything the database can tell now (the twin exists, the
    scenario fits it and its size is under the caps, the changes apply), so bad input is a 4xx, not a
    failed job."""
    loaded = load_twin(db, twin_id)
    chosen = scenario_for(db, loaded.twin, twin_id, scenario_id, scenario)
    check_run_size(len(loaded.twin.entities), chosen.duration)
    if changes is not None:
        apply_changes(loaded.twin, changes)
    spec = {
        "mode": "run" if changes is None else "whatif",
        "twin_id": twin_id,
        "scenario_id": scenario_id,
        "scenario": scenario,
        "changes": changes,
        "twin_name": loaded.record.name,
        "scenario_name": chosen.name,
    }
    return JobRequest(kind=TWIN_KIND, spec=check_twin_spec(spec), context=context or {})
