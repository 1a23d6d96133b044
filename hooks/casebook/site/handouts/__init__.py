"""Word handouts (learner's and teacher's) and slide outlines of every case and lesson
collection, made at build time and kept in a content-addressed cache.

Nothing here knows MkDocs: `make()` returns, per page, the files to offer for download (web path,
label, size, the cached file), and the site adds them to its file list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ...model import Casebook
from .. import qr, urls
from ..page_keys import PageKeys, fingerprint
from ..view import View
from . import content, slides, word
from .cache import FileCache, key


@dataclass(frozen=True)
class Download:
    path: str  # web path: "cases/<id>/handout.docx"
    label: str  # what it is, for the link: "Word 学员版"
    format: str  # "DOCX"
    size: int  # bytes
    file: Path  # the cached file the site copies

    @property
    def size_label(self) -> str:
        """38 KB, 1.2 MB: what a reader on a phone's data plan wants to know before tapping."""
        kb = self.size / 1024
        return f"{kb:.0f} KB" if kb < 1000 else f"{kb / 1024:.1f} MB"


@dataclass
class Handouts:
    """Every download, grouped by the page that links to it, and what this build had to make."""

    by_page: dict[str, list[Download]] = field(default_factory=dict)
    made: int = 0
    reused: int = 0

    def all(self) -> list[Download]:
        return [d for ds in self.by_page.values() for d in ds]


# (file name, label, format, extension, teacher's version?) of each download of a page.
KINDS = (
    ("handout.docx", "Word 学员版", "DOCX", False),
    ("handout-teacher.docx", "Word 教师版·附案例使用说明", "DOCX", True),
    ("slides.pptx", "幻灯片提纲", "PPTX", False),
)


def _renderer(name: str, teacher: bool) -> tuple[str, Callable[[content.Handout, dict[str, bytes]], bytes]]:
    if name.endswith(".pptx"):
        return slides.VERSION, slides.render
    return word.VERSION, lambda h, codes: word.render(h, codes, teacher)


@dataclass(frozen=True)
class _Job:
    page: str  # web folder: "cases/<id>/"
    key: bytes  # what the page's files are made from, cheaply (page_keys), without their content
    handout: Callable[[], content.Handout]  # their content, built only when the key is new


def _jobs(book: Casebook) -> list[_Job]:
    """Every case and collection, with its key."""
    view = View(book)
    keys = PageKeys(book, {})
    # The writers' versions and how QR codes are drawn are part of the key (the code digest
    # covers the modules that build content; these say how the files are written).
    writers = fingerprint(word.VERSION, slides.VERSION, qr.DRAWING)
    case_keys = {c.id: fingerprint(writers, keys.case(c)) for c in book.cases_by_title}
    out = [
        _Job(urls.case(c.id), case_keys[c.id], partial(content.for_case, book, view, c)) for c in book.cases_by_title
    ]
    for c in book.collections.values():
        page = urls.collection(c.id)
        key = fingerprint(writers, c, [case_keys[i.case] for i in c.items], book.site)
        out.append(_Job(page, key, partial(content.for_collection, book, view, c, book.site.page_url(page))))
    return out


def make(book: Casebook, cache_dir: Path, qr_png: Callable[[str], bytes] = qr.draw) -> Handouts:
    """Every page's downloads: from the cache when their inputs are unchanged, made otherwise.
    `qr_png` gives the code of a URL (a build passes the codes its pages get: `qr.QrBatch.png`)."""
    cache = FileCache(cache_dir)
    codes: dict[str, bytes] = {}

    def qr_pngs(handout: content.Handout) -> dict[str, bytes]:
        for url in (handout.url, *(c.url for c in handout.cases)):
            if url not in codes:
                codes[url] = qr_png(url)
        return codes

    result = Handouts()
    for job in _jobs(book):
        kept = cache.page(job.key)
        if kept is not None:
            result.reused += len(kept)
        else:
            full = job.handout()
            learner = full.learner()
            kept = []
            for name, _label, _fmt, teacher in KINDS:
                version, render = _renderer(name, teacher)
                shown = full if teacher else learner
                cached = key(f"{version} teacher={teacher} qr={qr.DRAWING}", shown.digest_text())
                file = cache.get(cached)
                if file is None:
                    file = cache.put(cached, render(shown, qr_pngs(shown)))
                    result.made += 1
                else:
                    result.reused += 1
                kept.append((cached, file, file.stat().st_size))
            cache.remember(job.key, [name for name, _, _ in kept])
        result.by_page[job.page] = [
            Download(job.page + name, label, fmt, size, file)
            for (name, label, fmt, _teacher), (_, file, size) in zip(KINDS, kept, strict=True)
        ]
    return result
