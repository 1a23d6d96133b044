"""Sitemaps and robots.txt, for crawlers.

One sitemap per script (`sitemap.xml`, `zh-Hant/sitemap.xml`), each page listed with its twin in
the other script as hreflang alternates, and each `.xml.gz` the same bytes compressed. `lastmod`
says when a page's content last changed, as the records know it: a case page its record's
`updated` (else `added`), a page that lists cases (a pillar, policy, district, theme or lesson
collection) the newest of those. Pages whose content no record dates (the home page, the browse
pages, hand-written pages) carry no `lastmod`: the build date would claim a change every build.

A sitemap needs absolute addresses: without a site address there is none, and robots.txt says so.
robots.txt is only read at the root of a host: a site published under a path (a project's GitHub
Pages) needs the host's own robots.txt to name these sitemaps.
"""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping

from ..model import Case, Casebook
from . import urls

SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
# The sitemaps.org protocol's limit per file; beyond it a sitemap index is needed.
MAX_URLS = 50_000


class SitemapError(ValueError):
    """More pages than one sitemap file may list."""


def lastmods(book: Casebook) -> dict[str, str]:
    """Web path -> YYYY-MM-DD for every page whose content the records date."""

    def newest(cases: Iterable[Case]) -> str:
        return max((c.last_changed for c in cases), default="")

    out = {urls.case(c.id): c.last_changed for c in book.cases.values()}
    for key, cases in book.by_pillar.items():
        out[urls.pillar(key)] = newest(cases)
    for key, cases in book.by_policy.items():
        out[urls.policy(key)] = newest(cases)
    for key, cases in book.by_theme.items():
        out[urls.theme(key)] = newest(cases)
    for district in book.places.of_level("district"):
        out[urls.place(district.id)] = newest(book.by_place.get(district.id, []))
    for c in book.collections.values():
        date = newest(book.cases[i.case] for i in c.items if i.case in book.cases)
        out[urls.collection(c.id)] = out[urls.collection_print(c.id)] = date
    return {path: date for path, date in out.items() if date}


def sitemap_xml(site_url: str, pages: Iterable[str], dates: Mapping[str, str], *, traditional: bool) -> bytes:
    """One script's sitemap: every page, its twin as an alternate, its lastmod when known."""
    ET.register_namespace("", NS)
    ET.register_namespace("xhtml", XHTML)
    root = ET.Element(f"{{{NS}}}urlset")
    hant = urls.TRADITIONAL
    count = 0
    for path in pages:
        count += 1
        entry = ET.SubElement(root, f"{{{NS}}}url")
        ET.SubElement(entry, f"{{{NS}}}loc").text = site_url + (hant if traditional else "") + path
        if path in dates:
            ET.SubElement(entry, f"{{{NS}}}lastmod").text = dates[path]
        for lang, prefix in (("zh-Hans", ""), ("zh-Hant", hant)):
            ET.SubElement(
                entry, f"{{{XHTML}}}link", {"rel": "alternate", "hreflang": lang, "href": site_url + prefix + path}
            )
    if count > MAX_URLS:
        raise SitemapError(f"站点有 {count} 个页面，超过一个站点地图的上限 {MAX_URLS}：需要改为站点地图索引。")
    ET.indent(root)
    body = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


def robots_txt(site_url: str) -> str:
    lines = ["User-agent: *", "Allow: /", ""]
    if site_url:
        lines += [f"Sitemap: {site_url}{SITEMAP}", f"Sitemap: {site_url}{urls.TRADITIONAL}{SITEMAP}"]
    else:
        lines.append("# 没有设置站点地址（data/site.yml 的 url），所以没有站点地图。")
    return "\n".join(lines) + "\n"


def crawler_files(book: Casebook, pages: Iterable[str]) -> dict[str, bytes]:
    """Path in the site -> bytes: robots.txt, and both scripts' sitemaps with their .gz twins
    when the site has an address. `pages` are the Simplified pages' web paths ("", "cases/x/")."""
    site_url = book.site.url
    out = {ROBOTS: robots_txt(site_url).encode("utf-8")}
    if not site_url:
        return out
    listed = sorted(set(pages))
    dates = lastmods(book)
    for prefix, traditional in (("", False), (urls.TRADITIONAL, True)):
        xml = sitemap_xml(site_url, listed, dates, traditional=traditional)
        out[prefix + SITEMAP] = xml
        # mtime=0: the same sitemap gives the same bytes.
        out[prefix + SITEMAP + ".gz"] = gzip.compress(xml, compresslevel=9, mtime=0)
    return out
