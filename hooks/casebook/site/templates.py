"""The Jinja2 environment every generated page and file is rendered with.

Autoescaping is on for every template: a value from a record is text unless a filter says it
is HTML (only `markdown`, which converts an editor's field from escaped text)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from ..dates import date_zh
from . import urls
from .markdown_fields import MarkdownFields

TEMPLATE_DIR = Path(__file__).parent / "templates"


class Templates:
    def __init__(
        self, fields: MarkdownFields | None = None, cache_dir: Path | None = None, *, auto_reload: bool = False
    ) -> None:
        """`auto_reload`: for an environment kept across rebuilds (a preview server's), which
        then compiles again a template whose file changed."""
        self.fields = fields or MarkdownFields()
        self.env = Environment(
            # Compiling the templates is a tenth of a small build; Jinja checks each cached
            # compilation against its template's source, so an edited template is compiled anew.
            bytecode_cache=bytecode_cache(cache_dir),
            loader=FileSystemLoader(TEMPLATE_DIR),
            autoescape=True,
            undefined=StrictUndefined,  # a misspelt name is an error, not an empty string
            auto_reload=auto_reload,  # off in a build: templates do not change during one, no stat() per page
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.do"],
        )
        self.env.filters.update(markdown=self._markdown, date_zh=date_zh)
        self.env.globals.update(url=_url, urls=urls)

    def _markdown(self, text: str) -> Markup:
        return self.fields.html(text)

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context)

    def block(self, name: str, **context: Any) -> str:
        """A block for a hand-written page: HTML with no blank line, so Markdown passes it whole."""
        html = self.render(f"blocks/{name}.html", **context)
        return "\n".join(line for line in html.splitlines() if line.strip())


def bytecode_cache(folder: Path | None) -> FileSystemBytecodeCache | None:
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # no cache to write to: templates are compiled each build, as without one
    return FileSystemBytecodeCache(str(folder))


@pass_context
def _url(context: Context, target: str) -> str:
    """A link from the page being rendered (`here`) to a page or file of the site."""
    return urls.relative(context["here"], target)
