"""A twin from an ontology in Turtle or RDF/XML, read with rdflib.

- Classes (``owl:Class``, ``rdfs:Class``, either side of ``rdfs:subClassOf``) become entities of type
  ``class``; individuals (subjects typed with any other class) become entities whose type is their
  class's local name. Entity uris are the IRIs; labels come from ``rdfs:label`` (else the local name).
- A triple between two entities becomes a relationship typed by the predicate's local name in snake case
  (object properties; ``ex:dependsOn`` gives ``depends_on``); ``rdfs:subClassOf`` gives ``subclass_of``
  and an individual's class ``instance_of``.
- A triple with a literal object is a datatype property: it goes into ``properties`` by the predicate's
  local name, except ``capacity``, ``utilization``, ``status`` and ``available``, which set the state.
- Relative IRIs resolve against ``https://mimir.invalid/``. Blank nodes (OWL restrictions and the like)
  are skipped. RDF that does not parse is refused (400).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from shared.errors import InvalidInput, Unparseable
from shared.twins.model import Twin
from shared.twins.validation import parse_twin

# Relative IRIs resolve against this, not against the server's working directory (rdflib's default).
RELATIVE_BASE = "https://mimir.invalid/"
FORMATS = {"turtle": "turtle", "ttl": "turtle", "rdfxml": "xml", "rdf/xml": "xml", "xml": "xml"}
_CLASS_TYPES = {OWL.Class, RDFS.Class}
_SCHEMA_TYPES = {
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.Ontology,
    OWL.NamedIndividual,
    RDF.Property,
    OWL.TransitiveProperty,
    OWL.FunctionalProperty,
    OWL.Restriction,
}
_SPECIAL_RELATIONSHIPS = {str(RDFS.subClassOf): "subclass_of", str(RDF.type): "instance_of"}
_STATE_PROPERTIES = ("capacity", "utilization", "status", "available")


def twin_from_rdf(
    text: str,
    *,
    name: str,
    rdf_format: str = "turtle",
    description: str = "",
    model_type: str = "organization",
) -> Twin:
    """A checked twin from ``text`` in ``rdf_format`` (``turtle`` or ``rdfxml``)."""
    graph = _parse(text, rdf_format)
    classes = {s for t in _CLASS_TYPES for s in graph.subjects(RDF.type, t) if isinstance(s, URIRef)}
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        classes |= {node for node in (sub, sup) if isinstance(node, URIRef)}
    individuals: dict[URIRef, URIRef | None] = {}
    for subject, cls in graph.subject_objects(RDF.type):
        if isinstance(subject, URIRef) and subject not in classes and cls not in _CLASS_TYPES:
            if cls not in _SCHEMA_TYPES and isinstance(cls, URIRef):
                individuals[subject] = cls
            elif cls == OWL.NamedIndividual:
                individuals.setdefault(subject, None)
    entities: dict[URIRef, dict[str, Any]] = {}
    for class_node in sorted(classes):
        entities[class_node] = _entity(graph, class_node, "class")
    for individual, of_class in sorted(individuals.items()):
        kind = _local(of_class) if of_class is not None else "individual"
        entities[individual] = _entity(graph, individual, kind)
    relationships = []
    for subject, predicate, obj in sorted(graph, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        if subject not in entities or obj not in entities or predicate == RDF.type and obj in _CLASS_TYPES:
            continue
        relationship_type = _SPECIAL_RELATIONSHIPS.get(str(predicate)) or _snake(_local(predicate))
        relationships.append({"source_uri": str(subject), "target_uri": str(obj), "type": relationship_type})
    data = {
        "name": name,
        "description": description,
        "model_type": model_type,
        "entities": list(entities.values()),
        "relationships": relationships,
    }
    return parse_twin(data)


def _parse(text: str, rdf_format: str) -> Graph:
    chosen = FORMATS.get(rdf_format.lower())
    if chosen is None:
        raise InvalidInput.at("format", f"unknown RDF format {rdf_format!r} (known: turtle, rdfxml)")
    graph = Graph()
    try:
        graph.parse(data=text, format=chosen, publicID=RELATIVE_BASE)
    except Exception as exc:  # rdflib raises a different class per parser and per error; all mean "bad RDF"
        detail = " ".join(str(exc).split())[:500] or type(exc).__name__
        raise Unparseable.at("ontology", f"does not parse as {rdf_format}: {detail}") from exc
    return graph


def _entity(graph: Graph, node: URIRef, kind: str) -> dict[str, Any]:
    label = graph.value(node, RDFS.label)
    properties: dict[str, Any] = {}
    state: dict[str, Any] = {}
    for predicate, obj in graph.predicate_objects(node):
        if not isinstance(obj, Literal) or predicate == RDFS.label or isinstance(predicate, BNode):
            continue
        key = _local(predicate)
        value = obj.toPython()
        if isinstance(value, Decimal):  # xsd:decimal, and Turtle's plain "40.0"
            value = float(value)
        if key in _STATE_PROPERTIES:
            state[key] = value
            continue
        value = value if isinstance(value, str | int | float | bool) else str(value)
        if key in properties:
            existing = properties[key]
            properties[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            properties[key] = value
    entity: dict[str, Any] = {"uri": str(node), "type": kind, "label": str(label) if label else _local(node)}
    if properties:
        entity["properties"] = properties
    if state:
        entity["state"] = state
    return entity


def _snake(name: str) -> str:
    """``dependsOn`` -> ``depends_on``, so ontology names meet the engine's relationship types."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _local(node: Any) -> str:
    text = str(node)
    for separator in ("#", "/", ":"):
        if separator in text:
            tail = text.rsplit(separator, 1)[1]
            if tail:
                return tail
    return text
