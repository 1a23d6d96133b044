"""The page of one case at /cases/<id>/."""

from __future__ import annotations

from ..citation import source_citation
from ..model import Case, Casebook, Figure
from . import urls
from .text import attr, date_zh, link, md, yaml_str

# Section ids are fixed ASCII so that a trainer's link to #practice survives any chat app.
SECTIONS = (
    ("background", "背景"),
    ("practice", "做法"),
    ("results", "成效"),
    ("insights", "启示"),
)


def figure_html(fig: Figure) -> str:
    qualifier = f'<span class="cb-fig-qual">{attr(fig.qualifier)}</span>' if fig.qualifier else ""
    before = qualifier if fig.qualifier in ("约", "近", "逾") else ""
    after = "" if before else qualifier
    meaning = f'<span class="cb-fig-meaning">（{attr(fig.meaning)}）</span>' if fig.meaning else ""
    extra = " · ".join(x for x in (attr(fig.note), date_zh(fig.as_of) + "数据" if fig.as_of else "") if x)
    extra_html = f'<span class="cb-fig-when">{extra}</span>' if extra else ""
    return (
        f'<div class="cb-fig" id="{attr(fig.anchor)}">'
        f'<span class="cb-fig-value">{before}<span class="cb-fig-num">{attr(fig.number)}</span>{after}'
        f'<span class="cb-fig-unit">{attr(fig.unit)}</span></span>'
        f'<span class="cb-fig-label">{attr(fig.label)}</span>{meaning}{extra_html}</div>'
    )


def figures_panel(case: Case) -> list[str]:
    if not case.figures:
        return []
    return [
        "## 关键数字 {#figures}",
        "",
        '<div class="cb-figures" role="list">',
        *(figure_html(f) for f in case.figures),
        "</div>",
        "",
    ]


def render_case(book: Casebook, case: Case, *, edit_url: str = "") -> str:
    here = urls.case(case.id)
    out: list[str] = [
        "---",
        f"title: {yaml_str(case.title)}",
        f"description: {yaml_str(case.summary)}",
        "---",
        "",
        f"# {md(case.title)}",
        "",
    ]
    chain = book.place_chain(case)
    crumbs = []
    for p in chain:
        if p.level == "district":
            crumbs.append(link(p.name, here, urls.place(p.id)))
        elif p.level in ("street", "community"):
            crumbs.append(link(p.name, here, urls.place(case.place.district) + f"#{p.id}"))
        else:
            crumbs.append(md(p.name))
    out += [f'<nav class="cb-breadcrumb" aria-label="地点" markdown>{" › ".join(crumbs)}</nav>', ""]

    meta = [
        ("框架", [link(book.pillars[p].label, here, urls.pillar(p)) for p in case.pillars]),
        ("政策", [link(book.policies[p].name, here, urls.policy(p)) for p in case.policies]),
        ("主题", [link(book.themes[t].name, here, urls.theme(t)) for t in case.themes]),
    ]
    year = book.year(case)
    when = (
        date_zh(case.period_start) + ("—" + date_zh(case.period_end) if case.period_end else "起")
        if case.period_start
        else (f"{year}年见报" if year else "")
    )
    out.append('<dl class="cb-meta" markdown>')
    for label, items in meta:
        if items:
            out += [f"<dt>{label}</dt>", f"<dd markdown>{'　'.join(items)}</dd>"]
    if when:
        out += ["<dt>时间</dt>", f"<dd>{attr(when)}</dd>"]
    out += ["</dl>", ""]

    out += [f'<p class="cb-summary">{attr(case.summary)}</p>', ""]
    out += figures_panel(case)

    for key, label in SECTIONS:
        body = getattr(case, key)
        if body:
            out += [f"## {label} {{#{key}}}", "", body.strip(), ""]

    if case.keywords:
        out += [
            '<p class="cb-keywords"><span>关键词</span> '
            + " ".join(f'<span class="cb-keyword">{attr(k)}</span>' for k in case.keywords)
            + "</p>",
            "",
        ]

    if case.quotes:
        out += ["## 原话 {#quotes}", ""]
        for q in case.quotes:
            who = md(q.speaker) + (f"，{md(q.role)}" if q.role else "")
            out += [f"> {md(q.text)}", ">", f"> —— {who}", ""]

    if case.people:
        out += ["## 人物 {#people}", ""]
        out += [f"- **{md(p.name)}**：{md(p.role)}" for p in case.people] + [""]

    if case.media:
        out += ["## 图片说明 {#media}", ""]
        for m in case.media:
            credit = book.sources[m.credit].title if m.credit else ""
            out.append(f"- {md(m.caption)}" + (f"（图片来源：{md(credit)}）" if credit else "（来源未注明图片署名）"))
        out.append("")

    out += ["## 来源 {#sources}", ""]
    for i, ref in enumerate(case.sources, 1):
        src = book.sources[ref.ref]
        note = f"　{md(ref.note)}" if ref.note else ""
        extra = f"（{md(src.issue)}，{md(src.note)}）" if src.note and src.issue else ""
        out.append(f"{i}. {md(source_citation(src, ref))}{extra}{note}")
    out.append("")

    if case.related:
        out += ["## 相关案例 {#related}", ""]
        out += [f"- {link(book.cases[r].title, here, urls.case(r))}" for r in case.related] + [""]

    footer = [f"收录于 {date_zh(case.added)}"]
    if case.updated and case.updated != case.added:
        footer.append(f"更新于 {date_zh(case.updated)}")
    if edit_url:
        footer.append(f"[修改这个案例]({edit_url})")
    footer.append(f"记录文件 `{case.path}`")
    out += [f'<p class="cb-record" markdown>{" · ".join(footer)}</p>', ""]
    return "\n".join(out)
