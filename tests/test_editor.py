"""The editor side (cli, scaffold, fieldref, template, schemafields): `$ref`s resolved through the
project's one registry, and no import cycle through any of its modules."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from casebook.editor import schemafields
from casebook.editor.project_root import find_root, locate
from casebook.editor.schemafields import KIND, definition, field_named, fields, load_schema, resolve, resolver

from .conftest import ROOT

PACKAGE = ROOT / "hooks" / "casebook"
EDITOR = {"cli", "scaffold", "fieldref", "template", "schemafields", "project_root"}


def test_a_ref_to_a_ref_keeps_the_nearest_named_kind(project: Path) -> None:
    path = project / "data" / "schema" / "case.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["$defs"]["short_slug"] = {"$ref": "#/$defs/slug", "maxLength": 12}
    schema["properties"]["handle"] = {"$ref": "#/$defs/short_slug", "description": "测试。"}
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    handle = field_named(load_schema(project), "handle")
    assert handle.kind == "slug" and handle.schema["maxLength"] == 12, handle
    assert handle.schema["minLength"] == schema["$defs"]["slug"]["minLength"]
    assert handle.description == "测试。"


def test_a_ref_into_another_file_is_read_against_that_file() -> None:
    # themes.schema.json names a definition of case.schema.json for a theme's id
    schema_dir = ROOT / "data" / "schema"
    written = json.loads((schema_dir / "themes.schema.json").read_text(encoding="utf-8"))
    ref = written["properties"]["themes"]["items"]["properties"]["id"]["$ref"]
    assert ref.startswith("case.schema.json#/$defs/"), ref
    name = ref.rpartition("/")[2]
    (themes,) = fields(load_schema(ROOT, "themes"))
    ident = field_named(themes.items, "id")
    assert ident.kind == name and ident.schema["pattern"] == definition(load_schema(ROOT), name).schema["pattern"]


def test_resolver_is_the_validators_registry() -> None:
    where = resolver(ROOT / "data" / "schema")
    found = resolve({"$ref": "#/$defs/date"}, where)
    assert found[KIND] == "date" and found["format"] == "date"


def test_project_root_is_found_from_inside_it(tmp_path: Path) -> None:
    assert find_root(ROOT / "cases") == ROOT
    project = locate(None, ROOT / "hooks" / "casebook")
    assert project is not None and project.root == ROOT
    assert locate(str(tmp_path)) is None


def _imports(path: Path) -> set[str]:
    """The casebook modules a module imports, at the top or inside a function."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names = [node.module] if node.module else [a.name for a in node.names]
            out.update(str(n).split(".")[0] for n in names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("casebook."):
            out.add(str(node.module).split(".")[1])
    return out


def test_no_import_cycle_runs_through_the_editor() -> None:
    graph = {p.stem: _imports(p) for p in PACKAGE.glob("*.py")}
    for start in EDITOR:
        seen, todo = set(), list(graph.get(start, ()))
        while todo:
            here = todo.pop()
            if here not in seen:
                seen.add(here)
                todo.extend(graph.get(here, ()))
        assert start not in seen, f"{start} imports itself through {sorted(seen & EDITOR)}"


def test_schemafields_has_one_way_to_resolve() -> None:
    assert not hasattr(schemafields, "ref_name"), "resolve through the registry, not by hand"
