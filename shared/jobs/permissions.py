"""What keys may do with jobs."""

from __future__ import annotations

from shared.security.permissions import Level, Permission

JOBS_READ = Permission("jobs:read", Level.READ)
JOBS_CREATE = Permission("jobs:create", Level.OPERATE)  # enqueue a job of any kind
JOBS_CANCEL = Permission("jobs:cancel", Level.OPERATE)

ALL = (JOBS_READ, JOBS_CREATE, JOBS_CANCEL)
