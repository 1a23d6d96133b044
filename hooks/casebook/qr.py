"""QR codes of permanent URLs, drawn once per URL and kept in a cache folder."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def cache_path(url: str, cache_dir: Path) -> Path:
    return cache_dir / f"{hashlib.sha256(url.encode('utf-8')).hexdigest()[:32]}.png"


def draw(url: str) -> bytes:
    """A PNG of the URL; medium error correction survives a photocopied handout."""
    # A fixed mask pattern: any of the eight is a valid code, and trying all eight for the
    # "best" one made each code cost ~25 ms, most of a thousand-case build's QR time.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=6, border=2, mask_pattern=4)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def _store(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{multiprocessing.current_process().pid}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def qr_png(url: str, cache_dir: Path | None = None) -> bytes:
    cached = cache_path(url, cache_dir) if cache_dir else None
    if cached is not None and cached.is_file():
        return cached.read_bytes()
    data = draw(url)
    if cached is not None:
        _store(cached, data)
    return data


def _draw_all(urls: list[str], cache_dir: Path) -> int:
    for url in urls:
        _store(cache_path(url, cache_dir), draw(url))
    return len(urls)


class QrBatch:
    """The codes a build needs, drawn into the cache by a second process while the first one
    renders pages (a thousand codes are ~2.5 s of pure-Python work); `wait()` before the files
    are copied."""

    # Below this, starting a process costs more than drawing the codes here.
    BACKGROUND_FROM = 50

    def __init__(self, urls: list[str], cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self.missing = [u for u in dict.fromkeys(urls) if not cache_path(u, cache_dir).is_file()]
        self._pool: ProcessPoolExecutor | None = None
        self._job: Future[int] | None = None

    def path(self, url: str) -> Path:
        return cache_path(url, self.cache_dir)

    def start(self) -> None:
        if len(self.missing) < self.BACKGROUND_FROM:
            _draw_all(self.missing, self.cache_dir)
            return
        # fork: the child needs nothing but this module, and spawning would re-import the world.
        self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        self._job = self._pool.submit(_draw_all, self.missing, self.cache_dir)

    def wait(self) -> int:
        """How many codes were drawn; raises what drawing raised."""
        if self._job is None or self._pool is None:
            return len(self.missing)
        try:
            return self._job.result()
        finally:
            self._pool.shutdown()
            self._pool = self._job = None

    def close(self) -> None:
        """Stop drawing (the build failed); codes already drawn stay in the cache."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = self._job = None
