"""The editors' Markdown fields (背景, 做法, descriptions …) as HTML.

One converter is kept and reset for each field: building a Python-Markdown instance per field
was a third of the build at thousands of cases. The extensions are the subset an editor's field
may use (the validator refuses raw HTML and limits attribute lists before a field gets here).
"""

from __future__ import annotations

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
        md = self._converter()
        md.reset()
        out = Markup(md.convert(escape_html(text.strip())))  # converted from escaped text: safe
        if self.remember:
            self._memo[text] = out
        return out
