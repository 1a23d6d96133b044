"""The character rule applied to a parsed record: every string value is walked once (with the
schema's Markdown fields, where line breaks and tabs are allowed) and each refused character or
blank value becomes a located error. The rule itself is `characters`, which imports nothing of
the casebook, so that reading files and printing diagnostics can use it too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .characters import (
    _ALWAYS,
    _BLANK,
    _BLANK_START,
    _IN_LINE,
    _IN_MARKDOWN,
    BLANK_CODE,
    CODE,
    describe,
    is_blank,
    refused,
)
from .diagnostics import Diagnostic, field_path
from .yamlfile import KeyPath, YamlDocument

_MARK = object()  # in the trie of Markdown fields: a path that ends here is Markdown


def markdown_trie(patterns: list[tuple[str, ...]]) -> dict[Any, Any]:
    """The schema's Markdown fields ("*" for any list item) as nested dicts, walked with the data."""
    trie: dict[Any, Any] = {}
    for pattern in patterns:
        node = trie
        for part in pattern:
            node = node.setdefault(part, {})
        node[_MARK] = True
    return trie


def _strings(data: Any, trie: dict[Any, Any] | None, path: KeyPath) -> Iterator[tuple[KeyPath, str, bool]]:
    """(path, value, is Markdown) of each string that breaks the rule; nothing for the rest."""
    if isinstance(data, str):
        markdown = trie is not None and _MARK in trie
        if (_IN_MARKDOWN if markdown else _IN_LINE).search(data) or (data and _BLANK.fullmatch(data)):
            yield path, data, markdown
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, trie.get(key) if trie else None, (*path, key))
    elif isinstance(data, list):
        sub = trie.get("*") if trie else None
        for i, value in enumerate(data):
            yield from _strings(value, sub, (*path, i))


# In the file as written: a refused character, or a backslash (a double-quoted escape can make one).
_RAW = re.compile(f"[{_ALWAYS}\\\\]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_RAW_BMP = re.compile(f"[{_ALWAYS[: _ALWAYS.index(chr(0x1FFFE))]}\\\\]")


def _raw_suspect(text: str) -> bool:
    """Could a value of this file hold a refused character? Asked of the whole text at once.

    Every refused character is one str.isprintable() refuses (a control, format, surrogate,
    unassigned or separator character), and it runs in C: a file of ordinary text is cleared in
    microseconds. Only a file it does not clear (an ideographic space, a tab) is searched, the
    characters outside the Basic Multilingual Plane only if it has any."""
    if "\\" in text:
        return True
    if text.replace("\n", "").isprintable():
        return False
    return _RAW_BMP.search(text) is not None or (_ASTRAL.search(text) is not None and _RAW.search(text) is not None)


def _clean(data: Any, trie: dict[Any, Any] | None, raw: bool) -> bool:
    """True when no string breaks the rule: the walk every valid file takes, with no paths made
    and, when the file's text holds no refused character and no escape (raw is False), only
    substring tests for line breaks and tabs in one-line fields. Strings are tested in the loops
    rather than by a call each: most values of a record are strings."""
    if isinstance(data, dict):
        pairs: Any = data.items()
    elif isinstance(data, list):
        sub = trie.get("*") if trie else None
        pairs = ((None, value) for value in data)
    else:
        return True
    for key, value in pairs:
        if key is not None:
            sub = trie.get(key) if trie else None
        if value.__class__ is not str:
            if not _clean(value, sub, raw):
                return False
            continue
        markdown = sub is not None and _MARK in sub
        if raw:
            if (_IN_MARKDOWN if markdown else _IN_LINE).search(value):
                return False
        elif not markdown and ("\n" in value or "\t" in value):
            return False
        if value and value[0] in _BLANK_START and _BLANK.fullmatch(value):
            return False
    return True


def check(doc: YamlDocument, trie: dict[Any, Any]) -> list[Diagnostic]:
    """One located error for each string with a refused character, or blank but for invisible ones."""
    out: list[Diagnostic] = []
    data = doc.data
    if isinstance(data, str) and not refused(data) and not is_blank(data):
        return out  # not a mapping: the schema says what is wrong with it
    if _clean(data, trie, not doc.text or _raw_suspect(doc.text)):
        return out
    for path, value, markdown in _strings(doc.data, trie, ()):
        pos = doc.value_at(path)
        bad = refused(value, markdown)
        if bad is None:
            out.append(
                Diagnostic(
                    doc.display,
                    pos.line,
                    pos.column,
                    field_path(path),
                    "只有空白或看不见的字符",
                    "零宽空格、韩文填充符、软连字符等看不见的字符不算文字：写上实际内容，或删掉这个选填字段。",
                    BLANK_CODE,
                )
            )
            continue
        what, hint = describe(bad.group())
        line, column = _where(doc, pos.line, pos.column, bad.group(), len(value))
        out.append(Diagnostic(doc.display, line, column, field_path(path), f"含有{what}", hint, CODE))
    return out


def _where(doc: YamlDocument, line: int, column: int, char: str, length: int) -> tuple[int, int]:
    """The character itself when the file holds it as written (a bidi override pasted into a block);
    the value's start when it came from an escape such as "\\x1e" or is a line break of a block.
    The value's source is looked through, not the rest of the file: its length, allowing for
    indentation and escapes, bounds it."""
    if char == "\n" or not doc.text:
        return line, column
    lines = doc.text.split("\n")
    if not 0 < line <= len(lines):
        return line, column
    start = sum(len(text) + 1 for text in lines[: line - 1]) + column - 1
    at = doc.text.find(char, start, start + 4 * length + 64)
    if at < 0:
        return line, column
    found = doc.text.count("\n", 0, at) + 1
    return found, at - (doc.text.rfind("\n", 0, at) + 1) + 1
