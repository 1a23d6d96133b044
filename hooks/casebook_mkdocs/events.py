"""MkDocs' events, each handed to the one `CasebookBuild` that `on_config` creates."""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from .build import CasebookBuild, page_content, startup, watch_saves

_build: list[CasebookBuild] = []  # the build in progress (MkDocs' hooks are plain functions)


def _current() -> CasebookBuild:
    return _build[-1]


def on_startup(command: str, dirty: bool) -> None:
    startup(command, dirty)


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    _build.clear()
    _build.append(CasebookBuild(config))
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    return _current().files(files)


def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    _current().nav(nav)
    return nav


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    return _current().page_markdown(markdown, page)


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    return page_content(html)


def on_env(env: object, config: MkDocsConfig, files: Files) -> object:
    _current().env(env, files)
    return env


def on_page_context(context: object, page: Page, config: MkDocsConfig, nav: Navigation) -> object:
    _current().page_context(page)
    return context


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    return _current().post_page(output, page)


def on_post_build(config: MkDocsConfig) -> None:
    _current().post_build()
    _build.clear()  # done: what it holds may go (on_serve, which comes later, needs none of it)


def on_serve(server: object, config: MkDocsConfig, builder: object) -> object:
    watch_saves(server, config)
    return server


def on_build_error(error: Exception) -> None:
    if _build:
        _build.pop().close()
