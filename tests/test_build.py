"""A strict build of the real project, and what its pages say."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .conftest import ROOT, LinkTargets, mkdocs_build

CASE_IDS = sorted(p.stem for p in (ROOT / "cases").glob("*.yml"))


def page(site: Path, path: str) -> str:
    file = site / path / "index.html" if not path.endswith(".html") else site / path
    assert file.is_file(), f"{path} was not built"
    return file.read_text(encoding="utf-8")


def text_of(html: str) -> str:
    """Visible text of the article, without tags, to check facts as a reader sees them."""
    body = html.split('<article class="md-content__inner md-typeset">', 1)[-1].split("</article>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", body))


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_every_case_has_its_permanent_page(site: Path, case_id: str) -> None:
    html = page(site, f"cases/{case_id}")
    for anchor in ('id="background"', 'id="practice"', 'id="results"', 'id="sources"'):
        assert anchor in html
    assert "[J]. 党员生活, 2018(8)" in html
    assert f"/edit/main/cases/{case_id}.yml" in html


FACTS = {
    "hongshan-jiexiao-qianshou": [
        "458",
        "511",
        "180余次",
        "多于 180次",
        "159",
        "需求清单",
        "资源清单",
        "社区共建项目清单",
        "何春涛",
        "武昌工学院网站",
        "张家湾街光霞社区",
    ],
    "qinghe-ju-tiantian-qiaomen": [
        "天天敲门十八法",
        "高空抛物",
        "乱搭乱盖",
        "乱牵乱晒",
        "养鸡种菜",
        "请问您家有什么需要我们帮忙的",
        "长江网",
        "青山区",
    ],
    "jiangxin-yuan-shequ-wenhua": [
        "七色楼道文化",
        "社区之歌",
        "江欣苑故事",
        "尊师敬老团年宴",
        "赛家风演讲比赛",
        "长江日报",
        "汉阳区",
    ],
    "jinyinhu-hongse-wuye-waiyu-ban": [
        "2017年9月18日",
        "20余人",
        "38人",
        "董燕明",
        "黄秀梅",
        "老漂族",
        "碧海社区",
        "红色物业",
    ],
    "dongting-wuhan-weilinli": [
        "武汉·微邻里",
        "网格群聊",
        "张忻欣",
        "赵女士",
        "退休",
        "小事不出网格、大事不出社区",
        "武昌区",
    ],
}


@pytest.mark.parametrize("case_id", sorted(FACTS))
def test_case_pages_carry_the_article_facts(site: Path, case_id: str) -> None:
    text = text_of(page(site, f"cases/{case_id}"))
    missing = [fact for fact in FACTS[case_id] if fact not in text]
    assert not missing, f"{case_id} lacks {missing}"


def test_figure_panel_keeps_qualifier_and_anchor(site: Path) -> None:
    html = page(site, "cases/hongshan-jiexiao-qianshou")
    panel = html.split('class="cb-figures"', 1)[1].split('<h2 id="background"', 1)[0]
    assert '<span class="cb-fig-num">180</span><span class="cb-fig-qual">余</span>' in panel
    assert 'id="lianxi-huiyi"' in panel


def test_framework_pages(site: Path) -> None:
    overview = text_of(page(site, "framework"))
    for words in ("一沙一石", "一生一世", "工作力量全进入", "服务过程全评价", "政务服务", "党员服务"):
        assert words in overview
    pillar = page(site, "framework/dadangwei")
    diagram = pillar.split('<ol class="cb-levels"', 1)[1].split("</ol>", 1)[0]
    assert re.findall(r'cb-level-name">([^<]+)<', diagram) == [
        "街道大工委",
        "社区大党委",
        "网格党支部",
        "楼栋党小组",
        "党员中心户",
    ]
    assert "洪山区“街校牵手”行动" in pillar
    for pid in ("sanzhi", "xinxihua", "siquan"):
        assert "cases/" in page(site, f"framework/{pid}")


def test_home_shows_pillars_counts_and_newest(site: Path) -> None:
    text = text_of(page(site, ""))
    assert f"{len(CASE_IDS)} 个案例" in text
    for title in ("强化社区大党委区域领导核心地位", "建立“四全”服务机制", "青山区青和居“天天敲门组”"):
        assert title in text
    assert "<!-- casebook:" not in page(site, "")


def test_policy_place_and_theme_pages(site: Path) -> None:
    assert "碧海红色物业老年人外语班" in text_of(page(site, "policies/hongse-wuye"))
    assert "红色物业" in text_of(page(site, "policies/hongse-yinqing"))
    assert "在全国率先出台" in text_of(page(site, "policies/shequ-dangzuzhi-lingdao-guiding"))
    district = text_of(page(site, "places/dongxihu"))
    assert "金银湖街" in district and "碧海社区" in district and "碧海红色物业老年人外语班" in district
    places = text_of(page(site, "places"))
    assert all(name in places for name in ("洪山区", "青山区", "汉阳区", "东西湖区", "武昌区"))
    assert "碧海红色物业老年人外语班" in text_of(page(site, "themes/weilao-fuwu"))


def test_cases_are_not_in_the_navigation(site: Path) -> None:
    html = page(site, "about")
    nav = html.split('class="md-nav md-nav--primary', 1)[1].split("</nav>", 1)[0]
    assert "cases/qinghe-ju" not in nav
    assert len(html) < 60_000


def test_search_index_holds_every_case_once(site: Path) -> None:
    """One Simplified index serves both scripts (the browser converts Traditional queries)."""
    from casebook.site.search import indexed_pages

    indexed = indexed_pages(site)
    assert {f"/cases/{c}/" for c in CASE_IDS} <= indexed
    assert {"/about/", "/framework/sanzhi/", "/"} <= indexed  # hand-written and generated pages alike
    assert not any(url.startswith("/zh-Hant/") for url in indexed)
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert set(entry["languages"]) == {"zh-hans"}


def test_search_index_in_shards_still_holds_every_page(site: Path, sharded_site: Path) -> None:
    import json as json_

    from casebook.site.search import indexed_pages

    shards = json_.loads((sharded_site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert len(shards) >= 3 and all((sharded_site / "pagefind" / s / "pagefind-entry.json").is_file() for s in shards)
    assert indexed_pages(sharded_site) == indexed_pages(site)


def test_traditional_variant_mirrors_every_page(site: Path) -> None:
    simplified = {p.relative_to(site) for p in site.rglob("index.html") if p.parts[len(site.parts)] != "zh-Hant"}
    traditional = {p.relative_to(site / "zh-Hant") for p in (site / "zh-Hant").rglob("index.html")}
    assert simplified == traditional
    hant = (site / "zh-Hant" / "cases" / "qinghe-ju-tiantian-qiaomen" / "index.html").read_text(encoding="utf-8")
    assert hant.lstrip().startswith("<!doctype html>") and '<html lang="zh-Hant"' in hant
    assert "天天敲門組" in hant and "青山區" in hant
    assert "https://cb-switch.invalid" not in hant
    assert 'href="../../../cases/qinghe-ju-tiantian-qiaomen/" hreflang="zh-Hans"' in hant  # 简: the same page
    site_url = "https://casebook-1314.github.io/casebook/"
    assert 'rel="alternate"' not in hant.split("</head>")[0]  # Material's script must not take the switch over
    sitemap = (site / "zh-Hant" / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{site_url}zh-Hant/cases/qinghe-ju-tiantian-qiaomen/</loc>" in sitemap
    assert f'hreflang="zh-Hans" href="{site_url}cases/qinghe-ju-tiantian-qiaomen/"' in sitemap
    assert f'<link rel="canonical" href="{site_url}zh-Hant/cases/qinghe-ju-tiantian-qiaomen/">' in hant
    hans = (site / "cases" / "qinghe-ju-tiantian-qiaomen" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-Hans"' in hans and 'href="../../zh-Hant/cases/qinghe-ju-tiantian-qiaomen/"' in hans


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "audio", "video", "source") and a.get("src"):
            self.loaded.append(str(a["src"]))
        if tag == "link" and a.get("rel") in ("stylesheet", "preload", "preconnect", "icon") and a.get("href"):
            self.loaded.append(str(a["href"]))


def test_no_page_loads_anything_from_another_host(site: Path) -> None:
    for html_file in site.rglob("*.html"):
        parser = _Refs()
        parser.feed(html_file.read_text(encoding="utf-8"))
        external = [u for u in parser.loaded if re.match(r"^(https?:)?//", u)]
        assert not external, f"{html_file.relative_to(site)} loads {external}"
    for css in site.rglob("*.css"):
        assert "fonts.googleapis" not in css.read_text(encoding="utf-8")


def test_every_published_file_can_be_read_by_the_web_server(site: Path) -> None:
    """A static host's server runs as another user than the build: a file only its owner may
    read (a temporary file renamed into place keeps mkstemp's 0600) is a 403 for every reader."""
    unreadable = sorted(
        str(p.relative_to(site)) for p in site.rglob("*") if p.is_file() and p.stat().st_mode & 0o044 != 0o044
    )
    assert not unreadable, f"{len(unreadable)} files others cannot read, e.g. {unreadable[:5]}"


def test_nothing_is_generated_into_docs() -> None:
    generated = {"cases", "framework", "policies", "places", "themes"}
    assert not generated & {p.name for p in (ROOT / "docs").iterdir()}


def test_a_generated_page_shadowed_by_docs_fails_the_build(project: Path, tmp_path: Path) -> None:
    (project / "docs" / "cases").mkdir()
    (project / "docs" / "cases" / "index.md").write_text("# 手写\n", encoding="utf-8")
    run = mkdocs_build(project, tmp_path / "site")
    assert run.code != 0 and "与生成的文件重名" in run.text


def test_a_new_case_appears_everywhere(project: Path, tmp_path: Path) -> None:
    src = (project / "cases" / "dongting-wuhan-weilinli.yml").read_text(encoding="utf-8")
    new = (
        src.replace("id: dongting-wuhan-weilinli", "id: dongting-ceshi-anli").replace(
            "related:", "aliases: []\nrelated:"
        )
        if "related:" in src
        else src.replace("id: dongting-wuhan-weilinli", "id: dongting-ceshi-anli")
    )
    new = re.sub(r"(?m)^title: .*$", "title: 东亭社区复制案例", new)
    (project / "cases" / "dongting-ceshi-anli.yml").write_text(new, encoding="utf-8")
    run = mkdocs_build(project, tmp_path / "site")
    assert run.code == 0, run.text
    site = tmp_path / "site"
    assert "东亭社区复制案例" in page(site, "cases/dongting-ceshi-anli")
    assert "东亭社区复制案例" in page(site, "cases")
    assert "东亭社区复制案例" in page(site, "places/wuchang")
    assert "东亭社区复制案例" in page(site, "framework/siquan")


def test_every_relative_link_in_both_scripts_resolves(site: Path) -> None:
    broken = []
    for html_file in site.rglob("*.html"):
        parser = LinkTargets()
        parser.feed(html_file.read_text(encoding="utf-8"))
        for target in parser.targets:
            if re.match(r"^([a-z]+:|/|#)", target):  # 404.html links from the site root, by design
                continue
            path = target.split("#")[0].split("?")[0]
            if not path:
                continue
            resolved = (html_file.parent / path).resolve()
            if not (resolved.is_file() or (resolved / "index.html").is_file()):
                broken.append(f"{html_file.relative_to(site)} -> {target}")
    assert not broken, "\n".join(broken[:20])


def test_preview_rewrites_only_what_a_save_changed(project: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`make serve`: after a save, the changed case and the pages listing it are rewritten, the
    other case pages are left alone, and the preview says it has no Traditional copy or index."""
    import os

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    monkeypatch.setenv("CASEBOOK_PREVIEW", "1")
    monkeypatch.chdir(project)
    site = tmp_path / "preview"

    def rebuild() -> None:
        config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site), strict=False)
        config.plugins.on_startup(command="serve", dirty=True)
        build(config, dirty=True)

    rebuild()
    # The untouched case shares nothing with the edited one: a related case's page names its title.
    edited, untouched = (
        site / "cases/qinghe-ju-tiantian-qiaomen/index.html",
        site / "cases/hongshan-jiexiao-qianshou/index.html",
    )
    assert (
        edited.is_file()
        and untouched.is_file()
        and not (site / "zh-Hant").exists()
        and not (site / "pagefind").exists()
    )
    for path in (edited, untouched, site / "cases/index.html"):
        os.utime(path, (1, 1))
    record = project / "cases" / "qinghe-ju-tiantian-qiaomen.yml"
    record.write_text(record.read_text(encoding="utf-8").replace("天天敲门组", "天天敲门小组", 1), encoding="utf-8")
    rebuild()
    assert "天天敲门小组" in edited.read_text(encoding="utf-8") and edited.stat().st_mtime > 1
    assert untouched.stat().st_mtime == 1, "an unchanged case page was rewritten"
    # A case related to the edited one lists its new title.
    assert "天天敲门小组" in (site / "cases/dongting-wuhan-weilinli/index.html").read_text(encoding="utf-8")
    assert "天天敲门小组" in (site / "cases/index.html").read_text(encoding="utf-8")  # the browse list follows
    assert "<html data-cb-preview " in edited.read_text(encoding="utf-8")  # scripts hide the switch and search
