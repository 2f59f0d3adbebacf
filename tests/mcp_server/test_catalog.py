"""Each MCP tool needs exactly what its HTTP twin needs, and is described as the SDK lists it."""

from __future__ import annotations

import re

import anyio
import pytest
from flask import Flask

from backend.access import access_of
from backend.app import create_app
from mcp_server.catalog import ToolDefinition, describe_tools, tool_definitions
from mcp_server.server import build_server
from mimir.testing.stack import make_settings


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    tmp = tmp_path_factory.mktemp("app")
    settings = make_settings(tmp, database_url=f"sqlite:///{tmp / 'm.db'}", redis_url="redis://127.0.0.1:1/0")
    return create_app(settings)  # wires only: nothing connects


def _endpoint_access(app: Flask, mirrors: str) -> object:
    method, path = mirrors.split(" ", 1)
    rule_path = re.sub(r"\{(\w+)\}", r"<\1>", path)
    for rule in app.url_map.iter_rules():
        if rule.rule == rule_path and method in (rule.methods or set()):
            view = app.view_functions[rule.endpoint]
            return access_of(getattr(view.view_class, method.lower()))  # type: ignore[attr-defined]
    raise AssertionError(f"no endpoint {mirrors}")


@pytest.mark.parametrize("definition", tool_definitions(), ids=lambda d: d.name)
def test_a_tool_needs_the_permission_and_counts_in_the_group_of_its_http_twin(
    app: Flask, definition: ToolDefinition
) -> None:
    endpoint = _endpoint_access(app, definition.access.mirrors)
    assert endpoint is not None
    assert (definition.access.permission, definition.access.group) == (
        endpoint.permission,  # type: ignore[attr-defined]
        endpoint.group,  # type: ignore[attr-defined]
    )


def test_the_described_tools_are_what_the_server_lists() -> None:
    listed = anyio.run(build_server(None).list_tools)
    described = describe_tools()
    assert [(t.name, t.description, t.input_schema) for t in listed] == [
        (d.name, d.description, d.input_schema) for d in described
    ]


def test_every_tool_has_a_description_and_names_its_arguments() -> None:
    for tool in describe_tools():
        assert tool.description.strip(), tool.name
        assert all(p.get("description") for p in tool.input_schema["properties"].values()), tool.name


def test_tool_names_are_unique() -> None:
    assert len({d.name for d in tool_definitions()}) == len(tool_definitions()) == 14
