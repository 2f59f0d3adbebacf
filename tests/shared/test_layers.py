"""The domain package stands alone: the edges (HTTP, Celery workers, the CLI, the MCP server) import it,
never the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import shared

EDGES = ("backend", "worker", "mimir", "mcp_server")
SHARED_ROOT = Path(shared.__file__).parent


def imported_modules(path: Path) -> set[str]:
    """Every absolute module name ``path`` imports, at any depth (including imports inside functions)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def shared_modules() -> list[Path]:
    return sorted(SHARED_ROOT.rglob("*.py"))


@pytest.mark.parametrize("path", shared_modules(), ids=lambda p: str(p.relative_to(SHARED_ROOT.parent)))
def test_no_domain_module_imports_an_edge(path: Path) -> None:
    edges = sorted(name for name in imported_modules(path) if name.split(".")[0] in EDGES)
    assert not edges, f"{path.relative_to(SHARED_ROOT.parent)} imports {', '.join(edges)}"


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from backend.app import create_app\n    import worker.runtime\n")
    assert imported_modules(module) == {"backend.app", "worker.runtime"}
