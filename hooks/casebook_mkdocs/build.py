"""One MkDocs build of a casebook: the state of the build in one object, created in on_config."""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from pathlib import Path

from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from casebook.model import Case, Casebook
from casebook.options import BuildOptions, OptionError
from casebook.records.check_cache import CheckCache, user_cache_dir
from casebook.records.diagnostics import Diagnostic, format_text
from casebook.records.keyed_files import UNUSED_DAYS, KeyedFiles, prune
from casebook.records.loader import Project, freeze_kept, load
from casebook.site import handouts, urls
from casebook.site.exports import ExportError
from casebook.site.page_keys import PageCache, code_fingerprint
from casebook.site.pages import OPEN_DATA, SitePages, case_cards, files, open_data_files, photos, qr_codes
from casebook.site.preview import PreviewMemory, error_pages, stale_notice
from casebook.site.publish import check_site
from casebook.site.qr import QrBatch
from casebook.site.search import IndexRun, SearchIndexError, search_entry
from casebook.site.sitemap import SITEMAP, SitemapError, crawler_files
from casebook.site.templates import Templates, bytecode_cache

from .hardlinks import LinkedFile
from .output_cache import TEMPLATE as OUTPUT_TEMPLATE
from .output_cache import OutputCache, theme_digest
from .pages import CoreFile, CorePage, src_uri
from .variants import TraditionalVariant
from .watcher import use_notices

log = logging.getLogger("mkdocs.hooks.casebook")

# A preview server rebuilds in the same process after every save, and each rebuild loads this
# adapter's hook anew: what must outlive one build (the fingerprints of written pages, converted
# Markdown fields) is kept here, for the life of the process, and only in preview mode.
_PREVIEW = PreviewMemory()
# `mkdocs serve --dirty` never empties the folder it serves from (a temporary folder of its own),
# so what a rebuild wrote there is still there; without --dirty MkDocs empties it before each
# rebuild, and each page written before must be looked for. Set once, in on_startup.
_FOLDER_KEPT = [False]


class _PreviewLeavesOut(logging.Filter):
    """A preview leaves out the open data and the feed (casebook.site.pages.OPEN_DATA): MkDocs'
    warning that a hand-written page links to them would be printed after every save."""

    LINK = re.compile(r"contains a link '([^']*)'")

    def filter(self, record: logging.LogRecord) -> bool:
        m = self.LINK.search(record.getMessage())
        return not (m and m.group(1).split("#")[0].endswith(OPEN_DATA))


_LEAVES_OUT = _PreviewLeavesOut()
# The keyed caches in the user's cache folder (records/keyed_files.py), pruned after each build.
KEYED_CACHES = ("checks", "pages", "output", "related", "data", "search", "handouts/files", "handouts/pages")
PHOTO_CACHE = "images"  # the photos' renditions, files side by side: pruned too
_PAGES_LOG = logging.getLogger("mkdocs.structure.pages")


class CasebookBuild:
    def __init__(self, config: MkDocsConfig) -> None:
        try:
            self.options = BuildOptions.from_env(os.environ)
        except OptionError as exc:
            raise PluginError(str(exc)) from exc
        self.config = config
        self.project = Project(Path(config.config_file_path).parent)
        # A preview leaves out the cases whose records have errors and serves the rest.
        result = load(
            self.project,
            cache=CheckCache.default(_PREVIEW.checks if self.options.preview else None),
            keep_going=self.options.preview,
        )
        self.broken = result.broken
        if self.options.preview:
            _report(result.diagnostics)
        else:
            for d in result.diagnostics:
                if d.severity == "warning":
                    log.warning(d.text())
        loaded = result.casebook
        # The errors of data/ a preview shows on every page, over the last casebook it built.
        self.stale: list[Diagnostic] = []
        if loaded is None and self.options.preview and _PREVIEW.last_book is not None:
            # A file of data/ (places, policies, sources …) being edited has errors: nothing can
            # be built from it, and MkDocs' server would hold every request until a build
            # succeeds, the browser waiting without a word. The last casebook that built is
            # served again instead, every page saying what is wrong and where.
            loaded, self.broken = _PREVIEW.last_book, {}
            self.stale = [d.shown() for d in result.diagnostics if d.severity == "error"]
        if (not result.ok and not self.options.preview) or loaded is None:
            # MkDocs' logger hides a message it has printed before: a preview that fails twice
            # must still say why, so the reason travels in the error itself.
            raise PluginError("案例记录有错误，站点未生成：\n" + format_text(result.diagnostics))
        if self.options.preview and (self.stale or _PREVIEW.stale_shown):
            _PREVIEW.forget(config.site_dir)  # every page written again: with the notice, or without it
        book: Casebook = loaded
        problems = self.options.problems(self.project.schema_dir)
        if problems:
            raise PluginError("部署设置有错误：\n" + "\n".join(problems))
        book.site = self.options.apply(book.site)
        self.book = book
        if self.options.preview:
            _PAGES_LOG.addFilter(_LEAVES_OUT)  # once: a logger keeps one of each filter
        else:
            _PAGES_LOG.removeFilter(_LEAVES_OUT)
        # `mkdocs serve` sets its own address; a build takes the published one from data/site.yml.
        if not config.site_url:
            config.site_url = book.site.url
        # The QR codes are known now: a second process draws them while pages are listed and rendered.
        # A preview copies only the codes whose address is new to their file: the others are in
        # its folder already, and are not even looked up in the cache (5,000 a save).
        self.qr_files = [
            (path, url) for path, url in qr_codes(book) if not (self.preview and self.unchanged(path, url.encode()))
        ]
        self.qr: QrBatch | None = QrBatch(
            [url for _, url in self.qr_files],
            self.project.root / ".cache" / "qr",
            checked=_PREVIEW.qr_checked if self.options.preview else None,
        )
        try:
            self.qr.start()
        except BaseException:
            _PREVIEW.forget(config.site_dir)  # no build object yet whose close() would
            raise
        self.search: IndexRun | None = None
        self.variant: TraditionalVariant | None = None
        self.site: SitePages | None = None
        self.written: set[str] = set()  # generated pages (re)written by this build
        self.outputs: OutputCache | None = None  # finished case pages (not in a preview)
        self.page_paths: list[str] = []  # every page's web path, for the sitemaps
        log.info("casebook: %d 个案例已通过检查", len(book.cases))

    @property
    def preview(self) -> bool:
        return self.options.preview

    def unchanged(self, path: str, key: bytes) -> bool:
        """A preview writes again only what changed by its key, or is gone from its folder
        (looked for only when MkDocs may have emptied it: 15,000 stat() a save at 5,000). Asking
        counts as writing it: a build that fails forgets everything (close)."""
        site_dir = self.config.site_dir
        return not _PREVIEW.changed_key(site_dir, path, key) and (
            _FOLDER_KEPT[0] or os.path.isfile(os.path.join(site_dir, path))
        )

    def files(self, files_: Files) -> Files:
        config = self.config
        # Photo renditions are published as they are kept: kept in the user's cache, which no
        # pull request reaches. In the repository's .cache, a committed index and files (or
        # symlinks to any file of the machine) under a photo's digest were published in its place.
        sizes = photos(self.book, self.project.cases_dir, user_cache_dir() / PHOTO_CACHE)
        # Compiled templates are code: kept in the user's cache, never in the repository's
        # .cache, where a pull request could commit a compiled template that runs anything.
        jinja_cache = user_cache_dir() / "jinja" / "core"
        templates = _PREVIEW.kept_templates(jinja_cache) if self.preview else Templates(None, jinja_cache)
        # The open data first (it depends on the records alone), while the second process
        # draws the QR codes; then the Word and slide files, which embed those codes, before
        # the pages, which name the files' sizes. A preview leaves out both: seconds per save
        # at a thousand cases.
        made, data = handouts.Handouts(), []
        if not self.preview:
            try:
                data = open_data_files(self.book, KeyedFiles(user_cache_dir() / "data"))
            except ExportError as exc:  # a schema field that no export rule takes: named, never dropped
                raise PluginError(f"开放数据无法生成：{exc}") from exc
            assert self.qr is not None
            start = time.perf_counter()
            try:
                made = handouts.make(self.book, user_cache_dir() / "handouts", self.qr.png)
            except OSError as exc:  # the user's cache cannot be written: said, never a traceback
                raise PluginError(f"Word 与幻灯片文件无法生成：{exc}") from exc
            log.info(
                "casebook: Word 与幻灯片文件 %d 个新生成，%d 个取自缓存，用时 %.2f 秒",
                made.made,
                made.reused,
                time.perf_counter() - start,
            )
        related = _PREVIEW.related if self.preview else KeyedFiles(user_cache_dir() / "related")
        self.site = SitePages(
            self.book,
            templates,
            sizes,
            PageCache(user_cache_dir() / "pages"),
            made.by_page,
            related_memo=related,
            previous_keys=_PREVIEW.keys if self.preview else None,
        )
        self.notice = stale_notice(self.site, self.stale) if self.stale else None
        if self.preview:
            # Hand-written pages may hold generated blocks: always rewrite them (there are few).
            for file in files_.documentation_pages():
                Path(file.abs_dest_path).unlink(missing_ok=True)
        pages = self.site.all()
        if self.preview:
            pages += error_pages(self.site, self.broken)

        unchanged = self.unchanged
        for page in pages:
            # Known unchanged by what it is made from, and still in the preview's folder (a
            # serve without --dirty empties it): not rendered, nor even handed to MkDocs (a case
            # page is in no navigation and nothing checks links to it). At 5,000 cases, MkDocs'
            # page and file objects for the unchanged ones were a fifth of a save's time.
            if (
                self.preview
                and page.key is not None
                and config.use_directory_urls
                and unchanged(page.path + "index.html", page.key)
            ):
                continue
            file = CoreFile.generated(config, src_uri(page.path), content="", inclusion=InclusionLevel.NOT_IN_NAV)
            _add(files_, file)
            rendered = None
            if self.preview and page.key is not None:
                file.modified = True
            elif self.preview:
                rendered = page.render()
                file.modified = _PREVIEW.changed(config.site_dir, page.path, rendered.html)
            CorePage(page, file, config, rendered)
            if file.modified:
                self.written.add(page.path)

        try:
            generated = data + files(
                self.site, self.project.schema_dir, open_data=False, unchanged=unchanged if self.preview else None
            )
        except ExportError as exc:  # the export schema, made from the case schema's fields
            raise PluginError(f"开放数据无法生成：{exc}") from exc
        for item in generated:
            if isinstance(item.content, Path):  # a made file in a cache: linked, never held in memory
                _add(files_, LinkedFile.generated(config, item.path, abs_src_path=str(item.content)))
            else:
                _add(files_, File.generated(config, item.path, content=item.content))
        assert self.qr is not None
        for path, url in self.qr_files:
            _add(files_, LinkedFile.generated(config, path, abs_src_path=str(self.qr.path(url))))
        # Last: a case's card links the files above (its Word handout, its slides) that exist.
        published = {f.src_uri for f in files_}
        site = self.site

        def card_changed(case: Case) -> bool:
            # A card shows nothing its page does not: it is made again only when its case's
            # page key changed. Making and writing 5,000 was a second a save.
            key = site.case_key(case)
            return key is None or not unchanged(urls.case_card(case.id), key)

        for item in case_cards(site, published, card_changed if self.preview else None):
            _add(files_, File.generated(config, item.path, content=item.content))
        return files_

    def nav(self, nav: Navigation) -> None:
        if not self.preview:
            self.outputs = OutputCache(user_cache_dir() / "output", theme_digest(self.config, nav, code_fingerprint()))

    def page_markdown(self, markdown: str, page: Page) -> str:
        if isinstance(page, CorePage):
            if self.outputs is not None:
                page.output_key = self.outputs.key(page, page.generated.key)
                # Only whether it is there now: the finished page is loaded when it is built (see
                # page_context). Held from here on, 20,000 of them took more than a gigabyte.
                page.from_cache = page.output_key is not None and self.outputs.holds(page.output_key)
                if page.from_cache:
                    page.meta["template"] = OUTPUT_TEMPLATE  # Material's template is not rendered
            return markdown
        assert self.site is not None
        src = page.file.src_uri
        filled, problems = self.site.fill_blocks(markdown, page.url, f"docs/{src}")
        if problems:
            raise PluginError(format_text(problems))
        docs = Path(self.config.docs_dir).relative_to(self.project.root) / src
        page.edit_url = self.book.site.edit_url(docs.as_posix()) or None
        return filled

    def env(self, env: object, files_: Files) -> None:
        # Every value the theme prints is escaped unless it is Markup (the pages' HTML): a title
        # or a description from a record can never become markup on any page.
        env.autoescape = True  # type: ignore[attr-defined]
        env.bytecode_cache = bytecode_cache(user_cache_dir() / "jinja" / "theme")  # type: ignore[attr-defined]
        if self.qr is not None:
            self.qr.wait()  # MkDocs copies the files next
        if self.preview:
            return
        # Every page's article is rendered by now and none is written yet: hand the articles to
        # Pagefind, which indexes them on the other core while MkDocs writes the pages.
        self.search = IndexRun(self.options.search_shard_pages, KeyedFiles(user_cache_dir() / "search"))
        try:
            assert self.site is not None
            for file in files_.documentation_pages():
                dest = file.dest_uri
                self.page_paths.append(dest[: -len("index.html")] if dest.endswith("index.html") else dest)
                page = file.page
                web_path = file.dest_uri.removesuffix("index.html")
                entry = search_entry(self.site.view, web_path)
                if page is not None and page.content is not None and entry is not None:
                    self.search.add(file.dest_uri, page.title or "", str(page.content), entry)
            self.search.start()
        except (OSError, SearchIndexError) as exc:
            self.search.close()
            raise PluginError(f"搜索索引无法开始：{exc}") from exc
        # The site folder has been cleaned by now: the Traditional copy takes each page as soon
        # as it is rendered.
        self.variant = TraditionalVariant(Path(self.config.site_dir), self.book.site.url)

    def page_context(self, page: Page) -> None:
        """The page is about to be built: a finished one is loaded from the output cache now."""
        if isinstance(page, CorePage) and page.from_cache:
            assert self.outputs is not None and page.output_key is not None
            page.cached = self.outputs.get(page.output_key)
            if page.cached is None:  # it was there when the pages were read, moments ago
                raise PluginError(f"缓存中的页面在构建时消失或损坏：{user_cache_dir() / 'output'}，请重新构建")

    def post_page(self, output: str, page: Page) -> str:
        if isinstance(page, CorePage):
            page.content = None  # written out: thousands of pages need not stay in memory
        if self.variant is None:
            # A preview: the page says so, and the scripts hide what a preview does not build.
            output = output.replace("<html ", "<html data-cb-preview ", 1)
            return output if self.notice is None else _after_body_tag(output, self.notice)
        dest = page.file.dest_uri
        if not isinstance(page, CorePage):
            simplified, _traditional = self.variant.page(output, dest)
            return simplified
        converted = page.cached or self.variant.convert(output, dest)
        self.variant.take(dest, converted)
        if page.cached is None and page.output_key is not None and self.outputs is not None:
            self.outputs.put(page.output_key, converted)
        page.cached, page.from_cache = None, False
        return converted.hans

    def post_build(self) -> None:
        site_dir = Path(self.config.site_dir)
        if self.preview:
            problems = check_site(self.book, site_dir, complete=False, written=self.written)
            if problems:
                raise PluginError("站点不完整：\n" + "\n".join(problems))
            _PREVIEW.keep_used()  # a server that runs all day keeps one version of each answer
            assert self.site is not None
            _PREVIEW.keys = self.site.key_state()  # the next save works out only the keys it can change
            _PREVIEW.stale_shown = bool(self.stale)
            if not self.stale:
                _PREVIEW.last_book = self.book
            log.info(
                "casebook: 预览模式：只有简体页面，没有搜索索引、开放数据和 Word、幻灯片文件（完整站点用 make build）"
            )
            return
        assert self.variant is not None and self.search is not None
        self.variant.finish()  # 404 and redirect pages, static files, the search character map
        self.crawlers(site_dir)
        try:
            shards = self.search.finish(site_dir)
        except SearchIndexError as exc:
            raise PluginError(str(exc)) from exc
        log.info(
            "casebook: 繁体版 %d 页，搜索索引 %d 页（%d 个分片，%d 个取自缓存）",
            self.variant.pages,
            self.search.count,
            shards,
            self.search.reused,
        )
        if self.outputs is not None and self.outputs.hits:
            log.info("casebook: %d 个生成的页面取自缓存（内容未变）", self.outputs.hits)
        problems = check_site(self.book, site_dir)
        if problems:
            raise PluginError("站点不完整：\n" + "\n".join(problems))
        # Only after a build that succeeded: what it used is touched by now, and the rest of
        # the entries no build has used for a month go.
        removed = prune((user_cache_dir() / name for name in KEYED_CACHES), flat=[user_cache_dir() / PHOTO_CACHE])
        if removed:
            log.info("casebook: 缓存中 %d 个 %d 天未用的条目已删除", removed, UNUSED_DAYS)

    def crawlers(self, site_dir: Path) -> None:
        """The core's sitemaps (over MkDocs' own, which dates every page by the build) and robots.txt."""
        try:
            out = crawler_files(self.book, self.page_paths)
        except SitemapError as exc:
            raise PluginError(str(exc)) from exc
        for stale in (SITEMAP, SITEMAP + ".gz"):  # MkDocs wrote these; without a site address none is right
            if stale not in out:
                (site_dir / stale).unlink(missing_ok=True)
        for path, data in out.items():
            target = site_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)

    def close(self) -> None:
        """Nothing may outlive a failed build: no Pagefind process, no temporary folder, no worker."""
        _PREVIEW.forget(self.config.site_dir)
        if self.search is not None:
            self.search.close()
        if self.qr is not None:
            self.qr.close()


# MkDocs' logger drops a message it has printed before (DuplicateFilter): a preview that fails the
# same way twice must still say why each time. Its reports go through this logger's own handler.
_preview_log = logging.getLogger("casebook.preview")
_preview_log.propagate = False
if not _preview_log.handlers:
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(message)s"))
    _preview_log.addHandler(_handler)
    _preview_log.setLevel(logging.INFO)


def startup(command: str, dirty: bool) -> None:
    """Once, before `mkdocs serve` or `build` reads anything: whether every rebuild of this
    process writes into a folder MkDocs leaves as it was (serve --dirty)."""
    _FOLDER_KEPT[0] = command == "serve" and dirty


def watch_saves(server: object, config: MkDocsConfig) -> None:
    """`mkdocs serve` is about to watch for saves (after its first build): with the system's
    change notices unless CASEBOOK_WATCH=poll (watcher.py). A preview first settles its memory."""
    try:
        options = BuildOptions.from_env(os.environ)
    except OptionError as exc:
        raise PluginError(str(exc)) from exc
    if options.preview:
        log.info("casebook: 预览常驻的 %d 个对象不再由垃圾回收扫描", settle_memory())
    if options.watch == "poll":
        log.info("casebook: 预览定时扫描文件（CASEBOOK_WATCH=poll）")
        return
    watched = [config.docs_dir, config.config_file_path or "", *config.theme.dirs]
    if use_notices(server, [p for p in watched if p]) == "notices":
        log.info("casebook: 预览由系统的文件变动通知触发重建")


def settle_memory() -> int:
    """Called once, after a preview's first build and before the server waits for saves: what
    that build made to keep (every record's check and Case, converted fields, related lists) is
    kept for the life of the server, and what it made for itself is garbage by now (MkDocs has
    returned from the build, and the hook let go of its own in on_post_build). Collect that once,
    then freeze the rest: the collector never walks it again. A full collection walked all of it
    on every save, half a second at 5,000 records. Kept things replaced later are still freed by
    their reference counts (loader.freeze_kept). Returns how many objects were frozen."""
    return freeze_kept()


def _report(diagnostics: list[Diagnostic]) -> None:
    """Every problem of this rebuild, in full, each time."""
    if not diagnostics:
        return
    _preview_log.warning(
        "casebook 预览：记录有问题（有错误的案例暂不显示，其网址显示错误列表）：\n%s", format_text(diagnostics)
    )


def _after_body_tag(html: str, notice: str) -> str:
    start = html.find("<body")
    end = html.find(">", start) + 1 if start >= 0 else 0
    return html[:end] + notice + html[end:]


def page_content(html: str) -> Markup:
    """A hand-written page's HTML, from Markdown whose raw HTML only the maintainers write."""
    return Markup(html)


def _add(files_: Files, file: File) -> None:
    if files_.get_file_from_path(file.src_uri) is not None:
        raise PluginError(f"docs/{file.src_uri} 与生成的文件重名：生成的内容不能写在 docs/ 里，请删除这个文件。")
    files_.append(file)
