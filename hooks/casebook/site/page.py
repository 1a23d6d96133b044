"""A generated page as a site generator needs it: title, description, HTML and its headings.

Nothing here is specific to one generator: the MkDocs adapter turns a `RenderedPage` into a
MkDocs page; another generator would write `html` into its own layout."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from typing import Any

TocToken = dict[str, Any]  # level, id, name, children: the shape Python-Markdown's toc_tokens have

# Only headings that carry an id belong in a table of contents; the templates and the
# Markdown converter both give every section heading one.
_HEADING = re.compile(r'<h([1-6])\b[^>]*?\sid="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
_TAG = re.compile(r"<[^>]+>")
_IDS = re.compile(r'\sid="([^"]+)"')


@dataclass(frozen=True)
class RenderedPage:
    """`layout` names what the page asks of the site's layout: "wide" (no table of contents),
    "print" (no navigation either), the generator decides how."""

    path: str  # web path, "cases/<id>/"
    title: str
    html: str
    description: str = ""
    layout: frozenset[str] = frozenset()
    toc: list[TocToken] = field(default_factory=list)

    @property
    def anchors(self) -> set[str]:
        return set(_IDS.findall(self.html))


def toc_from_html(html: str) -> list[TocToken]:
    """The page's headings as a nested table of contents."""
    toc: list[TocToken] = []
    for level, anchor, inner in _HEADING.findall(html):
        name = html_lib.unescape(_TAG.sub("", _HEADERLINK.sub("", inner))).strip()
        token: TocToken = {"level": int(level), "id": html_lib.unescape(anchor), "name": name, "children": []}
        siblings = toc
        while siblings and siblings[-1]["level"] < token["level"]:
            siblings = siblings[-1]["children"]
        siblings.append(token)
    return toc
