"""Hostile text that the validator lets through (it is text, after all) must stay text on every
page: a real site is built from records whose plain-text fields carry markup, attribute breakers
and a meta-refresh, and every page is opened in Chromium.

The validator's side (control characters, markers, attribute lists, files outside the
repository …) is tests/test_hostile.py with the records of tests/hostile/; this is the
renderer's side."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml
from bench.search_probe import serve

from .conftest import casebook, copy_project, mkdocs_build

# Each payload tries another way out of its context: an element, a double- or single-quoted
# attribute, the <title>, a <meta content> that would become a refresh, a Markdown link, an
# entity, a template expression (the core and the theme both render with Jinja2).
PAYLOADS = (
    "</title><img src=x onerror=__pwned=1>",
    '"><svg onload=__pwned=1>',
    "'><svg onload=__pwned=1>",
    '0;url=//e.invalid" http-equiv="refresh',
    "[点此](javascript:__pwned=1)",
    "&lt;svg onload=__pwned=1&gt;",
    "{{ 7*7 }}{% raw %}",
)
# For fields of a dozen characters: markup that would show if it were not escaped.
SHORT = ('<b>粗</b>"&', "'><b>粗</b>", "=1+2", "@A1", "-1", "+1")
CSV_FORMULAS = ('=HYPERLINK("http://e.invalid","点")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)")

# Plain-text fields (never Markdown) of each file, as key paths; "*" is every item of a list,
# "SHORT" marks a field too short for the long payloads.
PLAIN_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "cases/qinghe-ju-tiantian-qiaomen.yml": (
        ("title",),
        ("summary",),
        ("keywords", "*", "SHORT"),
        ("people", "*", "name", "SHORT"),
        ("people", "*", "role", "SHORT"),
        ("quotes", "*", "text"),
        ("quotes", "*", "speaker", "SHORT"),
        ("figures", "*", "label", "SHORT"),
        ("media", "*", "caption"),
        ("teaching", "questions", "*"),
    ),
    "data/framework.yml": (("pillars", "*", "title"), ("pillars", "*", "short", "SHORT")),
    "data/policies.yml": (("policies", "*", "name"), ("policies", "*", "issuer", "SHORT")),
    "data/themes.yml": (("themes", "*", "name", "SHORT"), ("themes", "*", "description")),
    "data/places.yml": (("cities", "*", "districts", "*", "name", "SHORT"),),
    "data/sources.yml": (("sources", "*", "title"),),
    "data/site.yml": (("name", "SHORT"), ("publisher", "SHORT")),
}


def _poison(node: Any, path: tuple[str, ...], values: Iterator[str]) -> None:
    """Replace each string at `path` with the next payload, keeping the value's first characters."""
    if not path or node is None:
        return
    key, rest = path[0], path[1:]
    if key == "*":
        items = node if isinstance(node, list) else []
        for i, item in enumerate(items):
            if rest:
                _poison(item, rest, values)
            elif isinstance(item, str):
                items[i] = item[:2] + next(values)
    elif isinstance(node, dict) and key in node:
        if rest:
            _poison(node[key], rest, values)
        elif isinstance(node[key], str):
            node[key] = node[key][:2] + next(values)


def _cycle(items: tuple[str, ...]) -> Iterator[str]:
    while True:
        yield from items


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("hostile") / "project")
    long, short = _cycle(PAYLOADS + CSV_FORMULAS), _cycle(SHORT)
    for rel, paths in PLAIN_FIELDS.items():
        file = project / rel
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        for path in paths:
            if path[-1] == "SHORT":
                _poison(data, path[:-1], short)
            else:
                _poison(data, path, long)
        file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    check = casebook("validate", cwd=project)
    assert check.code == 0, "the hostile values are plain text and must validate:\n" + check.text
    out = tmp_path_factory.mktemp("hostile-site")
    run = mkdocs_build(project, out)
    assert run.code == 0, run.text
    return out


def test_no_markup_from_a_record_reaches_the_html(hostile_site: Path) -> None:
    pages = list(hostile_site.rglob("*.html"))
    assert len(pages) > 60
    for page in pages:
        html = page.read_text(encoding="utf-8")
        rel = page.relative_to(hostile_site)
        assert 'onerror="__pwned' not in html and "<svg onload" not in html, rel
        # Only the pages left at a renamed case's old address refresh, and only to that case.
        assert 'http-equiv="refresh"' not in html or '<meta name="robots" content="noindex">' in html, rel
        assert 'e.invalid" http-equiv' not in html and 'href="javascript:' not in html, rel
    # A record's text is never read as a template: the expression is printed as it was written.
    case = (hostile_site / "cases" / "qinghe-ju-tiantian-qiaomen" / "index.html").read_text(encoding="utf-8")
    assert "{{ 7*7 }}{% raw %}" in case


def test_csv_cells_never_start_a_formula(hostile_site: Path) -> None:
    text = (hostile_site / "data" / "cases.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_hostile_pages_run_no_script_and_stay_on_the_site(browser, hostile_site: Path) -> None:  # type: ignore[no-untyped-def]
    pages = sorted(p.relative_to(hostile_site).as_posix() for p in hostile_site.rglob("index.html"))
    with serve(hostile_site) as base:
        own = urlparse(base).netloc
        context = browser.new_context()
        requests: list[str] = []
        dialogs: list[str] = []
        context.on("request", lambda r: requests.append(r.url))
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        try:
            for rel in pages:
                url = base + rel.removesuffix("index.html")
                page.goto(url, wait_until="load")
                page.wait_for_timeout(50)
                assert page.evaluate("typeof window.__pwned") == "undefined", rel
                assert urlparse(page.url).netloc == own, f"{rel} sent the reader to {page.url}"
        finally:
            context.close()
    elsewhere = [u for u in requests if urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != own]
    assert elsewhere == []
    assert dialogs == []
