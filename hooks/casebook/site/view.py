"""What the templates ask of a casebook beyond its plain objects: labels, orders, groups and
counts, computed in Python so that templates only lay them out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from ..citation import case_citation, source_citation
from ..dates import date_zh
from ..model import Case, Casebook, Collection, Media, Place, SourceRef
from ..records.images import Rendition
from . import reference_files, urls
from .related import Memo, Related, RelatedCases

Photos = Mapping[str, list[Rendition]]  # "<case id>/<file>" -> its sizes

# Section ids are fixed ASCII so that a trainer's link to #practice survives any chat app.
SECTIONS = (
    ("background", "背景"),
    ("practice", "做法"),
    ("results", "成效"),
    ("insights", "启示"),
)
FACETS = (
    ("pillar", "框架"),
    ("district", "地区"),
    ("theme", "主题"),
    ("policy", "政策"),
    ("year", "年份"),
)
CHARTS = (("pillar", "按框架"), ("district", "按地区"), ("year", "按年份"))
FIGURE_CASES = 200  # 数说 lists the key figures of the newest cases; the open data holds them all
# The browse page's HTML holds the newest BROWSE_PAGE cards, so that its weight stays flat as the
# casebook grows; its script loads the rest from JSON files of BROWSE_CHUNK cases (fewer, larger
# requests when a filter needs every case). Without scripts, list pages of BROWSE_PAGE cards
# (cases/page/2/, 3/ ...) reach every case.
BROWSE_PAGE = 100
BROWSE_CHUNK = 500
BROWSE_PAGES_DIR = "cases/page/"


@dataclass(frozen=True)
class FacetValue:
    id: str
    label: str
    count: int


@dataclass(frozen=True)
class Facet:
    key: str
    legend: str
    values: tuple[FacetValue, ...]


@dataclass(frozen=True)
class BrowsePage:
    """One list page of the browse page's cards, newest first; number 1 is the browse page."""

    number: int
    pages: int
    first: int  # position of the first card in the whole list, from 1
    total: int
    cases: Sequence[Case]

    @property
    def path(self) -> str:
        return browse_page_path(self.number)

    @property
    def last(self) -> int:
        return self.first + len(self.cases) - 1


def browse_page_path(number: int) -> str:
    """cases/ itself, then cases/page/2/ ...: a case id may be "page", but its files (index.html,
    photos, QR code) never sit in a numbered folder, so the two cannot collide."""
    return urls.CASES if number == 1 else f"{BROWSE_PAGES_DIR}{number}/"


def browse_chunk_path(number: int) -> str:
    return f"{BROWSE_PAGES_DIR}cards-{number}.json"


@dataclass(frozen=True)
class ChartRow:
    value: str
    label: str
    count: int
    share: float  # of the largest row, 0–100: the bar's length


@dataclass(frozen=True)
class Chart:
    key: str
    heading: str
    title: str
    rows: tuple[ChartRow, ...]


@dataclass(frozen=True)
class PlaceGroup:
    """A heading on a district's page and the cases under it (None: a heading only)."""

    level: int
    id: str
    title: str
    cases: Sequence[Case] | None
    note: str = ""


@dataclass
class View:
    book: Casebook
    related_memo: Memo | None = None  # computed related lists kept between builds (related.RelatedCases)
    SECTIONS = SECTIONS
    browse_page_path = staticmethod(browse_page_path)

    # -- single cases -------------------------------------------------------------------
    def case_url(self, case: Case) -> str:
        return self.book.site.case_url(case.id)

    def place_label(self, case: Case) -> str:
        return "".join(p.name for p in self.book.place_chain(case) if p.level != "city")

    def pillar_labels(self, case: Case, sep: str = "、") -> str:
        return sep.join(self.book.pillars[p].label for p in case.pillars)

    def year_label(self, case: Case) -> str:
        year = self.book.year(case)
        return f"{year}年" if year else ""

    def when(self, case: Case) -> str:
        if case.period_start:
            return date_zh(case.period_start) + ("—" + date_zh(case.period_end) if case.period_end else "起")
        return f"{self.year_label(case)}见报" if self.book.year(case) else ""

    def link_targets(self, case: Case) -> list[tuple[str, str]]:
        """What a trainer may link to on a case page: its sections and each key figure, in page order."""
        out: list[tuple[str, str]] = []
        if case.figures:
            out.append(("figures", "关键数字"))
            out += [(f.anchor, f"　数字：{f.display} {f.label}") for f in case.figures]
        out += [(key, label) for key, label in SECTIONS if getattr(case, key)]
        parts = (("quotes", "原话", case.quotes), ("people", "人物", case.people))
        out += [(key, label) for key, label, items in parts if items]
        if case.teaching.questions:
            out.append(("teaching", "思考题"))
        out.append(("sources", "来源"))
        if case.teaching.has_guide:
            out.append(("guide", "教师版：案例使用说明"))
        return out

    @cached_property
    def related_cases(self) -> RelatedCases:
        return RelatedCases(self.book, memo=self.related_memo)

    def related(self, case: Case) -> list[Related]:
        """The case page's 相关案例: curated first, then computed, each with its reason."""
        return self.related_cases.of(case)

    def citation(self, ref: SourceRef) -> str:
        return source_citation(self.book.sources[ref.ref], ref)

    @staticmethod
    def reference_file(ident: str, ext: str, of: str = "case") -> str:
        """The RIS or CSL-JSON file of a case or a collection (reference_files.py)."""
        return (reference_files.case_path if of == "case" else reference_files.collection_path)(ident, ext)

    def credit(self, m: Media) -> str:
        """A photo's credit line: 图片来源：长江网 for a source, else the words the source printed."""
        source = self.book.sources.get(m.credit)
        return f"图片来源：{source.title}" if source else m.credit

    def case_citation(self, case: Case) -> str:
        return case_citation(self.book.site, case, self.case_url(case))

    @staticmethod
    def photos_of(case: Case, photos: Photos) -> list[tuple[Media, list[Rendition]]]:
        """The case's photos that have a file, with their sizes."""
        return [(m, photos[f"{case.id}/{m.file}"]) for m in case.media if m.file and f"{case.id}/{m.file}" in photos]

    @staticmethod
    def captions_only(case: Case, photos: Photos) -> list[Media]:
        """Photos the source printed that the casebook does not hold: their captions and credits."""
        return [m for m in case.media if not (m.file and f"{case.id}/{m.file}" in photos)]

    @staticmethod
    def main_size(sizes: list[Rendition]) -> Rendition:
        return next((r for r in sizes if r.width >= 960), sizes[-1])

    @staticmethod
    def srcset(case: Case, m: Media, sizes: list[Rendition], ext: str, here: str) -> str:
        return ", ".join(
            f"{urls.relative(here, urls.case_photo(case.id, m.file, r.width, ext))} {r.width}w" for r in sizes
        )

    # -- lists of cases -------------------------------------------------------------------
    def newest_first(self, cases: Sequence[Case], limit: int = 0) -> Sequence[Case]:
        """The newest `limit` (0: all) of cases, newest first; a short list keeps its order."""
        if limit and len(cases) <= limit:
            return cases
        rank = self.book.newest_rank
        ordered = sorted(cases, key=lambda c: rank[c.id])
        return ordered[:limit] if limit else ordered

    # -- the browse page ------------------------------------------------------------------
    def card_meta(self, case: Case) -> str:
        """A card's second line: place · pillars · year (the same on server and script cards)."""
        return " · ".join(x for x in (self.place_label(case), self.pillar_labels(case), self.year_label(case)) if x)

    def browse_pages(self) -> list[BrowsePage]:
        newest = self.book.newest
        total = len(newest)
        count = max(1, -(-total // BROWSE_PAGE))
        return [
            BrowsePage(n + 1, count, n * BROWSE_PAGE + 1, total, newest[n * BROWSE_PAGE : (n + 1) * BROWSE_PAGE])
            for n in range(count)
        ]

    def browse_chunks(self) -> list[list[Case]]:
        """The cases after the browse page's own cards, in the files its script loads."""
        rest = self.book.newest[BROWSE_PAGE:]
        return [list(rest[i : i + BROWSE_CHUNK]) for i in range(0, len(rest), BROWSE_CHUNK)]

    def browse_card(self, case: Case) -> dict[str, object]:
        """What the browse script needs to draw a card and filter it: the card's text (drawn with
        textContent, never as markup) and the facet values its server-rendered twin carries in
        data- attributes. The link is relative to the browse page, so it holds under any base
        path and in zh-Hant/."""
        card: dict[str, object] = {
            "href": urls.relative(urls.CASES, urls.case(case.id)),
            "title": case.title,
            "meta": self.card_meta(case),
        }
        if case.figures:
            card["figure"] = [case.figures[0].display, case.figures[0].label]
        card["facets"] = {k: v for k, v in self.facet_values(case).items() if v}
        return card

    def facet_values(self, case: Case) -> dict[str, list[str]]:
        year = self.book.year(case)
        return {
            "pillar": list(case.pillars),
            "district": [case.place.district],
            "theme": list(case.themes),
            "policy": self.book.policies_of(case),  # a sub-policy's case is found by its parent too
            "year": [str(year)] if year else [],
        }

    def _labels(self) -> dict[str, Callable[[str], str]]:
        book = self.book
        return {
            "pillar": lambda v: book.pillars[v].label,
            "district": lambda v: book.places.by_id[v].name,
            "theme": lambda v: book.themes[v].name,
            "policy": lambda v: book.policies[v].name + ("（含下级政策）" if book.has_sub_policies(v) else ""),
            "year": lambda v: f"{v}年",
        }

    def _order(self, facet: str, counts: Counter[str]) -> list[str]:
        """Values in the order a reader expects: the framework's own order, places as listed,
        years newest first."""
        book = self.book
        if facet == "pillar":
            return [p.id for p in book.framework.pillars if p.id in counts]
        if facet == "district":
            return [p.id for p in book.places.of_level("district") if p.id in counts]
        if facet == "year":
            return sorted(counts, reverse=True)
        source: Iterable[str] = book.themes if facet == "theme" else book.policies
        return [k for k in source if k in counts]

    def _counts(self, facet: str) -> Counter[str]:
        return self._facet_counts[facet]

    @cached_property
    def _facet_counts(self) -> dict[str, Counter[str]]:
        """Every facet's counts in one pass over the cases."""
        counts: dict[str, Counter[str]] = {}
        for case in self.book.cases.values():
            for facet, values in self.facet_values(case).items():
                counts.setdefault(facet, Counter()).update(values)
        return counts

    def facets(self) -> list[Facet]:
        out = []
        labels = self._labels()
        for key, legend in FACETS:
            counts = self._counts(key)
            if counts:
                values = tuple(FacetValue(v, labels[key](v), counts[v]) for v in self._order(key, counts))
                out.append(Facet(key, legend, values))
        return out

    def charts(self) -> list[Chart]:
        labels = self._labels()
        out = []
        for key, heading in CHARTS:
            counts = self._counts(key)
            top = max(counts.values(), default=1)
            rows = tuple(
                ChartRow(v, labels[key](v), counts[v], round(100 * counts[v] / top, 1))
                for v in self._order(key, counts)
            )
            out.append(Chart(key, heading, f"案例数，{heading}", rows))
        return out

    def figure_cases(self) -> list[Case]:
        return sorted(self.book.newest[:FIGURE_CASES], key=lambda c: (c.title, c.id))

    # -- places -----------------------------------------------------------------------------
    def descendants(self, district: Place) -> list[Place]:
        out = []
        for p in self.book.places.children(district):
            out.append(p)
            out.extend(self.book.places.children(p))
        return out

    def place_groups(self, district: Place) -> list[PlaceGroup]:
        """A district's page: each street with its communities, communities directly under the
        district, and the cases filed under the district alone."""
        book = self.book
        placed: set[str] = set()
        out: list[PlaceGroup] = []

        def take(cases: Iterable[Case]) -> list[Case]:
            group = [c for c in cases if c.id not in placed]
            placed.update(c.id for c in group)
            return group

        for child in book.places.children(district):
            if child.level == "street":
                out.append(PlaceGroup(2, child.id, child.name, None))
                for com in book.places.children(child):
                    out.append(PlaceGroup(3, com.id, com.name, take(book.by_place.get(com.id, []))))
                rest = take(book.by_place.get(child.id, []))
                if rest:
                    out.append(PlaceGroup(3, f"{child.id}-all", f"{child.name}（全街道）", rest))
            else:
                out.append(PlaceGroup(2, child.id, child.name, take(book.by_place.get(child.id, []))))
        rest = take(book.by_place.get(district.id, []))
        if rest:
            out.append(PlaceGroup(2, "district-wide", "全区", rest, "在全区范围开展、未限定到某个街道或社区的案例。"))
        return out

    # -- home page and collections ------------------------------------------------------------
    def stats(self) -> list[tuple[int, str, str]]:
        cases = self.book.cases.values()
        return [
            (len(self.book.cases), "个案例", urls.CASES),
            (len(self.book.framework.pillars), "个框架部分", urls.FRAMEWORK),
            (len({c.place.district for c in cases}), "个区", urls.PLACES),
            (len({c.place.community for c in cases if c.place.community}), "个社区", urls.PLACES),
            (len(self.book.policies), "项政策与工程", urls.POLICIES),
        ]

    @staticmethod
    def collection_facts(c: Collection) -> str:
        bits = [f"{len(c.items)} 个案例"]
        if c.audience:
            bits.append(f"适用对象：{c.audience}")
        if c.hours:
            bits.append(f"建议课时：{c.hours:g} 小时")
        return " · ".join(bits)
