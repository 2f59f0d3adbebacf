"""``/api/v1/config``: the effective settings, grouped as in ``config.yaml``, secrets redacted."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from backend.access import requires
from backend.presentation.config_view import SECTIONS, settings_document
from backend.services import services
from shared.config import setting_sources
from shared.security.permissions import CONFIG_READ

blp = Blueprint("config", __name__, url_prefix="/api/v1/config", description="Effective configuration")
ConfigSchema = Schema.from_dict(
    {
        **{section: fields.Dict(keys=fields.String()) for section in SECTIONS},
        # "section.key" -> default | file:section.key | env VARIABLE | override
        "sources": fields.Dict(keys=fields.String(), values=fields.String()),
        # keys of the original Mimir's config that were given but mean nothing here -> why
        "ignored": fields.Dict(keys=fields.String(), values=fields.String()),
    },
    name="ConfigSchema",
)


@blp.route("")
class Config(MethodView):
    @requires(CONFIG_READ)
    @blp.response(200, ConfigSchema)
    def get(self) -> dict[str, Any]:
        """Every setting in effect, as ``{section: {key: value}}``; passwords and keys show as ``***``.

        ``sources`` says where each value came from, ``ignored`` which keys of the original Mimir's
        configuration were given but mean nothing here."""
        settings = services().settings
        return {
            **settings_document(settings),
            "sources": setting_sources(settings),
            "ignored": dict(settings.ignored_keys),
        }
