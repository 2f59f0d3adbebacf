from __future__ import annotations

import pytest

from shared.plugins.registry import PluginRegistry


@pytest.fixture(scope="session")
def registry() -> PluginRegistry:
    return PluginRegistry.default(include_entry_points=False)
