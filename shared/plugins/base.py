"""The plugin SDK: what a step plugin declares and what the engine hands it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import jsonschema

from shared.errors import PluginError, Problem
from shared.stopping import StopSignal

# The step types of pipelines (installed by the pipelines slice; other slices may add their own types).
PIPELINE_PLUGIN_TYPES = ("Input", "Data_Processing", "AI_Models", "Output", "Utility")


@dataclass(frozen=True)
class StepSpec:
    """One step of a pipeline: which plugin, its config (rendered before a plugin sees it), where its
    result goes, and how long it may run (None: ``plugins.step_timeout_seconds``)."""

    name: str
    plugin: str
    config: dict[str, Any] = field(default_factory=dict)
    output: str | None = None
    timeout_seconds: float | None = None

    @property
    def output_key(self) -> str:
        """The context key the step's result is stored under: ``output``, else the step's name."""
        return self.output or self.name

    def to_dict(self) -> dict[str, Any]:
        """The step as a plain mapping, in the YAML's shape."""
        data: dict[str, Any] = {"name": self.name, "plugin": self.plugin, "config": self.config}
        if self.output is not None:
            data["output"] = self.output
        if self.timeout_seconds is not None:
            data["timeout_seconds"] = self.timeout_seconds
        return data


@dataclass(frozen=True)
class RunEnvironment:
    """What the host allows a run to touch: file roots, HTTP limits."""

    data_dirs: tuple[Path, ...] = ()
    output_dir: Path | None = None
    http_timeout_seconds: float = 10.0
    http_max_bytes: int = 10 * 1024 * 1024
    http_allow_private: bool = False
    http_allowlist: tuple[str, ...] = ()
    # Caps on what a run may hold (pipelines.* settings): text a config value renders to, one step's
    # output and the whole context, in bytes of JSON.
    max_rendered_value_bytes: int = 1024 * 1024
    max_step_output_bytes: int = 16 * 1024 * 1024
    max_context_bytes: int = 64 * 1024 * 1024
    # A step's time limit (plugins.step_timeout_seconds); None: steps run as long as they take.
    step_timeout_seconds: float | None = None
    # The process's database (shared.db.engine.Database) for steps that read or write stored things, such
    # as Output.twin_state; None where a pipeline runs without services (``mimir run``).
    database: Any = None
    # Where the vector steps find the vector store (a shared.vectors.config.VectorConfig); None: nowhere.
    vectors: Any = None

    def require(self, service: str, needed_for: str) -> Any:
        """The process's ``service`` (``database``, ``vectors``) that a step needs; a :class:`PluginError`
        saying what it is ``needed_for`` when the run has none (as under ``mimir run``)."""
        value = getattr(self, service)
        if value is None:
            raise PluginError(
                f"{needed_for}, and this run has no {service}: run the pipeline as a job "
                "(through the API or a worker), not in-process"
            )
        return value


@dataclass
class RunContext:
    """The run's context: values written by earlier steps and the input context, the environment, and the
    run's stop signal (a step that waits should wait on ``stop.wait(seconds)``, not ``time.sleep``, and
    raise ``stop.raise_if_stopped()`` when it wakes, so a cancel or a time limit ends it at once)."""

    values: dict[str, Any] = field(default_factory=dict)
    env: RunEnvironment = field(default_factory=RunEnvironment)
    stop: StopSignal = field(default_factory=StopSignal)

    def get(self, key: str) -> Any:
        """The value stored under ``key``; a :class:`PluginError` naming the key if there is none."""
        if key not in self.values:
            known = ", ".join(sorted(self.values)) or "none"
            raise PluginError(f"context has no key {key!r} (known keys: {known})")
        return self.values[key]


class Plugin:
    """Base class of every step plugin.

    Subclasses set ``type``, ``name``, ``config_schema`` (JSON Schema, draft 2020-12) and implement
    :meth:`execute_step`, which returns the step's output (JSON-serialisable).
    """

    type: ClassVar[str] = ""
    name: ClassVar[str] = ""
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = ""
    config_schema: ClassVar[dict[str, Any]] = {"type": "object"}

    @classmethod
    def key(cls) -> str:
        """The name pipelines use for this plugin, ``Type.name``."""
        return f"{cls.type}.{cls.name}"

    def validate_config(self, config: dict[str, Any], *, allow_templates: bool = False) -> list[Problem]:
        """Every way ``config`` breaks the schema, each located under ``config``.

        With ``allow_templates`` a string holding a ``{{ ... }}`` reference is accepted wherever a value is
        expected, because its type is only known once the run renders it.
        """
        validator = jsonschema.Draft202012Validator(self.config_schema)
        problems = []
        for error in sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path)):
            if allow_templates and isinstance(error.instance, str) and "{{" in error.instance:
                continue
            where = "config" + "".join(
                f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path
            )
            problems.append(Problem(where, error.message))
        return problems

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        """Run the step and return its output."""
        raise NotImplementedError

    @staticmethod
    def input_value(step: StepSpec, context: RunContext) -> Any:
        """The context value named by the step's ``config.input``."""
        key = step.config.get("input")
        if not isinstance(key, str):
            raise PluginError("config.input must name a context key")
        return context.get(key)

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """The plugin's public description, as the plugins API lists it."""
        return {
            "type": cls.type,
            "name": cls.name,
            "key": cls.key(),
            "version": cls.version,
            "description": cls.description,
            "config_schema": cls.config_schema,
        }
