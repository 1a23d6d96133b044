"""数说: every key figure, and the number of cases by pillar, district and year, drawn as SVG
bar charts at build time. Every bar links to the browse page filtered to its cases."""

from __future__ import annotations

from collections import Counter

from ..model import Casebook
from . import urls
from .browse import _labels, _order, facet_values
from .markup import verbatim
from .text import a, attr, link

FIGURE_CASES = 200
BAR_HEIGHT = 28
LABEL_WIDTH = 150
CHART_WIDTH = 480


def bar_chart(title: str, rows: list[tuple[str, int, str]]) -> list[str]:
    """A horizontal bar chart: (label, value, link) per row, scaled to the largest value."""
    if not rows:
        return []
    top = max(v for _, v, _ in rows) or 1
    height = BAR_HEIGHT * len(rows) + 8
    out = [
        f'<figure class="cb-chart"><svg viewBox="0 0 {CHART_WIDTH} {height}" role="img" aria-label="{attr(title)}"'
        f' xmlns="http://www.w3.org/2000/svg">',
    ]
    span = CHART_WIDTH - LABEL_WIDTH - 40
    for i, (label, value, href) in enumerate(rows):
        y = i * BAR_HEIGHT + 4
        width = max(2, round(span * value / top))
        out.append(
            f'<a href="{attr(href)}"><title>{attr(label)}：{value} 个案例</title>'
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 18}" text-anchor="end" class="cb-chart__label">{attr(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{width}" height="{BAR_HEIGHT - 10}" rx="3"'
            ' class="cb-chart__bar"/>'
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + 18}" class="cb-chart__value">{value}</text></a>'
        )
    return [*out, "</svg>", f"<figcaption>{attr(title)}</figcaption></figure>", ""]


def figures_page(book: Casebook) -> str:
    here = urls.FIGURES
    browse = urls.web_rel(here, urls.CASES)
    labels = _labels(book)
    out = [
        "---",
        'title: "数说"',
        'description: "案例库的关键数字和分布"',
        "---",
        "",
        "# 数说",
        "",
        f"{len(book.cases)} 个案例的关键数字，以及案例按框架、地区、年份的分布。点击条形可查看对应案例。",
        "",
    ]
    for facet, title in (("pillar", "按框架"), ("district", "按地区"), ("year", "按年份")):
        counts: Counter[str] = Counter()
        for case in book.cases.values():
            counts.update(facet_values(book, case)[facet])
        rows = [(labels[facet](v), counts[v], f"{browse}?{facet}={v}") for v in _order(book, facet, counts)]
        out += [f"## {title} {{#by-{facet}}}", ""] + bar_chart(f"案例数，{title}", rows)
    out += ["## 关键数字 {#figures}", ""]
    # The table keeps to the newest cases so that the page stays small at thousands of cases;
    # the open data holds every figure.
    listed = sorted(book.newest[:FIGURE_CASES], key=lambda c: (c.title, c.id))
    if len(listed) < len(book.cases):
        data = urls.asset_rel(here, "data/cases.csv"), urls.asset_rel(here, "data/cases.json")
        out += [
            f"最新收录的 {len(listed)} 个案例的关键数字，按标题排列。全部 {len(book.cases)} 个案例的数字见开放数据"
            f"（[CSV]({data[0]})、[JSON]({data[1]})）和各案例页面。",
            "",
        ]
    rows = []
    for case in listed:
        for f in case.figures:
            meaning = f"（{attr(f.meaning)}）" if f.meaning else ""
            target = urls.case(case.id) + f"#{f.anchor}"
            rows.append(
                f"<tr><td>{a(case.title, here, target)}</td><td><strong>{attr(f.display)}</strong>{meaning}</td>"
                f"<td>{attr(f.label)}</td></tr>"
            )
    head = "<thead><tr><th>案例</th><th>数字</th><th>说明</th></tr></thead>"
    out += [verbatim(f"<table>{head}<tbody>{''.join(rows)}</tbody></table>"), ""]
    without = [c for c in listed if not c.figures]
    if without:
        out += ["", "来源未给出数字的案例：" + "、".join(link(c.title, here, urls.case(c.id)) for c in without) + "。"]
    return "\n".join([*out, ""])
