"""Markdown fields may hold Markdown, not HTML: raw tags (<script>, an onclick=) and links with
scripting schemes (javascript:, data:, vbscript:) are refused at the line they stand on.

Which fields are Markdown is the schema's word: `"contentMediaType": "text/markdown"`.
The renderer escapes any `<` that is not an autolink as well, so nothing gets through even
if a check were skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .diagnostics import Diagnostic, field_path
from .yamlfile import KeyPath, YamlDocument

MARKDOWN = "text/markdown"
# An autolink such as <https://example.org/> is Markdown, not HTML.
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^\s<>]*>", re.IGNORECASE)
_TAG = re.compile(r"<\s*(/?\s*[A-Za-z][A-Za-z0-9-]*|!--)")
_SCHEME = re.compile(r"(?:\]\(|<|\bhref\s*=\s*[\"']?)\s*(javascript|vbscript|data|file)\s*:", re.IGNORECASE)


def markdown_paths(schema: dict[str, Any], documents: dict[str, dict[str, Any]]) -> list[tuple[str, ...]]:
    """Path patterns ("*" for any list item) of the schema's Markdown fields."""
    out: list[tuple[str, ...]] = []

    def resolve(node: dict[str, Any], base: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        ref = node.get("$ref")
        if not isinstance(ref, str):
            return node, base
        file, _, pointer = ref.partition("#")
        doc = documents.get(file.removesuffix(".schema.json"), base) if file else base
        target: Any = doc
        for part in pointer.strip("/").split("/"):
            target = target.get(part, {}) if part else target
        merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return resolve(merged, doc)

    def walk(node: dict[str, Any], base: dict[str, Any], path: tuple[str, ...], depth: int) -> None:
        node, base = resolve(node, base)
        if depth > 12:
            return
        if node.get("contentMediaType") == MARKDOWN:
            out.append(path)
        for key, sub in node.get("properties", {}).items():
            walk(sub, base, (*path, key), depth + 1)
        if isinstance(node.get("items"), dict):
            walk(node["items"], base, (*path, "*"), depth + 1)

    walk(schema, schema, (), 0)
    return out


def _values(data: Any, pattern: tuple[str, ...], path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    if not pattern:
        if isinstance(data, str):
            yield path, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*" and isinstance(data, list):
        for i, item in enumerate(data):
            yield from _values(item, rest, (*path, i))
    elif isinstance(data, dict) and head in data:
        yield from _values(data[head], rest, (*path, head))


def _problems(text: str) -> Iterator[tuple[int, str, str]]:
    """(line offset within the text, message, hint) for each unsafe construct."""
    for offset, line in enumerate(text.splitlines()):
        bare = _AUTOLINK.sub("", line)
        scheme = _SCHEME.search(bare)
        if scheme:
            yield (
                offset,
                f"链接用了不允许的协议“{scheme.group(1).lower()}:”",
                "链接只能以 http://、https:// 或 mailto: 开头。",
            )
            continue
        tag = _TAG.search(bare)
        if tag:
            name = tag.group(1).replace(" ", "")
            yield (
                offset,
                f"不能直接写 HTML（发现 <{name}）",
                "这里只能用 Markdown：加粗写 **文字**，列表用“- ”开头，链接写 [文字](https://…)。"
                "如果是文字里的小于号，请写成全角“＜”。",
            )


def _suspect(text: str) -> bool:
    """Could the file hold HTML or a scripting link at all? Plain substring tests, run in C."""
    if "<" in text:
        return True
    low = text.lower()
    return any(scheme in low for scheme in ("javascript", "vbscript", "data", "file"))


def check(doc: YamlDocument, patterns: list[tuple[str, ...]]) -> list[Diagnostic]:
    if doc.text and not _suspect(doc.text):
        return []  # nothing that could be HTML or a scripting link anywhere in the file
    out = []
    for pattern in patterns:
        for path, text in _values(doc.data, pattern):
            for offset, message, hint in _problems(text):
                start = doc.value_at(path)  # positions are worked out only when there is a problem
                block = path in doc.literal_blocks
                # A literal block (|) starts on the line after its key; other scalars on the key's line.
                line = start.line + offset + (1 if block else 0)
                out.append(Diagnostic(doc.display, line, 1, field_path(path), message, hint, "markdown.html"))
    return out


def escape_html(text: str) -> str:
    """The renderer's last line: every `<` that does not open an autolink becomes &lt;."""
    return re.sub(r"<(?!(?:https?|mailto):[^\s<>]*>)", "&lt;", text)
