"""Every kind of domain error reaches a client as one definite HTTP status."""

from __future__ import annotations

from backend.errors import STATUS_OF_KIND
from shared.errors import ErrorKind, NotFound, PipelineValidationError, Problem


def test_every_error_kind_has_a_status() -> None:
    assert set(STATUS_OF_KIND) == set(ErrorKind)


def test_a_pipeline_with_problems_is_unprocessable_and_a_missing_thing_not_found() -> None:
    assert STATUS_OF_KIND[PipelineValidationError([Problem("steps", "empty")]).kind] == 422
    assert STATUS_OF_KIND[NotFound("no such job").kind] == 404
