"""The core serves another generator unchanged: with nothing but the `casebook` package (no
MkDocs, no Material), the real records become a complete set of pages and files whose every
internal link lands on one of them."""

from __future__ import annotations

import os
import posixpath
import re
import subprocess
import sys
from urllib.parse import urlsplit

from casebook.records.loader import Project, load
from casebook.site.pages import SitePages, files, photos, qr_codes

from .conftest import ROOT, LinkTargets, casebook, mkdocs_build

HAND_WRITTEN = {"", "about/", "contributing/"}  # docs/ pages, which the generator renders itself


def test_every_page_and_link_without_mkdocs() -> None:
    book = load(Project(ROOT)).casebook
    assert book is not None
    site = SitePages(book, photo_sizes=photos(book, ROOT / "cases"))
    pages = {p.path: p.render() for p in site.all()}
    known = set(pages) | HAND_WRITTEN | {f.path for f in files(site, ROOT / "data" / "schema")}
    known |= {path for path, _ in qr_codes(book)}
    assert {f"cases/{c}/" for c in book.cases} <= set(pages)
    broken, checked = [], 0
    for here, page in pages.items():
        assert page.title and page.html.strip(), here
        parser = LinkTargets()
        parser.feed(page.html)
        for target in parser.targets:
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path:
                continue  # another site (an edit link) or a fragment of this page
            resolved = posixpath.normpath(posixpath.join(here, parts.path))
            resolved = "" if resolved == "." else resolved + ("/" if parts.path.endswith("/") else "")
            checked += 1
            if resolved not in known:
                broken.append(f"{here} -> {target}")
    assert checked > 150  # the pages link to each other, their photos and QR codes
    assert broken == []


def test_the_core_imports_no_site_generator() -> None:
    """Importing every module of the core loads neither MkDocs nor Material (the import-linter
    contract checks the source; this checks what a real import pulls in)."""
    code = (
        "import pkgutil, importlib, sys, casebook\n"
        "for m in pkgutil.walk_packages(casebook.__path__, 'casebook.'):\n"
        "    m.name.endswith('__main__') or importlib.import_module(m.name)\n"
        "print(sorted({n.split('.')[0] for n in sys.modules} & {'mkdocs', 'material', 'casebook_mkdocs'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
    assert not re.search(r"md-|Material", (ROOT / "hooks/casebook/site/templates/macros.html").read_text())


def test_a_deployments_address_is_checked_like_site_yml(project) -> None:  # type: ignore[no-untyped-def]
    """CASEBOOK_SITE_URL and CASEBOOK_REPO_URL reach every page as they are: a value that
    data/site.yml would refuse stops the build and the export with a sentence naming it."""
    bad = {"CASEBOOK_SITE_URL": 'https://x.example/"><svg onload=alert(1)>/'}
    run = mkdocs_build(project, project / "site", **bad)
    assert run.code != 0 and "CASEBOOK_SITE_URL" in run.text and "Traceback" not in run.text
    env = {**os.environ, "CASEBOOK_REPO_URL": "https://x.example/a b"}
    out = subprocess.run(
        [sys.executable, "-m", "casebook", "export", "--format", "csv", "-o", "-"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 1 and "CASEBOOK_REPO_URL" in out.stderr and out.stdout == ""
    assert casebook("validate", cwd=project).code == 0  # the records themselves are fine
