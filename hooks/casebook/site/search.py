"""Full-text search with Pagefind, and the proof that every case is in the index.

The index is built from search documents (each page's title and article HTML, the part a reader
searches), written as soon as the pages are rendered and indexed by Pagefind's own program in the
background, on the second core, while the site generator is still writing pages. Only the
Simplified pages are indexed: Pagefind's Chinese word cutting is its slowest and most
memory-hungry step, and the Traditional pages hold the same text, so a Traditional query is
converted to Simplified in the browser and its results are shown in Traditional there
(docs/assets/casebook-search.js).

Every page is indexed as a case or a section (栏目: pillars, policies, places, themes,
collections, the framework and the hand-written pages), a Pagefind filter, so that the search box
can list the cases first. A section is indexed by its own words: the case cards, summaries and
figure tables it repeats carry data-pagefind-ignore in the templates, or a listing page would
match every word of every case it lists. A case page carries the browse page's facets as filters
(the search page narrows by them) and its place and pillars as metadata (shown beside a result).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import marshal
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..records.code_digest import library_versions
from ..records.keyed_files import KeyedFiles
from . import urls
from .templates import Templates
from .view import View

BUNDLE = "pagefind"
SHARDS = "shards.json"  # the bundles beside the first one, relative to it
FRAGMENT_SIGNATURE = b"pagefind_dcd"
LANG = "zh-Hans"
TIMEOUT_S = 1800


# The two groups of results, as the filter `kind` names them.
CASE = "case"
SECTION = "section"
# What Pagefind leaves out of every page besides the templates' data-pagefind-ignore, so that an
# excerpt is prose: Material's ¶ permalinks (they would end every heading), a case's list of
# pillars, policies, themes and dates (labels, shown beside the result anyway) and the sentence
# that marks editorial text (the same on every case).
EXCLUDE_SELECTORS = (".headerlink", ".cb-meta", ".cb-editorial")
WORDS = "words"  # pagefind/words/: the index's Chinese words (write_words)
WORD_BUCKETS = 32
_WORD_GAP = re.compile(r"[\u200b\s]+")
_CJK_WORD = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


class SearchIndexError(RuntimeError):
    pass


@dataclass(frozen=True)
class SearchEntry:
    """How one page enters the index: its group, the metadata shown beside it as a result and the
    filters it can be narrowed by (pairs, for a filter may hold several values)."""

    kind: str
    meta: tuple[tuple[str, str], ...] = ()
    filters: tuple[tuple[str, str], ...] = ()


def search_entry(view: View, web_path: str) -> SearchEntry | None:
    """The entry of the page at web_path ("cases/<id>/"), or None for a page kept out of the index
    (the search page, whose filters would match their own labels)."""
    if web_path == urls.SEARCH:
        return None
    case_id = web_path[len(urls.CASES) : -1] if web_path.startswith(urls.CASES) else ""
    case = view.book.cases.get(case_id)
    if case is None or urls.case(case.id) != web_path:
        return SearchEntry(SECTION)
    meta = (("place", view.place_label(case)), ("pillar", view.pillar_labels(case)))
    facets = [(key, value) for key, values in view.facet_values(case).items() for value in values]
    return SearchEntry(CASE, tuple((k, v) for k, v in meta if v), tuple(facets))


def search_document(title: str, article_html: str, entry: SearchEntry, templates: Templates | None = None) -> str:
    """What Pagefind reads for one page: its title and the article, nothing the template repeats."""
    return (templates or Templates()).render(
        "search_document.html", lang=LANG, title=title, article=Markup(article_html), entry=entry
    )


class IndexRun:
    """Pagefind over folders of search documents, run in the background.

    Pagefind holds every page's words in memory until it writes the bundle (~0.2 MB per case
    page), so the pages are indexed in shards of at most SHARD_PAGES, one after another: memory
    stays flat however many cases there are. The first shard is the bundle at pagefind/, the
    others sit beside it in pagefind/shard-N/ and the search box merges them (Pagefind's
    mergeIndex); shards.json lists them."""

    SHARD_PAGES = 2000

    def __init__(self, shard_pages: int = SHARD_PAGES, cache: KeyedFiles | None = None) -> None:
        """`cache`: each shard's bundle, kept by the digest of Pagefind's version, its options and
        every search document of the shard: a shard whose pages did not change is not indexed
        again (at 5,000 cases, indexing was a third of a warm build)."""
        self.shard_pages = shard_pages
        self.templates = Templates()
        self.work = Path(tempfile.mkdtemp(prefix="casebook-search-"))
        self.count = 0
        self.cache = cache
        self.reused = 0  # shards taken from the cache
        self._keys: list[Any] = []  # a running digest per shard
        self._words: list[set[str]] = []  # each shard's Chinese words (write_words), once indexed
        self._thread: threading.Thread | None = None
        self._error: str = ""
        self._stop = threading.Event()
        self._proc: subprocess.Popen[str] | None = None

    @property
    def shards(self) -> int:
        return (self.count + self.shard_pages - 1) // self.shard_pages

    def _docs(self, shard: int) -> Path:
        return self.work / "docs" / str(shard)

    def _bundle(self, shard: int) -> Path:
        return self.work / "bundles" / str(shard)

    def add(self, url_path: str, title: str, article_html: str, entry: SearchEntry) -> None:
        """url_path: the page's path in the site (cases/a/index.html)."""
        shard = self.count // self.shard_pages
        target = self._docs(shard) / url_path
        target.parent.mkdir(parents=True, exist_ok=True)
        document = search_document(title, article_html, entry, self.templates).encode("utf-8")
        target.write_bytes(document)
        if shard == len(self._keys):
            self._keys.append(hashlib.blake2b(_indexer_digest(), digest_size=20))
        for part in (url_path.encode("utf-8"), document):
            self._keys[shard].update(len(part).to_bytes(8, "little"))
            self._keys[shard].update(part)
        self.count += 1

    def start(self) -> None:
        self._thread = threading.Thread(target=self._index_all, name="pagefind", daemon=True)
        self._thread.start()

    def _index_all(self) -> None:
        for shard in range(self.shards):
            cmd = [
                sys.executable,
                "-m",
                "pagefind",
                "--site",
                str(self._docs(shard)),
                "--output-path",
                str(self._bundle(shard)),
                "--quiet",
                *(arg for selector in EXCLUDE_SELECTORS for arg in ("--exclude-selectors", selector)),
            ]
            if self._stop.is_set():
                return
            key = self._keys[shard].digest()
            words = self._unpack(key, self._bundle(shard))
            if words is not None:
                self._words.append(words)
                self.reused += 1
                continue
            try:
                self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                out, err = self._proc.communicate(timeout=TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._error = f"Pagefind 超过 {TIMEOUT_S} 秒仍未完成"
                return
            except OSError as exc:
                self._error = f"Pagefind 无法运行：{exc}"
                return
            if self._proc.returncode != 0 and not self._stop.is_set():
                self._error = f"Pagefind 建索引失败：\n{out}\n{err}".strip()
                return
            # Read here, in the indexing thread, while the build goes on writing pages; and kept
            # with the bundle: reading every fragment back was a tenth of a warm build at 5,000.
            try:
                words = index_words([self._bundle(shard)])
            except SearchIndexError as exc:
                self._error = str(exc)
                return
            self._words.append(words)
            self._pack(key, self._bundle(shard), words)

    def _pack(self, key: bytes, bundle: Path, words: set[str]) -> None:
        if self.cache is None or self._stop.is_set():
            return
        files = [(p.relative_to(bundle).as_posix(), p.read_bytes()) for p in sorted(bundle.rglob("*")) if p.is_file()]
        self.cache.write(key, marshal.dumps((files, sorted(words))))

    def _unpack(self, key: bytes, bundle: Path) -> set[str] | None:
        """The shard's bundle from the cache into `bundle`, and its words; None when there is
        none (or it is not sound: then it is indexed again)."""
        data = self.cache.read(key) if self.cache is not None else None
        if data is None:
            return None
        try:
            files, words = marshal.loads(data)
            names = [name for name, _ in files]
            if not all(isinstance(w, str) for w in words):
                return None
            if not all(isinstance(n, str) and n and ".." not in n.split("/") and not n.startswith("/") for n in names):
                return None
            for name, content in files:
                target = bundle / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
        except (EOFError, ValueError, TypeError, OSError):
            shutil.rmtree(bundle, ignore_errors=True)
            return None
        return set(words) if (bundle / "pagefind-entry.json").is_file() else None

    def finish(self, site_dir: Path) -> int:
        """Wait for Pagefind and move its bundles into the site; returns the number of shards."""
        assert self._thread is not None, "start() first"
        self._thread.join()
        try:
            if self._error:
                raise SearchIndexError(self._error)
            target = site_dir / BUNDLE
            if target.exists():
                shutil.rmtree(target)
            shutil.move(str(self._bundle(0)), target)
            extra = [f"shard-{n}/" for n in range(1, self.shards)]
            for n in range(1, self.shards):
                shutil.move(str(self._bundle(n)), target / f"shard-{n}")
            (target / SHARDS).write_text(json.dumps(extra), encoding="utf-8")
            write_words(target, set().union(*self._words))
            return self.shards
        finally:
            self.close()

    def close(self) -> None:
        self._stop.set()
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        shutil.rmtree(self.work, ignore_errors=True)


# What a cache entry holds: 2 = (the bundle's files, the shard's words). Part of every key, so
# that an entry of another shape is never read.
_ENTRY_FORMAT = 2


def _indexer_digest() -> bytes:
    """What else a shard's bundle depends on: Pagefind's version and the options it runs with."""
    return repr((library_versions("pagefind"), LANG, EXCLUDE_SELECTORS, sys.version_info[:2], _ENTRY_FORMAT)).encode()


def _fragments(bundles: list[Path]) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every page Pagefind indexed, as it stored it: url, content, metadata, filters."""
    for fragment in (f for bundle in bundles for f in (bundle / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(fragment.read_bytes())
        if not data.startswith(FRAGMENT_SIGNATURE):
            raise SearchIndexError(f"无法识别的 Pagefind 索引片段：{fragment.name}")
        yield fragment, json.loads(data[len(FRAGMENT_SIGNATURE) :])


def index_words(bundles: list[Path]) -> set[str]:
    """The Chinese words of two characters or more that Pagefind cut the pages of these bundles
    into (see write_words)."""
    words: set[str] = set()
    for _, page in _fragments(bundles):
        for word in _WORD_GAP.split(page.get("content", "")):
            if len(word) >= 2 and _CJK_WORD.fullmatch(word):
                words.add(word)
    return words


def write_words(bundle: Path, words: set[str]) -> None:
    """The index's own Chinese words, for the search box to cut a query as the index was cut.

    Pagefind 1.4 takes an unspaced Chinese query as one term and matches only the index word it
    begins with (社区之歌 finds every page with 社区), while a spaced query (社区 之 歌) must match
    every word. The browser has no segmenter that cuts as Pagefind's indexer does (Intl.Segmenter
    cuts 网格员 into 网 格 员, the index into 网格 员), so the index's words are listed, in buckets
    by their first character, and casebook-search.js cuts a query by longest match against them.
    Pagefind writes its cut into each page's stored content, words apart by zero-width spaces."""
    buckets: list[set[str]] = [set() for _ in range(WORD_BUCKETS)]
    for word in words:
        buckets[ord(word[0]) % WORD_BUCKETS].add(word)
    folder = bundle / WORDS
    folder.mkdir(exist_ok=True)
    (folder / "index.json").write_text(json.dumps({"buckets": WORD_BUCKETS}), encoding="utf-8")
    for n, words in enumerate(buckets):
        payload = json.dumps(sorted(words), ensure_ascii=False, separators=(",", ":"))
        (folder / f"{n}.json").write_text(payload, encoding="utf-8")


def indexed_pages(site_dir: Path) -> set[str]:
    """URLs in the index (every shard), read back from Pagefind's own fragments."""
    root = site_dir / BUNDLE
    try:
        shards = [root] + [root / s for s in json.loads((root / SHARDS).read_text(encoding="utf-8"))]
        for bundle in shards:
            json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError) as exc:
        raise SearchIndexError(f"没有找到完整的 Pagefind 索引（{exc}）") from exc
    return {page["url"] for _, page in _fragments(shards)}
