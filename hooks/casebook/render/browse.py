"""The browse page (案例库): every case as a card, with filters by pillar, district, theme,
policy and year. The cards are plain HTML, so without scripts the page still lists every case;
assets/casebook-browse.js filters them and keeps the choice in the URL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from ..model import Case, Casebook
from . import urls
from .listing import place_label
from .markup import verbatim
from .text import attr

FACETS = (
    ("pillar", "框架"),
    ("district", "地区"),
    ("theme", "主题"),
    ("policy", "政策"),
    ("year", "年份"),
)


def facet_values(book: Casebook, case: Case) -> dict[str, list[str]]:
    year = book.year(case)
    return {
        "pillar": list(case.pillars),
        "district": [case.place.district],
        "theme": list(case.themes),
        "policy": list(case.policies),
        "year": [str(year)] if year else [],
    }


def _labels(book: Casebook) -> dict[str, Callable[[str], str]]:
    return {
        "pillar": lambda v: book.pillars[v].label,
        "district": lambda v: book.places.by_id[v].name,
        "theme": lambda v: book.themes[v].name,
        "policy": lambda v: book.policies[v].name,
        "year": lambda v: f"{v}年",
    }


def _order(book: Casebook, facet: str, counts: Counter[str]) -> list[str]:
    """Values in the order a reader expects: the framework's own order, places as listed, years newest first."""
    if facet == "pillar":
        return [p.id for p in book.framework.pillars if p.id in counts]
    if facet == "district":
        return [p.id for p in book.places.of_level("district") if p.id in counts]
    if facet == "year":
        return sorted(counts, reverse=True)
    source = book.themes if facet == "theme" else book.policies
    return [k for k in source if k in counts]


def _facet_block(book: Casebook, facet: str, legend: str) -> list[str]:
    counts: Counter[str] = Counter()
    for case in book.cases.values():
        counts.update(facet_values(book, case)[facet])
    if not counts:
        return []
    label = _labels(book)[facet]
    out = [f'<fieldset class="cb-facet" data-facet="{facet}"><legend>{legend}</legend>']
    for value in _order(book, facet, counts):
        out.append(
            f'<label class="cb-facet__option"><input type="checkbox" name="{facet}" value="{attr(value)}">'
            f'<span>{attr(label(value))}</span><span class="cb-count" data-count>{counts[value]}</span></label>'
        )
    return [*out, "</fieldset>"]


def _card(book: Casebook, case: Case, here: str) -> str:
    values = facet_values(book, case)
    # Only what the filters read: a browse page lists every case, so each byte counts thousands of times.
    data = " ".join(f'data-{k}="{attr(" ".join(v))}"' for k, v in values.items() if v)
    pillars = "、".join(book.pillars[p].label for p in case.pillars)
    year = book.year(case)
    figure = ""
    if case.figures:
        f = case.figures[0]
        figure = f'<span class="cb-card-fig"><strong>{attr(f.display)}</strong> {attr(f.label)}</span>'
    bits = " · ".join(x for x in (attr(place_label(book, case)), attr(pillars), f"{year}年" if year else "") if x)
    return (
        f'<li class="cb-browse__card" {data}>'
        f'<a class="cb-browse__title" href="{urls.web_rel(here, urls.case(case.id))}">{attr(case.title)}</a>'
        f'<span class="cb-card-meta">{bits}</span>{figure}</li>'
    )


def browse_page(book: Casebook) -> str:
    here = urls.CASES
    n = len(book.cases)
    out = [
        "---",
        'title: "案例库"',
        f'description: "共 {n} 个基层治理案例，可按框架、地区、主题、政策和年份筛选"',
        "hide:",
        "  - toc",
        "---",
        "",
        "# 案例库",
        "",
    ]
    out += [
        f'<p class="cb-browse__intro">共 {n} 个案例。勾选条件筛选：同一组内满足其一即可，不同组之间同时满足。'
        "筛选结果的网址可以直接发给别人。</p>",
        "",
    ]
    form = ['<form class="cb-browse__filters" data-cb-browse hidden>']
    for facet, legend in FACETS:
        form += _facet_block(book, facet, legend)
    form += [
        '<div class="cb-browse__tools"><label>排序 <select name="sort">'
        '<option value="newest">最新收录</option><option value="title">按标题</option></select></label>'
        '<button type="reset" class="md-button">清除筛选</button></div>',
        "</form>",
        f'<p class="cb-browse__status" aria-live="polite" data-total="{n}">共 {n} 个案例</p>',
        '<ol class="cb-browse__list">',
    ]
    form += [_card(book, c, here) for c in book.newest]
    form += ["</ol>"]
    out += [verbatim("\n".join(form)), ""]
    return "\n".join(out)
