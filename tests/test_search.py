"""Search a cadre trusts (issue 16), on the real site: a query the records answer puts its case
first, in either script; every result is reachable on the search page, which narrows by the
browse page's filters with counts and keeps them in the URL; results read clean."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

import pytest
import yaml
from bench.search_probe import HAND_QUERIES, Quality, query_set, search_page_ranks

from .conftest import ROOT
from .test_browser import search, visit


def records() -> list[dict[str, Any]]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "cases").glob("*.yml"))]


# -- the query set ---------------------------------------------------------------------------
def test_query_set_is_built_from_the_records_and_the_hand_written_queries() -> None:
    queries = {q.text: q for q in query_set(records())}
    by_origin = {
        origin: [q for q in queries.values() if q.origin == origin] for origin in ("keyword", "figure", "quote")
    }
    assert all(len(found) >= 3 for found in by_origin.values()), {k: len(v) for k, v in by_origin.items()}
    assert set(HAND_QUERIES) <= set(queries)
    assert queries["高空抛物"].answers == {"qinghe-ju-tiantian-qiaomen"}
    assert queries["家风"].answers == {"jiangxin-yuan-shequ-wenhua", "jinyinhu-hongse-wuye-waiyu-ban"}
    with pytest.raises(ValueError, match="没有这个词"):
        query_set(records(), hand=["没有这个词"])


def report(quality: Quality) -> str:
    return "\n".join(
        f"  {r.shown!r} ({r.query.origin}): rank {r.rank or 'none'}, first {r.first}, "
        f"answered by {sorted(r.query.answers)}"
        for r in quality.misses()
    )


@pytest.mark.browser
@pytest.mark.parametrize("hant", [False, True], ids=["zh-Hans", "zh-Hant"])
def test_every_query_of_the_set_puts_its_case_first(browser: Any, served_site: str, hant: bool) -> None:
    """Where several cases answer a query, any of them first counts."""
    queries = query_set(records())
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        quality = search_page_ranks(context.new_page(), served_site, queries, hant, timeout_s=30)
    finally:
        context.close()
    print(f"{quality.script}: MRR {quality.mrr:.3f}, first {quality.first} of {len(quality.ranked)}")
    assert len(quality.ranked) == len(queries) >= 40
    assert quality.first == len(queries), f"MRR {quality.mrr:.3f}; not first:\n{report(quality)}"


@pytest.mark.browser
@pytest.mark.parametrize("variant", ["", "zh-Hant/"])
def test_header_lists_the_cases_first_then_the_sections(browser: Any, served_site: str, variant: str) -> None:
    context, page, _ = visit(browser, served_site + variant)
    try:
        search(page, "网格")
        box = page.locator(".cb-search__results")
        groups = box.locator(".cb-search__group").all_inner_texts()
        assert groups == ["案例", "欄目" if variant else "栏目"], groups
        hrefs = box.locator(".cb-search__result a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        kinds = ["case" if re.search(r"/cases/[^/]+/$", h) else "section" for h in hrefs]
        assert kinds == sorted(kinds), hrefs  # every case before every section
        assert "case" in kinds and "section" in kinds, hrefs
        # The list ends in a link to every result, on the search page in the reader's script.
        total = int(re.search(r"\d+", page.locator(".cb-search__status").inner_text()).group())
        everything = box.locator("a.cb-search__all")
        assert re.sub(r"\s", "", everything.inner_text()) == f"查看全部{total}{'個結果' if variant else '个结果'}"
        everything.click()
        page.wait_for_url(f"{served_site}{variant}search/?q={quote('网格')}")
        page.locator(".cb-searchpage__status[data-query]").wait_for(state="attached")
        shown = page.locator(".cb-searchpage__group:not([hidden]) .cb-search__result")
        assert shown.count() == total
    finally:
        context.close()


# -- the search page -------------------------------------------------------------------------
def answered(page: Any, query: str) -> None:
    page.locator(f'.cb-searchpage__status[data-query="{query}"]').wait_for(state="attached", timeout=15_000)


@pytest.mark.browser
def test_search_page_reaches_every_result(browser: Any, served_site: str) -> None:
    """社区 is on nearly every page: more results than one step of the list, all reachable."""
    context, page, _ = visit(browser, served_site + "search/?q=" + quote("社区"))
    try:
        answered(page, "社区")
        status = page.locator(".cb-searchpage__status").inner_text()
        total, cases, sections = (int(n) for n in re.findall(r"\d+", status))
        assert total == cases + sections > 20, status
        more = page.locator('.cb-searchpage__group[data-kind="section"] [data-cb-more]')
        while more.is_visible():
            more.click()
        listed = page.locator(".cb-searchpage__group:not([hidden]) .cb-search__result a")
        hrefs = listed.evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert len(hrefs) == len(set(hrefs)) == total
        assert not any("/search/" in h for h in hrefs), "the search page is not a result"
        assert page.locator('.cb-searchpage__group[data-kind="case"] .cb-search__result').count() == cases
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("variant", ["", "zh-Hant/"])
def test_search_page_narrows_by_the_browse_filters(browser: Any, served_site: str, variant: str) -> None:
    """The browse page's parameters (any value within a group, every group at once), counts given
    the other groups' choices, the choice in the URL and back from it."""
    context, page, _ = visit(browser, f"{served_site}{variant}search/?q={quote('社区')}")
    try:
        answered(page, "社区")
        qingshan = page.locator('input[name="district"][value="qingshan"]')
        count = qingshan.locator("xpath=..").locator("[data-count]")
        assert count.inner_text() == "1"
        qingshan.check()
        answered(page, "社区")
        titles = page.locator(".cb-searchpage__group:not([hidden]) .cb-search__title").all_inner_texts()
        assert titles == ["青山區青和居“天天敲門組”" if variant else "青山区青和居“天天敲门组”"], titles
        assert page.locator('.cb-searchpage__group[data-kind="section"]').is_hidden()
        assert parse_qs(urlparse(page.url).query) == {"q": ["社区"], "district": ["qingshan"]}
        # Within a group any value: the counts of the other districts stay as they were.
        wuchang = page.locator('input[name="district"][value="wuchang"]')
        assert wuchang.locator("xpath=..").locator("[data-count]").inner_text() == "1"
        wuchang.check()
        answered(page, "社区")
        assert page.locator('.cb-searchpage__group[data-kind="case"] .cb-search__result').count() == 2
        # Across groups every one: a pillar neither case has leaves none, and says so in its count.
        dadangwei = page.locator('input[name="pillar"][value="dadangwei"]')
        assert dadangwei.locator("xpath=..").locator("[data-count]").inner_text() == "0"
        shared = page.url
        page.goto(shared, wait_until="networkidle")  # the URL alone brings the same page back
        answered(page, "社区")
        assert page.locator('input[name="district"]:checked').evaluate_all("els => els.map(e => e.value)") == [
            "qingshan",
            "wuchang",
        ]
        assert page.locator('.cb-searchpage__group[data-kind="case"] .cb-search__result').count() == 2
        page.locator("form[data-cb-search-filters] button[type=reset]").click()
        # The search runs once the form has been reset (a task later): wait for what it shows, the
        # sections that a narrowed search leaves out, not for the answer to the search before.
        page.locator('.cb-searchpage__group[data-kind="section"]').wait_for(state="visible", timeout=15_000)
        answered(page, "社区")
        assert page.locator('input[name="district"]:checked').count() == 0
        assert parse_qs(urlparse(page.url).query) == {"q": ["社区"]}
    finally:
        context.close()


@pytest.mark.browser
def test_results_read_clean_and_open_by_keyboard(browser: Any, served_site: str) -> None:
    """Title, place and pillar in Chinese, an excerpt of prose with the match marked (no address, no
    markup); arrows move through the results and Enter opens one."""
    context, page, _ = visit(browser, served_site + "search/")
    try:
        box = page.locator("input.cb-searchpage__input")
        for query in ("清单", "长江日报", "网格员"):
            box.fill(query)
            box.press("Enter")
            answered(page, query)
            for result in page.locator(".cb-search__result").all():
                text = result.inner_text()
                assert not re.search(r"https?:|www\.|pillar:|place:|<|>", text), text
                excerpt = result.locator(".cb-search__excerpt")
                assert excerpt.evaluate("e => [...e.querySelectorAll('*')].every(c => c.tagName === 'MARK')")
        first = page.locator('.cb-searchpage__group[data-kind="case"] .cb-search__result').first
        assert first.locator(".cb-search__meta").inner_text() == "武昌区东亭社区 · “4”四全机制"
        assert first.locator("mark").count() >= 1
        box.focus()
        page.keyboard.press("ArrowDown")
        links = page.locator(".cb-searchpage__group:not([hidden]) .cb-search__result a")
        assert page.evaluate("document.activeElement.getAttribute('href')") == links.nth(0).get_attribute("href")
        page.keyboard.press("ArrowDown")
        target = links.nth(1).get_attribute("href")
        assert page.evaluate("document.activeElement.getAttribute('href')") == target
        page.keyboard.press("Enter")
        page.wait_for_url(target)
    finally:
        context.close()


# -- the index -------------------------------------------------------------------------------
def indexed(site: Path) -> dict[str, dict[str, Any]]:
    from casebook.site.search import _fragments

    return {page["url"]: page for _, page in _fragments([site / "pagefind"])}


def test_listing_pages_are_indexed_by_their_own_words(site: Path) -> None:
    pages = indexed(site)
    case_words = [yaml_case["summary"] for yaml_case in records()]
    for url, page in pages.items():
        content = page["content"].replace("\u200b", "")
        if page["filters"]["kind"] == ["section"]:
            # Whole summaries: a policy's own description may quote its case's first words.
            repeated = [s[:20] for s in case_words if s in content]
            assert not repeated, f"{url} repeats case summaries: {repeated}"
        # Sources are cited with their addresses; excerpts are prose (the editors' guide, written
        # by hand, shows the preview's local address).
        if url not in ("/contributing/", "/about/"):
            assert not re.search(r"https?://", content), url
    theme = pages["/themes/ruhu-zoufang/"]
    assert "上门走访居民" in theme["content"].replace("\u200b", "")  # the theme's own description
    assert "/search/" not in pages and "/zh-Hant/search/" not in pages


def test_cases_carry_the_browse_facets_and_chinese_metadata(site: Path) -> None:
    case = indexed(site)["/cases/jinyinhu-hongse-wuye-waiyu-ban/"]
    record = next(r for r in records() if r["id"] == "jinyinhu-hongse-wuye-waiyu-ban")
    filters = {key: sorted(values) for key, values in case["filters"].items()}
    assert filters == {
        "kind": ["case"],
        "pillar": ["xinxihua"],
        "district": ["dongxihu"],
        "theme": ["ruhu-zoufang", "weilao-fuwu"],
        # As the browse page files it: the record's policy and the programme it belongs to.
        "policy": sorted({*record["policies"], "hongse-yinqing"}),
        "year": ["2017"],
    }
    assert "hongse-wuye" in filters["policy"]
    assert case["meta"] == {
        "title": "碧海红色物业老年人外语班",
        "place": "东西湖区金银湖街碧海社区",
        "pillar": "“1”信息化服务",
    }


def test_the_index_lists_its_own_words_for_the_search_box(site: Path) -> None:
    import json

    words = site / "pagefind" / "words"
    buckets = json.loads((words / "index.json").read_text(encoding="utf-8"))["buckets"]
    every = {w for n in range(buckets) for w in json.loads((words / f"{n}.json").read_text(encoding="utf-8"))}
    assert {"网格", "社区", "清单"} <= every
    assert "网格员" not in every, "Pagefind cuts 网格员 into 网格 员; the list must say what the index holds"
    assert all(len(w) >= 2 for w in every)


def test_search_page_in_both_scripts(site: Path) -> None:
    hans = (site / "search" / "index.html").read_text(encoding="utf-8")
    hant = (site / "zh-Hant" / "search" / "index.html").read_text(encoding="utf-8")
    assert 'lang="zh-Hans"' in hans and 'lang="zh-Hant"' in hant
    assert "data-cb-search-page" in hans and "data-cb-search-page" in hant
    # Taiwan's word for the interface's 搜索 (as the header box and Material say), and no other.
    assert "<h1>搜尋</h1>" in hant and "篩選搜尋結果" in hant and "搜索" not in hant
    assert "<h1>搜索</h1>" in hans


def test_traditional_forms_of_phrases_lead_back_to_simplified(site: Path) -> None:
    """签 alone converts to 籤, 签订 to 簽訂: the search map must take 簽 back to 签."""
    import json

    t2s = json.loads((site / "search-map.json").read_text(encoding="utf-8"))["t2s"]
    assert t2s.get("簽") == "签"
