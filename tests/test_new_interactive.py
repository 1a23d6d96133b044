"""`casebook new` at a terminal (issue 12): driven through a pseudo-terminal, it adds a new street
and community under their district and a new web source, checking each answer as it is typed
(with "did you mean"); data/places.yml and data/sources.yml keep their comments; the record,
once filled in, validates and builds, and its page cites the web source as GB/T 7714 says."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import yaml

from .conftest import casebook, mkdocs_build

CASE = "wuchang-nanhu-ceshi"
WEB_ID = "ceshi-web-2026-02-13"
URL = "https://news.cnhubei.com/content/2026-02/13/content_0000001.html"


class Terminal:
    """A child process on a pseudo-terminal: what it prints is read as a person reads a screen."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        master, slave = os.openpty()
        env = {**os.environ, "TERM": "dumb", "PYTHONIOENCODING": "utf-8"}
        self.proc = subprocess.Popen(
            args, cwd=cwd, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self.fd = master
        self.screen = ""
        self.seen = 0  # what expect() has consumed

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 4096)
        except OSError:  # the child has gone and closed its side
            return False
        self.screen += chunk.decode("utf-8", errors="replace")
        return bool(chunk)

    def expect(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while text not in self.screen[self.seen :]:
            if time.monotonic() > deadline or (not self._read(0.5) and self.proc.poll() is not None):
                raise AssertionError(f"never saw {text!r}; the screen:\n{self.screen[self.seen :]}")
        at = self.screen.index(text, self.seen) + len(text)
        shown, self.seen = self.screen[self.seen : at], at
        return shown

    def send(self, line: str) -> None:
        os.write(self.fd, (line + "\n").encode("utf-8"))

    def finish(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(0.2)
        while self._read(0.1):
            pass
        os.close(self.fd)
        return self.proc.wait(timeout=5)


def fill_in(record: Path) -> None:
    """What the editor writes next in place of the placeholders (test text, in a copy only)."""
    text = record.read_text(encoding="utf-8")
    text = text.replace(
        "summary: 待填写：一两句话的摘要", "summary: 测试用的摘要：南湖街道测试社区的红色物业做法（测试记录）。"
    )
    for part in ("背景", "做法", "成效"):
        text = text.replace(
            f"  待填写：{part}。只写来源中有的内容；可以分段，段与段之间空一行。", f"  测试用的{part}文字。"
        )
    record.write_text(text, encoding="utf-8")


def test_new_adds_a_community_and_a_web_source_and_the_record_builds(project: Path) -> None:
    places_before = (project / "data" / "places.yml").read_text(encoding="utf-8")
    sources_before = (project / "data" / "sources.yml").read_text(encoding="utf-8")
    t = Terminal([sys.executable, "-m", "casebook", "new"], project)
    t.expect("案例 id")
    t.send(CASE)
    t.expect("案例标题")
    t.send("南湖街道测试社区红色物业")
    t.expect("区的 id")
    t.send("wuchan")  # a slip: refused at once, with the nearest id
    t.expect("你是不是想写 wuchang（武昌区）")
    t.expect("区的 id")
    t.send("wuchang")
    # 武昌区 has no street listed: the question is still asked, and + adds one
    t.expect("这里还没有街道")
    t.expect("街道的 id")
    t.send("+")
    t.expect("新街道的 id")
    t.send("dongting")  # taken by a community of 武昌区
    t.expect("已有 id“dongting”")
    t.send("nanhu")
    t.expect("新街道的名称")
    t.send("南湖街道")
    t.expect("社区的 id")
    t.send("+")
    t.expect("新社区的 id")
    t.send("ceshi-shequ")
    t.expect("新社区的名称")
    t.send("测试社区")
    t.expect("所属支柱的 id")
    t.send("dadangwei")
    t.expect("主题的 id")
    t.send("weilao-fuwu")
    t.expect("落实的政策或工程的 id")
    t.send("hongse-wuye")
    t.expect("来源的 id")
    t.send("+")
    t.expect("来源类型：")
    t.expect("来源类型：")
    t.send("webb")
    t.expect("你是不是想写 web")
    t.send("web")
    t.expect("来源 id")
    t.send(WEB_ID)
    t.expect("title：")
    t.send("“三大统筹”强引领 “红色物业”优服务")
    t.expect("authors：")
    t.send("罗嘉柯")
    t.expect("note：")
    t.send("")
    t.expect("site：")
    t.send("")  # required: asked again
    t.expect("site 是必填的")
    t.send("荆楚网（湖北日报网）")
    t.expect("url：")
    t.send("news.cnhubei.com/x.html")
    t.expect("http://")
    t.send(URL)
    t.expect("published：")
    t.send("2026-02-30")  # no such day
    t.expect("published 不符合要求")
    t.send("2026-02-13")
    t.expect("accessed：")
    t.send("2026-02-14")
    t.expect(f"已创建 cases/{CASE}.yml")
    assert t.finish() == 0, t.screen

    # the reference files keep every line they had, comments included, and gain the entries
    places = (project / "data" / "places.yml").read_text(encoding="utf-8")
    sources = (project / "data" / "sources.yml").read_text(encoding="utf-8")
    assert all(line in places.splitlines() for line in places_before.splitlines())
    assert sources.startswith(sources_before)
    assert "        # 来源未写东亭社区所属街道。" in places
    wuchang = next(d for d in yaml.safe_load(places)["cities"][0]["districts"] if d["id"] == "wuchang")
    assert wuchang["streets"] == [
        {"id": "nanhu", "name": "南湖街道", "communities": [{"id": "ceshi-shequ", "name": "测试社区"}]}
    ]
    web = yaml.safe_load(sources)["sources"][-1]
    assert web == {
        "id": WEB_ID,
        "kind": "web",
        "title": "“三大统筹”强引领 “红色物业”优服务",
        "authors": ["罗嘉柯"],
        "site": "荆楚网（湖北日报网）",
        "url": URL,
        "published": "2026-02-13",
        "accessed": "2026-02-14",
    }
    record = project / "cases" / f"{CASE}.yml"
    data = yaml.safe_load(record.read_text(encoding="utf-8"))
    assert data["place"] == {"district": "wuchang", "street": "nanhu", "community": "ceshi-shequ"}
    assert data["policies"] == ["hongse-wuye"] and data["sources"] == [{"ref": WEB_ID}]

    fill_in(record)
    run = casebook("validate", cwd=project)
    assert run.code == 0, run.text
    site = project / "site"
    built = mkdocs_build(project, site)
    assert built.code == 0, built.text
    page = (site / "cases" / CASE / "index.html").read_text(encoding="utf-8")
    citation = f"罗嘉柯. “三大统筹”强引领 “红色物业”优服务[EB/OL]. (2026-02-13)[2026-02-14]. {URL}."
    assert citation in page
    # filed under 红色物业, it is on the 红色引擎工程 page too
    assert f"cases/{CASE}/" in (site / "policies" / "hongse-yinqing" / "index.html").read_text(encoding="utf-8")
