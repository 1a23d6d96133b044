"""What the Word handouts and slide outlines cost a build of N synthetic records (issue #13's bar:
under 15 % of the build when none is cached, under 3 % when all are).

Two strict builds of the same generated project, one after the other: the first with an empty
cache (every case's learner and teacher .docx and .pptx made), the second with the cache the
first left (every file reused after its digest is checked). Each build's log says how long its
handouts took (`casebook: Word 与幻灯片文件 ... 用时 X 秒`); the share is that over the build's
wall time. The digest record goes to a temporary home folder, never the user's.

    .venv/bin/python -m bench.handouts [N]        # default 1,000; writes bench/handouts.md
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import generate, make_project
from bench.measure import run_build

BENCH = Path(__file__).resolve().parent
LINE = re.compile(r"Word 与幻灯片文件 (\d+) 个新生成，(\d+) 个取自缓存，用时 ([\d.]+) 秒")


def _commit() -> str:
    run = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=BENCH)
    return run.stdout.strip() or "?"


def measure(n: int) -> list[tuple[str, int, int, float, float]]:
    """(which build, files made, files reused, handout seconds, build seconds) of a cold and a warm build."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="casebook-bench-handouts-") as tmp:
        root = Path(tmp)
        project = make_project(root / "project", generate(n))
        os.environ["HOME"] = str(root / "home")  # the digest record of this run only
        for label in ("cold cache", "warm cache"):
            build = run_build(project, root / f"{label}.log")
            build.check(f"the {label} build")
            found = LINE.search(build.log)
            if found is None:
                raise RuntimeError(f"no handout timing in the build log:\n{build.log[-2000:]}")
            made, reused, seconds = int(found[1]), int(found[2]), float(found[3])
            rows.append((label, made, reused, seconds, build.seconds))
    return rows


def table(n: int, rows: list[tuple[str, int, int, float, float]]) -> str:
    out = [
        f"Word and slide files at N = {n:,} (commit {_commit()}, {dt.date.today()}, {os.cpu_count()} cores, "
        "a machine shared with other jobs: timings vary run to run).",
        "",
        "| build | files made | files reused | handouts (s) | whole build (s) | share of the build | target |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for (label, made, reused, seconds, build), target in zip(rows, ("< 15 %", "< 3 %"), strict=True):
        share = f"{100 * seconds / build:.1f} %"
        out.append(f"| {label} | {made:,} | {reused:,} | {seconds:.1f} | {build:.1f} | {share} | {target} |")
    return "\n".join(out) + "\n"


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    text = table(n, measure(n))
    print(text)
    (BENCH / "handouts.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
