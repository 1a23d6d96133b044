"""What trainers rely on: teaching notes, lasting links, QR codes, citations, print, lesson
collections, open data and the feed."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from casebook.records.loader import Project, load

from .conftest import CHROMIUM, CHROMIUM_FLAGS, ROOT, casebook, mkdocs_build, require_tool, serve

ATOM = "{http://www.w3.org/2005/Atom}"
CASE_IDS = sorted(p.stem for p in (ROOT / "cases").glob("*.yml"))
SITE_URL = yaml.safe_load((ROOT / "data" / "site.yml").read_text(encoding="utf-8"))["url"]


def records() -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in (ROOT / "cases").glob("*.yml")}


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_every_case_page_has_teaching_notes_qr_and_citations(site: Path, case_id: str) -> None:
    html = (site / "cases" / case_id / "index.html").read_text(encoding="utf-8")
    record = records()[case_id]
    assert 2 <= len(record["teaching"]["questions"]) <= 5
    assert 'id="teaching"' in html and "编者撰写" in html
    for question in record["teaching"]["questions"]:
        assert question.replace("“", "").replace("”", "")[:12] in html.replace("“", "").replace("”", "")
    assert f"{record['title']}[EB/OL]. ({record['updated']})[引用日期]. {SITE_URL}cases/{case_id}/." in html
    assert "[J]. 党员生活, 2018(8)." in html
    assert 'src="qrcode.png"' in html and (site / "cases" / case_id / "qrcode.png").is_file()


def test_qr_code_decodes_to_the_permanent_url(site: Path) -> None:
    zbarimg = require_tool("zbarimg", "zbar-tools")
    for case_id in CASE_IDS:
        out = subprocess.run(
            [zbarimg, "--raw", "-q", str(site / "cases" / case_id / "qrcode.png")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert out == f"{SITE_URL}cases/{case_id}/"


def test_qr_codes_are_cached_by_url(tmp_path: Path) -> None:
    from casebook.site.qr import qr_png

    digests = tmp_path / "digests.json"  # this machine's record of what it drew
    first = qr_png("https://example.test/cases/a/", tmp_path / "qr", digests)
    cached = list((tmp_path / "qr").glob("*.png"))
    assert len(cached) == 1 and cached[0].read_bytes() == first
    # A file this machine did not draw (committed to the repository, say) is never published.
    cached[0].write_bytes(b"marker")
    assert qr_png("https://example.test/cases/a/", tmp_path / "qr", digests) == first
    assert first.startswith(b"\x89PNG")


def test_readable_anchor_for_every_section_and_figure(site: Path) -> None:
    html = (site / "cases" / "hongshan-jiexiao-qianshou" / "index.html").read_text(encoding="utf-8")
    for anchor in (
        "figures",
        "background",
        "practice",
        "results",
        "insights",
        "teaching",
        "guide",
        "guide-plan",
        "downloads",
        "sources",
        "cite",
        "qianding-danwei",
        "jianzhi-weiyuan",
        "lianxi-huiyi",
    ):
        assert f'id="{anchor}"' in html, anchor
    ids = re.findall(r'id="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate ids"


def test_aliases_redirect_to_the_case(project: Path, tmp_path: Path, browser) -> None:  # type: ignore[no-untyped-def]
    path = project / "cases" / "qinghe-ju-tiantian-qiaomen.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("added:", "aliases: [qiaomen-zu]\nadded:", 1), encoding="utf-8"
    )
    site = tmp_path / "site"
    run = mkdocs_build(project, site)
    assert run.code == 0, run.text
    html = (site / "cases" / "qiaomen-zu" / "index.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=../qinghe-ju-tiantian-qiaomen/">' in html
    assert f'<link rel="canonical" href="{SITE_URL}cases/qinghe-ju-tiantian-qiaomen/">' in html
    page = browser.new_page()
    try:
        with serve(site) as base:
            page.goto(base + "cases/qiaomen-zu/")
            page.wait_for_url(base + "cases/qinghe-ju-tiantian-qiaomen/", timeout=10_000)
            assert "天天敲门组" in page.locator("h1").inner_text()
    finally:
        page.close()


def test_exports_hold_exactly_the_records(site: Path) -> None:
    data = json.loads((site / "data" / "cases.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == json.loads((ROOT / "data/schema/case.schema.json").read_text())["x-version"]
    assert sorted(c["id"] for c in data["cases"]) == CASE_IDS
    by_id = {c["id"]: c for c in data["cases"]}
    for case_id, record in records().items():
        assert by_id[case_id]["title"] == record["title"]
        assert by_id[case_id]["practice"] == record["practice"]
        assert [f["value"] for f in by_id[case_id]["figures"]] == [f["value"] for f in record.get("figures", [])]
    assert by_id["hongshan-jiexiao-qianshou"]["figures"][2]["display"] == "180余次"


def test_csv_round_trips_with_chinese_intact(site: Path) -> None:
    raw = (site / "data" / "cases.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert sorted(r["id"] for r in rows) == CASE_IDS
    by_id = {r["id"]: r for r in rows}
    for case_id, record in records().items():
        assert by_id[case_id]["title"] == record["title"]
        assert by_id[case_id]["summary"] == record["summary"]
    assert "组织召开党建联席会议 180余次" in by_id["hongshan-jiexiao-qianshou"]["figures"]


def test_cli_export_writes_the_same_files(site: Path, tmp_path: Path) -> None:
    for fmt in ("json", "csv"):
        out = tmp_path / f"cases.{fmt}"
        run = casebook("export", "--format", fmt, "--output", str(out), cwd=ROOT)
        assert run.code == 0, run.text
        assert out.read_bytes() == (site / "data" / f"cases.{fmt}").read_bytes()


def test_feed_parses_and_is_dated_from_the_records(site: Path) -> None:
    feed = ET.parse(site / "feed.xml").getroot()
    entries = {e.findtext(f"{ATOM}id"): e for e in feed.iter(f"{ATOM}entry")}
    assert len(entries) == len(CASE_IDS)
    for case_id, record in records().items():
        entry = entries[f"{SITE_URL}cases/{case_id}/"]
        assert entry.findtext(f"{ATOM}published") == f"{record['added']}T00:00:00+08:00"
        assert entry.findtext(f"{ATOM}updated") == f"{record.get('updated', record['added'])}T00:00:00+08:00"


def test_schemas_are_published(site: Path) -> None:
    for schema in (ROOT / "data" / "schema").glob("*.json"):
        assert (site / "schema" / schema.name).read_text(encoding="utf-8") == schema.read_text(encoding="utf-8")


def test_sitemap_lists_every_case(site: Path) -> None:
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    for case_id in CASE_IDS:
        assert f"{SITE_URL}cases/{case_id}/" in sitemap


def test_collection_pages_and_handout(site: Path) -> None:
    book = load(Project(ROOT)).casebook
    assert book is not None and book.collections
    for c in book.collections.values():
        page = (site / "collections" / c.id / "index.html").read_text(encoding="utf-8")
        handout = (site / "collections" / c.id / "print" / "index.html").read_text(encoding="utf-8")
        for item in c.items:
            title = book.cases[item.case].title
            assert title in page and title in handout
            assert item.note[:10] in page and item.note[:10] in handout
        assert handout.count('class="cb-print-case"') == len(c.items)


def test_collection_with_unknown_case_is_an_error(project: Path) -> None:
    path = next((project / "data" / "collections").glob("*.yml"))
    path.write_text(
        path.read_text(encoding="utf-8").replace("case: hongshan-jiexiao-qianshou", "case: hongshan-jiexiao"),
        encoding="utf-8",
    )
    run = casebook("validate", cwd=project)
    assert run.code == 1
    assert "引用了不存在的案例“hongshan-jiexiao”" in run.out and "hongshan-jiexiao-qianshou" in run.out


def test_missing_site_url_is_said_plainly(project: Path) -> None:
    path = project / "data" / "site.yml"
    path.write_text(re.sub(r"(?m)^url: .*\n", "", path.read_text(encoding="utf-8")), encoding="utf-8")
    run = casebook("validate", cwd=project)
    assert run.code == 1 and "url 是必填字段" in run.out


def test_case_prints_as_a_handout_of_at_most_three_pages(served_site: str, tmp_path: Path) -> None:
    require_tool("pdftotext", "poppler-utils")
    require_tool("chromium", "chromium")
    pdf = tmp_path / "case.pdf"
    subprocess.run(
        [
            str(CHROMIUM),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            served_site + "cases/hongshan-jiexiao-qianshou/",
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert 1 <= pages <= 3
    text = re.sub(
        r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    )
    for words in ("洪山区“街校牵手”行动", "180余次", "458个", "思考题", "三张清单"):
        assert words in text, words
    # A learner's handout: the teacher's guide and the download links stay on screen.
    for words in ("案例使用说明", "分析思路", "建议课堂计划", "讲义与幻灯片下载"):
        assert words not in text, words
    # pdftotext drops the hyphens where a long URL wraps
    assert f"{SITE_URL}cases/hongshan-jiexiao-qianshou/".replace("-", "") in text.replace("-", "")
    assert "搜索" not in text[:200], "the header was printed"
