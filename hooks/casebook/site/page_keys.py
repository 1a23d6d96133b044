"""What a case page is made of, as one digest: the page is rendered again only when it changes.

A case page shows its own record and a little of the reference data (the names of its policies,
themes, places, pillars and sources), the titles of the cases it names as related and of the
lesson packs that hold it, its photos' sizes, and the site's settings. Its key is the digest of
exactly those, plus the code and templates that render it. An edit to one record changes that
record's key and the keys of the records that name it; a renamed theme changes the keys of the
cases under that theme only.

Most listing pages (themes, places, 数说, the first browse page …) have no key: they are few and
each depends on many records, so they are always rendered. The browse pages after the first and
the browse script's card files show a hundred or five hundred cases each, as cards: their key is
that of their cases' records (SitePages.listing_key), so a save renders again only the one that
holds the case saved.

tests/test_page_keys.py holds this to account: for every mutation it tries, a page whose key did
not change must render to the same HTML."""

from __future__ import annotations

import hashlib
import io
import marshal
import pickle
from pathlib import Path
from typing import Any

from ..model import Case, Casebook
from ..records.code_digest import PACKAGE, files_digest, package_files
from ..records.images import Rendition
from ..records.keyed_files import KeyedFiles
from .page import RenderedPage


class _Canonical(pickle.Pickler):
    """Pickles equal values to equal bytes: no memo (whose back-references follow object identity)
    and sets in sorted order."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, (set, frozenset)):
            return tuple, (tuple(sorted(obj, key=repr)),)
        return NotImplemented


def fingerprint(*values: Any) -> bytes:
    buffer = io.BytesIO()
    pickler = _Canonical(buffer, protocol=5)
    pickler.fast = True  # no memo: the same value gives the same bytes whatever shares it
    pickler.dump(values)
    return hashlib.blake2b(buffer.getvalue(), digest_size=20).digest()


def code_fingerprint() -> bytes:
    """The core's code and templates (pages' HTML, Word and slide parts' XML): a change to any
    renders every page again."""
    return files_digest(PACKAGE, package_files(".py", ".html", ".j2"))


class PageKeys:
    def __init__(self, book: Casebook, photos: dict[str, list[Rendition]], code: bytes | None = None) -> None:
        self.book = book
        self.base = fingerprint(code or code_fingerprint(), book.site, book.framework, book.schema_version)
        self._photos: dict[str, dict[str, Any]] = {}
        for key, sizes in photos.items():
            self._photos.setdefault(key.split("/", 1)[0], {})[key] = sizes
        self._entities: dict[tuple[str, str], bytes] = {}
        self._collections: dict[str, list[tuple[str, str]]] = {}
        for c in book.collections.values():
            for item in c.items:
                self._collections.setdefault(item.case, []).append((c.id, c.title))

    def context(self, *more: Any) -> bytes:
        """Everything a case key reads besides the case's own record, photos and related cases
        (the base, every table of reference data, the collections), and `more`."""
        book = self.book
        return fingerprint(
            self.base, book.policies, book.themes, book.places.by_id, book.sources, self._collections, more
        )

    def photo_digests(self) -> dict[str, bytes]:
        """Each case's photos' sizes as one digest, for the cases that have photos."""
        return {cid: fingerprint(sizes) for cid, sizes in self._photos.items()}

    def case(self, case: Case) -> bytes:
        book = self.book
        h = hashlib.blake2b(self.base, digest_size=20)
        # The record itself: the digest of its text where the loader kept it (the Case is made
        # from nothing else), else of the Case.
        h.update(book.record_digests.get(case.id) or fingerprint(case))
        place_ids = [p for p in (case.place.district, case.place.street, case.place.community) if p]
        district = book.places.by_id.get(case.place.district)
        if district is not None:
            place_ids.append(district.city)
        for kind, ids in (
            ("policy", [q for p in case.policies for q in self._policy_chain(p)]),
            ("theme", case.themes),
            ("place", place_ids),
            ("source", sorted({ref.ref for ref in case.sources} | {m.credit for m in case.media if m.credit})),
        ):
            for entity in ids:
                h.update(self._entity(kind, entity))
        for r in case.related:
            h.update(fingerprint(r, book.cases[r].title if r in book.cases else ""))
        h.update(fingerprint(self._collections.get(case.id, []), self._photos.get(case.id, {})))
        return h.digest()

    def _entity(self, kind: str, entity_id: str) -> bytes:
        """One piece of reference data, digested once per build however many cases show it."""
        key = (kind, entity_id)
        if key not in self._entities:
            book = self.book
            table: dict[str, Any] = {
                "policy": book.policies,
                "theme": book.themes,
                "place": book.places.by_id,
                "source": book.sources,
            }[kind]
            self._entities[key] = fingerprint(kind, entity_id, table.get(entity_id))
        return self._entities[key]

    def _policy_chain(self, policy_id: str) -> list[str]:
        chain: list[str] = []
        current = self.book.policies.get(policy_id)
        while current is not None and current.id not in chain:
            chain.append(current.id)
            current = self.book.policies.get(current.parent) if current.parent else None
        return chain


class PageCache:
    """Rendered case pages by key: on disk in the user's cache for builds (never in the
    repository, where a pull request could plant a page), and in memory for a preview server."""

    def __init__(self, folder: Path | None, memory: dict[bytes, RenderedPage] | None = None) -> None:
        self.files = KeyedFiles(folder) if folder is not None else None
        self.memory = memory
        self.hits = 0
        self.misses = 0

    def get(self, key: bytes) -> RenderedPage | None:
        page = self.memory.get(key) if self.memory is not None else None
        data = self.files.read(key) if page is None and self.files is not None else None
        if data is not None:
            try:
                path, title, html, description, layout, toc = marshal.loads(data)
                page = RenderedPage(path, title, html, description, frozenset(layout), toc)
            except (EOFError, ValueError, TypeError):
                page = None
        if page is None:
            self.misses += 1
            return None
        self.hits += 1
        return page

    def put(self, key: bytes, page: RenderedPage) -> None:
        if self.memory is not None:
            self.memory[key] = page
        if self.files is not None:
            entry = (page.path, page.title, page.html, page.description, sorted(page.layout), page.toc)
            self.files.write(key, marshal.dumps(entry))
