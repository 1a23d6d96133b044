"""What the lesson basket (我的清单) and the comparison (对比) read of each case: one small JSON
file per case, next to its page (cases/<id>/card.json), which their scripts fetch for the few
cases a reader picked. Text only: the scripts draw it with textContent, never as markup.

A case's Word handout and slides are linked when the site holds them: the adapter passes the
paths of every file the site will publish, so the links appear once those files are made."""

from __future__ import annotations

import json
import re
from collections.abc import Container

from markupsafe import Markup

from ..model import Case
from . import urls
from .markdown_fields import MarkdownFields
from .view import View

# The files a trainer takes away, in the order shown; names under the case's folder.
DOWNLOADS = (
    ("handout.docx", "学员讲义（Word）"),
    ("slides.pptx", "幻灯片（PPT）"),
    ("handout-teacher.docx", "教师版讲义（Word）"),
)
LEAD = 120  # characters of 做法 and 成效 that the comparison shows
# Anything Markdown or HTML could make something of; text without it converts to itself.
_MARKUP = re.compile(r"[\\*_`\[\]<>#|~&!:=]|^\s*(?:[-+*]|\d+[.)])\s", re.MULTILINE)
_PARAGRAPHS = re.compile(r"\n[ \t]*\n")
_SENTENCE_END = re.compile(r"[。！？；]")
_BETWEEN_PARAGRAPHS = re.compile(r"(?<=[。！？；：”’）])\s+")


def downloads(case_id: str, available: Container[str]) -> list[list[str]]:
    """[label, file name] of each download the site holds for the case."""
    folder = urls.case(case_id)
    return [[label, name] for name, label in DOWNLOADS if folder + name in available]


def lead(fields: MarkdownFields, markdown: str, limit: int = LEAD) -> str:
    """The first lines of an editor's Markdown field as plain text, cut at a sentence's end
    within `limit` characters when there is one past half of it, else at `limit` with ……."""
    # Only the paragraphs that can be shown are converted: the page has converted the whole field.
    head: list[str] = []
    for paragraph in _PARAGRAPHS.split(markdown.strip()):
        head.append(paragraph)
        if sum(map(len, head)) > limit:
            break
    source = "\n\n".join(head)
    if _MARKUP.search(source):
        text = Markup(fields.html(source)).striptags().replace("¶", "").strip()
    else:  # plain sentences, as most are: what the converter would give, without converting
        text = " ".join(source.split())
    text = _BETWEEN_PARAGRAPHS.sub("", text)  # striptags joins paragraphs with a space: not in Chinese
    if len(text) <= limit:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, limit)]
    if ends and ends[-1] >= limit // 2:
        return text[: ends[-1]] + "……"
    return text[:limit] + "……"


def case_card(view: View, fields: MarkdownFields, case: Case, available: Container[str]) -> dict[str, object]:
    book = view.book
    return {
        "id": case.id,
        "title": case.title,
        "summary": case.summary,
        "place": view.place_label(case),
        "pillars": [book.pillars[p].label for p in case.pillars],
        "policies": [book.policies[p].name for p in case.policies],
        "year": view.year_label(case),
        "figures": [[f.display, f.label] for f in case.figures],
        "practice": lead(fields, case.practice),
        "results": lead(fields, case.results),
        "sources": [view.citation(ref) for ref in case.sources],
        "downloads": downloads(case.id, available),
    }


def card_json(view: View, fields: MarkdownFields, case: Case, available: Container[str]) -> str:
    return json.dumps(case_card(view, fields, case, available), ensure_ascii=False, separators=(",", ":"))
