"""What a preview server needs between two rebuilds: which generated pages changed.

A preview rebuilds after every save; re-rendering a thousand case pages through the site's
template took longer than the reader waits. The preview keeps a fingerprint of each page it
wrote, for as long as the server process lives, and rewrites only the pages whose HTML differs.
"""

from __future__ import annotations

import hashlib

_written: dict[tuple[str, str], bytes] = {}  # (site folder, page) -> fingerprint of its HTML


def changed(site_dir: str, page: str, html: str) -> bool:
    """Whether the page differs from the last time it was written to this site folder; it is
    remembered as written from now on."""
    digest = hashlib.blake2b(html.encode("utf-8"), digest_size=16).digest()
    key = (site_dir, page)
    if _written.get(key) == digest:
        return False
    _written[key] = digest
    return True


def forget(site_dir: str) -> None:
    """After a failed build nothing written can be trusted."""
    for key in [k for k in _written if k[0] == site_dir]:
        del _written[key]
