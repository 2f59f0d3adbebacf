"""Input.api: an HTTP request with a timeout, a response-size cap, and private addresses refused."""

from __future__ import annotations

import ipaddress
import json
import socket
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import requests

from shared.errors import PluginError
from shared.plugins.base import Plugin, RunContext, StepSpec
from shared.plugins.table import make_table

MAX_REDIRECTS = 5


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
        timeout = float(config.get("timeout_seconds", env.http_timeout_seconds))
        max_bytes = min(int(config.get("max_bytes", env.http_max_bytes)), env.http_max_bytes)
        url = str(config["url"])
        method = config.get("method", "GET")
        with requests.Session() as session:
            for _ in range(MAX_REDIRECTS + 1):
                check_url(url, allow_private=env.http_allow_private)
                try:
                    response = session.request(
                        method,
                        url,
                        headers=config.get("headers"),
                        params=config.get("params"),
                        json=config.get("json") if method == "POST" else None,
                        timeout=timeout,
                        allow_redirects=False,
                        stream=True,
                    )
                except requests.Timeout as exc:
                    raise PluginError(f"{url}: no answer within {timeout:g}s") from exc
                except requests.RequestException as exc:
                    raise PluginError(f"{url}: request failed: {type(exc).__name__}") from exc
                with response:
                    if response.is_redirect and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        method = "GET" if response.status_code in (301, 302, 303) else method
                        continue
                    body = _read_capped(response, max_bytes, url)
                    return _result(response, body, url)
        raise PluginError(f"{config['url']}: more than {MAX_REDIRECTS} redirects")


def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse non-HTTP schemes and, unless allowed, hosts that resolve to non-public addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PluginError(f"{url}: only http and https URLs with a host are allowed")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror as exc:
        raise PluginError(f"{url}: cannot resolve {parts.hostname}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise PluginError(f"{url}: {parts.hostname} resolves to a non-public address ({address})")


def _read_capped(response: requests.Response, max_bytes: int, url: str) -> bytes:
    chunks = []
    size = 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise PluginError(f"{url}: response is larger than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _result(response: requests.Response, raw: bytes, url: str) -> dict[str, Any]:
    if not 200 <= response.status_code < 300:
        raise PluginError(f"{url}: HTTP {response.status_code}")
    text = raw.decode(response.encoding or "utf-8", errors="replace")
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
