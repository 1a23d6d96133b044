"""MkDocs adapter for the casebook core: load and check records, add the generated pages in
memory, fill the home page's blocks, and prove after the build that every case was published.

All domain logic lives in the `casebook` package; this file only translates between it and
MkDocs' event API, so another site generator can reuse the core unchanged.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from casebook.diagnostics import format_text
from casebook.loader import Project, load
from casebook.model import Casebook
from casebook.publish import check_site
from casebook.site import SiteSettings, fill_blocks, pages

log = logging.getLogger("mkdocs.hooks.casebook")
_state: dict[str, object] = {}


def _book() -> Casebook:
    book = _state.get("book")
    assert isinstance(book, Casebook)
    return book


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    project = Project(Path(config.config_file_path).parent)
    result = load(project)
    for d in result.diagnostics:
        if d.severity == "warning":
            log.warning(d.text())
    if not result.ok or result.casebook is None:
        raise PluginError("案例记录有错误，站点未生成：\n" + format_text(result.diagnostics))
    _state.update(book=result.casebook, project=project)
    log.info("casebook: %d 个案例已通过检查", len(result.casebook.cases))
    return config


def _settings(config: MkDocsConfig) -> SiteSettings:
    extra = config.extra.get("casebook") or {}
    return SiteSettings(repo_url=str(extra.get("repo_url") or ""), branch=str(extra.get("branch") or "main"))


def _docs_path(config: MkDocsConfig, src_uri: str) -> str:
    root = Path(config.config_file_path).parent
    return (Path(config.docs_dir).relative_to(root) / src_uri).as_posix()


def on_files(files: Files, config: MkDocsConfig) -> Files:
    settings = _settings(config)
    for page in pages(_book(), settings):
        if files.get_file_from_path(page.src_uri) is not None:
            raise PluginError(f"docs/{page.src_uri} 与生成的页面重名：生成的页面不能写在 docs/ 里，请删除这个文件。")
        file = File.generated(config, page.src_uri, content=page.markdown, inclusion=InclusionLevel.NOT_IN_NAV)
        file.edit_uri = None
        files.append(file)
        _state.setdefault("edit", {})[page.src_uri] = page.edit_url  # type: ignore[index]
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    src = page.file.src_uri
    filled, problems = fill_blocks(markdown, _book(), src, f"docs/{src}")
    if problems:
        raise PluginError(format_text(problems))
    edits: dict[str, str] = _state.get("edit", {})  # type: ignore[assignment]
    page.edit_url = edits.get(src) or _settings(config).edit_url(_docs_path(config, src)) or None
    return filled


def on_post_build(config: MkDocsConfig) -> None:
    problems = check_site(_book(), Path(config.site_dir))
    if problems:
        raise PluginError("站点不完整：\n" + "\n".join(problems))
