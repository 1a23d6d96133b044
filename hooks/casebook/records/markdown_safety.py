"""Markdown fields may hold Markdown, not HTML, and only the part of it that needs nothing from
another host and cannot reach into the page around it. Refused, each at the line it stands on:

- raw tags (<script>, an onclick=) and links with scripting schemes (javascript:, data:,
  vbscript:, file:);
- attribute lists ({: #id }, {.class}, {style=…}, {data-pagefind-meta=…}, {onclick=…} …): none
  at all. mkdocs.yml turns attr_list on for the hand-written pages, and through it a record could
  plant an id the page already uses (#background, Material's #__config), a style that loads
  from another host, srcset or ping, or Pagefind's search metadata. Editors need none of it;
  braces meant as text are written full-width (｛｝);
- images, except a file of the case's own folder written as ![说明](photo.jpg): no other host,
  no //host, no data:, nothing outside cases/<id>/, no reference-style images; none at all in
  reference data, which has no folder of photos;
- what makes Python-Markdown slow beyond measure (each "[" or "](" it cannot close is searched
  to the end of its paragraph, so 20,000 of them took minutes): more than a few unclosed
  brackets, brackets nested deeply, and lines nested (indentation, ">", list markers) so deep
  that its recursion overflows.

Which fields are Markdown is the schema's word: `"contentMediaType": "text/markdown"`.
The renderer escapes any `<` that is not an autolink as well, so nothing gets through even
if a check were skipped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import images
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
# What attr_list reads as an attribute list: "{", an optional ":", then anything up to a "}" on
# the same line (its own pattern is \{\:?[ ]*([^\}\n ][^\n]*)\}).
_ATTR_LIST = re.compile(r"\{:?[ ]*[^}\s][^\n]*\}")
# A photo of the case's own folder, by the rule of media[].file.
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_IMAGE = re.compile(r"(?<!\\)!\[")
# The tokens that decide how long Python-Markdown searches: brackets, backslash escapes (an
# escaped bracket is text), and blank lines (no link reaches past the end of its paragraph).
_BRACKET = re.compile(r"\\.|[\[\]()]|\n[ \t]*(?=\n)")
MAX_UNCLOSED = 20  # "[" and "](" left open in one field: each costs a search to its paragraph's end
MAX_BRACKET_DEPTH = 16
# The structure a line opens with: indentation, quote markers, list markers.
_NESTING = re.compile(r"^(?:[ \t>]|[-*+][ \t]|\d{1,9}[.)][ \t])+", re.MULTILINE)
MAX_NESTING = 40  # characters of it (a tab counts 4): ten levels of lists or quotes
# Written with a line break rather than ^ and MULTILINE: the search then jumps from one line break
# to the next in C, five times faster on a record (text is searched with a line break put in front).
_MAYBE_DEEP = re.compile(rf"\n[ \t>*+\-0-9.)]{{{MAX_NESTING // 4 + 1}}}")


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


Problem = tuple[int, str, str, str, str]  # line offset within the value, found, message, hint, code


def _problems(text: str) -> Iterator[Problem]:
    """(line offset within the text, what was found, message, hint, code) for each unsafe line."""
    for offset, raw in enumerate(text.splitlines()):
        line = _AUTOLINK.sub("", html.unescape(raw))
        scheme = _SCHEME.search(line)
        if scheme:
            name = scheme.group(1).lower()
            yield (
                offset,
                name,
                f"链接用了不允许的协议“{name}:”",
                "链接只能以 http://、https:// 或 mailto: 开头。",
                "markdown.html",
            )
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
                "markdown.html",
            )
            continue
        handler = _HANDLER.search(line)
        if handler:
            yield (
                offset,
                handler.group(0).rstrip("= "),
                f"不能给内容加事件属性（{handler.group(0).rstrip('= ')}）",
                "删掉 {…} 里的 on… 属性；这里只写文字和普通链接。",
                "markdown.html",
            )
            continue
        attrs = _ATTR_LIST.search(line)
        if attrs:
            shown = attrs.group(0) if len(attrs.group(0)) <= 30 else attrs.group(0)[:29] + "…"
            yield (
                offset,
                attrs.group(0)[:20],
                f"不能用 {{…}} 给内容加属性（发现 {shown}）",
                "这里不能写 id、class、style 等属性（{#…}、{: …}、{.…}）；如果是文字里的花括号，请写成全角“｛｝”。",
                "markdown.attr",
            )


def _line_of(text: str, at: int) -> tuple[int, str]:
    """The line offset of position `at` within text, and that line's text from `at` on (to find it in the file)."""
    end = text.find("\n", at)
    return text.count("\n", 0, at), text[at : end if end >= 0 else len(text)]


def _image_problems(text: str, pairs: _Brackets, media: tuple[Path, str] | None) -> Iterator[Problem]:
    """Each image that is not ![说明](a file of this case's own folder)."""
    for m in _IMAGE.finditer(text):
        offset, rest = _line_of(text, m.start())
        found = rest[:12]
        if media is None:
            yield (
                offset,
                found,
                "这里不能插入图片",
                "图片只能放在案例里：文件放进 cases/<id>/ 文件夹，写在案例的 media 字段或正文的 ![说明](文件名) 中。",
                "markdown.image",
            )
            continue
        folder, stem = media
        close = pairs.closes.get(m.start() + 1, -1)
        if close < 0:
            continue  # no closing bracket: Markdown shows it as text
        if not text.startswith("(", close + 1):
            yield (
                offset,
                found,
                "图片只能写成 ![说明](文件名)",
                f"把图片放进 cases/{stem}/ 文件夹，在这里写 ![说明](文件名)；不能用 ![说明][编号] 的引用写法。",
                "markdown.image",
            )
            continue
        end = pairs.closes.get(close + 1, -1)
        target = text[close + 2 : end if end >= 0 else len(text)].strip()
        src = target[1 : target.find(">")] if target.startswith("<") else (target.split() or [""])[0]
        if _SCHEME.match(html.unescape(src)):
            continue  # javascript:, data: …: already refused as a link's scheme, on the same line
        if not _FILE_NAME.fullmatch(src):
            shown = src if len(src) <= 40 else src[:39] + "…"
            yield (
                offset,
                found,
                f"图片只能用本案例文件夹里的文件（发现“{shown}”）",
                f"把图片放进 cases/{stem}/ 文件夹，这里只写文件名，例如 ![说明](photo.jpg)；"
                "不能引用其他网站或其他文件夹的图片。",
                "markdown.image",
            )
            continue
        try:
            photo = images.safe_path(folder, src)
            ok = photo.is_file()
        except images.ImageProblem:
            ok = False
        if not ok:
            yield (
                offset,
                found,
                f"找不到图片文件 cases/{stem}/{src}",
                f"把图片放进 cases/{stem}/ 文件夹，文件名与这里一致（区分大小写）。",
                "markdown.image",
            )


@dataclass
class _Brackets:
    """The brackets of one Markdown text, paired as Python-Markdown pairs them when it looks for
    links: every "[" is tried as a link and searched up to its "]", every "](" up to its ")"; one
    it cannot close is searched to the end of its paragraph. Found in one pass over the brackets
    alone, so that a field of 20,000 "[" costs a few milliseconds here."""

    closes: dict[int, int] = field(default_factory=dict)  # where each paired opener is closed
    unclosed: list[int] = field(default_factory=list)  # "[" and "](" never closed
    deepest: tuple[int, int] = (0, -1)  # the deepest nesting, and where it is reached


def _brackets(text: str) -> _Brackets:
    out = _Brackets()
    squares: list[int] = []
    parens: list[tuple[int, bool]] = []  # each open "(", and whether it follows a "]"
    after_square = -2  # where the last "]" stands

    def paragraph_end() -> None:
        out.unclosed.extend(squares)
        out.unclosed.extend(at for at, link in parens if link)
        squares.clear()
        parens.clear()

    for m in _BRACKET.finditer(text):
        token, at = m.group(), m.start()
        if token[0] == "\\":
            continue
        if token[0] == "\n":
            paragraph_end()
        elif token == "[":
            squares.append(at)
        elif token == "]":
            if squares:
                # Depth counts pairs that close: an opener never closed costs its own search, counted
                # as unclosed, and nothing deeper.
                if len(squares) > out.deepest[0]:
                    out.deepest = (len(squares), squares[-1])
                out.closes[squares.pop()] = at
            after_square = at
        elif token == "(":
            parens.append((at, after_square == at - 1))
        elif parens:
            if len(parens) > out.deepest[0]:
                out.deepest = (len(parens), parens[-1][0])
            out.closes[parens.pop()[0]] = at
    paragraph_end()
    return out


def _bracket_problems(text: str, pairs: _Brackets) -> Iterator[Problem]:
    """Brackets that would make Python-Markdown search too long: nested too deeply, or too many
    left unclosed."""
    depth, deepest_at = pairs.deepest
    if depth > MAX_BRACKET_DEPTH:
        offset, rest = _line_of(text, deepest_at)
        yield (
            offset,
            rest[:20],
            f"括号嵌套太深（{depth} 层，最多 {MAX_BRACKET_DEPTH} 层）",
            "链接写成 [文字](网址)，不要把方括号或圆括号一层套一层；文字里的方括号请用全角“［］”或“【】”。",
            "markdown.brackets",
        )
    if len(pairs.unclosed) > MAX_UNCLOSED:
        offset, rest = _line_of(text, min(pairs.unclosed))
        yield (
            offset,
            rest[:20],
            f"有 {len(pairs.unclosed)} 个“[”或“](”没有配对的“]”或“)”（最多 {MAX_UNCLOSED} 个）",
            "方括号和圆括号要成对：链接写成 [文字](网址)；文字里的方括号请用全角“［］”或“【】”。",
            "markdown.brackets",
        )


def _nesting_problems(text: str) -> Iterator[Problem]:
    """A line nested deeper than MAX_NESTING characters of indentation, ">" and list markers."""
    for m in _NESTING.finditer(text):
        width = len(m.group()) + 3 * m.group().count("\t")
        if width > MAX_NESTING:
            offset, rest = _line_of(text, m.start())
            yield (
                offset,
                rest[:20],
                f"嵌套太深（行首有 {width} 个缩进、“>”或列表符号，最多 {MAX_NESTING} 个）",
                "列表和引用最多嵌套几层；检查是否误粘贴了大量空格、“>”或“-”。",
                "markdown.nesting",
            )
            return


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
    """Could the file hold anything refused at all? Plain substring tests, run in C."""
    if any(char in text for char in "<&={[\\") or _deep(text):
        return True
    low = text.lower()
    return any(word in low for word in ("javascript", "vbscript", "data", "file"))


def _deep(text: str) -> bool:
    """A line whose structure alone is longer than any allowed (a YAML block's own indentation
    only adds to it, so the file can be asked for every value at once). The structure is made of
    these characters only, and a tab counts four: a line without a quarter of the allowed number
    of them in a row is cleared by one search in C."""
    if _MAYBE_DEEP.search(text) is None and _MAYBE_DEEP.match("\n" + text[: MAX_NESTING // 4 + 1]) is None:
        return False
    return any(len(m.group()) + 3 * m.group().count("\t") > MAX_NESTING for m in _NESTING.finditer(text))


def _line_level(text: str) -> bool:
    """Could _problems() find anything in text? Told by tests that run in C.

    Without "&" nothing is unescaped and without "<" there is no autolink to drop, so each line is
    searched as written. A tag needs "<", a handler "=", an attribute list "{" and a scheme ":";
    and a scheme found in one line is found in the whole text too, as \\b sees a line break as it
    sees the start of a line."""
    if "<" in text or "&" in text or "=" in text or "{" in text:  # four substring tests, not a generator
        return True
    return ":" in text and _SCHEME.search(text) is not None  # the regex is the slow part: most text has no ":"


def check(
    doc: YamlDocument, patterns: list[tuple[str, ...]], media: tuple[Path, str] | None = None
) -> list[Diagnostic]:
    """Every refused construct in the document's Markdown fields. `media` is the folder of the
    case's photos and the case's id; None for reference data, where no image is allowed."""
    if doc.text and not _suspect(doc.text):
        return []  # nothing that could be refused anywhere in the file
    # No line of the file is nested that deep, and no escape can make a line: neither can a value.
    deep = not doc.text or "\\" in doc.text or _deep(doc.text)
    out = []
    for pattern in patterns:
        for path, text in _values(doc.data, pattern):
            # Each check only where what it looks for is there at all: the usual text has none of it
            # (the yaml-language-server comment alone makes _suspect() true for every record).
            found_here = [*_problems(text)] if _line_level(text) else []
            if "[" in text:
                pairs = _brackets(text)
                found_here += [*_image_problems(text, pairs, media), *_bracket_problems(text, pairs)]
            if deep and _deep(text):
                found_here += _nesting_problems(text)
            for offset, found, message, hint, code in found_here:
                start = doc.value_at(path)  # positions are worked out only when there is a problem
                # A literal block (|) starts on the line after its key; other scalars on the key's line.
                guess = start.line + offset + (1 if path in doc.literal_blocks else 0)
                line = _source_line(doc, start.line, guess, found) if doc.text else guess
                out.append(Diagnostic(doc.display, line, 1, field_path(path), message, hint, code))
    return out


def escape_html(text: str) -> str:
    """The renderer's last line: every `<` that does not open an autolink becomes &lt;."""
    return re.sub(r"<(?!(?:https?|mailto):[^\s<>]*>)", "&lt;", text)
