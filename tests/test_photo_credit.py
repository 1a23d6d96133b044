"""Photo credits (issue 12): a source's id or the credit line as the source printed it
(通讯员供图); the page prints one credit, never two that contradict each other."""

from __future__ import annotations

import json
from pathlib import Path

from casebook.records.loader import Project, load
from casebook.site.exports import cases_json
from casebook.site.pages import SitePages

from .conftest import casebook, line_of

CASE = "jinyinhu-hongse-wuye-waiyu-ban"  # its one photo is a caption only, without a credit


def page_of(project: Path) -> tuple[str, dict]:
    result = load(Project(project))
    assert result.ok and result.casebook is not None, [d.text() for d in result.diagnostics]
    html = next(p for p in SitePages(result.casebook).all() if p.path == f"cases/{CASE}/").render().html
    record = next(c for c in json.loads(cases_json(result.casebook))["cases"] if c["id"] == CASE)
    return html, record


def with_credit(project: Path, credit: str) -> Path:
    path = project / "cases" / f"{CASE}.yml"
    caption = "  - caption: 武汉市金银湖街碧海社区评选“最美家庭”，弘扬家风正气\n"
    text = path.read_text(encoding="utf-8")
    assert caption in text
    path.write_text(text.replace(caption, caption + f"    credit: {credit}\n"), encoding="utf-8")
    return path


def test_a_credit_line_as_printed(project: Path) -> None:
    with_credit(project, "通讯员供图")
    html, record = page_of(project)
    assert "弘扬家风正气（通讯员供图）</li>" in html
    assert "未注明" not in html and html.count("通讯员供图") == 1
    assert record["media"][0]["credit"] == "通讯员供图"


def test_a_credit_by_source_id(project: Path) -> None:
    with_credit(project, "changjiang-ribao")
    html, record = page_of(project)
    assert "弘扬家风正气（图片来源：长江日报）</li>" in html
    assert record["media"][0]["credit"] == "长江日报"


def test_a_mistyped_source_id_is_not_taken_for_text(project: Path) -> None:
    path = with_credit(project, "changjiang-ribo")
    run = casebook("validate", cwd=project)
    assert run.code == 1
    assert f"cases/{CASE}.yml:{line_of(path, 'credit: changjiang-ribo')}:" in run.out
    assert "changjiang-ribao" in run.out  # did you mean
