"""The open data follows the schema, keeps its old shape, and is safe to open in a spreadsheet;
the figure qualifiers and the case URL have one rule each. No site is built: the project is
loaded and the exports are called directly."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from casebook.citation import case_citation
from casebook.model import QUALIFIERS, Case, Casebook, Figure, case_path
from casebook.records.loader import Project, load
from casebook.records.schemas import SchemaSet
from casebook.site.exports import FORMULA_START, ExportError, cases_csv, cases_json, csv_columns

from .conftest import ROOT

CASE = "qinghe-ju-tiantian-qiaomen"

# What cases.json and cases.csv held before the schema drove them; readers' scripts rely on it.
JSON_KEYS = [
    "id",
    "url",
    "title",
    "summary",
    "pillars",
    "policies",
    "place",
    "period",
    "year",
    "themes",
    "keywords",
    "background",
    "practice",
    "results",
    "insights",
    "figures",
    "quotes",
    "people",
    "media",
    "sources",
    "related",
    "teaching",
    "aliases",
    "added",
    "updated",
    "record",
]
CSV_COLUMNS = [
    "id",
    "url",
    "title",
    "summary",
    "pillars",
    "policies",
    "city",
    "district",
    "street",
    "community",
    "year",
    "period_start",
    "period_end",
    "themes",
    "keywords",
    "figures",
    "people",
    "sources",
    "related",
    "aliases",
    "added",
    "updated",
]


def _load(root: Path) -> Casebook:
    result = load(Project(root))
    assert result.ok and result.casebook is not None, [d.text() for d in result.diagnostics]
    return result.casebook


def _with_schemas(book: Casebook, root: Path) -> Casebook:
    """The casebook as the exports see it once the loader hands over the schemas it read."""
    return replace(book, schemas=SchemaSet(root / "data" / "schema").documents)


def _rows(book: Casebook) -> list[dict[str, str]]:
    raw = cases_csv(book)
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def _records(book: Casebook) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in json.loads(cases_json(book))["cases"]}


def _edit_yaml(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _edit_json(path: Path, change: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


@pytest.fixture(scope="module")
def book() -> Casebook:
    return _load(ROOT)


# -- the schema is the source of fields -------------------------------------------------
def test_the_exports_keep_their_shape(book: Casebook) -> None:
    for b in (book, _with_schemas(book, ROOT)):
        assert all(list(r) == JSON_KEYS for r in _records(b).values())
        assert csv_columns(b) == CSV_COLUMNS
        assert list(_rows(b)[0]) == CSV_COLUMNS


def test_a_field_added_to_the_schema_alone_reaches_the_json_and_the_csv(project: Path) -> None:
    def add_fields(schema: dict[str, Any]) -> None:
        schema["properties"]["funding"] = {"type": "string", "maxLength": 100, "description": "经费来源。"}
        schema["properties"]["partners"] = {"type": "array", "items": {"type": "string"}}
        schema["properties"]["budget"] = {
            "type": "object",
            "properties": {"amount": {"type": "number"}, "currency": {"type": "string"}},
        }

    _edit_json(project / "data" / "schema" / "case.schema.json", add_fields)

    def fill(record: dict[str, Any]) -> None:
        record.update(
            funding="区财政专项", partners=["武汉大学", "社区志愿者协会"], budget={"amount": 12.5, "currency": "万元"}
        )

    _edit_yaml(project / "cases" / f"{CASE}.yml", fill)
    loaded = _load(project)
    assert loaded.cases[CASE].extra["funding"] == "区财政专项"
    # Both as the loader hands the casebook over today and once it passes the schemas along.
    for book in (loaded, _with_schemas(loaded, project)):
        records = _records(book)
        assert records[CASE]["funding"] == "区财政专项"
        assert records[CASE]["partners"] == ["武汉大学", "社区志愿者协会"]
        assert records[CASE]["budget"] == {"amount": 12.5, "currency": "万元"}
        other = next(r for i, r in records.items() if i != CASE)
        assert other["funding"] is None  # every record has every key
        rows = {r["id"]: r for r in _rows(book)}
        assert rows[CASE]["funding"] == "区财政专项"
        assert rows[CASE]["partners"] == "武汉大学；社区志愿者协会"
        assert (rows[CASE]["budget_amount"], rows[CASE]["budget_currency"]) == ("12.5", "万元")
        assert csv_columns(book)[: len(CSV_COLUMNS)] == CSV_COLUMNS  # new columns come after the old ones


def test_a_schema_field_that_no_rule_takes_stops_the_export_naming_it(book: Casebook) -> None:
    schemas = {name: json.loads(json.dumps(doc)) for name, doc in SchemaSet(ROOT / "data" / "schema").documents.items()}
    schemas["case"]["properties"]["visits"] = {
        "type": "array",
        "items": {"type": "object", "properties": {"date": {"type": "string"}, "who": {"type": "string"}}},
    }
    with pytest.raises(ExportError, match="“visits”"):
        cases_json(replace(book, schemas=schemas))
    with pytest.raises(ExportError, match="“visits”"):
        cases_csv(replace(book, schemas=schemas))

    del schemas["case"]["properties"]["visits"]
    schemas["case"]["properties"]["figures"]["items"]["properties"]["source"] = {"type": "string"}
    with pytest.raises(ExportError, match=r"figures\[\]\.source"):
        cases_json(replace(book, schemas=schemas))

    del schemas["case"]["properties"]["figures"]["items"]["properties"]["source"]
    schemas["case"]["properties"]["year"] = {"type": "integer"}  # the exports already have a "year"
    with pytest.raises(ExportError, match="“year”出现两次"):
        cases_csv(replace(book, schemas=schemas))


def test_a_nested_value_beyond_the_schema_is_named_not_dropped(book: Casebook) -> None:
    case = book.cases[CASE]
    odd = replace(case, extra={"visits": [{"date": "2018-01-01"}]})
    with pytest.raises(ExportError, match="“visits”"):
        cases_csv(replace(book, cases={**book.cases, CASE: odd}))


def test_figure_notes_and_dates_reach_the_csv(book: Casebook) -> None:
    rows = {r["id"]: r for r in _rows(book)}
    assert "“天天敲门十八法” 18法（“天天敲门组”自己摸索出的）" in rows[CASE]["figures"]
    english = rows["jinyinhu-hongse-wuye-waiyu-ban"]["figures"]
    assert "开班时学员 20余人（最初）" in english


# -- one rule each: qualifiers, the case URL -----------------------------------------------
def test_qualifiers_are_the_schemas_and_know_their_place() -> None:
    schema = SchemaSet(ROOT / "data" / "schema").documents["case"]
    assert set(QUALIFIERS) == set(schema["properties"]["figures"]["items"]["properties"]["qualifier"]["enum"])
    shown = {q: Figure("a", "标签", 20, "人", q).display for q in QUALIFIERS}
    assert shown == {"余": "20余人", "多": "20多人", "逾": "逾20人", "约": "约20人", "近": "近20人"}
    assert [q for q in QUALIFIERS if Figure("a", "标签", 20, "人", q).qualifier_before] == ["逾", "约", "近"]
    assert Figure("a", "标签", 20, "人", "近").meaning == "接近但不足 20人"
    assert not Figure("a", "标签", 20, "人").qualifier_before


def test_one_case_url(book: Casebook) -> None:
    from casebook.site import urls

    url = book.site.case_url(CASE)
    assert url == f"{book.site.url}cases/{CASE}/"
    assert case_path(CASE) == urls.case(CASE)  # the renderer's path is the same rule
    assert _records(book)[CASE]["url"] == url
    assert case_citation(book.site, book.cases[CASE]).endswith(f". {url}.")


# -- formula injection ----------------------------------------------------------------------
HOSTILE = {
    "title": '=HYPERLINK("http://x","点此")',
    "summary": "+1+cmd|' /C calc'!A0 这是一段摘要",
    "keyword": "@SUM(1+1)*cmd|' /C calc'!A0",
    "person": "=1+1",
    "district": "-2+3区",
    "theme": "+入户走访",
    "source": '@HYPERLINK("http://x")',
    "figure": "-3+3 敲门法",
}


def test_no_csv_cell_starts_a_formula(project: Path) -> None:
    def record(data: dict[str, Any]) -> None:
        data["title"] = HOSTILE["title"]
        data["summary"] = HOSTILE["summary"]
        data["keywords"] = [HOSTILE["keyword"], *data["keywords"]]
        data["people"] = [{"name": HOSTILE["person"], "role": "@角色"}]
        data["figures"][0]["label"] = HOSTILE["figure"]

    def place(data: dict[str, Any]) -> None:
        next(d for d in data["cities"][0]["districts"] if d["id"] == "qingshan")["name"] = HOSTILE["district"]

    def theme(data: dict[str, Any]) -> None:
        next(t for t in data["themes"] if t["id"] == "ruhu-zoufang")["name"] = HOSTILE["theme"]

    def source(data: dict[str, Any]) -> None:
        data["sources"][0]["title"] = HOSTILE["source"]  # cited without authors: the title leads

    _edit_yaml(project / "cases" / f"{CASE}.yml", record)
    _edit_yaml(project / "data" / "places.yml", place)
    _edit_yaml(project / "data" / "themes.yml", theme)
    _edit_yaml(project / "data" / "sources.yml", source)
    book = _load(project)
    # A tab or a carriage return first: set on the model, whatever the validator makes of them.
    case = book.cases[CASE]
    book.cases["hongshan-jiexiao-qianshou"] = replace(
        book.cases["hongshan-jiexiao-qianshou"], title="\t=1+1 标题", summary="\r=1+1 摘要……", extra={"funding": "-5"}
    )

    raw = cases_csv(book).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(raw, newline="")) for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(raw, newline=""))}
    mine = rows[CASE]
    assert mine["title"] == "'" + HOSTILE["title"]
    assert mine["summary"] == "'" + HOSTILE["summary"]
    assert mine["keywords"].startswith("'" + HOSTILE["keyword"] + "；")
    assert mine["people"] == "'" + HOSTILE["person"] + "（@角色）"
    assert mine["district"] == "'" + HOSTILE["district"]
    assert mine["themes"].startswith("'" + HOSTILE["theme"] + "；")
    assert mine["sources"].startswith("'" + HOSTILE["source"])
    assert mine["figures"].startswith("'" + HOSTILE["figure"])
    other = rows["hongshan-jiexiao-qianshou"]
    assert (other["title"], other["summary"], other["funding"]) == ("'\t=1+1 标题", "'\r=1+1 摘要……", "'-5")
    # The data itself is untouched: only the spreadsheet gets the quote.
    assert _records(book)[CASE]["title"] == HOSTILE["title"] == case.title


def test_case_model_keeps_unmapped_keys_only() -> None:
    for path in sorted((ROOT / "cases").glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert set(raw) <= Case.MAPPED_KEYS, path  # the real records use only mapped keys
        assert Case.build(raw, path.name).extra == {}
    raw["funding"] = "x"
    assert Case.build(raw, "x.yml").extra == {"funding": "x"}


def test_the_open_data_is_kept_until_anything_it_is_made_from_changes(
    book: Casebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build with nothing changed takes the open data from its cache; any record, reference
    entry or setting it is made from makes it again, as the uncached function makes it."""
    from casebook.records.keyed_files import MemoryEntries
    from casebook.site import pages

    memo = MemoryEntries()
    first = pages.open_data_files(book, memo)
    assert [(f.path, f.content) for f in first] == [(f.path, f.content) for f in pages._open_data_files(book)]
    with monkeypatch.context() as m:
        m.setattr(pages, "_open_data_files", lambda b: pytest.fail("made again with nothing changed"))
        again = pages.open_data_files(book, memo)
    assert [(f.path, f.content) for f in again] == [(f.path, f.content) for f in first]

    case = next(iter(book.cases.values()))
    theme = next(iter(book.themes))
    changes = {
        "a record": replace(
            book,
            cases={**book.cases, case.id: replace(case, title="改过的标题")},
            record_digests={**book.record_digests, case.id: b"edited"},
        ),
        "a theme": replace(book, themes={**book.themes, theme: replace(book.themes[theme], name="改名的主题")}),
        "the site": replace(book, site=book.site.deployed("https://example.org/casebook/", "")),
    }
    for what, changed in changes.items():
        made = pages.open_data_files(changed, memo)
        assert [(f.path, f.content) for f in made] == [(f.path, f.content) for f in pages._open_data_files(changed)]
        assert [f.content for f in made] != [f.content for f in first], what
