"""Pages generated from reference data: the framework and its pillars, policies, places, themes,
and the list of all cases."""

from __future__ import annotations

from ..citation import source_citation
from ..markdown_safety import escape_html
from ..model import Case, Casebook, Element, Pillar, SourceRef
from . import urls
from .listing import case_cards
from .text import attr, link, md, rel, yaml_str


def _front(title: str, description: str = "") -> list[str]:
    out = ["---", f"title: {yaml_str(title)}"]
    if description:
        out.append(f"description: {yaml_str(description)}")
    return [*out, "---", ""]


def levels_diagram(element: Element) -> list[str]:
    """A top-down chain of levels, drawn in HTML and CSS at build time (no client-side renderer)."""
    n = len(element.items)
    rows = []
    for i, item in enumerate(element.items):
        note = f'<span class="cb-level-note">{attr(item.note)}</span>' if item.note else ""
        rows.append(
            f'<li class="cb-level" style="--cb-level:{i};--cb-levels:{n}">'
            f'<span class="cb-level-step">{i + 1}</span><span class="cb-level-name">{attr(item.name)}</span>{note}</li>'
        )
    return [
        f'<figure class="cb-diagram" id="{attr(element.id)}-diagram">',
        f'<ol class="cb-levels" aria-label="{attr(element.title)}：自上而下 {n} 级">',
        *rows,
        "</ol>",
        f"<figcaption>{attr(element.title)}：" + " → ".join(attr(i.name) for i in element.items) + "</figcaption>",
        "</figure>",
        "",
    ]


def element_block(element: Element, heading: str = "###") -> list[str]:
    title_class = " .cb-saying" if element.kind == "saying" else ""
    out = [f"{heading} {md(element.title)} {{#{element.id}{title_class}}}", ""]
    if element.description:
        out += [escape_html(element.description.strip()), ""]
    if element.kind == "levels":
        out += levels_diagram(element)
    elif element.kind == "list":
        for item in element.items:
            out.append(f"- **{md(item.name)}**" + (f"：{md(item.note)}" if item.note else ""))
        out.append("")
    else:  # a saying: the words themselves are the point, shown large once
        for item in element.items:
            if item.name != element.title:
                out += [f'<p class="cb-saying">{attr(item.name)}</p>', ""]
            if item.note:
                out += [md(item.note), ""]
    return out


def _sources(book: Casebook, refs: tuple[SourceRef, ...]) -> list[str]:
    out = ["## 来源 {#sources}", ""]
    for i, ref in enumerate(refs, 1):
        src = book.sources[ref.ref]
        note = f"　{md(ref.note)}" if ref.note else ""
        out.append(f"{i}. {md(source_citation(src, ref))}{note}")
    return [*out, ""]


PLACE_GROUP_CASES = 12  # per street or community on a district's page
CARD_CASES = 5  # a card lists the newest few; the rest are one click away, so pages stay small


def pillar_cards(book: Casebook, here: str) -> list[str]:
    out = ['<div class="grid cards cb-pillars" markdown>', ""]
    newest = {c.id: i for i, c in enumerate(book.newest)}
    for p in book.framework.pillars:
        cases = sorted(book.by_pillar.get(p.id, []), key=lambda c: newest[c.id])
        out += [
            f'-   <span class="cb-pillar-num">{attr(p.number)}</span> {link(p.title, here, urls.pillar(p.id))}',
            "",
            f"    {len(cases)} 个案例" + ("：" if cases else ""),
        ]
        for c in cases[:CARD_CASES]:
            out.append(f"    {link(c.title, here, urls.case(c.id))}<br>")
        if len(cases) > CARD_CASES:
            out.append(f"    [全部 {len(cases)} 个]({rel(here, urls.CASES)}?pillar={p.id})")
        out.append("")
    return [*out, "</div>", ""]


def framework_index(book: Casebook) -> str:
    fw = book.framework
    here = urls.FRAMEWORK
    out = _front(f"“{fw.name}”框架", fw.summary[:120]) + [f"# {md(fw.title)}", "", escape_html(fw.summary.strip()), ""]
    out += [
        '<p class="cb-big-number" aria-hidden="true">'
        + "".join(f'<span title="{attr(p.title)}">{attr(p.number)}</span>' for p in fw.pillars)
        + "</p>",
        "",
    ]
    out += pillar_cards(book, here)
    if fw.promise:
        out += ["## 也是一份承诺 {#promise}", "", md(fw.promise_intro), ""]
        for line in fw.promise:
            out.append(f"- **{md(line.phrase)}**：{md(line.text)}")
        out.append("")
    out += ["## 框架要素 {#elements}", ""]
    for p in fw.pillars:
        for el in fw.elements_of(p.id):
            out += element_block(el)
            out += [f"见 {link(p.label + '：' + p.title, here, urls.pillar(p.id))}。", ""]
    out += _sources(book, fw.sources)
    return "\n".join(out)


def pillar_page(book: Casebook, pillar: Pillar) -> str:
    here = urls.pillar(pillar.id)
    pillars = book.framework.pillars
    out = _front(f"“{pillar.number}”：{pillar.title}")
    out += [
        f'<p class="cb-kicker">“{md(book.framework.name)}”框架 · 第 {pillar.order} 部分 · “{md(pillar.number)}”</p>',
        "",
        f"# {md(pillar.title)}",
        "",
        escape_html(pillar.description.strip()),
        "",
    ]
    for el in book.framework.elements_of(pillar.id):
        out += element_block(el, "##")
    cases = book.by_pillar.get(pillar.id, [])
    out += [f"## 案例（{len(cases)}） {{#cases}}", ""]
    out += case_cards(book, cases, here, "这一部分还没有收录案例。", more=f"pillar={pillar.id}")
    nav = []
    if pillar.order > 1:
        prev = pillars[pillar.order - 2]
        nav.append("← " + link(f"“{prev.number}”{prev.title}", here, urls.pillar(prev.id)))
    nav.append(link("框架总览", here, urls.FRAMEWORK))
    if pillar.order < len(pillars):
        nxt = pillars[pillar.order]
        nav.append(link(f"“{nxt.number}”{nxt.title}", here, urls.pillar(nxt.id)) + " →")
    out += ['<p class="cb-pager" markdown>' + " · ".join(nav) + "</p>", ""]
    return "\n".join(out)


def policies_index(book: Casebook) -> str:
    here = urls.POLICIES
    out = _front("政策与工程") + ["# 政策与工程", "", "案例所落实的改革、工程、法规和项目。", ""]
    out += ["| 名称 | 类别 | 案例数 |", "| --- | --- | --- |"]
    for p in book.policies.values():
        parent = f"（属于{link(book.policies[p.parent].name, here, urls.policy(p.parent))}）" if p.parent else ""
        out.append(
            f"| {link(p.name, here, urls.policy(p.id))}{parent} | {md(p.kind)} | {len(book.by_policy.get(p.id, []))} |"
        )
    return "\n".join([*out, ""])


def policy_page(book: Casebook, policy_id: str) -> str:
    p = book.policies[policy_id]
    here = urls.policy(p.id)
    out = _front(p.name) + [f"# {md(p.name)}", ""]
    facts = [f"**类别**：{md(p.kind)}"]
    if p.issuer:
        facts.append(f"**出台**：{md(p.issuer)}")
    if p.year:
        facts.append(f"**年份**：{p.year}")
    if p.parent:
        facts.append(f"**属于**：{link(book.policies[p.parent].name, here, urls.policy(p.parent))}")
    children = book.children_policies(p.id)
    if children:
        facts.append("**包括**：" + "、".join(link(c.name, here, urls.policy(c.id)) for c in children))
    out += ['<p class="cb-facts" markdown>' + "　".join(facts) + "</p>", "", escape_html(p.description.strip()), ""]
    cases = book.by_policy.get(p.id, [])
    out += [f"## 落实这项政策的案例（{len(cases)}） {{#cases}}", ""]
    out += case_cards(book, cases, here, "还没有案例注明落实了这项政策。", more=f"policy={p.id}")
    out += _sources(book, p.sources)
    return "\n".join(out)


def places_index(book: Casebook) -> str:
    here = urls.PLACES
    out = _front("地区") + ["# 地区", "", "按市、区、街道和社区查找案例。", ""]
    for city in book.places.of_level("city"):
        n = len(book.by_place.get(city.id, []))
        out += [
            f"## {md(city.name)} {{#{city.id}}}",
            "",
            f"{md(city.province)}{md(city.name)}，{n} 个案例。",
            "",
        ]
        out += ["| 区 | 街道和社区 | 案例数 |", "| --- | --- | --- |"]
        for d in book.places.children(city):
            subs = "、".join(md(p.name) for p in _descendants(book, d))
            out.append(f"| {link(d.name, here, urls.place(d.id))} | {subs} | {len(book.by_place.get(d.id, []))} |")
        out.append("")
    return "\n".join(out)


def _descendants(book: Casebook, district) -> list:
    out = []
    for p in book.places.children(district):
        out.append(p)
        out.extend(book.places.children(p))
    return out


def place_page(book: Casebook, district_id: str) -> str:
    d = book.places.by_id[district_id]
    city = book.places.by_id[d.city]
    here = urls.place(d.id)
    cases = book.by_place.get(d.id, [])
    out = _front(d.name, f"{city.name}{d.name}的基层治理案例")
    out += [
        f'<nav class="cb-breadcrumb" aria-label="地点" markdown>{link(city.name, here, urls.PLACES + "#" + city.id)}'
        f" › {md(d.name)}</nav>",
        "",
        f"# {md(d.name)}",
        "",
        f"{md(city.name)}{md(d.name)}，收录 {len(cases)} 个案例。",
        "",
    ]
    placed: set[str] = set()

    def cards(group: list[Case]) -> list[str]:
        label = f"在案例库中查看{d.name}的全部 {len(cases)} 个案例"
        return case_cards(book, group, here, more=f"district={d.id}", more_label=label, limit=PLACE_GROUP_CASES)

    for child in book.places.children(d):
        heading = "##"
        out += [f"{heading} {md(child.name)} {{#{child.id}}}", ""]
        if child.level == "street":
            for com in book.places.children(child):
                out += [f"### {md(com.name)} {{#{com.id}}}", ""]
                com_cases = book.by_place.get(com.id, [])
                placed.update(c.id for c in com_cases)
                out += cards(com_cases)
            rest = [c for c in book.by_place.get(child.id, []) if c.id not in placed]
            if rest:
                out += [f"### {md(child.name)}（全街道）", ""]
                placed.update(c.id for c in rest)
                out += cards(rest)
        else:
            com_cases = book.by_place.get(child.id, [])
            placed.update(c.id for c in com_cases)
            out += cards(com_cases)
    rest = [c for c in cases if c.id not in placed]
    if rest:
        out += ["## 全区 {#district-wide}", "", "在全区范围开展、未限定到某个街道或社区的案例。", ""]
        out += cards(rest)
    return "\n".join(out)


def themes_index(book: Casebook) -> str:
    here = urls.THEMES
    out = _front("主题") + ["# 主题", "", "按主题查找案例。", ""]
    out += ["| 主题 | 说明 | 案例数 |", "| --- | --- | --- |"]
    for t in book.themes.values():
        out.append(
            f"| {link(t.name, here, urls.theme(t.id))} | {md(t.description)} | {len(book.by_theme.get(t.id, []))} |"
        )
    return "\n".join([*out, ""])


def theme_page(book: Casebook, theme_id: str) -> str:
    t = book.themes[theme_id]
    here = urls.theme(t.id)
    cases = book.by_theme.get(t.id, [])
    out = _front(f"主题：{t.name}", t.description)
    out += [f"# {md(t.name)}", "", md(t.description), "", f"## 案例（{len(cases)}） {{#cases}}", ""]
    out += case_cards(book, cases, here, "这个主题还没有案例。", more=f"theme={t.id}")
    out += [link("全部主题", here, urls.THEMES), ""]
    return "\n".join(out)
