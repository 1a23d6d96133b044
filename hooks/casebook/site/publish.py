"""After a build: prove that every case made it into the site and into search."""

from __future__ import annotations

import csv
import gzip
import html
import json
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Collection
from pathlib import Path

from openpyxl import load_workbook

from ..model import Casebook
from . import urls
from .search import SearchIndexError, indexed_pages
from .sitemap import NS, SITEMAP
from .workbook import SHEETS


def check_site(
    book: Casebook, site_dir: Path, *, complete: bool = True, written: Collection[str] | None = None
) -> list[str]:
    """Problems, one sentence each; empty when every case is on its page and in the search index.
    A preview (complete=False) has neither the Traditional copy, nor the index, nor the open data;
    it names the pages it `written` this time, the others were checked when they were written."""
    problems = []
    for case in book.cases.values():
        if written is not None and urls.case(case.id) not in written:
            continue
        page = site_dir / urls.case(case.id) / "index.html"
        if not page.is_file():
            problems.append(f"{case.path}: 案例页面 {page.relative_to(site_dir)} 没有生成")
        elif html.escape(case.title, quote=False) not in page.read_text(encoding="utf-8"):
            problems.append(f"{case.path}: 案例页面里没有案例标题“{case.title}”")
    if complete:
        problems += _check_variant(book, site_dir)
        problems += _check_search(book, site_dir)
        problems += _check_exports(book, site_dir)
        problems += _check_sitemaps(book, site_dir)
    return problems


def _check_variant(book: Casebook, site_dir: Path) -> list[str]:
    problems = []
    for case in book.cases.values():
        page = site_dir / urls.TRADITIONAL / urls.case(case.id) / "index.html"
        if not page.is_file():
            problems.append(f"{case.path}: 繁体页面 {page.relative_to(site_dir)} 没有生成")
        elif 'lang="zh-Hant"' not in page.read_text(encoding="utf-8")[:200]:
            problems.append(f'{case.path}: 繁体页面没有标注 lang="zh-Hant"')
    return problems


def _check_search(book: Casebook, site_dir: Path) -> list[str]:
    """Every case must be in the index; Traditional pages are found through their Simplified twin."""
    try:
        indexed = indexed_pages(site_dir)
    except SearchIndexError as exc:
        return [str(exc)]
    problems = []
    for case in book.cases.values():
        url = "/" + urls.case(case.id)
        if url not in indexed:
            problems.append(f"{case.path}: {url} 不在搜索索引里")
    return problems


def _check_sitemaps(book: Casebook, site_dir: Path) -> list[str]:
    """Each script's sitemap lists every case, and its .gz is the same sitemap compressed."""
    if not book.site.url:
        return []
    problems = []
    for prefix in ("", urls.TRADITIONAL):
        path = site_dir / prefix / SITEMAP
        try:
            xml = path.read_bytes()
            packed = gzip.decompress((site_dir / prefix / f"{SITEMAP}.gz").read_bytes())
            locs = {el.text for el in ET.fromstring(xml).iter(f"{{{NS}}}loc")}
        except (OSError, EOFError, gzip.BadGzipFile, ET.ParseError) as exc:
            problems.append(f"{prefix}{SITEMAP} 缺失或无法读取：{exc}")
            continue
        if packed != xml:
            problems.append(f"{prefix}{SITEMAP}.gz 与 {prefix}{SITEMAP} 不同")
        missing = [c.path for c in book.cases.values() if book.site.page_url(prefix + urls.case(c.id)) not in locs]
        if missing:
            problems.append(f"{prefix}{SITEMAP} 缺少案例 {missing}")
    return problems


def _check_exports(book: Casebook, site_dir: Path) -> list[str]:
    """The open data and the feed must hold exactly the cases of the site."""
    problems = []
    expected = set(book.cases)
    try:
        in_json = {c["id"] for c in json.loads((site_dir / "data" / "cases.json").read_text(encoding="utf-8"))["cases"]}
        with (site_dir / "data" / "cases.csv").open(encoding="utf-8-sig", newline="") as f:
            in_csv = {row["id"] for row in csv.DictReader(f)}
        problems += _workbook_problems(site_dir / "data" / "cases.xlsx")
        feed = ET.parse(site_dir / "feed.xml").getroot()
        in_feed = {
            e.findtext("{http://www.w3.org/2005/Atom}id", "") for e in feed.iter("{http://www.w3.org/2005/Atom}entry")
        }
    except (OSError, ValueError, KeyError, ET.ParseError, zipfile.BadZipFile) as exc:
        return [f"开放数据或订阅源缺失或无法读取：{exc}"]
    for name, found in (("data/cases.json", in_json), ("data/cases.csv", in_csv)):
        if found != expected:
            problems.append(
                f"{name} 与 cases/ 不一致：缺少 {sorted(expected - found)}，多出 {sorted(found - expected)}"
            )
    # An entry's id is the case's URL, which ends in its id: one set, not a scan per case.
    feed_ids = {u.rstrip("/").rsplit("/", 1)[-1] for u in in_feed}
    missing_feed = sorted(expected - feed_ids)
    if missing_feed or len(in_feed) != len(expected):
        problems.append(f"feed.xml 与 cases/ 不一致：缺少 {missing_feed}")
    return problems


def _workbook_problems(path: Path) -> list[str]:
    """The workbook opens and has its sheets. Its rows are made from the same records as the CSV
    (workbook.py), which is checked case by case; reading 20,000 rows back would cost more than
    writing them (tests/test_workbook.py reads them)."""
    wb = load_workbook(path, read_only=True)
    try:
        if wb.sheetnames != list(SHEETS):
            return [f"data/cases.xlsx 的工作表是 {wb.sheetnames}，应为 {list(SHEETS)}"]
        return []
    finally:
        wb.close()
