"""The built site in headless Chromium, as a reader on a phone or a desk sees it."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser

PAGES = [
    "",
    "cases/qinghe-ju-tiantian-qiaomen/",
    "cases/hongshan-jiexiao-qianshou/",
    "framework/",
    "framework/dadangwei/",
    "cases/",
    "figures/",
    "codebook/",
    "places/dongxihu/",
    "collections/dangjian-yinling-shequ-zhili/",
    "zh-Hant/",
    "zh-Hant/cases/qinghe-ju-tiantian-qiaomen/",
    "zh-Hant/cases/",
    "basket/?c=qinghe-ju-tiantian-qiaomen,hongshan-jiexiao-qianshou",
    "zh-Hant/compare/?c=qinghe-ju-tiantian-qiaomen,jinyinhu-hongse-wuye-waiyu-ban",
    "search/?q=网格",
    "zh-Hant/search/?q=网格",
]


def visit(browser, url: str, width: int = 1280):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url, wait_until="networkidle")
    return context, page, requests


@pytest.mark.parametrize("path", PAGES)
def test_no_request_leaves_the_site(browser, served_site: str, path: str) -> None:  # type: ignore[no-untyped-def]
    context, page, requests = visit(browser, served_site + path)
    try:
        own = urlparse(served_site).netloc
        elsewhere = [u for u in requests if urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != own]
        assert requests, "the page made no request at all: the test would prove nothing"
        assert elsewhere == []
        assert page.locator("h1").first.inner_text().strip()
    finally:
        context.close()


@pytest.mark.parametrize("path", PAGES)
def test_browser_zoom_at_200_percent_never_scrolls_sideways(browser, served_site: str, path: str) -> None:  # type: ignore[no-untyped-def]
    """A 1280 px window zoomed to 200 % lays the page out in 640 CSS pixels at twice the density."""
    context = browser.new_context(viewport={"width": 640, "height": 450}, device_scale_factor=2)
    try:
        page = context.new_page()
        page.goto(served_site + path, wait_until="networkidle")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 640
    finally:
        context.close()


def test_large_text_mode_at_360_px_never_scrolls_sideways(browser, served_site: str) -> None:  # type: ignore[no-untyped-def]
    """长辈模式 on a small phone: body text at least 20 px, the switch pressed, no page wider than
    the screen, and the choice kept on the next page."""
    context = browser.new_context(viewport={"width": 360, "height": 780})
    try:
        page = context.new_page()
        page.goto(served_site, wait_until="networkidle")
        toggle = page.locator(".cb-large-toggle")
        assert toggle.get_attribute("aria-pressed") == "false"
        toggle.click()
        assert toggle.get_attribute("aria-pressed") == "true"
        for path in PAGES:
            page.goto(served_site + path, wait_until="networkidle")
            assert page.evaluate("document.documentElement.hasAttribute('data-cb-large')"), path
            size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-typeset')).fontSize)")
            assert size >= 20, (path, size)
            assert page.evaluate("document.scrollingElement.scrollWidth") <= 360, path
    finally:
        context.close()


@pytest.mark.parametrize("path", PAGES)
def test_phone_width_never_scrolls_sideways(browser, served_site: str, path: str) -> None:  # type: ignore[no-untyped-def]
    context, page, _ = visit(browser, served_site + path, width=375)
    try:
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        small = page.evaluate("""() => [...document.querySelectorAll(
              '.cb-facet__option, .cb-copy, .cb-search__open, .cb-browse__title, .md-select__link, .cb-stat a, ' +
              '.cb-search__result a, .cb-searchpage__input, .cb-searchpage__row .cb-button')]
            .filter(e => e.offsetParent !== null)
            .map(e => e.getBoundingClientRect()).filter(r => r.height < 44).length""")
        assert small == 0, "touch targets must be at least 44 px tall"
    finally:
        context.close()


def test_a_trainers_section_link_lands_on_the_section(browser, served_site: str) -> None:  # type: ignore[no-untyped-def]
    context, page, _ = visit(browser, served_site + "cases/hongshan-jiexiao-qianshou/#practice")
    try:
        heading = page.locator("h2#practice")
        assert heading.inner_text().startswith("做法")
        top = page.evaluate("document.getElementById('practice').getBoundingClientRect().top")
        assert 0 <= top < 200, f"the section is not at the top of the window ({top})"
        figure = page.locator("#lianxi-huiyi")
        assert "180" in figure.inner_text() and "余" in figure.inner_text()
    finally:
        context.close()


def search(page, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Type into the header box as a reader does; the titles of the results, best first."""
    box = page.locator(".cb-search__input")
    if not box.is_visible():
        page.locator(".cb-search__open").click()
    box.fill(query)
    answered = page.locator(f'.cb-search__results[data-query="{query}"]')
    answered.wait_for(state="attached", timeout=15_000)
    return answered.locator(".cb-search__title").all_inner_texts()


QUERIES = [
    ("敲门", "青山区青和居“天天敲门组”"),
    ("敲門", "青山区青和居“天天敲门组”"),
    ("网格", "武昌区东亭社区“武汉·微邻里”网格群聊"),
    ("紅色物業", "碧海红色物业老年人外语班"),
    ("微邻里", "武昌区东亭社区“武汉·微邻里”网格群聊"),
    ("青和居", "青山区青和居“天天敲门组”"),
    ("天天敲门组", "青山区青和居“天天敲门组”"),
    ("大党委", "洪山区“街校牵手”行动"),
    ("网格员", "武昌区东亭社区“武汉·微邻里”网格群聊"),
    ("四全", "武昌区东亭社区“武汉·微邻里”网格群聊"),
]


def find_every_query(page, site: str, variant: str, top: int | None) -> None:  # type: ignore[no-untyped-def]
    """Each of QUERIES finds its case (within the first `top` results when given), titled in the
    page's script; results lead to pages in the reader's own script (one Simplified index serves both)."""
    from casebook_mkdocs.variants import to_traditional  # the site's own conversion (s2tw)

    for query, title in QUERIES:
        expected = to_traditional(title) if variant else title
        titles = search(page, query)
        assert expected in titles[:top], f"{variant or 'zh-Hans'} {query!r}: {titles}"
        hrefs = page.locator(".cb-search__result a").evaluate_all("els => els.map(e => e.href)")
        assert hrefs and all(h.startswith(site + variant) for h in hrefs), hrefs
        assert variant or not any("/zh-Hant/" in h for h in hrefs), hrefs


@pytest.mark.parametrize("variant", ["", "zh-Hant/"])
def test_header_search_in_either_script(browser, served_site: str, variant: str) -> None:  # type: ignore[no-untyped-def]
    context, page, requests = visit(browser, served_site + variant)
    try:
        find_every_query(page, served_site, variant, top=5)
        own = urlparse(served_site).netloc
        assert all(urlparse(u).netloc == own for u in requests if u.startswith("http"))
    finally:
        context.close()


@pytest.mark.parametrize("variant", ["", "zh-Hant/"])
def test_search_across_index_shards(browser, served_sharded_site: str, variant: str) -> None:  # type: ignore[no-untyped-def]
    """A large casebook's index comes in shards: one query must search them all. (Ranking is
    each shard's own; shards of eight pages rank worse than the real ones of two thousand, so
    only finding the page is asked here.)"""
    context, page, _ = visit(browser, served_sharded_site + variant)
    try:
        find_every_query(page, served_sharded_site, variant, top=None)
    finally:
        context.close()


def test_search_result_shows_place_and_pillar(browser, served_site: str) -> None:  # type: ignore[no-untyped-def]
    context, page, _ = visit(browser, served_site)
    try:
        search(page, "敲门")
        first = page.locator(".cb-search__result").first
        assert "青山区青和居社区" in first.inner_text() and "“3”三治" in first.inner_text()
        assert first.locator("mark").count() >= 1, "the match is not highlighted in the excerpt"
    finally:
        context.close()


def test_script_switch_lands_on_the_same_page(browser, served_site: str) -> None:  # type: ignore[no-untyped-def]
    context, page, _ = visit(browser, served_site + "cases/qinghe-ju-tiantian-qiaomen/")
    try:
        assert page.evaluate("document.documentElement.lang") == "zh-Hans"
        page.locator('a[hreflang="zh-Hant"]').first.dispatch_event("click")
        page.wait_for_url(served_site + "zh-Hant/cases/qinghe-ju-tiantian-qiaomen/")
        assert page.evaluate("document.documentElement.lang") == "zh-Hant"
        assert "天天敲門組" in page.locator("h1").inner_text()
        page.locator('a[hreflang="zh-Hans"]').first.dispatch_event("click")
        page.wait_for_url(served_site + "cases/qinghe-ju-tiantian-qiaomen/")
    finally:
        context.close()


def test_filters_combine_and_live_in_the_url(browser, served_site: str) -> None:  # type: ignore[no-untyped-def]
    context, page, _ = visit(browser, served_site + "cases/")
    try:
        cards = page.locator(".cb-browse__card:visible .cb-browse__title")
        assert cards.count() == 5
        page.locator('input[name="pillar"][value="sanzhi"]').check()
        assert sorted(cards.all_inner_texts()) == ["汉阳区江欣苑社区文化建设", "青山区青和居“天天敲门组”"]
        page.locator('input[name="district"][value="qingshan"]').check()
        assert cards.all_inner_texts() == ["青山区青和居“天天敲门组”"]
        assert "pillar=sanzhi" in page.url and "district=qingshan" in page.url
        count = page.locator('input[name="district"][value="hanyang"]').locator("xpath=..").locator("[data-count]")
        assert count.inner_text() == "1"  # hanyang would add one case within 三治
        shared = page.url
        fresh = context.new_page()
        fresh.goto(shared, wait_until="networkidle")
        again = fresh.locator(".cb-browse__card:visible .cb-browse__title")
        assert again.all_inner_texts() == ["青山区青和居“天天敲门组”"]
        assert fresh.locator('input[name="pillar"][value="sanzhi"]').is_checked()
        assert "筛选出 1 / 5" in fresh.locator(".cb-browse__status").inner_text()
    finally:
        context.close()


def test_browse_page_lists_every_case_without_javascript(browser, served_site: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served_site + "cases/?pillar=sanzhi")
        assert page.locator(".cb-browse__card").count() == 5
        assert page.locator(".cb-browse__card:visible").count() == 5
    finally:
        context.close()


def test_figure_chart_bars_link_to_their_cases(browser, served_site: str) -> None:  # type: ignore[no-untyped-def]
    context, page, _ = visit(browser, served_site + "figures/")
    try:
        bar = page.locator('#by-pillar ~ figure a[href$="?pillar=sanzhi"]').first
        assert "2 个案例" in bar.inner_text()
        assert bar.bounding_box()["height"] >= 44  # a finger-sized row
        page.goto(served_site + "figures/" + bar.get_attribute("href"), wait_until="networkidle")
        titles = page.locator(".cb-browse__card:visible .cb-browse__title").all_inner_texts()
        assert sorted(titles) == ["汉阳区江欣苑社区文化建设", "青山区青和居“天天敲门组”"]
    finally:
        context.close()


@pytest.fixture(scope="module")
def served_preview(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The site as `make serve` builds it (CASEBOOK_PREVIEW=1, --dirty)."""
    import os
    import subprocess
    import sys

    from bench.search_probe import serve

    from .conftest import ROOT

    out = tmp_path_factory.mktemp("preview")
    env = {**os.environ, "CASEBOOK_PREVIEW": "1", "NO_MKDOCS_2_WARNING": "1"}
    cmd = [sys.executable, "-m", "mkdocs", "build", "--dirty", "--no-strict", "--site-dir", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with serve(out) as url:
        yield url


def test_preview_says_it_has_no_search_and_hides_the_script_switch(browser, served_preview: str) -> None:  # type: ignore[no-untyped-def]
    context, page, requests = visit(browser, served_preview + "cases/qinghe-ju-tiantian-qiaomen/")
    try:
        assert not page.locator('a[hreflang="zh-Hant"]').first.is_visible()
        box = page.locator(".cb-search__input")
        if not box.is_visible():
            page.locator(".cb-search__open").click()
        box.fill("敲门")
        page.wait_for_function("document.querySelector('.cb-search__status').textContent.includes('make build')")
        assert not any("pagefind" in u for u in requests)
    finally:
        context.close()


def test_browse_sorts_by_title_and_back_to_newest(browser, served_site: str) -> None:  # type: ignore[no-untyped-def]
    context, page, _ = visit(browser, served_site + "cases/")
    try:
        titles = page.locator(".cb-browse__card .cb-browse__title")
        newest = titles.all_inner_texts()
        page.locator('select[name="sort"]').select_option("title")
        by_title = titles.all_inner_texts()
        expected = page.evaluate("(t) => t.slice().sort((a, b) => a.localeCompare(b, 'zh'))", newest)
        assert by_title == expected and by_title != newest
        assert "sort=title" in page.url
        page.locator('select[name="sort"]').select_option("newest")
        assert titles.all_inner_texts() == newest
    finally:
        context.close()
