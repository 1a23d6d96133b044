"""cases.json validates against the schema it names, by two independent validators: Python's
jsonschema and ajv 8 from npm (run with Node, as an outside reader of the data would). The export
schema refers to the record schema rather than copying it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from casebook.model import Casebook
from casebook.records.loader import Project, load
from casebook.records.schemas import formats
from casebook.site.export_schema import NAME, export_schema_json
from casebook.site.exports import cases_json

from .conftest import ROOT, require_tool

AJV_SCRIPT = Path(__file__).parent / "node" / "ajv_validate.cjs"
CASE = "qinghe-ju-tiantian-qiaomen"


def _load(root: Path) -> Casebook:
    result = load(Project(root))
    assert result.ok and result.casebook is not None, [d.text() for d in result.diagnostics]
    return result.casebook


def publish_schemas(root: Path, book: Casebook, out: Path) -> Path:
    """The /schema/ folder as the site publishes it: the project's schemas and the export's."""
    out.mkdir(parents=True, exist_ok=True)
    for p in (root / "data" / "schema").glob("*.json"):
        shutil.copy2(p, out / p.name)
    (out / NAME).write_text(export_schema_json(book), encoding="utf-8")
    return out


def jsonschema_errors(schema_dir: Path, document: Any) -> list[str]:
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in schema_dir.glob("*.json")]
    registry: Registry[Any] = Registry().with_resources((d["$id"], Resource.from_contents(d)) for d in docs)
    schema = next(d for d in docs if d["$id"] == NAME)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, registry=registry, format_checker=formats)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def ajv_errors(schema_dir: Path, document_path: Path) -> list[str]:
    node = require_tool("node", "nodejs")
    if not (ROOT / "node_modules" / "ajv" / "package.json").is_file():
        pytest.fail("ajv is not installed: run `make install` (npm ci)")
    proc = subprocess.run(
        [node, str(AJV_SCRIPT), str(schema_dir), NAME, str(document_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["valid"] == (not result["errors"])
    return [f"{e['instancePath']}: {e['message']}" for e in result["errors"]]


def both_validators(schema_dir: Path, document: Any, tmp: Path) -> tuple[list[str], list[str]]:
    path = tmp / "cases.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return jsonschema_errors(schema_dir, document), ajv_errors(schema_dir, path)


def test_the_published_cases_json_validates_against_the_schema_it_names(site: Path, tmp_path: Path) -> None:
    data = json.loads((site / "data" / "cases.json").read_text(encoding="utf-8"))
    assert data["schema"].endswith(f"/schema/{NAME}")
    assert (site / "schema" / NAME).is_file()
    assert (site / "schema" / "case.schema.json").is_file()
    assert both_validators(site / "schema", data, tmp_path) == ([], [])


def test_a_record_with_only_the_required_fields_validates(project: Path, tmp_path: Path) -> None:
    """Everything a record may leave out comes out as null or an empty list, and the schema says so."""
    path = project / "cases" / f"{CASE}.yml"
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    required = json.loads((project / "data" / "schema" / "case.schema.json").read_text(encoding="utf-8"))["required"]
    record = {k: v for k, v in record.items() if k in required}
    record["place"] = {"district": record["place"]["district"]}
    path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")
    book = _load(project)
    data = json.loads(cases_json(book))
    mine = next(c for c in data["cases"] if c["id"] == CASE)
    assert (mine["period"], mine["teaching"], mine["updated"], mine["figures"]) == (None, None, None, [])
    assert set(mine["place"]) == {"city", "district"}
    schemas = publish_schemas(project, book, tmp_path / "schema")
    assert both_validators(schemas, data, tmp_path) == ([], [])


@pytest.mark.parametrize(
    ("what", "change", "where"),
    [
        ("a figure's value as text", lambda c: c["figures"][0].update(value="180"), "/figures/0/value"),
        ("a key no schema names", lambda c: c.update(funding="x"), ""),
        ("a title longer than the record schema allows", lambda c: c.update(title="长" * 61), "/title"),
        (
            "a qualifier outside the record schema's enum",
            lambda c: c["figures"][0].update(qualifier="几"),
            "/figures/0/qualifier",
        ),
        ("a pillar's id that is no slug", lambda c: c["pillars"][0].update(id="Da Dangwei"), "/pillars/0/id"),
        ("a date that is no date", lambda c: c.update(added="2026-13-01"), "/added"),
    ],
)
def test_both_validators_refuse_a_broken_export(
    book: Casebook, tmp_path: Path, what: str, change: Any, where: str
) -> None:
    data = json.loads(cases_json(book))
    case = next(c for c in data["cases"] if c["id"] == CASE)
    change(case)
    schemas = publish_schemas(ROOT, book, tmp_path / "schema")
    by_python, by_ajv = both_validators(schemas, data, tmp_path)
    assert by_python, what
    assert by_ajv, what
    index = data["cases"].index(case)
    assert any(e.startswith(f"/cases/{index}{where}") for e in by_ajv), (what, by_ajv)


def test_the_export_schema_refers_to_the_record_schema_not_a_copy(project: Path, tmp_path: Path) -> None:
    """Tighten a field in case.schema.json alone: the export schema follows without a change."""
    book = _load(project)
    schema = json.loads(export_schema_json(book))
    fields = schema["$defs"]["case"]["properties"]
    assert fields["title"] == {"$ref": "case.schema.json#/properties/title"}
    assert fields["figures"]["items"]["properties"]["label"] == {
        "$ref": "case.schema.json#/properties/figures/items/properties/label"
    }
    data = json.loads(cases_json(book))
    longest = max(len(c["summary"]) for c in data["cases"])
    case_schema = project / "data" / "schema" / "case.schema.json"
    doc = json.loads(case_schema.read_text(encoding="utf-8"))
    doc["properties"]["summary"]["maxLength"] = longest - 1
    case_schema.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    schemas = publish_schemas(project, book, tmp_path / "schema")
    by_python, by_ajv = both_validators(schemas, data, tmp_path)
    assert any(e.endswith("/summary") or "summary" in e for e in by_ajv), by_ajv
    assert by_python


def test_every_key_of_the_export_has_a_chinese_description(book: Casebook) -> None:
    schema = json.loads(export_schema_json(book))
    from casebook.site.codebook import json_keys

    rows = json_keys(book)
    assert {r.path for r in rows} >= {"cases[].url", "cases[].figures[].display", "cases[].place.city.name"}
    for row in rows:
        assert row.title and row.description, row.path
        assert any("\u4e00" <= ch <= "\u9fff" for ch in row.description), row.path
    assert schema["properties"]["cases"]["items"] == {"$ref": "#/$defs/case"}


@pytest.fixture(scope="module")
def book() -> Casebook:
    return _load(ROOT)
