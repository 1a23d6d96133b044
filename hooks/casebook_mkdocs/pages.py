"""Generated pages as MkDocs pages: the core renders the article, MkDocs keeps its template."""

from __future__ import annotations

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

    # The finished page in both scripts when the output cache holds it (output_cache.py).
    cached: ConvertedPage | None = None
    output_key: bytes | None = None

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
        self.content = Markup(self.rendered.html)  # the core's templates escaped it
        self.toc = get_toc(self.rendered.toc)
        self.present_anchor_ids = self.rendered.anchors
        self.rendered = None  # the HTML now lives in self.content; keep one copy
