"""The GitHub workflows, pull-request template and pre-commit hooks cannot run here; what they call can
be checked: every `make` target exists in the Makefile, every `casebook` subcommand in the CLI."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from casebook.editor.cli import parser

from .conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
PRE_COMMIT = ROOT / ".pre-commit-config.yaml"
# Programs a step may run besides make and casebook: the system packages come from apt.
OTHER_PROGRAMS = {"apt-get"}
_ASSIGN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?::=|\?=|=)\s*(.*?)\s*$")
_RULE = re.compile(r"^([^\s:=#][^:=]*?)\s*::?(?!=)")
_VAR = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


# -- what exists -------------------------------------------------------------------------


def make_targets(makefile: Path = ROOT / "Makefile") -> set[str]:
    """Rule targets of the Makefile, with its simple variables expanded ($(STAMP) -> .venv/.installed)."""
    variables: dict[str, str] = {}
    targets: set[str] = set()
    for line in makefile.read_text(encoding="utf-8").splitlines():
        if line.startswith("\t"):
            continue
        assign = _ASSIGN.match(line.removeprefix("export "))
        if assign:
            variables[assign.group(1)] = _VAR.sub(lambda m: variables.get(m.group(1), ""), assign.group(2))
            continue
        rule = _RULE.match(line)
        if rule:
            expanded = _VAR.sub(lambda m: variables.get(m.group(1), ""), rule.group(1))
            targets.update(t for t in expanded.split() if t != ".PHONY")
    return targets


def subcommands() -> set[str]:
    actions = [a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return {name for action in actions for name in action.choices}


# -- what the files call -----------------------------------------------------------------


def commands(script: str) -> list[list[str]]:
    """Each simple command of a shell snippet as words, without `sudo` and leading VAR=value."""
    joined = script.replace("\\\n", " ")
    out = []
    for part in re.split(r"&&|\|\||;|\||\n", joined):
        words = shlex.split(part, comments=True)
        while words and (words[0] == "sudo" or _ENV.match(words[0])):
            words = words[1:]
        if words:
            out.append(words)
    return out


def casebook_subcommand(words: list[str]) -> str | None:
    """The subcommand of `casebook X`, `.venv/bin/casebook X` or `python -m casebook X`; None if not casebook."""
    if Path(words[0]).name == "casebook":
        rest = words[1:]
    elif Path(words[0]).name.startswith("python") and words[1:3] == ["-m", "casebook"]:
        rest = words[3:]
    else:
        return None
    return next((w for w in rest if not w.startswith("-")), "")


def problems_of(words: list[str]) -> list[str]:
    program = Path(words[0]).name
    sub = casebook_subcommand(words)
    if sub is not None:
        return [] if sub in subcommands() else [f"casebook has no subcommand {sub!r}: {words}"]
    if program == "make":
        named = [w for w in words[1:] if not w.startswith("-") and "=" not in w]
        missing = [t for t in named if t not in make_targets()]
        return [f"Makefile has no target {t!r}" for t in missing] or ([] if named else [f"bare make: {words}"])
    return [] if program in OTHER_PROGRAMS else [f"{program!r} is neither make nor casebook: {words}"]


def workflow(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    data.setdefault("on", data.pop(True, None))  # YAML 1.1 reads the key `on` as true
    return data


def steps(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in data["jobs"].values() for step in job["steps"]]


def runs(data: dict[str, Any]) -> list[str]:
    return [step["run"] for step in steps(data) if "run" in step]


def position(data: dict[str, Any], needle: str) -> int:
    """Index of the first step that runs needle or uses the action needle."""
    for i, step in enumerate(steps(data)):
        if needle in step.get("run", "") or str(step.get("uses", "")).startswith(f"{needle}@"):
            return i
    raise AssertionError(f"no step runs or uses {needle!r}")


# -- the tests ---------------------------------------------------------------------------


def test_the_parser_helpers_see_the_real_makefile_and_cli() -> None:
    assert {"serve", "build", "test", "validate", ".venv/.installed"} <= make_targets()
    assert {"validate", "new", "fieldref"} <= subcommands()
    assert commands("CASEBOOK_REQUIRE_BROWSER=1 make test") == [["make", "test"]]
    assert problems_of(["make", "no-such-target"]) and problems_of([".venv/bin/casebook", "no-such"])


@pytest.mark.parametrize("name", ["pull-request.yml", "deploy.yml"])
def test_every_run_command_is_a_make_target_or_a_casebook_subcommand(name: str) -> None:
    found = [p for script in runs(workflow(name)) for words in commands(script) for p in problems_of(words)]
    assert not found, found


def test_pull_request_workflow_checks_builds_and_tests_in_order() -> None:
    data = workflow("pull-request.yml")
    assert "pull_request" in data["on"]
    python = next(s for s in steps(data) if str(s.get("uses", "")).startswith("actions/setup-python@"))
    assert str(python["with"]["python-version"]) == "3.11"
    install = position(data, "apt-get install")
    validate = position(data, "casebook validate --format github")
    build = position(data, "make build")
    test = position(data, "CASEBOOK_REQUIRE_BROWSER=1 make test")
    assert install < validate < build < test


def test_pull_request_workflow_installs_what_ci_installs() -> None:
    """The system packages of .ci/run (the README's CI) are the ones the workflow installs."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").replace("\\\n", " ")
    listed = re.search(r"apt-get install ([^>\n]*)", ci)
    assert listed, ".ci/run installs no system packages any more"
    wanted = {w for w in listed.group(1).split() if not w.startswith("-")}
    script = next(r for r in runs(workflow("pull-request.yml")) if "apt-get install" in r)
    words = next(w for w in commands(script) if w[:2] == ["apt-get", "install"])
    assert {"chromium", "poppler-utils", "fonts-noto-cjk"} <= wanted <= set(words)


def test_deploy_workflow_publishes_site_with_the_official_actions() -> None:
    data = workflow("deploy.yml")
    assert data["on"]["push"]["branches"] == ["main"]
    assert data["permissions"]["pages"] == "write" and data["permissions"]["id-token"] == "write"
    uses = {str(s.get("uses", "")).split("@")[0]: s for s in steps(data)}
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "site"
    assert "actions/deploy-pages" in uses
    assert position(data, "make build") < position(data, "actions/upload-pages-artifact")
    assert position(data, "actions/upload-pages-artifact") < position(data, "actions/deploy-pages")
    # The build's caches are kept between deployments, and only the user's cache folder: the
    # repository's .cache holds nothing a build trusts without checking.
    cache = uses["actions/cache"]
    assert cache["with"]["path"] == "~/.cache/casebook"
    assert position(data, "actions/cache") < position(data, "make build")


def test_pre_commit_hooks_run_tools_that_exist() -> None:
    config = yaml.safe_load(PRE_COMMIT.read_text(encoding="utf-8"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert hooks and all(repo["repo"] == "local" for repo in config["repos"])
    entries = [shlex.split(hook["entry"]) for hook in hooks]
    for words in entries:
        assert (ROOT / words[0]).is_file(), f"{words[0]} does not exist (make serve or make test builds .venv)"
        sub = casebook_subcommand(words)
        assert sub is None or sub in subcommands(), words
        if Path(words[0]).name == "ruff":
            assert words[1] in ("check", "format"), words
    assert {"casebook", "ruff"} <= {Path(words[0]).name for words in entries}
    fieldref = next(w for w in entries if casebook_subcommand(w) == "fieldref")
    assert (ROOT / fieldref[-1]).is_file()


def test_pull_request_template_is_a_chinese_checklist() -> None:
    text = (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    boxes = [line for line in text.splitlines() if line.startswith("- [ ] ")]
    assert len(boxes) >= 5
    assert all(re.search(r"[\u4e00-\u9fff]", line) for line in boxes)
    assert "待填写" in text and "casebook validate" in text
