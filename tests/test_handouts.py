"""Word handouts and slide outlines (issue #13): every case and lesson collection has them, they
hold what a trainer needs and no learner's copy holds the teacher's guide, LibreOffice opens
every one, and a rebuild makes again only what changed."""

from __future__ import annotations

import dataclasses
import io
import posixpath
import re
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import docx
import pptx
import pytest
from pptx.util import Emu

from casebook.citation import case_citation
from casebook.model import Case, Casebook
from casebook.records.loader import Project, load
from casebook.site import handouts, qr
from casebook.site.handouts import content, package, slides, word
from casebook.site.view import SECTIONS, View

from .conftest import ROOT, require_tool

FILES = ("handout.docx", "handout-teacher.docx", "slides.pptx")


@pytest.fixture(scope="module")
def book() -> Casebook:
    result = load(Project(ROOT))
    assert result.casebook is not None
    return result.casebook


def pages(book: Casebook) -> list[tuple[str, list[Case]]]:
    """(web folder, its cases) of every case and collection."""
    out = [(f"cases/{c.id}/", [c]) for c in book.cases_by_title]
    out += [(f"collections/{c.id}/", [book.cases[i.case] for i in c.items]) for c in book.collections.values()]
    return out


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def pptx_slides(path: Path) -> list[str]:
    deck = pptx.Presentation(str(path))
    return ["\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame) for slide in deck.slides]


def guide_texts(case: Case) -> list[str]:
    """Every part of a case's teacher's guide that is not also shown to learners (the questions),
    less a key point that quotes the case's own text word for word (小事不出网格、大事不出社区。)."""
    t = case.teaching
    out = [*t.objectives, *t.analysis, *t.points, t.use]
    if t.plan:
        out += [s.activity for s in t.plan.steps]
    if t.followup:
        out.append(t.followup.text)
    own = "\n".join([case.title, case.summary, *(getattr(case, key) for key, _ in SECTIONS)])
    return [x for x in out if x and x not in own]


GUIDE_HEADINGS = ("案例使用说明", "教学目的与用途", "分析思路", "关键要点", "建议课堂计划")


def test_the_real_cases_have_a_complete_guide_by_the_editors(book: Casebook) -> None:
    for case in book.cases.values():
        t = case.teaching
        assert t.written_by == "editors"
        assert 2 <= len(t.questions) <= 5 and t.objectives and t.use and t.analysis and t.points
        assert t.plan is not None and sum(s.minutes for s in t.plan.steps) == t.plan.minutes
        assert [s.stage for s in t.plan.steps] == ["课前阅读", "导入", "分组研讨", "班级交流", "教师点评"]
        # The source says nothing of what came after: no 后续进展 without a source to cite.
        assert t.followup is None


def test_every_case_and_collection_has_both_word_versions_and_slides(site: Path, book: Casebook) -> None:
    for folder, cases in pages(book):
        for name in FILES:
            path = site / folder / name
            assert path.is_file() and zipfile.is_zipfile(path), path
        learner = docx_text(site / folder / "handout.docx")
        teacher = docx_text(site / folder / "handout-teacher.docx")
        slides = pptx_slides(site / folder / "slides.pptx")
        deck = "\n".join(slides)
        for case in cases:
            citation = case_citation(book.site, case)
            for text in (learner, teacher, deck):
                assert case.title in text and citation in text, folder
            for text in (learner, teacher):
                for key, label in SECTIONS:
                    if getattr(case, key):
                        assert label in text, (folder, label)
                        # the section's own words, not just its heading
                        assert re.sub(r"\s+", "", getattr(case, key))[:20] in re.sub(r"\s+", "", text)
                for q in case.teaching.questions:
                    assert q in text
            # one question a slide
            for i, q in enumerate(case.teaching.questions, 1):
                assert any(s.startswith(f"思考题 {i}") and q in s for s in slides), (folder, q)
            for secret in guide_texts(case):
                assert secret not in learner, (folder, secret)
                assert secret not in deck, (folder, secret)
                assert secret in teacher, (folder, secret)
        for heading in GUIDE_HEADINGS:
            assert heading not in learner and heading not in deck
            assert heading in teacher
        assert "编者撰写" in learner and "编者撰写" in teacher


def test_word_files_are_a4_with_chinese_fonts_page_numbers_and_the_qr_code(site: Path, book: Casebook) -> None:
    for folder, _ in pages(book):
        for name in FILES[:2]:
            path = site / folder / name
            document = docx.Document(str(path))
            section = document.sections[0]
            assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
            with zipfile.ZipFile(path) as z:
                styles = z.read("word/styles.xml").decode()
                footer = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/footer"))
                fonts = z.read("word/fontTable.xml").decode()
                images = [n for n in z.namelist() if n.startswith("word/media/")]
            assert 'w:eastAsia="宋体"' in styles and 'w:eastAsia="黑体"' in styles
            assert 'w:altName w:val="SimSun"' in fonts
            assert "PAGE" in footer and "fldChar" in footer
            assert images, "no QR code"


def test_slides_are_16_by_9_with_the_qr_code(site: Path, book: Casebook) -> None:
    for folder, cases in pages(book):
        deck = pptx.Presentation(str(site / folder / "slides.pptx"))
        assert abs(Emu(deck.slide_width).inches / Emu(deck.slide_height).inches - 16 / 9) < 0.01
        first = deck.slides[0].shapes.title.text_frame.text
        assert first in (cases[0].title, *(book.collections[c].title for c in book.collections))
        pictures = [s for slide in deck.slides for s in slide.shapes if s.shape_type == 13]
        assert len(pictures) >= len(cases)
        titles = [s.shapes.title.text_frame.text for s in deck.slides if s.shapes.title is not None]
        assert {"做法", "成效"} <= set(titles)
        assert ("关键数字" in titles) == any(c.figures for c in cases)
        xml = "".join(
            z.read(n).decode()
            for z in [zipfile.ZipFile(site / folder / "slides.pptx")]
            for n in z.namelist()
            if n.startswith("ppt/slides/slide")
        )
        assert 'typeface="黑体"' in xml


def test_pages_link_the_files_with_format_and_size(site: Path, book: Casebook) -> None:
    for folder, _ in pages(book):
        for root in (site, site / "zh-Hant"):
            html = (root / folder / "index.html").read_text(encoding="utf-8")
            for name in FILES:
                link = re.search(rf'<a href="{re.escape(name)}" download>([^<]+)</a>', html)
                assert link is not None, (root, folder, name)
                size = (site / folder / name).stat().st_size
                kind = "PPTX" if name.endswith("pptx") else "DOCX"
                assert re.search(rf"（{kind}，{round(size / 1024)} KB）", link.group(1)), link.group(1)
                assert (root / folder / name).is_file()  # the Traditional page's relative link works too


def test_learner_pages_never_show_the_guide_and_the_case_page_sets_it_apart(site: Path, book: Casebook) -> None:
    for c in book.collections.values():
        printed = (site / "collections" / c.id / "print" / "index.html").read_text(encoding="utf-8")
        for item in c.items:
            for secret in guide_texts(book.cases[item.case]):
                assert secret not in printed
        assert "案例使用说明" not in printed
    for case in book.cases.values():
        html = (site / "cases" / case.id / "index.html").read_text(encoding="utf-8")
        guide = html[html.index('<section class="cb-guide"') :]
        guide = guide[: guide.index("</section>")]
        body = html.replace(guide, "")
        assert "编者撰写" in guide and "<details" in guide and "<details open" not in guide
        for secret in guide_texts(case):
            assert secret in guide and secret not in body
    # The printed case page leaves the guide out: tests/test_trainers.py prints it in Chromium.


def test_libreoffice_converts_every_file_and_a_learner_handout_fits_three_pages(
    site: Path, book: Casebook, tmp_path: Path
) -> None:
    soffice = require_tool("soffice", "libreoffice-writer-nogui")
    require_tool("pdfinfo", "poppler-utils")
    sources = []
    for folder, _ in pages(book):
        for name in FILES:
            copy = tmp_path / "in" / f"{folder.replace('/', '_')}{name}"
            copy.parent.mkdir(exist_ok=True)
            copy.write_bytes((site / folder / name).read_bytes())
            sources.append(copy)
    out = tmp_path / "pdf"
    run = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, sources),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    for source in sources:
        pdf = out / (source.stem + ".pdf")
        assert pdf.is_file() and pdf.stat().st_size > 1000, f"{source.name}: {run.stdout}{run.stderr}"
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages_ = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
        if source.suffix == ".docx":
            assert "(A4)" in info, source.name
        if source.suffix == ".pptx":  # no slide dropped: a slide LibreOffice cannot read is left out
            assert pages_ == len(pptx.Presentation(str(source)).slides), source.name
        if source.name.startswith("cases_") and source.name.endswith("_handout.docx"):
            assert 1 <= pages_ <= 3, (source.name, pages_)


def test_the_cache_reuses_unchanged_files_and_remakes_changed_ones(
    book: Casebook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "handouts"
    n = 3 * (len(book.cases) + len(book.collections))
    first = handouts.make(book, cache)
    assert (first.made, first.reused) == (n, 0)

    # Nothing changed: every page is answered by its key, without building any handout's content.
    with monkeypatch.context() as m:
        for name in ("for_case", "for_collection"):
            m.setattr(content, name, lambda *a, **k: pytest.fail("content built for an unchanged page"))
        again = handouts.make(book, cache)
    assert (again.made, again.reused) == (0, n)
    assert [d.file for d in again.all()] == [d.file for d in first.all()]

    # A change to a case's text: its three files and those of the collection that holds it.
    case = book.cases["hongshan-jiexiao-qianshou"]
    edited = dataclasses.replace(case, results="协调解决问题。")
    changed = dataclasses.replace(
        book,
        cases={**book.cases, case.id: edited},
        record_digests={**book.record_digests, case.id: b"edited"},
    )
    third = handouts.make(changed, cache)
    assert third.made == 6 and third.reused == n - 6
    paths = {d.path for d in third.all()} & {d.path for d in first.all()}
    remade = {d.path for d in third.all() if d.file not in {f.file for f in first.all()}}
    assert remade == {f"cases/{case.id}/{f}" for f in FILES} | {
        f"collections/dangjian-yinling-shequ-zhili/{f}" for f in FILES
    }
    assert len(paths) == n

    # A change to the teacher's guide alone: only the teacher's versions are made again.
    teaching = dataclasses.replace(case.teaching, analysis=("换一种分析思路。",))
    guide_only = dataclasses.replace(
        book,
        cases={**book.cases, case.id: dataclasses.replace(case, teaching=teaching)},
        record_digests={**book.record_digests, case.id: b"guide edited"},
    )
    fourth = handouts.make(guide_only, cache)
    assert fourth.made == 2
    assert fourth.made + fourth.reused == n

    # Reference data a handout shows (a policy's name) is part of the key of every page under it.
    # 金银湖 is the one real case under a policy (红色物业), and the collection holds it.
    shown = book.cases["jinyinhu-hongse-wuye-waiyu-ban"]
    policy = shown.policies[0]
    renamed = dataclasses.replace(
        book, policies={**book.policies, policy: dataclasses.replace(book.policies[policy], name="改名的政策")}
    )
    fifth = handouts.make(renamed, cache)
    assert fifth.made == 6
    assert "改名的政策" in docx_text(fifth.by_page[f"cases/{shown.id}/"][0].file)

    # A made file gone from the cache (cleaned by hand) is made again, not linked missing.
    victim = first.all()[0].file
    victim.unlink()
    sixth = handouts.make(book, cache)
    assert sixth.made == 1 and victim.is_file() and zipfile.is_zipfile(victim)


# Text that would be markup if it were pasted into the document's XML rather than escaped.
HOSTILE = ("</w:t></w:r><w:r><w:t>注入", "A & B <b>粗</b>", "引号\"'’", "{{ h.title }}", "]]>", "&amp;")


def test_a_records_text_stays_text_in_the_word_file(book: Casebook) -> None:
    """Every value reaches document.xml through an autoescaped template: whatever a record says
    is read back, by python-docx, as the same characters, and the part is well-formed XML."""
    view = View(book)
    case = book.cases["hongshan-jiexiao-qianshou"]
    hostile = dataclasses.replace(
        case, title=HOSTILE[0], summary=" ".join(HOSTILE), results="\n\n".join(HOSTILE), teaching=case.teaching
    )
    handout = content.for_case(book, view, hostile)
    codes = {handout.url: qr.draw(handout.url)}
    for teacher in (False, True):
        data = word.render(handout, codes, teacher)
        assert package_problems(data) == []  # every part well-formed, typed and reached
        document = docx.Document(io.BytesIO(data))
        texts = [p.text for p in document.paragraphs]
        assert HOSTILE[0] in texts  # the title, as written
        assert " ".join(HOSTILE) in texts
        assert all(h in texts for h in HOSTILE)  # the paragraphs of 成效
        assert document.core_properties.title.startswith(HOSTILE[0])
        # One picture per QR code, each with a relationship that resolves to a PNG.
        blips = document.element.body.findall(".//{*}blip")
        assert len(blips) == 1
        rid = blips[0].get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed")
        assert document.part.related_parts[rid].blob.startswith(b"\x89PNG")


def test_a_control_character_never_breaks_a_file(book: Casebook) -> None:
    """XML cannot hold a control character even escaped. A record's checks refuse them, but
    what a handout prints is more than a record: whatever reaches a Word or slide file is
    written out as _xHHHH_, as Office does, and the file stays sound."""
    case = book.cases["hongshan-jiexiao-qianshou"]
    odd = dataclasses.replace(case, title="标题\x01", summary="摘要\x08结束")
    handout = content.for_case(book, View(book), odd)
    codes = {handout.url: qr.draw(handout.url)}
    for data in (word.render(handout, codes, True), slides.render(handout, codes)):
        assert package_problems(data) == []
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            text = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))
        assert "标题_x0001_" in text and "\x01" not in text and "\x08" not in text


NS = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
}


def real_decks(book: Casebook) -> dict[str, bytes]:
    """The outline of every real case and collection, made as a build makes it."""
    codes: dict[str, bytes] = {}
    out = {}
    for job in handouts._jobs(book):
        handout = job.handout()
        for url in (handout.url, *(c.url for c in handout.cases)):
            codes.setdefault(url, qr.draw(url))
        out[job.page] = slides.render(handout, codes)
    return out


def package_problems(data: bytes) -> list[str]:
    """What would make PowerPoint offer to repair the file: a part without a content type, a
    content type or a relationship naming no part, a part nothing points to, XML that does not
    parse, a slide list that does not match the slides."""
    problems = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        parts = {n: z.read(n) for n in names}
    if names[0] != "[Content_Types].xml":
        problems.append(f"first part is {names[0]}")
    if len(set(names)) != len(names):
        problems.append("a part twice")
    xml = {}
    for name, part in parts.items():
        if name.endswith((".xml", ".rels")):
            try:
                xml[name] = ElementTree.fromstring(part)
            except ElementTree.ParseError as e:
                problems.append(f"{name}: {e}")
    types = xml["[Content_Types].xml"]
    defaults = {e.get("Extension") for e in types.findall("ct:Default", NS)}
    overrides = {e.get("PartName", "").lstrip("/") for e in types.findall("ct:Override", NS)}
    problems += [f"override of a missing part {o}" for o in overrides - set(names)]
    for name in names[1:]:
        if name not in overrides and name.rsplit(".", 1)[-1] not in defaults:
            problems.append(f"{name} has no content type")
    reached = set()
    for name in [n for n in names if n.endswith(".rels")]:
        folder = posixpath.dirname(posixpath.dirname(name))  # ppt/slides/_rels/x.rels -> ppt/slides
        source = posixpath.join(folder, posixpath.basename(name)[: -len(".rels")])
        if source != "" and source not in parts:
            problems.append(f"{name} belongs to no part")
        for rel in xml[name].findall("rel:Relationship", NS):
            if rel.get("TargetMode") == "External":
                continue
            target = posixpath.normpath(posixpath.join(folder, rel.get("Target", "")))
            reached.add(target)
            if target not in parts:
                problems.append(f"{name} {rel.get('Id')} -> missing {target}")
    orphans = set(names) - reached - {"[Content_Types].xml"} - {n for n in names if n.endswith(".rels")}
    problems += [f"{o}: nothing points to it" for o in sorted(orphans)]
    if "ppt/presentation.xml" in xml:
        problems += _slide_list_problems(xml, names)
    if "word/document.xml" in xml:
        ids = [e.get("id") for e in xml["word/document.xml"].iter(f"{{{WP}}}docPr")]
        if len(set(ids)) != len(ids):
            problems.append(f"pictures share an id: {ids}")
    return problems


def _slide_list_problems(xml: dict[str, ElementTree.Element], names: list[str]) -> list[str]:
    problems = []
    listed = xml["ppt/presentation.xml"].findall("p:sldIdLst/p:sldId", NS)
    rels = {
        r.get("Id"): r.get("Target") for r in xml["ppt/_rels/presentation.xml.rels"].findall("rel:Relationship", NS)
    }
    in_list = [posixpath.join("ppt", rels.get(s.get(f"{{{NS['r']}}}id"), "?")) for s in listed]
    on_disk = sorted((n for n in names if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)), key=lambda n: int(n[16:-4]))
    if in_list != on_disk:
        problems.append(f"slide list {in_list} but slides {on_disk}")
    if len({s.get("id") for s in listed}) != len(listed):
        problems.append("two slides with one id")
    return problems


WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"


def test_every_word_file_is_a_sound_package(book: Casebook) -> None:
    """Both versions of every real case's and collection's handout: every part typed and reached,
    every relationship resolved, [Content_Types].xml first (how file-type sniffers tell a .docx
    from a zip), one id per picture."""
    codes: dict[str, bytes] = {}
    for job in handouts._jobs(book):
        handout = job.handout()
        for url in (handout.url, *(c.url for c in handout.cases)):
            codes.setdefault(url, qr.draw(url))
        for teacher in (False, True):
            data = word.render(handout if teacher else handout.learner(), codes, teacher)
            assert package_problems(data) == [], (job.page, teacher)
            assert data == word.render(handout if teacher else handout.learner(), codes, teacher)


def test_every_outline_is_a_sound_package_in_chinese_fonts(book: Casebook) -> None:
    decks = real_decks(book)
    assert decks == real_decks(book), "the same content made twice gives other bytes"
    for page, data in decks.items():
        assert package_problems(data) == [], page
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
            assert z.testzip() is None
        deck = pptx.Presentation(io.BytesIO(data))
        assert deck.core_properties.language == "zh-CN" and deck.core_properties.revision == 1
        assert deck.core_properties.modified.year == 2000
        layouts = [s.slide_layout.name for s in deck.slides]
        assert layouts[0] == "Title Slide" and layouts[-1] == "Title Only"
        assert set(layouts) == {"Title Slide", "Title and Content", "Title Only"}, page
        for number, slide in enumerate(deck.slides, 1):
            texts = [shape.text_frame for shape in slide.shapes if shape.has_text_frame]
            runs = [r for frame in texts for p in frame.paragraphs for r in p.runs]
            assert runs, (page, number)
            for run in runs:
                rpr = run._r.rPr
                assert rpr is not None and (rpr.get("lang"), rpr.get("altLang")) == ("zh-CN", "en-US")
                assert rpr.find("a:ea", NS).get("typeface") == "黑体", (page, number, run.text)
            for shape in slide.shapes:
                assert shape.left >= 0 and shape.left + shape.width <= deck.slide_width, (page, number, shape.name)
                title = shape.is_placeholder and shape.placeholder_format.idx == 0
                # bullets and the QR box: a size by length (16 to 22), 28 for a question, wrapped
                if shape.has_text_frame and not title and slide.slide_layout.name != "Title Slide":
                    sizes = {p.font.size.pt for p in shape.text_frame.paragraphs}
                    assert sizes <= {16, 18, 20, 22, 28} and shape.text_frame.word_wrap, (page, number)
            pictures = [s for s in slide.shapes if s.shape_type == 13]
            if pictures:  # the QR code, and its text box to its right
                (picture,) = pictures
                box = next(s for s in slide.shapes if not s.is_placeholder and s.has_text_frame)
                assert picture.width == picture.height and picture.image.content_type == "image/png"
                assert box.left >= picture.left + picture.width


def test_a_broken_package_is_seen(book: Casebook) -> None:
    """The check above finds what it looks for."""
    good = next(iter(real_decks(book).values()))
    assert package_problems(good) == []
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    layout = "ppt/slideLayouts/slideLayout6.xml"
    without_layout = package.write((n, d) for n, d in parts.items() if n != layout)
    assert (
        f"ppt/slides/_rels/slide{len(pptx.Presentation(io.BytesIO(good)).slides)}.xml.rels rId1 -> missing {layout}"
        in (package_problems(without_layout))
    )
    unlisted = package.write({**parts, "ppt/slides/slide99.xml": parts["ppt/slides/slide1.xml"]}.items())
    assert "ppt/slides/slide99.xml: nothing points to it" in package_problems(unlisted)
    assert any(p.startswith("slide list") for p in package_problems(unlisted))


def test_sections_are_cut_at_a_sentence_and_point_to_the_handout() -> None:
    long = ("这是一句二十个字左右的句子，说明做法的内容。" * 30,)
    bullets = slides._sentences(long)
    assert bullets[-1] == "……（全文见讲义）"
    assert sum(map(len, bullets[:-1])) <= slides.MAX_CHARS and all(b.endswith("。") for b in bullets[:-1])
    assert slides._sentences(("短。", "也短！")) == ["短。", "也短！"]


def test_the_zip_writer_lays_out_what_zipfile_does() -> None:
    """package.write writes zip records itself (to copy a base part deflated once): byte for byte
    what the standard library writes for the same entries, so any reader reads it as it would."""
    parts = [("[Content_Types].xml", b"<Types/>"), ("中文/名.xml", "汉字".encode() * 500), ("empty", b"")]
    parts.append(("noise.bin", bytes(range(256)) * 40))
    expected = io.BytesIO()
    with zipfile.ZipFile(expected, "w") as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o600 << 16
            z.writestr(info, data)
    assert package.write(parts) == expected.getvalue()
    assert package.write((n, package.Deflated.of(d)) for n, d in parts) == expected.getvalue()


def test_two_processes_make_the_files_one_makes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past PARALLEL_FROM files a second process makes half of them: the same files, byte for
    byte, as one process makes, each page linking its own."""
    from bench.generate import generate, make_project

    loaded = load(Project(make_project(tmp_path / "project", generate(30, seed=3))))
    assert loaded.casebook is not None
    generated = loaded.casebook
    n = 3 * (len(generated.cases) + len(generated.collections))
    assert n >= handouts.PARALLEL_FROM
    together = handouts.make(generated, tmp_path / "two")
    monkeypatch.setattr(handouts, "PARALLEL_FROM", 10**9)
    alone = handouts.make(generated, tmp_path / "one")
    assert together.made == alone.made == n and together.reused == alone.reused == 0
    for page, downloads in alone.by_page.items():
        mine = together.by_page[page]
        assert [d.path for d in mine] == [d.path for d in downloads]
        assert [d.file.read_bytes() for d in mine] == [d.file.read_bytes() for d in downloads]
        assert [d.size for d in mine] == [d.size for d in downloads]
