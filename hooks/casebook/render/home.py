"""Blocks that the hand-written home page pulls in with <!-- casebook:NAME --> markers."""

from __future__ import annotations

from collections.abc import Callable

from ..model import Casebook
from . import urls
from .indexes import pillar_cards
from .listing import place_label
from .text import date_zh, link, md, rel


def stats(book: Casebook, here: str) -> list[str]:
    districts = {c.place.district for c in book.cases.values()}
    communities = {c.place.community for c in book.cases.values() if c.place.community}
    items = [
        (len(book.cases), "个案例", urls.CASES),
        (len(book.framework.pillars), "个框架部分", urls.FRAMEWORK),
        (len(districts), "个区", urls.PLACES),
        (len(communities), "个社区", urls.PLACES),
        (len(book.policies), "项政策与工程", urls.POLICIES),
    ]
    out = ['<div class="cb-stats" markdown>', ""]
    for n, label, target in items:
        out.append(f'<span class="cb-stat" markdown>[**{n}** {label}]({rel(here, target)})</span>')
    return [*out, "", "</div>", ""]


def newest(book: Casebook, here: str, count: int = 6) -> list[str]:
    out = []
    for c in book.newest[:count]:
        out.append(
            f"- {link(c.title, here, urls.case(c.id))}　<small>{md(place_label(book, c))} · "
            f"收录于 {date_zh(c.added)}</small>"
        )
    return [*out, ""]


def pillars(book: Casebook, here: str) -> list[str]:
    return pillar_cards(book, here)


BLOCKS: dict[str, Callable[[Casebook, str], list[str]]] = {
    "stats": stats,
    "pillars": pillars,
    "newest": newest,
}
