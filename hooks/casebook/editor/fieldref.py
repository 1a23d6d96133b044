"""The field reference of docs/contributing.md, generated from the case schema so the two never disagree.

`casebook fieldref` prints it; `--write docs/contributing.md` replaces what stands between the
markers below; `--check` says whether the file is up to date (exit 1 when not).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .project_root import NO_ROOT, locate
from .schemafields import Field, SchemaError, children, fields, load_schema
from .template import example

START = "<!-- fieldref:start -->"
END = "<!-- fieldref:end -->"
NOTICE = (
    "<!-- 以下由 casebook fieldref --write docs/contributing.md 根据 data/schema/case.schema.json 生成，"
    "请勿手改：改了 schema 就重新生成。 -->"
)
_KIND_NAMES = {
    "id": "id",
    "slug": "id",
    "markdown": "Markdown 文字，可分段",
    "date": "日期 YYYY-MM-DD",
    "partial_date": "日期 YYYY、YYYY-MM 或 YYYY-MM-DD",
    "string": "文字",
    "number": "数字",
    "integer": "整数",
}


def anchor(field: Field | None) -> str:
    return "fieldref-" + (field.path.replace("[]", "").replace(".", "-") if field else "case")


def escape(text: str) -> str:
    """Plain text safe in a Markdown table cell: no cell breaks, no stray HTML tags."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def _bounds(schema: dict[str, Any], low: str, high: str, unit: str) -> str:
    lo, hi = schema.get(low), schema.get(high)
    if lo is not None and hi is not None:
        return f"，{lo}–{hi} {unit}"
    if hi is not None:
        return f"，最多 {hi} {unit}"
    return f"，至少 {lo} {unit}" if lo is not None and lo > 1 else ""


def _scalar_type(kind: str, schema: dict[str, Any]) -> str:
    if kind == "enum":
        return "其中之一：" + "、".join(str(v) for v in schema["enum"])
    text = _KIND_NAMES.get(kind, kind)
    if kind == "string":
        text += _bounds(schema, "minLength", "maxLength", "字")
        if "pattern" in schema:
            text += f"，须符合 `{schema['pattern']}`"
    if kind in ("number", "integer") and "minimum" in schema:
        text += f"，不小于 {schema['minimum']}"
    return text


def type_text(field: Field) -> str:
    """The type column: what to write, in words, with the schema's bounds."""
    link = f"[`{field.path}{'[]' if field.kind == 'array' else ''}`](#{anchor(field)})"
    if field.kind == "object":
        return f"一组字段，见 {link}"
    if field.kind != "array":
        return _scalar_type(field.kind, field.schema)
    item = f"每项见 {link}" if field.item_kind == "object" else f"每项：{_scalar_type(field.item_kind, field.items)}"
    text = f"列表，{item}" + _bounds(field.schema, "minItems", "maxItems", "项")
    return text + ("，不能重复" if field.schema.get("uniqueItems") else "")


def required_text(field: Field) -> str:
    if field.required:
        return "是"
    return f"有 `{field.required_with}` 时必填" if field.required_with else "否"


def example_text(field: Field) -> str:
    if field.has_fields or field.example is None:
        return "—"
    return f"`{example(field)}`"


def table(rows: list[Field]) -> list[str]:
    out = ["| 字段 | 必填 | 类型 | 说明 | 例子 |", "| --- | --- | --- | --- | --- |"]
    for f in rows:
        cells = (f"`{f.path}`", required_text(f), type_text(f), escape(f.description), example_text(f))
        out.append("| " + " | ".join(cells) + " |")
    return out


def sections(schema: dict[str, Any]) -> list[tuple[Field | None, list[Field]]]:
    """The record's own fields, then every object (and each item of a list of objects) in order."""
    out: list[tuple[Field | None, list[Field]]] = [(None, fields(schema))]

    def walk(rows: list[Field]) -> None:
        for f in rows:
            if f.has_fields:
                kids = children(f)
                out.append((f, kids))
                walk(kids)

    walk(fields(schema))
    return out


def heading(schema: dict[str, Any], owner: Field | None) -> list[str]:
    if owner is None:
        return [f"### 案例文件 {{#{anchor(None)}}}", "", escape(str(schema.get("description", "")))]
    what = f"`{owner.path}[]`：{owner.path} 的每一项" if owner.kind == "array" else f"`{owner.path}`"
    return [f"### {what} {{#{anchor(owner)}}}", "", escape(owner.description)]


def markdown(schema: dict[str, Any]) -> str:
    """The whole reference: one table per object, field path, 必填, type, description, example."""
    out = [NOTICE, ""]
    for owner, rows in sections(schema):
        out += [*heading(schema, owner), "", *table(rows), ""]
    return "\n".join(out).rstrip() + "\n"


def between(text: str) -> str:
    """What stands between the markers; ValueError when they are missing or out of order."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"没有找到成对的 {START} 和 {END} 标记")
    return text[start + len(START) : end]


def replace_between(text: str, generated: str) -> str:
    between(text)  # the same check, the same message
    start, end = text.find(START) + len(START), text.find(END)
    return text[:start] + "\n" + generated.strip() + "\n" + text[end:]


def _update(path: Path, generated: str, *, write: bool) -> int:
    try:
        text = path.read_text(encoding="utf-8")
        new = replace_between(text, generated)
    except (OSError, ValueError) as exc:
        print(f"错误: {path}：{exc}。请在要放字段参考的地方写上这两行标记。", file=sys.stderr)
        return 1
    if new == text:
        print(f"{path} 中的字段参考已是最新。")
        return 0
    if not write:
        print(f"错误: {path} 中的字段参考与 schema 不一致。请运行 casebook fieldref --write {path}", file=sys.stderr)
        return 1
    path.write_text(new, encoding="utf-8", newline="\n")
    print(f"已更新 {path} 中的字段参考。")
    return 0


def run(args: argparse.Namespace) -> int:
    project = locate(args.root)
    if project is None:
        print(NO_ROOT, file=sys.stderr)
        return 2
    try:
        generated = markdown(load_schema(project.root))
    except SchemaError as problem:
        print(f"错误: {problem}", file=sys.stderr)
        return 1
    target = args.write or args.check
    if target:
        return _update(Path(target), generated, write=bool(args.write))
    print(generated, end="")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "fieldref",
        help="根据 schema 生成字段参考（Markdown）",
        description="根据 data/schema/case.schema.json 生成字段参考：每个对象一张表。默认打印出来。",
    )
    group = p.add_mutually_exclusive_group()
    group.add_argument("--write", metavar="PATH", help=f"替换这个文件中 {START} 与 {END} 之间的内容")
    group.add_argument("--check", metavar="PATH", help="只检查这个文件中的字段参考是否最新，不一致时退出码为 1")
    p.add_argument("--root", help="案例库所在文件夹（默认从当前文件夹向上查找）")
    p.set_defaults(func=run)
