from __future__ import annotations

import csv
import json
import os
import stat
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

from shared.errors import PluginError
from tests.shared.plugins.steps import run_step

TABLE = {
    "columns": ["region", "total"],
    "rows": [{"region": "north", "total": 12.5}, {"region": "<south>", "total": 5}],
}


def write(key: str, out: Path, file_path: str, **config: object) -> dict[str, object]:
    result = run_step(
        key,
        {"input": "totals", "file_path": file_path, **config},
        output_dir=out,
        values={"totals": TABLE},
    )
    assert isinstance(result, dict)
    return result


def test_json_output_writes_the_value_or_only_its_records(tmp_path: Path) -> None:
    result = write("Output.json", tmp_path, "reports/totals.json")
    assert result["rows"] == 2 and result["path"] == str(tmp_path / "reports" / "totals.json")
    assert json.loads((tmp_path / "reports" / "totals.json").read_text()) == TABLE
    write("Output.json", tmp_path, "records.json", records=True, indent=0)
    assert json.loads((tmp_path / "records.json").read_text()) == TABLE["rows"]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_csv_output_round_trips_through_csv_input(tmp_path: Path) -> None:
    write("Output.csv", tmp_path, "totals.csv")
    with (tmp_path / "totals.csv").open(newline="") as handle:
        assert list(csv.reader(handle)) == [["region", "total"], ["north", "12.5"], ["<south>", "5"]]
    assert run_step("Input.csv", {"file_path": "totals.csv"}, data_dir=tmp_path) == TABLE


def test_excel_output_round_trips_through_excel_input(tmp_path: Path) -> None:
    write("Output.excel", tmp_path, "totals.xlsx", sheet_name="Totals")
    workbook = openpyxl.load_workbook(tmp_path / "totals.xlsx")
    assert workbook.sheetnames == ["Totals"]
    assert workbook["Totals"]["A1"].font.bold is True
    assert run_step("Input.excel", {"file_path": "totals.xlsx"}, data_dir=tmp_path) == TABLE


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.title = ""
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self._in = tag

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in in ("td", "th"):
            self.cells.append(data)
        elif self._in == "title":
            self.title += data


def test_html_report_is_a_real_escaped_page(tmp_path: Path) -> None:
    write("Output.html", tmp_path, "report.html", title="Totals & more")
    page = (tmp_path / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "<south>" not in page and "&lt;south&gt;" in page
    parser = _Cells()
    parser.feed(page)
    assert parser.title == "Totals & more"
    assert {"region", "total", "north", "12.5", "<south>", "5"} <= set(parser.cells)


def test_outputs_refuse_to_write_outside_the_output_directory(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(PluginError, match="outside the allowed directories"):
        write("Output.json", out, "../escape.json")
    with pytest.raises(PluginError, match="outside the allowed directories"):
        write("Output.csv", out, "/tmp/escape.csv")
    assert not (tmp_path / "escape.json").exists()


@pytest.mark.parametrize("attempt", ["../x.json", "sub/../../x.json", "sub/../x.json", "/tmp/x.json"])
def test_outputs_refuse_every_climbing_or_foreign_path(tmp_path: Path, attempt: str) -> None:
    out = tmp_path / "out"
    with pytest.raises(PluginError, match="outside the allowed directories"):
        write("Output.json", out, attempt)


FORMULAS = {
    "columns": ["name", "amount"],
    "rows": [
        {"name": '=HYPERLINK("http://x")', "amount": -5},
        {"name": "+1+2", "amount": "-3"},
        {"name": "@SUM(A1)", "amount": "-cmd"},
        {"name": "plain", "amount": 1},
    ],
}


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(newline="") as handle:
        return list(csv.reader(handle))


def test_csv_output_escapes_cells_a_spreadsheet_would_run_as_formulas(tmp_path: Path) -> None:
    run_step("Output.csv", {"input": "t", "file_path": "f.csv"}, output_dir=tmp_path, values={"t": FORMULAS})
    assert _csv_rows(tmp_path / "f.csv")[1:] == [
        ['\'=HYPERLINK("http://x")', "-5"],
        ["'+1+2", "-3"],
        ["'@SUM(A1)", "'-cmd"],
        ["plain", "1"],
    ]


def test_csv_output_writes_formulas_as_they_are_when_escaping_is_turned_off(tmp_path: Path) -> None:
    config = {"input": "t", "file_path": "f.csv", "escape_formulas": False}
    run_step("Output.csv", config, output_dir=tmp_path, values={"t": FORMULAS})
    assert _csv_rows(tmp_path / "f.csv")[1][0] == '=HYPERLINK("http://x")'


def test_output_files_get_the_mode_the_process_umask_gives(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write("Output.json", tmp_path, "report.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "report.json").stat().st_mode) == 0o644


def test_a_symlinked_folder_in_the_output_directory_cannot_lead_writes_into_the_data_directory(
    tmp_path: Path,
) -> None:
    out, files = tmp_path / "out", tmp_path / "files"
    out.mkdir()
    files.mkdir()
    (out / "sub").symlink_to(files, target_is_directory=True)
    with pytest.raises(PluginError, match="outside the allowed directories"):
        run_step(
            "Output.json",
            {"input": "t", "file_path": "sub/planted.json"},
            data_dir=files,
            output_dir=out,
            values={"t": TABLE},
        )
    assert list(files.iterdir()) == []
