"""``/api/v1/plugins``: what plugins are installed, with their config schemas."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from backend.access import requires
from backend.services import services
from shared.errors import NotFound
from shared.pipelines.permissions import PLUGINS_READ

blp = Blueprint("plugins", __name__, url_prefix="/api/v1/plugins", description="Step plugins")


class PluginSchema(Schema):
    """A plugin's description and JSON Schema for its config."""

    type = fields.String()
    name = fields.String()
    key = fields.String()
    version = fields.String()
    description = fields.String()
    config_schema = fields.Dict()


@blp.route("")
class Plugins(MethodView):
    @requires(PLUGINS_READ)
    @blp.response(200, PluginSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Every installed plugin."""
        return [p.describe() for p in services().runtime.registry.all()]


@blp.route("/<plugin_type>")
class PluginsOfType(MethodView):
    @requires(PLUGINS_READ)
    @blp.response(200, PluginSchema(many=True))
    def get(self, plugin_type: str) -> list[dict[str, Any]]:
        """The plugins of one type (Input, Data_Processing, AI_Models, Output, Utility)."""
        found = [p.describe() for p in services().runtime.registry.all() if p.type == plugin_type]
        if not found:
            raise NotFound(f"no plugins of type {plugin_type!r}")
        return found


@blp.route("/<plugin_type>/<plugin_name>")
class PluginByName(MethodView):
    @requires(PLUGINS_READ)
    @blp.response(200, PluginSchema)
    def get(self, plugin_type: str, plugin_name: str) -> dict[str, Any]:
        """One plugin, with its config schema."""
        plugin = services().runtime.registry.get(f"{plugin_type}.{plugin_name}")
        if plugin is None:
            raise NotFound(f"no plugin {plugin_type}.{plugin_name}")
        return plugin.describe()
