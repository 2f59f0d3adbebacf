"""The Flask app factory: wires settings, services, the API and error handling. Nothing else."""

from __future__ import annotations

from flask import Flask

import shared
from backend import metrics, request_body, request_ids
from backend.access import SECURITY_SCHEMES
from backend.api import (
    auth,
    health,
    job_logs,
    monitoring,
    pipelines,
    plugins,
    queue,
    scheduler,
    vectors,
    visualize,
)
from backend.api import config as config_api
from backend.auth import Gatekeeper, KeyCache
from backend.body_limit import init_body_limit
from backend.errors import MimirApi, register_error_handlers
from backend.ratelimit import RateLimiter
from backend.services import ApiServices
from shared.config import Settings, load_settings


def create_app(settings: Settings | None = None) -> Flask:
    """The API application for ``settings`` (default: ``config.yaml`` and ``MIMIR_*`` variables)."""
    settings = settings or load_settings()
    app = Flask("mimir")
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        API_TITLE="Mimir AIP",
        API_VERSION=shared.__version__,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
        JSON_SORT_KEYS=False,
    )
    init_body_limit(app, settings.max_body_bytes)  # first: before anything reads the body
    services = ApiServices.from_settings(settings)
    services.init_app(app)
    if settings.metrics_enabled:
        metrics.init_app(app)  # before the gatekeeper, so refused requests are counted too
    api = MimirApi(app)
    for name, scheme in SECURITY_SCHEMES.items():
        api.spec.components.security_scheme(name, scheme)
    register_error_handlers(app)
    for blueprint in (
        pipelines.blp,
        queue.blp,
        scheduler.blp,
        plugins.blp,
        auth.blp,
        config_api.blp,
        health.blp,
        monitoring.blp,
        monitoring.scrape_blp,
        job_logs.blp,
        visualize.blp,
        vectors.blp,
    ):
        api.register_blueprint(blueprint)
    request_ids.init_app(app)  # before the gatekeeper, so refusals carry an id too
    Gatekeeper(settings, KeyCache(services.db), RateLimiter.from_settings(settings)).init_app(app)
    request_body.init_app(app)  # after the gatekeeper: bodies of refused calls are not parsed
    return app
