"""Editable Word handouts (.docx, for Word and WPS): A4, Chinese fonts for East Asian text, page
numbers in the footer, the QR code of the permanent address.

python-docx prepares, once per process, the parts every handout shares (page, styles, fonts,
footer); each handout's own text is rendered from the templates in
`templates/handouts/word/` and added to that prepared package. Building each file through
python-docx's object model cost ~60-100 ms a file, most of it style lookups; a template is a
few milliseconds.

A learner's version is the case text and its questions; a teacher's version adds the guide
(案例使用说明) after a page break, as party schools hand the two out separately."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from functools import cache, partial
from itertools import count

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree
from markupsafe import Markup

from .content import EDITORIAL, Handout
from .package import Deflated, render_part, write, writer_digest

# Part of every cache key: change it whenever the output changes.
VERSION = f"word-3 python-docx {getattr(docx, '__version__', '1.2.0')} writer {writer_digest('word', 'package')}"

# 宋体 for text and 黑体 for headings are on every Chinese Windows and in WPS; altName gives their
# Latin names, so that an English Word or LibreOffice (which maps them to Noto CJK through
# fontconfig) still finds a CJK face, never boxes.
BODY_FONT, HEADING_FONT = "宋体", "黑体"
FONT_TABLE = {"宋体": ("SimSun", "02010600030101010101"), "黑体": ("SimHei", "02010609060101010101")}
LATIN_FONT = "Times New Roman"
HEADING_STYLES = ("Title", "Heading 1", "Heading 2", "Heading 3")
# The parts each handout writes itself; the others are the prepared package's.
DOCUMENT, DOCUMENT_RELS = "word/document.xml", "word/_rels/document.xml.rels"
CORE, THUMBNAIL, ROOT_RELS = "docProps/core.xml", "docProps/thumbnail.jpeg", "_rels/.rels"
CONTENT_TYPES = "[Content_Types].xml"
DATE = "2000-01-01T00:00:00Z"  # dated by nothing on this machine: the file depends on its content alone
IMAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"


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


@cache
def _template() -> bytes:
    """python-docx's default template with the page, styles, fonts and footer set, once per process."""
    document = docx.Document()
    _setup(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class _Base:
    parts: tuple[tuple[str, Deflated | None], ...]  # the package's parts in order; None: each file's own
    section: Markup  # the document's page setup (A4, margins, footer), as python-docx wrote it
    relationships: tuple[tuple[str, str, str], ...]  # the document's (id, type, target)


def prepare() -> None:
    """Make the shared package now (a process about to fork hands it to its child)."""
    _base()


@cache
def _base() -> _Base:
    """The parts every handout shares (styles, fonts, footer...), compressed once per process."""
    with zipfile.ZipFile(io.BytesIO(_template())) as z:
        data = {entry.filename: z.read(entry) for entry in z.infolist()}
    body = etree.fromstring(data[DOCUMENT]).find(qn("w:body"))
    section = etree.tostring(body.find(qn("w:sectPr")), encoding="unicode")
    # python-docx's thumbnail is a picture of its sample page, not of this handout.
    del data[THUMBNAIL]
    root_rels = [
        (r.get("Id"), r.get("Type"), r.get("Target"))
        for r in etree.fromstring(data[ROOT_RELS])
        if not r.get("Type").endswith("/thumbnail")
    ]
    data[ROOT_RELS] = render_part("package/rels.xml.j2", relationships=root_rels)
    data[CONTENT_TYPES] = _content_types(data[CONTENT_TYPES])
    own = (DOCUMENT, DOCUMENT_RELS, CORE)
    return _Base(
        parts=tuple((name, None if name in own else Deflated.of(part)) for name, part in data.items()),
        section=Markup(section),  # python-docx's XML, kept as it is
        relationships=tuple(
            (r.get("Id"), r.get("Type"), r.get("Target")) for r in etree.fromstring(data[DOCUMENT_RELS])
        ),
    )


def _content_types(xml: bytes) -> bytes:
    """The package's content types, with PNG (the QR codes) and without JPEG (the thumbnail)."""
    root = etree.fromstring(xml)
    defaults = [
        (e.get("Extension"), e.get("ContentType"))
        for e in root
        if e.tag.endswith("Default") and e.get("Extension") not in ("jpeg", "png")
    ]
    overrides = [(e.get("PartName"), e.get("ContentType")) for e in root if e.tag.endswith("Override")]
    return render_part(
        "package/content_types.xml.j2", defaults=sorted([*defaults, ("png", "image/png")]), overrides=overrides
    )


def render(handout: Handout, qr_pngs: dict[str, bytes], teacher: bool) -> bytes:
    """The .docx bytes. `qr_pngs` holds the code of every URL the handout shows."""
    base = _base()
    shown = ([handout.url] if handout.kind == "collection" else []) + [c.url for c in handout.cases]
    codes = {url: f"rIdQr{i}" for i, url in enumerate(dict.fromkeys(shown), 1)}
    media = {url: f"media/qr{i}.png" for i, url in enumerate(codes, 1)}
    # The declaration must open the part: the macros above it leave blank lines.
    document = render_part(
        "word/document.xml.j2",
        h=handout,
        teacher=teacher,
        qr=codes,
        new_id=partial(next, count(1)),
        section=base.section,
        editorial=EDITORIAL,
    ).lstrip()
    mine = {
        DOCUMENT: document,
        DOCUMENT_RELS: render_part(
            "package/rels.xml.j2",
            relationships=[*base.relationships, *((codes[url], IMAGE, media[url]) for url in codes)],
        ),
        CORE: render_part(
            "package/core.xml.j2",
            title=handout.title + ("（教师版）" if teacher else "（学员版）"),
            author=handout.site,
            modified_by=handout.site,
            description="",
            date=DATE,
            language="zh-CN",
        ),
    }
    parts: list[tuple[str, bytes | Deflated]] = [(name, part or mine[name]) for name, part in base.parts]
    return write([*parts, *((f"word/{media[url]}", qr_pngs[url]) for url in codes)])
