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


def case_cards(book: Casebook, cases: Sequence[Case], here: str, empty: str = "暂无案例。") -> list[str]:
    """Plain HTML kept away from Markdown: a pillar of five thousand cases is one long list."""
    if not cases:
        return [f'<p class="cb-empty">{empty}</p>', ""]
    cards = "".join(case_card(book, case, here) for case in cases)
    return [verbatim(f'<div class="grid cards cb-cards"><ul>{cards}</ul></div>'), ""]
