"""What keys may do with digital twins."""

from __future__ import annotations

from shared.security.permissions import Level, Permission

TWINS_READ = Permission("twins:read", Level.READ)
TWINS_WRITE = Permission("twins:write", Level.OPERATE)

ALL = (TWINS_READ, TWINS_WRITE)
