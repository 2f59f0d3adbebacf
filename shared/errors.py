"""The domain's exception tree. Each error names its :class:`ErrorKind`; a front door maps kinds to what
it speaks (``backend/errors.py`` to HTTP statuses, in one table), so the domain knows nothing of HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar


class ErrorKind(StrEnum):
    """What went wrong, as a caller should understand it."""

    INTERNAL = "internal"  # a fault of ours or of the deployment, not of the caller's input
    INVALID_INPUT = "invalid_input"  # well-formed, but a field is missing, wrong or has a bad value
    UNPARSEABLE = "unparseable"  # cannot be parsed at all: broken JSON or YAML, a number no parser holds
    INVALID_DEFINITION = "invalid_definition"  # well-formed, but a definition with problems (all listed)
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"  # contradicts the current state, e.g. a duplicate name or a finished job
    TOO_LARGE = "too_large"  # over a configured cap
    UNAVAILABLE = "unavailable"  # a backing service (e.g. the vector store) did not answer; try again later


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, with where it is (e.g. ``pipelines[0].steps[2].config.input``)."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class MimirError(Exception):
    """Base of every error the domain raises on purpose."""

    kind: ClassVar[ErrorKind] = ErrorKind.INTERNAL

    def __init__(self, message: str, *, errors: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors


class InvalidInput(MimirError):
    """The caller's request was understood but is not valid: a missing or wrong field, a bad value."""

    kind = ErrorKind.INVALID_INPUT

    @classmethod
    def at(cls, location: str, message: str) -> InvalidInput:
        """The error for one bad field: the message names it, ``errors`` locates it."""
        return cls(f"{location}: {message}", errors=[{"location": location, "message": message}])


class Unparseable(InvalidInput):
    """The caller sent something that cannot be parsed at all (400): broken YAML or JSON, a number no
    parser turns into a value, nesting past the parser's depth."""

    kind = ErrorKind.UNPARSEABLE


class PipelineValidationError(InvalidInput):
    """A pipeline definition has one or more problems; all of them are listed."""

    kind = ErrorKind.INVALID_DEFINITION

    def __init__(self, problems: list[Problem], message: str | None = None) -> None:
        self.problems = list(problems)
        summary = message or f"pipeline is invalid: {len(self.problems)} problem(s): " + "; ".join(
            str(p) for p in self.problems[:10]
        )
        super().__init__(summary, errors=[{"location": p.location, "message": p.message} for p in problems])


class NotFound(MimirError):
    """The named thing does not exist."""

    kind = ErrorKind.NOT_FOUND


class Conflict(MimirError):
    """The request contradicts the current state, e.g. a duplicate name or a finished job."""

    kind = ErrorKind.CONFLICT


class PayloadTooLarge(MimirError):
    """An input is over a configured cap."""

    kind = ErrorKind.TOO_LARGE


class ServiceUnavailable(MimirError):
    """A backing service the request needs did not answer."""

    kind = ErrorKind.UNAVAILABLE


class PluginError(MimirError):
    """A plugin refused its input or configuration at run time; the message is shown to the user."""

    kind = ErrorKind.INVALID_INPUT


class JobCancelled(MimirError):
    """Raised inside a run when its job was cancelled, to stop before the next step."""
