"""The vectors slice: Qdrant collections, embedders, semantic search and the AI pipeline steps.

Its API is ``backend/api/vectors.py`` (found by the slice rule); its settings stay core settings
(``vectors.*``, with the ``QDRANT_URL``/``QDRANT_API_KEY`` aliases the compose file uses).
"""

from __future__ import annotations

from shared.slices import Platform
from shared.vectors import PLUGINS, permissions


def install(platform: Platform) -> None:
    """Install the vectors slice."""
    platform.add_permissions(*permissions.ALL)
    platform.add_plugins(PLUGINS)
