"""The security slice: API keys, and the platform's own permissions."""

from __future__ import annotations

from shared.security.permissions import CONFIG_READ, KEYS_ADMIN, MONITORING_READ
from shared.slices import Platform


def install(platform: Platform) -> None:
    """Install the security slice."""
    platform.add_permissions(CONFIG_READ, KEYS_ADMIN, MONITORING_READ)
    platform.add_models("shared.security.records")
