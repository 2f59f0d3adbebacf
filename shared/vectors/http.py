"""JSON over HTTP for the embedders and the LLM step, through the same SSRF guard as ``Input.api``.

Every URL is checked by :mod:`shared.plugins.netguard` and fetched by :mod:`shared.plugins.pinned_http`
(connect to the checked address, redirects re-checked, body capped). API keys come from an environment
variable whose *name* the config gives; the key itself never appears in a config, a message or a log.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from shared.config import Settings
from shared.errors import PluginError
from shared.plugins.base import RunEnvironment
from shared.plugins.netguard import HttpPolicy
from shared.plugins.pinned_http import FetchRequest, FetchResponse, fetch
from shared.stopping import StopSignal


@dataclass(frozen=True)
class HttpAccess:
    """Where and how long outgoing calls may go: the operator's policy and limits."""

    policy: HttpPolicy = field(default_factory=HttpPolicy)
    timeout_seconds: float = 30.0
    max_bytes: int = 10 * 1024 * 1024

    @classmethod
    def from_environment(cls, env: RunEnvironment) -> HttpAccess:
        """The access a pipeline run has (``http.*`` settings)."""
        policy = HttpPolicy.from_allowlist(env.http_allowlist, allow_private=env.http_allow_private)
        return cls(policy, env.http_timeout_seconds, env.http_max_bytes)

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpAccess:
        """The access the API has when it embeds a query or a document (``http.*`` settings)."""
        policy = HttpPolicy.from_allowlist(settings.http_allowlist, allow_private=settings.http_allow_private)
        return cls(policy, settings.http_timeout_seconds, settings.http_max_bytes)


class HttpStatusError(PluginError):
    """The endpoint answered with a non-2xx status."""

    def __init__(self, url: str, status: int, retry_after: float | None, detail: str) -> None:
        super().__init__(f"{url}: HTTP {status}{': ' + detail if detail else ''}")
        self.status = status
        self.retry_after = retry_after


def api_key_header(api_key_env: str | None, what: str) -> dict[str, str]:
    """An ``Authorization`` header from the variable named ``api_key_env`` (none when it is not named)."""
    if not api_key_env:
        return {}
    key = os.environ.get(api_key_env)
    if not key:
        raise PluginError(f"{what}: environment variable {api_key_env} (api_key_env) is not set")
    return {"Authorization": f"Bearer {key}"}


def post_json(
    url: str,
    body: Any,
    headers: dict[str, str],
    access: HttpAccess,
    *,
    timeout_seconds: float | None = None,
    stop: StopSignal | None = None,
) -> Any:
    """The parsed JSON answer to POSTing ``body`` to ``url``; :class:`HttpStatusError` on a non-2xx.
    ``stop`` (a run's stop signal) ends the request at once when set, raising its reason."""
    request = FetchRequest(
        url=url,
        method="POST",
        headers={"Accept": "application/json", **headers},
        json=body,
        timeout_seconds=timeout_seconds or access.timeout_seconds,
        max_bytes=access.max_bytes,
    )
    response = fetch(request, access.policy, stop=stop)
    if not 200 <= response.status_code < 300:
        raise HttpStatusError(url, response.status_code, _retry_after(response), _error_detail(response))
    try:
        return json.loads(response.text)
    except json.JSONDecodeError as exc:
        raise PluginError(f"{url}: the answer is not JSON ({exc.msg})") from exc


def _retry_after(response: FetchResponse) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def _error_detail(response: FetchResponse) -> str:
    try:
        data = json.loads(response.text)
        message = data.get("error", {}).get("message") if isinstance(data, dict) else None
    except (json.JSONDecodeError, AttributeError):
        message = None
    return str(message or response.text)[:300].strip()


def join_url(base_url: str, path: str) -> str:
    """``base_url`` (e.g. ``http://host:8000/v1``) with ``path`` appended, one slash between."""
    return base_url.rstrip("/") + "/" + path.lstrip("/")
