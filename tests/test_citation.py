"""Source types (issue 12): each validates, cites as the official GB/T 7714-2015 CSL style does
when citeproc-js renders it, and is refused with a located error when a required field is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from casebook.citation import case_citation, case_item, csl_item, source_citation
from casebook.model import Casebook
from casebook.records.loader import Project, load

from .conftest import ROOT, casebook, line_of

CSL_DIR = ROOT / "tests" / "csl"
CITEPROC = ROOT / "node_modules" / "citeproc"

# One source of each kind as an editor writes it, appended to data/sources.yml as text. The
# comment marks the line of each source's id, to find where an error must be located.
SAMPLES: dict[str, str] = {
    "journal": """
  - id: sample-journal  # sample-journal
    kind: journal
    title: 社区大党委的实体化运作
    authors: [张三, 李四]
    journal: 党员生活
    year: 2019
    issue: 第3期
    issue_number: "3"
    pages: 12-14
""",
    "journal-online": """
  - id: sample-journal-online  # sample-journal-online
    kind: journal
    title: 红色物业的实践与思考
    authors: [王五, 赵六, 钱七, 孙八]
    journal: 城市观察
    year: 2020
    volume: "12"
    issue: "4"
    url: https://example.org/journal/2020/4/1.html
    accessed: "2026-11-30"
""",
    "newspaper": """
  - id: sample-newspaper  # sample-newspaper
    kind: newspaper
    title: 社区“天天敲门组”温暖独居老人
    authors: [记者甲]
    newspaper: 长江日报
    published: "2018-06-01"
    page: "05"
""",
    "web": """
  - id: sample-web  # sample-web
    kind: web
    title: “三大统筹”强引领 “红色物业”优服务
    authors: [罗嘉柯]
    site: 荆楚网（湖北日报网）
    url: https://news.cnhubei.com/content/2026-02/13/content_0000001.html
    published: "2026-02-13"
    accessed: "2026-02-14"
""",
    "government": """
  - id: sample-government  # sample-government
    kind: government
    title: 关于进一步加强社区治理的通知
    issuer: 武汉市人民政府办公厅
    document_number: 武政办〔2018〕12号
    published: "2018-05-03"
    url: https://www.wuhan.gov.cn/zwgk/tzgg/202001/t0000.shtml
    accessed: "2026-11-30"
""",
    "government-print": """
  - id: sample-government-print  # sample-government-print
    kind: government
    title: 武汉市社区党组织领导社区治理若干规定（试行）
    issuer: 中共武汉市委
    published: "2018-03-01"
""",
    "book": """
  - id: sample-book  # sample-book
    kind: book
    title: 城市基层治理案例选编
    authors: [周九]
    publisher: 人民出版社
    place: 北京
    year: 2019
    pages: 45-60
""",
    "report": """
  - id: sample-report  # sample-report
    kind: report
    title: 武汉市社区治理年度报告
    authors: [武汉市社区建设研究中心]
    publisher: 武汉市社区建设研究中心
    place: 武汉
    year: 2020
    url: https://example.org/report-2020.pdf
    accessed: "2026-11-30"
""",
}
# Fields a kind requires beyond id, kind and title (the schema's own list is checked against this).
REQUIRED = {
    "journal": ["journal", "year", "issue"],
    "newspaper": ["newspaper", "published"],
    "web": ["site", "url", "published", "accessed"],
    "government": ["issuer", "published"],
    "book": ["authors", "publisher", "place", "year"],
    "report": ["authors", "year"],
}


def citeproc(items: list[dict[str, Any]]) -> list[str]:
    """The bibliography entries citeproc-js renders for the items with the committed style."""
    node = shutil.which("node")
    if node is None or not CITEPROC.is_dir():
        reason = "node or node_modules/citeproc is missing: install Node.js and run `npm ci` (make install)"
        if os.environ.get("CASEBOOK_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    proc = subprocess.run(
        [node, str(CSL_DIR / "render.js")],
        input=json.dumps(items, ensure_ascii=False),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(proc.stdout)


def with_samples(project: Path, *names: str) -> Path:
    sources = project / "data" / "sources.yml"
    text = sources.read_text(encoding="utf-8")
    sources.write_text(text + "".join(SAMPLES[n] for n in names), encoding="utf-8")
    return sources


def loaded(project: Path) -> Casebook:
    result = load(Project(project))
    assert result.ok, "\n".join(d.text() for d in result.diagnostics)
    assert result.casebook is not None
    return result.casebook


def test_the_schema_requires_what_each_kind_needs() -> None:
    schema = json.loads((ROOT / "data" / "schema" / "sources.schema.json").read_text(encoding="utf-8"))
    for kind, fields in REQUIRED.items():
        assert schema["$defs"][kind]["required"] == ["id", "kind", "title", *fields]
    assert set(schema["properties"]["sources"]["items"]["properties"]["kind"]["enum"]) == {*REQUIRED, "outlet"}


def test_every_kind_validates_and_cites_as_citeproc_renders_it(project: Path) -> None:
    with_samples(project, *SAMPLES)
    book = loaded(project)
    ids = [f"sample-{name}" for name in SAMPLES] + ["dangyuan-shenghuo-2018-08"]
    sources = [book.sources[i] for i in ids]
    expected = citeproc([csl_item(s) for s in sources])
    ours = [source_citation(s) for s in sources]
    assert ours == expected
    # the GB/T 7714 type code of each kind, as the style assigns it
    codes = ["[J]", "[J/OL]", "[N]", "[EB/OL]", "[A/OL]", "[A]", "[M]", "[R/OL]", "[J]"]
    assert [next(c for c in codes if c in text) for text in ours] == codes
    # what the web source prints, in full: the date of publication, the date of access, the URL
    assert ours[3] == (
        "罗嘉柯. “三大统筹”强引领 “红色物业”优服务[EB/OL]. (2026-02-13)[2026-02-14]. "
        "https://news.cnhubei.com/content/2026-02/13/content_0000001.html."
    )
    # four authors or more: the first three and 等
    assert ours[1].startswith("王五, 赵六, 钱七, 等. ")


def test_a_cited_page_is_kept_in_the_citation(project: Path) -> None:
    with_samples(project, "journal", "newspaper", "book")
    book = loaded(project)
    from casebook.model import SourceRef

    refs = [SourceRef("sample-journal", "13"), SourceRef("sample-book", "50")]
    items = [csl_item(book.sources[r.ref], r) for r in refs]
    assert [source_citation(book.sources[r.ref], r) for r in refs] == citeproc(items)


def test_the_case_page_citation_is_the_styles_web_page(project: Path) -> None:
    book = loaded(project)
    case = book.cases["jinyinhu-hongse-wuye-waiyu-ban"]
    accessed = "2026-11-30"
    [expected] = citeproc([case_item(book.site, case, accessed=accessed)])
    assert case_citation(book.site, case, accessed=accessed) == expected
    # the page leaves the date of access to the reader, where the style prints it
    assert case_citation(book.site, case) == expected.replace(f"[{accessed}]", "[引用日期]")


@pytest.mark.parametrize("kind", list(REQUIRED))
def test_a_missing_required_field_is_refused_where_it_belongs(project: Path, kind: str) -> None:
    for field in REQUIRED[kind]:
        sources = project / "data" / "sources.yml"
        original = sources.read_text(encoding="utf-8")
        block = "\n".join(line for line in SAMPLES[kind].splitlines() if not line.lstrip().startswith(f"{field}:"))
        sources.write_text(original + block + "\n", encoding="utf-8")
        index = original.count("\n  - id:")
        run = casebook("validate", "data/sources.yml", cwd=project)
        sources.write_text(original, encoding="utf-8")
        where = f"data/sources.yml:{line_of_text(original + block, f'# sample-{kind}')}:"
        wanted = [line for line in run.out.splitlines() if f"sources[{index}].{field}" in line]
        assert run.code == 1, run.text
        assert wanted and wanted[0].startswith(where), (field, run.out)
        assert "是必填字段" in wanted[0], wanted[0]
        assert "Traceback" not in run.text


def line_of_text(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_date_is_a_real_date_and_an_issue_is_no_date(project: Path) -> None:
    sources = with_samples(project, "web")
    text = sources.read_text(encoding="utf-8")
    sources.write_text(text.replace('published: "2026-02-13"', "published: 2026-02-30"), encoding="utf-8")
    run = casebook("validate", cwd=project)
    line = line_of(sources, "published: 2026-02-30")
    assert run.code == 1
    assert f"data/sources.yml:{line}:" in run.out and "published" in run.out, run.out
    # the editor of issue 12 put a web report's date in a journal's issue: now refused, with the fix
    sources.write_text(text + SAMPLES["journal"].replace("issue: 第3期", "issue: 2026-02-13"), encoding="utf-8")
    run = casebook("validate", cwd=project)
    assert run.code == 1
    assert f"data/sources.yml:{line_of(sources, 'issue: 2026-02-13')}:" in run.out, run.out
    assert "kind 改为 web" in run.out


def test_a_web_source_needs_its_date_of_access_and_a_real_address(project: Path) -> None:
    sources = with_samples(project, "web")
    text = sources.read_text(encoding="utf-8")
    sources.write_text(text.replace("url: https://news", "url: news"), encoding="utf-8")
    run = casebook("validate", cwd=project)
    assert run.code == 1 and "http://" in run.out, run.out
    # a journal article read online needs the date it was read
    sources.write_text(
        text.replace('    accessed: "2026-02-14"\n', "")
        + SAMPLES["journal-online"].replace('    accessed: "2026-11-30"\n', ""),
        encoding="utf-8",
    )
    run = casebook("validate", cwd=project)
    assert run.code == 1 and ".accessed" in run.out and "是必填字段" in run.out, run.out


def test_an_outlet_is_no_source_and_a_field_of_another_kind_is_unknown(project: Path) -> None:
    case = project / "cases" / "qinghe-ju-tiantian-qiaomen.yml"
    case.write_text(
        case.read_text(encoding="utf-8").replace("- ref: dangyuan-shenghuo-2018-08", "- ref: changjiang-wang"),
        encoding="utf-8",
    )
    run = casebook("validate", cwd=project)
    assert run.code == 1
    assert f"cases/qinghe-ju-tiantian-qiaomen.yml:{line_of(case, '- ref: changjiang-wang')}:" in run.out
    assert "kind: outlet" in run.out
    case.write_text(
        case.read_text(encoding="utf-8").replace("- ref: changjiang-wang", "- ref: dangyuan-shenghuo-2018-08"),
        encoding="utf-8",
    )
    sources = with_samples(project, "web")
    sources.write_text(sources.read_text(encoding="utf-8") + "    journal: 党员生活\n", encoding="utf-8")
    run = casebook("validate", cwd=project)
    assert run.code == 1 and "journal" in run.out and "是未知字段" in run.out, run.out
