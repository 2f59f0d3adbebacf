"""A twin's structure without a scenario: its critical entities and single points of failure (networkx).

The graph is the flow graph of ``arrays.py``: an edge j -> i when trouble at j reaches i (``A depends_on B``
gives B -> A; ``A supplies B`` gives A -> B).
- ``betweenness``: networkx's betweenness centrality on that graph; exact up to
  :data:`EXACT_BETWEENNESS_UP_TO` entities, beyond that estimated from a fixed-seed sample of sources
  sized to a bounded amount of work (so the answer is the same every time).
- ``dependents``: in-degree over ``depends_on`` (how many entities depend on this one directly).
- ``reach``: how many entities trouble at this one can reach (its descendants), for the critical ones.
- single points of failure: an entity that is the only source of flow into some other entity (that one
  has nowhere else to turn), and the articulation points of the undirected graph (removing one splits it).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx

from shared.twins.arrays import REVERSED_TYPES
from shared.twins.model import Twin

EXACT_BETWEENNESS_UP_TO = 2_000
BETWEENNESS_WORK = 2_000_000  # sampled sources x (nodes + edges) beyond the exact size
TOP = 10
MAX_LISTED = 50


def analyse(twin: Twin) -> dict[str, Any]:
    """Critical entities, single points of failure and the graph's size for ``twin``."""
    graph = flow_graph(twin)
    n, m = graph.number_of_nodes(), graph.number_of_edges()
    sample = None if n <= EXACT_BETWEENNESS_UP_TO else min(n, max(8, BETWEENNESS_WORK // (n + m)))
    betweenness = nx.betweenness_centrality(graph, k=sample, seed=0, normalized=True) if n else {}
    dependents = Counter(
        r.target_uri for r in twin.relationships if r.type == "depends_on" and r.source_uri != r.target_uri
    )
    labels = {e.uri: e.label for e in twin.entities}
    ranked = sorted(graph.nodes, key=lambda u: (-betweenness.get(u, 0.0), -dependents[u], u))[:TOP]
    sole = Counter(next(iter(graph.predecessors(node))) for node in graph.nodes if graph.in_degree(node) == 1)
    articulation = sorted(nx.articulation_points(graph.to_undirected(as_view=True)))
    return {
        "entities": n,
        "flow_edges": m,
        "betweenness_sampled_sources": sample,
        "critical_entities": [
            {
                "uri": uri,
                "label": labels[uri],
                "betweenness": round(betweenness.get(uri, 0.0), 6),
                "dependents": dependents[uri],
                "reach": len(nx.descendants(graph, uri)),
            }
            for uri in ranked
        ],
        "most_depended_on": [
            {"uri": uri, "label": labels[uri], "dependents": count}
            for uri, count in sorted(dependents.items(), key=lambda item: (-item[1], item[0]))[:TOP]
        ],
        "single_points_of_failure": [
            {"uri": uri, "label": labels[uri], "sole_source_for": count}
            for uri, count in sorted(sole.items(), key=lambda item: (-item[1], item[0]))[:MAX_LISTED]
        ],
        "articulation_points": articulation[:MAX_LISTED],
        "articulation_point_count": len(articulation),
    }


def flow_graph(twin: Twin) -> nx.DiGraph:
    """The twin as a directed graph along which trouble flows."""
    graph = nx.DiGraph()
    graph.add_nodes_from(e.uri for e in twin.entities)
    graph.add_edges_from(
        (r.target_uri, r.source_uri) if r.type in REVERSED_TYPES else (r.source_uri, r.target_uri)
        for r in twin.relationships
        if r.source_uri != r.target_uri
    )
    return graph
