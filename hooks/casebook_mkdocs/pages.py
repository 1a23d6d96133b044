"""Generated pages as MkDocs pages: the core renders the article, MkDocs keeps its template."""

from __future__ import annotations

import zlib

from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from casebook.site.page import RenderedPage
from casebook.site.pages import GeneratedPage

from .variants import ConvertedPage

# What a page's `layout` asks for, in Material's front-matter terms.
HIDE = {"wide": ("toc",), "print": ("navigation", "toc")}


def src_uri(path: str) -> str:
    """A web path as a MkDocs source file with the same URL: "cases/x/" -> "cases/x/index.md"."""
    return f"{path}index.md"


class CoreFile(File):
    """A generated page's file; `modified` is False when a preview already holds this very page."""

    modified = True

    def is_modified(self) -> bool:
        return self.modified

    def is_documentation_page(self) -> bool:
        # It is one, always ("….md"); MkDocs asks every file this a dozen times a build, and its
        # own answer tests the name against every Markdown extension: seconds at 5,000 cases.
        return True


class CorePage(Page):
    """A page the core renders to HTML itself: MkDocs' Markdown step is skipped, its template kept."""

    # The finished page in both scripts, from the output cache (output_cache.py): `from_cache`
    # is decided when the page is read, `cached` is loaded only while the page is being built.
    cached: ConvertedPage | None = None
    from_cache: bool = False
    output_key: bytes | None = None
    _packed: bytes | None = None

    # MkDocs keeps every page's HTML from the moment it reads the pages until it writes each one:
    # at 20,000 cases, most of a gigabyte. It is held compressed instead (zlib's fastest level,
    # about a fifth of the size; a fraction of a millisecond a page each way).
    @property  # type: ignore[override]
    def content(self) -> Markup | None:
        return None if self._packed is None else Markup(zlib.decompress(self._packed).decode("utf-8"))

    @content.setter
    def content(self, value: str | None) -> None:
        self._packed = None if value is None else zlib.compress(value.encode("utf-8"), 1)

    @property
    def cached_html(self) -> Markup:
        assert self.cached is not None
        return Markup(self.cached.hans)

    def __init__(self, generated: GeneratedPage, file: File, config: MkDocsConfig, rendered: RenderedPage | None):
        super().__init__(None, file, config)
        self.generated = generated
        self.rendered = rendered
        self.edit_url = generated.edit_url or None

    def read_source(self, config: MkDocsConfig) -> None:
        self.rendered = self.rendered or self.generated.render()
        self.markdown = ""
        r = self.rendered
        hide = sorted({h for key in r.layout for h in HIDE.get(key, ())})
        self.meta = {"title": r.title} | ({"description": r.description} if r.description else {})
        if hide:
            self.meta["hide"] = hide
        self.title = r.title

    def render(self, config: MkDocsConfig, files: Files) -> None:
        assert self.rendered is not None
        # Markup: the theme's environment escapes every other value (see events.on_env).
        self.content = self.rendered.html  # Markup when read: the core's templates escaped it
        self.toc = get_toc(self.rendered.toc)
        self.present_anchor_ids = self.rendered.anchors
        self.rendered = None  # the HTML now lives in self.content; keep one copy
