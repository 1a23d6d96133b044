"""The measurements themselves: validation, a full `mkdocs build` as a subprocess (time and peak
memory), what the build wrote, and the plain-MkDocs project to compare the hook against."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from casebook.model import Casebook
from casebook.records.loader import LoadResult, Project, load
from casebook.site import pages as core_site
from casebook.site.qr import qr_png
from casebook_mkdocs.variants import to_traditional

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
    """`casebook.records.loader.load` on the whole project, as `casebook validate` and the hook run it."""
    start = time.perf_counter()
    result = load(Project(project))
    return Validation(time.perf_counter() - start, result)


# -- a build in a child process ------------------------------------------------------------
@dataclass(frozen=True)
class BuildRun:
    seconds: float
    peak_rss: int  # bytes, of the build and the processes it started, together: resident sets summed
    returncode: int
    log: str
    peak_pss: int = 0  # the same, each page shared between them counted once (see tree_memory)

    def check(self, what: str) -> None:
        if self.returncode != 0:
            raise RuntimeError(f"{what} failed (exit {self.returncode}):\n{self.log[-4000:]}")


def run_build(project: Path, log_file: Path, home: Path | None = None) -> BuildRun:
    """`mkdocs build` (the project's own settings, strict included) timed from outside.

    The build runs helpers beside itself (Pagefind, the QR-code drawer), so its memory is the
    resident set of the whole process tree, summed and sampled every SAMPLE_S seconds.

    The build's caches live in the user's cache folder: `home` stands in for the user's home, so
    that the benchmark says whether a build was cold (a new home) or warm (one that built before).
    """
    with log_file.open("wb") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "build"],
            cwd=project,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **BUILD_ENV, **({"HOME": str(home)} if home else {})},
        )
        peak = peak_pss = 0
        while proc.poll() is None:
            rss, pss = tree_memory(proc.pid)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            time.sleep(SAMPLE_S)
        seconds = time.perf_counter() - start
    return BuildRun(seconds, peak, proc.returncode, log_file.read_text(errors="replace"), peak_pss)


SAMPLE_S = 0.05
_PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_memory(pid: int) -> tuple[int, int]:
    """Memory of a process and all its descendants, from /proc: their resident sets summed, and
    their proportional sets (Pss, /proc/PID/smaps_rollup) summed.

    The two differ by what the processes share. The build forks helpers (the record checkers,
    the second Word and slide writer) that share the parent's pages until either writes them:
    summed resident sets count each such page once per process, a fork of a 1.2 GB build as
    2.4 GB that the machine never held. Pss divides each page between the processes that map
    it, so the sum is what the tree holds. Where smaps_rollup cannot be read (a kernel before
    4.14), the resident set stands in for it."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    parent = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue  # gone since the listing
            children.setdefault(parent, []).append(int(entry.name))
    rss_total = pss_total = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm", "rb") as f:
                rss = int(f.read().split()[1]) * _PAGE
        except (OSError, ValueError, IndexError):
            continue
        rss_total += rss
        pss_total += _pss(current, rss)
        todo += children.get(current, [])
    return rss_total, pss_total


def _pss(pid: int, fallback: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024  # kB
    except (OSError, ValueError, IndexError):
        pass
    return fallback


# -- the preview server -----------------------------------------------------------------------
# `make serve`, as the Makefile runs it (tests/test_bench.py holds the two together).
PREVIEW_ARGS = ("serve", "--dirty", "--no-strict")
PREVIEW_ENV = {"CASEBOOK_PREVIEW": "1"}
PREVIEW_EDITS = 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8", errors="replace")
    except (OSError, ValueError):
        return ""


def _wait_for(url: str, text: str, proc: subprocess.Popen[bytes], timeout: float) -> float:
    start = time.perf_counter()
    while text not in _fetch(url):
        if proc.poll() is not None:
            raise RuntimeError(f"the preview server stopped (exit {proc.returncode})")
        if time.perf_counter() - start > timeout:
            raise TimeoutError(f"{url} did not show {text!r} within {timeout:.0f} s")
        time.sleep(0.05)
    return time.perf_counter() - start


def _retitled(record: str, marker: str) -> str:
    def put(m: re.Match[str]) -> str:
        value = m.group(2)
        quote = value[0] if value[:1] in ("'", '"') else ""
        return f"{m.group(1)}{quote}{marker}{value[len(quote) :]}"

    out, n = re.subn(r"(?m)^(title:[ \t]+)(\S.*)$", put, record, count=1)
    if n != 1:
        raise RuntimeError("the record has no one-line title to edit")
    return out


def preview_reload(project: Path, log_file: Path, timeout: float = 900, home: Path | None = None) -> float:
    """Seconds from saving one case (its title edited) to the preview serving the changed page;
    the slowest of PREVIEW_EDITS saves, after the first build."""
    record = sorted((project / "cases").glob("*.yml"))[len(list((project / "cases").glob("*.yml"))) // 2]
    original = record.read_text(encoding="utf-8")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/cases/{record.stem}/"
    with log_file.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", *PREVIEW_ARGS, "-a", f"127.0.0.1:{port}"],
            cwd=project,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **BUILD_ENV, **PREVIEW_ENV, **({"HOME": str(home)} if home else {})},
        )
        try:
            _wait_for(url, "<h1", proc, timeout)
            times = []
            for n in range(1, PREVIEW_EDITS + 1):
                time.sleep(1.0)  # let the server settle, as an editor pauses between saves
                marker = f"修订{n}版"
                record.write_text(_retitled(original, marker), encoding="utf-8")
                times.append(_wait_for(url, marker, proc, timeout))
            return max(times)
        finally:
            record.write_text(original, encoding="utf-8")
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


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


def _write(path: Path, content: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)


def make_plain_project(hook_project: Path, book: Casebook, dest: Path) -> Path:
    """Another project with the same theme and settings whose docs/ holds the pages of the hook's
    site as Markdown files: the hand-written pages (their <!-- casebook:NAME --> blocks filled by
    casebook.site.pages.SitePages.fill_blocks), every generated page as Markdown (its HTML article
    under front matter), each of those once more in Traditional script under zh-Hant/, as the hook's site has them,
    and the files the hook adds (data, feed, schemas, QR codes, photos)."""
    docs = dest / "docs"
    shutil.copytree(hook_project / "docs", docs)
    for extra in hook_project.iterdir():  # theme overrides and whatever else the config points at
        if extra.is_dir() and extra.name not in HOOK_ONLY:
            shutil.copytree(extra, dest / extra.name)
    cache = hook_project / ".cache"
    site = core_site.SitePages(book, photo_sizes=core_site.photos(book, hook_project / "cases"))
    pages: dict[str, str] = {}
    for md_file in docs.rglob("*.md"):
        src_uri = md_file.relative_to(docs).as_posix()
        here = "" if src_uri == "index.md" else src_uri.removesuffix("index.md").removesuffix(".md").rstrip("/") + "/"
        filled, problems = site.fill_blocks(md_file.read_text(encoding="utf-8"), here, src_uri)
        if problems:
            raise RuntimeError(f"{src_uri}: {problems}")
        pages[src_uri] = filled
    for page in site.all():
        rendered = page.render()
        # The article as a Markdown file: front matter, then the HTML, which Markdown passes through.
        front = f"---\ntitle: {json.dumps(rendered.title, ensure_ascii=False)}\n---\n\n"
        pages[f"{page.path}index.md"] = front + rendered.html + "\n"
    for src_uri, markdown in pages.items():
        _write(docs / src_uri, markdown)
        _write(docs / TRADITIONAL_ROOT / src_uri, to_traditional(markdown))
    schema_dir = hook_project / "data" / "schema"
    files: list[tuple[str, bytes | str]] = [(f.path, f.content) for f in core_site.files(site, schema_dir)]
    files += [(src_uri, qr_png(url, cache / "qr")) for src_uri, url in core_site.qr_codes(book)]
    for src_uri, content in files:
        # Twice: the hand-written pages link the open data relative to themselves (the hook's
        # Traditional copy rewrites those links to the one copy at the root instead).
        _write(docs / src_uri, content)
        _write(docs / TRADITIONAL_ROOT / src_uri, content)
    dirs = sorted({uri.split("/", 1)[0] for uri in pages if "/" in uri} | {TRADITIONAL_ROOT})
    config = (hook_project / "mkdocs.yml").read_text(encoding="utf-8")
    (dest / "mkdocs.yml").write_text(plain_config(config, book.site.url, dirs), encoding="utf-8")
    return dest
