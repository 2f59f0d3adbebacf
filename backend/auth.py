"""Authentication, authorisation and rate limiting of every request, before any view runs.

A request names its key with ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``. The endpoint's
declaration (``backend.access``) says which permission it needs; an endpoint without one cannot be served
(the app refuses to start), so nothing is open by accident.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, g, request

from backend.access import Access, RouteGroup, access_of
from backend.errors import error_response
from backend.ratelimit import RateLimiter
from shared.config import Settings
from shared.db.engine import Database
from shared.security.keys import find_active_key, key_digest
from shared.security.permissions import Permissions, Role, role_allows

log = logging.getLogger(__name__)
# Flask's own endpoints and flask-smorest's documentation pages: readable without a key.
_UNDECLARED_PUBLIC_ENDPOINTS = ("static", "api-docs.")
_KEY_CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, name and role."""

    key_id: str
    name: str
    role: str


LOCAL_ADMIN = Principal(key_id="local", name="local (authentication disabled)", role=Role.ADMIN.value)


class KeyCache:
    """Recently verified keys, so most requests skip the database; a revoked key stops working in this
    process at once and in other API processes within a few seconds."""

    def __init__(self, db: Database, ttl_seconds: float = _KEY_CACHE_SECONDS) -> None:
        self._db = db
        self._ttl = ttl_seconds
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def principal(self, secret: str) -> Principal | None:
        """The principal for ``secret``, or None when it names no active key."""
        digest = key_digest(secret)
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(digest)
        if entry is not None and entry[0] > now:
            return entry[1]
        record = find_active_key(self._db, secret)
        if record is None:
            return None
        principal = Principal(key_id=record.id, name=record.name, role=record.role)
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[digest] = (now + self._ttl, principal)
        return principal

    def forget(self, key_id: str) -> None:
        """Drop a key (just revoked) from this process's cache."""
        with self._lock:
            for digest in [d for d, (_, p) in self._entries.items() if p.key_id == key_id]:
                del self._entries[digest]


@dataclass
class Gatekeeper:
    """Checks each request against its endpoint's declaration."""

    settings: Settings
    keys: KeyCache
    limiter: RateLimiter
    permissions: Permissions

    def init_app(self, app: Flask) -> None:
        """Check every endpoint declares its access with a registered permission, then guard each request."""
        undeclared = undeclared_endpoints(app)
        if undeclared:
            raise RuntimeError("endpoints without a permission declaration: " + ", ".join(undeclared))
        unregistered = unregistered_permissions(app, self.permissions)
        if unregistered:
            raise RuntimeError("endpoints needing a permission no slice declared: " + ", ".join(unregistered))
        app.extensions["mimir_gatekeeper"] = self
        app.before_request(self.check_request)

    def check_request(self) -> tuple[Response, int] | None:
        """None to let the request through, or the error response that refuses it."""
        access = _access_for_request()
        if access is None:
            return None
        if _is_public(access, self.settings):
            return self._limit(access.group, f"addr:{request.remote_addr}")
        principal, refusal = self._authenticate()
        if principal is None:
            return refusal
        g.principal = principal
        assert access.permission is not None
        if not role_allows(principal.role, access.permission):
            return error_response(
                403, f"this key's role ({principal.role}) lacks the {access.permission.name} permission"
            )
        return self._limit(access.group, f"key:{principal.key_id}")

    def _authenticate(self) -> tuple[Principal | None, tuple[Response, int] | None]:
        if not self.settings.auth_enabled:
            return LOCAL_ADMIN, None
        secret = presented_key()
        if secret is None:
            refusal = self._limit(RouteGroup.READS, f"addr:{request.remote_addr}") or _unauthorised(
                "an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
            )
            return None, refusal
        principal = self.keys.principal(secret)
        if principal is None:
            # Only wrong keys count against the (strict) auth limit: that is what guessing looks like.
            refusal = self._limit(RouteGroup.AUTH, f"addr:{request.remote_addr}") or _unauthorised(
                "the API key is not valid (unknown or revoked)"
            )
            return None, refusal
        return principal, None

    def charge_more(self, group: RouteGroup, calls: int) -> tuple[Response, int] | None:
        """Count ``calls`` more against the current key's ``group`` limit (the request itself counted one
        before its view ran): None, or the 429 to answer."""
        if calls <= 0:
            return None
        return self._limit(group, f"key:{current_principal().key_id}", calls)

    def _limit(self, group: RouteGroup, caller: str, cost: int = 1) -> tuple[Response, int] | None:
        verdict = self.limiter.hit(group, caller, cost)
        if verdict.is_allowed:
            return None
        response, status = error_response(
            429, f"rate limit for {group.value} reached; retry in {verdict.retry_after_seconds}s"
        )
        response.headers["Retry-After"] = str(verdict.retry_after_seconds)
        return response, status


def presented_key() -> str | None:
    """The key the request carries, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    api_key = request.headers.get("X-API-Key", "").strip()
    return api_key or None


def current_principal() -> Principal:
    """The caller of the current request (set by the gatekeeper before the view runs)."""
    principal: Principal = g.principal
    return principal


def undeclared_endpoints(app: Flask) -> list[str]:
    """Endpoints (and methods) that declare no access; must be empty."""
    return [endpoint for endpoint, access in _declarations(app) if access is None]


def unregistered_permissions(app: Flask, permissions: Permissions) -> list[str]:
    """Endpoints (and methods) needing a permission no installed slice declared; must be empty."""
    return [
        f"{endpoint} ({access.permission})"
        for endpoint, access in _declarations(app)
        if access is not None and access.permission is not None and access.permission not in permissions
    ]


def _declarations(app: Flask) -> Iterator[tuple[str, Access | None]]:
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(_UNDECLARED_PUBLIC_ENDPOINTS):
            continue
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            handler = getattr(view_class, method.lower(), None) if view_class else view
            yield f"{method} {rule.rule}", access_of(handler)


def _access_for_request() -> Access | None:
    if request.method == "OPTIONS" or request.endpoint is None:
        return None
    if request.endpoint.startswith(_UNDECLARED_PUBLIC_ENDPOINTS):
        return None
    view: Any = current_app.view_functions[request.endpoint]
    view_class = getattr(view, "view_class", None)
    method = "get" if request.method == "HEAD" else request.method.lower()
    return access_of(getattr(view_class, method, None) if view_class else view)


def _is_public(access: Access, settings: Settings) -> bool:
    if access.permission is None:
        return True
    return access.public_setting is not None and bool(getattr(settings, access.public_setting))


def _unauthorised(message: str) -> tuple[Response, int]:
    response, status = error_response(401, message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="mimir"'
    return response, status


def gatekeeper() -> Gatekeeper:
    """The gatekeeper of the current app."""
    keeper: Gatekeeper = current_app.extensions["mimir_gatekeeper"]
    return keeper
