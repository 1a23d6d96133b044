"""我的清单 and 案例对比 in Chromium (issue 13, items 4 and 5): a basket made on one phone, sent
as a link and opened on another (a fresh browser profile), the comparison of its cases, the
handout, and the controls as a keyboard, a screen reader and a finger use them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from casebook_mkdocs.variants import to_traditional

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}
DESK = {"width": 1280, "height": 900}
A = "qinghe-ju-tiantian-qiaomen"
B = "hongshan-jiexiao-qianshou"
SCRIPTS = ("", "zh-Hant/")
ITEMS = "() => [...document.querySelectorAll('.cb-basket__item')].map(li => li.dataset.id)"
LOADED = "() => [...document.querySelectorAll('.cb-basket__item')].every(li => li.dataset.title)"
# Every control a finger reaches on the page: buttons, links, the checkboxes' labels (the
# headings' ¶ anchors are the theme's, the same on every page, and exempt as WCAG 2.5.8 allows).
SMALL_TARGETS = """(root) => [...document.querySelectorAll(root + ' button, ' + root + ' a[href], ' + root + ' label')]
  .filter(e => e.offsetParent !== null && !e.classList.contains('headerlink'))
  .map(e => [e.textContent.trim().slice(0, 20), e.getBoundingClientRect()])
  .map(([t, r]) => [t, Math.round(r.width), Math.round(r.height)])
  .filter(([, w, h]) => w < 44 || h < 44)"""
SIDEWAYS = "document.scrollingElement.scrollWidth"


def open_data(site: Path) -> dict[str, dict[str, Any]]:
    cases = json.loads((site / "data" / "cases.json").read_text(encoding="utf-8"))["cases"]
    return {c["id"]: c for c in cases}


def fresh(browser: Any, viewport: dict[str, int] = PHONE) -> tuple[Any, Any]:
    """A new browser profile: nothing in its localStorage, as on another phone."""
    context = browser.new_context(viewport=viewport)
    return context, context.new_page()


def spoken(page: Any, selector: str, text: str) -> None:
    """`text` reaches the live region (it is emptied first so that a repeat is said again)."""
    page.wait_for_function(
        "([s, t]) => [...document.querySelectorAll(s)].some(e => e.textContent.includes(t))", arg=[selector, text]
    )


@pytest.mark.parametrize("script", SCRIPTS, ids=("zh-Hans", "zh-Hant"))
def test_a_shared_basket_opens_on_another_phone_in_the_same_order(
    browser: Any, served_site: str, site: Path, script: str
) -> None:
    hant = script == "zh-Hant/"
    add, remove = ("加入清單", "移出清單") if hant else ("加入清单", "移出清单")
    context, page = fresh(browser)
    try:
        # One case from its own page, the other from a card on the browse page.
        page.goto(served_site + script + f"cases/{B}/", wait_until="load")
        button = page.locator(f'.cb-basket-add [data-cb-basket-add="{B}"]')
        assert button.inner_text() == add
        button.click()
        assert button.inner_text() == remove
        spoken(page, ".cb-basket-add [aria-live]", "已加入清單" if hant else "已加入清单")
        page.goto(served_site + script + "cases/", wait_until="load")
        card = page.locator(f'.cb-browse__card [data-cb-basket-add="{A}"]')
        assert card.get_attribute("aria-label").startswith(add + "：")
        card.click()
        assert card.get_attribute("aria-label").startswith(remove + "：")
        spoken(page, ".cb-basket-bar [aria-live]", "共 2 個案例" if hant else "共 2 个案例")
        assert page.locator("[data-cb-basket-count]").inner_text() == ("我的清單（2）" if hant else "我的清单（2）")
        # The basket lists them in the order they were added; 下移 swaps them.
        page.goto(served_site + script + "basket/", wait_until="load")
        page.wait_for_function(LOADED)
        assert page.evaluate(ITEMS) == [B, A]
        page.locator(f'.cb-basket__item[data-id="{B}"] [data-action="down"]').click()
        assert page.evaluate(ITEMS) == [A, B]
        link = page.locator("[data-cb-basket-link]").inner_text()
        assert link.endswith(f"{script}basket/?c={A},{B}")
        assert page.url == link, "the address bar holds the list too"
    finally:
        context.close()
    other, page = fresh(browser)
    try:
        page.goto(link, wait_until="load")
        page.wait_for_function(LOADED)
        assert page.evaluate(ITEMS) == [A, B]
        titles = page.locator(".cb-basket__title a").all_inner_texts()
        cases = open_data(site)
        words = to_traditional if hant else str
        assert titles == [words(cases[A]["title"]), words(cases[B]["title"])]
        assert page.evaluate("localStorage.getItem('cb-basket')") == json.dumps([A, B], separators=(",", ":"))
        # The comparison of the two shows each case's key figures.
        page.locator("[data-cb-basket-compare]").click()
        page.wait_for_selector(".cb-compare__case .cb-compare__figures")
        assert page.url.endswith(f"{script}compare/?c={A},{B}")
        columns = page.locator(".cb-compare__case")
        assert columns.count() == 2
        for n, case_id in enumerate((A, B)):
            shown = columns.nth(n).locator(".cb-compare__figures li").all_inner_texts()
            expected = [words(f"{f['display']} {f['label']}") for f in cases[case_id]["figures"]]
            assert shown == expected
    finally:
        other.close()


def test_a_shared_link_never_overwrites_a_basket_already_on_the_phone(browser: Any, served_site: str) -> None:
    context, page = fresh(browser)
    try:
        page.goto(served_site + f"basket/?c={B}", wait_until="load")  # this phone's own list
        page.wait_for_function(LOADED)
        page.goto(served_site + f"basket/?c={A},{B}", wait_until="load")
        page.wait_for_function(LOADED)
        assert page.evaluate(ITEMS) == [A, B]
        assert page.locator("[data-cb-basket-shared]").is_visible()
        assert page.evaluate("JSON.parse(localStorage.getItem('cb-basket'))") == [B]
        page.locator("[data-cb-basket-append]").click()
        assert page.evaluate("JSON.parse(localStorage.getItem('cb-basket'))") == [B, A]
        assert page.evaluate(ITEMS) == [B, A]
        spoken(page, "[data-cb-basket-status]", "已把分享的案例加到你的清单后面")
    finally:
        context.close()


def test_the_basket_works_from_the_keyboard_and_says_each_change(browser: Any, served_site: str) -> None:
    context, page = fresh(browser)
    try:
        page.goto(served_site + f"basket/?c={A},{B}", wait_until="load")
        page.wait_for_function(LOADED)
        up = page.locator(f'.cb-basket__item[data-id="{B}"] [data-action="up"]')
        title = page.locator(f'.cb-basket__item[data-id="{B}"]').get_attribute("data-title")
        # Named as it reads: the visible word first, then which case.
        assert up.get_attribute("aria-label") == f"上移：{title}"
        up.focus()
        page.keyboard.press("Enter")
        assert page.evaluate(ITEMS) == [B, A]
        spoken(page, "[data-cb-basket-status]", f"已上移：{title}，现在是第 1 个")
        # Focus stays with the moved case: on its 下移, since it cannot go further up.
        assert page.evaluate("document.activeElement.getAttribute('aria-label')") == f"下移：{title}"
        page.keyboard.press("Enter")
        assert page.evaluate(ITEMS) == [A, B]
        drop = page.locator(f'.cb-basket__item[data-id="{A}"] [data-action="drop"]')
        drop.focus()
        page.keyboard.press("Enter")
        assert page.evaluate(ITEMS) == [B]
        spoken(page, "[data-cb-basket-status]", "清单里共 1 个案例")
        assert page.evaluate("JSON.parse(localStorage.getItem('cb-basket'))") == [B]
        assert page.evaluate("document.activeElement.closest('.cb-basket__item').dataset.id") == B
    finally:
        context.close()


def test_the_handout_holds_the_learner_text_of_each_case_in_order(browser: Any, served_site: str) -> None:
    context, page = fresh(browser, DESK)
    try:
        page.goto(served_site + f"basket/?c={B},{A}", wait_until="load")
        page.wait_for_function(LOADED)
        page.locator("[data-cb-basket-build]").click()
        page.wait_for_selector(".cb-basket__handout .cb-basket__case h1")
        assert (
            page.locator(".cb-basket__handout h1").all_inner_texts()
            == page.locator(".cb-basket__title a").all_inner_texts()
        )
        handout = page.locator(".cb-basket__handout").inner_text()
        for section in ("做法", "成效", "来源"):
            assert section in handout
        # No teaching notes, no sharing tools, no controls; ids unique on the combined page.
        assert "教学参考" not in handout and "讨论题" not in handout and "分享与引用" not in handout
        assert page.locator(".cb-basket__handout button").count() == 0
        assert page.evaluate("new Set([...document.querySelectorAll('[id]')].map(e => e.id)).size") == page.evaluate(
            "document.querySelectorAll('[id]').length"
        )
        # Printed, the handout is all there is.
        page.emulate_media(media="print")
        assert page.locator(".cb-basket__handout").is_visible()
        assert not page.locator(".cb-basket__list").is_visible()
        assert not page.locator("h1", has_text="我的清单").is_visible()
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
    finally:
        context.close()


@pytest.mark.parametrize("path", ["basket/", "compare/"])
def test_without_javascript_the_page_says_what_it_needs(browser: Any, served_site: str, path: str) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served_site + path + f"?c={A},{B}", wait_until="load")
        assert "JavaScript" in page.locator(".cb-basket__noscript").inner_text()
        assert not page.locator("[data-cb-basket], [data-cb-compare]").is_visible()
        page.goto(served_site + f"cases/{A}/", wait_until="load")
        assert not page.locator("[data-cb-basket-add]").is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=("375px", "1280px"))
def test_pages_fit_the_phone_with_finger_sized_controls(
    browser: Any, served_site: str, viewport: dict[str, int]
) -> None:
    context, page = fresh(browser, viewport)
    try:
        page.goto(served_site + f"basket/?c={A},{B}", wait_until="load")
        page.wait_for_function(LOADED)
        assert page.evaluate(SIDEWAYS) <= viewport["width"]
        assert page.evaluate(SMALL_TARGETS, ".cb-basket") == []
        page.goto(served_site + f"compare/?c={A},{B}", wait_until="load")
        page.wait_for_selector(".cb-compare__figures")
        assert page.evaluate(SIDEWAYS) <= viewport["width"]
        assert page.evaluate(SMALL_TARGETS, ".cb-compare") == []
        boxes = page.locator(".cb-compare__case").evaluate_all(
            "cs => cs.map(c => c.getBoundingClientRect()).map(r => [Math.round(r.left), Math.round(r.top)])"
        )
        if viewport is PHONE:  # one case under the other
            assert boxes[0][0] == boxes[1][0] and boxes[1][1] > boxes[0][1]
        else:  # side by side, and each row level with its neighbour's
            assert boxes[0][1] == boxes[1][1] and boxes[1][0] > boxes[0][0]
            tops = page.locator(".cb-compare__row--results").evaluate_all(
                "rs => rs.map(r => Math.round(r.getBoundingClientRect().top))"
            )
            assert tops[0] == tops[1]
        page.goto(served_site + f"cases/{A}/", wait_until="load")
        assert page.evaluate(SMALL_TARGETS, ".cb-basket-add") == []
    finally:
        context.close()


def test_a_comparison_without_cases_says_how_to_choose(browser: Any, served_site: str) -> None:
    context, page = fresh(browser)
    try:
        page.goto(served_site + "compare/", wait_until="load")
        assert "我的清单" in page.locator("[data-cb-compare-status]").inner_text()
        page.goto(served_site + f"compare/?c={A},no-such-case", wait_until="load")
        page.wait_for_selector(".cb-compare__case >> nth=1")
        assert "no-such-case" in page.locator(".cb-compare__case").nth(1).inner_text()
    finally:
        context.close()


def test_traditional_basket_and_comparison_speak_traditional(browser: Any, served_site: str, site: Path) -> None:
    """The script's own words (statuses, button names) on zh-Hant/ pages are Traditional."""
    from .test_accessibility import visible_words

    context, page = fresh(browser)
    try:
        for path in (f"zh-Hant/basket/?c={A},{B}", f"zh-Hant/compare/?c={A},{B}"):
            page.goto(served_site + path, wait_until="load")
            page.wait_for_function(
                "() => document.querySelectorAll('.cb-basket__item[data-title], .cb-compare__figures').length === 2"
            )
            if "basket" in path:
                page.locator('[data-action="down"]').first.click()
                spoken(page, "[data-cb-basket-status]", "已下移")
            built = set((site / path.split("?")[0] / "index.html").read_text(encoding="utf-8"))
            for case_id in (A, B):
                built |= set((site / "zh-Hant" / "cases" / case_id / "card.json").read_text(encoding="utf-8"))
            words = visible_words(page)
            simplified = sorted(
                {c for c, t in zip(words, to_traditional(words), strict=True) if c != t and c not in built}
            )
            assert not simplified, f"Simplified characters on {path}: {simplified}"
    finally:
        context.close()


@pytest.mark.parametrize("path", [f"basket/?c={A},{B}", f"compare/?c={A},{B}", f"cases/{A}/"])
def test_large_mode_never_scrolls_sideways(browser: Any, served_site: str, path: str) -> None:
    """长辈模式 (the header switch, kept in localStorage) on a phone: text half as large again."""
    context = browser.new_context(viewport=PHONE)
    context.add_init_script("localStorage.setItem('cb-large', '1')")
    try:
        page = context.new_page()
        page.goto(served_site + path, wait_until="load")
        page.wait_for_function("() => !document.querySelector('.cb-basket__item:not([data-title])')")
        page.wait_for_function(
            "() => !document.querySelector('[data-cb-compare]') || !!document.querySelector('.cb-compare__case')"
        )
        assert page.evaluate("document.documentElement.hasAttribute('data-cb-large')")
        assert page.evaluate(SIDEWAYS) <= PHONE["width"]
    finally:
        context.close()
