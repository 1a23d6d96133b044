"""Open data: every published case as JSON, CSV (for Excel) and an Atom feed.

Nothing here depends on the time of the build: the same records give the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from typing import Any

from .citation import source_citation
from .model import Case, Casebook
from .render import urls

LIST_SEPARATOR = "；"
CSV_COLUMNS = (
    "id",
    "url",
    "title",
    "summary",
    "pillars",
    "policies",
    "city",
    "district",
    "street",
    "community",
    "year",
    "period_start",
    "period_end",
    "themes",
    "keywords",
    "figures",
    "people",
    "sources",
    "related",
    "aliases",
    "added",
    "updated",
)


def case_url(book: Casebook, case: Case) -> str:
    return book.site.page_url(urls.web_path(urls.case(case.id)))


def case_record(book: Casebook, case: Case) -> dict[str, Any]:
    """A case with its references resolved to names, as a reader of the data wants it."""
    place = {p.level: {"id": p.id, "name": p.name} for p in book.place_chain(case)}
    t = case.teaching
    return {
        "id": case.id,
        "url": case_url(book, case),
        "title": case.title,
        "summary": case.summary,
        "pillars": [{"id": p, "number": book.pillars[p].number, "title": book.pillars[p].title} for p in case.pillars],
        "policies": [{"id": p, "name": book.policies[p].name} for p in case.policies],
        "place": place,
        "period": {"start": case.period_start, "end": case.period_end} if case.period_start else None,
        "year": book.year(case),
        "themes": [{"id": t_, "name": book.themes[t_].name} for t_ in case.themes],
        "keywords": list(case.keywords),
        "background": case.background,
        "practice": case.practice,
        "results": case.results,
        "insights": case.insights or None,
        "figures": [
            {
                "id": f.anchor,
                "label": f.label,
                "value": f.value,
                "unit": f.unit,
                "qualifier": f.qualifier or None,
                "display": f.display,
                "as_of": f.as_of or None,
                "note": f.note or None,
            }
            for f in case.figures
        ],
        "quotes": [{"text": q.text, "speaker": q.speaker, "role": q.role or None} for q in case.quotes],
        "people": [{"name": p.name, "role": p.role} for p in case.people],
        "media": [
            {
                "caption": m.caption,
                "credit": book.sources[m.credit].title if m.credit else None,
                "alt": m.alt or None,
                "file": m.file or None,
            }
            for m in case.media
        ],
        "sources": [
            {
                "ref": r.ref,
                "citation": source_citation(book.sources[r.ref], r),
                "page": r.page or None,
                "note": r.note or None,
            }
            for r in case.sources
        ],
        "related": list(case.related),
        "teaching": None
        if t.empty
        else {
            "author": "编者",
            "objectives": list(t.objectives),
            "questions": list(t.questions),
            "points": list(t.points),
        },
        "aliases": list(case.aliases),
        "added": case.added,
        "updated": case.updated or None,
        "record": case.path,
    }


def cases_json(book: Casebook) -> str:
    payload = {
        "schema_version": book.schema_version,
        "schema": book.site.page_url("schema/case.schema.json"),
        "publisher": book.site.publisher,
        "count": len(book.cases),
        "cases": [case_record(book, c) for c in book.cases_by_title],
    }
    return json.dumps(payload, ensure_ascii=False, indent=1) + "\n"


def _csv_row(book: Casebook, case: Case) -> dict[str, Any]:
    rec = case_record(book, case)
    place = rec["place"]
    join = LIST_SEPARATOR.join
    return {
        "id": case.id,
        "url": rec["url"],
        "title": case.title,
        "summary": case.summary,
        "pillars": join(f"“{p['number']}”{p['title']}" for p in rec["pillars"]),
        "policies": join(p["name"] for p in rec["policies"]),
        "city": place.get("city", {}).get("name", ""),
        "district": place.get("district", {}).get("name", ""),
        "street": place.get("street", {}).get("name", ""),
        "community": place.get("community", {}).get("name", ""),
        "year": rec["year"] or "",
        "period_start": case.period_start,
        "period_end": case.period_end,
        "themes": join(t["name"] for t in rec["themes"]),
        "keywords": join(case.keywords),
        "figures": join(f"{f.label} {f.display}" for f in case.figures),
        "people": join(f"{p.name}（{p.role}）" for p in case.people),
        "sources": join(s["citation"] for s in rec["sources"]),
        "related": join(case.related),
        "aliases": join(case.aliases),
        "added": case.added,
        "updated": case.updated,
    }


def cases_csv(book: Casebook) -> bytes:
    """UTF-8 with a byte-order mark: without it Excel on Windows reads Chinese as mojibake."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for case in book.cases_by_title:
        writer.writerow(_csv_row(book, case))
    return buffer.getvalue().encode("utf-8-sig")


ATOM = "http://www.w3.org/2005/Atom"


def _stamp(date: str) -> str:
    # Records carry dates, not times; midnight in China's time zone is what the editor meant.
    return f"{date}T00:00:00+08:00"


def atom_feed(book: Casebook) -> str:
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str = "", **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text:
            el.text = text
        return el

    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "zh-Hans"})
    newest = sorted(book.cases.values(), key=lambda c: (c.last_changed, c.id), reverse=True)
    sub(feed, "id", book.site.url)
    sub(feed, "title", book.site.name)
    sub(feed, "subtitle", "新收录和更新的基层治理案例")
    sub(feed, "link", href=book.site.page_url("feed.xml"), rel="self")
    sub(feed, "link", href=book.site.url)
    sub(feed, "updated", _stamp(newest[0].last_changed) if newest else _stamp("2000-01-01"))
    author = sub(feed, "author")
    sub(author, "name", book.site.publisher)
    for case in newest:
        entry = sub(feed, "entry")
        url = case_url(book, case)
        sub(entry, "id", url)
        sub(entry, "title", case.title)
        sub(entry, "link", href=url)
        sub(entry, "published", _stamp(case.added))
        sub(entry, "updated", _stamp(case.last_changed))
        sub(entry, "summary", case.summary)
        for p in case.pillars:
            sub(entry, "category", term=p, label=book.pillars[p].title)
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
