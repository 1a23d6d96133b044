"""Slide outlines (.pptx, 16:9, editable in PowerPoint and WPS 演示) with python-pptx: a title
slide, the key figures, 做法, 成效, one slide per discussion question, and the QR code.

An outline, not a finished deck: plain layouts of the default template, so that a trainer's own
template applies to it unchanged."""

from __future__ import annotations

import io
import re
from datetime import datetime
from functools import cache

import pptx
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from .content import CaseContent, Handout
from .package import reproducible

# Part of every cache key: change it whenever the output changes.
VERSION = f"slides-2 python-pptx {pptx.__version__}"

EAST_ASIAN_FONT = "黑体"  # on every Chinese Windows and in WPS; LibreOffice maps it to a CJK face
TITLE, TITLE_AND_CONTENT, TITLE_ONLY = 0, 1, 5
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
# Enough text for a slide: longer sections are cut at a sentence end and point to the handout.
MAX_CHARS = 260


def _east_asian(text_frame) -> None:  # type: ignore[no-untyped-def]
    """Every run's East Asian text in a Chinese face (a:ea), whatever the theme says."""
    for paragraph in text_frame.paragraphs:
        for run in paragraph.runs:
            rpr = run._r.get_or_add_rPr()
            rpr.set("lang", "zh-CN")
            rpr.set("altLang", "en-US")
            for tag in ("a:ea",):
                el = rpr.find(qn(tag))
                if el is None:
                    el = rpr.makeelement(qn(tag), {})
                    rpr.append(el)
                el.set("typeface", EAST_ASIAN_FONT)


def _sentences(paragraphs: tuple[str, ...]) -> list[str]:
    """Bullets: each sentence of the section, cut after MAX_CHARS characters in all."""
    out: list[str] = []
    used = 0
    for para in paragraphs:
        for sentence in re.findall(r"[^。！？；]+[。！？；]?", para):
            sentence = sentence.strip()
            if not sentence:
                continue
            if used + len(sentence) > MAX_CHARS and out:
                out.append("……（全文见讲义）")
                return out
            out.append(sentence)
            used += len(sentence)
    return out


def _bullets(prs, title: str, items: list[str], size: int = 22):  # type: ignore[no-untyped-def]
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_AND_CONTENT])
    slide.shapes.title.text = title
    body = slide.placeholders[1].text_frame
    body.word_wrap = True
    long = sum(len(i) for i in items)
    size = size if long < 120 else 18 if long < 200 else 16
    for i, item in enumerate(items):
        p = body.paragraphs[0] if i == 0 else body.add_paragraph()
        p.text = item
        p.font.size = Pt(size)
    _east_asian(slide.shapes.title.text_frame)
    _east_asian(body)
    return slide


def _title(prs, title: str, subtitle: str) -> None:  # type: ignore[no-untyped-def]
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE])
    slide.shapes.title.text = title
    slide.placeholders[1].text = subtitle
    _east_asian(slide.shapes.title.text_frame)
    _east_asian(slide.placeholders[1].text_frame)


def _qr(prs, title: str, url: str, png: bytes, lines: list[str]) -> None:  # type: ignore[no-untyped-def]
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    slide.shapes.title.text = title
    _east_asian(slide.shapes.title.text_frame)
    side = Inches(3.6)
    slide.shapes.add_picture(io.BytesIO(png), Inches(0.8), Inches(2.0), side, side)
    box = slide.shapes.add_textbox(Inches(5.0), Inches(2.0), Emu(WIDTH - Inches(5.6)), Inches(4.5))
    frame = box.text_frame
    frame.word_wrap = True
    for i, text in enumerate([url, *lines]):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        p.text = text
        p.font.size = Pt(16 if i else 20)
    _east_asian(frame)


def _widescreen(prs) -> None:  # type: ignore[no-untyped-def]
    """16:9: the default template is 4:3, so its master's and layouts' boxes are widened too."""
    scale = WIDTH / prs.slide_width
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    master = prs.slide_master
    for shapes in (master.shapes, *(layout.shapes for layout in master.slide_layouts)):
        for shape in shapes:
            # Only boxes placed in this part: a layout's placeholder without its own position
            # inherits the master's, which is widened here once.
            if shape._element.xpath("./p:spPr/a:xfrm"):
                shape.left, shape.width = Emu(int(shape.left * scale)), Emu(int(shape.width * scale))


@cache
def _template() -> bytes:
    """The default template made 16:9 once per process: widening its layouts is most of the
    cost of a small deck."""
    prs = pptx.Presentation()
    _widescreen(prs)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def _case(prs, case: CaseContent, qr_png: bytes, number: int = 0) -> None:  # type: ignore[no-untyped-def]
    facts = "　".join(f"{k}：{v}" for k, v in case.facts)
    _title(prs, (f"第 {number} 课　" if number else "") + case.title, facts)
    if case.figures:
        _bullets(
            prs, "关键数字", [f"{f.display}　{f.label}" + (f"（{f.note}）" if f.note else "") for f in case.figures]
        )
    sections = dict(case.sections)
    for heading in ("做法", "成效"):
        if sections.get(heading):
            _bullets(prs, heading, _sentences(sections[heading]))
    for i, q in enumerate(case.questions, 1):
        _bullets(prs, f"思考题 {i}", [q], size=28)
    _qr(
        prs,
        "扫码阅读全文",
        case.url,
        qr_png,
        ["原始来源：" + s for s in case.sources] + ["引用本案例：" + case.citation],
    )


def render(handout: Handout, qr_pngs: dict[str, bytes]) -> bytes:
    """The .pptx bytes of the learner's outline (no part of the teacher's guide)."""
    handout = handout.learner()
    prs = pptx.Presentation(io.BytesIO(_template()))
    props = prs.core_properties
    props.title, props.author, props.language = handout.title, handout.site, "zh-CN"
    # Dated by nothing on this machine: the file depends on its content alone.
    props.created = props.modified = datetime(2000, 1, 1)
    props.revision = 1
    props.last_modified_by = handout.site
    if handout.kind == "collection":
        _title(prs, handout.title, handout.facts or handout.site)
        if handout.intro:
            _bullets(prs, "课程说明", list(handout.intro))
        _bullets(prs, "案例顺序", [f"{i}. {c.title}" for i, c in enumerate(handout.cases, 1)])
        for i, case in enumerate(handout.cases, 1):
            _case(prs, case, qr_pngs[case.url], i)
        _qr(prs, "扫码打开课程包", handout.url, qr_pngs[handout.url], [handout.site])
    else:
        _case(prs, handout.cases[0], qr_pngs[handout.cases[0].url])
    buffer = io.BytesIO()
    prs.save(buffer)
    return reproducible(buffer.getvalue())
