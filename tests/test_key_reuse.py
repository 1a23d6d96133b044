"""A preview carries most case keys from one rebuild to the next (casebook.site.key_reuse): after
every kind of change, the keys it carries and works out must be the keys a fresh build works out,
for every case page and every listing, or a preview would show a stale page. Each test changes
one thing in a copy of the project (the real records plus generated ones that name each other,
one with a photo) and compares the two."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from bench.generate import dump, generate
from PIL import Image

from casebook.model import Casebook
from casebook.records.check_cache import CheckCache
from casebook.records.loader import Project, load
from casebook.site.key_reuse import KeyState
from casebook.site.page_keys import PageCache
from casebook.site.pages import SitePages, photos
from casebook.site.templates import Templates

PHOTO_CASE = "qinghe-ju-tiantian-qiaomen"
CROWDED = 30  # the generated record that names eight others


def _jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def _book(project: Path) -> Casebook:
    # With a check cache, as a preview loads: the records' digests are its keys.
    result = load(Project(project), cache=CheckCache(None))
    assert result.ok and result.casebook is not None, result.diagnostics[:3]
    return result.casebook


def _site(project: Path, book: Casebook, previous: KeyState | None = None) -> SitePages:
    sizes = photos(book, project / "cases")
    return SitePages(book, Templates(), sizes, cache=PageCache(None), previous_keys=previous)


def _keys(site: SitePages) -> dict[str, bytes | None]:
    """Every key a preview asks for: each page's (case pages and listings) and each case's card."""
    out: dict[str, bytes | None] = {page.path: page.key for page in site.all()}
    out |= {f"card:{c.id}": site.case_key(c) for c in site.book.cases.values()}
    return out


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("reuse") / "project")
    records = generate(40, seed=5)
    for i, record in enumerate(records):
        if i % 3 == 1:  # some name the one before: an edit to one reaches the other's page
            record["related"] = [records[i - 1]["id"]]
    # One names more than its page lists (related.LIMIT): the last it names, and the one that
    # names it (the next record), are cut from its list, yet its key holds them.
    records[CROWDED]["related"] = [r["id"] for r in records[:8]]
    for record in records:
        (project / "cases" / f"{record['id']}.yml").write_text(dump(record), encoding="utf-8")
    folder = project / "cases" / PHOTO_CASE
    folder.mkdir()
    (folder / "door.jpg").write_bytes(_jpeg(1200, 900))
    record = project / "cases" / f"{PHOTO_CASE}.yml"
    text = record.read_text(encoding="utf-8")
    entry = "  - caption: 测试照片\n    credit: changjiang-wang\n    file: door.jpg\n    alt: 一张红色的测试图片\n"
    record.write_text(text.replace("media:\n", "media:\n" + entry, 1), encoding="utf-8")
    return project


def _generated(project: Path) -> list[Path]:
    return sorted(p for p in (project / "cases").glob("*.yml") if re.search(r"-\d{4}\.yml$", p.name))


def _record(project: Path, number: int) -> Path:
    """The generated record made `number`-th."""
    (found,) = (project / "cases").glob(f"*-{number:04d}.yml")
    return found


def _named(project: Path) -> Path:
    """A generated record that another one names in `related:`."""
    records = _generated(project)
    return next(f for f in records if any(f"- {f.stem}\n" in g.read_text(encoding="utf-8") for g in records if g != f))


def _edit(path: Path, pattern: str, replace: Callable[[re.Match[str]], str]) -> None:
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(pattern, replace, text, count=1, flags=re.M)
    assert n == 1 and new != text, (pattern, path)
    path.write_text(new, encoding="utf-8")


def retitle(p: Path) -> None:
    _edit(_named(p), r"^title: (.*)$", lambda m: f"title: 修订：{m.group(1)}")


def summary(p: Path) -> None:
    _edit(_generated(p)[5], r"^summary: (.*)$", lambda m: f"summary: {m.group(1)}另有补充。")


def date(p: Path) -> None:  # the order of ties in every list around it
    _edit(_named(p), r"^added: '?(\d{4})", lambda m: f"added: '{int(m.group(1)) - 3}")


def theme(p: Path) -> None:  # other groups: other candidates, other lists
    record = _generated(p)[7]
    new = next(t for t in ("xinxihua-fuwu", "jiafeng-wenming") if f"- {t}\n" not in record.read_text(encoding="utf-8"))
    _edit(record, r"^themes:\n- \S+$", lambda m: f"themes:\n- {new}")


def link(p: Path) -> None:  # a new curated link, read both ways
    records = _generated(p)
    text = records[9].read_text(encoding="utf-8")
    target = next(f.stem for f in reversed(records) if f.stem not in text)
    _edit(records[9], r"^related:(?: \[\])?$", lambda m: f"related:\n- {target}")


def unlink(p: Path) -> None:
    namer = next(f for f in _generated(p) if "\nrelated:\n" in f.read_text(encoding="utf-8"))
    _edit(namer, r"^related:\n(- \S+\n)+", lambda m: "")


def retitle_cut(p: Path) -> None:  # named by the crowded record, past its list's end
    _edit(_record(p, 7), r"^title: (.*)$", lambda m: f"title: 修订：{m.group(1)}")


def unlink_cut(p: Path) -> None:  # the crowded record's list stays, what it is worked out from does not
    _edit(_record(p, CROWDED + 1), r"^related:\n(- \S+\n)+", lambda m: "")


def add(p: Path) -> None:
    record = generate(41, seed=5)[-1]
    record["id"] = record["id"].rsplit("-", 1)[0] + "-9999"
    (p / "cases" / f"{record['id']}.yml").write_text(dump(record), encoding="utf-8")


def remove(p: Path) -> None:
    records = _generated(p)
    named = {s for f in records for s in re.findall(r"^- (\S+)$", f.read_text(encoding="utf-8"), re.M)}
    next(f for f in records if f.stem not in named).unlink()


def photo(p: Path) -> None:  # the same file name, other sizes: the record's digest stays
    (p / "cases" / PHOTO_CASE / "door.jpg").write_bytes(_jpeg(900, 1200))


def theme_name(p: Path) -> None:  # reference data: nothing is carried over
    _edit(p / "data" / "themes.yml", r"^(\s*name: )为老服务$", lambda m: f"{m.group(1)}为老助老服务")


EDITS = [retitle, summary, date, theme, link, unlink, retitle_cut, unlink_cut, add, remove, photo, theme_name]


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__ for e in EDITS])
def test_keys_carried_over_are_the_keys_a_fresh_build_works_out(
    base: Path, tmp_path: Path, edit: Callable[[Path], None]
) -> None:
    before = _site(base, _book(base))
    _keys(before)
    state = before.key_state()
    assert state is not None and len(state.cases) == len(before.book.cases)

    project = tmp_path / "changed"
    shutil.copytree(base, project)
    edit(project)
    book = _book(project)
    fresh = _keys(_site(project, book))
    carried_site = _site(project, book, state)
    carried = _keys(carried_site)
    assert carried == fresh, sorted(p for p in fresh if carried.get(p) != fresh[p])
    # Something changed, so something was worked out again …
    assert carried_site.keys_carried < len(book.cases)
    # … and the next rebuild gets the state a fresh build would hand it.
    assert carried_site.key_state() == _site(project, book).key_state()
    if edit is theme_name:
        assert carried_site.keys_carried == 0
    elif edit in (retitle, summary, photo, link, unlink, retitle_cut, unlink_cut):
        # The record's own page and those around it (in 45 cases, each list shows one in
        # seven of them): most keys are carried over.
        assert carried_site.keys_carried > len(book.cases) // 2, carried_site.keys_carried


def test_with_nothing_changed_every_key_is_carried_over(base: Path) -> None:
    first = _site(base, _book(base))
    _keys(first)
    again = _site(base, _book(base), first.key_state())
    assert _keys(again) == _keys(first)
    assert again.keys_carried == len(again.book.cases)
