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
    "places/dongxihu/",
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
def test_phone_width_never_scrolls_sideways(browser, served_site: str, path: str) -> None:  # type: ignore[no-untyped-def]
    context, page, _ = visit(browser, served_site + path, width=375)
    try:
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
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


def test_header_search_finds_a_case(browser, served_site: str) -> None:  # type: ignore[no-untyped-def]
    context, page, _ = visit(browser, served_site)
    try:
        page.locator(".md-search__input").first.click()
        page.locator("input.md-search__input").fill("天天敲门组")
        page.keyboard.press("End")  # Material searches on key events; fill() alone sends none
        page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
        # jieba's word breaks (U+200B) show up in Material's result text
        first = page.locator(".md-search-result__item").first.inner_text().replace("\u200b", "")
        assert "青和居“天天敲门组”" in first
    finally:
        context.close()
