"""Escaping and small formatting helpers shared by the page renderers."""

from __future__ import annotations

import html
import posixpath
import re

from . import urls

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#|!])")


def md(text: str) -> str:
    """Plain text made safe for inline Markdown: no markup, no HTML."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def attr(text: str) -> str:
    return html.escape(text, quote=True)


def rel(from_uri: str, to_uri: str) -> str:
    """Relative link between two source files (`cases/a.md` -> `../framework/b.md`)."""
    start = posixpath.dirname(from_uri)
    target = to_uri.split("#", 1)
    path = posixpath.relpath(target[0], start or ".")
    return path + (f"#{target[1]}" if len(target) > 1 else "")


def link(label: str, from_uri: str, to_uri: str) -> str:
    return f"[{md(label)}]({rel(from_uri, to_uri)})"


def joined(items: list[str], sep: str = "、") -> str:
    return sep.join(items)


def date_zh(value: str) -> str:
    """2017-09-18 -> 2017年9月18日; 2018 -> 2018年; 2018-06 -> 2018年6月."""
    parts = value.split("-")
    units = ["年", "月", "日"]
    return "".join(f"{int(p)}{u}" for p, u in zip(parts, units, strict=False))


def yaml_str(text: str) -> str:
    """A YAML double-quoted scalar for front matter."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def a(label: str, from_uri: str, to_uri: str) -> str:
    """An HTML link between the pages of two source files."""
    return f'<a href="{attr(urls.web_rel(from_uri, to_uri))}">{attr(label)}</a>'


def html_list(items: list[str], tag: str = "ul") -> str:
    """<ul> (or <ol>) of items that are already HTML."""
    return f"<{tag}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{tag}>"
