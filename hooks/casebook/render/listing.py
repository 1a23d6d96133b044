"""Lists of cases as they appear on index pages: cards and a compact table."""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Case, Casebook
from . import urls
from .text import link, md


def place_label(book: Casebook, case: Case) -> str:
    return "".join(p.name for p in book.place_chain(case) if p.level != "city")


def case_card(book: Casebook, case: Case, here: str) -> list[str]:
    pillars = " ".join(book.pillars[p].label for p in case.pillars)
    year = book.year(case)
    bits = [md(place_label(book, case)), md(pillars)] + ([f"{year}年"] if year else [])
    lines = [
        f"-   {link(case.title, here, urls.case(case.id))}",
        "",
        f'    <span class="cb-card-meta">{" · ".join(bits)}</span>',
        "",
        f"    {md(case.summary)}",
    ]
    if case.figures:
        f = case.figures[0]
        lines += ["", f'    <span class="cb-card-fig">**{md(f.display)}** {md(f.label)}</span>']
    return [*lines, ""]


def case_cards(book: Casebook, cases: Sequence[Case], here: str, empty: str = "暂无案例。") -> list[str]:
    if not cases:
        return [f'<p class="cb-empty">{empty}</p>', ""]
    out = ['<div class="grid cards cb-cards" markdown>', ""]
    for case in cases:
        out += case_card(book, case, here)
    return [*out, "</div>", ""]
