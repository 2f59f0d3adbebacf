"""Twins from an ontology (Turtle, RDF/XML) and from a pipeline's tables with a column mapping."""

from __future__ import annotations

import pytest

from shared.errors import InvalidInput
from shared.twins.rdf import twin_from_rdf
from shared.twins.tabular import twin_from_tables
from shared.twins.validation import TwinValidationError

EX = "http://example.org/org#"
TURTLE = """
@prefix ex: <http://example.org/org#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Department a owl:Class ; rdfs:label "Department" .
ex:Team rdfs:subClassOf ex:Department .
ex:Supplier a owl:Class .
ex:dependsOn a owl:ObjectProperty .
ex:manages a owl:ObjectProperty .
ex:headcount a owl:DatatypeProperty .
ex:sales a ex:Department ; rdfs:label "Sales" ; ex:headcount 12 ; ex:capacity 40.0 ;
    ex:utilization 0.5 ; ex:dependsOn ex:acme .
ex:ops a ex:Team ; ex:manages ex:sales .
ex:acme a ex:Supplier, owl:NamedIndividual ; ex:capacity 100 .
"""


def test_turtle_classes_and_individuals_become_entities() -> None:
    model = twin_from_rdf(TURTLE, name="org")
    kinds = {e.uri.removeprefix(EX): e.type for e in model.entities}
    assert kinds == {
        "Department": "class",
        "Supplier": "class",
        "Team": "class",
        "sales": "Department",
        "ops": "Team",
        "acme": "Supplier",
    }


def test_turtle_object_properties_become_relationships() -> None:
    model = twin_from_rdf(TURTLE, name="org")
    edges = {
        (r.source_uri.removeprefix(EX), r.type, r.target_uri.removeprefix(EX)) for r in model.relationships
    }
    assert {
        ("sales", "depends_on", "acme"),
        ("ops", "manages", "sales"),
        ("Team", "subclass_of", "Department"),
    } <= edges
    assert ("sales", "instance_of", "Department") in edges


def test_turtle_datatype_properties_become_properties_and_state() -> None:
    sales = next(e for e in twin_from_rdf(TURTLE, name="org").entities if e.uri == EX + "sales")
    assert (sales.label, sales.properties) == ("Sales", {"headcount": 12})
    assert (sales.state.capacity, sales.state.utilization) == (40.0, 0.5)


def test_rdf_xml_is_read_too() -> None:
    xml = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:owl="http://www.w3.org/2002/07/owl#"
         xmlns:ex="http://example.org/org#">
  <owl:Class rdf:about="http://example.org/org#Machine"/>
  <ex:Machine rdf:about="http://example.org/org#press"><ex:supplies rdf:resource="http://example.org/org#line"/></ex:Machine>
  <ex:Machine rdf:about="http://example.org/org#line"/>
</rdf:RDF>"""
    model = twin_from_rdf(xml, name="plant", rdf_format="rdfxml")
    assert {(r.source_uri, r.type) for r in model.relationships if r.type == "supplies"} == {
        (EX + "press", "supplies")
    }


def test_rdf_that_does_not_parse_is_refused_with_the_parser_message() -> None:
    with pytest.raises(InvalidInput) as refused:
        twin_from_rdf("ex:a ex:b .", name="bad")
    assert "does not parse as turtle" in refused.value.message
    assert "not bound" in refused.value.message


MAPPING = {
    "entities": {
        "uri": "id",
        "type": "kind",
        "label": "name",
        "capacity": "cap",
        "utilization": "load",
        "metrics": ["cost"],
    },
    "relationships": {"source_uri": "from", "target_uri": "to", "strength": "weight"},
}


def test_tables_with_a_mapping_become_a_twin() -> None:
    entities = {
        "columns": ["id", "kind", "name", "cap", "load", "cost"],
        "rows": [
            {"id": "a", "kind": "team", "name": "Team A", "cap": 10, "load": 0.5, "cost": 3},
            {"id": "b", "kind": "team", "name": "Team B", "cap": 20, "load": 0.1, "cost": 1},
        ],
    }
    links = [{"from": "a", "to": "b", "weight": 0.7}]
    model = twin_from_tables("teams", entities, links, MAPPING)
    assert [(e.uri, e.label, e.state.capacity, e.state.metrics) for e in model.entities] == [
        ("a", "Team A", 10.0, {"cost": 3.0}),
        ("b", "Team B", 20.0, {"cost": 1.0}),
    ]
    assert [(r.type, r.strength) for r in model.relationships] == [("depends_on", 0.7)]


def test_a_mapping_naming_a_missing_column_is_refused() -> None:
    with pytest.raises(TwinValidationError) as refused:
        twin_from_tables(
            "t",
            [{"id": "a"}],
            [],
            {
                "entities": {"uri": "id", "capacity": "size"},
                "relationships": {"source_uri": "f", "target_uri": "t"},
            },
        )
    assert refused.value.problems[0].location == "mapping.entities.capacity"


def test_a_bad_row_is_named_by_its_position() -> None:
    rows = [{"id": "a", "cap": 1}, {"id": "b", "cap": -3}]
    with pytest.raises(TwinValidationError) as refused:
        twin_from_tables(
            "t",
            rows,
            None,
            {
                "entities": {"uri": "id", "capacity": "cap"},
                "relationships": {"source_uri": "f", "target_uri": "t"},
            },
        )
    assert refused.value.problems[0].location == "entities[1].state.capacity"


def test_relative_iris_resolve_against_a_fixed_base_not_the_server_directory() -> None:
    model = twin_from_rdf("@prefix : <> .\n:line :supplies :shop .\n:line a :Machine .\n", name="x")
    assert sorted(e.uri for e in model.entities) == ["https://mimir.invalid/line"]
