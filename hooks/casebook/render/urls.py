"""Where every generated page lives. These source paths are the site's permanent URLs."""

from __future__ import annotations

import posixpath
from functools import lru_cache

HOME = "index.md"
CASES = "cases/index.md"
FRAMEWORK = "framework/index.md"
POLICIES = "policies/index.md"
PLACES = "places/index.md"
THEMES = "themes/index.md"


def case(case_id: str) -> str:
    return f"cases/{case_id}.md"


def pillar(pillar_id: str) -> str:
    return f"framework/{pillar_id}.md"


def policy(policy_id: str) -> str:
    return f"policies/{policy_id}.md"


def place(district_id: str) -> str:
    return f"places/{district_id}.md"


def theme(theme_id: str) -> str:
    return f"themes/{theme_id}.md"


def web_path(src_uri: str) -> str:
    """The URL path MkDocs gives a source file with directory URLs: cases/a.md -> cases/a/."""
    if src_uri == "index.md":
        return ""
    if src_uri.endswith("/index.md"):
        return src_uri[: -len("index.md")]
    return src_uri[: -len(".md")] + "/"


COLLECTIONS = "collections/index.md"


def collection(collection_id: str) -> str:
    return f"collections/{collection_id}.md"


def collection_print(collection_id: str) -> str:
    return f"collections/{collection_id}/print.md"


FIGURES = "figures/index.md"


@lru_cache(maxsize=1 << 16)  # the same few thousand links recur on every page
def web_rel(from_uri: str, to_uri: str) -> str:
    """A relative URL between the pages of two source files, for links inside raw HTML
    (MkDocs only rewrites Markdown links)."""
    target, _, fragment = to_uri.partition("#")
    path = posixpath.relpath(web_path(target) or ".", web_path(from_uri) or ".")
    path = "./" if path == "." else path + "/"
    return path + (f"#{fragment}" if fragment else "")


def asset_rel(from_uri: str, asset_uri: str) -> str:
    """A relative URL from a page to a file that is not a page (an image, a download)."""
    return posixpath.relpath(asset_uri, web_path(from_uri) or ".")
