"""数据字典: every key of cases.json and every column of cases.csv (and of the workbook), told
in Chinese from the titles and descriptions of the export schema and the record schema it
refers to. Nothing here describes a field itself: a field without a description in the schemas
has none here, and the tests say so."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from referencing import Registry
from referencing.jsonschema import DRAFT202012

from ..model import Casebook
from .export_schema import NAME, export_schema
from .exports import LIST_SEPARATOR, csv_columns

if TYPE_CHECKING:  # referencing exports the class only from its core module
    from referencing._core import Resolver

Node = Mapping[str, Any]

TYPES = {
    "string": "文字",
    "integer": "整数",
    "number": "数字",
    "boolean": "是/否",
    "array": "列表",
    "object": "对象",
}
FORMATS = {
    "date": "日期 YYYY-MM-DD",
    "partial-date": "日期 YYYY、YYYY-MM 或 YYYY-MM-DD",
    "uri-reference": "网址",
    "uri": "网址",
}

# The CSV columns that are not a key of cases.json by the same name (or `<key>_<sub-key>`, which
# is found by itself): the key each one is read from, and how the cell writes it.
CSV_FROM: Mapping[str, tuple[str, str]] = {
    "pillars": ("pillars", "每项写作“序号”名称"),
    "policies": ("policies", "写名称"),
    "themes": ("themes", "写名称"),
    "city": ("place.city", "写名称"),
    "district": ("place.district", "写名称"),
    "street": ("place.street", "写名称，来源没写时留空"),
    "community": ("place.community", "写名称，来源没写时留空"),
    "period_start": ("period.start", ""),
    "period_end": ("period.end", "仍在进行时留空"),
    "figures": ("figures", "每项写作“名称 数值（说明，截至时间）”，与页面上相同"),
    "people": ("people", "每项写作“姓名（身份）”"),
    "sources": ("sources", "每项为来源的 GB/T 7714 著录"),
}


@dataclass(frozen=True)
class KeyRow:
    """One key of cases.json."""

    path: str  # cases[].figures[].value
    title: str
    kind: str  # 文字, 整数, 列表 ...
    presence: str  # 必有 / 可为 null / 可为空列表 / 可省略
    description: str


@dataclass(frozen=True)
class ColumnRow:
    """One column of cases.csv (and of the workbook's 案例 sheet)."""

    name: str  # the CSV header
    title: str  # the workbook header
    key: str  # the key of cases.json it is read from
    description: str
    how: str  # how the cell writes it


class _Walker:
    def __init__(self, book: Casebook, schema: Node) -> None:
        docs = [*book.schemas.values(), schema]
        registry: Registry[Any] = Registry().with_resources(
            (d["$id"], DRAFT202012.create_resource(d)) for d in docs if "$id" in d
        )
        self.root = registry.resolver(base_uri=NAME)
        self.rows: list[KeyRow] = []

    def resolve(self, node: Node, resolver: Resolver[Any]) -> tuple[Node, Resolver[Any]]:
        """The node with its $ref followed (its own title and description win over the target's)."""
        for _ in range(30):
            if "$ref" not in node:
                return node, resolver
            found = resolver.lookup(node["$ref"])
            rest = {k: v for k, v in node.items() if k != "$ref"}
            node, resolver = {**found.contents, **rest}, found.resolver
        raise ValueError("$ref 嵌套太深")

    def walk(self, path: str, node: Node, resolver: Resolver[Any], required: bool) -> None:
        node, resolver = self.resolve(node, resolver)
        presence = "必有" if required else "可省略"
        main = node
        if "anyOf" in node:
            alternatives = [self.resolve(a, resolver) for a in node["anyOf"]]
            kept = []
            for alt, alt_resolver in alternatives:
                if alt.get("type") == "null":
                    presence = "可为 null"
                elif alt.get("type") == "array" and alt.get("maxItems") == 0:
                    presence = "可为空列表" if presence == "必有" else presence + " 或空列表"
                else:
                    kept.append((alt, alt_resolver))
            if kept:
                first, resolver = kept[0]
                main = {**first, **{k: v for k, v in node.items() if k != "anyOf"}}
        declared = main.get("type")
        if isinstance(declared, list) and "null" in declared:
            presence = "可为 null"
        self.rows.append(KeyRow(path, main.get("title", ""), _kind(main), presence, main.get("description", "")))
        if main.get("type") == "array" and isinstance(main.get("items"), Mapping):
            items, items_resolver = self.resolve(main["items"], resolver)
            if items.get("type") == "object":
                self.properties(f"{path}[]", items, items_resolver)
        elif main.get("type") == "object":
            self.properties(path, main, resolver)

    def properties(self, path: str, node: Node, resolver: Resolver[Any]) -> None:
        required = set(node.get("required", ()))
        for key, sub in node.get("properties", {}).items():
            self.walk(f"{path}.{key}" if path else key, sub, resolver, key in required)


def _kind(node: Node) -> str:
    if "const" in node:
        return f"固定为“{node['const']}”"
    if "enum" in node:
        return "以下之一：" + "、".join(str(v) for v in node["enum"])
    if node.get("format") in FORMATS:
        return FORMATS[node["format"]]
    if node.get("contentMediaType") == "text/markdown":
        return "Markdown 文字"
    declared = node.get("type")
    types = [declared] if isinstance(declared, str) else list(declared or ())
    words = [TYPES[t] for t in types if t in TYPES]
    if node.get("type") == "array" and isinstance(node.get("items"), Mapping):
        inner = node["items"]
        if inner.get("type") in TYPES and inner.get("type") not in ("array", "object"):
            return f"{TYPES[inner['type']]}的列表"
    return "或".join(words) if words else "文字"


def json_keys(book: Casebook) -> list[KeyRow]:
    """Every key of cases.json, the wrapper's first, in the order the file writes them."""
    schema = export_schema(book)
    walker = _Walker(book, schema)
    walker.properties("", schema, walker.root)
    return walker.rows


def csv_columns_doc(book: Casebook, keys: list[KeyRow] | None = None) -> list[ColumnRow]:
    """Every column of cases.csv, with the key of cases.json it comes from."""
    by_path = {r.path: r for r in (keys or json_keys(book))}
    out = []
    for column in csv_columns(book):
        key, how = CSV_FROM.get(column, (column, ""))
        row = by_path.get(f"cases[].{key}")
        if row is None and "_" in column:
            key = column.replace("_", ".", 1)
            row = by_path.get(f"cases[].{key}")
        if row is None:
            raise ValueError(f"数据字典找不到 cases.csv 的列“{column}”对应的 cases.json 键")
        # A list's items share one cell (exports.csv_cell joins them).
        joined = f"多项用“{LIST_SEPARATOR}”分隔" if "列表" in row.kind else ""
        how = "，".join(p for p in (how, joined) if p)
        out.append(ColumnRow(column, row.title or column, key, row.description, how))
    return out
