"""`casebook new` through the real command line: the file it writes, what it refuses, and a filled-in
record that validates and is published."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from casebook.editor.schemafields import children, fields, load_schema
from casebook.records import placeholders
from casebook.records.diagnostics import field_path
from casebook.records.yamlfile import load_file

from .conftest import ROOT, Run, casebook, mkdocs_build

NEW_ID = "hongshan-ceshi-anli"
TITLE = "洪山区新建流程测试案例"
EVERYTHING = (
    *("--id", NEW_ID, "--title", TITLE, "--district", "hongshan", "--street", "zhangjiawan"),
    *("--pillar", "dadangwei", "--theme", "xiaodi-gongjian", "--source", "dangyuan-shenghuo-2018-08"),
)
# What is left to write when everything the command asks for was given, and when only the id was.
LEFT_WITH_EVERYTHING = {"summary", "background", "practice", "results"}
LEFT_WITH_ID_ONLY = LEFT_WITH_EVERYTHING | {"title", "pillars[0]", "place.district", "themes[0]", "sources[0].ref"}


def new(*args: str, cwd: Path) -> Run:
    """`casebook new` as a script runs it: stdin is no terminal, so it never waits for an answer."""
    proc = subprocess.run(
        [sys.executable, "-m", "casebook", "new", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def reported(project: Path, rel: str) -> list[dict]:
    run = casebook("validate", "--format", "json", rel, cwd=project)
    assert "Traceback" not in run.text, run.text
    return json.loads(run.out)["diagnostics"]


def record(project: Path, ident: str = NEW_ID) -> Path:
    return project / "cases" / f"{ident}.yml"


# -- the file ----------------------------------------------------------------------------


def test_new_file_lists_every_schema_field_in_order_under_its_description(project: Path) -> None:
    run = new(*EVERYTHING, cwd=project)
    assert run.code == 0, run.text
    text = record(project).read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../data/schema/case.schema.json"
    schema = load_schema(ROOT)
    at = []
    for f in fields(schema):
        number = next(i for i, line in enumerate(lines) if re.match(rf"^(# )?{f.name}:", line))
        assert f.description in lines[number - 1], f"{f.name}: no comment from the schema above it"
        assert ("（必填）" in lines[number - 1]) == f.required, f.name
        at.append(number)
    assert at == sorted(at), "fields are not in the schema's order"
    for f in fields(schema):
        for kid in children(f):
            assert re.search(rf"^[ #]*(- )?{kid.name}:", text, re.M), f"{kid.path} is missing"
            assert kid.description in text, f"{kid.path}: no comment from the schema"


def test_new_file_holds_what_was_given_and_today(project: Path) -> None:
    run = new(*EVERYTHING, cwd=project)
    assert run.code == 0, run.text
    data = yaml.safe_load(record(project).read_text(encoding="utf-8"))
    today = dt.date.today().isoformat()
    assert data["id"] == NEW_ID and data["title"] == TITLE
    assert data["place"] == {"district": "hongshan", "street": "zhangjiawan"}
    assert data["pillars"] == ["dadangwei"] and data["themes"] == ["xiaodi-gongjian"]
    assert data["sources"] == [{"ref": "dangyuan-shenghuo-2018-08"}]
    assert data["added"] == today and data["updated"] == today
    assert f"cases/{NEW_ID}.yml" in run.out


@pytest.mark.parametrize(
    ("args", "left"),
    [
        pytest.param(EVERYTHING, LEFT_WITH_EVERYTHING, id="everything-given"),
        pytest.param(("--id", NEW_ID), LEFT_WITH_ID_ONLY, id="only-the-id"),
    ],
)
def test_unfinished_file_fails_only_on_what_is_left_to_write(project: Path, args: tuple, left: set[str]) -> None:
    run = new(*args, cwd=project)
    assert run.code == 0, run.text
    path = record(project)
    doc, problems = load_file(path, f"cases/{NEW_ID}.yml")
    assert doc is not None and not problems
    assert {field_path(p) for p in placeholders.find(doc.data)} == left
    # the check the loader is to run (see placeholders.check) names exactly those fields...
    assert {d.field for d in placeholders.check(doc)} == left
    # ...and whatever validate reports today is among them, nothing else
    found = reported(project, f"cases/{NEW_ID}.yml")
    assert {d["field"] for d in found} <= left, found
    if any(d["code"] == placeholders.CODE for d in found):  # once the loader runs the check
        assert {d["field"] for d in found} == left
    assert all(name in run.out for name in left), run.out


def test_filled_in_record_validates_and_is_published(project: Path, tmp_path: Path) -> None:
    assert new(*EVERYTHING, cwd=project).code == 0
    path = record(project)
    filled = re.sub(r"待填写[^\n]*", "测试用的案例内容，只用来检查新建流程。", path.read_text(encoding="utf-8"))
    path.write_text(filled, encoding="utf-8")
    run = casebook("validate", cwd=project)
    assert run.code == 0, run.text
    build = mkdocs_build(project, tmp_path / "site")
    assert build.code == 0, build.text
    page = tmp_path / "site" / "cases" / NEW_ID / "index.html"
    assert page.is_file()
    assert TITLE in page.read_text(encoding="utf-8")


# -- refusals ----------------------------------------------------------------------------


def refused(project: Path, *args: str) -> Run:
    before = sorted(p.name for p in (project / "cases").iterdir())
    run = new(*args, cwd=project)
    assert run.code == 1, run.text
    assert "Traceback" not in run.text and "内部错误" not in run.text, run.text
    assert sorted(p.name for p in (project / "cases").iterdir()) == before, "a file was written anyway"
    return run


@pytest.mark.parametrize(
    ("ident", "words"),
    [
        pytest.param(
            "hongshan-jiexiao-qianshou", ["已被使用", "cases/hongshan-jiexiao-qianshou.yml"], id="existing-id"
        ),
        pytest.param("Hongshan-Xin", ["小写", "hongshan-xin"], id="capitals"),
        pytest.param("hongshan_xin", ["格式不对"], id="underscore"),
        pytest.param("hongshan--xin", ["格式不对"], id="double-hyphen"),
        pytest.param("-hongshan", ["格式不对"], id="leading-hyphen"),
        pytest.param("hongshan xin", ["空格"], id="space"),
        pytest.param("洪山新案例", ["汉语拼音"], id="chinese"),
        pytest.param("ｈｏｎｇｓｈａｎ－ｘｉｎ", ["全角", "半角", "hongshan-xin"], id="full-width"),
        pytest.param("hongshan\u200b-xin", ["看不见", "U+200B", "零宽空格"], id="zero-width-space"),
        pytest.param("hongshan-xin\ufeff", ["看不见", "U+FEFF"], id="byte-order-mark"),
        pytest.param("hongshan\u00a0xin", ["看不见", "不换行空格"], id="no-break-space"),
    ],
)
def test_refuses_an_id_it_cannot_use(project: Path, ident: str, words: list[str]) -> None:
    run = refused(project, f"--id={ident}", "--title", TITLE)
    for word in words:
        assert word in run.err, run.err


def test_refuses_an_old_id_kept_as_an_alias(project: Path) -> None:
    path = project / "cases" / "hongshan-jiexiao-qianshou.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("\nadded:", "\naliases: [jiexiao]\nadded:"), "utf-8")
    run = refused(project, "--id", "jiexiao")
    assert "旧 id" in run.err and "cases/hongshan-jiexiao-qianshou.yml" in run.err and "aliases" in run.err


def test_refuses_without_an_id_when_there_is_no_terminal(project: Path) -> None:
    run = refused(project, "--title", TITLE)
    assert "--id" in run.err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        pytest.param(("--district", "洪山区"), ["不是名称", "hongshan"], id="district-by-name"),
        pytest.param(("--district", "hongshn"), ["没有区", "hongshan"], id="district-typo"),
        pytest.param(
            ("--district", "qingshan", "--street", "zhangjiawan"), ["不属于", "hongshan"], id="street-elsewhere"
        ),
        pytest.param(
            ("--district", "hongshan", "--community", "bihai"), ["不属于", "jinyinhu"], id="community-elsewhere"
        ),
        pytest.param(("--pillar", "大党委"), ["不是名称", "dadangwei"], id="pillar-by-name"),
        pytest.param(("--theme", "xiaodi-gongjan"), ["没有主题", "xiaodi-gongjian"], id="theme-typo"),
        pytest.param(("--source", "changjiang"), ["没有来源"], id="unknown-source"),
        pytest.param(("--title", "短"), ["4 至 60"], id="title-too-short"),
    ],
)
def test_refuses_ids_that_are_not_in_data(project: Path, args: tuple[str, ...], words: list[str]) -> None:
    run = refused(project, "--id", NEW_ID, *args)
    for word in words:
        assert word in run.err, run.err


def test_id_and_title_rules_come_from_the_schema(project: Path) -> None:
    """Change the schema alone: `casebook new` refuses by the new pattern, lengths and reserved names."""
    path = project / "data" / "schema" / "case.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["properties"]["id"]["maxLength"] = 12
    schema["properties"]["title"]["minLength"] = 6
    schema["properties"]["id"]["not"] = {"enum": ["baoliu"]}
    schema["properties"]["id"]["x-hint"] = schema["properties"]["id"]["x-reserved-hint"] = "这个名字留给网站自己用。"
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    assert "2 至 12 个字符" in refused(project, "--id", "hongshan-ceshi").err
    assert "6 至 60 个字" in refused(project, "--id", "ceshi", "--title", "五个字标题").err
    assert "这个名字留给网站自己用。" in refused(project, "--id", "baoliu").err
    assert new("--id", "ceshi", "--title", "六个字的标题", cwd=project).code == 0


def test_unreadable_reference_data_is_refused(project: Path) -> None:
    (project / "data" / "themes.yml").write_text("themes: [\n", encoding="utf-8")
    assert "data/themes.yml" in refused(project, "--id", NEW_ID).err


def test_a_street_or_community_names_its_district(project: Path) -> None:
    assert new("--id", NEW_ID, "--community", "guangxia", cwd=project).code == 0
    data = yaml.safe_load(record(project).read_text(encoding="utf-8"))
    assert data["place"] == {"district": "hongshan", "street": "zhangjiawan", "community": "guangxia"}


# -- at a terminal -----------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_asks_at_a_terminal_and_asks_again_after_a_wrong_answer(project: Path) -> None:
    answers = [
        "ｃｅｓｈｉ",  # full-width: refused, asked again
        NEW_ID,
        TITLE,
        "洪山区",  # a name: refused with the id, asked again
        "hongshan",
        "zhangjiawan",
        "",  # no community
        "dadangwei sanzhi",
        "",  # themes left to fill in
        "",  # no policy
        "dangyuan-shenghuo-2018-08",
    ]
    controller, terminal = os.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "casebook", "new"],
            cwd=project,
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.write(controller, ("\n".join(answers) + "\n").encode())
        out, err = proc.communicate(timeout=120)
    finally:
        os.close(terminal)
        os.close(controller)
    assert proc.returncode == 0, out + err
    assert "全角" in err and "hongshan（洪山区）" in err
    assert "案例标题" in out and "可选：hongshan（洪山区）" in out
    data = yaml.safe_load(record(project).read_text(encoding="utf-8"))
    assert data["title"] == TITLE and data["pillars"] == ["dadangwei", "sanzhi"]
    assert data["place"] == {"district": "hongshan", "street": "zhangjiawan"}
    assert data["themes"] == [placeholders.MARKER]
