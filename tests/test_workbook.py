"""cases.xlsx: read back with openpyxl and converted by LibreOffice headless. Chinese intact,
numbers as numbers, dates as dates, header frozen, and text that looks like a formula stays text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from casebook.model import Casebook
from casebook.records.loader import Project, load
from casebook.site.codebook import csv_columns_doc
from casebook.site.exports import cases_json, csv_columns
from casebook.site.workbook import CASES_SHEET, FIGURES_SHEET, MAX_WIDTH, SOURCES_SHEET, cases_xlsx

from .conftest import ROOT, require_tool

CASE = "qinghe-ju-tiantian-qiaomen"
HOSTILE = {
    "title": "=1+1 敲门组的标题",
    "summary": "+1+cmd|' /C calc'!A0 这是一段摘要",
    "keyword": "@SUM(1+1)",
    "person": "-2+3",
    "district": "=2*3区",
}


def _load(root: Path) -> Casebook:
    result = load(Project(root))
    assert result.ok and result.casebook is not None, [d.text() for d in result.diagnostics]
    return result.casebook


def _edit_yaml(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def book() -> Casebook:
    return _load(ROOT)


@pytest.fixture(scope="module")
def workbook(book: Casebook, tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("xlsx") / "cases.xlsx"
    path.write_bytes(cases_xlsx(book))
    return openpyxl.load_workbook(path)


def _rows(ws: Any) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_three_sheets_with_frozen_headers_and_the_csv_columns(book: Casebook, workbook: Any) -> None:
    assert workbook.sheetnames == [CASES_SHEET, FIGURES_SHEET, SOURCES_SHEET]
    for ws in workbook:
        assert ws.freeze_panes == "A2", ws.title
        assert all(c.font.b for c in ws[1]), ws.title
    header = [c.value for c in workbook[CASES_SHEET][1]]
    assert header == [c.title for c in csv_columns_doc(book)]
    assert len(header) == len(csv_columns(book)) == len(set(header))


def test_values_are_typed_and_chinese_intact(book: Casebook, workbook: Any) -> None:
    data = {c["id"]: c for c in json.loads(cases_json(book))["cases"]}
    rows = {r["案例 id"]: r for r in _rows(workbook[CASES_SHEET])}
    assert set(rows) == set(book.cases)
    for case_id, row in rows.items():
        record = data[case_id]
        assert row["标题"] == record["title"]  # Chinese, quotes and all
        assert row["区"] == record["place"]["district"]["name"]
        assert row["年份"] == record["year"] and isinstance(row["年份"], int)
        assert row["收录日期"] == dt.datetime.fromisoformat(record["added"])  # a date, read back as datetime
        assert row["主题"] == "；".join(t["name"] for t in record["themes"])
    figures = _rows(workbook[FIGURES_SHEET])
    expected = [(c["id"], f["label"], f["value"]) for c in data.values() for f in c["figures"]]
    assert sorted((r["案例 id"], r["数字名称"], r["数值"]) for r in figures) == sorted(expected)
    assert all(isinstance(r["数值"], int | float) for r in figures)
    assert any(r["限定词"] == "余" and r["显示写法"].endswith("余" + r["单位"]) for r in figures)
    sources = _rows(workbook[SOURCES_SHEET])
    assert len(sources) == sum(len(c["sources"]) for c in data.values())
    assert all(r["著录"].endswith(".") and "[J]" in r["著录"] for r in sources)
    # Dates carry a date format, so a spreadsheet shows 2026-11-24, not a serial number.
    added = header_index(workbook[CASES_SHEET], "收录日期")
    assert workbook[CASES_SHEET].cell(2, added).number_format == "yyyy-mm-dd"


def header_index(ws: Any, title: str) -> int:
    return next(c.column for c in ws[1] if c.value == title)


def test_column_widths_follow_the_content(workbook: Any) -> None:
    ws = workbook[CASES_SHEET]
    widths = {c.value: ws.column_dimensions[c.column_letter].width for c in ws[1]}
    assert all(6 <= w <= MAX_WIDTH + 2 for w in widths.values()), widths
    assert widths["摘要"] == MAX_WIDTH + 2  # long text is capped and wraps
    assert widths["年份"] < widths["标题"] < widths["摘要"]


def test_the_same_records_give_the_same_bytes(book: Casebook) -> None:
    assert cases_xlsx(book) == cases_xlsx(book)


@pytest.fixture(scope="module")
def hostile_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from .conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("hostile") / "project")

    def record(data: dict[str, Any]) -> None:
        data["title"] = HOSTILE["title"]
        data["summary"] = HOSTILE["summary"]
        data["keywords"] = [HOSTILE["keyword"]]
        data["people"] = [{"name": HOSTILE["person"], "role": "@角色"}]

    def place(data: dict[str, Any]) -> None:
        next(d for d in data["cities"][0]["districts"] if d["id"] == "qingshan")["name"] = HOSTILE["district"]

    _edit_yaml(project / "cases" / f"{CASE}.yml", record)
    _edit_yaml(project / "data" / "places.yml", place)
    out = project / "cases.xlsx"
    out.write_bytes(cases_xlsx(_load(project)))
    return out


def test_text_that_looks_like_a_formula_is_stored_as_text(hostile_xlsx: Path) -> None:
    wb = openpyxl.load_workbook(hostile_xlsx)
    ws = wb[CASES_SHEET]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == CASE)
    cells = {ws.cell(1, c.column).value: c for c in row}
    assert cells["标题"].value == HOSTILE["title"] and cells["标题"].data_type == "s"
    assert cells["摘要"].value == HOSTILE["summary"] and cells["摘要"].data_type == "s"
    assert cells["关键词"].value == HOSTILE["keyword"] and cells["关键词"].data_type == "s"
    assert cells["人物"].value == f"{HOSTILE['person']}（@角色）"
    assert cells["区"].value == HOSTILE["district"] and cells["区"].data_type == "s"
    assert not [c for sheet in wb for r in sheet.iter_rows() for c in r if c.data_type == "f"]
    with zipfile.ZipFile(hostile_xlsx) as z:  # no formula element anywhere in the file
        assert not [n for n in z.namelist() if n.startswith("xl/worksheets/") and b"<f>" in z.read(n)]


def _libreoffice_csv(xlsx: Path, out: Path) -> dict[str, list[list[str]]]:
    """Every sheet as UTF-8 CSV, converted by LibreOffice headless (filter options: comma, double
    quote, UTF-8 (76), first line 1, ..., -1: every sheet to its own file)."""
    soffice = require_tool("soffice", "libreoffice-calc-nogui")
    options = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    proc = subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{out}/profile",
            "--convert-to",
            options,
            "--outdir",
            str(out),
            str(xlsx),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Error" not in proc.stderr, proc.stderr
    sheets = {}
    for path in out.glob(f"{xlsx.stem}-*.csv"):
        name = re.sub(rf"^{xlsx.stem}-", "", path.stem)
        sheets[name] = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    return sheets


def test_libreoffice_opens_it_with_chinese_numbers_and_dates_intact(hostile_xlsx: Path, tmp_path: Path) -> None:
    sheets = _libreoffice_csv(hostile_xlsx, tmp_path)
    assert set(sheets) == {CASES_SHEET, FIGURES_SHEET, SOURCES_SHEET}
    header, *rows = sheets[CASES_SHEET]
    row = dict(zip(header, next(r for r in rows if r[0] == CASE), strict=True))
    # Not evaluated: a formula would have become 2, 6 or an error.
    assert row["标题"] == HOSTILE["title"]
    assert row["区"] == HOSTILE["district"]
    assert row["关键词"] == HOSTILE["keyword"]
    assert row["收录日期"] == "2026-11-24" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["收录日期"])
    assert re.fullmatch(r"\d{4}", row["年份"])
    fig_header, *figures = sheets[FIGURES_SHEET]
    values = [dict(zip(fig_header, f, strict=True))["数值"] for f in figures]
    assert "458" in values  # 洪山区: 458 个辖区单位, a plain number


def test_the_post_build_check_names_a_broken_workbook(site: Path, tmp_path: Path) -> None:
    from casebook.site.publish import _check_exports

    book = _load(ROOT)
    (tmp_path / "data").mkdir()
    for name in ("data/cases.json", "data/cases.csv", "data/cases.xlsx", "feed.xml"):
        (tmp_path / name).write_bytes((site / name).read_bytes())
    assert _check_exports(book, tmp_path) == []
    (tmp_path / "data" / "cases.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    assert any("cases.xlsx" in p or "zip" in p.lower() for p in _check_exports(book, tmp_path))
    wb = openpyxl.Workbook()
    wb.active.title = CASES_SHEET
    wb.save(tmp_path / "data" / "cases.xlsx")
    assert any("cases.xlsx 的工作表" in p for p in _check_exports(book, tmp_path))
