"""A slice used by the tests: what a new capability's ``slice.py`` looks like."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.plugins.base import Plugin, StepSpec
from shared.security.permissions import Level, Permission
from shared.slices import Platform

SAMPLES_READ = Permission("samples:read", Level.READ)


class Echo(Plugin):
    type = "Sample"
    name = "echo"
    config_schema = {"type": "object"}

    def execute_step(self, step: StepSpec, context: dict[str, Any]) -> Any:
        return step.config


@dataclass(frozen=True)
class SampleSettings:
    max_items: int = 10
    label: str = "sample"
    is_strict: bool = False
    tags: tuple[str, ...] = ()


def install(platform: Platform) -> None:
    platform.add_permissions(SAMPLES_READ)
    platform.add_plugin_types("Sample")
    platform.add_plugins({"Sample.echo": "tests.shared.sample_slice:Echo"})
    platform.add_settings_section("samples", SampleSettings)
    platform.add_models("shared.jobs.records")
