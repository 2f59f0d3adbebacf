"""What keys may do with vector collections."""

from __future__ import annotations

from shared.security.permissions import Permission

VECTORS_READ = Permission.VECTORS_READ
VECTORS_WRITE = Permission.VECTORS_WRITE

ALL = (VECTORS_READ, VECTORS_WRITE)
