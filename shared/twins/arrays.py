"""A twin as arrays: entity index, base capacity and load as NumPy vectors, and one SciPy sparse matrix per
relationship type saying how an effect flows (the engine never loops over entities in Python).

Direction of flow: an effect travels to the entities that rely on the affected one. Across ``depends_on``
(``A depends_on B``) it flows from B to A; across every other type (``A supplies B``, ``A manages B``) from
source to target. Matrix entry ``[i, j]`` is the strength with which an effect at ``j`` reaches ``i``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from shared.twins.model import EntityStatus, Twin

REVERSED_TYPES = frozenset({"depends_on"})


@dataclass
class TwinArrays:
    """The numeric form of one twin revision."""

    uris: list[str]
    labels: list[str]
    types: np.ndarray  # entity type index per entity
    type_names: list[str]
    capacity: np.ndarray  # float64
    base_load: np.ndarray  # float64, utilization x capacity
    down: np.ndarray  # float64, 1 where the base state is unavailable
    failed: np.ndarray  # float64, 1 where the base state is failed
    metrics: dict[str, np.ndarray]
    flows: dict[str, sp.csr_matrix]
    _combined: dict[tuple[str, ...], sp.csr_matrix] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.uris)

    def index_of(self) -> dict[str, int]:
        """uri -> position."""
        return {uri: i for i, uri in enumerate(self.uris)}

    def flow(self, relationship_types: tuple[str, ...]) -> sp.csr_matrix:
        """The summed flow matrix over ``relationship_types`` (every type when empty), built once."""
        key = tuple(sorted(set(relationship_types))) or tuple(sorted(self.flows))
        matrix = self._combined.get(key)
        if matrix is None:
            n = self.size
            matrix = sp.csr_matrix((n, n), dtype=np.float64)
            for name in key:
                if name in self.flows:
                    matrix = matrix + self.flows[name]
            matrix = sp.csr_matrix(matrix)
            self._combined[key] = matrix
        return matrix


def twin_arrays(twin: Twin) -> TwinArrays:
    """The arrays of ``twin`` (which must have passed validation)."""
    entities = twin.entities
    n = len(entities)
    index = {e.uri: i for i, e in enumerate(entities)}
    type_names = sorted({e.type for e in entities})
    type_index = {name: i for i, name in enumerate(type_names)}
    capacity = np.fromiter((e.state.capacity for e in entities), dtype=np.float64, count=n)
    utilization = np.fromiter((e.state.utilization for e in entities), dtype=np.float64, count=n)
    down = np.fromiter(
        (not e.state.available or e.state.status == EntityStatus.UNAVAILABLE for e in entities),
        dtype=np.float64,
        count=n,
    )
    failed = np.fromiter((e.state.status == EntityStatus.FAILED for e in entities), dtype=np.float64, count=n)
    metric_names = sorted({name for e in entities for name in e.state.metrics})
    metrics = {
        name: np.fromiter((e.state.metrics.get(name, 0.0) for e in entities), dtype=np.float64, count=n)
        for name in metric_names
    }
    return TwinArrays(
        uris=[e.uri for e in entities],
        labels=[e.label for e in entities],
        types=np.fromiter((type_index[e.type] for e in entities), dtype=np.int32, count=n),
        type_names=type_names,
        capacity=capacity,
        base_load=utilization * capacity,
        down=down,
        failed=failed,
        metrics=metrics,
        flows=_flow_matrices(twin, index, n),
    )


def _flow_matrices(twin: Twin, index: dict[str, int], n: int) -> dict[str, sp.csr_matrix]:
    rels = twin.relationships
    m = len(rels)
    type_names = sorted({r.type for r in rels})
    type_index = {name: i for i, name in enumerate(type_names)}
    sources = np.fromiter((index[r.source_uri] for r in rels), dtype=np.int64, count=m)
    targets = np.fromiter((index[r.target_uri] for r in rels), dtype=np.int64, count=m)
    strengths = np.fromiter((r.strength for r in rels), dtype=np.float64, count=m)
    kinds = np.fromiter((type_index[r.type] for r in rels), dtype=np.int32, count=m)
    flows = {}
    for number, name in enumerate(type_names):
        chosen = kinds == number
        # Matrix rows are where an effect arrives; depends_on carries it from target to source.
        rows, cols = (sources, targets) if name in REVERSED_TYPES else (targets, sources)
        # coo -> csr sums duplicates, so two parallel relationships carry twice the effect (documented).
        flows[name] = sp.csr_matrix((strengths[chosen], (rows[chosen], cols[chosen])), shape=(n, n))
    return flows
