"""``/api/v1/auth/apikeys``: create (shown once), list and revoke API keys. Admin only."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from backend.access import RouteGroup, requires
from backend.api.schemas import RequestSchema
from backend.auth import current_principal, gatekeeper
from backend.services import services
from shared.security.keys import create_api_key, list_api_keys, revoke_api_key
from shared.security.permissions import KEYS_ADMIN, MONITORING_READ, Role

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="API keys")


class ApiKeyCreateSchema(RequestSchema):
    """The name (who the key is for) and the role of a new key."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))


class ApiKeySchema(Schema):
    """A stored key: never the key itself, only the first characters to recognise it by."""

    id = fields.String()
    name = fields.String()
    role = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)


class IssuedApiKeySchema(ApiKeySchema):
    """A key just created, with the key: shown in this response only."""

    key = fields.String()


class WhoAmISchema(Schema):
    """The calling key: its name, role, and the permissions the role grants (what a UI may offer)."""

    key_id = fields.String()
    name = fields.String()
    role = fields.String()
    permissions = fields.List(fields.String())


@blp.route("/whoami")
class WhoAmI(MethodView):
    # Every role holds the read permissions, so any valid key may ask who it is.
    @requires(MONITORING_READ)
    @blp.response(200, WhoAmISchema)
    def get(self) -> dict[str, Any]:
        """The calling key and what its role may do (every permission the installed slices declare)."""
        principal = current_principal()
        granted = services().platform.permissions.of_role(Role(principal.role))
        return {
            "key_id": principal.key_id,
            "name": principal.name,
            "role": principal.role,
            "permissions": sorted(p.name for p in granted),
        }


@blp.route("/apikeys")
class ApiKeys(MethodView):
    @requires(KEYS_ADMIN, group=RouteGroup.READS)
    @blp.response(200, ApiKeySchema(many=True))
    def get(self) -> Any:
        """List keys, newest first."""
        return list_api_keys(services().db)

    @requires(KEYS_ADMIN, group=RouteGroup.AUTH)
    @blp.arguments(ApiKeyCreateSchema)
    @blp.response(201, IssuedApiKeySchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create a key; the response is the only place the key is ever shown."""
        issued = create_api_key(services().db, name=body["name"], role=body["role"])
        record = issued.record
        shown = {name: getattr(record, name) for name in ApiKeySchema._declared_fields}
        return {**shown, "key": issued.secret}


@blp.route("/apikeys/<key_id>")
class ApiKeyById(MethodView):
    @requires(KEYS_ADMIN, group=RouteGroup.AUTH)
    @blp.response(200, ApiKeySchema)
    def delete(self, key_id: str) -> Any:
        """Revoke a key: it stops working at once here, and within seconds on other API processes."""
        record = revoke_api_key(services().db, key_id)
        gatekeeper().keys.forget(record.id)
        return record


blueprints = (blp,)
