"""Sitemaps and robots.txt of the real built site: the .gz is the sitemap compressed, the
structure is the sitemaps.org protocol's, lastmod comes from the records, both scripts are
named in robots.txt."""

from __future__ import annotations

import gzip
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from casebook.model import Casebook
from casebook.records.loader import Project, load
from casebook.site import urls
from casebook.site.sitemap import MAX_URLS, crawler_files

from .conftest import ROOT

SITE_URL = "https://casebook-1314.github.io/casebook/"
NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
W3C_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?")


@pytest.fixture(scope="module")
def book() -> Casebook:
    result = load(Project(ROOT))
    assert result.casebook is not None
    return result.casebook


def _urls(xml: bytes) -> list[ET.Element]:
    root = ET.fromstring(xml)
    assert root.tag == f"{NS}urlset"
    return list(root)


@pytest.mark.parametrize("prefix", ["", "zh-Hant/"])
def test_the_gz_is_the_sitemap_compressed(site: Path, prefix: str) -> None:
    xml = (site / prefix / "sitemap.xml").read_bytes()
    assert gzip.decompress((site / prefix / "sitemap.xml.gz").read_bytes()) == xml


@pytest.mark.parametrize("prefix", ["", "zh-Hant/"])
def test_the_sitemap_follows_the_protocol(site: Path, prefix: str) -> None:
    """sitemaps.org 0.9: <urlset> of <url>, each with one absolute <loc> (at most 2,048
    characters) and then an optional W3C-date <lastmod>, in that order; elements of other
    namespaces (the hreflang links) only after them; at most 50,000 URLs, 50 MB."""
    xml = (site / prefix / "sitemap.xml").read_bytes()
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert len(xml) < 50 * 1024 * 1024
    entries = _urls(xml)
    assert 0 < len(entries) <= MAX_URLS
    locs = []
    for entry in entries:
        assert entry.tag == f"{NS}url"
        own = [child.tag for child in entry if child.tag.startswith(NS)]
        assert own in ([f"{NS}loc"], [f"{NS}loc", f"{NS}lastmod"]), own
        assert list(entry)[: len(own)] == [c for c in entry if c.tag.startswith(NS)]  # protocol elements first
        loc = entry.findtext(f"{NS}loc", "")
        assert loc.startswith(SITE_URL + prefix) and len(loc) <= 2048
        lastmod = entry.findtext(f"{NS}lastmod")
        assert lastmod is None or W3C_DATE.fullmatch(lastmod)
        locs.append(loc)
        # Every listed page exists, in this script.
        path = loc[len(SITE_URL) :]
        assert (site / path / "index.html").is_file() if path.endswith("/") or not path else (site / path).is_file()
        links = {link.get("hreflang"): link.get("href") for link in entry.iter(f"{XHTML}link")}
        assert all(link.get("rel") == "alternate" for link in entry.iter(f"{XHTML}link"))
        simplified = loc.replace(SITE_URL + "zh-Hant/", SITE_URL, 1)
        assert links == {"zh-Hans": simplified, "zh-Hant": simplified.replace(SITE_URL, SITE_URL + "zh-Hant/", 1)}
    assert len(locs) == len(set(locs))


def test_both_sitemaps_list_the_same_pages_and_every_case(site: Path, book: Casebook) -> None:
    hans = {e.findtext(f"{NS}loc") for e in _urls((site / "sitemap.xml").read_bytes())}
    hant = {e.findtext(f"{NS}loc") for e in _urls((site / "zh-Hant" / "sitemap.xml").read_bytes())}
    assert {u.replace(SITE_URL + "zh-Hant/", SITE_URL, 1) for u in hant} == hans
    for case_id in book.cases:
        assert SITE_URL + urls.case(case_id) in hans
    assert SITE_URL + urls.CODEBOOK in hans
    assert SITE_URL + "404.html" not in hans


def test_lastmod_comes_from_the_records(site: Path, book: Casebook) -> None:
    dates = {e.findtext(f"{NS}loc"): e.findtext(f"{NS}lastmod") for e in _urls((site / "sitemap.xml").read_bytes())}
    for case in book.cases.values():
        assert dates[SITE_URL + urls.case(case.id)] == (case.updated or case.added)
    for pillar_id, cases in book.by_pillar.items():
        assert dates[SITE_URL + urls.pillar(pillar_id)] == max(c.updated or c.added for c in cases)
    for theme_id, cases in book.by_theme.items():
        assert dates[SITE_URL + urls.theme(theme_id)] == max(c.updated or c.added for c in cases)
    # Pages no record dates carry none, rather than the day of the build.
    assert dates[SITE_URL] is None
    assert dates[SITE_URL + "about/"] is None


def test_a_newer_record_moves_its_pages_lastmod(book: Casebook) -> None:
    case = next(iter(book.cases.values()))
    newer = replace(case, updated="2030-01-02")
    files = crawler_files(
        replace(book, cases={**book.cases, case.id: newer}), [urls.case(case.id), urls.pillar(case.pillars[0])]
    )
    entries = {e.findtext(f"{NS}loc"): e.findtext(f"{NS}lastmod") for e in _urls(files["sitemap.xml"])}
    assert entries[SITE_URL + urls.case(case.id)] == "2030-01-02"
    assert entries[SITE_URL + urls.pillar(case.pillars[0])] == "2030-01-02"


def test_robots_txt_names_both_sitemaps(site: Path) -> None:
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    named = re.findall(r"^Sitemap: (\S+)$", robots, re.M)
    assert named == [f"{SITE_URL}sitemap.xml", f"{SITE_URL}zh-Hant/sitemap.xml"]
    for url in named:
        assert (site / url[len(SITE_URL) :]).is_file()
    assert re.search(r"^User-agent: \*$", robots, re.M)
    assert not re.search(r"^Disallow: /\s*$", robots, re.M)
    assert not (site / "zh-Hant" / "robots.txt").exists()  # one robots.txt, at the site's root


def test_without_a_site_address_there_is_no_sitemap(book: Casebook) -> None:
    files = crawler_files(replace(book, site=replace(book.site, url="")), ["", urls.case(next(iter(book.cases)))])
    assert set(files) == {"robots.txt"}
    robots = files["robots.txt"].decode("utf-8")
    assert "Sitemap:" not in robots and robots.startswith("User-agent: *")
