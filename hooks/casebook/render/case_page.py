"""The page of one case at /cases/<id>/, and the same body for a lesson's combined handout.

Written straight as HTML: only the editors' own Markdown fields go through a Markdown converter."""

from __future__ import annotations

from collections.abc import Mapping

from ..citation import case_citation, source_citation
from ..images import Rendition
from ..markdown_safety import escape_html
from ..model import Case, Casebook, Figure, Media
from . import urls
from .markup import Html, HtmlDoc
from .text import a, attr, date_zh, html_list

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


def figures_panel(doc: HtmlDoc, case: Case, prefix: str = "") -> None:
    if not case.figures:
        return
    doc.heading(2, "关键数字", f"{prefix}figures")
    doc.add('<div class="cb-figures" role="list">' + "".join(figure_html(f, prefix) for f in case.figures) + "</div>")


def _header(doc: HtmlDoc, book: Casebook, case: Case, here: str) -> None:
    crumbs = []
    for p in book.place_chain(case):
        if p.level == "district":
            crumbs.append(a(p.name, here, urls.place(p.id)))
        elif p.level in ("street", "community"):
            crumbs.append(a(p.name, here, urls.place(case.place.district) + f"#{p.id}"))
        else:
            crumbs.append(attr(p.name))
    doc.add(f'<nav class="cb-breadcrumb" aria-label="地点">{" › ".join(crumbs)}</nav>')
    meta = [
        ("框架", [a(book.pillars[p].label, here, urls.pillar(p)) for p in case.pillars]),
        ("政策", [a(book.policies[p].name, here, urls.policy(p)) for p in case.policies]),
        ("主题", [a(book.themes[t].name, here, urls.theme(t)) for t in case.themes]),
    ]
    year = book.year(case)
    if case.period_start:
        when = date_zh(case.period_start) + ("—" + date_zh(case.period_end) if case.period_end else "起")
    else:
        when = f"{year}年见报" if year else ""
    rows = [f"<dt>{label}</dt><dd>{'　'.join(items)}</dd>" for label, items in meta if items]
    if when:
        rows.append(f"<dt>时间</dt><dd>{attr(when)}</dd>")
    doc.add('<dl class="cb-meta">' + "".join(rows) + "</dl>")
    place = "".join(p.name for p in book.place_chain(case) if p.level != "city")
    pillars = "、".join(book.pillars[p].label for p in case.pillars)
    # Pagefind shows these beside each search result; commas would split the list.
    search_meta = f"place:{place}, pillar:{pillars}".replace("，", " ")
    doc.add(f'<p class="cb-summary" data-pagefind-meta="{attr(search_meta)}">{attr(case.summary)}</p>')


def _people(doc: HtmlDoc, case: Case, prefix: str) -> None:
    if case.quotes:
        doc.heading(2, "原话", f"{prefix}quotes")
        for q in case.quotes:
            who = attr(q.speaker) + (f"，{attr(q.role)}" if q.role else "")
            doc.add(f"<blockquote><p>{attr(q.text)}</p><p>—— {who}</p></blockquote>")
    if case.people:
        doc.heading(2, "人物", f"{prefix}people")
        doc.add(
            "<ul>" + "".join(f"<li><strong>{attr(p.name)}</strong>：{attr(p.role)}</li>" for p in case.people) + "</ul>"
        )


def photo_src_uri(case_id: str, file: str, width: int, ext: str) -> str:
    return f"cases/{case_id}/{file.rsplit('.', 1)[0]}-{width}.{ext}"


def _photo(case: Case, m: Media, n: int, here: str, sizes: list[Rendition], credit: str, prefix: str) -> str:
    def srcset(ext: str) -> str:
        return ", ".join(
            f"{urls.asset_rel(here, photo_src_uri(case.id, m.file, r.width, ext))} {r.width}w" for r in sizes
        )

    main = next((r for r in sizes if r.width >= 960), sizes[-1])
    fallback = urls.asset_rel(here, photo_src_uri(case.id, m.file, main.width, "jpg"))
    shown = "(max-width: 44.9375em) 100vw, 38rem"
    caption = attr(m.caption) + (f"（图片来源：{attr(credit)}）" if credit else "")
    return (
        f'<figure class="cb-photo" id="{prefix}photo-{n}"><picture>'
        f'<source type="image/webp" srcset="{srcset("webp")}" sizes="{shown}">'
        f'<img src="{fallback}" srcset="{srcset("jpg")}" sizes="{shown}" width="{main.width}" height="{main.height}"'
        f' alt="{attr(m.alt)}" loading="lazy" decoding="async">'
        f"</picture><figcaption>{caption}</figcaption></figure>"
    )


def _media(doc: HtmlDoc, book: Casebook, case: Case, here: str, prefix: str, photos: Photos) -> None:
    if not case.media:
        return
    doc.heading(2, "图片", f"{prefix}media")
    listed: list[str] = []
    for n, m in enumerate(case.media, 1):
        credit = book.sources[m.credit].title if m.credit else ""
        if m.file and f"{case.id}/{m.file}" in photos:
            doc.add(_photo(case, m, n, here, photos[f"{case.id}/{m.file}"], credit, prefix))
        else:
            listed.append(
                f"<li>{attr(m.caption)}"
                + (f"（图片来源：{attr(credit)}）" if credit else "（来源未注明图片署名）")
                + "</li>"
            )
    if listed:
        doc.add("<ul>" + "".join(listed) + "</ul>")


def _teaching(doc: HtmlDoc, case: Case, prefix: str) -> None:
    t = case.teaching
    if t.empty:
        return
    doc.heading(2, "教学参考", f"{prefix}teaching")
    doc.add('<p class="cb-editorial">编者撰写，供教学参考，不是来源原文。</p>')
    parts = (
        ("objectives", "教学目标", t.objectives, "ul"),
        ("questions", "讨论题", t.questions, "ol"),
        ("points", "要点", t.points, "ul"),
    )
    for key, label, items, tag in parts:
        if items:
            doc.heading(3, label, f"{prefix}teaching-{key}")
            doc.add(html_list([attr(item) for item in items], tag))


def _sources(doc: HtmlDoc, book: Casebook, case: Case, prefix: str) -> None:
    doc.heading(2, "来源", f"{prefix}sources")
    items = []
    for ref in case.sources:
        src = book.sources[ref.ref]
        note = f"　{attr(ref.note)}" if ref.note else ""
        extra = f"（{attr(src.issue)}，{attr(src.note)}）" if src.note and src.issue else ""
        items.append(f"{attr(source_citation(src, ref))}{extra}{note}")
    doc.add(html_list(items, "ol"))


def copyable(text: str, label: str) -> str:
    """A line of text with a copy button; the text stays selectable where scripts do not run."""
    return (
        f'<div class="cb-copyable"><span class="cb-copy-text">{attr(text)}</span>'
        '<button type="button" class="cb-copy md-button" data-cb-copy'
        f' aria-label="复制{attr(label)}">复制</button></div>'
    )


def _cite(doc: HtmlDoc, book: Casebook, case: Case, prefix: str) -> None:
    url = book.site.page_url(urls.web_path(urls.case(case.id)))
    first = case.sources[0]
    original = source_citation(book.sources[first.ref], first)
    doc.add('<div class="cb-cite" data-pagefind-ignore="all">')
    doc.heading(2, "引用本案例", f"{prefix}cite")
    doc.add(
        "<p>本页（GB/T 7714-2015，网络资源，引用日期请自行填写）：</p>"
        + copyable(case_citation(book.site, case, url), "本页的引用")
        + "<p>原始来源：</p>"
        + copyable(original, "原始来源的引用")
        + "</div>"
    )


def _share(book: Casebook, case: Case, here: str) -> str:
    url = book.site.page_url(urls.web_path(urls.case(case.id)))
    qr = urls.asset_rel(here, qr_src_uri(case.id))
    return (
        f'<aside class="cb-share"><img alt="本案例网址的二维码" class="cb-qr" src="{qr}" width="132" height="132">'
        f'<span class="cb-permalink">{attr(url)}</span></aside>'
    )


def case_body(
    book: Casebook, case: Case, here: str, *, prefix: str = "", photos: Photos | None = None, doc: HtmlDoc | None = None
) -> HtmlDoc:
    """Everything under the front matter; prefix keeps ids unique when several cases share a page."""
    doc = doc or HtmlDoc(here)
    doc.add(f'<h1 id="{prefix}top">{attr(case.title)}</h1>' if prefix else f"<h1>{attr(case.title)}</h1>")
    doc.add(_share(book, case, here))
    _header(doc, book, case, here)
    figures_panel(doc, case, prefix)
    for key, label in SECTIONS:
        body = getattr(case, key)
        if body:
            doc.heading(2, label, f"{prefix}{key}")
            doc.markdown(escape_html(body.strip()))
    if case.keywords:
        keywords = " ".join(f'<span class="cb-keyword">{attr(k)}</span>' for k in case.keywords)
        doc.add(f'<p class="cb-keywords"><span>关键词</span> {keywords}</p>')
    _people(doc, case, prefix)
    _media(doc, book, case, here, prefix, photos or {})
    _teaching(doc, case, prefix)
    _sources(doc, book, case, prefix)
    return doc


def render_case(book: Casebook, case: Case, *, edit_url: str = "", photos: Photos | None = None) -> Html:
    here = urls.case(case.id)
    doc = case_body(book, case, here, photos=photos)
    _cite(doc, book, case, "")
    if case.related:
        doc.heading(2, "相关案例", "related")
        doc.add(
            "<ul>" + "".join(f"<li>{a(book.cases[r].title, here, urls.case(r))}</li>" for r in case.related) + "</ul>"
        )
    lessons = book.collections_with(case.id)
    if lessons:
        doc.heading(2, "收入课程包", "collections")
        doc.add(html_list([a(c.title, here, urls.collection(c.id)) for c in lessons]))
    footer = [f"收录于 {date_zh(case.added)}"]
    if case.updated and case.updated != case.added:
        footer.append(f"更新于 {date_zh(case.updated)}")
    if edit_url:
        footer.append(f'<a href="{attr(edit_url)}">修改这个案例</a>')
    footer.append(f"记录文件 <code>{attr(case.path)}</code>")
    doc.add(f'<p class="cb-record">{" · ".join(footer)}</p>')
    return doc.page(case.title, {"title": case.title, "description": case.summary})
