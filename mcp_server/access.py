"""Who may call which tool: each tool declares the permission and rate-limit group of the HTTP endpoint it
mirrors (``mcp_server.catalog``); before a ``tools/call`` runs, the caller's role must hold that permission
and the key's rate limit must allow it, as the HTTP gatekeeper (``backend/auth.py``) decides for requests."""

from __future__ import annotations

from typing import Any

import anyio
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.shared.exceptions import MCPError

from backend.auth import LOCAL_ADMIN, Principal
from mcp_server.catalog import access_of_tool
from mcp_server.door import Door
from shared.security.permissions import role_allows

# JSON-RPC server-error codes (the -32000..-32099 range is the server's): the request is understood but
# refused, as HTTP's 401, 403 and 429.
UNAUTHENTICATED = -32001
FORBIDDEN = -32003
RATE_LIMITED = -32029
# Where the HTTP transport's key check leaves the caller (an ASGI scope key, see ``mcp_server.http``).
PRINCIPAL_SCOPE_KEY = "mimir.principal"


class AccessMiddleware:
    """The SDK's server middleware: refuses a tool call the key may not make, naming the permission."""

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method == "tools/call":
            name = ctx.params.get("name") if ctx.params else None
            access = access_of_tool(name) if isinstance(name, str) else None
            if access is not None:  # an unknown tool is the SDK's to refuse
                door: Door = ctx.lifespan_context
                principal = await caller(door, ctx)
                if not role_allows(principal.role, access.permission):
                    raise MCPError(
                        FORBIDDEN,
                        f"this key's role ({principal.role}) lacks the {access.permission.name} permission",
                        data={"permission": access.permission.name, "role": principal.role, "tool": name},
                    )
                verdict = await anyio.to_thread.run_sync(
                    door.limiter.hit, access.group, f"key:{principal.key_id}"
                )
                if not verdict.is_allowed:
                    raise MCPError(
                        RATE_LIMITED,
                        f"rate limit for {access.group.value} reached; "
                        f"retry in {verdict.retry_after_seconds}s",
                        data={"retry_after_seconds": verdict.retry_after_seconds},
                    )
        return await call_next(ctx)


async def caller(door: Door, ctx: ServerRequestContext[Any, Any]) -> Principal:
    """The key behind ``ctx``: the HTTP request's (checked by the transport), or the stdio server's, checked
    again on each call (cached 5 s, as in the API), so a revoked key stops working within seconds."""
    request = ctx.request
    if request is not None:
        principal = getattr(request, "scope", {}).get(PRINCIPAL_SCOPE_KEY)
    elif not door.services.settings.auth_enabled:
        principal = LOCAL_ADMIN
    elif door.stdio_key is not None:
        principal = await anyio.to_thread.run_sync(door.keys.principal, door.stdio_key)
        if principal is None:
            raise MCPError(UNAUTHENTICATED, "the API key is not valid (unknown or revoked)")
    else:
        principal = None
    if principal is None:  # the transports never let this happen; refuse rather than assume
        raise MCPError(UNAUTHENTICATED, "no API key: send 'Authorization: Bearer <key>'")
    return principal
