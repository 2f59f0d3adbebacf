"""``/api/v1/config``: the effective settings, grouped as in ``config.yaml``, secrets redacted."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from backend.access import requires
from backend.presentation.config_view import SECTIONS, settings_document
from backend.services import services
from shared.security.permissions import CONFIG_READ

blp = Blueprint("config", __name__, url_prefix="/api/v1/config", description="Effective configuration")
ConfigSchema = Schema.from_dict(
    {section: fields.Dict(keys=fields.String()) for section in SECTIONS}, name="ConfigSchema"
)


@blp.route("")
class Config(MethodView):
    @requires(CONFIG_READ)
    @blp.response(200, ConfigSchema)
    def get(self) -> dict[str, Any]:
        """Every setting in effect, as ``{section: {key: value}}``; passwords and keys show as ``***``."""
        return settings_document(services().settings)
