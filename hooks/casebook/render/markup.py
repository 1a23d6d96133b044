"""Generated pages become HTML here, in the core, rather than in the site generator.

MkDocs builds a new Markdown converter for every page and runs every extension over every
line; for thousands of generated pages that was a third of the build. The core keeps one
converter with the site's own extensions, lets renderers pass finished HTML through untouched
(`verbatim`), and hands the generator title, metadata, HTML and table of contents.
"""

from __future__ import annotations

import copy
import posixpath
import re
from dataclasses import dataclass, field
from html import escape as html_escape
from typing import Any
from xml.etree.ElementTree import Element

import markdown
import yaml
from markdown.treeprocessors import Treeprocessor
from pymdownx.slugs import slugify

from . import urls
from .text import md as markdown_text
from .text import yaml_str

PERMALINK_TITLE = "链接到这一节"
# The same list, in the same order, as markdown_extensions in mkdocs.yml (a test holds them
# together), so that a generated page reads like a hand-written one.
EXTENSIONS: tuple[str, ...] = (
    "abbr",
    "admonition",
    "attr_list",
    "md_in_html",
    "def_list",
    "tables",
    "toc",
    "pymdownx.details",
    "pymdownx.superfences",
    "pymdownx.tasklist",
)
TocToken = dict[str, Any]  # Python-Markdown's toc_tokens: level, id, name, html, children

# Record separators cannot occur in a record (the validator refuses control characters), so
# they can fence HTML that must skip Markdown.
_VERBATIM = re.compile("\x1e(.*?)\x1e", re.S)
_PLACEHOLDER = re.compile(r"<!--cbv(\d+)-->")
_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_IDS = re.compile(r'\sid="([^"]+)"')


def verbatim(html: str) -> str:
    """HTML that the page's Markdown must not touch (long lists and tables of cases)."""
    return f"\x1e{html}\x1e"


def unfence(text: str) -> str:
    """Markdown with verbatim fences removed, for pages another converter renders."""
    return _VERBATIM.sub(lambda m: m.group(1), text)


@dataclass(frozen=True)
class Html:
    """A generated page, ready for the site's template."""

    title: str
    html: str
    meta: dict[str, Any] = field(default_factory=dict)
    toc: list[TocToken] = field(default_factory=list)
    # The same page as a Markdown file (front matter, Markdown, raw HTML), for a generator that
    # renders Markdown itself; the benchmark's plain-MkDocs build is one.
    source: str = ""

    @property
    def anchors(self) -> set[str]:
        return set(_IDS.findall(self.html))


class _PageLinks(Treeprocessor):
    """Links between source files (`../framework/x.md`) become links between pages
    (`../../framework/x/`), as MkDocs would make them; other relative files keep their place."""

    here = ""

    def run(self, root: Element) -> None:
        for el in root.iter():
            for name in ("href", "src"):
                value = el.get(name)
                if value and not value.startswith(("#", "/")) and not _SCHEME.match(value):
                    el.set(name, page_url(self.here, value))


def page_url(here: str, target: str) -> str:
    path, sep, rest = _split(target)
    if not path:
        return target
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(here), path))
    url = urls.web_rel(here, resolved) if resolved.endswith(".md") else urls.asset_rel(here, resolved)
    return url + sep + rest


def _split(target: str) -> tuple[str, str, str]:
    m = re.search(r"[?#]", target)
    if not m:
        return target, "", ""
    return target[: m.start()], target[m.start()], target[m.start() + 1 :]


class _Converter:
    def __init__(self) -> None:
        self.md = markdown.Markdown(
            extensions=list(EXTENSIONS),
            extension_configs={
                "toc": {"permalink": True, "permalink_title": PERMALINK_TITLE, "slugify": slugify(case="lower")}
            },
        )
        self.links = _PageLinks(self.md)
        self.md.treeprocessors.register(self.links, "casebook_links", 1)

    def convert(self, text: str, here: str) -> tuple[str, list[TocToken]]:
        self.md.reset()
        self.links.here = here
        html = self.md.convert(text)
        return html, list(getattr(self.md, "toc_tokens", []))


_converter: _Converter | None = None


def _md() -> _Converter:
    global _converter
    if _converter is None:
        _converter = _Converter()
    return _converter


_remembered: dict[tuple[str, str], tuple[str, list[TocToken]]] | None = None


def remember_fragments(on: bool) -> None:
    """Keep converted fields for the life of the process: a preview server re-renders every page
    after each save, and all but one record are unchanged. (A one-off build gains nothing.)"""
    global _remembered
    if not on:
        _remembered = None
    elif _remembered is None:
        _remembered = {}


def fragment(text: str, here: str) -> tuple[str, list[TocToken]]:
    """An editor's Markdown field as HTML, with the headings it holds."""
    if _remembered is None:
        return _md().convert(text, here)
    key = (text, here)
    if key not in _remembered:
        _remembered[key] = _md().convert(text, here)
    html, toc = _remembered[key]
    return html, copy.deepcopy(toc)


def render_page(source: str, here: str) -> Html:
    """A generated page's Markdown (front matter, Markdown, verbatim HTML) as HTML."""
    meta: dict[str, Any] = {}
    original = source
    m = _FRONT.match(source)
    if m:
        meta = yaml.load(m.group(1), Loader=yaml.CSafeLoader) or {}
        source = source[m.end() :]
    blocks: list[str] = []

    def stash(match: re.Match[str]) -> str:
        blocks.append(match.group(1))
        return f"\n\n<!--cbv{len(blocks) - 1}-->\n\n"

    html, toc = fragment(_VERBATIM.sub(stash, source), here)
    if blocks:
        html = _PLACEHOLDER.sub(lambda p: blocks[int(p.group(1))], html)
    title = str(meta.get("title") or (toc[0]["name"] if toc and toc[0]["level"] == 1 else ""))
    return Html(title, html, meta, toc, unfence(original))


class HtmlDoc:
    """A page written as HTML parts, collecting its table of contents as Python-Markdown would."""

    def __init__(self, here: str) -> None:
        self.here = here
        self.parts: list[str] = []
        self.toc: list[TocToken] = []
        self.sources: list[str] = []  # the page as Markdown, part by part

    def add(self, html: str) -> None:
        self.parts.append(html)
        self.sources.append(html)

    def heading(self, level: int, text: str, anchor: str) -> None:
        label = html_escape(text)
        self.parts.append(
            f'<h{level} id="{html_escape(anchor)}">{label}<a class="headerlink" href="#{html_escape(anchor)}"'
            f' title="{PERMALINK_TITLE}">&para;</a></h{level}>'
        )
        self.sources.append(f"{'#' * level} {markdown_text(text)} {{#{anchor}}}")
        self._place({"level": level, "id": anchor, "name": text, "html": label, "data-toc-label": "", "children": []})

    def markdown(self, text: str) -> None:
        html, tokens = fragment(text, self.here)
        self.parts.append(html)
        self.sources.append(text)
        for token in tokens:
            self._place(token)

    def _place(self, token: TocToken) -> None:
        siblings = self.toc
        while siblings and siblings[-1]["level"] < token["level"]:
            siblings = siblings[-1]["children"]
        siblings.append(token)

    def page(self, title: str, meta: dict[str, str]) -> Html:
        front = "".join(f"{key}: {yaml_str(value)}\n" for key, value in meta.items())
        source = f"---\n{front}---\n\n" + "\n\n".join(self.sources) + "\n"
        return Html(title, "\n".join(self.parts), dict(meta), self.toc, source)
