"""A case page's key must change whenever its HTML would: otherwise a rebuild or a preview would
show a stale page. Each test changes one thing in a copy of the project (the real records plus
generated ones that name each other) and renders every case page before and after."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from bench.generate import dump, generate

from casebook.records.loader import Project, load
from casebook.site.page_keys import PageCache
from casebook.site.pages import SitePages
from casebook.site.related import RelatedCases
from casebook.site.templates import Templates

Pages = dict[str, tuple[bytes, str]]  # keyed page's path -> (key, HTML)
CASE_PAGE = re.compile(r"cases/(?!page/)[^/]+/")


def _pages(project: Path) -> Pages:
    result = load(Project(project))
    assert result.ok and result.casebook is not None, result.diagnostics[:3]
    site = SitePages(result.casebook, Templates(), cache=PageCache(None))
    out = {}
    for page in site.all():
        if page.key is not None:
            out[page.path] = (page.key, page.render().html)
    return out


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("keys") / "project")
    records = generate(12, seed=3)
    for i, record in enumerate(records):
        if i:  # each names the one before: an edit to one must reach the other's page
            record["related"] = [records[i - 1]["id"]]
        (project / "cases" / f"{record['id']}.yml").write_text(dump(record), encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def before(base: Path) -> Pages:
    return _pages(base)


def _changed(base: Path, tmp_path: Path, edit: Callable[[Path], None]) -> Pages:
    import shutil

    project = tmp_path / "changed"
    shutil.copytree(base, project)
    edit(project)
    return _pages(project)


def _stale(before: Pages, after: Pages) -> list[str]:
    """Pages whose key stayed the same while their HTML changed."""
    return [p for p in before if p in after and before[p][0] == after[p][0] and before[p][1] != after[p][1]]


def _rekeyed_any(before: Pages, after: Pages) -> set[str]:
    return {p for p in before if p in after and before[p][0] != after[p][0]}


def _rekeyed(before: Pages, after: Pages) -> set[str]:
    """The case pages whose key changed."""
    return {p for p in _rekeyed_any(before, after) if CASE_PAGE.fullmatch(p)}


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _cases_with(project: Path, key: str, value: str) -> set[str]:
    out = set()
    for f in (project / "cases").glob("*.yml"):
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        if value in (data.get(key) or []):
            out.add(f"cases/{f.stem}/")
    return out


def test_a_renamed_theme_renders_again_exactly_the_cases_under_it(base: Path, before: Pages, tmp_path: Path) -> None:
    after = _changed(
        base, tmp_path, lambda p: _replace(p / "data" / "themes.yml", "name: 为老服务", "name: 为老助老服务")
    )
    assert not _stale(before, after)
    assert _rekeyed(before, after) == _cases_with(base, "themes", "weilao-fuwu")


def test_a_renamed_policy_renders_again_the_cases_under_it_and_under_its_children(
    base: Path, before: Pages, tmp_path: Path
) -> None:
    after = _changed(
        base, tmp_path, lambda p: _replace(p / "data" / "policies.yml", "name: 红色引擎工程", "name: 红色引擎")
    )
    assert not _stale(before, after)
    under = _cases_with(base, "policies", "hongse-yinqing") | _cases_with(base, "policies", "hongse-wuye")
    assert under and _rekeyed(before, after) == under


def test_an_edited_record_renders_again_itself_and_the_cases_that_name_it(
    base: Path, before: Pages, tmp_path: Path
) -> None:
    records = sorted((base / "cases").glob("*.yml"))
    named = next(f for f in records if any(f.stem in g.read_text(encoding="utf-8") for g in records if g != f))

    def retitle(project: Path) -> None:
        f = project / "cases" / named.name
        f.write_text(re.sub(r"(?m)^title: ", "title: 修订：", f.read_text(encoding="utf-8"), count=1), encoding="utf-8")

    after = _changed(base, tmp_path, retitle)
    assert not _stale(before, after)
    namers = {
        f"cases/{g.stem}/"
        for g in records
        if named.stem in (yaml.safe_load(g.read_text(encoding="utf-8")).get("related") or [])
    }
    # Every page that lists it among its related cases: those that name it, and those the
    # core relates to it (curated both ways, and computed from what they share).
    book = load(Project(base)).casebook
    assert book is not None
    related = RelatedCases(book)
    showing = {f"cases/{c.id}/" for c in book.cases.values() if named.stem in {r.case.id for r in related.of(c)}}
    assert namers and namers <= showing
    assert _rekeyed(before, after) == {f"cases/{named.stem}/"} | showing


@pytest.mark.parametrize(
    "file, old, new",
    [
        ("data/places.yml", "name: 东西湖区", "name: 东西湖"),
        ("data/sources.yml", "title: 长江网", "title: 长江网（武汉）"),
        ("data/site.yml", None, None),
        ("data/collections/dangjian-yinling-shequ-zhili.yml", "title: 党建引领社区治理专题", "title: 党建引领专题"),
        ("data/framework.yml", None, None),
    ],
)
def test_reference_data_changes_leave_no_stale_page(
    base: Path, before: Pages, tmp_path: Path, file: str, old: str | None, new: str | None
) -> None:
    def edit(project: Path) -> None:
        path = project / file
        if old is None:  # the first quoted or plain "name:"/"title:" value of the file, changed
            text = path.read_text(encoding="utf-8")
            m = re.search(r"(?m)^(\s*(?:name|title):\s*)(\S.*)$", text)
            assert m, file
            path.write_text(text[: m.start(2)] + "改" + text[m.start(2) :], encoding="utf-8")
        else:
            _replace(path, old, new or "")

    after = _changed(base, tmp_path, edit)
    assert not _stale(before, after)
    assert _rekeyed(before, after), "a change that no page shows was tried: pick another"


def _listings(project: Path) -> Pages:
    """The browse pages after the first and the browse script's card files, with their keys."""
    from casebook.site.pages import browse_chunks
    from casebook.site.view import browse_chunk_path

    result = load(Project(project))
    assert result.ok and result.casebook is not None, result.diagnostics[:3]
    site = SitePages(result.casebook, Templates(), cache=PageCache(None))
    out = {p.path: (p.key, p.render().html) for p in site.all() if p.path.startswith("cases/page/")}
    assert all(key is not None for key, _ in out.values())
    chunks = {f.path: f.content for f in browse_chunks(site)}
    for i, chunk in enumerate(site.view.browse_chunks()):
        path = browse_chunk_path(i + 1)
        out[path] = (site.listing_key(chunk, "chunk", i), chunks[path])
    return out  # type: ignore[return-value]


@pytest.mark.parametrize(
    "edit",
    [
        "retitle",
        "theme",
        "place",
        "framework",
    ],
)
def test_browse_pages_and_card_files_change_key_with_what_they_show(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: str
) -> None:
    """A preview skips a browse page or a card file whose key did not change: the key must
    change whenever what it shows does (pages of 5 cards and files of 4 here, to have many)."""
    from casebook.site import view

    monkeypatch.setattr(view, "BROWSE_PAGE", 5)
    monkeypatch.setattr(view, "BROWSE_CHUNK", 4)
    before = _listings(base)
    assert len([p for p in before if p.startswith("cases/page/")]) >= 2 and len(before) >= 5
    book = load(Project(base)).casebook
    assert book is not None
    target = book.newest[len(book.newest) // 2]  # on a page after the first

    def change(project: Path) -> None:
        if edit == "retitle":
            f = project / "cases" / f"{target.id}.yml"
            f.write_text(re.sub(r"(?m)^title: ", "title: 修订：", f.read_text(encoding="utf-8"), count=1), "utf-8")
        elif edit == "theme":
            _replace(project / "data" / "themes.yml", "name: 为老服务", "name: 为老助老服务")
        elif edit == "place":
            _replace(project / "data" / "places.yml", "name: 东西湖区", "name: 东西湖")
        else:
            text = (project / "data" / "framework.yml").read_text(encoding="utf-8")
            m = re.search(r"(?m)^(\s*(?:label|title):\s*)(\S.*)$", text)
            assert m
            (project / "data" / "framework.yml").write_text(text[: m.start(2)] + "改" + text[m.start(2) :], "utf-8")

    import shutil

    shutil.copytree(base, tmp_path / "changed")
    change(tmp_path / "changed")
    after = _listings(tmp_path / "changed")
    assert not _stale(before, after)
    rekeyed = _rekeyed_any(before, after)
    assert rekeyed, "a change that no listing shows was tried"
    # A record key holds the titles of the cases a record names as related (its page shows
    # them): the listing that holds a case naming the retitled one is made again too.
    namers = {p for p in before if any(target.id in c.related and c.title in before[p][1] for c in book.cases.values())}
    if edit == "retitle":  # only the page and the card file that hold the case
        assert rekeyed == {p for p in before if target.title in before[p][1]} | namers, rekeyed


def test_an_edited_record_renders_again_the_pages_of_what_it_is_filed_under(
    base: Path, before: Pages, tmp_path: Path
) -> None:
    """A page about a part of the framework, a policy, a district, a theme or a collection shows
    the cases under it: it is rendered again when one of them changes, and only then."""
    from casebook.site import urls

    edited = "dongting-wuhan-weilinli"  # in a collection too

    def retitle(project: Path) -> None:
        f = project / "cases" / f"{edited}.yml"
        f.write_text(re.sub(r"(?m)^title: ", "title: 修订：", f.read_text(encoding="utf-8"), count=1), encoding="utf-8")

    after = _changed(base, tmp_path, retitle)
    assert not _stale(before, after)
    book = load(Project(base)).casebook
    assert book is not None
    case = book.cases[edited]
    holding = [urls.pillar(p) for p in case.pillars]
    holding += [urls.policy(p) for p in book.policies_of(case)]
    holding += [urls.place(case.place.district)]
    holding += [urls.theme(t) for t in case.themes]
    for c in book.collections.values():
        if any(item.case == edited for item in c.items):
            holding += [urls.collection(c.id), urls.collection_print(c.id)]
    assert any(p.startswith("collections/") for p in holding)
    assert _rekeyed_any(before, after) - _rekeyed(before, after) == set(holding)
