"""Fault 5: the bad-input catalogue (``catalogue.py``) sent to a real ``mimir api``.

    python -m bench.faults.bad_input [--smoke] [--database sqlite|postgresql]

Every case must get its 4xx in the house error body with the expected words in the message (cases whose
problem shows only at run time must be accepted and their job must fail saying so). Afterwards /health
must answer 200 and a good job must still succeed. ``--smoke`` runs the same catalogue (it is fast).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests

from bench.faults.catalogue import _GOOD, CASES, NO_BODY, SETUP, Case
from bench.faults.stack import ApiClient, base_arguments, fault_stack, report
from mimir.testing.servers import free_port
from mimir.testing.stack import api_process, worker_pool


@dataclass(frozen=True)
class Verdict:
    """What one case got, and what was wrong with it (None when it was right)."""

    case: Case
    status: int
    message: str
    problem: str | None


def _send(client: ApiClient, case: Case) -> requests.Response:
    # One connection per case: a server that refuses a body may close the connection without reading it,
    # and a reused keep-alive connection then fails on the client's side, not the server's.
    kwargs: dict[str, Any] = {"headers": {**case.headers, "Connection": "close"}, "timeout": 30}
    if case.json is not NO_BODY:
        kwargs["json"] = case.json
    elif case.data is not None:
        kwargs["data"] = case.data.encode() if isinstance(case.data, str) else case.data
    if case.is_authenticated:
        return client.request(case.method, case.path, **kwargs)
    return requests.request(case.method, f"{client.url}{case.path}", **kwargs)


def _job_error(client: ApiClient, job_id: str) -> tuple[str, str]:
    job = client.request("GET", f"/api/v1/queue/jobs/{job_id}/wait?timeout=60s", timeout=90).json()
    return str(job.get("status")), str(job.get("error") or "")


def check_case(client: ApiClient, case: Case) -> Verdict:
    """Send ``case`` and judge the answer (and, for run-time cases, the job's end)."""
    response = _send(client, case)
    try:
        body = response.json()
    except ValueError:
        return Verdict(case, response.status_code, response.text[:200], "the answer is not JSON")
    message = str(body.get("message", "")) if isinstance(body, dict) else ""
    if response.status_code != case.status:
        return Verdict(case, response.status_code, message, f"expected {case.status}")
    if case.job_error:
        status, error = _job_error(client, body["job_id"])
        if status != "failed" or case.fragment not in error:
            return Verdict(
                case, response.status_code, error, f"job {status}, expected failed with {case.fragment!r}"
            )
        return Verdict(case, response.status_code, error, None)
    if not {"code", "status", "message"} <= set(body):
        return Verdict(case, response.status_code, message, "not the house error body")
    if case.fragment not in message:
        return Verdict(case, response.status_code, message, f"message lacks {case.fragment!r}")
    return Verdict(case, response.status_code, message, None)


def service_is_healthy(client: ApiClient) -> list[str]:
    """What is wrong with the service after the catalogue: /health, and a good job run end to end."""
    problems = []
    health = client.request("GET", "/health")
    if health.status_code != 200:
        problems.append(f"/health answered {health.status_code}")
    enqueued = client.enqueue(_GOOD)
    if enqueued.status_code != 202:
        problems.append(f"a good enqueue answered {enqueued.status_code}")
    else:
        status, error = _job_error(client, enqueued.json()["job_id"])
        if status != "succeeded":
            problems.append(f"a good job ended {status}: {error}")
    return problems


def run_catalogue(client: ApiClient) -> tuple[list[Verdict], list[str]]:
    """Every case's verdict, then what is wrong with the service afterwards."""
    _send(client, SETUP).raise_for_status()
    return [check_case(client, case) for case in CASES], service_is_healthy(client)


def main() -> None:
    parser = base_arguments("send the bad-input catalogue to a real API")
    args = parser.parse_args()
    with fault_stack(args.database) as stack:
        with (
            worker_pool(stack.settings, stack.work / "worker-logs") as pool,
            api_process(stack.settings, stack.work / "api-logs", port=free_port()) as api,
        ):
            pool.start(1, concurrency=2)
            started = time.monotonic()
            verdicts, unhealthy = run_catalogue(ApiClient(api.url))
            seconds = time.monotonic() - started
    wrong = [v for v in verdicts if v.problem]
    for v in verdicts:
        mark = "ok  " if v.problem is None else "FAIL"
        print(
            f"{mark} {v.case.name}: {v.status} {v.message[:110]!r}"
            + (f"  <- {v.problem}" if v.problem else "")
        )
    results: dict[str, Any] = {
        "settings": vars(args),
        "cases": [
            {
                "name": v.case.name,
                "expected": v.case.status,
                "status": v.status,
                "message": v.message[:300],
                "problem": v.problem,
            }
            for v in verdicts
        ],
        "after": unhealthy,
    }
    failures = [f"{v.case.name}: {v.status} {v.message[:80]!r} ({v.problem})" for v in wrong] + unhealthy
    fivexx = sum(1 for v in verdicts if v.status >= 500)
    table = [
        ("cases", str(len(verdicts))),
        ("answered as expected, message clear", str(len(verdicts) - len(wrong))),
        ("5xx answers (must be 0)", str(fivexx)),
        ("checked at run time (job failed with a clear error)", str(sum(1 for c in CASES if c.job_error))),
        (
            "service healthy afterwards (/health 200, a good job succeeds)",
            "yes" if not unhealthy else "; ".join(unhealthy),
        ),
        ("catalogue run time", f"{seconds:.1f} s"),
        ("database", args.database),
    ]
    report(f"faults-bad-input-{args.database}", results, table, failures, args.smoke)


if __name__ == "__main__":
    main()
