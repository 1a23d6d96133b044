"""`make bench`: generate N synthetic records, validate them, build the site with the hook and
the same pages with plain MkDocs, weigh the pages and the search, profile one build, and print
the table (also written to bench/results.md).

    python bench/run.py                      # N = 100, 1,000 and 5,000 (several minutes)
    python bench/run.py --sizes 100,1000
    python bench/run.py --quick              # N = 20, results in bench/work/quick/
    python bench/run.py --no-lighthouse      # without the Lighthouse audit (bench/lighthouse.py)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import lighthouse, measure, report, search_probe
from bench.generate import ROOT, Record, generate, make_project, read_reference
from bench.profiling import ProfileResult, profile_build
from casebook.records.diagnostics import format_text

BENCH = Path(__file__).resolve().parent
QUICK_SIZE = 20
SEARCH_TIMEOUT_S = 300
# The generated sizes Lighthouse audits besides the real site: the browse page at 1,000 cases
# (about 5 minutes of audits; at 5,000 it would tell little more).
LIGHTHOUSE_SIZES = (1000,)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="100,1000,5000", help="numbers of generated records, comma-separated")
    p.add_argument("--quick", action="store_true", help=f"N = {QUICK_SIZE} only (the test suite's run)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, help="results file (default bench/results.md)")
    p.add_argument("--profile-out", type=Path, help="profile file (default bench/profile.txt)")
    p.add_argument("--profile-size", type=int, help="N of the profiled build (default 1,000 if measured)")
    p.add_argument("--no-browser", action="store_true", help="skip the search measurement")
    p.add_argument(
        "--builds-only",
        action="store_true",
        help="only validation and the cold and warm builds: no plain MkDocs build, preview, search or Lighthouse "
        "(for N = 20,000)",
    )
    p.add_argument("--no-lighthouse", action="store_true", help="skip the Lighthouse audit")
    p.add_argument(
        "--lighthouse-runs",
        type=int,
        default=lighthouse.RUNS,
        help=f"Lighthouse runs a page, the median kept (default {lighthouse.RUNS})",
    )
    p.add_argument("--keep", type=Path, help="keep the generated projects and sites in this folder")
    p.add_argument(
        "--source",
        type=Path,
        default=ROOT,
        help="project to copy (config, docs, data, hook, records); default this repository. To measure a "
        "commit: git archive COMMIT | tar -x -C DIR, then PYTHONPATH=DIR/hooks python bench/run.py --source DIR",
    )
    p.add_argument("--source-label", help="how to name --source in the results (e.g. the commit it was taken from)")
    args = p.parse_args(argv)
    args.sizes = [QUICK_SIZE] if args.quick else sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    out_dir = BENCH / "work" / "quick" if args.quick else BENCH
    args.out = args.out or out_dir / "results.md"
    args.profile_out = args.profile_out or out_dir / "profile.txt"
    if args.profile_size is None:
        args.profile_size = 1000 if 1000 in args.sizes else min(args.sizes)
    return args


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def browser_skip(no_browser: bool) -> str:
    """Why the search measurement is skipped ("" when it runs); a failure when it must run."""
    reason = "--no-browser" if no_browser else search_probe.browser_missing()
    if reason and search_probe.required():
        raise SystemExit(f"the search measurement must run ({search_probe.REQUIRE_ENV} is set) but {reason}")
    return reason


def lighthouse_skip(no_lighthouse: bool) -> str:
    """Why the Lighthouse audit is skipped ("" when it runs); a failure when it must run."""
    reason = "--no-lighthouse" if no_lighthouse else lighthouse.missing()
    if reason and lighthouse.required():
        raise SystemExit(f"the Lighthouse audit must run ({lighthouse.REQUIRE_ENV} is set) but {reason}")
    return reason


def real_case_ids(source: Path) -> list[str]:
    """The ids of the project's own records (a record's file is named by its id)."""
    return sorted(p.stem for p in (source / "cases").glob("*.yml"))


def audit(
    site_dir: Path, label: str, args: argparse.Namespace, case_ids: Sequence[str] | None = None
) -> lighthouse.SiteScores:
    """Lighthouse on a built site; a site it cannot audit is a finding, not a crash."""
    ids = case_ids or real_case_ids(args.source)
    try:
        return lighthouse.measure_site(site_dir, label, args.lighthouse_runs, ids, progress=progress)
    except (lighthouse.LighthouseError, OSError) as exc:
        progress(f"  lighthouse {label} FAILED: {exc}")
        return lighthouse.SiteScores(label, error=str(exc)[:200])


def audit_real_site(args: argparse.Namespace, skip: str) -> lighthouse.SiteScores:
    """Lighthouse on a build of the project's own records alone, the site readers see today."""
    label = "real"
    if skip:
        return lighthouse.SiteScores(label, skipped=skip)
    progress("real site (the project's own records)")
    with workspace(args.keep, 0) as tmp:
        project = make_project(tmp / "real", [], args.source)
        build = measure.run_build(project, tmp / "real-build.log", home=tmp / "home")
        if build.returncode:
            progress(f"  real build FAILED: {build_error(build)}")
            return lighthouse.SiteScores(label, error=f"the build failed: {build_error(build)}")
        progress(f"  real build: {build.seconds:.1f} s")
        return audit(project / "site", label, args)


def audited_case(real: lighthouse.SiteScores) -> list[str] | None:
    """The case the real site was audited on: the same page is compared in larger sites, where
    the heaviest real case may be another (its related cases change)."""
    path = next((s.path for s in real.pages if s.page == lighthouse.CASE and s.path), "")
    return [path.strip("/").split("/")[-1]] if path else None


@contextmanager
def workspace(keep: Path | None, n: int) -> Iterator[Path]:
    if keep is not None:
        folder = keep / f"n{n}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        yield folder
        return
    with tempfile.TemporaryDirectory(prefix=f"casebook-bench-{n}-") as tmp:
        yield Path(tmp)


def search_query(records: Sequence[Record]) -> str:
    """A word a reader would type that the generated cases contain: the first case's practice."""
    return str(records[0]["keywords"][0])


def validated(project: Path) -> measure.Validation:
    validation = measure.validate(project)
    if not validation.result.ok or validation.result.casebook is None:
        raise RuntimeError("generated project does not validate:\n" + format_text(validation.result.diagnostics))
    return validation


def built(project: Path, log: Path, what: str) -> measure.BuildRun:
    run = measure.run_build(project, log)
    run.check(what)
    return run


def probe_search(site_dir: Path, query: str, skip: str) -> tuple[search_probe.SearchProbe | None, str]:
    """The search measurement, or why there is none. A search that never answers is a finding,
    not a crash: the builds measured before it are kept."""
    if skip:
        return None, skip
    try:
        return search_probe.bytes_before_first_result(site_dir, query, SEARCH_TIMEOUT_S), ""
    except Exception as exc:  # playwright's TimeoutError and Error share no narrower public base
        progress(f"  search failed: {type(exc).__name__}: {str(exc)[:300]}")
        first_line = (str(exc).strip().splitlines() or [""])[0][:120]
        return None, f"{report.SEARCH_FAILED} ({type(exc).__name__}: {first_line})"


def probe_quality(project: Path, skip: str) -> tuple[tuple[search_probe.Quality, search_probe.Quality] | None, str]:
    """The ranking measured with the query set; a search that fails is a finding, not a crash."""
    if skip:
        return None, skip
    try:
        quality = search_probe.measure_quality(project / "site", project)
    except Exception as exc:  # playwright's TimeoutError and Error share no narrower public base
        progress(f"  search quality failed: {type(exc).__name__}: {str(exc)[:300]}")
        return None, f"FAILED ({type(exc).__name__})"
    progress("  search MRR: " + ", ".join(f"{q.script} {q.mrr:.3f} ({q.first}/{len(q.ranked)} first)" for q in quality))
    return quality, ""


def probe_preview(hook: Path, tmp: Path) -> tuple[float | None, str]:
    """`make serve`'s reload after a save; a preview that fails is a finding, not a crash."""
    try:
        seconds = measure.preview_reload(hook, tmp / "preview.log", home=tmp / "home-preview")
    except (RuntimeError, TimeoutError, OSError) as exc:
        progress(f"  preview FAILED: {exc}")
        return None, f"FAILED: {str(exc)[:120]}"
    progress(f"  preview reload: {seconds:.1f} s (slowest of {measure.PREVIEW_EDITS} saves)")
    return seconds, ""


def hook_build(hook: Path, tmp: Path, records: int) -> tuple[measure.BuildRun, list[Path]]:
    """The build with the hook, cold: its caches empty (a home of its own), as on a CI machine
    that keeps nothing. A failure is a finding (kept, with what the build did until then)."""
    build = measure.run_build(hook, tmp / "hook-build.log", home=tmp / "home")
    pages = measure.case_pages(hook / "site")
    if build.returncode:
        progress(f"  hook build FAILED after {build.seconds:.1f} s: {build_error(build)}")
        return build, pages
    progress(f"  hook build: {build.seconds:.1f} s, {len(pages):,} case pages")
    if len(pages) < records:
        progress(f"  WARNING: {records:,} records but {len(pages):,} case pages")
    return build, pages


def build_error(build: measure.BuildRun) -> str:
    """The last error line of a failed build's log."""
    lines = [line.strip() for line in build.log.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith(("ERROR", "Error", "Aborted")) or "Error:" in line]
    return (errors or lines or ["no output"])[-1][:300]


def plain_build(hook: Path, validation: measure.Validation, tmp: Path) -> measure.BuildRun:
    assert validation.result.casebook is not None
    plain_project = measure.make_plain_project(hook, validation.result.casebook, tmp / "plain")
    plain = built(plain_project, tmp / "plain-build.log", "plain mkdocs build")
    progress(f"  plain build: {plain.seconds:.1f} s")
    return plain


def measure_size(
    n: int, records: Sequence[Record], tmp: Path, query: str, skip: str, source: Path, builds_only: bool = False
) -> tuple[report.SizeResult, Path | None]:
    """The measurements of one size, and the site its build wrote (None when the build failed)."""
    load_average = os.getloadavg()[0]
    hook = make_project(tmp / "hook", records, source)
    validation = validated(hook)
    progress(f"  validated {validation.records:,} records in {validation.seconds:.2f} s")
    build, pages = hook_build(hook, tmp, validation.records)
    warm = None
    if not build.returncode:
        # The same build again with the caches the first one left, in a checkout with no site/,
        # as on a CI machine that keeps ~/.cache/casebook between runs (the cold build also
        # began with none). Emptying a site of 5,000 cases, which MkDocs does first, was a fifth
        # of a warm build here, and no CI build pays it.
        shutil.rmtree(hook / "site")
        warm = measure.run_build(hook, tmp / "hook-warm-build.log", home=tmp / "home")
        progress(f"  warm build: {warm.seconds:.1f} s ({build.seconds / warm.seconds:.1f}× faster than cold)")
    if builds_only:  # the cold and warm builds alone (N = 20,000: the others would take an hour)
        plain, (preview, preview_note) = None, (None, "--builds-only")
        skip = skip or "--builds-only"
    else:
        plain = plain_build(hook, validation, tmp)
        preview, preview_note = probe_preview(hook, tmp)
    search, note = probe_search(hook / "site", query, "the build failed" if build.returncode else skip)
    if search:
        progress(f"  search: {search.bytes:,} bytes in {search.responses} responses, {search.seconds:.1f} s")
    quality, quality_note = probe_quality(hook, "the build failed" if build.returncode else skip)
    result = report.SizeResult(
        generated=n,
        records=validation.records,
        validate_rate=validation.rate,
        build_seconds=build.seconds,
        case_pages=len(pages),
        plain_seconds=plain.seconds if plain is not None else None,
        peak_rss=build.peak_rss,
        peak_pss=build.peak_pss,
        html=measure.page_sizes(pages),
        site_bytes=measure.tree_bytes(hook / "site"),
        search=search,
        search_note=note,
        load_average=load_average,
        home_bytes=measure.file_size(hook / "site" / "index.html"),
        largest=tuple(measure.largest_pages(hook / "site")),
        build_error=build_error(build) if build.returncode else "",
        preview_seconds=preview,
        preview_note=preview_note,
        warm_seconds=warm.seconds if warm is not None and not warm.returncode else None,
        warm_peak_rss=warm.peak_rss if warm is not None else 0,
        quality=quality,
        quality_note=quality_note,
    )
    return result, None if build.returncode else hook / "site"


def describe_source(source: Path) -> str:
    """The commit a repository checkout is at, and whether it has uncommitted changes."""
    if not (source / ".git").exists():
        return f"the project copy in {source}"
    git = ["git", "-C", str(source)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    changed = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True).stdout.splitlines()
    return f"the working tree at {head}" + (f" with {len(changed)} uncommitted changes" if changed else "")


def context_lines(args: argparse.Namespace, real_records: int) -> list[str]:
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in ("mkdocs", "mkdocs-material"))
    sizes = "--quick" if args.quick else "--sizes " + ",".join(map(str, args.sizes))
    # The options that leave measurements out, so that a results file says how it was made.
    sizes += "".join(
        f" --{flag.replace('_', '-')}"
        for flag in ("builds_only", "no_browser", "no_lighthouse")
        if getattr(args, flag, False)
    )
    return [
        f"Measured {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z} with `python bench/run.py {sizes}` "
        f"(seed {args.seed}) from {args.source_label or describe_source(args.source)}, on {os.cpu_count()} cores, "
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}, {versions}.",
        "",
        f"Each project holds N generated records plus the {real_records} real ones.",
    ]


def run(args: argparse.Namespace) -> str:
    skip = browser_skip(args.no_browser)
    lighthouse_skipped = lighthouse_skip(args.no_lighthouse or args.builds_only)
    records = generate(max(args.sizes), args.seed, read_reference(args.source))
    query = search_query(records)
    results: list[report.SizeResult] = []
    audits = [audit_real_site(args, lighthouse_skipped)]
    profile: ProfileResult | None = None
    text = ""
    for n in args.sizes:
        progress(f"N = {n:,}")
        with workspace(args.keep, n) as tmp:
            result, site = measure_size(n, records[:n], tmp, query, skip, args.source, args.builds_only)
            results.append(result)
            if n in LIGHTHOUSE_SIZES and site is not None and not lighthouse_skipped:
                audits.append(audit(site, f"{n:,}", args, audited_case(audits[0])))
            if n == args.profile_size:
                progress(f"  profiling one in-process build → {args.profile_out}")
                shutil.rmtree(tmp / "hook" / ".cache", ignore_errors=True)  # as cold as the timed build
                profile = profile_build(tmp / "hook", tmp / "profile-site", args.profile_out, result.records)
        # after every size: a later crash keeps these
        text = write_results(args, results, profile, query, audits)
    return text


def write_results(
    args: argparse.Namespace,
    results: list[report.SizeResult],
    profile: ProfileResult | None,
    query: str,
    audits: Sequence[lighthouse.SiteScores] = (),
) -> str:
    real = results[0].records - results[0].generated
    text = report.markdown(results, profile, context_lines(args, real), query, audits, args.lighthouse_runs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return text


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
