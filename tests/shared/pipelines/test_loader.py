from __future__ import annotations

import pytest

from shared.errors import InvalidInput, PayloadTooLarge
from shared.pipelines.loader import parse_yaml, pipeline_mappings


def test_single_pipeline_shape_gives_one_mapping() -> None:
    document = parse_yaml("name: a\nsteps: []\n")
    assert pipeline_mappings(document) == [("pipeline", {"name": "a", "steps": []})]


def test_pipelines_list_shape_gives_each_pipeline_with_its_location() -> None:
    document = parse_yaml("pipelines:\n  - name: a\n  - name: b\n")
    assert [loc for loc, _ in pipeline_mappings(document)] == ["pipelines[0]", "pipelines[1]"]


def test_broken_yaml_is_refused_with_line_and_column() -> None:
    with pytest.raises(InvalidInput, match=r"line 3, column 4"):
        parse_yaml("name: a\nsteps: [a, b\nfoo: : :\n")


def test_python_tags_are_refused_by_the_safe_loader() -> None:
    with pytest.raises(InvalidInput, match="does not parse"):
        parse_yaml("name: !!python/object/apply:os.system ['echo hi']\n")


def test_alias_bomb_is_refused_before_it_expands() -> None:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        refs = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"l{level}: &l{level} [{refs}]")
    with pytest.raises(PayloadTooLarge, match="alias bomb"):
        parse_yaml("\n".join(lines) + "\n")


def test_oversized_yaml_is_refused() -> None:
    with pytest.raises(PayloadTooLarge):
        parse_yaml("x: " + "a" * 2000, max_bytes=1000)


def test_empty_document_is_refused() -> None:
    with pytest.raises(InvalidInput, match="empty"):
        parse_yaml("# nothing\n")


def test_a_list_at_the_top_is_refused_with_the_accepted_shapes() -> None:
    with pytest.raises(InvalidInput, match="'pipelines: \\[...\\]'"):
        pipeline_mappings(parse_yaml("- a\n- b\n"))


def test_unquoted_dates_and_timestamps_become_iso_text() -> None:
    document = parse_yaml("day: 2024-01-02\nat: 2024-01-02T03:04:05Z\nlocal: 2001-12-14 21:59:43.10 -5\n")
    assert document == {
        "day": "2024-01-02",
        "at": "2024-01-02T03:04:05+00:00",
        "local": "2001-12-14T21:59:43.100000-05:00",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: a\nblob: !!binary aGVsbG8=\n", r"line 2, column 7: !!binary values are not supported"),
        ("name: a\ntags: !!set {x, y}\n", r"line 2, column 7: !!set values are not supported"),
        ("name: a\nbig: " + "9" * 5000 + "\n", r"line 2, column 6: an integer with 5000 digits is too large"),
    ],
)
def test_values_no_json_column_holds_are_refused_naming_their_line(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        parse_yaml(text)
    assert caught.value.errors[0]["location"].startswith("pipeline YAML line 2")
