"""Zip packages (Word and PowerPoint files) that depend on their content alone, made fast.

A zip entry records when it was written. Written with one fixed date (the zip format's first,
1980), in the same order and compression, a file depends on its content alone: a warm build and
a cold one publish the same bytes, and a mirror or a diff sees no change where there is none.

Most of a handout's package is the same in every file (styles, theme, fonts, footer: about
0.8 MB of XML before compression). `Prepared` compresses those parts once per process and adds
each file's own parts (its document, relationships, properties, pictures) to a copy of that
zip, so a handout costs the compression of what is its own, not of the styles again."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping

_EPOCH = (1980, 1, 1, 0, 0, 0)


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


class Prepared:
    """A package's shared parts, compressed once; `package(own)` adds a file's own parts."""

    def __init__(self, shared: Iterable[tuple[str, bytes]]) -> None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for name, data in shared:
                target.writestr(_entry(name), data)
        self._zip = out.getvalue()

    @classmethod
    def from_package(cls, package: bytes, replace: Mapping[str, bytes | None]) -> Prepared:
        """The parts of an existing package in their order, with `replace`'s parts swapped in,
        or left out where the value is None (they are each file's own, added later)."""
        with zipfile.ZipFile(io.BytesIO(package)) as source:
            parts = [(entry.filename, replace.get(entry.filename, source.read(entry))) for entry in source.infolist()]
        return cls((name, data) for name, data in parts if data is not None)

    def names(self) -> list[str]:
        with zipfile.ZipFile(io.BytesIO(self._zip)) as z:
            return z.namelist()

    def package(self, own: Iterable[tuple[str, bytes]]) -> bytes:
        """The whole file: the shared parts as compressed once, then the file's own."""
        out = io.BytesIO(self._zip)
        out.seek(0, io.SEEK_END)
        # Appending keeps the shared entries' compressed bytes as they are and writes a new
        # central directory after the added entries.
        with zipfile.ZipFile(out, "a") as target:
            for name, data in own:
                target.writestr(_entry(name), data)
        return out.getvalue()


def reproducible(package: bytes) -> bytes:
    """A package written by another library, re-packed with the fixed date and order."""
    return Prepared.from_package(package, {}).package(())
