"""The fields of a JSON Schema in order, with their `$ref`s resolved: what `casebook new` writes,
checks the id and title with, and what the field reference in docs/contributing.md lists.

References are followed through the project's one `referencing.Registry` (the validator's, see
schemas.SchemaSet), so a `$ref` means here what it means when a record is checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from referencing.exceptions import Unresolvable

from ..records.schemas import SchemaSet

if TYPE_CHECKING:  # referencing exports these only from its private module
    from referencing import Registry
    from referencing._core import Resolver

# Named kinds of the case schema's $defs; anything else is told by its "type". An id is a slug
# that may also not be one of the names the site keeps for itself.
NAMED_KINDS = ("id", "slug", "date", "partial_date", "markdown")
# Where resolve() notes the named kind a node was reached through: a key no schema author writes.
KIND = "x-casebook-kind"
# Keywords whose value is data (or a list of names), not a schema: nothing in them is a reference.
_VALUES = frozenset({"enum", "const", "examples", "default", "required"})
# Keywords whose value maps names to schemas: a property may be called "$ref" without being one.
_NAMED = frozenset({"properties", "patternProperties", "dependentSchemas"})
_MAX_DEPTH = 50  # a schema that refers to itself would otherwise be followed for ever


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


# -- resolving ---------------------------------------------------------------------------


def registry(schema_dir: Path) -> Registry[Any]:
    """Every schema of the project, by its $id: the registry the validator checks records with."""
    return SchemaSet(schema_dir).registry


def resolver(schema_dir: Path, name: str = "case") -> Resolver[Any]:
    """A resolver for the `$ref`s written in data/schema/<name>.schema.json (relative to that
    file; a reference into another schema file works too)."""
    return _resolver(SchemaSet(schema_dir), name)


def _resolver(schemas: SchemaSet, name: str) -> Resolver[Any]:
    return schemas.registry.resolver(base_uri=str(schemas.documents[name].get("$id", "")))


def resolve(node: Any, where: Resolver[Any], depth: int = 0) -> Any:
    """node with every `$ref`, at any depth, replaced by what it points to; a node's own keywords
    win over its target's. The named kind (NAMED_KINDS) a node is reached through is kept under
    KIND: the nearest one, so that an id defined as a slug with more rules is still a slug."""
    if depth > _MAX_DEPTH:
        raise ValueError("schema 的 $ref 嵌套太深（是否引用了自己？）")
    if isinstance(node, list):
        return [resolve(item, where, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    own: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("$ref", "$defs"):  # $defs are reached through the references to them
            continue
        if key in _VALUES:
            own[key] = value
        elif key in _NAMED and isinstance(value, dict):
            own[key] = {name: resolve(sub, where, depth + 1) for name, sub in value.items()}
        else:
            own[key] = resolve(value, where, depth + 1)
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return own
    found = where.lookup(ref)
    merged = {**resolve(found.contents, found.resolver, depth + 1), **own}
    name = ref.rpartition("/$defs/")[2] if "/$defs/" in ref else ""
    if name in NAMED_KINDS:
        merged[KIND] = name
    return merged


class SchemaError(Exception):
    """The schema files cannot be read or resolved; the message says so in Chinese."""


def load_schema(root: Path, name: str = "case") -> dict[str, Any]:
    """data/schema/<name>.schema.json of the project at root, every `$ref` resolved; its own
    $defs stay, resolved too, for a rule asked for by name (see definition())."""
    schemas = SchemaSet(root / "data" / "schema")
    try:
        document, where = schemas.documents[name], _resolver(schemas, name)
        resolved: dict[str, Any] = resolve(document, where)
        resolved["$defs"] = {key: resolve(sub, where) for key, sub in document.get("$defs", {}).items()}
    except (OSError, ValueError, Unresolvable) as exc:  # JSONDecodeError is a ValueError
        raise SchemaError(
            f"data/schema/ 中的 schema 文件缺失或有错误（{type(exc).__name__}: {exc}）："
            "请先运行 casebook validate 查看。"
        ) from exc
    return resolved


# -- fields ------------------------------------------------------------------------------


def kind_of(node: dict[str, Any]) -> str:
    if node.get(KIND) in NAMED_KINDS:
        return str(node[KIND])
    if "enum" in node:
        return "enum"
    kind = node.get("type", "string")
    return kind if isinstance(kind, str) else "string"


def fields(node: dict[str, Any], base: str = "") -> list[Field]:
    """The properties of a resolved object schema (see load_schema), in the schema's order."""
    required = set(node.get("required", ()))
    out = []
    for name, sub in node.get("properties", {}).items():
        with_ = conditions(node).get(name, "") if name not in required else ""
        out.append(Field(name, f"{base}{name}", sub, name in required, kind_of(sub), with_))
    return out


def field_named(node: dict[str, Any], name: str) -> Field:
    """One property of a resolved object schema; KeyError when it has none of that name."""
    found = next((f for f in fields(node) if f.name == name), None)
    if found is None:
        raise KeyError(name)
    return found


def definition(schema: dict[str, Any], name: str) -> Field:
    """One of the schema's $defs (as load_schema resolved them) as a field of that name."""
    node = schema.get("$defs", {}).get(name)
    if not isinstance(node, dict):
        raise KeyError(name)
    return Field(name, name, node, True, kind_of(node))


def conditions(node: dict[str, Any]) -> dict[str, str]:
    """{field: sibling} for `if: {required: [sibling]}, then: {required: [field, ...]}`."""
    when = node.get("if", {}).get("required", []) if isinstance(node.get("if"), dict) else []
    then = node.get("then", {}).get("required", []) if isinstance(node.get("then"), dict) else []
    return {name: when[0] for name in then} if len(when) == 1 else {}


def children(field: Field) -> list[Field]:
    """The fields of an object field, or of each item of a list of objects."""
    if field.kind == "object":
        return fields(field.schema, f"{field.path}.")
    if field.item_kind == "object":
        return fields(field.items, f"{field.path}[].")
    return []
