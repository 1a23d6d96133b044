"""The Traditional-script variant of a built site, made from the Simplified one with OpenCC.

Records are written once, in Simplified; after the site is built, every HTML page is
converted phrase by phrase (OpenCC `s2tw`) into the same path under zh-Hant/. Both variants
get the right `lang`, their own canonical URL, and a 简/繁 switch that lands on the same page.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import opencc

from casebook.site import urls

from .hardlinks import link_or_copy

HANT_DIR = urls.TRADITIONAL.rstrip("/")
# mkdocs.yml's `extra.alternate` links point at these; every page gets them rewritten to
# the same page in each script, so no page is left with them.
SWITCH_HANS = "https://cb-switch.invalid/zh-Hans/"
SWITCH_HANT = "https://cb-switch.invalid/zh-Hant/"
# Generated output that belongs to the site as a whole, not to one script.
SHARED = (
    "pagefind",
    "data",
    "schema",
    "feed.xml",
    "sitemap.xml",
    "sitemap.xml.gz",
    "robots.txt",
    "search-map.json",
)
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Taiwan's standard characters (群眾, 為, 裡): plain `s2t` writes OpenCC's dictionary forms (羣衆, 爲,
# 裏), which no region's readers write. Not `s2twp`: it also swaps words (社区 -> 社群), and the
# records' words are the cases' own.
TRADITIONAL = "s2tw"
# Other Traditional forms of the same characters that a reader may type into the search box: the
# dictionary's (羣衆) and Hong Kong's (羣眾). The search map takes them back to Simplified too.
OTHER_TRADITIONAL = ("s2t", "s2hk")
# Interface words that Taiwan writes differently, not only in other characters: `s2tw` keeps
# 搜索, while Taiwan's readers (and Material's and our own zh-Hant interface) say 搜尋. Applied
# only to pages whose every word is the interface's (a record's words are its own, never swapped).
REGIONAL_WORDS = {"搜索": "搜尋"}
INTERFACE_PAGES = frozenset({urls.SEARCH})


@cache
def converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_traditional(text: str) -> str:
    return converter(TRADITIONAL).convert(text)


@dataclass(frozen=True)
class PageChars:
    """What one page teaches the search map: its characters, and the ambiguous ones with the
    pairs around them. Kept with a cached page, so a page taken from the cache still teaches."""

    chars: frozenset[str]
    ambiguous: frozenset[str]
    pairs: dict[str, str]


def page_chars(simplified: str, traditional: str) -> PageChars:
    chars = frozenset(simplified)
    ambiguous: set[str] = set()
    pairs: dict[str, str] = {}
    if len(simplified) == len(traditional):  # else phrase conversion changed the length: no alignment
        # Where phrase-level conversion differs from the default one-character conversion, the
        # character is ambiguous (里 -> 裡/裏/里): keep the pairs around it. Compare in blocks so
        # that the Python loop only runs over the few blocks that differ.
        default = simplified.translate(_learn_single(set(chars)))
        block = 256
        for start in range(0, len(simplified), block):
            end = start + block
            if default[start:end] == traditional[start:end]:
                continue
            for i in range(start, min(end, len(simplified))):
                if default[i] != traditional[i] and CJK.match(simplified[i]):
                    ambiguous.add(simplified[i])
                    for j in (i - 1, i):
                        if j >= 0 and j + 1 < len(simplified) and CJK.match(simplified[j + 1]):
                            pairs.setdefault(simplified[j : j + 2], traditional[j : j + 2])
    return PageChars(chars, frozenset(ambiguous), pairs)


@dataclass
class CharMaps:
    """What the search box needs to accept either script: t2s per character, and s2t per
    character with the pairs that disambiguate it, learnt from the site's own text."""

    chars: set[str] = field(default_factory=set)
    pairs: dict[str, str] = field(default_factory=dict)
    ambiguous: set[str] = field(default_factory=set)

    def learn(self, simplified: str, traditional: str) -> None:
        self.merge(page_chars(simplified, traditional))

    def merge(self, page: PageChars) -> None:
        new = page.chars.difference(self.chars)
        if new:
            self.chars.update(new)
            _learn_single(new)
        self.ambiguous.update(page.ambiguous)
        for pair, form in page.pairs.items():
            self.pairs.setdefault(pair, form)

    def payload(self) -> dict[str, dict[str, str]]:
        cjk = [c for c in self.chars if CJK.match(c)]
        table = _learn_single(set(cjk))
        s2t = {c: chr(table[ord(c)]) for c in cjk if table.get(ord(c), ord(c)) != ord(c)}
        return {
            "s2t": s2t,
            "t2s": self._t2s(cjk, s2t),
            "pairs": {k: v for k, v in self.pairs.items() if k[0] in self.ambiguous or k[1] in self.ambiguous},
        }

    def _t2s(self, cjk: list[str], s2t: dict[str, str]) -> dict[str, str]:
        """A Traditional character back to the Simplified one it stands for on this site, from the
        pages' own form and the other regions' (群 is its own Taiwan form, but 羣 must still find
        it). Taiwan's forms include characters that are also Simplified (著 is 着's form, and the 著
        of 显著): where the site writes such a character itself, OpenCC's t2s decides (it keeps 著)."""
        sources: dict[str, set[str]] = {}
        for simplified in cjk:
            forms = {s2t.get(simplified, simplified), *(converter(c).convert(simplified) for c in OTHER_TRADITIONAL)}
            for form in forms:
                if len(form) == 1 and form != simplified:
                    sources.setdefault(form, set()).add(simplified)
        out = {}
        for form, simplified_chars in sources.items():
            if len(simplified_chars) == 1 and form not in self.chars:
                out[form] = next(iter(simplified_chars))
            else:
                out[form] = converter("t2s").convert(form)
        # Phrase conversion writes forms no single character converts to (签订 → 簽訂, where 签
        # alone is 籤): each Traditional character of a learnt pair leads back to its own.
        for simplified_pair, traditional_pair in self.pairs.items():
            for simplified, form in zip(simplified_pair, traditional_pair, strict=True):
                if form != simplified and form not in self.chars:
                    out.setdefault(form, simplified)
        return {t: s for t, s in out.items() if t != s}


_SINGLE: dict[int, int] = {}


def _learn_single(chars: set[str]) -> dict[int, int]:
    """str.translate table of each character's own conversion, grown as new characters appear."""
    for c in chars:
        if ord(c) in _SINGLE:
            continue
        if CJK.match(c):
            t = converter(TRADITIONAL).convert(c)
            if len(t) == 1 and t != c:
                _SINGLE[ord(c)] = ord(t)
        _SINGLE.setdefault(ord(c), ord(c))
    return _SINGLE


def _articles(simplified: str, traditional: str) -> tuple[str, str]:
    """The article of both versions of a page: header, navigation and footer repeat the first
    page's words, already learnt."""
    start, end = simplified.find("<article"), simplified.rfind("</article>")
    t_start, t_end = traditional.find("<article"), traditional.rfind("</article>")
    if min(start, end, t_start, t_end) < 0:
        return simplified, traditional
    return simplified[start:end], traditional[t_start:t_end]


def _switch_links(html: str, web_path: str, hant: bool) -> str:
    depth = web_path.count("/") + (1 if hant else 0)
    up = "../" * depth
    html = html.replace(f'href="{SWITCH_HANS}"', f'href="{up}{web_path}"')
    return html.replace(f'href="{SWITCH_HANT}"', f'href="{up}{HANT_DIR}/{web_path}"')


_ALTERNATE = re.compile(r'\s*<link rel="alternate" href="https://cb-switch\.invalid/[^"]*" hreflang="[^"]*">')


def _head_links(html: str, site_url: str, web_path: str, hant: bool) -> str:
    """Drop Material's <head> alternates: its script would take over the 简/繁 links and, when
    its sitemap lookup misses, send readers to the other script's home page. The sitemaps carry
    the hreflang alternates instead. The canonical URL is this script's own page."""
    # Only the <head> holds them: a pattern that starts with \s* is tried at every character,
    # and the whole page took 0.9 ms, twice a page (a second of a 1,000-case build).
    end = html.find("</head>")
    end = len(html) if end < 0 else end
    html = _ALTERNATE.sub("", html[:end]) + html[end:]
    if hant:
        html = html.replace(
            f'<link rel="canonical" href="{site_url}{web_path}">',
            f'<link rel="canonical" href="{site_url}{HANT_DIR}/{web_path}">',
        )
    return html


def _mark_current(html: str, hant: bool) -> str:
    current = f'hreflang="{"zh-Hant" if hant else "zh-Hans"}" class="md-select__link"'
    return html.replace(current, current + ' aria-current="true"')


def html_pages(site_dir: Path) -> Iterable[Path]:
    skip = {site_dir / d for d in (HANT_DIR, *SHARED)}
    for path in sorted(site_dir.rglob("*.html")):
        if not any(parent in skip for parent in path.parents):
            yield path


@dataclass(frozen=True)
class ConvertedPage:
    hans: str  # the finished Simplified page
    hant: str  # its Traditional twin
    chars: PageChars


class TraditionalVariant:
    """Builds zh-Hant/ page by page as the site is rendered, then the files no page covers."""

    def __init__(self, site_dir: Path, site_url: str):
        self.site_dir, self.site_url = site_dir, site_url
        self.root = site_dir / HANT_DIR
        self.maps = CharMaps()
        self.done: set[str] = set()
        if self.root.exists():
            shutil.rmtree(self.root)

    def page(self, html: str, dest: str) -> tuple[str, str]:
        """The finished Simplified page and its Traditional twin (written to zh-Hant/ here)."""
        converted = self.convert(html, dest)
        self.take(dest, converted)
        return converted.hans, converted.hant

    def convert(self, html: str, dest: str) -> ConvertedPage:
        web_path = dest[: -len("index.html")] if dest.endswith("index.html") else dest
        simplified = html.replace('<html lang="zh"', '<html lang="zh-Hans"', 1)
        traditional = to_traditional(simplified).replace('<html lang="zh-Hans"', '<html lang="zh-Hant"', 1)
        if web_path in INTERFACE_PAGES:
            for word, regional in REGIONAL_WORDS.items():
                traditional = traditional.replace(word, regional)
        chars = page_chars(*_articles(simplified, traditional) if self.done else (simplified, traditional))
        return ConvertedPage(
            _finish(simplified, self.site_url, web_path, hant=False),
            _finish(traditional, self.site_url, web_path, hant=True),
            chars,
        )

    def take(self, dest: str, converted: ConvertedPage) -> None:
        """A page converted now or before (a cache): its twin written, its characters learnt."""
        self.maps.merge(converted.chars)
        out = self.root / dest
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(converted.hant, encoding="utf-8")
        self.done.add(dest)

    def finish(self) -> None:
        """Convert the HTML no page event covered (404.html, redirects), copy the static files,
        write the search map. (The sitemaps are the core's: casebook.site.sitemap.)"""
        for path in html_pages(self.site_dir):
            dest = path.relative_to(self.site_dir).as_posix()
            if dest not in self.done:
                hans, _ = self.page(path.read_text(encoding="utf-8"), dest)
                path.write_text(hans, encoding="utf-8")
        _copy_static(self.site_dir, self.root)
        # Sorted: the maps are learnt into sets, and the same site must give the same file.
        payload = json.dumps(self.maps.payload(), ensure_ascii=False, sort_keys=True)
        (self.site_dir / "search-map.json").write_text(payload, encoding="utf-8")

    @property
    def pages(self) -> int:
        return len(self.done)


# From `="`, a literal the regular expression engine scans for quickly; the attribute before it
# is checked in `_up_to_shared`. Starting at `(href|src)` it was tried at every character.
_SHARED_LINK = re.compile(r'="((?:\.\./)*)(data/|schema/|feed\.xml|sitemap\.xml)')


def _up_to_shared(html: str) -> str:
    """Each href or src into the open data, the schemas or the feed, one level further up."""

    def up(m: re.Match[str]) -> str:
        if html.endswith("href", 0, m.start()) or html.endswith("src", 0, m.start()):
            return f'="{m.group(1)}../{m.group(2)}'
        return m.group(0)

    return _SHARED_LINK.sub(up, html)


def _finish(html: str, site_url: str, web_path: str, *, hant: bool) -> str:
    html = _head_links(html, site_url, web_path, hant)  # first: the switch pass rewrites any href left
    html = _switch_links(html, web_path, hant)
    if hant:
        # Open data, schemas and the feed exist once, at the root: one level further up from zh-Hant/.
        html = _up_to_shared(html)
    return _mark_current(html, hant)


def _copy_static(site_dir: Path, target_root: Path) -> None:
    """Assets and images the pages refer to by relative paths (QR codes, styles, scripts)."""
    skip = {HANT_DIR, *SHARED}
    for path in site_dir.rglob("*"):
        rel = path.relative_to(site_dir)
        if rel.parts[0] in skip or path.is_dir() or path.suffix in (".html", ".gz"):
            continue
        out = target_root / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".json":
            # JSON outside the shared folders belongs to a page: the browse page's cards
            # (cases/page/cards-N.json), which its script draws. Converted as the page is, so that
            # a Traditional page shows Traditional titles; OpenCC leaves JSON's syntax alone.
            out.write_text(to_traditional(path.read_text(encoding="utf-8")), encoding="utf-8")
            continue
        # The rest (Word and slide files, Simplified as the records are; QR codes; styles and
        # scripts) are the same bytes in both scripts: one more link to each (hardlinks.py).
        link_or_copy(str(path), str(out))
