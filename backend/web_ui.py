"""Serving the built web UI (``frontend/dist``) at ``/`` from the API process, when it has been built.

Client-side routes (``/pipelines/3``) get ``index.html`` so a reload or a shared link works; the API keeps
``/api``, ``/health``, ``/metrics`` and ``/mcp``, where an unknown path is the API's JSON 404, not the page.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, send_from_directory

from backend.access import public
from backend.errors import error_response

DEFAULT_DIST = Path(__file__).resolve().parent.parent / "frontend" / "dist"
_API_ROOTS = frozenset({"api", "health", "metrics", "mcp"})
# Vite names built assets by content hash, so they may be cached for good; index.html must not be.
_IMMUTABLE = "public, max-age=31536000, immutable"


def init_app(app: Flask, dist: Path = DEFAULT_DIST) -> bool:
    """Serve ``dist`` at ``/`` if it holds a built UI; whether it does."""
    if not (dist / "index.html").is_file():
        return False

    @public()
    def web_ui(path: str = "") -> Response | tuple[Response, int]:
        if path.split("/", 1)[0] in _API_ROOTS:
            return error_response(404, f"not found: no such endpoint /{path}")
        candidate = dist / path
        if path and candidate.is_file() and candidate.resolve().is_relative_to(dist.resolve()):
            response = send_from_directory(dist, path)
            if path.startswith("assets/"):
                response.headers["Cache-Control"] = _IMMUTABLE
            return response
        response = send_from_directory(dist, "index.html")
        response.headers["Cache-Control"] = "no-cache"
        return response

    app.add_url_rule("/", "web_ui", web_ui, methods=["GET"])
    app.add_url_rule("/<path:path>", "web_ui", web_ui, methods=["GET"])
    return True
