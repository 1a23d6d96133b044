"""The page left at a renamed case's old address: it sends readers and search engines on."""

from __future__ import annotations

from .text import attr


def redirect_html(target: str, canonical: str, title: str) -> str:
    """target is relative, so the redirect works on any host (a local preview too)."""
    t, u, c = attr(title), attr(target), attr(canonical)
    return f"""<!doctype html>
<html lang="zh-Hans">
<head>
<meta charset="utf-8">
<title>{t}</title>
<link rel="canonical" href="{c}">
<meta name="robots" content="noindex">
<meta http-equiv="refresh" content="0; url={u}">
</head>
<body>
<p>这个案例已改用新网址：<a href="{u}">{t}</a></p>
</body>
</html>
"""
