"""Editable Word handouts (.docx, for Word and WPS) with python-docx: A4, Chinese fonts for East
Asian text, page numbers in the footer, the QR code of the permanent address.

A learner's version is the case text and its questions; a teacher's version adds the guide
(案例使用说明) after a page break, as party schools hand the two out separately."""

from __future__ import annotations

import io
from datetime import datetime
from functools import cache

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from .content import EDITORIAL, CaseContent, Guide, Handout
from .package import reproducible

# Part of every cache key: change it whenever the output changes.
VERSION = f"word-2 python-docx {docx.__version__ if hasattr(docx, '__version__') else '1.2.0'}"

# 宋体 for text and 黑体 for headings are on every Chinese Windows and in WPS; altName gives their
# Latin names, so that an English Word or LibreOffice (which maps them to Noto CJK through
# fontconfig) still finds a CJK face, never boxes.
BODY_FONT, HEADING_FONT = "宋体", "黑体"
FONT_TABLE = {"宋体": ("SimSun", "02010600030101010101"), "黑体": ("SimHei", "02010609060101010101")}
LATIN_FONT = "Times New Roman"
HEADING_STYLES = ("Title", "Heading 1", "Heading 2", "Heading 3")


def _fonts(rpr_parent, east_asia: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set the run fonts of a style: Latin text in LATIN_FONT, East Asian text in `east_asia`."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)  # a theme font would win over the named ones
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _setup(document) -> None:  # type: ignore[no-untyped-def]
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(22)
    section.top_margin = section.bottom_margin = Mm(20)
    styles = document.styles
    normal = styles["Normal"]
    normal.font.size = Pt(10.5)  # 五号, the size of Chinese official handouts
    _fonts(normal.element, BODY_FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.25
    for name, size in zip(HEADING_STYLES, (18, 14, 12, 11), strict=True):
        style = styles[name]
        _fonts(style.element, HEADING_FONT)
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0, 0, 0)  # printed in black: a photocopy keeps it
        style.paragraph_format.space_before = Pt(10 if name != "Title" else 0)
        style.paragraph_format.space_after = Pt(4)
    # The default template's Title has a coloured bottom border; a plain title prints better.
    title_ppr = styles["Title"].element.get_or_add_pPr()
    for border in title_ppr.findall(qn("w:pBdr")):
        title_ppr.remove(border)
    _font_table(document)
    _page_numbers(section)


def _font_table(document) -> None:  # type: ignore[no-untyped-def]
    """Declare the Chinese fonts with their Latin names and the GB2312 character set."""
    part = next((r.target_part for r in document.part.rels.values() if r.reltype.endswith("/fontTable")), None)
    if part is None:
        return
    from docx.opc.oxml import parse_xml

    root = parse_xml(part.blob)
    for name, (alt, panose) in FONT_TABLE.items():
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        for tag, val in (("w:altName", alt), ("w:panose1", panose), ("w:charset", "86"), ("w:family", "auto")):
            el = OxmlElement(tag)
            el.set(qn("w:val"), val)
            font.append(el)
        root.append(font)
    from lxml import etree

    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _field(paragraph, instruction: str) -> None:  # type: ignore[no-untyped-def]
    """A field (PAGE, NUMPAGES) that Word and WPS fill in when they lay the pages out."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instruction} "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


def _page_numbers(section) -> None:  # type: ignore[no-untyped-def]
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("第 ")
    _field(p, "PAGE")
    p.add_run(" 页，共 ")
    _field(p, "NUMPAGES")
    p.add_run(" 页")


def _label(paragraph, text: str) -> None:  # type: ignore[no-untyped-def]
    paragraph.add_run(text).bold = True


def _widths(table, *widths: Cm) -> None:  # type: ignore[no-untyped-def]
    """Column widths, in the grid (LibreOffice, WPS) and in every cell (Word)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _case(document, case: CaseContent, qr_png: bytes, level: int, number: int = 0) -> None:  # type: ignore[no-untyped-def]
    """A case's text; `number` is its place in a collection (0: the handout of this case alone,
    whose title is the document's)."""
    if number:
        document.add_heading(f"第 {number} 课　{case.title}", level)
        sub = level + 1
    else:
        sub = level
    if case.note:
        p = document.add_paragraph()
        _label(p, "培训者说明：")
        p.add_run(case.note)
    p = document.add_paragraph()
    for i, (k, v) in enumerate(case.facts):
        if i:
            p.add_run("　")
        _label(p, f"{k}：")
        p.add_run(v)
    document.add_paragraph(case.summary)
    if case.figures:
        document.add_heading("关键数字", sub)
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for f in case.figures:
            cells = table.add_row().cells
            _label(cells[0].paragraphs[0], f.display)
            cells[1].paragraphs[0].add_run(f.label + (f"（{f.note}）" if f.note else ""))
        _widths(table, Cm(3), Cm(13.6))
    for heading, paras in case.sections:
        document.add_heading(heading, sub)
        for text in paras:
            document.add_paragraph(text)
    if case.quotes:
        document.add_heading("原话", sub)
        for q in case.quotes:
            p = document.add_paragraph(style="Quote")
            p.add_run(f"“{q.text}”")
            p.add_run(f"——{q.speaker}")
    if case.questions:
        document.add_heading("思考题", sub)
        document.add_paragraph(EDITORIAL).runs[0].italic = True
        for i, q in enumerate(case.questions, 1):
            document.add_paragraph(f"{i}. {q}")
    document.add_heading("来源与引用", sub)
    for s in case.sources:
        p = document.add_paragraph()
        _label(p, "原始来源：")
        p.add_run(s)
    p = document.add_paragraph()
    _label(p, "引用本案例：")
    p.add_run(case.citation)
    _qr(document, qr_png, case.url, "扫码打开本案例")


def _qr(document, qr_png: bytes, url: str, caption: str) -> None:  # type: ignore[no-untyped-def]
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    _widths(table, Cm(3.4), Cm(13.2))
    left.paragraphs[0].add_run().add_picture(io.BytesIO(qr_png), width=Cm(2.8))
    _label(right.paragraphs[0], caption)
    right.add_paragraph(url)


def _guide(document, case: CaseContent, g: Guide, level: int) -> None:  # type: ignore[no-untyped-def]
    document.add_heading(f"案例使用说明：{case.title}", level)
    p = document.add_paragraph()
    _label(p, "教师版 · 编者撰写：")
    p.add_run("以下内容是本库编者为教学撰写的参考，不是来源原文，也不是来源所说的事实。")
    sub = level + 1
    if g.objectives or g.use:
        document.add_heading("教学目的与用途", sub)
        for o in g.objectives:
            document.add_paragraph(o, style="List Bullet")
        if g.use:
            p = document.add_paragraph()
            _label(p, "用途：")
            p.add_run(g.use)
    if g.questions:
        document.add_heading("启发思考题", sub)
        for i, q in enumerate(g.questions, 1):
            document.add_paragraph(f"{i}. {q}")
    if g.analysis:
        document.add_heading("分析思路", sub)
        for a in g.analysis:
            document.add_paragraph(a)
    if g.points:
        document.add_heading("关键要点", sub)
        for pt in g.points:
            document.add_paragraph(pt, style="List Bullet")
    if g.plan:
        document.add_heading(f"建议课堂计划（共 {g.minutes} 分钟）", sub)
        table = document.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ("环节", "时间", "内容"), strict=True):
            _label(cell.paragraphs[0], text)
        for s in g.plan:
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = s.stage, f"{s.minutes} 分钟", s.activity
        _widths(table, Cm(2.6), Cm(2.2), Cm(11.8))
    if g.followup:
        document.add_heading("后续进展", sub)
        document.add_paragraph(g.followup)
        p = document.add_paragraph()
        _label(p, "来源：")
        p.add_run(g.followup_source)


@cache
def _template() -> bytes:
    """python-docx's default template with the page, styles, fonts and footer set, once per process."""
    document = docx.Document()
    _setup(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render(handout: Handout, qr_pngs: dict[str, bytes], teacher: bool) -> bytes:
    """The .docx bytes. `qr_pngs` holds the code of every URL the handout shows."""
    document = docx.Document(io.BytesIO(_template()))
    props = document.core_properties
    props.title = handout.title + ("（教师版）" if teacher else "（学员版）")
    props.author = handout.site
    props.language = "zh-CN"
    # Dated by nothing on this machine: the file depends on its content alone.
    props.created = props.modified = datetime(2000, 1, 1)
    props.revision = 1
    props.last_modified_by = handout.site
    title = document.add_heading(handout.title, 0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = document.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(f"{handout.site} · {'教师版（含案例使用说明）' if teacher else '学员版'}")
    if handout.kind == "collection":
        if handout.facts:
            document.add_paragraph(handout.facts)
        for text in handout.intro:
            document.add_paragraph(text)
        _qr(document, qr_pngs[handout.url], handout.url, "扫码打开课程包")
        for i, case in enumerate(handout.cases, 1):
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            _case(document, case, qr_pngs[case.url], 1, i)
    else:
        _case(document, handout.cases[0], qr_pngs[handout.cases[0].url], 1)
    if teacher:
        for case in handout.cases:
            if case.guide is not None:
                document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
                _guide(document, case, case.guide, 1)
    buffer = io.BytesIO()
    document.save(buffer)
    return reproducible(buffer.getvalue())
