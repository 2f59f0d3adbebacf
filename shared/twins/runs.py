"""Running a scenario (or a what-if) against a stored twin and recording the run; reading runs back.

These are the plain functions a job kind's runner adapts: they take callbacks for progress and
cancellation and return the stored run. A run is keyed by its job id, so a job attempt that repeats
after a worker died returns the run the first attempt stored instead of storing a second one.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from shared.db.base import utcnow
from shared.db.engine import Database
from shared.errors import InvalidInput, NotFound
from shared.twins.engine import SimulationResult, SimulationStopped, simulate
from shared.twins.model import STATUS_BY_CODE, Scenario
from shared.twins.records import TwinRunRecord
from shared.twins.service import LoadedTwin, get_twin, load_twin, scenario_for
from shared.twins.timeline import Timeline, decode_timeline, encode_timeline, step_range
from shared.twins.validation import parse_scenario, scenario_to_dict
from shared.twins.whatif import RunFigures, apply_changes, difference

OnProgress = Callable[[float, str], None]
ShouldStop = Callable[[], bool]
MAX_TIMELINE_ENTITIES = 1000  # entities one timeline response may carry


def run_scenario(
    db: Database,
    twin_id: str,
    *,
    scenario_id: str | None = None,
    scenario: dict[str, Any] | None = None,
    job_id: str | None = None,
    on_progress: OnProgress | None = None,
    should_stop: ShouldStop | None = None,
) -> TwinRunRecord:
    """Simulate the stored or inline scenario against the twin's current revision and store the run."""
    if job_id is not None and (existing := run_of_job(db, job_id)) is not None:
        return existing
    loaded = load_twin(db, twin_id)
    chosen = scenario_for(db, loaded.twin, twin_id, scenario_id, scenario)
    started = time.perf_counter()
    result = simulate(loaded.twin, chosen, on_step=_steps(on_progress, 0.0, 1.0), should_stop=should_stop)
    elapsed = time.perf_counter() - started
    _check_stop(should_stop, chosen.duration)
    record = _record(loaded, chosen, scenario_id, result, elapsed, job_id=job_id)
    with db.session() as session:
        session.add(record)
    return record


def run_whatif(
    db: Database,
    twin_id: str,
    changes: list[dict[str, Any]],
    *,
    scenario_id: str | None = None,
    scenario: dict[str, Any] | None = None,
    job_id: str | None = None,
    on_progress: OnProgress | None = None,
    should_stop: ShouldStop | None = None,
) -> TwinRunRecord:
    """Run the scenario against the twin and against a copy with ``changes``; store both runs and return
    the changed one, whose ``whatif`` holds the changes, the baseline run's id and the difference."""
    if job_id is not None and (existing := run_of_job(db, job_id, kind="whatif")) is not None:
        return existing
    loaded = load_twin(db, twin_id)
    variant = apply_changes(loaded.twin, changes)
    chosen = scenario_for(db, loaded.twin, twin_id, scenario_id, scenario)
    parse_scenario(scenario_to_dict(chosen), variant)
    started = time.perf_counter()
    base = simulate(loaded.twin, chosen, on_step=_steps(on_progress, 0.0, 0.5), should_stop=should_stop)
    base_seconds = time.perf_counter() - started
    changed = simulate(variant, chosen, on_step=_steps(on_progress, 0.5, 0.5), should_stop=should_stop)
    changed_seconds = time.perf_counter() - started - base_seconds
    _check_stop(should_stop, chosen.duration)
    base_run = _record(loaded, chosen, scenario_id, base, base_seconds, job_id=job_id, kind="baseline")
    whatif = {
        "changes": changes,
        "baseline_run_id": base_run.id,
        "difference": difference(_figures_of(base), _figures_of(changed)),
    }
    changed_run = _record(loaded, chosen, scenario_id, changed, changed_seconds, job_id=job_id, whatif=whatif)
    with db.session() as session:  # both or neither, so a repeated attempt finds them or stores them
        session.add_all([base_run, changed_run])
    return changed_run


def run_of_job(db: Database, job_id: str, *, kind: str | None = None) -> TwinRunRecord | None:
    """The run a job stored (for a what-if job: its changed run), if any."""
    query = select(TwinRunRecord).where(TwinRunRecord.job_id == job_id)
    query = query.where(TwinRunRecord.kind == (kind or "scenario"))
    with db.reads() as session:
        return session.execute(query.limit(1)).scalar_one_or_none()


def get_run(db: Database, twin_id: str, run_id: str) -> TwinRunRecord:
    """The twin's run ``run_id``; :class:`NotFound` when there is none."""
    with db.reads() as session:
        record = session.get(TwinRunRecord, run_id)
    if record is None or record.twin_id != twin_id:
        raise NotFound(f"twin {twin_id} has no run {run_id}")
    return record


def list_runs(db: Database, twin_id: str, *, limit: int, offset: int) -> tuple[list[TwinRunRecord], int]:
    """A page of the twin's runs, newest first, and how many there are."""
    get_twin(db, twin_id)
    with db.reads() as session:
        where = TwinRunRecord.twin_id == twin_id
        total = session.execute(select(func.count()).select_from(TwinRunRecord).where(where)).scalar_one()
        rows = session.execute(
            select(TwinRunRecord)
            .where(where)
            .order_by(TwinRunRecord.created_at.desc(), TwinRunRecord.id)
            .limit(limit)
            .offset(offset)
        ).scalars()
        return list(rows), int(total)


def load_timeline(db: Database, twin_id: str, run_id: str) -> tuple[TwinRunRecord, Timeline]:
    """The run and its decoded timeline."""
    get_run(db, twin_id, run_id)
    with db.reads() as session:
        record = session.execute(
            select(TwinRunRecord).options(undefer(TwinRunRecord.timeline)).where(TwinRunRecord.id == run_id)
        ).scalar_one()
    return record, decode_timeline(record.timeline)


def timeline_view(
    db: Database,
    twin_id: str,
    run_id: str,
    *,
    entities: list[str] | None,
    first: int | None,
    last: int | None,
) -> dict[str, Any]:
    """Per step utilization and status of the chosen entities (default: the first
    :data:`MAX_TIMELINE_ENTITIES`) between steps ``first`` and ``last`` inclusive."""
    record, timeline = load_timeline(db, twin_id, run_id)
    twin = load_twin(db, twin_id, record.twin_revision).twin
    index = {e.uri: i for i, e in enumerate(twin.entities)}
    if entities:
        if len(entities) > MAX_TIMELINE_ENTITIES:
            raise InvalidInput.at("entities", f"at most {MAX_TIMELINE_ENTITIES} entities per request")
        missing = [uri for uri in entities if uri not in index]
        if missing:
            raise InvalidInput.at("entities", f"no entity {missing[0]!r} in this twin's revision")
        chosen = [index[uri] for uri in entities]
    else:
        chosen = list(range(min(len(index), MAX_TIMELINE_ENTITIES)))
    start, end = step_range(timeline, first, last)
    steps = list(range(start, end + 1))
    return {
        "run_id": record.id,
        "from": start,
        "to": end,
        "entities": [
            {
                "uri": twin.entities[e].uri,
                "average_utilization": round(float(timeline.average[e]), 6),
                "peak_utilization": round(float(timeline.peak[e]), 6),
                "bottleneck_steps": int(timeline.bottleneck_steps[e]),
                "final_metrics": {name: round(float(v[e]), 6) for name, v in timeline.final_metrics.items()},
                "utilization": [round(float(v), 6) for v in timeline.utilization[start : end + 1, e]],
                "status": [STATUS_BY_CODE[c].value for c in timeline.status[start : end + 1, e]],
            }
            for e in chosen
        ],
        "steps": steps,
    }


def compare_runs(db: Database, twin_id: str, run_a: str, run_b: str) -> dict[str, Any]:
    """Run ``b``'s figures minus run ``a``'s (entities matched by uri)."""
    figures = [_stored_figures(db, twin_id, run_id) for run_id in (run_a, run_b)]
    return {"run_a": run_a, "run_b": run_b, "difference": difference(figures[0], figures[1])}


def _stored_figures(db: Database, twin_id: str, run_id: str) -> RunFigures:
    record, timeline = load_timeline(db, twin_id, run_id)
    twin = load_twin(db, twin_id, record.twin_revision).twin
    return RunFigures(
        summary=record.metrics,
        uris=[e.uri for e in twin.entities],
        labels=[e.label for e in twin.entities],
        average=timeline.average,
        peak=timeline.peak,
        bottleneck_steps=timeline.bottleneck_steps,
    )


def _figures_of(result: SimulationResult) -> RunFigures:
    return RunFigures(
        summary=result.metrics.summary,
        uris=result.uris,
        labels=result.labels,
        average=result.metrics.average_utilization,
        peak=result.metrics.peak_utilization,
        bottleneck_steps=result.metrics.bottleneck_steps,
    )


def _check_stop(should_stop: ShouldStop | None, duration: int) -> None:
    """A stop asked for after the last step still stops the run before anything is stored."""
    if should_stop is not None and should_stop():
        raise SimulationStopped(duration)


def _steps(on_progress: OnProgress | None, offset: float, share: float) -> Callable[[int, int], None] | None:
    if on_progress is None:
        return None

    def on_step(done: int, total: int) -> None:
        on_progress(offset + share * done / total, f"step {done}/{total}")

    return on_step


def _record(
    loaded: LoadedTwin,
    scenario: Scenario,
    scenario_id: str | None,
    result: SimulationResult,
    seconds: float,
    *,
    job_id: str | None,
    kind: str = "scenario",
    whatif: dict[str, Any] | None = None,
) -> TwinRunRecord:
    blob = encode_timeline(result)
    return TwinRunRecord(
        id=str(uuid.uuid4()),
        twin_id=loaded.record.id,
        twin_revision=loaded.revision,
        scenario_id=scenario_id,
        scenario=scenario_to_dict(scenario),
        job_id=job_id,
        kind="whatif" if whatif is not None else kind,
        seed=scenario.seed,
        duration=scenario.duration,
        metrics=result.metrics.summary,
        event_log=result.event_log,
        whatif=whatif,
        timeline=blob,
        timeline_bytes=len(blob),
        simulation_seconds=round(seconds, 6),
        created_at=utcnow(),
    )
