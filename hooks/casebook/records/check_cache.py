"""Each record's own check, kept by the digest of everything the check reads.

Checking a record on its own (YAML, schema, characters, Markdown) is most of the time of a load,
and a record that did not change gives the same answer: a rebuild, a preview after a save or a
second `casebook validate` take the answer back instead of working it out again.

The key is the digest of all that answer depends on: the record's bytes and its name as shown in
messages, the names of the files in its photo folder (its Markdown may show them), the schemas,
and the code and library versions that check it. Cross-record checks (references, duplicate ids)
are not cached: they are cheap, and they depend on every record.

The answers are kept in the user's cache (`~/.cache/casebook/checks`), never in the repository:
a pull request could commit a cache folder that says its broken record is fine.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .code_digest import PACKAGE, files_digest, library_versions, package_files
from .keyed_files import KeyedFiles, RecentlyUsed
from .yamlfile import read_regular

# An entry: the record's text and data (None, None when it could not be read) and its problems
# as plain tuples, as the workers send them.
Entry = tuple[str | None, Any, list[tuple[Any, ...]]]


def user_cache_dir() -> Path:
    """The casebook's folder in the user's cache, outside every repository."""
    return Path.home() / ".cache" / "casebook"


def _code_digest() -> bytes:
    # The whole core (the checks use its model too), the Python and the libraries that read.
    return files_digest(
        PACKAGE,
        package_files(".py"),
        sys.version,
        *library_versions("PyYAML", "jsonschema", "referencing", "Markdown", "Pillow"),
    )


class CheckCache:
    """Answers of the per-record check, on disk and, for a preview server, in memory too."""

    def __init__(self, folder: Path | None, memory: PreviewChecks | None = None) -> None:
        self.files = KeyedFiles(folder) if folder is not None else None
        self.memory = memory
        self._base: bytes | None = None
        self.hits = 0
        self.misses = 0

    @classmethod
    def default(cls, memory: PreviewChecks | None = None) -> CheckCache:
        return cls(user_cache_dir() / "checks", memory)

    def bind(self, schemas: dict[str, Any]) -> None:
        """The part of every key shared by all records of a load: code, libraries, schemas."""
        h = hashlib.blake2b(_code_digest(), digest_size=20)
        h.update(json.dumps(schemas, sort_keys=True, ensure_ascii=False).encode())
        self._base = h.digest()

    def key(self, path: Path, display: str, schema: str) -> bytes | None:
        """None when the file cannot be read as a record (a link, a FIFO, too big, missing): the
        check itself says why, every time."""
        assert self._base is not None, "bind() the schemas first"
        look = None
        if self.memory is not None:
            # A preview server asks again after every save: a file and folder that look exactly as
            # they did (same inode, size, times) keep the key they had, without being read again.
            # The photo folder as a string (path.parent / path.stem): pathlib was a tenth of a
            # save's load at 5,000 records.
            look = (self._base, schema, display, signature(path), signature(os.path.splitext(path)[0]))
            known = self.memory.keys.get(path)
            if known is not None and known[0] == look:
                return known[1]
        try:
            raw = read_regular(path)
        except Exception:  # anything read_regular refuses is refused again by the check itself
            return None
        h = hashlib.blake2b(self._base, digest_size=20)
        for part in (schema.encode(), display.encode(), raw, *_folder_listing(path.parent / path.stem)):
            h.update(len(part).to_bytes(8, "little"))
            h.update(part)
        key = h.digest()
        if self.memory is not None and look is not None and look[3] is not None:
            self.memory.keys[path] = (look, key)
        return key

    def get(self, key: bytes) -> Entry | None:
        if self.memory is not None and key in self.memory.entries:
            self.hits += 1
            return self.memory.entries[key]
        data = self.files.read(key) if self.files is not None else None
        if data is None:
            self.misses += 1
            return None
        try:
            entry = marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            self.misses += 1
            return None
        if self.memory is not None:
            self.memory.entries[key] = entry
        self.hits += 1
        return entry

    def remember(self, key: bytes, entry: Entry) -> None:
        """An answer worked out in another process (and stored on disk there): kept in this
        process's memory too, when it has one (a preview server)."""
        if self.memory is not None:
            self.memory.entries[key] = entry

    def put(self, key: bytes, entry: Entry) -> None:
        if self.memory is not None:
            self.memory.entries[key] = entry
        if self.files is not None:
            self.files.write(key, marshal.dumps(entry))


@dataclass
class PreviewChecks:
    """What a preview server keeps between rebuilds: the answers themselves (not their bytes),
    and each file's key with the look of the file it was worked out from."""

    entries: RecentlyUsed = field(default_factory=RecentlyUsed)  # Entry by key
    keys: RecentlyUsed = field(default_factory=RecentlyUsed)  # (look, key) by path
    cases: RecentlyUsed = field(default_factory=RecentlyUsed)  # each clean record's model.Case, by its key
    cross: RecentlyUsed = field(default_factory=RecentlyUsed)  # Loader.check_case_kept's answers

    def keep_used(self) -> int:
        """After a rebuild: only what it used stays (a record's older versions, a removed file, go)."""
        return sum(kept.keep_used() for kept in (self.entries, self.keys, self.cases, self.cross))


def signature(path: str | Path) -> tuple[int, ...] | None:
    """How a file looks without reading it; None when it is not there."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_mode, st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _folder_listing(folder: Path) -> Iterable[bytes]:
    """The names in a record's photo folder, whether each is a file and whether it is a link:
    all that the Markdown check looks at there (images.safe_path refuses links)."""
    if folder.is_symlink():
        return [b"link"]
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return [b"-"]
    return [f"{e.name}:{int(e.is_file())}:{int(e.is_symlink())}".encode("utf-8", "surrogateescape") for e in entries]
