"""The benchmark's tables: one row per size, one row per target and size with PASS or FAIL."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.lighthouse import PAGES as LIGHTHOUSE_PAGES
from bench.lighthouse import TARGET_ACCESSIBILITY, PageScore, SiteScores
from bench.measure import PageSizes
from bench.profiling import ProfileResult
from bench.search_probe import Quality, SearchProbe

KB, MB = 1_000, 1_000_000  # decimal units, as the targets are written
SEARCH_FAILED = "no result"  # how a search measurement that timed out is noted

COLUMNS = (
    "N",
    "records",
    "validate (records/s)",
    "build (s)",
    "warm build (s)",
    "cold/warm",
    "case pages",
    "build (case pages/s)",
    "plain MkDocs (s)",
    "hook overhead",
    "peak memory (MB)",
    "resident sets summed (MB)",
    "preview reload (s)",
    "case page mean (KB)",
    "case page max (KB)",
    "site (MB)",
    "before 1st search result (KB)",
    "search MRR 简 / 繁 (queries)",
)
TARGET_COLUMNS = ("target", "limit", "N", "measured", "result")


@dataclass(frozen=True)
class SizeResult:
    generated: int  # synthetic records
    records: int  # all records validated and built: the synthetic ones and the real ones
    validate_rate: float
    build_seconds: float
    case_pages: int
    plain_seconds: float | None  # None: not measured (--builds-only)
    peak_rss: int  # resident sets of the build's processes, summed (shared pages counted in each)
    html: PageSizes
    site_bytes: int
    search: SearchProbe | None
    search_note: str = ""  # why there is no search measurement
    load_average: float = 0.0  # of the machine (1 minute) when this size started: timings are only as good as it
    home_bytes: int = 0  # site/index.html, the page a search starts from
    largest: tuple[tuple[str, int], ...] = ()  # the heaviest HTML pages
    build_error: str = ""  # why the build with the hook failed; its time is then the time to failure
    preview_seconds: float | None = None  # `make serve`: a saved case to its page served anew
    preview_note: str = ""  # why there is no preview measurement
    warm_seconds: float | None = None  # the same build again, its caches filled by the first
    warm_peak_rss: int = 0
    quality: tuple[Quality, Quality] | None = None  # the query set in each script
    quality_note: str = ""  # why there is no quality measurement
    peak_pss: int = 0  # what the build's processes held together (measure.tree_memory)

    @property
    def peak_memory(self) -> int:
        return self.peak_pss or self.peak_rss

    @property
    def warm_speedup(self) -> float | None:
        return None if self.warm_seconds is None or self.build_error else self.build_seconds / self.warm_seconds

    @property
    def pages_per_second(self) -> float | None:
        return None if self.build_error else self.case_pages / self.build_seconds

    @property
    def overhead(self) -> float | None:
        if self.build_error or not self.plain_seconds:
            return None
        return self.build_seconds / self.plain_seconds - 1

    @property
    def search_failed(self) -> bool:
        """The browser ran but no result appeared (as opposed to a skipped measurement)."""
        return self.search is None and self.search_note.startswith(SEARCH_FAILED)


def _or_dash(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def row(r: SizeResult) -> list[str]:
    return [
        f"{r.generated:,}",
        f"{r.records:,}",
        f"{r.validate_rate:,.0f}",
        f"FAILED after {r.build_seconds:,.0f}" if r.build_error else f"{r.build_seconds:,.1f}",
        _or_dash(r.warm_seconds, ",.1f"),
        _or_dash(r.warm_speedup, ".1f"),
        f"{r.case_pages:,}",
        _or_dash(r.pages_per_second, ",.1f"),
        _or_dash(r.plain_seconds, ",.1f"),
        _or_dash(r.overhead, "+.1%"),
        f"{r.peak_memory / MB:,.0f}",
        f"{r.peak_rss / MB:,.0f}",
        _or_dash(r.preview_seconds, ",.1f") if r.preview_seconds is not None or not r.preview_note else r.preview_note,
        f"{r.html.mean / KB:,.1f}",
        f"{r.html.largest / KB:,.1f}",
        f"{r.site_bytes / MB:,.1f}",
        f"{r.search.bytes / KB:,.0f}" if r.search else f"{'FAILED' if r.search_failed else 'skipped'}: {r.search_note}",
        quality_cell(r),
    ]


def quality_cell(r: SizeResult) -> str:
    if r.quality is None:
        return r.quality_note or "skipped"
    hans, hant = r.quality
    return f"{hans.mrr:.3f} / {hant.mrr:.3f} ({len(hans.ranked)})"


# -- targets -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    name: str
    limit: str
    at: tuple[int, ...]  # sizes it is judged at; () for every size
    value: Callable[[SizeResult], float | None]
    passes: Callable[[float], bool]
    shown: Callable[[float], str]


TARGETS = (
    Target(
        "validation",
        "≥ 3,000 records/s",
        (1000, 5000),
        lambda r: r.validate_rate,
        lambda v: v >= 3000,
        "{:,.0f}".format,
    ),
    Target(
        "full build",
        "≥ 100 case pages/s",
        (1000, 5000),
        lambda r: r.pages_per_second,
        lambda v: v >= 100,
        "{:,.1f}".format,
    ),
    Target("hook overhead", "≤ 15 %", (), lambda r: r.overhead, lambda v: v <= 0.15, "{:+.1%}".format),
    Target(
        "case page HTML (max)",
        "≤ 60 KB",
        (),
        lambda r: r.html.largest,
        lambda v: v <= 60 * KB,
        lambda v: f"{v / KB:,.1f} KB",
    ),
    Target(
        "peak memory of the build",
        "≤ 1.5 GB",
        (5000,),
        lambda r: r.peak_memory,
        lambda v: v <= 1.5 * 1000 * MB,
        lambda v: f"{v / MB:,.0f} MB",
    ),
    Target(
        "make serve: reload after a save",
        "≤ 3 s",
        (1000,),
        lambda r: r.preview_seconds,
        lambda v: v <= 3,
        lambda v: f"{v:,.1f} s",
    ),
    Target(
        "make serve: reload after a save",
        "≤ 2 s",
        (5000,),
        lambda r: r.preview_seconds,
        lambda v: v <= 2,
        lambda v: f"{v:,.1f} s",
    ),
    Target(
        "warm build vs cold",
        "≥ 3× faster",
        (5000,),
        lambda r: r.warm_speedup,
        lambda v: v >= 3,
        lambda v: f"{v:,.1f}×",
    ),
    Target(
        "peak memory of the build",
        "≤ 2 GB",
        (20000,),
        lambda r: r.peak_memory,
        lambda v: v <= 2 * 1000 * MB,
        lambda v: f"{v / MB:,.0f} MB",
    ),
    # Not one of the limits: our own, on what a phone downloads from a server that
    # compresses (GitHub Pages does), Material's own CSS and JavaScript (264 KB raw) included.
    Target(
        "bytes before 1st search result",
        "≤ 400 KB gzip",
        (1000,),
        lambda r: r.search.gzip_bytes if r.search else None,
        lambda v: v <= 400 * KB,
        lambda v: f"{v / KB:,.0f} KB",
    ),
)


def judged(target: Target, results: Sequence[SizeResult]) -> list[tuple[SizeResult, str]]:
    """The results a target is judged on, each with how its size is labelled."""
    chosen = [r for r in results if not target.at or r.generated in target.at]
    if chosen:
        return [(r, f"{r.generated:,}") for r in chosen]
    stand_in = max(results, key=lambda r: r.generated)
    wanted = " and ".join(f"{n:,}" for n in target.at)
    return [(stand_in, f"{stand_in.generated:,} (not measured at {wanted})")]


def lighthouse_target_rows(sites: Sequence[SiteScores]) -> list[list[str]]:
    """Issue 11's target, one row per page of every site audited; a skipped audit keeps its rows."""
    rows = []
    limit = f"≥ {TARGET_ACCESSIBILITY}"
    for site in sites:
        scores = {s.page: s for s in site.pages}
        for page in LIGHTHOUSE_PAGES:
            name = f"Lighthouse accessibility: {page}"
            score = scores.get(page)
            if score is None:
                failed = site.error or not site.skipped  # a page missing from an audited site failed too
                why = site.error or site.skipped or "not audited"
                rows.append([name, limit, site.label, why, "FAIL" if failed else "SKIPPED"])
            elif score.accessibility is None:
                rows.append([name, limit, site.label, score.error, "FAIL"])
            else:
                verdict = "PASS" if score.accessibility >= TARGET_ACCESSIBILITY else "FAIL"
                rows.append([name, limit, site.label, str(score.accessibility), verdict])
    return rows


def target_rows(results: Sequence[SizeResult]) -> list[list[str]]:
    rows = []
    for target in TARGETS:
        for r, size in judged(target, results):
            value = target.value(r)
            if value is None:
                # Left out by an option (--builds-only, --no-browser): skipped; anything else failed.
                failed = r.build_error or r.search_failed or (r.preview_note and not r.preview_note.startswith("--"))
                why = "build failed" if r.build_error else r.search_note or r.preview_note or "—"
                rows.append([target.name, target.limit, size, why, "FAIL" if failed else "SKIPPED"])
            else:
                verdict = "PASS" if target.passes(value) else "FAIL"
                rows.append([target.name, target.limit, size, target.shown(value), verdict])
    return rows


# -- markdown ----------------------------------------------------------------------------------
def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines)


def hotspot_table(profile: ProfileResult) -> str:
    rows = [[h.label.strip(), f"{h.seconds:,.2f}", f"{h.share:.0%}"] for h in profile.hotspots]
    return table(("part of the build", "seconds (profiled)", "share"), rows)


LIGHTHOUSE_COLUMNS = ("site", "page", "path", "accessibility", "performance (runs)", "LCP (s)", "CLS", "TBT (ms)")


def lighthouse_row(site: SiteScores, s: PageScore) -> list[str]:
    if s.accessibility is None:
        return [site.label, s.page, f"/{s.path}", f"FAILED: {s.error}", "—", "—", "—", "—"]
    runs = "/".join(map(str, s.performance_runs))
    return [
        site.label,
        s.page,
        f"/{s.path}",
        str(s.accessibility),
        f"{_or_dash(s.performance, 'd')} ({runs})",
        _or_dash(None if s.lcp_ms is None else s.lcp_ms / 1000, ",.1f"),
        _or_dash(s.cls, ".3f"),
        _or_dash(s.tbt_ms, ",.0f"),
    ]


def lighthouse_section(sites: Sequence[SiteScores]) -> list[str]:
    """The table, what failed in accessibility, and why a site was not audited."""
    rows = [lighthouse_row(site, s) for site in sites for s in site.pages]
    parts = [table(LIGHTHOUSE_COLUMNS, rows)] if rows else []
    failing = [
        f"- {site.label}, {s.page}: `{a.id}` ({a.count} element{'' if a.count == 1 else 's'}"
        f"{': ' if a.elements else ''}{', '.join(f'`{e}`' for e in a.elements)})"
        for site in sites
        for s in site.pages
        for a in s.failed_audits
    ]
    errors = [f"- {site.label}, {s.page}: {s.error}" for site in sites for s in site.pages if s.error]
    skipped = [f"- {site.label}: skipped ({site.skipped})" for site in sites if site.skipped]
    skipped += [f"- {site.label}: FAILED ({site.error})" for site in sites if site.error]
    savings = [s.compression_lcp_ms for site in sites for s in site.pages if s.compression_lcp_ms is not None]
    if savings:
        parts += [
            "",
            f"The local server sends no compression; Lighthouse estimates that compressed text, as GitHub Pages "
            f"sends it, would take {min(savings) / 1000:.1f}–{max(savings) / 1000:.1f} s off these LCPs.",
        ]
    if failing:
        parts += ["", "Accessibility audits that failed:", "", *failing]
    if errors:
        parts += ["", "Runs that failed:", "", *errors]
    if skipped:
        parts += ["", *skipped]
    return parts


LIGHTHOUSE_NOTES = """\
- *Lighthouse (mobile)*: Lighthouse 12 (`bench/lighthouse/`, pinned) with its default mobile
  settings (a Moto G Power's screen, simulated slow 4G and 4× CPU slowdown) in Debian's headless
  Chromium, categories accessibility and performance, the site served by Python's http.server on
  127.0.0.1 **without compression** (GitHub Pages compresses, so LCP is pessimistic here). *real*
  is a build of the repository's own records alone. Each page is run {runs} times; the run with
  the median performance score gives every number of its row, and all the runs' performance
  scores are in brackets: under load on a shared 2-core machine they vary by several points.
  *LCP* largest contentful paint, *CLS* cumulative layout shift, *TBT* total blocking time, as
  Lighthouse simulates them. The case is the real case with the most HTML in the real
  site, and the same case in the larger one.
"""

NOTES = """\
- N is the number of generated records; each project also holds the real records of `cases/`
  (reference data such as `data/collections/` names them), so *records* = N + those.
- *build* is a full default `mkdocs build` of a copy of the project, run as a subprocess and timed
  from outside (interpreter start and imports included): both scripts, the search index, every
  export, QR code and feed. *case pages* counts `site/cases/<id>/index.html` and
  `site/zh-Hant/cases/<id>/index.html`.
- *plain MkDocs* builds, with the same `mkdocs.yml` minus `hooks:`/`watch:`, another project whose
  `docs/` holds the same pages as Markdown files: the hand-written ones with their blocks filled,
  every generated page as a Markdown file holding its HTML article, each page once
  more in Traditional script under `zh-Hant/`, and the files the hook adds (data, feed, schemas,
  QR codes). It has no search index (MkDocs' own search is off in these settings), no
  post-build check and no records to validate. *hook overhead* = build / plain − 1.
- *peak memory* is the memory held by the build and every process it starts (Pagefind, the
  QR-code drawer, the forked record checkers and Word writer), sampled every 50 ms from /proc:
  the sum of their proportional set sizes (Pss), which counts a page that forked processes share
  once. *resident sets summed* adds up their resident sets instead, counting such a page in every
  process that maps it: a fork of the build doubles it without the machine holding more.
- *preview reload*: `make serve` (`CASEBOOK_PREVIEW=1 mkdocs serve --dirty --no-strict`) on the
  same project; after its first build, a case's title is edited and saved three times, and each
  time the seconds until the server returns the changed page are taken; the slowest is shown.
- *before 1st search result*: response bodies from loading the home page in headless Chromium to
  the first result of a query typed into the header search box (local http.server, no compression).
- *search MRR*: mean reciprocal rank of a query set built from the project's records (each case's
  keywords, figure labels and the longest phrase of each quote, and the hand-written queries of
  `bench/search_probe.py`), at most 120 queries drawn at random, each typed into the search page
  of each script: 1 / the rank of the first case whose own text holds the query (0 beyond the
  first 20 of each group). 1.000 means every query put a case that answers it first.
- KB and MB are 1,000 and 1,000,000 bytes. Timings come from one run on a shared 2-core machine;
  other jobs running at the same time make them noisier than the sizes, which are exact.
"""


def weights(results: Sequence[SizeResult]) -> str:
    """Page weights the targets do not cover, and the search download compressed."""
    lines = []
    for r in results:
        heavy = ", ".join(f"`{path}` {size / KB:,.0f} KB" for path, size in r.largest)
        gz = f"; before 1st search result gzip-compressed {r.search.gzip_bytes / KB:,.0f} KB" if r.search else ""
        lines.append(f"- N = {r.generated:,}: home page {r.home_bytes / KB:,.0f} KB; heaviest pages {heavy}{gz}.")
    return "\n".join(lines)


def markdown(
    results: Sequence[SizeResult],
    profile: ProfileResult | None,
    context: Sequence[str],
    query: str,
    lighthouse: Sequence[SiteScores] = (),
    lighthouse_runs: int = 1,
) -> str:
    parts = ["# Benchmark results", "", *context, "", "## Measurements", "", table(COLUMNS, [row(r) for r in results])]
    if lighthouse:
        parts += ["", "## Lighthouse (mobile)", "", *lighthouse_section(lighthouse)]
    targets = target_rows(results) + lighthouse_target_rows(lighthouse)
    parts += ["", "## Targets", "", table(TARGET_COLUMNS, targets), ""]
    load = ", ".join(f"{r.load_average:.1f} (N = {r.generated:,})" for r in results)
    engines = "、".join(sorted({r.search.engine for r in results if r.search})) or "none measured"
    notes = NOTES.replace("a query typed", f"the query “{query}” typed")
    notes += "".join(
        f"- The build with the hook failed at N = {r.generated:,}: {r.build_error}\n" for r in results if r.build_error
    )
    notes += f"- Search engine of the built site: {engines}.\n"
    if any(site.pages for site in lighthouse):
        notes += LIGHTHOUSE_NOTES.format(runs=lighthouse_runs)
    parts += ["## Notes", "", notes + f"- 1-minute load average when each size started: {load}.", ""]
    parts += ["## Other page weights", "", weights(results), ""]
    if profile is not None:
        parts += [
            f"## Where the time goes (cProfile, one build of {profile.cases:,} records; details in profile.txt)",
            "",
            *([f"The profiled build failed: {profile.error}", ""] if profile.error else []),
            hotspot_table(profile),
            "",
        ]
    return "\n".join(parts)
