"""The whole generated part of the site: pages (HTML with title, metadata and table of contents,
made when asked for) and files (data, feeds, QR codes, redirects), plus the blocks hand-written
pages pull in. The MkDocs hook turns these into pages and files; another generator could do the
same."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from .diagnostics import Diagnostic
from .exports import atom_feed, cases_csv, cases_json
from .images import Rendition, renditions
from .model import Casebook
from .render import browse, collections, figures, indexes, urls
from .render.case_page import Photos, photo_src_uri, qr_src_uri, render_case
from .render.home import BLOCKS
from .render.markup import Html, render_page, unfence
from .render.redirect import redirect_html


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str
    # Rendered on demand, one page at a time, so that thousands of pages are never all held.
    render: Callable[[], Html]
    record: str = ""  # the file the page is made from, for edit links
    edit_url: str = ""


@dataclass(frozen=True)
class GeneratedFile:
    src_uri: str
    content: str | bytes


def photos(book: Casebook, cases_dir: Path, cache: Path | None = None) -> dict[str, list[Rendition]]:
    """Every photo a record names, in its web sizes (validation has already vouched for each file)."""
    out: dict[str, list[Rendition]] = {}
    for case in book.cases.values():
        for m in case.media:
            if m.file:
                out[f"{case.id}/{m.file}"] = renditions(cases_dir / case.id / m.file, cache)
    return out


def pages(book: Casebook, photo_sizes: Photos | None = None) -> list[GeneratedPage]:
    def page(src_uri: str, markdown: Callable[..., str], *args: object, record: str = "") -> GeneratedPage:
        def render() -> Html:
            return render_page(markdown(book, *args), src_uri)

        return GeneratedPage(src_uri, render, record, book.site.edit_url(record) if record else "")

    out = [
        page(urls.FRAMEWORK, indexes.framework_index, record="data/framework.yml"),
        page(urls.CASES, browse.browse_page),
        page(urls.FIGURES, figures.figures_page),
        page(urls.POLICIES, indexes.policies_index, record="data/policies.yml"),
        page(urls.PLACES, indexes.places_index, record="data/places.yml"),
        page(urls.THEMES, indexes.themes_index, record="data/themes.yml"),
        page(urls.COLLECTIONS, collections.collections_index),
    ]
    out += [
        page(urls.pillar(p.id), indexes.pillar_page, p, record="data/framework.yml") for p in book.framework.pillars
    ]
    out += [page(urls.policy(p), indexes.policy_page, p, record="data/policies.yml") for p in book.policies]
    out += [
        page(urls.place(d.id), indexes.place_page, d.id, record="data/places.yml")
        for d in book.places.of_level("district")
    ]
    out += [page(urls.theme(t), indexes.theme_page, t, record="data/themes.yml") for t in book.themes]
    for c in book.collections.values():
        out += [
            page(urls.collection(c.id), collections.collection_page, c, record=c.path),
            page(urls.collection_print(c.id), collections.collection_print, c, photo_sizes, record=c.path),
        ]
    for case in book.cases_by_title:
        edit = book.site.edit_url(case.path)
        render = partial(render_case, book, case, edit_url=edit, photos=photo_sizes)
        out.append(GeneratedPage(urls.case(case.id), render, case.path, edit))
    return out


def qr_codes(book: Casebook) -> list[tuple[str, str]]:
    """(file, URL) of each case's QR code: the file to add to the site, the URL it encodes."""
    return [(qr_src_uri(c.id), book.site.page_url(urls.web_path(urls.case(c.id)))) for c in book.cases_by_title]


def files(book: Casebook, schema_dir: Path, photo_sizes: Photos | None = None) -> list[GeneratedFile]:
    """Everything that is not a page or a QR code: open data, the feed, schemas and old-URL redirects."""
    out = [
        GeneratedFile("data/cases.json", cases_json(book)),
        GeneratedFile("data/cases.csv", cases_csv(book)),
        GeneratedFile("feed.xml", atom_feed(book)),
    ]
    out += [GeneratedFile(f"schema/{p.name}", p.read_text(encoding="utf-8")) for p in sorted(schema_dir.glob("*.json"))]
    for key, sizes in (photo_sizes or {}).items():
        case_id, file = key.split("/", 1)
        for r in sizes:
            out.append(GeneratedFile(photo_src_uri(case_id, file, r.width, "webp"), r.webp))
            out.append(GeneratedFile(photo_src_uri(case_id, file, r.width, "jpg"), r.jpeg))
    for case in book.cases_by_title:
        url = book.site.page_url(urls.web_path(urls.case(case.id)))
        for alias in case.aliases:
            html = redirect_html(f"../{case.id}/", url, case.title)
            out.append(GeneratedFile(f"cases/{alias}/index.html", html))
    return out


MARKER = re.compile(r"<!--\s*casebook:([a-z-]+)\s*-->")


def fill_blocks(markdown: str, book: Casebook, src_uri: str, display: str) -> tuple[str, list[Diagnostic]]:
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
        return unfence("\n".join(BLOCKS[name](book, src_uri)))

    return MARKER.sub(replace, markdown), problems
