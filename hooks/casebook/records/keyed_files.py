"""A folder of cache entries named by their key: the one way the build's caches (record checks,
case pages, finished pages) keep bytes on disk."""

from __future__ import annotations

import os
from pathlib import Path


class KeyedFiles:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, key: bytes) -> Path:
        return self.folder / key[:1].hex() / key.hex()  # 256 subfolders: no folder of 20,000 files

    def read(self, key: bytes) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except OSError:
            return None

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


class MemoryEntries:
    """The same interface in memory: what a preview server keeps between rebuilds."""

    def __init__(self) -> None:
        self.entries: dict[bytes, bytes] = {}

    def read(self, key: bytes) -> bytes | None:
        return self.entries.get(key)

    def write(self, key: bytes, data: bytes) -> bool:
        self.entries[key] = data
        return True
