"""The preview keeps serving (issue 12): `make serve`'s command, with one record half-filled,
serves the rest of the site and, at the broken case's address, the located errors; every rebuild
prints them in full; fixing the record brings the case back on the next save."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .conftest import mkdocs_build

BROKEN = "jinyinhu-hongse-wuye-waiyu-ban"
OTHER = "qinghe-ju-tiantian-qiaomen"
# The Makefile's `serve` recipe, on a port of our own.
SERVE = ("mkdocs", "serve", "--dirty", "--no-strict")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, ""
    except OSError:
        return 0, ""


def until(check: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def server(project: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    log = project / "serve.log"
    env = {**os.environ, "CASEBOOK_PREVIEW": "1", "NO_MKDOCS_2_WARNING": "1"}
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", *SERVE, "-a", f"127.0.0.1:{port}"],
            cwd=project,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with everything it started
        )
        try:
            yield f"http://127.0.0.1:{port}/", log
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def test_a_half_filled_record_leaves_the_rest_served(project: Path, server: tuple[str, Path]) -> None:
    url, log = server
    record = project / "cases" / f"{BROKEN}.yml"
    original = record.read_text(encoding="utf-8")
    # the editor has not written the summary yet: a required field is missing
    record.write_text(
        "".join(line for line in original.splitlines(keepends=True) if not line.startswith("summary:")),
        encoding="utf-8",
    )
    until(lambda: get(url)[0] == 200, "the home page")
    status, other = get(f"{url}cases/{OTHER}/")
    assert status == 200 and "天天敲门组" in other
    status, broken = get(f"{url}cases/{BROKEN}/")
    assert status == 200
    assert f"cases/{BROKEN}.yml:" in broken and "<code>summary</code>" in broken and "是必填字段" in broken
    assert "提示" in broken
    assert get(f"{url}policies/hongse-yinqing/")[0] == 200
    first = log.read_text(encoding="utf-8").count("summary 是必填字段")
    assert first == 1, log.read_text(encoding="utf-8")

    # a second save with the same error: the terminal says it again, in full
    record.write_text(record.read_text(encoding="utf-8") + "# 还在写\n", encoding="utf-8")
    until(lambda: log.read_text(encoding="utf-8").count("summary 是必填字段") == 2, "the errors printed again")

    # the fix brings the case back on the next save
    record.write_text(original, encoding="utf-8")
    until(lambda: "<h1>碧海红色物业老年人外语班</h1>" in get(f"{url}cases/{BROKEN}/")[1], "the case page")
    assert f'href="../../cases/{BROKEN}/"' in get(f"{url}policies/hongse-yinqing/")[1]


def test_the_strict_build_still_fails_on_the_same_record(project: Path) -> None:
    record = project / "cases" / f"{BROKEN}.yml"
    text = record.read_text(encoding="utf-8")
    record.write_text(
        "".join(line for line in text.splitlines(keepends=True) if not line.startswith("summary:")), encoding="utf-8"
    )
    run = mkdocs_build(project, project / "site")
    assert run.code != 0
    assert f"cases/{BROKEN}.yml:" in run.text and "summary 是必填字段" in run.text


def test_a_preview_that_empties_its_folder_still_writes_every_page(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A preview hands MkDocs only the case pages and cards whose key changed, trusting the
    folder to hold the others; `mkdocs serve` without --dirty empties the folder before each
    build, so an unchanged page must be written again when its file is gone."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    monkeypatch.setenv("CASEBOOK_PREVIEW", "1")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(project)
    site = tmp_path / "site"
    for dirty in (True, True, False):  # the last: the folder emptied, as without --dirty
        config = load_config(str(project / "mkdocs.yml"), strict=False, site_dir=str(site))
        config.plugins.on_startup(command="serve", dirty=dirty)
        build(config, dirty=dirty)
    for record in (project / "cases").glob("*.yml"):
        assert (site / "cases" / record.stem / "index.html").is_file(), record.stem
        assert (site / "cases" / record.stem / "card.json").is_file(), record.stem


def test_the_preview_sees_a_save_by_notice_and_rebuilds_once(project: Path, server: tuple[str, Path]) -> None:
    """`make serve` watches with the system's change notices (casebook_mkdocs/watcher.py), not
    MkDocs' poller: a save made by renaming a new file over the old, as many editors save, is
    seen; and a build, which opens and reads every record, does not set off the next one."""
    url, log = server
    until(lambda: get(url)[0] == 200, "the home page")
    started = log.read_text(encoding="utf-8")
    assert "预览由系统的文件变动通知触发重建" in started
    # Before it waits for saves, the preview settles what its first build kept (build.settle_memory).
    frozen = re.search(r"预览常驻的 (\d+) 个对象不再由垃圾回收扫描", started)
    assert frozen and int(frozen.group(1)) > 10_000, started[-2000:]
    record = project / "cases" / f"{OTHER}.yml"
    text = record.read_text(encoding="utf-8")
    saved = record.with_suffix(".yml.swp")
    saved.write_text(text.replace("title: ", "title: 改过的", 1), encoding="utf-8")
    os.replace(saved, record)
    until(lambda: "改过的" in get(f"{url}cases/{OTHER}/")[1], "the saved title")

    def builds() -> int:
        return log.read_text(encoding="utf-8").count("Building documentation")

    time.sleep(3)
    settled = builds()
    time.sleep(4)
    assert builds() == settled, log.read_text(encoding="utf-8")[-2000:]


def test_a_path_the_watcher_does_not_know_stays_with_the_poller(project: Path) -> None:
    from mkdocs.livereload import LiveReloadServer

    from casebook_mkdocs.watcher import ChangeNotices, use_notices

    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=free_port(), root=str(project / "site"))
    server.watch(str(project / "docs"))
    server.watch(str(project / "mkdocs.yml"))
    assert use_notices(server, [str(project / "docs"), str(project / "mkdocs.yml"), str(project / "overrides")]) == (
        "notices"
    )
    assert isinstance(server.observer, ChangeNotices)
    assert {e.watch.path for e in server.observer.emitters} >= {str(project / "docs")}

    # a path the watcher does not know of is watched: everything stays with MkDocs' poller
    other = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=free_port(), root=str(project / "site"))
    other.watch(str(project / "docs"))
    other.watch(str(project / "cases"))
    poller = other.observer
    assert use_notices(other, [str(project / "docs")]) == "polling"
    assert other.observer is poller and len(poller.emitters) == 2


def test_casebook_watch_is_checked() -> None:
    from casebook.options import BuildOptions, OptionError

    assert BuildOptions.from_env({}).watch == "notices"
    assert BuildOptions.from_env({"CASEBOOK_WATCH": "poll"}).watch == "poll"
    with pytest.raises(OptionError, match="CASEBOOK_WATCH"):
        BuildOptions.from_env({"CASEBOOK_WATCH": "inotify"})


def test_a_preview_that_runs_all_day_keeps_one_version_of_each_answer(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each saved version of a record is a new key for its check, its model and the related
    lists around it; after each rebuild the server keeps only what that rebuild used, so saves
    do not pile up in its memory."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from casebook_mkdocs.build import _PREVIEW

    monkeypatch.setenv("CASEBOOK_PREVIEW", "1")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(project)
    record = project / "cases" / f"{OTHER}.yml"
    original = record.read_text(encoding="utf-8")
    site = tmp_path / "site"
    sizes = []
    for n in range(1, 5):
        # A new title and a new date each time: the date is part of every related list's key
        # around the case (the order of ties), so every save makes new related lists too.
        saved = original.replace("天天敲门组”\n", f"天天敲门组”第{n}稿\n", 1).replace(
            'updated: "2026-11-24"', f'updated: "2026-11-{24 + n}"', 1
        )
        assert saved.count(f"第{n}稿") == 1 and f"2026-11-{24 + n}" in saved
        record.write_text(saved, encoding="utf-8")
        config = load_config(str(project / "mkdocs.yml"), strict=False, site_dir=str(site))
        config.plugins.on_startup(command="serve", dirty=True)
        build(config, dirty=True)
        assert f"第{n}稿" in (site / "cases" / OTHER / "index.html").read_text(encoding="utf-8")
        checks = _PREVIEW.checks
        sizes.append((len(checks.entries), len(checks.cases), len(checks.cross), len(_PREVIEW.related.entries)))
    cases = len(list((project / "cases").glob("*.yml")))
    assert sizes[1] == sizes[2] == sizes[3], sizes
    assert sizes[3][1] == cases and sizes[3][3] == cases, sizes  # one model and one list per case


def test_an_error_in_data_leaves_the_last_site_served_with_the_errors_on_every_page(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MkDocs' server holds every request until a build succeeds: a half-edited file of data/
    must not leave the browser waiting without a word. The last casebook that built is served,
    every page saying which file is wrong, where, and what to do; fixing it takes the notice away
    from every page, those the preview would otherwise leave unwritten included."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    monkeypatch.setenv("CASEBOOK_PREVIEW", "1")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(project)
    site = tmp_path / "site"
    themes = project / "data" / "themes.yml"
    good = themes.read_text(encoding="utf-8")

    def rebuild() -> None:
        config = load_config(str(project / "mkdocs.yml"), strict=False, site_dir=str(site))
        config.plugins.on_startup(command="serve", dirty=True)
        build(config, dirty=True)

    pages = [site / "index.html", site / "cases" / OTHER / "index.html", site / "framework" / "index.html"]
    rebuild()
    assert all("cb-preview-stale" not in p.read_text(encoding="utf-8") for p in pages)
    themes.write_text(good.replace("themes:", "themes::", 1), encoding="utf-8")
    rebuild()  # succeeds: the last casebook, with the notice
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert 'class="cb-preview-stale" role="status"' in html, page
        assert "data/themes.yml:1:1" in html and "有 " in html and "改正并保存后" in html, page
    assert "青山区青和居" in pages[1].read_text(encoding="utf-8")  # the case itself still shown
    themes.write_text(good, encoding="utf-8")
    rebuild()
    for page in [*pages, *(site / "cases").glob("*/index.html")]:
        assert "cb-preview-stale" not in page.read_text(encoding="utf-8"), page


def test_a_preview_whose_first_build_meets_an_error_in_data_still_says_so(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """No casebook was built yet: nothing to serve, and the error names the file."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    import casebook_mkdocs.build as adapter

    monkeypatch.setenv("CASEBOOK_PREVIEW", "1")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(project)
    monkeypatch.setattr(adapter._PREVIEW, "last_book", None)
    themes = project / "data" / "themes.yml"
    themes.write_text(themes.read_text(encoding="utf-8").replace("themes:", "themes::", 1), encoding="utf-8")
    config = load_config(str(project / "mkdocs.yml"), strict=False, site_dir=str(tmp_path / "site"))
    config.plugins.on_startup(command="serve", dirty=True)
    with pytest.raises(Abort):
        build(config, dirty=True)
    assert "data/themes.yml:1:1" in caplog.text


def test_the_preview_keeps_one_template_environment_and_sees_an_edited_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A preview server keeps its template environment between saves (loading the templates
    anew was a tenth of a save at 5,000 cases); a template edited meanwhile is compiled again."""
    import shutil

    from casebook.site import templates
    from casebook.site.preview import PreviewMemory

    folder = tmp_path / "templates"
    shutil.copytree(templates.TEMPLATE_DIR, folder)
    monkeypatch.setattr(templates, "TEMPLATE_DIR", folder)
    memory = PreviewMemory()
    kept = memory.kept_templates(tmp_path / "jinja")
    assert memory.kept_templates(tmp_path / "jinja") is kept
    context = {"title": "旧网址", "target": "../x/", "canonical": "https://example.org/cases/x/"}
    assert "已改用新网址" in kept.render("redirect.html", **context)
    page = folder / "redirect.html"
    page.write_text(page.read_text(encoding="utf-8").replace("已改用新网址", "已经搬到新网址"), encoding="utf-8")
    later = page.stat().st_mtime_ns + 2_000_000_000  # a save seconds later, whatever the clock's grain
    os.utime(page, ns=(later, later))
    assert "已经搬到新网址" in memory.kept_templates(tmp_path / "jinja").render("redirect.html", **context)


def test_a_preview_copies_the_qr_code_of_a_new_case_and_keeps_the_others(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A preview looks up only the QR codes whose address is new to their file; a new case's
    code must still be there, drawn for its address, and the others stay in place."""
    import io

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from PIL import Image

    from casebook.site.urls import QR_FILE

    monkeypatch.setenv("CASEBOOK_PREVIEW", "1")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(project)
    site = tmp_path / "site"

    def rebuild() -> None:
        config = load_config(str(project / "mkdocs.yml"), strict=False, site_dir=str(site))
        config.plugins.on_startup(command="serve", dirty=True)
        build(config, dirty=True)

    rebuild()
    before = {p: p.read_bytes() for p in site.glob(f"cases/*/{QR_FILE}")}
    assert len(before) == len(list((project / "cases").glob("*.yml")))
    new = "qinghe-ju-tiantian-qiaomen-xubian"
    text = (project / "cases" / f"{OTHER}.yml").read_text(encoding="utf-8")
    (project / "cases" / f"{new}.yml").write_text(text.replace(f"id: {OTHER}", f"id: {new}", 1), encoding="utf-8")
    rebuild()
    code = site / "cases" / new / QR_FILE
    assert code.is_file()
    with Image.open(io.BytesIO(code.read_bytes())) as im:
        assert im.format == "PNG"
    assert code.read_bytes() != before[site / "cases" / OTHER / QR_FILE]  # its own address
    assert {p: p.read_bytes() for p in before} == before
