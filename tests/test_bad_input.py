"""Each kind of bad input gets its located message, through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import casebook, line_of, mkdocs_build

HONGSHAN = "cases/hongshan-jiexiao-qianshou.yml"
QINGHE = "cases/qinghe-ju-tiantian-qiaomen.yml"


def edit(project: Path, rel: str, old: str, new: str) -> Path:
    path = project / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def diagnostics(project: Path, *args: str) -> list[dict]:
    run = casebook("validate", "--format", "json", *args, cwd=project)
    assert "Traceback" not in run.text
    payload = json.loads(run.out)
    assert run.code == (0 if payload["ok"] else 1)
    return payload["diagnostics"]


def only(found: list[dict], **match: object) -> dict:
    hits = [d for d in found if all(d[k] == v for k, v in match.items())]
    assert len(hits) == 1, f"expected one diagnostic with {match}, got {found}"
    return hits[0]


# (file, text replaced, replacement, line marker, field, words in the message, words in the hint)
CASES = [
    pytest.param(
        HONGSHAN,
        "    value: 458",
        '    value: "四百五十八"',
        "四百五十八",
        "figures[0].value",
        '应为数字，实际为 "四百五十八"',
        "阿拉伯数字",
        id="figure-not-a-number",
    ),
    pytest.param(HONGSHAN, "summary:", "summay:", "summay:", "summay", "未知字段", "summary", id="typo-field"),
    pytest.param(
        HONGSHAN,
        "pillars: [dadangwei]",
        "pillars: [dadangwe]",
        "dadangwe",
        "pillars[0]",
        "不存在的支柱“dadangwe”",
        "dadangwei",
        id="unknown-pillar",
    ),
    pytest.param(
        HONGSHAN,
        "pillars: [dadangwei]",
        "pillars: [大党委]",
        "大党委]",
        "pillars[0]",
        "不存在的支柱",
        "不是名称",
        id="pillar-by-name",
    ),
    pytest.param(
        HONGSHAN,
        "  district: hongshan",
        "  district: hongshn",
        "hongshn",
        "place.district",
        "不存在的区",
        "hongshan",
        id="unknown-district",
    ),
    pytest.param(
        HONGSHAN,
        "themes: [xiaodi-gongjian",
        "themes: [xiaodi-gongjan",
        "xiaodi-gongjan",
        "themes[0]",
        "不存在的主题",
        "xiaodi-gongjian",
        id="unknown-theme",
    ),
    pytest.param(
        HONGSHAN,
        "policies: []",
        "policies: [hongse-yinqin]",
        "hongse-yinqin",
        "policies[0]",
        "不存在的政策",
        "hongse-yinqing",
        id="unknown-policy",
    ),
    pytest.param(
        HONGSHAN,
        "  - ref: dangyuan-shenghuo-2018-08",
        "  - ref: dangyuan-shenghuo-2018",
        "dangyuan-shenghuo-2018\n",
        "sources[0].ref",
        "不存在的来源",
        "dangyuan-shenghuo-2018-08",
        id="unknown-source",
    ),
    pytest.param(
        QINGHE,
        "related: [jiangxin-yuan-shequ-wenhua]",
        "related: [jiangxin-yuan-wenhua]",
        "jiangxin-yuan-wenhua",
        "related[0]",
        "不存在的案例",
        "jiangxin-yuan-shequ-wenhua",
        id="unknown-related",
    ),
    pytest.param(
        HONGSHAN,
        'added: "2026-11-24"',
        'added: "2026-02-30"',
        "2026-02-30",
        "added",
        "不是有效的日期",
        "YYYY-MM-DD",
        id="impossible-date",
    ),
    pytest.param(
        HONGSHAN,
        'added: "2026-11-24"',
        "added: 2026/11/24",
        "2026/11/24",
        "added",
        "不是有效的日期",
        "YYYY-MM-DD",
        id="slashed-date",
    ),
    pytest.param(
        HONGSHAN,
        "id: hongshan-jiexiao-qianshou",
        "id: hongshan-jiexiao",
        "id: hongshan-jiexiao",
        "id",
        "与文件名",
        "aliases",
        id="id-not-file-name",
    ),
    pytest.param(
        HONGSHAN,
        "title: 洪山区",
        "title: no\ntitle2: 洪山区",
        "title: no",
        "title",
        "应为文字，实际为 真假值 false",
        "加上引号",
        id="yaml11-no",
    ),
    pytest.param(
        HONGSHAN,
        "    unit: 个\n",
        "    unit: 个\n    qualifier: 大约\n",
        "qualifier: 大约",
        "figures[0].qualifier",
        "不在允许范围内",
        "",
        id="bad-qualifier",
    ),
]


@pytest.mark.parametrize(("rel", "old", "new", "marker", "field", "message", "hint"), CASES)
def test_bad_record_is_located(
    project: Path, rel: str, old: str, new: str, marker: str, field: str, message: str, hint: str
) -> None:
    path = edit(project, rel, old, new)
    d = only(diagnostics(project), file=rel, field=field)
    assert d["line"] == line_of(path, marker.rstrip("\n"))
    assert message in d["message"]
    assert hint in d["hint"]


def test_text_output_reads_file_line_column_field_message(project: Path) -> None:
    path = edit(project, HONGSHAN, "    value: 458", '    value: "四百五十八"')
    line = line_of(path, "四百五十八")
    run = casebook("validate", cwd=project)
    assert run.code == 1
    assert f'{HONGSHAN}:{line}:12: 错误: figures[0].value 应为数字，实际为 "四百五十八"' in run.out
    assert "提示:" in run.out and "Traceback" not in run.text


def test_duplicate_key_is_caught_where_pyyaml_would_keep_the_last(project: Path) -> None:
    path = project / HONGSHAN
    path.write_text(path.read_text(encoding="utf-8") + "title: 重复的标题\n", encoding="utf-8")
    d = only(diagnostics(project), file=HONGSHAN, field="title")
    assert d["line"] == len(path.read_text(encoding="utf-8").splitlines())
    assert "重复出现（第一次在第 3 行）" in d["message"]


def test_yaml_that_does_not_parse(project: Path) -> None:
    edit(project, HONGSHAN, "pillars: [dadangwei]", "pillars: [dadangwei")
    d = only(diagnostics(project), file=HONGSHAN, code="yaml.syntax")
    assert d["line"] >= line_of(project / HONGSHAN, "pillars: [dadangwei")
    assert "YAML" in d["message"] or "缩进" in d["message"]


def test_tab_indentation_gets_a_hint(project: Path) -> None:
    edit(project, HONGSHAN, "  district: hongshan", "\tdistrict: hongshan")
    d = only(diagnostics(project), file=HONGSHAN, code="yaml.syntax")
    assert d["line"] == line_of(project / HONGSHAN, "\tdistrict")
    assert "Tab" in d["message"]


def test_duplicate_alias_and_alias_equal_to_another_id(project: Path) -> None:
    edit(project, HONGSHAN, "added:", "aliases: [jiexiao]\nadded:")
    edit(project, QINGHE, "added:", "aliases: [jiexiao, jiangxin-yuan-shequ-wenhua]\nadded:")
    found = diagnostics(project)
    dup = only(found, file=QINGHE, field="aliases[0]")
    assert "已被 cases/hongshan-jiexiao-qianshou.yml 用作别名" in dup["message"]
    taken = only(found, file=QINGHE, field="aliases[1]")
    assert "用作id" in taken["message"]


def test_gbk_file_is_reported_not_crashed(project: Path) -> None:
    path = project / HONGSHAN
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    d = only(diagnostics(project), file=HONGSHAN)
    assert "不是 UTF-8" in d["message"] and "GBK" in d["message"]
    assert d["line"] == 3  # the first non-ASCII byte is in the title


def test_bom_and_crlf_are_accepted(project: Path) -> None:
    path = project / HONGSHAN
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert diagnostics(project) == []


def test_alias_bomb_is_refused_quickly(project: Path) -> None:
    bomb = "".join(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]\n" for i in range(1, 12))
    (project / "cases" / "bomb.yml").write_text('l0: &l0 ["lol"]\n' + bomb, encoding="utf-8")
    found = diagnostics(project)
    alias = only(found, file="cases/bomb.yml", code="yaml.alias")
    assert alias["line"] == 2


def test_stray_file_would_be_dropped_so_it_is_an_error(project: Path) -> None:
    (project / "cases" / "new-case.yaml").write_text("id: new-case\n", encoding="utf-8")
    d = only(diagnostics(project), file="cases/new-case.yaml")
    assert "不会被收录" in d["message"] and "new-case.yml" in d["hint"]


def test_empty_file(project: Path) -> None:
    (project / "cases" / "empty-case.yml").write_text("# nothing yet\n", encoding="utf-8")
    d = only(diagnostics(project), file="cases/empty-case.yml")
    assert "空" in d["message"]


def test_community_must_belong_to_the_street(project: Path) -> None:
    edit(project, "cases/jinyinhu-hongse-wuye-waiyu-ban.yml", "  community: bihai", "  community: guangxia")
    d = only(diagnostics(project), file="cases/jinyinhu-hongse-wuye-waiyu-ban.yml", field="place.community")
    assert "不属于街道“jinyinhu”" in d["message"] and "zhangjiawan" in d["hint"]


def test_reference_data_is_checked_too(project: Path) -> None:
    edit(project, "data/framework.yml", "    pillar: dadangwei", "    pillar: dadangwe")
    d = only(diagnostics(project), file="data/framework.yml")
    assert d["field"].endswith(".pillar") and "dadangwei" in d["hint"]


def test_one_run_reports_every_error_in_every_file(project: Path) -> None:
    edit(project, HONGSHAN, "summary:", "summay:")
    edit(project, HONGSHAN, "    value: 458", "    value: lots")
    edit(project, QINGHE, "pillars: [sanzhi]", "pillars: [sanzi]")
    found = diagnostics(project)
    assert {(d["file"], d["field"]) for d in found} >= {
        (HONGSHAN, "summay"),
        (HONGSHAN, "summary"),
        (HONGSHAN, "figures[0].value"),
        (QINGHE, "pillars[0]"),
    }


def test_validating_one_path_reports_only_that_file(project: Path) -> None:
    edit(project, HONGSHAN, "summary:", "summay:")
    edit(project, QINGHE, "pillars: [sanzhi]", "pillars: [sanzi]")
    found = diagnostics(project, QINGHE)
    assert {d["file"] for d in found} == {QINGHE}


def test_github_format_annotates_lines(project: Path) -> None:
    path = edit(project, HONGSHAN, "summary:", "summay:")
    run = casebook("validate", "--format", "github", cwd=project)
    assert run.code == 1
    assert f"::error file={HONGSHAN},line={line_of(path, 'summay')},col=1,title=summay::" in run.out


def test_valid_tree_exits_zero(project: Path) -> None:
    run = casebook("validate", cwd=project)
    assert run.code == 0, run.text
    assert "没有发现问题" in run.out


def test_mkdocs_build_fails_with_the_same_message(project: Path, tmp_path: Path) -> None:
    path = edit(project, HONGSHAN, "    value: 458", '    value: "四百五十八"')
    run = mkdocs_build(project, tmp_path / "site")
    assert run.code != 0
    line = line_of(path, "四百五十八")
    assert f'{HONGSHAN}:{line}:12: 错误: figures[0].value 应为数字，实际为 "四百五十八"' in run.text
    assert "Traceback" not in run.text
    assert not (tmp_path / "site" / "cases" / "hongshan-jiexiao-qianshou").exists()
