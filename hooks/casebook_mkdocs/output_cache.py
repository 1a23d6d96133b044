"""Finished case pages, in Material's layout and in both scripts, kept by what they are made from.

The core keys each case page by its inputs (casebook.site.page_keys) and keeps its article; what
MkDocs and Material wrap around it and the Traditional copy are a larger part of a build. A case
page whose article, title, description, address and edit link are unchanged, built with the same
theme, configuration, navigation and code, comes out the same: it is taken from here, and Material's
template is not rendered for it. The entries live in the user's cache, never in the repository.

tests/test_output_cache.py builds a site twice, cold and warm, and finds the two byte for byte equal.
"""

from __future__ import annotations

import hashlib
import json
import marshal
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.nav import Navigation

from casebook.records.code_digest import files_digest, library_versions
from casebook.records.keyed_files import KeyedFiles

from .pages import CorePage
from .variants import ConvertedPage, PageChars

# The template a cached page is "rendered" with: it prints the finished page and nothing else.
TEMPLATE = "casebook-cached.html"
_ADAPTER = Path(__file__).resolve().parent


def _folder_digest(folder: Path) -> bytes:
    if not folder.is_dir():
        return b""
    return files_digest(folder, [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts])


def _nav_items(items: list[Any]) -> list[Any]:
    return [(type(i).__name__, i.title, getattr(i, "url", None), _nav_items(i.children or [])) for i in items]


def theme_digest(config: MkDocsConfig, nav: Navigation, core: bytes) -> bytes:
    """Everything but the page that goes into a finished page: configuration, theme and overrides,
    the navigation every page carries, the versions of MkDocs, Material and OpenCC, and the code."""
    h = hashlib.blake2b(core, digest_size=20)
    h.update(Path(config.config_file_path).read_bytes())
    h.update(str(config.site_url).encode())
    for version in library_versions("mkdocs", "mkdocs-material", "opencc"):
        h.update(version.encode())
    if config.theme.custom_dir:
        h.update(_folder_digest(Path(config.theme.custom_dir)))
    h.update(_folder_digest(_ADAPTER))
    h.update(json.dumps(_nav_items(list(nav.items)), ensure_ascii=False).encode())
    return h.digest()


class OutputCache:
    def __init__(self, folder: Path, theme: bytes) -> None:
        self.files = KeyedFiles(folder)
        self.theme = theme
        self.hits = 0

    def key(self, page: CorePage, rendered_key: bytes | None) -> bytes | None:
        if rendered_key is None:
            return None
        h = hashlib.blake2b(self.theme, digest_size=20)
        h.update(rendered_key)
        h.update(
            json.dumps([page.url, page.title, page.meta, page.edit_url], ensure_ascii=False, sort_keys=True).encode()
        )
        return h.digest()

    def holds(self, key: bytes) -> bool:
        """Whether a sound entry is there (read and checked, not kept)."""
        return self._read(key) is not None

    def get(self, key: bytes) -> ConvertedPage | None:
        entry = self._read(key)
        if entry is None:
            return None
        hans, hant, chars, ambiguous, pairs = entry
        self.hits += 1
        return ConvertedPage(hans, hant, PageChars(frozenset(chars), frozenset(ambiguous), pairs))

    def _read(self, key: bytes) -> tuple[Any, ...] | None:
        data = self.files.read(key)
        if data is None:
            return None
        try:
            entry = marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            return None
        return entry if isinstance(entry, tuple) and len(entry) == 5 else None

    def put(self, key: bytes, page: ConvertedPage) -> None:
        entry = (
            page.hans,
            page.hant,
            "".join(sorted(page.chars.chars)),
            "".join(sorted(page.chars.ambiguous)),
            page.chars.pairs,
        )
        self.files.write(key, marshal.dumps(entry))
