"""The Flask app factory: wires settings, services, the API and error handling. Nothing else."""

from __future__ import annotations

from flask import Flask

import shared
from backend import api_docs, http_metrics, long_requests, request_body, request_ids
from backend.access import SECURITY_SCHEMES
from backend.auth import Gatekeeper, KeyCache
from backend.body_limit import init_body_limit
from backend.client_socket import BodyDeadline
from backend.errors import MimirApi, register_error_handlers
from backend.ratelimit import RateLimiter
from backend.services import ApiServices
from backend.slice_apis import register_slice_apis
from shared.config import Settings, load_settings
from shared.slices import Platform


def create_app(settings: Settings | None = None, platform: Platform | None = None) -> Flask:
    """The API application for ``settings`` (default: ``config.yaml`` and ``MIMIR_*`` variables) serving
    the slices of ``platform`` (default: the listed slices)."""
    settings = settings or load_settings()
    app = Flask("mimir")
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        API_TITLE="Mimir AIP",
        API_VERSION=shared.__version__,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_SORT_KEYS=False,
        **api_docs.docs_config(),
    )
    long_requests.init_app(app)  # first: requests queue here for their lane, before costing any work
    init_body_limit(app, settings.max_body_bytes)  # before anything reads the body
    services = ApiServices.from_settings(settings, platform)
    services.init_app(app)
    if settings.metrics_enabled:
        http_metrics.init_app(app)  # before the gatekeeper, so refused requests are counted too
    api = MimirApi(app)
    for name, scheme in SECURITY_SCHEMES.items():
        api.spec.components.security_scheme(name, scheme)
    register_error_handlers(app)
    api_docs.init_app(app)
    register_slice_apis(api, services.platform)
    request_ids.init_app(app)  # before the gatekeeper, so refusals carry an id too
    Gatekeeper(
        settings, KeyCache(services.db), RateLimiter.from_settings(settings), services.platform.permissions
    ).init_app(app)
    request_body.init_app(app)  # after the gatekeeper: bodies of refused calls are not parsed
    app.wsgi_app = BodyDeadline(app.wsgi_app, settings.body_timeout_seconds)  # type: ignore[method-assign]
    return app
