"""What keys may do with vector collections."""

from __future__ import annotations

from shared.security.permissions import Level, Permission

VECTORS_READ = Permission("vectors:read", Level.READ)
VECTORS_WRITE = Permission("vectors:write", Level.OPERATE)

ALL = (VECTORS_READ, VECTORS_WRITE)
