"""What keys may do with pipelines and plugins."""

from __future__ import annotations

from shared.security.permissions import Level, Permission

PIPELINES_READ = Permission("pipelines:read", Level.READ)
PIPELINES_WRITE = Permission("pipelines:write", Level.OPERATE)
PIPELINES_EXECUTE = Permission("pipelines:execute", Level.OPERATE)
PLUGINS_READ = Permission("plugins:read", Level.READ)

ALL = (PIPELINES_READ, PIPELINES_WRITE, PIPELINES_EXECUTE, PLUGINS_READ)
