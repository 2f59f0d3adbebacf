"""What keys may do with jobs."""

from __future__ import annotations

from shared.security.permissions import Level, Permission

JOBS_READ = Permission("jobs:read", Level.READ)
JOBS_CANCEL = Permission("jobs:cancel", Level.OPERATE)

ALL = (JOBS_READ, JOBS_CANCEL)
