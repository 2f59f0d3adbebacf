from __future__ import annotations

import pytest

from shared.errors import PluginError
from shared.pipelines.templating import referenced_keys, render


def test_a_whole_reference_keeps_the_value_type() -> None:
    assert render({"n": "{{ count }}"}, {"count": 3}) == {"n": 3}


def test_references_inside_text_are_interpolated() -> None:
    assert render("out/{{ name }}-{{ n }}.json", {"name": "a", "n": 2}) == "out/a-2.json"


def test_paths_walk_fields_and_list_indexes() -> None:
    context = {"t": {"rows": [{"id": 7}]}}
    assert render("{{ t.rows.0.id }}", context) == 7


def test_unknown_key_is_an_error_naming_the_location() -> None:
    with pytest.raises(PluginError, match=r"steps\[0\].config.path: .*unknown context key 'x'"):
        render({"path": "{{ x }}"}, {}, "steps[0].config")


def test_missing_part_is_an_error() -> None:
    with pytest.raises(PluginError, match="no part 'nope'"):
        render("{{ a.nope }}", {"a": {"b": 1}})


def test_referenced_keys_lists_every_reference_with_its_location() -> None:
    found = list(referenced_keys({"a": ["{{ x }}", {"b": "{{ y.z }}"}]}))
    assert found == [("config.a[0]", "x"), ("config.a[1].b", "y")]
