"""Search as a reader meets it, in headless Chromium: the bytes downloaded before the first
result (the home page, one query typed into the header box, every response body summed until a
result shows), and the quality of the ranking (a query set built from the records themselves,
each query run on the search page, scored by mean reciprocal rank).

The search engine changed from Material's to Pagefind; only the SearchUI constants and
`search_uis` know the difference.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import os
import random
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

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


# -- ranking quality ---------------------------------------------------------------------------
# Queries a cadre types, written by hand (issue #16); each must be answered by some case's text.
HAND_QUERIES = (
    "高空抛物",
    "退休手续",
    "家风",
    "高校",
    "网格员",
    "二维码",
    "红色管家",
    "十八法",
    "党建联席会议",
    "敲门",
    "微邻里",
    "外语班",
    "兼职委员",
    "文化精品",
    "棚改",
    "老年人",
    "扫码",
    "群聊",
    "共建",
    "大党委",
)
# Fields of a record that hold ids, dates and file names: not text a reader sees as the case's.
_NOT_TEXT = frozenset(
    {"id", "place", "pillars", "policies", "themes", "sources", "related", "aliases", "added", "updated"}
    | {"period", "file", "credit", "ref", "as_of", "value", "anchor"}
)
# Where a quote is cut into phrases: Chinese and Western punctuation, quotation marks, spaces.
_CLAUSE = re.compile(r"[，。；：！？、“”‘’'\"…,.!?;:\s（）()《》—]+")
_CASE_HREF = re.compile(r"/cases/([^/]+)/$")
RESULT_PAGE = 20  # results the search page shows of each group before 加载更多: ranks beyond count 0


@dataclass(frozen=True)
class Query:
    text: str  # Simplified, as the records write it
    answers: frozenset[str]  # ids of the cases whose own text holds the query
    origin: str  # keyword, figure, quote or hand


def case_text(record: Mapping[str, Any]) -> str:
    """Every string of a record a reader sees on its page, joined: what a query must be in to be
    answered by the case."""
    parts: list[str] = []

    def walk(value: Any, key: str = "") -> None:
        if key in _NOT_TEXT:
            return
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, Mapping):
            for k, v in value.items():
                walk(v, str(k))
        elif isinstance(value, list):
            for v in value:
                walk(v, key)

    walk(record)
    return "\n".join(parts)


def quote_phrase(text: str) -> str:
    """The longest clause of a quote (at most 12 characters from its start): a phrase a reader
    remembers of it."""
    clauses = [c for c in _CLAUSE.split(text) if len(c) >= 4]
    return max(clauses, key=len)[:12] if clauses else ""


def query_set(
    records: Sequence[Mapping[str, Any]], hand: Iterable[str] = HAND_QUERIES, sample: int = 0, seed: int = 1
) -> list[Query]:
    """Each case's keywords, figure labels and quote phrases, and the hand-written queries, with the
    cases that answer each. `sample`: at most that many, drawn at random (a large casebook)."""
    texts = {str(r["id"]): case_text(r) for r in records}
    wanted: dict[str, str] = {}
    for r in records:
        for k in r.get("keywords") or []:
            wanted.setdefault(str(k), "keyword")
        for f in r.get("figures") or []:
            wanted.setdefault(str(f["label"]), "figure")
        for q in r.get("quotes") or []:
            phrase = quote_phrase(str(q["text"]))
            if phrase:
                wanted.setdefault(phrase, "quote")
    for h in hand:
        wanted.setdefault(h, "hand")
    out = []
    for text, origin in wanted.items():
        answers = frozenset(i for i, t in texts.items() if text in t)
        if origin == "hand" and not answers:
            raise ValueError(f"no case answers the hand-written query {text!r}")
        if len(text) >= 2 and answers:
            out.append(Query(text, answers, origin))
    if sample and len(out) > sample:
        out = sorted(random.Random(seed).sample(out, sample), key=lambda q: q.text)
    return out


@dataclass(frozen=True)
class Ranked:
    query: Query
    shown: str  # the query as typed (Traditional on zh-Hant/)
    rank: int  # position of the first answering case among the results, 1-based; 0: not among them
    first: str  # the first result's address


@dataclass(frozen=True)
class Quality:
    script: str  # zh-Hans or zh-Hant
    ranked: tuple[Ranked, ...]

    @property
    def mrr(self) -> float:
        return sum(1 / r.rank for r in self.ranked if r.rank) / len(self.ranked) if self.ranked else 0.0

    @property
    def first(self) -> int:
        return sum(1 for r in self.ranked if r.rank == 1)

    def misses(self) -> list[Ranked]:
        return [r for r in self.ranked if r.rank != 1]


def search_page_ranks(page: Any, site_url: str, queries: Sequence[Query], hant: bool, timeout_s: float) -> Quality:
    """Each query typed into the search page (the header box lists the same order, fewer of it):
    the rank of the first case that answers it, cases listed before sections."""
    from casebook_mkdocs.variants import to_traditional  # the site's own conversion (s2tw)

    prefix = "zh-Hant/" if hant else ""
    page.goto(f"{site_url}{prefix}search/", wait_until="load")
    box = page.locator("input.cb-searchpage__input")
    out = []
    for q in queries:
        shown = to_traditional(q.text) if hant else q.text
        box.fill(shown)
        box.press("Enter")
        answered = page.locator(f".cb-searchpage__status[data-query={_css_string(shown)}]")
        answered.wait_for(state="attached", timeout=timeout_s * 1000)
        hrefs = page.locator(".cb-searchpage__group:not([hidden]) .cb-search__result a").evaluate_all(
            "els => els.map(e => e.getAttribute('href'))"
        )
        ids = [m.group(1) if (m := _CASE_HREF.search(h)) else "" for h in hrefs]
        rank = next((n for n, i in enumerate(ids, 1) if i in q.answers), 0)
        out.append(Ranked(q, shown, rank, hrefs[0] if hrefs else ""))
    return Quality("zh-Hant" if hant else "zh-Hans", tuple(out))


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def search_quality(site_dir: Path, queries: Sequence[Query], timeout_s: float = 120) -> tuple[Quality, Quality]:
    """The query set on the built site, in both scripts."""
    from playwright.sync_api import sync_playwright

    with serve(site_dir) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            return tuple(search_page_ranks(page, url, queries, hant, timeout_s) for hant in (False, True))  # type: ignore[return-value]
        finally:
            browser.close()


def search_page_url(site_url: str, query: str, hant: bool = False) -> str:
    return f"{site_url}{'zh-Hant/' if hant else ''}search/?q={quote(query)}"


QUALITY_SAMPLE = 120  # queries drawn from a large casebook's set (in each script)


def case_records(project: Path) -> list[dict[str, Any]]:
    """The records of a project's cases/, as the query set reads them."""
    import yaml

    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((project / "cases").glob("*.yml"))]


def measure_quality(
    site_dir: Path, project: Path, sample: int = QUALITY_SAMPLE, seed: int = 1
) -> tuple[Quality, Quality]:
    """The query set of the project's records (at most `sample` queries) on its built site."""
    return search_quality(site_dir, query_set(case_records(project), sample=sample, seed=seed))
