"""Lists of cases as they appear on index pages: cards and a compact table."""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Case, Casebook
from . import urls
from .markup import verbatim
from .text import a, attr


def place_label(book: Casebook, case: Case) -> str:
    return "".join(p.name for p in book.place_chain(case) if p.level != "city")


def case_card(book: Casebook, case: Case, here: str) -> str:
    pillars = " ".join(book.pillars[p].label for p in case.pillars)
    year = book.year(case)
    bits = [attr(place_label(book, case)), attr(pillars)] + ([f"{year}年"] if year else [])
    figure = ""
    if case.figures:
        f = case.figures[0]
        figure = f'<p><span class="cb-card-fig"><strong>{attr(f.display)}</strong> {attr(f.label)}</span></p>'
    return (
        f"<li><p>{a(case.title, here, urls.case(case.id))}</p>"
        f'<p><span class="cb-card-meta">{" · ".join(bits)}</span></p><p>{attr(case.summary)}</p>{figure}</li>'
    )


LIST_CASES = 24  # cards on a pillar, policy, theme or place page; the rest are one filter away


def case_cards(
    book: Casebook,
    cases: Sequence[Case],
    here: str,
    empty: str = "暂无案例。",
    *,
    more: str = "",
    more_label: str = "",
    limit: int = LIST_CASES,
) -> list[str]:
    """The newest `limit` cases as cards, and a link to all of them on the browse page (`more`,
    a query such as "pillar=sanzhi"): an index page stays the same size however many cases
    there are. Plain HTML, kept away from Markdown."""
    if not cases:
        return [f'<p class="cb-empty">{empty}</p>', ""]
    shown = sorted(cases, key=lambda c: book.newest_rank[c.id])[:limit] if len(cases) > limit else cases
    cards = "".join(case_card(book, case, here) for case in shown)
    out = f'<div class="grid cards cb-cards"><ul>{cards}</ul></div>'
    if len(shown) < len(cases):
        href = attr(urls.web_rel(here, urls.CASES) + (f"?{more}" if more else ""))
        out += (
            f'<p class="cb-more">以上是最新的 {len(shown)} 个。'
            f'<a class="md-button" href="{href}">{attr(more_label) or f"在案例库中查看全部 {len(cases)} 个"}</a></p>'
        )
    return [verbatim(out), ""]
