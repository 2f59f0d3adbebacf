"""Roles derive from the levels of the permissions the slices register, and give each role what it had."""

from __future__ import annotations

import pytest

from shared.security.permissions import Level, Permission, PermissionConflict, Permissions, Role, role_allows
from shared.slices import load_platform

READS = {
    "pipelines:read",
    "jobs:read",
    "scheduler:read",
    "plugins:read",
    "monitoring:read",
    "twins:read",
    "vectors:read",
    "workflows:read",
    "mcp:read",
}
OPERATIONS = {
    "pipelines:write",
    "pipelines:execute",
    "jobs:create",
    "jobs:cancel",
    "scheduler:write",
    "scheduler:execute",
    "twins:write",
    "vectors:write",
    "workflows:write",
    "workflows:run",
}
ADMINISTRATION = {"config:read", "keys:admin"}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.VIEWER, READS),
        (Role.OPERATOR, READS | OPERATIONS),
        (Role.ADMIN, READS | OPERATIONS | ADMINISTRATION),
    ],
)
def test_each_role_holds_the_permissions_it_always_had(role: Role, expected: set[str]) -> None:
    assert {p.name for p in load_platform().permissions.of_role(role)} == expected


def test_a_new_slices_read_permission_is_held_by_viewers_without_editing_roles() -> None:
    twins_read = Permission("twins:read", Level.READ)
    twins_write = Permission("twins:write", Level.OPERATE)
    assert role_allows("viewer", twins_read)
    assert not role_allows("viewer", twins_write)
    assert role_allows("operator", twins_write)


def test_an_unknown_role_may_do_nothing() -> None:
    assert not role_allows("superuser", Permission("pipelines:read", Level.READ))


def test_one_name_declared_with_two_levels_is_refused() -> None:
    permissions = Permissions()
    permissions.add(Permission("twins:read", Level.READ))
    permissions.add(Permission("twins:read", Level.READ))
    with pytest.raises(PermissionConflict, match="twins:read"):
        permissions.add(Permission("twins:read", Level.ADMIN))
