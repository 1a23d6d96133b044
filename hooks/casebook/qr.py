"""QR codes of permanent URLs, drawn once per URL and kept in a cache folder."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_png(url: str, cache_dir: Path | None = None) -> bytes:
    """A PNG of the URL; medium error correction survives a photocopied handout."""
    key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
    cached = cache_dir / f"{key}.png" if cache_dir else None
    if cached is not None and cached.is_file():
        return cached.read_bytes()
    # A fixed mask pattern: any of the eight is a valid code, and trying all eight for the
    # "best" one made each code cost ~25 ms, most of a thousand-case build's QR time.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=6, border=2, mask_pattern=4)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    data = buffer.getvalue()
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(cached)
    return data
