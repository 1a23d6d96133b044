"""Synthetic case records for the benchmark: valid, varied, about 2,000 characters of Simplified
Chinese each, referring only to real ids in data/. Case i depends only on (seed, i), so the first
100 cases of a 1,000-case run are the 100 cases of a 100-case run.

    python bench/generate.py 100 /tmp/casebook-100      # a whole project, then `casebook validate`

Records are written into a new project folder, never into the real cases/. That folder is a copy
of the project (config, docs, data, hook, and the real records, which data/ may refer to) with the
synthetic records added to its cases/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

if __package__ in (None, ""):  # run as `python bench/generate.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import corpus

ROOT = Path(__file__).resolve().parent.parent
# The parts of a project (as tests/conftest.py copies them; `overrides` once the theme has a
# custom_dir). The real records come along because reference data may name them
# (data/collections/ does).
# What a casebook project is made of (the tests and the benchmark copy these).
PROJECT_PARTS = ("cases", "data", "docs", "overrides", "mkdocs.yml", "hooks/casebook_hook.py")
SCHEMA_LINE = "# yaml-language-server: $schema=../data/schema/case.schema.json\n"
FIELD_ORDER = [
    "id",
    "title",
    "summary",
    "pillars",
    "policies",
    "place",
    "period",
    "themes",
    "keywords",
    "background",
    "practice",
    "results",
    "insights",
    "figures",
    "quotes",
    "people",
    "media",
    "sources",
    "related",
    "teaching",
    "aliases",
    "added",
    "updated",
]
LATEST_DAY = dt.date(2026, 11, 24)
Record = dict[str, Any]


# -- reference data ----------------------------------------------------------------------
@dataclass(frozen=True)
class PlaceChoice:
    """A valid place: a district, optionally one of its streets, optionally a community under those."""

    district: tuple[str, str]  # (id, name)
    street: tuple[str, str] | None = None
    community: tuple[str, str] | None = None

    def record(self) -> dict[str, str]:
        out = {"district": self.district[0]}
        if self.street:
            out["street"] = self.street[0]
        if self.community:
            out["community"] = self.community[0]
        return out

    @property
    def unit(self) -> str:
        """The most specific name: 光霞社区, 张家湾街 or 洪山区."""
        return (self.community or self.street or self.district)[1]

    @property
    def full(self) -> str:
        return "".join(p[1] for p in (self.district, self.street, self.community) if p)

    @property
    def slug(self) -> str:
        return "-".join(p[0] for p in (self.district, self.community or self.street) if p)


@dataclass(frozen=True)
class Reference:
    """The ids a generated record may use, read from the real data/ files."""

    city: str
    pillars: tuple[str, ...]
    policies: tuple[str, ...]
    themes: tuple[str, ...]
    sources: tuple[str, ...]
    outlets: tuple[str, ...]
    places: tuple[PlaceChoice, ...]


def _yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def _ids(items: Sequence[dict[str, Any]]) -> tuple[str, ...]:
    return tuple(str(item["id"]) for item in items)


def place_choices(places: dict[str, Any]) -> tuple[PlaceChoice, ...]:
    out: list[PlaceChoice] = []
    for city in places["cities"]:
        for d in city.get("districts", ()):
            district = (d["id"], d["name"])
            out.append(PlaceChoice(district))
            for s in d.get("streets", ()):
                street = (s["id"], s["name"])
                out.append(PlaceChoice(district, street))
                out += [PlaceChoice(district, street, (c["id"], c["name"])) for c in s.get("communities", ())]
            out += [PlaceChoice(district, None, (c["id"], c["name"])) for c in d.get("communities", ())]
    return tuple(out)


def read_reference(root: Path = ROOT) -> Reference:
    data = root / "data"
    sources = _yaml(data / "sources.yml")["sources"]
    places = _yaml(data / "places.yml")
    return Reference(
        city=str(places["cities"][0]["name"]),
        pillars=_ids(_yaml(data / "framework.yml")["pillars"]),
        policies=_ids(_yaml(data / "policies.yml")["policies"]),
        themes=_ids(_yaml(data / "themes.yml")["themes"]),
        # a case cites any kind of source but an outlet, which only credits photos
        sources=_ids([s for s in sources if s.get("kind") != "outlet"]) or _ids(sources),
        outlets=_ids([s for s in sources if s.get("kind") == "outlet"]) or _ids(sources),
        places=place_choices(places),
    )


# -- text --------------------------------------------------------------------------------
class Slots(dict[str, str]):
    """The values every template may use."""

    @classmethod
    def build(cls, rng: random.Random, place: PlaceChoice, ref: Reference, practice: str) -> Slots:
        issue, issue_long = rng.choice(corpus.ISSUES)
        actor, actor2 = rng.sample(corpus.ACTORS, 2)
        slots = cls(
            city=ref.city,
            district=place.district[1],
            unit=place.unit,
            place=place.full,
            issue=issue,
            issue_long=issue_long,
            practice=practice,
            actor=actor,
            actor2=actor2,
            partner=rng.choice(corpus.PARTNERS),
            facility=rng.choice(corpus.FACILITIES),
            dept=rng.choice(corpus.DEPARTMENTS),
            honor=rng.choice(corpus.HONORS),
            area_desc=rng.choice(corpus.AREA_DESC),
            year=str(rng.randint(2014, 2023)),
            decade=rng.choice(("五十", "六十", "七十", "八十", "九十")),
            n1=str(rng.randint(8, 90) * 100),
            n2=str(rng.randint(20, 300) * 100),
            n3=str(rng.randint(3, 40) * 10),
            pct=str(rng.randint(18, 42)),
            pct2=str(rng.randint(20, 85)),
            small=str(rng.randint(3, 12)),
            months=str(rng.randint(3, 30)),
        )
        slots["leader"] = f"{slots['unit']}党委书记{person_name(rng)}"
        return slots


def person_name(rng: random.Random) -> str:
    return rng.choice(corpus.SURNAMES) + rng.choice(corpus.GIVEN)


def fill(rng: random.Random, templates: Sequence[str], slots: Slots, target: int) -> list[str]:
    """Sentences drawn without repetition until the text reaches about `target` characters."""
    out: list[str] = []
    size = 0
    for template in rng.sample(list(templates), len(templates)):
        if size >= target:
            break
        sentence = template.format_map(slots)
        out.append(sentence)
        size += len(sentence)
    return out


def paragraphs(rng: random.Random, sentences: Sequence[str]) -> str:
    """Sentences grouped into paragraphs of two to four, as Markdown."""
    paras: list[str] = []
    i = 0
    while i < len(sentences):
        k = rng.randint(2, 4)
        paras.append("".join(sentences[i : i + k]))
        i += k
    return "\n\n".join(paras) + "\n"


def steps_list(rng: random.Random, slots: Slots) -> str:
    steps = rng.sample(corpus.STEPS, rng.randint(3, 5))
    lines = [
        f"- {corpus.STEP_NUMBERS[i]}是**{what}**：{how.format_map(slots)}。" for i, (what, how) in enumerate(steps)
    ]
    return "主要做法有以下几条：\n\n" + "\n".join(lines) + "\n"


# -- one record --------------------------------------------------------------------------
def _rng(seed: int, i: int, stream: str) -> random.Random:
    return random.Random(f"casebook-bench:{seed}:{i}:{stream}")


def _identity(i: int, seed: int, ref: Reference) -> tuple[str, PlaceChoice, str]:
    """A case's id, place and practice: cheap, so that later cases can link to earlier ones."""
    rng = _rng(seed, i, "id")
    place = rng.choice(ref.places)
    practice, slug = rng.choice(corpus.PRACTICES)
    return f"{place.slug}-{slug}-{i:04d}", place, practice


def case_id(i: int, seed: int, ref: Reference) -> str:
    return _identity(i, seed, ref)[0]


def figure_display(value: int, qualifier: str, unit: str) -> str:
    """As casebook.model.Figure.display: 约20人 but 180余次."""
    if qualifier in ("约", "近", "逾"):
        return f"{qualifier}{value}{unit}"
    return f"{value}{qualifier}{unit}"


def _rounded(value: int, qualifier: str) -> int:
    """A source writes 2万余人次 or 1500多人, never 21553多: keep two significant digits."""
    if not qualifier or value < 100:
        return value
    step = 10 ** (len(str(value)) - 2)
    return value // step * step


def make_figures(rng: random.Random) -> list[Record]:
    figures: list[Record] = []
    for anchor, label, unit, low, high in rng.sample(corpus.FIGURES, rng.randint(1, 5)):
        qualifier = rng.choice(("", "", "", "余", "多", "约", "近", "逾"))
        fig: Record = {"id": anchor, "label": label, "value": _rounded(rng.randint(low, high), qualifier)}
        if qualifier:
            fig["qualifier"] = qualifier
        fig["unit"] = unit
        if rng.random() < 0.6:
            fig["as_of"] = str(rng.randint(2016, 2025)) + rng.choice(("", "-06", "-12"))
        if rng.random() < 0.3:
            fig["note"] = rng.choice(("据社区统计", "含线上服务", "不含重复计数", "来源原文如此"))
        figures.append(fig)
    return figures


def date_zh(value: str) -> str:
    """2017-09 -> 2017年9月, as the site writes dates."""
    return "".join(f"{int(part)}{unit}" for part, unit in zip(value.split("-"), "年月日", strict=False))


def figure_sentences(rng: random.Random, figures: Sequence[Record], slots: Slots) -> list[str]:
    out = []
    for fig in figures:
        display = figure_display(fig["value"], fig.get("qualifier", ""), fig["unit"])
        as_of = date_zh(fig.get("as_of", slots["year"]))
        template = rng.choice(corpus.FIGURE_SENTENCES)
        out.append(template.format_map({**slots, "as_of": as_of, "label": fig["label"], "display": display}))
    return out


def sections(rng: random.Random, slots: Slots, figures: Sequence[Record]) -> Record:
    practice = paragraphs(rng, fill(rng, corpus.PRACTICE, slots, rng.randint(500, 800)))
    if rng.random() < 0.5:
        practice += "\n" + steps_list(rng, slots)
    results = fill(rng, corpus.RESULTS, slots, rng.randint(250, 450))
    results[1:1] = figure_sentences(rng, figures, slots)
    return {
        "background": paragraphs(rng, fill(rng, corpus.BACKGROUND, slots, rng.randint(350, 550))),
        "practice": practice,
        "results": paragraphs(rng, results),
        "insights": paragraphs(rng, fill(rng, corpus.INSIGHTS, slots, rng.randint(250, 450))),
    }


def title_and_summary(rng: random.Random, place: PlaceChoice, slots: Slots, figures: Sequence[Record]) -> Record:
    where = place.unit if place.unit == place.district[1] else place.district[1] + place.unit
    title = rng.choice(
        (
            f"{where}“{slots['practice']}”",
            f"{where}以“{slots['practice']}”破解{slots['issue']}难题",
            f"{where}{slots['issue']}治理实践",
            f"{where}探索“{slots['practice']}”",
        )
    )
    fig = figures[0]
    figure = fig["label"] + figure_display(fig["value"], fig.get("qualifier", ""), fig["unit"])
    summary = rng.choice(
        (
            f"{place.full}针对{slots['issue_long']}的问题，推行“{slots['practice']}”，{figure}。",
            f"{place.full}以“{slots['practice']}”为抓手破解{slots['issue']}难题，{figure}。",
            f"在{slots['unit']}党组织引领下，{slots['actor']}和居民共同参与{slots['issue']}治理，{figure}。",
        )
    )
    return {"title": title, "summary": summary}


def people_and_quotes(rng: random.Random, slots: Slots) -> Record:
    people = [
        {"name": person_name(rng), "role": rng.choice(corpus.PERSON_ROLES).format_map(slots)}
        for _ in range(rng.randint(0, 3))
    ]
    quotes: list[Record] = []
    for _ in range(rng.randint(0, 3)):
        quote: Record = {"text": rng.choice(corpus.QUOTES).format_map(slots)}
        if people and rng.random() < 0.5:
            person = rng.choice(people)
            quote |= {"speaker": person["name"], "role": person["role"]}
        else:
            quote["speaker"] = rng.choice(corpus.SURNAMES) + rng.choice(corpus.HONORIFICS)
            quote["role"] = "居民"
        quotes.append(quote)
    return {"quotes": quotes, "people": people}


def media_and_sources(rng: random.Random, slots: Slots, ref: Reference) -> Record:
    media: list[Record] = []
    for _ in range(rng.randint(0, 2)):
        item: Record = {"caption": rng.choice(corpus.MEDIA).format_map(slots)}
        if rng.random() < 0.7:
            item["credit"] = rng.choice(ref.outlets)
        media.append(item)
    sources: list[Record] = []
    for source in rng.sample(ref.sources, rng.randint(1, min(2, len(ref.sources)))):
        item = {"ref": source, "note": rng.choice(corpus.SOURCE_NOTES)}
        if rng.random() < 0.3:
            item["page"] = str(rng.randint(8, 64))
        sources.append(item)
    return {"media": media, "sources": sources}


def _date(rng: random.Random, start: dt.date, span_days: int) -> dt.date:
    return min(start + dt.timedelta(days=rng.randint(0, span_days)), LATEST_DAY)


def dates(rng: random.Random) -> Record:
    start = dt.date(rng.randint(2015, 2024), rng.randint(1, 12), rng.randint(1, 28))
    precision = rng.choice((4, 7, 10))
    period = {"start": start.isoformat()[:precision]}
    if rng.random() < 0.4:
        period["end"] = _date(rng, start + dt.timedelta(days=400), 900).isoformat()[:precision]
    added = _date(rng, dt.date(2025, 1, 1), 640)
    updated = _date(rng, added, 60)
    return {"period": period, "added": added.isoformat(), "updated": updated.isoformat()}


# A teacher's guide's lesson plan: the five stages of a 90-minute lesson (they must add up).
LESSON_PLAN = (
    ("课前阅读", 15, "学员阅读案例正文和思考题"),
    ("导入", 10, "教师提出问题，引出案例"),
    ("分组研讨", 30, "每组围绕一道思考题讨论"),
    ("班级交流", 20, "各组汇报，其他组补充"),
    ("教师点评", 15, "教师对照关键要点小结"),
)


def teaching(rng: random.Random, slots: Slots) -> Record:
    return {
        "written_by": "editors",
        "objectives": [t.format_map(slots) for t in rng.sample(corpus.TEACHING_OBJECTIVES, 2)],
        "use": "适用于社区党组织书记、街道干部培训中的党建引领基层治理专题。",
        "questions": [t.format_map(slots) for t in rng.sample(corpus.TEACHING_QUESTIONS, rng.randint(3, 5))],
        "analysis": [t.format_map(slots) for t in rng.sample(corpus.TEACHING_OBJECTIVES, 2)],
        "points": rng.sample(corpus.TEACHING_POINTS, 3),
        "plan": {"minutes": 90, "steps": [{"stage": s, "minutes": m, "activity": a} for s, m, a in LESSON_PLAN]},
    }


def links(rng: random.Random, i: int, seed: int, ref: Reference) -> Record:
    """Related cases (earlier ones only, so any prefix of the sequence is valid) and, rarely, an old id."""
    out: Record = {}
    earlier = range(max(0, i - 40), i)
    if earlier and rng.random() < 0.5:
        out["related"] = [case_id(j, seed, ref) for j in rng.sample(earlier, min(len(earlier), rng.randint(1, 2)))]
    if rng.random() < 0.03:
        out["aliases"] = [f"{case_id(i, seed, ref)}-jiu"]  # ids end in digits, so this is nobody's id
    return out


def make_case(i: int, seed: int, ref: Reference) -> Record:
    ident, place, practice = _identity(i, seed, ref)
    rng = _rng(seed, i, "body")
    slots = Slots.build(rng, place, ref, practice)
    figures = make_figures(rng)
    record: Record = {
        "id": ident,
        **title_and_summary(rng, place, slots, figures),
        "pillars": rng.sample(ref.pillars, rng.randint(1, min(2, len(ref.pillars)))),
        "policies": rng.sample(ref.policies, rng.randint(0, min(2, len(ref.policies)))),
        "place": place.record(),
        "themes": rng.sample(ref.themes, rng.randint(1, min(3, len(ref.themes)))),
        "keywords": list(dict.fromkeys([practice, slots["issue"], *rng.sample(corpus.KEYWORDS, rng.randint(2, 5))])),
        **sections(rng, slots, figures),
        "figures": figures,
        **people_and_quotes(rng, slots),
        **media_and_sources(rng, slots, ref),
        **links(rng, i, seed, ref),
        **dates(rng),
    }
    if rng.random() < 0.25:
        record["teaching"] = teaching(rng, slots)
    return {key: record[key] for key in FIELD_ORDER if key in record and record[key] != []}


def generate(n: int, seed: int = 1, ref: Reference | None = None) -> list[Record]:
    ref = ref or read_reference()
    return [make_case(i, seed, ref) for i in range(n)]


# -- files -------------------------------------------------------------------------------
class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Block scalars (`|`) for Markdown, as editors write them."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _str)


def dump(record: Record) -> str:
    body = yaml.dump(record, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)
    return SCHEMA_LINE + body


def check_destination(dest: Path) -> None:
    """Refuse to write into the real project (above all into its cases/)."""
    dest, root = dest.resolve(), ROOT.resolve()
    if dest == root or dest.is_relative_to(root / "cases") or dest.is_relative_to(root / "data"):
        raise ValueError(f"refusing to write generated records into the real project: {dest}")


def write_cases(cases_dir: Path, records: Sequence[Record]) -> None:
    check_destination(cases_dir)
    cases_dir.mkdir(parents=True, exist_ok=True)
    for record in records:
        (cases_dir / f"{record['id']}.yml").write_text(dump(record), encoding="utf-8")


def make_project(dest: Path, records: Sequence[Record], root: Path = ROOT) -> Path:
    """A copy of the project whose cases/ holds the real records and `records`."""
    check_destination(dest)
    for part in PROJECT_PARTS:
        src, target = root / part, dest / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if not src.exists():
            continue
        if src.is_dir():
            shutil.copytree(src, target)
        else:
            shutil.copy2(src, target)
    write_cases(dest / "cases", records)
    return dest


def main(argv: Sequence[str] | None = None) -> int:
    from casebook.records.diagnostics import format_text
    from casebook.records.loader import Project, load

    p = argparse.ArgumentParser(description="Write a project with N synthetic case records, then validate it.")
    p.add_argument("count", type=int)
    p.add_argument("dest", type=Path, help="a new folder (not inside the real cases/)")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    try:
        make_project(args.dest, generate(args.count, args.seed))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    result = load(Project(args.dest))
    if result.diagnostics:
        print(format_text(result.diagnostics), file=sys.stderr)
    print(f"{args.count} records in {args.dest / 'cases'}: {'valid' if result.ok else 'INVALID'}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
