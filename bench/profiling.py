"""cProfile around one in-process build, as `mkdocs build` runs it, written to bench/profile.txt.

(Not named profile.py: running bench/run.py puts bench/ first on sys.path, and cProfile imports
the standard library's `profile`.)
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.measure import BUILD_ENV

ROOT = Path(__file__).resolve().parent.parent
TOP = 15
# Where the time of a hook build goes: (label, end of the file name, function name).
HOTSPOTS: tuple[tuple[str, str, str], ...] = (
    ("whole build (mkdocs.commands.build.build)", "mkdocs/commands/build.py", "build"),
    ("adapter on_config: load + validate records", "casebook_mkdocs/build.py", "__init__"),
    ("adapter on_files: list pages, make files, start QR codes", "casebook_mkdocs/build.py", "files"),
    ("core: render generated pages (casebook.site.pages.SitePages.render)", "casebook/site/pages.py", "render"),
    (
        "  of which editors' Markdown (casebook.site.markdown_fields.MarkdownFields.html)",
        "site/markdown_fields.py",
        "html",
    ),
    ("adapter on_env: search documents, start Pagefind, wait for QR codes", "casebook_mkdocs/build.py", "env"),
    ("adapter on_post_page: Traditional copy", "casebook_mkdocs/build.py", "post_page"),
    ("adapter on_post_build: finish copy and index, check_site", "casebook_mkdocs/build.py", "post_build"),
    ("  of which waiting for Pagefind (casebook.site.search.IndexRun.finish)", "casebook/site/search.py", "finish"),
    ("  of which check_site (casebook.site.publish)", "casebook/site/publish.py", "check_site"),
    ("Markdown to HTML, hand-written pages (mkdocs Page.render)", "mkdocs/structure/pages.py", "render"),
    ("templates + page events (mkdocs _build_page)", "mkdocs/commands/build.py", "_build_page"),
)


@dataclass(frozen=True)
class Hotspot:
    label: str
    seconds: float
    share: float  # of the whole profiled build


@dataclass(frozen=True)
class ProfileResult:
    cases: int
    seconds: float
    hotspots: list[Hotspot]
    error: str = ""  # the build failed: the profile shows where the time went until then


def build_in_process(project: Path, site_dir: Path) -> None:
    """What `mkdocs build` does after parsing its arguments."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    os.environ.update(BUILD_ENV)
    config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site_dir))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()


def _cumulative(stats: pstats.Stats, file_end: str, function: str) -> float | None:
    """Cumulative seconds of a function (summed over same-named functions in that file); None
    when it never ran (the site does not use it)."""
    table = stats.stats  # type: ignore[attr-defined]
    times = [ct for (file, _, func), (*_, ct, _) in table.items() if func == function and file.endswith(file_end)]
    return sum(times) if times else None


def hotspots(stats: pstats.Stats, total: float) -> list[Hotspot]:
    out = []
    for label, file_end, function in HOTSPOTS:
        seconds = _cumulative(stats, file_end, function)
        if seconds is not None:
            out.append(Hotspot(label, seconds, seconds / total if total else 0.0))
    return out


def _listing(stats: pstats.Stats, order: str) -> str:
    buffer = io.StringIO()
    stats.stream = buffer  # type: ignore[attr-defined]
    stats.sort_stats(order).print_stats(TOP)
    return buffer.getvalue().strip("\n")


def report(result: ProfileResult, stats: pstats.Stats) -> str:
    rows = "\n".join(f"  {h.seconds:8.2f} s  {h.share:6.1%}  {h.label}" for h in result.hotspots)
    failed = f"THE BUILD FAILED: {result.error}\n\n" if result.error else ""
    return (
        f"cProfile of one in-process `mkdocs build` of {result.cases} case records "
        f"({result.seconds:.1f} s under the profiler; times are inflated by it, shares are what matters).\n\n"
        f"{failed}"
        f"Where the time goes (cumulative, may overlap):\n{rows}\n\n"
        f"== Top {TOP} by cumulative time ==\n{_listing(stats, 'cumulative')}\n\n"
        f"== Top {TOP} by own time (tottime) ==\n{_listing(stats, 'tottime')}\n"
    )


def profile_build(project: Path, site_dir: Path, out: Path, cases: int) -> ProfileResult:
    profiler = cProfile.Profile()
    error = ""
    start = time.perf_counter()
    try:
        profiler.runcall(build_in_process, project, site_dir)
    except Exception as exc:  # a failing build is still worth its profile
        error = f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:300]
    seconds = time.perf_counter() - start
    stats = pstats.Stats(profiler)
    result = ProfileResult(cases, seconds, hotspots(stats, seconds), error)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(shorten(report(result, stats), project), encoding="utf-8")
    return result


def shorten(text: str, project: Path) -> str:
    """File names relative to the import path (site-packages, the standard library, the core),
    the temporary project and the repository."""
    bench = str(ROOT / "bench")
    prefixes = [p for p in sys.path if len(p) > 1 and p != bench] + [str(project), str(ROOT)]
    for prefix in sorted(set(prefixes), key=len, reverse=True):
        text = text.replace(prefix.rstrip("/") + "/", "")
    return text
