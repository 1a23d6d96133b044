"""Lesson collections (课程包): an ordered list of cases with a trainer's note, and one printable
handout that holds them all."""

from __future__ import annotations

from ..markdown_safety import escape_html
from ..model import Casebook, Collection
from . import urls
from .case_page import Photos, case_body
from .listing import place_label
from .markup import verbatim
from .text import attr, link, md, rel, yaml_str


def _facts(c: Collection) -> str:
    bits = [f"{len(c.items)} 个案例"]
    if c.audience:
        bits.append(f"适用对象：{md(c.audience)}")
    if c.hours:
        bits.append(f"建议课时：{c.hours:g} 小时")
    return " · ".join(bits)


def _heading(c: Collection) -> list[str]:
    return [f"# {md(c.title)}", "", _facts(c), "", escape_html(c.description.strip()), ""]


def collections_index(book: Casebook) -> str:
    here = urls.COLLECTIONS
    out = [
        "---",
        'title: "课程包"',
        "---",
        "",
        "# 课程包",
        "",
        "为一次课程挑选、排好顺序的一组案例，附培训者的说明，可整包打印。",
        "",
    ]
    if not book.collections:
        out += ["还没有课程包。在 `data/collections/` 中添加一个 `.yml` 文件即可。", ""]
    for c in book.collections.values():
        out += [
            f"## {link(c.title, here, urls.collection(c.id))} {{#{c.id}}}",
            "",
            _facts(c),
            "",
            escape_html(c.description.strip()),
            "",
        ]
    return "\n".join(out)


def collection_page(book: Casebook, c: Collection) -> str:
    here = urls.collection(c.id)
    out = [
        "---",
        f"title: {yaml_str(c.title)}",
        "---",
        "",
        *_heading(c),
        f"[打印整个课程包]({_print_link(here, c)}){{ .md-button }}",
        "",
        "## 案例顺序 {#cases}",
        "",
    ]
    for n, item in enumerate(c.items, 1):
        case = book.cases[item.case]
        out += [
            f"### {n}. {link(case.title, here, urls.case(case.id))} {{#case-{n}}}",
            "",
            f'<p class="cb-card-meta">{md(place_label(book, case))}</p>',
            "",
            f'<p class="cb-trainer-note"><strong>培训者说明：</strong>{md(item.note)}</p>',
            "",
            md(case.summary),
            "",
        ]
        if case.teaching.questions:
            out += ["讨论题：", ""] + [f"{i}. {md(q)}" for i, q in enumerate(case.teaching.questions, 1)] + [""]
    return "\n".join(out)


def _print_link(here: str, c: Collection) -> str:
    return rel(here, urls.collection_print(c.id))


def collection_print(book: Casebook, c: Collection, photos: Photos | None = None) -> str:
    here = urls.collection_print(c.id)
    out = [
        "---",
        f"title: {yaml_str(c.title + '（打印版）')}",
        "hide:",
        "  - navigation",
        "  - toc",
        "---",
        "",
        *_heading(c),
        link("返回课程包", here, urls.collection(c.id)),
        "",
    ]
    for n, item in enumerate(c.items, 1):
        case = book.cases[item.case]
        note = f'<p class="cb-trainer-note"><strong>第 {n} 课 · 培训者说明：</strong>{attr(item.note)}</p>'
        body = case_body(book, case, here, prefix=f"c{n}-", photos=photos)
        html = "\n".join([note, *body.parts])
        out += [verbatim(f'<section class="cb-print-case">{html}</section>'), ""]
    return "\n".join(out)
