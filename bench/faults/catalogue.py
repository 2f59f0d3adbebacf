"""The bad-input catalogue: malformed requests, each with the 4xx it must get and words its message must
contain. A case with ``job_error`` is accepted (202) because its problem only shows when the step runs
(paths and URLs are checked where they are used); its job must then fail with those words."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

E = "/api/v1/queue/pipelines/enqueue"
P = "/api/v1/pipelines"
S = "/api/v1/scheduler/jobs"
JOBS = "/api/v1/queue/jobs"
NO_BODY = object()


@dataclass(frozen=True)
class Case:
    """One malformed request and what it must get."""

    name: str
    method: str
    path: str
    status: int
    fragment: str
    json: Any = NO_BODY
    data: str | bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    job_error: bool = False
    is_authenticated: bool = True


def _yaml(text: str, status: int, fragment: str, name: str) -> Case:
    return Case(name, "POST", E, status, fragment, json={"pipeline_yaml": text})


def _step(step: str, status: int, fragment: str, name: str, *, job_error: bool = False) -> Case:
    text = f"name: bad\nsteps:\n  - {step}\n"
    return Case(name, "POST", E, status, fragment, json={"pipeline_yaml": text}, job_error=job_error)


def _raw(body: str | bytes, status: int, fragment: str, name: str, path: str = E) -> Case:
    return Case(name, "POST", path, status, fragment, data=body, headers={"Content-Type": "application/json"})


def _wait(timeout: str) -> Case:
    return Case(f"wait timeout {timeout!r}", "GET", f"{JOBS}/x/wait?timeout={timeout}", 422, "timeout")


def _api_url(url: str, name: str) -> Case:
    return _step(f"{{name: s, plugin: Input.api, config: {{url: '{url}'}}}}", 202, url, name, job_error=True)


_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(8)
)
_NESTED_JSON = '{"pipeline_yaml": "name: a", "context": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}"
_GOOD = "name: good\nsteps:\n  - {name: a, plugin: Utility.noop}\n"
_OUTPUT_ESCAPE = (
    "name: escape\nsteps:\n  - {name: x, plugin: Utility.noop}\n"
    "  - {name: w, plugin: Output.json, config: {input: x, file_path: ../../../tmp/evil.json}}\n"
)


def _body(context: str) -> str:
    return '{"pipeline_yaml": ' + json.dumps(_GOOD) + ', "context": ' + context + "}"


# Run before the catalogue: the stored pipeline the schedule cases name.
SETUP = Case("store the good pipeline", "POST", P, 201, "", json={"pipeline_yaml": _GOOD})

CASES: list[Case] = [
    # Broken YAML
    _yaml("name: a\nsteps: [\n  - x: : :", 400, "does not parse", "unclosed flow sequence"),
    _yaml("name: a\nsteps:\n\t- {name: s}", 400, "does not parse", "tab indentation"),
    _yaml("name: !!python/name:os.system\nsteps: []", 400, "does not parse", "python tag"),
    _yaml("!!binary aGVsbG8=", 422, "!!binary values are not supported", "binary scalar document"),
    _yaml("- a\n- b\n", 422, "must be a mapping", "top-level list"),
    _yaml("just some words", 422, "must be a mapping", "top-level scalar"),
    _yaml("---\nname: a\n---\nname: b\n", 400, "does not parse", "two YAML documents"),
    _yaml("", 422, "json.pipeline_yaml", "empty YAML"),
    _yaml(_BOMB, 413, "alias bomb", "billion laughs alias bomb"),
    _yaml("[" * 5000 + "]" * 5000, 400, "nested too deeply", "YAML nested 5000 deep"),
    _raw(_NESTED_JSON, 400, "nested too deeply", "JSON nested 5000 deep"),
    _yaml(
        "name: a\nsteps:\n  - {name: s, plugin: Utility.noop, config: *nowhere}",
        400,
        "does not parse",
        "undefined alias",
    ),
    # Wrong types and shapes
    Case(
        "pipeline_yaml a number",
        "POST",
        E,
        422,
        "json.pipeline_yaml: Not a valid string",
        json={"pipeline_yaml": 123},
    ),
    Case("pipeline_yaml null", "POST", E, 422, "json.pipeline_yaml", json={"pipeline_yaml": None}),
    Case("context a string", "POST", E, 422, "json.context", json={"pipeline_yaml": _GOOD, "context": "x"}),
    Case("context a list", "POST", E, 422, "json.context", json={"pipeline_yaml": _GOOD, "context": [1, 2]}),
    Case("body a JSON list", "POST", E, 422, "json", json=[1, 2]),
    Case("body a JSON string", "POST", E, 422, "json", json="pipeline"),
    Case(
        "operator object as a name", "POST", E, 422, "json.pipeline_name", json={"pipeline_name": {"$ne": 1}}
    ),
    _yaml("name: a\nsteps: {a: 1}", 422, "pipeline.steps", "steps a mapping"),
    _yaml("name: a\nsteps: 3", 422, "pipeline.steps", "steps a number"),
    _step("{name: s, plugin: Utility.noop, config: [1, 2]}", 422, "config", "step config a list"),
    _step("{plugin: Utility.noop}", 422, "name", "step without a name"),
    _yaml("name: [1, 2]\nsteps: []", 422, "pipeline.name", "pipeline name a list"),
    Case(
        "schedule enabled a number",
        "POST",
        S,
        422,
        "json.enabled",
        json={"name": "s", "cron_expr": "* * * * *", "pipeline_name": "good", "enabled": 5},
    ),
    # Huge numbers, NaN and Infinity
    _raw(_body('{"x": 1e400}'), 400, "out of range", "1e400 in the context"),
    _raw(_body('{"x": NaN}'), 400, "NaN is not a JSON number", "NaN literal"),
    _raw(_body('{"x": -Infinity}'), 400, "-Infinity is not a JSON number", "-Infinity literal"),
    _raw(_body('{"x": ' + "9" * 5000 + "}"), 400, "5000 digits is too large", "5000-digit integer"),
    Case("page 10**100", "GET", f"{JOBS}?page={10**100}", 422, "query.page"),
    Case("page_size 1e400", "GET", f"{JOBS}?page_size=1e400", 422, "query.page_size"),
    Case(
        "catch-up window 10**100",
        "POST",
        S,
        422,
        "json.catchup_window_seconds",
        json={
            "name": "s",
            "cron_expr": "* * * * *",
            "pipeline_name": "good",
            "catchup_window_seconds": 10**100,
        },
    ),
    _step(
        "{name: s, plugin: Input.api, config: {url: 'https://example.com', timeout_seconds: .nan}}",
        422,
        "timeout_seconds: nan is not allowed",
        "YAML .nan timeout",
    ),
    _step(
        "{name: s, plugin: Input.api, config: {url: 'https://example.com', timeout_seconds: .inf}}",
        422,
        "timeout_seconds: inf is not allowed",
        "YAML .inf timeout",
    ),
    # Unicode edge cases
    _yaml(
        'name: "a\\0b"\nsteps:\n  - {name: s, plugin: Utility.noop}',
        422,
        "NUL characters",
        "NUL byte in the pipeline name",
    ),
    _yaml(
        'name: "a\\ud800"\nsteps:\n  - {name: s, plugin: Utility.noop}',
        422,
        "surrogate",
        "lone surrogate escape in YAML",
    ),
    _raw(_body('{"x": "a\\u0000b"}'), 422, "json.context.x holds a NUL character", "NUL byte in the context"),
    _raw(_body('{"x": "\\ud800"}'), 422, "lone surrogate", "lone surrogate in JSON"),
    _raw(
        '{"pipeline_name": "\\udfff"}',
        422,
        "json.pipeline_name holds a lone surrogate",
        "lone low surrogate as a name",
    ),
    _raw(b'{"pipeline_name": "\xff\xfe"}', 400, "JSON", "invalid UTF-8 bytes"),
    Case(
        "RTL override in a pipeline name",
        "POST",
        E,
        404,
        "no pipeline named",
        json={"pipeline_name": "abc\u202edef"},
    ),
    _yaml("name: " + "n" * 10_000 + "\nsteps: []", 422, "pipeline.name", "10k-character pipeline name"),
    Case(
        "10k-character pipeline_name",
        "POST",
        E,
        422,
        "json.pipeline_name",
        json={"pipeline_name": "good" * 10_000},
    ),
    _step(
        "{name: s, plugin: Utility.no\u200bop}", 422, "unknown plugin", "zero-width space in a plugin name"
    ),
    # Oversize bodies
    _raw('{"pipeline_yaml": "' + "x" * (3 * 1024 * 1024) + '"}', 413, "", "body over max_body_bytes"),
    Case(
        "YAML over its cap",
        "POST",
        E,
        422,
        "json.pipeline_yaml",
        json={"pipeline_yaml": "#" * (1024 * 1024 + 1)},
    ),
    # Unknown fields
    Case(
        "unknown field on enqueue",
        "POST",
        E,
        422,
        "json.priority: Unknown field",
        json={"pipeline_yaml": _GOOD, "priority": 9},
    ),
    Case(
        "unknown field on a schedule",
        "POST",
        S,
        422,
        "json.owner: Unknown field",
        json={"name": "s", "cron_expr": "* * * * *", "pipeline_name": "good", "owner": "me"},
    ),
    _yaml("name: a\nretries: 3\nsteps: []", 422, "retries", "unknown pipeline key"),
    _step("{name: s, plugin: Utility.noop, retry: 3}", 422, "retry", "unknown step key"),
    # Path traversal
    Case(
        "pipeline_file ../../etc/passwd",
        "POST",
        E,
        422,
        "outside the pipelines directory",
        json={"pipeline_file": "../../etc/passwd"},
    ),
    Case(
        "pipeline_file absolute",
        "POST",
        E,
        422,
        "must be a path relative",
        json={"pipeline_file": "/etc/passwd"},
    ),
    Case(
        "pipeline_file with a NUL byte",
        "POST",
        E,
        422,
        "pipeline_file",
        json={"pipeline_file": "a\u0000.yaml"},
    ),
    _step(
        "{name: s, plugin: Input.csv, config: {file_path: ../../etc/passwd}}",
        202,
        "outside the allowed directories",
        "csv file_path traversal",
        job_error=True,
    ),
    _step(
        "{name: s, plugin: Input.csv, config: {file_path: /etc/passwd}}",
        202,
        "outside the allowed directories",
        "csv absolute file_path",
        job_error=True,
    ),
    Case(
        "output file_path traversal",
        "POST",
        E,
        202,
        "outside the allowed directories",
        json={"pipeline_yaml": _OUTPUT_ESCAPE},
        job_error=True,
    ),
    # SSRF: refused when the step runs
    _api_url("http://127.0.0.1:6379/", "SSRF to local Redis"),
    _api_url("http://169.254.169.254/latest/meta-data/", "SSRF to cloud metadata"),
    _api_url("http://[::1]:8080/", "SSRF to IPv6 loopback"),
    _api_url("http://0x7f.0.0.1/", "SSRF to hex loopback"),
    _api_url("file:///etc/passwd", "file:// URL"),
    _api_url("gopher://127.0.0.1:6379/_INFO", "gopher URL"),
    # Timeouts
    _wait("-1s"),
    _wait("soon"),
    _wait("1e999s"),
    _wait("10%20years"),
    _wait("601s"),
    _wait("NaNs"),
    _wait("infs"),
    _step(
        "{name: s, plugin: Input.api, config: {url: 'https://example.com', timeout_seconds: -5}}",
        422,
        "timeout_seconds",
        "negative step timeout",
    ),
    _step(
        "{name: s, plugin: Input.api, config: {url: 'https://example.com', timeout_seconds: 1e9}}",
        422,
        "timeout_seconds",
        "absurd step timeout",
    ),
    # Pages
    Case("page 0", "GET", f"{JOBS}?page=0", 422, "query.page"),
    Case("page -1", "GET", f"{JOBS}?page=-1", 422, "query.page"),
    Case("page abc", "GET", f"{JOBS}?page=abc", 422, "query.page: Not a valid integer"),
    Case("page_size 0", "GET", f"{JOBS}?page_size=0", 422, "query.page_size"),
    Case("page_size over the cap", "GET", f"{JOBS}?page_size=999", 422, "page_size"),
    Case("status not a status", "GET", f"{JOBS}?status=exploded", 422, "query.status"),
    # Content types
    Case(
        "text/plain body",
        "POST",
        E,
        415,
        "Content-Type: application/json",
        data=json.dumps({"pipeline_yaml": _GOOD}),
        headers={"Content-Type": "text/plain"},
    ),
    Case(
        "form-encoded body",
        "POST",
        E,
        415,
        "Content-Type: application/json",
        data="pipeline_yaml=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ),
    _raw("{not json", 400, "Invalid JSON body", "malformed JSON"),
    _raw("", 422, "give exactly one of", "empty JSON body"),
    # Schedules: cron and timezone
    Case(
        "cron with three fields",
        "POST",
        S,
        422,
        "cron",
        json={"name": "s", "cron_expr": "* * *", "pipeline_name": "good"},
    ),
    Case(
        "cron minute 61",
        "POST",
        S,
        422,
        "cron",
        json={"name": "s", "cron_expr": "61 * * * *", "pipeline_name": "good"},
    ),
    Case(
        "cron @reboot",
        "POST",
        S,
        422,
        "cron",
        json={"name": "s", "cron_expr": "@reboot", "pipeline_name": "good"},
    ),
    Case(
        "unknown timezone",
        "POST",
        S,
        422,
        "Mars/Olympus",
        json={"name": "s", "cron_expr": "* * * * *", "pipeline_name": "good", "timezone": "Mars/Olympus"},
    ),
    # Plugins, routes, methods, keys
    _step("{name: s, plugin: Input.nope}", 422, "unknown plugin 'Input.nope'", "unknown plugin"),
    _step("{name: s, plugin: ../../os.system}", 422, "unknown plugin", "path as a plugin name"),
    Case("job id 1000 characters", "GET", f"{JOBS}/{'j' * 1000}", 404, "not found"),
    Case("unknown route", "GET", "/api/v1/nothing", 404, "not found"),
    Case("wrong method", "DELETE", "/api/v1/queue/status", 405, "not allowed"),
    Case("no API key", "GET", JOBS, 401, "key", is_authenticated=False),
    Case(
        "wrong API key",
        "GET",
        JOBS,
        401,
        "key",
        headers={"Authorization": "Bearer mimir_nope"},
        is_authenticated=False,
    ),
]
