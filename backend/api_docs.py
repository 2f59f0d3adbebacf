"""``/api/docs``: Swagger UI served from the installed ``swagger-ui-bundle`` package, not a CDN, so the
page works offline and loads no third-party script."""

from __future__ import annotations

from flask import Flask, Response, send_from_directory

ASSETS_URL = "/api/docs/assets/"


def docs_config() -> dict[str, str]:
    """flask-smorest settings that point Swagger UI's page at the local assets."""
    return {"OPENAPI_SWAGGER_UI_PATH": "/docs", "OPENAPI_SWAGGER_UI_URL": ASSETS_URL}


def init_app(app: Flask) -> None:
    """Serve the Swagger UI assets; the endpoint name puts them with the public API docs."""
    from swagger_ui_bundle import swagger_ui_path

    def asset(filename: str) -> Response:
        return send_from_directory(swagger_ui_path, filename, max_age=86_400)

    app.add_url_rule(f"{ASSETS_URL}<path:filename>", endpoint="api-docs.assets", view_func=asset)
