"""Open data: every published case as JSON, CSV (for Excel) and an Atom feed.

The case schema decides what is exported. Each of its top-level properties reaches
`cases.json`, and `cases.csv` gives it columns or leaves it out by a stated rule. A property
is taken by the first of these rules that fits it:

1. `RESOLVED`: properties whose ids are resolved to names (pillars, places, themes, policies,
   sources) or that the model shapes (figures, people ...): one hand-written entry each.
2. Markdown text (`contentMediaType: text/markdown`): JSON only; articles do not fit a cell.
3. `JSON_ONLY`: named here, with the reason.
4. A scalar, or a list of scalars: one column, list items joined with "；".
5. An object whose properties are scalars or lists of them: one column per property,
   `<property>_<sub-property>` (period -> period_start, period_end).

Anything else stops the export with an `ExportError` naming the property, so that a field is
never dropped without a word. The same plan is made from the schema by `plan()`.

Nothing here depends on the time of the build: the same records give the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from referencing import Registry
from referencing.jsonschema import DRAFT202012

from ..citation import source_citation
from ..dates import date_zh
from ..model import Case, Casebook

if TYPE_CHECKING:  # referencing exports the class only from its core module
    from referencing._core import Resolver

LIST_SEPARATOR = "；"
# OWASP's CSV-injection rule: Excel, WPS and LibreOffice start a formula at a cell whose first
# character is one of these, even in a file opened by a double click.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Record = dict[str, Any]
Node = Mapping[str, Any]


class ExportError(ValueError):
    """The case schema has a property that no export rule takes (or two that clash)."""


@dataclass(frozen=True)
class Rule:
    """How one top-level property of a case reaches the open data."""

    keys: tuple[str, ...]  # what it adds to a case's JSON record
    json: Callable[[Casebook, Case], Record]
    columns: tuple[str, ...] = ()  # its CSV columns; () = JSON only
    cells: Callable[[Record], Sequence[Any]] | None = None  # those columns, read from the JSON record
    # Sub-properties the hand-written JSON carries; the schema may not hold more (they would be
    # dropped). None: the property has no sub-properties of its own.
    reads: frozenset[str] | None = None


def _names(items: Iterable[str]) -> str:
    return LIST_SEPARATOR.join(items)


def _figure_text(f: Record) -> str:
    """组织召开党建联席会议 180余次（开班时，2018年数据）: what the page shows beside the figure."""
    details = [x for x in (f["note"], f"{date_zh(f['as_of'])}数据" if f["as_of"] else "") if x]
    return f"{f['label']} {f['display']}" + (f"（{'，'.join(details)}）" if details else "")


def _period(book: Casebook, case: Case) -> Record:
    return {
        "period": {"start": case.period_start, "end": case.period_end or None} if case.period_start else None,
        "year": book.year(case),
    }


def _place(book: Casebook, case: Case) -> Record:
    return {"place": {p.level: {"id": p.id, "name": p.name} for p in book.place_chain(case)}}


def _place_cells(r: Record) -> tuple[str, ...]:
    return tuple(r["place"].get(level, {}).get("name", "") for level in ("city", "district", "street", "community"))


def _figures(book: Casebook, case: Case) -> Record:
    return {
        "figures": [
            {
                "id": f.anchor,
                "label": f.label,
                "value": f.value,
                "unit": f.unit,
                "qualifier": f.qualifier or None,
                "display": f.display,
                "as_of": f.as_of or None,
                "note": f.note or None,
                "per": f.per or None,
                "span": f.span or None,
            }
            for f in case.figures
        ]
    }


def _media(book: Casebook, case: Case) -> Record:
    return {
        "media": [
            {
                "caption": m.caption,
                # a source's name, or the credit line as the source printed it
                "credit": (book.sources[m.credit].title if m.credit in book.sources else m.credit) or None,
                "alt": m.alt or None,
                "file": m.file or None,
            }
            for m in case.media
        ]
    }


def _sources(book: Casebook, case: Case) -> Record:
    return {
        "sources": [
            {
                "ref": r.ref,
                "citation": source_citation(book.sources[r.ref], r),
                "page": r.page or None,
                "note": r.note or None,
            }
            for r in case.sources
        ]
    }


def _teaching(book: Casebook, case: Case) -> Record:
    t = case.teaching
    if t.empty:
        return {"teaching": None}
    # Written by the casebook's editors, not by the cited source: readers of the data must know.
    plan, followup = t.plan, t.followup
    return {
        "teaching": {
            "author": "编者",
            "written_by": t.written_by or None,
            "objectives": list(t.objectives),
            "use": t.use or None,
            "questions": list(t.questions),
            "analysis": list(t.analysis),
            "points": list(t.points),
            "plan": {
                "minutes": plan.minutes,
                "steps": [{"stage": s.stage, "minutes": s.minutes, "activity": s.activity} for s in plan.steps],
            }
            if plan
            else None,
            "followup": {
                "text": followup.text,
                "source": {
                    "ref": followup.source.ref,
                    "citation": source_citation(book.sources[followup.source.ref], followup.source),
                },
            }
            if followup
            else None,
        }
    }


RESOLVED: Mapping[str, Rule] = {
    "id": Rule(
        ("id", "url"),
        lambda book, case: {"id": case.id, "url": book.site.case_url(case.id)},
        ("id", "url"),
        lambda r: (r["id"], r["url"]),
    ),
    "pillars": Rule(
        ("pillars",),
        lambda book, case: {
            "pillars": [
                {"id": p, "number": book.pillars[p].number, "title": book.pillars[p].title} for p in case.pillars
            ]
        },
        ("pillars",),
        lambda r: (_names(f"“{p['number']}”{p['title']}" for p in r["pillars"]),),
    ),
    "policies": Rule(
        ("policies",),
        lambda book, case: {"policies": [{"id": p, "name": book.policies[p].name} for p in case.policies]},
        ("policies",),
        lambda r: (_names(p["name"] for p in r["policies"]),),
    ),
    "place": Rule(
        ("place",),
        _place,
        ("city", "district", "street", "community"),
        _place_cells,
        frozenset({"district", "street", "community"}),
    ),
    "period": Rule(
        ("period", "year"),
        _period,
        ("year", "period_start", "period_end"),
        lambda r: (r["year"], *((r["period"]["start"], r["period"]["end"]) if r["period"] else ("", ""))),
        frozenset({"start", "end"}),
    ),
    "themes": Rule(
        ("themes",),
        lambda book, case: {"themes": [{"id": t, "name": book.themes[t].name} for t in case.themes]},
        ("themes",),
        lambda r: (_names(t["name"] for t in r["themes"]),),
    ),
    "figures": Rule(
        ("figures",),
        _figures,
        ("figures",),
        lambda r: (_names(_figure_text(f) for f in r["figures"]),),
        frozenset({"id", "label", "value", "unit", "qualifier", "as_of", "note", "per", "span"}),
    ),
    "quotes": Rule(
        ("quotes",),
        lambda book, case: {
            "quotes": [{"text": q.text, "speaker": q.speaker, "role": q.role or None} for q in case.quotes]
        },
        reads=frozenset({"text", "speaker", "role"}),
    ),
    "people": Rule(
        ("people",),
        lambda book, case: {"people": [{"name": p.name, "role": p.role} for p in case.people]},
        ("people",),
        lambda r: (_names(f"{p['name']}（{p['role']}）" for p in r["people"]),),
        frozenset({"name", "role"}),
    ),
    "media": Rule(("media",), _media, reads=frozenset({"caption", "credit", "alt", "file"})),
    "sources": Rule(
        ("sources",),
        _sources,
        ("sources",),
        lambda r: (_names(s["citation"] for s in r["sources"]),),
        frozenset({"ref", "page", "note"}),
    ),
    "teaching": Rule(
        ("teaching",),
        _teaching,
        reads=frozenset({"written_by", "objectives", "use", "questions", "analysis", "points", "plan", "followup"}),
    ),
}

# Properties that stay out of the spreadsheet, and why. A new nested property that should not be
# flattened into columns is named here.
JSON_ONLY: Mapping[str, str] = {
    "quotes": "原话带说话人和身份，一格放不下",
    "media": "图片说明、署名和文件是成组的",
    "teaching": "教学参考是成组的长文本",
}

# Where cases.json's schema is published (export_schema.py makes it).
EXPORT_SCHEMA = "schema/cases.export.schema.json"

# The record file a case comes from, after every property of the schema.
TRAILER = ("record",)


# Shapes inferred for values that records hold beyond the schema.
_STRING: Node = {"type": "string"}
_STRINGS: Node = {"type": "array", "items": _STRING}


# -- the plan: which rule takes each property ---------------------------------------------
class _Schema:
    """The case schema's nodes with every $ref followed, through one registry of the project's
    schemas (a reference may point into another file)."""

    def __init__(self, schemas: Mapping[str, Node]) -> None:
        case = schemas["case"]
        registry: Registry[Any] = Registry().with_resources(
            (doc["$id"], DRAFT202012.create_resource(doc)) for doc in schemas.values() if "$id" in doc
        )
        resolver = registry.resolver(base_uri=case.get("$id", ""))
        self.properties: Mapping[str, Node] = {
            name: self.resolve(node, resolver) for name, node in case.get("properties", {}).items()
        }

    def resolve(self, node: Node, resolver: Resolver[Any], depth: int = 0) -> Node:
        """The node with its $refs followed, deeply (sub-schemas come out resolved as well); a
        reference inside another file is read against that file."""
        if depth > 30:
            raise ExportError("case.schema.json 的 $ref 嵌套太深")
        if not isinstance(node, Mapping):
            return node
        if "$ref" in node:
            found = resolver.lookup(node["$ref"])
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return self.resolve({**found.contents, **rest}, found.resolver, depth + 1)
        out = dict(node)
        if isinstance(node.get("properties"), Mapping):
            out["properties"] = {p: self.resolve(n, resolver, depth + 1) for p, n in node["properties"].items()}
        if isinstance(node.get("items"), Mapping):
            out["items"] = self.resolve(node["items"], resolver, depth + 1)
        return out


SCALAR_TYPES = frozenset({"string", "number", "integer", "boolean"})


def _kind(node: Node) -> str:
    """scalar | list | object | markdown | other, from a resolved schema node."""
    if node.get("contentMediaType") == "text/markdown":
        return "markdown"
    if "const" in node or "enum" in node:
        values = node.get("enum", [node.get("const")])
        return "scalar" if all(isinstance(v, str | int | float | bool) or v is None for v in values) else "other"
    declared = node.get("type")
    types = ({declared} if isinstance(declared, str) else set(declared or ())) - {"null"}
    if types and types <= SCALAR_TYPES:
        return "scalar"
    if types == {"array"} and isinstance(node.get("items"), Mapping) and _kind(node["items"]) == "scalar":
        return "list"
    if types == {"object"} and node.get("properties"):
        subs = node["properties"].values()
        return "object" if all(_kind(s) in ("scalar", "list") for s in subs) else "other"
    return "other"


def _nested(node: Node) -> list[str]:
    """The sub-properties of an object, or of the objects of an array."""
    inner = node.get("items", node) if node.get("type") == "array" else node
    return list(inner.get("properties", {})) if isinstance(inner, Mapping) else []


def _value(case: Case, name: str) -> Any:
    """A property as plain data: from the model when it maps it, else as the record wrote it."""
    if name not in Case.MAPPED_KEYS:
        return case.extra.get(name)
    value = getattr(case, name)
    if isinstance(value, tuple):
        return list(value)
    return None if value == "" else value


def _plain(name: str, node: Node) -> Rule:
    """Rules 2 to 5: a property that the model does not resolve, carried as written."""

    def as_json(book: Casebook, case: Case) -> Record:
        return {name: _value(case, name)}

    kind = _kind(node)
    if kind == "markdown" or name in JSON_ONLY:
        return Rule((name,), as_json)
    if kind in ("scalar", "list"):
        return Rule((name,), as_json, (name,), lambda r: (r[name],))
    if kind == "object":
        subs = tuple(node["properties"])
        return Rule(
            (name,),
            as_json,
            tuple(f"{name}_{s}" for s in subs),
            lambda r: tuple((r[name] or {}).get(s) for s in subs),
        )
    raise ExportError(
        f"case.schema.json 的字段“{name}”没有导出规则：它不是文字、数字、这些的列表，也不是只含这些的对象，"
        "cases.csv 不知道怎样放它。请在 exports.py 的 RESOLVED 里为它写一条规则，或把它列入 JSON_ONLY。"
    )


def _inferred(values: list[Any]) -> Node:
    """The shape of a property that no schema describes, from the values the records hold."""

    def scalar(v: Any) -> bool:
        return isinstance(v, str | int | float | bool)

    if all(scalar(v) for v in values):
        return _STRING
    if all(isinstance(v, list) and all(scalar(x) for x in v) for v in values):
        return _STRINGS
    if all(isinstance(v, dict) and all(scalar(x) for x in v.values()) for v in values):
        return {"type": "object", "properties": {k: _STRING for k in sorted({k for v in values for k in v})}}
    return {}


def plan(book: Casebook) -> list[tuple[str, Rule]]:
    """Each property of the case schema in its order, with the rule that exports it; then any
    property that records hold beyond the schema. Raises ExportError naming what no rule takes."""
    if "case" not in book.schemas:
        raise ExportError("没有读到 case.schema.json：开放数据按它的字段导出。")
    properties = dict(_Schema(book.schemas).properties)
    seen: dict[str, list[Any]] = {}
    for case in book.cases_by_title:
        for name, value in case.extra.items():
            if name not in properties and value is not None:
                seen.setdefault(name, []).append(value)
    properties.update({name: _inferred(seen[name]) for name in sorted(seen)})

    out: list[tuple[str, Rule]] = []
    for name, node in properties.items():
        rule = RESOLVED.get(name) or _plain(name, node)
        if rule.reads is not None:
            extra = [s for s in _nested(node) if s not in rule.reads]
            if extra:
                where = f"{name}[]" if node.get("type") == "array" else name
                raise ExportError(
                    f"case.schema.json 的字段“{where}.{extra[0]}”没有导出规则：exports.py 的 RESOLVED"
                    f"“{name}”只写出 {'、'.join(sorted(rule.reads))}。请把它加进这条规则。"
                )
        if not rule.columns and name not in JSON_ONLY and _kind(node) != "markdown":
            raise ExportError(f"case.schema.json 的字段“{name}”在 cases.csv 里没有列，也不在 JSON_ONLY 里。")
        out.append((name, rule))
    for what, names in (
        ("cases.json 的键", [k for _, r in out for k in r.keys] + list(TRAILER)),
        ("cases.csv 的列", [c for _, r in out for c in r.columns]),
    ):
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ExportError(f"{what}“{twice[0]}”出现两次：case.schema.json 的新字段与已有的{what}重名，请改名。")
    return out


# -- the exports ------------------------------------------------------------------------
def _record(book: Casebook, case: Case, rules: list[tuple[str, Rule]]) -> Record:
    out: Record = {}
    for _, rule in rules:
        out.update(rule.json(book, case))
    out["record"] = case.path
    return out


def case_record(book: Casebook, case: Case) -> Record:
    """A case with its references resolved to names, as a reader of the data wants it."""
    return _record(book, case, plan(book))


def cases_json(book: Casebook) -> str:
    rules = plan(book)
    payload = {
        "schema_version": book.schema_version,
        # The export's own schema (export_schema.py), which refers to the record schema for the fields they share.
        "schema": book.site.page_url(EXPORT_SCHEMA),
        "publisher": book.site.publisher,
        "count": len(book.cases),
        "cases": [_record(book, c, rules) for c in book.cases_by_title],
    }
    # Compact: the standard library encodes indented JSON in pure Python, ten times slower, and
    # readers of the data load it with a program anyway.
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n"


def csv_cell(value: Any) -> str:
    """A value as a spreadsheet cell: lists joined, and never a formula (FORMULA_START)."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list | tuple):
        text = _names(csv_cell(v) for v in value)
    else:
        text = str(value)
    # The quote makes the spreadsheet read the cell as text; it is applied to every cell, ours
    # included, so that no column can be overlooked.
    return "'" + text if text.startswith(FORMULA_START) else text


def cases_csv(book: Casebook) -> bytes:
    """UTF-8 with a byte-order mark: without it Excel on Windows reads Chinese as mojibake."""
    rules = plan(book)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(c) for _, rule in rules for c in rule.columns])
    for case in book.cases_by_title:
        record = _record(book, case, rules)
        row: list[str] = []
        for _, rule in rules:
            if rule.cells is not None:
                row += [csv_cell(v) for v in rule.cells(record)]
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8-sig")


def csv_columns(book: Casebook) -> list[str]:
    return [c for _, rule in plan(book) for c in rule.columns]


ATOM = "http://www.w3.org/2005/Atom"


def _stamp(date: str) -> str:
    # Records carry dates, not times; midnight in China's time zone is what the editor meant.
    return f"{date}T00:00:00+08:00"


def atom_feed(book: Casebook) -> str:
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str = "", **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text:
            el.text = text
        return el

    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "zh-Hans"})
    newest = sorted(book.cases.values(), key=lambda c: (c.last_changed, c.id), reverse=True)
    sub(feed, "id", book.site.url)
    sub(feed, "title", book.site.name)
    sub(feed, "subtitle", "新收录和更新的基层治理案例")
    sub(feed, "link", href=book.site.page_url("feed.xml"), rel="self")
    sub(feed, "link", href=book.site.url)
    sub(feed, "updated", _stamp(newest[0].last_changed) if newest else _stamp("2000-01-01"))
    author = sub(feed, "author")
    sub(author, "name", book.site.publisher)
    for case in newest:
        entry = sub(feed, "entry")
        url = book.site.case_url(case.id)
        sub(entry, "id", url)
        sub(entry, "title", case.title)
        sub(entry, "link", href=url)
        sub(entry, "published", _stamp(case.added))
        sub(entry, "updated", _stamp(case.last_changed))
        sub(entry, "summary", case.summary)
        for p in case.pillars:
            sub(entry, "category", term=p, label=book.pillars[p].title)
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
