"""The marker `casebook new` leaves wherever an editor still has to write, and the check that finds it.

A scaffolded record is valid YAML and mostly valid against the schema; what keeps it from being
published is every text that still starts with 待填写. `check()` is meant to be called by the
loader for each case record (see the report of issue 5).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .diagnostics import Diagnostic, field_path
from .yamlfile import KeyPath, YamlDocument

MARKER = "待填写"
CODE = "placeholder"


def text(what: str) -> str:
    """A placeholder for a field described as `what`."""
    return f"{MARKER}：{what}" if what else MARKER


def is_placeholder(value: object) -> bool:
    """A string any line of which starts with the marker: half-filled blocks count too."""
    return isinstance(value, str) and any(line.strip().startswith(MARKER) for line in value.splitlines())


def find(data: Any, path: KeyPath = ()) -> Iterator[KeyPath]:
    """The path of every placeholder in a record, in document order."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from find(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from find(value, (*path, i))
    elif is_placeholder(data):
        yield path


def check(doc: YamlDocument) -> list[Diagnostic]:
    """One error for each field whose text is still a placeholder."""
    if doc.text and MARKER not in doc.text:
        return []  # one substring search instead of a walk: the common case
    out = []
    for path in find(doc.data):
        pos = doc.value_at(path)
        out.append(
            Diagnostic(
                doc.display,
                pos.line,
                pos.column,
                field_path(path),
                f"还没有填写（仍是占位文字“{MARKER}……”）",
                "把占位文字换成所引来源中的内容；选填字段如果来源中没有，就删掉这一项或在行首加 # 注释掉。",
                CODE,
            )
        )
    return out
