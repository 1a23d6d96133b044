"""Shared fixtures: copies of the real project to break, a real strict build, a real browser."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from bench.generate import PROJECT_PARTS  # one list of a project's parts, for tests and benchmark
from bench.search_probe import CHROMIUM, CHROMIUM_FLAGS, serve

ROOT = Path(__file__).resolve().parent.parent


class LinkTargets(HTMLParser):
    """Every href, src and srcset URL of a page, as a browser would follow them."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.targets.append(value)
            if name == "srcset" and value:
                self.targets += [part.strip().split(" ")[0] for part in value.split(",")]


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def copy_project(dest: Path) -> Path:
    for part in PROJECT_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        else:
            (dest / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / part)
    return dest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throwaway copy of the real project, to break in one test."""
    return copy_project(tmp_path / "project")


def casebook(*args: str, cwd: Path) -> Run:
    """The real command line, as an editor runs it."""
    proc = subprocess.run(
        [sys.executable, "-m", "casebook", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,  # never a terminal: `casebook new` must not stop to ask
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def mkdocs_build(project_dir: Path, site_dir: Path, **extra_env: str) -> Run:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **extra_env}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=project_dir,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line containing needle: tests locate errors by content."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project, built once with --strict."""
    out = tmp_path_factory.mktemp("site")
    run = mkdocs_build(ROOT, out)
    assert run.code == 0, run.text
    assert "WARNING" not in run.text, run.text
    return out


@pytest.fixture(scope="session")
def served_site(site: Path) -> Iterator[str]:
    with serve(site) as url:
        yield url


@pytest.fixture(scope="session")
def sharded_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project with its search index cut into shards of eight pages, as a casebook of
    thousands of cases is (two thousand pages a shard)."""
    out = tmp_path_factory.mktemp("sharded")
    run = mkdocs_build(ROOT, out, CASEBOOK_SEARCH_SHARD_PAGES="8")
    assert run.code == 0, run.text
    return out


@pytest.fixture(scope="session")
def served_sharded_site(sharded_site: Path) -> Iterator[str]:
    with serve(sharded_site) as url:
        yield url


def require_tool(name: str, package: str) -> str:
    """A system tool the tests need: skipped on a bare machine, a failure in CI."""
    path = shutil.which(name)
    if path is None:
        reason = f"{name} is missing (Debian package '{package}')"
        if os.environ.get("CASEBOOK_REQUIRE_BROWSER"):
            pytest.fail(f"{reason}, and CASEBOOK_REQUIRE_BROWSER says the system tools must be here")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    reason = ""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (Debian package 'chromium')"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:  # pragma: no cover - playwright is a pinned test dependency
            reason = "playwright is not installed"
    if reason:
        if os.environ.get("CASEBOOK_REQUIRE_BROWSER"):
            pytest.fail(f"browser tests must run here (CASEBOOK_REQUIRE_BROWSER is set) but {reason}")
        pytest.skip(f"browser tests skipped: {reason}")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield b
        b.close()
