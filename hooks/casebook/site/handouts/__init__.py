"""Word handouts (learner's and teacher's) and slide outlines of every case and lesson
collection, made at build time and kept in a content-addressed cache.

Nothing here knows MkDocs: `make()` returns, per page, the files to offer for download (web path,
label, size, the cached file), and the site adds them to its file list."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
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


# Below this many files to make, a second process costs more than it saves.
PARALLEL_FROM = 60


@dataclass(frozen=True)
class _Task:
    kind: int  # index in KINDS
    name: bytes  # the file's name in the cache: the hash of what it is made from
    handout: content.Handout  # as shown in this version (the learner's has no guide)


def _render(task: _Task, codes: dict[str, bytes]) -> bytes:
    name, _label, _fmt, teacher = KINDS[task.kind]
    return _renderer(name, teacher)[1](task.handout, codes)


def _make_all(tasks: list[_Task], codes: dict[str, bytes], cache_dir: Path) -> int:
    cache = FileCache(cache_dir)
    for task in tasks:
        cache.put(task.name, _render(task, codes))
    return len(tasks)


def make(book: Casebook, cache_dir: Path, qr_png: Callable[[str], bytes] = qr.draw) -> Handouts:
    """Every page's downloads: from the cache when their inputs are unchanged, made otherwise.
    `qr_png` gives the code of a URL (a build passes the codes its pages get: `qr.QrBatch.png`).

    The files to make are known before any is made: with many, a second process makes half of
    them (forked: it has the writers' prepared packages already), so a cold build of 1,000
    cases spends about half the time on its 3,000 files."""
    cache = FileCache(cache_dir)
    result = Handouts()
    pending: list[tuple[_Job, list[bytes]]] = []  # pages whose files are being made, with their names
    tasks: list[_Task] = []
    planned: set[bytes] = set()  # two pages with the same content share one file
    for job in _jobs(book):
        kept = cache.page(job.key)
        if kept is not None:
            result.reused += len(kept)
            result.by_page[job.page] = _downloads(job.page, kept)
            continue
        full = job.handout()
        learner = full.learner()
        names = []
        for i, (name, _label, _fmt, teacher) in enumerate(KINDS):
            version, _ = _renderer(name, teacher)
            shown = full if teacher else learner
            cached = key(f"{version} teacher={teacher} qr={qr.DRAWING}", shown.digest_text())
            if cached in planned or cache.get(cached) is not None:
                result.reused += 1
            else:
                planned.add(cached)
                tasks.append(_Task(i, cached, shown))
            names.append(cached)
        pending.append((job, names))
    shown_urls = dict.fromkeys(url for t in tasks for url in (t.handout.url, *(c.url for c in t.handout.cases)))
    codes = {url: qr_png(url) for url in shown_urls}
    _make(tasks, codes, cache_dir)
    result.made += len(tasks)
    for job, names in pending:
        kept = []
        for name in names:
            file = cache.files.path(name)
            kept.append((name, file, file.stat().st_size))
        cache.remember(job.key, names)
        result.by_page[job.page] = _downloads(job.page, kept)
    return result


def _make(tasks: list[_Task], codes: dict[str, bytes], cache_dir: Path) -> None:
    if len(tasks) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        _make_all(tasks, codes, cache_dir)
        return
    word.prepare()
    slides.prepare()  # before the fork: the child inherits the prepared packages
    half = len(tasks) // 2
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        other = pool.submit(_make_all, tasks[half:], codes, cache_dir)
        _make_all(tasks[:half], codes, cache_dir)
        other.result()  # raises what the other process raised


def _downloads(page: str, kept: list[tuple[bytes, Path, int]]) -> list[Download]:
    return [
        Download(page + name, label, fmt, size, file)
        for (name, label, fmt, _teacher), (_, file, size) in zip(KINDS, kept, strict=True)
    ]
