"""What a handout says, as plain data: one case, or a lesson collection of cases, read from the
casebook once and then written out as Word and as slides.

This is also what the cache keys on: a file is made again only when its content (or the code
that writes it) changed. The teacher's guide sits in its own field, so that a learner's
version is made from content that does not hold it at all (and does not change when it does)."""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass

from ...citation import case_citation, source_citation
from ...model import Case, Casebook, Collection
from ..view import SECTIONS, View

# The four sections of a case, in page order, with their headings.
FOUR_SECTIONS = SECTIONS
EDITORIAL = "编者撰写，供教学参考，不是来源原文。"


@dataclass(frozen=True)
class LessonStage:
    stage: str
    minutes: int
    activity: str


@dataclass(frozen=True)
class Guide:
    """案例使用说明: the teacher's part, in the order of the 中国管理案例共享中心 form."""

    objectives: tuple[str, ...]
    use: str
    questions: tuple[str, ...]
    analysis: tuple[str, ...]
    points: tuple[str, ...]
    minutes: int  # the lesson's stated length; 0 when no plan is given
    plan: tuple[LessonStage, ...]
    followup: str
    followup_source: str  # the citation of the source that says it


@dataclass(frozen=True)
class Figure:
    display: str  # 180余次
    label: str
    note: str  # the qualifier spelt out, and the record's note


@dataclass(frozen=True)
class Quote:
    text: str
    speaker: str


@dataclass(frozen=True)
class CaseContent:
    id: str
    title: str
    place: str
    facts: tuple[tuple[str, str], ...]  # (框架, “1”社区大党委) ...
    summary: str
    figures: tuple[Figure, ...]
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # (heading, paragraphs)
    quotes: tuple[Quote, ...]
    questions: tuple[str, ...]
    sources: tuple[str, ...]  # GB/T 7714 references of the cited sources
    citation: str  # the case page as [EB/OL]
    url: str  # the permanent address, also the QR code's
    note: str = ""  # the trainer's note when the case is a lesson of a collection
    guide: Guide | None = None


@dataclass(frozen=True)
class Handout:
    """A file's worth: one case, or a collection (title, facts, intro and its cases in order)."""

    kind: str  # "case" | "collection"
    site: str
    title: str
    facts: str
    intro: tuple[str, ...]
    url: str
    cases: tuple[CaseContent, ...]

    def learner(self) -> Handout:
        """The same without any part of the teacher's guide."""
        return dataclasses.replace(self, cases=tuple(dataclasses.replace(c, guide=None) for c in self.cases))

    @property
    def has_guide(self) -> bool:
        return any(c.guide is not None for c in self.cases)

    def digest_text(self) -> str:
        """Every input of the file, as canonical text (the cache hashes it)."""
        # The JSON of dataclasses.asdict(self), an eighth of the time: asdict deep-copies every
        # value, and a warm build of 1,000 cases spent half its handout time there.
        return json.dumps(self, default=vars, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# Editors' Markdown, read as plain text: a handout is edited in Word, not rendered from markup.
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_MARKER = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)")


def paragraphs(markdown: str) -> tuple[str, ...]:
    """Paragraphs and list items of a Markdown field, as plain text."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        lines = [ln for ln in block.splitlines() if ln.strip()]
        listed = all(_MARKER.match(ln) for ln in lines)
        for text in lines if listed else [" ".join(ln.strip() for ln in lines)]:
            text = _EMPHASIS.sub(r"\2", _LINK.sub(r"\1", _MARKER.sub("", text)))
            if text.strip():
                out.append(text.strip())
    return tuple(out)


def guide(book: Casebook, case: Case) -> Guide | None:
    t = case.teaching
    if not t.has_guide:
        return None
    f = t.followup
    return Guide(
        t.objectives,
        t.use,
        t.questions,
        t.analysis,
        t.points,
        t.plan.minutes if t.plan else 0,
        tuple(LessonStage(s.stage, s.minutes, s.activity) for s in t.plan.steps) if t.plan else (),
        f.text if f else "",
        source_citation(book.sources[f.source.ref], f.source) if f else "",
    )


def case_content(book: Casebook, view: View, case: Case, note: str = "") -> CaseContent:
    facts = [("地点", view.place_label(case)), ("框架", view.pillar_labels(case))]
    if case.policies:
        facts.append(("政策", "、".join(book.policies[p].name for p in case.policies)))
    when = view.when(case)
    if when:
        facts.append(("时间", when))
    return CaseContent(
        id=case.id,
        title=case.title,
        place=view.place_label(case),
        facts=tuple((k, v) for k, v in facts if v),
        summary=case.summary,
        figures=tuple(
            Figure(f.display, f.label, "；".join(x for x in (f.meaning, f.as_of and f"截至{f.as_of}", f.note) if x))
            for f in case.figures
        ),
        sections=tuple((label, paragraphs(getattr(case, key))) for key, label in FOUR_SECTIONS if getattr(case, key)),
        quotes=tuple(Quote(q.text, q.speaker + (f"，{q.role}" if q.role else "")) for q in case.quotes),
        questions=case.teaching.questions,
        sources=tuple(source_citation(book.sources[r.ref], r) for r in case.sources),
        citation=case_citation(book.site, case, view.case_url(case)),
        url=view.case_url(case),
        note=note,
        guide=guide(book, case),
    )


def for_case(book: Casebook, view: View, case: Case) -> Handout:
    return Handout("case", book.site.name, case.title, "", (), view.case_url(case), (case_content(book, view, case),))


def for_collection(book: Casebook, view: View, collection: Collection, url: str) -> Handout:
    return Handout(
        "collection",
        book.site.name,
        collection.title,
        view.collection_facts(collection),
        paragraphs(collection.description),
        url,
        tuple(case_content(book, view, book.cases[i.case], i.note) for i in collection.items),
    )
