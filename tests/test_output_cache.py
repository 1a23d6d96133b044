"""Builds with a warm cache make exactly the site a cold build makes.

The caches (records' checks, case articles, finished case pages) live in the user's cache folder:
each build here gets a HOME of its own, so "cold" means an empty cache."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bench.generate import dump, generate

from casebook.records.loader import Project, load
from casebook.site.page_keys import PageCache
from casebook.site.pages import SitePages
from tests.conftest import copy_project, mkdocs_build


def _build(project: Path, site_dir: Path, home: Path) -> str:
    run = mkdocs_build(project, site_dir, HOME=str(home))
    assert run.code == 0, run.text
    return run.text


def _differences(a: Path, b: Path) -> list[str]:
    """Files that differ between two built sites. A gzip file records when it was written, so
    sitemap.xml.gz is compared by what it holds."""
    import gzip

    names_a = {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file()}
    names_b = {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
    out = sorted(names_a ^ names_b)
    for name in sorted(names_a & names_b):
        x, y = (a / name).read_bytes(), (b / name).read_bytes()
        if name.endswith(".gz"):
            x, y = gzip.decompress(x), gzip.decompress(y)
        if x != y:
            out.append(name)
    return out


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("output") / "project")
    for record in generate(10, seed=5):
        (project / "cases" / f"{record['id']}.yml").write_text(dump(record), encoding="utf-8")
    return project


def test_a_warm_build_is_the_cold_build_byte_for_byte(project: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    cold = _build(project, tmp_path / "cold", home)
    assert "个生成的页面取自缓存" not in cold
    warm = _build(project, tmp_path / "warm", home)
    # Every page with a key: the cases' and those of what they are filed under (themes …).
    book = load(Project(project)).casebook
    assert book is not None
    keyed = [page.path for page in SitePages(book, cache=PageCache(None)).all() if page.key is not None]
    assert len(keyed) > len(book.cases) and any(path.startswith("themes/") for path in keyed)
    assert re.search(rf"\b{len(keyed)} 个生成的页面取自缓存", warm), warm[-2000:]
    assert "Word 与幻灯片文件 0 个新生成" in warm, warm[-2000:]
    assert "0 个取自缓存）" in cold and "（1 个分片，1 个取自缓存）" in warm, warm[-2000:]
    assert _differences(tmp_path / "cold", tmp_path / "warm") == []


def test_after_an_edit_the_warm_build_is_what_a_cold_build_of_the_edit_makes(project: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    _build(project, tmp_path / "first", home)
    edited = tmp_path / "edited"
    shutil.copytree(project, edited)
    themes = edited / "data" / "themes.yml"
    themes.write_text(
        themes.read_text(encoding="utf-8").replace("name: 为老服务", "name: 为老助老服务"), encoding="utf-8"
    )
    record = sorted((edited / "cases").glob("*.yml"))[-1]
    record.write_text(
        re.sub(r"(?m)^title: ", "title: 修订：", record.read_text(encoding="utf-8"), count=1), encoding="utf-8"
    )
    warm = _build(edited, tmp_path / "warm", home)
    _build(edited, tmp_path / "cold", tmp_path / "fresh-home")
    assert "个生成的页面取自缓存" in warm  # most pages did not change
    assert "（1 个分片，0 个取自缓存）" in warm  # its one shard holds the edited pages: indexed again
    assert _differences(tmp_path / "cold", tmp_path / "warm") == []


def test_a_search_shard_is_indexed_again_only_when_one_of_its_pages_changed(project: Path, tmp_path: Path) -> None:
    """Shards of 8 pages: after a paragraph of a record's practice is edited (its own page alone
    shows it), the shard holding that page is indexed again, the others are taken from the
    cache, and the site is what a cold build of the edit makes (the index holds the new words)."""
    home = tmp_path / "home"
    first = mkdocs_build(project, tmp_path / "first", HOME=str(home), CASEBOOK_SEARCH_SHARD_PAGES="8")
    assert first.code == 0, first.text
    shards = int(re.search(r"（(\d+) 个分片，0 个取自缓存）", first.text).group(1))  # type: ignore[union-attr]
    edited = tmp_path / "edited"
    shutil.copytree(project, edited)
    record = sorted((edited / "cases").glob("*.yml"))[-1]
    text = record.read_text(encoding="utf-8")
    assert "\npractice: |\n" in text
    added = "\npractice: |\n  楼栋长每周敲门问需求。\n\n"
    record.write_text(text.replace("\npractice: |\n", added, 1), encoding="utf-8")
    warm = mkdocs_build(edited, tmp_path / "warm", HOME=str(home), CASEBOOK_SEARCH_SHARD_PAGES="8")
    assert warm.code == 0, warm.text
    reused = int(re.search(rf"（{shards} 个分片，(\d+) 个取自缓存）", warm.text).group(1))  # type: ignore[union-attr]
    assert reused == shards - 1, warm.text[-1500:]
    cold = mkdocs_build(edited, tmp_path / "cold", HOME=str(tmp_path / "fresh"), CASEBOOK_SEARCH_SHARD_PAGES="8")
    assert cold.code == 0, cold.text
    assert _differences(tmp_path / "cold", tmp_path / "warm") == []
    from casebook.site.search import _fragments

    bundles = [p for p in (tmp_path / "warm" / "pagefind").rglob("pagefind-entry.json")]
    contents = [page["content"].replace("\u200b", "") for _, page in _fragments([b.parent for b in bundles])]
    assert any("楼栋长每周敲门问需求" in c for c in contents)


def test_compiled_templates_and_made_files_are_kept_outside_the_repository(project: Path, tmp_path: Path) -> None:
    """Jinja's compiled templates are code, and a cached Word or slide file is published as it
    is: a pull request can commit the repository's .cache, so both live in the user's cache
    only, and a file planted where an earlier version kept handouts is never published."""
    planted = project / ".cache" / "handouts"
    planted.mkdir(parents=True, exist_ok=True)
    (planted / "forged.docx").write_bytes(b"PK forged")
    home = tmp_path / "home"
    _build(project, tmp_path / "site", home)
    assert not (project / ".cache" / "jinja").exists()
    assert any((home / ".cache" / "casebook" / "jinja").rglob("*.cache"))
    kept = {p.read_bytes() for p in (home / ".cache" / "casebook" / "handouts" / "files").rglob("*") if p.is_file()}
    published = [p for p in (tmp_path / "site").rglob("*") if p.suffix in (".docx", ".pptx")]
    assert published and all(p.read_bytes() in kept for p in published)
    assert [p.name for p in planted.iterdir()] == ["forged.docx"]


def test_a_cache_folder_that_cannot_be_made_is_said_not_a_traceback(project: Path, tmp_path: Path) -> None:
    """The user's cache is where the Word and slide files are kept before the site copies them:
    when it cannot be made (here HOME is a file), the build stops with a sentence naming it."""
    home = tmp_path / "not-a-folder"
    home.write_text("a file where HOME should be a folder")
    run = mkdocs_build(project, tmp_path / "site", HOME=str(home))
    assert run.code != 0
    assert "Word 与幻灯片文件无法生成" in run.text and "Traceback" not in run.text, run.text[-3000:]


def test_made_files_are_linked_into_the_site_and_no_build_writes_through_them(project: Path, tmp_path: Path) -> None:
    """Word and slide files and QR codes reach the site as second names of the files the caches
    hold (casebook_mkdocs/hardlinks.py), in both scripts. A link shares its bytes, so a later build
    into the same folder, whole or --dirty, after an edit that changes those files, must leave
    every cache entry as it was."""
    import os
    import subprocess
    import sys

    home, site = tmp_path / "home", tmp_path / "site"
    _build(project, site, home)
    cache = home / ".cache" / "casebook" / "handouts" / "files"
    entries = {p: p.read_bytes() for p in cache.rglob("*") if p.is_file()}
    assert entries
    inodes = {os.stat(p).st_ino for p in entries}
    docx = sorted(site.glob("cases/*/*.docx"))
    assert docx and all(os.stat(p).st_ino in inodes for p in docx)
    twins = [site / "zh-Hant" / p.relative_to(site) for p in docx]
    assert all(os.stat(t).st_ino == os.stat(p).st_ino for t, p in zip(twins, docx, strict=True))
    qr = sorted(site.glob("cases/*/*.png"))
    assert qr and all(os.stat(p).st_nlink >= 3 for p in qr), "the QR cache, the page and its twin"

    edited = tmp_path / "edited"
    shutil.copytree(project, edited)
    for record in (edited / "cases").glob("*.yml"):
        text = record.read_text(encoding="utf-8")
        record.write_text(re.sub(r"(?m)^title: ", "title: 修订：", text, count=1), encoding="utf-8")
    # Into the same folder: the edit --dirty (files replaced where they are), then the first
    # project again, whole.
    dirty = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--dirty", "--no-strict", "--site-dir", str(site)],
        cwd=edited,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "HOME": str(home)},
    )
    assert dirty.returncode == 0, dirty.stderr[-2000:]
    assert "Word 与幻灯片文件 0 个新生成" not in dirty.stderr, "the edit made new files"
    assert all(os.stat(p).st_ino not in inodes for p in docx), "each replaced by the edit's file"
    _build(project, site, home)
    changed = [p.name for p, data in entries.items() if not p.is_file() or p.read_bytes() != data]
    assert changed == []
    assert all(os.stat(p).st_ino in inodes for p in docx)
