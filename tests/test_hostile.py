"""Hostile contributions (issue 15), at the records layer: what `casebook validate` refuses, each
with a located error (file:line:column, field, a plain Chinese message and a hint), never a
traceback, and what it never does (read through a link, open a FIFO, echo a file that is not a
record, take minutes).

Four corpora, each input counted in HOSTILE_INPUTS below:

- tests/hostile/*.yml: case records, one hostile change each, with their expected diagnostics in
  their header comments (the format of tests/corpus/, see test_corpus.py). They are checked
  together: all dropped into one copy of the project, one run of each output format;
- DATA_INPUTS: one change each to a reference-data file, data/site.yml or a lesson collection;
- the file-system tests: links, FIFOs, devices, folders and photos, made on disk;
- the pathological Markdown tests: made in Python, timed.

Classes (the numbering of the brief of this work): 1 characters no editor means, 2 ids anchored
at the very end, 3 reserved ids, 4 Markdown (attribute lists, images), 5 pathological Markdown,
6 the file system, 7 tracebacks, 8 build stops that validate passed, 9 site.yml's values.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import fastjsonschema
import markdown
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from casebook.records import character_check, characters
from casebook.records.diagnostics import Diagnostic, field_path, format_github, format_json, format_text
from casebook.records.loader import Project, load
from casebook.records.schemas import SchemaSet, check_site_values
from casebook.records.yamlfile import decode, parse
from casebook.site import markdown_fields

from .conftest import ROOT, Run, casebook, copy_project
from .test_corpus import Entry, Expect, parse_header, tiny_png

HOSTILE = Path(__file__).resolve().parent / "hostile"
SEED = "cases/hongshan-jiexiao-qianshou.yml"


def validate_json(project: Path, *paths: str) -> tuple[Run, dict]:
    run = casebook("validate", "--format", "json", *paths, cwd=project)
    assert "Traceback" not in run.text, run.text
    assert "内部错误" not in run.text, run.text
    return run, json.loads(run.out)


def shown(found: list[dict]) -> str:
    return "\n".join(
        f"  {d['file']}:{d['line']}:{d['column']} {d['field'] or '-'} {d['message']} | {d['hint']}" for d in found
    )


def expect_exactly(payload: dict, rel: str, expects: list[Expect] | tuple[Expect, ...]) -> None:
    """The expected errors in rel, and no other error there."""
    found = [d for d in payload["diagnostics"] if d["file"] == rel]
    left = list(found)
    for e in expects:
        hit = next((d for d in left if e.matches(d)), None)
        assert hit is not None, f"{rel}: expected {e}\nfound:\n{shown(found)}"
        left.remove(hit)
    unexpected = [d for d in left if d["severity"] == "error"]
    assert not unexpected, f"{rel}: unexpected errors besides the expected ones:\n{shown(found)}"


# -- 1. the corpus of hostile case records, checked in one run -------------------------------


def _entries() -> list[Entry]:
    return [parse_header(path) for path in sorted(HOSTILE.glob("*.yml"))]


ENTRIES = _entries()


@dataclass(frozen=True)
class Batch:
    payload: dict
    text: str


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """Every hostile record in one copy of the project, validated once in each format."""
    project = copy_project(tmp_path_factory.mktemp("hostile") / "project")
    for entry in ENTRIES:
        (project / "cases" / f"{entry.stem}.yml").write_bytes((HOSTILE / f"{entry.stem}.yml").read_bytes())
        if entry.photo:
            (project / "cases" / entry.stem).mkdir()
            (project / "cases" / entry.stem / entry.photo).write_bytes(tiny_png())
    with ThreadPoolExecutor(2) as pool:
        as_json = pool.submit(casebook, "validate", "--format", "json", cwd=project)
        as_text = pool.submit(casebook, "validate", cwd=project)
        runs = as_json.result(), as_text.result()
    for run in runs:
        assert "Traceback" not in run.text, run.text
        assert "内部错误" not in run.text, run.text
        assert run.code == 1, run.text
    return Batch(json.loads(runs[0].out), runs[1].out)


def test_the_hostile_corpus_is_self_consistent() -> None:
    assert len(ENTRIES) >= 50
    for path in sorted(HOSTILE.glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# corpus: hostile "), path.name
        ident = re.search(r"^id: (.*)$", text, flags=re.MULTILINE)
        assert ident and ident[1].strip('"').removesuffix("\\n") == path.stem, path.name


@pytest.mark.parametrize("entry", [pytest.param(e, id=e.stem) for e in ENTRIES])
def test_hostile_record(batch: Batch, entry: Entry) -> None:
    rel = f"cases/{entry.stem}.yml"
    expect_exactly(batch.payload, rel, entry.expects)
    # The text format says the same, first line first, with nothing of the value unescaped.
    lines = [ln for ln in batch.text.splitlines() if ln.startswith(f"{rel}:") and ": 错误: " in ln]
    top = min(entry.expects, key=lambda e: (e.line, e.column or 0))
    assert lines and lines[0].startswith(f"{rel}:{top.line}:"), batch.text
    assert all(ln.isprintable() for ln in lines), lines


def test_hostile_records_disturb_no_other_file(batch: Batch) -> None:
    stems = {e.stem for e in ENTRIES}
    others = [d for d in batch.payload["diagnostics"] if Path(d["file"]).stem not in stems]
    assert not others, shown(others)


# -- 2. reference data, site.yml and collections: one change each ----------------------------


@dataclass(frozen=True)
class Change:
    """In `file`, `old` becomes `new`; each expect names text of `new` whose line it is found at."""

    name: str
    cls: str
    file: str
    old: str
    new: str
    expects: tuple[tuple[str, str, str, str], ...]  # (text found on the line, field, words, hint words)
    quiet_cases: bool = False  # no case may be blamed for it (one broken file: one error)


NEW_THEME = "  - id: qunzhong-suqiu"
DISTRICT = "      - id: hongshan\n        name: 洪山区"
POLICY = "  - id: jiceng-zhili-1-10\n    name: 基层治理“1+10”系列改革"
PILLAR = "pillars:\n  - id: dadangwei"
STREET = "          - id: zhangjiawan\n            name: 张家湾街"
SOURCE = "  - id: wuchang-gongxueyuan-wangzhan"
COLLECTION = "data/collections/dangjian-yinling-shequ-zhili.yml"


def _theme(ident: str, name: str = "新的主题", description: str = "这是新加的一个主题。") -> str:
    return f"  - id: {ident}\n    name: {name}\n    description: {description}\n{NEW_THEME}"


DATA_INPUTS = [
    # 2. anchored ids
    Change(
        "theme-id-newline",
        "2",
        "data/themes.yml",
        NEW_THEME,
        _theme('"xin-zhuti\\n"'),
        (('"xin', "themes[9].id", "换行", ""),),
    ),
    Change(
        "district-id-newline",
        "2",
        "data/places.yml",
        DISTRICT,
        '      - id: "xin-qu\\n"\n        name: 新区\n' + DISTRICT,
        (('"xin-qu', "cities[0].districts[0].id", "换行", ""),),
    ),
    # 3. reserved ids
    Change(
        "theme-id-index",
        "3",
        "data/themes.yml",
        NEW_THEME,
        _theme("index"),
        (("index", "themes[9].id", "网站保留的名字", ""),),
    ),
    Change(
        "district-id-index",
        "3",
        "data/places.yml",
        DISTRICT,
        "      - id: index\n        name: 新区\n" + DISTRICT,
        (("index", "cities[0].districts[0].id", "网站保留的名字", "网站自己的页面"),),
    ),
    Change(
        "street-id-print",
        "3",
        "data/places.yml",
        STREET,
        "          - id: print\n            name: 新街\n" + STREET,
        (("print", "cities[0].districts[0].streets[0].id", "网站保留的名字", ""),),
    ),
    Change(
        "policy-id-search",
        "3",
        "data/policies.yml",
        POLICY,
        "  - id: search\n    name: 新政策\n    kind: 工程\n    description: 新政策的说明。\n"
        "    sources:\n      - ref: dangyuan-shenghuo-2018-08\n" + POLICY,
        (("search", "policies[0].id", "网站保留的名字", ""),),
    ),
    Change(
        "pillar-id-index",
        "3",
        "data/framework.yml",
        PILLAR,
        "pillars:\n  - id: index\n    number: '9'\n    title: 新的一个支柱\n    short: 新支柱\n"
        "    description: 新支柱的含义，取自来源。\n  - id: dadangwei",
        (("index", "pillars[0].id", "网站保留的名字", ""),),
    ),
    Change(
        "source-id-data",
        "3",
        "data/sources.yml",
        SOURCE,
        "  - id: data\n    kind: outlet\n    title: 新媒体\n" + SOURCE,
        (("data", "sources[1].id", "网站保留的名字", ""),),
    ),
    # 1. characters, and 7. what once stopped with a traceback
    Change(
        "policy-name-document-marker",
        "7",
        "data/policies.yml",
        "    name: 基层治理“1+10”系列改革",
        '    name: "基层治理“1+10”系列改革\\n---\\n"',
        (("name:", "policies[0].name", "换行", "只能写一行"),),
    ),
    Change(
        "theme-description-bell",
        "7",
        "data/themes.yml",
        "把党建工作延伸进校园",
        "把党建\x07工作延伸进校园",
        (("\x07", "", "控制字符 U+0007", "删除这个字符"),),
    ),
    Change(
        "policy-description-rlo",
        "1",
        "data/policies.yml",
        "文章未介绍这项改革的具体内容。",
        "文章未介绍这项\u202e改革的具体内容。",
        (("\u202e", "policies[0].description", "文字方向控制字符 U+202E", ""),),
    ),
    Change(
        "place-name-zero-width",
        "1",
        "data/places.yml",
        "        name: 洪山区",
        '        name: "\\u200B\\u200B"',
        (("name:", "cities[0].districts[0].name", "只有空白或看不见的字符", ""),),
    ),
    Change(
        "pillar-title-hangul-fillers",
        "1",
        "data/framework.yml",
        "    title: 强化社区大党委区域领导核心地位",
        "    title: \u3164\u3164\u3164\u3164",
        (("title:", "pillars[0].title", "只有空白或看不见的字符", ""),),
    ),
    Change(
        "collection-title-record-separator",
        "1",
        COLLECTION,
        "title: 党建引领社区治理专题",
        'title: "党建引领\\x1e社区治理专题"',
        (("title:", "title", "控制字符 U+001E", ""),),
    ),
    # 4. Markdown in reference data
    Change(
        "policy-description-image",
        "4",
        "data/policies.yml",
        "文章未介绍这项改革的具体内容。",
        "文章未介绍这项改革的具体内容。![x](a.png)",
        (("![x]", "policies[0].description", "这里不能插入图片", "cases/<id>/"),),
    ),
    Change(
        "framework-summary-attr-list",
        "4",
        "data/framework.yml",
        "summary: |\n",
        "summary: |\n  {: #__config }\n",
        (("#__config", "summary", "不能用 {…} 给内容加属性", ""),),
    ),
    Change(
        "collection-description-attr-list",
        "4",
        COLLECTION,
        "各案例的说明和讨论题由编者撰写。",
        '各案例的说明和讨论题由编者撰写。{: data-pagefind-meta="title:假" }',
        (("pagefind", "description", "不能用 {…} 给内容加属性", ""),),
    ),
    # 9. site.yml
    Change(
        "site-url-markup",
        "9",
        "data/site.yml",
        "url: https://casebook-1314.github.io/casebook/",
        "url: 'https://casebook-1314.github.io/casebook/\"><svg onload=alert(1)>/'",
        (("url:", "url", "格式不对", "不能有空格、引号、尖括号或 &"),),
    ),
    Change(
        "site-url-xml-breakers",
        "9",
        "data/site.yml",
        "url: https://casebook-1314.github.io/casebook/",
        "url: https://casebook-1314.github.io/casebook/a<b&c/",
        (("url:", "url", "格式不对", ""),),
    ),
    Change(
        "site-url-javascript",
        "9",
        "data/site.yml",
        "url: https://casebook-1314.github.io/casebook/",
        "url: javascript://casebook-1314.github.io/%0Aalert(1)/",
        (("url:", "url", "格式不对", ""),),
    ),
    Change(
        "site-url-trailing-newline",
        "9",
        "data/site.yml",
        "url: https://casebook-1314.github.io/casebook/",
        'url: "https://casebook-1314.github.io/casebook/\\n"',
        (("url:", "url", "换行", ""),),
    ),
    Change(
        "site-repo-url-markup",
        "9",
        "data/site.yml",
        "repo_url: https://github.com/casebook-1314/casebook",
        "repo_url: 'https://github.com/casebook-1314/casebook\"><svg onload=alert(1)>'",
        (("repo_url:", "repo_url", "格式不对", "https://"),),
    ),
    Change(
        "site-branch-markup",
        "9",
        "data/site.yml",
        "branch: main",
        "branch: 'main\"><svg onload=alert(1)>'",
        (("branch:", "branch", "格式不对", "分支名"),),
    ),
    Change(
        "site-branch-space",
        "9",
        "data/site.yml",
        "branch: main",
        "branch: my branch",
        (("branch:", "branch", "格式不对", ""),),
    ),
    Change(
        "site-branch-dots",
        "9",
        "data/site.yml",
        "branch: main",
        "branch: ../../etc",
        (("branch:", "branch", "格式不对", ""),),
    ),
    Change(
        "site-name-rlo",
        "9",
        "data/site.yml",
        "name: 基层治理案例库",
        "name: 基层治理\u202e案例库",
        (("\u202e", "name", "文字方向控制字符", ""),),
    ),
    # 7. one broken file, one error
    Change(
        "places-syntax-error",
        "7",
        "data/places.yml",
        "cities:",
        "cities: [",
        (("- id: wuhan", "", "YAML 格式有误", ""),),
        quiet_cases=True,
    ),
    Change(
        "themes-not-a-list",
        "7",
        "data/themes.yml",
        "themes:\n",
        "themes: 5\nunused:\n",
        (("themes:", "themes", "应为列表", ""), ("unused:", "unused", "是未知字段", "")),
        quiet_cases=True,
    ),
]


def _line_of(text: str, start: int, needle: str) -> int:
    at = text.index(needle, start)
    return text.count("\n", 0, at) + 1


@pytest.mark.parametrize("change", [pytest.param(c, id=f"{c.cls}-{c.name}") for c in DATA_INPUTS])
def test_hostile_reference_data(project: Path, change: Change) -> None:
    path = project / change.file
    text = path.read_text(encoding="utf-8")
    assert change.old in text, change.name
    start = text.index(change.old)
    text = text.replace(change.old, change.new, 1)
    path.write_text(text, encoding="utf-8")
    run, payload = validate_json(project)
    assert run.code == 1, run.text
    expects = [
        Expect(_line_of(text, start, needle), None, field, words, hint) for needle, field, words, hint in change.expects
    ]
    expect_exactly(payload, change.file, expects)
    if change.quiet_cases:
        blamed = [d for d in payload["diagnostics"] if d["file"].startswith("cases/")]
        assert not blamed, shown(blamed)
        notes = [d for d in payload["diagnostics"] if d["file"] == change.file and d["severity"] == "warning"]
        assert len(notes) <= 1, shown(notes)


def test_a_missing_reference_file_is_one_error(project: Path) -> None:
    (project / "data" / "sources.yml").unlink()
    run, payload = validate_json(project)
    assert run.code == 1
    errors = [d for d in payload["diagnostics"] if d["severity"] == "error"]
    assert [(d["file"], d["message"]) for d in errors] == [("data/sources.yml", "缺少参考数据文件")], shown(errors)


@pytest.mark.parametrize("name", ["index", "print"])
def test_a_collection_named_for_a_reserved_id(project: Path, name: str) -> None:
    """A collection's id is its file name: collections/index/ would be the list of collections."""
    (project / "data" / "collections" / f"{name}.yml").write_bytes((project / COLLECTION).read_bytes())
    run, payload = validate_json(project)
    assert run.code == 1
    rel = f"data/collections/{name}.yml"
    expect_exactly(payload, rel, [Expect(1, 1, "", f"文件名“{name}.yml”是网站保留的名字", "网站自己的页面")])


# -- 3. the file system --------------------------------------------------------------------


def test_a_record_that_is_a_link_to_a_secret_is_never_read(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN=ghp_very_secret_value: [unbalanced\n", encoding="utf-8")
    (project / "cases" / "leak.yml").symlink_to(secret)
    run, payload = validate_json(project)
    assert run.code == 1
    assert "very_secret" not in run.text and "TOKEN" not in run.text, run.text
    expect_exactly(payload, "cases/leak.yml", [Expect(1, 1, "", "是符号链接，不会读取", "符号链接")])
    text = casebook("validate", cwd=project)
    assert "very_secret" not in text.text


def test_a_record_linked_to_dev_zero_is_refused_at_once(project: Path) -> None:
    (project / "cases" / "zero.yml").symlink_to("/dev/zero")
    started = time.monotonic()
    _, payload = validate_json(project)
    assert time.monotonic() - started < 30
    expect_exactly(payload, "cases/zero.yml", [Expect(1, 1, "", "是符号链接")])


def test_a_fifo_is_refused_without_being_opened_for_long(project: Path) -> None:
    os.mkfifo(project / "cases" / "pipe.yml")  # nobody ever writes to it: a read would wait forever
    os.mkfifo(project / "data" / "pipe")
    run, payload = validate_json(project)
    assert run.code == 1
    expect_exactly(payload, "cases/pipe.yml", [Expect(1, 1, "", "不是普通文件", "")])
    expect_exactly(payload, "data/pipe", [Expect(1, 1, "", "不是普通文件", "")])


def _with_photo(text: str, name: str) -> str:
    """The seed record with a photo file named in its media."""
    credit = "    credit: wuchang-gongxueyuan-wangzhan"
    return text.replace(credit, f"{credit}\n    file: {name}\n    alt: 讲党课", 1)


def test_a_linked_photo_folder_is_refused_and_not_published(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "photo.png").write_bytes(tiny_png())
    stem = "hongshan-jiexiao-qianshou"
    (project / "cases" / stem).symlink_to(outside, target_is_directory=True)
    record = project / f"cases/{stem}.yml"
    text = _with_photo(record.read_text(encoding="utf-8"), "photo.png")
    record.write_text(text, encoding="utf-8")
    run, payload = validate_json(project)
    assert run.code == 1
    expect_exactly(payload, f"cases/{stem}", [Expect(1, 1, "", "是符号链接", "")])
    expect_exactly(
        payload, f"cases/{stem}.yml", [Expect(_line_of(text, 0, "file: photo.png"), None, "media[0].file", "符号链接")]
    )


def test_links_and_special_files_inside_a_photo_folder(project: Path, tmp_path: Path) -> None:
    stem = "hongshan-jiexiao-qianshou"
    folder = project / "cases" / stem
    folder.mkdir()
    (tmp_path / "a.png").write_bytes(tiny_png())
    (folder / "linked.png").symlink_to(tmp_path / "a.png")
    os.mkfifo(folder / "pipe.png")
    _, payload = validate_json(project)
    expect_exactly(payload, f"cases/{stem}/linked.png", [Expect(1, 1, "", "是符号链接")])
    expect_exactly(payload, f"cases/{stem}/pipe.png", [Expect(1, 1, "", "不是普通文件")])


@pytest.mark.parametrize("where", ["hongshan-jiexiao-qianshou/other.yml", "hongshan-jiexiao-qianshou/old/deeper.yml"])
def test_a_record_inside_a_case_folder_is_an_error_not_dropped(project: Path, where: str) -> None:
    path = project / "cases" / where
    path.parent.mkdir(parents=True)
    path.write_bytes((project / "cases" / "qinghe-ju-tiantian-qiaomen.yml").read_bytes())
    run, payload = validate_json(project)
    assert run.code == 1
    expect_exactly(payload, f"cases/{where}", [Expect(1, 1, "", "案例文件夹里的 .yml 文件不会被收录", "只放图片")])


@pytest.mark.parametrize("folder", ["cases", "data", "data/schema", "data/collections"])
def test_a_linked_folder_of_records_is_not_read(project: Path, tmp_path: Path, folder: str) -> None:
    real = tmp_path / "elsewhere"
    (project / folder).rename(real)
    (project / folder).symlink_to(real, target_is_directory=True)
    run, payload = validate_json(project)
    assert run.code == 1
    expect_exactly(payload, folder, [Expect(1, 1, "", "是符号链接", "")])


@pytest.mark.parametrize("name", ["data/themes.yml", "data/schema/site.schema.json", f"{COLLECTION}", "data/README.md"])
def test_a_linked_file_under_data_is_refused(project: Path, tmp_path: Path, name: str) -> None:
    real = tmp_path / Path(name).name
    (project / name).parent.mkdir(parents=True, exist_ok=True)
    if (project / name).exists():
        (project / name).rename(real)
    else:
        real.write_text("说明\n", encoding="utf-8")
    (project / name).symlink_to(real)
    run, payload = validate_json(project)
    assert run.code == 1
    where = "data/schema" if name.endswith(".json") else name
    found = [d for d in payload["diagnostics"] if d["file"] == where and "符号链接" in d["message"]]
    assert found, shown(payload["diagnostics"])


def _truncated_jpeg() -> bytes:
    from PIL import Image

    im = Image.effect_noise((320, 240), 50).convert("RGB")
    from io import BytesIO

    buffer = BytesIO()
    im.save(buffer, "JPEG", quality=90)
    data = buffer.getvalue()
    return data[: len(data) // 2]


def test_a_truncated_photo_is_a_located_error(project: Path) -> None:
    stem = "hongshan-jiexiao-qianshou"
    (project / "cases" / stem).mkdir()
    (project / "cases" / stem / "half.jpg").write_bytes(_truncated_jpeg())
    record = project / f"cases/{stem}.yml"
    text = _with_photo(record.read_text(encoding="utf-8"), "half.jpg")
    record.write_text(text, encoding="utf-8")
    run, payload = validate_json(project)
    assert run.code == 1
    line = _line_of(text, 0, "file: half.jpg")
    expect_exactly(payload, f"cases/{stem}.yml", [Expect(line, None, "media[0].file", "图片已损坏", "重新导出")])


def test_a_markdown_image_of_the_cases_own_folder_passes(project: Path) -> None:
    """The one image Markdown may show (a guard: the rules above refuse every other)."""
    stem = "hongshan-jiexiao-qianshou"
    (project / "cases" / stem).mkdir()
    (project / "cases" / stem / "photo.png").write_bytes(tiny_png())
    record = project / f"cases/{stem}.yml"
    text = record.read_text(encoding="utf-8")
    record.write_text(
        text.replace("  协调解决区域化党建问题159个。", "  协调解决区域化党建问题159个。![讲党课](photo.png)"),
        encoding="utf-8",
    )
    run, _ = validate_json(project)
    assert run.code == 0, run.text


def test_raw_line_separators_are_located_before_yaml_miscounts_lines(project: Path) -> None:
    record = project / SEED
    text = record.read_text(encoding="utf-8").replace("title: 洪山区", "title: 洪山\u2028区", 1)
    record.write_text(text, encoding="utf-8")
    _, payload = validate_json(project)
    expect_exactly(payload, SEED, [Expect(_line_of(text, 0, "title:"), 10, "", "特殊换行符 U+2028")])


# -- 4. pathological Markdown: limits that keep the build linear -----------------------------


def _replace_field(text: str, key: str, value: str) -> str:
    """A block field's whole value replaced by value, kept without a final line break (|-), so that
    20,000 characters are exactly the longest a Markdown field may be."""
    return re.sub(rf"(?m)^{key}: \|\n(?:  .*\n|\n)*", f"{key}: |-\n  {value}\n", text, count=1)


@pytest.mark.parametrize("fields", [("results",), ("background", "practice", "results", "insights")])
def test_twenty_thousand_brackets_are_refused_in_seconds(project: Path, fields: tuple[str, ...]) -> None:
    """The trial's 20,000 "[" took the build from 1.5 s to 170 s, in four fields past 7 minutes."""
    record = project / SEED
    text = record.read_text(encoding="utf-8")
    for key in fields:
        text = _replace_field(text, key, "[" * 20_000)
    record.write_text(text, encoding="utf-8")
    started = time.monotonic()
    run, payload = validate_json(project)
    assert time.monotonic() - started < 10
    assert run.code == 1
    expects = [Expect(_line_of(text, text.index(f"{k}: |"), "[[["), 1, k, "有 20000 个“[”") for k in fields]
    expect_exactly(payload, SEED, expects)


def test_twenty_thousand_brackets_in_a_policy_description(project: Path) -> None:
    path = project / "data" / "policies.yml"
    text = path.read_text(encoding="utf-8")
    old = "      文章未介绍这项改革的具体内容。"
    text = text.replace(old, "      " + "[" * 20_000, 1)
    path.write_text(text, encoding="utf-8")
    started = time.monotonic()
    _, payload = validate_json(project)
    assert time.monotonic() - started < 10
    expect_exactly(
        payload,
        "data/policies.yml",
        [
            Expect(_line_of(text, 0, "description: |"), None, "policies[0].description", "太长：最多 5000 个字"),
            Expect(_line_of(text, 0, "[[["), 1, "policies[0].description", "没有配对"),
        ],
    )


# The extensions the editors' fields are converted with: one list, the core's.
EXTENSIONS = list(markdown_fields.EXTENSIONS)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda n: "[" * 20 + "文" * (n - 20), id="twenty-unclosed-at-the-start"),
        pytest.param(lambda n: "[a](b " * 20 + "文" * (n - 120), id="twenty-unclosed-destinations"),
        pytest.param(lambda n: ("[" * 16 + "x" + "]" * 16) * (n // 33), id="nested-sixteen-deep"),
        pytest.param(lambda n: "[a](https://example.org/) " * (n // 26), id="links-only"),
        pytest.param(lambda n: "".join(" " * i + "- a\n" for i in range(39)) + "文" * (n - 1000), id="nested-lists"),
    ],
)
def test_what_validation_accepts_converts_in_linear_time(make: Callable[[int], str]) -> None:
    """The limits are set so that the worst a field may hold converts in well under a second with
    the site's extensions (20,000 unclosed "[" took minutes)."""
    from casebook.records import markdown_safety

    text = make(20_000)
    assert len(text) <= 20_000
    assert not list(markdown_safety._bracket_problems(text, markdown_safety._brackets(text)))
    assert not list(markdown_safety._nesting_problems(text))
    md = markdown.Markdown(extensions=EXTENSIONS)
    started = time.monotonic()
    md.convert(text)
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("[" * 21 + "正文", "markdown.brackets"),
        ("[a](b" * 21, "markdown.brackets"),
        ("[" * 17 + "x" + "]" * 17, "markdown.brackets"),
        ("- " * 21 + "a", "markdown.nesting"),
        ("> " * 21 + "a", "markdown.nesting"),
        ("\t" * 11 + "- a", "markdown.nesting"),
    ],
)
def test_the_limits_are_where_they_are_said_to_be(text: str, code: str) -> None:
    from casebook.records import markdown_safety

    found = list(markdown_safety._bracket_problems(text, markdown_safety._brackets(text)))
    found += list(markdown_safety._nesting_problems(text))
    assert [p[4] for p in found] == [code], found


def test_escaped_and_paired_brackets_are_not_counted() -> None:
    from casebook.records import markdown_safety

    text = "\\[" * 100 + "[链接](https://example.org/a_(b)) " * 50 + "\n\n" + "[注]" * 100
    pairs = markdown_safety._brackets(text)
    assert pairs.unclosed == [] and pairs.deepest[0] <= 2


# -- 5. ids anchored at the very end, in both schema engines ---------------------------------


def _patterns(node: object, path: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            out.append((path, node["pattern"]))
        for key, value in node.items():
            out += _patterns(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _patterns(value, f"{path}/{i}")
    return out


SCHEMAS = SchemaSet(ROOT / "data" / "schema")
EXAMPLES = {
    "slug": "hongshan",
    "id": "hongshan",
    "file": "photo.jpg",
    "number": "1",
    "url": "https://casebook-1314.github.io/casebook/",
    "repo_url": "https://github.com/casebook-1314/casebook",
    "branch": "main",
    "title": "标题",
    "summary": "摘要",
    "markdown": "正文",
    "issue": "第8期·上",
    "issue_number": "8",
    "span": "连续3年",
    "use": "适用于党建引领专题课。",
    "activity": "阅读案例正文",
    "text": "来源所说的后续进展。",
}


def test_every_pattern_refuses_a_trailing_line_break_in_both_engines() -> None:
    seen = set()
    for name, doc in SCHEMAS.documents.items():
        for where, pattern in _patterns(doc):
            key = where.rstrip("/").split("/")[-1]
            example = EXAMPLES[key]
            seen.add(key)
            full = Draft202012Validator({"type": "string", "pattern": pattern})
            fast = fastjsonschema.compile({"type": "string", "pattern": pattern})
            assert full.is_valid(example), (name, where)
            fast(example)
            if pattern == "\\S":
                continue  # "not blank": a search by design, and a line break is refused by the character rule
            assert not full.is_valid(example + "\n"), (name, where, pattern)
            with pytest.raises(fastjsonschema.JsonSchemaException):
                fast(example + "\n")
    assert {"slug", "id", "file", "url", "repo_url", "branch"} <= seen


@pytest.mark.parametrize("value", ["x\n", "index", "figure-1", "print", "zh-hant", "Index", "a--b"])
def test_an_id_is_refused_by_both_engines(value: str) -> None:
    schema = {"$ref": "case.schema.json#/$defs/id"}
    assert not Draft202012Validator(schema, registry=SCHEMAS.registry).is_valid(value)
    flat = SCHEMAS._inline(SCHEMAS.documents["case"]["$defs"]["id"], SCHEMAS.documents["case"], 0)
    with pytest.raises(fastjsonschema.JsonSchemaException):
        fastjsonschema.compile(flat)(value)
    assert not SCHEMAS.id_ok(value)


@pytest.mark.parametrize("value", ["hongshan", "indexes", "figure", "figure-a", "photo-1a", "search-2018"])
def test_ids_near_reserved_names_are_fine(value: str) -> None:
    assert SCHEMAS.id_ok(value)


def test_every_string_field_has_a_length_limit() -> None:
    def strings(node: object, path: str) -> list[str]:
        out: list[str] = []
        if isinstance(node, dict):
            if node.get("type") == "string" and "maxLength" not in node and "format" not in node:
                out.append(path)
            for key, value in node.items():
                out += strings(value, f"{path}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                out += strings(value, f"{path}/{i}")
        return out

    missing = [p for name, doc in SCHEMAS.documents.items() for p in strings(doc, name)]
    assert not missing


# -- 6. site values from the environment -----------------------------------------------------


def test_site_values_from_the_environment_are_checked_by_the_same_rules() -> None:
    assert check_site_values("https://casebook.example.org/", "https://github.com/a/b", "main") == []
    assert check_site_values("http://127.0.0.1:8000/casebook/", None, "release/2026-11") == []
    bad = check_site_values('https://x.org/"><svg onload=alert(1)>/', "https://github.com/a/b/", 'main"><svg>')
    assert [p.split(" ", 1)[0] for p in bad] == ["url", "repo_url", "branch"], bad
    assert "不能有空格、引号、尖括号或 &" in bad[0]
    assert check_site_values(url="https://x.org/a&b/")
    assert "换行" in check_site_values(url="https://x.org/\n")[0]
    assert check_site_values(branch="a b") and check_site_values(branch="x.lock") and check_site_values(branch="-x")


# -- 7. the character rule itself ------------------------------------------------------------


def test_the_blank_test_starts_with_every_blank_character() -> None:
    """_clean() skips the regex when a value's first character cannot start a blank value: that set
    must hold every character the regex calls blank."""
    blank = [chr(n) for n in range(0x110000) if characters._BLANK.fullmatch(chr(n))]
    assert set(blank) == set(characters._BLANK_START)


@pytest.mark.parametrize(
    ("value", "markdown_field", "refused"),
    [
        ("正文\n第二行\t缩进", True, False),
        ("正文\n第二行", False, True),
        ("标题\t", False, True),
        ("\x1e", True, True),
        ("\u202e", True, True),
        ("\U0010ffff", True, True),
        ("洪山区\u200b街道", False, False),  # a zero-width space inside text is not blank, and not refused
        ("“街校牵手”　行动", False, False),
    ],
)
def test_which_characters_are_refused_where(value: str, markdown_field: bool, refused: bool) -> None:
    assert (characters.refused(value, markdown_field) is not None) is refused


def test_the_raw_text_shortcut_agrees_with_the_walk() -> None:
    """A file whose text _raw_suspect() clears can hold no refused character in any value."""
    refused = [chr(n) for n in range(0x110000) if characters.refused(chr(n), markdown=True)]
    assert len(refused) > 2000
    for char in refused:
        text = f"title: 标题{char}结尾\n"
        assert character_check._raw_suspect(text), hex(ord(char))
    assert character_check._raw_suspect('title: "\\x1e"\n')
    assert not character_check._raw_suspect("title: 洪山区“街校牵手”行动\nsummary: 摘要。\n")


def test_printed_diagnostics_never_carry_a_raw_control_or_bidi_character() -> None:
    d = Diagnostic("cases/a\u202e.yml", 1, 1, "title\n", "“x\x1b[2J\u202e”", "提示\u200b", "test")
    for out in (format_text([d]), format_json([d], 1), format_github([d])):
        assert "\x1b" not in out and "\u202e" not in out and "\u200b" not in out
        assert "\\u202e" in out
    assert "\n" not in d.text().split("\n    提示: ")[0]


def test_every_string_of_every_file_kind_is_checked(project: Path) -> None:
    """One rule for cases, reference data, collections and site.yml, in any field."""
    hostile = {
        "data/site.yml": ("publisher: 基层治理案例库编辑组", 'publisher: "编辑组\\x1e"'),
        "data/sources.yml": ("    journal: 党员生活", '    journal: "党员\\x1e生活"'),
        "data/places.yml": ("    province: 湖北省", '    province: "湖北\\x1e省"'),
        "data/framework.yml": ("name: ", 'name: "\\x1e" # '),
        COLLECTION: ("audience: ", 'audience: "\\x1e" # '),
        SEED: ("  - ref: dangyuan-shenghuo-2018-08", '  - ref: dangyuan-shenghuo-2018-08\n    page: "\\x1e"'),
    }
    for file, (old, new) in hostile.items():
        path = project / file
        text = path.read_text(encoding="utf-8")
        assert old in text, file
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    _, payload = validate_json(project)
    flagged = {d["file"] for d in payload["diagnostics"] if "U+001E" in d["message"]}
    assert flagged == set(hostile), shown(payload["diagnostics"])


def test_validate_is_not_slowed_by_the_checks_on_clean_records() -> None:
    """The real project loads as before: every check has a shortcut for text with nothing in it."""
    started = time.perf_counter()
    result = load(Project(ROOT))
    assert result.ok, format_text(result.diagnostics)
    assert time.perf_counter() - started < 5


# Each input run through `casebook validate` once, by where it is made: the corpus files; the
# reference-data changes, the missing file and the two collections named index and print; the
# file-system tests (the leak, /dev/zero, two FIFOs, the linked photo folder, a link and a FIFO in a
# photo folder, two records in case folders, four linked folders, four linked files under data/,
# the truncated photo, the raw U+2028); the Markdown made in Python (20,000 "[" in one field, in
# four, in a policy description); the six files of test_every_string_of_every_file_kind_is_checked.
HOSTILE_INPUTS = {
    "case records (tests/hostile/)": len(ENTRIES),
    "reference data, site.yml, collections": len(DATA_INPUTS) + 1 + 2,
    "file system": 1 + 1 + 2 + 1 + 2 + 2 + 4 + 4 + 1 + 1,
    "pathological Markdown": 3,
    "one rule for every file kind": 6,
}


def test_the_corpus_holds_at_least_sixty_hostile_inputs() -> None:
    assert sum(HOSTILE_INPUTS.values()) >= 60, HOSTILE_INPUTS


# -- 8. any Unicode in any string field of a real record -------------------------------------


def _string_paths(data: object, path: tuple = ()) -> list[tuple]:
    if isinstance(data, dict):
        return [p for key, value in data.items() for p in _string_paths(value, (*path, key))]
    if isinstance(data, list):
        return [p for i, value in enumerate(data) for p in _string_paths(value, (*path, i))]
    return [path] if isinstance(data, str) else []


NASTY = st.sampled_from(
    [chr(n) for n in (*range(0x00, 0x20), 0x7F, 0x85, 0x9B, 0xAD, 0x115F, 0x1160, 0x200B, 0x200D, 0x2028)]
    + [chr(n) for n in (0x202A, 0x202E, 0x2066, 0x2069, 0x3000, 0x3164, 0xD800, 0xFDD0, 0xFEFF, 0xFFFE, 0xFFFF)]
    + ["\U0001fffe", "\U000e0041", "\\", '"', "[", "{: #x }", "<", "&", "街", " "]
)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_text_in_any_string_field_is_accepted_or_located(data: st.DataObject) -> None:
    """What a record's file says of itself (YAML, schema, characters, Markdown), for any text put
    into any of its string fields: no exception, every error at a line, nothing unprintable printed."""
    record = yaml.safe_load((ROOT / SEED).read_text(encoding="utf-8"))
    fields = [p for p in _string_paths(record) if p not in (("id",), ("added",), ("updated",))]
    path = data.draw(st.sampled_from(fields))
    value = data.draw(st.lists(NASTY | st.text(max_size=3), min_size=1, max_size=8).map("".join))
    node = record
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False)  # escapes what it cannot write
    display = "cases/hongshan-jiexiao-qianshou.yml"
    decoded, problems = decode(text.encode("utf-8", "surrogatepass"), display)  # as load_file() reads it
    doc = None
    if decoded is not None:
        doc, problems = parse(decoded, display)
    if doc is not None:
        problems += SCHEMAS.check("case", doc) + character_check.check(doc, SCHEMAS.markdown_tries["case"])
    printed = format_text(problems)
    # Nothing unprintable, but the spaces a Chinese text holds (an ideographic space is shown as it is).
    assert all(c.isprintable() or c in characters._SPACES for c in printed.replace("\n", "")), printed
    assert all(d.line >= 1 and d.column >= 1 and d.message for d in problems), printed
    markdown_field = path[-1] in ("background", "practice", "results", "insights")
    if characters.refused(value, markdown_field) is None and not characters.is_blank(value):
        return  # ordinary text: whatever else the schema says of it, it is said at a line
    assert problems, text
    if doc is not None:  # else a lone surrogate, refused by the YAML reader at its line
        where = doc.value_at(path)
        assert any(d.field == field_path(path) and d.line >= where.line for d in problems), printed
