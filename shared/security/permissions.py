"""Permissions, registered by the slices, and the roles that derive from their levels.

Each slice declares its permissions next to its code (``shared/pipelines/permissions.py``...) and installs
them with ``platform.add_permissions``. A permission's :class:`Level` decides which roles hold it, so a new
slice needs no edit here: viewers hold every ``read`` permission, operators ``read`` and ``operate``, admins
all of them. Every API endpoint names the one permission it needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from shared.errors import MimirError


class Level(StrEnum):
    """How much a permission lets a key do, which decides the roles that hold it."""

    READ = "read"
    OPERATE = "operate"
    ADMIN = "admin"


@dataclass(frozen=True)
class Permission:
    """One thing a key may do, named ``<area>:<action>`` (``pipelines:read``)."""

    name: str
    level: Level

    def __str__(self) -> str:
        return self.name


class Role(StrEnum):
    """A named set of permissions a key is created with."""

    ADMIN = "admin"
    OPERATOR = "operator"
    VIEWER = "viewer"


ROLE_LEVELS: dict[Role, frozenset[Level]] = {
    Role.VIEWER: frozenset({Level.READ}),
    Role.OPERATOR: frozenset({Level.READ, Level.OPERATE}),
    Role.ADMIN: frozenset(Level),
}

# The platform's own permissions (installed by the security slice); each other slice declares its own.
CONFIG_READ = Permission("config:read", Level.ADMIN)
KEYS_ADMIN = Permission("keys:admin", Level.ADMIN)
MONITORING_READ = Permission("monitoring:read", Level.READ)


def role_allows(role: str, permission: Permission) -> bool:
    """Whether a key with ``role`` may do ``permission`` (unknown roles may do nothing)."""
    try:
        return permission.level in ROLE_LEVELS[Role(role)]
    except ValueError:
        return False


class PermissionConflict(MimirError):
    """Two slices declare one permission name differently."""


class Permissions:
    """The permissions the installed slices declared, by name."""

    def __init__(self) -> None:
        self._by_name: dict[str, Permission] = {}

    def add(self, permission: Permission) -> None:
        """Register ``permission``; the same declaration twice is harmless, a different one is refused."""
        known = self._by_name.get(permission.name)
        if known is not None and known != permission:
            raise PermissionConflict(
                f"permission {permission.name!r} declared as {known.level} and as {permission.level}"
            )
        self._by_name[permission.name] = permission

    def get(self, name: str) -> Permission | None:
        """The permission called ``name``, if a slice declared it."""
        return self._by_name.get(name)

    def __contains__(self, permission: object) -> bool:
        return isinstance(permission, Permission) and self._by_name.get(permission.name) == permission

    def __iter__(self) -> Iterator[Permission]:
        return iter(sorted(self._by_name.values(), key=lambda p: p.name))

    def of_role(self, role: Role) -> frozenset[Permission]:
        """Every registered permission ``role`` holds."""
        return frozenset(p for p in self if role_allows(role, p))
