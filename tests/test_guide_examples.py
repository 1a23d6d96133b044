"""The editors' guide shows real, working examples: each source type's YAML validates, the web
example prints as the guide says, and the ids its field reference names exist."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from casebook.citation import source_citation
from casebook.records.loader import Project, load

from .conftest import ROOT, casebook

GUIDE = ROOT / "docs" / "contributing.md"


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def test_each_source_example_validates_and_the_web_one_prints_as_shown(project: Path) -> None:
    text = section(GUIDE.read_text(encoding="utf-8"), "{#data-sources}", "{#data-policies}")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    kinds = [yaml.safe_load(b)[0]["kind"] for b in blocks]
    assert kinds == ["web", "journal", "newspaper", "government", "book", "report", "outlet"]
    sources = project / "data" / "sources.yml"
    known = {s["id"] for s in yaml.safe_load(sources.read_text(encoding="utf-8"))["sources"]}
    new = [b for b in blocks if yaml.safe_load(b)[0]["id"] not in known]
    assert len(new) == 6  # the outlet example is the registered 长江网
    sources.write_text(sources.read_text(encoding="utf-8") + "".join(new), encoding="utf-8")
    run = casebook("validate", cwd=project)
    assert run.code == 0, run.text
    book = load(Project(project)).casebook
    assert book is not None
    web = book.sources[yaml.safe_load(blocks[0])[0]["id"]]
    shown = re.search(r"页面显示为：(.*)\n", text)
    assert shown and shown.group(1) == source_citation(web)


def test_the_field_reference_names_ids_that_exist() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    row = next(line for line in guide.splitlines() if line.startswith("| `related` |"))
    example = re.findall(r"`\[(.*?)\]`", row)[-1]
    for ident in example.split(", "):
        assert (ROOT / "cases" / f"{ident}.yml").is_file(), ident
