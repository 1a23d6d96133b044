"""Cross-reference checks: every id a record names must exist, with a "did you mean" when not.

These run on data that may have failed the schema, so every access is guarded: a
wrong shape was already reported there and is skipped here.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .diagnostics import Diagnostic, field_path
from .yamlfile import KeyPath, YamlDocument


@dataclass
class Vocabulary:
    """Known ids of one kind, with their Chinese names so 洪山区 can suggest hongshan."""

    what: str  # e.g. "支柱", shown in messages
    where: str  # the file that defines them
    names: dict[str, str] = field(default_factory=dict)
    # Its file did not load or its ids could not be read: that file's own errors say so, and
    # references to it are not judged (each would be reported as unknown).
    broken: bool = False

    def suggest(self, value: str) -> str:
        if value in self.names.values():
            ident = next(k for k, v in self.names.items() if v == value)
            return f"这里要写 id，不是名称：你是不是想写 {ident}（{value}）？"
        close = difflib.get_close_matches(value, list(self.names), n=1, cutoff=0.6)
        if not close:
            by_name = difflib.get_close_matches(value, list(self.names.values()), n=1, cutoff=0.5)
            close = [next(k for k, v in self.names.items() if v == by_name[0])] if by_name else []
        if close:
            return f"你是不是想写 {close[0]}（{self.names[close[0]]}）？"
        listing = "、".join(f"{k}（{v}）" for k, v in list(self.names.items())[:12])
        more = " 等" if len(self.names) > 12 else ""
        return f"{self.where} 中现有的{self.what}：{listing}{more}。如果是新的{self.what}，请先在 {self.where} 中添加。"


def unknown(doc: YamlDocument, path: KeyPath, value: Any, vocab: Vocabulary) -> Iterator[Diagnostic]:
    if isinstance(value, str) and value not in vocab.names and not vocab.broken:
        pos = doc.value_at(path)
        yield Diagnostic(
            doc.display,
            pos.line,
            pos.column,
            field_path(path),
            f"引用了不存在的{vocab.what}“{value}”",
            vocab.suggest(value),
            "ref.unknown",
        )


def list_at(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def duplicate_ids(doc: YamlDocument, items: list[tuple[KeyPath, Any]], what: str) -> Iterator[Diagnostic]:
    """Ids defined twice inside one reference file."""
    first: dict[str, KeyPath] = {}
    for path, item in items:
        ident = item.get("id") if isinstance(item, dict) else None
        if not isinstance(ident, str):
            continue
        here = (*path, "id")
        if ident in first:
            pos, prev = doc.value_at(here), doc.value_at(first[ident])
            yield Diagnostic(
                doc.display,
                pos.line,
                pos.column,
                field_path(here),
                f"{what} id “{ident}” 重复（第一次在第 {prev.line} 行）",
                "每个 id 只能定义一次：改名或删除其中一个。",
                "ref.duplicate",
            )
        else:
            first[ident] = here


def parse_date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    parts = value.split("-")
    try:
        nums = [int(p) for p in parts]
        return dt.date(nums[0], nums[1] if len(nums) > 1 else 1, nums[2] if len(nums) > 2 else 1)
    except (ValueError, IndexError):
        return None


def date_order(doc: YamlDocument, early: KeyPath, late: KeyPath, message: str, hint: str) -> Iterator[Diagnostic]:
    def get(path: KeyPath) -> Any:
        node: Any = doc.data
        for part in path:
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    a, b = parse_date(get(early)), parse_date(get(late))
    if a and b and b < a:
        pos = doc.value_at(late)
        yield Diagnostic(doc.display, pos.line, pos.column, field_path(late), message, hint, "date.order")


def names(items: Mapping[str, Any], attr: str = "name") -> dict[str, str]:
    return {k: getattr(v, attr) for k, v in items.items()}


def cited_source(
    doc: YamlDocument, path: KeyPath, value: Any, citable: Vocabulary, every: Vocabulary
) -> Iterator[Diagnostic]:
    """A source a case or policy cites: known, and not an outlet (a name for photo credits)."""
    if isinstance(value, str) and value not in citable.names and value in every.names and not citable.broken:
        pos = doc.value_at(path)
        yield Diagnostic(
            doc.display,
            pos.line,
            pos.column,
            field_path(path),
            f"“{value}”（{every.names[value]}）是图片署名用的媒体（kind: outlet），不能作为来源引用",
            "引用具体的文章、网页或文件：在 data/sources.yml 中按它的类型（journal、newspaper、web、"
            "government、book、report）添加一条，写上题名、日期等，再在这里写它的 id。",
            "ref.outlet",
        )
        return
    yield from unknown(doc, path, value, citable)


def policy_cycles(doc: YamlDocument, items: list[tuple[KeyPath, Any]]) -> Iterator[Diagnostic]:
    """Policies form a tree: following `parent` from any policy must end, never come back."""
    parent = {
        item["id"]: (item["parent"], path)
        for path, item in items
        if isinstance(item.get("id"), str) and isinstance(item.get("parent"), str) and item["parent"] != item["id"]
    }
    reported: set[str] = set()
    for start in parent:
        seen: list[str] = []
        node = start
        while node in parent and node not in seen:
            seen.append(node)
            node = parent[node][0]
        if node in seen and node == start and not reported.intersection(seen):
            reported.update(seen)
            where = doc.value_at((*parent[start][1], "parent"))
            yield Diagnostic(
                doc.display,
                where.line,
                where.column,
                field_path((*parent[start][1], "parent")),
                "上级政策形成了循环：" + " → ".join([*seen, start]),
                "政策的上下级是一棵树：删去其中一个 parent。",
                "ref.cycle",
            )
