"""Bytes a reader downloads before the first search result: the home page in headless Chromium,
one query typed into the site's search box, every response body summed until a result shows.

The search engine is about to change from Material's to Pagefind; only the SearchUI constants
and `search_uis` know the difference.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_ENV = "CASEBOOK_REQUIRE_BROWSER"


@dataclass(frozen=True)
class SearchUI:
    engine: str
    input: str  # the box a reader types into
    result: str  # one search result
    opener: str = ""  # a button that shows the box, where the box starts hidden


MATERIAL = SearchUI("Material", input="input.md-search__input", result=".md-search-result__item")
# Pagefind behind the site's own header box (docs/assets/casebook-search.js), or Pagefind's stock UI.
CASEBOOK_PAGEFIND = SearchUI(
    "Pagefind", input="input.cb-search__input", result=".cb-search__result", opener=".cb-search__open"
)
PAGEFIND_UI = SearchUI("Pagefind UI", input=".pagefind-ui__search-input", result=".pagefind-ui__result")


def search_uis(site_dir: Path) -> tuple[SearchUI, ...]:
    """The boxes the built site may have, by its search engine: a Pagefind bundle or Material's index."""
    return (CASEBOOK_PAGEFIND, PAGEFIND_UI) if (site_dir / "pagefind").is_dir() else (MATERIAL,)


@dataclass(frozen=True)
class SearchProbe:
    engine: str
    query: str
    bytes: int  # response bodies, page load to first result
    responses: int
    seconds: float
    gzip_bytes: int  # the same bodies gzip-compressed, as a static host would send text


def browser_missing() -> str:
    """Why the browser measurement cannot run here, or "" when it can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (Debian package 'chromium')"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return ""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(site_dir: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def find_box(page: Any, uis: tuple[SearchUI, ...], timeout_s: float) -> SearchUI:
    """The first of `uis` whose box the page has (scripts may add it after load)."""
    page.wait_for_selector(", ".join(ui.input for ui in uis), state="attached", timeout=timeout_s * 1000)
    return next(ui for ui in uis if page.locator(ui.input).count())


def type_query(page: Any, ui: SearchUI, query: str, timeout_s: float) -> None:
    """Search as a reader does. Material reacts to key events, which fill() alone does not send."""
    box = page.locator(ui.input).first
    if ui.opener and not box.is_visible():
        page.locator(ui.opener).first.click()
    box.click()
    box.fill(query)
    page.keyboard.press("End")
    page.locator(ui.result).first.wait_for(timeout=timeout_s * 1000)


def _sizes(response: Any) -> tuple[int, int]:
    """(body bytes, gzip-compressed bytes) of one response."""
    try:
        body = response.body()
    except Exception:  # redirects and some worker responses have no retrievable body
        size = int(response.request.sizes().get("responseBodySize", 0))
        return size, size
    return len(body), min(len(body), len(gzip.compress(body, 6)))


def bytes_before_first_result(site_dir: Path, query: str, timeout_s: float = 300) -> SearchProbe:
    from playwright.sync_api import sync_playwright

    with serve(site_dir) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            seen: list[Any] = []
            context.on("response", lambda r: seen.append(r))  # the context also sees the search worker's fetches
            page = context.new_page()
            start = time.perf_counter()
            page.goto(url, wait_until="load")
            ui = find_box(page, search_uis(site_dir), timeout_s)
            type_query(page, ui, query, timeout_s)
            seconds = time.perf_counter() - start
            sizes = [_sizes(r) for r in list(seen)]
        finally:
            browser.close()
    return SearchProbe(ui.engine, query, sum(b for b, _ in sizes), len(sizes), seconds, sum(g for _, g in sizes))


def required() -> bool:
    return bool(os.environ.get(REQUIRE_ENV))
