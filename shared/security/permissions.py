"""Permissions, and the roles that bundle them. Every API endpoint names the one permission it needs."""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    """One thing a key may do."""

    PIPELINES_READ = "pipelines:read"
    PIPELINES_WRITE = "pipelines:write"
    PIPELINES_EXECUTE = "pipelines:execute"
    JOBS_READ = "jobs:read"
    JOBS_CREATE = "jobs:create"
    JOBS_CANCEL = "jobs:cancel"
    SCHEDULER_READ = "scheduler:read"
    SCHEDULER_WRITE = "scheduler:write"
    SCHEDULER_EXECUTE = "scheduler:execute"
    TWINS_READ = "twins:read"
    TWINS_WRITE = "twins:write"
    VECTORS_READ = "vectors:read"
    VECTORS_WRITE = "vectors:write"
    PLUGINS_READ = "plugins:read"
    MONITORING_READ = "monitoring:read"
    CONFIG_READ = "config:read"
    KEYS_ADMIN = "keys:admin"


class Role(StrEnum):
    """A named set of permissions a key is created with."""

    ADMIN = "admin"
    OPERATOR = "operator"
    VIEWER = "viewer"


_READS = frozenset(
    {
        Permission.PIPELINES_READ,
        Permission.JOBS_READ,
        Permission.SCHEDULER_READ,
        Permission.TWINS_READ,
        Permission.VECTORS_READ,
        Permission.PLUGINS_READ,
        Permission.MONITORING_READ,
    }
)
_OPERATIONS = frozenset(
    {
        Permission.PIPELINES_WRITE,
        Permission.PIPELINES_EXECUTE,
        Permission.JOBS_CREATE,
        Permission.JOBS_CANCEL,
        Permission.SCHEDULER_WRITE,
        Permission.SCHEDULER_EXECUTE,
        Permission.TWINS_WRITE,
        Permission.VECTORS_WRITE,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: _READS,
    Role.OPERATOR: _READS | _OPERATIONS,
    Role.ADMIN: frozenset(Permission),
}


def role_allows(role: str, permission: Permission) -> bool:
    """Whether a key with ``role`` may do ``permission`` (unknown roles may do nothing)."""
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False
