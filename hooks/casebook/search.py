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
from collections.abc import Iterable
from pathlib import Path

BUNDLE = "pagefind"
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
    """Pagefind over a folder of search documents, run in the background."""

    def __init__(self) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="casebook-search-"))
        self.docs = self.work / "docs"
        self.bundle = self.work / BUNDLE
        self.count = 0
        self._proc: subprocess.Popen[str] | None = None

    def add(self, url_path: str, title: str, article_html: str) -> None:
        """url_path: the page's path in the site (cases/a/index.html)."""
        target = self.docs / url_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(search_document(title, article_html), encoding="utf-8")
        self.count += 1

    def add_all(self, pages: Iterable[tuple[str, str, str]]) -> None:
        for url_path, title, article_html in pages:
            self.add(url_path, title, article_html)

    def start(self) -> None:
        cmd = [
            sys.executable,
            "-m",
            "pagefind",
            "--site",
            str(self.docs),
            "--output-path",
            str(self.bundle),
            "--quiet",
            # Material's ¶ permalinks would otherwise end every heading in the index.
            "--exclude-selectors",
            ".headerlink",
        ]
        try:
            self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        except OSError as exc:
            self.close()
            raise SearchIndexError(f"Pagefind 无法运行：{exc}") from exc

    def finish(self, site_dir: Path) -> str:
        """Wait for Pagefind and move its bundle into the site; returns its summary."""
        assert self._proc is not None, "start() first"
        try:
            out, err = self._proc.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired as exc:
            self._proc.kill()
            self.close()
            raise SearchIndexError(f"Pagefind 超过 {TIMEOUT_S} 秒仍未完成") from exc
        if self._proc.returncode != 0:
            self.close()
            raise SearchIndexError(f"Pagefind 建索引失败：\n{out}\n{err}".strip())
        target = site_dir / BUNDLE
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(self.bundle), target)
        self.close()
        return out.strip()

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        shutil.rmtree(self.work, ignore_errors=True)


def indexed_pages(site_dir: Path) -> set[str]:
    """URLs in the index, read back from Pagefind's own fragments."""
    bundle = site_dir / BUNDLE
    try:
        json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SearchIndexError(f"没有找到 Pagefind 索引（{exc}）") from exc
    urls: set[str] = set()
    for fragment in (bundle / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        if not data.startswith(FRAGMENT_SIGNATURE):
            raise SearchIndexError(f"无法识别的 Pagefind 索引片段：{fragment.name}")
        urls.add(json.loads(data[len(FRAGMENT_SIGNATURE) :])["url"])
    return urls
