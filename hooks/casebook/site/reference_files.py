"""Citation files for reference managers (Zotero, EndNote, NoteExpress): RIS and CSL-JSON for
each case and each lesson collection (课程包).

A case's file holds the case page (a web page, as its citation on the page) and the sources it
cites; a collection's holds the same for each of its cases, each item once. The CSL-JSON items
are citation.py's, so the official GB/T 7714-2015 style renders them to the strings the pages
show; RIS carries the same fields in its own tags.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from ..citation import case_item, csl_item
from ..model import Case, Casebook, Collection

# CSL type -> RIS type (the RIS specification's names, which all three managers read).
RIS_TYPES: Mapping[str, str] = {
    "webpage": "ELEC",
    "article-journal": "JOUR",
    "article-newspaper": "NEWS",
    "legislation": "GOVDOC",
    "book": "BOOK",
    "report": "RPRT",
}


def case_path(case_id: str, ext: str) -> str:
    """Under data/, which the Traditional copy shares: a reference keeps the title as published."""
    return f"data/citations/cases/{case_id}.{ext}"


def collection_path(collection_id: str, ext: str) -> str:
    return f"data/citations/collections/{collection_id}.{ext}"


def case_items(book: Casebook, case: Case) -> list[dict[str, Any]]:
    items = [case_item(book.site, case)]
    items += [csl_item(book.sources[r.ref], r) for r in case.sources if book.sources[r.ref].citable]
    return items


def collection_items(book: Casebook, collection: Collection) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for entry in collection.items:
        for item in case_items(book, book.cases[entry.case]):
            # a source cited with different pages by two cases is one reference, without a page
            if item["id"] in seen and seen[item["id"]] != item:
                seen[item["id"]] = {k: v for k, v in seen[item["id"]].items() if k != "page"}
            seen.setdefault(item["id"], item)
    return list(seen.values())


def csl_json(items: list[dict[str, Any]]) -> str:
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def _ris_date(date: Mapping[str, Any]) -> str:
    parts = [*date["date-parts"][0], "", ""][:3]
    return "/".join(f"{p:02d}" if isinstance(p, int) and i else str(p) for i, p in enumerate(parts)) + "/"


def _ris_lines(item: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    yield "TY", RIS_TYPES.get(item["type"], "GEN")
    for name in item.get("author", ()):
        yield "AU", name["literal"]
    yield "TI", item["title"]
    if item.get("container-title"):
        yield ("JO" if item["type"] == "article-journal" else "T2"), item["container-title"]
    if item.get("issued"):
        yield "PY", str(item["issued"]["date-parts"][0][0])
        yield "DA", _ris_date(item["issued"])
    for csl, tag in (
        ("volume", "VL"),
        ("issue", "IS"),
        ("page", "SP"),
        ("publisher", "PB"),
        ("publisher-place", "CY"),
        ("edition", "ET"),
        ("number", "M1"),
        ("URL", "UR"),
        ("abstract", "AB"),
        ("note", "N1"),
    ):
        if item.get(csl):
            yield tag, str(item[csl])
    if item.get("accessed"):
        yield "Y2", _ris_date(item["accessed"])
    yield "LA", "zh-CN"
    yield "ER", ""


def ris(items: list[dict[str, Any]]) -> str:
    """RIS: one `TAG  - value` per line, CRLF as the format says; UTF-8 with a BOM, so that
    EndNote and NoteExpress on Windows read the Chinese right (Zotero ignores the BOM)."""
    lines = [
        f"{tag}  - {value}".rstrip() if value else f"{tag}  -" for item in items for tag, value in _ris_lines(item)
    ]
    return "\ufeff" + "\r\n".join(lines) + "\r\n"


def files(book: Casebook) -> list[tuple[str, str]]:
    """(web path, text) of every citation file."""
    out: list[tuple[str, str]] = []
    for case in book.cases.values():
        items = case_items(book, case)
        out += [(case_path(case.id, "ris"), ris(items)), (case_path(case.id, "json"), csl_json(items))]
    for collection in book.collections.values():
        items = collection_items(book, collection)
        out += [
            (collection_path(collection.id, "ris"), ris(items)),
            (collection_path(collection.id, "json"), csl_json(items)),
        ]
    return out
