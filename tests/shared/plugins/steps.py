"""Running one built-in plugin step the way the engine does: validated config, real files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shared.plugins.base import RunContext, RunEnvironment, StepSpec
from shared.plugins.registry import PluginRegistry

REGISTRY = PluginRegistry.default(include_entry_points=False)


def run_step(
    key: str,
    config: dict[str, Any],
    *,
    data_dir: Path | None = None,
    output_dir: Path | None = None,
    values: dict[str, Any] | None = None,
    **env: Any,
) -> Any:
    """Validate ``config`` against the plugin's schema (failing loudly), then execute the step."""
    plugin_class = REGISTRY.get(key)
    assert plugin_class is not None, key
    plugin = plugin_class()
    problems = plugin.validate_config(config)
    assert problems == [], problems
    environment = RunEnvironment(data_dirs=(data_dir,) if data_dir else (), output_dir=output_dir, **env)
    context = RunContext(values=dict(values or {}), env=environment)
    return plugin.execute_step(StepSpec(name="step", plugin=key, config=config), context)


def config_problems(key: str, config: dict[str, Any]) -> list[str]:
    """Where ``config`` breaks the plugin's schema, as ``location: message`` strings."""
    plugin_class = REGISTRY.get(key)
    assert plugin_class is not None, key
    return [f"{p.location}: {p.message}" for p in plugin_class().validate_config(config)]
