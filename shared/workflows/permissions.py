"""What keys may do with workflows."""

from __future__ import annotations

from shared.security.permissions import Level, Permission

WORKFLOWS_READ = Permission("workflows:read", Level.READ)
WORKFLOWS_RUN = Permission("workflows:run", Level.OPERATE)
WORKFLOWS_WRITE = Permission("workflows:write", Level.OPERATE)

ALL = (WORKFLOWS_READ, WORKFLOWS_RUN, WORKFLOWS_WRITE)
