"""The editors' Markdown fields (背景, 做法, descriptions …) as HTML.

One converter is kept and reset for each field: building a Python-Markdown instance per field
was a third of the build at thousands of cases. The extensions are the subset an editor's field
may use (the validator refuses raw HTML and limits attribute lists before a field gets here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import markdown
from markupsafe import Markup
from pymdownx.slugs import slugify

from ..records.markdown_safety import escape_html

PERMALINK_TITLE = "链接到这一节"
EXTENSIONS: tuple[str, ...] = (
    "abbr",
    "admonition",
    "attr_list",
    "def_list",
    "tables",
    "toc",
    "pymdownx.details",
    "pymdownx.superfences",
    "pymdownx.tasklist",
)


# What can make Python-Markdown write anything but paragraphs: inline syntax and entities anywhere
# (emphasis, code, links, HTML, escapes, attribute lists, tables, abbreviations, fences, `&`,
# which the serializer rewrites), block syntax at a line's start (headings, lists, quotes, rules,
# setext underlines, definitions, admonitions, details), indentation and trailing spaces (code,
# hard breaks), tabs and carriage returns (expanded or converted before parsing), more than one
# blank line. Most fields have none of it: 90 % of the real records' and 88 % of the benchmark's.
_SYNTAX = re.compile(
    r"[\\`*_\[\]<>&{}|~\t\r\x00-\x08\x0b-\x1f\x7f]"  # anywhere
    r"|(?:^|\n)(?:[#>=+\-:!?]|\d+\.)"  # at a line's start
    r"|\n[ \u3000]|[ ]\n|\n\n\s"  # indentation, a trailing space, more than one blank line
)


def plain_paragraphs(text: str) -> str | None:
    """A field without Markdown syntax as Python-Markdown converts it, paragraph by paragraph,
    without its parser (about 1 ms a field, three to four fields a case); None for any other."""
    if not text or _SYNTAX.search(text):
        return None
    # No block starts with a space (the text is stripped, and `\n\n\s` is refused): Markdown's
    # lstrip of a paragraph has nothing to take.
    return "\n".join(f"<p>{block}</p>" for block in text.split("\n\n"))


@dataclass
class MarkdownFields:
    """Converts fields; `remember` keeps results for the life of the object, which a preview
    server wants (every page is re-rendered after each save, and all but one record are unchanged)."""

    remember: bool = False
    _md: markdown.Markdown | None = None
    _memo: dict[str, Markup] = field(default_factory=dict)

    def _converter(self) -> markdown.Markdown:
        if self._md is None:
            self._md = markdown.Markdown(
                extensions=list(EXTENSIONS),
                extension_configs={
                    "toc": {"permalink": True, "permalink_title": PERMALINK_TITLE, "slugify": slugify(case="lower")}
                },
            )
        return self._md

    def html(self, text: str) -> Markup:
        """A field as HTML. Raw HTML in it is shown as text, never passed through."""
        if self.remember and text in self._memo:
            return self._memo[text]
        source = text.strip()
        plain = plain_paragraphs(source)  # holds no `<`, `>` or `&`: nothing to escape
        if plain is not None:
            out = Markup(plain)
        else:
            md = self._converter()
            md.reset()
            out = Markup(md.convert(escape_html(source)))  # converted from escaped text: safe
        if self.remember:
            self._memo[text] = out
        return out
