"""Property: whatever bytes an editor saves, the validator answers with located errors or a
clean bill, and never raises. Random YAML, and random mutations of the real records."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebook.records.loader import Project, load

from .conftest import ROOT, copy_project

SEEDS = sorted((ROOT / "cases").glob("*.yml"))
YAML_BITS = [
    ":",
    ": ",
    "- ",
    "  ",
    "\t",
    "\n",
    "'",
    '"',
    "|",
    ">",
    "&a",
    "*a",
    "!!python/object:os.system",
    "<<: ",
    "{",
    "}",
    "[",
    "]",
    "#",
    "---",
    "...",
    "no",
    "0123",
    "2018-02-30",
    "~",
    "null",
    "「",
    "é",
    "\x00",
    "\ufeff",
    "id",
    "title",
    "figures",
    "value",
    "pillars",
    "待填写",
]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="casebook-fuzz-"))
    try:
        yield copy_project(root / "project")
    finally:
        shutil.rmtree(root)


def judge(project: Path, name: str, data: bytes) -> None:
    target = project / "cases" / name
    target.write_bytes(data)
    try:
        result = load(Project(project))  # raises if any input can make the core crash
    finally:
        target.unlink()
    if result.ok:
        assert result.casebook is not None and target.stem in result.casebook.cases
    else:
        located = [d for d in result.diagnostics if d.severity == "error" and d.line >= 1 and d.column >= 1]
        assert located, "an invalid tree must come with at least one located error"
        assert all(d.file and d.message for d in result.diagnostics)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(YAML_BITS) | st.text(max_size=6), max_size=40))
def test_random_yaml_never_crashes(sandbox: Path, bits: list[str]) -> None:
    judge(sandbox, "fuzz-random.yml", "".join(bits).encode("utf-8", "surrogatepass"))


@st.composite
def mutated_record(draw: st.DrawFn) -> bytes:
    lines = draw(st.sampled_from(SEEDS)).read_text(encoding="utf-8").splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "dup", "indent", "dedent", "insert", "swap", "truncate"]))
        if action == "drop" and len(lines) > 1:
            del lines[i]
        elif action == "dup":
            lines.insert(i, lines[i])
        elif action == "indent":
            lines[i] = "  " + lines[i]
        elif action == "dedent":
            lines[i] = lines[i].lstrip()
        elif action == "insert":
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(st.sampled_from(YAML_BITS)) + lines[i][at:]
        elif action == "swap" and len(lines) > 1:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "truncate":
            lines = lines[: i + 1]
    text = "".join(lines)
    if draw(st.booleans()):
        return text.encode("utf-8", "surrogatepass")
    return text.encode(draw(st.sampled_from(["gb18030", "utf-16", "utf-8-sig"])), "replace")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutated_record())
def test_mutated_records_never_crash(sandbox: Path, data: bytes) -> None:
    # The file name is the id of no seed, so a copied id is reported as not matching it.
    judge(sandbox, "fuzz-mutant.yml", data)
