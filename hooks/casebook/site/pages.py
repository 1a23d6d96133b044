"""The whole generated part of the site: pages (rendered when asked for), files (open data,
feeds, schemas, photos, redirects) and the blocks hand-written pages pull in.

Pages and files are named by web paths ("cases/<id>/", "data/cases.json"); the MkDocs hook turns
them into MkDocs pages and files, and another generator could do the same."""

from __future__ import annotations

import json
import marshal
import re
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ..model import Case, Casebook
from ..records.diagnostics import Diagnostic
from ..records.images import Rendition, renditions
from . import reference_files, urls
from .basket import card_json
from .codebook import csv_columns_doc, json_keys
from .export_schema import export_schema_json
from .exports import EXPORT_SCHEMA, atom_feed, cases_csv, cases_json
from .handouts import Download
from .key_reuse import KeyEntry, KeyState, entry, reusable
from .page import RenderedPage, toc_from_html
from .page_keys import PageCache, PageKeys, code_fingerprint, fingerprint
from .related import Memo
from .templates import Templates
from .view import Photos, View, browse_chunk_path
from .workbook import cases_xlsx, sheets

BLOCKS = ("stats", "pillars", "newest")
# The open data and the feed: what files() leaves out of a preview.
OPEN_DATA = ("data/cases.json", "data/cases.csv", "data/cases.xlsx", "feed.xml")
MARKER = re.compile(r"<!--\s*casebook:([a-z-]+)\s*-->")


@dataclass(frozen=True)
class GeneratedPage:
    path: str  # web path: "cases/<id>/"
    # Rendered on demand, one page at a time, so that thousands of pages are never all held.
    render: Callable[[], RenderedPage]
    record: str = ""  # the file the page is made from, for edit links
    edit_url: str = ""
    # The digest of all the page is made from (page_keys), for pages that have one: the same key,
    # the same HTML.
    key: bytes | None = None


@dataclass(frozen=True)
class GeneratedFile:
    path: str  # "data/cases.json"
    content: str | bytes | Path  # a Path: a file already made (a cached download), copied as it is


def _offered(downloads: Sequence[Download]) -> list[tuple[str, str, str, int]]:
    """What a page shows of the Word and slide files it offers (their sizes too): part of its key."""
    return [(d.path, d.label, d.format, d.size) for d in downloads]


def photos(book: Casebook, cases_dir: Path, cache: Path | None = None) -> dict[str, list[Rendition]]:
    """Every photo a record names, in its web sizes (validation has already vouched for each file)."""
    out: dict[str, list[Rendition]] = {}
    for case in book.cases.values():
        for m in case.media:
            if m.file:
                out[f"{case.id}/{m.file}"] = renditions(cases_dir / case.id / m.file, cache)
    return out


class SitePages:
    """Renders the casebook's pages with one template environment."""

    def __init__(
        self,
        book: Casebook,
        templates: Templates | None = None,
        photo_sizes: Photos | None = None,
        cache: PageCache | None = None,
        downloads: Mapping[str, list[Download]] | None = None,
        related_memo: Memo | None = None,
        previous_keys: KeyState | None = None,
    ):
        self.book = book
        self.templates = templates or Templates()
        self.view = View(book, related_memo)
        self.photos: Photos = photo_sizes or {}
        # Per page: the Word and slide files it offers (casebook.site.handouts.make).
        self.downloads: Mapping[str, list[Download]] = downloads or {}
        self.cache = cache
        self.keys = PageKeys(book, self.photos) if cache is not None else None
        self._case_keys: dict[str, bytes] = {}  # the page and the card of a case ask for it
        self._record_keys: dict[str, bytes] = {}
        self._shows: dict[str, tuple[str, ...]] = {}  # the ids each worked-out related list shows
        # A preview's keys of the last rebuild (key_reuse): those that still hold are taken as
        # they are, without working out the case's related list.
        self._previous_keys = previous_keys
        self._reused: dict[str, KeyEntry] | None = None

    def render(
        self,
        path: str,
        template: str,
        title: str,
        description: str = "",
        layout: frozenset[str] = frozenset(),
        **ctx: Any,
    ) -> RenderedPage:
        html = self.templates.render(
            template, here=path, view=self.view, photos=self.photos, downloads=self.downloads.get(path, ()), **ctx
        )
        return RenderedPage(path, title, html, description, layout, toc_from_html(html))

    def page(
        self,
        path: str,
        template: str,
        title: str,
        *,
        record: str = "",
        description: str = "",
        key: bytes | None = None,
        **kw: Any,
    ) -> GeneratedPage:
        cache = self.cache if key is not None else None

        def render() -> RenderedPage:
            if cache is not None and key is not None:
                kept = cache.get(key)
                if kept is not None:
                    return kept
            page = self.render(path, template, title, description, **kw)
            if cache is not None and key is not None:
                cache.put(key, page)
            return page

        return GeneratedPage(path, render, record, self.book.site.edit_url(record) if record else "", key)

    def case_key(self, case: Case) -> bytes | None:
        """A case page's key (page_keys) with the related cases it shows (they are computed from
        every record, so the list itself is part of what the page is made from) and the Word and
        slide files it offers (the page names their sizes)."""
        if self.keys is None:
            return None
        key = self._case_keys.get(case.id)
        if key is None:
            kept = self._reusable().get(case.id)
            if kept is not None:
                key = self._case_keys[case.id] = kept.case_key
                return key
            shown = self.view.related(case)
            self._shows[case.id] = tuple(r.case.id for r in shown)
            related = [(r.case.id, r.case.title, r.reasons) for r in shown]
            offered = _offered(self.downloads.get(urls.case(case.id), ()))
            key = self._case_keys[case.id] = fingerprint(self.record_key(case), related, offered)
        return key

    def record_key(self, case: Case) -> bytes | None:
        """The digest of the case's record and the reference data it names (PageKeys.case):
        all a card in a list shows of it, without the related cases and downloads of its page."""
        if self.keys is None:
            return None
        key = self._record_keys.get(case.id)
        if key is None:
            kept = self._reusable().get(case.id)
            key = self._record_keys[case.id] = kept.record_key if kept is not None else self.keys.case(case)
        return key

    @cached_property
    def _context(self) -> bytes:
        """What every case key shares (key_reuse): with it unchanged, keys can be carried over."""
        assert self.keys is not None
        offered = [(path, _offered(found)) for path, found in sorted(self.downloads.items())]
        return self.keys.context(self.view.related_cases.limit, offered)

    @cached_property
    def _photo_digests(self) -> dict[str, bytes]:
        assert self.keys is not None
        return self.keys.photo_digests()

    def _reusable(self) -> dict[str, KeyEntry]:
        if self._reused is None:
            previous, self._previous_keys = self._previous_keys, None  # what it holds goes to _reused
            self._reused = (
                {}
                if previous is None or self.keys is None
                else reusable(previous, self._context, self.book, self.view.related_cases, self._photo_digests)
            )
        return self._reused

    @property
    def keys_carried(self) -> int:
        """How many case keys were carried over from the last rebuild (key_reuse), not worked out."""
        return len(self._reusable())

    def key_state(self) -> KeyState | None:
        """Every case's keys, for the next rebuild of a preview (key_reuse); None without page keys."""
        if self.keys is None:
            return None
        reused = self._reusable()
        photos = self._photo_digests
        related = self.view.related_cases
        cases: dict[str, KeyEntry] = {}
        for case in self.book.cases.values():
            kept = reused.get(case.id)
            if kept is None:
                case_key = self.case_key(case)
                record_key = self.record_key(case)
                assert case_key is not None and record_key is not None
                kept = entry(case, self.book, related, photos, self._shows[case.id], record_key, case_key)
            if kept is not None:
                cases[case.id] = kept
        return KeyState(self._context, cases)

    def listing_key(self, cases: Sequence[Case], *parts: Any) -> bytes | None:
        """The key of a page or file that shows these cases as cards, and `parts` (its number, the
        totals it prints): the cases' record keys hold all a card shows of them. None without
        page keys."""
        if self.keys is None:
            return None
        return fingerprint(parts, [self.record_key(c) for c in cases])

    def entity_key(self, cases: Sequence[Case], *parts: Any) -> bytes | None:
        """The key of a page about one part of the framework, policy, place, theme or collection:
        it shows that entity and the reference data around it (all in the context of the case
        keys, with the code and templates), and, as cards or in full, the cases under it, whose
        record keys hold all it shows of them (tests/test_page_keys.py)."""
        if self.keys is None:
            return None
        return self.listing_key(cases, *parts, self._context)

    def all(self) -> list[GeneratedPage]:
        book, page = self.book, self.page
        fw = book.framework
        n = len(book.cases)
        out = [
            page(
                urls.FRAMEWORK,
                "framework.html",
                f"“{fw.name}”框架",
                record="data/framework.yml",
                description=fw.summary[:120],
            ),
            page(urls.FIGURES, "figures.html", "数说", description="案例库的关键数字和分布"),
            page(urls.POLICIES, "policies.html", "政策与工程", record="data/policies.yml"),
            page(urls.PLACES, "places.html", "地区", record="data/places.yml"),
            page(urls.THEMES, "themes.html", "主题", record="data/themes.yml"),
            page(urls.COLLECTIONS, "collections.html", "课程包"),
            page(
                urls.SEARCH,
                "search.html",
                "搜索",
                layout=frozenset({"wide"}),
                description="搜索全部案例和栏目，按框架、地区、主题、政策和年份筛选",
            ),
        ]
        # Relative to the browse page: the script fetches them from wherever the site is served.
        chunks = [urls.relative(urls.CASES, browse_chunk_path(i + 1)) for i in range(len(self.view.browse_chunks()))]
        for listing in self.view.browse_pages():
            first = listing.number == 1
            # The first page also counts every case under each filter: it has no key. The
            # others show their hundred cards: a save re-renders only the page of the case saved.
            key = (
                None
                if first
                else self.listing_key(listing.cases, "browse", listing.number, listing.pages, listing.total)
            )
            out.append(
                page(
                    listing.path,
                    "browse.html",
                    "案例库" if first else f"案例库（第 {listing.number} 页）",
                    layout=frozenset({"wide"}),
                    description=f"共 {n} 个基层治理案例，可按框架、地区、主题、政策和年份筛选"
                    if first
                    else f"案例库第 {listing.first}—{listing.last} 个案例，最新收录的在前",
                    listing=listing,
                    chunks=chunks if first else [],
                    key=key,
                )
            )
        out += [
            page(
                urls.pillar(p.id),
                "pillar.html",
                f"“{p.number}”：{p.title}",
                record="data/framework.yml",
                pillar=p,
                key=self.entity_key(book.by_pillar.get(p.id, []), "pillar", p.id),
            )
            for p in fw.pillars
        ]
        out += [
            page(
                urls.policy(p.id),
                "policy.html",
                p.name,
                record="data/policies.yml",
                policy=p,
                key=self.entity_key(book.by_policy.get(p.id, []), "policy", p.id),
            )
            for p in book.policies.values()
        ]
        for d in book.places.of_level("district"):
            city = book.places.by_id[d.city]
            out.append(
                page(
                    urls.place(d.id),
                    "place.html",
                    d.name,
                    record="data/places.yml",
                    description=f"{city.name}{d.name}的基层治理案例",
                    district=d,
                    key=self.entity_key(book.by_place.get(d.id, []), "place", d.id),
                )
            )
        out += [
            page(
                urls.theme(t.id),
                "theme.html",
                f"主题：{t.name}",
                record="data/themes.yml",
                description=t.description,
                theme=t,
                key=self.entity_key(book.by_theme.get(t.id, []), "theme", t.id),
            )
            for t in book.themes.values()
        ]
        for c in book.collections.values():
            held = [book.cases[item.case] for item in c.items]
            out.append(
                page(
                    urls.collection(c.id),
                    "collection.html",
                    c.title,
                    record=c.path,
                    collection=c,
                    key=self.entity_key(held, "collection", c),
                )
            )
            out.append(
                page(
                    urls.collection_print(c.id),
                    "collection_print.html",
                    f"{c.title}（打印版）",
                    record=c.path,
                    layout=frozenset({"wide", "print"}),
                    collection=c,
                    key=self.entity_key(held, "collection_print", c),
                )
            )
        for case in book.cases_by_title:
            edit = book.site.edit_url(case.path)
            out.append(
                page(
                    urls.case(case.id),
                    "case.html",
                    case.title,
                    record=case.path,
                    description=case.summary,
                    case=case,
                    edit_url=edit,
                    key=self.case_key(case),
                )
            )
        # The trainer's tools last: pages are indexed for search in this order, in shards, and the
        # shards before these stay as they were.
        out += [
            page(urls.BASKET, "basket.html", "我的清单", description="选几个案例备课：排序、分享、打印讲义、对比"),
            page(
                urls.COMPARE, "compare.html", "案例对比", layout=frozenset({"wide"}), description="两三个案例并排对比"
            ),
        ]
        # The 数据字典 after them, for the same reason.
        out.append(self.codebook())
        return out

    def codebook(self) -> GeneratedPage:
        """数据字典, from the schemas: every column of the CSV and the workbook, every key of the JSON."""

        def render() -> RenderedPage:
            keys = json_keys(self.book)
            return self.render(
                urls.CODEBOOK,
                "codebook.html",
                "数据字典",
                "开放数据（cases.xlsx、cases.csv、cases.json）每一列、每一个键的说明",
                keys=keys,
                columns=csv_columns_doc(self.book, keys),
                sheets=sheets(self.book),
                export_schema=EXPORT_SCHEMA,
            )

        return GeneratedPage(urls.CODEBOOK, render)

    def block(self, name: str, here: str) -> str:
        return self.templates.block(name, here=here, view=self.view)

    def fill_blocks(self, markdown: str, here: str, display: str) -> tuple[str, list[Diagnostic]]:
        """Replace <!-- casebook:NAME --> in a hand-written page with the generated block."""
        problems: list[Diagnostic] = []

        def replace(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in BLOCKS:
                line = markdown.count("\n", 0, m.start()) + 1
                problems.append(
                    Diagnostic(
                        display,
                        line,
                        1,
                        "",
                        f"未知的生成块 casebook:{name}",
                        "可用的生成块：" + "、".join(BLOCKS),
                        "page.block",
                    )
                )
                return m.group(0)
            return "\n\n" + self.block(name, here) + "\n\n"

        return MARKER.sub(replace, markdown), problems

    def redirects(self) -> list[GeneratedFile]:
        out = []
        for case in self.book.cases_by_title:
            canonical = self.book.site.case_url(case.id)
            for alias in case.aliases:
                html = self.templates.render(
                    "redirect.html", title=case.title, target=f"../{case.id}/", canonical=canonical
                )
                out.append(GeneratedFile(urls.case_alias(alias), html))
        return out


def case_cards(
    site: SitePages, available: Container[str], wanted: Callable[[Case], bool] | None = None
) -> list[GeneratedFile]:
    """Each case's card for the basket and the comparison. `available`: every path the site
    will publish, so that a case's Word and slide files are linked once they exist. `wanted`:
    the cases whose card is to be made (a preview server leaves out those it wrote unchanged)."""
    fields = site.templates.fields
    return [
        GeneratedFile(urls.case_card(c.id), card_json(site.view, fields, c, available))
        for c in site.book.cases_by_title
        if wanted is None or wanted(c)
    ]


def qr_codes(book: Casebook) -> list[tuple[str, str]]:
    """(file, URL) of each case's QR code: the file to add to the site, the URL it encodes."""
    return [(urls.case_qr(c.id), book.site.case_url(c.id)) for c in book.cases_by_title]


def browse_chunks(site: SitePages, unchanged: Callable[[str, bytes], bool] | None = None) -> list[GeneratedFile]:
    """The browse page's cards after its first page, as JSON its script loads when the reader
    scrolls to the end or filters. Not under data/: the Traditional copy converts these, as it
    does the page that loads them, so that a Traditional page shows Traditional titles.
    `unchanged(path, key)`: whether a chunk made from the same cases is already in place (a
    preview server), and need not be made again."""
    view, out = site.view, []
    for i, chunk in enumerate(view.browse_chunks()):
        path = browse_chunk_path(i + 1)
        key = site.listing_key(chunk, "chunk", i) if unchanged is not None else None
        if key is not None and unchanged is not None and unchanged(path, key):
            continue
        cards = [view.browse_card(c) for c in chunk]
        out.append(GeneratedFile(path, json.dumps({"cases": cards}, ensure_ascii=False, separators=(",", ":"))))
    return out


def open_data_key(book: Casebook) -> bytes | None:
    """All the open data is made from: every record (by the digest of its text), the reference
    data, the schemas, the site settings and the code. None when some case was not read from a
    file (nothing then stands for it)."""
    if not book.record_digests or set(book.record_digests) != set(book.cases):
        return None
    return fingerprint(
        code_fingerprint(),
        sorted(book.record_digests.items()),
        book.framework,
        book.policies,
        book.places,
        book.sources,
        book.themes,
        book.collections,
        book.site,
        book.schema_version,
        book.schemas,
    )


def open_data_files(book: Casebook, cache: Memo | None = None) -> list[GeneratedFile]:
    """The open data, the feed, and a reference manager's files of each case and collection:
    what a preview leaves out (they are seconds of work at thousands of cases that no preview
    needs). They depend on the records alone, so a build may make them before anything else,
    and, given a `cache`, a build in which no record and nothing else changed takes them from
    there (the workbook alone is seconds at 5,000 cases)."""
    key = open_data_key(book) if cache is not None else None
    kept = cache.read(key) if cache is not None and key is not None else None
    if kept is not None:
        try:
            return [GeneratedFile(path, content) for path, content in marshal.loads(kept)]
        except (EOFError, ValueError, TypeError):
            pass  # an entry from another version: made again below
    out = _open_data_files(book)
    if cache is not None and key is not None:
        cache.write(key, marshal.dumps([(f.path, f.content) for f in out]))
    return out


def _open_data_files(book: Casebook) -> list[GeneratedFile]:
    exports: dict[str, Callable[[Casebook], str | bytes]] = {
        "data/cases.json": cases_json,
        "data/cases.csv": cases_csv,
        "data/cases.xlsx": cases_xlsx,
        "feed.xml": atom_feed,
    }
    assert tuple(exports) == OPEN_DATA
    out = [GeneratedFile(path, make(book)) for path, make in exports.items()]
    return out + [GeneratedFile(path, text) for path, text in reference_files.files(book)]


def files(
    site: SitePages,
    schema_dir: Path,
    *,
    open_data: bool = True,
    unchanged: Callable[[str, bytes], bool] | None = None,
) -> list[GeneratedFile]:
    """Everything that is not a page or a QR code: open data, the feed, the browse page's cards,
    schemas, photos, the Word and slide downloads and old-URL redirects. `open_data=False`
    leaves out `open_data_files` (a preview; or a build that made them first); `unchanged`:
    see browse_chunks."""
    book = site.book
    out = open_data_files(book) if open_data else []
    out += browse_chunks(site, unchanged)
    out += [GeneratedFile(f"schema/{p.name}", p.read_text(encoding="utf-8")) for p in sorted(schema_dir.glob("*.json"))]
    out.append(GeneratedFile(EXPORT_SCHEMA, export_schema_json(book)))
    for key, sizes in site.photos.items():
        case_id, file = key.split("/", 1)
        for r in sizes:
            out.append(GeneratedFile(urls.case_photo(case_id, file, r.width, "webp"), r.webp))
            out.append(GeneratedFile(urls.case_photo(case_id, file, r.width, "jpg"), r.jpeg))
    out += [GeneratedFile(d.path, d.file) for ds in site.downloads.values() for d in ds]
    return out + site.redirects()
