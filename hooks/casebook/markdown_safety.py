"""Markdown fields may hold Markdown, not HTML: raw tags (<script>, an onclick=) and links with
scripting schemes (javascript:, data:, vbscript:) are refused at the line they stand on.

Which fields are Markdown is the schema's word: `"contentMediaType": "text/markdown"`.
The renderer escapes any `<` that is not an autolink as well, so nothing gets through even
if a check were skipped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

from .diagnostics import Diagnostic, field_path
from .yamlfile import KeyPath, YamlDocument

MARKDOWN = "text/markdown"
# An autolink such as <https://example.org/> is Markdown, not HTML.
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^\s<>]*>", re.IGNORECASE)
_TAG = re.compile(r"<\s*(/?\s*[A-Za-z][A-Za-z0-9-]*|!--)")
# Anywhere, once entities are decoded: inline links, reference definitions ([1]: javascript:…),
# autolinks and attribute lists all end up as an href.
_SCHEME = re.compile(r"\b(javascript|vbscript|data|file)\s*:", re.IGNORECASE)
# attr_list is on in mkdocs.yml: {onclick="…"} after a link would become an attribute.
_HANDLER = re.compile(r"\bon[a-z]{2,}\s*=", re.IGNORECASE)


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


def _problems(text: str) -> Iterator[tuple[int, str, str, str]]:
    """(line offset within the text, what was found, message, hint) for each unsafe construct."""
    for offset, raw in enumerate(text.splitlines()):
        line = _AUTOLINK.sub("", html.unescape(raw))
        scheme = _SCHEME.search(line)
        if scheme:
            name = scheme.group(1).lower()
            yield offset, name, f"链接用了不允许的协议“{name}:”", "链接只能以 http://、https:// 或 mailto: 开头。"
            continue
        tag = _TAG.search(line)
        if tag:
            name = tag.group(1).replace(" ", "")
            yield (
                offset,
                "<",
                f"不能直接写 HTML（发现 <{name}）",
                "这里只能用 Markdown：加粗写 **文字**，列表用“- ”开头，链接写 [文字](https://…)。"
                "如果是文字里的小于号，请写成全角“＜”。",
            )
            continue
        handler = _HANDLER.search(line)
        if handler:
            yield (
                offset,
                handler.group(0).rstrip("= "),
                f"不能给内容加事件属性（{handler.group(0).rstrip('= ')}）",
                "删掉 {…} 里的 on… 属性；这里只写文字和普通链接。",
            )


def _source_line(doc: YamlDocument, start: int, guess: int, found: str) -> int:
    """The file line that holds what was found: folded (>) and plain values join their lines,
    so the offset within the value is only a guess; look for the text itself from the key on."""
    lines = doc.text.splitlines()
    needle = found.lower()
    for number in range(start, len(lines) + 1):
        if needle in html.unescape(lines[number - 1]).lower():
            return number
    return guess


def _suspect(text: str) -> bool:
    """Could the file hold HTML or a scripting link at all? Plain substring tests, run in C."""
    if "<" in text or "&" in text or "=" in text:
        return True
    low = text.lower()
    return any(word in low for word in ("javascript", "vbscript", "data", "file"))


def _harmless(text: str) -> bool:
    """True when _problems() cannot find anything in text, told by tests that run in C.

    Without "&" nothing is unescaped and without "<" there is no autolink to drop, so each line is
    searched as written. A tag needs "<", a handler "=" and a scheme ":"; and a scheme found in one
    line is found in the whole text too, as \\b sees a line break as it sees the start of a line."""
    if "<" in text or "&" in text or "=" in text:
        return False
    return ":" not in text or _SCHEME.search(text) is None  # the regex is the slow part: most text has no ":"


def check(doc: YamlDocument, patterns: list[tuple[str, ...]]) -> list[Diagnostic]:
    if doc.text and not _suspect(doc.text):
        return []  # nothing that could be HTML or a scripting link anywhere in the file
    out = []
    for pattern in patterns:
        for path, text in _values(doc.data, pattern):
            if _harmless(text):
                continue  # the usual case; the yaml-language-server comment alone makes _suspect() true
            for offset, found, message, hint in _problems(text):
                start = doc.value_at(path)  # positions are worked out only when there is a problem
                # A literal block (|) starts on the line after its key; other scalars on the key's line.
                guess = start.line + offset + (1 if path in doc.literal_blocks else 0)
                line = _source_line(doc, start.line, guess, found) if doc.text else guess
                out.append(Diagnostic(doc.display, line, 1, field_path(path), message, hint, "markdown.html"))
    return out


def escape_html(text: str) -> str:
    """The renderer's last line: every `<` that does not open an autolink becomes &lt;."""
    return re.sub(r"<(?!(?:https?|mailto):[^\s<>]*>)", "&lt;", text)
