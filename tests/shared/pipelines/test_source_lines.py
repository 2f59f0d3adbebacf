"""Locating a validator path (``pipeline.steps[1].config.input``) in the YAML text it came from."""

from __future__ import annotations

from shared.pipelines.source_lines import SourcePosition, parse_error_position, position_of

TEXT = """name: sales
steps:
  - name: read
    plugin: Input.csv
    config: {file_path: sales.csv}
  - name: totals
    plugn: Data_Processing.transform
    config:
      input: salez
"""


def test_a_nested_field_is_found_at_its_key() -> None:
    assert position_of(TEXT, "pipeline.steps[1].config.input") == SourcePosition(9, 7)


def test_an_unknown_field_points_at_the_typo() -> None:
    assert position_of(TEXT, "pipeline.steps[1].plugn") == SourcePosition(7, 5)


def test_a_missing_field_points_at_the_mapping_that_lacks_it() -> None:
    assert position_of(TEXT, "pipeline.steps[1].plugin") == SourcePosition(6, 5)


def test_the_pipelines_list_shape_is_walked_from_the_document() -> None:
    text = "pipelines:\n  - name: a\n    steps: []\n"
    assert position_of(text, "pipelines[0].steps") == SourcePosition(3, 5)


def test_text_that_does_not_parse_has_no_position() -> None:
    assert position_of("steps: [", "pipeline.steps") is None


def test_a_parse_message_gives_its_line_and_column() -> None:
    message = "pipeline YAML does not parse: expected ',' or ']' at line 3, column 1"
    assert parse_error_position(message) == SourcePosition(3, 1)
    assert parse_error_position("pipeline YAML is empty") is None
