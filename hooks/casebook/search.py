"""Full-text search with Pagefind: index the built site (both scripts) and prove that every case
is in the index.

Pages are handed to Pagefind's indexing service as soon as they are rendered, so that the
service (a separate, multi-threaded process) indexes on the second core while the site is still
being built; at the end only the bundle is written. Pagefind's extended build cuts Chinese into
words and keeps one index per `<html lang>`, so each script searches its own pages.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from pagefind.index import PagefindIndex

BUNDLE = "pagefind"
FRAGMENT_SIGNATURE = b"pagefind_dcd"
# Material's ¶ permalinks would otherwise end every heading and title in the index.
EXCLUDE = [".headerlink"]


class SearchIndexError(RuntimeError):
    pass


class StreamingIndex:
    """A Pagefind index fed page by page from the build, on its own event-loop thread."""

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="pagefind", daemon=True)
        self._pending: list[Future[Any]] = []
        self._index: PagefindIndex | None = None
        self._thread.start()
        config = {"exclude_selectors": EXCLUDE, "output_path": str(site_dir / BUNDLE)}
        self._index = self._wait(PagefindIndex(config=config)._start())  # type: ignore[arg-type]

    def _wait(self, coro: Any, timeout: float = 600) -> Any:
        try:
            return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)
        except Exception as exc:  # the service is another program: say plainly that it failed
            raise SearchIndexError(f"Pagefind 建索引失败：{type(exc).__name__}: {exc}") from exc

    def add(self, html: str, url: str) -> None:
        assert self._index is not None
        coro = self._index.add_html_file(content=html, url=url)
        self._pending.append(asyncio.run_coroutine_threadsafe(coro, self._loop))

    def finish(self) -> int:
        """Wait for every page, write the bundle, stop the service; returns the pages sent."""
        assert self._index is not None
        try:
            for future in self._pending:
                future.result(600)
            self._wait(self._index.write_files())
        except SearchIndexError:
            raise
        except Exception as exc:
            raise SearchIndexError(f"Pagefind 建索引失败：{type(exc).__name__}: {exc}") from exc
        finally:
            self.close()
        return len(self._pending)

    def close(self) -> None:
        if self._index is not None and self._index._service is not None:
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._index._service.close(), self._loop).result(60)
            self._index = None
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)


def indexed_pages(site_dir: Path) -> dict[str, set[str]]:
    """URLs in the index, by language, read back from Pagefind's own fragments."""
    bundle = site_dir / BUNDLE
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SearchIndexError(f"没有找到 Pagefind 索引（{exc}）") from exc
    urls: set[str] = set()
    for fragment in (bundle / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        if not data.startswith(FRAGMENT_SIGNATURE):
            raise SearchIndexError(f"无法识别的 Pagefind 索引片段：{fragment.name}")
        urls.add(json.loads(data[len(FRAGMENT_SIGNATURE) :])["url"])
    by_lang: dict[str, set[str]] = {lang: set() for lang in entry.get("languages", {})}
    for url in urls:
        lang = "zh-hant" if url.startswith("/zh-Hant/") else "zh-hans"
        by_lang.setdefault(lang, set()).add(url)
    return by_lang
