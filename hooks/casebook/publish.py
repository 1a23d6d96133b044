"""After a build: prove that every case made it into the site and into search."""

from __future__ import annotations

import html
import json
from pathlib import Path

from .model import Casebook
from .render import urls


def check_site(book: Casebook, site_dir: Path) -> list[str]:
    """Problems, one sentence each; empty when every case is on its page and in the search index."""
    problems = []
    for case in book.cases.values():
        page = site_dir / urls.web_path(urls.case(case.id)) / "index.html"
        if not page.is_file():
            problems.append(f"{case.path}: 案例页面 {page.relative_to(site_dir)} 没有生成")
        elif html.escape(case.title, quote=False) not in page.read_text(encoding="utf-8"):
            problems.append(f"{case.path}: 案例页面里没有案例标题“{case.title}”")
    index = site_dir / "search" / "search_index.json"
    if index.is_file():
        docs = json.loads(index.read_text(encoding="utf-8")).get("docs", [])
        found = {d.get("location", "").split("#")[0] for d in docs}
        for case in book.cases.values():
            if urls.web_path(urls.case(case.id)) not in found:
                problems.append(f"{case.path}: 案例不在搜索索引里")
    else:
        problems.append("没有生成搜索索引 search/search_index.json")
    return problems
