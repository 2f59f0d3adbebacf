"""Input.api: an HTTP request with a total deadline, a response-size cap, and private addresses refused; a
cancel or the step's time limit ends it at once.

The checks and the pinned connection live in :mod:`shared.plugins.netguard` and
:mod:`shared.plugins.pinned_http`; every step that fetches a URL goes through them.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from shared.errors import PluginError
from shared.plugins.base import Plugin, RunContext, StepSpec
from shared.plugins.netguard import HttpPolicy
from shared.plugins.pinned_http import FetchRequest, FetchResponse, fetch
from shared.plugins.table import make_table


class ApiInput(Plugin):
    """Fetches a URL and returns status, headers and the (JSON-parsed when possible) body."""

    type = "Input"
    name = "api"
    description = "HTTP GET/POST with timeout and size cap; a JSON list of objects also becomes a table."
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "url": {"type": "string", "minLength": 1, "maxLength": 4096},
            "method": {"enum": ["GET", "POST"], "default": "GET"},
            "headers": {"type": "object", "additionalProperties": {"type": "string"}},
            "params": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}},
            "json": {},
            "timeout_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 120},
            "max_bytes": {"type": "integer", "minimum": 1},
        },
        "required": ["url"],
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        config = step.config
        env = context.env
        request = FetchRequest(
            url=str(config["url"]),
            method=config.get("method", "GET"),
            headers=dict(config.get("headers") or {}),
            params=config.get("params"),
            json=config.get("json"),
            timeout_seconds=min(float(config.get("timeout_seconds", env.http_timeout_seconds)), 120.0),
            max_bytes=min(int(config.get("max_bytes", env.http_max_bytes)), env.http_max_bytes),
        )
        policy = HttpPolicy.from_allowlist(env.http_allowlist, allow_private=env.http_allow_private)
        return _result(fetch(request, policy, stop=context.stop))


def _result(response: FetchResponse) -> dict[str, Any]:
    url = response.url
    if not 200 <= response.status_code < 300:
        raise PluginError(f"{url}: HTTP {response.status_code}")
    text = response.text
    body: Any = text
    if "json" in response.headers.get("content-type", ""):
        try:
            body = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PluginError(f"{url}: response says JSON but does not parse: {exc.msg}") from exc
    result: dict[str, Any] = {
        "status_code": response.status_code,
        "headers": dict(response.headers),
        "body": body,
        "url": url,
    }
    if isinstance(body, list) and body and all(isinstance(item, dict) for item in body):
        result["table"] = make_table(body)
    return result
