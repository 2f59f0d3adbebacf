"""``POST /api/v1/pipelines/validate``: check unsaved pipeline YAML and say where each problem is (line and
column), so an editor can mark it as the user types. Nothing is stored."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from backend.access import requires
from backend.services import services
from shared.pipelines.drafts import check_draft
from shared.pipelines.loader import MAX_YAML_BYTES
from shared.pipelines.permissions import PIPELINES_READ

blp = Blueprint(
    "pipeline_drafts", __name__, url_prefix="/api/v1/pipelines", description="Checking unsaved pipelines"
)


class DraftSchema(Schema):
    """Pipeline YAML to check, and context keys the run will supply (so references to them are valid)."""

    pipeline_yaml = fields.String(required=True, validate=validate.Length(max=MAX_YAML_BYTES))
    context_keys = fields.List(fields.String(validate=validate.Length(min=1, max=200)), load_default=list)


class LocatedProblemSchema(Schema):
    """One problem: where in the pipeline (path) and in the text (1-based line and column, when known)."""

    location = fields.String()
    message = fields.String()
    line = fields.Integer(allow_none=True)
    column = fields.Integer(allow_none=True)


class DraftResultSchema(Schema):
    """Whether the YAML is a valid pipeline, and every problem found."""

    valid = fields.Boolean()
    errors = fields.List(fields.Nested(LocatedProblemSchema))


@blp.route("/validate")
class ValidateDraft(MethodView):
    @requires(PIPELINES_READ)
    @blp.arguments(DraftSchema)
    @blp.response(200, DraftResultSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Check pipeline YAML against the installed plugins; problems come with their line."""
        return check_draft(body["pipeline_yaml"], services().runtime.registry, body["context_keys"])
