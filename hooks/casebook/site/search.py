"""Full-text search with Pagefind, and the proof that every case is in the index.

The index is built from search documents (each page's title and article HTML, the part a reader
searches), written as soon as the pages are rendered and indexed by Pagefind's own program in the
background, on the second core, while the site generator is still writing pages. Only the
Simplified pages are indexed: Pagefind's Chinese word cutting is its slowest and most
memory-hungry step, and the Traditional pages hold the same text, so a Traditional query is
converted to Simplified in the browser and its results are shown in Traditional there
(docs/assets/casebook-search.js).
"""

from __future__ import annotations

import gzip
import html
import json
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

BUNDLE = "pagefind"
SHARDS = "shards.json"  # the bundles beside the first one, relative to it
FRAGMENT_SIGNATURE = b"pagefind_dcd"
LANG = "zh-Hans"
TIMEOUT_S = 1800


class SearchIndexError(RuntimeError):
    pass


def search_document(title: str, article_html: str) -> str:
    """What Pagefind reads for one page: its title and the article, nothing the template repeats."""
    return (
        f'<!doctype html><html lang="{LANG}"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
        f'<body><main data-pagefind-body><span hidden data-pagefind-meta="title">{html.escape(title)}</span>'
        f"{article_html}</main></body></html>"
    )


class IndexRun:
    """Pagefind over folders of search documents, run in the background.

    Pagefind holds every page's words in memory until it writes the bundle (~0.2 MB per case
    page), so the pages are indexed in shards of at most SHARD_PAGES, one after another: memory
    stays flat however many cases there are. The first shard is the bundle at pagefind/, the
    others sit beside it in pagefind/shard-N/ and the search box merges them (Pagefind's
    mergeIndex); shards.json lists them."""

    SHARD_PAGES = 2000

    def __init__(self, shard_pages: int = SHARD_PAGES) -> None:
        self.shard_pages = shard_pages
        self.work = Path(tempfile.mkdtemp(prefix="casebook-search-"))
        self.count = 0
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

    def add(self, url_path: str, title: str, article_html: str) -> None:
        """url_path: the page's path in the site (cases/a/index.html)."""
        target = self._docs(self.count // self.shard_pages) / url_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(search_document(title, article_html), encoding="utf-8")
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
                # Material's ¶ permalinks would otherwise end every heading in the index.
                "--exclude-selectors",
                ".headerlink",
            ]
            if self._stop.is_set():
                return
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


def indexed_pages(site_dir: Path) -> set[str]:
    """URLs in the index (every shard), read back from Pagefind's own fragments."""
    root = site_dir / BUNDLE
    try:
        shards = [root] + [root / s for s in json.loads((root / SHARDS).read_text(encoding="utf-8"))]
        for bundle in shards:
            json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError) as exc:
        raise SearchIndexError(f"没有找到完整的 Pagefind 索引（{exc}）") from exc
    urls: set[str] = set()
    fragments = (f for bundle in shards for f in (bundle / "fragment").glob("*.pf_fragment"))
    for fragment in fragments:
        data = gzip.decompress(fragment.read_bytes())
        if not data.startswith(FRAGMENT_SIGNATURE):
            raise SearchIndexError(f"无法识别的 Pagefind 索引片段：{fragment.name}")
        urls.add(json.loads(data[len(FRAGMENT_SIGNATURE) :])["url"])
    return urls
