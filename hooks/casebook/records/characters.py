"""Characters that no editor means, and text that is blank once the invisible characters are out.

One rule for every string of every file the loader reads (cases, data/*.yml, data/collections/,
site.yml), applied to the parsed values, so that a character written as a YAML escape ("\\x1e")
is caught as surely as one pasted in. Why each is refused:

- C0 and C1 control characters, DEL: nothing in a record means them; they make feed.xml and
  sitemap.xml invalid XML, and U+001E is the renderer's private "verbatim" fence. A line break
  and a tab are text only where a field holds Markdown (several lines); anywhere else they are a
  paste accident, or a way to smuggle a second YAML document or line into generated output.
- U+2028/U+2029 and U+0085: line breaks to YAML and to JavaScript, not to an editor.
- Bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069): text that reads otherwise
  than it is (the "Trojan Source" trick) in pages and in review.
- Noncharacters (U+FDD0-FDEF, U+xFFFE/U+xFFFF) and lone surrogates: not text at all.
- Tag characters (U+E0000-E007F): invisible letters, a known way to hide words.

A title, name or label made only of spaces and invisible characters (zero-width spaces, Hangul
fillers, soft hyphens ...) passes a length check and renders as nothing: it is refused as blank.
"""

from __future__ import annotations

import re

# Refused in every string, Markdown or not.
_ALWAYS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 except tab and line feed; DEL; C1 (with U+0085)
    "\u2028\u2029"
    "\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff"
    "\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17))
    + "\U000e0000-\U000e007f"
)
_IN_MARKDOWN = re.compile(f"[{_ALWAYS}]")
_IN_LINE = re.compile(f"[{_ALWAYS}\t\n]")  # a field of one line: no tab, no line break either
# What a reader cannot see: removed, with whitespace, before asking whether anything is left.
_INVISIBLE_RANGES = (
    (0x00AD, 0x00AD),  # soft hyphen
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x061C, 0x061C),  # Arabic letter mark
    (0x115F, 0x1160),  # Hangul fillers
    (0x17B4, 0x17B5),
    (0x180B, 0x180E),  # Mongolian variation selectors and vowel separator
    (0x200B, 0x200F),  # zero-width space, joiners, direction marks
    (0x2060, 0x2064),  # word joiner, invisible operators
    (0x2800, 0x2800),  # Braille blank
    (0x3164, 0x3164),  # Hangul filler
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFEFF, 0xFEFF),  # zero-width no-break space (BOM)
    (0xFFA0, 0xFFA0),  # halfwidth Hangul filler
)
INVISIBLE = "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in _INVISIBLE_RANGES)
_BLANK = re.compile(f"[\\s{INVISIBLE}]+")
# The first character of any blank value: what str.isspace() and \s call whitespace, and the above.
_BLANK_START = frozenset(
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
    + "".join(chr(n) for n in range(0x2000, 0x200B))
    + "".join(chr(n) for a, b in _INVISIBLE_RANGES for n in range(a, b + 1))
)

CODE = "text.character"
BLANK_CODE = "text.blank"


def describe(char: str) -> tuple[str, str]:
    """(what the character is, what to do), in the words an editor can act on."""
    n = ord(char)
    name = f"U+{n:04X}"
    if char == "\n":
        return "换行", "这个字段只能写一行：把换行删掉（多行的内容只能写在背景、做法等 Markdown 字段里）。"
    if char == "\t":
        return "Tab 字符", "把 Tab 换成空格。"
    if char in "\u2028\u2029\x85":
        return f"特殊换行符 {name}", "删除这个字符；需要换行时直接回车。"
    if 0x202A <= n <= 0x202E or 0x2066 <= n <= 0x2069:
        return (
            f"文字方向控制字符 {name}",
            "这种看不见的字符会让文字显示的顺序与实际不同：删除它（从别处复制文字时可能带进来）。",
        )
    if 0xD800 <= n <= 0xDFFF or 0xFDD0 <= n <= 0xFDEF or n & 0xFFFE == 0xFFFE:
        return f"无效的 Unicode 字符 {name}", "这不是文字：删除它，并检查文件是否被损坏。"
    if 0xE0000 <= n <= 0xE007F:
        return f"不可见的标签字符 {name}", "删除这个字符：它看不见，却会被当作文字。"
    return f"不可见的控制字符 {name}", "删除这个字符（从别处复制文字时常会带进来），然后保存。"


def refused(value: str, markdown: bool = False) -> re.Match[str] | None:
    """The first character of value that no editor means (tab and line break count in a one-line field)."""
    return (_IN_MARKDOWN if markdown else _IN_LINE).search(value)


def is_blank(value: str) -> bool:
    """Non-empty, and nothing left once spaces and invisible characters are taken out."""
    return bool(value) and _BLANK.fullmatch(value) is not None


_SHOWN = re.compile(f"[{_ALWAYS}\t\n\r{INVISIBLE}]")


# Printed as they are although str.isprintable() says no: spaces a Chinese text may well hold.
_SPACES = frozenset("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000")


def visible(text: str) -> str:
    """text with every refused, invisible or unprintable character written as \\uXXXX: what a
    message quotes from a record must neither hide anything nor break the line it is printed on."""
    if text.isprintable() and not _SHOWN.search(text):
        return text
    return "".join(
        _escape_char(c) if (not c.isprintable() and c not in _SPACES) or _SHOWN.match(c) else c for c in text
    )


def _escape_char(char: str) -> str:
    n = ord(char)
    return f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"
