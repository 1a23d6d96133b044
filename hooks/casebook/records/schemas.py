"""The JSON Schemas in data/schema/, and their errors told in plain Chinese at the right line."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from .character_check import markdown_trie
from .characters import describe, refused
from .diagnostics import Diagnostic, field_path
from .markdown_safety import markdown_paths
from .yamlfile import NotRegular, YamlDocument, coercion_hint, read_regular

SCHEMA_NAMES = ("case", "framework", "policies", "places", "sources", "themes", "site", "collection")

# fullmatch, not match: "$" also matches before a final line break, and "2017\n" is no date.
_FULL_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")

formats = FormatChecker(formats=())


def _returns_bool(check: Callable[[object], bool]) -> Callable[[object], bool]:
    def wrapped(value: object) -> bool:
        try:
            return check(value)
        except ValueError:
            return False

    return wrapped


@formats.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _FULL_DATE.fullmatch(value):
        return False
    dt.date.fromisoformat(value)
    return True


@formats.checks("partial-date", raises=ValueError)
def _is_partial_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    m = _PARTIAL_DATE.fullmatch(value)
    if not m:
        return False
    year, month, day = m.group(1), m.group(2), m.group(3)
    dt.date(int(year), int(month or 1), int(day or 1))
    return True


_FAST_FORMATS = {"date": _returns_bool(_is_date), "partial-date": _returns_bool(_is_partial_date)}


_NAMED_SCHEMAS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")
_NOT_SCHEMAS = ("enum", "examples", "default", "required", "const")


def _fast_only(schema: Any) -> Any:
    """`const: x` as the equivalent `enum: [x]`: fastjsonschema 2.22 cannot generate `const` without
    detailed exceptions (KeyError 'definition_rule'), and both compile to the same test."""
    if isinstance(schema, list):
        return [_fast_only(x) for x in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _NAMED_SCHEMAS and isinstance(value, dict):
            out[key] = {name: _fast_only(sub) for name, sub in value.items()}
        elif key not in _NOT_SCHEMAS:
            out[key] = _fast_only(value)
        elif key != "const":
            out[key] = value
    if "const" in schema:
        if "enum" in out:
            out["allOf"] = [*out.get("allOf", []), {"enum": [schema["const"]]}]
        else:
            out["enum"] = [schema["const"]]
    return out


class _Compiled(Mapping[str, Callable[[Any], Any]]):
    """A validator per schema name, compiled on first use."""

    def __init__(self, compile_one: Callable[[str], Callable[[Any], Any]]):
        self._compile_one = compile_one
        self._done: dict[str, Callable[[Any], Any]] = {}

    def __getitem__(self, name: str) -> Callable[[Any], Any]:
        if name not in self._done:
            if name not in SCHEMA_NAMES:
                raise KeyError(name)
            self._done[name] = self._compile_one(name)
        return self._done[name]

    def ready(self, name: str) -> bool:
        return name in self._done

    def __iter__(self) -> Iterator[str]:
        return iter(SCHEMA_NAMES)

    def __len__(self) -> int:
        return len(SCHEMA_NAMES)


_TYPE_NAMES = {
    "string": "文字",
    "number": "数字",
    "integer": "整数",
    "array": "列表（每项以“- ”开头）",
    "object": "一组“字段: 值”",
    "boolean": "真假值",
    "null": "空值",
}


def describe_value(value: Any) -> str:
    if value is None:
        return "空值（什么也没写）"
    if isinstance(value, bool):
        return f"真假值 {str(value).lower()}"
    if isinstance(value, int | float):
        return f"数字 {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:30] + "…"
        return json.dumps(shown, ensure_ascii=False)
    if isinstance(value, list):
        return f"列表（{len(value)} 项）"
    if isinstance(value, dict):
        return "一组“字段: 值”"
    return type(value).__name__


@dataclass
class SchemaSet:
    """All schemas of a project, loaded once, each with a ready validator."""

    directory: Path
    _checked: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def documents(self) -> dict[str, dict[str, Any]]:
        return {name: self._read(name) for name in SCHEMA_NAMES}

    def _read(self, name: str) -> dict[str, Any]:
        # As the records are read: never through a symbolic link, never a FIFO or a device.
        path = self.directory / f"{name}.schema.json"
        try:
            raw = read_regular(path, limit=4 * 1024 * 1024)
        except NotRegular as odd:
            raise NotRegular(f"{path.name} {odd.message}", odd.hint) from None
        return json.loads(raw.decode("utf-8"))

    @cached_property
    def registry(self) -> Registry:
        resources = [(doc["$id"], Resource.from_contents(doc)) for doc in self.documents.values()]
        return Registry().with_resources(resources)

    @cached_property
    def validators(self) -> dict[str, Draft202012Validator]:
        return {
            name: Draft202012Validator(doc, registry=self.registry, format_checker=formats)
            for name, doc in self.documents.items()
        }

    @cached_property
    def markdown_fields(self) -> dict[str, list[tuple[str, ...]]]:
        return {name: markdown_paths(doc, self.documents) for name, doc in self.documents.items()}

    @cached_property
    def markdown_tries(self) -> dict[str, dict[Any, Any]]:
        """The same paths, as the character check walks them alongside the data."""
        return {name: markdown_trie(paths) for name, paths in self.markdown_fields.items()}

    @cached_property
    def _id_validator(self) -> Draft202012Validator:
        name = "id" if "id" in self.documents["case"].get("$defs", {}) else "slug"  # a schema of before ids were kept
        return Draft202012Validator({"$ref": f"case.schema.json#/$defs/{name}"}, registry=self.registry)

    def id_ok(self, ident: str) -> bool:
        """Whether ident may name a record: a slug, and not a name the site keeps for its own pages
        and anchors. For ids that are file names and so not in any field (a collection's)."""
        return self._id_validator.is_valid(ident)

    def version(self, name: str = "case") -> str:
        return str(self.documents[name].get("x-version", "0"))

    @cached_property
    def fast(self) -> _Compiled:
        """The same schemas compiled to Python by fastjsonschema: ~15x quicker, so a valid record
        costs little. Only a record that fails is walked by jsonschema, for its messages.

        Each is compiled when first used: compiling is most of a small project's run time, and the
        loader compiles the case schema before it forks its workers, the others while they work."""
        return _Compiled(self._compile)

    def _compile(self, name: str) -> Callable[[Any], Any]:
        doc = self.documents[name]
        flat = _fast_only(self._inline(doc, doc, 0))
        flat["$schema"] = "http://json-schema.org/draft-07/schema#"  # same keywords, as it knows them
        # A failure is only a signal to ask jsonschema; without the details the generated code is a
        # third of the size, and turning that source into bytecode was the larger part of compiling.
        return fastjsonschema.compile(flat, formats=_FAST_FORMATS, detailed_exceptions=False)

    def _inline(self, node: Any, base: dict[str, Any], depth: int) -> Any:
        """The schema with every $ref (also across files) replaced by what it points to."""
        if depth > 50:
            raise ValueError("schema $ref nesting too deep")
        if isinstance(node, list):
            return [self._inline(x, base, depth + 1) for x in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            file, _, pointer = node["$ref"].partition("#")
            doc = self.documents[file.removesuffix(".schema.json")] if file else base
            target: Any = doc
            for part in filter(None, pointer.split("/")):
                target = target[part]
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return {**self._inline(target, doc, depth + 1), **self._inline(rest, base, depth + 1)}
        return {k: self._inline(v, base, depth + 1) for k, v in node.items() if k not in ("$defs", "$id")}

    def check(self, name: str, doc: YamlDocument) -> list[Diagnostic]:
        if self._worth_compiling(name, doc):
            try:
                self.fast[name](doc.data)
                return []
            except fastjsonschema.JsonSchemaException:
                pass  # told below, in detail and in Chinese
        out: list[Diagnostic] = []
        for error in self.validators[name].iter_errors(doc.data):
            out.extend(self._explain(error, doc))
        # jsonschema reports `required` once per missing field, and each report lists them all
        return list(dict.fromkeys(out))

    def _worth_compiling(self, name: str, doc: YamlDocument) -> bool:
        """Compiling a schema costs as much as jsonschema checking a dozen small files: a small file
        whose schema serves no other (site.yml, themes.yml ...) is left to jsonschema alone, which
        says the same. A schema is compiled for its second file, and for any large one."""
        self._checked[name] = self._checked.get(name, 0) + 1
        return self.fast.ready(name) or self._checked[name] > 1 or len(doc.text) > 16 * 1024

    # -- turning jsonschema errors into sentences --------------------------------------
    def _explain(self, error: ValidationError, doc: YamlDocument) -> Iterator[Diagnostic]:
        path = tuple(error.absolute_path)
        where = doc.value_at(path)
        kind = error.validator
        schema = error.schema if isinstance(error.schema, dict) else {}
        hint = self._x_hint(schema)
        instance = error.instance

        def diag(p: tuple, message: str, hint_: str, *, at_key: bool = False) -> Diagnostic:
            pos = doc.key_at(p) if at_key else doc.value_at(p)
            return Diagnostic(doc.display, pos.line, pos.column, field_path(p), message, hint_, f"schema.{kind}")

        if kind == "required":
            missing = [name for name in error.validator_value if isinstance(instance, dict) and name not in instance]
            for name in missing:
                sub = schema.get("properties", {}).get(name, {})
                yield Diagnostic(
                    doc.display,
                    where.line,
                    where.column,
                    field_path((*path, name)),
                    "是必填字段，但没有写",
                    self._describe(sub),
                    "schema.required",
                )
            return
        if kind == "additionalProperties":
            allowed = list(schema.get("properties", {}))
            extras = [k for k in instance if k not in allowed] if isinstance(instance, dict) else []
            for name in extras:
                close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
                tip = f"你是不是想写 {close[0]}？" if close else "允许的字段：" + "、".join(allowed) + "。"
                yield diag((*path, name), "是未知字段", tip, at_key=True)
            return
        if kind == "type":
            expected = error.validator_value
            names = " 或 ".join(_TYPE_NAMES.get(t, t) for t in ([expected] if isinstance(expected, str) else expected))
            tip = coercion_hint(doc, path) if expected == "string" else ""
            yield diag(path, f"应为{names}，实际为 {describe_value(instance)}", tip or hint)
            return
        if kind == "enum":
            options = "、".join(str(v) for v in error.validator_value)
            close = difflib.get_close_matches(str(instance), [str(v) for v in error.validator_value], n=1)
            tip = f"你是不是想写 {close[0]}？" if close else ""
            yield diag(path, f"取值 {describe_value(instance)} 不在允许范围内，可选：{options}", tip or hint)
            return
        if kind == "const":
            yield diag(path, f"应为 {error.validator_value}，实际为 {describe_value(instance)}", hint)
            return
        if kind == "pattern":
            if "x-reserved" in schema and isinstance(instance, str) and self._slug_shaped(instance):
                # A well-formed id the pattern still refuses: a name the site keeps for its own pages.
                reserved = str(schema.get("x-reserved-hint", hint))
                yield diag(path, f"{describe_value(instance)} 是网站保留的名字，不能用作 id", reserved)
                return
            yield diag(path, f"格式不对：{describe_value(instance)}", hint or f"应符合 {error.validator_value}")
            return
        if kind == "format":
            yield diag(path, f"不是有效的日期：{describe_value(instance)}", hint)
            return
        if kind in ("minLength", "maxLength"):
            n = len(instance) if isinstance(instance, str) else 0
            bound = error.validator_value
            if kind == "minLength":
                msg = "不能为空" if n == 0 else f"太短：至少 {bound} 个字，现在 {n} 个"
            else:
                msg = f"太长：最多 {bound} 个字，现在 {n} 个"
            yield diag(path, msg, self._describe(schema) or hint)
            return
        if kind in ("minItems", "maxItems"):
            n = len(instance) if isinstance(instance, list) else 0
            bound = error.validator_value
            msg = f"至少要有 {bound} 项，现在 {n} 项" if kind == "minItems" else f"最多 {bound} 项，现在 {n} 项"
            yield diag(path, msg, self._describe(schema))
            return
        if kind == "uniqueItems":
            yield diag(path, "列表里有重复的项", "删除重复的那一项。")
            return
        if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            word = {
                "minimum": "不能小于",
                "maximum": "不能大于",
                "exclusiveMinimum": "必须大于",
                "exclusiveMaximum": "必须小于",
            }
            yield diag(path, f"{word[kind]} {error.validator_value}，实际为 {instance}", hint)
            return
        yield diag(path, f"不符合要求：{error.message}", hint)

    def _slug_shaped(self, value: str) -> bool:
        slug = self.documents["case"].get("$defs", {}).get("slug", {})
        return "pattern" in slug and re.search(slug["pattern"], value) is not None

    @staticmethod
    def _x_hint(schema: dict[str, Any]) -> str:
        if "x-hint" in schema:
            return str(schema["x-hint"])
        return ""

    def _describe(self, sub: dict[str, Any]) -> str:
        """The schema's own words for a field: its description and an example."""
        if "$ref" in sub and "description" not in sub:
            return ""
        text = str(sub.get("description", ""))
        examples = sub.get("examples")
        if examples:
            text += f" 例如：{json.dumps(examples[0], ensure_ascii=False)}"
        return text.strip()


DEFAULT_SCHEMA_DIR = Path(__file__).resolve().parents[3] / "data" / "schema"
SITE_VALUES = ("url", "repo_url", "branch")


def check_site_values(
    url: str | None = None,
    repo_url: str | None = None,
    branch: str | None = None,
    *,
    schema_dir: Path | None = None,
) -> list[str]:
    """What is wrong with a site URL, repository URL or branch, one plain sentence (with its hint)
    for each, by the rules data/site.yml is checked with (its schema: patterns, lengths) and the
    character rule of every record. Empty when all given values are fine; None is not checked.

    For values that do not come through `casebook validate`: the deployment's CASEBOOK_SITE_URL
    and CASEBOOK_REPO_URL (options.BuildOptions, applied by model.SiteInfo.deployed), which reach
    every page, the sitemap and the edit links as they are."""
    schema = json.loads(read_regular((schema_dir or DEFAULT_SCHEMA_DIR) / "site.schema.json", 4 * 1024 * 1024))
    out: list[str] = []
    for name, value in zip(SITE_VALUES, (url, repo_url, branch), strict=True):
        if value is None:
            continue
        rules = schema["properties"][name]
        hint = str(rules.get("x-hint", ""))
        if not isinstance(value, str):
            out.append(f"{name} 应为文字，实际为 {describe_value(value)}")
            continue
        bad = refused(value)
        if bad is not None:
            out.append(f"{name} 含有{describe(bad.group())[0]}：{describe_value(value)}。{hint}")
        elif not Draft202012Validator(rules).is_valid(value):
            out.append(f"{name} 格式不对：{describe_value(value)}。{hint}")
    return out
