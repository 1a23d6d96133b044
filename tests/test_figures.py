"""Figures that say what they mean (issue 12): a per-period word (年均, 每月), a run of periods
(连续3年), percentages with their unit; on the page and in every export."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from casebook.model import PERIODS, SPAN_PATTERN, Figure
from casebook.records.loader import Project, load
from casebook.records.schemas import SchemaSet
from casebook.site.exports import cases_csv, cases_json
from casebook.site.pages import SitePages

from .conftest import ROOT, casebook, line_of

CASE = "jinyinhu-hongse-wuye-waiyu-ban"
FIGURES = """figures:
  - id: nianjun-huodong
    label: 外语班开课
    per: 年均
    value: 40
    qualifier: 余
    unit: 次
    note: 测试用
  - id: manyi-du
    label: 学员满意度
    span: 连续多年
    value: 100
    unit: "%"
"""


def test_the_lists_are_the_schemas() -> None:
    item = SchemaSet(ROOT / "data" / "schema").documents["case"]["properties"]["figures"]["items"]["properties"]
    assert list(PERIODS) == item["per"]["enum"]
    assert item["span"]["pattern"] == SPAN_PATTERN


def test_display_keeps_period_and_qualifier() -> None:
    assert Figure("a", "开课", 40, "次", "余", per="年均").display == "年均40余次"
    assert Figure("a", "开课", 12, "次", "约", per="每月").display == "每月约12次"
    assert Figure("a", "满意度", 100, "%", span="连续3年").display == "连续3年100%"


def with_figures(project: Path) -> Path:
    path = project / "cases" / f"{CASE}.yml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("figures:\n"), text.index("quotes:\n")
    path.write_text(text[:start] + FIGURES + text[end:], encoding="utf-8")
    return path


def test_period_span_and_percent_reach_the_page_json_and_csv(project: Path) -> None:
    with_figures(project)
    result = load(Project(project))
    assert result.ok, [d.text() for d in result.diagnostics]
    book = result.casebook
    assert book is not None
    page = next(p for p in SitePages(book).all() if p.path == f"cases/{CASE}/").render().html
    record = next(c for c in json.loads(cases_json(book))["cases"] if c["id"] == CASE)
    first, second = record["figures"]
    assert (first["per"], first["display"], first["note"]) == ("年均", "年均40余次", "测试用")
    assert (second["span"], second["unit"], second["display"]) == ("连续多年", "%", "连续多年100%")
    rows = list(csv.DictReader(io.StringIO(cases_csv(book).decode("utf-8-sig"))))
    cell = next(r for r in rows if r["id"] == CASE)["figures"]
    assert cell == "外语班开课 年均40余次（测试用）；学员满意度 连续多年100%"
    assert "年均" in page and "连续多年" in page


def test_a_wrong_span_or_period_is_refused_where_it_is(project: Path) -> None:
    path = with_figures(project)
    path.write_text(
        path.read_text(encoding="utf-8").replace("span: 连续多年", "span: 多年来").replace("per: 年均", "per: 每年均"),
        encoding="utf-8",
    )
    run = casebook("validate", cwd=project)
    assert run.code == 1
    assert f"cases/{CASE}.yml:{line_of(path, 'span: 多年来')}:" in run.out and "figures[1].span" in run.out
    assert "连续3年" in run.out  # the hint shows the form
    assert f"cases/{CASE}.yml:{line_of(path, 'per: 每年均')}:" in run.out and "figures[0].per" in run.out
