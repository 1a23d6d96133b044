"""The measurements themselves: validation, a full `mkdocs build` as a subprocess (time and peak
memory), what the build wrote, and the plain-MkDocs project to compare the hook against."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from casebook import site as core_site
from casebook.loader import LoadResult, Project, load
from casebook.model import Casebook

BUILD_ENV = {"NO_MKDOCS_2_WARNING": "1"}
# Folders of a hook project that the plain project must not have: its input is docs/ alone.
HOOK_ONLY = {"cases", "data", "hooks", "docs", "site", ".cache"}
TRADITIONAL_ROOT = "zh-Hant"  # the Traditional-script copy of the site, once it exists


# -- validation ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Validation:
    seconds: float
    result: LoadResult

    @property
    def records(self) -> int:
        return len(self.result.casebook.cases) if self.result.casebook else 0

    @property
    def rate(self) -> float:
        return self.records / self.seconds


def validate(project: Path) -> Validation:
    """`casebook.loader.load` on the whole project, as `casebook validate` and the hook run it."""
    start = time.perf_counter()
    result = load(Project(project))
    return Validation(time.perf_counter() - start, result)


# -- a build in a child process ------------------------------------------------------------
@dataclass(frozen=True)
class BuildRun:
    seconds: float
    peak_rss: int  # bytes, of the build process alone
    returncode: int
    log: str

    def check(self, what: str) -> None:
        if self.returncode != 0:
            raise RuntimeError(f"{what} failed (exit {self.returncode}):\n{self.log[-4000:]}")


def run_build(project: Path, log_file: Path) -> BuildRun:
    """`mkdocs build` (the project's own settings, strict included) timed from outside.

    os.wait4 gives the resource usage of this one child, so the peak memory is the build's own,
    not the maximum over every child this process has waited for.
    """
    with log_file.open("wb") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "build"],
            cwd=project,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **BUILD_ENV},
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting again
    return BuildRun(seconds, usage.ru_maxrss * 1024, proc.returncode, log_file.read_text(errors="replace"))


# -- what a build wrote --------------------------------------------------------------------
def case_pages(site_dir: Path) -> list[Path]:
    """Every site/cases/<id>/index.html, and the same under the Traditional copy when it exists.

    Old-id redirect pages live at cases/<alias>/index.html too; they are not case pages.
    """
    roots = [site_dir, site_dir / TRADITIONAL_ROOT]
    pages: list[Path] = []
    for root in roots:
        if (root / "cases").is_dir():
            pages += [p for p in (root / "cases").glob("*/index.html") if not _is_redirect(p)]
    return sorted(pages)


def _is_redirect(page: Path) -> bool:
    head = page.read_bytes()[:2048].lower()
    return b'http-equiv="refresh"' in head or b"http-equiv=refresh" in head


def file_size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else 0


def tree_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@dataclass(frozen=True)
class PageSizes:
    count: int
    mean: float
    largest: int


def largest_pages(site_dir: Path, count: int = 3) -> list[tuple[str, int]]:
    """The heaviest HTML pages of the site: index pages grow with the number of cases."""
    sizes = [(p.relative_to(site_dir).as_posix(), p.stat().st_size) for p in site_dir.rglob("*.html")]
    return sorted(sizes, key=lambda item: item[1], reverse=True)[:count]


def page_sizes(pages: list[Path]) -> PageSizes:
    sizes = [p.stat().st_size for p in pages]
    return PageSizes(len(sizes), sum(sizes) / len(sizes) if sizes else 0.0, max(sizes, default=0))


# -- plain MkDocs: the same pages as Markdown files, no hook ----------------------------------
def _drop_block(config: str, key: str) -> str:
    """Remove a top-level `key:` and its indented lines from mkdocs.yml text."""
    return re.sub(rf"(?m)^{key}:[^\n]*\n(?:[ \t]+[^\n]*\n|[ \t]*\n)*", "", config)


def plain_config(config: str, site_url: str, generated_dirs: list[str]) -> str:
    """mkdocs.yml minus the hook (and the hook's watch list); what the hook set, set by hand.

    The hook marks its pages NOT_IN_NAV and fills in site_url; `not_in_nav` and `site_url`
    do the same here, so both builds log and link alike.
    """
    out = _drop_block(_drop_block(config, "hooks"), "watch")
    if not re.search(r"(?m)^site_url:", out):
        out = f"site_url: {site_url}\n" + out
    patterns = "".join(f"  /{d}/\n" for d in generated_dirs)
    return out.rstrip("\n") + "\n\nnot_in_nav: |\n" + patterns


def hook_generated(project: Path) -> list[tuple[str, bytes]]:
    """Every file the hook adds to the build (pages as Markdown, data, QR codes, photos...), got
    by running MkDocs' config and files events with the hook, exactly as a build does."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    os.environ.update(BUILD_ENV)
    config = load_config(config_file=str(project / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        config = config.plugins.on_config(config)
        files = get_files(config)
        written = {f.src_uri for f in files}
        files = config.plugins.on_files(files, config=config)
        return [(f.src_uri, f.content_bytes) for f in files if f.src_uri not in written]
    finally:
        config.plugins.on_shutdown()


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def make_plain_project(hook_project: Path, book: Casebook, dest: Path) -> Path:
    """Another project with the same theme and settings whose docs/ holds everything the hook
    generates (its pages as the Markdown casebook.site.pages makes, its files) and the
    hand-written pages with their <!-- casebook:NAME --> blocks filled by casebook.site.fill_blocks."""
    docs = dest / "docs"
    shutil.copytree(hook_project / "docs", docs)
    for extra in hook_project.iterdir():  # theme overrides and whatever else the config points at
        if extra.is_dir() and extra.name not in HOOK_ONLY:
            shutil.copytree(extra, dest / extra.name)
    for md_file in docs.rglob("*.md"):
        src_uri = md_file.relative_to(docs).as_posix()
        filled, problems = core_site.fill_blocks(md_file.read_text(encoding="utf-8"), book, src_uri, src_uri)
        if problems:
            raise RuntimeError(f"{src_uri}: {problems}")
        md_file.write_text(filled, encoding="utf-8")
    generated = hook_generated(hook_project)
    for src_uri, content in generated:
        _write(docs / src_uri, content)
    dirs = sorted({uri.split("/", 1)[0] for uri, _ in generated if uri.endswith(".md") and "/" in uri})
    site_url = book.site.url if hasattr(book, "site") else "https://example.org/"
    config = (hook_project / "mkdocs.yml").read_text(encoding="utf-8")
    (dest / "mkdocs.yml").write_text(plain_config(config, site_url, dirs), encoding="utf-8")
    return dest
