"""The fields of a JSON Schema in order, with their `$ref`s resolved: what `casebook new` writes
and what the field reference in docs/contributing.md lists."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Named kinds of the case schema's $defs; anything else is told by its "type".
NAMED_KINDS = ("slug", "date", "partial_date", "markdown")


@dataclass(frozen=True)
class Field:
    """One property of an object schema, its own keywords merged over those of its `$ref`."""

    name: str
    path: str  # e.g. "figures[].value": where it sits, as the field reference shows it
    schema: dict[str, Any]
    required: bool
    kind: str  # slug, date, partial_date, markdown, string, number, integer, enum, array, object
    required_with: str = ""  # required only when this sibling is present (the schema's if/then)

    @property
    def description(self) -> str:
        return str(self.schema.get("description", "")).strip()

    @property
    def example(self) -> Any:
        examples = self.schema.get("examples")
        return examples[0] if isinstance(examples, list) and examples else None

    @property
    def items(self) -> dict[str, Any]:
        items = self.schema.get("items")
        return items if isinstance(items, dict) else {}

    @property
    def item_kind(self) -> str:
        return kind_of(self.items) if self.kind == "array" else ""

    @property
    def has_fields(self) -> bool:
        """An object, or a list of objects: something with fields of its own."""
        return self.kind == "object" or self.item_kind == "object"


def load_schema(root: Path, name: str = "case") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / "data" / "schema" / f"{name}.schema.json").read_text(encoding="utf-8"))
    return data


def ref_name(node: dict[str, Any]) -> str:
    ref = node.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) and ref.startswith("#/$defs/") else ""


def resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """The node with its local `$ref` merged in; the node's own keywords win."""
    name = ref_name(node)
    if not name:
        return node
    target = resolve(root, root.get("$defs", {}).get(name, {}))
    merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    merged["x-kind"] = name
    return merged


def kind_of(node: dict[str, Any]) -> str:
    if node.get("x-kind") in NAMED_KINDS:
        return str(node["x-kind"])
    if ref_name(node) in NAMED_KINDS:
        return ref_name(node)
    if "enum" in node:
        return "enum"
    kind = node.get("type", "string")
    return kind if isinstance(kind, str) else "string"


def fields(root: dict[str, Any], node: dict[str, Any] | None = None, base: str = "") -> list[Field]:
    """The properties of an object schema (the root by default), in the schema's order."""
    node = resolve(root, root if node is None else node)
    required = set(node.get("required", ()))
    out = []
    for name, sub in node.get("properties", {}).items():
        resolved = resolve(root, sub)
        with_ = conditions(node).get(name, "") if name not in required else ""
        out.append(Field(name, f"{base}{name}", resolved, name in required, kind_of(resolved), with_))
    return out


def conditions(node: dict[str, Any]) -> dict[str, str]:
    """{field: sibling} for `if: {required: [sibling]}, then: {required: [field, ...]}`."""
    when = node.get("if", {}).get("required", []) if isinstance(node.get("if"), dict) else []
    then = node.get("then", {}).get("required", []) if isinstance(node.get("then"), dict) else []
    return {name: when[0] for name in then} if len(when) == 1 else {}


def children(root: dict[str, Any], field: Field) -> list[Field]:
    """The fields of an object field, or of each item of a list of objects."""
    if field.kind == "object":
        return fields(root, field.schema, f"{field.path}.")
    if field.item_kind == "object":
        return fields(root, resolve(root, field.items), f"{field.path}[].")
    return []


def example_of(root: dict[str, Any], field: Field) -> Any:
    """An example value with every field present: built from each field's own example."""
    if field.kind == "object":
        return {f.name: example_of(root, f) for f in children(root, field)}
    if field.item_kind == "object":
        return [{f.name: example_of(root, f) for f in children(root, field)}]
    return field.example
