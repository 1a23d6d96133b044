"""A case record as text, made from the schema: every field in the schema's order, each under a
Chinese comment with its description. Optional fields are commented out or empty lists, so the
file stays valid; what must still be written carries the 待填写 marker (see placeholders.py)."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from ..records import placeholders
from .schemafields import Field, children, fields

HEADER = "# yaml-language-server: $schema=../data/schema/case.schema.json"
INTRO = (
    "# 由 casebook new 生成。把每个“待填写……”换成所引来源中的内容，只写来源中有的内容。",
    "# 标“必填”的字段必须填写；标“选填”的字段，来源中没有就保持注释（行首的 #）或空列表 []。",
    "# 要启用注释掉的字段，删掉那几行开头的“# ”（VS Code 中选中后按 Ctrl+/）。",
    "# 填完后运行 .venv/bin/casebook validate 检查，再用 make serve 预览。",
)
MISSING: Any = object()
_FLOW_ITEM = re.compile(r"^[a-z0-9-]+$")
_LABEL_END = re.compile(r"[：，。；（]")
_DATE_KINDS = ("date", "partial_date")
_TEXT_KINDS = ("string", "markdown")


def render(schema: dict[str, Any], values: dict[str, Any]) -> str:
    """The whole record: header, then each top-level field with its comment, one blank line apart.
    schema is the case schema as schemafields.load_schema gives it, every `$ref` resolved."""
    lines = [HEADER, *INTRO]
    if schema.get("description"):
        lines.append(f"# {schema['description']}")
    for field in fields(schema):
        lines += ["", *field_block(field, values.get(field.name, MISSING), 0)]
    return "\n".join(lines) + "\n"


def field_block(field: Field, value: Any, indent: int) -> list[str]:
    """Comment and entry of one field; a missing field is a placeholder, [] or commented out."""
    if value is MISSING and not field.required:
        if field.kind == "array" and field.item_kind != "object":
            return [comment(field, indent, []), *entry(field, [], indent)]
        shown = sample(field)
        return [comment(field, indent, shown), *commented(entry(field, shown, indent), indent)]
    if value is MISSING:
        value = placeholder(field)
    return [comment(field, indent, value), *entry(field, value, indent)]


def comment(field: Field, indent: int, value: Any) -> str:
    """The schema's description and whether the field is required; its example when the value is not one."""
    need = "必填" if field.required else f"有 {field.required_with} 时必填" if field.required_with else "选填"
    text = f"{' ' * indent}# {field.description}（{need}）"
    unwritten = value == [] or placeholders.is_placeholder(value) or value == [placeholders.MARKER]
    if unwritten and field.example is not None and not field.has_fields:
        text += f"例如：{example(field)}"
    return text


def placeholder_text(field: Field) -> str:
    """待填写 and the field's name, taken from the start of its description (背景, 图片说明, ...)."""
    label = _LABEL_END.split(field.description, maxsplit=1)[0]
    if field.kind == "markdown":
        return placeholders.text(f"{label}。只写来源中有的内容；可以分段，段与段之间空一行。")
    return placeholders.text(label)


def placeholder(field: Field) -> Any:
    """The value of a required field nobody gave: it fails validation until it is written."""
    if field.kind == "object":
        return {}
    if field.kind == "array":
        return [{}] if field.item_kind == "object" else [placeholders.MARKER]
    return placeholder_text(field) if field.kind in _TEXT_KINDS else placeholders.MARKER


def sample(field: Field) -> Any:
    """What a commented-out field shows: every field of it, each still to be written, so that
    uncommenting it and forgetting to write fails validation (the comments give the examples)."""
    if field.has_fields:
        item = {kid.name: sample(kid) for kid in children(field)}
        return [item] if field.kind == "array" else item
    if field.kind == "array":
        one = placeholder_text(field) if field.item_kind in _TEXT_KINDS else placeholders.MARKER
        return [one] * max(1, int(field.schema.get("minItems", 1)))
    return placeholder_text(field) if field.kind in _TEXT_KINDS else placeholders.MARKER


def entry(field: Field, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if field.kind == "markdown" and isinstance(value, str):
        return [f"{pad}{field.name}: |", *(f"{pad}  {line}" if line else "" for line in value.splitlines())]
    if isinstance(value, dict):
        return [f"{pad}{field.name}:", *object_body(children(field), value, indent + 2)]
    if isinstance(value, list) and field.item_kind == "object" and value:
        kids = children(field)
        return [f"{pad}{field.name}:", *(line for item in value for line in list_item(kids, item, indent))]
    if field.kind in _DATE_KINDS and isinstance(value, str) and not placeholders.is_placeholder(value):
        return [f"{pad}{field.name}: {json.dumps(value)}"]
    if isinstance(value, list) and not all(v == placeholders.MARKER or _FLOW_ITEM.match(str(v)) for v in value):
        return [f"{pad}{field.name}:", *(f"{pad}  - {scalar(v)}" for v in value)]
    return [f"{pad}{field.name}: {inline(value)}"]


def object_body(kids: list[Field], value: dict[str, Any], indent: int) -> list[str]:
    return [line for kid in kids for line in field_block(kid, value.get(kid.name, MISSING), indent)]


def list_item(kids: list[Field], item: dict[str, Any], indent: int) -> list[str]:
    """One `- ` item of a list of objects: the dash goes on its first key that is not commented out."""
    body = object_body(kids, item, indent + 4)
    first = next(i for i, line in enumerate(body) if not line.lstrip().startswith("#"))
    head = [line[2:] for line in body[:first]]
    dashed = body[first][: indent + 2] + "- " + body[first][indent + 4 :]
    return [*head, dashed, *body[first + 1 :]]


def commented(lines: list[str], indent: int) -> list[str]:
    """Lines commented out at the block's own indent, so removing "# " restores them exactly."""
    pad = " " * indent
    return [f"{line[:indent]}# {line[indent:]}" if line.strip() else f"{pad}#" for line in lines]


def example(field: Field) -> str:
    """The schema's example of a field on one line, dates quoted as the records write them."""
    if field.kind in _DATE_KINDS and isinstance(field.example, str):
        return json.dumps(field.example)
    return inline(field.example)


def inline(value: Any) -> str:
    """A value on one line: flow lists and mappings, scalars quoted only when YAML needs it."""
    if isinstance(value, list):
        return "[" + ", ".join(inline(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {inline(v)}" for k, v in value.items()) + "}"
    return scalar(value)


def scalar(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return json.dumps(value)
    dumped = yaml.safe_dump(str(value), allow_unicode=True, width=10**6).removesuffix("\n").removesuffix("\n...")
    needs_quotes = dumped.startswith(("'", '"')) or any(c in dumped for c in ",[]{}")
    return json.dumps(str(value), ensure_ascii=False) if needs_quotes else dumped
