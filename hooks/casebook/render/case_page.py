"""The page of one case at /cases/<id>/, and the same body for a lesson's combined handout."""

from __future__ import annotations

from collections.abc import Mapping

from ..citation import case_citation, source_citation
from ..images import Rendition
from ..markdown_safety import escape_html
from ..model import Case, Casebook, Figure, Media
from . import urls
from .text import attr, date_zh, link, md, rel, yaml_str

# Section ids are fixed ASCII so that a trainer's link to #practice survives any chat app.
SECTIONS = (
    ("background", "背景"),
    ("practice", "做法"),
    ("results", "成效"),
    ("insights", "启示"),
)
QR_FILE = "qrcode.png"
Photos = Mapping[str, list[Rendition]]  # "<case id>/<file>" -> its sizes


def qr_src_uri(case_id: str) -> str:
    return f"cases/{case_id}/{QR_FILE}"


def figure_html(fig: Figure, prefix: str = "") -> str:
    qualifier = f'<span class="cb-fig-qual">{attr(fig.qualifier)}</span>' if fig.qualifier else ""
    before = qualifier if fig.qualifier in ("约", "近", "逾") else ""
    after = "" if before else qualifier
    meaning = f'<span class="cb-fig-meaning">（{attr(fig.meaning)}）</span>' if fig.meaning else ""
    extra = " · ".join(x for x in (attr(fig.note), date_zh(fig.as_of) + "数据" if fig.as_of else "") if x)
    extra_html = f'<span class="cb-fig-when">{extra}</span>' if extra else ""
    return (
        f'<div class="cb-fig" id="{prefix}{attr(fig.anchor)}" role="listitem">'
        f'<span class="cb-fig-value">{before}<span class="cb-fig-num">{attr(fig.number)}</span>{after}'
        f'<span class="cb-fig-unit">{attr(fig.unit)}</span></span>'
        f'<span class="cb-fig-label">{attr(fig.label)}</span>{meaning}{extra_html}</div>'
    )


def figures_panel(case: Case, prefix: str = "") -> list[str]:
    if not case.figures:
        return []
    return [
        f"## 关键数字 {{#{prefix}figures}}",
        "",
        '<div class="cb-figures" role="list">',
        *(figure_html(f, prefix) for f in case.figures),
        "</div>",
        "",
    ]


def _header(book: Casebook, case: Case, here: str) -> list[str]:
    crumbs = []
    for p in book.place_chain(case):
        if p.level == "district":
            crumbs.append(link(p.name, here, urls.place(p.id)))
        elif p.level in ("street", "community"):
            crumbs.append(link(p.name, here, urls.place(case.place.district) + f"#{p.id}"))
        else:
            crumbs.append(md(p.name))
    out = [f'<nav class="cb-breadcrumb" aria-label="地点" markdown>{" › ".join(crumbs)}</nav>', ""]
    meta = [
        ("框架", [link(book.pillars[p].label, here, urls.pillar(p)) for p in case.pillars]),
        ("政策", [link(book.policies[p].name, here, urls.policy(p)) for p in case.policies]),
        ("主题", [link(book.themes[t].name, here, urls.theme(t)) for t in case.themes]),
    ]
    year = book.year(case)
    if case.period_start:
        when = date_zh(case.period_start) + ("—" + date_zh(case.period_end) if case.period_end else "起")
    else:
        when = f"{year}年见报" if year else ""
    out.append('<dl class="cb-meta" markdown>')
    for label, items in meta:
        if items:
            out += [f"<dt>{label}</dt>", f"<dd markdown>{'　'.join(items)}</dd>"]
    if when:
        out += ["<dt>时间</dt>", f"<dd>{attr(when)}</dd>"]
    place = "".join(p.name for p in book.place_chain(case) if p.level != "city")
    pillars = "、".join(book.pillars[p].label for p in case.pillars)
    # Pagefind shows these beside each search result; commas would split the list.
    search_meta = f"place:{place}, pillar:{pillars}".replace("，", " ")
    summary = f'<p class="cb-summary" data-pagefind-meta="{attr(search_meta)}">{attr(case.summary)}</p>'
    return out + ["</dl>", "", summary, ""]


def _people(case: Case, prefix: str) -> list[str]:
    out: list[str] = []
    if case.quotes:
        out += [f"## 原话 {{#{prefix}quotes}}", ""]
        for q in case.quotes:
            who = md(q.speaker) + (f"，{md(q.role)}" if q.role else "")
            out += [f"> {md(q.text)}", ">", f"> —— {who}", ""]
    if case.people:
        out += [f"## 人物 {{#{prefix}people}}", ""]
        out += [f"- **{md(p.name)}**：{md(p.role)}" for p in case.people] + [""]
    return out


def photo_src_uri(case_id: str, file: str, width: int, ext: str) -> str:
    return f"cases/{case_id}/{file.rsplit('.', 1)[0]}-{width}.{ext}"


def _photo(case: Case, m: Media, n: int, here: str, sizes: list[Rendition], credit: str, prefix: str) -> list[str]:
    def srcset(ext: str) -> str:
        return ", ".join(
            f"{urls.asset_rel(here, photo_src_uri(case.id, m.file, r.width, ext))} {r.width}w" for r in sizes
        )

    main = next((r for r in sizes if r.width >= 960), sizes[-1])
    fallback = urls.asset_rel(here, photo_src_uri(case.id, m.file, main.width, "jpg"))
    shown = "(max-width: 44.9375em) 100vw, 38rem"
    caption = attr(m.caption) + (f"（图片来源：{attr(credit)}）" if credit else "")
    return [
        f'<figure class="cb-photo" id="{prefix}photo-{n}"><picture>',
        f'<source type="image/webp" srcset="{srcset("webp")}" sizes="{shown}">',
        f'<img src="{fallback}" srcset="{srcset("jpg")}" sizes="{shown}" width="{main.width}" height="{main.height}"'
        f' alt="{attr(m.alt)}" loading="lazy" decoding="async">',
        f"</picture><figcaption>{caption}</figcaption></figure>",
        "",
    ]


def _media(book: Casebook, case: Case, here: str, prefix: str, photos: Photos) -> list[str]:
    if not case.media:
        return []
    out = [f"## 图片 {{#{prefix}media}}", ""]
    for n, m in enumerate(case.media, 1):
        credit = book.sources[m.credit].title if m.credit else ""
        if m.file and f"{case.id}/{m.file}" in photos:
            out += _photo(case, m, n, here, photos[f"{case.id}/{m.file}"], credit, prefix)
        else:
            out.append(f"- {md(m.caption)}" + (f"（图片来源：{md(credit)}）" if credit else "（来源未注明图片署名）"))
            out.append("")
    return out


def _teaching(case: Case, prefix: str) -> list[str]:
    t = case.teaching
    if t.empty:
        return []
    out = [
        f"## 教学参考 {{#{prefix}teaching}}",
        "",
        '<p class="cb-editorial">编者撰写，供教学参考，不是来源原文。</p>',
        "",
    ]
    parts = (
        ("objectives", "教学目标", t.objectives, "-"),
        ("questions", "讨论题", t.questions, "1."),
        ("points", "要点", t.points, "-"),
    )
    for key, label, items, bullet in parts:
        if items:
            out += [f"### {label} {{#{prefix}teaching-{key}}}", ""]
            out += [f"{bullet} {md(item)}" for item in items] + [""]
    return out


def _sources(book: Casebook, case: Case, prefix: str) -> list[str]:
    out = [f"## 来源 {{#{prefix}sources}}", ""]
    for i, ref in enumerate(case.sources, 1):
        src = book.sources[ref.ref]
        note = f"　{md(ref.note)}" if ref.note else ""
        extra = f"（{md(src.issue)}，{md(src.note)}）" if src.note and src.issue else ""
        out.append(f"{i}. {md(source_citation(src, ref))}{extra}{note}")
    return out + [""]


def copyable(text: str, label: str) -> str:
    """A line of text with a copy button; the text stays selectable where scripts do not run."""
    return (
        f'<div class="cb-copyable"><span class="cb-copy-text">{attr(text)}</span>'
        '<button type="button" class="cb-copy md-button" data-cb-copy'
        f' aria-label="复制{attr(label)}">复制</button></div>'
    )


def _cite(book: Casebook, case: Case, prefix: str) -> list[str]:
    url = book.site.page_url(urls.web_path(urls.case(case.id)))
    first = case.sources[0]
    original = source_citation(book.sources[first.ref], first)
    return [
        '<div class="cb-cite" data-pagefind-ignore="all" markdown>',
        "",
        f"## 引用本案例 {{#{prefix}cite}}",
        "",
        "本页（GB/T 7714-2015，网络资源，引用日期请自行填写）：",
        "",
        copyable(case_citation(book.site, case, url), "本页的引用"),
        "",
        "原始来源：",
        "",
        copyable(original, "原始来源的引用"),
        "",
        "</div>",
        "",
    ]


def _share(book: Casebook, case: Case, here: str) -> list[str]:
    url = book.site.page_url(urls.web_path(urls.case(case.id)))
    qr = rel(here, qr_src_uri(case.id))
    return [
        '<aside class="cb-share" markdown>',
        f'![本案例网址的二维码]({qr}){{ .cb-qr width="132" height="132" }}',
        f'<span class="cb-permalink">{attr(url)}</span>',
        "</aside>",
        "",
    ]


def case_body(
    book: Casebook, case: Case, here: str, *, prefix: str = "", heading: str = "#", photos: Photos | None = None
) -> list[str]:
    """Everything under the front matter; prefix keeps ids unique when several cases share a page."""
    out = [f"{heading} {md(case.title)} {{#{prefix}top}}" if prefix else f"{heading} {md(case.title)}", ""]
    out += _share(book, case, here)
    out += _header(book, case, here)
    out += figures_panel(case, prefix)
    for key, label in SECTIONS:
        body = getattr(case, key)
        if body:
            out += [f"## {label} {{#{prefix}{key}}}", "", escape_html(body.strip()), ""]
    if case.keywords:
        keywords = " ".join(f'<span class="cb-keyword">{attr(k)}</span>' for k in case.keywords)
        out += [f'<p class="cb-keywords"><span>关键词</span> {keywords}</p>', ""]
    out += _people(case, prefix)
    out += _media(book, case, here, prefix, photos or {})
    out += _teaching(case, prefix)
    out += _sources(book, case, prefix)
    return out


def render_case(book: Casebook, case: Case, *, edit_url: str = "", photos: Photos | None = None) -> str:
    here = urls.case(case.id)
    out: list[str] = [
        "---",
        f"title: {yaml_str(case.title)}",
        f"description: {yaml_str(case.summary)}",
        "---",
        "",
    ]
    out += case_body(book, case, here, photos=photos)
    out += _cite(book, case, "")
    if case.related:
        out += ["## 相关案例 {#related}", ""]
        out += [f"- {link(book.cases[r].title, here, urls.case(r))}" for r in case.related] + [""]
    lessons = book.collections_with(case.id)
    if lessons:
        out += ["## 收入课程包 {#collections}", ""]
        out += [f"- {link(c.title, here, urls.collection(c.id))}" for c in lessons] + [""]
    footer = [f"收录于 {date_zh(case.added)}"]
    if case.updated and case.updated != case.added:
        footer.append(f"更新于 {date_zh(case.updated)}")
    if edit_url:
        footer.append(f"[修改这个案例]({edit_url})")
    footer.append(f"记录文件 `{case.path}`")
    out += [f'<p class="cb-record" markdown>{" · ".join(footer)}</p>', ""]
    return "\n".join(out)
