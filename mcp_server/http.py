"""The Streamable HTTP transport: ``mimir mcp --http``, a uvicorn process of its own beside the gevent API.

The SDK's transport is an ASGI (Starlette) app; the API is WSGI under gevent. Running the ASGI app in its
own process keeps the API's event loop and its bounds untouched, and lets nginx (compose) or the browser's
host (``mimir up``) reach it at ``/mcp``. Stateless mode with JSON responses: each POST is one JSON-RPC
exchange, no session is kept between requests, so nothing piles up per client.

Bounds: ``mcp.max_connections`` connections (uvicorn answers 503 past it), ``mcp.max_body_bytes`` per body
(the SDK answers 413), ``server.body_timeout_seconds`` to send it (then the request is dropped),
``mcp.keepalive_seconds`` idle, ``mcp.max_concurrent_calls`` service calls and ``mcp.max_waits`` held waits
(each ``server.max_wait_seconds`` at most). Header timeouts: put it behind a proxy (the compose file does).
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

import anyio
from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.access import RouteGroup
from backend.auth import LOCAL_ADMIN
from mcp_server.access import PRINCIPAL_SCOPE_KEY
from mcp_server.door import Door
from mcp_server.server import build_server
from shared.mcp.settings import MCP_PATH

log = logging.getLogger(__name__)
_HEALTH_PATH = "/health"


def http_app(door: Door) -> ASGIApp:
    """The ASGI app: the key check in front of the SDK's Streamable HTTP app at ``/mcp``."""
    mcp = door.mcp
    sdk_app = build_server(door).streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=True,
        json_response=True,
        max_request_body_size=mcp.max_body_bytes,
        # Every request must carry an API key, which a page rebinding its DNS to this host cannot send.
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        host=mcp.host,
    )
    return KeyCheck(sdk_app, door)


class KeyCheck:
    """ASGI middleware: ``/mcp`` needs an active API key (``Authorization: Bearer`` or ``X-API-Key``), as the
    HTTP API (401 without one; wrong keys count against ``security.rate_limit_auth``); ``/health`` is open."""

    def __init__(self, app: ASGIApp, door: Door) -> None:
        self.app = app
        self.door = door

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == _HEALTH_PATH:
            await _answer(send, 200, {"status": "ok"})
            return
        settings = self.door.services.settings
        if not settings.auth_enabled:
            scope[PRINCIPAL_SCOPE_KEY] = LOCAL_ADMIN
        else:
            secret = _presented_key(scope)
            principal = await anyio.to_thread.run_sync(self.door.keys.principal, secret) if secret else None
            if principal is None:
                await self._refuse(scope, send, is_key_wrong=secret is not None)
                return
            scope[PRINCIPAL_SCOPE_KEY] = principal
        await self.app(scope, _receive_within(receive, settings.body_timeout_seconds), send)

    async def _refuse(self, scope: Scope, send: Send, *, is_key_wrong: bool) -> None:
        address = (scope.get("client") or ("?", 0))[0]
        group = RouteGroup.AUTH if is_key_wrong else RouteGroup.READS
        verdict = await anyio.to_thread.run_sync(self.door.limiter.hit, group, f"addr:{address}")
        if not verdict.is_allowed:
            message = f"rate limit for {group.value} reached; retry in {verdict.retry_after_seconds}s"
            await _answer(send, 429, _error(429, message), {"retry-after": str(verdict.retry_after_seconds)})
            return
        message = (
            "the API key is not valid (unknown or revoked)"
            if is_key_wrong
            else "an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
        )
        await _answer(send, 401, _error(401, message), {"www-authenticate": 'Bearer realm="mimir"'})


def _presented_key(scope: Scope) -> str | None:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return headers.get("x-api-key", "").strip() or None


def _receive_within(receive: Receive, seconds: float) -> Receive:
    """``receive`` whose request body must arrive within ``seconds`` (then the client counts as gone);
    after the body, waiting for a disconnect is not limited (a held wait listens for it)."""
    deadline = anyio.current_time() + seconds
    body_done = False

    async def timed_receive() -> Message:
        nonlocal body_done
        if body_done:
            return await receive()
        with anyio.move_on_after(max(0.0, deadline - anyio.current_time())):
            message = await receive()
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            return message
        log.info("MCP request body not received within %ss; dropped", seconds)
        return {"type": "http.disconnect"}

    return timed_receive


def _error(code: int, message: str) -> dict[str, Any]:
    return {"code": code, "status": HTTPStatus(code).phrase, "message": message, "errors": []}


async def _answer(
    send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    payload = json.dumps(body).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw_headers += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


def serve_http(door: Door, *, host: str, port: int) -> None:
    """Serve ``/mcp`` on ``host:port`` until stopped (SIGTERM/SIGINT), then close the door."""
    import uvicorn

    mcp = door.mcp
    config = uvicorn.Config(
        http_app(door),
        host=host,
        port=port,
        lifespan="on",
        limit_concurrency=mcp.max_connections,
        timeout_keep_alive=int(mcp.keepalive_seconds),
        timeout_graceful_shutdown=5,
        h11_max_incomplete_event_size=64 * 1024,
        access_log=False,
        log_level="warning",
        server_header=False,
    )
    try:
        uvicorn.Server(config).run()
    finally:
        door.close()
