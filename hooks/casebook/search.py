"""Full-text search with Pagefind: index the built site (both scripts) and prove that every case
is in the index.

Pagefind's extended build cuts Chinese into words; it keeps one index per `<html lang>`, so
the Simplified and Traditional variants each search their own pages.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

BUNDLE = "pagefind"
FRAGMENT_SIGNATURE = b"pagefind_dcd"


class SearchIndexError(RuntimeError):
    pass


def build_index(site_dir: Path) -> str:
    """Run the Pagefind binary that the `pagefind[extended]` wheel ships; returns its summary."""
    cmd = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site_dir),
        "--output-subdir",
        BUNDLE,
        "--quiet",
        # Material's ¶ permalinks would otherwise end every heading and title in the index.
        "--exclude-selectors",
        ".headerlink",
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexError(f"Pagefind 无法运行：{exc}") from exc
    if proc.returncode != 0:
        raise SearchIndexError(f"Pagefind 建索引失败：\n{proc.stdout}\n{proc.stderr}".strip())
    return proc.stdout.strip()


def indexed_pages(site_dir: Path) -> dict[str, set[str]]:
    """URLs in the index, by language, read back from Pagefind's own fragments."""
    bundle = site_dir / BUNDLE
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SearchIndexError(f"没有找到 Pagefind 索引（{exc}）") from exc
    urls: set[str] = set()
    for fragment in (bundle / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        if not data.startswith(FRAGMENT_SIGNATURE):
            raise SearchIndexError(f"无法识别的 Pagefind 索引片段：{fragment.name}")
        urls.add(json.loads(data[len(FRAGMENT_SIGNATURE) :])["url"])
    by_lang: dict[str, set[str]] = {lang: set() for lang in entry.get("languages", {})}
    for url in urls:
        lang = "zh-hant" if url.startswith("/zh-Hant/") else "zh-hans"
        by_lang.setdefault(lang, set()).add(url)
    return by_lang
