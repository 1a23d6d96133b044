"""The whole generated part of the site as a list of pages, plus the blocks hand-written pages
pull in. The MkDocs hook turns these into files; another generator could do the same."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .diagnostics import Diagnostic
from .model import Casebook
from .render import indexes, urls
from .render.case_page import render_case
from .render.home import BLOCKS


@dataclass(frozen=True)
class SiteSettings:
    repo_url: str = ""
    branch: str = "main"

    def edit_url(self, path: str) -> str:
        return f"{self.repo_url.rstrip('/')}/edit/{self.branch}/{path}" if self.repo_url else ""


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str
    markdown: str
    record: str = ""  # the file the page is made from, for edit links
    edit_url: str = ""


def pages(book: Casebook, settings: SiteSettings) -> list[GeneratedPage]:
    def page(src_uri: str, markdown: str, record: str = "") -> GeneratedPage:
        return GeneratedPage(src_uri, markdown, record, settings.edit_url(record) if record else "")

    out = [
        page(urls.FRAMEWORK, indexes.framework_index(book), "data/framework.yml"),
        page(urls.CASES, indexes.cases_index(book)),
        page(urls.POLICIES, indexes.policies_index(book), "data/policies.yml"),
        page(urls.PLACES, indexes.places_index(book), "data/places.yml"),
        page(urls.THEMES, indexes.themes_index(book), "data/themes.yml"),
    ]
    out += [page(urls.pillar(p.id), indexes.pillar_page(book, p), "data/framework.yml") for p in book.framework.pillars]
    out += [page(urls.policy(p), indexes.policy_page(book, p), "data/policies.yml") for p in book.policies]
    out += [
        page(urls.place(d.id), indexes.place_page(book, d.id), "data/places.yml")
        for d in book.places.of_level("district")
    ]
    out += [page(urls.theme(t), indexes.theme_page(book, t), "data/themes.yml") for t in book.themes]
    for case in book.cases_by_title:
        edit = settings.edit_url(case.path)
        out.append(GeneratedPage(urls.case(case.id), render_case(book, case, edit_url=edit), case.path, edit))
    return out


MARKER = re.compile(r"<!--\s*casebook:([a-z-]+)\s*-->")


def fill_blocks(markdown: str, book: Casebook, src_uri: str, display: str) -> tuple[str, list[Diagnostic]]:
    """Replace <!-- casebook:NAME --> in a hand-written page with the generated block."""
    problems: list[Diagnostic] = []

    def replace(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in BLOCKS:
            line = markdown.count("\n", 0, m.start()) + 1
            problems.append(
                Diagnostic(
                    display,
                    line,
                    1,
                    "",
                    f"未知的生成块 casebook:{name}",
                    "可用的生成块：" + "、".join(BLOCKS),
                    "page.block",
                )
            )
            return m.group(0)
        return "\n".join(BLOCKS[name](book, src_uri))

    return MARKER.sub(replace, markdown), problems
