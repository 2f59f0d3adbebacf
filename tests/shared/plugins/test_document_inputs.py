from __future__ import annotations

from pathlib import Path

import pytest

from shared.errors import PluginError
from tests.shared.plugins.steps import run_step

MARKDOWN = """# Quarterly report

Intro with a [link](https://example.com/a "title") and [another](docs/b.md).

## Figures

| region | amount |
|--------|-------:|
| north  | 10     |
| south  | 2.5    |

Trailing text.
"""


def test_markdown_gives_title_headings_tables_and_links(tmp_path: Path) -> None:
    (tmp_path / "report.md").write_text(MARKDOWN)
    document = run_step("Input.markdown", {"file_path": "report.md"}, data_dir=tmp_path)
    assert document["title"] == "Quarterly report"
    assert document["headings"] == [
        {"level": 1, "text": "Quarterly report"},
        {"level": 2, "text": "Figures"},
    ]
    assert document["tables"] == [
        {
            "columns": ["region", "amount"],
            "rows": [{"region": "north", "amount": 10}, {"region": "south", "amount": 2.5}],
        }
    ]
    assert document["links"] == [
        {"text": "link", "url": "https://example.com/a"},
        {"text": "another", "url": "docs/b.md"},
    ]
    assert document["text"] == MARKDOWN


XML = """<?xml version="1.0"?>
<catalog updated="2026-11-01">
  <book id="1"><title>Dune</title><price>9.99</price></book>
  <book id="2"><title>Emma</title><price>4</price></book>
</catalog>
"""


def test_xml_as_a_tree_and_as_records(tmp_path: Path) -> None:
    (tmp_path / "catalog.xml").write_text(XML)
    tree = run_step("Input.xml", {"file_path": "catalog.xml"}, data_dir=tmp_path)
    assert tree["tag"] == "catalog"
    assert tree["attributes"] == {"updated": "2026-11-01"}
    assert [child["attributes"]["id"] for child in tree["children"]] == ["1", "2"]
    table = run_step("Input.xml", {"file_path": "catalog.xml", "record_tag": "book"}, data_dir=tmp_path)
    assert table == {
        "columns": ["@id", "title", "price"],
        "rows": [{"@id": 1, "title": "Dune", "price": 9.99}, {"@id": 2, "title": "Emma", "price": 4}],
    }


def test_xml_with_entity_declarations_is_refused() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><l>&b;</l>'
    with pytest.raises(PluginError, match="DOCTYPE or ENTITY declaration is refused"):
        run_step("Input.xml", {"content": bomb})


def test_malformed_xml_says_where() -> None:
    with pytest.raises(PluginError, match="not well-formed XML: .*line 1"):
        run_step("Input.xml", {"content": "<a><b></a>"})
