"""docs/contributing.md: its field reference is the schema's, and `casebook fieldref` keeps it so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casebook.editor.fieldref import END, START, between, markdown, replace_between, sections
from casebook.editor.schemafields import load_schema

from .conftest import ROOT, casebook

CONTRIBUTING = ROOT / "docs" / "contributing.md"


def test_field_reference_matches_the_schema() -> None:
    committed = between(CONTRIBUTING.read_text(encoding="utf-8")).strip()
    assert committed == markdown(load_schema(ROOT)).strip(), (
        "docs/contributing.md 的字段参考与 data/schema/case.schema.json 不一致："
        "运行 .venv/bin/casebook fieldref --write docs/contributing.md"
    )


def test_reference_has_a_row_for_every_field_and_a_table_for_every_object() -> None:
    schema = load_schema(ROOT)
    text = markdown(schema)
    for owner, rows in sections(schema):
        if owner is not None:
            assert f"{{#fieldref-{owner.path.replace('.', '-')}}}" in text
        for f in rows:
            row = next((line for line in text.splitlines() if line.startswith(f"| `{f.path}` |")), "")
            assert row, f"{f.path} has no row"
            assert row.count(" | ") == 4, row  # five cells: no stray | from a description
            assert ("| 是 |" in row) == f.required, row


def test_the_guide_covers_what_an_editor_does() -> None:
    text = CONTRIBUTING.read_text(encoding="utf-8")
    for anchor in ("{#add}", "{#rules}", "{#rename}", "{#images}", "{#review}", "{#fieldref}"):
        assert anchor in text
    for command in ("casebook new", "casebook validate", "make serve", "aliases", "cases/<id>/", "- [ ]"):
        assert command in text


def test_fieldref_prints_the_reference(project: Path) -> None:
    run = casebook("fieldref", cwd=project)
    assert run.code == 0, run.text
    assert run.out == markdown(load_schema(project))


def test_fieldref_check_and_write_follow_the_schema(project: Path) -> None:
    doc = project / "docs" / "contributing.md"
    assert casebook("fieldref", "--check", "docs/contributing.md", cwd=project).code == 0
    schema_path = project / "data" / "schema" / "case.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["properties"]["title"]["description"] = "案例标题，改过的说明。"
    schema_path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    stale = casebook("fieldref", "--check", "docs/contributing.md", cwd=project)
    assert stale.code == 1 and "fieldref --write" in stale.err
    before, after = doc.read_text(encoding="utf-8").split(START)[0], doc.read_text(encoding="utf-8").split(END)[1]
    wrote = casebook("fieldref", "--write", "docs/contributing.md", cwd=project)
    assert wrote.code == 0, wrote.text
    text = doc.read_text(encoding="utf-8")
    assert "案例标题，改过的说明。" in between(text)
    assert text.split(START)[0] == before and text.split(END)[1] == after, "text outside the markers changed"
    assert casebook("fieldref", "--check", "docs/contributing.md", cwd=project).code == 0


def test_fieldref_write_needs_the_markers(project: Path) -> None:
    (project / "docs" / "plain.md").write_text("# 没有标记\n", encoding="utf-8")
    run = casebook("fieldref", "--write", "docs/plain.md", cwd=project)
    assert run.code == 1 and START in run.err and "Traceback" not in run.text


def test_replace_between_refuses_markers_out_of_order() -> None:
    with pytest.raises(ValueError, match="标记"):
        replace_between(f"{END}\n{START}\n", "x")
