"""What each endpoint needs: a permission (or none, for public ones) and the rate-limit group it counts in.

Views declare it with ``@requires(JOBS_READ)`` (a permission its slice declared) or ``@public()``; the
declaration is also written into the OpenAPI document (``security`` and ``x-permission``), so the document
says what each call needs.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from shared.security.permissions import MONITORING_READ, Permission

F = TypeVar("F", bound=Callable[..., Any])
ACCESS_ATTRIBUTE = "__mimir_access__"
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer <API key>"},
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
}


class RouteGroup(StrEnum):
    """Endpoints that share one rate limit."""

    ENQUEUE = "enqueue"
    READS = "reads"
    WRITES = "writes"
    AUTH = "auth"


@dataclass(frozen=True)
class Access:
    """An endpoint's declaration: ``permission`` None means anyone may call it; with ``public_setting``
    anyone may while that setting is true."""

    permission: Permission | None
    group: RouteGroup
    public_setting: str | None = None


def requires(permission: Permission, *, group: RouteGroup | None = None) -> Callable[[F], F]:
    """Declare that a view method needs ``permission`` (reads count as ``reads``, others as ``writes``)."""
    chosen = group or (RouteGroup.READS if permission.name.endswith(":read") else RouteGroup.WRITES)
    doc: dict[str, Any] = {
        "security": [{"bearer": []}, {"apiKey": []}],
        "x-permission": permission.name,
        "responses": {
            "401": {"description": "No valid API key was sent"},
            "403": {"description": f"The key's role lacks {permission.name}"},
            "429": {"description": "Rate limit reached; see Retry-After"},
        },
    }
    return _declare(Access(permission, chosen), doc)


def public(*, while_setting: str | None = None) -> Callable[[F], F]:
    """Declare a view open to anyone; with ``while_setting``, only while that boolean setting is true, and
    otherwise needing ``monitoring:read``."""
    if while_setting is None:
        return _declare(Access(None, RouteGroup.READS), {"security": [], "x-permission": None})
    access = Access(MONITORING_READ, RouteGroup.READS, public_setting=while_setting)
    doc = {
        "security": [{}, {"bearer": []}, {"apiKey": []}],
        "x-permission": MONITORING_READ.name,
        "x-public-while": while_setting,
    }
    return _declare(access, doc)


def access_of(view_method: Any) -> Access | None:
    """The declaration on a view method, if it has one."""
    return getattr(view_method, ACCESS_ATTRIBUTE, None)


def _declare(access: Access, doc: dict[str, Any]) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        setattr(func, ACCESS_ATTRIBUTE, access)
        # flask-smorest reads manual OpenAPI additions from ``_apidoc["manual_doc"]`` (what ``Blueprint.doc``
        # writes); copy before changing it, since decorators share the dict through functools.wraps.
        apidoc = deepcopy(getattr(func, "_apidoc", {}))
        manual = apidoc.setdefault("manual_doc", {})
        for key, value in doc.items():
            if isinstance(value, dict) and isinstance(manual.get(key), dict):
                manual[key] = {**value, **manual[key]}
            else:
                manual[key] = value
        func._apidoc = apidoc  # type: ignore[attr-defined]
        return func

    return decorate
