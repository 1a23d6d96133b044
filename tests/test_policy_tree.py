"""Policies form a tree (issue 12): a case filed under a sub-policy is a case of its parent too,
on the parent's page, in its browse filter and in its counts, which say so."""

from __future__ import annotations

import re
from pathlib import Path

from casebook.records.loader import Project, load

from .conftest import casebook, line_of

CASE = "jinyinhu-hongse-wuye-waiyu-ban"  # policies: [hongse-wuye], whose parent is hongse-yinqing


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_the_hongse_wuye_case_is_on_the_hongse_yinqing_page(site: Path) -> None:
    parent = page(site, "policies/hongse-yinqing")
    assert f'href="../../cases/{CASE}/"' in parent
    assert "落实这项政策的案例（1，含下级政策）" in parent
    assert "其中 0 个直接注明这项政策，1 个注明的是它的下级政策。" in parent
    child = page(site, "policies/hongse-wuye")
    assert f'href="../../cases/{CASE}/"' in child and "落实这项政策的案例（1）" in child
    listing = page(site, "policies")
    row = next(r for r in re.findall(r"<tr>.*?</tr>", listing) if "红色引擎工程</a>" in r.split("</td>")[0])
    assert row.endswith("<td>1（含下级政策）</td></tr>"), row


def test_the_parents_browse_filter_finds_the_case(site: Path) -> None:
    browse = page(site, "cases")
    card = next(c for c in re.findall(r'<li class="cb-browse__card"[^>]*>.*?</li>', browse) if f'href="{CASE}/"' in c)
    assert re.search(r'data-policy="hongse-wuye hongse-yinqing"', card), card
    option = re.search(r'value="hongse-yinqing"><span>(.*?)</span><span class="cb-count" data-count>(\d+)<', browse)
    assert option and option.groups() == ("红色引擎工程（含下级政策）", "1")


def test_a_cycle_of_parents_is_refused(project: Path) -> None:
    policies = project / "data" / "policies.yml"
    text = policies.read_text(encoding="utf-8")
    text = text.replace("  - id: hongse-yinqing\n", "  - id: hongse-yinqing\n    parent: hongse-wuye\n", 1)
    policies.write_text(text, encoding="utf-8")
    run = casebook("validate", cwd=project)
    assert run.code == 1
    assert f"data/policies.yml:{line_of(policies, 'parent: hongse-wuye')}:" in run.out, run.out
    assert "循环" in run.out
    assert not load(Project(project)).ok
