"""The same handout gives the same file: Word and PowerPoint files are zip packages, and a zip
entry records when it was written. Written with one fixed date (the zip format's first, 1980),
in a fixed order and compression, a file depends on its content alone: a warm build and a cold
one publish the same bytes, and a mirror or a diff sees no change where there is none.

A package made from a base (the template's theme, master, layouts, styles: the same in every
file) deflates those parts once per process (`Deflated`), not once per file: compressing them
was a third of the cost of a slide outline. `write` lays the zip out byte for byte as the
standard library's zipfile does for the same entries (tests/test_handouts.py holds it to that).

Also the Jinja environment of the packages' XML parts (templates/handouts/)."""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ...records.code_digest import PACKAGE, files_digest
from ..templates import TEMPLATE_DIR

XML_TEMPLATE_DIR = TEMPLATE_DIR / "handouts"

# zipfile's records (APPNOTE.TXT 4.3.7, 4.3.12, 4.3.16) and the values it writes for a deflated
# entry made on a POSIX system: version 2.0, dated 1980-01-01 00:00, mode 0600.
_LOCAL, _CENTRAL, _END = "<4s2B4HL2L2H", "<4s4B4HL2L5H2L", "<4s4H2LH"
_VERSION, _POSIX, _DEFLATE = 20, 3, 8
_TIME, _DATE = 0, 1 << 5 | 1
_MODE = 0o600 << 16
_UTF8 = 0x800  # a name that is not ASCII is UTF-8
_LIMIT = 0xFFFFFFFF  # beyond it, zip64 records: no handout comes near (write() refuses it)


@dataclass(frozen=True)
class Deflated:
    """A part compressed once, to go into many packages."""

    crc: int
    size: int
    data: bytes  # the raw deflate stream, as zipfile makes it

    @classmethod
    def of(cls, data: bytes) -> Deflated:
        compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        return cls(zlib.crc32(data), len(data), compressor.compress(data) + compressor.flush())


def write(parts: Iterable[tuple[str, bytes | Deflated]]) -> bytes:
    """A zip package of (part name, bytes or a part deflated before), in the order given."""
    out = io.BytesIO()
    central = []
    for name, part in parts:
        part = part if isinstance(part, Deflated) else Deflated.of(part)
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode(), _UTF8
        offset = out.tell()
        if max(offset, len(part.data), part.size) > _LIMIT:
            raise ValueError(f"{name}: too large for a handout")
        sizes = (part.crc, len(part.data), part.size, len(encoded))
        out.write(struct.pack(_LOCAL, b"PK\x03\x04", _VERSION, 0, flags, _DEFLATE, _TIME, _DATE, *sizes, 0))
        out.write(encoded)
        out.write(part.data)
        head = (_VERSION, _POSIX, _VERSION, 0, flags, _DEFLATE, _TIME, _DATE, *sizes, 0, 0, 0, 0, _MODE, offset)
        central.append(struct.pack(_CENTRAL, b"PK\x01\x02", *head) + encoded)
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    out.write(struct.pack(_END, b"PK\x05\x06", 0, 0, len(central), len(central), size, start, 0))
    return out.getvalue()


EMU_PER_CM = 360_000  # Office's English Metric Units
EMU_PER_TWIP = 635  # a twip (Word's unit) is a twentieth of a point


@cache
def xml_templates() -> Environment:
    """XML parts from templates, escaped as HTML is: Jinja's escapes (&amp; &lt; &gt; &#34; &#39;)
    are valid XML, so a value from a record is always text, never markup. Made once per process;
    it holds no build's state."""
    env = Environment(
        loader=FileSystemLoader(XML_TEMPLATE_DIR),
        autoescape=True,
        finalize=_xml_text,
        undefined=StrictUndefined,  # a misspelt name is an error, not an empty attribute
        auto_reload=False,  # templates do not change during a build
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        emu=lambda cm: round(cm * EMU_PER_CM),
        twips=lambda cm: round(cm * EMU_PER_CM / EMU_PER_TWIP),
    )
    return env


# What XML 1.0 cannot hold at all, escaped or not: C0 controls but tab, line feed, return.
_CONTROL = re.compile(r"[\x00-\x08\x0B\x0C\x0E-\x1F]")


def _xml_text(value: object) -> object:
    """Every value a template prints: a control character written out as _xHHHH_, as Word,
    PowerPoint and python-docx/pptx write it (a record's checks refuse them, but a handout is
    made of more than a record; markup from python-docx's own parts is left as it is)."""
    # isprintable() (in C) passes nearly every value, so the pattern only runs on the rare rest.
    if isinstance(value, str) and not value.isprintable() and not isinstance(value, Markup):
        return _CONTROL.sub(lambda m: f"_x{ord(m[0]):04X}_", value)
    return value


def render_part(name: str, **context: Any) -> bytes:
    """One XML part of a package from its template under templates/handouts/."""
    return xml_templates().get_template(name).render(**context).encode()


def writer_digest(*folders: str) -> str:
    """The code that writes a file: the templates in these folders (of templates/handouts/) and
    the modules of this package. Part of every cache key, so an edited writer makes new keys
    and no file made by the old one is served again."""
    paths = [p for f in folders for p in (XML_TEMPLATE_DIR / f).glob("*")]
    paths += Path(__file__).parent.glob("*.py")
    return files_digest(PACKAGE, paths).hex()[:12]
