"""Accessibility as a cadre on a phone meets it (issue 11): axe-core's WCAG 2.0/2.1/2.2 A and AA
rules over every kind of page, in both scripts, at a phone's and a desk's width; the keyboard
paths through the header; and the interface words of the scripts in the reader's own script."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT
from .test_browser import search

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The WCAG A and AA rules of 2.0, 2.1 and 2.2 (2.2 added no A rule that axe tests by tag).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")
WIDTHS = (375, 1280)
SCRIPTS = ("", "zh-Hant/")

# One page of every kind the site makes.
PAGES = {
    "home": "",
    "browse": "cases/",
    "case": "cases/qinghe-ju-tiantian-qiaomen/",
    "figures": "figures/",
    "codebook": "codebook/",
    "framework": "framework/",
    "pillar": "framework/sanzhi/",
    "policy": "policies/hongse-wuye/",
    "place": "places/qingshan/",
    "theme": "themes/ruhu-zoufang/",
    "collections": "collections/",
    "collection": "collections/dangjian-yinling-shequ-zhili/",
    "collection print": "collections/dangjian-yinling-shequ-zhili/print/",
    # The lesson basket and the comparison, as a shared link opens them: drawn by their script.
    "basket": "basket/?c=qinghe-ju-tiantian-qiaomen,hongshan-jiexiao-qianshou",
    "compare": "compare/?c=qinghe-ju-tiantian-qiaomen,hongshan-jiexiao-qianshou",
    "about": "about/",
    "contributing": "contributing/",
    "search": "search/?q=网格",
}

# Pages whose script draws their content after load: axe waits for it.
READY = {
    "basket": "() => [...document.querySelectorAll('.cb-basket__item')].every(li => li.dataset.title)",
    "compare": "() => document.querySelectorAll('.cb-compare__figures').length === 2",
    "search": "() => document.querySelector('.cb-searchpage__status[data-query]') !== null",
}

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return {
    passed: result.passes.length,
    violations: result.violations.map(v => ({
      id: v.id, impact: v.impact,
      nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 160),
                                summary: (n.failureSummary || "").split("\\n").slice(1, 3).join(" ")})),
    })),
  };
}"""


def axe_script() -> Path:
    """node_modules/axe-core, installed by `npm ci` (make install): a failure in CI, a skip elsewhere."""
    if not AXE.is_file():
        reason = f"{AXE} is missing: run `npm ci` (or `make install`)"
        if os.environ.get("CASEBOOK_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE


@pytest.fixture(scope="module", params=WIDTHS, ids=lambda w: f"{w}px")
def width_page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    """One browser context (and tab) per width, reused by every page at that width: a fresh
    context per page would double the runtime without testing anything more."""
    context = browser.new_context(viewport={"width": request.param, "height": 800 if request.param < 800 else 900})
    # axe-core in every page of this context before the page's own scripts: the same file that
    # page.add_script_tag(path=...) would inject after load, at a third less time a page.
    context.add_init_script(path=str(axe_script()))
    try:
        yield context.new_page()
    finally:
        context.close()


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe on the page as it stands; the page's scripts have run (they start on DOMContentLoaded)."""
    result = page.evaluate(RUN_AXE, WCAG_TAGS)
    # A page where axe checked nothing would pass vacuously.
    assert result["passed"] > 10, f"axe ran only {result['passed']} rules with passes on {page.url}"
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def report(found: dict[str, list[dict[str, Any]]]) -> str:
    by_rule: Counter[str] = Counter()
    lines = []
    for name, violations in found.items():
        for v in violations:
            by_rule[v["id"]] += len(v["nodes"])
            for node in v["nodes"][:4]:  # a few examples per rule and page are enough to act on
                where = f"  {name}: {v['id']} ({v['impact']}) {node['target']}"
                lines.append(f"{where}\n      {node['html']}\n      {node['summary']}")
            if len(v["nodes"]) > 4:
                lines.append(f"  {name}: {v['id']}: … and {len(v['nodes']) - 4} more elements")
    counts = ", ".join(f"{rule} {n}" for rule, n in by_rule.most_common())
    return f"elements in serious or critical violations by rule: {counts}\n" + "\n".join(lines)


@pytest.mark.browser
@pytest.mark.parametrize("script", SCRIPTS, ids=("zh-Hans", "zh-Hant"))
def test_no_serious_axe_violation_on_any_page_kind(width_page: Any, served_site: str, script: str) -> None:
    found: dict[str, list[dict[str, Any]]] = {}
    checked = 0
    for name, path in PAGES.items():
        width_page.goto(served_site + script + path, wait_until="load")
        if name in READY:
            width_page.wait_for_function(READY[name])
        violations = serious_violations(width_page)
        checked += 1
        if violations:
            found[f"{script}{path or '/'} ({name})"] = violations
    # The header search, open with results: markup the scripts make after the page has loaded.
    width_page.goto(served_site + script, wait_until="load")
    search(width_page, "敲门")
    violations = serious_violations(width_page)
    if violations:
        found[f"{script} (search results)"] = violations
    assert checked == len(PAGES)
    print(report(found))  # the counts by rule, also when there are none (pytest -s shows them)
    assert not found, report(found)


def test_traditional_pages_write_standard_characters(site: Path) -> None:
    """Taiwan's standard forms (群眾, 為), not OpenCC's dictionary forms (羣衆, 爲) that no region writes."""
    case = "cases/qinghe-ju-tiantian-qiaomen/index.html"
    hans = (site / case).read_text(encoding="utf-8")
    assert "群众" in hans and "为" in hans, "the Simplified page no longer holds the words this test looks for"
    hant = (site / "zh-Hant" / case).read_text(encoding="utf-8")
    assert "群眾" in hant and "為" in hant
    for path in (site / "zh-Hant").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        dictionary_forms = sorted({c for c in "羣衆爲裏啓" if c in text})
        assert not dictionary_forms, f"{path.relative_to(site)}: {dictionary_forms}"


def visible_words(page: Any) -> str:
    """What a reader sees or hears of the interface: the text, and every name, placeholder and title."""
    return page.evaluate(
        """() => document.body.innerText + " " + [...document.querySelectorAll("[aria-label], [placeholder], [title]")]
            .map(e => [e.getAttribute("aria-label"), e.getAttribute("placeholder"), e.getAttribute("title")].join(" "))
            .join(" ")"""
    )


@pytest.mark.browser
@pytest.mark.parametrize(
    "path", ["zh-Hant/", "zh-Hant/cases/qinghe-ju-tiantian-qiaomen/", "zh-Hant/cases/", "zh-Hant/figures/"]
)
def test_traditional_pages_show_no_simplified_interface_word(
    browser: Any, site: Path, served_site: str, path: str
) -> None:
    """Everything on a zh-Hant page, the scripts' words included, is already Traditional: converting it
    again changes nothing, except where a character is both (the 里 of 鄰里, which the build's own
    conversion wrote into the page and which a second conversion, without the phrase, would change)."""
    from casebook_mkdocs.variants import to_traditional

    built = set((site / path / "index.html").read_text(encoding="utf-8"))

    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto(served_site + path, wait_until="load")
        assert page.evaluate("document.documentElement.lang").startswith("zh-Hant")
        if path.endswith("qiaomen/"):
            assert page.locator("[data-cb-copy-section]").inner_text() == "複製鏈接"
        search(page, "敲门")  # the search box's words and its results are the page's too
        page.locator(".md-header [data-cb-menu]").focus()
        words = visible_words(page)
        simplified = sorted({c for c, t in zip(words, to_traditional(words), strict=True) if c != t and c not in built})
        assert not simplified, f"Simplified characters on {path}: {simplified}"
    finally:
        context.close()


@pytest.mark.browser
def test_simplified_pages_keep_simplified_interface_words(browser: Any, served_site: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto(served_site + "cases/qinghe-ju-tiantian-qiaomen/", wait_until="load")
        button = page.locator("[data-cb-copy-section]")
        assert button.is_visible() and button.inner_text() == "复制链接"
        assert page.locator("h2#practice button").count() == 0  # no button inside a heading
        assert page.locator(".cb-search__open").get_attribute("aria-label") == "搜索"
        assert page.locator(".md-header [data-cb-menu]").get_attribute("aria-label") == "导航菜单"
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("query", ["網格羣聊", "網格群聊", "网格群聊"])
def test_search_takes_every_regions_traditional_forms(browser: Any, served_site: str, query: str) -> None:
    """A reader in Hong Kong types 羣, one in Taiwan 群; both find the Simplified index's 群."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(served_site + "zh-Hant/", wait_until="load")
        assert "武昌區東亭社區“武漢·微鄰里”網格群聊" in search(page, query)[:3]
    finally:
        context.close()


def focused(page: Any) -> str:
    return page.evaluate(
        "(() => { const e = document.activeElement;"
        " return e.tagName + '.' + e.className + ' ' + (e.getAttribute('aria-label') || ''); })()"
    )


@pytest.mark.browser
def test_menu_button_is_named_and_reachable_by_tab(browser: Any, served_site: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto(served_site + "cases/", wait_until="load")
        menu = page.locator(".md-header [data-cb-menu]")
        for _ in range(6):  # the skip link and the logo come first
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.hasAttribute('data-cb-menu')"):
                break
        else:
            raise AssertionError(f"Tab never reached the menu button (at {focused(page)})")
        assert menu.get_attribute("aria-label") == "导航菜单" and menu.get_attribute("aria-expanded") == "false"
        # A real button: a <label> may not take role="button" (axe's aria-allowed-role).
        assert menu.evaluate("e => e.tagName") == "BUTTON" and menu.get_attribute("role") is None
        page.keyboard.press("Enter")
        assert page.evaluate("document.getElementById('__drawer').checked")
        assert menu.get_attribute("aria-expanded") == "true"
        assert page.evaluate("document.activeElement.closest('.md-sidebar--primary') !== null"), focused(page)
        page.keyboard.press("Escape")
        assert not page.evaluate("document.getElementById('__drawer').checked")
        assert menu.get_attribute("aria-expanded") == "false"
        assert page.evaluate("document.activeElement.hasAttribute('data-cb-menu')")
        for _ in range(8):  # on through the header: never into the closed drawer, off screen
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.closest('.md-sidebar--primary') === null"), focused(page)
    finally:
        context.close()


@pytest.mark.browser
def test_search_by_keyboard_on_a_phone(browser: Any, served_site: str) -> None:
    """The toggle says whether the box is open; arrows move through the results and back to the
    box; Escape closes and returns focus to the toggle; Enter in the box opens the first result."""
    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto(served_site, wait_until="load")
        toggle = page.locator(".cb-search__open")
        assert toggle.get_attribute("aria-expanded") == "false"
        toggle.focus()
        page.keyboard.press("Enter")
        assert toggle.get_attribute("aria-expanded") == "true"
        assert page.evaluate("document.activeElement.classList.contains('cb-search__input')")
        titles = search(page, "网格")
        assert len(titles) >= 2, titles
        results = page.locator(".cb-search__result a")
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement === document.querySelectorAll('.cb-search__result a')[0]")
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement === document.querySelectorAll('.cb-search__result a')[1]")
        page.keyboard.press("ArrowUp")
        page.keyboard.press("ArrowUp")
        assert page.evaluate("document.activeElement.classList.contains('cb-search__input')")
        page.keyboard.press("Escape")
        assert page.evaluate("document.activeElement.classList.contains('cb-search__open')"), focused(page)
        assert toggle.get_attribute("aria-expanded") == "false"
        assert not page.locator(".cb-search__input").is_visible()
        assert results.count() == 0

        search(page, "敲门")
        first = page.locator(".cb-search__result a").first.get_attribute("href")
        page.locator(".cb-search__input").press("Enter")
        page.wait_for_url(first)
    finally:
        context.close()
