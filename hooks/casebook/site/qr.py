"""QR codes of permanent URLs, drawn once per URL and kept in a cache folder.

The cache folder lives in the repository (`.cache/qr`, git-ignored), where a pull request can
put files too: a committed `<hash>.png` would otherwise be published as a case's code, pointing
anywhere. So a cached file is used only when its bytes hash to what this machine drew under that
name, as recorded in a digest file outside the repository (`~/.cache/casebook/qr-digests.json`),
where no pull request writes; anything else is drawn again over it. A committed file, a file from
another machine or a symlink is thus harmless: at worst it costs a redraw.

Why not check the picture itself: decoding a cached PNG is cheap, but the module grid to compare
it with costs most of what drawing does (Reed-Solomon in pure Python): at 1,000 codes the grid
check took 2.8 s against 5-7 s to draw them, the digest check 40-70 ms (`python -m bench.qr_cache`).

The cache folder and the `.cache` folder holding it must be real folders: a symlink in their
place is removed (never followed, its target left alone) and a folder made instead, so that
nothing is written outside the repository through it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import multiprocessing
import os
import shutil
import stat
import tempfile
from collections.abc import Mapping
from contextlib import AbstractContextManager
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Protocol

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

# Part of every cache key: change it when the drawing changes, and every code is drawn anew.
DRAWING = "qrcode ecc=M box=6 border=2 mask=4 png"
BOX = 6  # pixels per module
# A code of a long URL is ~1 KB; anything much larger in the cache is not ours.
MAX_PNG_BYTES = 64 * 1024


def cache_path(url: str, cache_dir: Path) -> Path:
    key = hashlib.sha256(f"{DRAWING}\n{url}".encode()).hexdigest()[:32]
    return cache_dir / f"{key}.png"


def default_digests() -> Path:
    """Where this machine records what it drew: the user's cache, outside every repository."""
    return Path.home() / ".cache" / "casebook" / "qr-digests.json"


def draw(url: str) -> bytes:
    """A PNG of the URL; medium error correction survives a photocopied handout."""
    # A fixed mask pattern: any of the eight is a valid code, and trying all eight for the
    # "best" one made each code cost ~25 ms, most of a thousand-case build's QR time.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=BOX, border=2, mask_pattern=4)
    code.add_data(url)
    code.make(fit=True)
    # The modules as one greyscale image, scaled by the box size: the same pixels and PNG bytes
    # as qrcode's own image (tests/test_qr_cache.py), without a rectangle drawn per module,
    # which was half the cost of a code.
    modules = code.get_matrix()  # with the border
    n = len(modules)
    image = Image.frombytes("L", (n, n), bytes(0 if dark else 255 for row in modules for dark in row))
    image = image.convert("1").resize((n * BOX, n * BOX), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- the cache folder ---------------------------------------------------------------------
def own_dir(path: Path) -> None:
    """Make `path` a real folder. A symlink (or a file) in its place is removed, not followed:
    a committed `.cache -> /somewhere` must not make the build write there."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        path.mkdir(parents=True)  # folders above are the caller's (the project root ...)
        return
    if stat.S_ISDIR(mode):
        return
    path.unlink()  # the link itself; what it points to is left alone
    path.mkdir()


def _own_cache_dir(cache_dir: Path) -> None:
    # The project's `.cache` is checked too: a symlink there would lead the codes elsewhere.
    if cache_dir.parent.name == ".cache":
        own_dir(cache_dir.parent)
    own_dir(cache_dir)


def _read_cached(path: Path) -> bytes | None:
    """A cached file's bytes, if it is a small regular file; never through a symlink, and never
    blocking on a FIFO or reading a device."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:  # missing, a symlink, unreadable
        return None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_PNG_BYTES:
            return None
        if info.st_mode & 0o044 != 0o044:  # kept by an older build as 0600: drawn again (_store)
            return None
        return f.read(MAX_PNG_BYTES + 1)


def _store(path: Path, data: bytes) -> None:
    """Write beside the target and rename over it: whatever was at `path` (a symlink, a forged
    file) is replaced, never written through."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".qr-", suffix=".tmp")  # O_EXCL: a new file
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            # mkstemp makes the file its owner's alone (0600), and the site publishes this very
            # file (a link to it): a web server running as another user could not read it.
            os.fchmod(f.fileno(), 0o644)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# -- what this machine drew -------------------------------------------------------------
def _load_digests(file: Path) -> dict[str, str]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def _save_digests(file: Path, new: Mapping[str, str]) -> None:
    """Add to the record. Without it (no writable home folder) the codes are merely drawn again
    next time, so a failure here is not the build's."""
    if not new:
        return
    with contextlib.suppress(OSError):
        file.parent.mkdir(parents=True, exist_ok=True)
        merged = {**_load_digests(file), **new}
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".qr-digests-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(merged, f, sort_keys=True, separators=(",", ":"))
            os.replace(tmp, file)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def is_trusted(path: Path, digests: Mapping[str, str]) -> bool:
    """True when the file at `path` holds exactly the bytes this machine drew under its name."""
    expected = digests.get(path.name)
    if expected is None:
        return False
    data = _read_cached(path)
    return data is not None and _digest(data) == expected


def qr_png(url: str, cache_dir: Path | None = None, digests: Path | None = None) -> bytes:
    """The code of one URL, from the cache when the cache can be trusted."""
    if cache_dir is None:
        return draw(url)
    _own_cache_dir(cache_dir)
    digests = digests or default_digests()
    path = cache_path(url, cache_dir)
    data = _read_cached(path)
    if data is not None and _load_digests(digests).get(path.name) == _digest(data):
        return data
    data = draw(url)
    _store(path, data)
    _save_digests(digests, {path.name: _digest(data)})
    return data


def _draw_all(urls: list[str], cache_dir: Path, digests: Path) -> int:
    drawn: dict[str, str] = {}
    for url in urls:
        path, data = cache_path(url, cache_dir), draw(url)
        _store(path, data)
        drawn[path.name] = _digest(data)
    _save_digests(digests, drawn)
    return len(urls)


class _Bounds(Protocol):
    """A shared `multiprocessing.Array("i", 2)`: the next code to draw from the front, and the
    end of what is left (the next from the back is the one before it)."""

    def get_lock(self) -> AbstractContextManager[object]: ...
    def __getitem__(self, i: int) -> int: ...
    def __setitem__(self, i: int, value: int) -> None: ...


def _draw_claimed(urls: list[str], cache_dir: Path, bounds: _Bounds, *, front: bool) -> dict[str, str]:
    """Draw the codes this process claims, one at a time, from its end of what is left, until
    the two ends meet; their digests by file name."""
    drawn: dict[str, str] = {}
    while True:
        with bounds.get_lock():
            start, end = bounds[0], bounds[1]
            if start >= end:
                return drawn
            if front:
                i, bounds[0] = start, start + 1
            else:
                i = bounds[1] = end - 1
        path, data = cache_path(urls[i], cache_dir), draw(urls[i])
        _store(path, data)
        drawn[path.name] = _digest(data)


def _draw_from_front(urls: list[str], cache_dir: Path, digests: Path, bounds: _Bounds, report: Connection) -> None:
    """The second process: draws from the front and records what it drew; says how many, or
    what went wrong (the build raises it)."""
    try:
        drawn = _draw_claimed(urls, cache_dir, bounds, front=True)
        _save_digests(digests, drawn)
        report.send(len(drawn))
    except BaseException as exc:  # handed to the build, which raises it
        report.send(exc)
    finally:
        report.close()


class QrBatch:
    """The codes a build needs, drawn into the cache by a second process from the moment the
    records are read (at ~2 ms a code of pure-Python work); the first process joins in, from the
    other end, as soon as it needs the codes (`wait()`): the Word files embed them. Cached codes
    are used only when trusted (see the module's docstring)."""

    # Below this, starting a process costs more than drawing the codes here.
    BACKGROUND_FROM = 50

    def __init__(
        self, urls: list[str], cache_dir: Path, digests: Path | None = None, checked: set[Path] | None = None
    ) -> None:
        """`checked`: codes this process has found trusted or drawn already (a preview server
        keeps them between saves: hashing 5,000 codes on every save was a tenth of it)."""
        self.cache_dir = cache_dir
        self.digests = digests or default_digests()
        _own_cache_dir(cache_dir)
        known = _load_digests(self.digests)
        self._checked = checked if checked is not None else set()
        self._paths = {u: cache_path(u, cache_dir) for u in dict.fromkeys(urls)}
        # A code checked before is taken if its file is still there (not hashed again).
        self.missing = [
            u for u, p in self._paths.items() if not (p in self._checked and p.is_file()) and not is_trusted(p, known)
        ]
        self._process: BaseProcess | None = None
        self._bounds: _Bounds | None = None
        self._report: Connection | None = None
        self._known: dict[str, str] | None = None  # the digest record, read once the batch is done
        self._drawn: int | None = None  # how many codes the batch drew, once it is done
        self.drawn_here = 0  # of those, how many this process drew (joining in at `wait()`)

    def path(self, url: str) -> Path:
        return cache_path(url, self.cache_dir)

    def start(self) -> None:
        if len(self.missing) < self.BACKGROUND_FROM:
            _draw_all(self.missing, self.cache_dir, self.digests)
            return
        # fork: the child needs nothing but this module, and spawning would re-import the world.
        context = multiprocessing.get_context("fork")
        self._bounds = context.Array("i", [0, len(self.missing)])
        self._report, theirs = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_draw_from_front,
            args=(self.missing, self.cache_dir, self.digests, self._bounds, theirs),
            name="casebook-qr",
            daemon=True,
        )
        self._process.start()
        theirs.close()

    def wait(self) -> int:
        """How many codes were drawn; raises what drawing raised. Once drawn, every code of the
        batch is remembered as checked (only then: a batch that failed leaves nothing trusted)."""
        if self._drawn is not None:
            # Once: `png()` waits for every code it gives, and adding the whole batch to
            # `checked` each time made the codes cost the square of their number: 8 s of a
            # profiled build at 5,000 cases (0.3 s at 1,000), by the square some 130 s at 20,000.
            return self._drawn
        if self._process is None or self._bounds is None or self._report is None:
            drawn = len(self.missing)
        else:
            # Draw from the back what the second process has not claimed. At 5,000 cases the
            # build reached this point with most codes still to draw and waited for them (21 s
            # of a profiled build); two processes halve what is left.
            mine = _draw_claimed(self.missing, self.cache_dir, self._bounds, front=False)
            try:
                theirs = self._report.recv()
            except EOFError:  # it died without a word (killed)
                theirs = OSError("二维码绘制进程意外退出")
            finally:
                self._process.join()
                self._report.close()
                self._process = self._bounds = self._report = None
            _save_digests(self.digests, mine)  # after the other's: each adds to the record in turn
            if isinstance(theirs, BaseException):
                raise theirs
            drawn = len(mine) + theirs
            self.drawn_here = len(mine)
        self._checked.update(self._paths.values())
        self._drawn = drawn
        return drawn

    def png(self, url: str) -> bytes:
        """One code, as the batch left it in the cache (waiting for the batch first), or drawn
        here when it is not one of the batch's or not trusted. The Word and slide files embed
        the same codes as the pages: drawn once per build, not twice."""
        self.wait()
        if self._known is None:
            self._known = _load_digests(self.digests)
        path = self.path(url)
        data = _read_cached(path)
        if data is not None and self._known.get(path.name) == _digest(data):
            return data
        return draw(url)

    def close(self) -> None:
        """Stop drawing (the build failed); codes already drawn stay in the cache."""
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._process = self._bounds = None
        if self._report is not None:
            self._report.close()
            self._report = None
