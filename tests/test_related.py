"""Related cases (issue 13, item 6) and the cards the basket and the comparison read (items 4, 5):
computed in the core from real records, and from generated ones for the properties."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from bench.generate import generate, make_project

from casebook.model import Casebook
from casebook.records.keyed_files import MemoryEntries
from casebook.records.loader import Project, load
from casebook.site.basket import DOWNLOADS, case_card, lead
from casebook.site.markdown_fields import MarkdownFields
from casebook.site.pages import SitePages, case_cards
from casebook.site.related import CURATED, FINDS, LIMIT, WEIGHTS, RelatedCases
from casebook.site.view import View

from .conftest import ROOT


def loaded(root: Path) -> Casebook:
    result = load(Project(root))
    assert result.ok and result.casebook is not None, [d.text() for d in result.diagnostics]
    return result.casebook


def set_policies(project: Path, case_id: str, policies: str) -> None:
    path = project / "cases" / f"{case_id}.yml"
    text = path.read_text(encoding="utf-8")
    assert "\npolicies: []\n" in text, f"{case_id} no longer has an empty policy list for this test to fill"
    path.write_text(text.replace("\npolicies: []\n", f"\npolicies: {policies}\n"), encoding="utf-8")


@pytest.fixture
def policy_book(project: Path) -> Casebook:
    """The real records, with two more cases under 红色物业 and one under 红色引擎工程 (the
    programme 红色物业 belongs to): the real casebook has one case under any policy."""
    set_policies(project, "qinghe-ju-tiantian-qiaomen", "[hongse-wuye]")
    set_policies(project, "dongting-wuhan-weilinli", "[hongse-wuye]")
    set_policies(project, "hongshan-jiexiao-qianshou", "[hongse-yinqing]")
    return loaded(project)


def titles_and_reasons(related: RelatedCases, case_id: str) -> dict[str, tuple[str, ...]]:
    return {r.case.id: r.reasons for r in related.of(related.book.cases[case_id])}


def test_cases_under_one_policy_are_related_both_ways_with_the_reason(policy_book: Casebook) -> None:
    related = RelatedCases(policy_book)
    under = [c.id for c in policy_book.by_policy["hongse-wuye"]]
    assert len(under) == 3
    for a in under:
        mine = titles_and_reasons(related, a)
        for b in under:
            if b == a:
                continue
            assert b in mine, f"{b} is under 红色物业 with {a} but not among its related cases"
            assert "同属红色物业" in mine[b]
            assert "同属红色物业" in titles_and_reasons(related, b)[a]
    # A case under the programme and one under its project share the programme.
    programme = titles_and_reasons(related, "hongshan-jiexiao-qianshou")
    assert "同属红色引擎工程" in programme["jinyinhu-hongse-wuye-waiyu-ban"]
    project = titles_and_reasons(related, "jinyinhu-hongse-wuye-waiyu-ban")
    assert "同属红色引擎工程" in project["hongshan-jiexiao-qianshou"]
    # A shared policy says more than a shared theme: the policy's cases come first.
    order = [r.case.id for r in related.of(policy_book.cases["dongting-wuhan-weilinli"])]
    assert set(order[:2]) == {"jinyinhu-hongse-wuye-waiyu-ban", "qinghe-ju-tiantian-qiaomen"}


def test_curated_cases_come_first_in_both_directions(policy_book: Casebook) -> None:
    related = RelatedCases(policy_book)
    # qinghe names jiangxin-yuan and jiangxin-yuan names qinghe; both lead with the editor's pick.
    first = related.of(policy_book.cases["qinghe-ju-tiantian-qiaomen"])[0]
    assert (first.case.id, first.curated, first.reasons[0]) == ("jiangxin-yuan-shequ-wenhua", True, CURATED)
    back = related.of(policy_book.cases["jiangxin-yuan-shequ-wenhua"])[0]
    assert (back.case.id, back.curated) == ("qinghe-ju-tiantian-qiaomen", True)


@pytest.fixture(scope="module")
def generated_book(tmp_path_factory: pytest.TempPathFactory) -> Casebook:
    return loaded(make_project(tmp_path_factory.mktemp("related") / "project", generate(300)))


def test_the_relation_is_symmetric_deterministic_and_capped(generated_book: Casebook) -> None:
    unlimited = RelatedCases(generated_book, limit=10_000)
    lists = {c.id: {r.case.id: r for r in unlimited.of(c)} for c in generated_book.cases_by_title}
    pairs = 0
    for a, mine in lists.items():
        for b, r in mine.items():
            assert a in lists[b], f"{b} is related to {a} but not {a} to {b}"
            assert set(lists[b][a].reasons) == set(r.reasons), (a, b)
            assert lists[b][a].score == r.score
            pairs += 1
    assert pairs > 1000, "the generated casebook shares too little for this test to mean anything"
    # Every case under a policy lists the others under it, given room.
    for policy, cases in generated_book.by_policy.items():
        for case in cases:
            assert {c.id for c in cases} - {case.id} <= set(lists[case.id]), policy
    capped = RelatedCases(generated_book)
    for case in generated_book.cases_by_title[:50]:
        shown = capped.of(case)
        assert len(shown) <= LIMIT
        assert [r.case.id for r in shown] == [r.case.id for r in RelatedCases(generated_book).of(case)]
        # Cutting the list short never changes who leads it (the cap prunes, exactly).
        assert [r.case.id for r in shown] == [r.case.id for r in unlimited.of(case)][:LIMIT]
        scores = [r.score for r in shown if not r.curated]
        assert scores == sorted(scores, reverse=True)
        assert all(r.reasons for r in shown), "every related case says why"


def _counted(book: Casebook, related: RelatedCases, case_id: str, limit: int) -> list[tuple[str, int]]:
    """The computed (not curated) part of a list, counted the plain way: every other case scored
    by each value the two share, the `WEIGHTS` of the policies, programmes, places and themes
    that make two cases related, then the district and the pillars on top."""
    case = book.cases[case_id]
    mine = list(related._keys(case))
    skip = {case_id, *related._curated.get(case_id, ())}
    scored = []
    for other in book.cases.values():
        if other.id in skip:
            continue
        theirs = set(related._keys(other))
        if not any(k in theirs for k in mine if k[0] in FINDS):
            continue
        score = sum(WEIGHTS[k[0]] for k in mine if k[0] in FINDS and k in theirs)
        score += WEIGHTS["district"] * (other.place.district == case.place.district)
        score += WEIGHTS["pillar"] * len(set(case.pillars) & set(other.pillars))
        scored.append((-score, book.newest_rank[other.id], other.id))
    room = max(0, limit - len(related._curated.get(case_id, ())))
    return [(oid, -neg) for neg, _, oid in sorted(scored)[:room]]


@pytest.mark.parametrize("limit", [LIMIT, 40])
def test_every_list_is_the_one_a_plain_count_gives(generated_book: Casebook, limit: int) -> None:
    """The lists are scored over bitsets of each group's members; they must be exactly the ones
    that scoring every pair of cases gives, ties and the cap included."""
    related = RelatedCases(generated_book, limit=limit)
    ties = 0
    for case in generated_book.cases_by_title:
        shown = [(r.case.id, r.score) for r in related.of(case) if not r.curated]
        counted = _counted(generated_book, related, case.id, limit)
        assert shown == counted, case.id
        ties += len(shown) - len({s for _, s in shown})
    assert ties > 100, "too few ties between scores for the order of equal scores to be tested"


def _lists(related: RelatedCases, book: Casebook) -> dict[str, list[tuple[str, bool, tuple[str, ...], int]]]:
    return {c.id: [(r.case.id, r.curated, r.reasons, r.score) for r in related.of(c)] for c in book.cases_by_title}


def test_a_kept_list_is_the_list_computed_anew_after_any_change(generated_book: Casebook) -> None:
    """The memo answers a case's list from its key: after each change, every list it answers
    must be the one computed without it, and a change that cannot move a list (a title) must
    leave every list to the memo."""
    memo = MemoryEntries()
    assert _lists(RelatedCases(generated_book, memo=memo), generated_book) == _lists(
        RelatedCases(generated_book), generated_book
    )
    book = generated_book
    cases = book.cases_by_title
    a, b, c = cases[10], cases[20], cases[30]
    theme = next(iter(book.themes))
    changes = {
        # A title that sorts elsewhere: the index lists cases by title.
        "a title": {a.id: dataclasses.replace(a, title="啊" + a.title)},
        "a theme": {a.id: dataclasses.replace(a, themes=(*b.themes, *(t for t in c.themes if t not in b.themes)))},
        "a date": {b.id: dataclasses.replace(b, added="2030-01-01")},
        "a street": {c.id: dataclasses.replace(c, place=a.place)},
        "a policy": {a.id: dataclasses.replace(a, policies=b.policies or c.policies)},
        "a curated link": {c.id: dataclasses.replace(c, related=(a.id,))},
    }
    for what, edited in changes.items():
        changed = dataclasses.replace(book, cases={**book.cases, **edited})
        before = len(memo.entries)
        kept = _lists(RelatedCases(changed, memo=memo), changed)
        assert kept == _lists(RelatedCases(changed), changed), what
        if what == "a title":
            assert len(memo.entries) == before, "a title's edit recomputed lists"
    # Reference data names the reasons: a renamed theme is a new list wherever it is a reason.
    renamed = dataclasses.replace(
        book, themes={**book.themes, theme: dataclasses.replace(book.themes[theme], name="改名的主题")}
    )
    assert _lists(RelatedCases(renamed, memo=memo), renamed) == _lists(RelatedCases(renamed), renamed)


# -- the cards of the basket and the comparison -----------------------------------------------
def test_a_card_holds_what_the_comparison_shows(policy_book: Casebook) -> None:
    view = View(policy_book)
    case = policy_book.cases["hongshan-jiexiao-qianshou"]
    card = case_card(view, MarkdownFields(), case, set())
    assert card["title"] == case.title
    assert card["place"] == view.place_label(case)
    assert card["policies"] == ["红色引擎工程"]
    assert ["180余次", next(f.label for f in case.figures if f.display == "180余次")] in card["figures"]
    assert card["sources"] == [view.citation(ref) for ref in case.sources]
    for key in ("practice", "results"):
        text = str(card[key])
        assert 0 < len(text) <= 122 and "<" not in text and "**" not in text
        assert text.rstrip("…")[:20] in re.sub(r"\s+", "", getattr(case, key)), key
    assert card["downloads"] == []


def test_a_card_links_the_word_and_slide_files_the_site_holds() -> None:
    book = loaded(ROOT)
    site = SitePages(book)
    case_id = "qinghe-ju-tiantian-qiaomen"
    available = {f"cases/{case_id}/handout.docx", f"cases/{case_id}/slides.pptx"}
    cards = {f.path: json.loads(f.content) for f in case_cards(site, available)}
    assert set(cards) == {f"cases/{c}/card.json" for c in book.cases}
    assert cards[f"cases/{case_id}/card.json"]["downloads"] == [
        ["学员讲义（Word）", "handout.docx"],
        ["幻灯片（PPT）", "slides.pptx"],
    ]
    assert cards["cases/dongting-wuhan-weilinli/card.json"]["downloads"] == []
    assert [name for name, _ in DOWNLOADS] == ["handout.docx", "slides.pptx", "handout-teacher.docx"]


def test_the_lead_of_a_field_is_plain_text_cut_at_a_sentence() -> None:
    fields = MarkdownFields()
    assert lead(fields, "**加粗**的[链接](https://example.org)。") == "加粗的链接。"
    long = "第一句话说得比较长一些，" * 6 + "。" + "第二句" * 40
    cut = lead(fields, long)
    assert cut.endswith("。……") and len(cut) <= 122
    assert lead(fields, "第一段。\n\n第二段。") == "第一段。第二段。"


def test_the_lead_without_markup_is_what_the_converter_gives(
    generated_book: Casebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shortcut for text without markup (no conversion) gives what converting gives."""
    from casebook.site import basket

    fields = MarkdownFields()
    texts = [t for c in generated_book.cases_by_title[:200] for t in (c.practice, c.results)]
    texts += ["第一段，带一个 & 符号。\n\n第二段。", "一行\n接着一行。"]
    quick = [lead(fields, t) for t in texts]
    monkeypatch.setattr(basket, "_MARKUP", re.compile(""))  # matches everything: always convert
    assert [lead(fields, t) for t in texts] == quick


def test_a_case_page_key_changes_when_a_computed_related_case_does(project: Path) -> None:
    """A case page lists related cases it does not name: their titles are part of its key."""
    from casebook.site.page_keys import PageCache
    from casebook.site.templates import Templates

    def pages() -> dict[str, tuple[bytes | None, str]]:
        site = SitePages(loaded(project), Templates(), cache=PageCache(None))
        return {p.path: (p.key, p.render().html) for p in site.all() if p.key is not None}

    page = "cases/qinghe-ju-tiantian-qiaomen/"
    before = pages()
    assert "碧海红色物业老年人外语班" in before[page][1], "qinghe no longer shows jinyinhu: pick another pair"
    assert "jinyinhu-hongse-wuye-waiyu-ban" not in (project / "cases" / f"{page.split('/')[1]}.yml").read_text(
        encoding="utf-8"
    ), "qinghe names jinyinhu itself: the test would not reach the computed list"
    record = project / "cases" / "jinyinhu-hongse-wuye-waiyu-ban.yml"
    text = record.read_text(encoding="utf-8").replace("title: 碧海", "title: 东西湖碧海", 1)
    record.write_text(text, encoding="utf-8")
    after = pages()
    assert "东西湖碧海红色物业老年人外语班" in after[page][1]
    assert after[page][0] != before[page][0]
