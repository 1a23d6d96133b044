"""References in GB/T 7714-2015, exactly as the official CSL style renders them.

Each source becomes one CSL-JSON item (`csl_item`), the form reference managers import; the
reference string is then rendered from that item (`render`) by the rules of the CSL style
`china-national-standard-gb-t-7714-2015-numeric`, for the variables our items carry. The tests
render the same items with citeproc-js and the committed style file (tests/csl/) and require the
two strings to be equal, so that the page, the exports and a reference manager agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import Case, SiteInfo, Source, SourceRef

# Source kind -> (CSL type, the type code GB/T 7714 prints: [J], [N], [EB/OL] ...). The style says
# which code a CSL type gets; this table only chooses the CSL type for each of our kinds.
CSL_TYPES: Mapping[str, str] = {
    "journal": "article-journal",
    "newspaper": "article-newspaper",
    "web": "webpage",
    "government": "legislation",
    "book": "book",
    "report": "report",
}
_TYPE_CODES: Mapping[str, str] = {
    "article-journal": "J",
    "article-newspaper": "N",
    "webpage": "EB",
    "legislation": "A",
    "book": "M",
    "report": "R",
}
# The style's bibliography: et-al-min="4" et-al-use-first="3"; the zh-CN locale's "et-al" is 等.
_ET_AL_MIN, _ET_AL_USE_FIRST, _ET_AL = 4, 3, "等"
ACCESS_DATE_BLANK = "[引用日期]"


def _date_parts(text: str) -> dict[str, list[list[int]]]:
    return {"date-parts": [[int(p) for p in text.split("-")]]}


def _literal_names(names: tuple[str, ...] | list[str]) -> list[dict[str, str]]:
    # Chinese names and institutions are written whole: as literals, never split or reordered.
    return [{"literal": n} for n in names]


def csl_item(source: Source, ref: SourceRef | None = None) -> dict[str, Any]:
    """The source as a CSL-JSON item (CSL 1.0.2), with the page of `ref` when one is given."""
    raw = source.fields
    kind = source.kind
    item: dict[str, Any] = {"id": source.id, "type": CSL_TYPES.get(kind, "document"), "title": source.title}
    authors = list(source.authors)
    if kind == "government" and not authors and raw.get("issuer"):
        authors = [raw["issuer"]]
    if authors:
        item["author"] = _literal_names(authors)
    container = {"journal": "journal", "newspaper": "newspaper", "web": "site"}.get(kind)
    if container and raw.get(container):
        item["container-title"] = raw[container]
    if kind in ("journal", "book", "report") and raw.get("year"):
        item["issued"] = {"date-parts": [[int(raw["year"])]]}
    if raw.get("published"):
        item["issued"] = _date_parts(raw["published"])
    if kind == "journal":
        item["issue"] = raw.get("issue_number") or raw.get("issue", "")
        if raw.get("volume"):
            item["volume"] = raw["volume"]
    if kind in ("book", "report"):
        for ours, csl in (("publisher", "publisher"), ("place", "publisher-place"), ("edition", "edition")):
            if raw.get(ours):
                item[csl] = raw[ours]
    if kind == "government" and raw.get("document_number"):
        item["number"] = raw["document_number"]
    page = (ref.page if ref is not None and ref.page else "") or raw.get("pages", "") or raw.get("page", "")
    if page:
        item["page"] = page
    if raw.get("url"):
        item["URL"] = raw["url"]
    if raw.get("accessed"):
        item["accessed"] = _date_parts(raw["accessed"])
    if source.note:
        item["note"] = source.note
    return item


def case_item(site: SiteInfo, case: Case, url: str | None = None, accessed: str = "") -> dict[str, Any]:
    """The case page as a CSL-JSON web page: the casebook is its author, its last change its date."""
    item: dict[str, Any] = {
        "id": case.id,
        "type": "webpage",
        "title": case.title,
        "author": _literal_names([site.name]),
        "container-title": site.name,
        "issued": _date_parts(case.last_changed),
        "URL": url or site.case_url(case.id),
        "abstract": case.summary,
    }
    if accessed:
        item["accessed"] = _date_parts(accessed)
    return item


# -- the style's rules, for the variables above ----------------------------------------------
def _numeric_date(date: Mapping[str, Any] | None) -> str:
    """form="numeric": year, then -MM and -DD with leading zeros."""
    if not date:
        return ""
    parts = date["date-parts"][0]
    return str(parts[0]) + "".join(f"-{p:02d}" for p in parts[1:3])


def _year(date: Mapping[str, Any] | None) -> str:
    return str(date["date-parts"][0][0]) if date else ""


def _join(delimiter: str, parts: list[str]) -> str:
    """A CSL group: its non-empty parts joined; nothing when every part is empty."""
    return delimiter.join(p for p in parts if p)


def _authors(item: Mapping[str, Any]) -> str:
    names = [n["literal"] for n in item.get("author", ())]
    if len(names) >= _ET_AL_MIN:
        names = [*names[:_ET_AL_USE_FIRST], _ET_AL]
    return ", ".join(names)


def _title(item: Mapping[str, Any]) -> str:
    online = bool(item.get("URL"))
    number = "" if item["type"] == "article-journal" else item.get("number", "")
    code = _join("/", [_TYPE_CODES.get(item["type"], "Z"), "OL" if online else ""])
    return _join(": ", [item["title"], number]) + f"[{code}]"


def _accessed(item: Mapping[str, Any]) -> str:
    if not item.get("URL") or not item.get("accessed"):
        return ""
    return f"[{_numeric_date(item['accessed'])}]"


def _periodical(item: Mapping[str, Any]) -> str:
    if item["type"] == "article-newspaper":
        text = _join(", ", [item.get("container-title", ""), _numeric_date(item.get("issued"))])
        if item.get("page"):
            text += f"({item['page']})"
    else:
        text = _join(", ", [item.get("container-title", ""), _year(item.get("issued")), item.get("volume", "")])
        if item.get("issue"):
            text += f"({item['issue']})"
        text = _join(": ", [text, item.get("page", "")])
    return text + _accessed(item)


def _publisher(item: Mapping[str, Any]) -> str:
    if item["type"] == "book" or any(item.get(v) for v in ("publisher", "publisher-place", "page")):
        where = _join(": ", [item.get("publisher-place", ""), item.get("publisher", "")])
        return _join(": ", [_join(", ", [where, _year(item.get("issued"))]), item.get("page", "")]) + _accessed(item)
    if item.get("URL"):
        issued = _numeric_date(item.get("issued"))
        return (f"({issued})" if issued else "") + _accessed(item)
    return _year(item.get("issued"))


def render(item: Mapping[str, Any]) -> str:
    """One bibliography entry of the GB/T 7714-2015 numeric style, without its [n] label."""
    if item["type"] in ("article-journal", "article-newspaper"):
        body = [_title(item), _periodical(item)]
    else:
        edition = item.get("edition", "")
        body = [_title(item), edition, _publisher(item)]
    return _join(". ", [_authors(item), *body, item.get("URL", "")]) + "."


def source_citation(source: Source, ref: SourceRef | None = None) -> str:
    """A source's reference string; an outlet (a photo credit) by its name."""
    if source.kind == "outlet":
        return source.title
    return render(csl_item(source, ref))


def case_citation(site: SiteInfo, case: Case, url: str | None = None, accessed: str = "") -> str:
    """The case page as an online resource, [EB/OL]. Without a date of access the reader fills it
    in: the blank stands where the style prints [YYYY-MM-DD]. The address is the case's permanent
    one unless given."""
    text = render(case_item(site, case, url, accessed))
    if accessed:
        return text
    issued = f"({case.last_changed})"
    return text.replace(issued, issued + ACCESS_DATE_BLANK, 1)
