"""The API serves what the installed slices provide: backend.api.<slice> for each, plus the platform's own."""

from __future__ import annotations

from backend.slice_apis import api_module_name, slice_blueprints
from shared.slices import load_platform


def test_the_api_module_of_a_slice_is_named_after_its_last_part() -> None:
    assert api_module_name("shared.scheduling") == "backend.api.scheduling"
    assert api_module_name("shared.twins") == "backend.api.twins"


def test_the_listed_slices_serve_every_resource() -> None:
    names = {blueprint.name for blueprint in slice_blueprints(load_platform())}
    assert names == {
        "health",
        "config",
        "visualize",
        "auth",
        "pipelines",
        "pipeline_drafts",
        "plugins",
        "queue",
        "events",
        "job_logs",
        "monitoring",
        "metrics",
        "scheduler",
        "twins",
        "twin_jobs",
        "vectors",
        "mcp",
        "workflows",
    }


def test_a_slice_without_an_api_module_serves_nothing_more() -> None:
    listed = [b.name for b in slice_blueprints(load_platform())]
    assert [b.name for b in slice_blueprints(load_platform(["tests.shared.sample_slice"]))] == listed
