"""Request and response schemas of the twins API. Requests name exactly what a client may set (unknown
fields are refused); the entities, relationships and events inside are checked by the domain
(``shared/twins/validation.py``), whose refusals locate each problem (``entities[3].state.capacity``)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from backend.api.paging import PageQuerySchema
from backend.api.request_schema import RequestSchema
from shared.twins.rdf import FORMATS

_NAME = validate.Length(min=1, max=200)
_TEXT = validate.Length(max=10_000)
_ID = validate.Length(min=1, max=36)


class TwinWriteSchema(RequestSchema):
    """A twin as JSON: its entities (with their state) and relationships."""

    name = fields.String(required=True, validate=_NAME)
    description = fields.String(validate=_TEXT)
    model_type = fields.String(validate=_NAME)
    entities = fields.List(fields.Raw(), required=True)
    relationships = fields.List(fields.Raw(), load_default=list)


class PipelineOutputSchema(RequestSchema):
    """Tables a finished pipeline job left in its output context."""

    job_id = fields.String(required=True, validate=_ID)
    entities_key = fields.String(required=True, validate=_NAME)
    relationships_key = fields.String(validate=_NAME)


class TablesSchema(RequestSchema):
    """Tables given inline: ``{"columns", "rows"}`` or lists of row objects."""

    entities = fields.Raw(required=True)
    relationships = fields.Raw()


class TwinImportSchema(RequestSchema):
    """A twin built from an ontology (Turtle or RDF/XML text) or from tables with a column mapping."""

    name = fields.String(required=True, validate=_NAME)
    description = fields.String(validate=_TEXT)
    model_type = fields.String(validate=_NAME)
    ontology = fields.String(validate=validate.Length(min=1))
    format = fields.String(load_default="turtle", validate=validate.OneOf(sorted(FORMATS)))
    pipeline_output = fields.Nested(PipelineOutputSchema)
    tables = fields.Nested(TablesSchema)
    mapping = fields.Dict(keys=fields.String())


class TwinSchema(Schema):
    """A stored twin (without its entities)."""

    id = fields.String()
    name = fields.String()
    description = fields.String()
    model_type = fields.String()
    revision = fields.Integer()
    entity_count = fields.Integer()
    relationship_count = fields.Integer()
    source = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class TwinDetailSchema(TwinSchema):
    """A stored twin with its current entities and relationships."""

    entities = fields.List(fields.Dict())
    relationships = fields.List(fields.Dict())


class TwinPageSchema(Schema):
    items = fields.List(fields.Nested(TwinSchema))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class StateQuerySchema(PageQuerySchema):
    """Which entities' state to list: a page, optionally of one entity type."""

    type = fields.String(validate=_NAME)


class StatePageSchema(Schema):
    twin_id = fields.String()
    revision = fields.Integer()
    entities = fields.List(fields.Dict())
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class ScenarioWriteSchema(RequestSchema):
    """A scenario: ``duration`` steps (at most 10,000), a ``seed``, and events (see the event types)."""

    name = fields.String(required=True, validate=_NAME)
    description = fields.String(validate=_TEXT)
    scenario_type = fields.String(validate=_NAME)
    duration = fields.Raw(required=True)
    seed = fields.Raw()
    demand_noise = fields.Raw()
    events = fields.List(fields.Raw(), load_default=list)


class ScenarioSchema(Schema):
    id = fields.String()
    twin_id = fields.String()
    name = fields.String()
    definition = fields.Dict()
    created_at = fields.DateTime()


class RunSummarySchema(Schema):
    """A run in a list."""

    id = fields.String()
    twin_id = fields.String()
    twin_revision = fields.Integer()
    kind = fields.String()
    scenario_id = fields.String(allow_none=True)
    scenario_name = fields.Function(lambda run: run.scenario.get("name"))
    job_id = fields.String(allow_none=True)
    seed = fields.Integer()
    duration = fields.Integer()
    stability_score = fields.Function(lambda run: run.metrics.get("stability_score"))
    bottleneck_count = fields.Function(lambda run: run.metrics.get("bottleneck_count"))
    timeline_bytes = fields.Integer()
    simulation_seconds = fields.Float()
    created_at = fields.DateTime()


class RunSchema(RunSummarySchema):
    """A run with its scenario, metrics, event log and (for a what-if) the changes and difference."""

    scenario = fields.Dict()
    metrics = fields.Dict()
    event_log = fields.List(fields.Dict())
    whatif = fields.Dict(allow_none=True)


class RunPageSchema(Schema):
    items = fields.List(fields.Nested(RunSummarySchema))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class TimelineQuerySchema(RequestSchema):
    """Which entities (comma-separated uris; default the first 1,000) and steps (inclusive)."""

    entities = fields.String(validate=validate.Length(min=1, max=200_000))
    from_step = fields.Integer(data_key="from", validate=validate.Range(min=0))
    to_step = fields.Integer(data_key="to", validate=validate.Range(min=0))


class TimelineSchema(Schema):
    run_id = fields.String()
    from_step = fields.Integer(data_key="from", attribute="from")
    to_step = fields.Integer(data_key="to", attribute="to")
    steps = fields.List(fields.Integer())
    entities = fields.List(fields.Dict())


class CompareSchema(Schema):
    run_a = fields.String()
    run_b = fields.String()
    difference = fields.Dict()


class _ScenarioChoice(RequestSchema):
    """A stored scenario (``scenario_id``) or an inline one (``scenario``): exactly one."""

    scenario_id = fields.String(validate=_ID)
    scenario = fields.Dict(keys=fields.String())
    context = fields.Dict(keys=fields.String(), load_default=dict)


class TwinEnqueueSchema(_ScenarioChoice):
    """A simulation to queue: the twin and its scenario."""

    twin_id = fields.String(required=True, validate=_ID)


class RunScenarioSchema(RequestSchema):
    """The input context of a stored scenario's run."""

    context = fields.Dict(keys=fields.String(), load_default=dict)


class WhatIfSchema(_ScenarioChoice):
    """Changes to try on a copy of the twin, and the scenario to run against both."""

    changes = fields.List(
        fields.Dict(keys=fields.String()), required=True, validate=validate.Length(max=10_000)
    )
