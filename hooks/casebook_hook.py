"""MkDocs adapter for the casebook core: load and check records, add the generated pages and
files in memory, fill the home page's blocks, and prove after the build that every case was
published.

All domain logic lives in the `casebook` package; this file only translates between it and
MkDocs' event API, so another site generator can reuse the core unchanged.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from casebook.diagnostics import format_text
from casebook.loader import Project, load
from casebook.model import Casebook
from casebook.preview import changed, forget
from casebook.publish import check_site
from casebook.qr import QrBatch
from casebook.render.markup import Html, remember_fragments
from casebook.search import IndexRun, SearchIndexError
from casebook.site import GeneratedPage, files, fill_blocks, pages, photos, qr_codes
from casebook.variants import TraditionalVariant

log = logging.getLogger("mkdocs.hooks.casebook")
_state: dict[str, object] = {}


def _book() -> Casebook:
    book = _state.get("book")
    assert isinstance(book, Casebook)
    return book


def _project() -> Project:
    project = _state.get("project")
    assert isinstance(project, Project)
    return project


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    project = Project(Path(config.config_file_path).parent)
    result = load(project)
    for d in result.diagnostics:
        if d.severity == "warning":
            log.warning(d.text())
    if not result.ok or result.casebook is None:
        raise PluginError("案例记录有错误，站点未生成：\n" + format_text(result.diagnostics))
    book = result.casebook
    book.site = book.site.with_env(dict(os.environ))
    # `mkdocs serve` sets its own address; a build takes the published one from data/site.yml.
    if not config.site_url:
        config.site_url = book.site.url
    # The QR codes are known now: a second process draws them while pages are listed and rendered.
    qr = QrBatch([url for _, url in qr_codes(book)], project.root / ".cache" / "qr")
    qr.start()
    _state.update(book=book, project=project, edits={}, config=config, qr=qr)
    log.info("casebook: %d 个案例已通过检查", len(book.cases))
    return config


def _preview() -> bool:
    """`make serve`: one script, no search index, only changed pages rewritten (see README)."""
    return os.environ.get("CASEBOOK_PREVIEW") == "1"


class CoreFile(File):
    """A generated page's file; `modified` is False when a preview already holds this very page."""

    modified = True

    def is_modified(self) -> bool:
        return self.modified


class CorePage(Page):
    """A page the core renders to HTML itself: MkDocs' Markdown step is skipped, its template kept."""

    def __init__(self, generated: GeneratedPage, file: File, config: MkDocsConfig, rendered: Html | None = None):
        super().__init__(None, file, config)
        self.generated = generated
        self.rendered = rendered

    def read_source(self, config: MkDocsConfig) -> None:
        self.rendered = self.rendered or self.generated.render()
        self.markdown = ""
        self.meta = dict(self.rendered.meta)
        self.title = self.rendered.title

    def render(self, config: MkDocsConfig, files: Files) -> None:
        assert self.rendered is not None
        self.content = self.rendered.html
        self.toc = get_toc(self.rendered.toc)
        self.present_anchor_ids = self.rendered.anchors
        self.rendered = None  # the HTML now lives in self.content; keep one copy


def on_files(files_: Files, config: MkDocsConfig) -> Files:
    book, project = _book(), _project()
    cache = project.root / ".cache"
    sizes = photos(book, project.cases_dir, cache / "images")
    edits: dict[str, str] = {}
    preview = _preview()
    remember_fragments(preview)
    if preview:
        # Hand-written pages may hold generated blocks: always rewrite them (there are few).
        for file in files_.documentation_pages():
            Path(file.abs_dest_path).unlink(missing_ok=True)
    for page in pages(book, sizes):
        file = CoreFile.generated(config, page.src_uri, content="", inclusion=InclusionLevel.NOT_IN_NAV)
        _add(files_, file)
        rendered = None
        if preview:
            rendered = page.render()
            file.modified = changed(config.site_dir, page.src_uri, rendered.html)
        CorePage(page, file, config, rendered)
        edits[page.src_uri] = page.edit_url
    for item in files(book, project.schema_dir, sizes):
        _add(files_, File.generated(config, item.src_uri, content=item.content))
    qr: QrBatch = _state["qr"]  # type: ignore[assignment]
    for src_uri, url in qr_codes(book):
        _add(files_, File.generated(config, src_uri, abs_src_path=str(qr.path(url))))
    _state["edits"] = edits
    return files_


def _add(files_: Files, file: File) -> None:
    if files_.get_file_from_path(file.src_uri) is not None:
        raise PluginError(f"docs/{file.src_uri} 与生成的文件重名：生成的内容不能写在 docs/ 里，请删除这个文件。")
    files_.append(file)


def _docs_path(config: MkDocsConfig, src_uri: str) -> str:
    root = Path(config.config_file_path).parent
    return (Path(config.docs_dir).relative_to(root) / src_uri).as_posix()


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    book = _book()
    src = page.file.src_uri
    filled, problems = fill_blocks(markdown, book, src, f"docs/{src}")
    if problems:
        raise PluginError(format_text(problems))
    edits: dict[str, str] = _state["edits"]  # type: ignore[assignment]
    page.edit_url = edits.get(src) if src in edits else book.site.edit_url(_docs_path(config, src)) or None
    return filled


def _shard_pages() -> int:
    """Pages per search-index shard; CASEBOOK_SEARCH_SHARD_PAGES lowers it on a small machine
    (and lets the tests make shards out of a few pages)."""
    value = os.environ.get("CASEBOOK_SEARCH_SHARD_PAGES", "")
    if not value:
        return IndexRun.SHARD_PAGES
    if not value.isdigit() or int(value) < 1:
        raise PluginError(f"CASEBOOK_SEARCH_SHARD_PAGES 应为正整数，现在是“{value}”")
    return int(value)


def on_env(env: object, config: MkDocsConfig, files: Files) -> object:
    qr: QrBatch = _state.pop("qr")  # type: ignore[assignment]
    qr.wait()  # MkDocs copies the files next
    if _preview():
        return env
    # Every page's article is rendered by now and none is written yet: hand the articles to
    # Pagefind, which indexes them on the other core while MkDocs writes the pages.
    search = IndexRun(_shard_pages())
    try:
        for file in files.documentation_pages():
            page = file.page
            if page is not None and page.content is not None:
                search.add(file.dest_uri, page.title or "", page.content)
        search.start()
    except (OSError, SearchIndexError) as exc:
        search.close()
        raise PluginError(f"搜索索引无法开始：{exc}") from exc
    # The site folder has been cleaned by now: start the Traditional copy, which takes each page
    # as soon as it is rendered.
    _state.update(search=search, variant=TraditionalVariant(Path(config.site_dir), _book().site.url))
    return env


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    if isinstance(page, CorePage):
        page.content = None  # written out: thousands of pages need not stay in memory
    variant = _state.get("variant")
    if not isinstance(variant, TraditionalVariant):
        # A preview: the page says so, and the scripts hide what a preview does not build.
        return output.replace("<html ", "<html data-cb-preview ", 1)
    simplified, _traditional = variant.page(output, page.file.dest_uri)
    return simplified


def on_post_build(config: MkDocsConfig) -> None:
    site_dir = Path(config.site_dir)
    if _preview():
        problems = check_site(_book(), site_dir, complete=False)
        if problems:
            raise PluginError("站点不完整：\n" + "\n".join(problems))
        log.info("casebook: 预览模式：只有简体页面，没有搜索索引（完整站点用 make build）")
        return
    variant: TraditionalVariant = _state.pop("variant")  # type: ignore[assignment]
    variant.finish()  # 404 and redirect pages, static files, sitemaps, the search character map
    search: IndexRun = _state.pop("search")  # type: ignore[assignment]
    try:
        shards = search.finish(site_dir)
    except SearchIndexError as exc:
        raise PluginError(str(exc)) from exc
    log.info("casebook: 繁体版 %d 页，搜索索引 %d 页（%d 个分片）", variant.pages, search.count, shards)
    problems = check_site(_book(), site_dir)
    if problems:
        raise PluginError("站点不完整：\n" + "\n".join(problems))


def on_build_error(error: Exception) -> None:
    # Nothing may outlive a failed build: no Pagefind process, no temporary folder, no worker.
    config = _state.get("config")
    if isinstance(config, MkDocsConfig):
        forget(config.site_dir)
    search = _state.pop("search", None)
    if isinstance(search, IndexRun):
        search.close()
    qr = _state.pop("qr", None)
    if isinstance(qr, QrBatch):
        qr.close()
