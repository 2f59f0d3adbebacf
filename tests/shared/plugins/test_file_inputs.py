from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from shared.errors import PluginError
from tests.shared.plugins.steps import config_problems, run_step


def test_csv_reads_a_file_and_infers_types(tmp_path: Path) -> None:
    (tmp_path / "sales.csv").write_text("region, amount,paid,note\nnorth,10,true,\nsouth,2.5,false,x y\n")
    table = run_step("Input.csv", {"file_path": "sales.csv"}, data_dir=tmp_path)
    assert table == {
        "columns": ["region", "amount", "paid", "note"],
        "rows": [
            {"region": "north", "amount": 10, "paid": True, "note": None},
            {"region": "south", "amount": 2.5, "paid": False, "note": "x y"},
        ],
    }


def test_csv_without_header_names_columns_and_can_keep_text(tmp_path: Path) -> None:
    table = run_step(
        "Input.csv",
        {"content": "1;a\n2;b\n", "delimiter": ";", "has_header": False, "infer_types": False},
        data_dir=tmp_path,
    )
    assert table["columns"] == ["col_1", "col_2"]
    assert table["rows"][1] == {"col_1": "2", "col_2": "b"}


def test_csv_row_with_too_many_fields_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n1,2,3\n")
    with pytest.raises(PluginError, match="line 3: 3 fields but 2 columns"):
        run_step("Input.csv", {"file_path": "bad.csv"}, data_dir=tmp_path)


def test_csv_needs_exactly_one_source() -> None:
    assert config_problems("Input.csv", {}) != []
    assert config_problems("Input.csv", {"file_path": "a.csv", "content": "x"}) != []
    assert config_problems("Input.csv", {"file_path": "a.csv", "delimeter": ";"}) == [
        "config: Additional properties are not allowed ('delimeter' was unexpected)"
    ]


def test_file_inputs_refuse_paths_outside_the_data_directories(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (tmp_path / "secret.csv").write_text("a\n1\n")
    with pytest.raises(PluginError, match="outside the allowed directories"):
        run_step("Input.csv", {"file_path": "../secret.csv"}, data_dir=data)
    with pytest.raises(PluginError, match="outside the allowed directories"):
        run_step("Input.csv", {"file_path": str(tmp_path / "secret.csv")}, data_dir=data)
    os.symlink(tmp_path / "secret.csv", data / "link.csv")
    with pytest.raises(PluginError, match="outside the allowed directories"):
        run_step("Input.csv", {"file_path": "link.csv"}, data_dir=data)
    with pytest.raises(PluginError, match="no such file"):
        run_step("Input.csv", {"file_path": "missing.csv"}, data_dir=data)


def _traversal_attempts(tmp_path: Path, data: Path) -> list[str]:
    (tmp_path / "secret.csv").write_text("a\n1\n")
    (data / "sub").mkdir()
    (data / "inside.csv").write_text("a\n2\n")
    os.symlink(tmp_path, data / "escape-dir")
    os.symlink(tmp_path / "secret.csv", data / "sub" / "deep-link.csv")
    return [
        "../secret.csv",
        "sub/../../secret.csv",
        "sub/../inside.csv",  # stays inside once resolved, but climbing is refused outright
        "./../secret.csv",
        str(data / ".." / "secret.csv"),
        str(tmp_path / "secret.csv"),
        "/etc/passwd",
        "escape-dir/secret.csv",
        "sub/deep-link.csv",
        f"{data}/escape-dir/secret.csv",
    ]


@pytest.mark.parametrize("plugin", ["Input.csv", "Input.json"])
def test_no_traversal_attempt_reads_outside_the_data_directory(tmp_path: Path, plugin: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for attempt in _traversal_attempts(tmp_path, data):
        with pytest.raises(PluginError, match="outside the allowed directories"):
            run_step(plugin, {"file_path": attempt}, data_dir=data)
    with pytest.raises(PluginError, match="not a valid path"):
        run_step(plugin, {"file_path": "inside.csv\x00.txt"}, data_dir=data)
    assert run_step("Input.csv", {"file_path": str(data / "inside.csv")}, data_dir=data)["rows"] == [{"a": 2}]


def test_file_inputs_refuse_to_read_when_no_directory_is_configured() -> None:
    with pytest.raises(PluginError, match="no data directory is configured"):
        run_step("Input.csv", {"file_path": "/etc/passwd"})


def test_json_list_of_objects_becomes_a_table_and_records_path_digs_in(tmp_path: Path) -> None:
    document = {"data": {"items": [{"id": 1, "tags": ["a"]}, {"id": 2, "extra": True}]}}
    (tmp_path / "doc.json").write_text(json.dumps(document))
    table = run_step("Input.json", {"file_path": "doc.json", "records_path": "data.items"}, data_dir=tmp_path)
    assert table["columns"] == ["id", "tags", "extra"]
    assert table["rows"][0] == {"id": 1, "tags": ["a"]}
    assert run_step("Input.json", {"file_path": "doc.json"}, data_dir=tmp_path) == document


def test_json_errors_say_where(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"a": 1,\n "b": }')
    with pytest.raises(PluginError, match="line 2, column 7"):
        run_step("Input.json", {"file_path": "broken.json"}, data_dir=tmp_path)
    with pytest.raises(PluginError, match="records_path: no part 'nope'"):
        run_step("Input.json", {"content": "{}", "records_path": "nope"})


def test_text_that_is_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "latin.csv").write_bytes("name\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(PluginError, match="not valid utf-8 text"):
        run_step("Input.csv", {"file_path": "latin.csv"}, data_dir=tmp_path)
    table = run_step("Input.csv", {"file_path": "latin.csv", "encoding": "latin-1"}, data_dir=tmp_path)
    assert table["rows"] == [{"name": "café"}]


def test_excel_reads_a_named_sheet_with_dates_as_iso(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["ignored"])
    sheet = workbook.create_sheet("orders")
    sheet.append(["id", "day", "total"])
    sheet.append([1, date(2026, 1, 31), 9.5])
    sheet.append([None, None, None])
    sheet.append([2, None, 3])
    workbook.save(tmp_path / "book.xlsx")
    table = run_step("Input.excel", {"file_path": "book.xlsx", "sheet": "orders"}, data_dir=tmp_path)
    assert table == {
        "columns": ["id", "day", "total"],
        "rows": [
            {"id": 1, "day": "2026-01-31T00:00:00", "total": 9.5},
            {"id": 2, "day": None, "total": 3},
        ],
    }
    with pytest.raises(PluginError, match="no sheet 'nope' \\(sheets: Sheet, orders\\)"):
        run_step("Input.excel", {"file_path": "book.xlsx", "sheet": "nope"}, data_dir=tmp_path)


def test_excel_refuses_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    (tmp_path / "fake.xlsx").write_text("not a zip")
    with pytest.raises(PluginError, match="not a readable .xlsx workbook"):
        run_step("Input.excel", {"file_path": "fake.xlsx"}, data_dir=tmp_path)
