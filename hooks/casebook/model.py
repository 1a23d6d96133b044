"""Plain objects for the casebook: reference data, cases, and the catalogue that links them.

They are built only from records that passed the schema and reference checks, so
their constructors trust the shapes they are given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, ClassVar

from . import dates


def case_path(case_id: str) -> str:
    """A case's permanent web path, relative to the site root: the id is the URL (/cases/<id>/)."""
    return f"cases/{case_id}/"


@dataclass(frozen=True)
class Qualifier:
    """A word that keeps a figure honest: 180余次 is more than 180, not 180."""

    word: str
    before: bool  # written before the number (约20人) or after it (180余次)
    meaning: str  # spelt out for readers, before the number: 多于 180次


# Every qualifier the case schema allows (a test keeps the two lists equal), with its placement
# and meaning in one row: pages and exports read this table, never a copy of it.
QUALIFIERS: Mapping[str, Qualifier] = {
    q.word: q
    for q in (
        Qualifier("余", before=False, meaning="多于"),
        Qualifier("多", before=False, meaning="多于"),
        Qualifier("逾", before=True, meaning="多于"),
        Qualifier("约", before=True, meaning="大约"),
        Qualifier("近", before=True, meaning="接近但不足"),
    )
}


# Words that say over what period a figure counts (年均 12 次: a year's average, not a total).
# The case schema's enum of `per` is this list (a test keeps the two equal).
PERIODS: tuple[str, ...] = ("年均", "每年", "月均", "每月", "周均", "每周", "日均", "每天", "人均", "户均")
# A run of periods a figure held for (连续3年 100%): 连续, a number or 多/数, and the period.
SPAN_PATTERN = r"^连续([1-9][0-9]{0,2}|多|数)(年|个月|周|天|届|次)(?!\n)$"


# -- reference data --------------------------------------------------------------------
@dataclass(frozen=True)
class SourceRef:
    ref: str
    page: str = ""
    note: str = ""

    @classmethod
    def build(cls, raw: dict[str, Any]) -> SourceRef:
        return cls(raw["ref"], str(raw.get("page", "")), str(raw.get("note", "")))


@dataclass(frozen=True)
class Source:
    """One entry of data/sources.yml. Its kind (journal, newspaper, web, government, book, report,
    outlet) says which fields it has; every field is kept in `fields` as written, for the citation
    (citation.py) and the exports."""

    id: str
    kind: str
    title: str
    authors: tuple[str, ...] = ()
    year: int | None = None
    note: str = ""
    fields: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @classmethod
    def build(cls, raw: dict[str, Any]) -> Source:
        published = raw.get("published")
        year = raw.get("year") or (dates.year(published) if published else None)
        return cls(
            raw["id"],
            raw["kind"],
            raw["title"],
            tuple(raw.get("authors", ())),
            year,
            raw.get("note", ""),
            dict(raw),
        )

    @property
    def citable(self) -> bool:
        """An outlet only names who took a photo; every other kind can be a case's source."""
        return self.kind != "outlet"


@dataclass(frozen=True)
class Pillar:
    id: str
    number: str
    order: int
    title: str
    short: str
    description: str

    @property
    def label(self) -> str:
        return f"“{self.number}”{self.short}"


@dataclass(frozen=True)
class ElementItem:
    name: str
    note: str = ""


@dataclass(frozen=True)
class Element:
    id: str
    pillar: str
    kind: str
    title: str
    description: str
    items: tuple[ElementItem, ...]


@dataclass(frozen=True)
class PromiseLine:
    phrase: str
    text: str


@dataclass(frozen=True)
class Framework:
    name: str
    title: str
    summary: str
    promise_intro: str
    promise: tuple[PromiseLine, ...]
    pillars: tuple[Pillar, ...]
    elements: tuple[Element, ...]
    sources: tuple[SourceRef, ...]

    @classmethod
    def build(cls, raw: dict[str, Any]) -> Framework:
        promise = raw.get("promise") or {}
        return cls(
            name=raw["name"],
            title=raw["title"],
            summary=raw["summary"],
            promise_intro=promise.get("intro", ""),
            promise=tuple(PromiseLine(x["phrase"], x["text"]) for x in promise.get("lines", ())),
            pillars=tuple(
                Pillar(p["id"], p["number"], i + 1, p["title"], p["short"], p["description"])
                for i, p in enumerate(raw["pillars"])
            ),
            elements=tuple(
                Element(
                    e["id"],
                    e["pillar"],
                    e["kind"],
                    e["title"],
                    e.get("description", ""),
                    tuple(ElementItem(i["name"], i.get("note", "")) for i in e["items"]),
                )
                for e in raw.get("elements", ())
            ),
            sources=tuple(SourceRef.build(s) for s in raw["sources"]),
        )

    def elements_of(self, pillar_id: str) -> list[Element]:
        return [e for e in self.elements if e.pillar == pillar_id]


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    kind: str
    description: str
    sources: tuple[SourceRef, ...]
    issuer: str = ""
    year: int | None = None
    parent: str = ""

    @classmethod
    def build(cls, raw: dict[str, Any]) -> Policy:
        return cls(
            raw["id"],
            raw["name"],
            raw["kind"],
            raw["description"],
            tuple(SourceRef.build(s) for s in raw["sources"]),
            raw.get("issuer", ""),
            raw.get("year"),
            raw.get("parent", ""),
        )


@dataclass(frozen=True)
class Theme:
    id: str
    name: str
    description: str


@dataclass(frozen=True)
class Place:
    """A city, district, street or community; parent ids make the chain up to the city."""

    id: str
    name: str
    level: str  # city | district | street | community
    city: str = ""
    district: str = ""
    street: str = ""
    province: str = ""


@dataclass(frozen=True)
class Places:
    by_id: dict[str, Place]
    order: tuple[str, ...]

    @classmethod
    def build(cls, raw: dict[str, Any]) -> Places:
        by_id: dict[str, Place] = {}
        for c in raw["cities"]:
            by_id[c["id"]] = Place(c["id"], c["name"], "city", province=c.get("province", ""))
            for d in c.get("districts", ()):
                by_id[d["id"]] = Place(d["id"], d["name"], "district", city=c["id"])
                for s in d.get("streets", ()):
                    by_id[s["id"]] = Place(s["id"], s["name"], "street", city=c["id"], district=d["id"])
                    for m in s.get("communities", ()):
                        by_id[m["id"]] = Place(
                            m["id"], m["name"], "community", city=c["id"], district=d["id"], street=s["id"]
                        )
                for m in d.get("communities", ()):
                    by_id[m["id"]] = Place(m["id"], m["name"], "community", city=c["id"], district=d["id"])
        return cls(by_id, tuple(by_id))

    def of_level(self, level: str) -> list[Place]:
        return [self.by_id[i] for i in self.order if self.by_id[i].level == level]

    def children(self, parent: Place) -> list[Place]:
        """Streets of a district and the communities directly under it; communities of a street."""
        out = []
        for pid in self.order:
            p = self.by_id[pid]
            if (
                (parent.level == "city" and p.level == "district" and p.city == parent.id)
                or (
                    parent.level == "district"
                    and p.district == parent.id
                    and (p.level == "street" or (p.level == "community" and not p.street))
                )
                or (parent.level == "street" and p.level == "community" and p.street == parent.id)
            ):
                out.append(p)
        return out


@dataclass(frozen=True)
class SiteInfo:
    """data/site.yml: the published address everything links to, and where records are edited."""

    name: str
    url: str
    publisher: str
    repo_url: str = ""
    branch: str = "main"

    @classmethod
    def build(cls, raw: dict[str, Any]) -> SiteInfo:
        return cls(raw["name"], raw["url"], raw["publisher"], raw.get("repo_url", ""), raw.get("branch", "main"))

    def deployed(self, url: str = "", repo_url: str = "") -> SiteInfo:
        """A deployment's address and repository instead of data/site.yml's (empty: keep those)."""
        url = url.strip() or self.url
        return replace(
            self,
            url=url if url.endswith("/") else url + "/",
            repo_url=repo_url.strip().rstrip("/") or self.repo_url,
        )

    def page_url(self, web_path: str) -> str:
        return self.url + web_path

    def case_url(self, case_id: str) -> str:
        """The permanent address of a case: its page, its QR code, its citation, the feed and the
        open data all use this one."""
        return self.page_url(case_path(case_id))

    def edit_url(self, path: str) -> str:
        return f"{self.repo_url}/edit/{self.branch}/{path}" if self.repo_url else ""


@dataclass(frozen=True)
class CollectionItem:
    case: str
    note: str


@dataclass(frozen=True)
class Collection:
    """A trainer's ordered selection of cases for one lesson (data/collections/<id>.yml)."""

    id: str
    path: str
    title: str
    description: str
    items: tuple[CollectionItem, ...]
    audience: str = ""
    hours: float | None = None

    @classmethod
    def build(cls, ident: str, path: str, raw: dict[str, Any]) -> Collection:
        return cls(
            ident,
            path,
            raw["title"],
            raw["description"],
            tuple(CollectionItem(i["case"], i["note"]) for i in raw["cases"]),
            raw.get("audience", ""),
            raw.get("hours"),
        )


# -- cases -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    anchor: str
    label: str
    value: float | int
    unit: str
    qualifier: str = ""
    as_of: str = ""
    note: str = ""
    per: str = ""  # 年均, 每月 ... (PERIODS)
    span: str = ""  # 连续3年, 连续多年

    @property
    def number(self) -> str:
        v = self.value
        return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)

    @property
    def qualifier_before(self) -> bool:
        """约20人, but 180余次: some qualifiers stand before the number (see QUALIFIERS)."""
        return bool(self.qualifier) and QUALIFIERS[self.qualifier].before

    @property
    def display(self) -> str:
        """The figure as the source wrote it: 180余次, 约20人, 年均12次, 连续3年100%."""
        if self.qualifier_before:
            core = f"{self.qualifier}{self.number}{self.unit}"
        else:
            core = f"{self.number}{self.qualifier}{self.unit}"
        return f"{self.span}{self.per}{core}"

    @property
    def period(self) -> str:
        """连续3年年均: the words before the number that say over what time it counts."""
        return f"{self.span}{self.per}"

    @property
    def meaning(self) -> str:
        """The qualifier spelt out, so nobody reads 180余次 as exactly 180."""
        if not self.qualifier:
            return ""
        return f"{QUALIFIERS[self.qualifier].meaning} {self.number}{self.unit}"


@dataclass(frozen=True)
class Quote:
    text: str
    speaker: str
    role: str = ""


@dataclass(frozen=True)
class Person:
    name: str
    role: str


@dataclass(frozen=True)
class Media:
    caption: str
    credit: str = ""
    alt: str = ""
    file: str = ""


# The five stages of a case lesson, in the order the 中国管理案例共享中心 form sets them.
LESSON_STAGES: tuple[str, ...] = ("课前阅读", "导入", "分组研讨", "班级交流", "教师点评")


@dataclass(frozen=True)
class LessonStep:
    stage: str  # one of LESSON_STAGES
    minutes: int
    activity: str


@dataclass(frozen=True)
class LessonPlan:
    """建议课堂计划: the stated lesson length and its timed stages (the loader checks the sum)."""

    minutes: int
    steps: tuple[LessonStep, ...]


@dataclass(frozen=True)
class FollowUp:
    """后续进展: only what a cited source says happened after the case."""

    text: str
    source: SourceRef


@dataclass(frozen=True)
class Teaching:
    """The editors' teaching notes. `questions` (启发思考题) are printed for learners too; every
    other part is the teacher's guide (案例使用说明), shown only in a teacher's version."""

    objectives: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    points: tuple[str, ...] = ()
    written_by: str = ""  # "editors": never a fact of the source
    use: str = ""
    analysis: tuple[str, ...] = ()
    plan: LessonPlan | None = None
    followup: FollowUp | None = None

    @property
    def empty(self) -> bool:
        return not (self.questions or self.has_guide)

    @property
    def has_guide(self) -> bool:
        """Whether there is anything for the teacher's version beyond the questions."""
        return bool(self.objectives or self.use or self.analysis or self.points or self.plan or self.followup)

    @classmethod
    def build(cls, raw: dict[str, Any]) -> Teaching:
        plan = raw.get("plan")
        followup = raw.get("followup")
        return cls(
            tuple(raw.get("objectives", ())),
            tuple(raw.get("questions", ())),
            tuple(raw.get("points", ())),
            raw.get("written_by", ""),
            raw.get("use", ""),
            tuple(raw.get("analysis", ())),
            LessonPlan(
                plan["minutes"], tuple(LessonStep(s["stage"], s["minutes"], s["activity"]) for s in plan["steps"])
            )
            if plan
            else None,
            FollowUp(followup["text"], SourceRef.build(followup["source"])) if followup else None,
        )


@dataclass(frozen=True)
class CasePlace:
    district: str
    street: str = ""
    community: str = ""


@dataclass(frozen=True)
class Case:
    id: str
    path: str  # file, relative to the project root
    title: str
    summary: str
    pillars: tuple[str, ...]
    policies: tuple[str, ...]
    place: CasePlace
    themes: tuple[str, ...]
    background: str
    practice: str
    results: str
    sources: tuple[SourceRef, ...]
    added: str
    insights: str = ""
    period_start: str = ""
    period_end: str = ""
    keywords: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    quotes: tuple[Quote, ...] = ()
    people: tuple[Person, ...] = ()
    media: tuple[Media, ...] = ()
    related: tuple[str, ...] = ()
    teaching: Teaching = field(default_factory=Teaching)
    aliases: tuple[str, ...] = ()
    updated: str = ""
    # Every other property of the record, as written: a field added to the schema alone reaches
    # the open data through here (exports.py) without an edit to this class.
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)

    # The record's keys that build() maps to the fields above; any other key goes to `extra`.
    MAPPED_KEYS: ClassVar[frozenset[str]] = frozenset(
        {
            "id",
            "title",
            "summary",
            "pillars",
            "policies",
            "place",
            "themes",
            "background",
            "practice",
            "results",
            "insights",
            "sources",
            "added",
            "updated",
            "period",
            "keywords",
            "figures",
            "quotes",
            "people",
            "media",
            "related",
            "teaching",
            "aliases",
        }
    )

    @classmethod
    def build(cls, raw: dict[str, Any], path: str) -> Case:
        place = raw["place"]
        period = raw.get("period") or {}
        teaching = raw.get("teaching") or {}
        return cls(
            id=raw["id"],
            path=path,
            title=raw["title"],
            summary=raw["summary"],
            pillars=tuple(raw["pillars"]),
            policies=tuple(raw.get("policies", ())),
            place=CasePlace(place["district"], place.get("street", ""), place.get("community", "")),
            themes=tuple(raw["themes"]),
            background=raw["background"],
            practice=raw["practice"],
            results=raw["results"],
            insights=raw.get("insights", ""),
            sources=tuple(SourceRef.build(s) for s in raw["sources"]),
            added=raw["added"],
            updated=raw.get("updated", ""),
            period_start=period.get("start", ""),
            period_end=period.get("end", ""),
            keywords=tuple(raw.get("keywords", ())),
            figures=tuple(
                Figure(
                    f.get("id") or f"figure-{i + 1}",
                    f["label"],
                    f["value"],
                    f["unit"],
                    f.get("qualifier", ""),
                    f.get("as_of", ""),
                    f.get("note", ""),
                    f.get("per", ""),
                    f.get("span", ""),
                )
                for i, f in enumerate(raw.get("figures", ()))
            ),
            quotes=tuple(Quote(q["text"], q["speaker"], q.get("role", "")) for q in raw.get("quotes", ())),
            people=tuple(Person(p["name"], p["role"]) for p in raw.get("people", ())),
            media=tuple(
                Media(m["caption"], m.get("credit", ""), m.get("alt", ""), m.get("file", ""))
                for m in raw.get("media", ())
            ),
            related=tuple(raw.get("related", ())),
            teaching=Teaching.build(teaching),
            aliases=tuple(raw.get("aliases", ())),
            extra={k: v for k, v in raw.items() if k not in cls.MAPPED_KEYS},
        )

    @property
    def last_changed(self) -> str:
        return self.updated or self.added


@dataclass
class Casebook:
    """Everything the site is made of, with the indexes that pages need."""

    framework: Framework
    policies: dict[str, Policy]
    places: Places
    sources: dict[str, Source]
    themes: dict[str, Theme]
    cases: dict[str, Case]
    site: SiteInfo
    collections: dict[str, Collection] = field(default_factory=dict)
    schema_version: str = "0"
    # The project's JSON Schemas by name ("case", "sources", ...), as the loader read them: the
    # exports take their fields from "case". Empty when the loader has not handed them over.
    schemas: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # A digest of each case record's text (or of more: its check key, which covers the text), by
    # id, as the loader read it: all a Case is made of, so pages can tell an unchanged case
    # without looking at it. Empty when not loaded from files.
    record_digests: Mapping[str, bytes] = field(default_factory=dict)

    @cached_property
    def cases_by_title(self) -> list[Case]:
        return sorted(self.cases.values(), key=lambda c: (c.title, c.id))

    @cached_property
    def newest(self) -> list[Case]:
        return sorted(self.cases.values(), key=lambda c: (c.added, c.last_changed, c.id), reverse=True)

    @cached_property
    def newest_rank(self) -> dict[str, int]:
        """Position of each case in `newest` (0 = the newest)."""
        return {c.id: i for i, c in enumerate(self.newest)}

    @cached_property
    def pillars(self) -> dict[str, Pillar]:
        return {p.id: p for p in self.framework.pillars}

    def _index(self, key: str) -> dict[str, list[Case]]:
        out: dict[str, list[Case]] = {}
        for case in self.cases_by_title:
            value = getattr(case, key)
            for v in value if isinstance(value, tuple) else (value,):
                out.setdefault(v, []).append(case)
        return out

    @cached_property
    def by_pillar(self) -> dict[str, list[Case]]:
        return self._index("pillars")

    @cached_property
    def by_policy(self) -> dict[str, list[Case]]:
        """Each case under the policies it names and under every policy above them: a case of
        红色物业 (parent: hongse-yinqing) is also a case of 红色引擎工程."""
        out: dict[str, list[Case]] = {}
        for case in self.cases_by_title:
            for pid in self.policies_of(case):
                out.setdefault(pid, []).append(case)
        return out

    def policy_line(self, policy_id: str) -> list[str]:
        """The policy and its parents up to the top (data/policies.yml forms a tree; the loader
        refuses a cycle, and this stops at one all the same)."""
        line: list[str] = []
        while policy_id and policy_id not in line and policy_id in self.policies:
            line.append(policy_id)
            policy_id = self.policies[policy_id].parent
        return line

    def policies_of(self, case: Case) -> list[str]:
        """The policies a case names, then their parents, each once."""
        return list(dict.fromkeys(p for named in case.policies for p in self.policy_line(named)))

    def cases_naming(self, policy_id: str) -> list[Case]:
        """The cases that name the policy itself, not one of its sub-policies."""
        return [c for c in self.by_policy.get(policy_id, []) if policy_id in c.policies]

    def has_sub_policies(self, policy_id: str) -> bool:
        return any(p.parent == policy_id for p in self.policies.values())

    @cached_property
    def by_theme(self) -> dict[str, list[Case]]:
        return self._index("themes")

    @cached_property
    def by_place(self) -> dict[str, list[Case]]:
        """Each case under its district, street and community, and under the city."""
        out: dict[str, list[Case]] = {}
        for case in self.cases_by_title:
            district = self.places.by_id[case.place.district]
            for pid in (district.city, case.place.district, case.place.street, case.place.community):
                if pid:
                    out.setdefault(pid, []).append(case)
        return out

    def place_chain(self, case: Case) -> list[Place]:
        district = self.places.by_id[case.place.district]
        ids = [district.city, case.place.district, case.place.street, case.place.community]
        return [self.places.by_id[i] for i in ids if i]

    def year(self, case: Case) -> int | None:
        """The year a case is filed under: when it started, else the year of its first source."""
        if case.id in self.cases and self.cases[case.id] is case:
            return self._years[case.id]
        return self._year(case)

    @cached_property
    def _years(self) -> dict[str, int | None]:
        # Facets, cards and charts ask for every case's year many times over.
        return {case.id: self._year(case) for case in self.cases.values()}

    def _year(self, case: Case) -> int | None:
        if case.period_start:
            return dates.year(case.period_start)
        for ref in case.sources:
            year = self.sources[ref.ref].year
            if year:
                return year
        return None

    def children_policies(self, policy_id: str) -> list[Policy]:
        return [p for p in self.policies.values() if p.parent == policy_id]

    def collections_with(self, case_id: str) -> list[Collection]:
        return [c for c in self.collections.values() if any(i.case == case_id for i in c.items)]
