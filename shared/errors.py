"""The domain's exception tree; the API maps each class to one HTTP status in one handler."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, with where it is (e.g. ``pipelines[0].steps[2].config.input``)."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class MimirError(Exception):
    """Base of every error the domain raises on purpose."""

    http_status = 500

    def __init__(self, message: str, *, errors: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors


class InvalidInput(MimirError):
    """The caller's request was understood but is not valid (422): a missing or wrong field, a bad value."""

    http_status = 422

    @classmethod
    def at(cls, location: str, message: str) -> InvalidInput:
        """The error for one bad field: the message names it, ``errors`` locates it."""
        return cls(f"{location}: {message}", errors=[{"location": location, "message": message}])


class Unparseable(InvalidInput):
    """The caller sent something that cannot be parsed at all (400): broken YAML or JSON, a number no
    parser turns into a value, nesting past the parser's depth."""

    http_status = 400


class PipelineValidationError(InvalidInput):
    """A pipeline definition has one or more problems; all of them are listed."""

    http_status = 422

    def __init__(self, problems: list[Problem], message: str | None = None) -> None:
        self.problems = list(problems)
        summary = message or f"pipeline is invalid: {len(self.problems)} problem(s): " + "; ".join(
            str(p) for p in self.problems[:10]
        )
        super().__init__(summary, errors=[{"location": p.location, "message": p.message} for p in problems])


class NotFound(MimirError):
    """The named thing does not exist (404)."""

    http_status = 404


class Conflict(MimirError):
    """The request contradicts the current state (409), e.g. a duplicate name or a finished job."""

    http_status = 409


class PayloadTooLarge(MimirError):
    """An input is over a configured cap (413)."""

    http_status = 413


class ServiceUnavailable(MimirError):
    """A required backing service (database, broker) cannot be reached (503)."""

    http_status = 503


class StepFailed(MimirError):
    """A pipeline step raised; carries the step's location for the job record."""

    def __init__(self, step_index: int, step_name: str, message: str) -> None:
        super().__init__(f"step {step_index} ({step_name}) failed: {message}")
        self.step_index = step_index
        self.step_name = step_name
        self.reason = message


class PluginError(MimirError):
    """A plugin refused its input or configuration at run time; the message is shown to the user."""

    http_status = 400


class JobCancelled(MimirError):
    """Raised inside a run when its job was cancelled, to stop before the next step."""
