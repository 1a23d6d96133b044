"""Search ranking quality (mean reciprocal rank of the query set, bench/search_probe.py) of the
real casebook and of generated ones, with the pinned Pagefind or another one: the numbers that
decide whether a Pagefind release may replace the pin.

    python bench/search_quality.py                         # the real site and N = 1,000
    python bench/search_quality.py --sizes 0,1000 --pagefind /tmp/pf15/lib/python3.11/site-packages

--pagefind names a folder holding another `pagefind` package (e.g. a scratch venv's
site-packages after `pip install "pagefind[extended]==1.5.2"`): the builds run with it first on
PYTHONPATH, so that `python -m pagefind` is that one; the pin in pyproject.toml is not touched.
N = 0 is the real project alone; every query of its set is run. Larger N draw a sample.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/search_quality.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import measure, search_probe
from bench.generate import ROOT, generate, make_project, read_reference


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="0,1000", help="numbers of generated records, comma-separated (0: the real site)")
    p.add_argument("--pagefind", type=Path, help="a folder with another pagefind package, put first on PYTHONPATH")
    p.add_argument("--sample", type=int, default=search_probe.QUALITY_SAMPLE, help="queries drawn when N > 0")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--misses", action="store_true", help="list every query whose case is not first")
    p.add_argument(
        "--raw-queries",
        action="store_true",
        help="drop the index's word list (pagefind/words/): the box then sends each query as typed, uncut",
    )
    args = p.parse_args(argv)
    args.sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    return args


def pagefind_version(site_dir: Path) -> str:
    return str(json.loads((site_dir / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))["version"])


def run(args: argparse.Namespace) -> list[str]:
    if search_probe.browser_missing():
        raise SystemExit(f"the search quality needs the browser: {search_probe.browser_missing()}")
    if args.pagefind:
        os.environ["PYTHONPATH"] = os.pathsep.join([str(args.pagefind.resolve()), os.environ.get("PYTHONPATH", "")])
    header = ("N", "Pagefind", "queries cut", "queries", "MRR zh-Hans", "first zh-Hans", "MRR zh-Hant", "first zh-Hant")
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    records = generate(max(args.sizes), args.seed, read_reference(ROOT)) if max(args.sizes) else []
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"casebook-quality-{n}-") as tmp:
            project = make_project(Path(tmp) / "project", records[:n])
            build = measure.run_build(project, Path(tmp) / "build.log")
            build.check(f"build of N = {n}")
            site = project / "site"
            if args.raw_queries:
                shutil.rmtree(site / "pagefind" / "words")
            queries = search_probe.query_set(search_probe.case_records(project), sample=args.sample if n else 0)
            hans, hant = search_probe.search_quality(site, queries)
            row = f"| {n:,} | {pagefind_version(site)} | {'no' if args.raw_queries else 'yes'} | {len(queries)} |"
            row += "".join(f" {q.mrr:.3f} | {q.first} |" for q in (hans, hant))
            lines.append(row)
            print(row, file=sys.stderr, flush=True)
            if args.misses:
                for q in (hans, hant):
                    for r in q.misses():
                        print(f"  {q.script} {r.shown}: rank {r.rank or '-'} {r.first}", file=sys.stderr)
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    print("\n".join(run(parse_args(argv))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
