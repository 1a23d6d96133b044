"""Reference strings in the style of GB/T 7714-2015."""

from __future__ import annotations

from .model import Case, SiteInfo, Source, SourceRef


def source_citation(source: Source, ref: SourceRef | None = None) -> str:
    """A journal article as [J]; an outlet (a photo credit) by its name."""
    if source.kind != "article":
        return source.title
    authors = "，".join(source.authors[:3]) + ("，等" if len(source.authors) > 3 else "")
    head = f"{authors}. " if authors else ""
    issue = source.issue_number or source.issue
    text = f"{head}{source.title}[J]. {source.journal}, {source.year}({issue})"
    if ref is not None and ref.page:
        text += f": {ref.page}"
    return text + "."


ACCESS_DATE_BLANK = "[引用日期]"


def case_citation(site: SiteInfo, case: Case, url: str | None = None) -> str:
    """The case page as an online resource, [EB/OL]; the reader fills in the date of access.
    The address is the case's permanent one unless given."""
    url = url or site.case_url(case.id)
    return f"{site.name}. {case.title}[EB/OL]. ({case.last_changed}){ACCESS_DATE_BLANK}. {url}."
