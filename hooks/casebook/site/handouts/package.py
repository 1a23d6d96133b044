"""The same handout gives the same file: Word and PowerPoint files are zip packages, and a zip
entry records when it was written. Re-packed with one fixed date (the zip format's first, 1980),
in the same order and compression, a file depends on its content alone: a warm build and a cold
one publish the same bytes, and a mirror or a diff sees no change where there is none."""

from __future__ import annotations

import io
import zipfile

_EPOCH = (1980, 1, 1, 0, 0, 0)


def reproducible(package: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(entry))
    return out.getvalue()
