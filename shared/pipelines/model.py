"""The validated pipeline model: what the engine runs and the database stores."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PIPELINE_FIELDS = ("name", "description", "enabled", "inputs", "steps")
STEP_FIELDS = ("name", "plugin", "config", "output")


@dataclass(frozen=True)
class StepDefinition:
    """One step as written: which plugin, its raw (unrendered) config, and where its result goes."""

    name: str
    plugin: str
    config: dict[str, Any] = field(default_factory=dict)
    output: str | None = None

    @property
    def output_key(self) -> str:
        """The context key the step's result is stored under: ``output``, else the step's name."""
        return self.output or self.name

    def to_dict(self) -> dict[str, Any]:
        """The step as a plain mapping, in the YAML's shape."""
        data: dict[str, Any] = {"name": self.name, "plugin": self.plugin, "config": self.config}
        if self.output is not None:
            data["output"] = self.output
        return data


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
