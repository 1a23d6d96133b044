"""Slide outlines (.pptx, 16:9, editable in PowerPoint and WPS 演示): a title slide, the key
figures, 做法, 成效, one slide per discussion question, and the QR code.

An outline, not a finished deck: plain layouts of the default template, so that a trainer's own
template applies to it unchanged.

python-pptx makes the base package once per process (its default template made 16:9, no slide);
each deck is that package with its own parts written from the Jinja templates in
templates/handouts/: the slides and their relationships, the QR images, and the parts that list
them (presentation, its relationships, the content types) and the document's properties. Opening
and saving a deck with python-pptx cost some 80 ms; this costs a few."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from functools import cache
from xml.etree import ElementTree

import pptx
from markupsafe import Markup
from pptx.util import Emu, Inches

from .content import CaseContent, Handout
from .package import Deflated, render_part, write, writer_digest

EAST_ASIAN_FONT = "黑体"  # on every Chinese Windows and in WPS; LibreOffice maps it to a CJK face
LANGUAGE = "zh-CN"
TITLE, TITLE_AND_CONTENT, TITLE_ONLY = 0, 1, 5  # layouts of the default template
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
# Enough text for a slide: longer sections are cut at a sentence end and point to the handout.
MAX_CHARS = 260
# Dated by nothing on this machine: the file depends on its content alone.
DATE = "2000-01-01T00:00:00Z"
# The QR slide: the code on the left, the address and citations in a box to its right.
QR_SIDE, QR_LEFT, QR_TOP = Inches(3.6), Inches(0.8), Inches(2.0)
BOX_LEFT, BOX_TOP, BOX_HEIGHT = Inches(5.0), Inches(2.0), Inches(4.5)
BOX_WIDTH = Emu(WIDTH - Inches(5.6))


# Part of every cache key: change it whenever the output changes (the templates count themselves).
VERSION = f"slides-3 python-pptx {pptx.__version__} writer {writer_digest('slides', 'package')}"

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SLIDE_REL, _LAYOUT_REL, _IMAGE_REL = f"{_REL}/slide", f"{_REL}/slideLayout", f"{_REL}/image"
_SLIDE_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.slide+xml"
_IMAGE_RID = "rId2"  # a slide's relationships: rId1 its layout, rId2 its picture
_PNG = b"\x89PNG\r\n\x1a\n"
_TEXT = {"lang": LANGUAGE, "alt_lang": "en-US", "east_asian": EAST_ASIAN_FONT}

# A paragraph: its runs' text, None a line break (a:br); and its font size in points, if set.
Runs = tuple[str | None, ...]
Paragraph = tuple[Runs, int | None]


# -- The base package, once per process ------------------------------------------------------


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


@dataclass(frozen=True)
class _Base:
    parts: tuple[tuple[str, Deflated], ...]  # every part of the package, in its order, compressed
    layouts: dict[int, str]  # layout number -> its part, as a slide's relationship targets it
    head: Markup  # presentation.xml before and after its (empty) list of slides
    tail: Markup
    relationships: tuple[tuple[str, str, str], ...]  # the presentation's (id, type, target)
    defaults: dict[str, str]  # content type by extension
    overrides: dict[str, str]  # content type by part ("/ppt/presentation.xml")
    slides_at: int  # where in `parts` the slides and images go: after the last ppt/ part


def _xml(data: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(data)  # python-pptx's own output, not a user's file


def prepare() -> None:
    """Make the shared package now (a process about to fork hands it to its child)."""
    _base()


@cache
def _base() -> _Base:
    """The default template made 16:9, with no slide: widening its layouts and loading it is
    most of the cost of a deck written with python-pptx, so it is done once."""
    prs = pptx.Presentation()
    _widescreen(prs)
    prs.slides  # noqa: B018 (adds the empty p:sldIdLst, in its place in the schema's order)
    layouts = {
        i: posixpath.relpath(str(prs.slide_layouts[i].part.partname), "/ppt/slides")
        for i in (TITLE, TITLE_AND_CONTENT, TITLE_ONLY)
    }
    buffer = io.BytesIO()
    prs.save(buffer)
    with zipfile.ZipFile(buffer) as z:
        data = {entry.filename: z.read(entry) for entry in z.infolist()}
    names = list(data)
    head, empty, tail = data["ppt/presentation.xml"].decode().partition("<p:sldIdLst/>")
    if not empty or "<p:sldIdLst" in tail:
        raise RuntimeError("python-pptx wrote no single empty p:sldIdLst")
    types = _xml(data["[Content_Types].xml"])
    rels = _xml(data["ppt/_rels/presentation.xml.rels"])
    return _Base(
        parts=tuple((name, Deflated.of(part)) for name, part in data.items()),
        layouts=layouts,
        head=Markup(head),  # python-pptx's XML, kept as it is
        tail=Markup(tail),
        relationships=tuple((r.get("Id", ""), r.get("Type", ""), r.get("Target", "")) for r in rels),
        defaults={e.get("Extension", ""): e.get("ContentType", "") for e in types if e.tag.endswith("Default")},
        overrides={e.get("PartName", ""): e.get("ContentType", "") for e in types if e.tag.endswith("Override")},
        slides_at=max(i for i, name in enumerate(names) if name.startswith("ppt/")) + 1,
    )


# -- What a deck says ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Slide:
    kind: str  # "title" | "bullets" | "qr": the template's three shapes of slide
    layout: int
    title: list[Paragraph]
    body: list[Paragraph]
    png: bytes = b""  # the QR code of a "qr" slide
    picture: dict[str, int] = field(default_factory=dict)
    box: dict[str, int] = field(default_factory=dict)


def _runs(text: str) -> Runs:
    """A paragraph's text as PowerPoint holds it: a line feed or vertical tab is a line break
    between runs, and no run is empty."""
    out: list[str | None] = []
    for i, part in enumerate(re.split("\n|\v", text)):
        if i:
            out.append(None)
        if part:
            out.append(part)
    return tuple(out)


def _lines(text: str) -> list[Paragraph]:
    """A whole text box's text: one paragraph per line."""
    return [(_runs(line), None) for line in text.split("\n")]


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


def _bullets(title: str, items: list[str], size: int = 22) -> _Slide:
    long = sum(len(i) for i in items)
    size = size if long < 120 else 18 if long < 200 else 16
    return _Slide("bullets", TITLE_AND_CONTENT, _lines(title), [(_runs(i), size) for i in items])


def _title(title: str, subtitle: str) -> _Slide:
    return _Slide("title", TITLE, _lines(title), _lines(subtitle))


def _qr(title: str, url: str, png: bytes, lines: list[str]) -> _Slide:
    if not png.startswith(_PNG):
        raise ValueError("a QR code is not a PNG image")
    return _Slide(
        "qr",
        TITLE_ONLY,
        _lines(title),
        [(_runs(text), 16 if i else 20) for i, text in enumerate([url, *lines])],
        png,
        picture={"x": QR_LEFT, "y": QR_TOP, "cx": QR_SIDE, "cy": QR_SIDE},
        box={"x": BOX_LEFT, "y": BOX_TOP, "cx": BOX_WIDTH, "cy": BOX_HEIGHT},
    )


def _case(case: CaseContent, qr_png: bytes, number: int = 0) -> list[_Slide]:
    facts = "　".join(f"{k}：{v}" for k, v in case.facts)
    out = [_title((f"第 {number} 课　" if number else "") + case.title, facts)]
    if case.figures:
        figures = [f"{f.display}　{f.label}" + (f"（{f.note}）" if f.note else "") for f in case.figures]
        out.append(_bullets("关键数字", figures))
    sections = dict(case.sections)
    for heading in ("做法", "成效"):
        if sections.get(heading):
            out.append(_bullets(heading, _sentences(sections[heading])))
    for i, q in enumerate(case.questions, 1):
        out.append(_bullets(f"思考题 {i}", [q], size=28))
    sources = ["原始来源：" + s for s in case.sources]
    out.append(_qr("扫码阅读全文", case.url, qr_png, [*sources, "引用本案例：" + case.citation]))
    return out


def _slides(handout: Handout, qr_pngs: dict[str, bytes]) -> list[_Slide]:
    if handout.kind != "collection":
        return _case(handout.cases[0], qr_pngs[handout.cases[0].url])
    out = [_title(handout.title, handout.facts or handout.site)]
    if handout.intro:
        out.append(_bullets("课程说明", list(handout.intro)))
    out.append(_bullets("案例顺序", [f"{i}. {c.title}" for i, c in enumerate(handout.cases, 1)]))
    for i, case in enumerate(handout.cases, 1):
        out += _case(case, qr_pngs[case.url], i)
    out.append(_qr("扫码打开课程包", handout.url, qr_pngs[handout.url], [handout.site]))
    return out


# -- The package -----------------------------------------------------------------------------


@cache
def _slide_relationships(targets: tuple[tuple[str, str, str], ...]) -> Deflated:
    """A slide's relationships (its layout, its picture): a handful of kinds in every deck,
    rendered and compressed once per process rather than once per slide."""
    return Deflated.of(render_part("package/rels.xml.j2", relationships=targets))


def render(handout: Handout, qr_pngs: dict[str, bytes]) -> bytes:
    """The .pptx bytes of the learner's outline (no part of the teacher's guide)."""
    handout = handout.learner()
    base = _base()
    rels = "package/rels.xml.j2"
    # The slides' relationship ids go on from the base's highest, as python-pptx numbers them.
    first = 1 + max(int(rid[3:]) for rid, _, _ in base.relationships if rid.startswith("rId") and rid[3:].isdigit())
    listed: list[tuple[int, str]] = []
    relationships = list(base.relationships)
    overrides = dict(base.overrides)
    own: list[tuple[str, bytes | Deflated]] = []
    images: dict[bytes, str] = {}  # one part per image, however many slides show it
    for n, slide in enumerate(_slides(handout, qr_pngs), 1):
        rid = f"rId{first + n - 1}"
        listed.append((255 + n, rid))
        relationships.append((rid, _SLIDE_REL, f"slides/slide{n}.xml"))
        overrides[f"/ppt/slides/slide{n}.xml"] = _SLIDE_TYPE
        targets = [("rId1", _LAYOUT_REL, base.layouts[slide.layout])]
        new_image = bool(slide.png) and slide.png not in images
        if slide.png:
            images.setdefault(slide.png, f"ppt/media/image{len(images) + 1}.png")
            targets.append((_IMAGE_RID, _IMAGE_REL, "../" + images[slide.png].removeprefix("ppt/")))
        xml = render_part("slides/slide.xml.j2", slide=slide, image_rid=_IMAGE_RID, text=_TEXT)
        own.append((f"ppt/slides/slide{n}.xml", xml))
        own.append((f"ppt/slides/_rels/slide{n}.xml.rels", _slide_relationships(tuple(targets))))
        if new_image:
            own.append((images[slide.png], slide.png))
    defaults = {**base.defaults, "png": "image/png"} if images else base.defaults
    mine = {
        "[Content_Types].xml": render_part(
            "package/content_types.xml.j2", defaults=sorted(defaults.items()), overrides=sorted(overrides.items())
        ),
        "ppt/presentation.xml": render_part(
            "slides/presentation.xml.j2", head=base.head, tail=base.tail, slides=listed
        ),
        "ppt/_rels/presentation.xml.rels": render_part(rels, relationships=relationships),
        "docProps/core.xml": render_part(
            "package/core.xml.j2",
            title=handout.title,
            author=handout.site,
            modified_by=handout.site,
            description="generated using python-pptx",
            date=DATE,
            language=LANGUAGE,
        ),
    }
    parts: list[tuple[str, bytes | Deflated]] = [(name, mine.get(name, part)) for name, part in base.parts]
    return write([*parts[: base.slides_at], *own, *parts[base.slides_at :]])
