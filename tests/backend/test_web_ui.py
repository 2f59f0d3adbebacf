"""The built web UI served beside the API: the page for client routes, JSON 404s for API paths."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from backend import web_ui
from backend.access import access_of


def _ui_app(dist: Path) -> Flask:
    app = Flask("ui-test")
    assert web_ui.init_app(app, dist)
    return app


def _get(app: Flask, path: str) -> tuple[int, str, dict[str, str]]:
    """Status, text and headers of a GET (the file response closed, as a server would)."""
    response = app.test_client().get(path)
    try:
        return response.status_code, response.get_data(as_text=True), dict(response.headers)
    finally:
        response.close()


def test_the_built_ui_is_served_at_the_root_and_for_client_routes(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<div id=root></div>")
    (tmp_path / "assets" / "app-1234.js").write_text("console.log(1)")
    app = _ui_app(tmp_path)
    assert _get(app, "/")[1] == "<div id=root></div>"
    status, text, headers = _get(app, "/pipelines/abc/edit")
    assert status == 200 and "root" in text
    assert headers["Cache-Control"] == "no-cache"
    assert "immutable" in _get(app, "/assets/app-1234.js")[2]["Cache-Control"]


def test_unknown_api_paths_stay_json_404s_not_the_page(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<div id=root></div>")
    app = _ui_app(tmp_path)
    for path in ("/api/v1/nope", "/api", "/mcp/x", "/health/deep"):
        status, text, _ = _get(app, path)
        assert status == 404, path
        assert '"code":404' in text.replace(" ", "")


def test_no_ui_is_served_until_one_is_built(tmp_path: Path) -> None:
    assert web_ui.init_app(Flask("bare"), tmp_path) is False


def test_the_ui_route_is_declared_public_so_the_gatekeeper_lets_browsers_load_it(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("x")
    access = access_of(_ui_app(tmp_path).view_functions["web_ui"])
    assert access is not None and access.permission is None
