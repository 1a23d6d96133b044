"""Made files kept between builds, content-addressed: a file's name is the hash of everything it
is made from (its content and the version of the code that writes it), so an unchanged handout
is reused and a changed one gets a new name.

The folder is in the repository (`.cache/handouts`, git-ignored), where a pull request could
commit a file under a name the build would compute. As with the QR codes (see `..qr`), a cached
file is used only if its bytes hash to what this machine wrote under that name, as recorded
outside the repository (`~/.cache/casebook/handout-digests.json`); anything else is made again."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

# The QR cache's primitives: a folder that is never a symlink, reads that never follow one,
# writes that replace rather than write through, and the digest record outside the repository.
from ..qr import _load_digests, _own_cache_dir, _save_digests, _store

# A handout of a 30-case collection is well under this; anything larger is not ours.
MAX_BYTES = 32 * 1024 * 1024


def default_digests() -> Path:
    return Path.home() / ".cache" / "casebook" / "handout-digests.json"


def key(version: str, content: str) -> str:
    return hashlib.sha256(f"{version}\n{content}".encode()).hexdigest()[:32]


def _read(path: Path) -> bytes | None:
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return None
        return f.read(MAX_BYTES + 1)


class FileCache:
    """One build's view of the cache: `get` a trusted file, `put` a made one, `save` at the end."""

    def __init__(self, folder: Path, digests: Path | None = None) -> None:
        self.folder = folder
        self.digests = digests or default_digests()
        _own_cache_dir(folder)
        self.known = _load_digests(self.digests)
        self.new: dict[str, str] = {}

    def path(self, name: str) -> Path:
        return self.folder / name

    def get(self, name: str) -> Path | None:
        """The cached file, if its bytes are the ones this machine wrote under that name."""
        expected = self.known.get(name)
        if expected is None:
            return None
        data = _read(self.path(name))
        if data is None or hashlib.sha256(data).hexdigest() != expected:
            return None
        return self.path(name)

    def put(self, name: str, data: bytes) -> Path:
        path = self.path(name)
        _store(path, data)
        self.new[name] = self.known[name] = hashlib.sha256(data).hexdigest()
        return path

    def save(self) -> None:
        _save_digests(self.digests, self.new)
        self.new = {}
