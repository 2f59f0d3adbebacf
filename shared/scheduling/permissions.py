"""What keys may do with schedules."""

from __future__ import annotations

from shared.security.permissions import Level, Permission

SCHEDULER_READ = Permission("scheduler:read", Level.READ)
SCHEDULER_WRITE = Permission("scheduler:write", Level.OPERATE)
SCHEDULER_EXECUTE = Permission("scheduler:execute", Level.OPERATE)

ALL = (SCHEDULER_READ, SCHEDULER_WRITE, SCHEDULER_EXECUTE)
