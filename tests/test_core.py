"""The core package on the real records, without MkDocs."""

from __future__ import annotations

import json

import pytest
import yaml

from casebook.model import Casebook
from casebook.records.diagnostics import Diagnostic, format_github, format_json
from casebook.records.loader import Project, load
from casebook.records.schemas import SchemaSet
from casebook.site.pages import SitePages

from .conftest import ROOT

SEED_CASES = {
    "hongshan-jiexiao-qianshou",
    "qinghe-ju-tiantian-qiaomen",
    "jiangxin-yuan-shequ-wenhua",
    "jinyinhu-hongse-wuye-waiyu-ban",
    "dongting-wuhan-weilinli",
}


@pytest.fixture(scope="module")
def book() -> Casebook:
    result = load(Project(ROOT))
    assert result.ok, [d.text() for d in result.diagnostics]
    assert result.casebook is not None
    return result.casebook


def test_real_records_load_without_a_single_diagnostic() -> None:
    result = load(Project(ROOT))
    assert result.diagnostics == []
    data_files = len(list((ROOT / "data").glob("*.yml"))) + len(list((ROOT / "data" / "collections").glob("*.yml")))
    assert result.files_checked == data_files + len(SEED_CASES)


def test_every_file_in_cases_becomes_a_case(book: Casebook) -> None:
    assert set(book.cases) == SEED_CASES == {p.stem for p in (ROOT / "cases").glob("*.yml")}


def test_core_does_not_import_mkdocs() -> None:
    for path in (ROOT / "hooks" / "casebook").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import mkdocs" not in text and "from mkdocs" not in text, path


def test_figures_keep_their_qualifiers(book: Casebook) -> None:
    figures = {f.display: f for f in book.cases["hongshan-jiexiao-qianshou"].figures}
    assert {"458个", "511名", "180余次", "159个"} <= set(figures)
    assert figures["180余次"].value == 180 and figures["180余次"].meaning == "多于 180次"
    english = {f.display for f in book.cases["jinyinhu-hongse-wuye-waiyu-ban"].figures}
    assert english == {"20余人", "38人"}


def test_places_form_a_chain_from_city_to_community(book: Casebook) -> None:
    case = book.cases["jinyinhu-hongse-wuye-waiyu-ban"]
    assert [p.name for p in book.place_chain(case)] == ["武汉市", "东西湖区", "金银湖街", "碧海社区"]
    assert case.period_start == "2017-09-18"
    assert [p.name for p in book.place_chain(book.cases["qinghe-ju-tiantian-qiaomen"])] == [
        "武汉市",
        "青山区",
        "青和居社区",
    ]


def test_framework_holds_the_article_structure(book: Casebook) -> None:
    fw = book.framework
    assert [p.number for p in fw.pillars] == ["1", "3", "1", "4"]
    levels = next(e for e in fw.elements if e.kind == "levels")
    assert [i.name for i in levels.items] == [
        "街道大工委",
        "社区大党委",
        "网格党支部",
        "楼栋党小组",
        "党员中心户",
    ]
    names = {i.name for e in fw.elements for i in e.items}
    assert {"政务服务", "生活服务", "法律服务", "文体服务", "关爱服务", "党员服务"} <= names
    assert {"工作力量全进入", "群众需求全收集", "分级分类全解决", "服务过程全评价"} <= names
    assert fw.promise[0].phrase == "一沙一石"
    assert book.policies["hongse-wuye"].parent == "hongse-yinqing"


def test_each_case_is_attached_to_the_pillar_of_its_article_section(book: Casebook) -> None:
    expected = {
        "hongshan-jiexiao-qianshou": ("dadangwei",),
        "qinghe-ju-tiantian-qiaomen": ("sanzhi",),
        "jiangxin-yuan-shequ-wenhua": ("sanzhi",),
        "jinyinhu-hongse-wuye-waiyu-ban": ("xinxihua",),
        "dongting-wuhan-weilinli": ("siquan",),
    }
    assert {c: book.cases[c].pillars for c in expected} == expected


def _case_page(book: Casebook, case_id: str):  # type: ignore[no-untyped-def]
    site = SitePages(book)
    page = next(p for p in site.all() if p.path == f"cases/{case_id}/")
    return page.render()


def test_case_page_has_stable_section_anchors_and_a_table_of_contents(book: Casebook) -> None:
    page = _case_page(book, "qinghe-ju-tiantian-qiaomen")
    for anchor in ("background", "practice", "results", "sources"):
        assert f'<h2 id="{anchor}">' in page.html
    assert [t["id"] for t in page.toc][:5] == ["figures", "background", "practice", "results", "insights"]
    assert "teaching" in [t["id"] for t in page.toc]
    guide = next(t for t in page.toc if t["id"] == "guide")
    assert [t["id"] for t in guide["children"]] == [
        "guide-objectives",
        "guide-questions",
        "guide-analysis",
        "guide-points",
        "guide-plan",
    ]
    assert page.title == "青山区青和居“天天敲门组”"


def test_every_generated_page_is_escaped_by_its_templates(book: Casebook) -> None:
    """A value from a record is text wherever it lands: in an element, an attribute, a heading,
    the table of contents. The templates escape it; Python writes no markup."""
    import dataclasses

    hostile = "</title><svg onload=alert(1)>\"'&"
    case = book.cases["qinghe-ju-tiantian-qiaomen"]
    bad = dataclasses.replace(case, title=hostile, summary=hostile, keywords=(hostile,))
    bad_book = dataclasses.replace(book, cases={**book.cases, case.id: bad})
    site = SitePages(bad_book)
    for generated in site.all():
        html = generated.render().html
        assert "<svg onload" not in html, generated.path
        assert "\"'&" not in html, generated.path
    page = next(p for p in site.all() if p.path == f"cases/{case.id}/").render()
    assert "&lt;/title&gt;&lt;svg onload=alert(1)&gt;&#34;&#39;&amp;" in page.html


def test_schemas_are_valid_2020_12_and_document_every_field() -> None:
    from jsonschema import Draft202012Validator

    schemas = SchemaSet(ROOT / "data" / "schema")
    for name, doc in schemas.documents.items():
        Draft202012Validator.check_schema(doc)
        assert doc["$schema"].endswith("2020-12/schema"), name

    def walk(node: dict, path: str) -> None:
        for key, sub in node.get("properties", {}).items():
            assert sub.get("description"), f"{name}: {path}.{key} has no description"
            assert sub.get("examples"), f"{name}: {path}.{key} has no example"
            walk(sub, f"{path}.{key}")
            if isinstance(sub.get("items"), dict):
                walk(sub["items"], f"{path}.{key}[]")

    for name, doc in schemas.documents.items():
        walk(doc, name)


def test_records_start_with_the_schema_comment_for_editors() -> None:
    for path in (ROOT / "cases").glob("*.yml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../data/schema/case.schema.json", path


def test_records_are_simplified_chinese() -> None:
    import opencc

    to_simplified = opencc.OpenCC("t2s")
    for path in [*(ROOT / "cases").glob("*.yml"), *(ROOT / "data").glob("*.yml")]:
        text = path.read_text(encoding="utf-8")
        assert to_simplified.convert(text) == text, f"{path.name} holds Traditional characters"


def test_output_formats_are_machine_readable() -> None:
    d = Diagnostic("cases/a.yml", 3, 5, "figures[0].value", '应为数字，实际为 "x"', "写数字, 50%", "schema.type")
    payload = json.loads(format_json([d], 1))
    assert payload["ok"] is False and payload["diagnostics"][0]["line"] == 3
    gh = format_github([d])
    assert gh.startswith("::error file=cases/a.yml,line=3,col=5,title=figures[0].value::")
    assert "%0A" in gh and "50%25" in gh  # newline and percent encoded, as GitHub requires


def test_loader_uses_the_c_loader() -> None:
    from casebook.records import yamlfile

    assert yamlfile.Loader is yaml.CSafeLoader


def test_parallel_reading_reports_exactly_what_sequential_reading_does(project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from casebook.records import loader

    seed = (project / "cases" / "dongting-wuhan-weilinli.yml").read_text(encoding="utf-8")
    for i in range(40):
        text = seed.replace("id: dongting-wuhan-weilinli", f"id: copy-{i}")
        if i == 7:
            text = text.replace("pillars: [siquan]", "pillars: [siquann]")
        if i == 9:
            text += "title: 重复\n"
        (project / "cases" / f"copy-{i}.yml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(loader, "PARALLEL_FROM", 10_000)
    sequential = load(Project(project)).diagnostics
    monkeypatch.setattr(loader, "PARALLEL_FROM", 10)
    parallel = load(Project(project)).diagnostics
    assert parallel == sequential
    assert {d.file for d in parallel} == {"cases/copy-7.yml", "cases/copy-9.yml"}


def test_fast_and_full_schema_validators_agree(project) -> None:  # type: ignore[no-untyped-def]
    """The compiled fast path may only skip jsonschema when jsonschema would find nothing."""
    import fastjsonschema

    from casebook.records.yamlfile import load_file

    schemas = SchemaSet(ROOT / "data" / "schema")
    seed = (ROOT / "cases" / "jinyinhu-hongse-wuye-waiyu-ban.yml").read_text(encoding="utf-8")
    variants = [seed] + [
        seed.replace(old, new, 1)
        for old, new in [
            ("value: 20", "value: -1"),
            ("qualifier: 余", "qualifier: 大约"),
            ('start: "2017-09-18"', 'start: "2017-9"'),
            ('added: "2026-11-24"', 'added: "2026-02-30"'),
            ("unit: 人", "unit: 人人人人人人人"),
            ("  - name: 董燕明", "  - nam: 董燕明"),
            ("pillars: [xinxihua]", "pillars: []"),
            ("id: jinyinhu", "id: Jinyinhu"),
        ]
    ]
    for i, text in enumerate(variants):
        path = project / "cases" / f"agree-{i}.yml"
        path.write_text(text, encoding="utf-8")
        doc, _ = load_file(path, path.name)
        assert doc is not None
        try:
            schemas.fast["case"](doc.data)
            fast_ok = True
        except fastjsonschema.JsonSchemaException:
            fast_ok = False
        full_ok = not list(schemas.validators["case"].iter_errors(doc.data))
        assert fast_ok == full_ok, f"variant {i}: fast={fast_ok} full={full_ok}"
        assert fast_ok == (i == 0)
