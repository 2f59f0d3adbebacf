"""The validated pipeline model: what the engine runs and the database stores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.plugins.base import StepSpec

PIPELINE_FIELDS = ("name", "description", "enabled", "inputs", "steps")
STEP_FIELDS = ("name", "plugin", "config", "output")


# A step as written has the shape of a step as a plugin receives it (the engine renders its config first):
# one class, the plugin SDK's.
StepDefinition = StepSpec


@dataclass(frozen=True)
class PipelineDefinition:
    """A validated pipeline: a name and an ordered list of steps."""

    name: str
    steps: tuple[StepDefinition, ...]
    description: str = ""
    enabled: bool = True
    inputs: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The pipeline as a plain mapping, in the YAML's shape (what the database stores)."""
        data: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "enabled": self.enabled,
            "steps": [s.to_dict() for s in self.steps],
        }
        if self.inputs:
            data["inputs"] = list(self.inputs)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PipelineDefinition:
        """A definition from a mapping that was validated before (as stored in the database)."""
        return cls(
            name=data["name"],
            description=data.get("description") or "",
            enabled=bool(data.get("enabled", True)),
            inputs=tuple(data.get("inputs") or ()),
            steps=tuple(
                StepDefinition(
                    name=s["name"],
                    plugin=s["plugin"],
                    config=dict(s.get("config") or {}),
                    output=s.get("output"),
                )
                for s in data["steps"]
            ),
        )
