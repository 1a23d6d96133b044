"""Lighthouse's mobile audit (issue 11) of a built site: accessibility and performance of the home
page, the browse page, one case and 数说, with the metrics behind the performance score.

    python bench/lighthouse.py site                  # the site `mkdocs build` wrote
    python bench/lighthouse.py site --runs 1         # one run a page instead of the median of 3

Lighthouse 12 is pinned in bench/lighthouse/package.json, a package of its own so that `make test`
and CI never install it; `make lighthouse` (or `make bench`) installs it with `npm ci`.

The site is served by Python's http.server on 127.0.0.1, without compression (GitHub Pages
compresses): Lighthouse's simulated 4G network then moves more bytes than a reader's phone
would, so LCP here is somewhat pessimistic. The performance score is also noisy on a loaded
machine (its simulated 4× CPU slowdown multiplies the tasks as they ran here), so each page is
run several times and the run with the median performance score is kept, as Lighthouse's own
guidance advises.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/lighthouse.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search_probe import CHROMIUM, serve

PACKAGE = Path(__file__).resolve().parent / "lighthouse"
CLI = PACKAGE / "node_modules" / "lighthouse" / "cli" / "index.js"
REQUIRE_ENV = "CASEBOOK_REQUIRE_LIGHTHOUSE"
# Headless as Chromium's new headless mode (the same renderer as a windowed browser); no sandbox,
# as the benchmark runs as root in a container.
CHROME_FLAGS = "--headless=new --no-sandbox"
CATEGORIES = ("accessibility", "performance")
RUNS = 3
RUN_TIMEOUT_S = 240
TARGET_ACCESSIBILITY = 98

# The pages the issue names, by their place in mkdocs.yml's nav: 首页 index.md, 案例库 (the browse
# page, every case with its filters) cases/index.md, 数说 figures/index.md; the case is chosen by
# `case_path`.
HOME, BROWSE, CASE, FIGURES = "home", "browse", "case", "数说"
FIXED_PATHS = {HOME: "", BROWSE: "cases/", FIGURES: "figures/"}
PAGES = (HOME, BROWSE, CASE, FIGURES)
# Lighthouse's metric audits behind the performance score that the issue speaks of.
LCP, CLS, TBT = "largest-contentful-paint", "cumulative-layout-shift", "total-blocking-time"
TEXT_COMPRESSION = "uses-text-compression"


class LighthouseError(RuntimeError):
    """Lighthouse could not audit a page; the message says why in one line."""


@dataclass(frozen=True)
class FailedAudit:
    id: str
    title: str
    elements: tuple[str, ...]  # CSS selectors of the failing elements (the first few)
    count: int  # every failing element


@dataclass(frozen=True)
class PageScore:
    page: str  # one of PAGES
    path: str  # the URL path below the site's root
    accessibility: int | None = None  # 0–100
    performance: int | None = None  # 0–100; None when Lighthouse could not score it
    lcp_ms: float | None = None
    cls: float | None = None
    tbt_ms: float | None = None
    # What Lighthouse estimates compression would take off LCP: the server here sends none.
    compression_lcp_ms: float | None = None
    runs: int = 0  # runs that returned a report
    performance_runs: tuple[int, ...] = ()  # every run's score, to show the spread
    failed_audits: tuple[FailedAudit, ...] = ()
    error: str = ""  # why there is no score


@dataclass(frozen=True)
class SiteScores:
    label: str  # how the results name the site: "real", "1,000"
    pages: tuple[PageScore, ...] = ()
    skipped: str = ""  # why Lighthouse was not run (not installed, --no-lighthouse)
    error: str = ""  # why it could not audit the site (the build failed, a page is missing)


# -- can it run --------------------------------------------------------------------------------
def missing() -> str:
    """Why Lighthouse cannot run here, or "" when it can."""
    if not CLI.is_file():
        return f"{CLI.relative_to(PACKAGE.parent.parent)} is missing (make lighthouse installs it)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (Debian package 'chromium')"
    if shutil.which("node") is None:
        return "node is not on PATH"
    return ""


def required() -> bool:
    return bool(os.environ.get(REQUIRE_ENV))


# -- which pages -------------------------------------------------------------------------------
def case_path(site_dir: Path, ids: Iterable[str] | None = None) -> str:
    """The case page to audit: of `ids` (default: every case page), the one with the most HTML,
    the case with the most to go wrong. Passing the real records' ids measures the same case
    in a site that also holds generated ones."""
    wanted = set(ids) if ids is not None else None
    pages = [
        p
        for p in (site_dir / "cases").glob("*/index.html")
        if (wanted is None or p.parent.name in wanted) and b"http-equiv" not in p.read_bytes()[:2048].lower()
    ]
    if not pages:
        raise LighthouseError(f"no case page under {site_dir / 'cases'}")
    heaviest = max(pages, key=lambda p: (p.stat().st_size, p.parent.name))
    return f"cases/{heaviest.parent.name}/"


def page_paths(site_dir: Path, case_ids: Iterable[str] | None = None) -> dict[str, str]:
    if not (site_dir / "index.html").is_file():
        raise LighthouseError(f"{site_dir} has no index.html: is it a built site (mkdocs build)?")
    paths = {**FIXED_PATHS, CASE: case_path(site_dir, case_ids)}
    for page, path in paths.items():
        if not (site_dir / path / "index.html").is_file():
            raise LighthouseError(f"the {page} page {path or '/'} is not in {site_dir}: is it a built site?")
    return {page: paths[page] for page in PAGES}


# -- one run -----------------------------------------------------------------------------------
def run_once(url: str, out: Path, timeout_s: float = RUN_TIMEOUT_S) -> dict[str, Any]:
    """One Lighthouse run on `url` (mobile, Lighthouse's default): its report as parsed JSON."""
    cmd = [
        "node",
        str(CLI),
        url,
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--quiet",
    ]
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, env=env)
    except subprocess.TimeoutExpired as exc:
        raise LighthouseError(f"no report after {timeout_s:.0f} s") from exc
    if proc.returncode or not out.is_file():
        lines = [line.strip() for line in (proc.stderr + proc.stdout).splitlines() if line.strip()]
        raise LighthouseError(f"exit {proc.returncode}: {(lines or ['no output'])[-1][:200]}")
    report = json.loads(out.read_text(encoding="utf-8"))
    error = report.get("runtimeError")
    if error:
        raise LighthouseError(f"{error.get('code')}: {str(error.get('message', ''))[:200]}")
    return report


def _score(report: Mapping[str, Any], category: str) -> int | None:
    score = report["categories"][category]["score"]
    return None if score is None else round(score * 100)


def _metric(report: Mapping[str, Any], audit: str) -> float | None:
    value = report["audits"].get(audit, {}).get("numericValue")
    return None if value is None else float(value)


def _lcp_savings(report: Mapping[str, Any], audit: str) -> float | None:
    savings = (report["audits"].get(audit) or {}).get("metricSavings") or {}
    return None if savings.get("LCP") is None else float(savings["LCP"])


def failed_audits(report: Mapping[str, Any], shown: int = 4) -> tuple[FailedAudit, ...]:
    """The accessibility audits that count towards the score and failed, with their elements."""
    found = []
    for ref in report["categories"]["accessibility"]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref.get("weight", 0) <= 0 or audit.get("score") is None or audit["score"] >= 1:
            continue
        items = (audit.get("details") or {}).get("items", [])
        selectors = [str(item.get("node", {}).get("selector", "")) for item in items]
        shown_selectors = tuple(s for s in selectors[:shown] if s)
        found.append(FailedAudit(ref["id"], audit.get("title", ""), shown_selectors, len(items)))
    return tuple(found)


# -- a page, a site ----------------------------------------------------------------------------
def score_page(base_url: str, page: str, path: str, runs: int, work: Path) -> PageScore:
    """`runs` runs of one page; the run with the median performance score (the lower middle for
    an even count) gives every number, so that they come from one and the same load."""
    reports: list[dict[str, Any]] = []
    errors: list[str] = []
    for i in range(runs):
        try:
            reports.append(run_once(base_url + path, work / f"{page}-{i}.json"))
        except (LighthouseError, json.JSONDecodeError, KeyError) as exc:
            errors.append(str(exc))
    if not reports:
        return PageScore(page, path, error=f"Lighthouse failed: {errors[-1]}")
    scores = [_score(r, "performance") for r in reports]
    ranked = sorted(range(len(reports)), key=lambda i: -1 if scores[i] is None else scores[i])
    chosen = reports[ranked[(len(ranked) - 1) // 2]]
    return PageScore(
        page,
        path,
        accessibility=_score(chosen, "accessibility"),
        performance=_score(chosen, "performance"),
        lcp_ms=_metric(chosen, LCP),
        cls=_metric(chosen, CLS),
        tbt_ms=_metric(chosen, TBT),
        compression_lcp_ms=_lcp_savings(chosen, TEXT_COMPRESSION),
        runs=len(reports),
        performance_runs=tuple(s for s in scores if s is not None),
        failed_audits=failed_audits(chosen),
        error=f"{len(errors)} of {runs} runs failed: {errors[-1]}" if errors else "",
    )


def measure_site(
    site_dir: Path,
    label: str,
    runs: int = RUNS,
    case_ids: Iterable[str] | None = None,
    progress: Any = None,
) -> SiteScores:
    """Every page of PAGES, served from `site_dir`. Raises LighthouseError only when the site
    lacks a page; a page Lighthouse fails on is kept with its error."""
    paths = page_paths(site_dir, case_ids)
    scores = []
    with serve(site_dir) as base_url, tempfile.TemporaryDirectory(prefix="casebook-lighthouse-") as tmp:
        for page, path in paths.items():
            score = score_page(base_url, page, path, runs, Path(tmp))
            if progress:
                progress(f"  lighthouse {label} {page}: {describe(score)}")
            scores.append(score)
    return SiteScores(label, tuple(scores))


def describe(s: PageScore) -> str:
    if s.accessibility is None:
        return s.error
    perf = "—" if s.performance is None else str(s.performance)
    lcp = "—" if s.lcp_ms is None else f"{s.lcp_ms / 1000:.1f} s"
    cls = "—" if s.cls is None else f"{s.cls:.3f}"
    tbt = "—" if s.tbt_ms is None else f"{s.tbt_ms:,.0f} ms"
    spread = "/".join(map(str, s.performance_runs))
    text = f"accessibility {s.accessibility}, performance {perf} (runs {spread}), LCP {lcp}, CLS {cls}, TBT {tbt}"
    if s.compression_lcp_ms:
        text += f"; compression would take about {s.compression_lcp_ms / 1000:.1f} s off LCP"
    for audit in s.failed_audits:
        text += f"\n    failing: {audit.id} ({audit.count} elements) {', '.join(audit.elements)}"
    return text + (f"\n    {s.error}" if s.error else "")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("site", type=Path, nargs="?", default=Path("site"), help="a built site (default site/)")
    p.add_argument("--runs", type=int, default=RUNS, help=f"runs a page; the median is kept (default {RUNS})")
    p.add_argument("--case", action="append", help="a case id to choose from (default every case; repeatable)")
    p.add_argument("--json", type=Path, help="also write the scores to this file")
    args = p.parse_args(argv)
    reason = missing()
    if reason:
        print(f"Lighthouse cannot run: {reason}", file=sys.stderr)
        return 2
    try:
        result = measure_site(args.site, str(args.site), args.runs, args.case, progress=print)
    except LighthouseError as exc:
        print(f"Lighthouse cannot run: {exc}", file=sys.stderr)
        return 2
    if args.json:
        from dataclasses import asdict

        args.json.write_text(json.dumps(asdict(result), ensure_ascii=False, indent=2), encoding="utf-8")
    low = [s.page for s in result.pages if s.accessibility is None or s.accessibility < TARGET_ACCESSIBILITY]
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
