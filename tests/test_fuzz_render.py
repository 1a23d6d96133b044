"""Property: whatever text a plain-text field holds, every page it lands on shows it as text.
Random Unicode (markup characters, control and invisible characters, bidi controls, surrogate
escapes are refused earlier, by the validator) goes into the title, summary, keywords, quotes
and a figure label of a real case, and the generated pages are rendered by the core."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from casebook.model import Casebook
from casebook.records.loader import Project, load
from casebook.site.pages import SitePages

from .conftest import ROOT

CASE = "qinghe-ju-tiantian-qiaomen"
MARKUP = st.sampled_from(
    ["<", ">", "&", '"', "'", "<svg onload=x>", "</title>", "&lt;", "{{", "{%", "\u202e", "\u200b"]
)
PLAIN = st.text(alphabet=st.characters(blacklist_characters="⟦⟧"), min_size=1, max_size=4)
TEXT = st.lists(st.one_of(MARKUP, PLAIN), min_size=1, max_size=12).map("".join)
# The value is fenced by these, so that each place it lands can be found and compared.
FENCED = re.compile("⟦(.*?)⟧", re.S)


@pytest.fixture(scope="module")
def book() -> Casebook:
    result = load(Project(ROOT))
    assert result.casebook is not None
    return result.casebook


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_any_text_in_a_case_is_escaped_on_its_pages(book: Casebook, text: str) -> None:
    text = f"⟦{text}⟧"
    case = book.cases[CASE]
    figure = dataclasses.replace(case.figures[0], label=text)
    bad = dataclasses.replace(case, title=text, summary=text, keywords=(text,), figures=(figure, *case.figures[1:]))
    site = SitePages(dataclasses.replace(book, cases={**book.cases, CASE: bad}))
    shown = str(escape(text[1:-1]))
    for path in (f"cases/{CASE}/", "cases/", "figures/", "framework/sanzhi/"):
        html = next(p for p in site.all() if p.path == path).render().html
        found = FENCED.findall(html)
        assert found, path
        assert set(found) == {shown}, path  # everywhere, and only, the escaped text
