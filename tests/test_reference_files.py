"""RIS and CSL-JSON for each case and each collection (issue 13, item 7): the CSL-JSON rendered
with the official GB/T 7714-2015 style by citeproc-js gives the strings the page shows."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from .conftest import ROOT
from .test_citation import citeproc

CASES = sorted(p.stem for p in (ROOT / "cases").glob("*.yml"))
COLLECTIONS = sorted(p.stem for p in (ROOT / "data" / "collections").glob("*.yml"))


def ris_records(text: str) -> list[dict[str, list[str]]]:
    assert text.startswith("\ufeff") and "\r\n" in text
    records, current = [], {}
    for line in text.lstrip("\ufeff").split("\r\n"):
        if not line:
            continue
        tag, _, value = line.partition("  -")
        current.setdefault(tag, []).append(value.strip())
        if tag == "ER":
            records.append(current)
            current = {}
    assert not current, "a record without ER"
    return records


def test_each_case_has_files_that_render_to_the_pages_citations(site: Path) -> None:
    items_of = {}
    for case_id in CASES:
        items = json.loads((site / "data" / "citations" / "cases" / f"{case_id}.json").read_text(encoding="utf-8"))
        items_of[case_id] = items
        page = (site / "cases" / case_id / "index.html").read_text(encoding="utf-8")
        assert f'href="../../data/citations/cases/{case_id}.ris"' in page
        rendered = citeproc(items)
        # the case page as cited on the page, the reader's date of access left blank
        date = items[0]["issued"]["date-parts"][0]
        issued = f"({date[0]}-{date[1]:02d}-{date[2]:02d})"
        shown = rendered[0].replace(issued, issued + "[引用日期]")
        sources_list = page[page.index('id="sources"') :]
        assert html.escape(shown, quote=False) in page, shown
        for text in rendered[1:]:
            assert html.escape(text, quote=False) in sources_list, text
        records = ris_records((site / "data" / "citations" / "cases" / f"{case_id}.ris").read_bytes().decode("utf-8"))
        assert [r["TI"] for r in records] == [[i["title"]] for i in items]
        assert records[0]["TY"] == ["ELEC"] and records[0]["UR"] == [items[0]["URL"]]
        assert records[1]["TY"] == ["JOUR"] and records[1]["JO"] == ["党员生活"] and records[1]["IS"] == ["8"]
    # the Traditional page links to the same files (a reference keeps the title as published)
    hant = (site / "zh-Hant" / "cases" / CASES[0] / "index.html").read_text(encoding="utf-8")
    assert f'href="../../../data/citations/cases/{CASES[0]}.ris"' in hant


def test_each_collection_has_its_cases_and_their_sources_once(site: Path) -> None:
    assert COLLECTIONS
    for collection_id in COLLECTIONS:
        base = site / "data" / "citations" / "collections" / collection_id
        items = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))
        ids = [i["id"] for i in items]
        assert len(ids) == len(set(ids))
        page = (site / "collections" / collection_id / "index.html").read_text(encoding="utf-8")
        listed = re.findall(r'<h3 id="case-\d+"[^>]*>\d+\. <a href="../../cases/([^/]+)/"', page)
        assert listed and [i for i in ids if i in listed] == listed
        assert "dangyuan-shenghuo-2018-08" in ids
        assert len(citeproc(items)) == len(items)
        assert len(ris_records(base.with_suffix(".ris").read_bytes().decode("utf-8"))) == len(items)
