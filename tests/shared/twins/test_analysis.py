"""Structure analysis without a scenario (networkx)."""

from __future__ import annotations

from shared.twins.analysis import analyse
from tests.shared.twins.builders import entity, link, twin


def _star():
    # A and B each depend only on hub H; C depends on H and on backup K.
    return twin(
        entity("H", 1, 0),
        entity("K", 1, 0),
        entity("A", 1, 0),
        entity("B", 1, 0),
        entity("C", 1, 0),
        entity("X", 1, 0),
        links=(
            link("A", "H", "depends_on"),
            link("B", "H", "depends_on"),
            link("C", "H", "depends_on"),
            link("C", "K", "depends_on"),
            link("X", "A", "depends_on"),
        ),
    )


def test_the_most_depended_on_entity_leads_the_list() -> None:
    report = analyse(_star())
    assert report["most_depended_on"][0] == {"uri": "H", "label": "H", "dependents": 3}


def test_betweenness_ranks_the_entity_trouble_passes_through() -> None:
    # Trouble at H reaches X only through A, so A lies on the most paths.
    report = analyse(_star())
    assert report["critical_entities"][0]["uri"] == "A"
    assert report["critical_entities"][1]["uri"] == "H"
    assert report["critical_entities"][1]["reach"] == 4


def test_single_points_of_failure_are_sole_sources() -> None:
    report = analyse(_star())
    assert report["single_points_of_failure"] == [
        {"uri": "H", "label": "H", "sole_source_for": 2},
        {"uri": "A", "label": "A", "sole_source_for": 1},
    ]
    assert "H" in report["articulation_points"]
