"""Where every generated page lives: web paths relative to the site root ("cases/<id>/").
These paths are the site's permanent URLs; a generator maps them to its own files."""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache

from ..model import case_path

HOME = ""
CASES = "cases/"
FRAMEWORK = "framework/"
POLICIES = "policies/"
PLACES = "places/"
THEMES = "themes/"
COLLECTIONS = "collections/"
FIGURES = "figures/"
BASKET = "basket/"  # 我的清单: the list lives on the reader's device and in ?c=id1,id2
COMPARE = "compare/"  # ?c=id1,id2[,id3]
CODEBOOK = "codebook/"  # 数据字典: the open data explained
SEARCH = "search/"  # the search page: every result of a query, narrowed by the browse page's filters
QR_FILE = "qrcode.png"
# The Traditional-script copy of every page sits under this folder, at the same path.
TRADITIONAL = "zh-Hant/"


def case(case_id: str) -> str:
    return case_path(case_id)  # the model knows a case's permanent address


def pillar(pillar_id: str) -> str:
    return f"framework/{pillar_id}/"


def policy(policy_id: str) -> str:
    return f"policies/{policy_id}/"


def place(district_id: str) -> str:
    return f"places/{district_id}/"


def theme(theme_id: str) -> str:
    return f"themes/{theme_id}/"


def collection(collection_id: str) -> str:
    return f"collections/{collection_id}/"


def collection_print(collection_id: str) -> str:
    return f"collections/{collection_id}/print/"


def case_qr(case_id: str) -> str:
    return f"cases/{case_id}/{QR_FILE}"


# A case's and a collection's downloads sit beside its page, under these fixed ASCII names
# (casebook.site.handouts makes them; other pages link to them by these names).
HANDOUT = "handout.docx"
HANDOUT_TEACHER = "handout-teacher.docx"
SLIDES = "slides.pptx"


def case_photo(case_id: str, file: str, width: int, ext: str) -> str:
    return f"cases/{case_id}/{file.rsplit('.', 1)[0]}-{width}.{ext}"


def case_card(case_id: str) -> str:
    """What the basket and the comparison show of a case (basket.case_card)."""
    return f"cases/{case_id}/card.json"


def case_alias(alias: str) -> str:
    """The page left at a renamed case's old address."""
    return f"cases/{alias}/index.html"


_QUERY_OR_FRAGMENT = re.compile(r"[?#]")


@lru_cache(maxsize=1 << 16)  # the same few thousand links recur on every page
def relative(here: str, target: str) -> str:
    """A relative URL from the page at `here` to a page or a file (`target` may carry ?query or
    #fragment), so that the site works under any base path and in a local preview."""
    cut = _QUERY_OR_FRAGMENT.search(target)
    path, rest = (target[: cut.start()], target[cut.start() :]) if cut else (target, "")
    if not path:
        return target
    rel = posixpath.relpath(path, here.rstrip("/") or ".")
    if path.endswith("/"):
        rel = "./" if rel == "." else rel + "/"
    return rel + rest
