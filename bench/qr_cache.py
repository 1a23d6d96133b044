"""What the QR cache costs and saves at 1,000 codes: drawing them, using a trusted cache, and
the alternative of checking each cached picture against a freshly computed module grid.

    .venv/bin/python -m bench.qr_cache [N]
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from pathlib import Path

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

from casebook.site.qr import QrBatch, _draw_all, cache_path


def _seconds(step: object) -> float:
    start = time.perf_counter()
    step()  # type: ignore[operator]
    return time.perf_counter() - start


def _grid_matches(url: str, png: bytes) -> bool:
    """The rejected design: rebuild the code's modules and compare them with the decoded image."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=6, border=2, mask_pattern=4)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    image = Image.open(io.BytesIO(png)).convert("L")
    if image.size != (n * 6, n * 6):
        return False
    expected = bytes(0 if dark else 255 for row in matrix for dark in row)
    return image.resize((n, n), Image.Resampling.NEAREST).tobytes() == expected


def main(n: int = 1000) -> None:
    urls = [f"https://casebook-1314.github.io/casebook/cases/anli-{i:05d}-shequ-zhili/" for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        cache, digests = Path(tmp) / ".cache" / "qr", Path(tmp) / "digests.json"
        cache.mkdir(parents=True)
        cold = _seconds(lambda: _draw_all(urls, cache, digests))
        batch: list[QrBatch] = []
        warm = _seconds(lambda: batch.append(QrBatch(urls, cache, digests)))
        assert not batch[0].missing
        pngs = [cache_path(u, cache).read_bytes() for u in urls]
        grid = _seconds(lambda: [_grid_matches(u, p) for u, p in zip(urls, pngs, strict=True)])
        for u in urls:  # a pull request that commits every code
            cache_path(u, cache).write_bytes(pngs[0])
        forged: list[QrBatch] = []
        check_forged = _seconds(lambda: forged.append(QrBatch(urls, cache, digests)))
        assert len(forged[0].missing) == n - 1
    print(f"{n} codes: draw {cold:.2f} s; trusted cache checked {warm * 1000:.0f} ms;")
    print(f"  forged cache found {check_forged * 1000:.0f} ms (then redrawn); grid check instead: {grid:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
