"""A folder of cache entries named by their key: the one way the build's caches (record checks,
case pages, finished pages, related lists, Word and slide files) keep bytes on disk.

Entries are never invalidated (a changed input is a new key), so a cache only grows: every
entry a build uses is touched, and `prune` removes those no build has used for a while. A CI
that keeps the cache between deployments then holds what recent builds used, not every page
of every version since the first."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path

# Entries no build used for this long are removed at the end of a full build.
UNUSED_DAYS = 30


class KeyedFiles:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, key: bytes) -> Path:
        return self.folder / key[:1].hex() / key.hex()  # 256 subfolders: no folder of 20,000 files

    def read(self, key: bytes) -> bytes | None:
        path = self.path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        touch(path)
        return data

    def write(self, key: bytes, data: bytes) -> bool:
        """Whether the entry was written; a cache that cannot be written only makes the next
        build slower, so callers that can do without it ignore the answer."""
        target = self.path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
            temporary.write_bytes(data)
            os.replace(temporary, target)  # readers see the whole entry or none
        except OSError:
            return False
        return True


def touch(path: Path) -> None:
    """Mark an entry as used now (its modification time: what `prune` reads)."""
    with suppress(OSError):  # read-only: it may be pruned one day, and is then made again
        os.utime(path)


def prune(folders: Iterable[Path], unused_days: float = UNUSED_DAYS, *, flat: Iterable[Path] = ()) -> int:
    """Remove the entries of these cache folders that no build has used (read or written) for
    `unused_days`; how many were removed. Only the two levels KeyedFiles writes are walked (one
    level in the `flat` folders, which hold their files directly: the photos' renditions), and
    only regular files are removed: never a link, never anything outside the folder."""
    cutoff = time.time() - unused_days * 86400
    removed = sum(_remove_unused(str(folder), cutoff) for folder in flat)
    for folder in folders:
        try:
            shards = [e for e in os.scandir(folder) if e.is_dir(follow_symlinks=False)]
        except OSError:
            continue
        removed += sum(_remove_unused(shard.path, cutoff) for shard in shards)
    return removed


def _remove_unused(folder: str, cutoff: float) -> int:
    """The regular files directly in `folder` last used before `cutoff`, removed; how many."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    removed = 0
    for entry in entries:
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue  # gone already, or another build's: left
    return removed


class RecentlyUsed(dict):  # type: ignore[type-arg]
    """A dict that knows which keys the current rebuild used (read, asked for or written), and
    drops the others when told the rebuild is done. A preview server keeps its answers by key
    for as long as it runs: each saved version of a record is a new key, and without this every
    version's check, model and related lists would stay in memory until it stopped."""

    def __init__(self) -> None:
        super().__init__()
        self.used: set[object] = set()

    def __getitem__(self, key: object) -> object:
        self.used.add(key)
        return super().__getitem__(key)

    def get(self, key: object, default: object = None) -> object:
        self.used.add(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self.used.add(key)
        return super().__contains__(key)

    def __setitem__(self, key: object, value: object) -> None:
        self.used.add(key)
        super().__setitem__(key, value)

    def keep_used(self) -> int:
        """Forget what this rebuild did not use; how many entries went."""
        unused = [k for k in self if k not in self.used]  # iteration marks nothing
        for key in unused:
            super().__delitem__(key)
        self.used = set()
        return len(unused)


class MemoryEntries:
    """The same interface in memory: what a preview server keeps between rebuilds."""

    def __init__(self) -> None:
        self.entries: RecentlyUsed = RecentlyUsed()

    def read(self, key: bytes) -> bytes | None:
        return self.entries.get(key)

    def write(self, key: bytes, data: bytes) -> bool:
        self.entries[key] = data
        return True
