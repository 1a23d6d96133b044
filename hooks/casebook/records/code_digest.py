"""What a cache entry made by code depends on, besides its input: the files of that code and the
versions of the libraries it calls. One function for every cache's key (record checks, case
pages, related lists, Word and slide writers, finished pages): an edited module or template, or
an upgraded library, gives new keys, and nothing made by the old code is served again."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # the core, casebook/


def files_digest(root: Path, paths: Iterable[Path], *also: str) -> bytes:
    """The digest of these files (each by its path under `root` and its bytes, in path order)
    and of the strings `also` (library versions, the Python version)."""
    h = hashlib.blake2b(digest_size=20)
    named = sorted((path.relative_to(root).as_posix(), path) for path in paths)
    for part in (*also, *(piece for name, path in named for piece in (name, path.read_bytes()))):
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))  # lengths first: no two lists give the same stream
        h.update(data)
    return h.digest()


def package_files(*suffixes: str) -> list[Path]:
    """The core's files of these kinds (".py", ".html" …), bytecode folders left out."""
    return [p for p in PACKAGE.rglob("*") if p.suffix in suffixes and p.is_file() and "__pycache__" not in p.parts]


def library_versions(*distributions: str) -> list[str]:
    """ "name=version" of each installed distribution (the name alone when it is not installed)."""
    out = []
    for dist in distributions:
        try:
            out.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            out.append(dist)
    return out
