"""The build's caches only grow (a changed input is a new key): every entry a build uses is
touched, and the entries no build has used for UNUSED_DAYS are removed after a full build."""

from __future__ import annotations

import os
import time
from pathlib import Path

from casebook.records.keyed_files import UNUSED_DAYS, KeyedFiles, prune
from tests.conftest import copy_project, mkdocs_build

OLD = time.time() - (UNUSED_DAYS + 1) * 86400


def _age(path: Path) -> None:
    os.utime(path, (OLD, OLD))


def test_prune_removes_unused_entries_and_keeps_used_ones(tmp_path: Path) -> None:
    files = KeyedFiles(tmp_path / "pages")
    for key in (b"\x01used", b"\x02unused", b"\x03fresh"):
        assert files.write(key, b"entry")
    for key in (b"\x01used", b"\x02unused"):
        _age(files.path(key))
    assert files.read(b"\x01used") == b"entry"  # a build used it: touched
    outside = tmp_path / "pages" / "not-a-shard.txt"
    outside.write_text("a file KeyedFiles never writes")
    _age(outside)
    link = tmp_path / "pages" / files.path(b"\x03fresh").parent.name / "link"
    link.symlink_to(tmp_path / "elsewhere")
    assert prune([tmp_path / "pages", tmp_path / "missing"]) == 1
    assert not files.path(b"\x02unused").exists()
    assert files.read(b"\x01used") == b"entry" and files.read(b"\x03fresh") == b"entry"
    assert outside.exists() and link.is_symlink()


def test_a_build_prunes_what_no_build_used_and_keeps_what_it_used(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    home = tmp_path / "home"
    first = mkdocs_build(project, tmp_path / "site", HOME=str(home))
    assert first.code == 0, first.text
    caches = home / ".cache" / "casebook"
    entries = [
        p
        for p in caches.rglob("*")
        if p.is_file() and p.parent.parent.name in ("pages", "output", "related", "checks", "files")
    ]
    assert len(entries) > 20
    for p in entries:
        _age(p)  # as if the last build had been long ago
    stale = KeyedFiles(caches / "pages")
    stale.write(b"\xffno build uses this", b"old page")
    _age(stale.path(b"\xffno build uses this"))
    second = mkdocs_build(project, tmp_path / "site", HOME=str(home))
    assert second.code == 0, second.text
    assert "个生成的页面取自缓存" in second.text  # the aged entries were used, not made again
    assert "Word 与幻灯片文件 0 个新生成" in second.text
    assert not stale.path(b"\xffno build uses this").exists()
    used = [p for p in entries if p.exists()]
    assert len(used) == len(entries), "an entry this build used was pruned"
    assert all(p.stat().st_mtime > OLD + 86400 for p in used)


def test_photo_renditions_unused_for_a_month_are_pruned_and_used_ones_kept(tmp_path: Path) -> None:
    """The renditions' folder holds its files side by side (records/images.py), not in shards."""
    from PIL import Image

    from casebook.records.images import renditions

    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (1000, 600), (200, 30, 30)).save(photo)
    cache = tmp_path / "images"
    first = renditions(photo, cache)
    kept = sorted(cache.iterdir())
    assert len(kept) == 1 + 2 * len(first)  # the index, a WebP and a JPEG per width
    for p in kept:
        _age(p)
    assert renditions(photo, cache) == first  # from the cache, and so marked as used
    stale = cache / "0123456789abcdef01234567.txt"
    stale.write_text("480x288")
    _age(stale)
    link = cache / "link-480.webp"
    link.symlink_to(photo)
    assert prune([], flat=[cache, tmp_path / "missing"]) == 1
    assert not stale.exists() and link.is_symlink()
    assert sorted(p for p in cache.iterdir() if p != link) == kept
