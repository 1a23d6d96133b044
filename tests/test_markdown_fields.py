"""The shortcut for fields without Markdown syntax writes what Python-Markdown writes.

`plain_paragraphs` skips the parser for a field that holds only paragraphs; anything it takes
must come out byte for byte as the converter would have written it, and anything with syntax
must be left to the converter."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from casebook.records.loader import Project, load
from casebook.records.markdown_safety import escape_html
from casebook.site.markdown_fields import MarkdownFields, plain_paragraphs
from casebook.site.pages import SitePages
from casebook.site.templates import Templates

from .conftest import ROOT

# Chinese text, the Latin letters and digits it quotes, its own and ASCII punctuation, every kind
# of space and line break, and each character Markdown gives a meaning to.
PIECES = st.sampled_from(
    [
        "社区",
        "居民议事",
        "“红色物业”",
        "。",
        "，",
        "：",
        "（试点）",
        "2016年",
        "108个",
        "29%",
        "A",
        "x",
        " ",
        "  ",
        "\u3000",
        "\u3000\u3000",
        "\n",
        "\n\n",
        "\n\n\n",
        "\t",
        "1.",
        "1) ",
        "- ",
        "* ",
        "+ ",
        "# ",
        "> ",
        ": ",
        "!!! note",
        "??? ",
        "---",
        "===",
        "***",
        "    ",
        "*强调*",
        "_x_",
        "`代码`",
        "[链接](https://example.org)",
        "<b>",
        "&amp;",
        "&",
        "{: #id}",
        "| a | b |",
        "~~~",
        "*[HTML]: x",
        "\\",
        ".",
        "-",
        "=",
        "!",
        "?",
        "(",
        ")",
        "'",
        '"',
        "/",
        "https://example.org/a_b",
        "\u00a0",
        "\u2003",
        "\x0c",
        "\x85",
    ]
)
TEXT = st.lists(PIECES, min_size=1, max_size=30).map("".join)


_CONVERTER = MarkdownFields()._converter()  # the site's own, with its extensions and settings


def _converted(text: str) -> str:
    _CONVERTER.reset()
    return _CONVERTER.convert(escape_html(text))


@settings(max_examples=1500, deadline=None)
@given(text=TEXT)
@example(text="第一段。\n\n\u3000\u3000第二段，\n第二行。")
@example(text="社区 \n居民")
@example(text="社区\n\n \n居民")
def test_a_field_the_shortcut_takes_is_written_as_markdown_writes_it(text: str) -> None:
    source = text.strip()
    plain = plain_paragraphs(source)
    if plain is not None:
        assert plain == _converted(source), repr(source)


def test_the_shortcut_takes_plain_paragraphs_and_leaves_syntax_to_the_converter() -> None:
    # It must be used at all, or the test above proves nothing.
    assert plain_paragraphs("第一段。\n\n第二段，\n第二行。") == "<p>第一段。</p>\n<p>第二段，\n第二行。</p>"
    for syntax in ("- 一项", "1. 一项", "**重点**", "# 标题", "> 引文", "社区  \n居民", "a\n\n\nb", "`x`", "A & B"):
        assert plain_paragraphs(syntax) is None, syntax


class _Recording(MarkdownFields):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def html(self, text: str) -> Markup:
        self.texts.append(text)
        return super().html(text)


def test_every_markdown_field_of_the_real_site_is_converted_as_before() -> None:
    """Each Markdown field the committed records and reference data put on a page: the shortcut
    or the converter, the same HTML."""
    result = load(Project(ROOT))
    assert result.casebook is not None
    fields = _Recording()
    site = SitePages(result.casebook, Templates(fields), {}, None, {})
    for page in site.all():
        page.render()
    texts = list(dict.fromkeys(fields.texts))
    assert len(texts) >= 20
    taken = [t for t in texts if plain_paragraphs(t.strip()) is not None]
    assert taken, "no real field takes the shortcut: the shortcut is dead code"
    assert len(taken) < len(texts), "every real field takes the shortcut: the converter is untested here"
    for text in texts:
        assert MarkdownFields().html(text) == _converted(text.strip()), repr(text)
