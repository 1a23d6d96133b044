"""What a preview server needs: which generated pages changed between two rebuilds, and a page in
place of each case whose record has errors.

A preview rebuilds after every save; re-rendering a thousand case pages through the site's
template took longer than the reader waits. The server keeps one `PreviewMemory` for as long as
its process lives, and rewrites only the pages whose HTML differs.

A record an editor is still filling in must not stop the preview: the loader leaves such cases
out (load(keep_going=True)) and the preview serves, at each one's address, the list of its errors
with file, line, column, field and hint (`error_pages`)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Casebook
from ..records.check_cache import PreviewChecks
from ..records.diagnostics import Diagnostic
from ..records.keyed_files import MemoryEntries
from ..records.loader import SLUG
from . import urls
from .key_reuse import KeyState
from .markdown_fields import MarkdownFields
from .pages import GeneratedPage, SitePages
from .templates import Templates


@dataclass
class PreviewMemory:
    templates: Templates | None = None  # see kept_templates
    checks: PreviewChecks = field(default_factory=PreviewChecks)  # each record's own check, by its key
    related: MemoryEntries = field(default_factory=MemoryEntries)  # computed related lists, by their key
    qr_checked: set[Path] = field(default_factory=set)  # QR codes found trusted or drawn (qr.QrBatch)
    keys: KeyState | None = None  # every case's page keys at the last rebuild that succeeded (key_reuse)
    last_book: Casebook | None = None  # the last casebook a rebuild built without errors in data/
    stale_shown: bool = False  # the pages written last carry the notice of errors in data/
    _written: dict[tuple[str, str], bytes] = field(default_factory=dict)  # (site folder, page) -> digest

    def kept_templates(self, cache_dir: Path | None) -> Templates:
        """One template environment for the life of the server, made at the first build: loading
        the templates into a new one was a tenth of a save's rebuild at 5,000 cases. It compiles
        again a template whose file changed, and remembers converted Markdown fields."""
        if self.templates is None:
            self.templates = Templates(MarkdownFields(remember=True), cache_dir, auto_reload=True)
        return self.templates

    def changed(self, site_dir: str, page: str, html: str) -> bool:
        """Whether the page differs from the last time it was written to this site folder; it is
        remembered as written from now on."""
        return self.changed_key(site_dir, page, hashlib.blake2b(html.encode("utf-8"), digest_size=16).digest())

    def changed_key(self, site_dir: str, page: str, digest: bytes) -> bool:
        """The same, judged by the digest of what the page is made from (page_keys), before it is
        rendered: an unchanged page is then not even rendered."""
        key = (site_dir, page)
        if self._written.get(key) == digest:
            return False
        self._written[key] = digest
        return True

    def keep_used(self) -> int:
        """After a rebuild that succeeded: the checks and related lists it did not use (an edited
        record's older versions, the lists their keys named) go. Every rebuild asks for every
        current one, so what goes is only what no page can ask for again; a field's conversion
        is kept (a page left unrendered does not ask for its fields, and they grow by one text
        a save). Returns how many entries went."""
        return self.checks.keep_used() + self.related.entries.keep_used()

    def forget(self, site_dir: str) -> None:
        """After a failed build nothing written can be trusted."""
        for key in [k for k in self._written if k[0] == site_dir]:
            del self._written[key]


def error_pages(site: SitePages, broken: Mapping[str, list[Diagnostic]]) -> list[GeneratedPage]:
    """One page per case left out for its errors, at the case's own address."""
    out = []
    for stem, diagnostics in sorted(broken.items()):
        if not SLUG.fullmatch(stem):
            continue  # no address to serve it at: the terminal lists its errors
        file = f"cases/{stem}.yml"
        shown = [d.shown() for d in diagnostics]
        out.append(
            site.page(urls.case(stem), "preview_errors.html", f"{stem}：记录有错误", file=file, diagnostics=shown)
        )
    return out


def stale_notice(site: SitePages, diagnostics: list[Diagnostic]) -> str:
    """The notice every page of a preview carries while a file of data/ has errors: which, where,
    and that the pages are those of the last version that had none."""
    files = list(dict.fromkeys(d.file for d in diagnostics))
    return site.templates.render("preview_stale.html", files=files, diagnostics=diagnostics)
